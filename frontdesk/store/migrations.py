"""Named migrations, applied once each, in list order, at start-up.

Each feature keeps its own list (``core`` here; screening, dispatch, audit ... in their modules) and
``MIGRATIONS`` joins them. A name is never reused or edited once released: add a new migration instead.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from frontdesk.accounts.migrations import ACCOUNTS_MIGRATIONS
from frontdesk.audit.migrations import AUDIT_MIGRATIONS
from frontdesk.dispatch.station_schema import MIGRATIONS as DISPATCH_STATION
from frontdesk.review.migrations import REVIEW_MIGRATIONS
from frontdesk.screening.migrations import SCREENING
from frontdesk.store.badges_migrations import BADGES
from frontdesk.store.notifications_migrations import NOTIFICATIONS

Migration = tuple[str, Callable[[sqlite_utils.Database], None]]


def _core_0001_people_visits(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            first_name TEXT NOT NULL,
            middle_name TEXT,
            last_name TEXT NOT NULL,
            suffix TEXT,
            dob TEXT,
            id_type TEXT,
            id_issuer TEXT,
            id_expires TEXT,
            id_last4 TEXT,
            photo BLOB,
            name_key TEXT NOT NULL,
            first_key TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    # name_key is "last first middle", first_key "first last", both folded: prefix look-ups by either.
    db.execute("CREATE INDEX people_name_key ON people(name_key)")
    db.execute("CREATE INDEX people_first_key ON people(first_key)")
    db.execute(
        """CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            category TEXT NOT NULL,
            purpose TEXT NOT NULL DEFAULT '',
            destination TEXT NOT NULL DEFAULT '',
            time_in TEXT NOT NULL,
            time_out TEXT,
            station TEXT NOT NULL DEFAULT '',
            staff TEXT NOT NULL DEFAULT '',
            badge_code TEXT NOT NULL UNIQUE,
            note TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute("CREATE INDEX visits_time_in ON visits(time_in)")
    db.execute("CREATE INDEX visits_person ON visits(person_id, time_in)")
    db.execute("CREATE INDEX visits_on_site ON visits(time_in) WHERE time_out IS NULL")


def _core_0002_events_settings_directory(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            source TEXT NOT NULL,
            level TEXT NOT NULL,
            message TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX events_time ON events(time)")
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        """CREATE TABLE directory (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('staff', 'room')),
            name TEXT NOT NULL,
            room TEXT NOT NULL DEFAULT ''
        )"""
    )


CORE: list[Migration] = [
    ("core_0001_people_visits", _core_0001_people_visits),
    ("core_0002_events_settings_directory", _core_0002_events_settings_directory),
]

# Features add their lists here (each name prefixed with the feature, so lists never collide).
MIGRATIONS: list[Migration] = [
    *CORE,
    *DISPATCH_STATION,
    *BADGES,
    *SCREENING,
    *AUDIT_MIGRATIONS,
    *ACCOUNTS_MIGRATIONS,
    *REVIEW_MIGRATIONS,
    *NOTIFICATIONS,
]
