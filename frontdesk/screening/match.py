"""The precise scorer: one visitor against one list entry, field by field, with the evidence in words.

Each field gets a level between 0 and 1 from a fixed ladder (exact, same apart from accents, nickname,
compound part, one letter different, sounds alike, a surname cut short to its particle, two letters
different, initial ...). The name score is
``0.55 × last + 0.45 × first`` (best over the entry's name and aliases, either way round); the total is
``0.6 × name + 0.4 × DOB``. A pair is never a candidate when the surnames are unrelated, the first names
unrelated, the dates of birth disagree, or more than two things changed (a name variant, swapped names,
day and month swapped). A date one digit off or transposed counts only with an all-but-exact name or one
letter off in one name; a
list giving only the year, or no date, allows one ordinary name variant (``NAMES_NEEDED``). The screener
then weighs every such weak date fit against how common the visitor's name is on the lists.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from frontdesk.screening import dates
from frontdesk.screening.models import Candidate, Decision, Entry, FieldEvidence, Query
from frontdesk.screening.population import sex_of_name
from frontdesk.wire.names import (
    PARTICLES,
    SUFFIXES,
    Name,
    alias_parts,
    entry_first_codes,
    first_codes,
    first_word,
    fold,
    make_name,
    name_tokens,
    nickname_canon,
    phonetic,
    phonetic2,
    spellings,
    surname_forms,
)

LAST_WEIGHT, FIRST_WEIGHT = 0.55, 0.45
NAME_WEIGHT, DOB_WEIGHT = 0.6, 0.4
MIN_LAST, MIN_FIRST = 0.75, 0.6  # below these a field is "different" and the pair is not a candidate
# All but exact: the surname the same apart from accents, punctuation or particles, the first name the same.
STRONG_LAST, STRONG_FIRST = 0.95, 0.98
# The date-of-birth fits with which the listed person's exact name outweighs an ID's other sex (``score_entry``).
_SEX_OUTWEIGHED = frozenset({"exact", "same_year", "unknown"})
WEAK_DOB = frozenset({"one_digit", "transposed", "same_year", "unknown"})
TYPO_ONE = 0.85  # the level of a name one letter off (``_typo_level``)
# What the names must reach, by how the dates of birth fit. A date one digit off or transposed is an error
# on the visitor's side, so the names must be all but exact or one letter off in one of them (a typing
# slip in both, the name and the date, of one form: s5): a nickname, a sound-alike or a compound part with
# a date one digit off are two weak clues, which flag far more strangers than they catch. The screener
# then weighs the near miss against how many entries carry names like the visitor's. A list that gives
# only the year, or no date, is not the visitor's error: one ordinary name variant is allowed (a
# nickname, a typo, a sound-alike spelling, swapped names ...; not an initial alone), and the screener
# then asks how many list entries carry names like the visitor's (``screener``), which is what keeps
# common names from being flagged.
# A sound-alike name counts there only when it is also spelled alike (Smyth / Smith, not Garza / de la Cruz).
NAMES_NEEDED = {
    "one_digit": (TYPO_ONE, TYPO_ONE),
    "transposed": (TYPO_ONE, TYPO_ONE),
    "same_year": (0.8, 0.8),
    "unknown": (0.8, 0.8),
}
SPELLED_ALIKE = 0.7  # normalised edit similarity a sound-alike name needs with a weak date fit
SURNAME_SPELLED_NEAR = 0.6  # and a surname alike only by its second sound code, always
SWAP_FACTOR, ALIAS_FACTOR = 0.97, 0.98
DOB_LEVEL = {
    "exact": 1.0,
    "day_month_swapped": 0.85,
    "one_digit": 0.75,
    "transposed": 0.75,
    "same_year": 0.8,
    "unknown": 0.75,  # never more than "possible": the name is all there is
}


@dataclass(frozen=True)
class Thresholds:
    """Scores at or above ``possible`` are possible matches; at or above ``match``, matches."""

    possible: float = 0.80
    match: float = 0.93

    def decide(self, score: float) -> Decision:
        """The decision a score earns."""
        if score >= self.match:
            return Decision.MATCH
        if score >= self.possible:
            return Decision.POSSIBLE_MATCH
        return Decision.CLEAR


def _typo_level(a: str, b: str) -> tuple[float, int]:
    """0.85 for one edit (letters changed, added, dropped or swapped), 0.75 for two in long names."""
    longest, shortest = max(len(a), len(b)), min(len(a), len(b))
    if longest < 4:
        return 0.0, 0
    distance = OSA.distance(a, b, score_cutoff=2)
    if distance == 1:
        return 0.85, 1
    if distance == 2 and shortest >= 7:
        return 0.75, 2
    return 0.0, 0


def _sounds_alike(a: str, b: str) -> bool:
    if len(a) < 2 or len(b) < 2:
        return False
    return phonetic(a) == phonetic(b) or phonetic2(a) == phonetic2(b)


def _surnames_sound_alike(a: str, b: str) -> bool:
    # The second sound code (NYSIIS) is coarse for surnames: Moore / Morris, Coleman / Kulanin share one.
    # It counts only for surnames also spelled near; the first (Metaphone) is enough (Lee / Leigh).
    if phonetic(a) == phonetic(b):
        return True
    return phonetic2(a) == phonetic2(b) and OSA.normalized_similarity(a, b) >= SURNAME_SPELLED_NEAR


def _long_enough_to_sound(a: str, b: str) -> bool:
    """Whether two names are long enough for a shared sound code to say they sound alike: three letters, or two
    beginning with the same letter (Li / Lee, Wu / Woo: a two-letter name is written many ways)."""
    shortest = min(len(a), len(b))
    return shortest >= 3 or (shortest == 2 and a[0] == b[0])


def _letters(n: int) -> str:
    return "one letter" if n == 1 else "two letters"


def compare_last(q: Name, e: Name) -> tuple[float, str, str]:
    """(level, relation, words) for two surnames."""
    if not q.last_whole or not e.last_whole:
        return 0.0, "missing", "missing"
    if q.last_whole == e.last_whole:
        if q.raw_last.casefold() == e.raw_last.casefold():
            return 1.0, "exact", "exact"
        return 0.98, "same_written_differently", f"same name written differently ({q.raw_last} / {e.raw_last})"
    if q.last_core == e.last_core:
        return 0.95, "particle", f"same apart from the particle ({q.raw_last} / {e.raw_last})"
    q_parts, e_parts = set(q.last_parts), set(e.last_parts)
    if q_parts and e_parts and (q_parts <= e_parts or e_parts <= q_parts):
        short, long_ = (q, e) if len(q_parts) < len(e_parts) else (e, q)
        return 0.9, "compound", f"{short.raw_last} is part of the compound surname {long_.raw_last}"
    cut = _cut_short(q, e)
    if cut:
        return CUT_SHORT, "cut_short", cut
    best: tuple[float, str, str] = (0.0, "different", f"different ({q.raw_last} / {e.raw_last})")
    for a in q.last_forms:
        for b in e.last_forms:
            level, edits = _typo_level(a, b)
            if level > best[0]:
                alike = " and sounds alike" if _sounds_alike(a, b) else ""
                best = (level, "typo", f"{_letters(edits)} different{alike} ({q.raw_last} / {e.raw_last})")
            if best[0] < 0.8 and _long_enough_to_sound(a, b) and _surnames_sound_alike(a, b):
                best = (0.8, "sounds_alike", f"{q.raw_last} sounds like {e.raw_last}")
    return best


# A surname written as only the particle(s) another starts with ("De" for "De la Cruz", "Van" for "Van der
# Berg"): a form or a reader that cut the name at its first space. Below the level a weak date fit needs
# (``NAMES_NEEDED``), so it counts only with the same date of birth (or day and month swapped).
CUT_SHORT = 0.78


def _cut_short(q: Name, e: Name) -> str:
    """The words for a surname that is the other's leading particles alone, else ""."""
    a, b = name_tokens(q.raw_last), name_tokens(e.raw_last)
    short, long_, raw = (a, b, (q.raw_last, e.raw_last)) if len(a) < len(b) else (b, a, (e.raw_last, q.raw_last))
    if short and len(short) < len(long_) and all(w in PARTICLES for w in short) and long_[: len(short)] == short:
        return f"{raw[0]} is the start of the surname {raw[1]} (the rest cut off)"
    return ""


