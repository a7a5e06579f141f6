"""Red team, session 22: a principal's or administrator's action without that account's secret.

Each test attacks a real data folder (a real SQLite file, the CLI as a process or through its ``main``) the way
a script on the desk's PC, a curious secretary or a volunteer left at the desk could: rows of ``users`` deleted,
changed or put in with the sqlite3 shell, sign-in tries sent from many processes at once, an account disabled
at one program while it is signed in at another.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from frontdesk.access.roles import Role
from frontdesk.accounts.service import MAX_FAILED
from frontdesk.cli import main
from frontdesk.context import Services
from frontdesk.errors import PermissionDenied
from frontdesk.screening.models import Kind, NewEntry

ADMIN_PW, PRINCIPAL_PW, DESK_PIN = "district-secret", "principal-pw", "4321"
ROBERT = NewEntry("Robert", "Barredman", kind=Kind.BARRED)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A data folder with one account of each role and one barred person (argon2 is slow: made once)."""
    folder = tmp_path_factory.mktemp("accounts-attacks") / "data"
    services = Services.open(folder)
    services.accounts.add("root", Role.ADMIN, ADMIN_PW, "Dana Admin")
    services.accounts.sign_in("root", ADMIN_PW)
    services.accounts.add("p.rivera", Role.PRINCIPAL, PRINCIPAL_PW, "Pat Rivera")
    services.accounts.add("desk.lee", Role.DESK, DESK_PIN, "Lee Desk")
    services.lists.add("Office", ROBERT)
    services.accounts.sign_out()
    services.close()
    return folder


