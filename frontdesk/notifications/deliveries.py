"""The email/text outbox's messages as the administrator's screen and ``notify list --json`` show them
(:class:`Delivery`), read by :meth:`Outbound.deliveries` and :meth:`Outbound.problems`.

Its own module, imported by those two reads: the desk's first screen reads neither (the status bar asks for the
problems after the sender's first pass, just after the first paint), and creating a frozen dataclass costs
about 6 M instructions on Python 3.11 (each generated method is parsed and compiled from source), which the
desk's start need not pay (issue 13; as :mod:`frontdesk.badges.attempts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from frontdesk import clock


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


COLUMNS = (
    "id, created, event, address, sms, subject, body, state, attempts, next_attempt, last_error, sent_at, "
    "repeats, attachment_name"
)


def from_row(r: tuple) -> Delivery:
    """A :data:`COLUMNS` row of ``notify_outbox`` as a :class:`Delivery`."""
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
