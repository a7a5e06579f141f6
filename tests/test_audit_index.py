"""The screening index against its entries (``audit verify --index``, ``frontdesk.screening.index_check``).

Session 18's red team deleted a barred person's index rows with the sqlite3 shell: the person was then admitted
and ``audit verify`` said intact. Real SQLite files, the shell's edits made with ``sqlite3``, the real command line
as a process; a district list pulled from a real hub process on loopback.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hub_lists_support import hub_process

from frontdesk.access.roles import Role
from frontdesk.context import Services
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.index_check import check_index, repair
from frontdesk.screening.models import Decision, Kind, NewEntry, Query
from frontdesk.sync.client import HubClient
from tests.cli_helpers import frontdesk, text
from tests.test_bulk_never_blocks import write_registry

SCREEN = ("screen", "--first-name", "Rex", "--last-name", "Refusedman", "--dob", "1970-01-02", "--json")


def _loaded(data: Path, tmp_path: Path) -> int:
    """A desk with an administrator, an imported list of 300 and the red team's barred Rex Refusedman."""
    services = Services.open(data)
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    services.lists.import_csv(write_registry(tmp_path / "reg.csv", 300), "Registry", kind="registry")
    rex = services.lists.add(
        "District", NewEntry("Rex", "Refusedman", dob=parse_dob("1970-01-02"), kind=Kind.BARRED)
    )
    services.lists.add("District", NewEntry("Casey", "Nobody", dob=parse_dob("1981-05-06")))
    services.close()
    return rex.id


def _shell(data: Path, sql: str, params=()) -> int:
    with sqlite3.connect(data / "frontdesk.db") as conn:  # the sqlite3 shell, as the red team did it
        return conn.execute(sql, params).rowcount


def _verify(data: Path, *extra: str):
    done = frontdesk("--user", "root", "audit", "verify", *extra, data_dir=data)
    return done.returncode, *text(done)


@pytest.fixture(autouse=True)
def _password(monkeypatch):
    monkeypatch.setenv("FRONTDESK_PASSWORD", "district-secret")


def test_index_rows_deleted_with_the_shell_are_caught_by_verify_index(data_dir, tmp_path):
    rex = _loaded(data_dir, tmp_path)
    assert json.loads(text(frontdesk(*SCREEN, data_dir=data_dir))[0])["decision"] == "match"
    code, out, err = _verify(data_dir, "--index")
    assert code == 0, out + err
    assert "screening index: 302 entries" in out

    deleted = _shell(data_dir, "DELETE FROM screening_keys WHERE entry_id = ?", [rex])
    assert deleted >= 4
    assert json.loads(text(frontdesk(*SCREEN, data_dir=data_dir))[0])["decision"] == "clear"  # the hole
    assert _verify(data_dir)[0] == 0  # the chain's own check does not read the index (seconds at 1M): a mode
    code, out, err = _verify(data_dir, "--index")
    assert code == 1, out + err
    assert f"list entry {rex}: {deleted} of its index rows are missing" in out
    assert "frontdesk barred reindex" in out

    code, out, _ = _verify(data_dir, "--index", "--json")
    found = json.loads(out)
    assert code == 1 and found["intact"] is False and found["problem"] == "index"
    assert {"checked", "head_seq", "head_hash", "message", "outside"} <= set(found)  # the keys verify always had
    [wrong] = found["index"]["wrong"]
    assert wrong["entry_id"] == rex and len(wrong["missing"]) == deleted and wrong["extra"] == []


