"""The district's commands over what desks sent up (issue 15): on site per school, a day's log, and a district
list reaching desks through their own ``frontdesk sync``. Hub and desks are real processes on loopback."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from hub_lists_support import run_cli
from hub_sync_support import Desk, Hub

from district.hub.visits import spreadsheet_safe as district_safe
from frontdesk.text import spreadsheet_safe as desk_safe

MAPLE, OAK = "Maple Grove Elementary", "Oak Ridge Middle"


@pytest.fixture
def hub(console_db_url: str):
    running = Hub(console_db_url).start()
    yield running
    running.kill()


def district(hub: Hub, *args: str, stdin: str | None = None):
    return run_cli("district", *args, "--db", hub.db_url, stdin=stdin)


def test_onsite_and_log_cover_every_desk_of_a_school_and_the_csv_is_formula_safe(hub, tmp_path: Path):
    front = Desk(tmp_path / "front", "Main office desk").set_up(hub, MAPLE)
    side = Desk(tmp_path / "side", "Side entrance desk").set_up(hub, MAPLE)
    oak = Desk(tmp_path / "oak", "Oak front desk").set_up(hub, OAK)
    front.check_in("Avery", "Testwood", "--purpose", '=HYPERLINK("http://x")')
    side.check_in("Blair", "Samplefield")
    oak.check_in("Casey", "Demoson")
    for desk in (front, side, oak):
        desk.sync()

    done = district(hub, "onsite", "--school", MAPLE, "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert sorted((r["name"], r["station"]) for r in rows) == [
        ("Avery Testwood", "Main office desk"),
        ("Blair Samplefield", "Side entrance desk"),
    ]
    text = district(hub, "onsite", "--school", MAPLE)
    assert "2 on site at Maple Grove Elementary" in text.stdout

    today = date.today().isoformat()
    whole = json.loads(district(hub, "log", "--date", today, "--json").stdout)
    assert {r["school"] for r in whole} == {MAPLE, OAK}
    only = json.loads(district(hub, "log", "--date", today, "--school", OAK, "--json").stdout)
    assert [r["name"] for r in only] == ["Casey Demoson"]
    out = district(hub, "log", "--date", today, "--school", MAPLE, "--csv")
    assert out.returncode == 0, out.stderr
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    [avery] = [r for r in table if r["name"] == "Avery Testwood"]
    assert avery["purpose"] == '\'=HYPERLINK("http://x")'  # shown as text, never run
    both = district(hub, "log", "--date", today, "--json", "--csv")
    assert both.returncode == 2 and "Traceback" not in both.stderr
    bad = district(hub, "log", "--date", "yesterday")
    assert bad.returncode == 2 and "--date" in bad.stderr


def test_the_districts_csv_rule_is_the_desks():
    for value in ("=1+1", "+1", "-1", "@x", "\tx", "\rx", "Avery", -5, None, ""):
        assert district_safe(value) == desk_safe(value)


def test_a_district_list_reaches_desks_through_their_own_sync(hub, tmp_path: Path):
    front = Desk(tmp_path / "front", "Main office desk").set_up(hub, MAPLE)
    (tmp_path / "barred.csv").write_text("first_name,last_name,dob\nRobert,Smith,1980-03-14\n")
    done = district(hub, "barred", "import", str(tmp_path / "barred.csv"), "--source", "District barred list")
    assert done.returncode == 0, done.stderr
    assert front.json("sync", "status")["lists_as_of"] is None
    front.sync()
    assert front.json("sync", "status")["lists_as_of"] is not None
    screened = front.run("screen", "--first-name", "Robert", "--last-name", "Smith", "--dob", "1980-03-14")
    assert screened.returncode == 0, screened.stderr
    assert screened.stdout.startswith("match")
    assert "District list as of " in screened.stdout
    as_json = front.json("screen", "--first-name", "Robert", "--last-name", "Smith", "--dob", "1980-03-14")
    assert as_json["district_lists"]["stale"] is False
    refused = front.run(
        "barred", "add", "--source", "District barred list", "--first-name", "A", "--last-name", "B"
    )
    assert refused.returncode == 2 and "district" in refused.stderr


def test_a_locked_district_setting_cannot_be_changed_at_the_desk(hub, tmp_path: Path):
    front = Desk(tmp_path / "front", "Main office desk").set_up(hub, MAPLE)
    assert district(hub, "settings", "set", "retention.visits_days", "365", "--lock").returncode == 0
    front.sync()
    refused = front.run("config", "set", "retention.visits_days", "30")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "locked" in refused.stderr and "district" in refused.stderr and "Traceback" not in refused.stderr
