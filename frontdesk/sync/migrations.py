"""Sync's tables: the outbox of changes going up, the school's other desks' visits, and sync's own state."""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database


def _sync_0001_tables(db: Database) -> None:
    # seq numbers this desk's changes 1, 2, 3 … for good (AUTOINCREMENT: never reused, even once sent and
    # deleted): the hub keeps each (station, seq) once. body is the change's wire JSON (frontdesk.wire.sync).
    db.execute(
        """CREATE TABLE sync_outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            made_at TEXT NOT NULL,
            body TEXT NOT NULL
        )"""
    )
    # The visits of the school's other desks, as last pulled (a check-out made here waits in the outbox).
    db.execute(
        """CREATE TABLE sync_remote_visits (
            id INTEGER PRIMARY KEY,
            station_id TEXT NOT NULL,
            visit_id INTEGER NOT NULL,
            station TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL,
            name_key TEXT NOT NULL DEFAULT '',
            dob TEXT,
            category TEXT NOT NULL DEFAULT 'visitor',
            purpose TEXT NOT NULL DEFAULT '',
            host TEXT NOT NULL DEFAULT '',
            staff TEXT NOT NULL DEFAULT '',
            badge_code TEXT NOT NULL,
            checked_in_at TEXT NOT NULL,
            checked_out_at TEXT,
            checked_out_by TEXT,
            rev INTEGER NOT NULL DEFAULT 0,
            UNIQUE (station_id, visit_id)
        )"""
    )
    db.execute("CREATE INDEX sync_remote_badge ON sync_remote_visits(badge_code)")
    db.execute("CREATE INDEX sync_remote_on_site ON sync_remote_visits(name_key) WHERE checked_out_at IS NULL")
    db.execute("CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # Visits still open when sync arrives go up first, so the school's list has them too.
    from frontdesk.sync.outbox import open_visit_changes

    for kind, subject, made_at, body in open_visit_changes(db):
        db.execute(
            "INSERT INTO sync_outbox (kind, subject, made_at, body) VALUES (?, ?, ?, ?)",
            [kind, subject, made_at, body],
        )


def _sync_0002_parked(db: Database) -> None:
    # Changes the hub refused as malformed (400): set aside, with the hub's reason, so the rest goes on.
    db.execute(
        """CREATE TABLE sync_parked (
            seq INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            made_at TEXT NOT NULL,
            body TEXT NOT NULL,
            reason TEXT NOT NULL,
            parked_at TEXT NOT NULL
        )"""
    )


def _sync_0003_unlinked(db: Database) -> None:
    # A desk never linked to a hub kept an outbox entry for every audit record, and nothing sent or cleared
    # them. Such a desk now keeps none: its visits still open go up when it is linked (see Outbox.capture).
    from frontdesk.sync.outbox import is_linked

    if not is_linked(db):
        db.execute("DELETE FROM sync_outbox")


def _sync_0004_shared(db: Database) -> None:
    # The school's own records shared between its desks (frontdesk.sync.shared): per shared thing, the uid every
    # desk knows it by, this desk's own id for it (NULL once gone here) and the version it holds now.
    db.execute(
        """CREATE TABLE sync_shared (
            uid TEXT PRIMARY KEY,
            what TEXT NOT NULL,
            local_id INTEGER,
            version TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute("CREATE UNIQUE INDEX sync_shared_local ON sync_shared(what, local_id) WHERE local_id IS NOT NULL")
    # Other desks' changes about what this desk does not have yet (a student before the roster is imported
    # here), kept in the hub's order until it does.
    db.execute("CREATE TABLE sync_shared_deferred (hub_seq INTEGER PRIMARY KEY, change TEXT NOT NULL)")


def _sync_0005_deferred_rows(db: Database) -> None:
    # A kept change is its own row, no longer keyed by the hub's number alone: after a hub restored from an older
    # copy gives its numbers again, another change kept under a number one already held was dropped (INSERT OR
    # IGNORE). The same change pulled twice (a rewound cursor) is still kept once.
    db.execute(
        """CREATE TABLE sync_shared_deferred_rows (
            id INTEGER PRIMARY KEY,
            hub_seq INTEGER NOT NULL,
            change TEXT NOT NULL,
            UNIQUE (hub_seq, change)
        )"""
    )
    db.execute(
        "INSERT INTO sync_shared_deferred_rows (hub_seq, change) "
        "SELECT hub_seq, change FROM sync_shared_deferred ORDER BY hub_seq"
    )
    db.execute("DROP TABLE sync_shared_deferred")
    db.execute("ALTER TABLE sync_shared_deferred_rows RENAME TO sync_shared_deferred")


MIGRATIONS: list[Migration] = [
    ("sync_0001_tables", _sync_0001_tables),
    ("sync_0002_parked", _sync_0002_parked),
    ("sync_0003_unlinked", _sync_0003_unlinked),
    ("sync_0004_shared", _sync_0004_shared),
    ("sync_0005_deferred_rows", _sync_0005_deferred_rows),
]
