"""Reunification checks the adult again when a runner is sent and at the hand-over.

Between a guardian's request and the hand-over (20–60 minutes after an emergency) the office may bar the adult,
a court order may be entered, a guardian's pick-up may be stopped, an authorisation revoked or run out. Each
of these stops the hand-over: the request is *stopped* with the reason, the child stays in the building's
count, the refusal is audited and told as at the request, and the family asks again. Decisions a person made
at the request ("not this person") are carried into the check; a new possible match stops it.

Real services over a real SQLite data folder (the students fixtures); the command line through ``main``.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from frontdesk import clock
from frontdesk.cli import main
from frontdesk.context import Services
from frontdesk.errors import ConflictError
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from frontdesk.students.release import Cleared, NeedsDecision, NotAuthorised, Refused, ReleaseRequest
from frontdesk.students.reunify import HandOverStopped, ReunifyRequest
from tests.students_fixtures import PRINCIPAL_PW, actions, guardian_name, sign_in


@pytest.fixture(scope="module")
def template(students_template):
    return students_template


@pytest.fixture
def facts(students_bundle):
    return students_bundle[1]


def _asked(staffed, facts, sid: str, index: int = 0) -> tuple[object, ReunifyRequest]:
    student = staffed.students.get(sid)
    first, last = guardian_name(facts, sid, index)
    req = staffed.reunification.ask(ReleaseRequest(student, first, last, "reunification"))
    assert isinstance(req, ReunifyRequest) and req.status == "requested"
    return student, req


def _still_here(staffed, student, req_id: int) -> None:
    """Stopped, not released: not signed out, counted as nobody's request on the board."""
    r = staffed.reunification
    assert r.request(req_id).status == "stopped"
    assert student.sourced_id not in [m.student.sourced_id for m in staffed.students.out()]
    assert staffed.students.release_open(student) is None
    board = r.board()
    row = next(x for x in board.rows if x.homeroom == student.homeroom)
    assert row.released == 0 and board.total("released") == 0


def _refusals(staffed) -> list[dict]:
    rows = staffed.store.db.execute(
        "SELECT details FROM audit_log WHERE action = 'students.release_refused' ORDER BY seq"
    ).fetchall()
    return [json.loads(r[0]) for r in rows]


def test_a_may_not_pick_up_bar_added_after_the_request_stops_the_hand_over(staffed, facts):
    """The red team's reproduction: the principal bars the adult after the request; the runner is sent; the
    hand-over is stopped (on the old code the child was released to the barred adult)."""
    sign_in(staffed, "p.nakamura")
    r = staffed.reunification
    r.start(drill=False)
    student, req = _asked(staffed, facts, "stu-00070")
    first, last = guardian_name(facts, "stu-00070")
    staffed.students.bar_pickup(student, first, last, dob=None, reason="Protective order just served")
    with pytest.raises(HandOverStopped) as stopped:
        r.send(req.id, "Runner Ray")
    assert stopped.value.code == "handover_stopped" and isinstance(stopped.value, ConflictError)
    outcome = stopped.value.outcome
    assert isinstance(outcome, Refused) and outcome.code == "may_not_pick_up"
    # The bar has no birth date: a possible match, refused until a person compares (as at the request).
    assert stopped.value.message.startswith(f"HAND-OVER STOPPED: {first} {last} was checked again")
    assert "Office: may not pick up" in stopped.value.message and "must compare" in stopped.value.message
    _still_here(staffed, student, req.id)
    assert r.request(req.id).stopped_reason == stopped.value.message
    # Audited (the reunification's own record and the release workflow's refusal), as at the request.
    assert actions(staffed, 2)[0] == "reunify.stop"
    assert _refusals(staffed)[-1]["adult"] == f"{first} {last}"
    assert _refusals(staffed)[-1]["code"] == "may_not_pick_up"
    # The card of a stopped request takes no further step.
    with pytest.raises(ConflictError, match="is stopped, not on the way") as wrong:
        r.release(req.id)
    assert wrong.value.code == "wrong_step"
    assert staffed.students.release_open(student) is None


