"""The hub's background jobs (retention, the desk-offline notices) run in one process, not in every worker.

``serve --workers N`` runs N worker processes, and a district may run two hubs on one PostgreSQL; each would
otherwise run its own copy of every daily job. One of them is chosen with the database itself:

- PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection of its own, held for as
  long as that connection lives. A process that dies (or whose connection is cut) lets it go at once, and
  another takes it at its next try.
- SQLite (one machine): an exclusive ``flock`` of a file beside the database, held while the process lives.

Every worker tries every :data:`TRY_EVERY_S` seconds; the one holding the lock starts the jobs, and stops
them if it loses the lock (a cut connection), so two copies never run for long.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable
from typing import Any

import anyio.to_thread

TRY_EVERY_S = 5.0
TRY_ENV = "FRONTDESK_HUB_LEADER_TRY_S"  # how often a worker tries to take the lock (tests make it short)
LOCK_NAME = "frontdesk hub background jobs"


class Leader:
    """Whether this process holds the hub's background-jobs lock (:meth:`held` tries to take it)."""

    def __init__(self, db: Any):
        self._db = db  # district.console.db.Database
        self._conn: Any = None
        self._fd = -1

    def held(self) -> bool:
        """True if this process holds the lock now (taking it if it is free)."""
        if self._db.kind == "sqlite":
            return self._held_file()
        return self._held_postgres()

    def _held_file(self) -> bool:
        import fcntl

        if self._fd >= 0:
            return True
        fd = os.open(f"{self._db.path}.jobs.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def _held_postgres(self) -> bool:
        import psycopg

        if self._conn is not None:
            try:
                self._conn.execute("SELECT 1")
                return True
            except psycopg.Error:  # the connection is gone, and the lock with it: try again below
                with contextlib.suppress(Exception):
                    self._conn.close()
                self._conn = None
        try:
            conn = psycopg.connect(self._db.url, autocommit=True, connect_timeout=10)
        except psycopg.Error:
            return False
        try:
            row = conn.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [LOCK_NAME]).fetchone()
        except psycopg.Error:
            row = None
        if row and row[0]:
            self._conn = conn
            return True
        conn.close()
        return False

    def release(self) -> None:
        """Let the lock go (this process stops)."""
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


async def run(
    db: Any, start_jobs: Callable[[], list[asyncio.Task]], every: float | None = None, label: str = ""
) -> None:
    """Until cancelled: take the lock when free, then run ``start_jobs()``'s tasks while it is held."""
    if every is None:
        try:
            every = float(os.environ.get(TRY_ENV, "") or TRY_EVERY_S)
        except ValueError:
            every = TRY_EVERY_S
    leader = Leader(db)
    jobs: list[asyncio.Task] = []
    leading = False
    try:
        while True:
            try:
                held = await anyio.to_thread.run_sync(leader.held)
            except Exception:
                held = False
            if held and not leading:
                leading, jobs = True, start_jobs()
                print(
                    f"frontdesk hub: process {os.getpid()}{label} runs the hub's background jobs "
                    f"({len(jobs)} running)",
                    file=sys.stderr,
                    flush=True,
                )
            elif not held and leading:
                for task in jobs:
                    task.cancel()
                await asyncio.gather(*jobs, return_exceptions=True)
                leading, jobs = False, []
            await asyncio.sleep(every)
    finally:
        for task in jobs:
            task.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        leader.release()