def _nickname_words(q_first: str, e_first: str, q_raw: str, e_raw: str) -> str | None:
    shared = nickname_canon(q_first) & nickname_canon(e_first)
    if not shared:
        return None
    if e_first in shared and q_first in shared:  # each its own group too: the longer is the formal one
        short, long_ = sorted((q_raw, e_raw), key=len)
        return f"{short} is a nickname of {long_}"
    if e_first in shared:
        return f"{q_raw} is a nickname of {e_raw}"
    if q_first in shared:
        return f"{e_raw} is a nickname of {q_raw}"
    return f"{q_raw} and {e_raw} are both forms of {sorted(shared)[0].capitalize()}"


def compare_first(q: Name, e: Name) -> tuple[float, str, str]:
    """(level, relation, words) for two first names (the visitor's and the entry's)."""
    a, b = q.first, e.first
    if not a or not b:
        return 0.0, "missing", "missing"
    q_raw, e_raw = q.raw_first or a, e.raw_first or b
    if a == b:
        if q_raw.casefold() == e_raw.casefold():
            return 1.0, "exact", "exact"
        return 0.98, "same_written_differently", f"same name written differently ({q_raw} / {e_raw})"
    nick = _nickname_words(a, b, q_raw, e_raw)
    if nick and " is a nickname of " in nick:
        return 0.9, "nickname", nick
    if nick:  # two forms of a third name (Hans and Sean of John): looser, not enough with a weak date
        return 0.75, "nickname_related", nick
    level, edits = _typo_level(a, b)
    if level >= 0.85:
        return level, "typo", f"{_letters(edits)} different ({q_raw} / {e_raw})"
    if _sounds_alike(a, b) and _long_enough_to_sound(a, b):
        return 0.8, "sounds_alike", f"{q_raw} sounds like {e_raw}"
    if min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)):
        return 0.8, "short_form", f"{q_raw} / {e_raw}: one is the start of the other"
    if e.middle and a in e.middle.split():
        return 0.8, "middle_name", f"{q_raw} is the listed person's middle name"
    if q.middle and b in q.middle.split():
        return 0.8, "middle_name", f"{e_raw} is the visitor's middle name"
    if level:
        return level, "typo", f"{_letters(edits)} different ({q_raw} / {e_raw})"
    if (len(a) == 1 or len(b) == 1) and a[0] == b[0]:
        return 0.6, "initial", f"initial only ({q_raw} / {e_raw})"
    return 0.0, "different", f"different ({q_raw} / {e_raw})"


