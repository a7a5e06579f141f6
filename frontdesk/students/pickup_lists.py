"""The office's pick-up lists for one student: who may take them and who may not, as one view and its changes.

Who may: the guardians the SIS links (each with the office's pick-up choice, kept across re-imports) and the
temporary authorisations staff added (today's and those still to come). Who may not: the office's
"may not pick up" entries naming the student, and court orders on any custody list that name the student
(shown here, changed where they are kept: Tools › Barred and custody lists).

Reading needs ``VIEW_STUDENTS``; every change is a principal's or administrator's (``AUTHORISE_PICKUP``; the
may-not-pick-up list is a screening list, so ``CHANGE_LISTS`` too) and commits with its audit record. Adding a
guardian's choice, an authorisation or a may-not-pick-up entry is :class:`StudentService`'s (the CLI uses the
same); this module adds the whole view, revoking an authorisation and lifting a may-not-pick-up entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.access.roles import Action
from frontdesk.errors import InputError, NotFoundError
from frontdesk.screening.models import Entry, Kind
from frontdesk.students.models import Authorisation, Guardian, Student
from frontdesk.students.service import (
    AUTHORISATION_COLUMNS,
    MAY_NOT_PICK_UP,
    StudentService,
    authorisation_from_row,
    names_student,
)

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.audit import AuditTrail
    from frontdesk.screening.lists import ListService
    from frontdesk.store import Store


@dataclass(frozen=True)
class PickupLists:
    """Everything the office keeps about who may take one student."""

    student: Student
    guardians: tuple[Guardian, ...]  # all linked guardians, pick-up allowed or not
    authorisations: tuple[Authorisation, ...]  # in force today or starting later; not revoked
    may_not: tuple[Entry, ...]  # the office's may-not-pick-up entries naming the student (in force)
    orders: tuple[Entry, ...]  # custody entries on other lists naming the student (read-only here)


class PickupListService:
    """The pick-up lists of a student, for the office's screen."""

    def __init__(
        self, store: Store, students: StudentService, lists: ListService, *, session: Session, audit: AuditTrail
    ):
        self._store = store
        self._students = students
        self._lists = lists
        self._session = session
        self._audit = audit

    def may_change(self) -> bool:
        """True when the person signed in may change the lists (the screen offers its buttons)."""
        return self._session.may(Action.AUTHORISE_PICKUP) and self._session.may(Action.CHANGE_LISTS)

    def of(self, student: Student) -> PickupLists:
        """The student's pick-up lists as they stand today."""
        self._session.require(Action.VIEW_STUDENTS)
        today = clock.now().astimezone().date()
        may_not: list[Entry] = []
        orders: list[Entry] = []
        for entry in self._custody_entries():
            # An order naming nobody applies to every student at screening; here only those naming this one.
            if not entry.students or not entry.active_on(today) or not names_student(entry, student):
                continue
            (may_not if entry.source == MAY_NOT_PICK_UP else orders).append(entry)
        return PickupLists(
            student,
            tuple(self._students.guardians(student)),
            tuple(self._ahead(student, today)),
            tuple(may_not),
            tuple(orders),
        )

    def revoke(self, student: Student, authorisation_id: int, reason: str) -> None:
        """End a temporary authorisation now (principals; reason required; audited)."""
        self._session.require(Action.AUTHORISE_PICKUP)
        if not reason.strip():
            raise InputError("Say why this authorisation is being revoked")
        with self._audit.transaction() as db:
            row = db.execute(
                "SELECT first_name, last_name FROM student_authorisations "
                "WHERE id = ? AND student_id = ? AND revoked_at IS NULL",
                [authorisation_id, student.id],
            ).fetchone()
            if row is None:
                raise NotFoundError(f"No authorisation {authorisation_id} in force for {student.full_name}")
            db.execute(
                "UPDATE student_authorisations SET revoked_at = ? WHERE id = ?",
                [clock.to_db(clock.now()), authorisation_id],
            )
            self._audit.record(
                None,
                "students.authorisation_revoked",
                f"student {student.sourced_id}",
                {"adult": f"{row[0]} {row[1]}", "authorisation": authorisation_id, "reason": reason.strip()},
            )

    def lift(self, student: Student, entry_id: int, reason: str) -> Entry:
        """End an office may-not-pick-up entry from today (kept for the record, no longer screened). Principals;
        reason required; audited with the list change in one transaction."""
        self._session.require(Action.AUTHORISE_PICKUP)
        if not reason.strip():
            raise InputError("Say why this adult may pick up the student again")
        entry = self._lists.get(entry_id)
        if entry.source != MAY_NOT_PICK_UP or not names_student(entry, student):
            raise InputError(f"{entry.full_name} is not on {student.full_name}'s may-not-pick-up list")
        with self._audit.transaction():
            ended = self._lists.expire(entry_id, clock.now().astimezone().date() - timedelta(days=1))
            self._audit.record(
                None,
                "students.pickup_bar_lifted",
                f"student {student.sourced_id}",
                {"adult": entry.full_name, "entry": entry_id, "reason": reason.strip()},
            )
        return ended

    def _custody_entries(self) -> list[Entry]:
        # Custody entries are few (a school's orders and the office's list); the barred lists can be large,
        # so the kind is asked of SQLite rather than filtering every entry here.
        ids = [
            r[0]
            for r in self._store.db.execute(
                "SELECT e.id FROM screening_entries e JOIN screening_lists l ON l.id = e.list_id "
                "WHERE e.kind = ? AND l.state = 'live' AND e.students != '[]' ORDER BY e.id",
                [Kind.CUSTODY.value],
            ).fetchall()
        ]
        return sorted(self._lists.get_many(ids), key=lambda e: e.id)

    def _ahead(self, student: Student, today: date) -> list[Authorisation]:
        rows = self._store.db.execute(
            f"SELECT {AUTHORISATION_COLUMNS} FROM student_authorisations "
            "WHERE student_id = ? AND revoked_at IS NULL AND valid_until >= ? "
            "ORDER BY valid_from, id",
            [student.id, today.isoformat()],
        ).fetchall()
        return [authorisation_from_row(r) for r in rows]