def test_one_row_deleted_moved_or_added_is_caught_and_repaired(data_dir, tmp_path):
    rex = _loaded(data_dir, tmp_path)
    casey = rex + 1
    key = _shell_one(data_dir, "SELECT key FROM screening_keys WHERE entry_id = ? AND key LIKE 'N:%'", [rex])
    _shell(data_dir, "UPDATE screening_keys SET entry_id = ? WHERE key = ? AND entry_id = ?", [casey, key, rex])
    _shell(data_dir, "INSERT INTO screening_keys (key, entry_id) VALUES ('N:ZZZ:ZZZ:-', 5)")
    _shell(data_dir, "INSERT INTO screening_keys (key, entry_id) VALUES ('N:RFSTMN:RKS:19700102', 99999)")
    services = Services.open(data_dir)
    services.accounts.sign_in("root", "district-secret")
    try:
        found = check_index(services.store)
        by_id = {w.entry_id: w for w in found.wrong}
        assert set(by_id) == {5, rex, casey, 99999}
        assert by_id[rex].missing == (key,) and by_id[rex].extra == ()
        assert by_id[casey].missing == () and by_id[casey].extra == (key,)
        assert by_id[5].extra == ("N:ZZZ:ZZZ:-",)
        assert not by_id[99999].exists and by_id[99999].extra == ("N:RFSTMN:RKS:19700102",)

        fixed = repair(services.store, found, services.audit)
        assert fixed.repaired == 4
        assert check_index(services.store).intact
        [record] = services.audit.records(action="screening.index_repaired")
        assert record.details["count"] == 4 and record.details["missing"] == 1 and record.details["extra"] == 3
        assert services.audit.verify().intact
        query = Query("Rex", "Refusedman", dob=parse_dob("1970-01-02"))
        assert services.screener.screen(query).decision == Decision.MATCH
    finally:
        services.close()


def _shell_one(data: Path, sql: str, params=()):
    with sqlite3.connect(data / "frontdesk.db") as conn:
        return conn.execute(sql, params).fetchone()[0]


def test_an_index_under_older_key_rules_is_not_checked_but_said_so(data_dir, tmp_path):
    _loaded(data_dir, tmp_path)
    _shell(data_dir, "UPDATE screening_meta SET value = '9' WHERE key = 'key_version'")
    code, out, err = _verify(data_dir, "--index")
    assert code == 0, out + err
    assert "screening index not checked: the index was built under older key rules (9)" in out


@pytest.mark.parametrize("console_db_url", ["sqlite"], indirect=True)
def test_a_district_lists_index_rows_are_checked_and_repaired_too(console_db_url, tmp_path):
    """District lists at the desk (pulled from the hub, keys sent by the hub) share the index: covered too."""
    (tmp_path / "barred.csv").write_text("first_name,last_name,dob,kind\nRobert,Smith,1980-03-14,barred\n")
    with hub_process(console_db_url, tmp_path / "hub.log") as hub:
        done = hub.cli("district", "barred", "import", str(tmp_path / "barred.csv"), "--source", "District list")
        assert done.returncode == 0, done.stderr
        client = HubClient([hub.url], hub.enroll())
        desk = Services.open(tmp_path / "desk")
        try:
            assert desk.district_lists.pull(client) == 1
            assert check_index(desk.store).intact  # the hub's keys are the desk's own: no false alarm
            [robert] = desk.lists.search("Robert Smith")
            desk.store.db.execute("DELETE FROM screening_keys WHERE entry_id = ?", [robert.id])
            query = Query("Robert", "Smith", dob=parse_dob("1980-03-14"))
            assert desk.screener.screen(query).decision == Decision.CLEAR
            found = check_index(desk.store)
            assert [w.entry_id for w in found.wrong] == [robert.id]
            repair(desk.store, found, desk.audit)
            assert desk.screener.screen(query).decision == Decision.MATCH
            assert desk.audit.verify().intact
        finally:
            client.close()
            desk.close()


def test_a_paced_check_shortens_the_gil_switch_interval_while_it_runs_and_puts_it_back(data_dir, tmp_path):
    """The desk's paced check runs beside the window's thread in one interpreter: a panic press waits for the GIL
    after each write and fsync, at most the switch interval each time (at Python's 5 ms a press took up to 108 ms
    while the check ran at 1,000,000 entries, bench.index_check --during). While a paced check runs the interval is
    ``SWITCH_S``; after it, also when the desk stops it half-way, it is what it was. ``verify --index`` (no pause)
    leaves it alone."""
    import sys

    from frontdesk.screening.index_check import SWITCH_S, Stopped

    _loaded(data_dir, tmp_path)
    before = sys.getswitchinterval()
    seen: list[float] = []

    def stop_at_once() -> bool:
        seen.append(sys.getswitchinterval())
        return True

    services = Services.open(data_dir)
    try:
        with pytest.raises(Stopped):
            check_index(services.store, stop=stop_at_once, pause=0.001)
        assert seen == [SWITCH_S] and sys.getswitchinterval() == before
        seen.clear()
        check_index(services.store, stop=lambda: seen.append(sys.getswitchinterval()) or False)
        assert set(seen) == {before} and sys.getswitchinterval() == before
        assert check_index(services.store, pause=0.001).intact and sys.getswitchinterval() == before
    finally:
        services.close()
