"""Email and text notifications: who subscribes to what, and the durable outbox the sender empties.

An event is queued with :meth:`Outbound.enqueue` *inside the transaction of the event that caused it* (it
joins an open one): if the desk dies a moment later, the message is in the file and the next sender (the
desk window's, or ``frontdesk notify drain``) sends it. One row per subscribed recipient; the same event
again (its ``key``) for the same address within ``notify.group_minutes`` is counted on the first row
(``repeats``) instead of becoming another message, so a flood is one message. The sender
(:mod:`frontdesk.notifications.sender`) marks each row ``sent``, ``refused`` (the server said no for
good), or, after ``notify.give_up_hours`` of retries, ``failed``; each of those is audited.

Recipients come from the school (``frontdesk notify add``) or from the district's defaults
(:meth:`Outbound.set_district_defaults`, the hub's hook); while ``notify.school_overrides`` is off the
district's rows cannot be changed or removed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.access.roles import Action
from frontdesk.errors import InputError, NotFoundError, PermissionDenied
from frontdesk.notifications import words
from frontdesk.settings import (
    NOTIFY_GROUP_MINUTES,
    NOTIFY_SCHOOL_OVERRIDES,
    SCHOOL_NAME,
    STATION_NAME,
    Settings,
)
from frontdesk.store import Store

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.audit import AuditTrail

# The events a recipient subscribes to (the command line's words).
MATCH = "match"
WATCH = "watch"
RELEASE_REFUSED = "release-refused"
PANIC = "panic"
DESK_OFFLINE = "desk-offline"
CHECKS_EXPIRING = "checks-expiring"
DAILY_LOG = "daily-log"
EVENTS = (MATCH, WATCH, RELEASE_REFUSED, PANIC, DESK_OFFLINE, CHECKS_EXPIRING, DAILY_LOG)
TEST = "test"  # not subscribable: ``notify test`` sends it to everyone

STATES = ("queued", "sent", "refused", "failed")
OFFLINE_AFTER = timedelta(hours=1)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+[1-9]\d{7,14}$")


@dataclass(frozen=True)
class Recipient:
    """An address told of some events. ``sms``: send texts (a phone number, or a gateway address)."""

    id: int
    address: str
    name: str
    sms: bool
    events: tuple[str, ...]
    origin: str  # "school" or "district"
    username: str | None = None


@dataclass(frozen=True)
class Delivery:
    """One queued or finished message, as the administrator's screen and ``notify list --json`` show it."""

    id: int
    created: datetime
    event: str
    address: str
    sms: bool
    subject: str
    body: str
    state: str
    attempts: int
    next_attempt: datetime
    last_error: str
    sent_at: datetime | None
    repeats: int
    attachment_name: str | None


def parse_events(text: str) -> tuple[str, ...]:
    """``match,watch`` -> the events, checked (InputError names the unknown one and the choices)."""
    events = tuple(dict.fromkeys(e.strip().lower() for e in text.split(",") if e.strip()))
    if not events:
        raise InputError(f"Name at least one event: {', '.join(EVENTS)}")
    for event in events:
        if event not in EVENTS:
            raise InputError(f"Unknown event {event!r}; one of: {', '.join(EVENTS)}")
    return events


def check_address(address: str, sms: bool) -> str:
    """An email address, or (texts) a phone number in +15551234567 form or a gateway email address."""
    address = address.strip()
    if _EMAIL.match(address):
        return address
    if sms:
        digits = re.sub(r"[\s().-]", "", address)
        if _PHONE.match(digits):
            return digits
        raise InputError(
            f"{address!r} is neither a phone number in +15551234567 form nor a carrier's email-to-SMS address"
        )
    raise InputError(f"{address!r} is not an email address (for a phone number, add --sms)")


