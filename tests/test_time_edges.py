"""Clocks, days and time zones at their edges (session 22's red team): the nights the clocks change, midnight,
a clock stepped back. Desks and the district's commands run as processes with ``TZ`` set and
``FRONTDESK_CLOCK_OFFSET_SECONDS`` putting their "now" where the test needs it, on real SQLite files.

America/New_York in 2026: the clocks go forward on 8 March (02:00 EST -> 03:00 EDT, a 23-hour day) and back
on 1 November (02:00 EDT -> 01:00 EST, a 25-hour day)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
NEW_YORK = "America/New_York"

_HUB_INSERT = (
    "INSERT INTO hub_visits (station_id, visit_id, school, name, name_key, dob, category, purpose, host, staff, "
    "badge_code, checked_in_at, checked_out_at, checked_out_by, rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?)"
)
SCHOOL = "Maple Grove Elementary"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def run(
    *args: str,
    tz: str = NEW_YORK,
    at: datetime | None = None,
    data_dir: Path | None = None,
    stdin: str | None = None,
):
    """``frontdesk ARGS`` as a process in time zone ``tz``, its clock set to ``at`` (a UTC moment)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TZ": tz}
    if at is not None:
        env["FRONTDESK_CLOCK_OFFSET_SECONDS"] = str(at.timestamp() - time.time())
    prefix = ["--data-dir", str(data_dir)] if data_dir is not None else []
    return subprocess.run(
        [sys.executable, "-m", "ui.main", *prefix, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=ROOT,
    )


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, (done.args, done.stdout, done.stderr)
    return done.stdout


# --- the district's day -------------------------------------------------------------------------------------
def _hub_with(tmp_path: Path, moments: dict[str, str]) -> str:
    """A hub database holding one visit checked in at each UTC moment (name -> moment)."""
    from district.console.service import ConsoleService

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    service = ConsoleService.open(url)
    rows = [
        ("st_main", i, SCHOOL, name, "", None, "visitor", "", "", "", f"B{i:07d}", at, None, None, i)
        for i, (name, at) in enumerate(moments.items(), start=1)
    ]
    try:
        with service.db.transaction() as tx:
            tx.executemany(_HUB_INSERT, rows)
    finally:
        service.close()
    return url


def _district_day(url: str, day: str) -> list[str]:
    return [r["name"] for r in json.loads(ok(run("district", "log", "--date", day, "--json", "--db", url)))]


def test_the_district_log_puts_every_visit_in_exactly_one_day_across_both_clock_changes(tmp_path):
    # Each visit is an hour or less from a midnight next to a clock change (the hub's machine in New York).
    url = _hub_with(
        tmp_path,
        {
            "Sat before spring": "2026-03-08T04:30:00.000000Z",  # 23:30 EST, Saturday 7 March
            "Sun spring 0030": "2026-03-08T05:30:00.000000Z",  # 00:30 EST, Sunday 8 March (a 23-hour day)
            "Mon after spring 0030": "2026-03-09T04:30:00.000000Z",  # 00:30 EDT, Monday 9 March
            "Sun fall 0030": "2026-11-01T04:30:00.000000Z",  # 00:30 EDT, Sunday 1 November (a 25-hour day)
            "Sun fall 2330": "2026-11-02T04:30:00.000000Z",  # 23:30 EST, still Sunday 1 November
            "Mon after fall 0030": "2026-11-02T05:30:00.000000Z",  # 00:30 EST, Monday 2 November
        },
    )
    wanted = ("2026-03-07", "2026-03-08", "2026-03-09", "2026-11-01", "2026-11-02")
    days = {d: _district_day(url, d) for d in wanted}
    assert days == {
        "2026-03-07": ["Sat before spring"],
        "2026-03-08": ["Sun spring 0030"],
        "2026-03-09": ["Mon after spring 0030"],  # was in 8 March's log too (counted twice)
        "2026-11-01": ["Sun fall 0030", "Sun fall 2330"],  # 23:30 was in no day's log
        "2026-11-02": ["Mon after fall 0030"],
    }


def test_the_district_day_can_be_the_schools_when_the_hub_runs_on_utc(tmp_path, monkeypatch):
    """Servers run on UTC. The hub's day was its machine's: for a New York school the district's log and the web
    view's day filter of 4 December ran from 19:00 on the 3rd to 19:00 on the 4th, so an evening visit (and the
    link of the desk's daily-log email, ``date=2026-12-04``) showed under the wrong day. ``--tz`` (the command)
    and ``tz`` (the API; the page sends the browser's) say whose day; without them, the machine's as before."""
    import httpx

    from tests.hub_sync_support import Hub

    url = _hub_with(
        tmp_path,
        {
            "Evening Visitor": "2026-12-05T01:00:00.000000Z",  # 20:00 on the 4th in New York
            "Morning Visitor": "2026-12-04T13:00:00.000000Z",  # 08:00 on the 4th in New York
            "Night Before": "2026-12-04T01:00:00.000000Z",  # 20:00 on the 3rd in New York
        },
    )
    monkeypatch.setenv("TZ", "UTC")
    ok(
        run(
            "district",
            "staff",
            "add",
            "Alex Admin",
            "--role",
            "administrator",
            "--db",
            url,
            tz="UTC",
            stdin="correct horse battery\n",
        )
    )
    day = ["district", "log", "--date", "2026-12-04", "--db", url]
    assert _names(ok(run(*day, "--json", tz="UTC"))) == ["Night Before", "Morning Visitor"]  # the machine's day
    assert _names(ok(run(*day, "--json", "--tz", NEW_YORK, tz="UTC"))) == ["Morning Visitor", "Evening Visitor"]
    text = ok(run(*day, "--tz", NEW_YORK, tz="UTC"))
    assert "08:00" in text and "20:00" in text and "13:00" not in text  # the school's times, not UTC's
    bad = run(*day, "--tz", "Mars/Olympus_Mons", tz="UTC")
    assert bad.returncode == 2 and "time zone" in bad.stderr and "Traceback" not in bad.stderr

    hub = Hub(url).start()
    try:
        with httpx.Client(base_url=hub.url) as client:
            signed = client.post(
                "/api/v1/session", json={"username": "Alex Admin", "password": "correct horse battery"}
            )
            assert signed.status_code == 200, signed.text

            def shown(**params: str) -> list[str]:
                answer = client.get("/api/v1/district/visits", params={"date": "2026-12-04", **params})
                assert answer.status_code == 200, answer.text
                return sorted(v["name"] for v in answer.json()["visits"])

            assert shown() == ["Morning Visitor", "Night Before"]  # no tz: the hub's day, as before
            assert shown(tz=NEW_YORK) == ["Evening Visitor", "Morning Visitor"]
            refused = client.get(
                "/api/v1/district/visits", params={"date": "2026-12-04", "tz": "../../etc/passwd"}
            )
            assert refused.status_code == 400 and "time zone" in refused.json()["error"]
    finally:
        hub.kill()
    page = (ROOT / "district" / "hub" / "static" / "district.js").read_text()
    assert "resolvedOptions().timeZone" in page  # the page asks for the day in the zone it shows times in


def _names(out: str) -> list[str]:
    return [r["name"] for r in json.loads(out)]


# --- a check-out never before its check-in --------------------------------------------------------------------
def _times(visit: dict) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(visit["time_in"]), datetime.fromisoformat(visit["time_out"])


def test_a_check_out_after_the_clock_stepped_back_is_not_before_the_check_in(tmp_path):
    data = tmp_path / "desk"
    came = json.loads(
        ok(
            run(
                "checkin",
                "--first-name",
                "Avery",
                "--last-name",
                "Testwood",
                "--json",
                at=utc("2026-12-04T15:00:00Z"),
                data_dir=data,
            )
        )
    )
    # An NTP correction puts the clock back an hour; Avery leaves ten minutes after coming in.
    left = json.loads(
        ok(run("checkout", came["badge_code"], "--json", at=utc("2026-12-04T14:10:00Z"), data_dir=data))
    )
    time_in, time_out = _times(left)
    assert time_out >= time_in  # was 09:10, fifty minutes before the 10:00 check-in
    log = ok(run("log", "--date", "2026-12-04", "--json", at=utc("2026-12-04T15:30:00Z"), data_dir=data))
    assert [_times(v)[1] >= _times(v)[0] for v in json.loads(log)] == [True]
    # close-day too (the clock still behind): no visit ends before it began
    again = json.loads(
        ok(
            run(
                "checkin",
                "--first-name",
                "Blake",
                "--last-name",
                "Sample",
                "--json",
                at=utc("2026-12-04T16:00:00Z"),
                data_dir=data,
            )
        )
    )
    ok(run("close-day", "--note", "left without signing out", at=utc("2026-12-04T15:00:00Z"), data_dir=data))
    log = json.loads(ok(run("log", "--date", "2026-12-04", "--json", data_dir=data)))
    closed = next(v for v in log if v["id"] == again["id"])
    assert _times(closed)[1] >= _times(closed)[0]


def test_a_check_out_at_a_desk_whose_clock_is_behind_is_not_before_the_check_in_anywhere(tmp_path):
    from tests.hub_sync_support import SCHOOL, Desk, Hub

    hub = Hub(f"sqlite:///{tmp_path / 'hub.db'}").start()
    try:
        main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
        side = Desk(tmp_path / "side", "Side entrance", clock_offset=-300).set_up(hub, SCHOOL)  # 5 min behind
        badge = main.check_in("Avery", "Testwood")
        main.sync()
        side.sync()
        left = side.json("checkout", badge)  # a minute later by the true clock: "4 minutes before" by the side's
        assert _times(left)[1] >= _times(left)[0]  # type: ignore[arg-type]
        side.sync()
        main.sync()
        here = main.json("log", "--date", left["time_in"][:10])  # type: ignore[index]
        assert [v["time_out"] is not None and _times(v)[1] >= _times(v)[0] for v in here] == [True]  # type: ignore[union-attr]
        assert hub.count("SELECT COUNT(*) FROM hub_visits WHERE checked_out_at < checked_in_at") == 0
    finally:
        hub.kill()


# --- dates that end at a day: through the whole local day, and not a minute more ------------------------------
def test_a_bar_until_a_day_holds_to_local_midnight_and_not_a_minute_more(tmp_path):
    data = tmp_path / "desk"
    person = ("--first-name", "Robert", "--last-name", "Barredman", "--dob", "1975-05-05")
    ok(run("barred", "add", "--source", "Office", *person, "--until", "2026-12-04", data_dir=data))
    late = run("checkin", *person, at=utc("2026-12-04T23:58:30-05:00"), data_dir=data)
    assert late.returncode == 4 and "Do not admit" in late.stderr  # 23:58 in New York, 04:58 UTC on the 5th
    next_day = run("checkin", *person, at=utc("2026-12-05T00:01:00-05:00"), data_dir=data)
    assert next_day.returncode == 0, next_day.stderr
    # Honolulu's day ends five hours after New York's: the same entry still holds at 23:58 there.
    hawaii = tmp_path / "hawaii"
    ok(
        run(
            "barred",
            "add",
            "--source",
            "Office",
            *person,
            "--until",
            "2026-12-04",
            tz="Pacific/Honolulu",
            data_dir=hawaii,
        )
    )
    there = run("checkin", *person, tz="Pacific/Honolulu", at=utc("2026-12-04T23:58:30-10:00"), data_dir=hawaii)
    assert there.returncode == 4, there.stderr


def test_a_temporary_pick_up_for_one_day_holds_to_local_midnight_and_not_a_minute_more(tmp_path):
    from frontdesk import settings as s
    from frontdesk.access.roles import Role
    from frontdesk.context import Services
    from frontdesk.demo.oneroster import write_bundle

    data = tmp_path / "desk"
    write_bundle(tmp_path / "sis", students=40, guardians=60, per_school=40)
    services = Services.open(data)
    try:
        services.settings.set(s.SCHOOL_NAME, "Synthetic School 1")
        services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
        services.accounts.sign_in("root", "district-secret")
        services.accounts.add("p.nakamura", Role.PRINCIPAL, "principal-pw", "Dr. Nakamura")
        services.students.import_bundle(tmp_path / "sis")
        numbers = [r[0] for r in services.store.db.execute("SELECT number FROM students ORDER BY id LIMIT 2")]
    finally:
        services.close()
    os.environ["FRONTDESK_PASSWORD"] = "principal-pw"
    try:
        for number in numbers:  # "today only", the 4th, given on the 4th in the evening
            ok(
                run(
                    "--user",
                    "p.nakamura",
                    "students",
                    "authorise",
                    number,
                    "--name",
                    "Tia Temporary",
                    "--from",
                    "2026-12-04",
                    "--until",
                    "2026-12-04",
                    at=utc("2026-12-04T20:00:00-05:00"),
                    data_dir=data,
                )
            )
    finally:
        del os.environ["FRONTDESK_PASSWORD"]
    release = ("--to", "Tia Temporary", "--reason", "Aunt collects", "--json")
    late = run("students", "release", numbers[0], *release, at=utc("2026-12-04T23:58:30-05:00"), data_dir=data)
    assert late.returncode == 0 and json.loads(late.stdout)["released"] is True, late.stderr
    after = run("students", "release", numbers[1], *release, at=utc("2026-12-05T00:01:00-05:00"), data_dir=data)
    refused = json.loads(after.stdout)
    assert after.returncode == 3 and refused["released"] is False and refused["code"] == "not_authorised", refused


# --- the panic path when the clock steps ------------------------------------------------------------------------
def test_a_lockdown_pressed_after_the_clock_stepped_back_still_names_the_incident_on_the_board(
    tmp_path, keyring_file
):
    """The console names an incident by its newest press, by CAP ``sent`` (a Staff assist still being retried can
    arrive after the LOCKDOWN pressed beside it). A desk whose clock was stepped back ten minutes (an NTP
    correction) between a Staff assist and a LOCKDOWN stamped the LOCKDOWN earlier: the board went on saying
    STAFF_ASSIST for a school in lockdown."""
    from frontdesk.context import Services
    from tests.dispatch_station_support import console_at, set_up_station

    data = tmp_path / "desk"
    with console_at(tmp_path / "console") as console:
        services = Services.open(data)
        try:
            set_up_station(services)
            with console.up():
                services.station.connect(console.url, console.credential)
        finally:
            services.close()
        with console.up():
            now = datetime.now(UTC)
            ok(run("panic", "staff-assist", "--wait", "20", at=now, data_dir=data))
            ok(
                run(
                    "panic",
                    "lockdown",
                    "--wait",
                    "20",
                    at=now - timedelta(minutes=10) + timedelta(seconds=5),
                    data_dir=data,
                )
            )
        rows = console.service.db.read().all("SELECT action FROM incidents")
        sent = console.service.db.read().all("SELECT action, sent FROM alerts ORDER BY seq")
    assert [r[0] for r in rows] == ["LOCKDOWN"], sent
    assert sent[1][1] > sent[0][1]  # the press made later is later by CAP sent too


# --- a desk's clock set right between its hub's measure and a release -----------------------------------------
@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    from frontdesk.demo.oneroster import write_bundle

    folder = tmp_path_factory.mktemp("sis") / "bundle"
    return folder, write_bundle(folder)


@pytest.mark.parametrize("set_right", ["releasing desk", "other desk"])
def test_a_child_released_just_after_a_desks_clock_was_set_right_is_out_at_every_desk(tmp_path, roster, set_right):
    """Session 21: a release carries its desk's offset from the hub's clock (measured at each pull), so a desk
    whose clock is a day behind still signs the child out "today" at the others. But the clock gets set right
    (the amber warning asks for it; NTP comes back), and the offset measured before it stood until the desk's
    next pull: a release made in between was read as tomorrow's at the other desk (or yesterday's, when it was
    the other desk's clock that was set right), the child not out there, and could be released a second time."""
    from tests.hub_sync_support import SCHOOL, Desk, Hub, student, students_out, with_roster
    from tests.hub_sync_support import release as release_at

    hub = Hub(f"sqlite:///{tmp_path / 'hub.db'}").start()
    try:
        side = with_roster(Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL), roster)
        main = with_roster(Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL), roster)
        wrong = side if set_right == "releasing desk" else main
        wrong.clock_offset = -26 * 3600  # a dead clock battery: a day and two hours behind
        for desk in (main, side, main):
            desk.sync()  # each measures its clock against the hub's
        assert wrong.json("sync", "status")["clock_off_s"] is not None  # type: ignore[index]
        wrong.clock_offset = 0.0  # set right, before this desk's next pull
        number, guardian = student(roster[1], "stu-00150")
        code, done = release_at(side, number, guardian)
        assert code == 0 and done["released"], done
        side.sync()
        main.sync()
        assert students_out(main) == [number] and students_out(side) == [number]
        twice = main.run("students", "release", number, "--to", guardian, "--reason", "Dentist")
        assert twice.returncode == 2 and "already signed out" in twice.stderr, (twice.stdout, twice.stderr)
    finally:
        hub.kill()


