"""The visits feature's tables: people and their visits."""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database


def _core_0001_people_visits(db: Database) -> None:
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


# "core_" is this migration's released name (from before visits had a folder of its own); it never changes.
MIGRATIONS: list[Migration] = [("core_0001_people_visits", _core_0001_people_visits)]