class Outbound:
    """Recipients, the outbox, and the events' messages (queued in the caller's transaction)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        session: Session | None = None,
        audit: AuditTrail | None = None,
    ):
        self._store = store
        self._settings = settings
        self._session = session
        self._audit = audit

    # --- recipients ---------------------------------------------------------------------------------
    def add(
        self,
        address: str,
        events: tuple[str, ...] | str,
        *,
        name: str = "",
        sms: bool = False,
        origin: str = "school",
    ) -> Recipient:
        """Add a recipient, or replace the events, name and kind of one already there. Audited."""
        self._require()
        if isinstance(events, str):
            events = parse_events(events)
        else:
            events = parse_events(",".join(events))
        address = check_address(address, sms)
        with self._transaction() as db:
            row = db.execute("SELECT id, origin FROM notify_recipients WHERE address = ?", [address]).fetchone()
            if row is not None:
                self._may_change(row[1], address, origin)
                db.execute(
                    "UPDATE notify_recipients SET name = ?, sms = ?, events = ?, origin = ? WHERE id = ?",
                    [name.strip(), int(sms), ",".join(events), origin, row[0]],
                )
            else:
                db.execute(
                    "INSERT INTO notify_recipients (address, name, sms, events, origin, username, added_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [address, name.strip(), int(sms), ",".join(events), origin, None, clock.to_db(clock.now())],
                )
            self._record(
                "notify.recipient_add",
                address,
                {"events": list(events), "sms": sms, "name": name.strip(), "origin": origin},
            )
        return self.recipient(address)

    def remove(self, address: str) -> Recipient:
        """Remove a recipient (what is already queued for them is still sent). Audited."""
        self._require()
        recipient = self.recipient(address)
        with self._transaction() as db:
            self._may_change(recipient.origin, recipient.address, "school")
            db.execute("DELETE FROM notify_recipients WHERE id = ?", [recipient.id])
            self._record("notify.recipient_remove", recipient.address, {"events": list(recipient.events)})
        return recipient

    def set_district_defaults(self, recipients: list[tuple[str, str, bool, str]]) -> int:
        """The hub's hook (issue 14): the district's recipients ``(address, events, sms, name)`` replace the
        district's earlier ones; the school's own rows are left alone. Returns how many there are now."""
        with self._transaction() as db:
            db.execute("DELETE FROM notify_recipients WHERE origin = 'district'")
            for address, events, sms, name in recipients:
                address = check_address(address, sms)
                db.execute(
                    "INSERT INTO notify_recipients (address, name, sms, events, origin, added_at) VALUES "
                    "(?, ?, ?, ?, 'district', ?) ON CONFLICT(address) DO NOTHING",
                    [address, name, int(sms), ",".join(parse_events(events)), clock.to_db(clock.now())],
                )
            self._record("notify.district_defaults", "district", {"recipients": len(recipients)})
        return len(recipients)

    def recipients(self) -> list[Recipient]:
        """Every recipient, by address."""
        rows = self._store.db.execute(
            "SELECT id, address, name, sms, events, origin, username FROM notify_recipients ORDER BY address"
        ).fetchall()
        return [_recipient(r) for r in rows]

    def recipient(self, address: str) -> Recipient:
        """One recipient by address (NotFoundError if none)."""
        row = self._store.db.execute(
            "SELECT id, address, name, sms, events, origin, username FROM notify_recipients WHERE address = ?",
            [re.sub(r"[\s().-]", "", address) if address.strip().startswith("+") else address.strip()],
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No recipient {address!r}; 'frontdesk notify list' shows them")
        return _recipient(row)

    def subscribers(self, event: str) -> list[Recipient]:
        """The recipients of one event."""
        return [r for r in self.recipients() if event in r.events]

    # --- the outbox ---------------------------------------------------------------------------------
    def enqueue(
        self,
        event: str,
        subject: str,
        text: str,
        *,
        key: str = "",
        attachment_name: str | None = None,
        attachment: bytes | None = None,
        to: list[Recipient] | None = None,
    ) -> int:
        """Queue ``text`` for every subscriber of ``event`` (or ``to``), inside the caller's transaction.

        ``key`` names "the same event" for grouping (default: the text itself). Returns how many messages
        were queued (grouped ones are counted on their first message instead).
        """
        recipients = self.subscribers(event) if to is None else to
        if not recipients:
            return 0
        key = f"{event}:{key or text}"
        now = clock.now()
        window = clock.to_db(now - timedelta(minutes=max(0, self._settings.get(NOTIFY_GROUP_MINUTES))))
        queued = 0
        with self._transaction() as db:
            for r in recipients:
                earlier = db.execute(
                    "SELECT id FROM notify_outbox WHERE group_key = ? AND address = ? AND created >= ? "
                    "ORDER BY id LIMIT 1",
                    [key, r.address, window],
                ).fetchone()
                if earlier is not None:
                    db.execute("UPDATE notify_outbox SET repeats = repeats + 1 WHERE id = ?", [earlier[0]])
                    continue
                db.execute(
                    "INSERT INTO notify_outbox (created, event, group_key, recipient_id, address, sms, subject, "
                    "body, attachment_name, attachment, next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        clock.to_db(now),
                        event,
                        key,
                        r.id or None,
                        r.address,
                        int(r.sms),
                        subject,
                        text,
                        attachment_name,
                        attachment,
                        clock.to_db(now),
                    ],
                )
                queued += 1
            if queued:
                self._record("notify.queue", event, {"subject": subject, "to": [r.address for r in recipients]})
        return queued

    def deliveries(self, limit: int = 200, state: str | None = None) -> list[Delivery]:
        """The newest messages first (or those in one state)."""
        sql = f"SELECT {_DELIVERY} FROM notify_outbox"
        params: list[object] = []
        if state is not None:
            sql += " WHERE state = ?"
            params.append(state)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return [_delivery(r) for r in self._store.db.execute(sql, params).fetchall()]

    def pending(self) -> int:
        """How many messages are still queued."""
        return self._store.db.execute("SELECT count(*) FROM notify_outbox WHERE state = 'queued'").fetchone()[0]

    def problems(self) -> list[Delivery]:
        """Messages refused or failed in the last day: the desk shows them until someone looks."""
        since = clock.to_db(clock.now() - timedelta(days=1))
        rows = self._store.db.execute(
            f"SELECT {_DELIVERY} FROM notify_outbox WHERE state IN ('refused', 'failed') AND created >= ? "
            "ORDER BY id DESC",
            [since],
        ).fetchall()
        return [_delivery(r) for r in rows]

    # --- the events ---------------------------------------------------------------------------------
    def where(self) -> str:
        """This desk in words: ``Maple Grove front desk``."""
        school, station = self._settings.get(SCHOOL_NAME).strip(), self._settings.get(STATION_NAME).strip()
        return " ".join(p for p in (school, station) if p) or "the front desk"

    def match_confirmed(
        self, kind: str, listed_name: str, source: str, *, admitted: bool, staff: str, when: datetime
    ) -> int:
        """A confirmed barred, registry or custody match (event ``match``)."""
        subject, text = words.match(kind, self.where(), when, listed_name, source, admitted, staff)
        # The same person confirmed again (a second try at the door) within the window is one message.
        return self.enqueue(MATCH, subject, text, key=f"{kind}:{listed_name}:{source}:{admitted}")

    def watch_confirmed(self, listed_name: str, source: str, *, staff: str, when: datetime) -> int:
        """A confirmed watch-list visitor, admitted (event ``watch``)."""
        subject, text = words.watch(self.where(), when, listed_name, source, staff)
        return self.enqueue(WATCH, subject, text, key=f"{listed_name}:{source}")

    def release_refused(self, adult: str, *, staff: str, when: datetime | None = None, ref: str = "") -> int:
        """A student release refused (event ``release-refused``): the students feature calls this inside
        the transaction that records the refusal. Never pass a child's name: the message carries none."""
        subject, text = words.release_refused(self.where(), when or clock.now(), adult, staff)
        return self.enqueue(RELEASE_REFUSED, subject, text, key=ref or text)

    def panic_pressed(
        self, action: str, mode: str, *, staff: str, status: str, incident: str, when: datetime
    ) -> int:
        """A panic alert pressed at this school (event ``panic``): one message per incident and action."""
        subject, text = words.panic(self.where(), when, action, mode, staff, status)
        return self.enqueue(PANIC, subject, text, key=f"{incident}:{action}:{mode}")

    def all_clear(self, *, staff: str, incident: str, when: datetime) -> int:
        """The all clear of an alert pressed at this school (event ``panic``)."""
        subject, text = words.all_clear(self.where(), when, staff)
        return self.enqueue(PANIC, subject, text, key=f"{incident}:clear")

    def desk_offline(self, desk: str, since: datetime, now: datetime | None = None) -> int:
        """The hub's hook (issue 14, not built yet): a desk silent since ``since``. Queues only past an
        hour, and once per silence however often the hub asks."""
        if (now or clock.now()) - since < OFFLINE_AFTER:
            return 0
        subject, text = words.desk_offline(desk, since)
        return self.enqueue(DESK_OFFLINE, subject, text, key=f"{desk}:{clock.to_db(since)}")

    def checks_expiring(self, count: int, soonest, *, period: str = "") -> int:
        """The volunteers feature's hook (issue 18): ``count`` background checks expire soon, the first on
        ``soonest`` (a date). ``period`` (e.g. the ISO week) keeps it to one message per period."""
        if count <= 0:
            return 0
        subject, text = words.checks_expiring(self.where(), count, soonest)
        return self.enqueue(CHECKS_EXPIRING, subject, text, key=period or f"{soonest}:{count}")

    def queue_test(self) -> int:
        """A test message to every recipient (``frontdesk notify test``)."""
        self._require()
        subject, text = words.test(self.where(), clock.now())
        return self.enqueue(TEST, subject, text, key=clock.to_db(clock.now()), to=self.recipients())

    # --- helpers ------------------------------------------------------------------------------------
    def _require(self) -> None:
        if self._session is not None:
            self._session.require(Action.CHANGE_SETTINGS)

    def _may_change(self, origin: str, address: str, by: str) -> None:
        if origin == "district" and by != "district" and not self._settings.get(NOTIFY_SCHOOL_OVERRIDES):
            raise PermissionDenied(
                f"{address} is one of the district's recipients, and the district does not let schools change "
                "them (notify.school_overrides)",
                code="district_recipient",
            )

    def transaction(self):
        """A transaction for several :meth:`enqueue` calls (it joins one already open)."""
        if self._audit is not None:
            return self._audit.transaction()
        return self._store.transaction()

    _transaction = transaction

    def queued_before(self, event: str, key: str) -> bool:
        """True when a message of ``event`` with ``key`` was ever queued here (a once-only event)."""
        row = self._store.db.execute(
            "SELECT 1 FROM notify_outbox WHERE group_key = ? LIMIT 1", [f"{event}:{key}"]
        ).fetchone()
        return row is not None

    def _record(self, action: str, subject: str, details: dict) -> None:
        if self._audit is not None:
            self._audit.record(None, action, subject, details)


_DELIVERY = (
    "id, created, event, address, sms, subject, body, state, attempts, next_attempt, last_error, sent_at, "
    "repeats, attachment_name"
)


def _recipient(r: tuple) -> Recipient:
    return Recipient(r[0], r[1], r[2], bool(r[3]), tuple(e for e in r[4].split(",") if e), r[5], r[6])


def _delivery(r: tuple) -> Delivery:
    return Delivery(
        id=r[0],
        created=clock.from_db(r[1]),  # type: ignore[arg-type]
        event=r[2],
        address=r[3],
        sms=bool(r[4]),
        subject=r[5],
        body=r[6],
        state=r[7],
        attempts=r[8],
        next_attempt=clock.from_db(r[9]),  # type: ignore[arg-type]
        last_error=r[10],
        sent_at=clock.from_db(r[11]),
        repeats=r[12],
        attachment_name=r[13],
    )
