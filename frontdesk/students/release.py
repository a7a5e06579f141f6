"""Early dismissal to the right adult only: one workflow, ``start → decide → commit``, for every door.

The adult is screened like any visitor, by the same screener and decision services check-in uses:

- a custody order, or the office's may-not-pick-up list, naming this student (a ``custody`` entry) and
  confirmed — by a person at the desk, or by the screener's own ``match`` at an unattended door — refuses the
  release (:class:`Refused` ``custody`` / ``may_not_pick_up``) and notifies the principal as a confirmed
  barred match does; a barred or registry match refuses the same way (``barred``);
- a *possible* match on such an entry needs a person to compare (:class:`NeedsDecision`); an unattended door
  (the command line) cannot, and refuses without releasing;
- then the adult must be someone who may take the student today (:meth:`StudentService.pickups`: guardians
  from the SIS with pick-up allowed, temporary authorisations). Anyone else is :class:`NotAuthorised`, unless
  a principal or administrator, signed in as themselves, approves this once with a reason.

:meth:`Dismissal.commit` writes the release, the screening decisions behind it and their audit records in
one transaction. Reunification (:mod:`frontdesk.students.reunify`) asks :meth:`Dismissal.start` the same
questions and queues the request instead of releasing at once; when its runner is sent and at the hand-over it
asks them again (:meth:`DismissalService.recheck`, with every decision made at the request).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from frontdesk.access.roles import Action
from frontdesk.errors import ConflictError, InputError
from frontdesk.screening.dates import UNKNOWN, Dob
from frontdesk.screening.decisions import Consequence, Outcome, ScreeningDecision, consequence_of
from frontdesk.screening.models import Candidate, Decision, FieldEvidence, Kind, Query, ScreenResult
from frontdesk.settings import SCREEN_REGISTRY_AS_BARRED
from frontdesk.students.models import Movement, MovementKind, Pickup, Student
from frontdesk.students.service import MAY_NOT_PICK_UP, StudentService, names_student

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.audit import AuditTrail
    from frontdesk.screening.decisions import DecisionService
    from frontdesk.screening.screener import Screener
    from frontdesk.settings import Settings

PRINCIPAL_APPROVAL = "approved once by"


@dataclass(frozen=True)
class ReleaseRequest:
    """Who is taking which student, and why. ``approve``: a principal approves an unlisted adult this once
    (``reason`` is then the approval's reason too)."""

    student: Student
    first_name: str
    last_name: str
    reason: str
    dob: date | None = None
    approve: bool = False

    @property
    def adult(self) -> str:
        """The adult's name as recorded."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Dismissed:
    """A flagged entry a person said is not this adult (recorded with the release)."""

    candidate: Candidate
    reason: str
    staff: str


@dataclass(frozen=True)
class Dismissal:
    """A release in progress: the request, the screening, and the flagged entries decided so far."""

    request: ReleaseRequest
    result: ScreenResult
    relevant: tuple[Candidate, ...]
    dismissed: tuple[Dismissed, ...] = ()
    pickup: Pickup | None = None

    @property
    def pending(self) -> tuple[Candidate, ...]:
        """Flagged entries that matter to this release and nobody has decided on yet."""
        done = {d.candidate.entry.id for d in self.dismissed}
        return tuple(c for c in self.relevant if c.entry.id not in done)


@dataclass(frozen=True)
class Cleared:
    """Screened, and the adult may take the student: :meth:`Dismissal.commit` releases."""

    dismissal: Dismissal
    authorised_as: str
    approved_by: str = ""


@dataclass(frozen=True)
class NeedsDecision:
    """A person at the desk must compare the adult with these entries (best first)."""

    dismissal: Dismissal
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class NotAuthorised:
    """The adult is not on the student's list; nothing was released. ``pickups``: who may take the student."""

    dismissal: Dismissal
    message: str
    pickups: tuple[Pickup, ...]


@dataclass(frozen=True)
class Refused:
    """Refused by a custody order, the may-not-pick-up list, or a barred match; the principal was told."""

    code: str  # "custody", "may_not_pick_up", "barred"
    message: str
    decision: ScreeningDecision | None = None
    confirmed: bool = True  # False: a possible match nobody could compare (an unattended door)


Outcome_ = Cleared | NeedsDecision | NotAuthorised | Refused


@dataclass(frozen=True)
class Released:
    """A committed release: the movement recorded and the screening decisions stored with it."""

    movement: Movement
    decisions: tuple[ScreeningDecision, ...]


def split_name(text: str) -> tuple[str, str]:
    """ "FIRST LAST" (or "LAST, FIRST") as (first, last)."""
    text = " ".join(text.split())
    if "," in text:
        last, _, first = text.partition(",")
        first, last = first.strip(), last.strip()
    else:
        first, _, last = text.rpartition(" ")
    if not first or not last:
        raise InputError("Give the adult's first and last name, as on their ID (for example: Pat Rivera)")
    return first, last


def _code(entry) -> str:
    """The refusal's code for the list an entry is on."""
    if entry.kind is Kind.CUSTODY:
        return "may_not_pick_up" if entry.source == MAY_NOT_PICK_UP else "custody"
    return "barred"


def query_of(request: ReleaseRequest) -> Query:
    """The screening query for the adult."""
    dob = Dob(request.dob, request.dob.year) if request.dob else UNKNOWN
    return Query(request.first_name.strip(), request.last_name.strip(), "", dob)


class DismissalService:
    """The release workflow over the screener, the decisions and the students service."""

    def __init__(
        self,
        *,
        students: StudentService,
        screener: Screener,
        decisions: DecisionService,
        settings: Settings,
        session: Session,
        audit: AuditTrail,
        frozen: Callable[[], str | None] = lambda: None,
        outbound=None,
    ):
        self._outbound = outbound  # email and text subscribers of ``release-refused`` (issue 20)
        self._students = students
        self._screener = screener
        self._decisions = decisions
        self._settings = settings
        self._session = session
        self._audit = audit
        self._frozen = frozen  # the school's lockdown banner while releases are frozen, else None

    # --- start ---------------------------------------------------------------------------------------------
    def start(self, request: ReleaseRequest, *, unattended: bool = False, reunification: bool = False) -> Outcome_:
        """Screen the adult and check the student's list; nothing is released yet."""
        self._session.require(Action.REUNIFY if reunification else Action.SIGN_STUDENTS)
        if not request.first_name.strip() or not request.last_name.strip():
            raise InputError("Give the adult's first and last name, as on their ID (for example: Pat Rivera)")
        if not request.reason.strip():
            raise InputError("Give the reason for the release (for example: dentist appointment)")
        student = request.student
        if not student.active:
            raise ConflictError(f"{student.full_name} is no longer enrolled", code="student_inactive")
        if not reunification:
            banner = self._frozen()
            if banner:
                raise ConflictError(
                    f"{banner}. Releases wait for the all clear (or reunification).", code="admissions_frozen"
                )
        released = self._students.release_open(student)
        if released is not None:
            if reunification:  # not at the assembly point: the adult must hear it, not wait for a runner
                raise ConflictError(
                    f"{student.full_name} was signed out at {released.astimezone():%H:%M} today and has not come "
                    "back: not in the building. Tell the adult; the office has the release slip.",
                    code="already_out",
                )
            raise ConflictError(f"{student.full_name} is already signed out", code="already_out")
        return self._screen(request, unattended=unattended)

    def recheck(self, request: ReleaseRequest, decision_ids: Sequence[int], *, approved_by: str = "") -> Outcome_:
        """The adult of a request cleared earlier, checked again by the same rules at the hand-over
        (reunification: :meth:`~frontdesk.students.reunify.ReunificationService.send` and ``release``).

        ``decision_ids``: the screening decisions stored with the request. An entry a person said then was not this
        adult ("not this person") stays decided; any other flagged entry that matters (a custody order or
        may-not-pick-up entry added since, a new possible match) refuses as at an unattended door, the
        principal told the same way. The adult must still be on the student's pick-up list today (a guardian's
        pick-up stopped, an authorisation revoked or expired: :class:`NotAuthorised`), unless a principal
        approved them once at the request (``approved_by``)."""
        self._session.require(Action.REUNIFY)
        earlier = {
            d.entry_id: d
            for d in self._decisions.by_ids(decision_ids)
            if d.outcome is Outcome.NOT_THIS_PERSON and d.entry_id is not None
        }
        return self._screen(request, unattended=True, earlier=earlier, approved_by=approved_by)

    def _screen(
        self,
        request: ReleaseRequest,
        *,
        unattended: bool,
        earlier: dict[int, ScreeningDecision] | None = None,
        approved_by: str = "",
    ) -> Outcome_:
        student = request.student
        result = self._orders_on_the_name(self._screener.screen(query_of(request)), student)
        relevant = tuple(c for c in result.flagged if self._matters(c, student))  # notes do not stop a release
        earlier = earlier or {}
        dismissed = tuple(
            Dismissed(c, earlier[c.entry.id].reason, earlier[c.entry.id].staff)
            for c in relevant
            if c.entry.id in earlier
        )
        dismissal = Dismissal(request, result, relevant, dismissed)
        if unattended:
            strong = [c for c in dismissal.pending if c.decision is Decision.MATCH]
            if strong:
                decision = self._decisions.confirm(
                    result.query, strong[0], "FrontDesk (unattended)", "the screener's own verdict: match"
                )
                return self._refused(request, strong[0], decision)
        return self._next(dismissal, unattended=unattended, approved_by=approved_by)

    def _orders_on_the_name(self, result: ScreenResult, student: Student) -> ScreenResult:
        """``result`` with every custody order naming ``student`` that carries the adult's name flagged, whatever
        date of birth the adult gave and however common the name.

        The screener rightly takes the same name with another date of birth for another person, and a common
        name without a date for a note: among all visitors. Here the order names this child, and the adult
        came for this child under its name: a wrong date (a slip, the child's date typed in the adult's box, a
        forged card) released the child to the adult the order names, with nobody asked.
        """
        undated = result
        if result.query.dob.known:
            undated = self._screener.screen(dataclasses.replace(result.query, dob=UNKNOWN))
        flagged = {c.entry.id: c for c in result.flagged}
        for c in (*result.notes, *(undated.candidates if undated is not result else ())):
            if c.entry.id in flagged or c.entry.kind is not Kind.CUSTODY or not names_student(c.entry, student):
                continue
            why = FieldEvidence(
                "desk",
                "custody_order_on_the_name",
                "stopped for a person: a custody order naming this student carries this adult's name, and neither "
                "the date of birth given nor how common the name is clears that: compare the photo and ask",
            )
            evidence = (*(e for e in c.evidence if e.field != "desk"), why)
            flagged[c.entry.id] = dataclasses.replace(c, decision=Decision.POSSIBLE_MATCH, evidence=evidence)
        if len(flagged) == len(result.flagged):
            return result
        ordered = sorted(flagged.values(), key=lambda c: (-c.score, c.entry.id))
        notes = tuple(c for c in result.notes if c.entry.id not in flagged)
        return ScreenResult(result.query, ordered[0].decision, (*ordered, *notes))

    def _matters(self, candidate: Candidate, student: Student) -> bool:
        kind = candidate.entry.kind
        if kind is Kind.CUSTODY:
            return names_student(candidate.entry, student)
        return self._consequence(kind) is Consequence.DENY

    def _consequence(self, kind: Kind) -> Consequence:
        return consequence_of(kind, self._settings.get(SCREEN_REGISTRY_AS_BARRED))

    def _next(self, dismissal: Dismissal, *, unattended: bool = False, approved_by: str = "") -> Outcome_:
        pending = dismissal.pending
        request = dismissal.request
        if pending:
            if unattended:
                entry = pending[0].entry
                code = _code(entry)
                self._refusal_record(request, code, entry.source)
                return Refused(
                    code,
                    f"REFUSED: {request.student.full_name} not released. {request.adult} may be {entry.full_name} "
                    f"on the {entry.source} {entry.kind.label.lower()} list: a person at the desk must compare "
                    "them with the entry first.",
                    confirmed=False,
                )
            return NeedsDecision(dismissal, pending)
        student = request.student
        pickup = self._students.authorised_pickup(student, request.first_name, request.last_name, request.dob)
        dismissal = dataclasses.replace(dismissal, pickup=pickup)
        if pickup is not None:
            return Cleared(dismissal, pickup.why)
        if approved_by:  # approved once at the request (reunification's hand-over): the same approval
            return Cleared(dismissal, f"{PRINCIPAL_APPROVAL} {approved_by}", approved_by=approved_by)
        if request.approve:
            self._session.require(Action.APPROVE_RELEASE)
            approver = self._session.actor.display_name
            return Cleared(dismissal, f"{PRINCIPAL_APPROVAL} {approver}", approved_by=approver)
        pickups = tuple(self._students.pickups(student))
        if request.dob is None and self._students.dob_needed(student, request.first_name, request.last_name):
            self._refusal_record(request, "not_authorised", "date of birth not given")
            return NotAuthorised(
                dismissal,
                f"Not released yet: {request.adult} is on {student.full_name}'s pick-up list with a date of "
                "birth. Scan their ID, or type their date of birth, and release again.",
                pickups,
            )
        self._refusal_record(request, "not_authorised", "")
        listed = ", ".join(p.name for p in pickups) or "nobody"
        return NotAuthorised(
            dismissal,
            f"Not released: {request.adult} is not on {student.full_name}'s pick-up list ({listed}). "
            "A principal may approve this once, with a reason.",
            pickups,
        )

    # --- decide --------------------------------------------------------------------------------------------
    def decide(self, dismissal: Dismissal, entry_id: int, *, same_person: bool, reason: str = "") -> Outcome_:
        """A person's answer on one flagged entry: *same person* refuses; *not this person* needs a reason."""
        candidate = next((c for c in dismissal.pending if c.entry.id == entry_id), None)
        if candidate is None:
            raise InputError(f"Entry {entry_id} is not waiting for a decision here")
        staff = self._students.staff()
        if same_person:
            decision = self._decisions.confirm(dismissal.result.query, candidate, staff, reason)
            return self._refused(dismissal.request, candidate, decision)
        if not reason.strip():
            raise InputError("Say why this is not the person on the list (for example: different photo)")
        decided = Dismissed(candidate, reason.strip(), staff)
        return self._next(dataclasses.replace(dismissal, dismissed=(*dismissal.dismissed, decided)))

    def _refused(self, request: ReleaseRequest, candidate: Candidate, decision: ScreeningDecision) -> Refused:
        entry = candidate.entry
        code = _code(entry)
        if entry.kind is Kind.CUSTODY:
            why = (
                "the office's may-not-pick-up list"
                if code == "may_not_pick_up"
                else f"a custody order ({entry.source})"
            )
        else:
            why = f"the {entry.source} {entry.kind.label.lower()} list"
        self._refusal_record(request, code, entry.source, decision.id)
        told = f" {', '.join(decision.told)} notified." if decision.told else " The principal was notified."
        return Refused(
            code,
            f"REFUSED: do not release {request.student.full_name} to {request.adult}: {why}.{told}",
            decision,
        )

    def _refusal_record(self, request: ReleaseRequest, code: str, source: str, decision_id: int | None = None):
        with self._audit.transaction():  # the refusal's record and its emails and texts commit together
            self._record_refusal(request, code, source, decision_id)
            if self._outbound is not None and code != "not_authorised":  # refused by an order or the office
                self._outbound.release_refused(request.adult, staff=self._students.staff())

    def _record_refusal(self, request: ReleaseRequest, code: str, source: str, decision_id: int | None) -> None:
        self._audit.record(
            None,
            "students.release_refused",
            f"student {request.student.sourced_id}",
            {
                "adult": request.adult,
                "code": code,
                "list": source,
                "decision_id": decision_id,
                "reason": request.reason.strip(),
            },
        )

    # --- commit --------------------------------------------------------------------------------------------
    def record_decisions(self, dismissal: Dismissal, staff: str) -> list[ScreeningDecision]:
        """Store the screening behind a release (inside the caller's transaction)."""
        result = dismissal.result
        if not dismissal.dismissed:
            return [self._decisions.record_clear(result, staff)]
        return [
            self._decisions.record(
                result.query, d.candidate, Outcome.NOT_THIS_PERSON, Consequence.ADMIT, d.staff, d.reason
            )
            for d in dismissal.dismissed
        ]

    def commit(self, cleared: Cleared) -> Released:
        """Release: the movement, its screening decisions and audit records in one transaction."""
        dismissal = cleared.dismissal
        if dismissal.pending:
            raise InputError("Decide on every flagged record before releasing")
        request = dismissal.request
        student = request.student
        staff = self._students.staff()
        with self._audit.transaction() as db:
            if self._students.release_open(student, db=db) is not None:
                raise ConflictError(f"{student.full_name} is already signed out", code="already_out")
            # Checked again under the write lock, so nothing can change them between this look and the release:
            # the card, or the confirmation, may have been on the screen for minutes while another terminal
            # added a custody order or stopped this adult's pick-up.
            self._still_screened(dismissal)
            self._still_authorised(cleared)
            decisions = self.record_decisions(dismissal, staff)
            movement = self._students._insert(  # noqa: SLF001 - the feature's own writer
                db,
                student,
                MovementKind.RELEASE,
                reason=request.reason,
                adult=request.adult,
                adult_dob=request.dob.isoformat() if request.dob else None,
                authorised_as=cleared.authorised_as,
                approved_by=cleared.approved_by,
                decision_id=decisions[0].id if decisions else None,
            )
            self._audit.record(
                None,
                "students.release",
                f"student {student.sourced_id}",
                {
                    "student": student.full_name,
                    "to": request.adult,
                    "authorised_as": cleared.authorised_as,
                    "approved_by": cleared.approved_by,
                    "reason": request.reason.strip(),
                    "movement": movement.id,
                },
            )
        return Released(movement, tuple(decisions))

    def _still_screened(self, dismissal: Dismissal) -> None:
        """ConflictError when an entry that matters to this release was added while its card was held."""
        student = dismissal.request.student
        fresh = self._orders_on_the_name(self._screener.screen(dismissal.result.query), student)
        shown = {c.entry.id for c in dismissal.relevant}
        new = [c for c in fresh.flagged if c.entry.id not in shown and self._matters(c, student)]
        if new:
            entry = new[0].entry
            raise ConflictError(
                f"The screening lists changed while this release waited: {entry.full_name} on the {entry.source} "
                f"list may be this adult. {student.full_name} was not released: start again to compare.",
                code="lists_changed",
            )

    def _still_authorised(self, cleared: Cleared) -> None:
        """ConflictError when the pick-up list that cleared this release no longer has the adult (a guardian's
        pick-up stopped, an authorisation revoked) while it waited; a principal's approval stands as given."""
        dismissal = cleared.dismissal
        if cleared.approved_by or dismissal.pickup is None:
            return
        request = dismissal.request
        student = request.student
        if self._students.authorised_pickup(student, request.first_name, request.last_name, request.dob) is None:
            raise ConflictError(
                f"{student.full_name}'s pick-up list changed while this release waited: {request.adult} is no "
                "longer on it. Not released: start again to see the list as it is now.",
                code="pickup_changed",
            )

    def release(self, request: ReleaseRequest) -> Outcome_ | Released:
        """Start and commit in one call at an unattended door (the command line): :class:`Released`, or the
        outcome that stopped it (:class:`NotAuthorised`, :class:`Refused`)."""
        outcome = self.start(request, unattended=True)
        if isinstance(outcome, Cleared):
            return self.commit(outcome)
        return outcome
