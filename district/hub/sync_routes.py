"""The hub's sync endpoints (issue 15): ``POST /api/v1/sync/push`` and ``GET /api/v1/sync/pull``.

Both take the station's own credential (the one its alerts use), on the console's one port. Their work runs
apart from the alert path: in sync processes of their own at a lower OS priority (``serve --sync-workers N``,
:mod:`district.hub.sync_workers`; the default of ``serve``), or, with 0 of them (tests, the demo), on
``SYNC_THREADS`` fixed threads of the console process (at most that many database connections), never on the
alert pool. Either way a burst of desks catching up after a day offline cannot take a thread, a connection or
(with sync processes) the CPU an alert needs. Admission control: when ``SYNC_QUEUE`` sync requests are already
waiting or running in the hub (summed over its worker processes in shared memory), another push or pull is
answered 503 with ``Retry-After`` at once (sync only; alerts are never refused for sync's sake), and a request
whose desk hung up while it queued is dropped before its work.

A pull with ``wait`` is a long poll: it answers as soon as a visit of the school changes at this hub (or,
asked with ``shared``, another desk's change to the school's own records; a push wakes it) and otherwise looks
again each second, which also catches changes stored by a second hub on the same PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import mmap
import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from district.console.auth import Forbidden
from district.console.guard import claim_row
from district.errors import InputError
from district.hub.context import AppContext
from district.hub.sync import HubSync
from district.hub.sync_workers import answer
from frontdesk.wire import sync as wire

SYNC_THREADS = 8  # mostly waiting on the database (commits): more committers, more of them per WAL flush
SYNC_QUEUE = 64  # sync requests waiting or running in the whole hub (all its workers) before the next must retry
RETRY_AFTER_S = 2
MAX_WAIT_S = 25.0
RECHECK_S = 1.0


class SharedQueueCount:
    """How many sync requests wait or run in every worker process of one hub (``serve --workers N``).

    A small file-backed shared memory map (in the console's own temporary folder) holds one counter per
    worker; a worker claims its row with an exclusive ``flock`` held for its life, writes only that row (its
    event loop is one thread) and reads the sum. A worker that replaces a dead one zeroes the row it takes.
    """

    def __init__(self, folder: Path, rows: int):
        self.rows = rows
        fd = os.open(folder / "sync-queue.shm", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < rows * 4:
                os.ftruncate(fd, rows * 4)
            self._map = mmap.mmap(fd, rows * 4)
        finally:
            os.close(fd)
        self._counts = memoryview(self._map).cast("I")
        self.row, self._lock_fd = claim_row(folder, "sync-queue", rows)  # held (open) for the worker's life
        self._counts[self.row] = 0

    def total(self) -> int:
        """Sync requests waiting or running in every worker."""
        return sum(self._counts[r] for r in range(self.rows))

    def add(self, delta: int) -> None:
        """This worker's count moves by ``delta``."""
        self._counts[self.row] = max(0, self._counts[self.row] + delta)


class _LocalQueueCount:
    """The count of one process (a console with one worker, tests)."""

    def __init__(self) -> None:
        self._n = 0

    def total(self) -> int:
        return self._n

    def add(self, delta: int) -> None:
        self._n = max(0, self._n + delta)


class SyncEndpoints:
    """The sync routes over the console's database, their sync processes (or threads) and their queue.

    ``processes`` > 0: the database work runs in that many sync processes of this worker, at a lower OS
    priority (:mod:`district.hub.sync_workers`); 0: on ``SYNC_THREADS`` threads of this process.
    ``shared``: the folder of the hub's shared memory (``serve --workers N``), so the admission limit holds
    across the hub's workers.
    """

    def __init__(
        self, app_ctx: AppContext, processes: int = 0, shared: Path | None = None, workers: int = 1
    ) -> None:
        self.ctx = app_ctx
        self.hub = HubSync(app_ctx.service.db)
        self.processes = max(0, processes)
        self._workers: Any = None
        self._pool: ThreadPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None
        self._count: SharedQueueCount | _LocalQueueCount = (
            SharedQueueCount(shared, workers) if shared is not None and workers > 1 else _LocalQueueCount()
        )
        self._school_events: dict[str, set[asyncio.Event]] = defaultdict(set)

    # --- life ----------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the sync processes (if any) before the port answers."""
        if self.processes and self._workers is None:
            from district.hub.sync_workers import SyncProcesses

            self._workers = SyncProcesses(self.ctx.service.db.url, self.processes)
            await self._workers.start()

    def stop(self) -> None:
        """Stop the sync processes and threads."""
        if self._workers is not None:
            self._workers.close()
            self._workers = None
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    # --- running the work ----------------------------------------------------------------------------------
    def _threads(self) -> tuple[ThreadPoolExecutor, asyncio.Semaphore]:
        if self._pool is None or self._slots is None:  # made on the serving loop, on first use
            self._pool = ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="hub-sync")
            self._slots = asyncio.Semaphore(SYNC_THREADS)
        return self._pool, self._slots

    async def _run(self, verb: str, *args: Any, request: Request | None = None) -> tuple[int, bytes, int]:
        """``verb`` (push, pull, newest_rev, news) as :func:`district.hub.sync_workers._call` answers it."""
        if self._workers is not None:
            async with self._workers.slots():
                if request is not None and await request.is_disconnected():
                    raise _Gone()
                return await self._workers.call(verb, *args)
        executor, slots = self._threads()
        async with slots:
            if request is not None and await request.is_disconnected():
                raise _Gone()
            return await asyncio.get_running_loop().run_in_executor(executor, answer, self.hub, verb, args)

    @contextlib.contextmanager
    def _admitted(self):
        if self._count.total() >= SYNC_QUEUE:
            raise _Full()
        self._count.add(1)
        try:
            yield
        finally:
            self._count.add(-1)

    def _endpoint(self, fn):
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

        return self.ctx.endpoint(guarded)

    def _wake(self, school: str) -> None:
        for event in list(self._school_events.get(school, ())):
            event.set()

    # --- the endpoints -------------------------------------------------------------------------------------
    async def push(self, request: Request) -> Response:
        if self._count.total() >= SYNC_QUEUE:
            raise _Full()  # before the body is read: turning a desk away costs the hub next to nothing
        raw = await request.body()  # first: station_of's disconnect check would swallow the body
        station, _ = await self.ctx.station_of(request)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise InputError("the body must be JSON (Content-Type: application/json)")
        with self._admitted():
            status, answer, stored = await self._run("push", station, raw, request=request)
        if status == 200 and stored:
            self._wake(station.school)
        return Response(answer, status_code=status, media_type="application/json")

    async def pull(self, request: Request) -> Response:
        station, _ = await self.ctx.station_of(request)
        params = request.query_params
        school = params.get("school")
        if school is not None and school != station.school:
            raise Forbidden("a desk reads only its own school's visits")
        try:
            after = int(params.get("after", "0"))
            wait = float(params.get("wait", "0"))
            own = params.get("own", "0") not in ("", "0")
            shared = int(params["shared"]) if "shared" in params else None
            marks = [params.get(name) or None for name in ("after_mark", "shared_mark")]
            takes = wire.takes_level(shared is not None, params.get("takes"))  # of the school's shared records
        except ValueError:
            raise InputError("after and shared are whole numbers and wait a number of seconds") from None
        if after < 0 or after >= 2**62 or not math.isfinite(wait) or wait < 0:
            raise InputError("after is a whole number from 0, wait a number of seconds from 0 to 25")
        if shared is not None and not 0 <= shared < 2**62:
            raise InputError("shared is a whole number from 0")
        if any(mark is not None and len(mark) > 100 for mark in marks):
            raise InputError("after_mark and shared_mark are the marks the hub gave (at most 100 characters)")
        wait = min(MAX_WAIT_S, wait)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        event = asyncio.Event()
        self._school_events[station.school].add(event)
        try:
            while True:
                event.clear()
                if wait <= 0 or loop.time() >= deadline:
                    break
                if shared is None:
                    status, _, newest = await self._run("newest_rev", station.school)
                    if status != 200 or newest > after:
                        break
                else:  # another desk's change to the school's own records wakes it too (one call for both)
                    status, _, news = await self._run("news", station, after, shared)
                    if status != 200 or news:
                        break
                if await request.is_disconnected():
                    return Response(status_code=499)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), min(RECHECK_S, max(0.0, deadline - loop.time())))
        finally:
            self._school_events[station.school].discard(event)
            if not self._school_events[station.school]:
                self._school_events.pop(station.school, None)
        with self._admitted():
            args = (station, after, own, shared, *marks, takes)
            status, answer, _ = await self._run("pull", *args, request=request)
        return Response(answer, status_code=status, media_type="application/json")

    async def own(self, request: Request) -> Response:
        """``GET /api/v1/sync/own?after=VISIT_ID``: the desk's own visits as this hub holds them (a desk that
        found the hub behind what it acknowledged compares them with its own)."""
        station, _ = await self.ctx.station_of(request)
        try:
            after = int(request.query_params.get("after", "0"))
        except ValueError:
            raise InputError("after is a whole number") from None
        if not 0 <= after < 2**62:
            raise InputError("after is a whole number from 0")
        with self._admitted():
            status, answer, _ = await self._run("own", station, after, request=request)
        return Response(answer, status_code=status, media_type="application/json")

    def routes(self) -> list[Route]:
        """``POST /api/v1/sync/push``, ``GET /api/v1/sync/pull`` and ``GET /api/v1/sync/own``."""
        return [
            Route("/api/v1/sync/push", self._endpoint(self.push), methods=["POST"]),
            Route("/api/v1/sync/pull", self._endpoint(self.pull), methods=["GET"]),
            Route("/api/v1/sync/own", self._endpoint(self.own), methods=["GET"]),
        ]


def routes(app_ctx: AppContext) -> list[Route]:
    """The sync routes over the console's database, on threads of this process."""
    return SyncEndpoints(app_ctx).routes()


class _Full(Exception):
    """Too many sync requests queued in this process: answer 503 with Retry-After."""


class _Gone(Exception):
    """The desk hung up while its request queued."""