@pytest.mark.parametrize("step", ["send", "release"])
def test_a_court_order_entered_after_the_request_stops_the_hand_over(staffed, facts, step):
    """The guardian showed an ID at the request (birth date known); the order entered since names them with
    that birth date: the screener's own match, confirmed as at an unattended door, the principal told."""
    sign_in(staffed, "p.nakamura")
    r = staffed.reunification
    r.start(drill=False)
    student = staffed.students.get("stu-00071")
    first, last = guardian_name(facts, "stu-00071")
    req = r.ask(ReleaseRequest(student, first, last, "reunification", dob=date(1982, 6, 7)))
    assert isinstance(req, ReunifyRequest)
    if step == "release":
        r.send(req.id, "Runner Ray")
    sign_in(staffed, "root")
    staffed.lists.add(
        "County court orders",
        NewEntry(
            first,
            last,
            dob=parse_dob("1982-06-07"),
            kind=Kind.CUSTODY,
            students=(f"{student.first_name} {student.last_name}",),
        ),
    )
    sign_in(staffed, "desk.lee")  # the release point's staff: the check needs no principal
    with pytest.raises(HandOverStopped) as stopped:
        getattr(r, step)(*((req.id, "Runner Ray") if step == "send" else (req.id,)))
    outcome = stopped.value.outcome
    assert isinstance(outcome, Refused) and outcome.code == "custody" and outcome.confirmed
    assert outcome.decision is not None and outcome.decision.told == ("Dr. Nakamura",)
    assert "custody order" in stopped.value.message and "Dr. Nakamura notified" in stopped.value.message
    _still_here(staffed, student, req.id)
    assert _refusals(staffed)[-1]["code"] == "custody"
    assert _refusals(staffed)[-1]["decision_id"] == outcome.decision.id


def test_a_guardians_pick_up_stopped_after_the_request_stops_the_hand_over(staffed, facts):
    sign_in(staffed, "p.nakamura")
    r = staffed.reunification
    r.start(drill=False)
    student, req = _asked(staffed, facts, "stu-00072")
    r.send(req.id, "Runner Ray")
    first, last = guardian_name(facts, "stu-00072")
    guardian = next(g for g in staffed.students.guardians(student) if (g.first_name, g.last_name) == (first, last))
    staffed.students.set_pickup_allowed(student, guardian, False, "Court hearing this morning")
    with pytest.raises(HandOverStopped) as stopped:
        r.release(req.id)
    assert isinstance(stopped.value.outcome, NotAuthorised)
    assert "not on" in stopped.value.message and "pick-up list" in stopped.value.message
    _still_here(staffed, student, req.id)
    assert _refusals(staffed)[-1]["code"] == "not_authorised"


def test_an_authorisation_revoked_after_the_request_stops_the_hand_over(staffed, facts):
    student = staffed.students.get(facts.no_guardian)
    sign_in(staffed, "p.nakamura")
    auth = staffed.students.authorise(student, "Tia", "Temporary", note="Aunt, today")
    r = staffed.reunification
    r.start(drill=False)
    req = r.ask(ReleaseRequest(student, "Tia", "Temporary", "reunification"))
    assert isinstance(req, ReunifyRequest)
    r.send(req.id, "Runner Ray")
    staffed.pickup_lists.revoke(student, auth.id, "Mother phoned: not the aunt")
    with pytest.raises(HandOverStopped) as stopped:
        r.release(req.id)
    assert isinstance(stopped.value.outcome, NotAuthorised)
    _still_here(staffed, student, req.id)


def test_an_authorisation_that_ran_out_before_the_hand_over_stops_it(staffed, facts, monkeypatch):
    """Authorised for today only; the hand-over happens tomorrow (the desk's own clock shift, as the fault
    tests use it, moves "now" a day on)."""
    student = staffed.students.get(facts.no_guardian)
    sign_in(staffed, "p.nakamura")
    staffed.students.authorise(student, "Tia", "Temporary", note="Today only")
    r = staffed.reunification
    r.start(drill=False)
    req = r.ask(ReleaseRequest(student, "Tia", "Temporary", "reunification"))
    assert isinstance(req, ReunifyRequest)
    monkeypatch.setattr(clock, "_OFFSET", timedelta(days=1))
    with pytest.raises(HandOverStopped) as stopped:
        r.send(req.id, "Runner Ray")
    assert isinstance(stopped.value.outcome, NotAuthorised)
    _still_here(staffed, student, req.id)


