"""The console's database: SQLite (one console) or PostgreSQL (two consoles side by side), one small API.

SQL is written once with ``?`` placeholders and portable statements (``ON CONFLICT``, ``RETURNING``); the
PostgreSQL connection translates the placeholders. Each thread has its own connection. Times are stored as
the fixed-width UTC strings of :mod:`frontdesk.clock`, which sort the same way in both databases.

A transaction is ``with db.transaction() as tx:``; on SQLite it takes the write lock at once (``BEGIN
IMMEDIATE``), so two writers never deadlock on a lock upgrade, and every commit is synced (WAL, FULL).

:meth:`Database.batched` is group commit: many small units of work (alerts arriving together) run in one
transaction on one writer thread, each in a savepoint of its own, and are answered only once that
transaction is committed. A burst then pays for one sync per batch instead of one per alert; a unit that
fails is rolled back alone (on SQLite without a savepoint per unit unless one fails after writing). A unit
may be prepared before the write lock is taken, and units of one kind may be stored together (one statement
per table for all of them): see :class:`Unit`.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from district.errors import InputError, StoreError


def _wal(conn: sqlite3.Connection, wait: float = 10.0) -> None:
    """``PRAGMA journal_mode=WAL``, asked again every millisecond while SQLite answers busy (up to ``wait`` s).

    On a new file (still in rollback mode) connections setting WAL together (a hub and a console, or ``dispatch``
    commands, started at once on a new database) can each hold a read lock and want the write lock: SQLite answers
    "database is locked" at once, whatever the busy timeout (its deadlock rule).
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorname", "") != "SQLITE_BUSY" or time.monotonic() >= deadline:
                raise
            time.sleep(0.001)


class _Guarded:
    """A connection and the lock held while it is in use (SQLite: :meth:`Database.close` takes the lock before
    closing it, so it never closes a connection another thread is in the middle of using; that hangs or
    crashes the process)."""

    __slots__ = ("conn", "lock")

    def __init__(self, conn: Any):
        self.conn = conn
        self.lock = threading.RLock()


class _WriterLockFile:
    """The write lock of :class:`Database` when several processes write one SQLite file through it: this
    process's writers queue on a thread lock, then on an exclusive ``flock`` of a file beside the database,
    so such processes take turns instead of meeting in SQLite's busy handler (which sleeps in growing steps
    and leaves the lock idle while it sleeps)."""

    def __init__(self, path: Path):
        self._path = path
        self._threads = threading.Lock()
        self._fd = -1

    def __enter__(self) -> None:
        import fcntl

        self._threads.acquire()
        try:
            if self._fd < 0:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc: object) -> None:
        import fcntl

        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


