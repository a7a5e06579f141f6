"""Session 22's red team of volunteer hours: a volunteer's hours cannot be inflated by never checking out, or by
being checked in twice at once (a second check-in accepted at the desk, a desk and a kiosk). Real services on a
real SQLite folder; the visits are made through the admission workflow at set moments."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from frontdesk.models import Visitor
from frontdesk.volunteers.models import BackgroundCheck, NewVolunteer

TODAY = date.today()
CURRENT = BackgroundCheck(
    "fingerprint", "State police", TODAY - timedelta(days=30), "clear", TODAY + timedelta(days=300)
)
VERA = Visitor("Vera", "Helpwell", dob=date(1980, 5, 6))


def _at(moment: datetime):
    return lambda: moment


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour)).astimezone()


def _visit(services, start: datetime, hours: float | None, *, again: bool = False, purpose: str = "Library"):
    visit = services.checkin.at(now=_at(start)).admit(VERA, category="volunteer", purpose=purpose, again=again)
    if hours is not None:
        services.visits.elsewhere(now=_at(start + timedelta(hours=hours))).check_out(visit.id)
    return visit


def test_a_visit_never_checked_out_counts_at_most_the_forgotten_hours_not_days(services):
    """Found in session 22: a volunteer who checked in at the kiosk three days ago and never checked out (nobody
    ran close-day) was credited every hour since, 70+ hours and growing, in the school's report and the CLI.
    Now a visit still open from an earlier day counts as a forgotten check-out (the setting, 2 h), said so."""
    services.volunteers.add(NewVolunteer("Vera", "Helpwell", dob=VERA.dob, activities=("Library",), check=CURRENT))
    forgotten = _visit(services, _local(TODAY - timedelta(days=3), 9), None)
    report = services.volunteers.hours(TODAY - timedelta(days=5), TODAY)
    (line,) = report.lines
    assert line.visit.id == forgotten.id and line.minutes == 120
    assert "not checked out" in line.rule and "at most 2 h" in line.rule
    assert report.volunteers[0].hours == 2.0 and report.volunteers[0].forgotten == 1


def test_two_visits_at_once_count_the_time_once(services):
    """Found in session 22: admitted a second time while on site (the desk accepts "already on site" on purpose),
    a volunteer's overlapping visits were each counted in full: 9:00-12:00 and 10:00-13:00 gave 6 h for 4 h
    in the building. The time is now counted once, and the second visit says which visit it overlapped."""
    services.volunteers.add(NewVolunteer("Vera", "Helpwell", dob=VERA.dob, activities=("Library",), check=CURRENT))
    day = TODAY - timedelta(days=2)
    first = services.checkin.at(now=_at(_local(day, 9))).admit(VERA, category="volunteer", purpose="Library")
    second = _visit(services, _local(day, 10), 3, again=True, purpose="Lunch duty")
    services.visits.elsewhere(now=_at(_local(day, 12))).check_out(first.id)
    # A third visit inside the first two: nothing more.
    inside = _visit(services, _local(day, 10) + timedelta(minutes=30), 1, again=True)
    report = services.volunteers.hours(day, TODAY)
    (vh,) = report.volunteers
    assert vh.hours == 4.0 and vh.visits == 3
    by_visit = {line.visit.id: line for line in report.lines}
    assert by_visit[first.id].minutes == 180 and by_visit[first.id].rule == ""
    assert by_visit[second.id].minutes == 60 and f"visit {first.id}" in by_visit[second.id].rule
    assert by_visit[inside.id].minutes == 0 and "counted once" in by_visit[inside.id].rule


def test_the_hours_counted_for_a_forgotten_check_out_are_bounded(data_dir):
    """Found in session 22: `config set volunteers.forgotten_checkout_hours 500` was taken, and every forgotten
    check-out (now also every visit left open from an earlier day) counted 500 hours. The setting is 0 to 12
    hours: anything else is refused with one line (exit 2)."""
    from tests.cli_helpers import frontdesk, text

    for value in ("500", "-3", "24.5"):
        done = frontdesk("config", "set", "volunteers.forgotten_checkout_hours", value, data_dir=data_dir)
        assert done.returncode == 2 and len(text(done)[1].strip().splitlines()) == 1, (value, text(done))
    for value in ("0", "4", "12"):
        assert (
            frontdesk("config", "set", "volunteers.forgotten_checkout_hours", value, data_dir=data_dir).returncode
            == 0
        )
