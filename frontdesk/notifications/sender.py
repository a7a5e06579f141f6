"""The long-lived sender: empties the notification outbox, retrying with backoff, giving up visibly.

Each pass claims the due messages (a lease, so the desk window's sender and ``frontdesk notify drain`` never
send the same row at once), sends each through its channel, and records the outcome: ``sent``; ``refused``
(the server said no for good: at once, no retries); or, on a passing failure, a retry after 1, 2, 4 … minutes
(at most an hour apart) until ``notify.give_up_hours`` after the event, then ``failed``. Sent, refused and
failed are audited; refused and failed also go to the desk's event log, where the office sees them.

A panic or a barred match (:data:`URGENT`) is claimed before any other message, and one queued during a pass goes
before the pass's next other message; when its first try fails, the event log says so at once and the office's
problem count includes it while it is retried.

A message is marked sent only after the server accepted it; a desk killed between the two sends it again
on the next pass (the ``Message-ID`` stays the same, so a mail server or client can fold the two).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.errors import FrontDeskError
from frontdesk.notifications import words
from frontdesk.notifications.channels import (
    Channels,
    Envelope,
    Refused,
    SmtpChannel,
    SmtpConfig,
    TwilioChannel,
    TwilioConfig,
)
from frontdesk.notifications.secrets import load_secret
from frontdesk.settings import (
    NOTIFY_FROM,
    NOTIFY_GIVE_UP_HOURS,
    NOTIFY_SMS_PROVIDER,
    NOTIFY_SMTP_CA_FILE,
    NOTIFY_SMTP_SECURITY,
    NOTIFY_SMTP_SERVER,
    NOTIFY_SMTP_USER,
    NOTIFY_TWILIO_ACCOUNT,
    NOTIFY_TWILIO_API,
    NOTIFY_TWILIO_FROM,
    Settings,
)
from frontdesk.store import Store

if TYPE_CHECKING:
    from frontdesk.audit import AuditTrail
    from frontdesk.events.service import EventLog

LEASE = timedelta(minutes=2)
FIRST_RETRY_S = 60
MAX_RETRY_S = 3600
BATCH = 20
# Sent before any other message, and said at their first failed try (not a day later): a panic, a barred match.
URGENT = ("panic", "match")
_URGENT_SQL = "event IN ('panic', 'match')"


def channels_from_settings(settings: Settings, secret: Callable[[str], str | None] = load_secret) -> Channels:
    """The real channels as the settings describe them (read again on every pass: settings may change)."""
    smtp = SmtpChannel(
        SmtpConfig(
            server=settings.get(NOTIFY_SMTP_SERVER),
            security=settings.get(NOTIFY_SMTP_SECURITY).strip().lower(),
            user=settings.get(NOTIFY_SMTP_USER).strip(),
            sender=settings.get(NOTIFY_FROM).strip(),
            password=lambda: secret("smtp"),
            ca_file=settings.get(NOTIFY_SMTP_CA_FILE),
        )
    )
    provider = None
    if settings.get(NOTIFY_SMS_PROVIDER).strip().lower() == "twilio":
        provider = TwilioChannel(
            TwilioConfig(
                account=settings.get(NOTIFY_TWILIO_ACCOUNT).strip(),
                sender=settings.get(NOTIFY_TWILIO_FROM).strip(),
                token=lambda: secret("twilio"),
                api=settings.get(NOTIFY_TWILIO_API).strip(),
            )
        )
    return Channels(email=smtp, sms_gateway=smtp, sms_provider=provider)


@dataclass(frozen=True)
class Attempt:
    """What one send did: the message, its new state, and the error when it was not sent."""

    id: int
    address: str
    event: str
    state: str  # sent, refused, failed, or queued (will be retried)
    error: str = ""


def backoff(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failed ones: 60, 120, 240 … at most an hour."""
    return float(min(FIRST_RETRY_S * 2 ** max(0, attempts - 1), MAX_RETRY_S))