@pytest.fixture
def folder(template, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the template for one test, with no secret in the environment."""
    for name in ("FRONTDESK_PASSWORD", "FRONTDESK_PIN", "FRONTDESK_NEW_SECRET"):
        monkeypatch.delenv(name, raising=False)
    target = tmp_path / "data"
    shutil.copytree(template, target)
    return target


def _shell(folder: Path, *statements: str, params=()) -> None:
    """What someone with the sqlite3 shell does to the desk's file (the application is not involved)."""
    db = sqlite3.connect(folder / "frontdesk.db")
    try:
        for sql in statements:
            db.execute(sql, params if "?" in sql else ())
        db.commit()
    finally:
        db.close()


def _entries(folder: Path) -> list[str]:
    db = sqlite3.connect(folder / "frontdesk.db")
    try:
        return [r[0] for r in db.execute("SELECT last_name FROM screening_entries ORDER BY id")]
    finally:
        db.close()


def _pin_hash(pin: str) -> str:
    from frontdesk.accounts.service import _hasher

    return _hasher(Role.DESK).hash(pin)


# --- set-up mode is not a door ----------------------------------------------------------------------------
def test_deleting_every_account_by_hand_does_not_put_the_desk_back_into_set_up_mode(folder, capsys):
    """With no accounts the installation allows everything (set-up mode). Deleting the rows of ``users`` with
    the sqlite3 shell made it so again: any program could remove a bar, release a child or make itself the
    district administrator, without any secret. The trail says accounts existed: the desk stays the desk."""
    _shell(folder, "DELETE FROM users")
    d = ["--data-dir", str(folder)]
    capsys.readouterr()
    assert main([*d, "barred", "remove", "--source", "Office"]) == 2
    err = capsys.readouterr().err
    assert "may not change the screening lists" in err
    assert "deleted outside FrontDesk" in err  # and says why nobody can sign in
    assert _entries(folder) == ["Barredman"]
    os.environ["FRONTDESK_NEW_SECRET"] = "mallory-password"
    try:
        assert main([*d, "users", "add", "mallory", "--role", "admin"]) == 2
    finally:
        del os.environ["FRONTDESK_NEW_SECRET"]
    assert "deleted outside FrontDesk" in capsys.readouterr().err
    services = Services.open(folder)
    try:
        assert services.session.actor.username == "desk"
        assert services.accounts.any_exist()  # the window locks and does not ask for a first administrator
        with pytest.raises(PermissionDenied, match="deleted outside FrontDesk"):
            services.accounts.sign_in("root", ADMIN_PW)
    finally:
        services.close()


def test_a_new_installation_is_still_in_set_up_mode(services):
    assert services.session.actor.username == "setup"
    assert not services.accounts.any_exist()
    services.accounts.add("root", Role.ADMIN, ADMIN_PW)
    assert services.session.actor.username == "desk"


# --- an account row changed or put in by hand -------------------------------------------------------------
@pytest.mark.parametrize(
    ("user", "change"),
    [
        ("desk.lee", "UPDATE users SET role = 'admin' WHERE username = 'desk.lee'"),  # a desk PIN made an admin
        ("p.rivera", "UPDATE users SET secret_hash = ? WHERE username = 'p.rivera'"),  # the principal's replaced
        (
            "mallory",
            "INSERT INTO users (username, display_name, role, secret_hash, created_at) "
            "VALUES ('mallory', 'Mallory', 'principal', ?, '2026-12-05T07:00:00+00:00')",
        ),
        (
            "mallory",
            "INSERT INTO users (id, username, display_name, role, secret_hash, created_at) "
            "VALUES (0, 'mallory', 'Mallory', 'principal', ?, '2026-12-05T07:00:00+00:00')",  # below the coverage
        ),
    ],
    ids=["role raised", "secret replaced", "account put in", "account put in with id 0"],
)
def test_an_account_changed_or_put_in_by_hand_cannot_sign_in(folder, capsys, user, change):
    """The audit trail holds each account's content hash (``audit verify`` names the change), but signing in
    read the row as found: a desk PIN edited into an administrator, or a principal's hash replaced by one of a
    known PIN, signed in with that role and could remove a bar or release a child. Now refused, and said."""
    _shell(folder, change, params=[_pin_hash("1111")])
    os.environ["FRONTDESK_PIN"] = DESK_PIN if user == "desk.lee" else "1111"
    try:
        capsys.readouterr()
        code = main(["--data-dir", str(folder), "--user", user, "barred", "remove", "--source", "Office"])
    finally:
        del os.environ["FRONTDESK_PIN"]
    assert code == 2
    err = capsys.readouterr().err
    assert "changed outside FrontDesk" in err or "put in outside FrontDesk" in err, err
    assert err.count("\n") == 1
    assert _entries(folder) == ["Barredman"]
    services = Services.open(folder)
    try:
        refused = services.store.db.execute(
            "SELECT actor, subject FROM audit_log WHERE action = 'user.sign_in_refused'"
        ).fetchall()
        assert refused == [(user, user)]
    finally:
        services.close()


def test_an_administrator_reset_puts_an_account_changed_by_hand_back_in_service(folder):
    _shell(folder, "UPDATE users SET display_name = 'Someone Else' WHERE username = 'desk.lee'")
    services = Services.open(folder)
    try:
        with pytest.raises(PermissionDenied, match="changed outside FrontDesk"):
            services.accounts.sign_in("desk.lee", DESK_PIN)
        services.accounts.sign_in("root", ADMIN_PW)
        services.accounts.reset_secret("desk.lee", "2468")
        assert services.accounts.sign_in("desk.lee", "2468").username == "desk.lee"
    finally:
        services.close()


def test_accounts_still_sign_in_after_retention_removed_their_records(folder):
    """Audit retention removes old records behind a checkpoint, the accounts' own among them: the checkpoint
    carries what they said, so the accounts still sign in, and set-up mode stays closed."""
    from datetime import timedelta

    from frontdesk import clock

    services = Services.open(folder)
    try:
        services.audit.record("system", "test.marker", "newest")  # retention never removes the newest record
        with services.audit.transaction():
            assert services.audit.remove_before(clock.now() + timedelta(days=1)) > 0
        assert (
            services.store.db.execute("SELECT count(*) FROM audit_log WHERE action GLOB 'user.*'").fetchone()[0]
            == 0
        )
        assert services.accounts.sign_in("p.rivera", PRINCIPAL_PW).username == "p.rivera"
        result = services.audit.verify()
        assert result.intact, result.message
        services.accounts.sign_out()
    finally:
        services.close()
    _shell(folder, "UPDATE users SET role = 'admin' WHERE username = 'desk.lee'")
    services = Services.open(folder)
    try:
        with pytest.raises(PermissionDenied, match="changed outside FrontDesk"):
            services.accounts.sign_in("desk.lee", DESK_PIN)
    finally:
        services.close()
    _shell(folder, "DELETE FROM users")
    services = Services.open(folder)
    try:
        assert services.session.actor.username == "desk"
    finally:
        services.close()


# --- a session that outlives its account -----------------------------------------------------------------
def test_an_account_disabled_elsewhere_loses_its_powers_at_once(folder):
    """The principal is signed in at the desk's window; the district disables the account from its own
    program. The window kept acting as the principal until it locked (never, while in use)."""
    desk = Services.open(folder)
    district = Services.open(folder)
    try:
        desk.accounts.sign_in("p.rivera", PRINCIPAL_PW)
        district.accounts.sign_in("root", ADMIN_PW)
        district.accounts.disable("p.rivera")
        entry = desk.lists.search("Barredman")[0]
        with pytest.raises(PermissionDenied, match="disabled"):
            desk.lists.remove(entry.id)
        assert desk.session.actor.username == "desk"  # signed out; the desk's own work goes on
        assert [e.last_name for e in desk.lists.search("Barredman")] == ["Barredman"]
    finally:
        desk.close()
        district.close()


def test_an_account_changed_by_hand_after_sign_in_loses_its_powers_at_once(folder):
    desk = Services.open(folder)
    try:
        desk.accounts.sign_in("p.rivera", PRINCIPAL_PW)
        _shell(folder, "UPDATE users SET disabled = 1 WHERE username = 'p.rivera'")
        entry = desk.lists.search("Barredman")[0]
        with pytest.raises(PermissionDenied, match="changed outside FrontDesk"):
            desk.lists.remove(entry.id)
    finally:
        desk.close()


# --- guessing a PIN from many processes at once -------------------------------------------------------------
def test_sign_in_tries_sent_from_many_processes_at_once_are_all_counted(folder):
    """Each try read the failure count, ran argon2, then wrote the count it had read plus one: twelve tries at
    once left a count of 1 or 2 and no wait, so a script on the desk's PC could guess a PIN at the speed of the
    machine. Every try is now counted before its secret is checked."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env.pop("FRONTDESK_PIN", None)
    tries = 3 * MAX_FAILED - 3
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "frontdesk", "--data-dir", str(folder), "--user", "desk.lee", "onsite"],
            env={**env, "FRONTDESK_PIN": f"{n:04d}"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(tries)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert all(p.returncode == 2 for p in procs), errors
    db = sqlite3.connect(folder / "frontdesk.db")
    try:
        failed, blocked = db.execute(
            "SELECT failed_attempts, blocked_until FROM users WHERE username = 'desk.lee'"
        ).fetchone()
    finally:
        db.close()
    checked = sum("Wrong name" in e for e in errors)
    waited = sum("Too many wrong tries" in e for e in errors)
    assert checked + waited == tries
    assert failed == checked and blocked is not None
    assert checked == MAX_FAILED  # the tries beyond the allowance wait instead of being checked
    r = subprocess.run(
        [sys.executable, "-m", "frontdesk", "--data-dir", str(folder), "--user", "desk.lee", "onsite"],
        env={**env, "FRONTDESK_PIN": DESK_PIN},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "Too many wrong tries" in r.stderr  # even the right PIN waits


def test_an_account_from_before_the_audit_covered_accounts_still_signs_in(services):
    """An older version audited ``user.add`` without the row's hash: such an account (older than every covered
    one) has nothing to be compared with, and signs in as before."""
    from frontdesk.accounts.service import _hasher

    services.store.db.execute(
        "INSERT INTO users (username, display_name, role, secret_hash, created_at) "
        "VALUES ('old.root', 'Old Admin', 'admin', ?, '2025-01-01T08:00:00+00:00')",
        [_hasher(Role.ADMIN).hash(ADMIN_PW)],
    )
    services.audit.record("setup", "user.add", "old.root", {"role": "admin"})  # as an older version wrote it
    services.accounts.sign_in("old.root", ADMIN_PW)
    services.accounts.add("p.rivera", Role.PRINCIPAL, PRINCIPAL_PW)  # covered, as now
    assert services.accounts.sign_in("old.root", ADMIN_PW).role is Role.ADMIN
    assert services.accounts.sign_in("p.rivera", PRINCIPAL_PW).role is Role.PRINCIPAL
    services.lists.add("Office", ROBERT)  # a principal's action, checked again against the row: allowed


def _forged_backup(backup: Path, work: Path) -> Path:
    """A copy of ``backup`` in which root's password is one the attacker chose, set through FrontDesk itself."""
    work.mkdir()
    shutil.copy(backup, work / "frontdesk.db")
    services = Services.open(work)
    try:
        services.accounts.sign_in("root", ADMIN_PW)
        services.accounts.reset_secret("root", "mallory-password")
    finally:
        services.close()
    return work / "frontdesk.db"


