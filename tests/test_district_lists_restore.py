"""A district hub restored from an older copy of its database never rolls a desk's district lists back.

The hub is a real ``frontdesk dispatch serve`` process on loopback over a SQLite file or PostgreSQL, stopped,
copied (the backup: a copy of the file, or ``pg_dump``), run on, stopped and put back from the copy (the
restore: the file copied back, or ``pg_restore``), as district IT would; the district's commands
run as ``frontdesk district …`` processes; the desks are the real core over their own SQLite files. A desk keeps
its newer lists and settings, says so (status, event log, audit trail), and takes everything afresh once district
IT has run ``frontdesk district barred recover`` at the hub.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from hub_lists_support import Hub, hub_process

from frontdesk.context import Services
from frontdesk.district_lists.service import OLDER_WORDS
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Decision, Query
from frontdesk.settings import SCREEN_MATCH
from frontdesk.sync.client import HubClient
from tests.hub_sync_support import backup_db as _backup
from tests.hub_sync_support import restore_db as _restore

SOURCE = ("--source", "District barred list")
CSV = "first_name,last_name,dob\nRobert,Smith,1980-03-14\n"
CSV_AND_CARL = CSV + "Carl,Marsh,1970-02-02\n"
NEW_PEOPLE = (("Dana", "Cole", "1981-01-01"), ("Eve", "Adams", "1990-05-05"), ("Finn", "Gray", "1977-07-07"))


def _screen(desk: Services, first: str, last: str, dob: str) -> Decision:
    return desk.screener.screen(Query(first, last, dob=parse_dob(dob))).decision


def _ok(done) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def _refusals(desk: Services) -> list:
    return desk.audit.records(action="district_lists.older_refused")


def test_a_hub_restored_from_an_older_copy_never_rolls_a_desk_back_and_recover_brings_every_desk_on(
    console_db_url: str, tmp_path: Path
):
    backup = tmp_path / "hub-backup"
    main = Services.open(tmp_path / "main")
    side = Services.open(tmp_path / "side")
    clients: list[HubClient] = []

    def pull(desk: Services, hub: Hub, credential: str) -> int:
        client = HubClient([hub.url], credential)
        clients.append(client)
        try:
            return desk.district_lists.pull(client)
        finally:
            client.close()

    try:
        (tmp_path / "barred.csv").write_text(CSV)
        (tmp_path / "carl.csv").write_text(CSV_AND_CARL)
        with hub_process(console_db_url, tmp_path / "hub1.log") as hub:
            _ok(hub.cli("district", "barred", "import", str(tmp_path / "barred.csv"), *SOURCE))
            main_key, side_key = hub.enroll(station="Main office"), hub.enroll(station="Side door")
            pull(main, hub, main_key)
        _backup(console_db_url, backup)  # the night's backup of the hub

        with hub_process(console_db_url, tmp_path / "hub2.log") as hub:
            # The next day: Carl Marsh barred (a new generation of the list) and a district setting.
            _ok(hub.cli("district", "barred", "import", str(tmp_path / "carl.csv"), *SOURCE, "--replace"))
            _ok(hub.cli("district", "settings", "set", "screening.match_threshold", "0.95"))
            pull(main, hub, main_key)
            pull(side, hub, side_key)
            assert _screen(main, "Carl", "Marsh", "1970-02-02") == Decision.MATCH
            assert main.settings.get(SCREEN_MATCH) == 0.95
        _restore(console_db_url, backup)  # the hub's disk failed; district IT restored last night's copy

        with hub_process(console_db_url, tmp_path / "hub3.log") as hub:
            assert pull(main, hub, main_key) == 0
            # Carl stays barred and the district's setting stays: the desk kept its newer lists and settings.
            assert _screen(main, "Carl", "Marsh", "1970-02-02") == Decision.MATCH
            assert _screen(main, "Robert", "Smith", "1980-03-14") == Decision.MATCH
            assert main.settings.get(SCREEN_MATCH) == 0.95
            state = main.district_lists.state()
            assert state.refused == OLDER_WORDS and state.warning
            assert OLDER_WORDS.removeprefix("the ") in state.words
            [event] = main.events.recent(source="district lists")
            assert event.level == "warning" and OLDER_WORDS.removeprefix("the ") in event.message
            assert len(_refusals(main)) == 1
            assert main.district_lists.pending() > 0  # not in step with the hub
            pull(main, hub, main_key)
            assert len(main.events.recent(source="district lists")) == 1  # said once, not every round

            # The restored hub goes on (three people barred): its numbers reach the desk's again, but they are
            # another history. The desk does not take them as if they followed its copy (Eve gets the number Carl
            # had at the hub: followed, it would have turned Carl's entry into hers).
            for first, last, dob in NEW_PEOPLE:
                _ok(hub.cli("district", "barred", "add", *SOURCE, "--first-name", first, "--last-name", last,
                            "--dob", dob))  # fmt: skip
            assert pull(main, hub, main_key) == 0
            assert _screen(main, "Carl", "Marsh", "1970-02-02") == Decision.MATCH
            assert [r.details["kind"] for r in _refusals(main)] == ["history", "version"]
            assert main.district_lists.state().refused == OLDER_WORDS
            assert "restored from an older copy" in (tmp_path / "hub3.log").read_text()  # the hub says so
            assert "WARNING: a desk holds list version" in _ok(hub.cli("district", "barred", "list"))
            # The web screen's Lists tab says it too (district staff's own route).
            hub.staff("Alex Admin", "administrator")
            with httpx.Client(base_url=hub.url) as web:
                login = {"username": "Alex Admin", "password": "correct horse battery"}
                signed = web.post("/api/v1/session", json=login)
                assert signed.status_code == 200, signed.text
                assert web.get("/api/v1/district/lists").json()["desks_ahead"] > 0

            # District IT enters Carl again and recovers the hub: every desk takes the lists afresh, with no
            # work at the desk, including one that was away all along (side).
            _ok(hub.cli("district", "barred", "add", *SOURCE, "--first-name", "Carl", "--last-name", "Marsh",
                        "--dob", "1970-02-02"))  # fmt: skip
            recovered = json.loads(_ok(hub.cli("district", "barred", "recover", "--json")))
            assert recovered["version"] > recovered["was"] and recovered["lists"] == 1
            assert json.loads(_ok(hub.cli("district", "barred", "list", "--json")))["desks_ahead"] == 0
            for desk, key in ((main, main_key), (side, side_key)):
                assert pull(desk, hub, key) == 5
                for first, last, dob in (
                    ("Robert", "Smith", "1980-03-14"),
                    ("Carl", "Marsh", "1970-02-02"),
                    *NEW_PEOPLE,
                ):
                    assert _screen(desk, first, last, dob) == Decision.MATCH, (first, last)
                assert desk.settings.get(SCREEN_MATCH) == 0.93  # the hub's settings as it has them now
                assert desk.district_lists.state().refused == ""
                assert desk.district_lists.pending() == 0
                verified = desk.audit.verify()
                assert verified.intact, (verified.message, verified.outside)
            assert main.events.recent(source="district lists")[0].level == "info"
            # A change after the recovery reaches both desks as a change, as usual.
            _ok(hub.cli("district", "barred", "add", *SOURCE, "--first-name", "Fay", "--last-name", "Grant",
                        "--dob", "1985-08-08"))  # fmt: skip
            for desk, key in ((main, main_key), (side, side_key)):
                assert pull(desk, hub, key) == 1
                assert _screen(desk, "Fay", "Grant", "1985-08-08") == Decision.MATCH
                assert _screen(desk, "Carl", "Marsh", "1970-02-02") == Decision.MATCH
    finally:
        for client in clients:
            client.close()
        main.close()
        side.close()