def middle_relation(q: Name, e: Name) -> str:
    """How two middle names compare: "agrees" (same, or the same initial), "similar", "different", "missing"."""
    return _middle_words(q.middle.split(), e.middle.split())


def _middle_words(qm: Sequence[str], em: Sequence[str]) -> str:
    if not qm or not em:
        return "missing"
    if qm[0] == em[0] or (len(qm[0]) == 1 or len(em[0]) == 1) and qm[0][0] == em[0][0]:
        return "agrees"
    if nickname_canon(qm[0]) & nickname_canon(em[0]) or _sounds_alike(qm[0], em[0]):
        return "similar"
    if _typo_level(qm[0], em[0])[0]:
        return "similar"
    return "different"


_MIDDLE_BONUS = {"agrees": 0.02, "similar": 0.0, "different": -0.05}


def _middle(q: Name, e: Name) -> tuple[float, FieldEvidence | None]:
    relation = middle_relation(q, e)
    if relation == "missing":
        return 0.0, None
    return _MIDDLE_BONUS[relation], FieldEvidence("middle name", relation, relation)


def score_name(
    q: Name, e: Name, least: tuple[float, float] = (MIN_LAST, MIN_FIRST)
) -> tuple[float, list[FieldEvidence]] | None:
    """The name score of a visitor's name (one orientation) against one entry name, or None.

    ``least``: the lowest surname and first-name levels accepted (a weak date-of-birth fit asks more).
    """
    last, last_rel, last_words = compare_last(q, e)
    if last < least[0]:
        return None
    first, first_rel, first_words = compare_first(q, e)
    if first < least[1]:
        return None
    if least[1] > MIN_FIRST and not _spelled_alike(q, e, last_rel, first_rel):
        return None
    evidence = [
        FieldEvidence("last name", last_rel, last_words),
        FieldEvidence("first name", first_rel, first_words),
    ]
    score = LAST_WEIGHT * last + FIRST_WEIGHT * first
    if first_rel != "middle_name":
        bonus, middle_evidence = _middle(q, e)
        score += bonus
        if middle_evidence:
            evidence.append(middle_evidence)
    return min(score, 1.0), evidence


