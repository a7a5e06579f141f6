"""A date of birth an outsider controls (a forged card, a slip at the desk) must not make a listed person a
stranger at any door. Synthetic names only; the command-line door runs the real ``frontdesk``.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from frontdesk.access.session import SYSTEM_ACTOR
from frontdesk.checkin.workflow import CheckInRequest
from frontdesk.context import Services
from frontdesk.errors import ConflictError, InputError
from frontdesk.models import Visitor
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from frontdesk.students.release import Cleared, NeedsDecision, Refused, Released, ReleaseRequest
from tests.cli_helpers import frontdesk, text
from tests.students_fixtures import sign_in
from tests.test_checkin_workflow import listed


def test_cli_a_date_of_birth_nobody_alive_has_is_bad_input_not_a_stranger(data_dir):
    listed(data_dir, Kind.BARRED)  # Robert Barredman, born 1975-04-02
    proc = frontdesk(
        "checkin", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "0001-01-01", data_dir=data_dir
    )
    out, err = text(proc)
    assert proc.returncode == 2, (out, err)
    assert (
        err.strip() == "frontdesk: Date of birth 0001-01-01 is more than 120 years ago: check it and type it again"
    )
    with sqlite3.connect(data_dir / "frontdesk.db") as db:
        assert db.execute("SELECT count(*) FROM visits").fetchone()[0] == 0


def test_desk_the_same_date_is_refused_as_bad_input_and_a_very_old_visitor_is_not(services):
    with pytest.raises(InputError, match="more than 120 years ago"):
        services.checkin.start(CheckInRequest(Visitor("Ada", "Oldfield", dob=date(1800, 5, 1))))
    today = date.today()
    services.checkin.start(CheckInRequest(Visitor("Ada", "Oldfield", dob=date(today.year - 110, 1, 1))))


# --- early dismissal: a custody order naming the student ------------------------------------------------------
@pytest.fixture(scope="module")
def template(students_template):
    return students_template


@pytest.mark.parametrize("dob", [date(1990, 2, 2), date(2016, 9, 1), None])
def test_release_a_guardian_a_custody_order_names_is_stopped_whatever_date_of_birth_is_given(staffed, dob):
    student = staffed.students.get("stu-00020")
    first, last = staffed.students.pickups(student)[0].name.split(" ", 1)  # on the pick-up list (from the SIS)
    sign_in(staffed, "root")
    order = staffed.lists.add(
        "County court orders",
        NewEntry(first, last, dob=parse_dob("1980-01-01"), kind=Kind.CUSTODY, students=(student.full_name,)),
    )
    sign_in(staffed, "desk.lee")
    # Unattended (the command line): nobody can compare, so nothing is released.
    outcome = staffed.dismissal.release(ReleaseRequest(student, first, last, "Early pick-up", dob=dob))
    assert isinstance(outcome, Refused) and outcome.code == "custody" and not outcome.confirmed
    assert staffed.students.out() == []
    # At the desk: a card for a person to decide on, saying why.
    at_desk = staffed.dismissal.start(ReleaseRequest(student, first, last, "Early pick-up", dob=dob))
    assert isinstance(at_desk, NeedsDecision)
    (candidate,) = at_desk.candidates
    assert candidate.entry.id == order.id
    assert candidate.evidence[-1].field == "desk"
    if dob is not None:  # without a date the screener flags the name by itself, with its own desk line
        assert "custody order naming this student" in candidate.evidence[-1].words


def test_release_an_order_naming_another_student_still_lets_a_listed_guardian_take_theirs(staffed):
    student = staffed.students.get("stu-00020")
    first, last = staffed.students.pickups(student)[0].name.split(" ", 1)
    sign_in(staffed, "root")
    staffed.lists.add(
        "County court orders",
        NewEntry(first, last, dob=parse_dob("1980-01-01"), kind=Kind.CUSTODY, students=("Someone Else",)),
    )
    sign_in(staffed, "desk.lee")
    outcome = staffed.dismissal.release(
        ReleaseRequest(student, first, last, "Early pick-up", dob=date(1990, 2, 2))
    )
    assert isinstance(outcome, Released)


def test_release_an_undated_order_on_a_name_many_entries_carry_still_stops_the_release(staffed):
    student = staffed.students.get("stu-00020")
    first, last = staffed.students.pickups(student)[0].name.split(" ", 1)
    sign_in(staffed, "root")
    for year in range(1960, 1967):  # namesakes on a watch list: past screening.name_only_max_namesakes (5)
        staffed.lists.add("Watch", NewEntry(first, last, dob=parse_dob(str(year)), kind=Kind.WATCH))
    order = staffed.lists.add(
        "County court orders", NewEntry(first, last, kind=Kind.CUSTODY, students=(student.full_name,))
    )
    sign_in(staffed, "desk.lee")
    outcome = staffed.dismissal.release(
        ReleaseRequest(student, first, last, "Early pick-up", dob=date(1985, 6, 1))
    )
    assert isinstance(outcome, Refused) and outcome.code == "custody"
    at_desk = staffed.dismissal.start(ReleaseRequest(student, first, last, "Early pick-up"))
    assert isinstance(at_desk, NeedsDecision) and [c.entry.id for c in at_desk.candidates] == [order.id]


def test_release_a_custody_order_added_while_the_card_is_held_stops_the_commit(staffed, data_dir):
    student = staffed.students.get("stu-00020")
    first, last = staffed.students.pickups(student)[0].name.split(" ", 1)
    sign_in(staffed, "root")
    barred = staffed.lists.add("District", NewEntry(first, last, kind=Kind.BARRED))  # no date: a card is held
    sign_in(staffed, "desk.lee")
    card = staffed.dismissal.start(ReleaseRequest(student, first, last, "Early pick-up", dob=date(1980, 1, 1)))
    assert isinstance(card, NeedsDecision) and [c.entry.id for c in card.candidates] == [barred.id]
    # Meanwhile the court's order arrives at another terminal (the same data folder).
    other = Services.open(data_dir)
    try:
        with other.session.acting_as(SYSTEM_ACTOR):
            other.lists.add(
                "County court orders",
                NewEntry(
                    first, last, dob=parse_dob("1980-01-01"), kind=Kind.CUSTODY, students=(student.full_name,)
                ),
            )
    finally:
        other.close()
    cleared = staffed.dismissal.decide(card.dismissal, barred.id, same_person=False, reason="different photo")
    with pytest.raises(ConflictError, match="lists changed") as raised:
        staffed.dismissal.commit(cleared)
    assert raised.value.code == "lists_changed" and staffed.students.out() == []


def test_release_a_bar_added_at_another_terminal_after_the_adult_was_cleared_stops_the_commit(staffed, data_dir):
    """A release cleared without a card was committed without screening again: a may-not-pick-up bar saved at
    another terminal between the check and the release was missed. The commit screens again under the write
    lock (nothing can change the lists between that look and the release)."""
    student = staffed.students.get("stu-00020")
    first, last = staffed.students.pickups(student)[0].name.split(" ", 1)
    sign_in(staffed, "desk.lee")
    cleared = staffed.dismissal.start(ReleaseRequest(student, first, last, "Early pick-up", dob=date(1980, 1, 1)))
    assert isinstance(cleared, Cleared)
    other = Services.open(data_dir)
    try:
        with other.session.acting_as(SYSTEM_ACTOR):
            other.students.bar_pickup(student, first, last, dob=None, reason="Court hearing this morning")
    finally:
        other.close()
    with pytest.raises(ConflictError, match="lists changed") as raised:
        staffed.dismissal.commit(cleared)
    assert raised.value.code == "lists_changed" and staffed.students.out() == []


def test_release_pick_up_stopped_at_another_terminal_after_the_adult_was_cleared_stops_the_commit(
    staffed, data_dir
):
    """The pick-up list that cleared a release was not looked at again at the commit: a guardian's pick-up
    stopped at another terminal meanwhile (a court hearing this morning) still released the child to them."""
    student = staffed.students.get("stu-00020")
    guardian = next(g for g in staffed.students.guardians(student) if g.pickup_allowed)
    sign_in(staffed, "desk.lee")
    cleared = staffed.dismissal.start(
        ReleaseRequest(student, guardian.first_name, guardian.last_name, "Early pick-up", dob=date(1980, 1, 1))
    )
    assert isinstance(cleared, Cleared)
    other = Services.open(data_dir)
    try:
        with other.session.acting_as(SYSTEM_ACTOR):
            other.students.set_pickup_allowed(student, guardian, False, "Court hearing this morning")
    finally:
        other.close()
    with pytest.raises(ConflictError, match="pick-up list changed") as raised:
        staffed.dismissal.commit(cleared)
    assert raised.value.code == "pickup_changed" and staffed.students.out() == []
