"""Demo students: a small synthetic OneRoster bundle imported, a late arrival, a release, a custody order."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from frontdesk.demo.oneroster import write_bundle
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from frontdesk.students.release import Released, ReleaseRequest

if TYPE_CHECKING:
    from frontdesk.context import Services


def seed_students(services: Services, rng: random.Random) -> None:
    """Import 240 invented students with their guardians; sign one in late and release one."""
    folder = services.store.data_dir / "demo-sis"
    facts = write_bundle(folder, students=240, guardians=360, seed=rng.randrange(1000))
    services.students.import_bundle(folder)
    first, last, _, _ = facts.student["stu-00012"]
    services.lists.add(
        "County court orders",
        NewEntry(
            "Victor",
            "Custodia",
            dob=parse_dob("1979-05-05"),
            kind=Kind.CUSTODY,
            reason="Custody order 2026-FC-118 (demo)",
            students=(f"{first} {last}",),
        ),
        list_kind=Kind.CUSTODY,
    )
    services.students.arrive("100003", reason="Bus late", excused=True)
    guardian = facts.guardian[facts.links["stu-00005"][0]]
    outcome = services.dismissal.release(
        ReleaseRequest(services.students.get("stu-00005"), guardian[0], guardian[1], "Dentist appointment")
    )
    assert isinstance(outcome, Released)