def test_a_desk_whose_accounts_were_deleted_is_restored_by_an_administrator_of_the_backup(folder, capsys):
    """Nobody can sign in once the accounts are deleted by hand, so the restore the message asks for is signed
    in against the backup's accounts (checked against the backup's own trail); the desk's own work and a wrong
    password there restore nothing."""
    d = ["--data-dir", str(folder)]
    services = Services.open(folder)
    try:
        services.accounts.sign_in("root", ADMIN_PW)
        backup = services.backups.make("before-the-attack")
    finally:
        services.close()
    _shell(folder, "DELETE FROM users", "DELETE FROM screening_entries")
    capsys.readouterr()
    assert main([*d, "restore", str(backup)]) == 2  # the desk may not
    os.environ["FRONTDESK_PIN"] = DESK_PIN
    try:
        assert main([*d, "--user", "desk.lee", "restore", str(backup)]) == 2  # nor a desk account of the backup
    finally:
        del os.environ["FRONTDESK_PIN"]
    assert "may not restore a backup" in capsys.readouterr().err
    # A backup made up for the purpose: a copy whose administrator password was reset (well chained, there).
    forged = _forged_backup(backup, folder.parent / "forged")
    os.environ["FRONTDESK_PASSWORD"] = "mallory-password"
    try:
        assert main([*d, "--user", "root", "restore", str(forged)]) == 2
    finally:
        del os.environ["FRONTDESK_PASSWORD"]
    assert "Wrong name" in capsys.readouterr().err
    os.environ["FRONTDESK_PASSWORD"] = "wrong-password"
    try:
        assert main([*d, "--user", "root", "restore", str(backup)]) == 2
        assert "Wrong name" in capsys.readouterr().err
        os.environ["FRONTDESK_PASSWORD"] = ADMIN_PW
        assert main([*d, "--user", "root", "restore", str(backup)]) == 0
        assert main([*d, "--user", "root", "users", "list"]) == 0  # signed in to the desk again, as usual
    finally:
        del os.environ["FRONTDESK_PASSWORD"]
    assert _entries(folder) == ["Barredman"]
    services = Services.open(folder)
    try:
        restored = services.store.db.execute(
            "SELECT actor FROM audit_log WHERE action = 'backup.restored'"
        ).fetchall()
        assert restored == [("root",)]
    finally:
        services.close()


