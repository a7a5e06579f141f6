"""Notifications addressed to staff accounts: one row per recipient, each with its own read state.

Additive: the ``notifications`` table (screening_0002) keeps its rows and meaning; ``addressed`` says a
notification went to named accounts (its ``read_at`` is then set once every recipient has acknowledged).
"""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database


def _notifications_0001_recipients(db: Database) -> None:
    db.execute("ALTER TABLE notifications ADD COLUMN addressed INTEGER NOT NULL DEFAULT 0")
    db.execute(
        """CREATE TABLE notification_recipients (
            notification_id INTEGER NOT NULL REFERENCES notifications(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            read_at TEXT,
            PRIMARY KEY (notification_id, user_id)
        ) WITHOUT ROWID"""
    )
    db.execute(
        "CREATE INDEX notification_recipients_unread ON notification_recipients(user_id, notification_id) "
        "WHERE read_at IS NULL"
    )


def _notifications_0002_outbound(db: Database) -> None:
    # Who is told by email or text (issue 20): one row per address, the events it subscribes to (a
    # comma list), where the row came from (the district's defaults or the school's own).
    db.execute(
        """CREATE TABLE notify_recipients (
            id INTEGER PRIMARY KEY,
            address TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL DEFAULT '',
            sms INTEGER NOT NULL DEFAULT 0,
            events TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'school',
            username TEXT,
            added_at TEXT NOT NULL
        )"""
    )
    # The durable outbox: a message per recipient, written in the transaction of the event that caused it.
    # ``repeats`` counts identical events grouped onto it; ``lease_until`` keeps two senders apart.
    db.execute(
        """CREATE TABLE notify_outbox (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,
            event TEXT NOT NULL,
            group_key TEXT NOT NULL,
            recipient_id INTEGER REFERENCES notify_recipients(id) ON DELETE SET NULL,
            address TEXT NOT NULL,
            sms INTEGER NOT NULL DEFAULT 0,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            attachment_name TEXT,
            attachment BLOB,
            state TEXT NOT NULL DEFAULT 'queued',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt TEXT NOT NULL,
            lease_until TEXT,
            last_error TEXT NOT NULL DEFAULT '',
            sent_at TEXT,
            repeats INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute("CREATE INDEX notify_outbox_due ON notify_outbox(state, next_attempt)")
    db.execute("CREATE INDEX notify_outbox_group ON notify_outbox(group_key, address, created)")


def _notifications_0003_district_rules(db: Database) -> None:
    # The district's notification rules as the hub last sent them (issue 20 with issue 15's district
    # settings): a default for every school, each possibly locked. They are kept apart from the school's
    # own rows in ``notify_recipients`` so that a school's override (a row with the same target; empty
    # ``events`` switches the district's rule off here) never loses the district's value, and removing
    # the override brings the district's default back. A target is an address, ``role:ROLE`` or
    # ``account:USERNAME``.
    db.execute(
        """CREATE TABLE notify_district_rules (
            target TEXT PRIMARY KEY COLLATE NOCASE,
            name TEXT NOT NULL DEFAULT '',
            sms INTEGER NOT NULL DEFAULT 0,
            events TEXT NOT NULL,
            locked INTEGER NOT NULL DEFAULT 0,
            received_at TEXT NOT NULL
        )"""
    )
    db.execute(
        "INSERT INTO notify_district_rules (target, name, sms, events, locked, received_at) "
        "SELECT address, name, sms, events, 0, added_at FROM notify_recipients WHERE origin = 'district'"
    )
    db.execute("DELETE FROM notify_recipients WHERE origin = 'district'")


MIGRATIONS: list[Migration] = [
    ("notifications_0001_recipients", _notifications_0001_recipients),
    ("notifications_0002_outbound", _notifications_0002_outbound),
    ("notifications_0003_district_rules", _notifications_0003_district_rules),
]
