"""Admission: the one workflow through which anyone enters the building — ``start → decide → commit``.

Every door calls it: the desk window, the command line, and (later) the kiosk and a desk syncing through the
district. No door re-implements a rule, and nothing else can create a visit: the visits service's insert is
private to :meth:`CheckIn.commit`.

- :meth:`CheckIn.start` checks the request against the school's state (SECURE / LOCKDOWN freeze check-in),
  screens the visitor against every list, and looks for what a person must acknowledge (already on site, an
  expired ID card, a visitor under 18). It answers :class:`Cleared`, :class:`NeedsDecision` or
  :class:`Refused`; nothing is written yet except what a refusal itself requires.
- :meth:`CheckIn.decide` records a person's answer for one flagged entry: *not this person* (a reason is
  required) or *same person*, which follows the list's kind: barred (and registry, by default) → refused,
  recorded and notified at once; watch → admitted, an administrator told; custody → admitted with the students
  named in the visit's note.
- :meth:`CheckIn.commit` writes the visit, every screening decision behind it and their audit records in
  **one** transaction, re-checking the freeze and "already on site" inside it (and, after a card held for a
  person, the lists: an entry added meanwhile refuses the commit, ``lists_changed``). The notices a watch or
  custody match sends follow at once, after the commit (a notice is never sent for a visit that did not happen).
  What follows a visit (the badge) is the caller's, after the commit.

An *unattended* door (the command line, a kiosk) has no person to compare a photo: a ``match`` (the
screener's own verdict) on a barred or registry list is refused at once there, recorded as the system's
decision and notified as a confirmed match is at the desk.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.errors import ConflictError, InputError
from frontdesk.limits import NOTE_MAX, SHORT_MAX, check_field
from frontdesk.models import Category, Visit, Visitor
from frontdesk.screening.dates import UNKNOWN, Dob
from frontdesk.screening.decisions import Consequence, Outcome, ScreeningDecision, consequence_of
from frontdesk.screening.models import Candidate, Decision, Kind, Query, ScreenResult
from frontdesk.settings import SCREEN_REGISTRY_AS_BARRED, STAFF_NAME

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.audit import AuditTrail
    from frontdesk.dispatch.station import StationService
    from frontdesk.screening.decisions import DecisionService
    from frontdesk.screening.screener import Screener
    from frontdesk.settings import Settings
    from frontdesk.store import Store
    from frontdesk.visits.service import VisitService

ADULT_AGE = 18

# What a person may have to acknowledge before a visitor is admitted (besides screening candidates).
ALREADY_ON_SITE = "already_on_site"
ID_EXPIRED = "id_expired"
UNDER_18 = "under_18"


@dataclass(frozen=True)
class CheckInRequest:
    """Who is coming in and why. ``acknowledged`` names the warnings a person has already accepted."""

    visitor: Visitor
    category: Category = Category.VISITOR
    purpose: str = ""
    destination: str = ""
    note: str = ""
    acknowledged: frozenset[str] = frozenset()

    def acknowledging(self, *codes: str) -> CheckInRequest:
        """The same request with these warnings accepted (``ALREADY_ON_SITE`` to admit a second time)."""
        return dataclasses.replace(self, acknowledged=self.acknowledged | frozenset(codes))


@dataclass(frozen=True)
class Warning:
    """Something a person must see and accept before admitting (``code`` is one of the constants above, or
    a feature's own). ``admit_as``: accepting it admits the person in that category instead (a volunteer
    whose background check has lapsed comes in as a visitor), with ``note`` added to the visit."""

    code: str
    message: str
    admit_as: Category | None = None
    note: str = ""


@dataclass(frozen=True)
class PendingDecision:
    """A decision taken on one flagged entry, written with the visit when it commits."""

    candidate: Candidate
    outcome: Outcome
    consequence: Consequence
    reason: str
    staff: str


@dataclass(frozen=True)
class Admission:
    """A check-in in progress: the request, its screening, and what people decided so far."""

    request: CheckInRequest
    result: ScreenResult
    decisions: tuple[PendingDecision, ...] = ()
    unattended: bool = False

    @property
    def pending(self) -> tuple[Candidate, ...]:
        """Flagged entries nobody has decided on yet, best first (notes are shown, never pending)."""
        done = {d.candidate.entry.id for d in self.decisions}
        return tuple(c for c in self.result.flagged if c.entry.id not in done)

    @property
    def note(self) -> str:
        """The visit's note with what decisions add (a custody order's students)."""
        notes = [self.request.note.strip()] if self.request.note.strip() else []
        for d in self.decisions:
            if d.consequence is Consequence.NO_RELEASE:
                students = ", ".join(d.candidate.entry.students) or "the students named in the order"
                notes.append(f"Custody order: do not release {students}")
        return " / ".join(notes)

    @property
    def students_not_to_release(self) -> tuple[str, ...]:
        """Students a confirmed custody order names (empty when there is none)."""
        out: list[str] = []
        for d in self.decisions:
            if d.consequence is Consequence.NO_RELEASE:
                out.extend(d.candidate.entry.students)
        return tuple(out)


@dataclass(frozen=True)
class Cleared:
    """Nothing stands in the way: :meth:`CheckIn.commit` may admit."""

    admission: Admission


@dataclass(frozen=True)
class NeedsDecision:
    """A person must decide on ``candidates`` (one at a time, best first) and accept ``warnings``."""

    admission: Admission
    candidates: tuple[Candidate, ...] = ()
    warnings: tuple[Warning, ...] = ()
    needs_dob: bool = False  # flagged without a date of birth: ask for it before comparing


@dataclass(frozen=True)
class Refused:
    """Not admitted. ``code``: ``admissions_frozen``, ``denied`` (a confirmed barred or registry match), or a
    feature check's own (``volunteer_not_cleared``)."""

    code: str
    message: str
    decision: ScreeningDecision | None = None


