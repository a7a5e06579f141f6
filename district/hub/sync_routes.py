"""The hub's sync endpoints (issue 15): ``POST /api/v1/sync/push`` and ``GET /api/v1/sync/pull``.

Both take the station's own credential (the one its alerts use). Their database work runs on threads of their
own (``SYNC_THREADS`` fixed threads, so at most that many database connections per console process), never on
the alert pool, so a burst of desks catching up after a day offline cannot take a thread or a connection an
alert needs. Admission control: when ``SYNC_QUEUE`` sync requests are already waiting or running in this
process, another push or pull is answered 503 with ``Retry-After`` at once (sync only; alerts are never
refused for sync's sake), and a request whose desk hung up while it queued is dropped before its work.

A pull with ``wait`` is a long poll: it answers as soon as a visit of the
school changes at this hub (a push wakes it) and otherwise looks again each second, which also catches
changes stored by a second hub on the same PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from district.console.auth import Forbidden
from district.errors import InputError
from district.hub.context import AppContext
from district.hub.sync import HubSync, SyncConflict

SYNC_THREADS = 8  # mostly waiting on the database (commits): more committers, more of them per WAL flush
SYNC_QUEUE = 64  # sync requests waiting or running in one console process before the next is told to retry
RETRY_AFTER_S = 2
MAX_WAIT_S = 25.0
RECHECK_S = 1.0


def routes(app_ctx: AppContext) -> list[Route]:
    """The sync routes over the console's database."""
    hub = HubSync(app_ctx.service.db)
    state: dict[str, Any] = {"pool": None, "slots": None, "queued": 0}
    school_events: dict[str, set[asyncio.Event]] = defaultdict(set)

    def pool() -> tuple[ThreadPoolExecutor, asyncio.Semaphore]:
        if state["pool"] is None:  # made on the serving loop, on first use
            state["pool"] = ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="hub-sync")
            state["slots"] = asyncio.Semaphore(SYNC_THREADS)
        return state["pool"], state["slots"]

    async def run(fn, *args, request: Request | None = None):
        executor, slots = pool()
        async with slots:
            if request is not None and await request.is_disconnected():
                raise _Gone()
            return await asyncio.get_running_loop().run_in_executor(executor, lambda: fn(*args))

    @contextlib.contextmanager
    def admitted():
        if state["queued"] >= SYNC_QUEUE:
            raise _Full()
        state["queued"] += 1
        try:
            yield
        finally:
            state["queued"] -= 1

    def sync_endpoint(fn):
        async def guarded(request: Request) -> Response:
            try:
                return await fn(request)
            except _Full:
                return JSONResponse(
                    {"error": "the hub is busy with other desks' sync; try again after Retry-After seconds"},
                    status_code=503,
                    headers={"Retry-After": str(RETRY_AFTER_S)},
                )
            except _Gone:
                return Response(status_code=499)  # the desk hung up while it queued; it will push again

        return app_ctx.endpoint(guarded)

    def wake(school: str) -> None:
        for event in list(school_events.get(school, ())):
            event.set()

    @sync_endpoint
    async def push(request: Request) -> Response:
        raw = await request.body()  # first: station_of's disconnect check would swallow the body
        station, _ = await app_ctx.station_of(request)
        body = app_ctx.parse_json(request, raw)
        with admitted():
            try:
                result = await run(hub.push, station, body, request=request)
            except SyncConflict as exc:  # 409 with what the desk needs to renumber
                return JSONResponse({"error": exc.message, **exc.details}, status_code=409)
        if result.stored:
            wake(station.school)
        return JSONResponse(result.as_json())

    @sync_endpoint
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
        with admitted():
            return JSONResponse(await run(hub.pull, station, after, request=request))

    return [
        Route("/api/v1/sync/push", push, methods=["POST"]),
        Route("/api/v1/sync/pull", pull, methods=["GET"]),
    ]


class _Full(Exception):
    """Too many sync requests queued in this process: answer 503 with Retry-After."""


class _Gone(Exception):
    """The desk hung up while its request queued."""
