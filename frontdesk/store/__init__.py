"""The SQLite store: one file, named migrations applied at start-up, WAL, synchronous=FULL.

Each thread opens its own connection with :meth:`Store.connect`; the store object itself holds only the
path, so it can be shared. A file that cannot be read as a database is reported and never overwritten.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from frontdesk import clock
from frontdesk.errors import StoreError
from frontdesk.store.migrations import Migration

__all__ = ["DB_NAME", "Migration", "Store", "copy_file_aside"]

DB_NAME = "frontdesk.db"


class Store:
    """The path to the database file, and the connections opened on it."""

    def __init__(self, data_dir: Path, migrations: Sequence[Migration] = ()):
        self.data_dir = Path(data_dir)
        self.migrations = list(migrations)
        self.path = self.data_dir / DB_NAME
        self._local = threading.local()

    @classmethod
    def open(cls, data_dir: Path, migrations: Sequence[Migration] = ()) -> Store:
        """Create the data folder (owner-only) if needed, check the file, apply pending ``migrations``.

        The desk's whole list is ``frontdesk.context.MIGRATIONS``; without one, the file is opened as it is.
        """
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            os.chmod(data_dir, 0o700)
        except OSError:
            pass
        store = cls(data_dir, migrations)
        store.migrate()
        return store

    def connect(self) -> sqlite_utils.Database:
        """A new connection for the calling thread, with the pragmas every connection needs."""
        try:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a visit or alert shown as saved survives a power cut (WAL + FULL syncs every commit).
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from exc
        return sqlite_utils.Database(conn)

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection, opened on first use."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self.connect()
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` on this thread's connection; inside an open one, join it.

        A change and its audit record are written inside one of these, so they commit (or roll back) together.
        """
        db = self.db
        if db.conn.in_transaction:
            yield db
            return
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            yield db

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
        except sqlite3.DatabaseError as exc:
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
        finally:
            dest.close()
        return target

    def _unreadable(self, exc: Exception) -> StoreError:
        return StoreError(
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