def _spelled_alike(q: Name, e: Name, last_rel: str, first_rel: str) -> bool:
    if last_rel == "sounds_alike" and OSA.normalized_similarity(q.last_whole, e.last_whole) < SPELLED_ALIKE:
        return False
    return first_rel != "sounds_alike" or OSA.normalized_similarity(q.first, e.first) >= SPELLED_ALIKE


_DATE_SLIPS = frozenset({"one_digit", "transposed"})
# Relations that change nothing a person would call a different spelling of the name.
_SAME_NAME = frozenset({"exact", "same_written_differently", "particle"})


def _few_enough_changes(evidence: list[FieldEvidence], swapped: bool, dob_rel: str) -> bool:
    """At most two changes from the listed person (a name variant, swapped names, day and month swapped),
    and with a weak date fit at most one, and no middle name contradicting the entry's: more changes
    describe too many strangers. One exception when the list gives the year: a nickname with the surname
    spelled another way, the "Bob Smyth" for "Robert Smith" every desk knows."""
    changes: dict[str, str] = {}
    for e in evidence:
        if e.field == "middle name" and e.relation == "different" and dob_rel in WEAK_DOB:
            return False
        if e.field in ("last name", "first name") and e.relation not in _SAME_NAME:
            changes[e.field] = e.relation
    if dob_rel in _DATE_SLIPS and any(r != "typo" for r in changes.values()):
        return False  # a date slip goes with a name slip (one letter), never with another kind of variant
    count = len(changes) + int(swapped) + int(dob_rel == "day_month_swapped")
    if count <= (1 if dob_rel in WEAK_DOB else 2):
        return True
    return (
        dob_rel == "same_year"
        and not swapped
        and changes.get("first name") == "nickname"
        and changes.get("last name") in ("typo", "sounds_alike")
    )


def _all_but_exact(q: Name, e: Name) -> bool:
    return compare_last(q, e)[0] >= STRONG_LAST and compare_first(q, e)[0] >= STRONG_FIRST


def _same_key(q: Name, e: Name) -> bool:
    """True when both names file under one ``N:`` key: surnames sound alike and the first names (or the
    visitor's first and the entry's middle name) sound alike or share a nickname group: the only way the
    index can find an entry that has no date of birth."""
    if not q.last_codes & e.last_codes:
        return False
    given = first_codes(q.first)
    return bool(given & entry_first_codes(e.first)) or bool(
        e.middle and given & entry_first_codes(first_word(e.middle))
    )


def _loose_key(q: Name, e: Name) -> bool:
    """True when both names file under one ``L:`` or ``F:`` key (an entry without a date): the surnames
    sound alike and the first names start with one letter, or the first names sound alike (or share a
    nickname group) and a form of each surname starts with one letter."""
    if q.first[:1] and q.first[:1] == e.first[:1] and q.last_codes & e.last_codes:
        return True
    if not first_codes(q.first) & entry_first_codes(e.first):
        return False
    return bool({f[:1] for f in q.last_forms if f} & {f[:1] for f in e.last_forms if f})


def parse_alias(alias: str) -> Name:
    """An alias as written ("Bobby Jones", "Jones, Bobby", "Bobby J. Jones") as a name."""
    first, middle, last = alias_parts(alias)
    return make_name(first, last, middle)


@dataclass(frozen=True)
class PreparedQuery:
    """A query with its names worked out once (both ways round)."""

    query: Query
    name: Name
    swapped: Name


def prepare(query: Query) -> PreparedQuery:
    """Work out a query's comparable names."""
    return PreparedQuery(
        query,
        make_name(query.first_name, query.last_name, query.middle_name),
        make_name(query.last_name, query.first_name, query.middle_name),
    )


