"""Names as the matcher sees them: folded, split into parts, with their nickname groups and sound codes.

Folding removes case, accents and punctuation and maps letters NFKD leaves alone (ø, ł, ß ...).
Surnames keep three forms, so "van der Berg", "Vanderberg" and "Berg" or "Garcia-Lopez", "Garcia Lopez"
and "Lopez" can meet: the whole surname run together, the parts without particles, and those parts run
together. Generational suffixes (Jr, III ...) are dropped, ``Mc`` is read as ``Mac``.
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from dataclasses import dataclass
from importlib import resources

import jellyfish

# Letters that NFKD does not decompose into a base letter plus an accent.
_EXTRA_FOLD = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i", "ħ": "h"}
)
SUFFIXES = frozenset({"jr", "sr", "junior", "senior", "ii", "iii", "iv", "v", "2nd", "3rd", "esq", "phd", "md"})
PARTICLES = frozenset(
    {
        "de",
        "del",
        "della",
        "der",
        "den",
        "di",
        "da",
        "das",
        "dos",
        "du",
        "la",
        "le",
        "les",
        "van",
        "von",
        "vom",
        "zu",
        "ten",
        "ter",
        "te",
        "y",
        "e",
        "st",
        "saint",
        "san",
        "santa",
        "bin",
        "ibn",
        "al",
        "el",
        "o",
        "d",
        "l",
        "mac",
        "ap",
    }
)


_ASCII_FOLD = {c: " " for c in range(128) if not chr(c).isalnum()}
_ASCII_FOLD.update({ord("'"): None, ord("`"): None})


def fold(text: str | None) -> str:
    """Lower case, no accents, punctuation to spaces (apostrophes join), runs of spaces squeezed."""
    if not text:
        return ""
    if text.isascii():  # the common case, done in C (an import folds millions of names)
        return " ".join(text.lower().translate(_ASCII_FOLD).split())
    plain = unicodedata.normalize("NFKD", text.casefold().translate(_EXTRA_FOLD))
    out = []
    for ch in plain:
        if unicodedata.combining(ch):
            continue
        if ch in "'’`´":
            continue  # O'Brien is one word: "obrien"
        out.append(ch if ch.isalnum() else " ")
    return " ".join("".join(out).split())


def _tokens(text: str | None) -> list[str]:
    """Folded words with generational suffixes removed; ``mc`` read as ``mac``."""
    words = [w for w in fold(text).split() if w not in SUFFIXES]
    return ["mac" + w[2:] if w.startswith("mc") and len(w) > 3 else w for w in words]


def _split_particle_apostrophe(text: str | None) -> list[str]:
    """The parts of a surname read with apostrophes as breaks: O'Brien also as "o brien"."""
    if not text:
        return []
    return _tokens(text.replace("'", " ").replace("’", " "))


@functools.lru_cache(maxsize=100_000)
def phonetic(word: str) -> str:
    """A sound code (Metaphone) for one folded word; empty for an empty word."""
    return jellyfish.metaphone(word) if word else ""


@functools.lru_cache(maxsize=100_000)
def phonetic2(word: str) -> str:
    """A second, independent sound code (NYSIIS), which survives some typos Metaphone does not."""
    return jellyfish.nysiis(word) if word else ""


@dataclass(frozen=True)
class Name:
    """One person's name (a list entry's name or alias, or a visitor's) in comparable forms."""

    raw: str  # as written, for evidence
    first: str  # the first given name, folded
    given: tuple[str, ...]  # every given-name word (first and middle), folded
    middle: str  # middle names, folded, joined
    last_whole: str  # the whole surname run together: "vanderberg", "garcialopez"
    last_core: str  # the surname without particles run together: "berg", "garcialopez"
    last_parts: tuple[str, ...]  # the surname's parts without particles: ("garcia", "lopez")
    raw_last: str
    raw_first: str

    @property
    def last_forms(self) -> tuple[str, ...]:
        """Every form of the surname worth comparing (whole, core, each part), without repeats."""
        return tuple(dict.fromkeys(f for f in (self.last_whole, self.last_core, *self.last_parts) if f))


def make_name(first: str | None, last: str | None, middle: str | None = None) -> Name:
    """Build the comparable forms of a name from its written parts."""
    first_words = _tokens(first)
    middle_words = _tokens(middle)
    last_words = _tokens(last)
    # A surname with an apostrophe also yields the parts after it (O'Brien -> brien, D'Angelo -> angelo).
    split_words = _split_particle_apostrophe(last)
    parts = [w for w in last_words if w not in PARTICLES and len(w) > 1]
    parts += [w for w in split_words if w not in PARTICLES and len(w) > 1 and w not in parts]
    if len(parts) == 0 and last_words:
        parts = [last_words[-1]]
    core_words = [w for w in last_words if w not in PARTICLES] or last_words
    # "Mac Donald" and "MacDonald" are one surname: a leading "mac" particle joins the next word.
    whole = "".join(last_words)
    if whole.startswith("mc"):
        whole = "mac" + whole[2:]
    raw = " ".join(p.strip() for p in (first or "", middle or "", last or "") if p and p.strip())
    return Name(
        raw=raw,
        first=first_words[0] if first_words else "",
        given=tuple(first_words + middle_words),
        middle=" ".join(middle_words + first_words[1:]),
        last_whole=whole,
        last_core="".join(core_words),
        last_parts=tuple(dict.fromkeys(parts)),
        raw_last=(last or "").strip(),
        raw_first=(first or "").strip(),
    )


# --- nicknames ------------------------------------------------------------------------------------


@functools.cache
def nickname_groups() -> dict[str, frozenset[str]]:
    """Each known given name (folded) -> the canonical names of the groups it belongs to."""
    groups: dict[str, set[str]] = {}
    text = resources.files("frontdesk.screening").joinpath("nicknames.csv").read_text(encoding="utf-8")
    for row in csv.reader(line for line in text.splitlines() if line.strip() and not line.startswith("#")):
        canonical = fold(row[0])
        variants = [fold(v) for v in row[1].split(";")] if len(row) > 1 else []
        for name in [canonical, *variants]:
            if name:
                groups.setdefault(name, set()).add(canonical)
    return {name: frozenset(canon) for name, canon in groups.items()}


def nickname_canon(first: str) -> frozenset[str]:
    """The canonical names a folded given name is a form of ({} if the table does not know it)."""
    return nickname_groups().get(first, frozenset())


def first_codes(first: str) -> frozenset[str]:
    """Blocking codes of a given name: its nickname groups, or its sound code when the table lacks it."""
    if not first:
        return frozenset()
    # Sound codes share one space with surname codes on purpose: first and last names swapped still meet.
    return nickname_canon(first) | {phonetic(first)}
