"""The console's HTTP service (Starlette): the station API, the dispatchers' API and the live screen.

Station endpoints take ``Authorization: Bearer fdst_…``; dispatcher endpoints take the session cookie set
by signing in. Missing or unknown credentials answer 401, a valid credential of the wrong kind 403. The
service's blocking database work runs in worker threads; long polls and the live screen's event stream
wait on in-process notifiers, which a watcher also wakes when another console (sharing PostgreSQL) has
changed something.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from district.console.auth import Dispatcher, Forbidden, Station, Unauthenticated
from district.console.forward import forward_loop
from district.console.service import ConsoleService
from district.console.sound import alarm_wav
from district.console.views import iso
from district.errors import ConflictError, DistrictError, InputError, NotFoundError, StoreError
from frontdesk.wire.cap import MAX_BYTES, CapError, load_schema

COOKIE = "fd_session"
STATIC = resources.files("district.console") / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


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


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=SECURITY_HEADERS)


def _status_of(exc: DistrictError | CapError) -> int:
    if isinstance(exc, Unauthenticated):
        return 401
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, StoreError):
        return 503
    return 400


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
) -> Starlette:
    """The ASGI app over ``service`` (background tasks start with the app's lifespan)."""
    changes = Notifier()
    waiters = InboxWaiters()
    wav = alarm_wav()
    closing = False

    def begin_shutdown() -> None:
        """Answer open long polls and end event streams now, so shutting down does not wait on them."""
        nonlocal closing
        closing = True
        waiters.wake()
        changes.notify()

    async def blocking(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        return await run_in_threadpool(fn, *args, **kw)

    async def station_of(request: Request, work: Callable[[Station], Any] | None = None) -> tuple[Station, Any]:
        """The calling station (401/403 otherwise) and the result of ``work(station)``, in one worker hop."""
        credential = _bearer(request)
        if credential is None:
            if request.cookies.get(COOKIE):
                await blocking(service.auth.dispatcher, request.cookies.get(COOKIE))
                raise Forbidden("this endpoint is for stations, not dispatchers")
            raise Unauthenticated("a station credential is required (Authorization: Bearer fdst_…)")

        def run() -> tuple[Station, Any]:
            station = service.auth.station(credential)
            return station, (work(station) if work is not None else None)

        return await blocking(run)

    async def dispatcher_of(request: Request) -> Dispatcher:
        token = request.cookies.get(COOKIE)
        if not token:
            credential = _bearer(request)
            if credential:
                await blocking(service.auth.station, credential)
                raise Forbidden("this endpoint is for dispatchers, not stations")
            raise Unauthenticated("sign in first")
        return await blocking(service.auth.dispatcher, token)

    def endpoint(fn: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            try:
                return await fn(request)
            except (DistrictError, CapError) as exc:
                return _error(_status_of(exc), exc.message)

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

    @endpoint
    async def post_alert(request: Request) -> Response:
        if _bearer(request) is None:
            await station_of(request)  # raises 401 or 403
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        xml = await request.body()

        def receive(station: Station) -> Any:
            # Checked after the credential, so a wrong credential is always a 401.
            if kind not in ("application/cap+xml", "application/xml", "text/xml"):
                raise InputError("the body must be CAP XML (Content-Type: application/cap+xml)")
            return service.receive(station, xml)

        _, receipt = await station_of(request, receive)
        if not receipt.duplicate:
            changes.notify()
        body = {
            "identifier": receipt.identifier,
            "received_at": iso(receipt.received_at),
            "duplicate": receipt.duplicate,
        }
        return JSONResponse(body, status_code=200 if receipt.duplicate else 201)

    @endpoint
    async def post_heartbeat(request: Request) -> Response:
        if _bearer(request) is None:
            await station_of(request)  # raises 401 or 403
        raw = await request.body()

        def heartbeat(station: Station) -> Any:
            onsite = parse_json(request, raw).get("onsite", 0)
            if not isinstance(onsite, int) or isinstance(onsite, bool) or onsite < 0:
                raise InputError("onsite must be a whole number, 0 or more")
            return service.heartbeat(station, onsite)

        station, now = await station_of(request, heartbeat)
        if not station.online:
            changes.notify()  # it was OFFLINE: the screens show it back
        return JSONResponse({"server_time": iso(now)})

    @endpoint
    async def get_inbox(request: Request) -> Response:
        station, _ = await station_of(request)
        try:
            after = int(request.query_params.get("after", "0"))
            wait = float(request.query_params.get("wait", "0"))
        except ValueError:
            raise InputError("after must be a whole number and wait a number of seconds") from None
        wait = max(0.0, min(25.0, wait))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        event = waiters.register(station.station_id)
        try:
            while True:
                event.clear()  # cleared before reading, so a message stored meanwhile still wakes us
                messages = await blocking(service.inbox, station, after)
                left = deadline - loop.time()
                if messages or left <= 0 or closing or await request.is_disconnected():
                    return JSONResponse({"messages": messages})
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
        body = await json_body(request)
        token = await blocking(service.auth.sign_in, str(body.get("username", "")), str(body.get("password", "")))
        response = JSONResponse({"username": str(body.get("username", "")).strip()})
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies, path="/")
        return response

    @endpoint
    async def delete_session(request: Request) -> Response:
        token = request.cookies.get(COOKIE)
        if token:
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
        return JSONResponse(await blocking(service.board), headers=SECURITY_HEADERS)

    @endpoint
    async def get_history(request: Request) -> Response:
        await dispatcher_of(request)
        try:
            limit = int(request.query_params.get("limit", "200"))
            before = request.query_params.get("before")
            before_seq = int(before) if before else None
        except ValueError:
            raise InputError("limit and before must be whole numbers") from None
        return JSONResponse({"entries": await blocking(service.history, limit, before_seq)})

    @endpoint
    async def post_ack_incident(request: Request) -> Response:
        who = await dispatcher_of(request)
        await json_body(request)
        done = await blocking(service.ack, who.username, incident_id=int(request.path_params["incident_id"]))
        changes.notify()
        waiters.wake()
        return JSONResponse({"acknowledged": done, "dispatcher": who.username})

    @endpoint
    async def post_ack_alert(request: Request) -> Response:
        who = await dispatcher_of(request)
        await json_body(request)
        done = await blocking(service.ack, who.username, identifier=request.path_params["identifier"])
        changes.notify()
        waiters.wake()
        return JSONResponse({"acknowledged": done, "dispatcher": who.username})

    @endpoint
    async def get_alert_cap(request: Request) -> Response:
        await dispatcher_of(request)
        xml = await blocking(service.alert_xml, request.path_params["identifier"])
        return Response(xml, media_type="application/cap+xml")

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
        waiters.wake()
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
    async def watch() -> None:
        """Notice changes made by another console sharing the database (and wake screens and polls)."""
        marks: tuple[int, int] | None = None
        while marks is None:  # the database may be away when the console starts
            try:
                marks = await blocking(service.marks)
            except Exception:
                await asyncio.sleep(watch_interval)
        log_seq, inbox_seq = marks
        while True:
            await asyncio.sleep(watch_interval)
            try:
                new_log, new_inbox = await blocking(service.marks)
                if new_log != log_seq:
                    log_seq = new_log
                    changes.notify()
                if new_inbox != inbox_seq:
                    inbox_seq, stations = await blocking(service.inbox_stations_after, inbox_seq)
                    waiters.wake(stations)
            except Exception:  # a database hiccup must not stop supervision; try again next round
                await asyncio.sleep(watch_interval)

    async def supervise() -> None:
        while True:
            await asyncio.sleep(supervise_interval)
            with contextlib.suppress(Exception):
                if await blocking(service.supervise):
                    changes.notify()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await blocking(load_schema)  # before the port answers: no alert pays for loading the schema
        tasks = [asyncio.create_task(watch()), asyncio.create_task(supervise())]
        if service.forward_url:
            tasks.append(asyncio.create_task(forward_loop(service, blocking, changes.notify, forward_interval)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

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
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]

    async def unexpected(request: Request, exc: Exception) -> Response:
        # A database that went away, a bug: the station must retry (5xx), and gets JSON like every answer.
        return _error(503, "the console could not handle this just now; try again")

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        max_body_size=MAX_BYTES + 4096,
        exception_handlers={Exception: unexpected},
    )
    app.state.begin_shutdown = begin_shutdown
    return app