Outcome_ = Cleared | NeedsDecision | Refused

# A feature's own admission rule, plugged in by ``frontdesk.context`` (features above this layer cannot be
# imported here): given a request, the warnings a person must accept, or a refusal.
AdmissionCheck = Callable[["CheckInRequest"], "tuple[Warning, ...] | Refused"]


@dataclass(frozen=True)
class Committed:
    """The admitted visit, the decisions stored with it, and what the desk must say about them."""

    visit: Visit
    decisions: tuple[ScreeningDecision, ...] = ()
    students_not_to_release: tuple[str, ...] = ()
    told: tuple[str, ...] = field(default=())  # who was notified (display names)


def query_of(visitor: Visitor) -> Query:
    """The screening query for a visitor."""
    dob = Dob(visitor.dob, visitor.dob.year) if visitor.dob else UNKNOWN
    return Query(
        visitor.first_name.strip(),
        visitor.last_name.strip(),
        (visitor.middle_name or "").strip(),
        dob,
        sex=(visitor.sex or "").strip().upper()[:1],
        id_state=(visitor.id_issuer or "").strip().upper(),
        id_last4=(visitor.id_last4 or "").strip().upper(),
    )


def _no_zone_in_the_name(visitor: Visitor) -> None:
    """InputError when a name holds ``<`` (or ``«``, as a reader in keyboard mode may type it): a line of a
    passport's or ID card's machine-readable zone typed or pasted into the name boxes. No name holds it, and
    screened as written (``P<USABARREDMAN<<ROBERT``) a listed person's zone was screened clear and filed."""
    for value, what in (
        (visitor.first_name, "first name"),
        (visitor.middle_name, "middle name"),
        (visitor.last_name, "last name"),
    ):
        if value and ("<" in value or "«" in value):
            raise InputError(
                f"The {what} holds '<', as a passport's or ID card's machine-readable zone writes names: scan "
                "the document, or type the name as it is printed on the ID"
            )


