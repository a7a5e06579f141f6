"""On-screen notifications for people other than the one at the desk (the principal, administrators).

A row per notification, addressed to an audience (a role); the window shows the unread ones of the
signed-in role. Delivery to the district console will come with the dispatch link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from frontdesk import clock
from frontdesk.store import Store

LEVELS = ("info", "warning", "urgent")


@dataclass(frozen=True)
class Notification:
    """One message to a role."""

    id: int
    time: datetime
    audience: str
    level: str
    title: str
    body: str
    ref: str = ""
    read_at: datetime | None = None


def _from_row(r: tuple) -> Notification:
    return Notification(r[0], clock.from_db(r[1]), r[2], r[3], r[4], r[5], r[6], clock.from_db(r[7]))  # type: ignore[arg-type]


_COLUMNS = "id, time, audience, level, title, body, ref, read_at"


class Notifications:
    """Sends, lists and acknowledges notifications."""

    def __init__(self, store: Store):
        self._store = store

    def notify(self, audience: str, level: str, title: str, body: str, ref: str = "") -> Notification:
        """Store a notification for ``audience`` (committed at once, so every open window sees it)."""
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}")
        moment = clock.now()
        db = self._store.db
        with db.conn:
            cur = db.execute(
                "INSERT INTO notifications (time, audience, level, title, body, ref) VALUES (?, ?, ?, ?, ?, ?)",
                [clock.to_db(moment), audience, level, title, body, ref],
            )
        return Notification(cur.lastrowid, moment, audience, level, title, body, ref)

    def unread(self, audience: str) -> list[Notification]:
        """The audience's unread notifications, newest first."""
        rows = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM notifications WHERE audience = ? AND read_at IS NULL ORDER BY id DESC",
            [audience],
        ).fetchall()
        return [_from_row(r) for r in rows]

    def recent(self, limit: int = 100) -> list[Notification]:
        """Every notification, newest first."""
        rows = self._store.db.execute(f"SELECT {_COLUMNS} FROM notifications ORDER BY id DESC LIMIT ?", [limit])
        return [_from_row(r) for r in rows.fetchall()]

    def mark_read(self, notification_id: int) -> None:
        """Acknowledge one notification."""
        db = self._store.db
        with db.conn:
            db.execute(
                "UPDATE notifications SET read_at = ? WHERE id = ? AND read_at IS NULL",
                [clock.to_db(clock.now()), notification_id],
            )
