"""Demo mode's staff accounts and a few weeks of visit history for the review window (all invented)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from frontdesk import clock
from frontdesk.access.roles import Role
from frontdesk.demo.people import FIRST, LAST, PURPOSES, STAFF, visit_categories
from frontdesk.models import Visitor

# Shown on the demo's sign-in screen; never used outside demo mode.
DEMO_ACCOUNTS = [
    ("admin", Role.ADMIN, "demo-admin", "Dana Admin"),
    ("principal", Role.PRINCIPAL, "demo-principal", "Dr. Nakamura"),
    ("desk.pat", Role.DESK, "1234", "Pat Demo"),
    ("desk.sam", Role.DESK, "5678", "Sam Demo"),
]
DEMO_HINT = "Demo: desk PINs 1234 (Pat) and 5678 (Sam); principal / demo-principal; admin / demo-admin."


def seed_history(services, rng: random.Random) -> None:
    """Four weeks of past visits (school days), so the review has days, hours and categories to show."""
    db = services.store.db
    db.execute("PRAGMA synchronous=OFF")  # a throw-away folder: no need to sync each of these commits
    try:
        today = clock.now().astimezone().date()
        people = [Visitor(rng.choice(FIRST), rng.choice(LAST)) for _ in range(40)]
        for back in range(28, 0, -1):
            day = today - timedelta(days=back)
            if day.weekday() >= 5:
                continue
            for _ in range(rng.randrange(6, 16)):
                moment = datetime.combine(day, time(rng.randrange(7, 16), rng.randrange(60))).astimezone()
                desk = services.checkin.at(
                    now=lambda m=moment: m,
                    station=rng.choice(["Main office desk", "East entrance"]),
                    staff=rng.choice(["Pat Demo", "Sam Demo"]),
                )
                staff, room = rng.choice(STAFF)
                visit = desk.admit(
                    rng.choice(people),
                    category=rng.choice(visit_categories()),
                    purpose=rng.choice(PURPOSES),
                    destination=f"{staff} ({room})",
                    again=True,
                )
                # Past visitors all signed out, so the desk's On site list shows today's only.
                leave = moment + timedelta(minutes=rng.randrange(10, 180))
                services.visits.elsewhere(now=lambda m=leave: m).check_out(visit.id)
    finally:
        db.execute("PRAGMA synchronous=FULL")


def seed_staff(services, rng: random.Random) -> None:
    """The demo's accounts; the administrator stays signed in so later seeders may do anything."""
    admin, role, secret, name = DEMO_ACCOUNTS[0]
    services.accounts.add(admin, role, secret, name)
    services.accounts.sign_in(admin, secret)
    for username, role, secret, name in DEMO_ACCOUNTS[1:]:
        services.accounts.add(username, role, secret, name)