def _possible_match(staffed, student, first: str, last: str, source: str, dob: str):
    """A custody entry with the adult's name, another birth date: a possible match a person must compare."""
    sign_in(staffed, "root")
    entry = staffed.lists.add(
        source, NewEntry(first, last, kind=Kind.CUSTODY, students=(student.full_name,), dob=parse_dob(dob))
    )
    sign_in(staffed, "p.nakamura")
    return entry


def test_an_adult_cleared_by_comparison_at_the_request_is_handed_the_child(staffed, facts):
    """Two possible matches, both compared at the request ("not this person"): every decision is kept with
    the request (not only the first), so the check at the hand-over does not refuse the same entries again."""
    student = staffed.students.get("stu-00020")
    first, last = guardian_name(facts, "stu-00020")
    one = _possible_match(staffed, student, first, last, "County court orders", "1950-01-01")
    two = _possible_match(staffed, student, first, last, "State court orders", "1951-02-02")
    r = staffed.reunification
    r.start(drill=False)
    outcome = r.check(ReleaseRequest(student, first, last, "reunification"))
    assert isinstance(outcome, NeedsDecision)
    assert {c.entry.id for c in outcome.candidates} == {one.id, two.id}
    for entry_id in (one.id, two.id):
        outcome = staffed.dismissal.decide(outcome.dismissal, entry_id, same_person=False, reason="Different DOB")
    assert isinstance(outcome, Cleared)
    req = r.queue(outcome)
    sign_in(staffed, "desk.lee")
    r.send(req.id, "Runner Ray")
    assert r.release(req.id).status == "released"
    assert [m.student.sourced_id for m in staffed.students.out()] == ["stu-00020"]


def test_a_new_possible_match_stops_the_hand_over_and_the_family_asks_again(staffed, facts):
    """An entry nobody compared at the request stops the hand-over with words that say a person must compare
    again; the request is stopped, the guardian asks again, a person compares, and the child is handed over."""
    student = staffed.students.get("stu-00020")
    first, last = guardian_name(facts, "stu-00020")
    _possible_match(staffed, student, first, last, "County court orders", "1950-01-01")
    r = staffed.reunification
    r.start(drill=False)
    outcome = r.check(ReleaseRequest(student, first, last, "reunification"))
    assert isinstance(outcome, NeedsDecision)
    outcome = staffed.dismissal.decide(
        outcome.dismissal, outcome.candidates[0].entry.id, same_person=False, reason="Different DOB"
    )
    req = r.queue(outcome)
    r.send(req.id, "Runner Ray")
    late = _possible_match(staffed, student, first, last, "State court orders", "1951-02-02")
    with pytest.raises(HandOverStopped) as stopped:
        r.release(req.id)
    assert isinstance(stopped.value.outcome, Refused) and not stopped.value.outcome.confirmed
    assert (
        "must compare" in stopped.value.message and "compares them with the entry again" in stopped.value.message
    )
    _still_here(staffed, student, req.id)
    # Asked again: a person compares both entries, and the child is handed over.
    outcome = r.check(ReleaseRequest(student, first, last, "reunification"))
    assert isinstance(outcome, NeedsDecision)
    for c in outcome.candidates:
        outcome = staffed.dismissal.decide(outcome.dismissal, c.entry.id, same_person=False, reason="Other DOB")
    assert isinstance(outcome, Cleared) and late.id in {d.candidate.entry.id for d in outcome.dismissal.dismissed}
    again = r.queue(outcome)
    assert again.id != req.id and again.card != req.card
    r.send(again.id, "Runner Ray")
    assert r.release(again.id).status == "released"
    assert r.request(req.id).status == "stopped"  # the stopped request stays, for the record
    assert r.board().total("released") == 1


