"""Every row of the settings table is accounted for by the audit trail (session 18's red team: a screening
threshold never changed through the application, put into the table by hand within its range, was not caught).

Real SQLite files, the shell's edits made with ``sqlite3``, ``audit verify`` as a real process.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from frontdesk import clock
from frontdesk import settings as s
from frontdesk.access.roles import Role
from frontdesk.context import Services
from tests.cli_helpers import frontdesk, text


@pytest.fixture(autouse=True)
def _password(monkeypatch):
    monkeypatch.setenv("FRONTDESK_PASSWORD", "district-secret")


def _desk(data: Path) -> Services:
    services = Services.open(data)
    if not services.accounts.any_exist():
        services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    return services


def _shell(data: Path, sql: str, params=()) -> None:
    with sqlite3.connect(data / "frontdesk.db") as conn:  # the sqlite3 shell, as the red team did it
        conn.execute(sql, params)


def _verify(data: Path) -> tuple[int, str]:
    done = frontdesk("--user", "root", "audit", "verify", data_dir=data)
    out, err = text(done)
    return done.returncode, out + err


def test_a_setting_never_set_through_the_app_and_put_in_by_hand_is_reported(data_dir):
    services = _desk(data_dir)
    services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
    # Set to the value in force already (its default): the row is written, and so is its record now.
    services.settings.set(s.SCREEN_MATCH, s.SCREEN_MATCH.default)
    services.close()
    assert _verify(data_dir)[0] == 0

    _shell(data_dir, "INSERT INTO settings (key, value) VALUES (?, '0.99')", [s.SCREEN_POSSIBLE.key])
    code, out = _verify(data_dir)
    assert code == 1, out
    assert (
        "the setting screening.possible_threshold was put into the table outside the application "
        "(no audited change set it)" in out
    )
    done = frontdesk("--user", "root", "audit", "verify", "--json", data_dir=data_dir)
    found = json.loads(text(done)[0])
    assert found["problem"] == "records" and any("screening.possible_threshold" in x for x in found["outside"])


def test_rows_an_older_desk_wrote_without_a_record_are_named_once_by_the_upgrade(data_dir):
    services = _desk(data_dir)
    services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
    services.close()
    # As an older desk left it: a row written with no record (the default set again), and this upgrade not run.
    _shell(data_dir, "INSERT INTO settings (key, value) VALUES (?, '0.9')", [s.SCREEN_MATCH.key])
    _shell(data_dir, "DELETE FROM _migrations WHERE name = 'audit_0003_settings_baseline'")
    services = _desk(data_dir)  # the upgrade: its migration names every row in a settings.baseline record
    try:
        [baseline] = services.audit.records(action="settings.baseline")
        assert baseline.details["settings"] == {
            s.SCHOOL_NAME.key: "Maple Grove Elementary",
            s.SCREEN_MATCH.key: 0.9,
        }
        assert services.audit.verify().intact, services.audit.verify().message
    finally:
        services.close()
    assert _verify(data_dir)[0] == 0
    _shell(data_dir, "UPDATE settings SET value = '0.95' WHERE key = ?", [s.SCREEN_MATCH.key])
    code, out = _verify(data_dir)
    assert code == 1 and "the setting screening.match_threshold was changed outside the application" in out


def test_settings_stay_accounted_for_after_retention_removes_their_records(data_dir):
    services = _desk(data_dir)
    try:
        services.settings.set(s.SCREEN_POSSIBLE, 0.8)
        services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
        services.settings.set(s.SCREEN_POSSIBLE, 0.75)
        with services.audit.transaction():  # every record but the newest behind a checkpoint, twice
            services.audit.remove_before(clock.now() + timedelta(days=1))
        services.settings.set(s.STATION_NAME, "Main office desk")
        with services.audit.transaction():
            services.audit.remove_before(clock.now() + timedelta(days=1))
        changes = services.audit.records(action="settings.change")
        assert [r.subject for r in changes] == [s.STATION_NAME.key]  # the newest record is never removed
        assert services.audit.verify().intact, services.audit.verify().message
    finally:
        services.close()
    _shell(data_dir, "UPDATE settings SET value = '0.9' WHERE key = ?", [s.SCREEN_POSSIBLE.key])
    code, out = _verify(data_dir)
    assert code == 1 and "the setting screening.possible_threshold was changed outside the application" in out


def test_the_desk_uses_and_puts_back_the_audited_value_never_the_one_found(data_dir):
    services = _desk(data_dir)
    try:
        services.settings.set(s.SCREEN_MATCH, 0.9)
        _shell(data_dir, "UPDATE settings SET value = '0.99' WHERE key = ?", [s.SCREEN_MATCH.key])
        _shell(data_dir, "INSERT INTO settings (key, value) VALUES (?, '0.98')", [s.SCREEN_POSSIBLE.key])
        # Never used, even before the desk's check puts the rows back: the audited value, or the default.
        assert services.settings.get(s.SCREEN_MATCH) == 0.9
        assert services.settings.get(s.SCREEN_POSSIBLE) == s.SCREEN_POSSIBLE.default
        restored = services.settings.restore_audited()
        assert restored == {s.SCREEN_MATCH.key: ("0.99", 0.9), s.SCREEN_POSSIBLE.key: ("0.98", None)}
        assert services.settings.get(s.SCREEN_MATCH) == 0.9
        assert services.settings.get(s.SCREEN_POSSIBLE) == s.SCREEN_POSSIBLE.default
        [record] = services.audit.records(action="settings.restored")
        assert record.actor == "system" and record.details["found"][s.SCREEN_POSSIBLE.key] == "0.98"
        assert services.audit.verify().intact, services.audit.verify().message
        assert services.settings.restore_audited() == {}
    finally:
        services.close()


def test_a_screen_in_another_process_never_uses_a_threshold_typed_in_by_hand(data_dir):
    """The red team's door: the thresholds put into the table by hand (within their range, 0-1: the app would take
    them) let the barred person through with one letter mistyped, before any check of the desk's ran."""
    from frontdesk.screening.dates import parse_dob
    from frontdesk.screening.models import Kind, NewEntry

    services = _desk(data_dir)
    services.lists.add("District", NewEntry("Rex", "Refusedman", dob=parse_dob("1970-01-02"), kind=Kind.BARRED))
    services.close()
    args = ("screen", "--first-name", "Rex", "--last-name", "Refusedmann", "--dob", "1970-01-02", "--json")
    assert json.loads(text(frontdesk(*args, data_dir=data_dir))[0])["decision"] == "match"
    for setting in (s.SCREEN_MATCH, s.SCREEN_POSSIBLE):
        _shell(data_dir, "INSERT INTO settings (key, value) VALUES (?, '0.99')", [setting.key])
    assert json.loads(text(frontdesk(*args, data_dir=data_dir))[0])["decision"] == "match"
