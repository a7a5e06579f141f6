"""Staff accounts and roles: sign-in, set-up mode, and every forbidden action refused (services and CLI)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta

import pytest

from frontdesk.access.roles import PERMISSIONS, Action, Role
from frontdesk.accounts.service import BLOCK_SECONDS, MAX_FAILED, Accounts
from frontdesk.cli import main
from frontdesk.context import Services
from frontdesk.errors import ConflictError, InputError, PermissionDenied
from frontdesk.models import Visitor
from frontdesk.review.models import ReviewQuery
from frontdesk.settings import SCHOOL_NAME

ADMIN_PW, PRINCIPAL_PW, DESK_PIN = "district-secret", "principal-pw", "4321"


@pytest.fixture(scope="module")
def staffed_template(tmp_path_factory):
    """A data folder with one account of each role, made once per module (argon2 is slow on purpose)."""
    folder = tmp_path_factory.mktemp("staffed") / "data"
    services = Services.open(folder)
    services.accounts.add("root", Role.ADMIN, ADMIN_PW, "Dana Admin")
    services.accounts.sign_in("root", ADMIN_PW)
    services.accounts.add("p.rivera", Role.PRINCIPAL, PRINCIPAL_PW, "Pat Rivera")
    services.accounts.add("desk.lee", Role.DESK, DESK_PIN, "Lee Desk")
    services.close()
    return folder


@pytest.fixture
def staffed(staffed_template, tmp_path):
    """A fresh copy of the template, nobody signed in."""
    shutil.copytree(staffed_template, tmp_path / "staffed")
    services = Services.open(tmp_path / "staffed")
    yield services
    services.close()


def _audited(services: Services, like: str) -> list[tuple[str, str]]:
    """(actor, action) of the audit records whose action is LIKE ``like``, read as the file holds them."""
    sql = "SELECT actor, action FROM audit_log WHERE action LIKE ? ORDER BY seq"
    return [tuple(r) for r in services.store.db.execute(sql, [like])]


def test_every_action_is_in_the_table():
    assert set(PERMISSIONS) == set(Action)


def test_first_account_must_be_an_administrator(services):
    assert services.session.actor.username == "setup"
    with pytest.raises(InputError, match="administrator"):
        services.accounts.add("desk.lee", Role.DESK, DESK_PIN)
    services.accounts.add("root", Role.ADMIN, ADMIN_PW)
    assert services.session.actor.username == "desk"  # set-up mode is over


def test_pin_and_password_rules(services):
    with pytest.raises(InputError, match="at least 8"):
        services.accounts.add("root", Role.ADMIN, "short")
    services.accounts.add("root", Role.ADMIN, ADMIN_PW)
    services.accounts.sign_in("root", ADMIN_PW)
    for bad in ("12", "12ab", "123456789"):
        with pytest.raises(InputError, match="4 to 8 digits"):
            services.accounts.add("desk.lee", Role.DESK, bad)


def test_sign_in_is_checked_and_audited(staffed):
    with pytest.raises(PermissionDenied):
        staffed.accounts.sign_in("desk.lee", "0000")
    actor = staffed.accounts.sign_in("Desk.Lee", DESK_PIN)
    assert (actor.username, actor.role, staffed.session.actor) == ("desk.lee", Role.DESK, actor)
    assert _audited(staffed, "user.sign_in%")[-2:] == [
        ("desk.lee", "user.sign_in_failed"),
        ("desk.lee", "user.sign_in"),
    ]
    # Visits are stamped with the signed-in person, and recorded as theirs.
    visit = staffed.checkin.admit(Visitor("Ann", "Testwood"))
    assert visit.staff == "Lee Desk"
    assert _audited(staffed, "visit.%") == [("desk.lee", "visit.check_in")]


def test_wrong_tries_in_a_row_make_the_account_wait(staffed):
    moments = [datetime(2026, 11, 2, 8, 0, tzinfo=UTC)]
    accounts = Accounts(staffed.store, staffed.session, staffed.audit, now=lambda: moments[0])
    for _ in range(MAX_FAILED):
        with pytest.raises(PermissionDenied, match="Wrong"):
            accounts.sign_in("desk.lee", "0000")
    with pytest.raises(PermissionDenied, match="wait 61 seconds"):
        accounts.sign_in("desk.lee", DESK_PIN)  # even the right PIN waits
    moments[0] += timedelta(seconds=BLOCK_SECONDS + 1)
    assert accounts.sign_in("desk.lee", DESK_PIN).username == "desk.lee"


def test_disabled_account_cannot_sign_in_until_reset(staffed):
    staffed.accounts.sign_in("root", ADMIN_PW)
    staffed.accounts.disable("desk.lee")
    with pytest.raises(PermissionDenied):
        staffed.accounts.sign_in("desk.lee", DESK_PIN)
    staffed.accounts.sign_in("root", ADMIN_PW)
    staffed.accounts.reset_secret("desk.lee", "9876")
    assert staffed.accounts.sign_in("desk.lee", "9876").username == "desk.lee"


def test_last_administrator_cannot_be_disabled(staffed):
    staffed.accounts.sign_in("root", ADMIN_PW)
    with pytest.raises(ConflictError, match="last active"):
        staffed.accounts.disable("root")


def _forbidden_calls(s: Services, tmp_path):
    """Every principal-or-administrator service call, as (name, callable)."""
    day = date(2026, 11, 2)
    query = ReviewQuery(day, day)
    return {
        "review.visits": lambda: s.review.visits(query),
        "review.search": lambda: s.review.search("ann"),
        "review.history": lambda: s.review.history(1),
        "review.by_hour": lambda: s.review.by_hour(day),
        "review.export": lambda: s.review.export(query, "csv", tmp_path / "x.csv"),
        "audit.records": lambda: s.audit.records(),
        "audit.verify": lambda: s.audit.verify(),
        "audit.head": lambda: s.audit.head(),
        "settings.set": lambda: s.settings.set(SCHOOL_NAME, "Hacked"),
        "accounts.list": lambda: s.accounts.list(),
        "accounts.add": lambda: s.accounts.add("x.y", Role.ADMIN, "long-enough-pw"),
        "accounts.disable": lambda: s.accounts.disable("root"),
        "accounts.reset": lambda: s.accounts.reset_secret("root", "long-enough-pw"),
        "lists.import_csv": lambda: s.lists.import_csv(_barred_csv(tmp_path), "district"),
    }


def _barred_csv(tmp_path):
    path = tmp_path / "barred.csv"
    path.write_text(
        "first_name,middle_name,last_name,dob,aliases,kind,reason\nMax,,Testbar,1970-01-02,,barred,x\n"
    )
    return path


ADMIN_ONLY = {"accounts.add", "accounts.disable", "accounts.reset"}


@pytest.mark.parametrize("who", ["nobody", "desk.lee", "p.rivera"])
def test_forbidden_service_calls_are_refused(staffed, tmp_path, who):
    if who != "nobody":
        staffed.accounts.sign_in(who, DESK_PIN if who == "desk.lee" else PRINCIPAL_PW)
    before = staffed.store.db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    for name, call in _forbidden_calls(staffed, tmp_path).items():
        if who == "p.rivera" and name not in ADMIN_ONLY:
            call()  # a principal may
            continue
        with pytest.raises(PermissionDenied):
            call()
    if who != "p.rivera":
        assert staffed.settings.get(SCHOOL_NAME) == ""
        assert not (tmp_path / "x.csv").exists()
        assert staffed.lists.lists() == []  # nothing imported
        assert staffed.store.db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == before


def test_a_list_import_by_a_principal_is_audited(staffed, tmp_path):
    staffed.accounts.sign_in("p.rivera", PRINCIPAL_PW)
    report = staffed.lists.import_csv(_barred_csv(tmp_path), "district")
    assert report.added == 1
    assert ("p.rivera", "list.import") in _audited(staffed, "list.import")


def test_desk_keeps_its_own_verbs(staffed, tmp_path):
    visit = staffed.checkin.admit(Visitor("Ann", "Testwood"))
    assert [v.id for v in staffed.visits.on_site()] == [visit.id]
    assert staffed.review.roster_pdf(tmp_path / "roster.pdf") == 1
    staffed.visits.check_out(visit.badge_code)
    assert staffed.visits.day_log(visit.time_in.astimezone().date())[0].time_out is not None


# --- the command line ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cli_template(tmp_path_factory):
    """A data folder with accounts made through the CLI itself (set-up mode, then the administrator).

    Made once per module (argon2 is slow on purpose) and copied for each test.
    """
    data_dir = tmp_path_factory.mktemp("cli") / "data"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _make_accounts(data_dir, monkeypatch)
    return data_dir


@pytest.fixture
def cli_dir(cli_template, tmp_path, monkeypatch):
    """A fresh copy of the template folder for one test."""
    monkeypatch.delenv("FRONTDESK_PASSWORD", raising=False)
    monkeypatch.delenv("FRONTDESK_PIN", raising=False)
    target = tmp_path / "cli-data"
    shutil.copytree(cli_template, target)
    return target


def _make_accounts(data_dir, monkeypatch):
    monkeypatch.delenv("FRONTDESK_PASSWORD", raising=False)
    monkeypatch.delenv("FRONTDESK_PIN", raising=False)
    monkeypatch.setenv("FRONTDESK_NEW_SECRET", ADMIN_PW)
    assert main(["--data-dir", str(data_dir), "users", "add", "root", "--role", "admin"]) == 0
    monkeypatch.setenv("FRONTDESK_PASSWORD", ADMIN_PW)
    monkeypatch.setenv("FRONTDESK_NEW_SECRET", PRINCIPAL_PW)
    assert (
        main(["--data-dir", str(data_dir), "--user", "root", "users", "add", "p.rivera", "--role", "principal"])
        == 0
    )
    monkeypatch.setenv("FRONTDESK_NEW_SECRET", DESK_PIN)
    assert main(["--data-dir", str(data_dir), "--user", "root", "users", "add", "desk.lee", "--role", "desk"]) == 0


PRINCIPAL_COMMANDS = [
    ["users", "list"],
    ["audit", "verify"],
    ["audit", "list"],
    ["audit", "export"],
    ["audit", "head"],
    ["report", "--from", "2026-11-01", "--to", "2026-11-02", "--format", "csv", "--out", "REPORT"],
    ["search", "ann"],
    ["config", "set", "school.name", "Hacked"],
]
ADMIN_COMMANDS = [
    ["users", "add", "x.y", "--role", "admin"],
    ["users", "disable", "root"],
    ["users", "reset-pin", "root"],
]


@pytest.mark.parametrize("who", ["nobody", "desk.lee"])
@pytest.mark.parametrize("command", PRINCIPAL_COMMANDS + ADMIN_COMMANDS, ids=" ".join)
def test_cli_refuses_forbidden_commands(cli_dir, monkeypatch, capsys, tmp_path, who, command):
    monkeypatch.setenv("FRONTDESK_NEW_SECRET", "long-enough-pw")
    user = [] if who == "nobody" else ["--user", who]
    if who == "desk.lee":
        monkeypatch.setenv("FRONTDESK_PIN", DESK_PIN)
    argv = [a.replace("REPORT", str(tmp_path / "r.csv")) for a in command]
    capsys.readouterr()
    assert main(["--data-dir", str(cli_dir), *user, *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "may not" in err[0]
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("command", ADMIN_COMMANDS, ids=" ".join)
def test_cli_refuses_admin_commands_to_a_principal(cli_dir, monkeypatch, capsys, command):
    monkeypatch.setenv("FRONTDESK_PASSWORD", PRINCIPAL_PW)
    monkeypatch.setenv("FRONTDESK_NEW_SECRET", "long-enough-pw")
    assert main(["--data-dir", str(cli_dir), "--user", "p.rivera", *command]) == 2
    assert "district administrator" in capsys.readouterr().err


def test_cli_issue2_contract_unchanged_once_accounts_exist(cli_dir, capsys):
    d = ["--data-dir", str(cli_dir)]
    assert main([*d, "checkin", "--first-name", "Ann", "--last-name", "Testwood", "--json"]) == 0
    code = json.loads(capsys.readouterr().out)["badge_code"]
    assert main([*d, "onsite", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert main([*d, "checkout", code]) == 0
    assert main([*d, "log", "--date", date.today().isoformat(), "--csv"]) == 0
    assert "Testwood" in capsys.readouterr().out


def test_cli_wrong_pin_is_one_line_exit_2(cli_dir, monkeypatch, capsys):
    monkeypatch.setenv("FRONTDESK_PIN", "0000")
    assert main(["--data-dir", str(cli_dir), "--user", "desk.lee", "onsite"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_cli_principal_may_review_and_admin_may_manage(cli_dir, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("FRONTDESK_PASSWORD", PRINCIPAL_PW)
    out = tmp_path / "r.pdf"
    argv = [
        "--data-dir",
        str(cli_dir),
        "--user",
        "p.rivera",
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
    ]
    assert main([*argv, "--format", "pdf", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert main(["--data-dir", str(cli_dir), "--user", "p.rivera", "users", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert {u["username"]: u["role"] for u in listed} == {
        "root": "admin",
        "p.rivera": "principal",
        "desk.lee": "desk",
    }
    monkeypatch.setenv("FRONTDESK_PASSWORD", ADMIN_PW)
    assert main(["--data-dir", str(cli_dir), "--user", "root", "users", "disable", "desk.lee"]) == 0
    monkeypatch.setenv("FRONTDESK_PIN", DESK_PIN)
    monkeypatch.delenv("FRONTDESK_PASSWORD")
    assert main(["--data-dir", str(cli_dir), "--user", "desk.lee", "onsite"]) == 2


def test_panic_alerts_are_audited_and_the_all_clear_follows_the_signed_in_role(staffed):
    alert = staffed.station.press("lockdown", note="intruder seen")  # not signed in: the desk may press
    with pytest.raises(PermissionDenied):
        staffed.station.all_clear(role="principal")  # a stated role no longer counts once accounts exist
    staffed.accounts.sign_in("p.rivera", PRINCIPAL_PW)
    clear = staffed.station.all_clear(role="")
    assert _audited(staffed, "alert.%") == [("desk", "alert.press"), ("p.rivera", "alert.all_clear")]
    subjects = [
        r[0] for r in staffed.store.db.execute("SELECT subject FROM audit_log WHERE action LIKE 'alert.%'")
    ]
    assert subjects == [alert.identifier, clear.identifier]


def test_all_clear_in_set_up_mode_keeps_the_stated_role(services):
    services.station.press("lockdown")
    with pytest.raises(PermissionDenied):
        services.station.all_clear(role="desk")
    assert services.station.all_clear(role="principal").msg_type == "Cancel"


def test_list_changes_need_a_principal_and_decisions_are_audited(staffed, data_dir, capsys, monkeypatch):
    from frontdesk.screening.dates import parse_dob
    from frontdesk.screening.models import Kind, NewEntry, Query

    robert = NewEntry("Robert", "Smith", dob=parse_dob("1980-03-14"), kind=Kind.BARRED)
    with pytest.raises(PermissionDenied):
        staffed.lists.add("District", robert)  # the desk, not signed in
    staffed.accounts.sign_in("desk.lee", DESK_PIN)
    with pytest.raises(PermissionDenied):
        staffed.lists.add("District", robert)
    staffed.accounts.sign_in("p.rivera", PRINCIPAL_PW)
    entry = staffed.lists.add("District", robert)
    staffed.accounts.sign_in("desk.lee", DESK_PIN)
    with pytest.raises(PermissionDenied):
        staffed.lists.remove(entry.id)
    query = Query("Bob", "Smith", dob=parse_dob("1980-03-14"))
    candidate = staffed.screener.screen(query).candidates[0]
    staffed.decisions.dismiss(query, candidate, "Lee Desk", "different photo")
    assert _audited(staffed, "list.%") == [("p.rivera", "list.add")]
    assert _audited(staffed, "screening.%") == [("desk.lee", "screening.decision")]
    # The command line: the desk may not add to a list.
    staffed.close()
    argv = ["--data-dir", str(staffed.store.data_dir), "barred", "add", "--source", "District"]
    assert main([*argv, "--first-name", "Ann", "--last-name", "Lee"]) == 2
    assert "may not change the screening lists" in capsys.readouterr().err


def test_a_refusal_says_who_may_in_words_a_window_can_show(staffed):
    """The window shows the core's refusal as it is: ``--user NAME`` alone meant nothing there (session 22's walk
    through the screens); the command line's way is named as that."""
    staffed.accounts.sign_in("desk.lee", DESK_PIN)
    with pytest.raises(PermissionDenied) as refused:
        staffed.session.require(Action.CHANGE_SETTINGS)
    assert refused.value.message.startswith("Lee Desk (")
    assert ": sign in as a " in refused.value.message
    assert refused.value.message.endswith("(on the command line: --user NAME)")
