"""Every door screened: the core admission workflow, the ``frontdesk checkin`` contract, and no way around it.

The command-line tests run the real ``frontdesk`` in a subprocess on a real data folder, as school IT would.
"""

from __future__ import annotations

import ast
import inspect
import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from frontdesk.checkin.workflow import (
    ALREADY_ON_SITE,
    ID_EXPIRED,
    UNDER_18,
    AdmissionError,
    CheckInRequest,
    Cleared,
    NeedsDecision,
    Refused,
)
from frontdesk.context import Services
from frontdesk.models import Visitor
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from tests.cli_helpers import frontdesk, text

ROOT = Path(__file__).resolve().parent.parent
BARRED = ("--first-name", "Robert", "--last-name", "Barredman", "--dob", "1975-04-02")


def listed(data_dir: Path, kind: Kind, first="Robert", last="Barredman", dob="1975-04-02", students=()) -> int:
    """Put one entry on a list of ``kind`` (through the service, as an import would) and return its id."""
    services = Services.open(data_dir)
    try:
        entry = services.lists.add(
            "District", NewEntry(first, last, dob=parse_dob(dob), kind=kind, students=tuple(students))
        )
        return entry.id
    finally:
        services.close()


def visits_in(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "frontdesk.db") as db:
        return db.execute("SELECT count(*) FROM visits").fetchone()[0]


def audit_actions(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "frontdesk.db") as db:
        return [r[0] for r in db.execute("SELECT action FROM audit_log ORDER BY seq")]


# --- the command line (subprocess) ---------------------------------------------------------------------
def test_cli_clear_visitor_is_checked_in_and_the_clear_screening_is_audited(data_dir):
    listed(data_dir, Kind.BARRED)
    proc = frontdesk("checkin", "--first-name", "Ann", "--last-name", "Testwood", "--json", data_dir=data_dir)
    out, err = text(proc)
    assert proc.returncode == 0, err
    assert json.loads(out)["badge_code"]
    assert audit_actions(data_dir)[-2:] == ["visit.check_in", "screening.decision"]


def test_cli_barred_match_is_refused_at_once_with_exit_4_and_the_principal_told(data_dir):
    listed(data_dir, Kind.BARRED)
    proc = frontdesk("checkin", *BARRED, data_dir=data_dir)
    out, err = text(proc)
    assert proc.returncode == 4, (out, err)
    assert err.count("\n") == 1 and "District" in err and "barred" in err and "Traceback" not in err
    assert visits_in(data_dir) == 0
    services = Services.open(data_dir)
    try:
        (note,) = services.notifications.unread("principal")
        assert "Robert Barredman" in note.body and "not admitted" in note.body
        (decision,) = services.decisions.recent()
        assert decision.outcome.value == "confirmed" and decision.visit_id is None
    finally:
        services.close()
    assert "screening.decision" in audit_actions(data_dir) and "visit.check_in" not in audit_actions(data_dir)


def test_cli_registry_match_is_refused_too(data_dir):
    listed(data_dir, Kind.REGISTRY)
    proc = frontdesk("checkin", *BARRED, "--json", data_dir=data_dir)
    out, err = text(proc)
    assert proc.returncode == 4 and json.loads(out)["decision"] == "match"
    assert visits_in(data_dir) == 0


def test_cli_possible_match_exits_3_with_the_candidates_and_no_visit(data_dir):
    entry_id = listed(data_dir, Kind.BARRED)
    # The date one digit off: a possible match, for a person to decide.
    args = ("checkin", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "1975-04-03")
    proc = frontdesk(*args, "--json", data_dir=data_dir)
    out, err = text(proc)
    assert proc.returncode == 3, (out, err)
    record = json.loads(out)
    assert record["decision"] == "possible_match"
    (candidate,) = record["candidates"]
    assert candidate["entry_id"] == entry_id and candidate["source"] == "District" and candidate["evidence"]
    assert visits_in(data_dir) == 0
    plain = frontdesk(*args, data_dir=data_dir)
    assert plain.returncode == 3 and f"#{entry_id}" in plain.stdout.decode()


