"""The audit covers the records it describes (issue 12): rows deleted, changed or added with the sqlite3
shell, behind the application's back, are reported by ``audit verify``."""

from __future__ import annotations

import sqlite3

from frontdesk.access.roles import Role
from frontdesk.cli import main
from frontdesk.context import Services
from frontdesk.models import Visitor
from frontdesk.screening.decisions import Consequence, Outcome
from frontdesk.screening.match import Query
from frontdesk.screening.models import NewEntry
from tests.test_bulk_never_blocks import write_registry


def _loaded(data_dir, tmp_path) -> dict:
    services = Services.open(data_dir)
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    services.lists.import_csv(write_registry(tmp_path / "reg.csv", 30), "Registry", kind="registry")
    services.lists.add("District", NewEntry("Casey", "Nobody"))
    first = services.lists.search("Family3")[0]
    services.lists.update(first.id, NewEntry("Casey", "Family3b"))  # an imported entry changed by the app
    services.lists.remove(services.lists.search("Family7")[0].id)  # and one removed by the app
    visits = [services.checkin.admit(Visitor("Avery", f"Testwood{c}"), purpose="Meeting") for c in "abc"]
    services.visits.check_out(visits[0].id)
    services.decisions.record(Query("Casey", "Nobody"), None, Outcome.CLEAR, Consequence.ADMIT, "Pat", "")
    assert services.audit.verify().intact, services.audit.verify().message
    services.close()
    return {"visits": [v.id for v in visits]}


def _verify(data_dir, capsys) -> tuple[int, str]:
    code = main(["--data-dir", str(data_dir), "--user", "root", "audit", "verify"])
    return code, capsys.readouterr().out


def _shell(data_dir, sql: str, params=()) -> None:
    with sqlite3.connect(data_dir / "frontdesk.db") as conn:  # the sqlite3 shell, as the issue did it
        conn.execute(sql, params)


