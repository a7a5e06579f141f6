"""The staff accounts table, and (0002) each account's email and mobile number."""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database


def _accounts_0001_users(db: Database) -> None:
    db.execute(
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('desk', 'principal', 'admin')),
            secret_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            failed_attempts INTEGER NOT NULL DEFAULT 0,
            blocked_until TEXT,
            created_at TEXT NOT NULL,
            last_sign_in TEXT
        )"""
    )


def _accounts_0002_contact(db: Database) -> None:
    # Where a person is told of events (issue 20): notification rules name a role or an account, and each
    # account's own email and mobile number is where its messages go. Empty: not reachable that way.
    db.execute("ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE users ADD COLUMN mobile TEXT NOT NULL DEFAULT ''")


MIGRATIONS: list[Migration] = [
    ("accounts_0001_users", _accounts_0001_users),
    ("accounts_0002_contact", _accounts_0002_contact),
]
