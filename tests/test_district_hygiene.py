"""The district's commands and searches at their edges: ``district log`` streams a day however large, and
a search finds ``%`` and ``_`` as typed (issue 15)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta

from hub_lists_support import run_cli

from district import clock

SCHOOL = "Maple Grove Elementary"


def _visit(i: int, moment: datetime, name: str, purpose: str = "") -> tuple:
    when = clock.to_db(moment)
    return ("st_main", i, SCHOOL, name, "", None, "visitor", purpose, "", "", f"B{i:07d}", when, None, None, i)


_INSERT = (
    "INSERT INTO hub_visits (station_id, visit_id, school, name, name_key, dob, category, purpose, host, staff, "
    "badge_code, checked_in_at, checked_out_at, checked_out_by, rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?)"
)


def test_district_log_streams_every_visit_of_a_day_past_100000(tmp_path):
    from district.console.service import ConsoleService

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    service = ConsoleService.open(url)
    day = date(2026, 3, 14)
    start = datetime(2026, 3, 14, 7, 0).astimezone()
    total = 100_000 + 1_234
    # Many visits share a second (the order's tie-break on station and visit id must not skip any).
    rows = [_visit(i, start + timedelta(seconds=i // 7), f"Avery Testwood{i}") for i in range(1, total + 1)]
    try:
        with service.db.transaction() as tx:
            tx.executemany(_INSERT, rows)
    finally:
        service.close()
    done = run_cli("district", "log", "--date", day.isoformat(), "--csv", "--db", url)
    assert done.returncode == 0, done.stderr[-2000:]
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(table) == total
    assert sorted(int(r["visit_id"]) for r in table) == list(range(1, total + 1))  # each once, none missing
    as_json = run_cli("district", "log", "--date", day.isoformat(), "--json", "--db", url)
    assert as_json.returncode == 0, as_json.stderr[-2000:]
    assert len(json.loads(as_json.stdout)) == total
    text = run_cli("district", "log", "--date", day.isoformat(), "--db", url)
    assert text.stdout.rstrip().endswith(f"{total} visits on {day.isoformat()}")


def test_a_search_finds_percent_and_underscore_as_typed(console_db_url):
    from district.console.service import ConsoleService
    from district.hub.lists import HubLists
    from district.hub.visits import HubVisits
    from frontdesk.wire.lists import make_entry

    service = ConsoleService.open(console_db_url)
    try:
        now = datetime(2026, 3, 14, 9, 0).astimezone()
        with service.db.transaction() as tx:
            tx.executemany(
                _INSERT,
                [
                    _visit(1, now, "Avery Testwood", "50% off books"),
                    _visit(2, now, "Blake Sample", "500 pens"),
                    _visit(3, now, "Casey Example", "room_12"),
                    _visit(4, now, "Drew Example", "room 12"),
                ],
            )
        visits = HubVisits(service.db)
        assert [r["name"] for r in visits.search("50%")] == ["Avery Testwood"]
        assert [r["name"] for r in visits.search("room_12")] == ["Casey Example"]
        assert [r["name"] for r in visits.search("%")] == ["Avery Testwood"]
        assert len(visits.search("room")) == 2
        lists = HubLists(service.db)
        lists.add("district-barred", make_entry(first_name="Jo_e", last_name="Sample"), actor="test")
        lists.add("district-barred", make_entry(first_name="Joke", last_name="Sample"), actor="test")
        found = lists.entries(search="jo_e")
        assert len(found) == 1 and "Jo_e" in json.dumps(found), found
    finally:
        service.close()


def test_an_entry_stored_with_a_whole_id_number_keeps_only_its_last_4(console_db_url):
    """Before hub_lists_0006, a district list's id_last4 holding a whole ID number was stored whole at the hub
    (and sent whole to every desk); the migration cuts such stored entries to the last 4, as the desk keeps
    them, and leaves every other entry as it was."""
    from district.console.schema import migrate
    from district.console.service import ConsoleService
    from district.hub.lists import HubLists
    from frontdesk.wire.lists import make_entry

    service = ConsoleService.open(console_db_url)
    try:
        lists = HubLists(service.db)
        whole = lists.add("district-barred", make_entry(first_name="Avery", last_name="Sample"), actor="test")
        plain = lists.add(
            "district-barred",
            make_entry(first_name="Blake", last_name="Sample", sex="F", id_state="VA", id_last4="1234"),
            actor="test",
        )
        assert plain["id_last4"] == "1234"
        # As the older code stored it: the whole number, the sex and issuer as the file wrote them.
        old = {**whole, "sex": "male", "id_state": "va", "id_last4": "D123-456-7890"}
        old = {k: v for k, v in old.items() if k not in ("id", "source", "version")}
        before = {}
        with service.db.transaction() as tx:
            tx.execute(
                "UPDATE hub_list_entries SET data = ? WHERE entry_id = ?",
                [json.dumps(old, separators=(",", ":")), whole["id"]],
            )
            tx.execute("DELETE FROM _migrations WHERE name = 'hub_lists_0006_id_last4'")
            before = dict(tx.all("SELECT entry_id, data FROM hub_list_entries"))
        assert migrate(service.db) == ["hub_lists_0006_id_last4"]
        with service.db.transaction() as tx:
            after = dict(tx.all("SELECT entry_id, data FROM hub_list_entries"))
        cut = json.loads(after[whole["id"]])
        assert (cut["sex"], cut["id_state"], cut["id_last4"]) == ("M", "VA", "7890")
        assert "D123" not in after[whole["id"]] and cut["first_name"] == "Avery"
        assert after[plain["id"]] == before[plain["id"]]  # already as the desk keeps it: untouched
    finally:
        service.close()
