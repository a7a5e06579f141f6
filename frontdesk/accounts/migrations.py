"""The staff accounts table."""

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


MIGRATIONS: list[Migration] = [("accounts_0001_users", _accounts_0001_users)]
