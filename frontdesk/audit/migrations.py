"""The audit trail's table, and the triggers that refuse updates and deletes through SQLite."""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database


def _audit_0001_log(db: Database) -> None:
    # seq is the rowid: records are read back in the order they were appended.
    db.execute(
        """CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            details TEXT NOT NULL DEFAULT '{}',
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX audit_log_time ON audit_log(time)")
    # Append-only for the application and for anyone using SQLite casually. Someone who drops these
    # triggers can still edit rows; that is what the hash chain and the anchor file are for.
    for event in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )


def _audit_0002_checkpoints(db: Database) -> None:
    # Retention (issue 16): records up to a checkpoint may go; the chain then starts from the checkpoint's
    # hash, and the record appended right after the removal names the checkpoint, so the chain vouches for it.
    db.execute(
        """CREATE TABLE audit_checkpoints (
            seq INTEGER PRIMARY KEY,
            hash TEXT NOT NULL,
            time TEXT NOT NULL,
            removed INTEGER NOT NULL
        )"""
    )
    db.execute("DROP TRIGGER audit_log_no_delete")
    db.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "WHEN old.seq > coalesce((SELECT max(seq) FROM audit_checkpoints), 0) "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
    )
    for event in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER audit_checkpoints_no_{event.lower()} BEFORE {event} ON audit_checkpoints "
            "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END"
        )


MIGRATIONS: list[Migration] = [
    ("audit_0001_log", _audit_0001_log),
    ("audit_0002_checkpoints", _audit_0002_checkpoints),
]
