"""Retention at the hub (issue 16): the district's retention settings applied to the visits and changes desks
sent up, per school, and to the trail of list changes under the district default, recorded in the hub's
append-only log; the trail stays append-only otherwise; ``frontdesk district retention apply`` as a process;
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from district import clock
from district.console.db import Database
from district.console.schema import migrate
from district.hub.retention import HubRetention
from district.hub.settings import DistrictSettings
from tests.cli_helpers import frontdesk, text

OLD = "2025-01-06T08:00:00.000000Z"  # a finished visit long ago (the desk's time)


def _visit(visit_id: int, name: str, checked_in_at: str, out: str | None) -> dict:
    return {
        "visit_id": visit_id,
        "name": name,
        "name_key": name.lower(),
        "dob": None,
        "category": "visitor",
        "purpose": "Meeting",
        "host": "Room 4",
        "staff": "Pat Demo",
        "badge_code": f"BADGE{visit_id:07d}",
        "checked_in_at": checked_in_at,
        "checked_out_at": out,
    }


def _push(console, headers, station_id: str, changes: list[dict]) -> None:
    body = {"station_id": station_id, "changes": changes}
    httpx.post(f"{console.url}/api/v1/sync/push", json=body, headers=headers).raise_for_status()


def _change(seq: int, kind: str, body: dict) -> dict:
    return {"seq": seq, "kind": kind, "subject": f"visit {seq}", "made_at": OLD, "body": body}


def _received_long_ago(db: Database) -> None:
    """Every change the hub has, as if it had received it at OLD (by the hub's clock)."""
    with db.transaction() as tx:
        tx.execute("UPDATE hub_changes SET received_at = ?", [OLD])


def _count(db: Database, sql: str, params=()) -> int:
    return int(db.read().one(sql, list(params))[0])


def _trail_line(db: Database, at: str, name: str) -> None:
    """One line of the trail of list changes (appending is what the trail allows), at ``at``."""
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO hub_list_log (at, actor, action, source, entry_id, version, detail) "
            "VALUES (?, 'Dana Admin', 'add', 'District barred list', 1, 1, ?)",
            [at, json.dumps({"name": name})],
        )


def test_the_hub_keeps_what_each_schools_retention_allows_and_logs_it(console, console_db_url):
    a, ha = console.enroll(station="Main office")  # Maple Grove Elementary
    o, ho = console.enroll(school="Oak Hill Middle", station="Front")
    now = clock.to_db(clock.now())
    for station, headers, prefix in ((a, ha, "Maple"), (o, ho, "Oak")):
        _push(
            console,
            headers,
            station.station_id,
            [
                _change(
                    1, "visit.check_in", {"visit": _visit(1, f"{prefix} Old", OLD, "2025-01-06T09:00:00.000000Z")}
                ),
                _change(2, "visit.check_in", {"visit": _visit(2, f"{prefix} Onsite", OLD, None)}),  # never left
                _change(3, "visit.check_in", {"visit": _visit(3, f"{prefix} Today", now, None)}),
                _change(4, "badge.print", {"actor": "desk", "details": {"row": "visits:3"}}),
            ],
        )
    db = console.service.db
    retention = HubRetention(db)
    # Nothing set: everything is kept.
    assert not any(s.anything for s in retention.apply().schools)
    assert _count(db, "SELECT COUNT(*) FROM hub_visits") == 6

    settings = DistrictSettings(db)
    settings.set("retention.visits_days", 30, actor="test")  # district default
    settings.set("retention.audit_years", 1, actor="test")
    settings.set("retention.visits_days", 0, actor="test", school="Oak Hill Middle")  # Oak keeps its visits

    # "Maple Old" began long ago by the desk's clock, but the hub got its check-out today: a desk whose clock is
    # behind sends old times, and another desk of the school may not have pulled the check-out yet (removing
    # the visit now left the visitor on site there for ever). It goes once the hub has had it that long.
    assert retention.apply().total("visits") == 0
    assert _count(db, "SELECT COUNT(*) FROM hub_visits") == 6
    month = clock.now() + timedelta(days=31)  # the hub's clock, a month on
    dry = retention.apply(dry_run=True, now=month)
    assert dry.total("visits") == 1 and _count(db, "SELECT COUNT(*) FROM hub_visits") == 6  # dry: nothing goes

    done = retention.apply(now=month)
    assert done.total("visits") == 1
    names = sorted(r[0] for r in db.read().all("SELECT name FROM hub_visits"))
    assert names == ["Maple Onsite", "Maple Today", "Oak Old", "Oak Onsite", "Oak Today"]  # the open stays
    maple = {s.school: s for s in done.schools}["Maple Grove Elementary"]
    assert maple.visit_changes == 3 and maple.other_changes == 0  # received more than 30 days before

    # A year and more later (the hub's clock): the other changes received then go too, under their rule.
    later = retention.apply(now=clock.now() + timedelta(days=400))
    by_school = {s.school: s for s in later.schools}
    assert by_school["Maple Grove Elementary"].visit_changes == 0
    assert by_school["Maple Grove Elementary"].other_changes == 1
    assert by_school["Oak Hill Middle"].visit_changes == 0 and by_school["Oak Hill Middle"].other_changes == 1
    assert _count(db, "SELECT COUNT(*) FROM hub_changes WHERE school = 'Oak Hill Middle'") == 3

    logged = [json.loads(r[0]) for r in db.read().all("SELECT detail FROM log WHERE kind = 'retention_applied'")]
    assert [(d["school"], d["visits"]) for d in logged][:1] == [("Maple Grove Elementary", 1)]
    assert len(logged) == 3  # each run that removed something, per school; dry runs and empty runs none


