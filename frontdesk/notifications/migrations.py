"""Notifications addressed to staff accounts: one row per recipient, each with its own read state.

Additive: the ``notifications`` table (screening_0002) keeps its rows and meaning; ``addressed`` says a
notification went to named accounts (its ``read_at`` is then set once every recipient has acknowledged).
"""

from __future__ import annotations

import sqlite_utils

from frontdesk.store import Migration


def _notifications_0001_recipients(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE notifications ADD COLUMN addressed INTEGER NOT NULL DEFAULT 0")
    db.execute(
        """CREATE TABLE notification_recipients (
            notification_id INTEGER NOT NULL REFERENCES notifications(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            read_at TEXT,
            PRIMARY KEY (notification_id, user_id)
        ) WITHOUT ROWID"""
    )
    db.execute(
        "CREATE INDEX notification_recipients_unread ON notification_recipients(user_id, notification_id) "
        "WHERE read_at IS NULL"
    )


MIGRATIONS: list[Migration] = [
    ("notifications_0001_recipients", _notifications_0001_recipients),
]
