"""Blocking keys: the rows of ``screening_keys`` an entry is filed under (the visitor's side of them, the
look-ups, is :mod:`frontdesk.screening.keys`).

They are part of the wire because the district hub computes them once, when an entry of a district list
changes, and sends them in each snapshot (with :data:`KEY_VERSION`): a desk whose key rules are the same
files them as they come instead of computing a million of them again; a desk with other rules computes
its own.

Recall comes from the scorer's own rules (``match.score_entry``). A pair is only ever flagged when

- the dates of birth are the same or day/month swapped, and both names are at least related (surname
  exact, compound part, one or two letters off, or sounding alike; first name exact, nickname, typo, sound,
  middle name or initial); or
- the dates are one digit off or two digits transposed and the names are all but exact (same surname
  apart from accents, punctuation or particles, and the same first name); or
- the list gives only the year, or no date, and the names differ by at most one ordinary variant; with
  no date at all, the names must also share a sound or nickname key (below).

Three key families cover those cases:

``E:<yyyymmdd>:<token>:<piece>`` — every entry with a full date, for each *token* of its names and aliases:
the sound code of each surname form, and the first name's nickname groups (or its sound code when the table
lacks it). A visitor looks up their date and its day/month swap with each of their tokens, both ways round
and with the first name's sound code *and* groups. One related field is enough to meet: a nickname meets
through the surname, a surname typo through the first name, swapped names because first- and last-name
codes share one space.

``Y:<yyyy>:<token>:<piece>`` — the same for every entry whose list gives only the year of birth, looked up with
the visitor's year: a list that gives only the year allows one name variant (a typo, a nickname ...).
Swapped names are a variant too, so ``Y:`` (and ``L:``, ``F:``, and ``E:`` of the dates one digit off) are looked
up with the visitor's own name only: an entry carrying the swapped name exactly has it under ``N:``.

The *piece* is the other half of the name: after a surname's sound code, the given names (first and middle,
folded, :func:`given_piece`); after a first-name token, ``/`` and the surname as written
(:func:`surname_piece`). A visitor scans ``E:<date>:<token>:`` and reads the pieces before any entry: a
weak date fit (a year only, a date one digit off) needs both names related, and the piece tells, with the
scorer's own comparison, that most of the rows under a common surname code cannot be (issue 19: screening
at a million entries read and scored some seventy entries per visitor to flag two).

``N:<surname code>:<first-name code>:<dob>`` — every entry, whatever its date (``yyyymmdd``, ``yyyy`` or
``-``). A visitor scans the prefix ``N:<surname code>:<first-name code>:`` for their name (both ways round)
and keeps the rows whose date part can agree with theirs. The same scan counts the visitor's namesakes on
the lists, which the screener uses to judge how likely a near-miss date is by chance.

``L:<surname code>:<first initial>:<given names>`` and ``F:<first-name code>:<surname initial>:/<surname>``
— every entry without any date of birth: a typo that changes the sound of one name (Iabella for Isabella,
Nieklson for Nielson) still meets it through the other name and the first letter of the mistyped one,
which typing errors rarely touch. The piece at the end (as for ``E:``) is the name the key does not pin
down: the screener drops the rows whose piece cannot be related enough to the visitor's before reading any
entry, then weighs such a variant against how common the name is.

``A:<first name>:<surname form>:<tag><date kind><middle>`` — every name of every entry (own and aliases),
under its first given name (folded) and each of its surname's two forms, whole and core
(:func:`frontdesk.wire.names.surname_forms`); the tag says which form the row is filed under (``w``, ``c``,
``b`` when both are the same), the date kind is ``d`` (a full date), ``y`` (a year only) or ``-`` (none),
and ``middle`` is the first middle name the scorer compares (the middle name's first word, else the second
given name; empty when neither). These are the *look-alike* rows: a visitor with a weak date fit on their
own name is weighed against how many entries carry that name all but exactly (``match.look_alike``), and
these rows tell it from one index scan instead of reading a hundred entries of a common name (issue 19).

``I:<issuer>:<last 4>`` — every entry whose list records the person's ID: a visitor showing an ID from the
same issuer with the same last 4 finds it whatever the names (one stranger in ten thousand shares them),
and the scorer then asks only that both names be related.

Every name is keyed in Latin letters (:func:`frontdesk.wire.names.latin`): an entry written in Cyrillic, Greek,
Chinese ... files the keys of its transliteration, and one in Cyrillic, or with a Korean surname, also those of
the spellings passports use (:func:`frontdesk.wire.names.spellings`), as if they were aliases; a visitor's name
is read the same way.

Lost by design: a pair where both names changed beyond sound and nickname (a typo in the first name *and*
one in the surname that changes its sound code); the benchmark counts these against a brute-force scan.
An entry without any date is found through ``N:``, ``L:`` and ``F:`` keys: a typo in the first letter of
a name that also changes its sound code, with no date of birth on the list, leaves too little to go on.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable

from frontdesk.wire.names import (
    alias_parts,
    entry_first_codes,
    first_word,
    name_tokens,
    nickname_text,
    spellings,
    surname_codes,
    surname_forms,
)

# Bump when the key rules change: stored keys are then rebuilt (frontdesk.screening.reindex: in the background
# after the desk's window opens, or on open when READABLE_FROM says the old index cannot answer), and a desk
# with another version computes a district snapshot's keys itself.
# 6: I: keys (issue 19); 7: L: and F: keys for entries without a date; 8: E:, Y:, L: and F: keys end with a piece;
# 9: A: keys (look-alikes counted from the index); 10: names in other scripts filed by their Latin transliteration
# (and Cyrillic and Korean surnames also as passports spell them); 11: the nickname table broadened (issue 19,
# session 23: Spanish, East Slavic, Polish and Arabic forms, and English ones from carltonnorthern/nicknames)
KEY_VERSION = 11
LOOK_ALIKE_FROM = 9  # the first key rules with A: keys: an index built under older rules has none
# The first key rules that file a name written in another script (Иван Петров, 李 王) by its transliteration
# (frontdesk.wire.names.latin). Older rules filed such an entry under no N:, E:, Y:, L: or F: key at all (its
# sound codes were empty), so an older index never found it. Every other entry's keys are the same under both
# rules: before screening on an older index, the desk files the new keys of just those entries into it
# (frontdesk.screening.reindex.file_other_scripts, at open; a few hundred rows), and it then answers as a new one.
SCRIPTS_FROM = 10
# The first key rules filed under this nickname table (nicknames.csv; its checksum is in key_rules()). The table
# only ever grows within a release line: a name keeps every group it had, so an entry filed under an older table
# sits under its old groups, or under its sound code when that table did not know the name, and a visitor's
# look-ups under this table (groups *and* sound code) reach it. The two look-ups that take one code of the
# visitor's first name (the date one digit off, and the visitor's own namesakes: frontdesk.screening.keys) take
# every one on such an index (older_table), until the background build re-files it. Raise it with KEY_VERSION
# whenever the table changes (tests/test_nicknames.py holds the table to its checksum).
NICKNAMES_FROM = 11
# The oldest key rules whose index this code screens on with the same answers as on its own (rules 9 only added
# the A: rows, and the screener falls back for them; rules 10 only added rows, filed at open as above; rules 11
# only added nickname groups: on such an index this code finds all the older code found, looked up as
# NICKNAMES_FROM says, and the new forms of a name the older table did not know once the build swaps): such an
# index stays in force while the new one is built beside it. Raise it to KEY_VERSION with a change that alters
# or drops keys: the desk then re-indexes before anyone is screened.
READABLE_FROM = 8


@functools.cache
def key_rules() -> int:
    """The key rules this side runs, as one number: :data:`KEY_VERSION` and a checksum of the nickname table.

    The table can be edited without a new version (then ``barred reindex``): a desk takes the hub's keys only
    when both the version and the table are the same as the hub's.
    """
    return KEY_VERSION << 32 | zlib.crc32(nickname_text().encode())


def last4(text: str | None) -> str:
    """The last four letters or digits of an ID number (all a list or the desk needs of it), upper case."""
    return "".join(c for c in (text or "") if c.isalnum())[-4:].upper()


def id_key(state: str, last4: str) -> str | None:
    """The ``I:`` key of an ID (issuer and last 4, as stored: upper case), or None without both."""
    return f"I:{state}:{last4}" if state and last4 else None


def dob_suffix(dob: str | None) -> str:
    """The date part of an ``N:`` key from a date of birth as stored (``1980-03-14``, ``1980`` or None):
    ``19800314``, ``1980`` or ``-``."""
    if not dob:
        return "-"
    return dob.replace("-", "") if len(dob) == 10 else dob


def given_piece(first: str | None, middle: str | None) -> str:
    """The piece of a key that stands for the given names: first and middle, folded, one space apart."""
    return " ".join((*name_tokens(first), *name_tokens(middle)))


def surname_piece(last: str | None) -> str:
    """The piece of a key that stands for the surname: ``/`` and the surname as written (the scorer reads
    its forms from the written text: O'Brien is also "brien")."""
    return "/" + (last or "").strip()


def entry_keys(first: str, last: str, aliases: Iterable[str], dob: str | None, middle: str = "") -> set[str]:
    """Every key an entry (its written name and aliases; its date of birth as stored) is filed under.

    Works from the written names with cached pieces rather than building :class:`Name` objects: an
    import files a million entries, and this is most of its Python time.
    """
    suffix = dob_suffix(dob)
    known = bool(dob)
    exact = (f"E:{suffix}:" if len(suffix) == 8 else f"Y:{suffix}:") if known else ""
    kind = "d" if len(suffix) == 8 else "y" if known else "-"
    # A Latin name is its only spelling: checked here, without a call, for the million names of an import.
    names = [(first, middle, last)] if first.isascii() and last.isascii() and middle.isascii() else None
    if names is None:
        names = spellings(first, middle, last)
    if aliases:
        parts = list(map(alias_parts, aliases))
        names += parts if all(map(str.isascii, aliases)) else [s for p in parts for s in spellings(*p)]
    keys: set[str] = set()
    for given, middle_name, surname in names:
        codes = surname_codes(surname)
        firsts = entry_first_codes(first_word(given))
        if exact:
            by_surname = f":{given_piece(given, middle_name)}"
            by_first = f":{surname_piece(surname)}"
            keys.update(exact + t + by_surname for t in codes)
            keys.update(exact + t + by_first for t in firsts)
        keys.update(f"N:{c}:{f}:{suffix}" for c in codes for f in firsts)
        keys.update(look_alike_keys(given, middle_name, surname, kind))
    if not known:
        for given, middle_name, surname in names:
            keys.update(
                loose_keys(
                    first_word(given),
                    surname_forms(surname)[3],
                    surname_codes(surname),
                    given_piece(given, middle_name),
                    surname_piece(surname),
                )
            )
    if not known and middle:
        # Without a date only N: keys find an entry: file it under its middle name too, for a visitor
        # who goes by it (the E: and Y: keys meet such a visitor through the surname).
        for _, middle_name, surname in spellings(first, middle, last):
            codes, middles = surname_codes(surname), entry_first_codes(first_word(middle_name))
            keys.update(f"N:{c}:{f}:{suffix}" for c in codes for f in middles)
    return keys


def look_alike_prefixes(first: str, whole: str, core: str) -> list[tuple[str, str]]:
    """The ``A:`` prefixes a visitor (first name folded; surname's whole and core forms) scans for the names
    that are theirs all but exactly, each with the tags of the rows it keeps: those whose surname has the
    visitor's whole form, or the visitor's core form (``match.look_alike``'s test)."""
    if not first or not whole:
        return []
    if whole == core:
        return [(f"A:{first}:{whole}:", "wcb")]
    return [(f"A:{first}:{whole}:", "wb"), (f"A:{first}:{core}:", "cb")]


def look_alike_keys(given: str, middle: str, surname: str, kind: str) -> tuple[str, ...]:
    """The ``A:`` keys of one name (``kind``: the entry's date kind, ``d``, ``y`` or ``-``)."""
    given_words = name_tokens(given)
    whole, core = surname_forms(surname)[:2]
    if not given_words or not whole:
        return ()
    middles = (*name_tokens(middle), *given_words[1:])
    rest = kind + (middles[0] if middles else "")
    first = given_words[0]
    if whole == core:
        return (f"A:{first}:{whole}:b{rest}",)
    return (f"A:{first}:{whole}:w{rest}", f"A:{first}:{core}:c{rest}")


def all_entry_keys(
    first: str, middle: str, last: str, aliases: Iterable[str], dob: str | None, id_state: str, id_number: str
) -> set[str]:
    """Every key of an entry including its ID's (``id_number``: the whole number or its last 4)."""
    keys = entry_keys(first, last, aliases, dob, middle)
    by_id = id_key(id_state.strip().upper(), last4(id_number))
    return keys | {by_id} if by_id else keys


def loose_keys(
    first: str, last_forms: Iterable[str], last_codes: Iterable[str], given: str, surname: str
) -> set[str]:
    """The ``L:`` and ``F:`` keys of a name (``first`` folded; the surname's forms and sound codes; the
    pieces :func:`given_piece` and :func:`surname_piece` of the name)."""
    keys = {f"L:{c}:{first[:1]}:{given}" for c in last_codes if c and first}
    initials = {f[:1] for f in last_forms if f}
    keys.update(f"F:{f}:{i}:{surname}" for f in entry_first_codes(first) for i in initials if f)
    return keys