def age_on(dob: date, day: date) -> int:
    """Whole years from ``dob`` to ``day``."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class CheckIn:
    """The admission workflow over the services it needs (built once in ``frontdesk.context``)."""

    def __init__(
        self,
        *,
        visits: VisitService,
        screener: Screener,
        decisions: DecisionService,
        station: StationService,
        settings: Settings,
        session: Session,
        audit: AuditTrail,
        store: Store,
        checks: tuple[AdmissionCheck, ...] = (),
    ):
        self._store = store
        self._visits = visits
        self._checks = tuple(checks)
        self._screener = screener
        self._decisions = decisions
        self._station = station
        self._settings = settings
        self._session = session
        self._audit = audit

    def at(
        self, *, now: Callable[[], datetime] | None = None, station: str | None = None, staff: str | None = None
    ) -> CheckIn:
        """The same workflow at another moment or desk (seeding history, tests): every rule still applies."""
        return CheckIn(
            visits=self._visits.elsewhere(now=now, station=station, staff=staff),
            screener=self._screener,
            decisions=self._decisions,
            station=self._station,
            settings=self._settings,
            session=self._session,
            audit=self._audit,
            store=self._store,
            checks=self._checks,
        )

    # --- who decides --------------------------------------------------------------------------------
    def staff(self) -> str:
        """Who is deciding: the signed-in person, else the desk's configured staff member."""
        actor = self._session.actor
        if actor.signed_in:
            return actor.display_name
        return self._visits.staff or self._settings.get(STAFF_NAME) or "Front desk"

    # --- start --------------------------------------------------------------------------------------
    def start(self, request: CheckInRequest, *, unattended: bool = False) -> Outcome_:
        """Check the request; nothing is admitted yet. Bad input raises :class:`InputError`."""
        from frontdesk.access.roles import Action

        self._session.require(Action.CHECK_IN)
        request = dataclasses.replace(request, visitor=self._visits.checked(request.visitor))
        _no_zone_in_the_name(request.visitor)
        check_field(request.purpose, "The purpose", SHORT_MAX)
        check_field(request.destination, "The destination", SHORT_MAX)
        check_field(request.note, "The note", NOTE_MAX, lines=True)
        try:
            request = dataclasses.replace(request, category=Category(request.category))
        except ValueError:
            choices = ", ".join(c.value for c in Category)
            raise InputError(f"Category must be one of: {choices} (not {request.category!r})") from None
        # Everything start() reads (the school's state, the lists, who is on site, the features' records), in
        # one read transaction: one state of the database, its read lock taken once. The one write a start
        # can make (an unattended door's refusal, recorded and notified) follows it.
        with self._store.reading():
            frozen = self._frozen()
            if frozen is not None:
                return frozen
            result = self._screener.screen(query_of(request.visitor))
            admission = Admission(request, result, unattended=unattended)
            strong = [
                c
                for c in (result.candidates if unattended else ())
                if c.decision is Decision.MATCH and self._consequence(c.entry.kind) is Consequence.DENY
            ]
            if not strong:
                for check in self._checks:  # a feature's rule that refuses outright (as its setting says)
                    said = check(request)
                    if isinstance(said, Refused):
                        return said
                return self._next(admission)
        decision = self._decisions.confirm(
            result.query, strong[0], "FrontDesk (unattended)", "the screener's own verdict: match"
        )
        return Refused("denied", _denied_message(request.visitor, strong[0]), decision)

    def _next(self, admission: Admission) -> Outcome_:
        request = admission.request
        pending = admission.pending
        every = self._warnings(request)
        for check in self._checks:
            said = check(request)
            if not isinstance(said, Refused):
                every.extend(said)
        warnings = tuple(w for w in every if w.code not in request.acknowledged)
        if pending or warnings:
            return NeedsDecision(
                admission, pending, warnings, needs_dob=bool(pending) and request.visitor.dob is None
            )
        # Accepted warnings that change how the person comes in (a lapsed volunteer admitted as a visitor).
        for w in every:
            if w.admit_as is not None and w.code in request.acknowledged:
                note = " / ".join(x for x in (request.note.strip(), w.note) if x)
                request = dataclasses.replace(request, category=w.admit_as, note=note)
        if request is not admission.request:
            admission = dataclasses.replace(admission, request=request)
        return Cleared(admission)

    def _warnings(self, request: CheckInRequest) -> list[Warning]:
        visitor = request.visitor
        out: list[Warning] = []
        open_visit = self._visits.open_visit_for(visitor)
        if open_visit is not None:
            from frontdesk.text import format_badge_code

            # A visit made at another desk of the school (synced through the hub) says which desk.
            where = f"{open_visit.station}, " if open_visit.station != self._visits.station else ""
            out.append(
                Warning(
                    ALREADY_ON_SITE,
                    f"{visitor.full_name} is already on site (checked in at {where}"
                    f"{open_visit.time_in.astimezone():%H:%M}, badge {format_badge_code(open_visit.badge_code)}). "
                    "Check them out first, or check in again on purpose.",
                )
            )
        # An ID card's own warnings: only for a card that was read (a typed name carries no card).
        if visitor.id_type:
            today = clock.now().astimezone().date()
            if visitor.id_expires is not None and visitor.id_expires < today:
                out.append(
                    Warning(ID_EXPIRED, f"{visitor.full_name}'s ID expired on {visitor.id_expires:%m/%d/%Y}.")
                )
            if visitor.dob is not None and age_on(visitor.dob, today) < ADULT_AGE:
                out.append(
                    Warning(
                        UNDER_18,
                        f"{visitor.full_name} is under 18 (born {visitor.dob:%m/%d/%Y}): follow the school's "
                        "rule for visitors who are minors.",
                    )
                )
        return out

    def _frozen(self) -> Refused | None:
        state = self._station.school_state()
        if state.admissions_frozen:
            return Refused("admissions_frozen", f"{state.banner}. Check-in is frozen.")
        return None

    def _consequence(self, kind: Kind) -> Consequence:
        return consequence_of(kind, self._settings.get(SCREEN_REGISTRY_AS_BARRED))

    # --- decide -------------------------------------------------------------------------------------
    def decide(self, admission: Admission, entry_id: int, *, same_person: bool, reason: str = "") -> Outcome_:
        """Record a person's answer on one flagged entry and say what comes next."""
        candidate = next((c for c in admission.pending if c.entry.id == entry_id), None)
        if candidate is None:
            flagged = ", ".join(str(c.entry.id) for c in admission.pending) or "none"
            raise InputError(f"Entry {entry_id} is not waiting for a decision here (flagged: {flagged})")
        staff = self.staff()
        if not same_person:
            if not reason.strip():
                raise InputError("Say why this is not the person on the list (for example: different photo)")
            decided = PendingDecision(candidate, Outcome.NOT_THIS_PERSON, Consequence.ADMIT, reason.strip(), staff)
            return self._next(dataclasses.replace(admission, decisions=(*admission.decisions, decided)))
        consequence = self._consequence(candidate.entry.kind)
        if consequence is Consequence.DENY:
            # Refused now, and for good: recorded and notified at once (no visit will follow).
            decision = self._decisions.confirm(admission.result.query, candidate, staff, reason)
            return Refused("denied", _denied_message(admission.request.visitor, candidate), decision)
        decided = PendingDecision(candidate, Outcome.CONFIRMED, consequence, reason.strip(), staff)
        return self._next(dataclasses.replace(admission, decisions=(*admission.decisions, decided)))

    def abandon(self, admission: Admission, why: str = "cleared at the desk") -> None:
        """A check-in held on a possible match was dropped (Esc, the desk locking): nobody was admitted, and
        the audit trail says so, with the records that were still waiting for a decision.
        """
        visitor = admission.request.visitor
        self._audit.record(
            None,
            "checkin.abandoned",
            f"{visitor.first_name} {visitor.last_name}".strip(),
            {
                "why": why,
                "staff": self.staff(),
                "waiting_on": [c.entry.id for c in admission.pending],
                "decided": [d.candidate.entry.id for d in admission.decisions],
            },
        )

    # --- commit -------------------------------------------------------------------------------------
    def commit(self, cleared: Cleared) -> Committed:
        """Admit: the visit, its screening decisions and their audit records in one transaction."""
        admission = cleared.admission
        if admission.pending:
            raise InputError("Decide on every flagged record before checking in")
        request = admission.request
        with self._audit.transaction():
            staff = self.staff()  # read inside the transaction: its read lock is the write's, taken anyway
            frozen = self._frozen()  # the state may have changed since start (a press at another desk)
            if frozen is not None:
                raise ConflictError(frozen.message, code=frozen.code)
            if admission.decisions:
                self._still_screened(admission)
            visit = self._visits._admit(  # noqa: SLF001 - the one caller of the private insert
                request.visitor,
                category=request.category,
                purpose=request.purpose,
                destination=request.destination,
                note=admission.note,
                again=ALREADY_ON_SITE in request.acknowledged,
                acknowledged=sorted(request.acknowledged),
            )
            stored: list[ScreeningDecision] = []
            if not admission.decisions:
                stored.append(self._decisions.record_clear(admission.result, staff, visit_id=visit.id))
            for d in admission.decisions:
                stored.append(
                    self._decisions.record(
                        admission.result.query,
                        d.candidate,
                        d.outcome,
                        d.consequence,
                        d.staff,
                        d.reason,
                        visit_id=visit.id,
                    )
                )
            # The notices, emails and texts of a confirmed watch or custody match commit with the visit.
            confirmed = [
                (d, self._decisions.tell_confirmed(decision, d.candidate, staff))
                for d, decision in zip(admission.decisions, stored, strict=False)
                if d.outcome is Outcome.CONFIRMED
            ]
        told: list[str] = []
        for d, decision in confirmed:
            told.extend(self._decisions.dispatch_confirmed(decision, d.candidate, staff).told)
        return Committed(visit, tuple(stored), admission.students_not_to_release, tuple(told))

    def _still_screened(self, admission: Admission) -> None:
        """ConflictError when the lists flag the visitor against an entry the held card never showed.

        A card waits minutes for a person; an entry added meanwhile (at another desk, by the CLI, from the
        district) was not on it, and "not this person" on the card's entry admitted them. Only held check-ins
        pay for this second screen: a cleared one commits right after its start."""
        fresh = self._screener.screen(admission.result.query)
        shown = {c.entry.id for c in admission.result.flagged}
        new = [c for c in fresh.flagged if c.entry.id not in shown]
        if new:
            entry = new[0].entry
            raise ConflictError(
                f"The screening lists changed while this check-in waited: {entry.full_name} on the {entry.source} "
                "list may be this visitor. Nobody was checked in: check them in again to compare.",
                code="lists_changed",
            )

    def admit(
        self,
        visitor: Visitor,
        *,
        category: Category | str = Category.VISITOR,
        purpose: str = "",
        destination: str = "",
        note: str = "",
        again: bool = False,
    ) -> Visit:
        """Start and commit in one call, for doors where nothing needs a person (scripts, demo, tests).

        Unattended: a barred or registry ``match`` is refused and notified. Anything else that needs a person
        (a possible match, a warning not accepted with ``again``) or a refusal raises :class:`AdmissionError`.
        """
        request = CheckInRequest(visitor, category, purpose, destination, note)  # type: ignore[arg-type]
        if again:
            request = request.acknowledging(ALREADY_ON_SITE)
        outcome = self.start(request, unattended=True)
        if isinstance(outcome, Cleared):
            return self.commit(outcome).visit
        raise AdmissionError(outcome)


class AdmissionError(ConflictError):
    """A check-in that needs a person's decision, or was refused (``outcome`` says which)."""

    def __init__(self, outcome: NeedsDecision | Refused):
        if isinstance(outcome, Refused):
            message, code = outcome.message, outcome.code
        elif outcome.candidates:
            names = "; ".join(f"{c.entry.full_name} on {c.entry.source}" for c in outcome.candidates)
            message, code = f"Possible match to check first: {names}", "possible_match"
        else:
            message, code = " ".join(w.message for w in outcome.warnings), outcome.warnings[0].code
        super().__init__(message, code=code)
        self.outcome = outcome


def _denied_message(visitor: Visitor, candidate: Candidate) -> str:
    entry = candidate.entry
    return (
        f"Do not admit {visitor.first_name} {visitor.last_name}: matches {entry.full_name} on the "
        f"{entry.source} {entry.kind.label.lower()} list. No visit was recorded and no badge printed."
    )