class Sender:
    """Sends what is due in the outbox through ``channels()`` (built per pass)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        channels: Callable[[], Channels],
        *,
        audit: AuditTrail | None = None,
        events: EventLog | None = None,
        now: Callable[[], datetime] = clock.now,
    ):
        self._store = store
        self._settings = settings
        self._channels = channels
        self._audit = audit
        self._events = events
        self._now = now

    def use_channels(self, channels: Callable[[], Channels]) -> None:
        """Send through these channels from now on (demo mode: the recording fake)."""
        self._channels = channels

    def send_due(self, *, everything: bool = False) -> list[Attempt]:
        """One pass: send every due message (``everything``: every queued one, ignoring the backoff)."""
        claimed = self._claim(everything)
        if not claimed:
            return []
        channels = self._channels()
        attempts = []
        for row in claimed:
            if row[2] not in URGENT and self._urgent_waiting():
                # A panic or a match queued while this pass sends other messages (each may take a slow server's
                # whole timeout) goes before the next of them, not after the pass.
                attempts += [self._send(channels, urgent) for urgent in self._claim(False, urgent=True)]
            attempts.append(self._send(channels, row))
        return attempts

    def send_tests(self) -> list[Attempt]:
        """Send the queued test messages now, once: what is not accepted is marked failed (not retried)."""
        claimed = self._claim(True, event="test")
        channels = self._channels()
        return [self._send(channels, row, retry=False) for row in claimed]

    def drain(self, wait: float = 0.0, *, sleep: Callable[[float], None] = time.sleep) -> list[Attempt]:
        """Send what is queued now, then keep retrying what failed until the outbox is empty or ``wait``
        seconds have passed. The outbox is empty when :meth:`pending` is 0 afterwards."""
        deadline = time.monotonic() + max(0.0, wait)
        attempts = self.send_due(everything=True)
        while self.pending() and time.monotonic() < deadline:
            due = self._next_due()
            pause = 0.2 if due is None else max(0.05, (due - self._now()).total_seconds())
            sleep(min(pause, max(0.0, deadline - time.monotonic())))
            attempts += self.send_due()
        return attempts

    def pending(self) -> int:
        """How many messages are still queued."""
        return self._store.db.execute("SELECT count(*) FROM notify_outbox WHERE state = 'queued'").fetchone()[0]

    # --- steps --------------------------------------------------------------------------------------
    def _urgent_waiting(self) -> bool:
        now = clock.to_db(self._now())
        sql = (
            f"SELECT 1 FROM notify_outbox WHERE state = 'queued' AND {_URGENT_SQL} AND next_attempt <= ? "
            "AND (lease_until IS NULL OR lease_until < ?) LIMIT 1"
        )
        return self._store.db.execute(sql, [now, now]).fetchone() is not None

    def _claim(self, everything: bool, event: str | None = None, *, urgent: bool = False) -> list[tuple]:
        now = self._now()
        now_db = clock.to_db(now)
        with self._store.transaction() as db:
            self._after_a_step_back(db, now)
            sql = (
                "SELECT id, created, event, address, sms, subject, body, attachment_name, attachment, attempts, "
                "repeats FROM notify_outbox WHERE state = 'queued' AND (lease_until IS NULL OR lease_until < ?)"
            )
            params: list[object] = [now_db]
            if not everything:
                sql += " AND next_attempt <= ?"
                params.append(now_db)
            if event is not None:
                sql += " AND event = ?"
                params.append(event)
            if urgent:
                sql += f" AND {_URGENT_SQL}"
            limit = -1 if event is not None else BATCH
            # A panic or a match first: never behind a backlog of daily logs and watch notices.
            rows = db.execute(sql + f" ORDER BY {_URGENT_SQL} DESC, id LIMIT ?", [*params, limit]).fetchall()
            db.conn.executemany(
                "UPDATE notify_outbox SET lease_until = ? WHERE id = ?",
                [(clock.to_db(now + LEASE), r[0]) for r in rows],
            )
        return rows

    @staticmethod
    def _after_a_step_back(db, now: datetime) -> None:
        """Make due now a queued message whose next try (or lease) is further off than its backoff (or a lease)
        can put it: stamped before the clock was stepped back (an NTP correction), it waited the whole step on
        top. Reads only the messages waiting for a later try (the due index), usually none."""
        rows = db.execute(
            "SELECT id, next_attempt, attempts, lease_until FROM notify_outbox WHERE state = 'queued' "
            "AND (next_attempt > ? OR lease_until > ?)",
            [clock.to_db(now), clock.to_db(now)],
        ).fetchall()
        slack = timedelta(seconds=5)
        stale = [
            r[0]
            for r in rows
            if clock.from_db(r[1]) > now + timedelta(seconds=backoff(max(1, r[2]))) + slack  # type: ignore[operator]
            or (r[3] is not None and clock.from_db(r[3]) > now + LEASE + slack)  # type: ignore[operator]
        ]
        if stale:
            db.conn.executemany(
                "UPDATE notify_outbox SET next_attempt = ?, lease_until = NULL WHERE id = ?",
                [(clock.to_db(now), ident) for ident in stale],
            )

    def _next_due(self) -> datetime | None:
        row = self._store.db.execute(
            "SELECT min(next_attempt) FROM notify_outbox WHERE state = 'queued'"
        ).fetchone()
        return clock.from_db(row[0]) if row and row[0] else None

    def _send(self, channels: Channels, row: tuple, *, retry: bool = True) -> Attempt:
        ident, created, event, address, sms, subject, body, attachment_name, attachment, attempts, repeats = row
        envelope = Envelope(
            to=address,
            subject=subject,
            body=words.grouped(body, repeats),
            sms=bool(sms),
            message_id=f"<frontdesk-notify-{ident}-{created.replace(':', '').replace('.', '')}@frontdesk.invalid>",
            attachment_name=attachment_name,
            attachment=attachment,
        )
        try:
            channels.for_envelope(envelope).send(envelope)
        except Refused as exc:
            return self._finish(ident, address, event, "refused", exc.message)
        except Exception as exc:  # a channel's unforeseen error must not stop the sender either
            error = exc.message if isinstance(exc, FrontDeskError) else f"{type(exc).__name__}: {exc}"
            if not retry:
                return self._finish(ident, address, event, "failed", error)
            return self._retry(ident, address, event, created, attempts + 1, error)
        return self._finish(ident, address, event, "sent", "")

    def _retry(self, ident: int, address: str, event: str, created: str, attempts: int, error: str) -> Attempt:
        now = self._now()
        give_up = clock.from_db(created) + timedelta(hours=self._settings.get(NOTIFY_GIVE_UP_HOURS))  # type: ignore[operator]
        if now >= give_up:
            return self._finish(ident, address, event, "failed", error, attempts)
        with self._store.transaction() as db:
            db.execute(
                "UPDATE notify_outbox SET attempts = ?, last_error = ?, lease_until = NULL, next_attempt = ? "
                "WHERE id = ?",
                [attempts, error, clock.to_db(now + timedelta(seconds=backoff(attempts))), ident],
            )
        if event in URGENT and attempts == 1 and self._events is not None:
            # Said at its first failed try (and counted among the problems the status bar shows), not when it
            # is given up a day later: the principal is not being told of a panic or a barred match now.
            self._events.record(
                "notify",
                "error",
                f"The {event} notification to {address} is not delivered yet: {error}. Still trying; tell them "
                "another way.",
            )
        return Attempt(ident, address, event, "queued", error)

    def _finish(
        self, ident: int, address: str, event: str, state: str, error: str, attempts: int | None = None
    ) -> Attempt:
        now = clock.to_db(self._now())
        transaction = self._audit.transaction() if self._audit is not None else self._store.transaction()
        with transaction as db:
            db.execute(
                "UPDATE notify_outbox SET state = ?, last_error = ?, lease_until = NULL, attempts = "
                "coalesce(?, attempts + 1), sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
                [state, error, attempts, state, now, ident],
            )
            if self._audit is not None:
                details = {"to": address, "event": event, **({"error": error} if error else {})}
                self._audit.record("system", f"notify.{state}", f"notify_outbox {ident}", details)
        if state != "sent" and self._events is not None:
            what = "refused by the server" if state == "refused" else "could not be sent for a day and was dropped"
            self._events.record("notify", "error", f"The {event} notification to {address} was {what}: {error}")
        return Attempt(ident, address, event, state, error)
