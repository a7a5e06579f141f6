"""What keeps the console answering stations under abuse: slow and hoarding clients, sign-in floods.

- :class:`GuardedHttp` is uvicorn's own compiled (httptools) HTTP protocol with the two timeouts it lacks:
  the request's headers must arrive within ``header_timeout`` s of the connection opening (or of the
  previous answer, on a kept-alive connection), and its body within ``body_timeout`` s of the headers;
  and a cap on open connections per source address. A client over the cap is disconnected at once; a
  slow one when its time is up. Idle kept-alive connections are uvicorn's ``timeout_keep_alive``.
  A request whose line and headers (or a chunked body's trailers) pass :data:`MAX_HEAD_BYTES` is cut off at
  once: one connection sending an endless header held every station's alert 3-5 s (the parser's copying),
  and one sending endless short header lines grew the console by 2.4 GB in 8 s (measured; a few such
  would end it); trailers after a chunked body did the same for up to the body timeout.
- :class:`SignInThrottle` slows sign-in per source address with exponential backoff after a few
  failures. It never locks a name: a dispatcher signing in from another address is not affected by a
  brute force against their name from one.
- :class:`LagMonitor` measures the event loop's own lag, so the console can tell when it is too busy to
  judge whether stations went silent.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import mmap
import os
import secrets
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# A request's line and headers, at most: a station's are a few hundred bytes and a browser's a few KB (nginx
# takes 32 KB in all, uvicorn's other parser 16 KB). httptools has no such limit: it joins a header value
# that comes in pieces by copying it whole for every piece, and uvicorn keeps every header line.
MAX_HEAD_BYTES = 64 * 1024
HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 15.0
CONNECTIONS_PER_SOURCE = 256  # a district's schools may share one NAT address; a flood from one is still cut
CLIENT_CLOSED = "frontdesk.client_closed"  # scope key: True once the client closed the connection (GuardedHttp)


def claim_row(folder: Path, name: str, rows: int) -> tuple[int, int]:
    """The first row of a shared-memory table no other live worker holds: (row, lock fd). The row's lock
    file stays locked (its fd open) for the worker's life, so a dead worker's row is free again."""
    for row in range(rows):
        lock_fd = os.open(folder / f"{name}.{row}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock_fd)
            continue
        return row, lock_fd
    raise RuntimeError(f"more console workers than rows of the shared {name} table")


class SharedLimits:
    """Per-source counts shared by every worker process of one console (``serve --workers N``).

    A file-backed shared memory map (in the console's own temporary folder, made by the parent before the
    workers start) holds, for each worker, a row of counters per *slot*; a source address maps to a slot
    through a keyed hash (the key is made at start and shared with the workers, so an attacker cannot pick
    addresses that collide with a dispatcher's). Each worker writes only its own row (no locks: a worker's
    event loop is one thread) and reads the sum of every row. A worker claims its row with an exclusive
    ``flock`` held for its life; a worker that replaces a dead one zeroes the row it takes over (the dead
    one's connections died with it).

    Kept per slot and worker: open connections (the per-source cap) and failed sign-ins with the time of the
    last one (the sign-in throttle); a successful sign-in writes the slot's reset time, which makes every
    worker's earlier failures count no more. Two addresses sharing a slot (65,536 slots) share the limits:
    the price of fixed-size shared memory, made unpredictable by the key.
    """

    SLOTS = 65536

    def __init__(self, folder: Path, rows: int, key: bytes):
        self.rows = rows
        self._key = key
        n = self.SLOTS
        # [connections: rows x n uint32][failures: rows x n uint32][last failure: rows x n float64][reset: n f64]
        self._size = rows * n * 4 * 2 + rows * n * 8 + n * 8
        fd = os.open(folder / "limits.shm", os.O_RDWR)
        try:
            self._map = mmap.mmap(fd, self._size)
        finally:
            os.close(fd)
        view = memoryview(self._map)
        self._conns = view[: rows * n * 4].cast("I")
        self._fails = view[rows * n * 4 : rows * n * 8].cast("I")
        self._last = view[rows * n * 8 : rows * n * 16].cast("d")
        self._reset = view[rows * n * 16 :].cast("d")
        self.row, self._lock_fd = claim_row(folder, "limits", rows)
        base = self.row * n
        for i in range(n):  # this row's previous owner (if any) is dead: its connections closed with it
            self._conns[base + i] = 0

    @classmethod
    def prepare(cls, folder: Path, rows: int) -> bytes:
        """Make the shared map in ``folder`` (before the workers start) and return a fresh key for them."""
        size = rows * cls.SLOTS * 16 + cls.SLOTS * 8
        fd = os.open(folder / "limits.shm", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.ftruncate(fd, size)
        finally:
            os.close(fd)
        return secrets.token_bytes(16)

    def slot(self, source: str) -> int:
        digest = hashlib.blake2b(source.encode(), key=self._key, digest_size=4).digest()
        return int.from_bytes(digest, "little") % self.SLOTS

    # --- connections ---
    def open_connections(self, slot: int) -> int:
        n = self.SLOTS
        return sum(self._conns[r * n + slot] for r in range(self.rows))

    def add_connection(self, slot: int, delta: int) -> None:
        i = self.row * self.SLOTS + slot
        self._conns[i] = max(0, self._conns[i] + delta)

    # --- failed sign-ins ---
    def failures(self, slot: int) -> tuple[int, float]:
        """Failures since the last success (every worker's), and the wall-clock time of the newest."""
        n, reset = self.SLOTS, self._reset[slot]
        count, last = 0, 0.0
        for r in range(self.rows):
            at = self._last[r * n + slot]
            if at > reset:
                count += self._fails[r * n + slot]
                last = max(last, at)
        return count, last

    def add_failure(self, slot: int, now: float) -> None:
        i = self.row * self.SLOTS + slot
        if self._last[i] <= self._reset[slot]:
            self._fails[i] = 0  # failures before the last success no longer count
        self._fails[i] = min(2**32 - 1, self._fails[i] + 1)
        self._last[i] = now

    def reset(self, slot: int, now: float) -> None:
        self._reset[slot] = now


class GuardedHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol with header and body read timeouts and a per-source connection cap.

    The limits are class attributes; :func:`guarded_protocol` makes a subclass with chosen ones.
    """

    header_timeout = HEADER_TIMEOUT_S
    body_timeout = BODY_TIMEOUT_S
    per_source = CONNECTIONS_PER_SOURCE
    max_head = MAX_HEAD_BYTES
    open_by_source: dict[str, int] = defaultdict(int)  # per subclass, see guarded_protocol
    shared: SharedLimits | None = None  # set in each worker of `serve --workers N`: counts over all workers
    refused = 0
    timed_out = 0
    too_large = 0

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._timer: asyncio.TimerHandle | None = None
        # This request's bytes received so far, and those of them that were its body (a kept-alive
        # connection's next request counts afresh): the rest is its line, headers, chunk framing, trailers.
        self._request_bytes = 0
        self._body_bytes = 0
        self._source = self.client[0] if self.client else ""
        cls = type(self)
        shared = cls.shared
        if shared is not None:
            self._slot = shared.slot(self._source)
            full = shared.open_connections(self._slot) >= self.per_source
        else:
            full = cls.open_by_source[self._source] >= self.per_source
        if full:
            self._counted = False
            cls.refused += 1
            transport.abort()
            return
        if shared is not None:
            shared.add_connection(self._slot, 1)
        else:
            cls.open_by_source[self._source] += 1
        self._counted = True
        self._arm(self.header_timeout)

    def _arm(self, seconds: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _too_slow(self) -> None:
        self._timer = None
        if not self.transport.is_closing():
            type(self).timed_out += 1
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        """Parsed as uvicorn parses it; a request whose bytes other than its body (line, headers, a chunked
        body's framing and trailers, which the parser joins and keeps the same way) pass :attr:`max_head`
        (and an eighth of its body, for a long chunked upload's framing) is cut off. Each read is parsed
        first: at most one read's worth past the limit is ever parsed."""
        self._request_bytes += len(data)
        super().data_received(data)
        if (
            self._request_bytes - self._body_bytes > self.max_head + self._body_bytes // 8
            and not self.transport.is_closing()
        ):
            type(self).too_large += 1
            self.transport.abort()

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        super().on_body(body)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(self.header_timeout)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._arm(self.body_timeout)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._request_bytes = self._body_bytes = 0  # the rest of this read is the next request's: not counted
        self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Waiting for the next request on a kept-alive connection: uvicorn's keep-alive timeout applies.

    def eof_received(self) -> None:
        """The client closed its side: uvicorn closes the connection after this, and no answer can reach it.
        The request in hand says so in its scope (:data:`CLIENT_CLOSED`) at once, where the app can look
        without waiting for a message: a station that gave up on its 2 s attempt while the request waited
        in the socket (it sends the same bytes again on a new connection) is then dropped unread."""
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.scope[CLIENT_CLOSED] = True
        return super().eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if getattr(self, "_counted", False):
            cls = type(self)
            if cls.shared is not None:
                cls.shared.add_connection(self._slot, -1)
            else:
                cls.open_by_source[self._source] -= 1
                if cls.open_by_source[self._source] <= 0:
                    del cls.open_by_source[self._source]
            self._counted = False
        super().connection_lost(exc)


def guarded_protocol(
    header_timeout: float = HEADER_TIMEOUT_S,
    body_timeout: float = BODY_TIMEOUT_S,
    per_source: int = CONNECTIONS_PER_SOURCE,
) -> type[GuardedHttp]:
    """A :class:`GuardedHttp` with these limits and its own per-source counts (one per server)."""
    return type(
        "GuardedHttpWithLimits",
        (GuardedHttp,),
        {
            "header_timeout": header_timeout,
            "body_timeout": body_timeout,
            "per_source": per_source,
            "open_by_source": defaultdict(int),
            "refused": 0,
            "timed_out": 0,
            "too_large": 0,
        },
    )


class SignInThrottle:
    """Per source address: after ``free`` failures, each further try waits 1 s, 2 s, 4 s … (at most
    ``cap`` s) after the last failure. A success, or ``forget_after`` s without failures, starts over."""

    def __init__(
        self,
        free: int = 5,
        cap: float = 300.0,
        forget_after: float = 900.0,
        clock=time.time,
        shared: SharedLimits | None = None,
    ):
        self.free = free
        self.cap = cap
        self.forget_after = forget_after
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}
        self.shared = shared  # `serve --workers N`: failures counted over every worker (SharedLimits)

    def wait_for(self, source: str) -> float:
        """Seconds ``source`` must still wait before its next try (0: go ahead)."""
        now = self._clock()
        if self.shared is not None:
            count, last = self.shared.failures(self.shared.slot(source))
            if count and now - last > self.forget_after:
                return 0.0
        else:
            count, last = self._failures.get(source, (0, 0.0))
            if count and now - last > self.forget_after:
                del self._failures[source]
                return 0.0
        if count < self.free:
            return 0.0
        delay = min(self.cap, 2.0 ** (count - self.free))
        return max(0.0, last + delay - now)

    def failed(self, source: str) -> None:
        """One more failure from ``source``."""
        if self.shared is not None:
            self.shared.add_failure(self.shared.slot(source), self._clock())
            return
        count, _ = self._failures.get(source, (0, 0.0))
        self._failures[source] = (count + 1, self._clock())
        if len(self._failures) > 100_000:  # a flood from very many addresses: keep the newest
            for key in sorted(self._failures, key=lambda k: self._failures[k][1])[:50_000]:
                del self._failures[key]

    def succeeded(self, source: str) -> None:
        """``source`` signed in: start over."""
        if self.shared is not None:
            self.shared.reset(self.shared.slot(source), self._clock())
            return
        self._failures.pop(source, None)


class LagMonitor:
    """How late the event loop wakes from a short sleep: the worst of the last ``window`` seconds.

    The console judges silence over ``offline_after`` (90 s), so that is the window it uses: a console
    that was overloaded at any time in it declares nobody offline.
    """

    def __init__(self, tick: float = 0.1, window: float = 10.0):
        self.tick = tick
        self.window = window
        self._samples: list[tuple[float, float]] = []
        self.latest = 0.0  # the newest sample's lag
        self._due = float("inf")  # when the sampler should wake next

    @property
    def current(self) -> float:
        """How late the loop is now, in seconds: the newest sample's lag, or how overdue the next sample is
        (when the loop is so busy that the sampler has not run yet), whichever is more."""
        return max(self.latest, time.monotonic() - self._due)

    @property
    def recent(self) -> float:
        """The worst lag seen in the window, in seconds."""
        cutoff = time.monotonic() - self.window
        return max((lag for at, lag in self._samples if at >= cutoff), default=0.0)

    def worst_in(self, seconds: float) -> float:
        """The worst lag seen in the last ``seconds`` s (or how overdue the next sample is, if more)."""
        cutoff = time.monotonic() - seconds
        worst = 0.0
        for at, lag in reversed(self._samples):
            if at < cutoff:
                break
            worst = max(worst, lag)
        return max(worst, self.current)

    async def run(self) -> None:
        """Sample until cancelled."""
        while True:
            start = time.monotonic()
            self._due = start + self.tick
            await asyncio.sleep(self.tick)
            now = time.monotonic()
            self.latest = max(0.0, now - start - self.tick)
            self._samples.append((now, self.latest))
            cutoff = now - self.window
            while self._samples and self._samples[0][0] < cutoff:
                self._samples.pop(0)
            # Keep only samples that matter for "the worst": drop small ones older than the newest big one.
            if len(self._samples) > 2000:
                self._samples = [x for x in self._samples if x[1] >= 0.5] + self._samples[-100:]
