"""The station's link to the console: one long-lived worker that sends, supervises and listens.

It runs three coroutines on one asyncio loop in one thread (:meth:`DispatchLink.run` blocks; the desk app
runs it on its dispatch worker thread, ``frontdesk panic`` on a plain thread):

- the **sender** drains the outbox: each message has its own attempts, 2 s each, and its own capped
  exponential backoff with full jitter (0.25 s → 4 s), and up to ``MAX_IN_FLIGHT`` messages are on the way at
  once, real alerts first. No message waits for another, except an Update or an all clear (Cancel), which
  waits until every earlier message of its incident is delivered or ended (the console refuses a reference
  to an alert it does not have): a LOCKDOWN pressed while a Staff assist is being retried, or while the
  console takes its time to answer it, goes at once, and a message that keeps failing (a console error that
  message causes) never holds up the ones behind it. The console orders an incident's messages by the time
  they were pressed, not by when they arrived. Real alerts are retried forever; a drill or a test is given
  up after ``drill_give_up``. A permanent rejection (400, 401, 403, 409) ends that message, shown.
- the **heartbeat** tells the console every 30 s that the station is alive and keeps the link health
  (up/down) behind the persistent banner. A beat that could not connect (refused, no route) or that was
  refused shows the link down at once; a console that answers "busy" (503 or 429 with ``Retry-After``) is
  there: the link stays up and the next beat waits as asked. A beat that timed out, or whose connection
  broke after it was made, while the link was up is confirmed first: one more beat after a random 0.5-1 s,
  and only if that one fails too does the link show down (a console with thousands of desks reconnecting
  at once answers some beats past 2 s and now and then resets one connection; one late answer is not an
  outage). A console that is really gone but does not refuse shows down at most 3 s later than without
  the check (the wait and one more 2 s attempt); one whose process is gone refuses the confirming beat,
  at most 1 s later; a press's own delivery status never depends on the heartbeat. While down, it beats
  again at a random point of the second half of 5 s, so desks that lost the console together come back
  apart. While a message waits in backoff because the console could not be reached (no connection), it probes every
  0.5 s and wakes the sender the moment the console answers, so delivery resumes within a second of the
  console coming back instead of after the rest of a backoff sleep. A console that is there but did not
  answer in time (or said it is busy) is not probed: it is overloaded, a probe every 0.5 s from every
  station waiting would add to its load, and a heartbeat it answers says nothing about whether an alert
  would get through; the backoff (at most 4 s) or its ``Retry-After`` decides the next attempt.
- the **inbox** long-polls for dispatchers' Acks and district SRP state pushes; after a failed poll it
  polls again within 1 s (full jitter, doubling to 4 s), so desks whose polls a console restart broke
  together come back over a second, not in one instant.

Nothing here touches a widget: changes are reported to a :class:`LinkListener`, whose methods are called
on the link's thread (the desk app's listener forwards them as Qt signals).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.dispatch.client import ConsoleClient, Endpoint, Received, Rejected, Transient, busy_hint
from frontdesk.dispatch.outbox import Outbox, OutboxEntry, SchoolState
from frontdesk.errors import StoreError
from frontdesk.events.service import EventLog
from frontdesk.lazy import lazy_import

httpx = lazy_import("httpx")  # loaded when the desk first talks to dispatch

# asyncio is imported by the link's own thread, first thing in :meth:`DispatchLink.run` (and by the methods that
# run on its loop): the desk starts that thread just after its first paint, so asyncio (27 modules) is not on
# the way there. A plain import, not ``lazy_import``: an import statement takes the module's import lock, so
# another thread importing asyncio meanwhile (httpx's, a background sender's) waits for the whole module
# instead of finding it half-executed, as it could with Python 3.11's LazyLoader.
if TYPE_CHECKING:
    import asyncio

IDLE_POLL = 0.5  # seconds between looks at an empty outbox (cheap: one indexed query)
# The most the link waits for the main file to take one of its event lines. The lines are written on the link's
# own loop, between an alert's receipt and the next alert's attempt: another program holding the main file
# (a sqlite3 shell left in a transaction, a backup) held the loop for the store's whole wait (10 s) per line,
# so a LOCKDOWN pressed after a Staff assist reached dispatch 10 s late. A line that cannot go in at once
# waits, in order, for the next that can (at the latest the sender's next look at an empty outbox).
EVENT_WAIT = 0.02
# The most attempts the sender has on the way at once (each to a different message). A message that keeps
# failing has one of them only while an attempt of it runs (at most the 2 s attempt timeout); between its
# attempts it waits its backoff without a place, so it never holds up the others.
MAX_IN_FLIGHT = 4


@dataclass(frozen=True)
class LinkTimings:
    """Every delay of the link, in seconds (tests shorten them; the defaults are the reference values)."""

    attempt_timeout: float = 2.0
    backoff_first: float = 0.25
    backoff_cap: float = 4.0
    heartbeat: float = 30.0
    heartbeat_down: float = 5.0  # while the link is down and nothing waits
    # A beat that timed out while the link was up is tried once more after a random point of the second half
    # of this, before the link shows down (confirm_delay).
    heartbeat_confirm: float = 1.0
    probe: float = 0.5  # while a message waits in backoff
    inbox_wait: float = 25.0
    # After a failed long poll, the next one within this many seconds (full jitter, doubling to backoff_cap):
    # a console that restarts breaks every desk's long poll at once, and desks that all came back within
    # 0.25 s (the sender's first backoff) opened thousands of connections in one instant.
    inbox_retry_first: float = 1.0
    not_delivered_after: float = 5.0
    drill_give_up: float = 3600.0  # Exercise and Test only; Actual alerts are retried forever


@dataclass(frozen=True)
class LinkHealth:
    """Whether the station can reach the console right now."""

    state: str  # "unknown", "up", "down", "not_connected"
    since: datetime
    reason: str = ""
    insecure: bool = False  # plain HTTP to another machine ('dispatch connect --insecure'): warn on screen

    @property
    def ok(self) -> bool:
        """False when the banner must show (down or never connected)."""
        return self.state in ("up", "unknown")


class LinkListener:
    """Receives the link's news, on the link's thread. Override what you need."""

    def entry_changed(self, entry: OutboxEntry) -> None:
        """A message's delivery facts changed (attempt failed, received, acknowledged, rejected)."""

    def health_changed(self, health: LinkHealth) -> None:
        """The link went up or down."""

    def school_state_changed(self, state: SchoolState) -> None:
        """The district pushed an SRP state."""


