"""Demo-mode list entries: invented people on a district list, a custody order and a watch entry."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry

if TYPE_CHECKING:
    from frontdesk.context import Services


def seed_screening(services: Services, rng: random.Random) -> None:
    """A few entries, so a demo check-in of "Bob Smyth, 03/14/1980" shows the match card."""
    lists = services.lists
    lists.add(
        "District barred list (DEMO)",
        NewEntry(
            "Robert",
            "Smith",
            middle_name="James",
            aliases=("Bobby Smythe",),
            dob=parse_dob("1980-03-14"),
            kind=Kind.BARRED,
            reason="Trespass notice (demo)",
        ),
    )
    lists.add(
        "District barred list (DEMO)",
        NewEntry(
            "Dana",
            "Whitlock",
            dob=parse_dob("1975-07-02"),
            kind=Kind.CUSTODY,
            reason="Custody order (demo)",
            students=("Sam Whitlock",),
        ),
    )
    lists.add(
        "School watch list (DEMO)",
        NewEntry(
            "Marguerite", "van der Berg", dob=parse_dob("1969"), kind=Kind.WATCH, reason="Ask for the principal"
        ),
    )
