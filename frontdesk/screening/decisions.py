"""What staff decided about a flagged visitor, and what follows from it.

A possible match is never acted on by the software: a person records "not this person" (with a reason)
or "confirmed". Confirmed, the entry's kind decides: barred (and registry, unless settings say otherwise)
-> the visitor is not admitted; watch -> admitted, an administrator is told; custody -> admitted, but the
named students must not be released to them. A confirmed barred or custody match notifies the principal's
accounts on screen at once (each active principal account; see :mod:`frontdesk.notifications.service`
for the fallback before any exists) and, when this desk has a dispatch link and
``screening.notify_dispatch`` is on (the default), sends the district console an ``Actual`` Staff assist
alert through the dispatch station (see :func:`dispatch_note` for what it says, and what it leaves out).
Every decision (and every clear screening) is stored with staff, time and reason, and linked to the visit
once one is created.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.errors import InputError
from frontdesk.screening.models import Candidate, Entry, Kind, Query, ScreenResult
from frontdesk.settings import (
    DISPATCH_URL,
    SCREEN_NOTIFY_AUDIENCE,
    SCREEN_NOTIFY_DISPATCH,
    SCREEN_REGISTRY_AS_BARRED,
    Settings,
)
from frontdesk.store import Store

if TYPE_CHECKING:
    from frontdesk.notifications.outbound import Outbound
    from frontdesk.notifications.service import Notifications

ADMIN_AUDIENCE = "administrator"


class Outcome(StrEnum):
    """What a person decided (or that there was nothing to decide)."""

    CLEAR = "clear"  # nothing flagged
    NOT_THIS_PERSON = "not_this_person"
    CONFIRMED = "confirmed"


class Consequence(StrEnum):
    """What the desk does next."""

    ADMIT = "admit"
    DENY = "deny"
    ADMIT_AND_NOTIFY = "admit_and_notify"  # watch
    NO_RELEASE = "no_release"  # custody: admit, but do not release the named students


@dataclass(frozen=True)
class ScreeningDecision:
    """One stored decision."""

    id: int
    time: datetime
    staff: str
    visitor: Query
    entry_id: int | None
    source: str
    kind: Kind | None
    score: float | None
    evidence: str
    outcome: Outcome
    consequence: Consequence
    reason: str
    visit_id: int | None = None
    students: tuple[str, ...] = ()
    told: tuple[str, ...] = ()  # who was notified on screen (display names; empty: nobody, or every desk)
    dispatched: bool = False  # a Staff assist alert was queued for the district console


def dispatch_note(entry: Entry, consequence: Consequence) -> str:
    """What the district console is told of a confirmed match: as little personal data as does the job.

    Dispatch needs to know that staff at this desk want help, why (which kind of list, which list) and whom
    the order names, so a responding officer can act on it (a trespass notice is enforced against a named
    person). It is not told the visitor's date of birth, the list's reason or notes, the match evidence or
    score, or (custody) the children's names: the desk and the principal have those. The school, building
    and room travel in the alert itself; the visitor roster is not attached.
    """
    if consequence is Consequence.NO_RELEASE:
        return (
            f"Confirmed custody-order match at the front desk: {entry.full_name}, on {entry.source}. "
            "Admitted; the students named in the order must not be released to them. Staff ask for assistance."
        )
    return (
        f"Confirmed {entry.kind.label.lower()}-list match at the front desk: {entry.full_name}, on "
        f"{entry.source}. Not admitted. Staff ask for assistance."
    )


def _needs_principal(entry: Entry, consequence: Consequence) -> bool:
    """A confirmed barred, registry or custody match that denies or restricts: the principal is told."""
    return consequence in (Consequence.DENY, Consequence.NO_RELEASE) and entry.kind in (
        Kind.BARRED,
        Kind.CUSTODY,
        Kind.REGISTRY,
    )


def consequence_of(kind: Kind, registry_as_barred: bool) -> Consequence:
    """What a confirmed match of this kind means at the desk."""
    if kind is Kind.REGISTRY:
        return Consequence.DENY if registry_as_barred else Consequence.ADMIT_AND_NOTIFY
    return {
        Kind.BARRED: Consequence.DENY,
        Kind.WATCH: Consequence.ADMIT_AND_NOTIFY,
        Kind.CUSTODY: Consequence.NO_RELEASE,
    }[kind]


class DecisionService:
    """Records decisions and carries out what follows (notifications)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        notifications: Notifications,
        *,
        station: str = "",
        dispatch: Callable[[str, str], object] | None = None,
        audit=None,
        outbound: Outbound | None = None,
    ):
        self._audit = audit  # the audit trail (issue 7): every decision, in the same transaction
        self._store = store
        self._settings = settings
        self._notifications = notifications
        self.station = station
        self._dispatch = dispatch  # (note, staff) -> sends a Staff assist alert to the district console
        self._outbound = outbound  # email and text subscribers (issue 20), queued with the decision

    def record_clear(self, result: ScreenResult, staff: str, *, visit_id: int | None = None) -> ScreeningDecision:
        """Log a screening with nothing flagged (so the log shows every visitor was screened). The entries
        shown as notes (:attr:`ScreenResult.notes`: shown, the desk not stopped) are kept in its evidence,
        one line each: "note: #12 James Smith (barred, District): <evidence>"."""
        shown = "\n".join(
            f"note: #{c.entry.id} {c.entry.full_name} ({c.entry.kind.value}, {c.entry.source}): {c.evidence_text}"
            for c in result.notes
        )
        return self.record(
            result.query, None, Outcome.CLEAR, Consequence.ADMIT, staff, "", visit_id=visit_id, shown=shown
        )

    def dismiss(self, query: Query, candidate: Candidate, staff: str, reason: str) -> ScreeningDecision:
        """Record "not this person" for one flagged entry; a reason is required."""
        if not reason.strip():
            raise InputError("Say why this is not the person on the list (for example: different photo)")
        return self.record(query, candidate, Outcome.NOT_THIS_PERSON, Consequence.ADMIT, staff, reason)

    def confirm(self, query: Query, candidate: Candidate, staff: str, reason: str = "") -> ScreeningDecision:
        """Record that the visitor is the listed person; notify as the entry's kind requires.

        The decision, its on-screen notice and its queued emails and texts commit in one transaction;
        the dispatch alert (its own outbox) follows.
        """
        consequence = consequence_of(candidate.entry.kind, self._settings.get(SCREEN_REGISTRY_AS_BARRED))
        with self._store.transaction():
            decision = self.record(query, candidate, Outcome.CONFIRMED, consequence, staff, reason)
            decision = self.tell_confirmed(decision, candidate, staff)
        self._refresh_anchor()
        return self._dispatched(decision, candidate, staff)

    def notify_confirmed(self, decision: ScreeningDecision, candidate: Candidate, staff: str) -> ScreeningDecision:
        """Tell who must know of a stored confirmed match (principals, administrators, subscribers, dispatch)."""
        with self._store.transaction():
            decision = self.tell_confirmed(decision, candidate, staff)
        self._refresh_anchor()
        return self._dispatched(decision, candidate, staff)

    def tell_confirmed(self, decision: ScreeningDecision, candidate: Candidate, staff: str) -> ScreeningDecision:
        """The on-screen notice and the emails and texts of a confirmed match, in the caller's transaction
        (when one is open). Dispatch is :meth:`dispatch_confirmed`'s, after the commit."""
        entry, consequence, query = candidate.entry, decision.consequence, decision.visitor
        who = f"{query.first_name} {query.last_name}"
        where = f" at {self.station}" if self.station else ""
        ref = f"screening_decision:{decision.id}"
        told: tuple[str, ...] = ()
        if _needs_principal(entry, consequence):
            if entry.kind is Kind.CUSTODY:
                body = (
                    f"{who}{where} was confirmed as {entry.full_name} on {entry.source} (custody order). "
                    f"Do not release: {', '.join(entry.students) or 'see the order'}."
                )
            else:
                body = f"{who}{where} was confirmed as {entry.full_name} on {entry.source} and was not admitted."
            audience, title = self._settings.get(SCREEN_NOTIFY_AUDIENCE), f"Confirmed {entry.kind.label} match"
            note = self._notifications.notify(audience, "urgent", title, body, ref)
            told = self._told(note.id)
            if self._outbound is not None:
                self._outbound.match_confirmed(
                    entry.kind.value,
                    entry.full_name,
                    entry.source,
                    admitted=consequence is not Consequence.DENY,
                    staff=staff,
                    when=decision.time,
                )
        elif consequence is Consequence.ADMIT_AND_NOTIFY:
            body = (
                f"{who}{where} was confirmed as {entry.full_name} on {entry.source} ({entry.kind.label}) "
                "and admitted."
            )
            note = self._notifications.notify(
                ADMIN_AUDIENCE, "warning", f"{entry.kind.label} list visitor on site", body, ref
            )
            told = self._told(note.id)
            if self._outbound is not None:
                self._outbound.watch_confirmed(entry.full_name, entry.source, staff=staff, when=decision.time)
        return dataclasses.replace(decision, told=told, students=entry.students)

    def dispatch_confirmed(
        self, decision: ScreeningDecision, candidate: Candidate, staff: str
    ) -> ScreeningDecision:
        """Send the district console a Staff assist alert for a confirmed barred or custody match, when this
        desk has a link and ``screening.notify_dispatch`` is on (after the decision's commit)."""
        return self._dispatched(decision, candidate, staff)

    def _dispatched(self, decision: ScreeningDecision, candidate: Candidate, staff: str) -> ScreeningDecision:
        entry, consequence = candidate.entry, decision.consequence
        # Only with a link: an alert queued on a desk that was never connected would go out, stale, the
        # day someone connects it.
        if (
            _needs_principal(entry, consequence)
            and self._dispatch is not None
            and self._settings.get(SCREEN_NOTIFY_DISPATCH)
            and self._settings.get(DISPATCH_URL)
        ):
            self._dispatch(dispatch_note(entry, consequence), staff)
            return dataclasses.replace(decision, dispatched=True)
        return decision

    def _refresh_anchor(self) -> None:
        if self._audit is not None and not self._store.db.conn.in_transaction:
            self._audit.refresh_anchor()

    def _told(self, notification_id: int) -> tuple[str, ...]:
        return tuple(r.display_name for r in self._notifications.receipts(notification_id))

    def by_ids(self, ids: Iterable[int]) -> list[ScreeningDecision]:
        """Stored decisions by id, oldest first (those behind a reunification request, checked again later)."""
        ids = list(ids)
        if not ids:
            return []
        rows = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM screening_decisions WHERE id IN ({', '.join('?' * len(ids))}) ORDER BY id",
            ids,
        ).fetchall()
        return [_from_row(r) for r in rows]

    def recent(self, limit: int = 100, visit_id: int | None = None) -> list[ScreeningDecision]:
        """Stored decisions, newest first (or those of one visit)."""
        sql = f"SELECT {_COLUMNS} FROM screening_decisions"
        params: list[object] = []
        if visit_id is not None:
            sql += " WHERE visit_id = ?"
            params.append(visit_id)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return [_from_row(r) for r in self._store.db.execute(sql, params).fetchall()]

    def record(
        self,
        query: Query,
        candidate: Candidate | None,
        outcome: Outcome,
        consequence: Consequence,
        staff: str,
        reason: str,
        *,
        visit_id: int | None = None,
        shown: str = "",
    ) -> ScreeningDecision:
        """Store one decision and its audit record: inside the caller's transaction when one is open (the
        check-in's commit), else in a transaction of its own (``shown``: the evidence stored when there is no
        candidate, the notes of a clear screening)."""
        if not staff.strip():
            raise InputError("A screening decision needs the name of the staff member making it")
        moment = clock.now()
        entry = candidate.entry if candidate else None
        values = [
            clock.to_db(moment),
            staff.strip(),
            self.station,
            query.first_name,
            query.middle_name,
            query.last_name,
            query.dob.text,
            entry.id if entry else None,
            entry.source if entry else "",
            entry.kind.value if entry else None,
            candidate.score if candidate else None,
            candidate.evidence_text if candidate else shown,
            candidate.decision.value if candidate else "clear",
            f"{outcome.value}:{consequence.value}",
            reason.strip(),
            visit_id,
        ]
        with self._store.transaction() as db:
            cur = db.execute(
                "INSERT INTO screening_decisions (time, staff, station, visitor_first, visitor_middle, "
                "visitor_last, visitor_dob, entry_id, source, kind, score, evidence, screen_decision, outcome, "
                "reason, visit_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            if self._audit is not None:
                self._audit.record(
                    None,
                    "screening.decision",
                    f"screening_decision {cur.lastrowid}",
                    {
                        "visitor": f"{query.first_name} {query.last_name}",
                        "outcome": f"{outcome.value}:{consequence.value}",
                        "entry_id": entry.id if entry else None,
                        "staff": staff.strip(),
                        "reason": reason.strip(),
                        "visit_id": visit_id,
                    },
                    covers=("screening_decisions", cur.lastrowid),
                    written=(cur.lastrowid, *values[:10], _real(values[10]), *values[11:15]),
                )
            # The decision as written (what ``_get`` would read back): no second read of the row.
            row = (cur.lastrowid, *values[:2], *values[3:10], _real(values[10]), values[11], *values[13:])
            decision = dataclasses.replace(_from_row(row), students=entry.students if entry else ())
        if self._audit is not None and not self._store.db.conn.in_transaction:
            self._audit.refresh_anchor()
        return decision


_COLUMNS = (
    "id, time, staff, visitor_first, visitor_middle, visitor_last, visitor_dob, entry_id, source, kind, score, "
    "evidence, outcome, reason, visit_id"
)


def _real(score: float | None) -> float | None:
    """A score as the ``REAL`` column gives it back (an integer score comes back as a float)."""
    return None if score is None else float(score)


def _from_row(r: tuple) -> ScreeningDecision:
    from frontdesk.screening.dates import parse_dob

    outcome, _, consequence = r[12].partition(":")
    return ScreeningDecision(
        id=r[0],
        time=clock.from_db(r[1]),  # type: ignore[arg-type]
        staff=r[2],
        visitor=Query(r[3], r[5], r[4], parse_dob(r[6])),
        entry_id=r[7],
        source=r[8],
        kind=Kind(r[9]) if r[9] else None,
        score=r[10],
        evidence=r[11],
        outcome=Outcome(outcome),
        consequence=Consequence(consequence),
        reason=r[13],
        visit_id=r[14],
    )
