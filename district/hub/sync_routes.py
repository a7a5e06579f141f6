"""The hub's sync endpoints (issue 15): ``POST /api/v1/sync/push`` and ``GET /api/v1/sync/pull``.

Both take the station's own credential (the one its alerts use). Their database work runs on a thread pool
of their own (``SYNC_THREADS``), never on the alert pool, so a burst of desks catching up after a day offline
cannot take a thread an alert needs. A pull with ``wait`` is a long poll: it answers as soon as a visit of the
school changes at this hub (a push wakes it) and otherwise looks again each second, which also catches
changes stored by a second hub on the same PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import defaultdict
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from district.console.auth import Forbidden
from district.errors import InputError
from district.hub.context import AppContext
from district.hub.sync import HubSync, SyncConflict

SYNC_THREADS = 4
MAX_WAIT_S = 25.0
RECHECK_S = 1.0


def routes(app_ctx: AppContext) -> list[Route]:
    """The sync routes over the console's database."""
    hub = HubSync(app_ctx.service.db)
    state: dict[str, Any] = {"limiter": None}
    school_events: dict[str, set[asyncio.Event]] = defaultdict(set)

    def limiter() -> anyio.CapacityLimiter:
        if state["limiter"] is None:  # made on the serving loop
            state["limiter"] = anyio.CapacityLimiter(SYNC_THREADS)
        return state["limiter"]

    async def run(fn, *args):
        return await anyio.to_thread.run_sync(lambda: fn(*args), limiter=limiter())

    def wake(school: str) -> None:
        for event in list(school_events.get(school, ())):
            event.set()

    @app_ctx.endpoint
    async def push(request: Request) -> Response:
        raw = await request.body()  # first: station_of's disconnect check would swallow the body
        station, _ = await app_ctx.station_of(request)
        body = app_ctx.parse_json(request, raw)
        try:
            result = await run(hub.push, station, body)
        except SyncConflict as exc:  # 409 with what the desk needs to renumber
            return JSONResponse({"error": exc.message, **exc.details}, status_code=409)
        if result.stored:
            wake(station.school)
        return JSONResponse(result.as_json())

    @app_ctx.endpoint
    async def pull(request: Request) -> Response:
        station, _ = await app_ctx.station_of(request)
        params = request.query_params
        school = params.get("school")
        if school is not None and school != station.school:
            raise Forbidden("a desk reads only its own school's visits")
        try:
            after = int(params.get("after", "0"))
            wait = float(params.get("wait", "0"))
        except ValueError:
            raise InputError("after is a whole number and wait a number of seconds") from None
        if after < 0 or after >= 2**62 or not math.isfinite(wait) or wait < 0:
            raise InputError("after is a whole number from 0, wait a number of seconds from 0 to 25")
        wait = min(MAX_WAIT_S, wait)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        event = asyncio.Event()
        school_events[station.school].add(event)
        try:
            while True:
                event.clear()
                if wait <= 0 or await run(hub.newest_rev, station.school) > after or loop.time() >= deadline:
                    break
                if await request.is_disconnected():
                    return Response(status_code=499)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), min(RECHECK_S, max(0.0, deadline - loop.time())))
        finally:
            school_events[station.school].discard(event)
            if not school_events[station.school]:
                school_events.pop(station.school, None)
        return JSONResponse(await run(hub.pull, station, after))

    return [
        Route("/api/v1/sync/push", push, methods=["POST"]),
        Route("/api/v1/sync/pull", pull, methods=["GET"]),
    ]