# --- retention judges age by the record's place, not only by its stamp ----------------------------------------
def test_retention_keeps_what_a_wrong_clock_stamped_years_ago_minutes_ago(tmp_path):
    """A PC whose clock battery died boots at 2000-01-01 and runs a few minutes before NTP sets it right. Those
    minutes' visits and audit records carry the year 2000. The next retention run took them for 26 years old:
    it deleted those visits, and every audit record up to the last of them (today's included)."""
    data = tmp_path / "desk"
    now = datetime.now(UTC)
    long_ago = now - timedelta(days=800)  # really old: retention should take it
    ok(run("config", "set", "retention.visits_days", "30", at=long_ago, data_dir=data))
    ok(run("config", "set", "retention.audit_years", "1", at=long_ago, data_dir=data))
    old = json.loads(
        ok(run("checkin", "--first-name", "Olga", "--last-name", "Oldwood", "--json", at=long_ago, data_dir=data))
    )
    ok(run("checkout", old["badge_code"], at=long_ago + timedelta(minutes=30), data_dir=data))
    ann = json.loads(
        ok(run("checkin", "--first-name", "Ann", "--last-name", "Early", "--json", at=now, data_dir=data))
    )
    ok(run("checkout", ann["badge_code"], at=now + timedelta(seconds=30), data_dir=data))
    dead_battery = utc("2000-01-01T08:00:00-05:00")
    bo = json.loads(
        ok(
            run(
                "checkin",
                "--first-name",
                "Bo",
                "--last-name",
                "Wrongclock",
                "--json",
                at=dead_battery,
                data_dir=data,
            )
        )
    )
    ok(run("checkout", bo["badge_code"], at=dead_battery + timedelta(minutes=5), data_dir=data))
    ok(run("checkin", "--first-name", "Cy", "--last-name", "After", at=now + timedelta(minutes=1), data_dir=data))

    report = json.loads(ok(run("retention", "apply", "--json", at=now + timedelta(minutes=2), data_dir=data)))
    assert report["visits"] == 1  # Olga's, 800 days old; Bo's (checked in minutes ago) stays
    assert ok(run("log", "--date", "2000-01-01", "--json", data_dir=data)).count("Wrongclock") == 1
    assert (
        ok(run("log", "--date", long_ago.astimezone(ZoneInfo(NEW_YORK)).date().isoformat(), data_dir=data)).count(
            "Oldwood"
        )
        == 0
    )
    verify = json.loads(run("audit", "verify", "--json", data_dir=data).stdout)
    assert verify["intact"] is True, verify
    kept = json.loads(ok(run("audit", "list", "--json", data_dir=data)))
    check_ins = [r["subject"] for r in kept if r["action"] == "visit.check_in"]
    assert len(check_ins) == 3, check_ins  # Ann's, Bo's and Cy's records stay; only Olga's (800 days) went