def backoff_delay(failures: int, timings: LinkTimings, rng: random.Random) -> float:
    """Full jitter: a uniform draw between 0 and the capped exponential (0.25 s, 0.5 s, 1 s ... 4 s)."""
    ceiling = min(timings.backoff_cap, timings.backoff_first * (2 ** min(failures, 30)))
    return rng.uniform(0, ceiling)


def inbox_retry_delay(failures: int, timings: LinkTimings, rng: random.Random) -> float:
    """How long the inbox waits after its ``failures``-th failed long poll in a row: full jitter from
    ``inbox_retry_first`` (1 s) doubling to ``backoff_cap`` (4 s), never under 50 ms."""
    ceiling = min(timings.backoff_cap, timings.inbox_retry_first * (2 ** min(failures, 30)))
    return max(0.05, rng.uniform(0, ceiling))


def down_beat_delay(timings: LinkTimings, rng: random.Random) -> float:
    """The next heartbeat after a failed one: a random point of the second half of ``heartbeat_down`` (so
    desks that lost the console together do not all come back in one instant; never later than before)."""
    return timings.heartbeat_down * rng.uniform(0.5, 1.0)


def confirm_delay(timings: LinkTimings, rng: random.Random) -> float:
    """How long after a heartbeat that timed out the confirming one goes: a random point of the second half
    of ``heartbeat_confirm`` (desks whose beats timed out together do not confirm in one instant)."""
    return timings.heartbeat_confirm * rng.uniform(0.5, 1.0)