def test_a_stopped_request_can_be_asked_again_by_another_adult(staffed, facts):
    sign_in(staffed, "p.nakamura")
    r = staffed.reunification
    r.start(drill=False)
    # A student two guardians may pick up.
    sid = next(
        sid
        for sid in sorted(facts.links)
        if sum(g.pickup_allowed for g in staffed.students.guardians(staffed.students.get(sid))) >= 2
    )
    student = staffed.students.get(sid)
    first, last = next((g.first_name, g.last_name) for g in staffed.students.guardians(student))
    req = r.ask(ReleaseRequest(student, first, last, "reunification"))
    staffed.students.bar_pickup(student, first, last, dob=None, reason="Protective order just served")
    with pytest.raises(HandOverStopped):
        r.send(req.id, "Runner Ray")
    # The same adult asking again is refused at the request now; the child is not held by the stopped one.
    refused = r.ask(ReleaseRequest(student, first, last, "reunification"))
    assert isinstance(refused, Refused)
    others = [(g.first_name, g.last_name) for g in staffed.students.guardians(student) if g.pickup_allowed]
    other = next(n for n in others if n != (first, last))
    again = r.ask(ReleaseRequest(student, *other, "reunification"))
    assert isinstance(again, ReunifyRequest) and again.status == "requested"
    # Still one open request at a time.
    with pytest.raises(ConflictError, match="already been requested"):
        r.ask(ReleaseRequest(student, *other, "reunification"))
    r.send(again.id, "Runner Ray")
    assert r.release(again.id).status == "released"


def test_a_principals_one_time_approval_holds_at_the_hand_over(staffed, facts):
    """An unlisted adult a principal approved once at the request is not refused as unlisted at the
    hand-over (the release point's staff are not principals); a bar added since still stops it."""
    sign_in(staffed, "p.nakamura")
    r = staffed.reunification
    r.start(drill=False)
    a, b = staffed.students.get("stu-00073"), staffed.students.get("stu-00074")
    ok = r.ask(ReleaseRequest(a, "Nora", "Neighbour", "Mother phoned", approve=True))
    barred = r.ask(ReleaseRequest(b, "Ned", "Neighbour", "Mother phoned", approve=True))
    assert isinstance(ok, ReunifyRequest) and isinstance(barred, ReunifyRequest)
    staffed.students.bar_pickup(b, "Ned", "Neighbour", dob=None, reason="Father phoned: not him")
    sign_in(staffed, "desk.lee")
    r.send(ok.id, "Runner Ray")
    assert r.release(ok.id).status == "released"
    with pytest.raises(HandOverStopped):
        r.send(barred.id, "Runner Ray")


def test_the_command_line_stops_the_hand_over(staffed, facts, monkeypatch, capsys):
    """``reunify send`` / ``release`` on a request the check refuses now: exit 4 (refused) or 3 (not on the
    list), as ``reunify ask``; the JSON says stopped and why. Existing keys and exit codes are unchanged."""
    folder = staffed.store.data_dir
    staffed.close()
    monkeypatch.setenv("FRONTDESK_PASSWORD", PRINCIPAL_PW)
    base = ["--data-dir", str(folder), "--user", "p.nakamura"]
    assert main([*base, "reunify", "start"]) == 0
    capsys.readouterr()
    cards = {}
    for sid in ("stu-00075", "stu-00076"):
        first, last = guardian_name(facts, sid)
        number = facts.student[sid][2]
        assert main([*base, "reunify", "ask", number, "--to", f"{first} {last}", "--json"]) == 0
        cards[sid] = json.loads(capsys.readouterr().out)["card"]
    first, last = guardian_name(facts, "stu-00075")
    number = facts.student["stu-00075"][2]
    assert main([*base, "students", "bar", number, "--name", f"{first} {last}", "--reason", "Order served"]) == 0
    capsys.readouterr()
    assert main([*base, "reunify", "send", cards["stu-00075"], "--runner", "Ray", "--json"]) == 4
    out = json.loads(capsys.readouterr().out)
    assert out["sent"] is False and out["stopped"] is True and out["code"] == "may_not_pick_up"
    assert out["status"] == "stopped" and "HAND-OVER STOPPED" in out["message"]
    assert out["stopped_reason"] == out["message"]
    # Without --json: one line on stderr.
    assert main([*base, "reunify", "release", cards["stu-00075"]]) == 2  # a stopped card takes no step
    assert "stopped" in capsys.readouterr().err
    # Pick-up stopped for the other guardian: exit 3, as not on the list.
    assert main([*base, "reunify", "send", cards["stu-00076"], "--runner", "Ray"]) == 0
    capsys.readouterr()
    first, last = guardian_name(facts, "stu-00076")
    office = Services.open(folder)  # the principal stops the guardian's pick-up at the desk meanwhile
    try:
        sign_in(office, "p.nakamura")
        student = office.students.get("stu-00076")
        guardian = next(
            g for g in office.students.guardians(student) if (g.first_name, g.last_name) == (first, last)
        )
        office.students.set_pickup_allowed(student, guardian, False, "Court hearing")
    finally:
        office.close()
    assert main([*base, "reunify", "release", cards["stu-00076"]]) == 3
    err = capsys.readouterr().err
    assert err.startswith("frontdesk: HAND-OVER STOPPED") and err.count("\n") == 1
    assert main([*base, "reunify", "board", "--json"]) == 0
    board = json.loads(capsys.readouterr().out)
    assert {r["status"] for r in board["requests"]} == {"stopped"}
    assert sum(c["released"] for c in board["classes"]) == 0