def test_district_retention_apply_command(console, console_db_url, tmp_path):
    a, ha = console.enroll(station="Main office")
    _push(
        console,
        ha,
        a.station_id,
        [_change(1, "visit.check_in", {"visit": _visit(1, "Avery Testwood", OLD, "2025-01-06T09:00:00.000000Z")})],
    )
    DistrictSettings(console.service.db).set("retention.visits_days", 30, actor="test", locked=True)
    DistrictSettings(console.service.db).set("retention.audit_years", 7, actor="test")
    db = console.service.db
    _received_long_ago(db)
    _trail_line(db, clock.to_db(clock.now() - timedelta(days=8 * 365)), "Robert Testperson")
    _trail_line(db, clock.to_db(clock.now()), "Robert Testperson")
    dry = frontdesk("district", "retention", "apply", "--dry-run", "--json", "--db", console_db_url)
    out, err = text(dry)
    assert dry.returncode == 0, err
    assert json.loads(out)["visits"] == 1 and json.loads(out)["dry_run"] is True
    assert json.loads(out)["list_trail"] == 1
    assert _count(db, "SELECT COUNT(*) FROM hub_visits") == 1
    assert _count(db, "SELECT COUNT(*) FROM hub_list_log") == 2
    done = frontdesk("district", "retention", "apply", "--db", console_db_url)
    out, err = text(done)
    assert done.returncode == 0, err
    assert "removed 1 visits" in out and "1 lines of the trail of list changes" in out
    assert _count(db, "SELECT COUNT(*) FROM hub_visits") == 0
    assert _count(db, "SELECT COUNT(*) FROM hub_list_log") == 1
    assert (
        _count(db, "SELECT COUNT(*) FROM log WHERE kind = 'retention_applied'") == 2
    )  # the school's, the trail's


def test_the_running_hub_applies_retention_itself(console_db_url, monkeypatch):
    import time

    from district.console.server import running
    from district.console.service import ConsoleService
    from tests.dispatch_fixtures import Console

    monkeypatch.setenv("FRONTDESK_HUB_RETENTION_FIRST_S", "0.5")  # "daily", made short for the test
    monkeypatch.setenv("FRONTDESK_HUB_RETENTION_EVERY_S", "0.5")
    service = ConsoleService.open(console_db_url, name="east")
    try:
        DistrictSettings(service.db).set("retention.visits_days", 30, actor="test", locked=True)
        with running(service) as url:
            console = Console(service, url)
            a, ha = console.enroll(station="Main office")
            visit = _visit(1, "Avery Testwood", OLD, "2025-01-06T09:00:00.000000Z")
            _push(console, ha, a.station_id, [_change(1, "visit.check_in", {"visit": visit})])
            _received_long_ago(service.db)
            deadline = time.monotonic() + 30
            while _count(service.db, "SELECT COUNT(*) FROM log WHERE kind = 'retention_applied'") == 0:
                assert time.monotonic() < deadline, "the hub did not apply retention"
                time.sleep(0.2)
        assert _count(service.db, "SELECT COUNT(*) FROM hub_visits") == 0
    finally:
        service.close()


