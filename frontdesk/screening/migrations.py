"""The screening feature's tables: lists, entries, the blocking index, decisions, notifications."""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database


def _screening_0001_lists(db: Database) -> None:
    db.execute(
        """CREATE TABLE screening_lists (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('barred', 'custody', 'watch', 'registry')),
            description TEXT NOT NULL DEFAULT '',
            imported_at TEXT
        )"""
    )
    # AUTOINCREMENT: an entry id is never reused, so a decision or a stale key never points at a stranger.
    db.execute(
        """CREATE TABLE screening_entries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            list_id INTEGER NOT NULL REFERENCES screening_lists(id),
            kind TEXT NOT NULL CHECK (kind IN ('barred', 'custody', 'watch', 'registry')),
            first_name TEXT NOT NULL DEFAULT '',
            middle_name TEXT NOT NULL DEFAULT '',
            last_name TEXT NOT NULL,
            aliases TEXT NOT NULL DEFAULT '[]',
            dob TEXT,
            reason TEXT NOT NULL DEFAULT '',
            valid_from TEXT,
            valid_until TEXT,
            notes TEXT NOT NULL DEFAULT '',
            students TEXT NOT NULL DEFAULT '[]',
            photo BLOB,
            search TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute("CREATE INDEX screening_entries_list ON screening_entries(list_id)")
    # The blocking index: one row per (key, entry); a look-up is a handful of B-tree seeks.
    db.execute(
        """CREATE TABLE screening_keys (
            key TEXT NOT NULL,
            entry_id INTEGER NOT NULL,
            PRIMARY KEY (key, entry_id)
        ) WITHOUT ROWID"""
    )


def _screening_0002_decisions_notifications(db: Database) -> None:
    db.execute(
        """CREATE TABLE screening_decisions (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            staff TEXT NOT NULL,
            station TEXT NOT NULL DEFAULT '',
            visitor_first TEXT NOT NULL,
            visitor_middle TEXT NOT NULL DEFAULT '',
            visitor_last TEXT NOT NULL,
            visitor_dob TEXT,
            entry_id INTEGER,
            source TEXT NOT NULL DEFAULT '',
            kind TEXT,
            score REAL,
            evidence TEXT NOT NULL DEFAULT '',
            screen_decision TEXT NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            visit_id INTEGER REFERENCES visits(id)
        )"""
    )
    db.execute("CREATE INDEX screening_decisions_time ON screening_decisions(time)")
    db.execute("CREATE INDEX screening_decisions_visit ON screening_decisions(visit_id)")
    db.execute(
        """CREATE TABLE notifications (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            audience TEXT NOT NULL,
            level TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            ref TEXT NOT NULL DEFAULT '',
            read_at TEXT
        )"""
    )
    db.execute("CREATE INDEX notifications_unread ON notifications(audience, id) WHERE read_at IS NULL")


def _screening_0003_meta(db: Database) -> None:
    # Facts about the index itself (the version of the key rules it was built with).
    db.execute("CREATE TABLE screening_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _screening_0004_list_state(db: Database) -> None:
    # A list is 'live' (screened), 'staging' (an import being built apart) or 'retired' (replaced or removed,
    # being deleted in small steps); only live lists are screened. touched_at: when a staging list last grew.
    db.execute("ALTER TABLE screening_lists ADD COLUMN state TEXT NOT NULL DEFAULT 'live'")
    db.execute("ALTER TABLE screening_lists ADD COLUMN touched_at TEXT")


def _screening_0005_id_evidence(db: Database) -> None:
    # What the list knows of the person's ID beyond the name: sex, the ID's issuer and its last 4.
    for column in ("sex", "id_state", "id_last4"):
        db.execute(f"ALTER TABLE screening_entries ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")


def _screening_0006_list_origin(db: Database) -> None:
    # Where a list comes from: '' (the school's own) or 'district' (a copy of the district hub's list, kept
    # by frontdesk.district_lists and read-only here: it is changed at the hub).
    db.execute("ALTER TABLE screening_lists ADD COLUMN origin TEXT NOT NULL DEFAULT ''")


def _screening_0007_entry_windows(db: Database) -> None:
    # The few entries in force only between two dates, by id (with those dates): the screener weighs a
    # visitor against the look-alikes the index's A: rows name, and asks this small index which of them are
    # not in force today instead of reading each entry (issue 19).
    db.execute(
        "CREATE INDEX screening_entries_window ON screening_entries(id, valid_from, valid_until) "
        "WHERE valid_from IS NOT NULL OR valid_until IS NOT NULL"
    )


MIGRATIONS: list[Migration] = [
    ("screening_0001_lists", _screening_0001_lists),
    ("screening_0002_decisions_notifications", _screening_0002_decisions_notifications),
    ("screening_0003_meta", _screening_0003_meta),
    ("screening_0004_list_state", _screening_0004_list_state),
    ("screening_0005_id_evidence", _screening_0005_id_evidence),
    ("screening_0006_list_origin", _screening_0006_list_origin),
    ("screening_0007_entry_windows", _screening_0007_entry_windows),
]
