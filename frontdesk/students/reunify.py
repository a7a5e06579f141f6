"""Reunification after an evacuation or lockdown, following the Standard Reunification Method's steps.

1. :meth:`ReunificationService.start` opens a reunification (``drill`` marks a practice; it shows everywhere).
2. A guardian asks for a student: the same checks as an early dismissal (:meth:`DismissalService.start` with
   ``reunification=True``: screening, custody, the pick-up list, a principal's approval); :meth:`queue` records
   the request and its screening, and gives the request card's code.
3. A runner is sent for the student (:meth:`send`): *on the way*.
4. The student is handed over (:meth:`release`): *released*, recorded as a release (off the building roster).

At steps 3 and 4 the adult is checked again by the same rules (:meth:`DismissalService.recheck`, carrying every
screening decision made at the request): a custody order or may-not-pick-up entry added since, a barred match,
a new possible match, a guardian's pick-up stopped or an authorisation revoked or expired *stops* the request
(:class:`HandOverStopped`; the refusal recorded and told as at the request, the student still in the count).
A stopped request no longer holds the student: the guardian (or another adult) asks again.

:meth:`board` is the live board (requested / on the way / released / not yet requested, per class);
:meth:`export_csv` writes everything afterwards. Every step is audited in the transaction that makes it.
A laptop at the reunification site runs the same desk over its own copy of the data folder (``--data-dir``);
:meth:`export_record` writes what it recorded to a file and :meth:`merge_record` brings that into the desk's
record (:mod:`frontdesk.students.reunify_record`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from frontdesk import clock
from frontdesk.access.roles import Action
from frontdesk.errors import ConflictError, InputError, NotFoundError
from frontdesk.students.models import MovementKind, Student
from frontdesk.students.release import (
    PRINCIPAL_APPROVAL,
    Cleared,
    DismissalService,
    NotAuthorised,
    Outcome_,
    Refused,
    ReleaseRequest,
    split_name,
)
from frontdesk.students.reunify_record import MergeReport, merge_record, read_record, write_record
from frontdesk.students.service import StudentService, student_from_row
from frontdesk.text import SafeCsvWriter, new_badge_code

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.audit import AuditTrail
    from frontdesk.store import Store

REQUESTED, ON_THE_WAY, RELEASED, STOPPED = "requested", "on_the_way", "released", "stopped"
STATUS_WORDS = {REQUESTED: "requested", ON_THE_WAY: "on the way", RELEASED: "released", STOPPED: "stopped"}


@dataclass(frozen=True)
class Reunification:
    """One reunification (or drill)."""

    id: int
    started_at: datetime
    drill: bool
    site: str
    started_by: str
    ended_at: datetime | None = None


@dataclass(frozen=True)
class ReunifyRequest:
    """A guardian's request for a student, and how far it has gone."""

    id: int
    student: Student
    adult: str
    authorised_as: str
    status: str
    requested_at: datetime
    card: str
    runner: str = ""
    released_at: datetime | None = None
    stopped_reason: str = ""  # why the check at the hand-over stopped it (status ``stopped``)


@dataclass(frozen=True)
class BoardRow:
    """One class on the live board."""

    homeroom: str
    students: int
    requested: int
    on_the_way: int
    released: int

    @property
    def not_requested(self) -> int:
        """Students of the class nobody has asked for yet."""
        return self.students - self.requested - self.on_the_way - self.released


@dataclass(frozen=True)
class Board:
    """The live board: the reunification, per-class counts and every request, newest first."""

    reunification: Reunification
    rows: tuple[BoardRow, ...]
    requests: tuple[ReunifyRequest, ...]

    def total(self, what: str) -> int:
        """A column's total (``requested``, ``on_the_way``, ``released``, ``not_requested``, ``students``)."""
        return sum(getattr(r, what) for r in self.rows)


_REQ_COLUMNS = (
    "r.id, r.adult, r.authorised_as, r.status, r.requested_at, r.card, r.runner, r.released_at, r.stopped_reason"
)
_REQ_WIDTH = _REQ_COLUMNS.count(",") + 1  # where a board row's student columns begin


class HandOverStopped(ConflictError):
    """The adult was checked again at the hand-over and is refused now: the request is stopped (recorded,
    audited, the principal told as at the request) and the student stays in the building's count."""

    def __init__(self, message: str, *, outcome: NotAuthorised | Refused, request: ReunifyRequest):
        super().__init__(message, code="handover_stopped")
        self.outcome = outcome
        self.request = request