class DispatchLink:
    """Sends the outbox and listens to the console until :meth:`stop`."""

    def __init__(
        self,
        outbox: Outbox,
        endpoint: Callable[[], Endpoint | None],
        *,
        timings: LinkTimings | None = None,
        listener: LinkListener | None = None,
        onsite: Callable[[], int] = lambda: 0,
        events: EventLog | None = None,
        rng: random.Random | None = None,
        now: Callable[[], datetime] = clock.now,
        daily_test: Callable[[], bool] | None = None,
    ):
        self._outbox = outbox
        self._endpoint = endpoint
        self.timings = timings or LinkTimings()
        self._listener = listener or LinkListener()
        self._onsite = onsite
        self._events = events
        self._rng = rng or random.Random()
        self._now = now
        self._daily_test = daily_test
        self.health = LinkHealth("unknown", now())
        self._client: ConsoleClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake_ev: asyncio.Event | None = None
        self._probe_ev: asyncio.Event | None = None
        self._stop_ev: asyncio.Event | None = None
        self._stop_requested = threading.Event()
        self._started = threading.Event()
        self._retry: dict[int, _Retry] = {}  # each queued message's failures and next turn (sender's loop only)
        self._insecure = False
        self._hold_until = 0.0  # monotonic time before which a busy console asked not to be sent to
        self._not_connected = "this desk is not connected to a dispatch console"
        self._unwritten: list[tuple[str, str]] = []  # event lines the main file could not take yet, oldest first

    # --- control, from any thread ---------------------------------------------------------------------
    def wake(self) -> None:
        """A message was committed: send now (safe to call from any thread, before or during run)."""
        self._call_soon(lambda: self._wake_ev.set())  # type: ignore[union-attr]

    def stop(self) -> None:
        """End :meth:`run` (safe from any thread); an attempt in flight is abandoned, never half-marked."""
        self._stop_requested.set()
        self._call_soon(lambda: self._stop_ev.set())  # type: ignore[union-attr]

    def wait_started(self, timeout: float = 5.0) -> bool:
        """Block until the loop runs (for callers that start :meth:`run` on a thread)."""
        return self._started.wait(timeout)

    def _call_soon(self, fn: Callable[[], None]) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(fn)
            except RuntimeError:  # the loop closed between the check and the call
                pass

    # --- the loop ---------------------------------------------------------------------------------------
    def run(self, *, heartbeat: bool = True, inbox: bool = True) -> None:
        """Run sender (and heartbeat, inbox) until :meth:`stop`. Blocks; call it on the worker thread."""
        import asyncio

        asyncio.run(self._main(heartbeat, inbox))

    async def _main(self, heartbeat: bool, inbox: bool) -> None:
        import asyncio

        self._loop = asyncio.get_running_loop()
        self._wake_ev, self._probe_ev, self._stop_ev = asyncio.Event(), asyncio.Event(), asyncio.Event()
        # Whatever is already queued goes out first: after a crash or a restart, and a press committed before
        # this thread was up (its wake() found no loop to wake; the desk starts this thread after its first paint).
        self._wake_ev.set()
        tasks = [asyncio.create_task(self._guarded(self._send_loop, "sender"))]
        if heartbeat:
            tasks.append(asyncio.create_task(self._guarded(self._heartbeat_loop, "heartbeat")))
        if inbox:
            tasks.append(asyncio.create_task(self._guarded(self._inbox_loop, "inbox")))
        self._started.set()
        if not self._stop_requested.is_set():
            await self._stop_ev.wait()
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=3)
        if self._client is not None:
            await self._client.close()
        self._loop = None

    async def _guarded(self, loop_fn: Callable[[], object], name: str) -> None:
        # A life-safety sender must outlive a bug or a locked database: log, pause, carry on.
        import asyncio

        while self._running:
            try:
                await loop_fn()  # type: ignore[misc]
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure is logged and the loop restarts
                self._record("error", f"Dispatch {name} failed and restarts: {type(exc).__name__}: {exc}")
                await asyncio.sleep(1.0)

    async def _wait(self, event: asyncio.Event, timeout: float | None) -> None:
        # Not asyncio.wait_for: on Python 3.11 it can swallow a cancellation that races the event, which
        # would leave a loop running after stop(). Waiting on the stop event too ends every wait at stop.
        import asyncio

        waiter = asyncio.ensure_future(event.wait())
        try:
            await self._until(waiter, timeout)
        finally:
            waiter.cancel()

    @property
    def _running(self) -> bool:
        return not self._stop_requested.is_set()

    def _current_client(self) -> ConsoleClient | None:
        endpoint = self._endpoint()
        if endpoint is None or endpoint.problem:
            self._not_connected = (
                endpoint.problem if endpoint is not None else "this desk is not connected to a dispatch console"
            )
            return None
        self._insecure = endpoint.insecure
        if self._client is None or self._client.endpoint != endpoint:
            try:
                client = ConsoleClient(endpoint)
            except (OSError, ValueError) as exc:  # e.g. the CA file named in the settings cannot be read
                self._set_health("down", f"cannot set up HTTPS: {exc}")
                return None
            old, self._client = self._client, client
            if old is not None:
                import asyncio

                asyncio.get_running_loop().create_task(old.close())
        return self._client

    # --- sender -----------------------------------------------------------------------------------------
    async def _send_loop(self) -> None:
        """Start an attempt for every message whose turn it is, never more than ``MAX_IN_FLIGHT`` at once.

        A message's turn: it is queued, not already being sent, past its own backoff, and (an Update or an all
        clear) no earlier message of its incident is still queued, because the console refuses a reference to
        an alert it does not have. Alerts never wait for one another: a LOCKDOWN pressed while a Staff assist
        is still being retried goes at once, beside it. Real alerts start before drills and tests.
        """
        import asyncio

        assert self._wake_ev is not None
        flights: dict[int, asyncio.Task] = {}
        try:
            while self._running:
                self._wake_ev.clear()
                try:
                    queued = self._outbox.queued()
                except Exception as exc:  # noqa: BLE001 - a busy or broken outbox file: the attempts on the way
                    # go on (restarting the loop would cancel them), and the outbox is read again in a second
                    self._record("error", f"Dispatch sender cannot read its outbox: {type(exc).__name__}: {exc}")
                    await self._wait(self._stop_ev, 1.0)  # type: ignore[arg-type]
                    continue
                for gone in set(self._retry) - {e.id for e in queued}:
                    del self._retry[gone]  # delivered, refused or given up (here or by another process)
                if not queued:
                    self._write_events()  # lines a busy main file could not take while alerts were sent
                    # Woken by a press here; the timeout also picks up presses committed by another process
                    # (``frontdesk panic`` on the same data folder).
                    await self._wait(self._wake_ev, IDLE_POLL)
                    continue
                now = time.monotonic()
                next_turn = now + IDLE_POLL
                ready: list[OutboxEntry] = []
                earlier: set[str] = set()  # incidents with an earlier message still queued
                for entry in queued:  # oldest first
                    behind = entry.msg_type != "Alert" and entry.incident in earlier
                    earlier.add(entry.incident)
                    if entry.id in flights or behind:
                        continue
                    if entry.cap_status != "Actual" and self._age(entry) > self.timings.drill_give_up:
                        self._changed(self._outbox.mark_expired(entry.id))
                        self._record("warning", f"{entry.cap_status} {entry.action} {entry.identifier} given up")
                        continue
                    retry = self._retry.get(entry.id)
                    if retry is not None and retry.not_before > now:
                        next_turn = min(next_turn, retry.not_before)
                        continue
                    ready.append(entry)
                ready.sort(key=lambda e: (e.cap_status != "Actual", e.id))
                for entry in ready[: max(0, MAX_IN_FLIGHT - len(flights))]:
                    flights[entry.id] = task = asyncio.get_running_loop().create_task(self._attempt(entry))
                    task.add_done_callback(lambda _t, done=entry.id: self._landed(flights, done))
                await self._wait(self._wake_ev, max(0.0, next_turn - now))
        finally:
            for task in flights.values():
                task.cancel()

    def _landed(self, flights: dict, entry_id: int) -> None:
        """An attempt ended (whatever its outcome): free its place and look at the outbox again."""
        flights.pop(entry_id, None)
        if self._wake_ev is not None:
            self._wake_ev.set()

    async def _attempt(self, entry: OutboxEntry) -> None:
        """One attempt at one message, and what it means for the message, its next turn and the link."""
        import asyncio

        retry = self._retry.setdefault(entry.id, _Retry())
        retry.unreachable = False
        try:
            client = self._current_client()
            if client is None:
                outcome: Received | Rejected | Transient = Transient(self._not_connected)
            else:
                outcome = await client.post_alert(entry.cap, self.timings.attempt_timeout)
            if isinstance(outcome, Received):
                self._set_health("up")
                updated = self._outbox.mark_received(entry.id, outcome.received_at, self._now())
                late = (
                    " (late)" if self._age(entry, updated.confirmed_at) > self.timings.not_delivered_after else ""
                )
                self._record(
                    "info", f"{entry.msg_type} {entry.action} {entry.identifier} received by dispatch{late}"
                )
                self._changed(updated)
            elif isinstance(outcome, Rejected):
                if outcome.status in (401, 403):
                    self._set_health("down", outcome.reason)
                self._changed(self._outbox.mark_rejected(entry.id, outcome.reason))
                self._record(
                    "error", f"{entry.msg_type} {entry.action} {entry.identifier} REJECTED: {outcome.reason}"
                )
            else:
                if outcome.busy:  # the console is there and said when to come back: the link is up
                    self._set_health("up")
                else:
                    self._set_health("not_connected" if client is None else "down", outcome.reason)
                self._changed(self._outbox.note_attempt(entry.id, outcome.reason))
                delay = backoff_delay(retry.failures, self.timings, self._rng)
                if outcome.retry_after is not None:
                    # The console is busy and said when to come back: then, spread by jitter so that the
                    # stations it turned away do not all return in the same instant.
                    delay = max(delay, outcome.retry_after * self._rng.uniform(1.0, 1.5))
                    self._hold_until = max(self._hold_until, time.monotonic() + delay)  # a good beat waits too
                retry.failures += 1
                retry.not_before = time.monotonic() + delay
                # Probe for the console's return only when it was not there (see the module's docstring).
                retry.unreachable = client is None or outcome.unreachable
                if retry.unreachable and self._probe_ev is not None:
                    self._probe_ev.set()  # start probing at once
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a life-safety sender outlives a bug or a locked database
            self._record("error", f"Dispatch sender failed and retries: {type(exc).__name__}: {exc}")
            retry.not_before = time.monotonic() + 1.0

    @property
    def _backing_off(self) -> bool:
        """True while a message waits because the console could not be reached (the heartbeat then probes)."""
        return any(r.unreachable for r in self._retry.values())

    def _console_answers(self) -> None:
        """The console answered (a heartbeat, the inbox): messages waiting because it could not be reached
        go now, unless it asked to be left alone for a while (``Retry-After``)."""
        if not self._backing_off or time.monotonic() < self._hold_until:
            return
        for retry in self._retry.values():
            if retry.unreachable:
                retry.not_before = 0.0
        self.wake()

    def _age(self, entry: OutboxEntry, at: datetime | None = None) -> float:
        return ((at or self._now()) - entry.pressed_at).total_seconds()

    # --- heartbeat and health -----------------------------------------------------------------------
    async def _heartbeat_loop(self) -> None:
        assert self._probe_ev is not None and self._stop_ev is not None
        while self._running:
            self._probe_ev.clear()
            beat = await self._beat()
            ok = beat == "up"
            if ok:
                self._console_answers()
            if ok and self._daily_test is not None and self._daily_test():
                self.wake()  # today's Test was committed: send it
            if isinstance(beat, float):  # busy: back when it asked, spread by jitter (never a probe sooner)
                interval = min(self.timings.heartbeat, max(self.timings.probe, beat * self._rng.uniform(1.0, 1.5)))
            elif self._backing_off:
                interval = self.timings.probe
            elif ok:
                interval = self.timings.heartbeat
            else:
                interval = down_beat_delay(self.timings, self._rng)
            await self._wait(self._probe_ev, interval)

    async def _beat(self) -> str | float:
        """One heartbeat: "up", "down", or the seconds a busy console asked to be left alone for.

        A 503 or 429 with ``Retry-After`` is an answer of a console that is there and overloaded (its
        admission control): the link is up, not a red "link DOWN" (and the next beat honours the hint).
        A beat not answered within the attempt timeout, or whose connection broke after it was made, while the
        link was up (or not known yet) is confirmed by one more after :func:`confirm_delay` before the link
        shows down, and the first is still listened to meanwhile: a console that thousands of desks reconnect
        to at once (or that its host starves) answers some beats past the attempt timeout, and now and then
        one connection of thousands is reset. Whichever of the two is answered first decides; the link shows
        down when neither is, about as long after the first beat as two attempts and the pause between them
        (a hung console or a network that swallows everything: within ~5 s). Anything else that is not an
        answer, or any other refusal, is down at once, as always: a refused connection (a console whose
        process is gone), a 5xx without a hint (a console that cannot store alerts).
        """
        import asyncio

        client = self._current_client()
        if client is None:
            self._set_health("not_connected", self._not_connected)
            return "down"
        timings = self.timings
        if self.health.state not in ("up", "unknown"):
            return self._show_beat(await self._beat_attempt(client, timings.attempt_timeout))
        # The first beat may take the whole confirmation (both attempts and the pause): its answer counts
        # whenever it comes in that time.
        first = asyncio.ensure_future(
            self._beat_attempt(client, 2 * timings.attempt_timeout + timings.heartbeat_confirm)
        )
        tasks = [first]
        try:
            await self._until(first, timings.attempt_timeout)
            if first.done() and not first.result().confirm:
                return self._show_beat(first.result())
            words = first.result().confirm if first.done() else "not answered in time"
            self._record("warning", f"Dispatch heartbeat {words}; trying once more")
            if not first.done():
                # As a request that failed would (one that broke already did): with a console pair, the
                # confirming beat goes to the other console.
                client.suspect()
            await self._until(first, confirm_delay(timings, self._rng))
            if not self._running:
                return "down"
            if first.done() and not first.result().confirm:
                return self._show_beat(first.result())  # answered (or refused) after all
            client = self._current_client()
            if client is None:
                self._set_health("not_connected", self._not_connected)
                return "down"
            second = asyncio.ensure_future(self._beat_attempt(client, timings.attempt_timeout))
            stop = asyncio.ensure_future(self._stop_ev.wait())
            tasks += [second, stop]
            pending = {first, second}
            while pending and not stop.done():
                done, pending = await asyncio.wait(pending | {stop}, return_when=asyncio.FIRST_COMPLETED)
                pending.discard(stop)
                for task in done:
                    if task is not stop and task.result().state == "up":
                        return self._show_beat(task.result())  # either answer: the console is there
            if stop.done():
                return "down"
            # Neither was answered: down, saying a refusal if there was one, else what the second met.
            refusals = [t.result() for t in (first, second) if not t.result().confirm]
            return self._show_beat(refusals[0] if refusals else second.result())
        finally:
            for task in tasks:
                task.cancel()

    async def _until(self, task, timeout: float | None) -> None:
        """Wait for ``task`` at most ``timeout`` seconds, or until the link stops (every wait of the link)."""
        import asyncio

        assert self._stop_ev is not None
        stop = asyncio.ensure_future(self._stop_ev.wait())
        try:
            await asyncio.wait({task, stop}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()

    async def _beat_attempt(self, client: ConsoleClient, timeout: float) -> _Beat:
        """One heartbeat request, and what it says of the link (shown by :meth:`_show_beat`)."""
        try:
            await client.heartbeat(clock.now().astimezone().isoformat(timespec="seconds"), self._onsite(), timeout)
        except httpx.HTTPStatusError as exc:
            hint = busy_hint(exc.response)
            if hint is not None:
                return _Beat("up", hint=hint)
            return _Beat("down", f"heartbeat refused: HTTP {exc.response.status_code}")
        # A connection that broke after it was made (reset, closed before the answer) is confirmed as a timeout
        # is; a refused one (httpx.ConnectError: nothing listens, a console whose process is gone) is not.
        except (httpx.TimeoutException, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
            late = isinstance(exc, httpx.TimeoutException)
            words = "not answered in time" if late else "lost its connection"
            return _Beat(
                "down", f"heartbeat failed: {type(exc).__name__}", confirm=f"{words} ({type(exc).__name__})"
            )
        except httpx.DecodingError as exc:  # a 2xx that is not the console's answer (ConsoleClient says so)
            return _Beat("down", f"heartbeat {exc}")
        except httpx.HTTPError as exc:
            return _Beat("down", f"heartbeat failed: {type(exc).__name__}")
        return _Beat("up")

    def _show_beat(self, beat: _Beat) -> str | float:
        """Show a beat's outcome as the link's health; what :meth:`_beat` returns for it."""
        self._set_health(beat.state, beat.reason)
        if beat.hint is not None:
            return beat.hint
        return beat.state

    def _set_health(self, state: str, reason: str = "") -> None:
        insecure = self._insecure
        if state == self.health.state and reason == self.health.reason and insecure == self.health.insecure:
            return
        changed_state = state != self.health.state
        self.health = LinkHealth(state, self._now(), reason, insecure)
        if changed_state:
            if state == "up":
                self._record("info", "Panic link to dispatch is up")
            else:
                words = {"not_connected": "not set up", "unknown": "not known yet"}.get(state, state.upper())
                self._record("error", f"Panic link to dispatch is {words}: {reason}")
        self._listener.health_changed(self.health)

    # --- inbox ----------------------------------------------------------------------------------------
    async def _inbox_loop(self) -> None:
        failures = 0
        after = self._outbox.inbox_cursor()
        assert self._stop_ev is not None
        while self._running:
            client = self._current_client()
            if client is None:
                await self._wait(self._stop_ev, self.timings.heartbeat_down)
                continue
            try:
                messages = await client.inbox(
                    after, self.timings.inbox_wait, self.timings.inbox_wait + self.timings.attempt_timeout + 3
                )
            except httpx.HTTPError:
                await self._wait(self._stop_ev, inbox_retry_delay(failures, self.timings, self._rng))
                failures += 1
                continue
            failures = 0
            self._console_answers()  # the console answers again: retry the waiting messages now
            for message in messages:
                self._handle(message)
                after = max(after, int(message.get("seq", after)))
                self._outbox.set_inbox_cursor(after)

    def _handle(self, message: dict) -> None:
        kind = message.get("kind")
        if kind == "ack":
            when = _parse_time(message.get("acknowledged_at")) or self._now()
            dispatcher = str(message.get("dispatcher") or "dispatch")
            entry = self._outbox.mark_acknowledged(str(message.get("identifier", "")), dispatcher, when)
            if entry is not None:
                self._record(
                    "info", f"{entry.msg_type} {entry.action} {entry.identifier} acknowledged by {dispatcher}"
                )
                self._changed(entry)
        elif kind == "state":
            state = SchoolState(
                state=str(message.get("state", "NORMAL")).upper(),
                note=str(message.get("note") or ""),
                set_by=str(message.get("set_by") or ""),
                set_at=_parse_time(message.get("set_at")) or self._now(),
                exercise=bool(message.get("exercise", False)),
                source="district",
            )
            state = self._outbox.set_school_state(state)
            self._record(
                "warning", f"District set the school to {state.state}" + (" (drill)" if state.exercise else "")
            )
            self._listener.school_state_changed(state)

    # --- reporting ----------------------------------------------------------------------------------
    def _changed(self, entry: OutboxEntry) -> None:
        self._listener.entry_changed(entry)

    def _record(self, level: str, message: str) -> None:
        if self._events is not None:
            self._unwritten.append((level, message))
            self._write_events()

    def _write_events(self) -> None:
        """Write the event lines waiting, in order, each waiting at most ``EVENT_WAIT`` for the main file; the
        first that cannot go in stops them (they are tried again at the next line or idle look)."""
        assert self._events is not None or not self._unwritten
        while self._unwritten:
            level, message = self._unwritten[0]
            try:
                self._events.record("dispatch", level, message, wait=EVENT_WAIT)  # type: ignore[union-attr]
            except StoreError:  # busy, full, read-only: the line waits for the next chance
                return
            except Exception:  # noqa: BLE001 - the event log must never stop (or hold up) the sender
                pass
            self._unwritten.pop(0)


@dataclass
class _Retry:
    """A queued message's attempts so far: how many failed in a row, when its next turn comes (monotonic), and
    whether the last one found no console at all (then the heartbeat probes for its return)."""

    failures: int = 0
    not_before: float = 0.0
    unreachable: bool = False


@dataclass(frozen=True)
class _Beat:
    """What one heartbeat said of the link: ``state`` "up" or "down" with its ``reason``; ``hint``, the seconds
    a busy console asked for; ``confirm``, set (to what happened) when the beat timed out or lost its
    connection: to be confirmed by another before the link shows down."""

    state: str
    reason: str = ""
    hint: float | None = None
    confirm: str = ""


def _parse_time(text: object) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.now().tzinfo)
