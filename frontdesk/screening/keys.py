"""How a visitor looks up the blocking keys an entry is filed under (:mod:`frontdesk.wire.keys`, where the
key families are described: the district hub computes the entries' side too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from frontdesk.screening import dates
from frontdesk.screening.dates import Dob
from frontdesk.wire.names import Name, entry_first_codes, first_codes, phonetic


def loose_key_visitor(name: Name) -> set[str]:
    """The ``L:`` and ``F:`` key prefixes a visitor's name scans (their first name's codes and nickname
    groups; each row's piece is then read, see :class:`Lookup`)."""
    keys = {f"L:{c}:{name.first[:1]}:" for c in name.last_codes if c and name.first}
    initials = {f[:1] for f in name.last_forms if f}
    keys.update(f"F:{f}:{i}:" for f in first_codes(name.first) for i in initials if f)
    return keys


@dataclass(frozen=True)
class Lookup:
    """What to look up for one visitor: key prefixes to scan, each with how its rows' pieces are judged.

    ``scans`` holds the ``E:``, ``Y:``, ``L:`` and ``F:`` prefixes (each ending with ``:``; the piece
    follows) with the date-of-birth relation their entries have with the visitor's: None for the visitor's
    own date (every row is read), else "same_year", "one_digit" or "unknown", by which the screener drops
    the rows whose piece cannot reach what that relation asks of the names (``match.piece_may_match``).
    ``prefixes`` are the ``N:`` prefixes, scanned with the date parts to keep.
    """

    scans: list[tuple[str, str | None]]
    prefixes: list[str]
    own_prefixes: list[str]  # the visitor's own name (not swapped): where its look-alikes are

    def keeps(self, suffix: str, dob: Dob) -> bool:
        """True when an ``N:`` row with this date part can agree with the visitor's date of birth."""
        if suffix == "-" or not dob.known:
            return True
        if dob.day is None:  # the visitor gave a year only
            return suffix[:4] == str(dob.year)
        if len(suffix) == 4:
            return suffix == str(dob.year)
        return _digits_day(suffix) in dates.neighbours(dob.day)


def _digits_day(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def lookup(names: Iterable[Name], dob: Dob) -> Lookup:
    """The look-ups for a visitor (``names``: the visitor's name, then the same name swapped)."""
    names = list(names)
    exact: set[str] = set()
    prefixes: list[str] = []
    own: list[str] = []
    days, slips = [], []
    if dob.day is not None:
        near = dates.neighbours(dob.day).items()
        days = [d for d, how in near if how in ("exact", "day_month_swapped")]
        slips = [d.isoformat().replace("-", "") for d, how in near if how in ("one_digit", "transposed")]
    # E: keys of the dates one digit off or transposed, by one piece of the visitor's own name: an entry
    # whose other name piece is one letter off (a slip in the name and in the date) files under neither
    # its N: prefix nor the exact date (issue 19: "typo + DOB one digit off").
    slip: set[str] = set()
    year: set[str] = set()
    loose: set[str] = set()
    for i, name in enumerate(names):
        tokens = (name.last_codes | first_codes(name.first)) - {""}
        for day in days:
            stamp = day.isoformat().replace("-", "")
            exact.update(f"E:{stamp}:{t}:" for t in tokens)
        if dob.known:
            year.update(f"Y:{dob.year}:{t}:" for t in tokens)
        if i == 0 and slips:  # a date slip goes with one letter off in one name, never with swapped names
            pieces = (name.last_codes | entry_first_codes(name.first)) - {""}
            slip.update(f"E:{stamp}:{t}:" for stamp in slips for t in pieces)
        loose.update(loose_key_visitor(name))
        for c in sorted(name.last_codes):
            for f in sorted(first_codes(name.first)):
                prefix = f"N:{c}:{f}:"
                if prefix not in prefixes:
                    prefixes.append(prefix)
                if i == 0 and c == phonetic(name.last_whole) and f in entry_first_codes(name.first):
                    own.append(prefix)
    scans: list[tuple[str, str | None]] = [(p, None) for p in sorted(exact)]
    scans += [(p, "same_year") for p in sorted(year)]
    scans += [(p, "one_digit") for p in sorted(slip)]
    scans += [(p, "unknown") for p in sorted(loose)]
    return Lookup(scans, prefixes, own)