def test_the_daily_test_is_sent_on_the_day_after_a_clock_that_ran_a_day_ahead_is_set_right(tmp_path):
    """The daily CAP Test proves the panic path. "Already sent today" was any Test stamped from today's midnight
    on, later days too: a desk whose clock ran a day (or a year) ahead sent its Test there, and once the clock was
    set right it sent none until its clock had caught up with that stamp."""
    from frontdesk.context import Services
    from frontdesk.dispatch.station import StationService
    from tests.dispatch_station_support import set_up_station

    services = Services.open(tmp_path / "desk")
    try:
        set_up_station(services)
        moment = [utc("2027-12-05T10:00:00-05:00")]  # a year ahead (a wrong year typed at the PC)
        station = StationService(
            services.store, services.settings, services.visits, services.events, now=lambda: moment[0]
        )
        assert station.send_daily_test_if_due() is True
        moment[0] = utc("2026-12-05T10:00:00-05:00")  # the clock set right
        assert station.send_daily_test_if_due() is True  # today's Test (none was sent today)
        moment[0] = utc("2026-12-05T15:00:00-05:00")
        assert station.send_daily_test_if_due() is False  # once a day
        assert [e.cap_status for e in station.recent()] == ["Test", "Test"]
    finally:
        services.close()


# --- what a person reads -----------------------------------------------------------------------------------------
def test_the_desks_log_of_the_fall_back_night_says_which_0150_it_means(tmp_path):
    """01:00-02:00 happens twice on the night the clocks go back. A visitor in at 01:50 (EDT) and out twenty
    minutes later read "01:50 out 01:10": the exit before the entry. In that hour the line names the zone."""
    data = tmp_path / "desk"
    came = json.loads(
        ok(
            run(
                "checkin",
                "--first-name",
                "Avery",
                "--last-name",
                "Testwood",
                "--json",
                at=utc("2026-11-01T01:50:00-04:00"),
                data_dir=data,
            )
        )
    )
    ok(run("checkout", came["badge_code"], at=utc("2026-11-01T01:10:00-05:00"), data_dir=data))
    ok(
        run(
            "checkin",
            "--first-name",
            "Blake",
            "--last-name",
            "Sample",
            at=utc("2026-11-01T09:00:00-05:00"),
            data_dir=data,
        )
    )
    lines = ok(run("log", "--date", "2026-11-01", data_dir=data)).splitlines()
    assert lines[0].startswith("01:50 EDT out 01:10 EST  "), lines
    assert lines[1].startswith("09:00  "), lines  # any other hour as before
    # the day's bounds held on this 25-hour day (and the JSON carries each offset, as before)
    assert [
        v["time_out"] for v in json.loads(ok(run("log", "--date", "2026-11-01", "--json", data_dir=data)))
    ] == [
        "2026-11-01T01:10:00-05:00",
        None,
    ]


