"""On-screen notifications for people other than the one at the desk (the principal, administrators).

A notification names an *audience* (a role: ``principal``, ``administrator``) and is delivered to each
**active account** of that role when it is sent: one recipient row per account, each with its own read
state, so Dr. Nakamura acknowledging does not hide it from the vice-principal. Whoever is signed in sees
their own unread ones (:meth:`Notifications.inbox`); acknowledging is per account and audited.

Fallback: when the role has no active account (set-up mode, before any principal account exists), the
notification is *unaddressed*, as before accounts existed: every desk window shows it, whoever is signed
in (or nobody), and the first person to acknowledge it does so for everyone. Accounts created or
re-enabled later do not receive what was sent before them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.access.roles import Role
from frontdesk.errors import NotFoundError, PermissionDenied
from frontdesk.store import Store

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.audit import AuditTrail
    from frontdesk.notifications.receipts import Receipt  # with the first read of a notification's receipts

LEVELS = ("info", "warning", "urgent")
# Audience words as settings and callers write them -> the role whose accounts receive the notification.
AUDIENCE_ROLES = {
    "principal": Role.PRINCIPAL,
    "administrator": Role.ADMIN,
    "admin": Role.ADMIN,
    "desk": Role.DESK,
}


@dataclass(frozen=True)
class Notification:
    """One message to a role, as one reader sees it.

    ``recipients`` are the user names it was delivered to (empty: unaddressed, shown to every desk);
    ``read_at`` is the reader's own acknowledgement in :meth:`Notifications.inbox`, otherwise the moment the
    last recipient (or, unaddressed, anyone) acknowledged it.
    """

    id: int
    time: datetime
    audience: str
    level: str
    title: str
    body: str
    ref: str = ""
    read_at: datetime | None = None
    recipients: tuple[str, ...] = ()


_COLUMNS = "n.id, n.time, n.audience, n.level, n.title, n.body, n.ref"


def audience_role(audience: str) -> Role | None:
    """The role an audience word names (``administrator`` is the admin role), or None."""
    return AUDIENCE_ROLES.get(audience.strip().lower())


class Notifications:
    """Sends, lists and acknowledges notifications.

    With a ``session`` (as :class:`~frontdesk.context.Services` builds it) the inbox and acknowledgements
    default to the signed-in person; with an ``audit`` trail each delivery and acknowledgement is recorded.
    """

    def __init__(self, store: Store, *, session: Session | None = None, audit: AuditTrail | None = None):
        self._store = store
        self._session = session
        self._audit = audit

    # --- sending ------------------------------------------------------------------------------------
    def notify(self, audience: str, level: str, title: str, body: str, ref: str = "") -> Notification:
        """Deliver to every active account of ``audience``'s role (else unaddressed).

        Committed at once, or with the caller's transaction when one is open (a confirmed match's decision,
        its notice and its emails and texts commit together).
        """
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}")
        moment = clock.now()
        with self._store.transaction() as db:  # a check-in waiting behind bulk work gets in at once
            role = audience_role(audience)
            accounts = (
                db.execute(
                    "SELECT id, username FROM users WHERE role = ? AND disabled = 0 ORDER BY id", [role.value]
                ).fetchall()
                if role is not None
                else []
            )
            cur = db.execute(
                "INSERT INTO notifications (time, audience, level, title, body, ref, addressed) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [clock.to_db(moment), audience, level, title, body, ref, int(bool(accounts))],
            )
            db.conn.executemany(
                "INSERT INTO notification_recipients (notification_id, user_id) VALUES (?, ?)",
                [(cur.lastrowid, user_id) for user_id, _ in accounts],
            )
            recipients = tuple(username for _, username in accounts)
            if self._audit is not None:
                self._audit.record(
                    None,
                    "notification.send",
                    f"notification {cur.lastrowid}",
                    {"audience": audience, "to": list(recipients) or "every desk", "title": title, "ref": ref},
                )
        if self._audit is not None and not self._store.db.conn.in_transaction:
            self._audit.refresh_anchor()
        return Notification(cur.lastrowid, moment, audience, level, title, body, ref, None, recipients)

    # --- reading ------------------------------------------------------------------------------------
    def inbox(self, username: str | None = None) -> list[Notification]:
        """Unread notifications for one account (default: the signed-in person), newest first.

        Addressed ones that account has not acknowledged, plus every unaddressed unread one. With nobody
        signed in (a locked desk), only the unaddressed ones: a principal's messages stay off the desk.
        """
        if username is None and self._session is not None and self._session.actor.signed_in:
            username = self._session.actor.username
        db = self._store.db
        rows = db.execute(
            f"SELECT {_COLUMNS}, NULL FROM notifications n WHERE n.read_at IS NULL AND n.addressed = 0",
        ).fetchall()
        if username:
            rows += db.execute(
                f"SELECT {_COLUMNS}, r.read_at FROM notification_recipients r "
                "JOIN users u ON u.id = r.user_id JOIN notifications n ON n.id = r.notification_id "
                "WHERE u.username = ? AND r.read_at IS NULL",
                [username],
            ).fetchall()
        rows.sort(key=lambda r: r[0], reverse=True)
        return [self._from_row(r) for r in rows]

    def unread(self, audience: str) -> list[Notification]:
        """The audience's notifications that someone they went to has not acknowledged yet, newest first."""
        rows = self._store.db.execute(
            f"SELECT {_COLUMNS}, n.read_at FROM notifications n WHERE n.audience = ? AND n.read_at IS NULL "
            "ORDER BY n.id DESC",
            [audience],
        ).fetchall()
        return [self._from_row(r) for r in rows]

    def recent(self, limit: int = 100) -> list[Notification]:
        """Every notification, newest first."""
        rows = self._store.db.execute(
            f"SELECT {_COLUMNS}, n.read_at FROM notifications n ORDER BY n.id DESC LIMIT ?", [limit]
        ).fetchall()
        return [self._from_row(r) for r in rows]

    def receipts(self, notification_id: int) -> list[Receipt]:
        """Who a notification went to and who has acknowledged it (empty: it was unaddressed)."""
        from frontdesk.notifications.receipts import Receipt

        rows = self._store.db.execute(
            "SELECT u.username, u.display_name, r.read_at FROM notification_recipients r "
            "JOIN users u ON u.id = r.user_id WHERE r.notification_id = ? ORDER BY u.username",
            [notification_id],
        ).fetchall()
        return [Receipt(r[0], r[1], clock.from_db(r[2])) for r in rows]

    # --- acknowledging ------------------------------------------------------------------------------
    def acknowledge(self, notification_id: int, username: str | None = None) -> Notification:
        """Acknowledge one notification as ``username`` (default: the signed-in person); audited.

        An addressed notification can only be acknowledged by one of its recipients, for themselves; an
        unaddressed one by anyone, for everyone. Acknowledging again changes nothing.
        """
        if username is None and self._session is not None and self._session.actor.signed_in:
            username = self._session.actor.username
        moment = clock.to_db(clock.now())
        with self._store.transaction() as db:  # a check-in waiting behind bulk work gets in at once
            row = db.execute(
                "SELECT addressed, read_at, title, ref FROM notifications WHERE id = ?", [notification_id]
            ).fetchone()
            if row is None:
                raise NotFoundError(f"No notification {notification_id}")
            addressed, _, title, ref = row
            if addressed:
                mine = db.execute(
                    "SELECT r.user_id, r.read_at FROM notification_recipients r JOIN users u ON u.id = r.user_id "
                    "WHERE r.notification_id = ? AND u.username = ?",
                    [notification_id, username or ""],
                ).fetchone()
                if mine is None:
                    raise PermissionDenied(
                        "This notification is for someone else: they acknowledge it when they sign in",
                        code="not_recipient",
                    )
                changed = mine[1] is None
                if changed:
                    db.execute(
                        "UPDATE notification_recipients SET read_at = ? WHERE notification_id = ? AND user_id = ?",
                        [moment, notification_id, mine[0]],
                    )
                    # Read by everyone it went to: it leaves the audience's pending list.
                    db.execute(
                        "UPDATE notifications SET read_at = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM "
                        "notification_recipients r JOIN users u ON u.id = r.user_id WHERE r.notification_id = ? "
                        "AND r.read_at IS NULL AND u.disabled = 0)",
                        [moment, notification_id, notification_id],
                    )
            else:
                changed = (
                    db.execute(
                        "UPDATE notifications SET read_at = ? WHERE id = ? AND read_at IS NULL",
                        [moment, notification_id],
                    ).rowcount
                    > 0
                )
            if changed and self._audit is not None:
                subject = f"notification {notification_id}"
                self._audit.record(username, "notification.acknowledge", subject, {"title": title, "ref": ref})
        if self._audit is not None:
            self._audit.refresh_anchor()
        return self._get(notification_id, username)

    def _get(self, notification_id: int, username: str | None) -> Notification:
        row = self._store.db.execute(
            f"SELECT {_COLUMNS}, coalesce((SELECT r.read_at FROM notification_recipients r JOIN users u "
            "ON u.id = r.user_id WHERE r.notification_id = n.id AND u.username = ?), n.read_at) "
            "FROM notifications n WHERE n.id = ?",
            [username or "", notification_id],
        ).fetchone()
        return self._from_row(row)

    def _from_row(self, r: tuple) -> Notification:
        recipients = tuple(
            x[0]
            for x in self._store.db.execute(
                "SELECT u.username FROM notification_recipients r JOIN users u ON u.id = r.user_id "
                "WHERE r.notification_id = ? ORDER BY r.user_id",
                [r[0]],
            )
        )
        return Notification(
            r[0],
            clock.from_db(r[1]),
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            clock.from_db(r[7]),
            recipients,  # type: ignore[arg-type]
        )
