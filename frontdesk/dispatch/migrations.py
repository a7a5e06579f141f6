"""The station's tables (outbox, SRP state, inbox cursor): named migrations, prefixed ``dispatch_``.

Kept apart from the code that uses them, importing nothing of ours, so ``frontdesk.store.migrations``
can list them without an import cycle.
"""

from __future__ import annotations

import sqlite_utils

from frontdesk.store import Migration


def _dispatch_0001_station_outbox(db: sqlite_utils.Database) -> None:
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
