"""Blocking keys: the rows of ``screening_keys`` an entry is filed under, and how a visitor looks them up.

Recall comes from the scorer's own rules (``match.score_entry``). A pair is only ever flagged when

- the dates of birth are the same or day/month swapped, and both names are at least related (surname
  exact, compound part, one or two letters off, or sounding alike; first name exact, nickname, typo, sound,
  middle name or initial); or
- the dates are one digit off or two digits transposed and the names are all but exact (same surname
  apart from accents, punctuation or particles, and the same first name); or
- the list gives only the year, or no date, and the names differ by at most one ordinary variant; with
  no date at all, the names must also share a sound or nickname key (below).

Three key families cover those cases:

``E:<yyyymmdd>:<token>`` — every entry with a full date, for each *token* of its names and aliases: the
sound code of each surname form, and the first name's nickname groups (or its sound code when the table
lacks it). A visitor looks up their date and its day/month swap with each of their tokens, both ways round
and with the first name's sound code *and* groups. One related field is enough to meet: a nickname meets
through the surname, a surname typo through the first name, swapped names because first- and last-name
codes share one space.

``Y:<yyyy>:<token>`` — the same for every entry whose list gives only the year of birth, looked up with the
visitor's year: a list that gives only the year allows one name variant (a typo, a nickname ...).

``N:<surname code>:<first-name code>:<dob>`` — every entry, whatever its date (``yyyymmdd``, ``yyyy`` or
``-``). A visitor scans the prefix ``N:<surname code>:<first-name code>:`` for their name (both ways round)
and keeps the rows whose date part can agree with theirs. The same scan counts the visitor's namesakes on
the lists, which the screener uses to judge how likely a near-miss date is by chance.

``L:<surname code>:<first initial>`` and ``F:<first-name code>:<surname initial>`` — every entry without
any date of birth: a typo that changes the sound of one name (Iabella for Isabella, Nieklson for Nielson)
still meets it through the other name and the first letter of the mistyped one, which typing errors
rarely touch. The screener then weighs such a variant against how common the name is.

``I:<issuer>:<last 4>`` — every entry whose list records the person's ID: a visitor showing an ID from the
same issuer with the same last 4 finds it whatever the names (one stranger in ten thousand shares them),
and the scorer then asks only that both names be related.

Lost by design: a pair where both names changed beyond sound and nickname (a typo in the first name *and*
one in the surname that changes its sound code); the benchmark counts these against a brute-force scan.
An entry without any date is found through ``N:``, ``L:`` and ``F:`` keys: a typo in the first letter of
a name that also changes its sound code, with no date of birth on the list, leaves too little to go on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

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
    surname_forms,
)

# Bump when the key rules change: stored keys are then rebuilt on open (ListService.ensure_index_current).
KEY_VERSION = 7  # 6: I: keys (issue 19); 7: L: and F: keys for entries without a date


def id_key(state: str, last4: str) -> str | None:
    """The ``I:`` key of an ID (issuer and last 4, as stored: upper case), or None without both."""
    return f"I:{state}:{last4}" if state and last4 else None


def dob_suffix(dob: Dob) -> str:
    """The date part of an ``N:`` key: ``19800314``, ``1980`` or ``-``."""
    if dob.day is not None:
        return dob.day.isoformat().replace("-", "")
    return str(dob.year) if dob.year is not None else "-"


def entry_keys(first: str, last: str, aliases: Iterable[str], dob: Dob, middle: str = "") -> set[str]:
    """Every key an entry (its written name and aliases) is filed under.

    Works from the written names with cached pieces rather than building :class:`Name` objects: an
    import files a million entries, and this is most of its Python time.
    """
    suffix = dob_suffix(dob)
    exact = f"E:{suffix}:" if dob.day is not None else f"Y:{suffix}:" if dob.known else ""
    names = [(first, last)]
    if aliases:
        names += [(a[0], a[2]) for a in map(alias_parts, aliases)]
    keys: set[str] = set()
    for given, surname in names:
        codes = surname_codes(surname)
        firsts = entry_first_codes(first_word(given))
        if exact:
            keys.update(exact + t for t in codes | firsts)
        keys.update(f"N:{c}:{f}:{suffix}" for c in codes for f in firsts)
    if not dob.known:
        for given, surname in names:
            keys.update(loose_keys(first_word(given), surname_forms(surname)[3], surname_codes(surname)))
    if not dob.known and middle:
        # Without a date only N: keys find an entry: file it under its middle name too, for a visitor
        # who goes by it (the E: and Y: keys meet such a visitor through the surname).
        codes, middles = surname_codes(last), entry_first_codes(first_word(middle))
        keys.update(f"N:{c}:{f}:{suffix}" for c in codes for f in middles)
    return keys


def loose_keys(first: str, last_forms: Iterable[str], last_codes: Iterable[str]) -> set[str]:
    """The ``L:`` and ``F:`` keys of a name (``first`` folded; the surname's forms and sound codes)."""
    keys = {f"L:{c}:{first[:1]}" for c in last_codes if c and first}
    initials = {f[:1] for f in last_forms if f}
    keys.update(f"F:{f}:{i}" for f in entry_first_codes(first) for i in initials if f)
    return keys


def loose_key_visitor(name: Name) -> set[str]:
    """The ``L:`` and ``F:`` keys a visitor's name looks up (their first name's codes and nickname groups)."""
    keys = {f"L:{c}:{name.first[:1]}" for c in name.last_codes if c and name.first}
    initials = {f[:1] for f in name.last_forms if f}
    keys.update(f"F:{f}:{i}" for f in first_codes(name.first) for i in initials if f)
    return keys


@dataclass(frozen=True)
class Lookup:
    """What to look up for one visitor: exact keys, and prefixes to scan with the date parts to keep."""

    exact_keys: list[str]
    prefixes: list[str]
    own_prefixes: list[str]  # the visitor's own name (not swapped): where its look-alikes are
    year_keys: list[str] = field(default_factory=list)  # Y: keys, looked up like exact_keys

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
    exact_keys: set[str] = set()
    prefixes: list[str] = []
    own: list[str] = []
    days = []
    if dob.day is not None:
        days = [d for d, how in dates.neighbours(dob.day).items() if how in ("exact", "day_month_swapped")]
    year_keys: set[str] = set()
    for i, name in enumerate(names):
        tokens = (name.last_codes | first_codes(name.first)) - {""}
        for day in days:
            stamp = day.isoformat().replace("-", "")
            exact_keys.update(f"E:{stamp}:{t}" for t in tokens)
        if dob.known:
            year_keys.update(f"Y:{dob.year}:{t}" for t in tokens)
        exact_keys.update(loose_key_visitor(name))
        for c in sorted(name.last_codes):
            for f in sorted(first_codes(name.first)):
                prefix = f"N:{c}:{f}:"
                if prefix not in prefixes:
                    prefixes.append(prefix)
                if i == 0 and c == phonetic(name.last_whole) and f in entry_first_codes(name.first):
                    own.append(prefix)
    return Lookup(sorted(exact_keys), prefixes, own, sorted(year_keys))