# The entries a visitor's look-up brings (about 70 on a million-entry list) mostly carry common names,
# the same ones again and again: their comparable forms are worked out once. A Name is frozen.
_entry_name = functools.lru_cache(maxsize=65_536)(make_name)
_alias_name = functools.lru_cache(maxsize=16_384)(parse_alias)


def entry_names(entry: Entry) -> list[tuple[Name, str | None]]:
    """The entry's own name and each alias, with the alias text (None for the own name)."""
    names: list[tuple[Name, str | None]] = [
        (_entry_name(given, surname, middle), None)
        for given, middle, surname in spellings(entry.first_name, entry.middle_name, entry.last_name)
    ]
    for a in entry.aliases:
        if fold(a):
            names.append((_alias_name(a), a))
            names += [(_entry_name(g, s, m), a) for g, m, s in spellings(*_alias_parts(a))[1:]]
    return names


# ``phonetic`` and ``phonetic2`` without their caches (the same codes, for a non-empty word): a stranger's
# surname judged once a screen would only push a common name out of them.
_metaphone, _nysiis = phonetic.__wrapped__, phonetic2.__wrapped__


class PieceJudge:
    """Whether a key's piece can still be flagged for one visitor: the index's check, row after row of a
    look-up, before any entry is read.

    :meth:`may_match` is False when no entry whose key ends with the piece can be flagged for the visitor
    with a date-of-birth fit of that relation ("same_year", "one_digit", "transposed", "unknown") through
    the rows of this look-up: the piece's surname (or given names) falls short of what :func:`score_name`
    asks at that fit (``NAMES_NEEDED``) against the visitor's own name. It asks only whether a name
    reaches a level (0.8 or 0.85), not its words: the answers are exactly ``compare_last(...)[0] >= least``
    and ``compare_first(...)[0] >= least`` at those levels (a test holds them to the scorer), with the
    early answers a level allows. The index drops most rows under a common surname code this way.

    The visitor's name swapped is not judged: every relation here is a weak date fit, which allows one
    change, and a swap is one (:func:`_few_enough_changes`), so an entry flagged for the swapped name
    carries both names all but exactly and its ``N:`` key finds it (the visitor looks both ways round up
    there, and keeps the dates of every weak fit). (An entry found by its ID's key is judged on looser
    terms, and that key is read in full.)

    Built for one visitor's own name (``q``, not swapped), because a look-up at a million entries judges a
    few hundred pieces, nearly all of them strangers that fail (the ``F:`` rows of entries without a date
    carry every surname with the visitor's initial): the visitor's side of every comparison (its surname
    forms with their lengths and sound codes, its first name's nickname groups and sound codes) is worked
    out once; each of the piece's forms is coded once, and only when asked; a given-names piece is judged
    by its first name once (the rows under a common surname code carry a few first names with many middle
    names), and by its middle names only when the first name leaves the answer to them; and a surname of
    plain letters (most of them) is read without ``surname_forms`` and its cache.
    """

    def __init__(self, q: Name):
        self._q = q
        self._firsts: dict[tuple[str, float], bool | None] = {}
        self._last_parts = set(q.last_parts)
        # A plain surname (one word, its own whole, core and part) reaches at once when it is one of these;
        # nothing reaches a visitor without a surname (None).
        self._plain_same = {q.last_whole, q.last_core, *q.last_parts} if q.last_whole else None
        self._last_forms = tuple((a, len(a), phonetic(a), phonetic2(a)) for a in q.last_forms)
        a = q.first
        self._first = (
            a,
            len(a),
            nickname_canon(a),
            phonetic(a),
            phonetic2(a),
            q.middle.split() if q.middle else [],
        )

    def may_match(self, piece: str, relation: str) -> bool:
        """False when no entry whose key ends with ``piece`` (``/`` and a surname as written, or given names
        as :func:`frontdesk.wire.keys.given_piece` writes them) can be flagged at this date fit."""
        least = NAMES_NEEDED[relation]
        if piece.startswith("/"):
            return self._surname_reaches(piece[1:], least[0])
        first, _, middle = piece.partition(" ")  # the first word of the given names, and the rest
        known = self._firsts.get((first, least[1]), ...)
        if known is ...:
            words = name_tokens(first)
            known = self._firsts[first, least[1]] = self._first_verdict(words[0] if words else "", least[1])
        if known is not None:
            return known
        # Whether the visitor goes by one of the piece's middle names (make_name's middle: the rest).
        others = (*name_tokens(middle), *name_tokens(first)[1:])
        return self._q.first in others

    def _surname_reaches(self, written: str, least: float) -> bool:
        """Whether :func:`compare_last` rates the surname ``written`` at ``least`` or more (for ``least``
        above 0.75, at most 0.85): the same surname apart from accents, punctuation or particles, part of
        a compound, or else a pair of forms one letter off or sounding alike."""
        if written.isascii() and written.isalpha():
            b = written.lower()
            # A plain surname that is no particle, suffix or Mc name is its own whole, core, one part and
            # one form (``surname_forms``), without the cache: most of the pieces a look-up meets are
            # strangers' surnames the cache has not seen. The first three tests below in one.
            if b not in SUFFIXES and b not in PARTICLES and not b.startswith("mc"):
                if self._plain_same is None or b in self._plain_same:
                    return self._plain_same is not None
                return self._form_reaches(b, least)
        whole, core, parts, e_forms = surname_forms(written)[:4]
        q = self._q
        if not q.last_whole or not whole:
            return False
        if q.last_whole == whole or q.last_core == core:
            return True  # exact, written differently (0.98), or the same apart from the particle (0.95)
        q_parts = self._last_parts
        if q_parts and parts:
            e_parts = set(parts)
            if q_parts <= e_parts or e_parts <= q_parts:
                return True  # part of a compound surname: 0.9
        # A surname cut short to its particle (0.78) and two letters off (0.75) never reach.
        return any(self._form_reaches(b, least) for b in e_forms)

    def _form_reaches(self, b: str, least: float) -> bool:
        """One of the entry's surname forms against each of the visitor's: one letter off (0.85), or
        (``least`` 0.8 or under) sounding alike (0.8) as ``_surnames_sound_alike`` says, its spelling test
        before the second sound code (the same answer, the cheaper test first)."""
        sound = least <= 0.8
        lb = len(b)
        b_code = b_code2 = None  # coded once, and only when asked: most of these surnames are strangers'
        for a, la, code, code2 in self._last_forms:
            shorter, longer = (la, lb) if la < lb else (lb, la)
            if longer - shorter <= 1 and longer >= 4 and OSA.distance(a, b, score_cutoff=1) == 1:
                return True
            if sound and (shorter >= 3 or (shorter == 2 and a[0] == b[0])):  # as _long_enough_to_sound
                if b_code is None:
                    b_code = _metaphone(b)
                if code == b_code:
                    return True
                if OSA.normalized_similarity(a, b) >= SURNAME_SPELLED_NEAR:
                    if b_code2 is None:
                        b_code2 = _nysiis(b)
                    if code2 == b_code2:
                        return True
        return False

    def _first_verdict(self, b: str, least: float) -> bool | None:
        """Whether :func:`compare_first` rates a name whose first name is ``b`` at ``least`` or more (for
        ``least`` above 0.75, at most 0.85), as far as it goes without that name's middle names: None when
        the answer is whether the visitor's first name is one of them (0.8)."""
        a, la, canon, code, code2, middles = self._first
        if not a or not b:
            return False
        if a == b:
            return True
        shared = canon & nickname_canon(b)
        if shared:  # a nickname of the other (0.9), or two forms of a third name (0.75), as _nickname_words says
            return a in shared or b in shared
        lb = len(b)
        if max(la, lb) >= 4 and abs(la - lb) <= 1 and OSA.distance(a, b, score_cutoff=1) == 1:
            return True  # one letter off: 0.85
        if least > 0.8:
            return False  # what is left is 0.8 at most
        # Sounding alike (_sounds_alike, at _long_enough_to_sound's lengths), or one the start of the other
        shortest = min(la, lb)
        if (shortest >= 3 or (shortest == 2 and a[0] == b[0])) and (code == phonetic(b) or code2 == phonetic2(b)):
            return True
        if shortest >= 3 and (a.startswith(b) or b.startswith(a)):
            return True
        if middles and b in middles:
            return True  # the visitor's middle name
        return None  # whether the visitor goes by one of the other's middle names


