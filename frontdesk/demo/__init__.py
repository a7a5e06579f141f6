"""Demo mode: a throw-away data folder with synthetic visitors, a staff directory and visits.

Every name here is invented. Features seed their own demo data through ``SEEDERS`` (a list of functions
taking the services), so demo mode grows with the product.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from frontdesk import settings as s
from frontdesk.context import Services
from frontdesk.demo.accounts import seed_history, seed_staff
from frontdesk.demo.notify import seed_notify
from frontdesk.demo.people import FIRST, LAST, PURPOSES, ROOMS, STAFF, visit_categories
from frontdesk.demo.screening import seed_screening
from frontdesk.demo.students import seed_students
from frontdesk.demo.volunteers import seed_volunteers
from frontdesk.models import Visitor

Seeder = Callable[[Services, random.Random], None]
SEEDERS: list[Seeder] = []


def seed_core(services: Services, rng: random.Random) -> None:
    """School settings, directory, past visits and a few visitors on site now."""
    st = services.settings
    st.set(s.SCHOOL_NAME, "Maple Grove Elementary (DEMO)")
    st.set(s.SCHOOL_ADDRESS, "100 Example Lane, Springfield")
    st.set(s.SCHOOL_PHONE, "555-0100")
    st.set(s.STATION_NAME, "Main office desk")
    st.set(s.STATION_ROOM, "Room 101, front office")
    st.set(s.STAFF_NAME, "Pat Demo")
    services.visits.station = "Main office desk"
    services.visits.staff = "Pat Demo"
    for name, room in STAFF:
        services.directory.add(name, "staff", room)
    for room in ROOMS:
        services.directory.add(room, "room")
    people = [
        Visitor(
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            dob=date(1960, 1, 1) + timedelta(days=rng.randrange(15000)),
        )
        for _ in range(12)
    ]
    for person in people[:5]:
        staff, room = rng.choice(STAFF)
        services.checkin.admit(
            person,
            category=rng.choice(visit_categories()),
            purpose=rng.choice(PURPOSES),
            destination=f"{staff} ({room})",
            again=True,
        )
    # Two of them leave again, so the log shows both kinds.
    for visit in services.visits.on_site()[:2]:
        services.visits.check_out(visit.badge_code)


# Staff accounts come last of the core's seeders; the administrator stays signed in, so seeders appended
# after these may still do anything.
SEEDERS += [seed_core, seed_screening, seed_history, seed_staff, seed_volunteers, seed_students, seed_notify]


def demo_data_dir() -> Path:
    """A new throw-away folder for one demo session."""
    return Path(tempfile.mkdtemp(prefix="frontdesk-demo-"))


def demo_services(data_dir: Path | None = None, seed: int = 7) -> Services:
    """Services over a fresh demo folder, seeded by every registered seeder."""
    services = Services.open(data_dir or demo_data_dir())
    rng = random.Random(seed)
    for seeder in SEEDERS:
        seeder(services, rng)
    return services
