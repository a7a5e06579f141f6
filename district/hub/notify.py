"""The hub's desk-offline notice (issue 20): a desk silent too long during school hours is emailed about.

The hub knows each desk's last contact (``stations.last_seen``, written from its heartbeats). Every
``interval`` seconds, during school hours, a desk whose silence *within today's school hours* has lasted
``offline_minutes`` is told to the district's recipients by email, once per silence: a desk switched off
overnight is reported only when it has not come back ``offline_minutes`` after opening time. Each silence is
a row of ``hub_notify_offline`` keyed on (station, last_seen), claimed by moving its ``next_try``, so two
consoles (or workers) on one database tell it once, and a console restarted mid-way neither forgets nor
repeats it. A desk that comes back before the email went is not told about; a mail server that is away is
retried with backoff for a day, then the row is ``failed``. Every outcome is in the console's log
(``notify.desk_offline``, ``notify.desk_offline_failed``).

**Desks on an older FrontDesk** (session 25). The hub keeps the level of its school's shared records each desk
takes (``hub_desks.takes``, from its pulls: :mod:`frontdesk.wire.sync`); a desk of a release that does not take
some of them screens a person barred at the school's other desks clear. In the same rounds (at any hour), the hub
notes each desk (not revoked) whose level misses other kinds than district IT was last told (a desk never told
of counts as up to date) as a row of ``hub_notify_older`` (one per change: ``n`` = 1, 2, 3 … for each desk), and
emails the same recipients: once when the desk is first seen older, again only if what it misses changes, and
"now updated" when it catches up, each with when it last synced and what to do (update it, or revoke it if the PC
is gone). A row whose desk changed again before it went, or was revoked, or is back where district IT last heard
it was, is not sent (``superseded``, ``revoked``, ``unchanged``). Rows are claimed, retried and given up as the
offline notice's. In the console's log: ``notify.desk_older``, ``notify.desk_updated``,
``notify.desk_older_failed``. Nothing of this is on a sync request's path: the pull only keeps the level, as it
did before.

The hub may not import the desk's notifications: the message format and the one SMTP sender are shared
through :mod:`frontdesk.wire.smtp` (the notice's words through :mod:`frontdesk.wire.mail`).

Configuration: a JSON file named by ``FRONTDESK_HUB_NOTIFY`` (nothing runs without it)::

    {"smtp_server": "smtp.district.example:587", "smtp_security": "starttls", "smtp_user": "hub@district.example",
     "smtp_password_file": "/etc/frontdesk/smtp-password", "smtp_ca_file": "", "from": "hub@district.example",
     "recipients": ["security@district.example"], "offline_minutes": 60,
     "school_hours": "07:00-17:00", "school_days": "mon-fri", "timezone": "America/Chicago",
     "link_base": "https://hub.district.example", "interval_seconds": 60}

The password comes from ``smtp_password_file`` or the ``FRONTDESK_HUB_SMTP_PASSWORD`` environment variable,
never from the file itself. When the district settings of the hub (issue 15, ``/api/v1/district-settings``)
carry ``notify.rules``, their plain email addresses subscribed to ``desk-offline`` are told too (of both
notices: the desks' rules have no event of their own for an older desk): pass ``district_rules`` (a callable
returning that list) to :func:`background`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anyio

from district import clock
from district.console.auth import log
from district.console.db import Database
from district.errors import InputError
from frontdesk.errors import DeliveryError
from frontdesk.errors import InputError as WireInputError
from frontdesk.wire import sync as wire
from frontdesk.wire.mail import check_email, desk_offline_words, parse_rules
from frontdesk.wire.smtp import Envelope, Refused, SmtpChannel, SmtpConfig, is_loopback, parse_server

CONFIG_ENV = "FRONTDESK_HUB_NOTIFY"
PASSWORD_ENV = "FRONTDESK_HUB_SMTP_PASSWORD"
DESK_OFFLINE = "desk-offline"
GIVE_UP = timedelta(hours=24)
LEASE = timedelta(minutes=2)  # a console that claimed a row and died: another takes it after this
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class OfflineSettings:
    """What the notice needs: where to send, to whom, how long a silence, and when school is in."""

    smtp: SmtpConfig
    recipients: tuple[str, ...] = ()
    offline_after: timedelta = timedelta(hours=1)
    opens: time = time(7, 0)
    closes: time = time(17, 0)
    days: frozenset[int] = frozenset(range(5))  # Monday = 0
    tz: tzinfo | None = None  # None: this machine's
    link_base: str = ""
    interval: float = 60.0
    district_rules: Callable[[], list[dict[str, Any]] | str] | None = field(default=None, compare=False)

    def in_hours(self, now: datetime) -> bool:
        """True during school hours on a school day (in the district's time zone)."""
        local = now.astimezone(self.tz)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def opening(self, now: datetime) -> datetime:
        """Today's opening time (in the district's time zone), as an aware time."""
        local = now.astimezone(self.tz)
        return datetime.combine(local.date(), self.opens, tzinfo=local.tzinfo)

    def everyone(self) -> tuple[str, ...]:
        """The configured recipients and the district rules' plain addresses subscribed to desk-offline."""
        found = list(self.recipients)
        if self.district_rules is not None:
            with contextlib.suppress(Exception):  # the district's settings are a bonus, never a stop
                found += addresses_from_rules(self.district_rules())
        return tuple(dict.fromkeys(a.lower() for a in found))


def addresses_from_rules(rules: list[dict[str, Any]] | str) -> list[str]:
    """The plain email addresses of district notification rules (``notify.rules``) that name desk-offline.
    A rule naming a role or an account is the desks' to resolve (the hub does not know their accounts)."""
    found: list[str] = []
    try:
        rules = parse_rules(rules)
    except WireInputError:
        return found
    for rule in rules:
        events = rule.get("events", "")
        events = events.split(",") if isinstance(events, str) else list(events)
        to = str(rule.get("to", "")).strip()
        if DESK_OFFLINE in [e.strip() for e in events] and not rule.get("sms") and ":" not in to:
            with contextlib.suppress(Exception):
                found.append(check_email(to))
    return found


def _clock_time(text: str, what: str) -> time:
    try:
        hours, minutes = (int(p) for p in text.strip().split(":"))
        return time(hours, minutes)
    except (ValueError, TypeError):
        raise InputError(f"{what} must be HH:MM, not {text!r}") from None


def _days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, sep, last = part.partition("-")
        if first not in _DAYS or (sep and last not in _DAYS):
            raise InputError(f"school_days is like mon-fri or mon,wed,fri, not {text!r}")
        a, b = _DAYS.index(first), _DAYS.index(last if sep else first)
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(days)


def load_settings(path: str | Path, environ: dict[str, str] | None = None) -> OfflineSettings:
    """Read and check the hub's notice settings (InputError says what is wrong, in one line)."""
    environ = dict(os.environ if environ is None else environ)
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the hub's notification settings {path}: {exc}") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path} must hold a JSON object")
    password_file = str(raw.get("smtp_password_file", "")).strip()

    def password() -> str | None:
        if password_file:
            try:
                return Path(password_file).read_text(encoding="utf-8").strip() or None
            except OSError:
                return None
        return environ.get(PASSWORD_ENV) or None

    security = str(raw.get("smtp_security", "starttls"))
    server = str(raw.get("smtp_server", ""))
    if not server:
        raise InputError(f"{path}: smtp_server (host:port) is missing")
    host, _ = parse_server(server)
    if security not in ("starttls", "tls", "none"):
        raise InputError(f"{path}: smtp_security is starttls, tls or none, not {security!r}")
    if security == "none" and not is_loopback(host):
        raise InputError(f"{path}: smtp_security none is allowed only to a mail server on this machine")
    sender = str(raw.get("from", "")).strip()
    if not sender:
        raise InputError(f"{path}: from (who the notices come from) is missing")
    check_email(sender)
    recipients = tuple(check_email(str(a)) for a in raw.get("recipients", []))
    hours = str(raw.get("school_hours", "07:00-17:00"))
    opens_text, sep, closes_text = hours.partition("-")
    if not sep:
        raise InputError(f"{path}: school_hours is like 07:00-17:00, not {hours!r}")
    tz: tzinfo | None = None
    if raw.get("timezone"):
        try:
            tz = ZoneInfo(str(raw["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(f"{path}: unknown timezone {raw['timezone']!r}") from None
    try:
        offline_minutes = float(raw.get("offline_minutes", 60))
        interval = float(raw.get("interval_seconds", 60))
    except (TypeError, ValueError):
        raise InputError(f"{path}: offline_minutes and interval_seconds are numbers") from None
    return OfflineSettings(
        smtp=SmtpConfig(
            server=server,
            security=security,
            user=str(raw.get("smtp_user", "")),
            sender=sender,
            password=password,
            ca_file=str(raw.get("smtp_ca_file", "")),
        ),
        recipients=recipients,
        offline_after=timedelta(minutes=offline_minutes),
        opens=_clock_time(opens_text, "school_hours"),
        closes=_clock_time(closes_text, "school_hours"),
        days=_days(str(raw.get("school_days", "mon-fri"))),
        tz=tz,
        link_base=str(raw.get("link_base", "")).strip(),
        interval=max(0.1, interval),
    )


@dataclass(frozen=True)
class Told:
    """What one round did with one silence: ``sent``, ``queued`` (retry later), ``failed`` or ``back``."""

    station_id: str
    state: str
    error: str = ""


def check_once(db: Database, settings: OfflineSettings, now: datetime | None = None) -> list[Told]:
    """One round: note the desks silent too long (in school hours), then send what is due. Blocking."""
    now = now or clock.now()
    if settings.in_hours(now):
        _note_silences(db, settings, now)
    return [_send(db, settings, row, now) for row in _claim_due(db, now)]


def _note_silences(db: Database, settings: OfflineSettings, now: datetime) -> None:
    # Silent for offline_after counting from the later of the last contact and today's opening.
    opening = settings.opening(now)
    with db.transaction() as tx:
        rows = tx.all(
            "SELECT station_id, school, last_seen FROM stations "
            "WHERE revoked_at IS NULL AND last_seen IS NOT NULL AND last_seen < ?",
            [clock.to_db(now - settings.offline_after)],
        )
        for station_id, school, last_seen in rows:
            seen = clock.from_db(last_seen)
            assert seen is not None
            if now - max(seen, opening) < settings.offline_after:
                continue  # quiet since last night, but not yet offline_after into today's school hours
            tx.execute(
                "INSERT INTO hub_notify_offline (station_id, last_seen, school, next_try, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (station_id, last_seen) DO NOTHING",
                [station_id, last_seen, school, clock.to_db(now), clock.to_db(now)],
            )


def _claim_due(db: Database, now: datetime) -> list[tuple]:
    claimed = []
    with db.transaction() as tx:
        rows = tx.all(
            "SELECT n.station_id, n.last_seen, n.school, n.attempts, n.next_try, n.created_at, s.name, s.room, "
            "s.last_seen FROM hub_notify_offline n JOIN stations s ON s.station_id = n.station_id "
            "WHERE n.state = 'queued' AND n.next_try <= ? ORDER BY n.created_at",
            [clock.to_db(now)],
        )
        for row in rows:
            # Claimed by moving next_try past the lease: a second console reading the same row fails here.
            taken = tx.execute(
                "UPDATE hub_notify_offline SET next_try = ? "
                "WHERE station_id = ? AND last_seen = ? AND next_try = ? AND state = 'queued'",
                [clock.to_db(now + LEASE), row[0], row[1], row[4]],
            ).rowcount
            if taken == 1:
                claimed.append(row)
    return claimed


def _send(db: Database, settings: OfflineSettings, row: tuple, now: datetime) -> Told:
    station_id, last_seen, school, attempts, _, created_at, name, room, seen_now = row
    if seen_now != last_seen:  # the desk came back before the email went: nothing to tell
        return _finish(db, row, "back", "", now)
    recipients = settings.everyone()
    if not recipients:
        return _finish(db, row, "failed", "no recipients: set recipients in the hub's notification settings", now)
    since = clock.from_db(last_seen)
    assert since is not None
    desk = f"{school} {name}".strip() + (f" ({room})" if room else "")
    link = f"{settings.link_base.rstrip('/')}/" if settings.link_base else ""
    subject, text = desk_offline_words(desk, since, settings.tz, link)
    envelope = Envelope(
        to=", ".join(recipients),
        subject=subject,
        body=text,
        message_id=f"<hub-offline-{station_id}-{since:%Y%m%dT%H%M%S%f}@frontdesk.invalid>",
    )
    where = ("hub_notify_offline", "station_id = ? AND last_seen = ?", [station_id, last_seen])
    state, error = _deliver_or_back_off(db, where, settings, envelope, attempts, created_at, now)
    if state == "queued":
        return Told(station_id, "queued", error)
    return _finish(db, row, state, error, now, recipients if state == "sent" else ())


def _deliver_or_back_off(
    db,
    where: tuple[str, str, list],
    settings: OfflineSettings,
    envelope: Envelope,
    attempts: int,
    created_at: str,
    now: datetime,
) -> tuple[str, str]:
    """:func:`_deliver`, and a notice that must wait (``"queued"``) gets its next try written to its row: ``where``
    is its table, the condition naming the row and the condition's values. Returns the state and the error."""
    table, condition, values = where
    state, error, retry = _deliver(settings, envelope, attempts, created_at, now)
    if retry is not None:
        with db.transaction() as tx:
            tx.execute(
                f"UPDATE {table} SET attempts = attempts + 1, last_error = ?, next_try = ? WHERE {condition}",
                [error, clock.to_db(retry), *values],
            )
        return "queued", error
    return state, error


def _deliver(
    settings: OfflineSettings, envelope: Envelope, attempts: int, created_at: str, now: datetime
) -> tuple[str, str, datetime | None]:
    """Send one notice through the hub's one sender: ``("sent", "", None)``, ``("failed", error, None)`` (refused,
    or a mail server away for :data:`GIVE_UP`) or ``("queued", error, when to try again)`` (backing off)."""
    try:
        SmtpChannel(settings.smtp).send(envelope)
    except Refused as exc:
        return "failed", exc.message, None
    except (DeliveryError, InputError) as exc:
        created = clock.from_db(created_at)
        assert created is not None
        if now - created >= GIVE_UP:
            return "failed", exc.message, None
        return "queued", exc.message, now + timedelta(seconds=min(3600, 60 * 2**attempts))
    return "sent", "", None


def _finish(db: Database, row: tuple, state: str, error: str, now: datetime, to: tuple[str, ...] = ()) -> Told:
    station_id, last_seen, school = row[0], row[1], row[2]
    with db.transaction() as tx:
        tx.execute(
            "UPDATE hub_notify_offline SET state = ?, attempts = attempts + 1, last_error = ?, "
            "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE station_id = ? AND last_seen = ?",
            [state, error, state, clock.to_db(now), station_id, last_seen],
        )
        if state in ("sent", "failed"):
            kind = "notify.desk_offline" if state == "sent" else "notify.desk_offline_failed"
            log(tx, kind, station_id=station_id, school=school, silent_since=last_seen, to=list(to), error=error)
    return Told(station_id, state, error)


# --- desks on an older FrontDesk (session 25) ---------------------------------------------------------------


def check_older_once(db: Database, settings: OfflineSettings, now: datetime | None = None) -> list[Told]:
    """One round of the older-desk notice: note each desk (not revoked) whose level of its school's shared records
    (``hub_desks.takes``, kept by its pulls) misses other kinds than district IT was last told, then send what is
    due. Blocking; at any hour (a barred person is screened clear at such a desk whenever it is used)."""
    now = now or clock.now()
    _note_levels(db, now)
    return [_send_older(db, settings, row, now) for row in _claim_older(db, now)]


def _note_levels(db: Database, now: datetime) -> None:
    # Read first: on SQLite the write lock is the alert path's too, and most rounds have nothing to note.
    rows = db.read().all(
        "SELECT d.station_id, s.school, d.takes, n.n, n.misses FROM hub_desks d "
        "JOIN stations s ON s.station_id = d.station_id "
        "LEFT JOIN hub_notify_older n ON n.station_id = d.station_id "
        "AND n.n = (SELECT max(m.n) FROM hub_notify_older m WHERE m.station_id = d.station_id) "
        "WHERE s.revoked_at IS NULL AND d.takes IS NOT NULL"
    )
    # A desk never told of is up to date as far as district IT knows: nothing to say until it misses something.
    changed = [
        (station_id, school, int(takes), int(n or 0), misses)
        for station_id, school, takes, n, told in rows
        if (misses := ",".join(wire.kinds_missed(int(takes)))) != (told or "")
    ]
    if not changed:
        return
    with db.transaction() as tx:
        for station_id, school, takes, n, misses in changed:
            tx.execute(  # two hubs noting the same change: the second finds the row there
                "INSERT INTO hub_notify_older (station_id, n, takes, misses, school, next_try, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (station_id, n) DO NOTHING",
                [station_id, n + 1, takes, misses, school, clock.to_db(now), clock.to_db(now)],
            )


def _claim_older(db: Database, now: datetime) -> list[tuple]:
    due = "SELECT 1 FROM hub_notify_older WHERE state = 'queued' AND next_try <= ? LIMIT 1"
    if db.read().one(due, [clock.to_db(now)]) is None:  # most rounds: no write transaction at all
        return []
    claimed = []
    with db.transaction() as tx:
        rows = tx.all(
            "SELECT n.station_id, n.n, n.school, n.attempts, n.next_try, n.created_at, n.misses, s.name, s.room, "
            "s.revoked_at, d.last_push_at, d.last_pull_at, "
            "(SELECT max(m.n) FROM hub_notify_older m WHERE m.station_id = n.station_id), "
            "(SELECT t.misses FROM hub_notify_older t WHERE t.station_id = n.station_id AND t.n = "
            "(SELECT max(u.n) FROM hub_notify_older u WHERE u.station_id = n.station_id AND u.state = 'sent')) "
            "FROM hub_notify_older n JOIN stations s ON s.station_id = n.station_id "
            "LEFT JOIN hub_desks d ON d.station_id = n.station_id "
            "WHERE n.state = 'queued' AND n.next_try <= ? ORDER BY n.created_at, n.n",
            [clock.to_db(now)],
        )
        for row in rows:
            taken = tx.execute(  # claimed by moving next_try past the lease, as the offline notice's rows
                "UPDATE hub_notify_older SET next_try = ? "
                "WHERE station_id = ? AND n = ? AND next_try = ? AND state = 'queued'",
                [clock.to_db(now + LEASE), row[0], row[1], row[4]],
            ).rowcount
            if taken == 1:
                claimed.append(row)
    return claimed


def _send_older(db: Database, settings: OfflineSettings, row: tuple, now: datetime) -> Told:
    station_id, n, school, attempts, _, created_at, misses, name, room, revoked_at, push_at, pull_at = row[:12]
    newest, told = row[12], row[13] or ""  # the desk's newest row; what district IT was last told ("": up to date)
    if revoked_at is not None:  # district IT revoked it meanwhile: nothing to update
        return _finish_older(db, row, "revoked", "", now)
    if n != newest:  # its level changed again before this went: the newer row tells where it is now
        return _finish_older(db, row, "superseded", "", now)
    if misses == told:  # back where district IT last heard it was (older and back, or updated and back)
        return _finish_older(db, row, "unchanged", "", now)
    recipients = settings.everyone()
    if not recipients:
        return _finish_older(
            db, row, "failed", "no recipients: set recipients in the hub's notification settings", now
        )
    desk = f"{school} {name}".strip() + (f" ({room})" if room else "")
    synced = [t for t in (push_at, pull_at) if t]
    last = clock.from_db(max(synced)) if synced else None
    link = f"{settings.link_base.rstrip('/')}/" if settings.link_base else ""
    subject, text = older_desk_mail(
        desk, station_id, misses.split(",") if misses else [], last, now, settings.tz, link
    )
    envelope = Envelope(
        to=", ".join(recipients),
        subject=subject,
        body=text,
        message_id=f"<hub-older-{station_id}-{n}@frontdesk.invalid>",
    )
    where = ("hub_notify_older", "station_id = ? AND n = ?", [station_id, n])
    state, error = _deliver_or_back_off(db, where, settings, envelope, attempts, created_at, now)
    if state == "queued":
        return Told(station_id, "queued", error)
    return _finish_older(db, row, state, error, now, recipients if state == "sent" else ())


def older_desk_mail(
    desk: str,
    station_id: str,
    misses: list[str],
    last: datetime | None,
    now: datetime,
    tz: tzinfo | None = None,
    link: str = "",
) -> tuple[str, str]:
    """``(subject, text)`` of the older-desk notice to district IT: ``desk`` (school, name and room) is on a
    release that does not take the school's shared ``misses``, when it last synced and what to do (update it, or
    revoke it if the PC is gone); with no ``misses``, that it is now updated."""
    if not misses:
        subject = f"{desk} is updated"
        text = f"{desk} now takes this school's shared records: a bar made at the school's other desks reaches it."
    else:
        subject = f"{desk} is on an older FrontDesk"
        text = (
            f"{desk} is on an older FrontDesk and does not get this school's shared {wire.missed_words(misses)}: "
            "a person barred at the school's other desks is screened clear there."
        )
        if last is not None:
            local = last.astimezone(tz)
            text += f" It {wire.last_synced_words(last, now)} ({local:%H:%M}, {local:%m/%d})."
        text += (
            "\n\nUpdate FrontDesk on that PC. If the PC is no longer used, revoke the desk on the district hub: "
            f"frontdesk dispatch revoke {station_id}"
        )
    if link:
        text += f"\n\nOpen on the district hub: {link}"
    return subject, text


def _finish_older(
    db: Database, row: tuple, state: str, error: str, now: datetime, to: tuple[str, ...] = ()
) -> Told:
    station_id, n, school, misses = row[0], row[1], row[2], row[6]
    with db.transaction() as tx:
        tx.execute(
            "UPDATE hub_notify_older SET state = ?, attempts = attempts + 1, last_error = ?, "
            "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE station_id = ? AND n = ?",
            [state, error, state, clock.to_db(now), station_id, n],
        )
        if state in ("sent", "failed"):
            kind = (
                ("notify.desk_older" if misses else "notify.desk_updated")
                if state == "sent"
                else ("notify.desk_older_failed")
            )
            log(tx, kind, station_id=station_id, school=school, misses=misses, to=list(to), error=error)
    return Told(station_id, state, error)


def _round(db: Database, settings: OfflineSettings) -> None:
    """One round of both notices; one failing (a database or mail hiccup) does not stop the other."""
    for check, what in ((check_once, "desk-offline"), (check_older_once, "older-desk")):
        try:
            check(db, settings)
        except Exception as exc:
            print(f"frontdesk hub: {what} check failed: {exc}", file=sys.stderr)


async def run(db: Database, settings: OfflineSettings) -> None:
    """Check every ``interval`` seconds, on a thread of its own (never the alert path's pools)."""
    limiter = anyio.CapacityLimiter(1)
    while True:
        await asyncio.sleep(settings.interval)
        try:
            await anyio.to_thread.run_sync(_round, db, settings, limiter=limiter)
        except Exception as exc:  # a database or mail hiccup must not stop the checks
            print(f"frontdesk hub: notification check failed: {exc}", file=sys.stderr)


def background(
    service: Any,
    environ: dict[str, str] | None = None,
    district_rules: Callable[[], list[dict[str, Any]] | str] | None = None,
) -> list[asyncio.Task]:
    """The console's startup hook: the notices' task when ``FRONTDESK_HUB_NOTIFY`` names a settings file
    (none otherwise). A bad file is said on standard error and the console serves alerts all the same."""
    environ = dict(os.environ if environ is None else environ)
    path = environ.get(CONFIG_ENV, "").strip()
    if not path:
        return []
    try:
        settings = load_settings(path, environ)
    except InputError as exc:
        print(f"frontdesk hub: desk-offline and older-desk notices are OFF: {exc.message}", file=sys.stderr)
        return []
    settings = replace(settings, district_rules=district_rules or hub_settings_rules(service.db))
    return [asyncio.create_task(run(service.db, settings))]


def hub_settings_rules(db: Database) -> Callable[[], list[dict[str, Any]] | str]:
    """The district default of ``notify.rules`` from the hub's district settings (``hub_settings``, issue
    15), read on each send; nothing while that table or setting does not exist."""

    def read() -> list[dict[str, Any]] | str:
        try:  # a read: never the write lock the alert path takes (SQLite)
            row = db.read().one("SELECT value FROM hub_settings WHERE key = 'notify.rules' AND school = ''")
        except Exception:  # no district settings at this hub (yet)
            return []
        return json.loads(row[0]) if row else []

    return read