class ReunificationService:
    """Runs reunification over the students and release services."""

    def __init__(
        self,
        store: Store,
        students: StudentService,
        dismissal: DismissalService,
        *,
        session: Session,
        audit: AuditTrail,
    ):
        self._store = store
        self._students = students
        self._dismissal = dismissal
        self._session = session
        self._audit = audit

    # --- the run -------------------------------------------------------------------------------------------
    def start(self, *, drill: bool, site: str = "") -> Reunification:
        """Open a reunification (one at a time)."""
        self._session.require(Action.REUNIFY)
        if self.current() is not None:
            raise ConflictError("A reunification is already running: end it first", code="reunification_open")
        actor = self._students.staff()
        with self._audit.transaction() as db:
            cur = db.execute(
                "INSERT INTO reunifications (started_at, drill, site, started_by) VALUES (?, ?, ?, ?)",
                [clock.to_db(clock.now()), int(drill), site.strip(), actor],
            )
            self._audit.record(
                None, "reunify.start", f"reunification {cur.lastrowid}", {"drill": drill, "site": site.strip()}
            )
        return self.get(cur.lastrowid)

    def end(self) -> Reunification:
        """Close the running reunification."""
        self._session.require(Action.REUNIFY)
        run = self._require_current()
        with self._audit.transaction() as db:
            db.execute("UPDATE reunifications SET ended_at = ? WHERE id = ?", [clock.to_db(clock.now()), run.id])
            self._audit.record(None, "reunify.end", f"reunification {run.id}", {"drill": run.drill})
        return self.get(run.id)

    def get(self, run_id: int) -> Reunification:
        """One reunification by id."""
        row = self._store.db.execute(
            "SELECT id, started_at, drill, site, started_by, ended_at FROM reunifications WHERE id = ?", [run_id]
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No reunification {run_id}")
        return Reunification(row[0], clock.from_db(row[1]), bool(row[2]), row[3], row[4], clock.from_db(row[5]))  # type: ignore[arg-type]

    def current(self) -> Reunification | None:
        """The reunification running now, if any."""
        row = self._store.db.execute(
            "SELECT id FROM reunifications WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return self.get(row[0]) if row else None

    def _require_current(self) -> Reunification:
        run = self.current()
        if run is None:
            raise ConflictError("No reunification is running", code="no_reunification")
        return run

    # --- requests ------------------------------------------------------------------------------------------
    def check(self, request: ReleaseRequest, *, unattended: bool = False) -> Outcome_:
        """The early-dismissal checks for a guardian's request (no lockdown freeze: this is how students leave)."""
        self._require_current()
        if self._open_request(request.student) is not None:
            raise ConflictError(
                f"{request.student.full_name} has already been requested", code="already_requested"
            )
        return self._dismissal.start(request, unattended=unattended, reunification=True)

    def queue(self, cleared: Cleared) -> ReunifyRequest:
        """Record a cleared request (with its screening) and give its card code."""
        run = self._require_current()
        dismissal = cleared.dismissal
        request = dismissal.request
        staff = self._students.staff()
        with self._audit.transaction() as db:
            if self._open_request(request.student, db=db) is not None:
                raise ConflictError(
                    f"{request.student.full_name} has already been requested", code="already_requested"
                )
            decisions = self._dismissal.record_decisions(dismissal, staff)
            card = new_badge_code()
            cur = db.execute(
                "INSERT INTO reunification_requests (reunification_id, student_id, adult, adult_first, "
                "adult_last, adult_dob, authorised_as, "
                "status, requested_at, staff, decision_id, card) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run.id,
                    request.student.id,
                    request.adult,
                    request.first_name.strip(),
                    request.last_name.strip(),
                    request.dob.isoformat() if request.dob else None,
                    cleared.authorised_as,
                    REQUESTED,
                    clock.to_db(clock.now()),
                    staff,
                    decisions[0].id if decisions else None,
                    card,
                ],
            )
            # Every decision (each "not this person"), for the check again at the hand-over.
            db.conn.executemany(
                "INSERT INTO reunification_request_decisions (request_id, decision_id) VALUES (?, ?)",
                [(cur.lastrowid, d.id) for d in decisions],
            )
            self._audit.record(
                None,
                "reunify.request",
                f"student {request.student.sourced_id}",
                {
                    "reunification": run.id,
                    "drill": run.drill,
                    "adult": request.adult,
                    "authorised_as": cleared.authorised_as,
                    "request": cur.lastrowid,
                },
            )
        return self.request(cur.lastrowid)

    def ask(self, request: ReleaseRequest) -> Outcome_ | ReunifyRequest:
        """Check and queue in one call where no person compares (scripts, tests): the queued request, or the
        outcome that stopped it."""
        outcome = self.check(request, unattended=True)
        return self.queue(outcome) if isinstance(outcome, Cleared) else outcome

    def send(self, request_id: int, runner: str) -> ReunifyRequest:
        """A runner goes for the student."""
        self._session.require(Action.REUNIFY)
        if not runner.strip():
            raise InputError("Name the runner sent for the student")
        return self._move(request_id, REQUESTED, ON_THE_WAY, runner=runner.strip())

    def release(self, request_id: int) -> ReunifyRequest:
        """The student is handed to the adult: recorded as a release too (off the building roster)."""
        self._session.require(Action.REUNIFY)
        return self._move(request_id, ON_THE_WAY, RELEASED)

    def withdraw(self, request_id: int, reason: str) -> ReunifyRequest:
        """Take back a request that has not been handed over (the adult left, or another adult on the list is
        here): it is stopped with the reason and no longer holds the student, so another adult may ask. A runner
        already sent brings the student back to the request table."""
        self._session.require(Action.REUNIFY)
        if not reason.strip():
            raise InputError("Say why the request is taken back (for the record)")
        run = self._require_current()
        staff = self._students.staff()
        with self._audit.transaction() as db:
            req = self.request(request_id)
            if req.status not in (REQUESTED, ON_THE_WAY):
                raise ConflictError(
                    f"{req.student.full_name}'s request is {STATUS_WORDS[req.status]}: only a request not yet "
                    "handed over can be taken back",
                    code="wrong_step",
                )
            self._step(request_id, run, req.status, STOPPED, db=db)
            back = " The runner brings the student back to the request table." if req.status == ON_THE_WAY else ""
            message = f"Taken back by {staff or 'the office'}: {reason.strip()}.{back}"
            self._mark_stopped(db, request_id, message)
            self._audit.record(
                None,
                "reunify.withdraw",
                f"student {req.student.sourced_id}",
                {
                    "reunification": run.id,
                    "drill": run.drill,
                    "request": request_id,
                    "was": req.status,
                    "adult": req.adult,
                    "reason": reason.strip(),
                },
            )
        return self.request(request_id)

    def _move(self, request_id: int, before: str, after: str, runner: str = "") -> ReunifyRequest:
        run = self._require_current()
        self._step(request_id, run, before, after)  # a wrong step is said before the write lock is taken
        stopped: HandOverStopped | None = None
        with self._audit.transaction() as db:
            req = self._step(request_id, run, before, after, db=db)
            # The adult is checked again under the write lock: no custody order, bar or revoked pick-up saved at
            # another terminal can land between this check and the step it allows.
            outcome = self._recheck(request_id, req)
            if not isinstance(outcome, Cleared):
                stopped = self._stopped(db, request_id, run, after, outcome)
            else:
                self._step_taken(db, req, run, request_id, after, runner)
        if stopped is not None:
            raise stopped
        return self.request(request_id)

    def _step_taken(
        self, db, req: ReunifyRequest, run: Reunification, request_id: int, after: str, runner: str
    ) -> None:
        """Write the step (a runner sent, or the hand-over with its release), inside the caller's transaction."""
        now = clock.to_db(clock.now())
        movement = None
        if after == ON_THE_WAY:
            db.execute(
                "UPDATE reunification_requests SET status = ?, runner = ?, sent_at = ? WHERE id = ?",
                [after, runner, now, request_id],
            )
        else:
            db.execute(
                "UPDATE reunification_requests SET status = ?, released_at = ? WHERE id = ?",
                [after, now, request_id],
            )
            movement = self._students._insert(  # noqa: SLF001 - the feature's own writer
                db,
                req.student,
                MovementKind.RELEASE,
                reason=f"reunification{' drill' if run.drill else ''} {run.id}",
                adult=req.adult,
                authorised_as=req.authorised_as,
            )
        details = {
            "reunification": run.id,
            "drill": run.drill,
            "request": request_id,
            "runner": runner,
            "adult": req.adult,
        }
        if movement is not None:  # the release the school's other desks sign the student out by
            details["movement"] = movement.id
        self._audit.record(
            None,
            f"reunify.{'send' if after == ON_THE_WAY else 'release'}",
            f"student {req.student.sourced_id}",
            details,
        )

    def _step(self, request_id: int, run: Reunification, before: str, after: str, *, db=None) -> ReunifyRequest:
        """The request, if it may take this step now (this run, the step before, not signed out meanwhile)."""
        req = self.request(request_id)
        if self.run_of(request_id).id != run.id:
            # A card left over from an earlier run (a drill, or a laptop's merged record): its adult was
            # checked then, not now. The guardian asks again in this run.
            raise ConflictError(
                f"This card is from another reunification, not the one running: ask again for "
                f"{req.student.full_name}",
                code="other_run",
            )
        if req.status != before:
            raise ConflictError(
                f"{req.student.full_name}'s request is {STATUS_WORDS[req.status]}, not {STATUS_WORDS[before]}",
                code="wrong_step",
            )
        released = self._students.release_open(req.student, db=db)
        if after == RELEASED and released is not None:
            # Signed out meanwhile at a desk (or by a laptop's merged record): never released twice.
            raise ConflictError(
                f"{req.student.full_name} was already signed out at {released.astimezone():%H:%M}: "
                "not released again. Check with the office before the child leaves.",
                code="already_out",
            )
        return req

    def _recheck(self, request_id: int, req: ReunifyRequest) -> Outcome_:
        """The adult checked again by the release workflow's own rules, with the request's decisions."""
        row = self._store.db.execute(
            "SELECT adult_first, adult_last, adult_dob FROM reunification_requests WHERE id = ?", [request_id]
        ).fetchone()
        first, last = (row[0], row[1]) if row[0] and row[1] else split_name(req.adult)  # older rows: one name
        dob = date.fromisoformat(row[2]) if row[2] else None
        ids = [
            r[0]
            for r in self._store.db.execute(
                "SELECT decision_id FROM reunification_request_decisions WHERE request_id = ? "
                "ORDER BY decision_id",
                [request_id],
            )
        ]
        prefix = f"{PRINCIPAL_APPROVAL} "
        approved_by = req.authorised_as[len(prefix) :] if req.authorised_as.startswith(prefix) else ""
        request = ReleaseRequest(req.student, first, last, "reunification hand-over", dob=dob)
        return self._dismissal.recheck(request, ids, approved_by=approved_by)

    def _stopped(self, db, request_id: int, run: Reunification, after: str, outcome: Outcome_) -> HandOverStopped:
        """Record, inside the caller's transaction, that the check again refused the adult; the
        :class:`HandOverStopped` to raise once that transaction has committed."""
        assert isinstance(outcome, NotAuthorised | Refused)
        req = self.request(request_id)
        name = req.student.full_name
        if isinstance(outcome, Refused) and not outcome.confirmed:
            then = (
                f"The request is stopped: {name} stays with the school; the guardian asks again at the request "
                "table, where a person compares them with the entry again."
            )
        else:
            then = (
                f"The request is stopped: {name} stays with the school. Another adult on the pick-up list may "
                "ask again."
            )
        when = "at the hand-over" if after == RELEASED else "before a runner was sent"
        message = f"HAND-OVER STOPPED: {req.adult} was checked again {when}. {outcome.message} {then}"
        code = outcome.code if isinstance(outcome, Refused) else "not_authorised"
        self._mark_stopped(db, request_id, message)
        self._audit.record(
            None,
            "reunify.stop",
            f"student {req.student.sourced_id}",
            {
                "reunification": run.id,
                "drill": run.drill,
                "request": request_id,
                "step": "send" if after == ON_THE_WAY else "release",
                "adult": req.adult,
                "code": code,
                "message": message,
            },
        )
        return HandOverStopped(message, outcome=outcome, request=self.request(request_id))

    @staticmethod
    def _mark_stopped(db, request_id: int, message: str) -> None:
        """The request no longer holds its student (stopped by the check again, or taken back), and why."""
        db.execute(
            "UPDATE reunification_requests SET status = ?, stopped_at = ?, stopped_reason = ? WHERE id = ?",
            [STOPPED, clock.to_db(clock.now()), message, request_id],
        )

    def request(self, request_id: int) -> ReunifyRequest:
        """One request by id."""
        row = self._store.db.execute(
            f"SELECT {_REQ_COLUMNS}, r.student_id FROM reunification_requests r WHERE r.id = ?", [request_id]
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No reunification request {request_id}")
        return self._request(row[:-1], self._students.get(int(row[-1])))

    @staticmethod
    def _request(r: tuple, student: Student) -> ReunifyRequest:
        return ReunifyRequest(
            r[0], student, r[1], r[2], r[3], clock.from_db(r[4]), r[5], r[6], clock.from_db(r[7]), r[8]
        )  # type: ignore[arg-type]

    def run_of(self, request_id: int) -> Reunification:
        """The reunification a request belongs to."""
        row = self._store.db.execute(
            "SELECT reunification_id FROM reunification_requests WHERE id = ?", [request_id]
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No request {request_id}", code="unknown_request")
        return self.get(row[0])

    def request_by_card(self, card: str) -> ReunifyRequest:
        """A request by the code printed on its card (scanned at the release point)."""
        row = self._store.db.execute(
            "SELECT id FROM reunification_requests WHERE card = ?", [card.strip().upper().replace("-", "")]
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No reunification request card {card!r}")
        return self.request(row[0])

    def _open_request(self, student: Student, db=None) -> int | None:
        run = self.current()
        if run is None:
            return None
        row = (
            (db or self._store.db)
            .execute(
                # A stopped request does not hold the student: the guardian (or another adult) asks again.
                "SELECT id FROM reunification_requests WHERE reunification_id = ? AND student_id = ? "
                "AND status != ?",
                [run.id, student.id, STOPPED],
            )
            .fetchone()
        )
        return row[0] if row else None

    # --- the board and the record afterwards -------------------------------------------------------------
    def board(self, run_id: int | None = None) -> Board:
        """Per class: students, requested, on the way, released (not yet requested follows); the requests."""
        self._session.require(Action.REUNIFY)
        run = self.get(run_id) if run_id is not None else self._require_current()
        db = self._store.db
        counts = db.execute(
            "SELECT s.homeroom, count(*), "
            "sum(r.status = 'requested'), sum(r.status = 'on_the_way'), sum(r.status = 'released') "
            "FROM students s LEFT JOIN reunification_requests r ON r.student_id = s.id AND r.reunification_id = ? "
            "WHERE s.active = 1 GROUP BY s.homeroom ORDER BY s.homeroom",
            [run.id],
        ).fetchall()
        rows = tuple(BoardRow(h or "(no class)", n, a or 0, b or 0, c or 0) for h, n, a, b, c in counts)
        from frontdesk.students.service import _STUDENT_COLUMNS

        reqs = db.execute(
            f"SELECT {_REQ_COLUMNS}, {_STUDENT_COLUMNS} FROM reunification_requests r "
            "JOIN students s ON s.id = r.student_id WHERE r.reunification_id = ? ORDER BY r.id DESC",
            [run.id],
        ).fetchall()
        requests = tuple(self._request(r[:_REQ_WIDTH], student_from_row(r[_REQ_WIDTH:])) for r in reqs)
        return Board(run, rows, requests)

    def export_csv(self, out: IO[str], run_id: int | None = None) -> int:
        """Every request of a reunification as CSV (afterwards, for the record); returns how many. Audited."""
        self._session.require(Action.EXPORT)
        board = self.board(run_id if run_id is not None else (self.current() or self._last()).id)
        writer = SafeCsvWriter(out)  # names from people: no cell runs as a formula in a spreadsheet
        writer.writerow(
            [
                "reunification",
                "drill",
                "student_number",
                "student",
                "class",
                "adult",
                "authorised_as",
                "status",
                "requested_at",
                "runner",
                "released_at",
                "card",
                "stopped",
            ]
        )
        for r in reversed(board.requests):
            writer.writerow(
                [
                    board.reunification.id,
                    "yes" if board.reunification.drill else "no",
                    r.student.number,
                    r.student.full_name,
                    r.student.homeroom,
                    r.adult,
                    r.authorised_as,
                    STATUS_WORDS[r.status],
                    r.requested_at.astimezone().isoformat(timespec="seconds"),
                    r.runner,
                    r.released_at.astimezone().isoformat(timespec="seconds") if r.released_at else "",
                    r.card,
                    r.stopped_reason,
                ]
            )
        self._audit.record(
            None, "reunify.export", f"reunification {board.reunification.id}", {"requests": len(board.requests)}
        )
        return len(board.requests)

    def export_record(self, out: IO[str], run_id: int | None = None) -> int:
        """A reunification's record as a file for the school's desk (on the laptop, afterwards). Audited."""
        self._session.require(Action.EXPORT)
        run = self.get(run_id) if run_id is not None else (self.current() or self._last())
        count = write_record(self._store, self._students.station(), run.id, out)
        self._audit.record(None, "reunify.export_record", f"reunification {run.id}", {"requests": count})
        return count

    def merge_record(self, path: Path) -> MergeReport:
        """Bring a record written on the reunification laptop into this desk's record (idempotent, audited).

        Its releases become sign-outs on this desk's roster, so a principal or administrator merges it, and only
        a record sealed with this desk's key (the laptop's restored copy holds it) is taken."""
        self._session.require(Action.REUNIFY)
        self._session.require(Action.APPROVE_RELEASE)
        data = read_record(Path(path))
        return merge_record(self._store, self._audit, self._students, data, Path(path).name)

    def _last(self) -> Reunification:
        row = self._store.db.execute("SELECT id FROM reunifications ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            raise NotFoundError("No reunification has been run")
        return self.get(row[0])