def test_cli_not_this_person_with_a_reason_records_the_decision_and_admits(data_dir):
    entry_id = listed(data_dir, Kind.BARRED)
    args = ("checkin", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "1975-04-03")
    no_reason = frontdesk(*args, "--not-this-person", str(entry_id), data_dir=data_dir)
    assert no_reason.returncode == 2 and visits_in(data_dir) == 0
    proc = frontdesk(
        *args,
        "--not-this-person",
        str(entry_id),
        "--reason",
        "different photo, ID checked",
        "--json",
        data_dir=data_dir,
    )
    out, err = text(proc)
    assert proc.returncode == 0, err
    visit = json.loads(out)
    services = Services.open(data_dir)
    try:
        (decision,) = services.decisions.recent(visit_id=visit["id"])
        assert decision.outcome.value == "not_this_person" and decision.reason == "different photo, ID checked"
        assert decision.entry_id == entry_id
    finally:
        services.close()


def test_cli_same_person_follows_the_list_kind(data_dir):
    barred = listed(data_dir, Kind.BARRED)
    args = ("checkin", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "1975-04-03")
    assert frontdesk(*args, "--same-person", str(barred), data_dir=data_dir).returncode == 4
    assert visits_in(data_dir) == 0

    watch = listed(data_dir, Kind.WATCH, "Wanda", "Watchley", "1970-01-01")
    proc = frontdesk(
        "checkin",
        "--first-name",
        "Wanda",
        "--last-name",
        "Watchley",
        "--dob",
        "1970-01-01",
        "--same-person",
        str(watch),
        "--json",
        data_dir=data_dir,
    )
    assert proc.returncode == 0, proc.stderr
    services = Services.open(data_dir)
    try:
        assert len(services.notifications.unread("administrator")) == 1
    finally:
        services.close()

    custody = listed(data_dir, Kind.CUSTODY, "Carl", "Custer", "1969-06-06", students=["Sam Custer"])
    proc = frontdesk(
        "checkin",
        "--first-name",
        "Carl",
        "--last-name",
        "Custer",
        "--dob",
        "1969-06-06",
        "--same-person",
        str(custody),
        "--json",
        data_dir=data_dir,
    )
    out, err = text(proc)
    assert proc.returncode == 0, err
    assert "do not release Sam Custer" in json.loads(out)["note"]


def test_cli_check_in_during_lockdown_exits_2_with_one_line(data_dir):
    services = Services.open(data_dir)
    services.station.press("lockdown")
    services.close()
    proc = frontdesk("checkin", "--first-name", "Ann", "--last-name", "Testwood", data_dir=data_dir)
    out, err = text(proc)
    assert proc.returncode == 2 and err.count("\n") == 1 and "LOCKDOWN" in err.upper() and "frozen" in err
    assert visits_in(data_dir) == 0


# --- the core workflow ---------------------------------------------------------------------------------
def test_warnings_need_a_person_to_accept_them(services):
    today = date.today()
    card = Visitor(
        "Teen",
        "Cardholder",
        dob=today.replace(year=today.year - 16),
        id_type="DL",
        id_expires=today - timedelta(1),
    )
    outcome = services.checkin.start(CheckInRequest(card))
    assert isinstance(outcome, NeedsDecision) and not outcome.candidates
    assert {w.code for w in outcome.warnings} == {ID_EXPIRED, UNDER_18}
    accepted = services.checkin.start(CheckInRequest(card).acknowledging(ID_EXPIRED, UNDER_18))
    assert isinstance(accepted, Cleared)
    visit = services.checkin.commit(accepted).visit
    again = services.checkin.start(CheckInRequest(card).acknowledging(ID_EXPIRED, UNDER_18))
    assert isinstance(again, NeedsDecision) and [w.code for w in again.warnings] == [ALREADY_ON_SITE]
    assert services.visits.get(visit.id).on_site


def test_a_lockdown_between_start_and_commit_still_refuses(services):
    cleared = services.checkin.start(CheckInRequest(Visitor("Ann", "Testwood")))
    assert isinstance(cleared, Cleared)
    services.station.press("lockdown")
    with pytest.raises(Exception, match="frozen"):
        services.checkin.commit(cleared)
    assert services.visits.on_site() == []
    assert isinstance(services.checkin.start(CheckInRequest(Visitor("Ann", "Testwood"))), Refused)


