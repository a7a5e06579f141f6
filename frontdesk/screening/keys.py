"""Blocking keys: the rows of ``screening_keys`` an entry is filed under, and the keys a visitor looks up.

Recall comes from the scorer's own rules. A pair can only be flagged when the dates of birth agree
(exact, day/month swapped, one digit off, two digits transposed, same year, or unknown on a side), the
surnames are related and the first names are related. So an entry with a full date is filed under
``D:<date>:<token>`` for each *token* of its names (the sound code of every surname form, and the
nickname groups of the first name or, for a name the table lacks, its sound code; for its own name and
each alias). A visitor looks up every date :func:`dates.neighbours` gives with each of its tokens (both
ways round, with the sound code *and* the groups of the first name). One related field is enough to
meet: a nickname meets through the surname, a surname typo through the first name, swapped names because
first- and last-name codes share one space. Entries with only a year are filed under
``Y:<year>:<token>``.

Without a date on one side only an all-but-exact name can reach "possible" (see ``match.DOB_LEVEL``),
so narrow pairs suffice there: ``U:<surname code>:<first-name code>`` for entries without a date, and
``P:`` pairs for every entry with one, looked up by visitors whose date of birth is unknown.

What this cannot find: a pair where both names changed beyond sound and nickname (a typo in the first
name *and* one in the surname that changes its sound code); the benchmark counts these against a
brute-force scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from frontdesk.screening import dates
from frontdesk.screening.dates import Dob
from frontdesk.screening.names import (
    Name,
    alias_parts,
    entry_first_codes,
    first_codes,
    first_word,
    phonetic,
    surname_codes,
)

# Bump when the key rules change: stored keys must then be rebuilt (see ListService.reindex).
KEY_VERSION = 2


def _pairs(name: Name) -> set[str]:
    first = phonetic(name.first) if name.first else ""
    return {f"{last}:{first}" for last in name.last_codes} if first else set()


def entry_keys(first: str, last: str, aliases: Iterable[str], dob: Dob) -> set[str]:
    """Every key an entry (its written name and aliases) is filed under.

    Works from the written names with cached pieces rather than building :class:`Name` objects: an
    import files a million entries, and this is most of its Python time.
    """
    if dob.day is not None:
        prefix = f"D:{dob.text.replace('-', '')}:"  # type: ignore[union-attr]
    elif dob.year is not None:
        prefix = f"Y:{dob.year}:"
    else:
        prefix = ""
    pair_prefix = "P:" if dob.known else "U:"
    keys: set[str] = set()
    names = [(first, last)]
    if aliases:
        names += [(a[0], a[2]) for a in map(alias_parts, aliases)]
    for given, surname in names:
        codes = surname_codes(surname)
        word = first_word(given)
        if prefix:
            keys.update(prefix + t for t in codes | entry_first_codes(word))
        if word:
            sound = phonetic(word)
            keys.update(f"{pair_prefix}{c}:{sound}" for c in codes)
    return keys


def query_keys(names: Iterable[Name], dob: Dob) -> list[str]:
    """Every key to look up for a visitor (``names``: the visitor's name both ways round)."""
    tokens: set[str] = set()
    pairs: set[str] = set()
    for name in names:
        tokens |= name.last_codes | first_codes(name.first)
        pairs |= _pairs(name)
    tokens.discard("")
    keys: set[str] = {f"U:{p}" for p in pairs}
    if dob.day is not None:
        days: Iterable[date] = dates.neighbours(dob.day)
    elif dob.year is not None:
        start = date(dob.year, 1, 1)
        days = [start + timedelta(days=i) for i in range((date(dob.year + 1, 1, 1) - start).days)]
    else:
        days = []
        keys |= {f"P:{p}" for p in pairs}
    for day in days:
        stamp = day.strftime("%Y%m%d")
        keys.update(f"D:{stamp}:{t}" for t in tokens)
    if dob.year is not None:
        keys.update(f"Y:{dob.year}:{t}" for t in tokens)
    return sorted(keys)