SEX_WORDS = {"M": "male", "F": "female", "X": "X"}
ID_CONFIRMS = 0.05  # added to the score when the ID's issuer and last 4 agree with the list's
SEX_DIFFERS = 0.05  # taken off when the sex differs and the pair is kept all the same


def id_fit(query: Query, entry: Entry, entry_first: str) -> tuple[str, list[FieldEvidence]]:
    """What the ID gives beyond the name, against the list: ("confirms" | "contradicts" | "", evidence).

    - the ID's issuer and the last 4 of its number: the same on both sides confirms (one stranger in
      ten thousand shares them; a list that records the last 4 without the issuer: the last 4 alone);
      other digits, or an ID from another issuer than the list records, are shown and decide nothing
      here (a person may hold a licence and an ID card, or a card replaced under a new number): the
      screener weighs them when the name is all there is (``screener.ID_OTHER_CARD``);
    - sex: M against F contradicts. When the list gives no sex, the listed first name's does, where
      95% of the people given that name in the SSA tables are of one sex (Mary against a male ID
      holder named Gary). An "X" on either side says nothing.
    """
    evidence: list[FieldEvidence] = []
    fit = ""
    same_issuer = bool(query.id_state) and query.id_state == entry.id_state
    if query.id_last4 and entry.id_last4 and (same_issuer or not entry.id_state):
        where = f" of an ID from {entry.id_state}" if entry.id_state else " of the ID (the list gives no issuer)"
        if query.id_last4.upper() == entry.id_last4.upper():
            evidence.append(FieldEvidence("ID number", "same", f"same last 4 ({entry.id_last4}){where}"))
            fit = "confirms"
        else:
            words = f"different last 4 ({query.id_last4} / {entry.id_last4}){where}"
            evidence.append(FieldEvidence("ID number", "different", words))
    elif query.id_state and entry.id_state and not same_issuer:
        words = f"an ID from {query.id_state}; the list records one from {entry.id_state}"
        evidence.append(FieldEvidence("ID number", "other_issuer", words))
    listed, how = entry.sex, ""
    if not listed:
        listed, how = sex_of_name(entry_first), f" (the list gives none; {entry_first} is a {{}} name)"
    if query.sex in ("M", "F") and listed in ("M", "F"):
        if query.sex == listed:
            words = f"same ({SEX_WORDS[listed]})" + how.format(SEX_WORDS[listed])
            evidence.append(FieldEvidence("sex", "same", words))
        else:
            words = f"different ({SEX_WORDS[query.sex]} / {SEX_WORDS[listed]})" + how.format(SEX_WORDS[listed])
            evidence.append(FieldEvidence("sex", "different", words))
            fit = fit or "contradicts"
    return fit, evidence


