"""The station's tables (outbox, SRP state, inbox cursor): named migrations, prefixed ``dispatch_``.

Kept apart from the code that uses them, importing nothing of ours, so ``frontdesk.store.migrations``
can list them without an import cycle.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from frontdesk.store import Migration
from frontdesk.store.database import Database


def _dispatch_0001_station_outbox(db: Database) -> None:
    db.execute(
        """CREATE TABLE dispatch_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            identifier TEXT NOT NULL UNIQUE,
            msg_type TEXT NOT NULL,
            cap_status TEXT NOT NULL,
            action TEXT NOT NULL,
            incident TEXT NOT NULL,
            refers_to TEXT NOT NULL DEFAULT '',
            cap BLOB NOT NULL,
            pressed_at TEXT NOT NULL,
            staff TEXT NOT NULL DEFAULT '',
            location TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL DEFAULT 'queued',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            received_at TEXT,
            confirmed_at TEXT,
            acked_by TEXT,
            acked_at TEXT,
            rejected_reason TEXT
        )"""
    )
    db.execute("CREATE INDEX dispatch_outbox_queued ON dispatch_outbox(id) WHERE state = 'queued'")
    db.execute("CREATE TABLE dispatch_station_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        """CREATE TABLE dispatch_school_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            state TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            set_by TEXT NOT NULL DEFAULT '',
            set_at TEXT NOT NULL,
            exercise INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL
        )"""
    )


MIGRATIONS: list[Migration] = [("dispatch_0001_station_outbox", _dispatch_0001_station_outbox)]


# --- the outbox's own file ------------------------------------------------------------------------------
# The outbox, the SRP state and the inbox cursor moved to ``outbox.db`` (issue 12): bulk work on the main
# file (a million-entry list import, a re-index) can never hold the lock a panic press needs. These are the
# migrations of that file; the first copies what the main file's tables held (they are left there, unused).
OUTBOX_DB = "outbox.db"
_TABLES = ("dispatch_outbox", "dispatch_station_kv", "dispatch_school_state")


def _outbox_0001_tables(db: Database) -> None:
    _dispatch_0001_station_outbox(db)
    # 0 until the press's audit record is in the main file's trail (written just after; caught up if missed).
    db.execute("ALTER TABLE dispatch_outbox ADD COLUMN audited INTEGER NOT NULL DEFAULT 1")
    db.execute("CREATE INDEX dispatch_outbox_unaudited ON dispatch_outbox(id) WHERE audited = 0")


def outbox_migrations(main_db: Path, open_main: Callable[[], sqlite3.Connection] | None = None) -> list[Migration]:
    """The outbox file's migrations; ``main_db`` is the desk's main file, whose old outbox rows move over.

    ``open_main`` opens it with the desk's own driver and key (an encrypted main file); plain by default.
    """

    def copy_from_main(db: Database) -> None:
        if not main_db.exists():
            return
        source = open_main() if open_main is not None else sqlite3.connect(f"file:{main_db}?mode=ro", uri=True)
        try:
            have = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for table in _TABLES:
                if table not in have:
                    continue
                cursor = source.execute(f"SELECT * FROM {table}")
                names = [d[0] for d in cursor.description]
                marks = ", ".join("?" * len(names))
                db.conn.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", cursor.fetchall()
                )
        finally:
            source.close()

    return [("outbox_0001_tables", _outbox_0001_tables), ("outbox_0002_copy_from_main", copy_from_main)]