def test_each_further_five_wrong_tries_double_the_wait_up_to_fifteen_minutes(folder):
    """A minute after every five wrong tries let a script try 7,200 PINs a day: every 4-digit PIN within 35 hours
    of a weekend. The wait now doubles with each further five in a row, to 15 minutes; a right PIN starts again."""
    from datetime import UTC, datetime, timedelta

    from frontdesk.accounts.service import Accounts

    services = Services.open(folder)
    moments = [datetime(2026, 12, 5, 8, 0, tzinfo=UTC)]
    accounts = Accounts(services.store, services.session, services.audit, now=lambda: moments[0])
    waits = []
    try:
        for _ in range(6):
            for _ in range(MAX_FAILED):
                with pytest.raises(PermissionDenied, match="Wrong"):
                    accounts.sign_in("desk.lee", "0000")
            with pytest.raises(PermissionDenied, match="Too many") as refused:
                accounts.sign_in("desk.lee", DESK_PIN)
            waits.append(int(refused.value.message.split("wait ")[1].split(" ")[0]))
            moments[0] += timedelta(seconds=waits[-1])
        assert waits == [61, 121, 241, 481, 901, 901]
        assert accounts.sign_in("desk.lee", DESK_PIN).username == "desk.lee"
        for _ in range(MAX_FAILED):
            with pytest.raises(PermissionDenied, match="Wrong"):
                accounts.sign_in("desk.lee", "0000")
        with pytest.raises(PermissionDenied, match="wait 61 seconds"):
            accounts.sign_in("desk.lee", DESK_PIN)
    finally:
        services.close()


