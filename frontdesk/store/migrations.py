"""The store's one migration convention, and its own base tables.

A migration is ``(name, function)``: the function gets the database inside the migration's own
transaction. Each feature keeps its list as ``MIGRATIONS`` in its ``migrations.py`` (names prefixed with the
feature, so lists never collide); ``frontdesk.context`` joins them in order and hands them to the store. A name
is never reused or edited once released: add a new migration instead. The store itself knows no feature.
"""

from __future__ import annotations

from collections.abc import Callable

from frontdesk.store.database import Database

Migration = tuple[str, Callable[[Database], None]]


def _core_0002_events_settings_directory(db: Database) -> None:
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


# The tables every desk has below its features: the event log, settings and the staff/room directory.
BASE: list[Migration] = [("core_0002_events_settings_directory", _core_0002_events_settings_directory)]
