"""The SQLite store: one file, named migrations applied at start-up, WAL, synchronous=FULL.

Each thread opens its own connection with :meth:`Store.connect`; the store object itself holds only the
path, so it can be shared. A file that cannot be read as a database is reported and never overwritten.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from frontdesk import clock
from frontdesk.errors import StoreBusy, StoreCorrupt, StoreError, StoreFull, StoreReadOnly
from frontdesk.store.migrations import Migration

__all__ = ["DB_NAME", "Migration", "Store", "TypedConnection", "copy_file_aside", "typed_error"]

DB_NAME = "frontdesk.db"
# How long a writer waits for another before it says "busy" (FRONTDESK_BUSY_SECONDS: for tests and tools).
BUSY_SECONDS = 10.0


def typed_error(exc: sqlite3.Error, path: Path | str = "") -> StoreError:
    """A SQLite error as the typed error the front office is told about (one line, what to do).

    Busy or locked, disk full, read-only, corrupt: each has its own class and words. Anything else is a
    plain :class:`StoreError` naming SQLite's own message (never a traceback).
    """
    if isinstance(exc, StoreError):
        return exc
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    where = f" ({path})" if path else ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return StoreBusy(
            "The FrontDesk database is busy: another FrontDesk program is writing to it. "
            "Nothing was lost; try again in a moment."
        )
    if name.startswith("SQLITE_FULL") or "disk is full" in text or "database or disk is full" in text:
        return StoreFull(
            f"The disk is full{where}: nothing more can be saved. Free some space or call school IT support."
        )
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")) or "readonly" in text:
        return StoreReadOnly(
            f"The FrontDesk database cannot be written{where}: the file or its folder is read-only. "
            "Call school IT support."
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        return StoreCorrupt(
            f"The FrontDesk database is damaged{where}. It has not been changed. Restore the newest copy "
            "from the backups folder, or call school IT support."
        )
    return StoreError(f"The FrontDesk database failed{where}: {exc}. Call school IT support if it happens again.")


class TypedConnection(sqlite3.Connection):
    """A connection whose statements raise the typed store errors instead of ``sqlite3`` ones."""

    def execute(self, *args, **kwargs):  # type: ignore[override]
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.Error as exc:
            raise typed_error(exc) from exc

    def executemany(self, *args, **kwargs):  # type: ignore[override]
        try:
            return super().executemany(*args, **kwargs)
        except sqlite3.Error as exc:
            raise typed_error(exc) from exc

    def commit(self) -> None:
        try:
            super().commit()
        except sqlite3.Error as exc:
            raise typed_error(exc) from exc


class Store:
    """The path to the database file, and the connections opened on it."""

    def __init__(self, data_dir: Path, migrations: Sequence[Migration] = (), *, name: str = DB_NAME):
        self.data_dir = Path(data_dir)
        self.migrations = list(migrations)
        self.path = self.data_dir / name
        self.busy_seconds = float(os.environ.get("FRONTDESK_BUSY_SECONDS") or BUSY_SECONDS)
        self._local = threading.local()

    @classmethod
    def open(cls, data_dir: Path, migrations: Sequence[Migration] = (), *, name: str = DB_NAME) -> Store:
        """Create the data folder (owner-only) if needed, check the file, apply pending ``migrations``.

        The desk's whole list is ``frontdesk.context.MIGRATIONS``; without one, the file is opened as it is.
        ``name`` is the file in the folder (the panic outbox keeps its own file: see ``frontdesk.dispatch``).
        """
        data_dir = Path(data_dir)
        if data_dir.exists() and not data_dir.is_dir():
            raise StoreError(
                f"The data folder {data_dir} is a file, not a folder. Give a folder.", code="data_dir"
            )
        try:
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StoreError(
                f"The data folder {data_dir} cannot be created ({exc.strerror or exc}).", code="data_dir"
            ) from None
        try:
            os.chmod(data_dir, 0o700)
        except OSError:
            pass
        store = cls(data_dir, migrations, name=name)
        store.migrate()
        return store

    def connect(self) -> sqlite_utils.Database:
        """A new connection for the calling thread, with the pragmas every connection needs.

        Its statements raise the typed store errors (busy, full, read-only, corrupt), never ``sqlite3`` ones.
        """
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_seconds,
                isolation_level=None,
                check_same_thread=False,
                factory=TypedConnection,
            )
        except sqlite3.Error as exc:
            raise typed_error(exc, self.path) from exc
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a visit or alert shown as saved survives a power cut (WAL + FULL syncs every commit).
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_seconds * 1000)}")
        except StoreCorrupt as exc:
            conn.close()
            raise self._unreadable(exc) from exc
        except StoreError:
            conn.close()
            raise
        return sqlite_utils.Database(conn)

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection, opened on first use."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self.connect()
        return db

    @contextmanager
    def transaction(self, *, wait: float | None = None) -> Iterator[sqlite_utils.Database]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` on this thread's connection; inside an open one, join it.

        A change and its audit record are written inside one of these, so they commit (or roll back) together.
        ``wait``: the most seconds to wait for another writer (default: the store's ``busy_seconds``).
        """
        db = self.db
        if db.conn.in_transaction:
            yield db
            return
        with db.conn:
            self.begin_immediate(db, wait)
            yield db

    def begin_immediate(self, db: sqlite_utils.Database | None = None, wait: float | None = None) -> None:
        """``BEGIN IMMEDIATE``, asking for the write lock every millisecond until it is free.

        SQLite's own busy handler backs off to 100 ms sleeps, so a short writer (a check-in) behind bulk
        work that commits in small steps (an import) could keep missing the gaps between the steps; asking
        this often gets it in at the first gap. After ``wait`` seconds (default ``busy_seconds``) it gives up
        with :class:`StoreBusy`.
        """
        db = db or self.db
        conn = db.conn
        deadline = time.monotonic() + (self.busy_seconds if wait is None else wait)
        conn.execute("PRAGMA busy_timeout=0")
        try:
            while True:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return
                except StoreBusy:
                    if time.monotonic() >= deadline:
                        raise
                    time.sleep(0.001)
        finally:
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_seconds * 1000)}")

    def close(self) -> None:
        """Close this thread's connection (others close with their threads)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None

    def migrate(self) -> list[str]:
        """Apply the migrations not yet applied, backing the file up first. Returns their names."""
        existed = self.path.exists() and self.path.stat().st_size > 0
        db = self.db
        try:
            db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
        except StoreCorrupt as exc:
            raise self._unreadable(exc) from exc
        pending = [(name, fn) for name, fn in self.migrations if name not in done]
        if pending and existed:
            self.backup(f"before-{pending[0][0]}")
        for name, fn in pending:
            with db.conn:  # one transaction per migration: all of it or none of it
                db.execute("BEGIN")
                fn(db)
                db.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                    [name, clock.to_db(clock.now())],
                )
        return [name for name, _ in pending]

    def backup(self, label: str) -> Path:
        """Copy the database (consistently, through SQLite's backup API) into ``backups/``."""
        folder = self.data_dir / "backups"
        folder.mkdir(exist_ok=True, mode=0o700)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S")
        target = folder / f"frontdesk-{stamp}-{label}.db"
        dest = sqlite3.connect(target)
        try:
            self.db.conn.backup(dest)
        except sqlite3.Error as exc:
            raise typed_error(exc, target) from exc
        finally:
            dest.close()
        return target

    def _unreadable(self, exc: Exception) -> StoreError:
        return StoreCorrupt(
            f"The FrontDesk database {self.path} cannot be read ({exc}). It has not been changed. "
            f"Close FrontDesk and restore the newest copy from {self.data_dir / 'backups'}, "
            "or call your school IT support.",
            code="store_unreadable",
        )


def copy_file_aside(path: Path, suffix: str) -> Path:
    """Keep a damaged file next to itself under a new name (used by repair tools, never automatically)."""
    target = path.with_name(path.name + suffix)
    shutil.copy2(path, target)
    return target