def test_a_stopped_request_is_in_the_record_afterwards(staffed, facts, tmp_path):
    """The CSV for the record says stopped and why; the laptop's record file carries it and is read back."""
    from frontdesk.students.reunify_record import read_record

    sign_in(staffed, "p.nakamura")
    r = staffed.reunification
    r.start(drill=True)
    student, req = _asked(staffed, facts, "stu-00077")
    first, last = guardian_name(facts, "stu-00077")
    staffed.students.bar_pickup(student, first, last, dob=None, reason="Protective order just served")
    with pytest.raises(HandOverStopped) as stopped:
        r.send(req.id, "Runner Ray")
    buf = io.StringIO()
    assert r.export_csv(buf) == 1
    row = next(csv.DictReader(io.StringIO(buf.getvalue())))
    assert row["status"] == "stopped" and row["stopped"] == stopped.value.message and row["released_at"] == ""
    path = tmp_path / "record.json"
    with open(path, "w", encoding="utf-8") as out:
        assert r.export_record(out) == 1
    (written,) = read_record(path)["requests"]
    assert written["status"] == "stopped" and written["stopped_reason"] == stopped.value.message
    report = r.merge_record(path)  # the desk that wrote it: already there, nothing released
    assert report.known == 1 and report.released == 0 and staffed.students.release_open(student) is None


def test_a_request_taken_back_lets_another_adult_ask(staffed, facts):
    """The adult who asked has left (or another adult on the list is here): the office takes the request back
    with a reason, and the student can be asked for again. Before, an open request held the student for good."""
    from frontdesk.errors import InputError

    sign_in(staffed, "p.nakamura")
    r = staffed.reunification
    r.start(drill=False)
    student, req = _asked(staffed, facts, "stu-00071")
    first, last = guardian_name(facts, "stu-00071")
    with pytest.raises(ConflictError):  # the open request holds the student
        r.ask(ReleaseRequest(student, first, last, "reunification"))
    with pytest.raises(InputError):
        r.withdraw(req.id, "  ")
    r.send(req.id, "Runner Ray")
    taken = r.withdraw(req.id, "the mother left for the other gate")
    assert taken.status == "stopped" and "the mother left for the other gate" in taken.stopped_reason
    assert "brings the student back" in taken.stopped_reason  # a runner was already on the way
    assert actions(staffed, 1) == ["reunify.withdraw"]
    _still_here(staffed, student, req.id)
    again = r.ask(ReleaseRequest(student, first, last, "reunification"))
    assert isinstance(again, ReunifyRequest) and again.status == "requested"
    r.send(again.id, "Runner Ray")
    assert r.release(again.id).status == "released"
    with pytest.raises(ConflictError):  # handed over: nothing to take back
        r.withdraw(again.id, "too late")


def test_the_command_line_takes_a_request_back(staffed, facts, monkeypatch, capsys):
    folder = staffed.store.data_dir
    staffed.close()
    monkeypatch.setenv("FRONTDESK_PASSWORD", PRINCIPAL_PW)
    base = ["--data-dir", str(folder), "--user", "p.nakamura"]
    assert main([*base, "reunify", "start"]) == 0
    first, last = guardian_name(facts, "stu-00077")
    number = facts.student["stu-00077"][2]
    capsys.readouterr()
    assert main([*base, "reunify", "ask", number, "--to", f"{first} {last}", "--json"]) == 0
    card = json.loads(capsys.readouterr().out)["card"]
    assert main([*base, "reunify", "withdraw", card, "--reason", "Left", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "stopped" and "Left" in out["stopped_reason"]
    assert main([*base, "reunify", "ask", number, "--to", f"{first} {last}"]) == 0
