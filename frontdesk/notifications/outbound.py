"""Email and text notifications: who subscribes to what, and the durable outbox the sender empties.

An event is queued with :meth:`Outbound.enqueue` *inside the transaction of the event that caused it* (it
joins an open one): if the desk dies a moment later, the message is in the file and the next sender (the
desk window's, or ``frontdesk notify drain``) sends it. One row per subscribed recipient; the same event
again (its ``key``) for the same address within ``notify.group_minutes`` is counted on the first row
(``repeats``) instead of becoming another message, so a flood is one message. The sender
(:mod:`frontdesk.notifications.sender`) marks each row ``sent``, ``refused`` (the server said no for
good), or, after ``notify.give_up_hours`` of retries, ``failed``; each of those is audited.

Who is told is a set of rules, each a target (an address, ``role:principal`` for every active principal's
account, or ``account:j.rivera``) and its events. The district's rules (:meth:`Outbound.set_district_rules`,
fed by the hub's district settings, ``notify.rules``) apply at every school; a school's own rule for the
same target overrides the district's (with no events it switches it off here) unless the district locked
that rule. A rule naming a role or an account is resolved when an event is queued, so a principal whose
email is added today gets the next event (:meth:`Outbound.subscribers`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from frontdesk import clock
from frontdesk.access.roles import Action
from frontdesk.errors import InputError, NotFoundError, PermissionDenied
from frontdesk.notifications import words
from frontdesk.settings import (
    NOTIFY_GROUP_MINUTES,
    NOTIFY_LINK_BASE,
    SCHOOL_NAME,
    STATION_NAME,
    Settings,
)
from frontdesk.store import Store
from frontdesk.wire.mail import check_phone, is_email, parse_rules

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.audit import AuditTrail
    from frontdesk.notifications.deliveries import Delivery  # with the first read of the outbox

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

ROLES = ("desk", "principal", "admin")  # the accounts' roles a rule may name (frontdesk.access.roles.Role)
# The district setting that carries the district's rules (served by the hub's district settings).
DISTRICT_RULES_KEY = "notify.rules"


@dataclass(frozen=True)
class Recipient:
    """A notification rule (who is told of which events), or one concrete address it resolved to.

    ``address`` is the rule's target: an email address, a phone number or gateway address (``sms``), or
    ``role:principal`` / ``account:j.rivera`` (every active account of that role, or that account: its
    email, and with ``sms`` its mobile too). ``origin``: ``school`` or ``district``. ``locked``: a district
    rule the school may not override. ``overrides``: a school rule standing in for the district's rule on
    the same target (no events: the district's rule is switched off at this school).
    """

    id: int
    address: str
    name: str
    sms: bool
    events: tuple[str, ...]
    origin: str  # "school" or "district"
    username: str | None = None
    locked: bool = False
    overrides: bool = False


class Contact(Protocol):
    """What a rule naming a role or an account resolves to (the accounts feature's ``Contact``)."""

    username: str
    display_name: str
    email: str
    mobile: str


# ``contacts(role=..., username=...)``: the accounts feature's lookup, passed in by the composition root
# (notifications and accounts are siblings and do not import each other).
Contacts = Callable[..., list[Contact]]


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
    if is_email(address):
        return address
    if sms:
        try:
            return check_phone(address)
        except InputError:
            raise InputError(
                f"{address!r} is neither a phone number in +15551234567 form nor a carrier's email-to-SMS address"
            ) from None
    raise InputError(f"{address!r} is not an email address (for a phone number, add --sms)")


def check_target(target: str, sms: bool) -> str:
    """A rule's target: ``role:ROLE``, ``account:USERNAME`` (or ``user:``), or an address."""
    target = target.strip()
    kind, sep, rest = target.partition(":")
    if sep and kind.lower() == "role":
        role = rest.strip().lower()
        if role not in ROLES:
            raise InputError(f"Unknown role {rest!r} in {target!r}; one of: {', '.join(ROLES)}")
        return f"role:{role}"
    if sep and kind.lower() in ("account", "user"):
        username = rest.strip().lower()
        if not username or not all(c.isalnum() or c in "._-" for c in username):
            raise InputError(f"{target!r} does not name an account (account:j.rivera)")
        return f"account:{username}"
    return check_address(target, sms)


class Outbound:
    """Recipients, the outbox, and the events' messages (queued in the caller's transaction)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        session: Session | None = None,
        audit: AuditTrail | None = None,
        contacts: Contacts | None = None,
    ):
        self._store = store
        self._settings = settings
        self._session = session
        self._audit = audit
        self._contacts = contacts

    # --- rules: the school's own, and the district's defaults -----------------------------------------
    def add(
        self,
        address: str,
        events: tuple[str, ...] | str,
        *,
        name: str = "",
        sms: bool = False,
        origin: str = "school",
    ) -> Recipient:
        """Add a rule for a target (an address, ``role:ROLE`` or ``account:USERNAME``), or change the one
        there. A target the district has a rule for is overridden at this school, unless the district
        locked it (PermissionDenied). Audited."""
        self._require()
        if origin != "school":
            raise InputError("The district's rules come from the district (set_district_rules)")
        events = parse_events(events if isinstance(events, str) else ",".join(events))
        target = check_target(address, sms)
        self._check_account(target)
        district = self._district_rule(target)
        if district is not None and district.locked:
            raise self._locked(target)
        with self._transaction() as db:
            row = db.execute("SELECT id FROM notify_recipients WHERE address = ?", [target]).fetchone()
            if row is not None:
                db.execute(
                    "UPDATE notify_recipients SET name = ?, sms = ?, events = ? WHERE id = ?",
                    [name.strip(), int(sms), ",".join(events), row[0]],
                )
            else:
                db.execute(
                    "INSERT INTO notify_recipients (address, name, sms, events, origin, username, added_at) "
                    "VALUES (?, ?, ?, ?, 'school', ?, ?)",
                    [
                        target,
                        name.strip(),
                        int(sms),
                        ",".join(events),
                        _username(target),
                        clock.to_db(clock.now()),
                    ],
                )
            self._record(
                "notify.recipient_add",
                target,
                {
                    "events": list(events),
                    "sms": sms,
                    "name": name.strip(),
                    "origin": "school",
                    "overrides_district": district is not None,
                },
            )
        return self.recipient(target)

    def remove(self, address: str) -> Recipient:
        """Remove the school's rule for a target (what is already queued is still sent). When the target is
        the district's, the district's default applies again; removing a district rule the school has not
        overridden switches it off at this school, unless the district locked it. Audited."""
        self._require()
        rule = self.recipient(address)
        district = self._district_rule(rule.address)
        if district is not None and district.locked:
            raise self._locked(rule.address)
        with self._transaction() as db:
            if rule.origin == "school":
                db.execute("DELETE FROM notify_recipients WHERE address = ?", [rule.address])
                self._record(
                    "notify.recipient_remove",
                    rule.address,
                    {"events": list(rule.events), "district_default_again": district is not None},
                )
            else:  # the district's, not overridden yet: an override with no events switches it off here
                db.execute(
                    "INSERT INTO notify_recipients (address, name, sms, events, origin, username, added_at) "
                    "VALUES (?, ?, ?, '', 'school', ?, ?)",
                    [rule.address, rule.name, int(rule.sms), _username(rule.address), clock.to_db(clock.now())],
                )
                self._record("notify.district_rule_off", rule.address, {"events": list(rule.events)})
        return rule

    def set_district_rules(self, rules: list[dict[str, Any]], *, locked: bool = False) -> int:
        """The district's rules (what the hub's district settings carry under ``notify.rules``) replace the
        district's earlier ones; the school's overrides are kept. Each rule: ``{"to": target, "events":
        [...] or "a,b", "sms": bool, "name": str, "locked": bool}``; ``locked`` here locks them all.
        Checked as a whole (InputError names the bad rule; nothing changes). Audited. Returns the count."""
        checked = []
        for i, rule in enumerate(rules):
            try:
                sms = bool(rule.get("sms", False))
                target = check_target(str(rule["to"]), sms)
                events = rule.get("events", "")
                events = parse_events(events if isinstance(events, str) else ",".join(events))
            except (KeyError, TypeError, AttributeError, InputError) as exc:
                why = exc.message if isinstance(exc, InputError) else f"missing or malformed {exc}"
                raise InputError(f"District notification rule {i + 1}: {why}") from None
            checked.append(
                (target, str(rule.get("name", "")).strip(), sms, events, locked or bool(rule.get("locked")))
            )
        now = clock.to_db(clock.now())
        held_sql = "SELECT target, name, sms, events, locked FROM notify_district_rules"
        wanted = [(t, n, int(m), ",".join(e), int(k)) for t, n, m, e, k in checked]
        if sorted(tuple(r) for r in self._store.db.execute(held_sql).fetchall()) == sorted(wanted):
            return len(checked)  # the same rules again (every sync round): read only, no write lock
        with self._transaction() as db:
            held = db.execute(held_sql).fetchall()
            if sorted(tuple(r) for r in held) == sorted(wanted):
                return len(checked)  # the hub sent the same rules again (every sync round): nothing to record
            db.execute("DELETE FROM notify_district_rules")
            for target, name, sms, events, lock in checked:
                db.execute(
                    "INSERT INTO notify_district_rules (target, name, sms, events, locked, received_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(target) DO UPDATE SET name = excluded.name, "
                    "sms = excluded.sms, events = excluded.events, locked = excluded.locked",
                    [target, name, int(sms), ",".join(events), int(lock), now],
                )
            self._record(
                "notify.district_rules",
                "district",
                {"rules": [{"to": t, "events": list(e), "sms": m, "locked": k} for t, _, m, e, k in checked]},
            )
        return len(checked)

    def apply_district_settings(self, document: dict[str, Any]) -> int | None:
        """Take the district's rules from a district-settings document as the hub serves it:
        ``{"settings": {"notify.rules": {"value": [rule, ...], "locked": bool}}}`` (the bare inner mapping
        works too); the value is a list of rules or one line of text (:func:`frontdesk.wire.mail.parse_rules`).
        None when the document carries no ``notify.rules`` (the district's earlier rules stay)."""
        settings = document.get("settings", document)
        if not isinstance(settings, dict) or DISTRICT_RULES_KEY not in settings:
            return None
        entry = settings[DISTRICT_RULES_KEY]
        if not isinstance(entry, dict):
            entry = {"value": entry}
        # A list of rules, or the same as one line of text (what the hub's district settings carry).
        return self.set_district_rules(parse_rules(entry.get("value")), locked=bool(entry.get("locked", False)))

    def load_district_file(self, path: str) -> int | None:
        """A district-settings document from a file (the stand-in for the hub's answer; see the README)."""
        try:
            with open(path, encoding="utf-8") as f:
                document = json.load(f)
        except (OSError, ValueError) as exc:
            raise InputError(f"Cannot read district settings from {path}: {exc}") from None
        if not isinstance(document, dict):
            raise InputError(f"{path} is not a district-settings document (a JSON object)")
        return self.apply_district_settings(document)

    def set_district_defaults(self, recipients: list[tuple[str, str, bool, str]]) -> int:
        """The district's recipients as ``(address, events, sms, name)`` (unlocked): :meth:`set_district_rules`."""
        return self.set_district_rules([{"to": a, "events": e, "sms": s, "name": n} for a, e, s, n in recipients])

    def recipients(self) -> list[Recipient]:
        """Every rule in force at this school (roles and accounts first, then by address): the district's
        (unless overridden here, or locked) and the school's own. An override with no events is listed too
        (the district's rule is off here)."""
        district = {r.address.lower(): r for r in self._district_rules()}
        rules: dict[str, Recipient] = {}
        for row in self._store.db.execute(
            "SELECT id, address, name, sms, events, origin, username FROM notify_recipients"
        ).fetchall():
            school = _recipient(row)
            theirs = district.get(school.address.lower())
            if theirs is not None and theirs.locked:
                continue  # a locked district rule wins over a row kept from before the lock
            rules[school.address.lower()] = replace(school, origin="school", overrides=theirs is not None)
        for key, rule in district.items():
            rules.setdefault(key, rule)
        # Roles and accounts first (the people of the school), then addresses.
        return sorted(
            rules.values(), key=lambda r: (not r.address.startswith(("role:", "account:")), r.address.lower())
        )

    def recipient(self, address: str) -> Recipient:
        """One rule in force by its target (NotFoundError if none)."""
        text = address.strip()
        try:
            key = check_target(text, text.startswith("+"))
        except InputError:
            key = text
        for rule in self.recipients():
            if rule.address.lower() == key.lower():
                return rule
        raise NotFoundError(f"No recipient {address!r}; 'frontdesk notify list' shows them")

    def subscribers(self, event: str) -> list[Recipient]:
        """The concrete addresses told of ``event``: each rule's address, or the email (and, with ``sms``,
        the mobile number) of every active account its role or account names. An account without an
        email or mobile is skipped (nothing to send to); one address is told once."""
        found: dict[tuple[str, bool], Recipient] = {}
        for rule in self.recipients():
            if event not in rule.events:
                continue
            for r in self._expand(rule):
                found.setdefault((r.address.lower(), r.sms), r)
        return list(found.values())

    def _expand(self, rule: Recipient) -> list[Recipient]:
        kind, _, value = rule.address.partition(":")
        if kind not in ("role", "account") or is_email(rule.address):
            return [rule]
        if self._contacts is None:
            return []
        people = self._contacts(role=value) if kind == "role" else self._contacts(username=value)
        out = []
        for person in people:
            base = replace(rule, name=person.display_name, username=person.username)
            if person.email:
                out.append(replace(base, address=person.email, sms=False))
            if rule.sms and person.mobile:
                out.append(replace(base, address=person.mobile, sms=True))
        return out

    def _district_rules(self) -> list[Recipient]:
        rows = self._store.db.execute(
            "SELECT rowid, target, name, sms, events, locked FROM notify_district_rules"
        ).fetchall()
        return [
            Recipient(
                id=0,  # not a row of notify_recipients: the outbox keeps no recipient id for it
                address=r[1],
                name=r[2],
                sms=bool(r[3]),
                events=tuple(e for e in r[4].split(",") if e),
                origin="district",
                username=_username(r[1]),
                locked=bool(r[5]),
            )
            for r in rows
        ]

    def _district_rule(self, target: str) -> Recipient | None:
        return next((r for r in self._district_rules() if r.address.lower() == target.lower()), None)

    def _check_account(self, target: str) -> None:
        username = _username(target)
        if username is not None and self._contacts is not None and not self._contacts(username=username):
            raise NotFoundError(f"No active staff account {username!r}; 'frontdesk users list' shows them")

    @staticmethod
    def _locked(target: str) -> PermissionDenied:
        return PermissionDenied(
            f"{target} is one of the district's notification rules, and the district locked it: "
            "ask the district to change it",
            code="district_recipient",
        )

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
        link: str = "",
    ) -> int:
        """Queue ``text`` for every subscriber of ``event`` (or ``to``), inside the caller's transaction.

        ``key`` names "the same event" for grouping (default: the text itself). ``link`` (a web address, see
        :meth:`link`) ends the emails, never the texts. Returns how many messages were queued (grouped ones
        are counted on their first message instead).
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
                # Within the last minutes, not "stamped since": one stamped by a clock that ran ahead (set right
                # since) would otherwise swallow every repeat until the clock caught up with it.
                # A barred match confirmed again once its first message went is a message of its own: the person
                # came back, and a count on a message already sent is read by no one. Only repeats while it waits
                # are counted on it (a match is confirmed by a person at the desk: no storm).
                waiting = " AND state = 'queued'" if event == MATCH else ""
                earlier = db.execute(
                    "SELECT id FROM notify_outbox WHERE group_key = ? AND address = ? AND created >= ? "
                    f"AND created <= ?{waiting} ORDER BY id LIMIT 1",
                    [key, r.address, window, clock.to_db(now)],
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
                        words.with_link(text, link) if not r.sms else text,
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
        from frontdesk.notifications.deliveries import COLUMNS, from_row

        sql = f"SELECT {COLUMNS} FROM notify_outbox"
        params: list[object] = []
        if state is not None:
            sql += " WHERE state = ?"
            params.append(state)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return [from_row(r) for r in self._store.db.execute(sql, params).fetchall()]

    def pending(self) -> int:
        """How many messages are still queued."""
        return self._store.db.execute("SELECT count(*) FROM notify_outbox WHERE state = 'queued'").fetchone()[0]

    def problems(self) -> list[Delivery]:
        """Messages refused or failed in the last day: the desk shows them until someone looks."""
        from frontdesk.notifications.deliveries import COLUMNS, from_row

        rows = self._store.db.execute(
            f"SELECT {COLUMNS} FROM notify_outbox WHERE {_PROBLEM} ORDER BY id DESC", [self._problems_since()]
        ).fetchall()
        return [from_row(r) for r in rows]

    def problem_count(self) -> int:
        """How many messages :meth:`problems` lists (the status bar's count, from the desk's first screen on,
        without reading the messages)."""
        sql = f"SELECT count(*) FROM notify_outbox WHERE {_PROBLEM}"
        return self._store.db.execute(sql, [self._problems_since()]).fetchone()[0]

    @staticmethod
    def _problems_since() -> str:
        return clock.to_db(clock.now() - timedelta(days=1))

    # --- the events ---------------------------------------------------------------------------------
    def where(self) -> str:
        """This desk in words: ``Maple Grove front desk``."""
        school, station = self._settings.get(SCHOOL_NAME).strip(), self._settings.get(STATION_NAME).strip()
        return " ".join(p for p in (school, station) if p) or "the front desk"

    def link(self, screen: str, day: date | None = None) -> str:
        """The web address of a hub screen for an event (``log``: the school's day on the hub; ``board``: the
        live alert board), from ``notify.link_base``; empty when no base is set. The address carries the
        school's name and a date, never a person's."""
        base = self._settings.get(NOTIFY_LINK_BASE).strip()
        if not base:
            return ""
        return words.link(base, screen, self._settings.get(SCHOOL_NAME).strip(), day)

    def match_confirmed(
        self, kind: str, listed_name: str, source: str, *, admitted: bool, staff: str, when: datetime
    ) -> int:
        """A confirmed barred, registry or custody match (event ``match``)."""
        subject, text = words.match(kind, self.where(), when, listed_name, source, admitted, staff)
        # The same person confirmed again (a second try at the door) within the window is one message.
        return self.enqueue(
            MATCH,
            subject,
            text,
            key=f"{kind}:{listed_name}:{source}:{admitted}",
            link=self.link(words.LOG, when.astimezone().date()),
        )

    def watch_confirmed(self, listed_name: str, source: str, *, staff: str, when: datetime) -> int:
        """A confirmed watch-list visitor, admitted (event ``watch``)."""
        subject, text = words.watch(self.where(), when, listed_name, source, staff)
        return self.enqueue(
            WATCH,
            subject,
            text,
            key=f"{listed_name}:{source}",
            link=self.link(words.LOG, when.astimezone().date()),
        )

    def release_refused(self, adult: str, *, staff: str, when: datetime | None = None, ref: str = "") -> int:
        """A student release refused (event ``release-refused``): the students feature calls this inside
        the transaction that records the refusal. Never pass a child's name: the message carries none."""
        when = when or clock.now()
        subject, text = words.release_refused(self.where(), when, adult, staff)
        return self.enqueue(
            RELEASE_REFUSED, subject, text, key=ref or text, link=self.link(words.LOG, when.astimezone().date())
        )

    def panic_pressed(
        self, action: str, mode: str, *, staff: str, status: str, incident: str, when: datetime
    ) -> int:
        """A panic alert pressed at this school (event ``panic``): one message per incident and action."""
        subject, text = words.panic(self.where(), when, action, mode, staff, status)
        return self.enqueue(
            PANIC, subject, text, key=_panic_key(incident, action, mode), link=self.link(words.BOARD)
        )

    def panic_followed_up(self, incident: str, action: str, mode: str, what: str) -> bool:
        """True when the follow-up ``what`` (``not_delivered``, ``rejected``, ``late``) of this incident's
        ``action`` in ``mode`` was queued before."""
        return self.queued_before(PANIC, f"{_panic_key(incident, action, mode)}:{what}")

    def panic_follow_up(
        self,
        what: str,
        *,
        incident: str,
        action: str,
        mode: str,
        when: datetime,
        numbers: str = "",
        waited: str = "",
        received: datetime | None = None,
    ) -> int:
        """What became of an alert whose press was told as "being sent" (event ``panic``): ``not_delivered``
        (dispatch has not received it after ``waited``), ``rejected`` (dispatch refused it) or ``late`` (one
        told not delivered has now reached dispatch, at ``received``)."""
        where = self.where()
        if what == "not_delivered":
            subject, text = words.panic_not_delivered(where, when, action, mode, waited, numbers)
        elif what == "rejected":
            subject, text = words.panic_rejected(where, when, action, mode, numbers)
        elif what == "late":
            assert received is not None
            subject, text = words.panic_delivered_late(where, when, action, mode, received)
        else:
            raise ValueError(what)
        key = f"{_panic_key(incident, action, mode)}:{what}"
        return self.enqueue(PANIC, subject, text, key=key, link=self.link(words.BOARD))

    def all_clear(self, *, staff: str, incident: str, when: datetime) -> int:
        """The all clear of an alert pressed at this school (event ``panic``)."""
        subject, text = words.all_clear(self.where(), when, staff)
        return self.enqueue(PANIC, subject, text, key=_panic_key(incident, "clear"), link=self.link(words.BOARD))

    def panic_queued(self, incident: str, action: str, mode: str = "") -> bool:
        """True when the ``panic`` message of this incident's ``action`` (``clear``: its all clear) was queued
        here before (the station queues again what a program that ended could not)."""
        return self.queued_before(PANIC, _panic_key(incident, action, mode))

    def desk_offline(self, desk: str, since: datetime, now: datetime | None = None) -> int:
        """This desk's own watch of its dispatch link: silent since ``since``. Queues only past an hour, and
        once per silence however often it is asked. (The hub's own notice is :mod:`district.hub.notify`.)"""
        if (now or clock.now()) - since < OFFLINE_AFTER:
            return 0
        subject, text = words.desk_offline(desk, since)
        return self.enqueue(
            DESK_OFFLINE, subject, text, key=f"{desk}:{clock.to_db(since)}", link=self.link(words.BOARD)
        )

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


# A message refused or failed in the last day (its ``created`` at or after the one parameter), and a panic or a
# barred match not delivered at its first try: still being retried, but nobody is being told of it now.
_PROBLEM = (
    "(state IN ('refused', 'failed') OR (state = 'queued' AND attempts > 0 AND event IN ('panic', 'match'))) "
    "AND created >= ?"
)


def _recipient(r: tuple) -> Recipient:
    return Recipient(r[0], r[1], r[2], bool(r[3]), tuple(e for e in r[4].split(",") if e), r[5], r[6])


def _panic_key(incident: str, action: str, mode: str = "") -> str:
    return f"{incident}:{action}:{mode}" if mode else f"{incident}:{action}"


def _username(target: str) -> str | None:
    return target.partition(":")[2] if target.startswith("account:") else None