class Tx:
    """One open transaction (or autocommit connection): ``execute``, ``one``, ``all``."""

    def __init__(self, conn: Any, kind: str, lock: Any = None):
        self._conn = conn
        self.kind = kind
        self._lock = lock or contextlib.nullcontext()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; returns the cursor (``rowcount``, ``fetchone``...)."""
        if self.kind == "postgresql":
            sql = sql.replace("?", "%s")
        with self._lock:
            return self._conn.execute(sql, list(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for each row of parameters."""
        if self.kind == "postgresql":
            with self._conn.cursor() as cur:
                cur.executemany(sql.replace("?", "%s"), [list(r) for r in rows])
        else:
            with self._lock:
                self._conn.executemany(sql, rows)

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], tail: str = ""
    ) -> None:
        """Insert ``rows`` with one multi-row ``INSERT ... VALUES (...), (...)`` (in chunks of at most 999
        parameters, the lowest limit a SQLite build may have: a group commit's 64 alerts of 15 columns fit
        one): one step of the database for all of them, where :meth:`executemany` takes one a row (on SQLite
        each gives up the GIL and waits to get it back). ``tail``: an ON CONFLICT clause.
        """
        width = len(columns)
        per = max(1, 999 // width)
        row_sql = "(" + ", ".join("?" * width) + ")"
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([row_sql] * len(chunk))
            self.execute(sql + (f" {tail}" if tail else ""), [value for row in chunk for value in row])

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        """The first row, or None."""
        with self._lock:
            return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Every row."""
        with self._lock:
            return list(self.execute(sql, params).fetchall())

    def changes(self) -> int:
        """SQLite: rows changed on this connection so far (``total_changes``): whether a unit of work
        that failed had already written something."""
        return self._conn.total_changes

    def relaxed_commit(self) -> None:
        """Let this transaction's commit return before its WAL is flushed (PostgreSQL
        ``synchronous_commit = off`` for this transaction only): for bookkeeping a crash may lose, never for
        anything acknowledged to a station or a desk. SQLite: no change."""
        if self.kind == "postgresql":
            self.execute("SET LOCAL synchronous_commit TO OFF")

    def lock_key(self, key: str) -> None:
        """Serialise the transactions that take the same ``key`` until commit (PostgreSQL: a transaction
        advisory lock on the key's hash, so unrelated keys rarely meet; SQLite already holds the write lock).
        """
        if self.kind == "postgresql":
            self.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [key])

    def lock(self, table: str) -> None:
        """Serialise writers of ``table`` until commit (PostgreSQL; SQLite already holds the write lock).

        Readers page through inbox and log by sequence number; without this, two PostgreSQL transactions
        could commit sequence numbers out of order and a reader could step past one it has not seen yet.
        """
        if self.kind == "postgresql":
            self.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


class Unit:
    """A unit of group-commit work that says more than a plain ``work(tx)`` callable (both are accepted).

    The write lock is held from BEGIN to COMMIT, and with ``serve --workers N`` the workers' commits take
    turns on it: whatever a unit does while it is held, every other commit waits for. So:

    - :meth:`prepare` runs on the committing thread before the lock is taken (while another process holds
      it): build rows and JSON there, not under the lock. If it raises, that unit fails alone.
    - :attr:`together` (SQLite): units of one kind next to each other in a batch are run by one call of the
      same function, ``together(tx, units) -> [(result, error), ...]``, which stores them with one
      statement per table. A unit joins its neighbours only when it claims none of what they claim
      (:meth:`claims`: a station, an identifier), so they could have run in any order; the others run one
      at a time in their places, so the batch's order is kept. If ``together`` raises, the batch runs again
      one unit at a time (each in a savepoint), as after any unit that failed after writing.
    """

    together: Callable[[Tx, list], list] | None = None

    def prepare(self) -> None:
        """Work that needs no database: run before the write lock is taken."""

    def __call__(self, tx: Tx) -> Any:
        """Do the unit's work alone in ``tx``; its result (or raise)."""
        raise NotImplementedError

    def claims(self) -> tuple[Hashable, ...]:
        """What this unit reads or writes that another unit of the same kind might too."""
        return ()


class Database:
    """A database URL (``sqlite:///path`` or ``postgresql://...``) and per-thread connections to it."""

    def __init__(self, url: str, *, write_lock_file: Path | None = None):
        self.url = url
        parsed = urlparse(url)
        if parsed.scheme == "sqlite":
            self.kind = "sqlite"
            # sqlite:///relative/or/absolute -> the path after the third slash; sqlite:////abs also works
            self.path = Path(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else None
            if not self.path or str(self.path) in ("", "."):
                raise InputError(f"a SQLite URL names a file: sqlite:///path/to/console.db, not {url!r}")
        elif parsed.scheme in ("postgresql", "postgres"):
            self.kind = "postgresql"
            self.path = None
        else:
            raise InputError(f"--db must be sqlite:///path or postgresql://..., not {url!r}")
        self._local = threading.local()
        # SQLite has one writer at a time; its busy handler sleeps in growing steps while it waits, which
        # under a burst leaves the lock idle. Writers of this process queue on a Python lock instead.
        # ``write_lock_file``: other processes (the hub's sync processes) write through the same lock file.
        self._write_lock: Any = (
            _WriterLockFile(write_lock_file) if write_lock_file and self.kind == "sqlite" else threading.Lock()
        )
        self._all: list[Any] = []
        self._all_lock = threading.Lock()
        self._batches: queue.SimpleQueue | None = None
        self._batcher: threading.Thread | None = None
        self._batcher_lock = threading.Lock()

    MAX_BATCH = 64

    def batched(self, work: Callable[[Tx], Any]) -> Any:
        """Run ``work(tx)`` in a transaction shared with other callers' work (group commit); returns its
        result once that transaction is committed, or raises what ``work`` raised (its own changes rolled
        back, the others' kept) or what the commit raised."""
        return self.submit(work).result()

    def submit(self, work: Callable[[Tx], Any]) -> Future:
        """:meth:`batched` without waiting: the Future is resolved once the shared transaction is committed
        (an event loop awaits it without holding a thread; callbacks run on the committing thread)."""
        with self._batcher_lock:
            if self._batcher is None or not self._batcher.is_alive():
                self._batches = queue.SimpleQueue()
                self._batcher = threading.Thread(
                    target=self._batch_loop, args=(self._batches,), name="console-group-commit", daemon=True
                )
                self._batcher.start()
            batches = self._batches
        assert batches is not None
        done: Future = Future()
        batches.put((work, done))
        return done

    def _batch_loop(self, batches: queue.SimpleQueue) -> None:
        while True:
            item = batches.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < self.MAX_BATCH:
                try:
                    more = batches.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    batches.put(None)  # stop after this batch
                    break
                batch.append(more)
            ready = []
            for work, done in batch:
                try:
                    prepare = getattr(work, "prepare", None)
                    if prepare is not None:
                        prepare()
                except BaseException as exc:  # noqa: BLE001 - handed back to the caller
                    done.set_exception(exc)
                else:
                    ready.append((work, done))
            batch = ready
            if not batch:
                continue
            try:
                # SQLite: first without a savepoint per unit (two statements fewer an alert). A unit that
                # fails before it changed anything (an abandoned, duplicate or rejected alert: the usual
                # failures) needs no rollback; one that fails after a change undoes the whole batch, which
                # then runs again with a savepoint per unit.
                outcomes = self._run_batch(batch, savepoints=self.kind != "sqlite")
                if outcomes is None:
                    outcomes = self._run_batch(batch, savepoints=True)
            except BaseException as exc:  # noqa: BLE001 - the commit failed: nobody's work is stored
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            assert outcomes is not None
            for done, result, error in outcomes:
                if error is not None:
                    done.set_exception(error)
                else:
                    done.set_result(result)

    class _Redo(Exception):
        """A unit failed after changing something, in a batch run without savepoints: run it again with."""

    def _run_batch(self, batch: list, *, savepoints: bool) -> list[tuple[Future, Any, Any]] | None:
        """Run every unit of ``batch`` in one transaction; each unit's (future, result, error). None when run
        without savepoints and a unit failed after changing something (nothing of the batch is kept then)."""
        outcomes: list[tuple[Future, Any, BaseException | None]] = []
        try:
            with self.transaction() as tx:
                for n, step in enumerate(batch if savepoints else self._steps(batch)):
                    if isinstance(step, list):  # units of one kind, stored together
                        try:
                            results = step[0][0].together(tx, [work for work, _ in step])
                        except BaseException as exc:  # noqa: BLE001 - the batch runs again, unit by unit
                            raise self._Redo() from exc
                        outcomes.extend(
                            (done, result, error) for (_, done), (result, error) in zip(step, results, strict=True)
                        )
                        continue
                    work, done = step
                    if savepoints:
                        tx.execute(f"SAVEPOINT unit{n}")
                    else:
                        before = tx.changes()
                    try:
                        result = work(tx)
                    except BaseException as exc:  # noqa: BLE001 - handed back to the caller
                        if savepoints:
                            tx.execute(f"ROLLBACK TO SAVEPOINT unit{n}")
                            tx.execute(f"RELEASE SAVEPOINT unit{n}")
                        elif tx.changes() != before:
                            raise self._Redo() from exc
                        outcomes.append((done, None, exc))
                    else:
                        if savepoints:
                            tx.execute(f"RELEASE SAVEPOINT unit{n}")
                        outcomes.append((done, result, None))
        except self._Redo:
            return None
        return outcomes

    def _steps(self, batch: list) -> list:
        """``batch`` as the steps it runs in: a unit alone, or a list of neighbouring units of one kind that
        claim nothing in common (:class:`Unit`), stored together."""
        steps: list = []
        group: list = []
        claimed: set = set()

        def close() -> None:
            steps.append(list(group)) if len(group) > 1 else steps.extend(group)
            group.clear()
            claimed.clear()

        for unit in batch:
            together = getattr(unit[0], "together", None) if self.kind == "sqlite" else None
            if together is None:
                close()
                steps.append(unit)
                continue
            claims = set(unit[0].claims())
            if group and (group[0][0].together != together or claims & claimed):
                close()
            group.append(unit)
            claimed |= claims
        close()
        return steps

    def _connect(self) -> Any:
        if self.kind == "sqlite":
            assert self.path is not None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
                _wal(conn)
                conn.execute("PRAGMA synchronous=FULL")  # an alert answered "received" survives a power cut
                conn.execute("PRAGMA busy_timeout=10000")
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"The console database {self.path} cannot be opened: {exc}") from exc
            try:
                os.chmod(self.path, 0o600)
            except OSError:
                pass
            return conn
        import psycopg

        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"The console database cannot be reached: {exc}".splitlines()[0]) from exc

    def _guarded(self) -> _Guarded:
        held = getattr(self._local, "conn", None)
        if held is None or (self.kind == "postgresql" and (held.conn.closed or held.conn.broken)):
            held = self._local.conn = _Guarded(self._connect())
            with self._all_lock:
                self._all.append(held)
        return held

    def _live(self) -> _Guarded:
        """This thread's connection, checked first on PostgreSQL: a server restart or a cut connection
        is only noticed on use, and it must not cost the alert being stored (one round trip, ~0.1 ms)."""
        held = self._guarded()
        if self.kind == "postgresql":
            import psycopg

            try:
                held.conn.execute("SELECT 1")
            except psycopg.OperationalError:
                self._local.conn = None
                held = self._guarded()
        return held

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        held = self._live()
        conn = held.conn
        if self.kind == "sqlite":
            with self._write_lock, held.lock:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield Tx(conn, self.kind, held.lock)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
        else:
            with conn.transaction():
                yield Tx(conn, self.kind)

    def read(self) -> Tx:
        """An autocommit handle for reads (each statement sees the latest commits)."""
        held = self._live()
        return Tx(held.conn, self.kind, held.lock if self.kind == "sqlite" else None)

    def close(self) -> None:
        """Close every connection this object opened (all threads).

        A connection another thread is still using (a worker thread finishing a request while the console
        shuts down) is closed once that statement or transaction is done, waiting at most 10 s; past that it
        is left open rather than closed under the other thread's feet.
        """
        with self._batcher_lock:
            if self._batches is not None:
                self._batches.put(None)
            batcher, self._batcher = self._batcher, None
        if batcher is not None and batcher is not threading.current_thread():
            batcher.join(timeout=10)
        with self._all_lock:
            held, self._all = self._all, []
        for one in held:
            if not one.lock.acquire(timeout=10):
                continue
            try:
                one.conn.close()
            except Exception:
                pass
            finally:
                one.lock.release()
        self._local = threading.local()

    def serial(self) -> str:
        """The column type of an auto-incrementing sequence number."""
        return "INTEGER PRIMARY KEY AUTOINCREMENT" if self.kind == "sqlite" else "BIGSERIAL PRIMARY KEY"
