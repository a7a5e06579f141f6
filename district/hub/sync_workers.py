"""Sync's work in processes of its own, at a lower OS priority than the alert path (issue 15).

``frontdesk dispatch serve --sync-workers N`` gives each console worker process N sync processes (Python's
own :class:`~concurrent.futures.ProcessPoolExecutor`, started with ``spawn``). The console worker still
answers every request on the one port with the one credential: it reads the push's bytes, checks the
desk's credential (in memory) and hands the bytes to a sync process, which parses and checks the JSON,
stores it and writes the answer's JSON. Those processes run at ``nice`` +:data:`SYNC_NICE`, so when 450
desks reconnect at once the kernel gives the cores to the alert path first, and sync takes what is left;
they share no interpreter lock with the alert path either. Each sync process keeps one database
connection. On SQLite they also take their write transactions one process at a time (a lock file beside
the database), so an alert's writer waits for one sync writer at most, never a crowd of them; and there they
keep the worker's priority (:func:`sync_nice`): alerts and sync share SQLite's one write lock, and a sync
process starved of CPU while holding it would keep the alert waiting.

A sync process dies with the console worker that started it (Linux ``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from district.errors import DistrictError, InputError

SYNC_NICE = 10  # CFS weight 110 against the alert path's 1024: sync gets about a tenth of a busy core
NICE_ENV = "FRONTDESK_HUB_SYNC_NICE"  # another step down (0: none), for measuring


def sync_nice(url: str) -> int:
    """How far below the console worker the sync processes run: ``FRONTDESK_HUB_SYNC_NICE`` if set, else 10
    on PostgreSQL and 0 on SQLite. On SQLite sync and alerts share the one write lock: a sync process starved of
    CPU while it holds that lock would keep the alert waiting (priority inversion; measured slower there)."""
    default = SYNC_NICE if not url.startswith("sqlite") else 0
    try:
        return max(0, min(19, int(os.environ.get(NICE_ENV, "") or default)))
    except ValueError:
        return default


_hub: Any = None  # this sync process's HubSync (set by _start)


def _dumps(value: Any) -> bytes:
    # As Starlette's JSONResponse renders.
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


def _die_with_parent() -> None:
    parent = os.getppid()
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent or parent == 1:
        os._exit(1)


def _start(url: str, nice: int, write_lock: str | None) -> None:
    """A sync process's start: die with the console worker, step down in priority, open the database."""
    global _hub
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the console; it stops us
    if nice > 0:
        with contextlib.suppress(OSError):
            os.nice(nice)  # on Linux per thread: this is the thread that runs every call
    from district.console.db import Database
    from district.hub.sync import HubSync

    _hub = HubSync(Database(url, write_lock_file=Path(write_lock) if write_lock else None))


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InputError("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise InputError("the body must be a JSON object")
    return body


def _call(verb: str, args: tuple) -> tuple[int, bytes, int]:
    return answer(_hub, verb, args)


def answer(hub: Any, verb: str, args: tuple) -> tuple[int, bytes, int]:
    """One sync verb over ``hub`` (a :class:`~district.hub.sync.HubSync`): ``(HTTP status, JSON answer,
    number)``; the number is how many changes a push stored, or a school's newest rev. The same in a sync
    process and on a thread of the console worker."""
    from district.hub.sync import SyncConflict

    try:
        if verb == "push":
            station, raw = args
            result = hub.push(station, _parse(raw))
            return 200, _dumps(result.as_json()), result.stored
        if verb == "pull":
            return 200, _dumps(hub.pull(*args)), 0
        if verb == "own":
            return 200, _dumps(hub.own(*args)), 0
        if verb == "newest_rev":
            return 200, b"", hub.newest_rev(*args)
        if verb == "news":
            return 200, b"", hub.news(*args)
        raise ValueError(f"no sync verb {verb!r}")
    except SyncConflict as exc:  # 409 with what the desk needs to renumber
        return 409, _dumps({"error": exc.message, **exc.details}), 0
    except DistrictError as exc:
        return exc.http_status, _dumps({"error": exc.message}), 0
    except (RecursionError, OverflowError):
        return 400, _dumps({"error": "the request is too deeply nested or a number is out of range"}), 0
    except Exception:  # the database went away, a bug: the desk retries (5xx)
        return 503, _dumps({"error": "the hub could not handle this just now; try again"}), 0


def _ready() -> int:
    return os.getpid()


class SyncProcesses:
    """``processes`` sync processes over the database at ``url``; :meth:`call` runs a verb in one of them."""

    def __init__(self, url: str, processes: int, nice: int | None = None):
        self.processes = processes
        write_lock = None
        if url.startswith("sqlite:///"):
            write_lock = url[len("sqlite:///") :] + ".sync-writer.lock"
        self._args = (url, sync_nice(url) if nice is None else nice, write_lock)
        self._pool = self._new_pool()
        self._slots: asyncio.Semaphore | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=self._args,
        )

    def slots(self) -> asyncio.Semaphore:
        """One slot per sync process (made on the serving loop): who may hand work over now."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.processes)
        return self._slots

    async def start(self) -> None:
        """Start every sync process now (before the first desk pays for it)."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._pool, _ready) for _ in range(self.processes)))

    async def call(self, verb: str, *args: Any) -> tuple[int, bytes, int]:
        """Run ``verb`` in a sync process (the caller holds a slot); 503 if the pool broke."""
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, _call, verb, args)
        except BrokenProcessPool:  # a sync process died (killed): start them again; the desk retries this
            if self._pool is pool:
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            return 503, _dumps({"error": "the hub's sync restarted; try again"}), 0

    def close(self) -> None:
        """Stop the sync processes (what they are doing is cut: a desk whose push was cut pushes again)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