def test_a_visit_deleted_with_the_shell_is_reported(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FRONTDESK_PASSWORD", "district-secret")
    ids = _loaded(data_dir, tmp_path)["visits"]
    assert _verify(data_dir, capsys)[0] == 0
    _shell(data_dir, "DELETE FROM visits WHERE id = ?", [ids[1]])
    code, out = _verify(data_dir, capsys)
    assert code == 1 and f"visit {ids[1]} was deleted outside the application" in out


def test_changed_and_added_rows_of_every_kind_are_reported(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FRONTDESK_PASSWORD", "district-secret")
    ids = _loaded(data_dir, tmp_path)["visits"]
    _shell(data_dir, "UPDATE visits SET destination = 'Gym' WHERE id = ?", [ids[2]])
    _shell(
        data_dir,
        "INSERT INTO visits (person_id, category, time_in, badge_code) "
        "SELECT person_id, category, time_in, 'ZZZZ0000' FROM visits WHERE id = ?",
        [ids[0]],
    )
    _shell(data_dir, "UPDATE screening_decisions SET outcome = 'confirmed:deny'")
    # An account other than the one that verifies (a changed one cannot sign in).
    services = Services.open(data_dir)
    services.accounts.sign_in("root", "district-secret")
    services.accounts.add("p.rivera", Role.PRINCIPAL, "principal-pw", "Pat Rivera")
    services.close()
    _shell(data_dir, "UPDATE users SET role = 'admin', display_name = 'Someone' WHERE username = 'p.rivera'")
    code, out = _verify(data_dir, capsys)
    assert code == 1
    assert f"visit {ids[2]} was changed outside" in out
    assert "was added outside the application" in out and "visit" in out
    assert "screening decision 1 was changed outside" in out
    assert "account 2 was changed outside" in out


def test_list_entries_imported_then_deleted_or_added_outside_are_reported(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FRONTDESK_PASSWORD", "district-secret")
    _loaded(data_dir, tmp_path)
    _shell(data_dir, "DELETE FROM screening_entries WHERE last_name = 'Family12'")  # one of the imported
    code, out = _verify(data_dir, capsys)
    assert code == 1 and "entries of the list 'Registry' were deleted, changed or added outside" in out
    _shell(data_dir, "UPDATE screening_entries SET last_name = 'Nobody2' WHERE last_name = 'Nobody'")
    code, out = _verify(data_dir, capsys)
    assert "was changed outside the application" in out and "list entry" in out


def test_a_bulk_step_digest_from_the_values_written_equals_the_rows_read_back(data_dir):
    """``write_staged`` sums the coverage hashes from the values it wrote (no read back): the same sum as
    hashing the stored rows, for every kind of value (photo, aliases, students, dates, year-only, no date)."""
    from datetime import date

    from frontdesk.audit.coverage import digest_of
    from frontdesk.screening.dates import parse_dob
    from frontdesk.screening.lists import stage_list, write_staged
    from frontdesk.screening.models import Kind

    services = Services.open(data_dir)
    store = services.store
    with store.transaction():
        staging = stage_list(store.db, "Bulk digest", Kind.BARRED)
    entries = [
        NewEntry("Casey", "Nobody"),
        NewEntry(
            " Ånne ",
            "Exampleton-Mock ",
            middle_name="Q",
            aliases=("Ann Mock",),
            dob=parse_dob("1980-03-14"),
            kind=Kind.CUSTODY,
            reason="Synthetic",
            valid_from=date(2026, 1, 1),
            valid_until=date(2027, 1, 1),
            notes="note",
            students=("Sam Exampleton",),
            photo=b"\x89PNG synthetic",
            sex="f",
            id_state="co",
            id_last4="ab-1234",
        ),
        NewEntry("Robin", "Yearonly", dob=parse_dob("1975")),
    ]
    first, last, digest = write_staged(store, staging, Kind.BARRED, entries)
    assert digest == digest_of(store.db, "screening_entries", list(range(first, last + 1)))
    services.close()


def test_row_hash_is_the_sha256_of_the_rows_json_as_ever():
    """The hash text stays json.dumps(values, ensure_ascii=False, default=str): trails already written use it."""
    import hashlib
    import json
    from datetime import date

    from frontdesk.audit.coverage import row_hash

    for values in (
        (1, "barred", "Zoë", "", 'O\'Brien "Bob"', '["Al"]', "1980-03-14", "tab\there\nline\x01", None, 7),
        (2, "watch", "名前", "\u2028", "\\", "[]", date(2001, 2, 3), "", 1.5, None),
    ):
        text = json.dumps(list(values), ensure_ascii=False, default=str)
        assert row_hash(values) == hashlib.sha256(text.encode()).hexdigest()


def test_rows_added_outside_with_an_id_below_every_id_the_desk_gives_are_reported(
    data_dir, tmp_path, capsys, monkeypatch
):
    """SQLite numbers rows from 1; a row put in by hand with id 0 or below is no older row the coverage
    predates: an account that signs in, a visit on the day's log."""
    monkeypatch.setenv("FRONTDESK_PASSWORD", "district-secret")
    _loaded(data_dir, tmp_path)
    _shell(
        data_dir,
        "INSERT INTO users (id, username, display_name, role, secret_hash, disabled, created_at) "
        "SELECT 0, 'mallory', 'Mallory', 'admin', secret_hash, 0, created_at FROM users WHERE username = 'root'",
    )
    _shell(
        data_dir,
        "INSERT INTO visits (id, person_id, category, time_in, badge_code) "
        "SELECT -7, person_id, category, time_in, 'ZZZZ0001' FROM visits LIMIT 1",
    )
    # The forged account signed in until session 22 (tests/test_accounts_attacks.py): now refused, and said.
    assert main(["--data-dir", str(data_dir), "--user", "mallory", "onsite"]) == 2
    assert "'mallory' was put in outside FrontDesk" in capsys.readouterr().err
    code, out = _verify(data_dir, capsys)
    assert code == 1, out
    assert "account 0 was added outside the application" in out
    assert "visit -7 was added outside the application" in out


def test_a_setting_changed_with_the_shell_after_the_app_set_it_is_reported_by_verify(
    data_dir, tmp_path, capsys, monkeypatch
):
    """A screening threshold the principal set through the app, then raised in the table by hand (within its
    range, so the desk still uses it): verify names the setting. Found with session 18's red team."""
    from frontdesk.settings import SCREEN_POSSIBLE

    monkeypatch.setenv("FRONTDESK_PASSWORD", "district-secret")
    _loaded(data_dir, tmp_path)
    services = Services.open(data_dir)
    services.accounts.sign_in("root", "district-secret")
    services.settings.set(SCREEN_POSSIBLE, 0.82)
    services.close()
    assert _verify(data_dir, capsys)[0] == 0
    _shell(data_dir, "UPDATE settings SET value = '0.99' WHERE key = ?", [SCREEN_POSSIBLE.key])
    code, out = _verify(data_dir, capsys)
    assert code == 1 and "the setting screening.possible_threshold was changed outside the application" in out
    _shell(data_dir, "DELETE FROM settings WHERE key = ?", [SCREEN_POSSIBLE.key])
    code, out = _verify(data_dir, capsys)
    assert code == 1 and "screening.possible_threshold" in out
