"""The badge-printing feature's migrations: one row per print attempt, so every screen can say "printed"."""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database


def _badges_0001_prints(db: Database) -> None:
    db.execute(
        """CREATE TABLE badge_prints (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits(id),
            time TEXT NOT NULL,
            printer TEXT NOT NULL,
            media TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            sent_bytes INTEGER NOT NULL DEFAULT 0,
            job_bytes INTEGER NOT NULL DEFAULT 0,
            message TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute("CREATE INDEX badge_prints_visit ON badge_prints(visit_id, id)")


MIGRATIONS: list[Migration] = [
    ("badges_0001_prints", _badges_0001_prints),
]
