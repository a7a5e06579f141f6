"""The kiosk's tables: expected guests, and people the kiosk sent to the front office."""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database


def _kiosk_0001_guests_requests(db: Database) -> None:
    db.execute(
        """CREATE TABLE kiosk_guests (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            host TEXT NOT NULL DEFAULT '',
            purpose TEXT NOT NULL DEFAULT '',
            window_start TEXT NOT NULL,
            window_end TEXT NOT NULL,
            created_by TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            visit_id INTEGER REFERENCES visits(id)
        )"""
    )
    # The hand-off: a row per person the kiosk sent to the front office, with what the kiosk knew of them.
    # The desk reads the pending ones (on this machine, or a desk sharing the data folder) and takes them.
    db.execute(
        """CREATE TABLE kiosk_requests (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            station TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL,
            visitor TEXT NOT NULL,
            category TEXT NOT NULL,
            purpose TEXT NOT NULL DEFAULT '',
            destination TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL DEFAULT 'pending',
            taken_by TEXT NOT NULL DEFAULT '',
            taken_at TEXT
        )"""
    )
    db.execute("CREATE INDEX kiosk_requests_pending ON kiosk_requests(created_at) WHERE state = 'pending'")


MIGRATIONS: list[Migration] = [("kiosk_0001_guests_requests", _kiosk_0001_guests_requests)]