# --- notifications ---------------------------------------------------------------------------------------------
def test_a_barred_visitor_turned_away_again_is_told_after_a_clock_that_ran_ahead_was_set_right(tmp_path):
    """A repeat of the same event within ``notify.group_minutes`` is counted on the first message instead of
    being sent again. "Within" was "stamped since 15 minutes ago", so a message stamped by a clock running a day
    ahead swallowed every repeat until the clock had caught up: the barred person's return told no one."""
    data = tmp_path / "desk"
    person = ("--first-name", "Robert", "--last-name", "Barredman", "--dob", "1975-05-05")
    ok(run("notify", "add", "sro@school.example", "--events", "match", data_dir=data))
    ok(run("barred", "add", "--source", "Office", *person, data_dir=data))
    now = datetime.now(UTC)
    ahead = run("checkin", *person, at=now + timedelta(days=1), data_dir=data)  # the PC's clock a day ahead
    assert ahead.returncode == 4, ahead.stderr
    again = run("checkin", *person, at=now + timedelta(minutes=1), data_dir=data)  # set right; he is back
    assert again.returncode == 4, again.stderr
    sent = json.loads(ok(run("notify", "outbox", "--json", data_dir=data)))
    assert len([m for m in sent if m["event"] == "match"]) == 2, sent


