"""The visit commands' contract: options, JSON keys, CSV columns and exit codes."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from tests.cli_helpers import frontdesk, text

VISIT_KEYS = {
    "id",
    "badge_code",
    "first_name",
    "middle_name",
    "last_name",
    "dob",
    "category",
    "purpose",
    "destination",
    "time_in",
    "time_out",
    "station",
    "staff",
    "note",
}


def checkin(data_dir, *extra):
    proc = frontdesk(
        "checkin", "--first-name", "Ann", "--last-name", "Testwood", *extra, "--json", data_dir=data_dir
    )
    out, err = text(proc)
    assert proc.returncode == 0, err
    return json.loads(out)


def test_checkin_onsite_checkout_log(data_dir):
    visit = checkin(
        data_dir, "--dob", "1980-02-03", "--category", "contractor", "--purpose", "Boiler", "--destination", "Gym"
    )
    assert set(visit) == VISIT_KEYS
    assert (visit["first_name"], visit["dob"], visit["category"], visit["destination"]) == (
        "Ann",
        "1980-02-03",
        "contractor",
        "Gym",
    )
    assert visit["time_out"] is None and len(visit["badge_code"]) == 8

    proc = frontdesk("onsite", "--json", data_dir=data_dir)
    onsite = json.loads(text(proc)[0])
    assert [v["badge_code"] for v in onsite] == [visit["badge_code"]]

    plain = frontdesk("onsite", data_dir=data_dir)
    assert plain.returncode == 0 and "Ann Testwood" in text(plain)[0] and "1 on site" in text(plain)[0]

    proc = frontdesk(
        "checkout", visit["badge_code"][:4] + "-" + visit["badge_code"][4:], "--json", data_dir=data_dir
    )
    assert proc.returncode == 0
    assert json.loads(text(proc)[0])["time_out"] is not None
    assert json.loads(text(frontdesk("onsite", "--json", data_dir=data_dir))[0]) == []

    today = date.today().isoformat()
    proc = frontdesk("log", "--date", today, "--json", data_dir=data_dir)
    log = json.loads(text(proc)[0])
    assert [v["badge_code"] for v in log] == [visit["badge_code"]]
    proc = frontdesk("log", "--date", today, "--csv", data_dir=data_dir)
    rows = list(csv.DictReader(io.StringIO(text(proc)[0])))
    assert set(rows[0]) == VISIT_KEYS and rows[0]["last_name"] == "Testwood"


def test_plain_checkin_prints_the_badge_code(data_dir):
    proc = frontdesk("checkin", "--first-name", "Ben", "--last-name", "Sampleton", data_dir=data_dir)
    out, _ = text(proc)
    assert proc.returncode == 0 and "Badge code:" in out


def test_empty_log_as_csv_still_has_the_header(data_dir):
    proc = frontdesk("log", "--date", "2001-01-01", "--csv", data_dir=data_dir)
    assert proc.returncode == 0 and text(proc)[0].startswith("id,badge_code,first_name")


@pytest.mark.parametrize(
    "args, needle",
    [
        (["checkout", "NOPE-NOPE"], "No visit found"),
        (["log", "--date", "2026-13-01"], "--date must be a date"),
        (["log", "--date", "yesterday"], "--date must be a date"),
        (["checkin", "--last-name", "Testwood"], "--first-name"),
        (["checkin", "--first-name", " ", "--last-name", "Testwood"], "first and a last name"),
        (["checkin", "--first-name", "A", "--last-name", "B", "--dob", "02/03/1980"], "--dob must be a date"),
        (["checkin", "--first-name", "A", "--last-name", "B", "--category", "pirate"], "Category must be one of"),
        (["log"], "--date"),
        (["no-such-command"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(data_dir, args, needle):
    proc = frontdesk(*args, data_dir=data_dir)
    out, err = text(proc)
    assert proc.returncode == 2
    assert needle in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_second_checkin_of_someone_on_site_is_refused_unless_asked(data_dir):
    checkin(data_dir)
    proc = frontdesk("checkin", "--first-name", "Ann", "--last-name", "Testwood", data_dir=data_dir)
    assert proc.returncode == 2 and "already on site" in text(proc)[1]
    checkin(data_dir, "--again")


def test_unreadable_database_exits_2_and_is_left_alone(data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "frontdesk.db").write_bytes(b"garbage" * 1000)
    proc = frontdesk("onsite", data_dir=data_dir)
    assert proc.returncode == 2 and "cannot be read" in text(proc)[1]
    assert (data_dir / "frontdesk.db").read_bytes() == b"garbage" * 1000


def test_data_dir_from_the_environment(data_dir, monkeypatch):
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(data_dir))
    proc = frontdesk("checkin", "--first-name", "Env", "--last-name", "Var")
    assert proc.returncode == 0
    assert (data_dir / "frontdesk.db").exists()


def test_config_check_says_whether_first_run_is_done(data_dir):
    assert frontdesk("config", "check", data_dir=data_dir).returncode == 1
    assert frontdesk("config", "set", "school.name", "Test School", data_dir=data_dir).returncode == 0
    assert frontdesk("config", "set", "station.name", "Desk 1", data_dir=data_dir).returncode == 0
    assert frontdesk("config", "check", data_dir=data_dir).returncode == 0
    bad = frontdesk("config", "set", "no.such", "x", data_dir=data_dir)
    assert bad.returncode == 2 and "No setting called" in text(bad)[1]
