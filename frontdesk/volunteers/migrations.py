"""The volunteers feature's table."""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database


def _volunteers_0001_records(db: Database) -> None:
    # name_key and dob tie a record to the people its visits are filed under (frontdesk.visits.name_keys).
    # Lists (activities, schools, training) are JSON arrays: a handful of words each, read whole.
    db.execute(
        """CREATE TABLE volunteers (
            id INTEGER PRIMARY KEY,
            first_name TEXT NOT NULL,
            middle_name TEXT NOT NULL DEFAULT '',
            last_name TEXT NOT NULL,
            dob TEXT,
            name_key TEXT NOT NULL,
            status TEXT NOT NULL,
            activities TEXT NOT NULL DEFAULT '[]',
            schools TEXT NOT NULL DEFAULT '[]',
            training TEXT NOT NULL DEFAULT '[]',
            check_kind TEXT NOT NULL DEFAULT '',
            check_provider TEXT NOT NULL DEFAULT '',
            check_date TEXT,
            check_result TEXT NOT NULL DEFAULT '',
            check_expires TEXT,
            status_reason TEXT NOT NULL DEFAULT '',
            approved_by TEXT NOT NULL DEFAULT '',
            approved_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX volunteers_name_key ON volunteers(name_key)")
    db.execute("CREATE INDEX volunteers_check_expires ON volunteers(check_expires)")


MIGRATIONS: list[Migration] = [("volunteers_0001_records", _volunteers_0001_records)]
