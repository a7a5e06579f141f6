"""Red team, session 25: the documents a visitor carries, read by the desk's real scan path and screened through
the real check-in workflow over a real SQLite file, against real list entries. Synthetic people only.
"""

from __future__ import annotations

from datetime import date

import pytest

from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from scanners.aamva import parse_id
from scanners.mrz import mrz_lines

TODAY = date(2026, 12, 5)


def bar(services, first: str, last: str, dob: str = "") -> None:
    services.lists.add("District", NewEntry(first, last, dob=parse_dob(dob), kind=Kind.BARRED))


# --- two documents in one scan ------------------------------------------------------------------------------
def _zone(last: str, given: str, layout: str, dob: date) -> list[str]:
    code = "P" if layout == "TD3" else "ID"
    return mrz_lines(
        layout=layout, code=code, issuer="USA", last=last, given=given, number="X12345678",
        nationality="USA", dob=dob, sex="M", expires=date(2031, 1, 1),
    )  # fmt: skip


@pytest.mark.parametrize("layouts", [("TD3", "TD3"), ("TD1", "TD1"), ("TD1", "TD3"), ("TD3", "TD2")], ids="+".join)
@pytest.mark.parametrize("barred_first", [True, False], ids=["barred-first", "barred-last"])
def test_two_passports_read_in_one_scan_are_refused_never_read_as_the_last(services, layouts, barred_first):
    """A listed person's passport read in one burst with someone else's (two documents on the reader's glass,
    or in one photo): the desk took the zone read last and dropped the other unseen, so the listed person
    could be screened as the stranger. Now refused in plain words; nothing is filed. Every case fails on the
    old code (read as one person)."""
    from scanners.idcard import UnreadableIdError

    bar(services, "Robert", "Barredman", "1975-04-02")
    barred = _zone("BARREDMAN", "ROBERT", layouts[0], date(1975, 4, 2))
    other = _zone("CLEANWOOD", "ANN", layouts[1], date(1990, 1, 1))
    text = "\n".join(barred + other if barred_first else other + barred)
    with pytest.raises(UnreadableIdError, match="Two passports or ID cards were read as one"):
        parse_id(text, today=TODAY)