def score_entry(pq: PreparedQuery, entry: Entry, thresholds: Thresholds) -> Candidate | None:
    """Score one entry against a prepared query; None when it cannot be the visitor at all."""
    dob_rel, dob_words = dates.compare(pq.query.dob, entry.dob)
    if dob_rel == "conflict":
        return None
    q = pq.query
    same_id = bool(q.id_state and q.id_last4) and (q.id_state, q.id_last4) == (entry.id_state, entry.id_last4)
    # The same ID (issuer and last 4) found the entry through its I: key: both names related is enough.
    least = (MIN_LAST, MIN_FIRST) if same_id else NAMES_NEEDED.get(dob_rel, (MIN_LAST, MIN_FIRST))
    # With no date, or only the visitor's year against a full date, the index finds an entry through its
    # sound and nickname keys alone; the scorer asks the same, so a full scan and the index agree.
    keyed_only = not same_id and (dob_rel == "unknown" or (dob_rel == "same_year" and entry.dob.day is not None))
    best: tuple[float, list[FieldEvidence], str] | None = None
    for e_name, alias in entry_names(entry):
        for q_name, swapped in ((pq.name, False), (pq.swapped, True)):
            found = score_name(q_name, e_name, least)
            if found is None:
                continue
            if (
                keyed_only
                and not _same_key(q_name, e_name)
                and not _all_but_exact(q_name, e_name)
                and not (not entry.dob.known and _loose_key(q_name, e_name))
            ):
                continue
            if not same_id and not _few_enough_changes(found[1], swapped, dob_rel):
                continue
            score, evidence = found
            if swapped:
                score *= SWAP_FACTOR
                evidence = [*evidence, FieldEvidence("name", "swapped", "first and last names swapped")]
            if alias is not None:
                score *= ALIAS_FACTOR
                evidence = [*evidence, FieldEvidence("name", "alias", f"matches the alias {alias!r}")]
            if best is None or score > best[0]:
                best = (score, evidence, alias or entry.full_name)
    if best is None:
        return None
    name_score, evidence, matched = best
    total = NAME_WEIGHT * name_score + DOB_WEIGHT * DOB_LEVEL[dob_rel]
    evidence = [*evidence, FieldEvidence("DOB", dob_rel, dob_words)]
    matched_first = entry.first_name if matched == entry.full_name else parse_alias(matched).raw_first
    fit, id_evidence = id_fit(pq.query, entry, matched_first)
    if fit == "contradicts":
        # Only the listed person's exact name outweighs a different sex (a list's own error, or a forged
        # document: no check digit covers the sex), with the exact date of birth, the listed year (a list that
        # gives only the year: dropped here until session 25's red team, while an entry without any date was
        # shown), or on an entry without any date, where the screener shows it as a note that does not stop
        # the desk (``screener``); anything looser describes another person.
        names_same = all(e.relation in _SAME_NAME for e in evidence if e.field in ("last name", "first name"))
        if dob_rel not in _SEX_OUTWEIGHED or not names_same or any(e.relation == "swapped" for e in evidence):
            return None
        total -= SEX_DIFFERS
    elif fit == "confirms":
        total = max(total + ID_CONFIRMS, thresholds.match)
    total = round(min(total, 1.0), 4)
    evidence = [*evidence, *id_evidence]
    return Candidate(entry, total, tuple(evidence), thresholds.decide(total), matched)


