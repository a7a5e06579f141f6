"""How a visitor looks up the blocking keys an entry is filed under (:mod:`frontdesk.wire.keys`, where the
key families are described: the district hub computes the entries' side too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
    the rows whose piece cannot reach what that relation asks of the names (``match.PieceJudge``).
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
        return suffix in dates.neighbour_stamps(dob.day)

    def kept_dates(self, dob: Dob) -> set[str] | None:
        """Every date part :meth:`keeps` keeps for a visitor with a full date of birth (one set look-up a
        row instead of a call); None for any other visitor."""
        if dob.day is None:
            return None
        return {*dates.neighbour_stamps(dob.day), str(dob.year), "-"}


def slip_tokens(name: Name, *, older_table: bool = False) -> set[str]:
    """The ``E:`` tokens a visitor looks up on the dates one digit off or transposed.

    The scorer flags such a date only with one name all but exact and the other the same or one letter off
    (``match.NAMES_NEEDED``, ``match._few_enough_changes``), never swapped. An entry whose surname is the
    visitor's, apart from accents, punctuation or particles, files under the sound code of the visitor's
    whole surname or of its core; an entry whose first name is the visitor's files under every one of the
    visitor's first-name tokens (``entry_first_codes``), so one of them finds it: John belongs to six
    nickname groups, and scanning all six read the same rows six times over some seventy dates.

    ``older_table``: the index in force was filed under an older nickname table
    (:data:`frontdesk.wire.keys.NICKNAMES_FROM`), where the visitor's first name may sit under fewer groups or
    under its sound code: every one of its codes is looked up then, until the index is re-filed.
    """
    tokens = {phonetic(name.last_whole), phonetic(name.last_core)}
    if older_table:
        return (tokens | first_codes(name.first)) - {""}
    firsts = entry_first_codes(name.first)
    if firsts:
        tokens.add(min(firsts))
    return tokens - {""}


def lookup(names: Iterable[Name], dob: Dob, *, older_table: bool = False) -> Lookup:
    """The look-ups for a visitor (``names``: the visitor's name, then the same name swapped).

    ``older_table``: the index in force was filed under an older nickname table (see :func:`slip_tokens`).
    """
    names = list(names)
    exact: set[str] = set()
    prefixes: list[str] = []
    own: list[str] = []
    days, slips = [], []
    if dob.day is not None:
        near = dates.neighbour_stamps(dob.day).items()
        days = [stamp for stamp, how in near if how in ("exact", "day_month_swapped")]
        slips = [stamp for stamp, how in near if how in ("one_digit", "transposed")]
    # E: keys of the dates one digit off or transposed, by one piece of the visitor's own name: an entry
    # whose other name piece is one letter off (a slip in the name and in the date) files under neither
    # its N: prefix nor the exact date (issue 19: "typo + DOB one digit off").
    slip: set[str] = set()
    year: set[str] = set()
    loose: set[str] = set()
    # The visitor's look-alikes carry the visitor's first name itself, so they file under every one of its
    # tokens: one of them finds them all (John is in six nickname groups; the other five bring Seans and
    # Jonathans the screener would read and drop).
    # On an index filed under an older table the visitor's own name may sit under any of its codes (see
    # slip_tokens): every one of them is an own prefix then.
    own_firsts: set[str] = set()
    if names:
        firsts = entry_first_codes(names[0].first)
        own_firsts = set(first_codes(names[0].first)) if older_table else set(sorted(firsts)[:1])
    for i, name in enumerate(names):
        tokens = (name.last_codes | first_codes(name.first)) - {""}
        for stamp in days:
            exact.update(f"E:{stamp}:{t}:" for t in tokens)
        if i == 0:
            # A weak date fit (a year only, no date, one digit off) allows one change from the listed
            # person, and swapped names are one: an entry matching the swapped name has both names the
            # same, so its N: key finds it. Only the visitor's own name looks these up (match.NAMES_NEEDED,
            # match._few_enough_changes); the rows a swapped look-up read could never be flagged.
            if dob.known:
                year.update(f"Y:{dob.year}:{t}:" for t in tokens)
            if slips:  # a date slip goes with one letter off in one name
                tokens_slip = slip_tokens(name, older_table=older_table)
                slip.update(f"E:{stamp}:{t}:" for stamp in slips for t in tokens_slip)
            loose.update(loose_key_visitor(name))
        for c in sorted(name.last_codes):
            for f in sorted(first_codes(name.first)):
                prefix = f"N:{c}:{f}:"
                if prefix not in prefixes:
                    prefixes.append(prefix)
                if i == 0 and c == phonetic(name.last_whole) and f in own_firsts:
                    own.append(prefix)
    scans: list[tuple[str, str | None]] = [(p, None) for p in sorted(exact)]
    scans += [(p, "same_year") for p in sorted(year)]
    scans += [(p, "one_digit") for p in sorted(slip)]
    scans += [(p, "unknown") for p in sorted(loose)]
    return Lookup(scans, prefixes, own)