# --- the panic link is a principal's setting ---------------------------------------------------------------
@pytest.fixture
def any_credential_console():
    """A console of the attacker's on this machine: it answers "station 99" to any credential."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            body = json.dumps({"station_id": 99, "station": "Front office", "school": "Anywhere"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_desk_cannot_replace_the_panic_links_credential(folder, keyring_file, any_credential_console, capsys):
    """`dispatch connect` kept the new credential in the keyring first and only then set `dispatch.url`, which
    the desk may not: refused, but the station's real credential was already gone, so every later alert was
    refused by the district's console. Any desk user (no secret) could break the panic link that way."""
    from frontdesk.dispatch.credentials import KeyringCredentials
    from frontdesk.secrets import SecretStore

    credentials = KeyringCredentials(SecretStore())
    credentials.save("the-station-credential")
    stdin = sys.stdin
    sys.stdin = __import__("io").StringIO("attacker-credential\n")
    try:
        code = main(["--data-dir", str(folder), "dispatch", "connect", any_credential_console])
    finally:
        sys.stdin = stdin
    assert code == 2
    assert "may not change settings" in capsys.readouterr().err
    assert credentials.load() == "the-station-credential"


def test_a_backup_from_before_any_account_is_not_restored_over_a_desk_with_accounts(services, capsys):
    """Restoring the first day's backup (taken before the administrator was made) put the desk back into set-up
    mode: everything allowed to anyone, from the next command on. Refused; nothing changes."""
    early = services.backups.make("first-day")
    services.accounts.add("root", Role.ADMIN, ADMIN_PW)
    services.accounts.sign_in("root", ADMIN_PW)
    services.lists.add("Office", ROBERT)
    folder = services.store.data_dir
    services.close()
    os.environ["FRONTDESK_PASSWORD"] = ADMIN_PW
    try:
        assert main(["--data-dir", str(folder), "--user", "root", "restore", str(early)]) == 2
    finally:
        del os.environ["FRONTDESK_PASSWORD"]
    assert "before any staff account existed" in capsys.readouterr().err
    assert _entries(folder) == ["Barredman"]
    again = Services.open(folder)
    try:
        assert again.session.actor.username == "desk"
    finally:
        again.close()


def test_a_list_import_is_recorded_under_the_principal_who_started_it(folder, tmp_path):
    """A large import runs for minutes on a worker thread, and its record was written at the swap under whoever
    was signed in then: the desk locked meanwhile ("desk"), or the next person at the desk, a desk account that
    may not change lists at all. Recorded under the person who started it."""
    path = tmp_path / "list.csv"
    rows = "".join(f"Casey{n},,Listed{n},1970-01-02,,barred,x\n" for n in range(30))
    path.write_text("first_name,middle_name,last_name,dob,aliases,kind,reason\n" + rows)
    services = Services.open(folder)
    switched = []

    def progress(_rows, _fraction):
        if not switched:  # the desk changes hands while the import is being built
            switched.append(services.accounts.sign_in("desk.lee", DESK_PIN))

    try:
        services.accounts.sign_in("p.rivera", PRINCIPAL_PW)
        services.lists.import_csv(path, "Office extra", progress=progress)
        assert switched
        services.accounts.sign_in("p.rivera", PRINCIPAL_PW)
        services.lists.rebuild_index(notice=lambda _s: None)
        found = services.store.db.execute(
            "SELECT actor, action FROM audit_log WHERE action IN ('list.import', 'list.reindex') ORDER BY seq"
        ).fetchall()
    finally:
        services.close()
    assert found == [("p.rivera", "list.import"), ("p.rivera", "list.reindex")]