@functools.lru_cache(maxsize=8192)
def _alias_parts(alias: str) -> tuple[str, str, str]:
    return alias_parts(alias)


def look_alike(pq: PreparedQuery, first: str, middle: str, last: str, aliases: Iterable[str]) -> str | None:
    """How a list entry carrying the visitor's name all but exactly compares on the middle name, else None.

    "agrees" (both give it, and it is the same or the same initial), "compatible" (one side lacks it, or
    they are similar), "different" (they contradict). A *look-alike* is an entry whose own name or an
    alias is the visitor's (surname the same apart from accents, punctuation or particles; first name the
    same) and whose middle name agrees or is compatible.
    Counting them tells how common the visitor's name is on the lists, which is what a near-miss date of
    birth has to be weighed against.
    """
    found = None
    q = pq.name
    named = ((first, middle, last), *(_alias_parts(a) for a in aliases))
    for given, middle_name, surname in (spelled for n in named for spelled in spellings(*n)):
        # The same tests as compare_first / compare_last at the all-but-exact levels, on cached pieces:
        # a common name has hundreds of namesakes to look at.
        given_words = name_tokens(given)
        if not given_words or given_words[0] != q.first:
            continue
        whole, core = surname_forms(surname)[:2]
        if not whole or (whole != q.last_whole and core != q.last_core):
            continue
        relation = _middle_words(q.middle.split(), (*name_tokens(middle_name), *given_words[1:]))
        if relation == "agrees":
            return relation
        if relation != "different":
            found = "compatible"
        elif found is None:
            found = "different"
    return found


def look_alike_middle(pq: PreparedQuery, middle: str) -> str:
    """How one name that is the visitor's all but exactly compares on the middle name, as :func:`look_alike`
    says it for that name: "agrees", "compatible" or "different" (``middle``: the first middle name the
    scorer compares on the entry's side, as an ``A:`` key carries it; empty when it has none)."""
    relation = _middle_words(pq.name.middle.split(), (middle,) if middle else ())
    return relation if relation in ("agrees", "different") else "compatible"
