"""Retention: old visits, ID details and audit records go as the settings say, audited, verifiable after."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta

import pytest

from frontdesk import clock
from frontdesk.models import Visitor
from frontdesk.settings import RETAIN_AUDIT_YEARS, RETAIN_ID_DAYS, RETAIN_VISITS_DAYS
from tests.cli_helpers import frontdesk, text

LATER = timedelta(days=800)  # "now" for the runs below: everything made during the test is old by then


def visitor(last: str, **kw) -> Visitor:
    return Visitor(first_name="Rita", last_name=last, **kw)


def counts(services) -> dict[str, int]:
    db = services.store.db
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("visits", "people", "audit_log")}


def test_nothing_goes_without_settings(services):
    services.checkin.admit(visitor("Keepwood"))
    report = services.retention.apply(now=clock.now() + LATER)
    assert not report.anything and report.visits_before is None
    assert not services.retention.due(clock.now() + LATER)


def test_old_finished_visits_go_and_a_dry_run_changes_nothing(services):
    gone = services.checkin.admit(visitor("Oldwood"))
    services.visits.check_out(gone.badge_code)
    on_site = services.checkin.admit(visitor("Stillherewood"))
    services.settings.set(RETAIN_VISITS_DAYS, 30)
    before = counts(services)

    dry = services.retention.apply(dry_run=True, now=clock.now() + LATER)
    assert dry.dry_run and dry.visits == 1 and dry.people == 1
    assert counts(services) == before

    report = services.retention.apply(now=clock.now() + LATER)
    assert (report.visits, report.people) == (1, 1)
    db = services.store.db
    assert [r[0] for r in db.execute("SELECT badge_code FROM visits")] == [on_site.badge_code]
    assert db.execute("SELECT count(*) FROM people WHERE last_name = 'Oldwood'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM visit_search WHERE visit_search MATCH 'Oldwood'").fetchone()[0] == 0
    (record,) = services.audit.records(action="retention.applied")
    # Run by hand: recorded under who ran it (set-up mode here); the desk's daily run is "system" (below).
    assert record.details["visits"] == 1 and record.actor == "setup"
    assert services.audit.verify().intact
    assert not services.retention.due()  # once a day


def test_id_details_and_photos_go_but_the_visit_stays(services):
    visit = services.checkin.admit(
        visitor("Photowood", id_type="DL", id_issuer="VA", id_last4="1234", photo=b"\xff\xd8synthetic")
    )
    services.settings.set(RETAIN_ID_DAYS, 7)
    report = services.retention.apply(now=clock.now() + LATER)
    assert report.id_details == 1 and report.visits == 0
    row = services.store.db.execute(
        "SELECT last_name, id_type, id_issuer, id_last4, photo FROM people WHERE last_name = 'Photowood'"
    ).fetchone()
    assert row == ("Photowood", None, None, None, None)
    assert services.visits.get(visit.badge_code).visitor.last_name == "Photowood"


def test_old_audit_records_go_behind_a_checkpoint_and_the_chain_still_verifies(services):
    for i in range(5):
        services.checkin.admit(visitor(f"Auditwood{i}"))
    services.settings.set(RETAIN_AUDIT_YEARS, 1)
    head_before = services.audit.head()
    dry = services.retention.apply(dry_run=True, now=clock.now() + LATER)
    assert dry.audit_records == head_before[0] - 1  # all but the newest
    assert services.audit.head() == head_before

    report = services.retention.apply(now=clock.now() + LATER)
    assert report.audit_records == head_before[0] - 1
    result = services.audit.verify()
    assert result.intact, result
    assert services.audit.checkpoint()[0] == head_before[0] - 1
    # The trail is still append-only above the checkpoint, and the checkpoint itself cannot be edited.
    conn = sqlite3.connect(services.store.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_checkpoints SET hash = 'x'")
    conn.close()


def test_cli_retention_apply_dry_run(data_dir):
    assert frontdesk("config", "set", "retention.visits_days", "30", data_dir=data_dir).returncode == 0
    proc = frontdesk("retention", "apply", "--dry-run", data_dir=data_dir)
    assert proc.returncode == 0, text(proc)
    assert text(proc)[0].startswith("would remove: 0 visits")
    proc = frontdesk("retention", "apply", "--json", data_dir=data_dir)
    assert proc.returncode == 0 and '"dry_run": false' in text(proc)[0]


def test_the_daily_run_needs_no_one_signed_in_but_a_person_needs_the_right(services):
    from frontdesk.access.roles import Role
    from frontdesk.errors import PermissionDenied

    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    services.accounts.add("desk.lee", Role.DESK, "2468", "Lee Desk")
    services.settings.set(RETAIN_VISITS_DAYS, 30)
    services.accounts.sign_in("desk.lee", "2468")
    with pytest.raises(PermissionDenied):
        services.retention.apply()
    assert services.retention.apply(dry_run=True).dry_run
    assert services.retention.run_if_due() is not None  # the district's policy, not the person, acts
    services.accounts.sign_in("root", "district-secret")
    services.retention.apply()  # a person runs it by hand (`frontdesk --user root retention apply`): theirs
    actors = [r.actor for r in services.audit.records(action="retention.applied")]
    assert sorted(actors) == ["root", "system"]


def _years_of_finished_visits(data_dir, count: int) -> None:
    """``count`` finished visits of as many people, two years old (written straight into the file: a desk's
    years of visits, made in a second)."""
    then = clock.now() - timedelta(days=730)
    time_in, time_out = clock.to_db(then), clock.to_db(then + timedelta(hours=1))
    with sqlite3.connect(data_dir / "frontdesk.db") as db:
        db.executemany(
            "INSERT INTO people (id, first_name, last_name, name_key, first_key, created_at) VALUES (?,?,?,?,?,?)",
            [
                (n, "Rita", f"Oldwood{n}", f"oldwood{n} rita", f"rita oldwood{n}", time_in)
                for n in range(1, count + 1)
            ],
        )
        db.executemany(
            "INSERT INTO visits (id, person_id, category, time_in, time_out, badge_code) VALUES (?,?,?,?,?,?)",
            [(n, n, "visitor", time_in, time_out, f"OLD{n:08d}") for n in range(1, count + 1)],
        )


def test_a_check_in_goes_in_while_retention_removes_years_of_visits(services, data_dir):
    """The first run after a district turns retention on removes years of visits. It was one transaction: a
    check-in at the desk's window waited for all of it (seconds; past 10 s, "busy"), the window and its panic
    button frozen. Now it goes in steps, and a check-in made during the run goes in between two of them."""
    old = 20_000
    _years_of_finished_visits(data_dir, old)
    services.settings.set(RETAIN_VISITS_DAYS, 365)
    reports = []
    run = threading.Thread(target=lambda: reports.append(services.retention.run_if_due()))
    run.start()
    try:
        deadline = time.monotonic() + 60  # bounds a failure only
        while not services.audit.records(action="retention.applied"):  # the run has removed something
            assert time.monotonic() < deadline, "retention never recorded a removal"
            time.sleep(0.001)
        visit = services.checkin.admit(visitor("Nowwood"))
        left = services.store.db.execute("SELECT count(*) FROM visits WHERE badge_code LIKE 'OLD%'").fetchone()[0]
    finally:
        run.join(120)
    # The check-in was committed while old visits were still there: it did not wait for the whole run.
    assert 0 < left < old
    [report] = reports
    assert (report.visits, report.people) == (old, old)
    db = services.store.db
    assert [r[0] for r in db.execute("SELECT badge_code FROM visits")] == [visit.badge_code]
    assert db.execute("SELECT count(*) FROM people WHERE last_name LIKE 'Oldwood%'").fetchone()[0] == 0
    # Each step is recorded with what it removed, so the audit's coverage knows they went by retention.
    records = services.audit.records(action="retention.applied")
    assert sum(r.details["visits"] for r in records) == old
    assert sorted(i for r in records for i in r.details["removed"]["visits"]) == list(range(1, old + 1))