def test_a_principal_disabled_elsewhere_cannot_send_the_all_clear(folder):
    """The all clear asked `may` (the role as signed in), not the account as it stands: a principal disabled by
    the district while signed in at the desk still cleared the lockdown, and the desk let visitors in again."""
    desk = Services.open(folder)
    district = Services.open(folder)
    try:
        desk.station.press("lockdown", note="intruder seen")
        desk.accounts.sign_in("p.rivera", PRINCIPAL_PW)
        district.accounts.sign_in("root", ADMIN_PW)
        district.accounts.disable("p.rivera")
        with pytest.raises(PermissionDenied, match="disabled"):
            desk.station.all_clear(role="")
        assert desk.station.school_state().admissions_frozen
    finally:
        desk.close()
        district.close()


# --- what a sign-in attempt can write into the trail ---------------------------------------------------------
def test_a_sign_in_name_that_is_no_user_name_is_not_written_into_the_trail_as_typed(folder, capsys):
    """A failed sign-in recorded the name as typed, as the record's actor: control characters (a terminal's
    "conceal" or title sequences, printed raw by `audit list` on the principal's terminal, hiding the lines
    after it) and 100,000 characters a try, unthrottled (no such account). A name no account can have (user
    names are letters, digits, dots, dashes, underscores; at most 64 here) is refused as such and recorded as "?".
    """
    d = ["--data-dir", str(folder)]
    os.environ["FRONTDESK_PIN"] = "1234"
    try:
        for name in ("evil\x1b]0;pwned\x07\x1b[8m", "a" * 100_000):
            capsys.readouterr()
            assert main([*d, "--user", name, "onsite"]) == 2
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and "\x1b" not in err and len(err) < 300
    finally:
        del os.environ["FRONTDESK_PIN"]
    os.environ["FRONTDESK_PASSWORD"] = ADMIN_PW
    try:
        assert main([*d, "--user", "root", "audit", "list"]) == 0
    finally:
        del os.environ["FRONTDESK_PASSWORD"]
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "\x07" not in shown
    db = sqlite3.connect(folder / "frontdesk.db")
    try:
        failed = db.execute(
            "SELECT actor, subject FROM audit_log WHERE action = 'user.sign_in_failed' ORDER BY seq"
        ).fetchall()
        longest = db.execute("SELECT max(length(actor)), max(length(subject)) FROM audit_log").fetchone()
    finally:
        db.close()
    assert failed == [("?", "?"), ("?", "?")]
    assert max(longest) <= 64


def test_audit_list_shows_control_characters_of_older_records_instead_of_sending_them(folder, capsys):
    """Records written before the name was checked can hold escape sequences: `audit list` writes them out as
    escapes (``\\x1b``), so the principal's terminal shows them and hides nothing."""
    services = Services.open(folder)
    try:
        services.audit.record("evil\x1b[8m", "user.sign_in_failed", "evil\x1b[8m", {"reason": "unknown"})
    finally:
        services.close()
    os.environ["FRONTDESK_PASSWORD"] = ADMIN_PW
    try:
        capsys.readouterr()
        assert main(["--data-dir", str(folder), "--user", "root", "audit", "list"]) == 0
    finally:
        del os.environ["FRONTDESK_PASSWORD"]
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "evil\\x1b[8m" in shown


def test_one_account_deleted_by_hand_is_said_at_its_sign_in(folder, capsys):
    """One row of `users` deleted with the sqlite3 shell: its sign-in said "Wrong name, PIN or password", and
    the principal tried again and again. The trail knows the account: the desk says it was deleted outside
    FrontDesk, and what to do."""
    _shell(folder, "DELETE FROM users WHERE username = 'p.rivera'")
    os.environ["FRONTDESK_PASSWORD"] = PRINCIPAL_PW
    try:
        capsys.readouterr()
        assert main(["--data-dir", str(folder), "--user", "p.rivera", "onsite"]) == 2
    finally:
        del os.environ["FRONTDESK_PASSWORD"]
    err = capsys.readouterr().err
    assert "'p.rivera' was deleted outside FrontDesk" in err and err.count("\n") == 1
