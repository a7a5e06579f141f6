"""The students the desk knows: importing the roster, finding a student, late arrivals, returns, who is out,
who may take a student (guardians and temporary authorisations), and the office's "may not pick up" list.

Releases themselves go through :mod:`frontdesk.students.release` (screening and authorisation, one workflow).
Every change commits in the same transaction as its audit record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.access.roles import Action
from frontdesk.errors import ConflictError, InputError, NotFoundError
from frontdesk.review.models import RosterStudent
from frontdesk.screening.dates import UNKNOWN, Dob
from frontdesk.screening.models import Entry, Kind, NewEntry
from frontdesk.settings import STAFF_NAME, STATION_NAME, STUDENTS_LATE_THRESHOLD
from frontdesk.students.importer import PREFIX_MAX, Progress, known_in
from frontdesk.students.models import (
    Authorisation,
    Guardian,
    ImportCounts,
    Movement,
    MovementKind,
    Pickup,
    Student,
)
from frontdesk.students.oneroster import read_bundle
from frontdesk.students.staging import import_staged
from frontdesk.text import new_badge_code
from frontdesk.wire.names import fold

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.audit import AuditTrail
    from frontdesk.screening.lists import ListService
    from frontdesk.settings import Settings
    from frontdesk.store import Store

# The office's own list: adults who may not pick up a named student (kept as custody entries, so every
# screening — a visitor's check-in, a release, reunification — sees them).
MAY_NOT_PICK_UP = "Office: may not pick up"
FIND_LIMIT = 20
_STUDENT_COLUMNS = (
    "s.id, s.sourced_id, s.number, s.first_name, s.last_name, s.middle_name, s.preferred_name, s.grade, s.dob, "
    "s.homeroom, s.active"
)
_WORD = re.compile(r"\w+", re.UNICODE)


AUTHORISATION_COLUMNS = "id, student_id, first_name, last_name, dob, valid_from, valid_until, approved_by, note"


def authorisation_from_row(r: tuple) -> Authorisation:
    """An :class:`Authorisation` from the columns in ``AUTHORISATION_COLUMNS`` order."""
    return Authorisation(
        r[0],
        r[1],
        r[2],
        r[3],
        date.fromisoformat(r[4]) if r[4] else None,
        date.fromisoformat(r[5]),
        date.fromisoformat(r[6]),
        r[7],
        r[8],
    )


def student_from_row(r: tuple) -> Student:
    """A :class:`Student` from the columns in ``_STUDENT_COLUMNS`` order."""
    return Student(
        id=r[0],
        sourced_id=r[1],
        number=r[2],
        first_name=r[3],
        last_name=r[4],
        middle_name=r[5],
        preferred_name=r[6],
        grade=r[7],
        dob=date.fromisoformat(r[8]) if r[8] else None,
        homeroom=r[9],
        active=bool(r[10]),
    )


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def names_student(entry: Entry, student: Student) -> bool:
    """True when a custody entry applies to ``student``: it names them (by name, number or sourcedId), or
    names nobody at all (an order with no student named is applied to every student, to be safe).

    A court order is typed by people, so the name is read loosely, erring towards applying the order: in any
    order and punctuation ("Last, First"), with any middle name or initial, the first, middle or preferred
    name with any word of the last name, or the student number anywhere in the text ("Ann Lee (#1234)")."""
    if not entry.students:
        return True
    ids = {student.number.casefold(), student.sourced_id.casefold()} - {""}
    number = fold(student.number)
    given = set(fold(f"{student.first_name} {student.middle_name} {student.preferred_name}").split())
    last = set(fold(student.last_name).split())
    for text in entry.students:
        words = fold(text).split()
        if text.strip().casefold() in ids or (number and number in words):
            return True
        if fold(student.sourced_id) and f" {fold(student.sourced_id)} " in f" {' '.join(words)} ":
            return True
        if given & set(words) and last & set(words):
            return True
    return False


class StudentService:
    """The roster, look-ups, late arrivals and returns, authorisations and the office's may-not-pick-up list."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        session: Session,
        audit: AuditTrail,
        lists: ListService,
    ):
        self._store = store
        self._settings = settings
        self._session = session
        self._audit = audit
        self._lists = lists

    # --- who is acting -----------------------------------------------------------------------------------
    def staff(self) -> str:
        """The signed-in person's name, else the desk's configured staff member."""
        actor = self._session.actor
        if actor.signed_in:
            return actor.display_name
        return self._settings.get(STAFF_NAME) or "Front desk"

    def station(self) -> str:
        """This desk's name (the station setting)."""
        return self._settings.get(STATION_NAME)

    # --- import --------------------------------------------------------------------------------------------
    def import_bundle(self, path: Path, progress: Progress | None = None) -> ImportCounts:
        """Import a OneRoster bundle (zip or folder); refused whole (BundleError) when any line is wrong.

        Built apart and swapped in with one short transaction (:mod:`frontdesk.students.staging`): a
        check-in or a panic press never waits behind a district's import. All of it or none of it.
        """
        self._session.require(Action.IMPORT_SIS)
        actor = self._session.actor_name  # who started it: the desk may lock, or change hands, before the swap
        bundle = read_bundle(Path(path), known_in(self._store.db))

        def record(db, counts: ImportCounts) -> None:
            self._audit.record(
                actor,
                "students.import",
                str(Path(path).name),
                {k: v for k, v in counts.__dict__.items() if k != "ignored_files"},
            )

        return import_staged(
            self._store, bundle, swap=record, transaction=self._audit.transaction, progress=progress
        )

    # --- finding -------------------------------------------------------------------------------------------
    def find(self, text: str, *, limit: int = FIND_LIMIT, include_inactive: bool = False) -> list[Student]:
        """Students whose number is ``text``, then those whose names (or number) start with each word typed,
        in name order.

        One word of up to four letters (what is typed a keystroke at a time) reads the prefix table in name
        order and stops at ``limit``; longer or several words go through the FTS index (few matches).
        """
        self._session.require(Action.VIEW_STUDENTS)
        text = text.strip()
        if not text:
            return []
        db = self._store.db
        active = "" if include_inactive else " AND s.active = 1"
        exact = db.execute(
            f"SELECT {_STUDENT_COLUMNS} FROM students s WHERE (s.number = ? COLLATE NOCASE OR s.sourced_id = ?)"
            f"{active} LIMIT 5",
            [text, text],
        ).fetchall()
        found = [student_from_row(r) for r in exact]
        words = _WORD.findall(fold(text))
        want = limit - len(found)
        if words and want > 0:
            seen = [s.id for s in found]
            which = "" if include_inactive else " AND inactive = 0"
            if len(words) == 1 and len(words[0]) <= PREFIX_MAX:
                ids = db.execute(
                    f"SELECT student_id FROM student_prefixes WHERE prefix = ?{which} ORDER BY inactive, sort, "
                    "student_id LIMIT ?",
                    [words[0], want + len(seen)],
                ).fetchall()
            else:
                match = " ".join(f'"{w}"*' for w in words)
                alive = "" if include_inactive else " AND active = 1"
                ids = db.execute(
                    f"SELECT rowid FROM students_fts WHERE students_fts MATCH ?{alive} ORDER BY 1 - active, sort, "
                    "rowid LIMIT ?",
                    [match, want + len(seen)],
                ).fetchall()
            ids = [r[0] for r in ids if r[0] not in seen][:want]
            if ids:
                marks = ", ".join("?" for _ in ids)
                rows = db.execute(f"SELECT {_STUDENT_COLUMNS} FROM students s WHERE s.id IN ({marks})", ids)
                by_id = {r[0]: student_from_row(r) for r in rows.fetchall()}
                found.extend(by_id[i] for i in ids if i in by_id)
        return found[:limit]

    def get(self, ref: str | int) -> Student:
        """A student by id, student number or sourcedId (NotFoundError otherwise)."""
        db = self._store.db
        if isinstance(ref, int):
            row = db.execute(f"SELECT {_STUDENT_COLUMNS} FROM students s WHERE s.id = ?", [ref]).fetchone()
        else:
            ref = ref.strip()
            row = db.execute(
                f"SELECT {_STUDENT_COLUMNS} FROM students s WHERE s.number = ? COLLATE NOCASE OR s.sourced_id = ? "
                "ORDER BY s.active DESC LIMIT 1",
                [ref, ref],
            ).fetchone()
        if row is None:
            raise NotFoundError(f"No student with number or id {ref!r}", code="unknown_student")
        return student_from_row(row)

    def count(self) -> int:
        """How many enrolled (active) students the desk knows."""
        return self._store.db.execute("SELECT count(*) FROM students WHERE active = 1").fetchone()[0]

    def guardians(self, student: Student) -> list[Guardian]:
        """The student's guardians from the SIS (active links), pick-up allowed first."""
        rows = self._store.db.execute(
            "SELECT g.id, g.sourced_id, g.first_name, g.last_name, g.role, sg.pickup_allowed, g.phone "
            "FROM student_guardians sg JOIN guardians g ON g.id = sg.guardian_id "
            "WHERE sg.student_id = ? AND sg.active = 1 AND g.active = 1 "
            "ORDER BY sg.pickup_allowed DESC, g.last_name, g.first_name",
            [student.id],
        ).fetchall()
        return [Guardian(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6]) for r in rows]

    def set_pickup_allowed(self, student: Student, guardian: Guardian, allowed: bool, reason: str) -> None:
        """The office's choice for one guardian link (kept across re-imports). Principals only; audited."""
        self._session.require(Action.AUTHORISE_PICKUP)
        if not reason.strip():
            raise InputError("Say why pick-up is being changed for this guardian")
        with self._audit.transaction() as db:
            db.execute(
                "UPDATE student_guardians SET pickup_allowed = ? WHERE student_id = ? AND guardian_id = ?",
                [int(allowed), student.id, guardian.id],
            )
            self._audit.record(
                None,
                "students.pickup_allowed",
                f"student {student.sourced_id}",
                {
                    "guardian": guardian.full_name,
                    "allowed": allowed,
                    "reason": reason.strip(),
                    "guardian_id": guardian.sourced_id,  # the SIS's: every desk of the school knows it by it
                },
            )

    # --- who may take a student ----------------------------------------------------------------------------
    def authorise(
        self,
        student: Student,
        first_name: str,
        last_name: str,
        *,
        dob: date | None = None,
        valid_from: date | None = None,
        valid_until: date | None = None,
        note: str = "",
    ) -> Authorisation:
        """A temporary authorisation: this adult may take this student between two dates (principals)."""
        self._session.require(Action.AUTHORISE_PICKUP)
        first_name, last_name = first_name.strip(), last_name.strip()
        if not first_name or not last_name:
            raise InputError("An authorised adult needs a first and a last name")
        today = clock.now().astimezone().date()
        start, end = valid_from or today, valid_until or valid_from or today
        if end < start:
            raise InputError("The authorisation ends before it starts")
        approved_by = self._session.actor.display_name
        with self._audit.transaction() as db:
            cur = db.execute(
                "INSERT INTO student_authorisations (student_id, first_name, last_name, dob, valid_from, "
                "valid_until, approved_by, note, created_at, name_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    student.id,
                    first_name,
                    last_name,
                    dob.isoformat() if dob else None,
                    start.isoformat(),
                    end.isoformat(),
                    approved_by,
                    note.strip(),
                    clock.to_db(clock.now()),
                    f"{fold(last_name)} {fold(first_name)}",
                ],
            )
            self._audit.record(
                None,
                "students.authorise",
                f"student {student.sourced_id}",
                {
                    "adult": f"{first_name} {last_name}",
                    "from": start,
                    "until": end,
                    "note": note.strip(),
                    "authorisation": cur.lastrowid,
                },
            )
        return Authorisation(cur.lastrowid, student.id, first_name, last_name, dob, start, end, approved_by, note)

    def authorisations(self, student: Student, on: date | None = None) -> list[Authorisation]:
        """Temporary authorisations in force on ``on`` (default today)."""
        day = (on or clock.now().astimezone().date()).isoformat()
        rows = self._store.db.execute(
            f"SELECT {AUTHORISATION_COLUMNS} FROM student_authorisations "
            "WHERE student_id = ? AND revoked_at IS NULL AND valid_from <= ? "
            "AND valid_until >= ? ORDER BY id",
            [student.id, day, day],
        ).fetchall()
        return [authorisation_from_row(r) for r in rows]

    def pickups(self, student: Student) -> list[Pickup]:
        """Everyone who may take ``student`` today: guardians with pick-up allowed, then authorisations."""
        out = [
            Pickup(g.full_name, f"{g.role} (from the school's records)", guardian=g)
            for g in self.guardians(student)
            if g.pickup_allowed
        ]
        for a in self.authorisations(student):
            until = "today only" if a.valid_from == a.valid_until else f"until {a.valid_until:%m/%d/%Y}"
            out.append(Pickup(a.full_name, f"temporary, {until}, approved by {a.approved_by}", authorisation=a))
        return out

    def authorised_pickup(self, student: Student, first: str, last: str, dob: date | None) -> Pickup | None:
        """The entry of :meth:`pickups` this adult is, by name, and by birth date where the entry records one:
        an authorisation given with a date of birth is that person only, so an adult without their date given
        is not it (until session 18 anyone of that name was; :meth:`dob_needed` says when to ask for it)."""
        want = (fold(first), fold(last))
        for p in self.pickups(student):
            person = p.guardian or p.authorisation
            if (fold(person.first_name), fold(person.last_name)) != want:  # type: ignore[union-attr]
                continue
            known = p.authorisation.dob if p.authorisation else None
            if known is not None and known != dob:
                continue
            return p
        return None

    def dob_needed(self, student: Student, first: str, last: str) -> bool:
        """True when an authorisation on the student's list has this adult's name and a date of birth: the adult
        is on the list only once their date of birth is given (their ID scanned, or the date typed)."""
        want = (fold(first), fold(last))
        return any(
            p.authorisation is not None
            and p.authorisation.dob is not None
            and (fold(p.authorisation.first_name), fold(p.authorisation.last_name)) == want
            for p in self.pickups(student)
        )

    def bar_pickup(
        self, student: Student, first_name: str, last_name: str, *, dob: date | None, reason: str
    ) -> Entry:
        """Add an adult to the office's may-not-pick-up list for this student (a custody-kind screening entry,
        so check-in and every release screen against it). A screening-list change: principals only."""
        if not reason.strip():
            raise InputError("Say why this adult may not pick up the student")
        new = NewEntry(
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            dob=Dob(dob, dob.year) if dob else UNKNOWN,
            kind=Kind.CUSTODY,
            reason=reason.strip(),
            students=(student.full_name, student.number or student.sourced_id),
        )
        return self._lists.add(MAY_NOT_PICK_UP, new, list_kind=Kind.CUSTODY)

    # --- movements -----------------------------------------------------------------------------------------
    def arrive(
        self, ref: str | int | Student, *, reason: str, excused: bool = False, destination: str = ""
    ) -> Movement:
        """A late arrival: recorded (with its audit record) and counted for the term."""
        self._session.require(Action.SIGN_STUDENTS)
        student = ref if isinstance(ref, Student) else self.get(ref)
        if not reason.strip():
            raise InputError("Give the reason the student is late (for example: bus late)")
        if not student.active:
            raise ConflictError(f"{student.full_name} is no longer enrolled", code="student_inactive")
        destination = destination.strip() or student.homeroom or "Class"
        with self._audit.transaction() as db:
            movement = self._insert(
                db, student, MovementKind.ARRIVE, reason=reason, excused=excused, destination=destination
            )
            count = self.late_count(student, db=db)
            self._audit.record(
                None,
                "students.arrive",
                f"student {student.sourced_id}",
                {
                    "student": student.full_name,
                    "reason": reason.strip(),
                    "excused": excused,
                    "late_count": count,
                    "movement": movement.id,
                },
            )
        threshold = self._settings.get(STUDENTS_LATE_THRESHOLD)
        return _with(movement, late_count=count, late_threshold=threshold)

    def return_(self, ref: str | int | Student, *, reason: str = "") -> Movement:
        """Back in the building after an early release (signed back in)."""
        self._session.require(Action.SIGN_STUDENTS)
        student = ref if isinstance(ref, Student) else self.get(ref)
        with self._audit.transaction() as db:
            if self.release_open(student, db=db) is None:
                raise ConflictError(f"{student.full_name} is not signed out", code="not_signed_out")
            movement = self._insert(db, student, MovementKind.RETURN, reason=reason)
            self._audit.record(
                None,
                "students.return",
                f"student {student.sourced_id}",
                {"student": student.full_name, "reason": reason.strip(), "movement": movement.id},
            )
        return movement

    def record_movement(
        self, db, student: Student, kind: MovementKind, *, at: datetime, staff: str, station: str, **fields
    ) -> Movement:
        """Write a movement recorded elsewhere (a reunification laptop's record), at its own time, by its own
        staff and station, inside the caller's transaction (which holds its audit record)."""
        return self._insert(db, student, kind, at=at, staff=staff, station=station, **fields)

    def _insert(
        self,
        db,
        student: Student,
        kind: MovementKind,
        *,
        at: datetime | None = None,
        staff: str | None = None,
        station: str | None = None,
        **fields,
    ) -> Movement:
        """Write one movement (inside the caller's transaction) and return it."""
        moment = at or clock.now()
        staff = staff if staff is not None else self.staff()
        station = station if station is not None else self._settings.get(STATION_NAME)
        values = {
            "reason": "",
            "excused": False,
            "destination": "",
            "adult": "",
            "adult_dob": None,
            "authorised_as": "",
            "approved_by": "",
            "decision_id": None,
            **fields,
        }
        code = new_badge_code()
        cur = db.execute(
            "INSERT INTO student_movements (time, student_id, kind, reason, excused, destination, adult, "
            "adult_dob, "
            "authorised_as, approved_by, staff, station, decision_id, code) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                clock.to_db(moment),
                student.id,
                kind.value,
                values["reason"].strip(),
                int(values["excused"]),
                values["destination"],
                values["adult"],
                values["adult_dob"],
                values["authorised_as"],
                values["approved_by"],
                staff,
                station,
                values["decision_id"],
                code,
            ],
        )
        return Movement(
            cur.lastrowid,
            moment,
            student,
            kind,
            values["reason"].strip(),
            bool(values["excused"]),
            values["destination"],
            values["adult"],
            values["authorised_as"],
            values["approved_by"],
            staff,
            code,
        )

    def late_count(self, student: Student, *, db=None) -> int:
        """Late arrivals of this student since the current term began (this school year's if no term)."""
        start = self.term_start()
        db = db or self._store.db
        return db.execute(
            "SELECT count(*) FROM student_movements WHERE student_id = ? AND kind = 'arrive' AND time >= ?",
            [student.id, clock.local_day_bounds(start)[0]],
        ).fetchone()[0]

    def term_start(self, on: date | None = None) -> date:
        """The first day of the term (else semester, else school year) containing ``on`` per the SIS sessions;
        without sessions, the 1st of August before ``on``."""
        day = on or clock.now().astimezone().date()
        rows = self._store.db.execute(
            "SELECT type, start_date FROM sis_sessions WHERE active = 1 AND start_date <= ? AND end_date >= ?",
            [day.isoformat(), day.isoformat()],
        ).fetchall()
        rank = {"term": 0, "semester": 1, "gradingPeriod": 2, "schoolYear": 3}
        if rows:
            rows.sort(key=lambda r: (rank.get(r[0], 9), r[1]))
            return date.fromisoformat(rows[0][1])
        return date(day.year if day.month >= 8 else day.year - 1, 8, 1)

    def release_open(self, student: Student, *, db=None) -> datetime | None:
        """When the student was released today without having come back (None: in the building)."""
        db = db or self._store.db
        start, end = clock.local_day_bounds(clock.now().astimezone().date())
        row = db.execute(
            "SELECT kind, time FROM student_movements WHERE student_id = ? AND kind IN ('release', 'return') "
            "AND time >= ? AND time < ? ORDER BY id DESC LIMIT 1",
            [student.id, start, end],
        ).fetchone()
        return clock.from_db(row[1]) if row and row[0] == "release" else None

    def movements_today(self, kinds: Iterable[str]) -> list[Movement]:
        """Today's movements of these kinds, oldest first."""
        start, end = clock.local_day_bounds(clock.now().astimezone().date())
        kinds = list(kinds)
        marks = ", ".join("?" for _ in kinds)
        return self._movements(
            f"m.time >= ? AND m.time < ? AND m.kind IN ({marks}) ORDER BY m.id", [start, end, *kinds]
        )

    def out(self) -> list[Movement]:
        """The students signed out now: released today and not back (their release movements)."""
        self._session.require(Action.VIEW_STUDENTS)
        latest: dict[int, Movement] = {}
        for m in self.movements_today(("release", "return")):
            latest[m.student.id] = m
        return [m for m in latest.values() if m.kind is MovementKind.RELEASE]

    def late_today(self) -> list[Movement]:
        """Today's late arrivals, oldest first."""
        return self.movements_today(("arrive",))

    def roster_lines(self) -> tuple[list[RosterStudent], list[RosterStudent]]:
        """For the emergency roster: students signed out now, and students who arrived late today."""
        out = [
            RosterStudent(
                m.student.full_name,
                m.student.grade,
                m.student.homeroom,
                "signed out",
                m.time,
                f"to {m.adult}" + (f" — {m.reason}" if m.reason else ""),
            )
            for m in self.out()
        ]
        late = [
            RosterStudent(
                m.student.full_name,
                m.student.grade,
                m.student.homeroom,
                "late",
                m.time,
                m.reason + (" (excused)" if m.excused else ""),
            )
            for m in self.late_today()
        ]
        return out, late

    def recent_movements(self, days: int = 1) -> list[Movement]:
        """Movements of the last ``days`` days (the panel's list), newest first."""
        since = clock.to_db(clock.now() - timedelta(days=days))
        return self._movements("m.time >= ? ORDER BY m.id DESC LIMIT 500", [since])

    def _movements(self, where: str, args: list) -> list[Movement]:
        """Movements with their students, ``where`` a condition on ``m`` (student_movements) and its order."""
        rows = self._store.db.execute(
            f"SELECT m.id, m.time, m.kind, m.reason, m.excused, m.destination, m.adult, m.authorised_as, "
            f"m.approved_by, m.staff, m.code, {_STUDENT_COLUMNS} FROM student_movements m "
            f"JOIN students s ON s.id = m.student_id WHERE {where}",
            args,
        ).fetchall()
        return [
            Movement(
                r[0],
                clock.from_db(r[1]),
                student_from_row(r[11:]),
                MovementKind(r[2]),
                r[3],
                bool(r[4]),  # type: ignore[arg-type]
                r[5],
                r[6],
                r[7],
                r[8],
                r[9],
                r[10],
            )
            for r in rows
        ]


def _with(movement: Movement, **changes) -> Movement:
    from dataclasses import replace

    return replace(movement, **changes)
