"""Dates of birth as lists give them (full, year only, unknown) and how two of them can agree.

The relation is symmetric and finite: a full date agrees with itself, with its day and month swapped,
with any date one digit away in YYYYMMDD, and with two adjacent digits transposed. :func:`neighbours`
lists exactly the dates :func:`compare` accepts, so the blocking index can look them all up (a test
checks the two agree).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from frontdesk.wire.lists import normal_dob


@dataclass(frozen=True)
class Dob:
    """A date of birth: ``day`` when known in full, else ``year`` alone, else nothing."""

    day: date | None = None
    year: int | None = None

    @property
    def known(self) -> bool:
        """True when at least the year is known."""
        return self.year is not None

    @property
    def text(self) -> str | None:
        """As stored and shown: ``1980-03-14``, ``1980`` or None."""
        if self.day is not None:
            return self.day.isoformat()
        return str(self.year) if self.year is not None else None


UNKNOWN = Dob()


@functools.lru_cache(maxsize=100_000)
def parse_dob(text: str | date | None, what: str = "date of birth") -> Dob:
    """``YYYY-MM-DD``, ``YYYY`` or empty (unknown); also MM/DD/YYYY as US lists write it.

    Cached: a million-entry list shares some 25,000 dates, and a :class:`Dob` is immutable.
    """
    if isinstance(text, date):
        return Dob(text, text.year)
    value = normal_dob(text, what)  # the one reading of a date of birth, shared with the district hub
    if value is None:
        return UNKNOWN
    if len(value) == 4:
        return Dob(None, int(value))
    parsed = date.fromisoformat(value)
    return Dob(parsed, parsed.year)


def _digits(day: date) -> str:
    return day.isoformat().replace("-", "")  # strftime is ten times slower


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid(year: int, month: int, day: int) -> bool:
    """True for a real date in 1900-2100 (what ``date`` accepts, without the cost of its exception)."""
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and day >= 1):
        return False
    if day <= _MONTH_DAYS[month - 1]:
        return True
    return month == 2 and day == 29 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _from_digits(text: str) -> date | None:
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    return date(year, month, day) if _valid(year, month, day) else None


# 256 dates: a screen asks for its visitor's date several times (each reading of the name), rarely for an
# earlier visitor's. At 4,096 the two caches held ~20 MiB by a busy desk's second week, for no measured gain.
@functools.lru_cache(maxsize=256)
def neighbours(day: date) -> dict[date, str]:
    """Every date that agrees with ``day`` and how: "exact", "day_month_swapped", "one_digit", "transposed"."""
    found: dict[date, str] = {day: "exact"}
    if day.day <= 12 and day.day != day.month:
        found.setdefault(date(day.year, day.day, day.month), "day_month_swapped")
    digits = _digits(day)
    # One digit changed, worked on the numbers (a visitor's look-up makes some seventy of these).
    year, month, dom = day.year, day.month, day.day
    for i in range(8):
        place = 10 ** (3 - i) if i < 4 else 10 ** (5 - i) if i < 6 else 10 ** (7 - i)
        current = int(digits[i])
        for d in range(10):
            if d == current:
                continue
            step = (d - current) * place
            if i < 4:
                y, m, n = year + step, month, dom
            elif i < 6:
                y, m, n = year, month + step, dom
            else:
                y, m, n = year, month, dom + step
            if _valid(y, m, n):
                found.setdefault(date(y, m, n), "one_digit")
    for i in range(7):
        if digits[i] != digits[i + 1]:
            other = _from_digits(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :])
            if other is not None:
                found.setdefault(other, "transposed")
    return found


@functools.lru_cache(maxsize=256)
def neighbour_stamps(day: date) -> dict[str, str]:
    """:func:`neighbours` keyed by the date as the index writes it (``yyyymmdd``)."""
    return {_digits(other): how for other, how in neighbours(day).items()}


def compare(visitor: Dob, entry: Dob) -> tuple[str, str]:
    """How a visitor's and an entry's dates agree: (relation, words).

    Relations: exact, day_month_swapped, one_digit, transposed, same_year (the list gives only the
    year), unknown (either side lacks it), conflict.
    """
    if not visitor.known or not entry.known:
        side = "the list" if not entry.known else "the visitor"
        return "unknown", f"not known for {side}"
    if visitor.day is not None and entry.day is not None:
        relation = neighbours(visitor.day).get(entry.day)
        if relation is None:
            return "conflict", f"different ({visitor.day.isoformat()} / {entry.day.isoformat()})"
        words = {
            "exact": f"exact ({entry.day.isoformat()})",
            "day_month_swapped": f"day and month swapped ({visitor.day.isoformat()} / {entry.day.isoformat()})",
            "one_digit": f"one digit different ({visitor.day.isoformat()} / {entry.day.isoformat()})",
            "transposed": f"two digits transposed ({visitor.day.isoformat()} / {entry.day.isoformat()})",
        }[relation]
        return relation, words
    # One side (or both) gives only the year.
    if visitor.year == entry.year:
        who = "the list gives" if entry.day is None else "the visitor gave"
        return "same_year", f"{who} only the year, {entry.year}: same year"
    return "conflict", f"different years ({visitor.year} / {entry.year})"