def test_a_flagged_visitor_cannot_be_committed_undecided(services):
    services.lists.add("District", NewEntry("Robert", "Smith", dob=parse_dob("1980-03-14"), kind=Kind.BARRED))
    outcome = services.checkin.start(CheckInRequest(Visitor("Bob", "Smith", dob=date(1980, 3, 14))))
    assert isinstance(outcome, NeedsDecision)
    with pytest.raises(Exception, match="Decide"):
        services.checkin.commit(Cleared(outcome.admission))
    with pytest.raises(AdmissionError):
        services.checkin.admit(Visitor("Bob", "Smith", dob=date(1980, 3, 14)))
    assert services.visits.on_site() == []


def test_the_visit_and_its_screening_commit_together(services, monkeypatch):
    """A failure while the screening record is written leaves no visit behind (one transaction)."""

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(services.decisions, "record_clear", broken)
    with pytest.raises(RuntimeError):
        services.checkin.admit(Visitor("Ann", "Testwood"))
    assert services.store.db.execute("SELECT count(*) FROM visits").fetchone()[0] == 0
    assert services.store.db.execute("SELECT count(*) FROM people").fetchone()[0] == 0


# --- no way around it ----------------------------------------------------------------------------------
def _functions_inserting_visits() -> dict[str, list[str]]:
    """Every function in the shipped packages whose code inserts a row into ``visits``, by file."""
    found: dict[str, list[str]] = {}
    for package in ("frontdesk", "ui", "printers", "scanners", "district"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    for const in ast.walk(node):
                        if (
                            isinstance(const, ast.Constant)
                            and isinstance(const.value, str)
                            and "INSERT INTO VISITS" in " ".join(const.value.upper().split())
                        ):
                            found.setdefault(str(path.relative_to(ROOT)), []).append(node.name)
    return found


def test_only_the_private_insert_of_the_visits_service_writes_a_visit_and_only_checkin_calls_it():
    assert _functions_inserting_visits() == {"frontdesk/visits/service.py": ["_insert_visit"]}
    callers: dict[str, set[str]] = {}
    for package in ("frontdesk", "ui", "printers", "scanners", "district", "tools", "bench"):
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text()
            for name in ("_insert_visit", "_admit"):
                if f".{name}(" in source or f"{name}(" in source and "def " + name not in source:
                    callers.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    assert callers == {
        "_insert_visit": {"frontdesk/visits/service.py"},
        "_admit": {"frontdesk/checkin/workflow.py"},
    }
    from frontdesk.visits.service import VisitService

    public = {n for n, _ in inspect.getmembers(VisitService, inspect.isfunction) if not n.startswith("_")}
    assert not public & {"check_in", "admit", "insert", "add", "create"}


def test_every_public_path_that_creates_a_visit_screens_it(services, data_dir):
    """Each door a visit can come in by refuses a listed person: services, the command line, the demo seeder."""
    services.lists.add("District", NewEntry("Robert", "Barredman", dob=parse_dob("1975-04-02"), kind=Kind.BARRED))
    barred = Visitor("Robert", "Barredman", dob=date(1975, 4, 2))
    # 1. The core's one-call door (scripts, demo seeding, tests).
    with pytest.raises(AdmissionError):
        services.checkin.admit(barred)
    # 2. The workflow itself, as the window and the kiosk drive it.
    assert isinstance(services.checkin.start(CheckInRequest(barred)), NeedsDecision)
    assert isinstance(services.checkin.start(CheckInRequest(barred), unattended=True), Refused)
    # 3. The same workflow at another desk or moment.
    with pytest.raises(AdmissionError):
        services.checkin.at(station="East entrance").admit(barred)
    services.close()
    # 4. The command line.
    assert frontdesk("checkin", *BARRED, data_dir=data_dir).returncode == 4
    assert visits_in(data_dir) == 0


def test_one_worker_shape_for_every_device_and_link():
    from ui.badges.printing import PrintWorker
    from ui.dispatch.dispatch_worker import DispatchWorker
    from ui.scanning.scanner_worker import ScannerWorker
    from ui.workers import DeviceWorker

    assert all(issubclass(w, DeviceWorker) for w in (PrintWorker, ScannerWorker, DispatchWorker))


def test_reading_an_id_is_audited_by_the_core(services):
    from tests.id_corpus import US, card_payload

    record = services.ids.read(card_payload(US))
    (viewed,) = services.audit.records(action="id.view")
    assert viewed.subject == record.to_visitor().full_name and set(viewed.details) == {
        "document",
        "issuer",
        "last4",
    }
