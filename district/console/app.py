"""The console's HTTP service (Starlette): the station API, the dispatchers' API and the live screen.

Station endpoints take ``Authorization: Bearer fdst_…``; dispatcher endpoints take the session cookie set
by signing in. Missing or unknown credentials answer 401, a valid credential of the wrong kind 403. The
service's blocking database work runs in worker threads; long polls and the live screen's event stream
wait on in-process notifiers, which a watcher also wakes when another console (sharing PostgreSQL) has
changed something.

Stations come first. Their work runs in thread pools of its own (alerts; heartbeats and inbox reads), so
the web screen and sign-in (argon2, one at a time) can never take the threads an alert needs. An alert that
could not be stored and answered before its station gives up (the queue ahead of it over the rate alerts
are answered, :class:`Admission`; or past ``max_pending_alerts`` waiting) is answered at once with 503 and
a ``Retry-After`` sized to its turn (the station retries the same bytes after that many seconds, with
jitter) instead of queueing work the station will have given up on; an alert whose station hung up while
it waited is not processed.
Heartbeats are kept in memory and written in one transaction a second. Long polls end at a random point
of the last half of their wait, so renewals spread out instead of arriving together.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import hashlib
import json
import math
import random
import signal
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Future
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from district import clock
from district.console import capschema
from district.console.auth import (
    SESSION_COOKIE,
    Dispatcher,
    Forbidden,
    Station,
    StationDirectory,
    Unauthenticated,
    session_tokens,
)
from district.console.collector import CalmCollector
from district.console.forward import forward_loop
from district.console.guard import CLIENT_CLOSED, LagMonitor, SignInThrottle
from district.console.inbox_marks import InboxMarks
from district.console.origin import CrossOriginGuard, Refusals
from district.console.service import Abandoned, ConsoleService, Receipt  # Abandoned: the client hung up; a 499
from district.console.sound import alarm_wav
from district.console.views import iso
from district.errors import DistrictError, InputError, NotFoundError
from district.hub import leader as hub_leader
from district.hub import notify as hub_notify
from district.hub import retention as hub_retention
from district.hub import uploads as hub_uploads
from district.hub.context import AppContext
from district.hub.routes import routes as hub_lists_routes
from district.hub.staff import ROLE_WORDS
from district.hub.sync_routes import SyncEndpoints
from frontdesk.wire.cap import MAX_BYTES, CapError

MAX_SEQ = 2**62  # sequence numbers and ids past this are not ours: a 400, not a database overflow
MAX_ONSITE = 100_000
# An alert up to this size (a roster of a hundred people or so) is parsed and validated on the event loop
# (~0.1-0.3 ms); a bigger one on a thread, so that no single message holds everyone else's requests up.
PARSE_HERE_BYTES = 32 * 1024
CAP_TYPES = ("application/cap+xml", "application/xml", "text/xml")

COOKIE = SESSION_COOKIE
STATIC = resources.files("district.console") / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class SecurityHeaders:
    """ASGI middleware: every response carries :data:`SECURITY_HEADERS` (unless it set its own value)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Busy(Exception):
    """Too much station work is waiting: answer 503 with a Retry-After now."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after


class Admission:
    """Whether one more alert can be stored and answered before its station gives up; if not, when to return.

    A station gives up on an attempt after 2 s and sends the same bytes again: an alert admitted behind more
    work than the console answers in that time is work for nothing, and the retries keep the console
    saturated (congestion collapse). So an alert is admitted only when its expected wait (the alerts
    waiting ahead of it over the rate at which this process answers alerts) is within ``admit_wait`` s and,
    behind a queue, the event loop is less late than that. Otherwise it is answered 503 at once, its body
    not parsed (by :class:`StationFastPath`, the cheapest answer there is), with a ``Retry-After`` that
    books it a turn: each station turned away gets the next free slot after the queue and after the
    stations turned away before it, one slot every 1/(:data:`OVERBOOK` × rate) s, so they come back about
    as fast as the console answers instead of all together. The station stretches the hint by a random
    1-1.5 (jitter), so the hint is the slot's distance over 1.25 (to the nearest second), at most
    :data:`MAX_HINT`. Turns are booked at the rate measured or the first guess, whichever is faster.

    The rate is alerts answered per second *of busy time* (time with at least one alert in this process),
    not per second of the clock: how fast the console answers when it has work, which it learns from any
    traffic, not only while saturated. (Answers per clock second measure what was let in: with turns booked
    at that rate, the console answered no faster than its first guess and idled between the turns it had
    handed out; session 7's quiet 4,500-alert burst ran at about 100 alerts a second for 45 s.) Until it
    has measured, it assumes ``initial_rate``. Turns are booked :data:`OVERBOOK` times as close together
    as the rate says: the stations of a burst are booked in its first instant, with whatever rate was known
    then, and a turn booked too early costs a station one more 503 (a few hundred microseconds of the
    console, and a new turn booked at the rate measured by then) where a turn booked too late costs the
    console idle seconds. In a model of one process answering a burst of 2,250 (FIFO at a fixed rate,
    stations as the desk, first guess 250 a second), 1.5 answered all in 23.1 / 9.6 / 7.5 s at 100 / 250 /
    500 alerts a second (ideal 22.5 / 9 / 4.5; 1.0: 26.9 / 12.0 / 12.0 s) with 0-42% more 503s than 1.0;
    2 and 3 gained little more for up to 160% more 503s. (The previous rule: 45 s at every rate.)
    """

    MAX_HINT = 30  # s; what the desk honours at most (frontdesk.dispatch.client.MAX_RETRY_AFTER)
    OVERBOOK = 1.5  # turns are booked this much faster than the rate measured (see the class docstring)

    def __init__(
        self,
        admit_wait: float = 1.0,
        window: float = 3.0,
        probe: int = 8,
        initial_rate: float = 250.0,
        min_busy: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._clock = clock
        self.admit_wait = admit_wait
        self.window = window
        self.probe = probe  # this many waiting are always let in (the rate is learnt from them)
        self.min_busy = min_busy  # s of busy time a measured rate needs before it counts
        self._rate = initial_rate  # answers per busy second, as last measured
        self._first_guess = initial_rate  # turns are never booked further apart than at this rate
        self.in_flight = 0  # alerts let in and not yet answered (or given up)
        self._busy = 0.0  # busy seconds up to _mark
        self._mark = 0.0  # when _busy was last brought up to date
        self._done: collections.deque[tuple[float, float]] = collections.deque()  # (when, busy s then)
        self._booked = 0.0  # the last turn handed out to a station turned away (monotonic time)
        self.last_refused = float("-inf")
        self.refused = 0  # alerts turned away (each booked a turn)

    def _busy_at(self, now: float) -> float:
        return self._busy + (now - self._mark if self.in_flight else 0.0)

    def enter(self) -> None:
        """An alert was let in (after :meth:`check`)."""
        now = self._clock()
        self._busy, self._mark = self._busy_at(now), now
        self.in_flight += 1

    def leave(self, answered: bool) -> None:
        """An alert let in is over: ``answered`` (stored or found stored), or not (rejected, hung up)."""
        now = self._clock()
        self._busy, self._mark = self._busy_at(now), now
        self.in_flight = max(0, self.in_flight - 1)
        if answered:
            self._done.append((now, self._busy))

    def rate(self, now: float) -> float:
        """Alerts answered per busy second over the last ``window`` s (the last one measured, if too few)."""
        while self._done and self._done[0][0] < now - self.window:
            self._done.popleft()
        if len(self._done) > self.probe:
            busy = self._done[-1][1] - self._done[0][1]
            if busy >= self.min_busy:
                self._rate = (len(self._done) - 1) / busy
        return self._rate

    def check(self, waiting: int, hard_cap: int, lag: float = 0.0) -> None:
        """Raise :class:`Busy` (with the turn's Retry-After) if an alert arriving now, behind ``waiting``
        and an event loop ``lag`` s late, would not be answered within ``admit_wait`` s."""
        now = self._clock()
        rate = self.rate(now)
        # Behind a queue, a loop already admit_wait late answers nobody in time; short of that (or with no
        # queue to speak of) its lag is noise next to the queue and a loaded machine's scheduler.
        soon = waiting < self.probe or (lag < self.admit_wait and (waiting + 1) / rate <= self.admit_wait)
        if waiting < hard_cap and soon:
            return
        self.last_refused = now
        self.refused += 1
        # Turns are booked at least as close as the first guess: a rate measured while alerts came one at a
        # time says how long one alert takes (its commit's fsync included), not how many are answered when
        # many wait together and share commits; nor does one measured in a stall (a loaded machine not
        # running this process for a while). A burst's turns are all booked in its first half second, with
        # whatever was measured before: learnt from single alerts, 157-194 a second per worker, while in
        # the burst each answered 250-380 a second with no alert turned away after the first second (it
        # idled between the turns it had handed out, 2-8 s ahead: bench trace, 09:48). A turn too early
        # costs one more 503 and a turn booked at the rate measured by then.
        rate = max(rate, self._first_guess)
        turn = max(self._booked, now + lag + waiting / rate) + 1 / (rate * self.OVERBOOK)
        if turn - now > self.MAX_HINT * 1.25:
            # Further off than a hint can say: somewhere in the second half of the longest one, so those
            # turned away now do not all come back together (they are booked again when they do).
            raise Busy(random.randint(self.MAX_HINT // 2, self.MAX_HINT))
        self._booked = turn
        # The nearest whole second (the header's unit) to the turn over the jitter's mean: rounding up
        # brought every station back 0.6 s late on average.
        raise Busy(max(1, math.floor((turn - now) / 1.25 + 0.5)))

    def quiet_for(self, seconds: float) -> bool:
        """True if no alert was turned away in the last ``seconds`` (then silence means silence)."""
        return self.last_refused < self._clock() - seconds


class Notifier:
    """Wakes every waiter when something changed (version bumps); waiters may also time out."""

    def __init__(self) -> None:
        self.version = 0
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Something changed: wake everyone waiting."""
        self.version += 1
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, version: int, timeout: float) -> bool:
        """Wait until the version is past ``version`` or ``timeout`` s pass; True if it changed."""
        if self.version != version:
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        return self.version != version


class InboxWaiters:
    """Long polls waiting on a station's inbox, woken per station (or all, when we cannot tell)."""

    def __init__(self) -> None:
        self._events: dict[str, set[asyncio.Event]] = defaultdict(set)

    def register(self, station_id: str) -> asyncio.Event:
        """A new event for one long poll of ``station_id``; :meth:`unregister` it when done."""
        event = asyncio.Event()
        self._events[station_id].add(event)
        return event

    def unregister(self, station_id: str, event: asyncio.Event) -> None:
        """Forget a finished long poll."""
        events = self._events.get(station_id)
        if events is not None:
            events.discard(event)
            if not events:
                del self._events[station_id]

    def wake(self, station_ids: set[str] | None = None) -> None:
        """Wake the polls of these stations (every poll when None)."""
        for station_id, events in list(self._events.items()):
            if station_ids is None or station_id in station_ids:
                for event in events:
                    event.set()


class _Waiting:
    """An alert's bytes queued for storing, and the requests (attempts of one station) waiting for them."""

    def __init__(self, watches: list[asyncio.Future]):
        self.watches = watches  # each attempt's http.disconnect watch: done once that attempt hung up
        self.stored: asyncio.Future | None = None

    def wanted(self) -> bool:
        """True while an attempt still waits (asked on the group commit's thread: reads plain flags)."""
        return not all(watch.done() for watch in self.watches)


class RecentAlerts:
    """Receipts of the alerts this console committed lately, and the alerts queued now, by (station, digest).

    A station that gave up on an attempt sends the same bytes again; the repeat is answered from here (the
    first receipt, as the database would) or joins the queued store, instead of being read, validated and
    queued again: under a burst, repeats would otherwise be most of the work. Two consoles on one database:
    the other one's alerts are not here, and go to the database as before.
    """

    def __init__(self, size: int = 20_000):
        self.size = size
        self.stored: collections.OrderedDict[tuple[str, bytes], Any] = collections.OrderedDict()
        self.waiting: dict[tuple[str, bytes], _Waiting] = {}

    def remember(self, key: tuple[str, bytes], receipt: Any) -> None:
        self.stored[key] = receipt
        while len(self.stored) > self.size:
            self.stored.popitem(last=False)


ADMITTED = "frontdesk.admitted"  # scope key: StationFastPath let this alert in (Admission asked once)
_FAST_HEADERS = [(b"content-type", b"application/json")] + [
    (name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()
]


class StationFastPath:
    """ASGI: a heartbeat of a station the directory knows is answered here, without the web framework's
    layers (routing, request objects, middleware): at state scale heartbeats are most of the requests, and
    a burst of them (4,500 desks reconnecting at once) is answered in a fraction of the time. So is an alert
    of a known station that :class:`Admission` turns away (503 with Retry-After, its body not parsed): under a
    burst that answer must cost next to nothing. Anything else (no or unknown credential, a body that is
    not a small JSON object, an alert let in) goes to the app, which answers as for every request; the
    answers here carry the same headers and JSON."""

    MAX_BODY = 4096
    BUSY = b'{"error": "the console is busy; send the same bytes again after Retry-After seconds"}'

    def __init__(
        self,
        app: Starlette,
        directory: StationDirectory,
        beat: Callable[[Station, Any], str],
        alert_gate: Callable[[], int | None] | None = None,
        alert: Callable[..., Awaitable[tuple[int, dict[str, Any]]]] | None = None,
        unexpected: Callable[[Exception], tuple[int, str]] | None = None,
        long_poll: Callable[..., Awaitable[list[dict[str, Any]]]] | None = None,
    ):
        self.app = app
        self._directory = directory
        self._beat = beat
        self._alert_gate = alert_gate  # None, or how many seconds to come back after
        # An admitted alert of a known station: (station, content type, read, listen) -> (status, JSON body).
        self._alert = alert
        self._unexpected = unexpected  # what the app answers for an exception it did not expect
        self._long_poll = long_poll  # (station, after, wait, disconnected) -> the inbox's messages

    @property
    def state(self) -> Any:
        return self.app.state

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == "/api/v1/inbox":
            poll = self._inbox_request(scope) if self._long_poll is not None else None
            if poll is not None:
                await self._answer_poll(scope, *poll, send)
                return
        if scope["type"] == "http" and scope["method"] == "POST":
            if scope["path"] == "/api/v1/heartbeat":
                station = self._station(scope)
                if station is not None:
                    await self._heartbeat(station, receive, send)
                    return
            elif scope["path"] == "/api/v1/alerts" and self._alert_gate is not None:
                station, length, kind = self._alert_headers(scope)
                known = station is not None
                # An attempt the station already gave up on (it hung up while this request waited for the
                # event loop) is dropped here, before any work, and before Admission books it a turn: a turn
                # handed to nobody pushes every later station's turn back (a burst's 2 s timeouts booked
                # thousands). The body comes with the headers: this read does not wait. The loop reads
                # a close that came after the request one turn later (libuv stops at a partial read), so
                # with the whole body in hand this waits one turn and looks (GuardedHttp marks the scope).
                # The app reads the body from ``replay``.
                first = await receive()
                if first["type"] == "http.disconnect":
                    return
                if not first.get("more_body", False):
                    await asyncio.sleep(0)
                    if scope.get(CLIENT_CLOSED):
                        return
                retry_after = self._alert_gate() if known else None
                if retry_after is not None:
                    headers = [
                        *_FAST_HEADERS,
                        (b"retry-after", str(retry_after).encode()),
                        (b"content-length", str(len(self.BUSY)).encode()),
                    ]
                    await send({"type": "http.response.start", "status": 503, "headers": headers})
                    await send({"type": "http.response.body", "body": self.BUSY})
                    return
                if (
                    station is not None
                    and self._alert is not None
                    and kind in CAP_TYPES
                    and length <= PARSE_HERE_BYTES
                ):
                    await self._answer_alert(station, kind, first, receive, send)
                    return
                if known:
                    scope[ADMITTED] = True  # the app does not ask Admission a second time

                async def replay() -> dict:
                    nonlocal first
                    if first is not None:
                        message, first = first, None
                        return message
                    return await receive()

                await self.app(scope, replay, send)
                return
        await self.app(scope, receive, send)

    def _inbox_request(self, scope: dict) -> tuple[Station, int, float] | None:
        """A long poll of a known station whose query is plain (``after`` and ``wait`` at most once each, both
        valid): (station, after, wait). None sends the request to the app, which answers it as always (a
        401, a 400 for a bad number, a repeated parameter read as the framework reads it)."""
        (authorization,) = _first_headers(scope, b"authorization")
        station = self._lookup(authorization) if authorization else None
        if station is None:
            return None
        found: dict[str, str] = {}
        for name, value in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True):
            if name not in ("after", "wait") or name in found:
                return None
            found[name] = value
        try:
            return station, _whole(found.get("after"), "after", 0), _wait_s(found.get("wait", "0"))
        except InputError:
            return None

    async def _answer_poll(self, scope: dict, station: Station, after: int, wait: float, send: Any) -> None:
        """A known station's long poll, answered here as the app's route answers it (the same waiting, JSON
        and headers), without the web framework's layers: after a reconnect every station's poll comes back
        on a new connection within a second, beside its heartbeat, and the layers were half its cost."""

        async def disconnected() -> bool:  # the client closed its side (GuardedHttp marks the scope)
            return bool(scope.get(CLIENT_CLOSED))

        assert self._long_poll is not None
        try:
            messages = await self._long_poll(station, after, wait, disconnected)
        except DistrictError as exc:
            await self._send_json(send, _status_of(exc), {"error": exc.message})
            return
        except Exception as exc:
            status, message = self._unexpected(exc) if self._unexpected else (503, "try again")
            await self._send_json(send, status, {"error": message})
            raise  # logged by the server, as the app's errors are
        await self._send_json(send, 200, {"messages": messages})

    def _alert_headers(self, scope: dict) -> tuple[Station | None, int, str]:
        """The known station whose credential the request carries (or None), its Content-Length (the
        largest int when absent: a chunked body goes to the app) and its content type, as the app reads it."""
        authorization, length, kind = _first_headers(scope, b"authorization", b"content-length", b"content-type")
        station = self._lookup(authorization) if authorization else None
        size = int(length) if length.isdigit() else sys.maxsize
        return station, size, kind.decode("latin-1").split(";")[0].strip().lower()

    async def _answer_alert(self, station: Station, kind: str, first: dict, receive: Any, send: Any) -> None:
        """An admitted alert of a known station, of ordinary size and a CAP content type, answered here as
        the app's route answers it (the same receipt, errors, headers and JSON), without the web framework's
        layers: under a burst these alerts are the console's work, and the layers cost about a fifth of it."""

        async def read() -> bytes:
            chunks, message = [], first
            while True:
                if message["type"] == "http.disconnect":
                    raise Abandoned()
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    return b"".join(chunks)
                message = await receive()

        assert self._alert is not None
        try:
            status, answer = await self._alert(station, kind, read, receive)
        except Abandoned:
            status, answer = 499, None  # nobody is listening; never sent (as the app's route answers)
        except Exception as exc:
            status, message = self._unexpected(exc) if self._unexpected else (503, "try again")
            await self._send_json(send, status, {"error": message})
            raise  # logged by the server, as the app's errors are
        await self._send_json(send, status, answer)

    async def _send_json(self, send: Any, status: int, answer: dict[str, Any] | None) -> None:
        # Rendered as Starlette's JSONResponse renders it.
        data = b"" if answer is None else json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
        headers = [*_FAST_HEADERS, (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    def _lookup(self, authorization: bytes) -> Station | None:
        """The known station whose credential the ``Authorization`` header carries, or None."""
        scheme, _, credential = authorization.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            return None
        try:
            return self._directory.check(credential)
        except Unauthenticated:
            return None  # the app answers 401, as for every request

    def _station(self, scope: dict) -> Station | None:
        authorization, length, kind = _first_headers(scope, b"authorization", b"content-length", b"content-type")
        if (
            not length.isdigit()
            or int(length) > self.MAX_BODY
            or kind.split(b";")[0].strip() != b"application/json"
        ):
            return None
        return self._lookup(authorization)

    async def _heartbeat(self, station: Station, receive: Any, send: Any) -> None:
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        status = 200
        try:
            body = json.loads(b"".join(chunks))
            if not isinstance(body, dict):
                raise InputError("the body must be a JSON object")
            answer = {"server_time": self._beat(station, body.get("onsite", 0))}
        except (ValueError, UnicodeDecodeError):
            status, answer = 400, {"error": "the body is not valid JSON"}
        except RecursionError:  # final, as on every other path: the station stops retrying
            status, answer = 400, {"error": "the request is too deeply nested or a number is out of range"}
        except InputError as exc:
            status, answer = 400, {"error": exc.message}
        await self._send_json(send, status, answer)


def _unexpected(exc: Exception) -> tuple[int, str]:
    """The status and message that answer an exception no endpoint expected."""
    if isinstance(exc, RecursionError | OverflowError):
        # Input no retry will ever make acceptable (absurdly deep or large): final, so the station stops.
        return 400, "the request is too deeply nested or a number is out of range"
    # A database that went away, a bug: the station must retry (5xx), and gets JSON like every answer.
    return 503, "the console could not handle this just now; try again"


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _whole(text: str | None, name: str, default: int, low: int = 0, high: int = MAX_SEQ) -> int:
    """A whole-number query parameter within bounds (InputError, a 400, otherwise)."""
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise InputError(f"{name} must be between {low} and {high}")
    return value


def _first_headers(scope: dict, *names: bytes) -> list[bytes]:
    """The first value of each of ``names`` (lower-case) among an ASGI request's headers, b"" when absent: the
    one the app reads (Starlette's ``headers.get``), so the fast paths and the routes agree on a repeated one."""
    found = dict.fromkeys(names, b"")
    for name, value in scope["headers"]:
        if name in found and not found[name]:
            found[name] = value
    return [found[name] for name in names]


def _wait_s(text: str) -> float:
    """The long poll's ``wait`` parameter: seconds, finite and not negative (InputError, a 400, otherwise)."""
    try:
        wait = float(text)
    except ValueError:
        raise InputError("wait must be a number of seconds") from None
    if not math.isfinite(wait) or wait < 0:
        raise InputError("wait must be a number of seconds from 0 to 25")
    return wait


def _source(request: Request) -> str:
    return request.client.host if request.client else ""


def _status_of(exc: DistrictError | CapError) -> int:
    return exc.http_status if isinstance(exc, DistrictError) else 400  # a CAP that is not valid: 400


def _sessions(request: Request) -> list[str]:
    """Every session cookie the request carries (a page of another host of the domain may have planted more)."""
    return session_tokens(request.headers.getlist("cookie"))


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def create_app(
    service: ConsoleService,
    *,
    secure_cookies: bool = False,
    watch_interval: float = 0.5,
    supervise_interval: float = 5.0,
    forward_interval: float = 1.0,
    alert_threads: int = 8,
    station_threads: int = 8,
    screen_threads: int = 4,
    max_pending_alerts: int = 400,
    admit_wait: float = 1.0,
    beat_flush_interval: float = 1.0,
    sign_in_flush_interval: float = 10.0,
    sign_in_throttle: SignInThrottle | None = None,
    sync_workers: int = 0,
    shared: Path | None = None,
    workers: int = 1,
    calm_gc: bool = False,
) -> StationFastPath:
    """The ASGI app over ``service`` (background tasks start with the app's lifespan).

    ``calm_gc``: this process is a console of its own (``serve``, or one of its workers): Python's full
    garbage collections run only when the console is calm (:class:`~district.console.collector.CalmCollector`),
    not in the middle of a reconnect or a burst. Off for a console on a thread of another program (tests).

    ``sync_workers``: the hub's sync runs in that many processes of its own per worker, at a lower OS
    priority (0: on threads of this process). ``shared``/``workers``: the folder of the shared memory of
    ``serve --workers N`` and N (the sync admission limit is counted over the workers there).
    """
    changes = Notifier()
    waiters = InboxWaiters()
    wav = alarm_wav()
    closing = False
    throttle = sign_in_throttle or SignInThrottle()
    refusals = Refusals()  # cross-origin requests refused, written to the log with the failed sign-ins
    lag = LagMonitor(window=service.offline_after + 10)  # over the whole time a station may be silent
    pools: dict[str, anyio.CapacityLimiter] = {}
    pool_sizes = {
        "alerts": alert_threads,
        "stations": station_threads,
        "screen": screen_threads,
        "argon2": 1,
        "threads": alert_threads + station_threads + 8,  # threads for work whose pool token is already held
    }
    pending = {"alerts": 0}
    admission = Admission(admit_wait)
    recent = RecentAlerts()
    beats: dict[str, tuple[Any, int]] = {}  # station_id -> (when, onsite), written by flush_beats
    # Who may send, in memory (loaded at start, kept current from the log by watch()): a heartbeat or a long
    # poll of a known station costs a SHA-256 and a dict lookup here, no database read and no thread.
    directory = StationDirectory()
    # The newest inbox seq of each station, as far as this console has read: a long poll with nothing newer
    # waits without reading the database at all.
    inbox_marks = InboxMarks(lambda after: blocking(service.inbox_marks_after, after))

    def begin_shutdown() -> None:
        """Answer open long polls and end event streams now, so shutting down does not wait on them."""
        nonlocal closing
        closing = True
        waiters.wake()
        changes.notify()

    def pool(name: str) -> anyio.CapacityLimiter:
        if name not in pools:  # made on the event loop that serves (anyio wants one)
            pools[name] = anyio.CapacityLimiter(pool_sizes[name])
        return pools[name]

    async def blocking(fn: Callable[..., Any], *args: Any, pool_name: str = "screen", **kw: Any) -> Any:
        return await anyio.to_thread.run_sync(lambda: fn(*args, **kw), limiter=pool(pool_name))

    async def station_of(
        request: Request, work: Callable[[Station], Any] | None = None, pool_name: str = "stations"
    ) -> tuple[Station, Any]:
        """The calling station (401/403 otherwise) and the result of ``work(station)``, in one worker hop.

        A request whose client hung up while it waited for a thread is dropped (:class:`Abandoned`).
        """
        credential = _bearer(request)
        if credential is None:
            if sessions := _sessions(request):
                await blocking(service.auth.dispatcher, sessions)
                raise Forbidden("this endpoint is for stations, not dispatchers")
            raise Unauthenticated("a station credential is required (Authorization: Bearer fdst_…)")

        cached = directory.check(credential)  # Unauthenticated for a malformed one or a wrong secret
        if cached is not None and work is None:
            return cached, None

        def run() -> tuple[Station, Any]:
            station = cached or service.auth.station(credential)
            return station, (work(station) if work is not None else None)

        cursor = directory.cursor  # a revocation applied while we read the database: do not keep this one
        limiter = pool(pool_name)
        async with limiter:
            if await request.is_disconnected():
                raise Abandoned()
            station, result = await anyio.to_thread.run_sync(run, limiter=pool("threads"))
        if cached is None and directory.loaded and directory.cursor == cursor:
            directory.add(StationDirectory.secret_hash(credential), station)
        return station, result

    async def dispatcher_of(request: Request) -> Dispatcher:
        sessions = _sessions(request)
        if not sessions:
            credential = _bearer(request)
            if credential:
                await blocking(service.auth.station, credential)
                raise Forbidden("this endpoint is for dispatchers, not stations")
            raise Unauthenticated("sign in first")
        who = await blocking(service.auth.dispatcher, sessions)
        if who.district_role is not None:
            # District staff sign in with the same sessions, for the hub's views. Before session 24 they could
            # also acknowledge a school's panic alert here (the desk showing it acknowledged, no dispatcher
            # having seen it) and push a state to every school.
            raise Forbidden(
                f"{who.username} is district staff ({ROLE_WORDS.get(who.district_role, who.district_role)}), "
                "not a dispatcher. Sign in here as a dispatcher; district staff use the district pages "
                "(/district/) in another browser (one browser keeps one sign-in for both)"
            )
        return who

    def endpoint(fn: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            try:
                return await fn(request)
            except (DistrictError, CapError) as exc:
                return _error(_status_of(exc), exc.message)
            except Busy as exc:
                return _error(
                    503,
                    "the console is busy; send the same bytes again after Retry-After seconds",
                    {"Retry-After": str(exc.retry_after)},
                )
            except (Abandoned, ClientDisconnect):
                # Nobody is listening; never sent. A client gone in the middle of its body is not an error of
                # ours: logged as one, a traceback each, anyone could fill the console's log with them.
                return Response(status_code=499)

        return wrapped

    def parse_json(request: Request, raw: bytes) -> dict[str, Any]:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise InputError("the body must be JSON (Content-Type: application/json)")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise InputError("the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise InputError("the body must be a JSON object")
        return body

    async def json_body(request: Request) -> dict[str, Any]:
        return parse_json(request, await request.body())

    # --- station API -------------------------------------------------------------------------------------
    @endpoint
    async def get_station(request: Request) -> Response:
        station, _ = await station_of(request)
        return JSONResponse(
            {
                "station_id": station.station_id,
                "school": station.school,
                "station": station.name,
                "room": station.room,
            }
        )

    async def store(
        request: Request | None,
        station: Station | None,
        key: tuple[str, bytes] | None,
        xml: bytes,
        kind: str,
        watch,
    ) -> Any:
        """Read, check and queue one alert for the group commit; its receipt once committed."""
        waiting = _Waiting([watch])

        def receive(station: Station) -> Future:
            # Checked after the credential, so a wrong credential is always a 401.
            if kind not in CAP_TYPES:
                raise InputError("the body must be CAP XML (Content-Type: application/cap+xml)")
            return service.receive_later(station, xml, wanted=waiting.wanted)

        if station is not None and len(xml) <= PARSE_HERE_BYTES:
            # A known station's alert of ordinary size is read and checked right here (~0.1 ms: a thread hop
            # would cost more); a bigger one, or a station not in the directory, on a thread.
            stored = receive(station)
        else:
            assert request is not None, "StationFastPath passes only a known station's alert of ordinary size"
            _, stored = await station_of(request, receive, "alerts")
        # Stored in the next group commit; no thread waits for it. Shielded: a request cancelled while it
        # waits leaves the commit to finish, not a half-resolved future.
        waiting.stored = asyncio.wrap_future(stored)
        if key is None:
            return await asyncio.shield(waiting.stored)
        recent.waiting[key] = waiting
        try:
            receipt = await asyncio.shield(waiting.stored)
        finally:
            if recent.waiting.get(key) is waiting:
                del recent.waiting[key]
        recent.remember(key, dataclasses.replace(receipt, duplicate=True))
        return receipt

    async def take_alert(
        station: Station | None,
        kind: str,
        read: Callable[[], Awaitable[bytes]],
        listen: Callable[[], Awaitable[Any]],
        request: Request | None = None,
    ) -> Receipt:
        """The receipt of one alert let in by :class:`Admission` (committed, or found committed): its body is
        ``read()``, then ``listen()`` gives the request's next message (http.disconnect once the station
        hangs up). ``station`` is the directory's (None: not there, checked on a thread through ``request``).
        Shared by the app's route and :class:`StationFastPath`.

        The alert counts as waiting (for :class:`Admission`'s "behind how many") only once its body is in
        hand: a body still coming is no work of the console's yet, and counted earlier, a few hundred bodies
        started and never finished (from anyone: a made-up credential is looked up only with the body) made
        every station's alert 503 "busy" for as long as they were kept up."""
        try:
            xml = await read()
        except ClientDisconnect:  # gone before its body came: nothing to store, and nobody to answer
            raise Abandoned() from None
        pending["alerts"] += 1
        admission.enter()
        answered = False
        watch: asyncio.Future | None = None
        try:
            # The next message after the body is http.disconnect once the station hangs up (its 2 s attempt
            # is over: it sends the same bytes again); its alert, still queued, is then not stored for nothing.
            watch = asyncio.ensure_future(listen())
            if station is not None and kind not in CAP_TYPES:  # after the credential: a wrong one is a 401
                raise InputError("the body must be CAP XML (Content-Type: application/cap+xml)")
            key = (station.station_id, hashlib.sha256(xml).digest()) if station is not None else None
            receipt = recent.stored.get(key) if key is not None else None  # the same bytes, committed
            joined = recent.waiting.get(key) if key is not None and receipt is None else None
            if joined is not None:
                # The same bytes again while the first attempt's are still queued (the station gave up on that
                # one): wait for that store instead of reading and queueing the alert twice.
                joined.watches.append(watch)
                with contextlib.suppress(Abandoned):  # skipped just before we joined: store it ourselves
                    receipt = await asyncio.shield(joined.stored)
            if receipt is None:
                receipt = await store(request, station, key, xml, kind, watch)
            answered = True
        finally:
            pending["alerts"] -= 1
            admission.leave(answered)
            if watch is not None:
                watch.cancel()
        if not receipt.duplicate:
            changes.notify()
        return receipt

    def receipt_answer(receipt: Receipt) -> tuple[int, dict[str, Any]]:
        """The status and JSON body that answer an alert with ``receipt``."""
        body = {
            "identifier": receipt.identifier,
            "received_at": iso(receipt.received_at),
            "duplicate": receipt.duplicate,
        }
        return (200 if receipt.duplicate else 201), body

    async def fast_alert(station: Station, kind: str, read, listen) -> tuple[int, dict[str, Any]]:
        """:class:`StationFastPath`'s answer to an admitted alert of a known station: as the route's."""
        try:
            return receipt_answer(await take_alert(station, kind, read, listen))
        except (DistrictError, CapError) as exc:
            return _status_of(exc), {"error": exc.message}

    @endpoint
    async def post_alert(request: Request) -> Response:
        if _bearer(request) is None:
            await station_of(request)  # raises 401 or 403
        if not request.scope.get(ADMITTED):  # not let in by StationFastPath already
            admission.check(pending["alerts"], max_pending_alerts, lag.current)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        station = directory.check(_bearer(request) or "")
        receipt = await take_alert(station, kind, request.body, request.receive, request)
        status, body = receipt_answer(receipt)
        return JSONResponse(body, status_code=status)

    @endpoint
    async def post_heartbeat(request: Request) -> Response:
        if _bearer(request) is None:
            await station_of(request)  # raises 401 or 403
        raw = await request.body()
        station, _ = await station_of(request)  # first, so a wrong credential is always a 401
        return JSONResponse({"server_time": record_beat(station, parse_json(request, raw).get("onsite", 0))})

    def record_beat(station: Station, onsite: Any) -> str:
        """Note a heartbeat (InputError for a bad ``onsite``); the server time to answer with."""
        if not isinstance(onsite, int) or isinstance(onsite, bool) or not 0 <= onsite <= MAX_ONSITE:
            raise InputError(f"onsite must be a whole number from 0 to {MAX_ONSITE}")
        now = clock.now()
        # Kept in memory and written with the others once a second (flush_beats): one transaction for
        # many stations instead of one synced commit per beat.
        beats[station.station_id] = (now, onsite)
        return iso(now)  # type: ignore[return-value]

    @endpoint
    async def get_inbox(request: Request) -> Response:
        station, _ = await station_of(request)
        after = _whole(request.query_params.get("after"), "after", 0)
        wait = _wait_s(request.query_params.get("wait", "0"))
        return JSONResponse({"messages": await long_poll(station, after, wait, request.is_disconnected)})

    async def long_poll(
        station: Station, after: int, wait: float, disconnected: Callable[[], Awaitable[bool]]
    ) -> list[dict[str, Any]]:
        """A station's messages after ``after``, waiting up to ``wait`` s for one (the inbox's long poll; the
        route's and :class:`StationFastPath`'s)."""
        # Answer somewhere in the last half of the wait: polls that started together renew apart.
        wait = min(25.0, wait) * random.uniform(0.5, 1.0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        event = waiters.register(station.station_id)
        try:
            while True:
                event.clear()  # cleared before reading, so a message stored meanwhile still wakes us
                if closing:
                    return []
                if inbox_marks.nothing_after(station.station_id, after):
                    messages = []  # nothing newer than `after` for this station: no need to ask the database
                else:
                    messages = await blocking(service.inbox, station, after, pool_name="stations")
                left = deadline - loop.time()
                if messages or left <= 0 or closing or await disconnected():
                    return messages
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), left)
        finally:
            waiters.unregister(station.station_id, event)

    # --- dispatcher API ------------------------------------------------------------------------------------
    async def index(request: Request) -> Response:
        return FileResponse(str(STATIC / "console.html"), headers=SECURITY_HEADERS)

    async def alarm(request: Request) -> Response:
        return Response(wav, media_type="audio/wav", headers={"Cache-Control": "max-age=3600"})

    @endpoint
    async def post_session(request: Request) -> Response:
        source = _source(request)
        wait = throttle.wait_for(source)
        if wait > 0:
            service.auth.throttled(source)
            return _error(
                429,
                "too many failed sign-ins from this address; wait and try again",
                {"Retry-After": str(math.ceil(wait))},
            )
        # Counted as failed at once, before any await (a success starts over): tries of one address that
        # arrive together count against each other. Counted after the check, a burst of 100 at once from one
        # address was checked whole (no 429), and a dispatcher signing in from another address waited 8.3 s.
        throttle.failed(source)
        body = await json_body(request)
        token = await blocking(
            service.auth.sign_in,
            str(body.get("username", ""))[:200],
            str(body.get("password", ""))[:1024],
            source,
            pool_name="argon2",
        )
        throttle.succeeded(source)
        response = JSONResponse({"username": str(body.get("username", "")).strip()})
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies, path="/")
        return response

    @endpoint
    async def delete_session(request: Request) -> Response:
        for token in _sessions(request):  # each one the browser sent (see auth.session_tokens)
            await blocking(service.auth.sign_out, token)
        response = JSONResponse({})
        response.delete_cookie(COOKIE, path="/")
        return response

    @endpoint
    async def get_me(request: Request) -> Response:
        who = await dispatcher_of(request)
        return JSONResponse({"username": who.username, "console": service.name})

    @endpoint
    async def get_board(request: Request) -> Response:
        await dispatcher_of(request)
        return JSONResponse(await blocking(service.board))

    @endpoint
    async def get_history(request: Request) -> Response:
        await dispatcher_of(request)
        limit = _whole(request.query_params.get("limit"), "limit", 200, 1, 1000)
        before = request.query_params.get("before")
        before_seq = _whole(before, "before", 0) if before else None
        return JSONResponse({"entries": await blocking(service.history, limit, before_seq)})

    @endpoint
    async def post_ack_incident(request: Request) -> Response:
        who = await dispatcher_of(request)
        await json_body(request)
        incident_id = int(request.path_params["incident_id"])
        if not 0 < incident_id <= MAX_SEQ:
            raise NotFoundError(f"No incident {incident_id}")
        done = await blocking(service.ack, who.username, incident_id=incident_id)
        changes.notify()
        await inbox_changed()
        return JSONResponse({"acknowledged": done, "dispatcher": who.username})

    @endpoint
    async def post_ack_alert(request: Request) -> Response:
        who = await dispatcher_of(request)
        await json_body(request)
        done = await blocking(service.ack, who.username, identifier=request.path_params["identifier"])
        changes.notify()
        await inbox_changed()
        return JSONResponse({"acknowledged": done, "dispatcher": who.username})

    @endpoint
    async def get_alert_cap(request: Request) -> Response:
        await dispatcher_of(request)
        identifier = request.path_params["identifier"]
        xml = await blocking(service.alert_xml, identifier)
        # Raw bytes a station wrote: downloaded, never rendered by the browser.
        safe = "".join(c for c in identifier if c.isalnum() or c in "-_.")[:100] or "alert"
        return Response(
            xml,
            media_type="application/cap+xml",
            headers={"Content-Disposition": f'attachment; filename="{safe}.xml"'},
        )

    @endpoint
    async def post_state(request: Request) -> Response:
        who = await dispatcher_of(request)
        body = await json_body(request)
        schools = body.get("schools")
        if not isinstance(schools, list) or not all(isinstance(s, str) for s in schools):
            raise InputError("schools must be a list of school names")
        count = await blocking(
            service.push_state,
            who.username,
            schools,
            str(body.get("state", "")),
            str(body.get("note", "")),
            bool(body.get("exercise", False)),
        )
        changes.notify()
        await inbox_changed()
        return JSONResponse({"stations": count})

    @endpoint
    async def live(request: Request) -> Response:
        await dispatcher_of(request)

        async def stream() -> AsyncIterator[str]:
            sent = -1
            while not closing and not await request.is_disconnected():
                version = changes.version
                if version != sent:
                    sent = version
                    yield f"event: change\ndata: {json.dumps({'version': version})}\n\n"
                    await asyncio.sleep(0.15)  # coalesce a burst of alerts into one refresh
                    continue
                if not await changes.wait(version, 15):
                    try:  # a session signed out or expired meanwhile ends the stream (the page signs in)
                        await dispatcher_of(request)
                    except DistrictError:
                        return
                    yield ": keep-alive\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    # --- background work -----------------------------------------------------------------------------------
    async def inbox_changed() -> None:
        """Read which stations have new inbox messages, note their newest seq, wake their long polls."""
        stations = await inbox_marks.catch_up()
        waiters.wake(stations)  # None (the read failed): cannot tell whose, every poll reads the database once

    async def load_inbox_marks() -> None:
        """Every station's newest inbox seq, once at start (until then, polls read the database)."""
        while await inbox_marks.catch_up() is None:
            await asyncio.sleep(watch_interval)

    async def watch() -> None:
        """Notice changes made by another console sharing the database (and wake screens and polls)."""
        while not directory.loaded:  # the database may be away when the console starts
            try:
                directory.load(*await blocking(service.auth.station_directory))
            except Exception:
                await asyncio.sleep(watch_interval)
        # What was logged up to the directory's own read, not a later look at the log: an enrolment or a
        # revocation committed between the two would otherwise be applied only once the log next changed.
        # The inbox needs no such note: the marks' cursor is how far it was read (InboxMarks).
        log_seq = directory.cursor
        while True:
            await asyncio.sleep(watch_interval)
            try:
                if not directory.loaded:
                    directory.load(*await blocking(service.auth.station_directory))
                new_log, new_inbox = await blocking(service.marks)
                if new_log != log_seq:
                    log_seq = new_log
                    await follow_stations()
                    changes.notify()
                if inbox_marks.behind(new_inbox):
                    await inbox_changed()
            except Exception:  # a database hiccup must not stop supervision; try again next round
                await asyncio.sleep(watch_interval)

    async def follow_stations() -> None:
        """Apply enrolments and revocations logged since the directory's cursor (by any console or CLI)."""
        cursor, enrolled, revoked = await blocking(service.auth.station_changes_after, directory.cursor)
        added = await blocking(service.auth.stations_by_id, enrolled) if enrolled else {}
        directory.apply(cursor, added, revoked)

    async def flush_beats() -> None:
        """Write the heartbeats received since the last flush, in one transaction."""
        while True:
            await asyncio.sleep(beat_flush_interval)
            if not beats:
                continue
            batch = dict(beats)
            beats.clear()
            try:
                back = await blocking(service.record_beats, batch, pool_name="stations")
            except Exception:  # the database is away: keep the newest of each for the next round
                for station_id, beat in batch.items():
                    beats.setdefault(station_id, beat)
                continue
            if back:
                changes.notify()  # they were OFFLINE: the screens show them back

    async def flush_sign_ins() -> None:
        while True:
            await asyncio.sleep(sign_in_flush_interval)
            with contextlib.suppress(Exception):
                if await blocking(service.auth.flush_failed_sign_ins):
                    changes.notify()
            with contextlib.suppress(Exception):
                if await blocking(refusals.flush, service.db):
                    changes.notify()

    async def supervise() -> None:
        while True:
            await asyncio.sleep(supervise_interval)
            # A console too busy to keep time (its loop late by more than a second) cannot tell a silent
            # station from one whose beat waits in its own queue: it declares nobody offline until it can.
            judge = lag.recent < 1.0 and not beats and admission.quiet_for(service.offline_after)
            with contextlib.suppress(Exception):
                if await blocking(service.supervise, judge, pool_name="stations"):
                    changes.notify()

    def hook_shutdown_signals() -> None:
        """Answer open long polls the moment SIGTERM or SIGINT arrives, then let uvicorn's handler run.

        uvicorn waits for open requests before stopping; long polls would hold it for their whole wait.
        (Only where signals can be handled: the main thread of a console or of one of its workers.)
        """
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)

            def handler(signum, frame, previous=previous) -> None:
                loop.call_soon_threadsafe(begin_shutdown)  # a signal handler must not touch the loop itself
                if callable(previous):
                    previous(signum, frame)

            with contextlib.suppress(ValueError):  # not the main thread (tests, the demo): nothing to do
                signal.signal(sig, handler)

    def calm() -> bool:
        """No alert waiting or turned away lately, and the loop on time: a full collection may hold it now."""
        return pending["alerts"] == 0 and lag.worst_in(2.0) < 0.05 and admission.quiet_for(10.0)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        hook_shutdown_signals()
        capschema.load()  # compiled here before the port answers (it fails loudly if it cannot be)
        with contextlib.suppress(OSError):  # a clean-up: never a reason not to start
            hub_uploads.sweep_abandoned()  # list files of imports whose hub process was killed mid-import
        collector = CalmCollector(calm) if calm_gc else None
        if collector is not None:
            collector.start()  # before the port answers: what start-up made is frozen, not scanned again
        tasks = [
            asyncio.create_task(watch()),
            asyncio.create_task(supervise()),
            asyncio.create_task(flush_beats()),
            asyncio.create_task(flush_sign_ins()),
            asyncio.create_task(lag.run()),
            asyncio.create_task(load_inbox_marks()),
        ]
        if collector is not None:
            tasks.append(asyncio.create_task(collector.run()))
        await sync.start()  # the sync processes, if any (before the port answers)

        def hub_jobs() -> list[asyncio.Task]:
            # desk-offline notices (issue 20), when configured; the district's retention, daily (issue 16)
            return [*hub_notify.background(service), *hub_retention.background(service)]

        # One process of the hub (of every hub on this database) runs them: the one holding the jobs lock.
        tasks.append(asyncio.create_task(hub_leader.run(service.db, hub_jobs)))
        if service.forward_url:
            tasks.append(asyncio.create_task(forward_loop(service, blocking, changes.notify, forward_interval)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if collector is not None:
                collector.stop()
            # What is still in memory goes to the database before the console stops.
            with contextlib.suppress(Exception):
                if beats:
                    await blocking(service.record_beats, dict(beats), pool_name="stations")
            with contextlib.suppress(Exception):
                await blocking(service.auth.flush_failed_sign_ins)
            with contextlib.suppress(Exception):
                await blocking(refusals.flush, service.db)
            sync.stop()

    sync = SyncEndpoints(
        AppContext(service, station_of, dispatcher_of, endpoint, parse_json),
        processes=sync_workers,
        shared=shared,
        workers=workers,
    )
    routes = [
        Route("/", index),
        Route("/alarm.wav", alarm),
        Route("/api/v1/station", get_station, methods=["GET"]),
        Route("/api/v1/alerts", post_alert, methods=["POST"]),
        Route("/api/v1/heartbeat", post_heartbeat, methods=["POST"]),
        Route("/api/v1/inbox", get_inbox, methods=["GET"]),
        Route("/api/v1/session", post_session, methods=["POST"]),
        Route("/api/v1/session", delete_session, methods=["DELETE"]),
        Route("/api/v1/me", get_me, methods=["GET"]),
        Route("/api/v1/board", get_board, methods=["GET"]),
        Route("/api/v1/history", get_history, methods=["GET"]),
        Route("/api/v1/live", live, methods=["GET"]),
        Route("/api/v1/incidents/{incident_id:int}/ack", post_ack_incident, methods=["POST"]),
        Route("/api/v1/alerts/{identifier}/ack", post_ack_alert, methods=["POST"]),
        Route("/api/v1/alerts/{identifier}/cap", get_alert_cap, methods=["GET"]),
        Route("/api/v1/states", post_state, methods=["POST"]),
        *sync.routes(),
        *hub_lists_routes(AppContext(service, station_of, dispatcher_of, endpoint, parse_json)),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]

    async def unexpected(request: Request, exc: Exception) -> Response:
        return _error(*_unexpected(exc))

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        max_body_size=MAX_BYTES + 4096,
        # Outermost first: a cross-origin refusal carries the security headers too.
        middleware=[Middleware(SecurityHeaders), Middleware(CrossOriginGuard, refusals=refusals)],
        exception_handlers={Exception: unexpected},
    )
    app.state.begin_shutdown = begin_shutdown
    app.state.lag = lag
    app.state.pending = pending
    app.state.admission = admission

    def alert_gate() -> int | None:
        try:
            admission.check(pending["alerts"], max_pending_alerts, lag.current)
        except Busy as exc:
            return exc.retry_after
        return None

    return StationFastPath(app, directory, record_beat, alert_gate, fast_alert, _unexpected, long_poll)
