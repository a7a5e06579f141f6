"""The demo's volunteers (invented): approved, one check expiring soon, one lapsed, one suspended; months of
volunteer visits (one check-out forgotten and closed by close-day); a guest expected today for the kiosk."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from frontdesk import clock
from frontdesk.models import Visitor
from frontdesk.volunteers.models import BackgroundCheck, NewVolunteer

VOLUNTEERS = [
    # first, last, dob, activities, days until the check expires
    ("Avery", "Helpwell", date(1979, 3, 14), ("Library", "Reading buddies"), 320),
    ("Jordan", "Kindman", date(1985, 9, 2), ("Lunch duty",), 18),
    ("Riley", "Pagewright", date(1990, 6, 21), ("Library",), 200),
    ("Morgan", "Oldcheck", date(1972, 11, 5), ("Garden club",), -9),
    ("Casey", "Pausington", date(1968, 1, 30), ("Field trips",), 150),
]


def seed_volunteers(services, rng: random.Random) -> None:
    """Volunteers, their past visits, and an expected guest."""
    today = clock.now().astimezone().date()
    made = []
    for first, last, dob, activities, days in VOLUNTEERS:
        expires = today + timedelta(days=days)
        check = BackgroundCheck(
            "Fingerprint (state)", "Demo Background Checks", expires - timedelta(days=730), "clear", expires
        )
        made.append(
            services.volunteers.add(NewVolunteer(first, last, dob=dob, activities=activities, check=check))
        )
    services.volunteers.suspend(made[4].id, "Paperwork to renew (demo)")
    # Visits over the last four months, while each check was current.
    for v in made[:3]:
        for week in range(1, 17, 2):
            day = today - timedelta(weeks=week, days=rng.randrange(3))
            if day.weekday() >= 5:
                day -= timedelta(days=2)
            moment = datetime.combine(day, time(rng.randrange(8, 12), rng.choice((0, 15, 30)))).astimezone()
            desk = services.checkin.at(now=lambda m=moment: m, station="Main office desk")
            visit = desk.admit(
                Visitor(v.first_name, v.last_name, dob=v.dob),
                category="volunteer",
                purpose=rng.choice(v.activities),
            )
            leave = moment + timedelta(minutes=rng.choice((60, 90, 120, 150, 180)))
            if v.last_name == "Pagewright" and week == 3:
                # Left without signing out: closed at the end of the day by close-day.
                later = services.visits.elsewhere(now=lambda m=moment: m.replace(hour=17, minute=0))
                later.check_out_forgotten(moment + timedelta(minutes=1), "left without signing out")
                continue
            services.visits.elsewhere(now=lambda m=leave: m).check_out(visit.id)
    now = clock.now()
    services.kiosk.preregister(
        "Blake",
        "Guestly",
        "Mr. Okafor (Room 14)",
        now - timedelta(minutes=20),
        now + timedelta(hours=2),
        purpose="Parent conference",
    )