# --- tried, and it held (kept so it goes on holding) -----------------------------------------------------------
def test_a_visit_across_midnight_and_the_dst_hour_stays_on_site_and_on_the_roster_and_counts_once(tmp_path):
    from tests.pdf_text import pdf_text

    data = tmp_path / "desk"
    # In at 23:50 on Saturday 31 October; the clocks go back at 02:00 on Sunday 1 November, after midnight.
    came = json.loads(
        ok(
            run(
                "checkin",
                "--first-name",
                "Nora",
                "--last-name",
                "Nightwood",
                "--category",
                "contractor",
                "--json",
                at=utc("2026-10-31T23:50:00-04:00"),
                data_dir=data,
            )
        )
    )
    after_midnight = utc("2026-11-01T01:30:00-05:00")  # the second 01:30 of the night, 2 h 40 min later
    on_site = json.loads(ok(run("onsite", "--json", at=after_midnight, data_dir=data)))
    assert [v["last_name"] for v in on_site] == ["Nightwood"]
    ok(run("roster", "--out", str(tmp_path / "roster.pdf"), at=after_midnight, data_dir=data))
    assert "Nightwood" in pdf_text(tmp_path / "roster.pdf")
    closed = run(
        "close-day", "--note", "left without signing out", "--date", "2026-10-31", at=after_midnight, data_dir=data
    )
    assert "Nightwood" in ok(closed)  # the day she came in closes her visit
    logs = {d: ok(run("log", "--date", d, "--json", data_dir=data)) for d in ("2026-10-31", "2026-11-01")}
    assert [d for d, out in logs.items() if came["badge_code"] in out] == ["2026-10-31"]  # one day, not two


