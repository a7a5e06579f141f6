"""Demo mode: a throw-away data folder with synthetic visitors, a staff directory and visits.

Every name here is invented. Features seed their own demo data through ``SEEDERS`` (a list of functions
taking the services), so demo mode grows with the product.
"""

from __future__ import annotations

import atexit
import os
import random
import shutil
import tempfile
import time
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


DEMO_PREFIX = "frontdesk-demo-"
_OWNER = "owner.pid"  # the process a demo folder belongs to, so the next start can tell a leftover


def demo_data_dir() -> Path:
    """A new throw-away folder for one demo session (leftovers of earlier sessions are removed first)."""
    clean_stale_demo_folders()
    folder = Path(tempfile.mkdtemp(prefix=DEMO_PREFIX))
    (folder / _OWNER).write_text(str(os.getpid()))
    return folder


def _alive(pid: int, folder: Path) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would send Ctrl+C there: a day-old folder counts as left over
        return time.time() - folder.stat().st_mtime < 86_400
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists (on Windows too, for our own user)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's, or cannot tell: leave it
    return True


def clean_stale_demo_folders(parent: Path | None = None) -> list[Path]:
    """Remove demo folders whose session has ended (a crash or a kill left them behind); returns them."""
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob(DEMO_PREFIX + "*"):
        try:
            pid = int((folder / _OWNER).read_text().strip())
        except (OSError, ValueError):
            # No owner file (a demo from before owners were written): a day untouched counts as left over.
            try:
                stale = time.time() - folder.stat().st_mtime > 86_400
            except OSError:
                continue
            if stale and (folder / "frontdesk.db").exists():
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
            continue
        if not _alive(pid, folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def discard(services: Services, folder: Path) -> None:
    """Close a demo session's services and remove its throw-away folder (at exit)."""
    try:
        services.close()
    except Exception:  # noqa: BLE001 - already closed by its owner: only the folder is left to remove
        pass
    shutil.rmtree(folder, ignore_errors=True)


def demo_services(data_dir: Path | None = None, seed: int = 7) -> Services:
    """Services over a fresh demo folder, seeded by every registered seeder.

    A throw-away folder (no ``data_dir``) is removed when the process exits; one a crash left behind is
    removed at the next demo start.
    """
    folder = data_dir or demo_data_dir()
    services = Services.open(folder)
    if data_dir is None:
        atexit.register(discard, services, folder)
    rng = random.Random(seed)
    for seeder in SEEDERS:
        seeder(services, rng)
    return services
