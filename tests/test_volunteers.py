"""Volunteers: records, approval, the check-in rule through the one admission workflow, hours, import, and
the ``frontdesk volunteers`` command-line contract (run as a subprocess, as school IT would)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from frontdesk import clock
from frontdesk.checkin.workflow import CheckInRequest, Cleared, NeedsDecision, Refused
from frontdesk.context import Services
from frontdesk.errors import InputError, PermissionDenied
from frontdesk.models import Category, Visitor
from frontdesk.screening.importer import ImportFailed
from frontdesk.settings import VOLUNTEER_UNCLEARED
from frontdesk.volunteers.models import BackgroundCheck, NewVolunteer, Status
from frontdesk.volunteers.report import hours_pdf, write_csv
from frontdesk.volunteers.service import VOLUNTEER_NOT_CLEARED
from printers.badge import BadgeData
from tests.cli_helpers import frontdesk, text

TODAY = date.today()
CURRENT = BackgroundCheck(
    "fingerprint", "State police", TODAY - timedelta(days=300), "clear", TODAY + timedelta(days=65)
)
LAPSED = BackgroundCheck(
    "fingerprint", "State police", TODAY - timedelta(days=800), "clear", TODAY - timedelta(days=3)
)


def add(services, first="Vera", last="Helpwell", check=CURRENT, activities=("Library",), dob=date(1980, 5, 6)):
    return services.volunteers.add(NewVolunteer(first, last, dob=dob, activities=activities, check=check))


def volunteer_request(first="Vera", last="Helpwell", dob=date(1980, 5, 6), purpose="Library") -> CheckInRequest:
    return CheckInRequest(Visitor(first, last, dob=dob), Category.VOLUNTEER, purpose)


def actions(services) -> list[str]:
    return [r[0] for r in services.store.db.execute("SELECT action FROM audit_log ORDER BY seq")]


# --- records ------------------------------------------------------------------------------------------
def test_a_volunteer_with_a_clear_check_is_approved_and_every_change_is_audited(services):
    v = add(services)
    assert v.status is Status.APPROVED and v.approved_by == "setup" and v.check.provider == "State police"
    pending = services.volunteers.add(NewVolunteer("Paul", "Pending"))
    assert pending.status is Status.APPLIED
    with pytest.raises(InputError):
        services.volunteers.approve(pending.id)  # no check on file
    approved = services.volunteers.approve(pending.id, CURRENT)
    assert approved.status is Status.APPROVED
    suspended = services.volunteers.suspend(v.id, "Complaint under review")
    assert suspended.status is Status.SUSPENDED and suspended.status_reason == "Complaint under review"
    with pytest.raises(InputError):
        services.volunteers.suspend(v.id, "  ")
    assert actions(services)[-4:] == ["volunteer.add", "volunteer.add", "volunteer.approve", "volunteer.suspend"]
    # The change and its record commit together: a failed change leaves neither.
    assert services.audit.verify().intact


def test_a_lapsed_check_reads_as_expired_and_the_reminders_list_checks_expiring_within_30_days(services):
    add(services, "Old", "Check", LAPSED)
    soon = BackgroundCheck(result="clear", expires=TODAY + timedelta(days=10))
    add(services, "Soon", "Lapsing", soon)
    add(services)  # 65 days left
    by_name = {v.last_name: v for v in services.volunteers.list()}
    assert by_name["Check"].status is Status.EXPIRED and by_name["Lapsing"].status is Status.APPROVED
    assert [v.last_name for v in services.volunteers.expiring(30)] == ["Lapsing"]


def test_only_principals_and_administrators_approve(staffed_services):
    services = staffed_services
    services.accounts.sign_in("desk1", "2468")
    with pytest.raises(PermissionDenied):
        add(services)
    services.accounts.sign_in("principal", "principal-pass-1")
    assert add(services).approved_by == "principal"


@pytest.fixture
def staffed_services(services):
    services.accounts.add("admin", "admin", "admin-pass-1")
    services.accounts.sign_in("admin", "admin-pass-1")
    services.accounts.add("principal", "principal", "principal-pass-1")
    services.accounts.add("desk1", "desk", "2468")
    services.accounts.sign_out()
    return services


# --- check-in through the admission workflow ---------------------------------------------------------
def test_an_approved_volunteer_is_cleared_and_the_badge_says_volunteer_and_the_activity(services):
    add(services)
    outcome = services.checkin.start(volunteer_request())
    assert isinstance(outcome, Cleared)
    visit = services.checkin.commit(outcome).visit
    assert visit.category is Category.VOLUNTEER
    badge = BadgeData.from_visit(visit, "Maple Elementary", 8)
    assert badge.category == "VOLUNTEER" and badge.host == "Library"


@pytest.mark.parametrize("state", ["lapsed", "suspended", "missing", "applied"])
def test_a_volunteer_who_may_not_serve_is_a_warning_the_desk_resolves_as_a_visitor(services, state):
    if state == "lapsed":
        add(services, check=LAPSED)
    elif state == "suspended":
        services.volunteers.suspend(add(services).id, "Paperwork")
    elif state == "applied":
        services.volunteers.add(NewVolunteer("Vera", "Helpwell", dob=date(1980, 5, 6)))
    outcome = services.checkin.start(volunteer_request())
    assert isinstance(outcome, NeedsDecision) and not outcome.candidates
    (warning,) = outcome.warnings
    assert warning.code == VOLUNTEER_NOT_CLEARED and "admit them as a visitor, or refuse" in warning.message
    # Accepting the warning admits them, as a visitor (never as a volunteer), with the reason on the visit.
    again = services.checkin.start(volunteer_request().acknowledging(VOLUNTEER_NOT_CLEARED))
    assert isinstance(again, Cleared)
    visit = services.checkin.commit(again).visit
    assert visit.category is Category.VISITOR and "Not admitted as a volunteer" in visit.note
    # Unattended doors (the kiosk, scripts) cannot accept it.
    assert not isinstance(services.checkin.start(volunteer_request(), unattended=True), Cleared)


def test_the_district_setting_can_refuse_a_lapsed_volunteer_outright(services):
    add(services, check=LAPSED)
    services.settings.set(VOLUNTEER_UNCLEARED, "refuse")
    outcome = services.checkin.start(volunteer_request())
    assert isinstance(outcome, Refused) and outcome.code == VOLUNTEER_NOT_CLEARED
    assert services.store.db.execute("SELECT count(*) FROM visits").fetchone()[0] == 0


def test_a_volunteer_is_still_screened_like_every_visitor(services):
    from frontdesk.screening.dates import parse_dob
    from frontdesk.screening.models import Kind, NewEntry

    add(services)
    services.lists.add("District", NewEntry("Vera", "Helpwell", dob=parse_dob("1980-05-06"), kind=Kind.BARRED))
    outcome = services.checkin.start(volunteer_request())
    assert isinstance(outcome, NeedsDecision) and outcome.candidates


# --- hours --------------------------------------------------------------------------------------------
def _at(moment: datetime):
    return lambda: moment


def test_hours_by_month_and_year_with_the_close_day_rule_shown(services):
    v = add(services)
    base = datetime(TODAY.year, 1, 1, 9, 0).astimezone()
    if base > clock.now():  # pragma: no cover - the first hours of a year
        base = base.replace(year=TODAY.year - 1)
    visits = []
    for days, stay in ((0, 3), (40, 2)):  # January 3 h, February 2 h
        moment = base + timedelta(days=days)
        visit = services.checkin.at(now=_at(moment)).admit(
            Visitor("Vera", "Helpwell", dob=date(1980, 5, 6)), category="volunteer", purpose="Library"
        )
        services.visits.elsewhere(now=_at(moment + timedelta(hours=stay))).check_out(visit.id)
        visits.append(visit)
    # A forgotten check-out: closed by close-day 9 hours later, counted as at most 2 h (the setting).
    moment = base + timedelta(days=41)
    services.checkin.at(now=_at(moment)).admit(
        Visitor("Vera", "Helpwell", dob=date(1980, 5, 6)), category="volunteer", purpose="Garden"
    )
    services.visits.elsewhere(now=_at(moment + timedelta(hours=9))).check_out_forgotten(
        moment + timedelta(hours=1), "left without signing out"
    )
    # A plain visitor's visits are not volunteer hours.
    services.checkin.at(now=_at(base + timedelta(days=1))).admit(Visitor("Vera", "Helpwell", dob=date(1980, 5, 6)))
    report = services.volunteers.hours(base.date(), TODAY)
    (vh,) = report.volunteers
    assert vh.volunteer.id == v.id and vh.visits == 3 and vh.forgotten == 1
    months = {k[5:]: h for k, h in vh.months.items()}
    assert months == {"01": 3.0, "02": 4.0}
    assert vh.years == {str(base.year): 7.0} and vh.activities == {"Garden": 2.0, "Library": 5.0}
    (forgotten,) = [line for line in report.lines if line.rule]
    assert "close-day rule" in forgotten.rule and forgotten.minutes == 120
    out = io.StringIO()
    write_csv(report, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["activity"], r["hours"], r["forgotten"]) for r in rows] == [
        ("Garden", "2.0", "1"),
        ("Library", "5.0", "0"),
    ]


def test_the_hours_pdf_is_written(services, tmp_path):
    add(services)
    report = services.volunteers.hours(TODAY - timedelta(days=30), TODAY)
    out = tmp_path / "hours.pdf"
    hours_pdf(report, out, school="Maple Elementary", now=clock.now())
    assert out.read_bytes().startswith(b"%PDF")


# --- import -------------------------------------------------------------------------------------------
def test_import_is_the_whole_file_or_nothing_with_mapped_columns(services, tmp_path):
    good = tmp_path / "provider.csv"
    good.write_text(
        "Given,Family,Birth,Expires,Result,Activities\n"
        f"Nora,Newhelper,1985-01-02,{TODAY + timedelta(days=200)},Clear,Library;Lunch\n"
        f"Vera,Helpwell,1980-05-06,{TODAY + timedelta(days=400)},Clear,\n"
    )
    add(services, check=LAPSED)
    mapping = {
        "first_name": "Given",
        "last_name": "Family",
        "dob": "Birth",
        "check_expires": "Expires",
        "check_result": "Result",
        "activities": "Activities",
    }
    report = services.volunteers.import_csv(good, mapping)
    assert (report.added, report.updated) == (1, 1)
    by_name = {v.last_name: v for v in services.volunteers.list()}
    assert by_name["Helpwell"].status is Status.APPROVED and by_name["Helpwell"].activities == ("Library",)
    assert by_name["Newhelper"].activities == ("Library", "Lunch")
    bad = tmp_path / "bad.csv"
    bad.write_text("first_name,last_name,check_expires\nAl,Fine,2030-01-01\nBo,,2030-01-01\nCy,Date,soon\n")
    with pytest.raises(ImportFailed) as failed:
        services.volunteers.import_csv(bad)
    assert [line for line, _ in failed.value.errors] == [3, 4]
    assert "Fine" not in {v.last_name for v in services.volunteers.list()}
    with pytest.raises(InputError):
        services.volunteers.import_csv(good, {"first_name": "Nope"})
    assert actions(services).count("volunteer.import") == 1


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # The provider's result twice (the volunteer's, then a reference's): the second, empty one was read.
        ("first_name,last_name,check_result,check_result\nNora,Newhelper,Clear,\n", "two 'check_result' columns"),
        # "Mary Ann" unquoted: her last name was filed as "Ann" and her result shifted a column.
        (
            "first_name,last_name,check_result\nMary,Ann,Newhelper,Clear\n",
            "line 2: 4 cells where the header has 3",
        ),
        ("first_name,last_name,dob,check_result\nNora,Newhelper,1985-01-02,Clear\nVera,Help", "line 3: 2 cells"),
    ],
    ids=["duplicate column", "extra cells", "cut short"],
)
def test_import_refuses_cells_that_do_not_line_up_with_the_header(services, tmp_path, text, said):
    path = tmp_path / "provider.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=said):
        services.volunteers.import_csv(path)
    assert services.volunteers.list() == []


def test_import_of_a_file_not_saved_as_utf8_says_how_to_save_it(services, tmp_path):
    path = tmp_path / "provider.csv"
    path.write_bytes("first_name,last_name\nNora,Newhelper\nJürgen,Müller\n".encode("latin-1"))
    with pytest.raises(InputError, match='line 3 is not saved as UTF-8 text .byte 0xfc.: save it as "CSV UTF-8"'):
        services.volunteers.import_csv(path)
    assert services.volunteers.list() == []


def test_import_refuses_a_quote_that_is_never_closed(services, tmp_path):
    path = tmp_path / "provider.csv"
    path.write_text('first_name,last_name,check_result\nNora,Newhelper,"Clear\nVera,Helpwell,Clear\n')
    with pytest.raises(ImportFailed) as refused:
        services.volunteers.import_csv(path)
    assert refused.value.errors == [(2, 'a " opened in this row is never closed: close it, or remove it')]
    assert services.volunteers.list() == []


# --- the command line (subprocess) -------------------------------------------------------------------
def test_cli_contract_add_list_hours_suspend_import(data_dir, tmp_path):
    expires = (TODAY + timedelta(days=20)).isoformat()
    proc = frontdesk(
        "volunteers",
        "add",
        "--first-name",
        "Vera",
        "--last-name",
        "Helpwell",
        "--dob",
        "1980-05-06",
        "--check-expires",
        expires,
        "--activity",
        "Library",
        "--json",
        data_dir=data_dir,
    )
    out, err = text(proc)
    assert proc.returncode == 0, err
    record = json.loads(out)
    assert record["status"] == "approved" and record["check_expires"] == expires
    assert record["activities"] == ["Library"] and record["first_name"] == "Vera"
    plain = frontdesk("volunteers", "add", "--first-name", "Paul", "--last-name", "Pending", data_dir=data_dir)
    assert plain.returncode == 0 and "applied" in plain.stdout.decode()

    listed = json.loads(text(frontdesk("volunteers", "list", "--json", data_dir=data_dir))[0])
    assert [v["last_name"] for v in listed] == ["Helpwell", "Pending"]
    expiring = json.loads(
        text(frontdesk("volunteers", "list", "--expiring", "30", "--json", data_dir=data_dir))[0]
    )
    assert [v["id"] for v in expiring] == [record["id"]]
    assert (
        json.loads(text(frontdesk("volunteers", "list", "--expiring", "5", "--json", data_dir=data_dir))[0]) == []
    )

    checkin = frontdesk(
        "checkin",
        "--first-name",
        "Vera",
        "--last-name",
        "Helpwell",
        "--dob",
        "1980-05-06",
        "--category",
        "volunteer",
        "--purpose",
        "Library",
        "--json",
        data_dir=data_dir,
    )
    assert checkin.returncode == 0, text(checkin)
    hours = frontdesk(
        "volunteers", "hours", "--from", TODAY.isoformat(), "--to", TODAY.isoformat(), "--json", data_dir=data_dir
    )
    report = json.loads(text(hours)[0])
    assert report["from"] == report["to"] == TODAY.isoformat()
    (vh,) = report["volunteers"]
    assert vh["id"] == record["id"] and vh["visits"] == 1 and set(vh) >= {"hours", "months", "years", "activities"}
    assert report["visits"][0]["rule"] == "still on site: counted to now"
    as_csv = frontdesk("volunteers", "hours", "--volunteer", str(record["id"]), "--csv", data_dir=data_dir)
    rows = list(csv.DictReader(io.StringIO(text(as_csv)[0])))
    assert rows[0]["activity"] == "Library" and rows[0]["volunteer_id"] == str(record["id"])
    both = frontdesk("volunteers", "hours", "--csv", "--json", data_dir=data_dir)
    assert both.returncode == 2 and "Traceback" not in text(both)[1]

    no_reason = frontdesk("volunteers", "suspend", str(record["id"]), data_dir=data_dir)
    assert no_reason.returncode == 2
    suspended = frontdesk("volunteers", "suspend", str(record["id"]), "--reason", "Paperwork", data_dir=data_dir)
    assert suspended.returncode == 0 and "Paperwork" in text(suspended)[0]
    unknown = frontdesk("volunteers", "suspend", "999", "--reason", "x", data_dir=data_dir)
    assert unknown.returncode == 2 and text(unknown)[1].count("\n") == 1

    export = tmp_path / "district.csv"
    export.write_text(f"Given,Family,Expires\nNora,Newhelper,{TODAY + timedelta(days=100)}\n")
    imported = frontdesk(
        "volunteers",
        "import",
        str(export),
        "--map",
        "first_name=Given",
        "--map",
        "last_name=Family",
        "--map",
        "check_expires=Expires",
        data_dir=data_dir,
    )
    assert imported.returncode == 0, text(imported)
    assert "Imported 1 volunteers" in text(imported)[0]
    broken = tmp_path / "broken.csv"
    broken.write_text("first_name,last_name,check_expires\nAl,Fine,2030-01-01\nBo,Bad,someday\n")
    failed = frontdesk("volunteers", "import", str(broken), data_dir=data_dir)
    assert failed.returncode == 2 and "nothing imported" in text(failed)[1]
    bad_map = frontdesk("volunteers", "import", str(export), "--map", "first_name", data_dir=data_dir)
    assert bad_map.returncode == 2
    with sqlite3.connect(Path(data_dir) / "frontdesk.db") as db:
        names = [r[0] for r in db.execute("SELECT last_name FROM volunteers ORDER BY id")]
    assert names == ["Helpwell", "Pending", "Newhelper"]


def test_cli_lapsed_volunteer_checkin_is_not_admitted_unattended(data_dir):
    services = Services.open(data_dir)
    try:
        add(services, check=LAPSED)
    finally:
        services.close()
    proc = frontdesk(
        "checkin",
        "--first-name",
        "Vera",
        "--last-name",
        "Helpwell",
        "--dob",
        "1980-05-06",
        "--category",
        "volunteer",
        data_dir=data_dir,
    )
    out, err = text(proc)
    assert proc.returncode != 0 and "expired" in err and "Traceback" not in err


def test_cli_guests_add_and_list(data_dir):
    # Tomorrow's window: a window already ended is refused (session 22), and today's 08:00-09:30 has ended once
    # the suite runs after half past nine.
    from datetime import timedelta

    from frontdesk import clock

    day = (clock.now().astimezone().date() + timedelta(days=1)).isoformat()
    proc = frontdesk(
        "guests",
        "add",
        "--date",
        day,
        "--first-name",
        "Gail",
        "--last-name",
        "Guestly",
        "--host",
        "Ms. Alvarez",
        "--from",
        "08:00",
        "--to",
        "09:30",
        "--json",
        data_dir=data_dir,
    )
    out, err = text(proc)
    assert proc.returncode == 0, err
    guest = json.loads(out)
    assert len(guest["code"]) == 9 and guest["host"] == "Ms. Alvarez"
    listed = json.loads(text(frontdesk("guests", "list", "--date", day, "--json", data_dir=data_dir))[0])
    assert [g["code"] for g in listed] == [guest["code"]]
    bad = frontdesk(
        "guests",
        "add",
        "--first-name",
        "G",
        "--last-name",
        "G",
        "--host",
        "H",
        "--from",
        "10:00",
        "--to",
        "09:00",
        data_dir=data_dir,
    )
    assert bad.returncode == 2 and "Traceback" not in text(bad)[1]