def test_volunteer_hours_across_the_dst_hour_and_midnight_are_the_hours_served(tmp_path):
    data = tmp_path / "desk"
    ok(
        run(
            "volunteers",
            "add",
            "--first-name",
            "Val",
            "--last-name",
            "Helper",
            "--check-expires",
            "2027-06-30",
            at=utc("2026-10-01T12:00:00-04:00"),
            data_dir=data,
        )
    )
    stints = [
        ("2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00"),  # the repeated hour: 1 h, not 0
        ("2026-11-01T23:30:00-05:00", "2026-11-02T00:30:00-05:00"),  # across midnight: 1 h, on the day begun
        ("2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00"),  # the skipped hour: 1 h, not 2
    ]
    for came, left in stints:
        visit = json.loads(
            ok(
                run(
                    "checkin",
                    "--first-name",
                    "Val",
                    "--last-name",
                    "Helper",
                    "--category",
                    "volunteer",
                    "--json",
                    at=utc(came),
                    data_dir=data,
                )
            )
        )
        ok(run("checkout", visit["badge_code"], at=utc(left), data_dir=data))
    hours = json.loads(
        ok(run("volunteers", "hours", "--from", "2026-03-01", "--to", "2026-11-01", "--json", data_dir=data))
    )
    assert [v["hours"] for v in hours["visits"]] == [1.0, 1.0, 1.0] and hours["total_hours"] == 3.0
    next_day = json.loads(
        ok(run("volunteers", "hours", "--from", "2026-11-02", "--to", "2026-11-02", "--json", data_dir=data))
    )
    assert next_day["total_hours"] == 0


def test_a_clock_offset_past_the_calendar_is_ignored_like_any_unreadable_one(tmp_path):
    """FRONTDESK_CLOCK_OFFSET_SECONDS (a drill's wrong clock) of 3e11 s put "now" past the year 9999: every command
    ended in a traceback. An offset beyond a century is ignored, as one that is not a number always was."""
    for bad in ("3e11", "-6.4e10", "nan", "inf", "ten"):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "FRONTDESK_CLOCK_OFFSET_SECONDS": bad}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "ui.main",
                "--data-dir",
                str(tmp_path / "desk"),
                "checkin",
                "--first-name",
                "Avery",
                "--last-name",
                f"Testwood {bad}",
                "--json",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            cwd=ROOT,
        )
        assert done.returncode == 0 and "Traceback" not in done.stderr, (bad, done.stderr[-500:])
        came = datetime.fromisoformat(json.loads(done.stdout)["time_in"])
        assert abs((came - datetime.now(UTC)).total_seconds()) < 600  # the machine's own clock


# --- backups ---------------------------------------------------------------------------------------------------
def test_the_backup_just_taken_by_a_clock_years_behind_is_kept(tmp_path):
    """Backups are named by the time they were taken, and rotation dropped the oldest names: a backup taken while
    the clock said 2000-01-01 (a dead clock battery) had the oldest name, and was deleted as it was made; the
    command printed the path of a file that was no longer there."""
    data = tmp_path / "desk"
    ok(run("config", "set", "backup.keep", "2", data_dir=data))
    ok(run("checkin", "--first-name", "Avery", "--last-name", "Testwood", data_dir=data))
    for _ in range(2):
        ok(run("backup", data_dir=data))
    made = ok(run("backup", at=utc("2000-01-01T08:00:00Z"), data_dir=data)).strip().splitlines()[-1]
    assert Path(made).exists(), made
    listed = ok(run("backup", "--list", data_dir=data)).split()
    assert made in listed and len(listed) == 2  # the newest taken, and the newest before it


