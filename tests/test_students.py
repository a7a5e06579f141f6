"""Students: OneRoster import, late arrivals, releases to the right adult only, returns, the roster, reunification.

Real services over a real SQLite file; the bundle is the synthetic one (600 students, 900 guardians, with the
edge cases) written by :mod:`frontdesk.demo.oneroster`. Accounts and the import are made once per module.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import struct
import zipfile
from dataclasses import replace
from datetime import date

import pytest

from frontdesk import settings as s
from frontdesk.access.session import SYSTEM_ACTOR
from frontdesk.cli import main
from frontdesk.demo.oneroster import write_bundle, write_delta
from frontdesk.errors import ConflictError, PermissionDenied
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from frontdesk.students.oneroster import BundleError
from frontdesk.students.release import Cleared, NeedsDecision, NotAuthorised, Refused, Released, ReleaseRequest
from frontdesk.students.service import names_student
from tests.cli_helpers import frontdesk, text
from tests.students_fixtures import PRINCIPAL_PW, actions, details, guardian_name, sign_in


@pytest.fixture(scope="module")
def template(students_template):
    return students_template


@pytest.fixture(scope="module")
def bundle(students_bundle):
    return students_bundle


@pytest.fixture
def facts(students_bundle):
    return students_bundle[1]


# --- import -----------------------------------------------------------------------------------------------
def test_the_bundle_imports_with_its_edge_cases(staffed, facts):
    st = staffed.students
    assert st.count() == 600
    db = staffed.store.db
    assert db.execute("SELECT count(*) FROM guardians").fetchone()[0] == 900
    # A guardian of two students: both list them.
    a, b = (st.get(x) for x in facts.siblings)
    shared = facts.guardian[facts.shared_guardian]
    assert (shared[0], shared[1]) in {(g.first_name, g.last_name) for g in st.guardians(a)}
    assert (shared[0], shared[1]) in {(g.first_name, g.last_name) for g in st.guardians(b)}
    # A student with no guardian: nobody may pick them up.
    assert st.guardians(st.get(facts.no_guardian)) == [] and st.pickups(st.get(facts.no_guardian)) == []
    # A relative is linked, but not allowed to pick up until the office says so.
    rel = [g for g in st.guardians(st.get(facts.relative_of)) if g.sourced_id == facts.relative]
    assert rel and rel[0].role == "relative" and not rel[0].pickup_allowed
    # Grade, homeroom and date of birth come through; teachers are in the staff directory.
    one = st.get("100001")
    assert one.grade and one.homeroom.startswith("Homeroom") and one.dob is not None
    assert len([e for e in staffed.directory.all() if e.kind == "staff"]) == facts.teachers
    # Accents and apostrophes are found as typed or plain.
    assert [x.sourced_id for x in st.find("zoe obrann")] == ["stu-00007"]
    assert [x.sourced_id for x in st.find("Zoë O'Brannigan")] == ["stu-00007"]
    assert st.find("100007")[0].sourced_id == "stu-00007"


def test_reimporting_is_idempotent(staffed, bundle):
    db = staffed.store.db

    def snapshot():
        return (
            db.execute("SELECT * FROM students ORDER BY id").fetchall(),
            db.execute("SELECT * FROM guardians ORDER BY id").fetchall(),
            db.execute("SELECT * FROM student_guardians ORDER BY 1, 2").fetchall(),
            db.execute("SELECT * FROM directory ORDER BY id").fetchall(),
        )

    before = snapshot()
    sign_in(staffed, "p.nakamura")
    counts = staffed.students.import_bundle(bundle[0])
    assert (counts.students, counts.guardians, counts.inactive_students) == (600, 900, 0)
    assert snapshot() == before
    assert staffed.audit.records(limit=1)[0].action == "students.import"


def test_a_delta_moves_a_student_and_keeps_one_who_left(staffed, facts, tmp_path):
    st = staffed.students
    moving = st.get("stu-00010")
    target = next(c for c in facts.homerooms if c != facts.student["stu-00010"][3])
    delta = write_delta(tmp_path / "delta", facts, move="stu-00010", to_homeroom=target, withdraw="stu-00011")
    sign_in(staffed, "root")
    counts = staffed.students.import_bundle(delta)
    assert counts.mode == "delta" and counts.inactive_students == 1
    moved = st.get("stu-00010")
    assert moved.homeroom == facts.homerooms[target] != moving.homeroom
    assert moved.grade == facts.homeroom_grade[target]
    left = st.get("stu-00011")
    assert not left.active and left.last_name == facts.student["stu-00011"][1]  # kept for history
    assert "stu-00011" not in {x.sourced_id for x in st.find(left.last_name)}
    assert st.count() == 599
    # The moved student's guardians are unchanged.
    assert {g.sourced_id for g in st.guardians(moved)} == set(facts.links["stu-00010"])


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (("users.csv", 5, "role", "wizard"), "users.csv line 5, field role: 'wizard' is not a OneRoster role"),
        (("users.csv", 3, "agentSourcedIds", "gua-99999"), "users.csv line 3, field agentSourcedIds"),
        (("demographics.csv", 4, "birthDate", "2019-13-01"), "demographics.csv line 4, field birthDate"),
        (("enrollments.csv", 30, "classSourcedId", "nope"), "enrollments.csv line 30, field classSourcedId"),
        (("users.csv", 7, "givenName", ""), "users.csv line 7, field givenName: required"),
    ],
)
def test_a_broken_bundle_is_refused_whole(services, bundle, tmp_path, damage, expected):
    folder = tmp_path / "broken"
    shutil.copytree(bundle[0], folder)
    name, line, field, value = damage
    rows = list(csv.reader((folder / name).open(encoding="utf-8", newline="")))
    rows[line - 1][rows[0].index(field)] = value
    with (folder / name).open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(BundleError) as err:
        services.students.import_bundle(folder)
    assert expected in err.value.message and "nothing imported" in err.value.message
    assert services.store.db.execute("SELECT count(*) FROM students").fetchone()[0] == 0


def test_a_manifest_naming_a_missing_file_is_refused_and_a_zip_imports(services, bundle, tmp_path):
    folder = tmp_path / "partial"
    shutil.copytree(bundle[0], folder)
    (folder / "enrollments.csv").unlink()
    with pytest.raises(BundleError, match="enrollments.csv: missing, though the manifest says file.enrollments"):
        services.students.import_bundle(folder)
    zipped = write_bundle(tmp_path / "school.zip", students=40, guardians=60, zip_it=True)
    counts = services.students.import_bundle(zipped.path)
    assert (counts.students, counts.guardians) == (40, 60)


def test_a_column_named_twice_is_refused_never_read_from_the_last(services, tmp_path):
    """A users.csv with givenName twice (the SIS's legal name, then an empty nickname column) took the last:
    the roster lost the name, or took a nickname for the legal one."""
    facts = write_bundle(tmp_path / "twice", students=6, guardians=9, edge_cases=False)
    users = facts.path / "users.csv"
    rows = list(csv.reader(users.open(encoding="utf-8", newline="")))
    rows = [[*row, "" if n else "givenName"] for n, row in enumerate(rows)]
    with users.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(BundleError, match="users.csv line 1, field givenName: the header names it twice"):
        services.students.import_bundle(facts.path)
    assert services.store.db.execute("SELECT count(*) FROM students").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("givenName", "Rob\x00ert", "contains control characters"),
        ("familyName", "Testwood\nSmith", "contains control characters"),
        ("familyName", "\u202enamderraB", "change the direction"),  # shown as "Barredman"
        ("middleName", "Q" * 5_000, "too long: 5,000 characters"),
        ("preferredGivenName", "Al\tex", "contains control characters"),
    ],
    ids=["nul", "line end", "direction override", "5,000 characters", "tab"],
)
def test_a_name_no_other_door_would_take_refuses_the_bundle(services, tmp_path, field, value, said):
    """The roster was the one door that stored any name: a NUL, a line end, a right-to-left override, a
    5,000-character name, all imported without a word, then shown, matched at pick-up and printed."""
    facts = write_bundle(tmp_path / "names", students=6, guardians=9, edge_cases=False)
    users = facts.path / "users.csv"
    rows = list(csv.reader(users.open(encoding="utf-8", newline="")))
    if field not in rows[0]:
        rows = [[*row, field if n == 0 else ""] for n, row in enumerate(rows)]
    rows[3][rows[0].index(field)] = value
    with users.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    # (the line a row ends on: a line end inside a cell puts it on 5)
    with pytest.raises(BundleError, match=f"users.csv line [45], field {field}: .*{said}"):
        services.students.import_bundle(facts.path)
    assert services.store.db.execute("SELECT count(*) FROM students").fetchone()[0] == 0


def test_a_zip_holding_a_file_twice_is_refused(services, tmp_path):
    """Two users.csv in two folders of one zip (this year's and last year's): the desk took whichever the
    zip listed last, without a word."""
    old = write_bundle(tmp_path / "old", students=4, guardians=6, edge_cases=False, seed=3)
    new = write_bundle(tmp_path / "new", students=6, guardians=9, edge_cases=False)
    both = tmp_path / "both.zip"
    with zipfile.ZipFile(both, "w") as z:
        for path in sorted(new.path.iterdir()):
            z.write(path, f"2026/{path.name}")
        z.write(old.path / "users.csv", "2025/users.csv")
    with pytest.raises(BundleError, match="users.csv: the zip holds it twice .2026/users.csv, 2025/users.csv."):
        services.students.import_bundle(both)
    assert services.store.db.execute("SELECT count(*) FROM students").fetchone()[0] == 0


def test_a_zip_that_would_unpack_to_more_than_any_roster_is_refused_before_it_is_read(services, tmp_path):
    """A zip bomb: a users.csv that unpacks to gigabytes from a few kilobytes. The desk read it whole into
    memory (and then as text, then as rows). Its size is refused from the zip's directory, before reading;
    here the directory says 4,000,000,000 bytes (a real bomb says the same, truthfully)."""
    zipped = write_bundle(tmp_path / "bomb.zip", students=6, guardians=9, edge_cases=False, zip_it=True).path
    data = bytearray(zipped.read_bytes())
    with zipfile.ZipFile(zipped) as z:
        real = z.getinfo("users.csv").file_size
    # The uncompressed size of users.csv in its local header and in the zip's directory.
    for signature, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        at = data.index(signature)
        while bytes(data[at + name_at : at + name_at + struct.unpack_from("<H", data, at + name_len_at)[0]]) != (
            b"users.csv"
        ):
            at = data.index(signature, at + 4)
        assert struct.unpack_from("<I", data, at + size_at)[0] == real
        struct.pack_into("<I", data, at + size_at, 4_000_000_000)
    zipped.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="users.csv: it would unpack to 4,000,000,000 bytes"):
        services.students.import_bundle(zipped)
    assert services.store.db.execute("SELECT count(*) FROM students").fetchone()[0] == 0


# --- late arrival -----------------------------------------------------------------------------------------
def test_late_arrivals_are_counted_against_the_threshold(staffed):
    sign_in(staffed, "p.nakamura")
    staffed.settings.set(s.STUDENTS_LATE_THRESHOLD, 3)
    staffed.accounts.sign_out()
    st = staffed.students
    for n in (1, 2, 3):
        m = st.arrive("100005", reason="Doctor's appointment", excused=n == 1)
        assert m.late_count == n and m.over_threshold is (n >= 3)
    assert m.destination == st.get("100005").homeroom
    assert [x.student.number for x in st.late_today()] == ["100005"] * 3
    assert actions(staffed, 1) == ["students.arrive"] and details(staffed)["late_count"] == 3


# --- early dismissal --------------------------------------------------------------------------------------
def test_a_listed_guardian_takes_the_student_and_a_return_signs_them_back_in(staffed, facts):
    st = staffed.students
    student = st.get("stu-00030")
    first, last = guardian_name(facts, "stu-00030")
    sign_in(staffed, "desk.lee")
    done = staffed.dismissal.release(ReleaseRequest(student, first, last, "Dentist"))
    assert isinstance(done, Released)
    assert done.movement.adult == f"{first} {last}" and done.movement.staff == "Lee Desk"
    assert done.decisions[0].outcome.value == "clear"  # the adult was screened, and that is on record
    assert [m.student.sourced_id for m in st.out()] == ["stu-00030"]
    with pytest.raises(ConflictError, match="already signed out"):
        staffed.dismissal.release(ReleaseRequest(student, first, last, "Dentist"))
    assert actions(staffed, 2) == ["students.release", "screening.decision"]
    st.return_("stu-00030")
    assert st.out() == []


def test_an_unlisted_adult_is_refused_unless_a_principal_approves(staffed, facts):
    student = staffed.students.get(facts.no_guardian)
    sign_in(staffed, "desk.lee")
    outcome = staffed.dismissal.release(ReleaseRequest(student, "Nora", "Neighbour", "Family emergency"))
    assert isinstance(outcome, NotAuthorised) and outcome.pickups == ()
    assert staffed.students.out() == []
    with pytest.raises(PermissionDenied):
        staffed.dismissal.release(ReleaseRequest(student, "Nora", "Neighbour", "Family emergency", approve=True))
    staffed.accounts.sign_out()
    sign_in(staffed, "p.nakamura")
    done = staffed.dismissal.release(
        ReleaseRequest(student, "Nora", "Neighbour", "Mother called; neighbour collects", approve=True)
    )
    assert isinstance(done, Released) and done.movement.approved_by == "Dr. Nakamura"
    rec = staffed.audit.records(limit=1)[0]
    assert rec.actor == "p.nakamura" and rec.details["approved_by"] == "Dr. Nakamura"


def test_a_custody_order_naming_the_student_refuses_and_tells_the_principal(staffed, facts):
    student = staffed.students.get("stu-00020")
    sign_in(staffed, "desk.lee")
    with staffed.session.acting_as(SYSTEM_ACTOR):
        staffed.outbound.add("sro@district.example", "release-refused", name="SRO")
    outcome = staffed.dismissal.release(
        ReleaseRequest(student, "Victor", "Custodia", "Early pick-up", dob=date(1979, 5, 5))
    )
    assert isinstance(outcome, Refused) and outcome.code == "custody"
    assert "Dr. Nakamura" in outcome.decision.told
    (told,) = [d for d in staffed.outbound.deliveries() if d.event == "release-refused"]  # email/text too
    assert "Victor Custodia" in told.body and student.first_name not in told.body  # never the child's name
    assert staffed.students.out() == []
    staffed.accounts.sign_out()
    sign_in(staffed, "p.nakamura")
    assert any("custody" in n.title.lower() for n in staffed.notifications.inbox())
    # Even a principal's approval cannot override a custody order.
    outcome = staffed.dismissal.release(
        ReleaseRequest(student, "Victor", "Custodia", "Early pick-up", dob=date(1979, 5, 5), approve=True)
    )
    assert isinstance(outcome, Refused)


def test_a_custody_order_for_another_student_does_not_stop_a_listed_guardian(staffed, facts):
    first, last = guardian_name(facts, "stu-00021")
    sign_in(staffed, "root")
    staffed.lists.add("County court orders", NewEntry(first, last, kind=Kind.CUSTODY, students=("Someone Else",)))
    outcome = staffed.dismissal.release(
        ReleaseRequest(staffed.students.get("stu-00021"), first, last, "Appointment")
    )
    assert isinstance(outcome, Released)


@pytest.mark.parametrize(
    "naming",
    [
        "{first} Q. {last}",  # a middle initial
        "{last}, {first} {middle}",  # as a court writes it
        "{preferred} {last}",  # the name the family uses
        "{first} {last} (#{number})",
        "#{number}",
    ],
)
def test_a_custody_order_naming_the_student_as_people_write_it_still_refuses_the_guardian(staffed, facts, naming):
    student = staffed.students.get("stu-00030")
    staffed.store.db.execute(
        "UPDATE students SET middle_name = 'Quinn', preferred_name = 'Bea' WHERE id = ?", [student.id]
    )
    student = staffed.students.get("stu-00030")
    first, last = guardian_name(facts, "stu-00030")  # a guardian from the SIS, pick-up allowed
    named = naming.format(
        first=student.first_name,
        last=student.last_name,
        middle=student.middle_name,
        preferred=student.preferred_name,
        number=student.number,
    )
    sign_in(staffed, "root")
    order = staffed.lists.add("County court orders", NewEntry(first, last, kind=Kind.CUSTODY, students=(named,)))
    staffed.accounts.sign_out()
    outcome = staffed.dismissal.release(ReleaseRequest(student, first, last, "Appointment"))
    assert isinstance(outcome, Refused) and outcome.code == "custody"
    assert staffed.students.out() == []
    # A brother (same last name, his own first name and number) is not named by it.
    brother = replace(
        student, id=0, sourced_id="stu-x", number="999999", first_name="Zeb", middle_name="", preferred_name=""
    )
    assert not names_student(order, brother)


def test_the_offices_may_not_pick_up_list_refuses_even_a_guardian(staffed, facts):
    student = staffed.students.get("stu-00040")
    first, last = guardian_name(facts, "stu-00040")
    sign_in(staffed, "p.nakamura")
    staffed.students.bar_pickup(student, first, last, dob=None, reason="Protective order served 2026-01-10")
    staffed.accounts.sign_out()
    outcome = staffed.dismissal.release(ReleaseRequest(student, first, last, "Pick-up"))
    assert isinstance(outcome, Refused) and outcome.code == "may_not_pick_up"
    assert staffed.students.out() == []
    assert actions(staffed, 1) == ["students.release_refused"]
    # The same entry flags them at visitor check-in too (a custody-kind screening entry).
    assert staffed.screener.screen(
        __import__("frontdesk.checkin.workflow", fromlist=["x"]).query_of(
            __import__("frontdesk.models", fromlist=["x"]).Visitor(first_name=first, last_name=last)
        )
    ).candidates


def test_a_barred_adult_is_refused(staffed, facts):
    outcome = staffed.dismissal.release(
        ReleaseRequest(staffed.students.get("stu-00050"), "Robert", "Barredman", "x", dob=date(1980, 3, 14))
    )
    assert isinstance(outcome, Refused) and outcome.code == "barred"


def test_at_the_desk_a_possible_match_is_compared_by_a_person(staffed, facts):
    student = staffed.students.get("stu-00020")
    first, last = guardian_name(facts, "stu-00020")
    sign_in(staffed, "root")
    staffed.lists.add(
        "County court orders",
        NewEntry(first, last, kind=Kind.CUSTODY, students=(student.full_name,), dob=parse_dob("1950-01-01")),
    )
    staffed.accounts.sign_out()
    request = ReleaseRequest(student, first, last, "Appointment")
    # Unattended (the command line): nobody can compare, so nothing is released.
    unattended = staffed.dismissal.release(request)
    assert isinstance(unattended, Refused) and unattended.code == "custody" and not unattended.confirmed
    outcome = staffed.dismissal.start(request)
    assert isinstance(outcome, NeedsDecision)
    entry = outcome.candidates[0].entry
    outcome = staffed.dismissal.decide(
        outcome.dismissal, entry.id, same_person=False, reason="Different DOB on ID"
    )
    assert isinstance(outcome, Cleared)
    done = staffed.dismissal.commit(outcome)
    assert done.decisions[0].outcome.value == "not_this_person"


def test_a_temporary_authorisation_lets_that_adult_take_the_student(staffed, facts):
    student = staffed.students.get(facts.no_guardian)
    with pytest.raises(PermissionDenied):
        sign_in(staffed, "desk.lee")
        staffed.students.authorise(student, "Tia", "Temporary")
    staffed.accounts.sign_out()
    sign_in(staffed, "p.nakamura")
    staffed.students.authorise(student, "Tia", "Temporary", note="Aunt, this week")
    staffed.accounts.sign_out()
    outcome = staffed.dismissal.release(ReleaseRequest(student, "tia", "TEMPORARY", "Aunt collects"))
    assert isinstance(outcome, Released) and outcome.movement.authorised_as.startswith("temporary")


def test_an_authorisation_with_a_date_of_birth_is_that_person_only(staffed, facts):
    """An authorisation the principal gave with the adult's date of birth: an adult of that name without their
    date given is asked for it, one with another date is refused; only the right date releases."""
    student = staffed.students.get(facts.no_guardian)
    sign_in(staffed, "p.nakamura")
    staffed.students.authorise(student, "Tia", "Temporary", dob=date(1990, 1, 1), note="Aunt, this week")
    staffed.accounts.sign_out()
    asked = staffed.dismissal.release(ReleaseRequest(student, "Tia", "Temporary", "Aunt collects"))
    assert isinstance(asked, NotAuthorised) and "Scan their ID, or type their date of birth" in asked.message
    other = staffed.dismissal.release(ReleaseRequest(student, "Tia", "Temporary", "x", dob=date(1991, 1, 1)))
    assert isinstance(other, NotAuthorised) and "not on" in other.message
    assert staffed.students.out() == []
    done = staffed.dismissal.release(ReleaseRequest(student, "Tia", "Temporary", "x", dob=date(1990, 1, 1)))
    assert isinstance(done, Released)


def test_the_emergency_roster_lists_students_signed_out_and_late(staffed, facts, tmp_path):
    first, last = guardian_name(facts, "stu-00060")
    staffed.dismissal.release(ReleaseRequest(staffed.students.get("stu-00060"), first, last, "Dentist"))
    staffed.students.arrive("100061", reason="Bus late", excused=True)
    out = tmp_path / "roster.pdf"
    staffed.review.roster_pdf(out, school="Synthetic School 1")
    assert out.read_bytes().startswith(b"%PDF")
    assert details(staffed) == {"on_site": 0, "students_signed_out": 1, "students_late": 1}
    signed_out, late = staffed.students.roster_lines()
    assert signed_out[0].detail.startswith(f"to {first} {last}") and late[0].detail == "Bus late (excused)"


# --- reunification ----------------------------------------------------------------------------------------
def test_a_reunification_drill_end_to_end(staffed, facts):
    r = staffed.reunification
    run = r.start(drill=True, site="Synthetic Church Hall")
    first, last = guardian_name(facts, "stu-00070")
    student = staffed.students.get("stu-00070")
    req = r.ask(ReleaseRequest(student, first, last, "Reunification"))
    assert req.status == "requested" and len(req.card) == 8
    # The same checks as an early dismissal: a custody order refuses, an unlisted adult is not authorised.
    refused = r.ask(
        ReleaseRequest(staffed.students.get("stu-00020"), "Victor", "Custodia", "x", dob=date(1979, 5, 5))
    )
    assert isinstance(refused, Refused)
    assert isinstance(r.ask(ReleaseRequest(staffed.students.get("stu-00071"), "No", "Body", "x")), NotAuthorised)
    board = r.board()
    assert board.reunification.drill and board.total("requested") == 1
    homeroom = student.homeroom
    row = next(x for x in board.rows if x.homeroom == homeroom)
    assert row.requested == 1 and row.not_requested == row.students - 1
    r.send(req.id, "Coach Runner")
    assert r.board().total("on_the_way") == 1
    with pytest.raises(ConflictError):
        r.send(req.id, "Coach Runner")
    r.release(r.request_by_card(req.card).id)
    board = r.board()
    assert board.total("released") == 1 and board.total("not_requested") == board.total("students") - 1
    assert [m.student.sourced_id for m in staffed.students.out()] == ["stu-00070"]
    r.end()
    sign_in(staffed, "p.nakamura")
    buf = io.StringIO()
    assert r.export_csv(buf, run.id) == 1
    row = next(csv.DictReader(io.StringIO(buf.getvalue())))
    assert row["drill"] == "yes" and row["status"] == "released" and row["runner"] == "Coach Runner"
    actions = [x.action for x in staffed.audit.records(limit=20) if x.action.startswith("reunify.")]
    assert actions[:5] == ["reunify.export", "reunify.end", "reunify.release", "reunify.send", "reunify.request"]


def test_reunification_never_releases_a_student_already_signed_out(staffed, facts):
    """A child signed out earlier today is not at the assembly point: the adult is told at once; and a child
    signed out at a desk while a runner is on the way is not released a second time."""
    gone = staffed.students.get("stu-00030")
    first, last = guardian_name(facts, "stu-00030")
    assert isinstance(staffed.dismissal.release(ReleaseRequest(gone, first, last, "Dentist")), Released)
    r = staffed.reunification
    r.start(drill=False, site="Synthetic Church Hall")
    with pytest.raises(ConflictError, match="was signed out at .* not in the building") as refused:
        r.ask(ReleaseRequest(gone, first, last, "Reunification"))
    assert refused.value.code == "already_out"
    student = staffed.students.get("stu-00070")
    g_first, g_last = guardian_name(facts, "stu-00070")
    req = r.ask(ReleaseRequest(student, g_first, g_last, "Reunification"))
    r.send(req.id, "Coach Runner")
    # Meanwhile the guardian reached the office instead, and the desk signed the child out there.
    assert isinstance(
        staffed.dismissal.release(ReleaseRequest(student, g_first, g_last, "Went to the office")), Released
    )
    with pytest.raises(ConflictError, match="already signed out .* not released again"):
        r.release(req.id)
    assert r.request(req.id).status == "on_the_way"
    assert [m.student.sourced_id for m in staffed.students.out()].count("stu-00070") == 1


# --- the command line -------------------------------------------------------------------------------------
def test_cli_sis_import_and_find(data_dir, bundle, tmp_path, capsys):
    assert main(["--data-dir", str(data_dir), "sis", "import", str(bundle[0]), "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert {k: counts[k] for k in ("orgs", "students", "guardians", "staff", "links")} == {
        "orgs": 2,
        "students": 600,
        "guardians": 900,
        "staff": 24,
        "links": 901,
    }
    assert main(["--data-dir", str(data_dir), "students", "find", "100007", "--json"]) == 0
    (found,) = json.loads(capsys.readouterr().out)
    assert found["sourced_id"] == "stu-00007" and found["signed_out"] is False and "dob" not in found
    broken = tmp_path / "broken"
    shutil.copytree(bundle[0], broken)
    (broken / "users.csv").write_text("sourcedId,role\nx,student\n", encoding="utf-8")
    proc = frontdesk("sis", "import", str(broken), data_dir=data_dir)
    out, err = text(proc)
    assert proc.returncode == 2 and err.count("\n") == 1 and "users.csv line 1, field status" in err


def test_cli_release_exit_codes(staffed, facts, monkeypatch, capsys):
    folder = staffed.store.data_dir
    staffed.close()
    base = ["--data-dir", str(folder), "students"]
    first, last = guardian_name(facts, "stu-00080")
    assert main([*base, "release", "100080", "--to", f"{first} {last}", "--reason", "Dentist", "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["released"] is True and done["to"] == f"{first} {last}" and done["student"]["number"] == "100080"
    assert main([*base, "out", "--json"]) == 0
    assert [m["student"]["number"] for m in json.loads(capsys.readouterr().out)] == ["100080"]
    assert main([*base, "return", "100080"]) == 0
    assert "signed back in" in capsys.readouterr().out
    # 3: not on the list; nothing released.
    assert main([*base, "release", "100081", "--to", "Nora Neighbour", "--reason", "x", "--json"]) == 3
    refused = json.loads(capsys.readouterr().out)
    assert refused["code"] == "not_authorised" and refused["released"] is False
    # The principal approves, as themselves.
    monkeypatch.setenv("FRONTDESK_PASSWORD", PRINCIPAL_PW)
    argv = ["--data-dir", str(folder), "--user", "p.nakamura", "students", "release", "100081"]
    assert main([*argv, "--to", "Nora Neighbour", "--reason", "Mother phoned", "--approve", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["approved_by"] == "Dr. Nakamura"
    monkeypatch.delenv("FRONTDESK_PASSWORD")
    # 4: a custody order names the student.
    argv = [
        *base,
        "release",
        "100020",
        "--to",
        "Victor Custodia",
        "--dob",
        "1979-05-05",
        "--reason",
        "x",
        "--json",
    ]
    assert main(argv) == 4
    refused = json.loads(capsys.readouterr().out)
    assert refused["code"] == "custody" and refused["notified"] == ["Dr. Nakamura"]
    # A late arrival; an unknown student is one line, exit 2.
    assert main([*base, "arrive", "100082", "--reason", "Bus late", "--excused", "--json"]) == 0
    arrived = json.loads(capsys.readouterr().out)
    assert arrived["late_count"] == 1 and arrived["excused"] is True
    assert main([*base, "arrive", "999999", "--reason", "x"]) == 2
    assert "No student" in capsys.readouterr().err


def test_cli_release_exit_3_as_a_process(staffed):
    folder = staffed.store.data_dir
    staffed.close()
    proc = frontdesk("students", "release", "100090", "--to", "Nora Neighbour", "--reason", "x", data_dir=folder)
    out, err = text(proc)
    assert proc.returncode == 3 and "not on" in err and "Traceback" not in err


# --- printed things ---------------------------------------------------------------------------------------
def test_the_late_pass_and_release_slip_print_on_the_badge_printer(staffed, facts):
    """Through python-escpos to a TCP listener on loopback: what arrives is the slip, QR and all."""
    import zxingcpp

    from frontdesk.badges.service import Outcome
    from frontdesk.students.printing import late_pass, release_slip
    from printers.base import PrinterNotResponding
    from printers.decode import escpos_raster
    from printers.fakes import RecordingPrinter
    from printers.media import media
    from printers.uri import printer_for
    from tests.printer_listeners import Listener, wait_for

    m = staffed.students.arrive("100100", reason="Bus late")
    paper = media("80mm")
    slip = late_pass(m, "Synthetic School 1", paper)
    assert slip.image.size == (paper.width, paper.length) and {"band", "name", "qr", "code"} <= set(slip.boxes)
    listener = Listener("capture")
    try:
        printer = printer_for(f"escpos+tcp://127.0.0.1:{listener.port}?profile=TM-T20II&timeout=1")
        outcome, message = staffed.badges.print_slip(slip, printer, "Late pass")
        assert outcome is Outcome.PRINTED and message == "Late pass printed."
        job = printer.build_job(slip)
        assert wait_for(lambda: len(listener.data) >= len(job))
        printed = escpos_raster(listener.data)
    finally:
        listener.close()
    assert printed.size == slip.image.size
    codes = zxingcpp.read_barcodes(printed.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [c.text for c in codes] == [m.code]  # the opaque code only, never a name
    first, last = guardian_name(facts, "stu-00101")
    done = staffed.dismissal.release(ReleaseRequest(staffed.students.get("100101"), first, last, "Dentist"))
    slip = release_slip(done.movement, "Synthetic School 1", paper)
    # A printer that fails before anything reached it is tried once more; then the desk is told.
    failing = RecordingPrinter(faults=[PrinterNotResponding("x", sent=0), PrinterNotResponding("x", sent=0)])
    outcome, message = staffed.badges.print_slip(slip, failing, "Release slip")
    assert outcome is Outcome.FAILED and failing.opened == 2 and "Release slip not printed" in message


def test_cli_the_offices_lists(staffed, facts, monkeypatch, capsys):
    folder = staffed.store.data_dir
    staffed.close()
    base = ["--data-dir", str(folder), "students"]
    assert main([*base, "authorise", "100110", "--name", "Tia Temporary"]) == 2  # the desk may not
    assert "may not add a temporary pick-up authorisation" in capsys.readouterr().err
    monkeypatch.setenv("FRONTDESK_PASSWORD", PRINCIPAL_PW)
    principal = ["--data-dir", str(folder), "--user", "p.nakamura", "students"]
    assert main([*principal, "authorise", "100110", "--name", "Tia Temporary", "--note", "Aunt"]) == 0
    first, last = guardian_name(facts, "stu-00111")
    assert main([*principal, "bar", "100111", "--name", f"{first} {last}", "--reason", "Court date"]) == 0
    monkeypatch.delenv("FRONTDESK_PASSWORD")
    capsys.readouterr()
    assert main([*base, "pickups", "100110", "--json"]) == 0
    assert [p["name"] for p in json.loads(capsys.readouterr().out)][-1] == "Tia Temporary"
    assert main([*base, "release", "100110", "--to", "Tia Temporary", "--reason", "Aunt collects"]) == 0
    assert "temporary" in capsys.readouterr().out
    argv = [*base, "release", "100111", "--to", f"{first} {last}", "--reason", "x", "--json"]
    assert main(argv) == 4
    assert json.loads(capsys.readouterr().out)["code"] == "may_not_pick_up"


def test_the_offices_pick_up_choice_survives_a_reimport(staffed, facts, bundle):
    st = staffed.students
    student = st.get(facts.relative_of)
    relative = next(g for g in st.guardians(student) if g.sourced_id == facts.relative)
    sign_in(staffed, "p.nakamura")
    st.set_pickup_allowed(student, relative, True, reason="Grandmother; parents asked in writing")
    st.import_bundle(bundle[0])
    assert relative.full_name in {p.name for p in st.pickups(student)}
