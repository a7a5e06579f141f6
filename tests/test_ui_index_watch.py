"""The desk checks its screening index against the lists in the background and repairs what was changed by hand.

Session 18's red team deleted a barred person's index rows with the sqlite3 shell: the desk then admitted the
person. The desk is started as ``ui.app.run`` starts it (the shell, then the same deferred start of the check);
the rows are deleted with ``sqlite3`` on the real file; the desk's own admission workflow decides.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from frontdesk import settings as s
from frontdesk.access.roles import Role
from frontdesk.checkin.workflow import AdmissionError
from frontdesk.models import Visitor
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from ui.app import Shell, _watch_index
from ui.screening.index_watch import DAY_MS, HOUR_MS, next_check_ms

REX = Visitor("Rex", "Refusedman", dob=date(1970, 1, 2))


@pytest.fixture
def desk_data(services):
    services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
    services.settings.set(s.STATION_NAME, "Main office desk")
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    rex = services.lists.add(
        "District", NewEntry("Rex", "Refusedman", dob=parse_dob("1970-01-02"), kind=Kind.BARRED)
    )
    services.lists.add("District", NewEntry("Casey", "Nobody", dob=parse_dob("1981-05-06")))
    return services, rex.id


def test_index_rows_deleted_by_hand_are_repaired_said_and_audited_by_the_desk(qtbot, qapp, desk_data):
    services, rex = desk_data
    with pytest.raises(AdmissionError):
        services.checkin.admit(REX)
    with sqlite3.connect(services.store.path) as conn:  # the red team's shell
        deleted = conn.execute("DELETE FROM screening_keys WHERE entry_id = ?", [rex]).rowcount
    assert deleted >= 4
    shell = Shell(services)
    qtbot.addWidget(shell)
    assert shell.desk is not None
    watch = _watch_index(shell, qapp)  # what ui.app.run starts a little after the window's first paint
    try:
        qtbot.waitUntil(lambda: not watch.running, timeout=60_000)
        assert watch.last is not None and watch.last.repaired == 1
        # Said the way the desk says its data was tampered with: a banner that stays, and the event log.
        assert watch.banner is not None and watch.banner.isVisibleTo(shell.desk.window)
        assert "changed outside FrontDesk" in watch.banner.text()
        [logged] = [e for e in services.events.recent(source="screening") if e.level == "error"]
        assert f"list entry {rex}: {deleted} of its index rows are missing" in logged.message
        # In the audit trail, which is still whole; and the barred person is refused again.
        [record] = services.audit.records(action="screening.index_repaired")
        assert record.details["entries"] == [rex] and record.details["missing"] == deleted
        assert services.audit.verify().intact
        with pytest.raises(AdmissionError):
            services.checkin.admit(REX)
        # And again within the hour: a check of a school's own lists takes well under a second.
        assert watch.timer.isActive() and watch.timer.interval() == HOUR_MS
    finally:
        watch.stop()


def test_an_index_as_its_entries_give_is_only_logged(qtbot, qapp, desk_data):
    services, _ = desk_data
    shell = Shell(services)
    qtbot.addWidget(shell)
    watch = _watch_index(shell, qapp)
    try:
        qtbot.waitUntil(lambda: not watch.running, timeout=60_000)
        assert watch.last.intact and watch.banner is None
        assert not services.audit.records(action="screening.index_repaired")
        assert any("screening index checked: 2 list entries" in e.message for e in services.events.recent())
    finally:
        watch.stop()


def test_a_setting_typed_into_the_table_is_put_back_by_the_desk(qtbot, qapp, desk_data):
    """The red team's second door: a threshold put into the settings table by hand, within its range."""
    services, _ = desk_data
    with sqlite3.connect(services.store.path) as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES (?, '0.99')", [s.SCREEN_POSSIBLE.key])
    assert services.settings.get(s.SCREEN_POSSIBLE) == s.SCREEN_POSSIBLE.default  # not used: no audited change
    shell = Shell(services)
    qtbot.addWidget(shell)
    watch = _watch_index(shell, qapp)
    try:
        qtbot.waitUntil(lambda: not watch.running, timeout=60_000)
        assert watch.restored == {s.SCREEN_POSSIBLE.key: ("0.99", None)}
        assert services.settings.get(s.SCREEN_POSSIBLE) == s.SCREEN_POSSIBLE.default  # never the value found
        assert watch.banner is not None and "1 setting had been changed outside FrontDesk" in watch.banner.text()
        [logged] = [e for e in services.events.recent(source="settings") if e.level == "error"]
        assert (
            "screening.possible_threshold: 0.99 found, its default or the district value in force"
            in logged.message
        )
        assert services.audit.verify().intact
    finally:
        watch.stop()


def test_the_next_check_comes_after_a_thousand_times_the_last_ones_length_within_an_hour_and_a_day():
    assert next_check_ms(0.05) == HOUR_MS  # a school's own lists: hourly
    assert next_check_ms(6.0) == 6_000_000  # 100,000 entries (~6 s paced): after 1 h 40 min
    assert next_check_ms(70.0) == 70_000_000  # a million entries (~70 s paced): after 19 h 27 min
    assert next_check_ms(600.0) == DAY_MS  # never less often than daily