def test_a_backup_stamped_by_a_clock_that_ran_ahead_does_not_stop_the_daily_backups(tmp_path):
    """Due was "the newest backup by name is older than backup.every_hours": one taken while the PC's clock ran
    a year ahead (its name and its file time a year on) made every later backup not due for a year."""
    from frontdesk.context import Services

    data = tmp_path / "desk"
    ok(run("checkin", "--first-name", "Avery", "--last-name", "Testwood", data_dir=data))
    ahead = datetime.now(UTC) + timedelta(days=365)
    made = Path(ok(run("backup", at=ahead, data_dir=data)).strip().splitlines()[-1])
    os.utime(made, (ahead.timestamp(), ahead.timestamp()))  # the file's time, as that PC's clock wrote it
    services = Services.open(data)
    try:
        assert services.backups.due() is True  # no backup taken by today's clock: one is due
        services.backups.make("scheduled")
        assert services.backups.due() is False  # and once taken, not again for a day
        assert services.backups.due(datetime.now(UTC) + timedelta(hours=25)) is True
    finally:
        services.close()


def test_a_retention_run_stamped_by_a_clock_that_ran_ahead_does_not_stop_the_daily_run(tmp_path):
    """Retention runs once a day: "due" was 24 hours after the last run's record. A run while the PC's clock ran a
    year ahead stopped the district's policy (visits and ID details kept past their days) for a year."""
    from frontdesk.context import Services

    data = tmp_path / "desk"
    ok(run("config", "set", "retention.visits_days", "30", data_dir=data))
    ok(run("retention", "apply", at=datetime.now(UTC) + timedelta(days=365), data_dir=data))
    services = Services.open(data)
    try:
        assert services.retention.due() is True
        services.retention.apply()
        assert services.retention.due() is False  # once a day
    finally:
        services.close()


def test_a_notification_waiting_to_be_retried_is_not_held_up_by_a_clock_stepped_back(tmp_path):
    """A message the mail server did not take is tried again after 1, 2, 4 … minutes. The next try was a stamped
    time: after the clock was stepped back two hours (an NTP correction), the SRO's text about a barred visitor
    waited those two hours on top. A next try further off than its backoff is due at once."""
    import socket

    from frontdesk.context import Services
    from frontdesk.notifications.sender import Sender, channels_from_settings

    with socket.socket() as closed:  # a mail server that refuses connections
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    data = tmp_path / "desk"
    person = ("--first-name", "Robert", "--last-name", "Barredman", "--dob", "1975-05-05")
    ok(run("config", "set", "notify.smtp_server", f"127.0.0.1:{port}", data_dir=data))
    ok(run("config", "set", "notify.smtp_security", "none", data_dir=data))
    ok(run("config", "set", "notify.from", "frontdesk@school.example", data_dir=data))
    ok(run("notify", "add", "sro@school.example", "--events", "match", data_dir=data))
    ok(run("barred", "add", "--source", "Office", *person, data_dir=data))
    assert run("checkin", *person, data_dir=data).returncode == 4
    services = Services.open(data)
    try:
        moment = [datetime.now(UTC)]
        settings = services.settings
        sender = Sender(services.store, settings, lambda: channels_from_settings(settings), now=lambda: moment[0])
        assert [a.state for a in sender.send_due()] == ["queued"]  # refused: tried again in a minute
        moment[0] = moment[0] - timedelta(hours=2) + timedelta(seconds=5)  # stepped back two hours
        assert [a.state for a in sender.send_due()] == ["queued"]  # tried again now (and refused again)
        attempts = services.store.db.execute("SELECT attempts FROM notify_outbox").fetchone()[0]
        assert attempts == 2
    finally:
        services.close()


def test_a_date_of_birth_of_tomorrow_is_in_the_future_in_the_evening_too(tmp_path):
    """ "A date of birth in the future is bad input at every door": "today" was the UTC date, so in New York from
    19:00 (midnight UTC) a date of birth of tomorrow went in."""
    data = tmp_path / "desk"
    evening = utc("2026-12-04T20:00:00-05:00")
    done = run(
        "checkin",
        "--first-name",
        "Avery",
        "--last-name",
        "Testwood",
        "--dob",
        "2026-12-05",
        at=evening,
        data_dir=data,
    )
    assert done.returncode == 2 and "in the future" in done.stderr, (done.stdout, done.stderr)
    ok(
        run(
            "checkin",
            "--first-name",
            "Avery",
            "--last-name",
            "Testwood",
            "--dob",
            "2026-12-04",
            at=evening,
            data_dir=data,
        )
    )  # born today: not in the future