def test_the_list_trail_goes_after_the_district_audit_years_and_stays_append_only(console_db_url, monkeypatch):
    import district.hub.retention as retention_module

    monkeypatch.setattr(retention_module, "STEP", 2)  # several steps with a few rows
    monkeypatch.setattr(retention_module, "PAUSE_S", 0.0)
    db = Database(console_db_url)
    try:
        migrate(db)
        now = clock.now()
        old = [clock.to_db(now - timedelta(days=days)) for days in (2000, 1500, 1000, 800, 731)]
        recent = [clock.to_db(now - timedelta(days=days)) for days in (729, 30, 0)]
        for i, at in enumerate(old + recent):
            _trail_line(db, at, f"Robert Testperson {i}")
        retention = HubRetention(db)
        assert retention.apply().list_trail == 0  # nothing set: kept for ever
        settings = DistrictSettings(db)
        settings.set(
            "retention.audit_years", 1, actor="test", school="Oak Hill Middle"
        )  # a school's: not the trail's
        assert retention.apply().list_trail == 0 and _count(db, "SELECT COUNT(*) FROM hub_list_log") == 8

        settings.set("retention.audit_years", 2, actor="test")  # the district default
        dry = retention.apply(dry_run=True, now=now)
        assert dry.list_trail == 5 and dry.as_json()["list_trail"] == 5
        assert _count(db, "SELECT COUNT(*) FROM hub_list_log") == 8  # dry: nothing goes

        done = retention.apply(now=now)
        assert done.list_trail == 5 and done.list_trail_before == clock.to_db(now - timedelta(days=730))
        assert sorted(r[0] for r in db.read().all("SELECT at FROM hub_list_log")) == sorted(recent)
        logged = [
            json.loads(r[0]) for r in db.read().all("SELECT detail FROM log WHERE kind = 'retention_applied'")
        ]
        assert [(d["list_trail"], d["list_trail_before"]) for d in logged] == [(5, done.list_trail_before)]
        assert db.read().one("SELECT at FROM hub_list_log_cutoff")[0] is None  # the cut-off lives in its step only
        assert retention.apply(now=now).list_trail == 0  # nothing more to go; no empty record
        assert _count(db, "SELECT COUNT(*) FROM log WHERE kind = 'retention_applied'") == 1

        # Outside retention, the trail is still append-only: no delete (recent or old), no update.
        _trail_line(db, old[0], "Robert Testperson again")
        for sql in (
            "DELETE FROM hub_list_log",
            f"DELETE FROM hub_list_log WHERE at = '{recent[-1]}'",
            f"DELETE FROM hub_list_log WHERE at = '{old[0]}'",
            "UPDATE hub_list_log SET actor = 'someone else'",
        ):
            with pytest.raises(Exception, match="append-only"), db.transaction() as tx:
                tx.execute(sql)
        # With a cut-off set, a row at or after it is still refused, and an update too.
        for sql in (
            f"DELETE FROM hub_list_log WHERE at >= '{recent[0]}'",
            f"UPDATE hub_list_log SET actor = 'someone else' WHERE at < '{recent[0]}'",
        ):
            with pytest.raises(Exception, match="append-only"), db.transaction() as tx:
                tx.execute("UPDATE hub_list_log_cutoff SET at = ? WHERE id = 1", [recent[0]])
                tx.execute(sql)
        assert _count(db, "SELECT COUNT(*) FROM hub_list_log") == 4
    finally:
        db.close()


def test_sync_marks_of_old_pushes_go_but_each_schools_newest_stays(console_db_url):
    """Sync's marks of pushes (a desk's pull cursor is checked by them) are bookkeeping: those older than
    ``MARKS_DAYS`` go whatever the settings, but never a school's newest, so a quiet school's cursors stay
    checked; a cursor in a push older than every mark kept is still the hub's."""
    from district.hub.sync import HubSync

    db = Database(console_db_url)
    try:
        migrate(db)
        now = clock.now()
        old, recent = clock.to_db(now - timedelta(days=120)), clock.to_db(now - timedelta(days=2))
        with db.transaction() as tx:
            for school, first, at in (
                ("Maple", 1, old),
                ("Maple", 5, old),
                ("Maple", 9, recent),
                ("Oak", 2, old),  # Oak's newest, however old: stays
            ):
                tx.execute(
                    "INSERT INTO hub_push_marks (school, first_seq, last_seq, mark, at) VALUES (?, ?, ?, ?, ?)",
                    [school, first, first + 2, f"m{first}", at],
                )
        HubRetention(db).apply(now=now)
        kept = db.read().all("SELECT school, first_seq FROM hub_push_marks ORDER BY school, first_seq")
        assert [(r[0], int(r[1])) for r in kept] == [("Maple", 9), ("Oak", 2)]

        hub = HubSync(db)
        tx = db.read()
        assert hub._held(tx, "Maple", 10, "9.m9")  # the push it names, with its mark
        assert not hub._held(tx, "Maple", 10, "9.other")  # another push under that number: restored
        assert not hub._held(tx, "Maple", 20, "9.m9")  # past that push: not what the mark names
        assert hub._held(tx, "Maple", 6, "5.m5")  # older than every mark kept: taken as the hub's
        assert not hub._held(tx, "Maple", 13, "12.m12")  # newer than every push held: restored
        assert not hub._held(tx, "Oak", 10, "9.m9")  # per school: Maple's mark says nothing at Oak
        for forged in ("abc", "9", "9.", "-9.m9", "9" * 30 + ".m9"):  # never a mark this hub gave
            assert not hub._held(tx, "Maple", 10, forged)
    finally:
        db.close()
