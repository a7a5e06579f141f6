"""Blocking keys: the rows of ``screening_keys`` an entry is filed under, and the keys a visitor looks up.

Recall comes from the scorer's own rules. A pair can only be flagged when the dates of birth agree
(exact, day/month swapped, one digit off, two digits transposed, same year, or unknown on a side), the
surnames are related and the first names are related. So an entry with a full date is filed under
``D:<date>:<token>`` for each *token* of its names (the sound code of every surname form, the sound code
and the nickname groups of the first name, for its own name and each alias); a visitor looks up every
date :func:`dates.neighbours` gives, with each of its tokens. Because tokens from first and last names
share one space, swapped names meet too. Entries with only a year are filed under ``Y:<year>:<token>``;
entries without a date under ``U:<surname code>:<first-name code>`` pairs (few entries, so narrower
keys); every entry with a date also under ``P:`` pairs, for visitors whose date of birth is unknown.

What this cannot find: a pair where both names changed beyond sound and nickname (a typo in the first
name *and* one in the surname) and no token survives; the benchmark counts these against a brute-force
scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from frontdesk.screening import dates
from frontdesk.screening.dates import Dob
from frontdesk.screening.names import Name, first_codes, phonetic

# Bump when the key rules change: stored keys are then rebuilt (see ListService.reindex).
KEY_VERSION = 1


def name_tokens(name: Name) -> set[str]:
    """Sound codes of every surname form, plus the first name's sound code and nickname groups."""
    tokens = {phonetic(f) for f in name.last_forms if f}
    tokens |= first_codes(name.first)
    tokens.discard("")
    return tokens


def name_pairs(name: Name) -> set[str]:
    """Surname code × first-name code pairs (narrow keys for the few entries without a date)."""
    lasts = {phonetic(f) for f in name.last_forms if f}
    firsts = set(first_codes(name.first))
    if name.first:
        firsts.add(name.first[0])  # a first name typed wrong still meets on its initial
    return {f"{last}:{first}" for last in lasts for first in firsts if last and first}


def entry_keys(names: Iterable[Name], dob: Dob) -> set[str]:
    """Every key an entry (its name and aliases) is filed under."""
    names = list(names)
    keys: set[str] = set()
    if dob.day is not None:
        stamp = dob.day.strftime("%Y%m%d")
        for name in names:
            keys.update(f"D:{stamp}:{t}" for t in name_tokens(name))
    elif dob.year is not None:
        for name in names:
            keys.update(f"Y:{dob.year}:{t}" for t in name_tokens(name))
    prefix = "P" if dob.known else "U"
    for name in names:
        keys.update(f"{prefix}:{pair}" for pair in name_pairs(name))
    return keys


def query_keys(names: Iterable[Name], dob: Dob) -> list[str]:
    """Every key to look up for a visitor (``names``: the visitor's name both ways round)."""
    names = list(names)
    tokens: set[str] = set()
    pairs: set[str] = set()
    for name in names:
        tokens |= name_tokens(name)
        pairs |= name_pairs(name)
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