def test_retention_keeps_a_panic_message_a_wrong_clock_stamped_years_ago(tmp_path, keyring_file):
    """The panic outbox's finished messages go with the visits' days, by their press time: a Test sent while
    the clock said 2000-01-01 (minutes ago, in truth) went at the next retention run with the really old ones."""
    from frontdesk.context import Services
    from tests.dispatch_station_support import console_at, set_up_station

    data = tmp_path / "desk"
    now = datetime.now(UTC)
    with console_at(tmp_path / "console") as console:
        services = Services.open(data)
        try:
            set_up_station(services)
            with console.up():
                services.station.connect(console.url, console.credential)
        finally:
            services.close()
        ok(run("config", "set", "retention.visits_days", "30", data_dir=data))
        with console.up():
            for at in (now - timedelta(days=800), now, utc("2000-01-01T08:00:00-05:00")):
                ok(run("panic", "lockdown", "--test", "--wait", "20", at=at, data_dir=data))  # each its own
    report = json.loads(ok(run("retention", "apply", "--json", at=now + timedelta(minutes=1), data_dir=data)))
    assert report["panic_messages"] == 1, report  # the Test of 800 days ago; the 2000-01-01 one is minutes old


def test_a_visitor_on_site_since_an_earlier_day_shows_that_day_on_the_roster_and_onsite(tmp_path):
    """The emergency roster and ``onsite`` gave only HH:MM: a visitor nobody checked out three days ago read
    "13:00", as if in the building since this afternoon (the console already shows the day for such a visit)."""
    from tests.pdf_text import pdf_text

    data = tmp_path / "desk"
    ok(
        run(
            "checkin",
            "--first-name",
            "Stale",
            "--last-name",
            "Leftover",
            at=utc("2026-12-02T13:00:00-05:00"),
            data_dir=data,
        )
    )
    ok(
        run(
            "checkin",
            "--first-name",
            "Fresh",
            "--last-name",
            "Morning",
            at=utc("2026-12-05T08:00:00-05:00"),
            data_dir=data,
        )
    )
    now = utc("2026-12-05T09:00:00-05:00")
    lines = ok(run("onsite", at=now, data_dir=data)).splitlines()
    assert lines[0].startswith("2026-12-02 13:00  ") and "Leftover" in lines[0], lines
    assert lines[1].startswith("08:00  ") and "Morning" in lines[1], lines  # today's: the time alone, as before
    log = ok(run("log", "--date", "2026-12-02", at=now, data_dir=data)).splitlines()
    assert log[0].startswith("13:00  "), log  # a day's log: that day's times alone
    ok(run("roster", "--out", str(tmp_path / "roster.pdf"), at=now, data_dir=data))
    drawn = pdf_text(tmp_path / "roster.pdf")
    assert "12/02" in drawn and "13:00" in drawn and "08:00" in drawn


# --- the reunification laptop's clock ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def template(students_template):
    return students_template


def test_a_merged_release_of_another_day_is_said_not_silently_left_in_the_building(staffed, tmp_path, monkeypatch):
    """The reunification laptop (a restored copy of the desk's data) records each release at its own clock, and
    the desk writes them as movements at those times. A laptop a day behind: the children it released were
    yesterday's releases at the desk, not signed out today, and a second release there went through, without a
    word. The desk cannot tell a wrong clock from a record merged a day late; the merge now says which releases
    carry another day ("released_not_today"), for the office to check."""
    from tests.students_fixtures import PRINCIPAL_PW

    desk = staffed.store.data_dir
    number = staffed.store.db.execute("SELECT sourced_id FROM students ORDER BY id LIMIT 1").fetchone()[0]
    adult = staffed.students.pickups(staffed.students.get(number))[0].name
    staffed.close()
    copy = json.loads(ok(run("backup", "--json", data_dir=desk)))["file"]
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    shutil.copy(copy, laptop / "copy.db")
    ok(run("restore", str(laptop / "copy.db"), data_dir=laptop / "data"))
    behind, site = datetime.now(UTC) - timedelta(hours=26), laptop / "data"
    ok(run("reunify", "start", "--site", "Stadium", at=behind, data_dir=site))
    asked = json.loads(ok(run("reunify", "ask", number, "--to", adult, "--json", at=behind, data_dir=site)))
    ok(run("reunify", "send", asked["card"], "--runner", "Coach Runner", at=behind, data_dir=site))
    ok(run("reunify", "release", asked["card"], at=behind, data_dir=site))
    ok(run("reunify", "end", at=behind, data_dir=site))
    monkeypatch.setenv("FRONTDESK_PASSWORD", PRINCIPAL_PW)
    record = tmp_path / "stadium.json"
    ok(run("--user", "p.nakamura", "reunify", "record", str(record), at=behind, data_dir=site))
    said = ok(run("--user", "p.nakamura", "reunify", "merge", str(record), data_dir=desk))
    assert "another day's time" in said and number in said, said
    again = json.loads(ok(run("--user", "p.nakamura", "reunify", "merge", str(record), "--json", data_dir=desk)))
    assert again["released"] == 0 and again["released_not_today"] == []  # merged before: nothing new
