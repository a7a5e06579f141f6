"""Screening one visitor: look the blocking keys up, score the few entries found, decide.

Every weak date-of-birth fit (one digit off, transposed, a list giving only the year, or no date) is
weighed against how common the visitor's name is on the lists, which the same index scan tells:

- with the visitor's own name, against its *look-alikes*: the entries carrying that name all but exactly
  (as own name or alias) whose middle name does not contradict the visitor's, read only when needed.
  When both give a middle name and it agrees, only look-alikes with that middle name count; when the
  middle names contradict, a weak date fit is not enough at all;
- with a name variant (a list giving only the year, or none, allows one), against every entry filed
  under the visitor's sound and nickname keys.

The lists alone undercount a name that is common among visitors but rare on the lists: for a near-miss
date the count is never taken below what the population tables (``population``) predict for lists of this
size, ``entries × share of people carrying the name``. The card always gives the population figures in
words (how many people in the US carry the name).

A near-miss date is flagged only while such a near miss is unlikely to turn up by chance among them
(``max_chance``); an entry without any date is flagged on the name alone only while few entries carry it
(``namesakes_max``). One such date on a rare name says a lot; one among two hundred namesakes says little.
The candidate then says so in words, for the person deciding.

Flagged, or a note. A flagged candidate stops the desk until a person decides. An entry matched on the name
alone that the rules do not flag (too many namesakes, a common variant, a middle name or sex that
contradicts, the listed name with another ID than the list records and a common name:
:func:`_why_not_stopped`) is never dropped: it is returned as a *note*, a candidate whose own decision is
``clear``, after the flagged ones, and the card's ``desk`` line says which it is and why.

:meth:`Screener.scan_all` scores every entry instead of using the index for candidates: the slow
reference the tests and the benchmark compare the fast path against (the same rules apply to both)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date

from frontdesk import clock
from frontdesk.screening import dates
from frontdesk.screening.dates import Dob
from frontdesk.screening.keys import lookup
from frontdesk.screening.lists import ENTRY_COLUMNS, ENTRY_FROM, LIVE, entry_from_row, hidden_entry_ids
from frontdesk.screening.lookalikes import as_seen, merged
from frontdesk.screening.match import (
    WEAK_DOB,
    PieceJudge,
    PreparedQuery,
    Thresholds,
    look_alike,
    look_alike_middle,
    parse_alias,
    prepare,
    score_entry,
)
from frontdesk.screening.models import Candidate, Decision, Entry, FieldEvidence, Query, ScreenResult
from frontdesk.screening.population import US_POPULATION, Commonness, commonness, given_share
from frontdesk.screening.zone_spelling import read_back, written_as_pair, zone_spelling
from frontdesk.settings import (
    SCREEN_MAX_CHANCE,
    SCREEN_NAME_ONLY_LISTED_MAX_PEOPLE,
    SCREEN_NAME_ONLY_MAX_PEOPLE,
    SCREEN_NAMESAKES_MAX,
)
from frontdesk.store import Store
from frontdesk.wire.keys import LOOK_ALIKE_FROM, NICKNAMES_FROM, id_key, look_alike_prefixes
from frontdesk.wire.names import alias_parts, fold, latin, other_script, scripts, spellings

LAST_CHAR = chr(0x10FFFF)  # sorts after any character a key holds: prefix .. prefix + LAST_CHAR is a prefix scan
MAX_CANDIDATES = 20  # shown per visitor; more than this means the visitor gave too little to go on
# Dates of birth on a list spread over about this many years: the chance that a stranger's birthday is
# a near miss of one namesake's is (near-miss dates) / (days in the span), or 1 / span for a year alone.
BIRTH_SPAN_YEARS = 65


def _today() -> date:
    return clock.now().astimezone().date()


@dataclass(frozen=True)
class DobCounts:
    """How many list entries, by what their date of birth is (expected counts may be fractions)."""

    full_date: float = 0
    year_only: float = 0
    no_date: float = 0

    @property
    def total(self) -> float:
        """All of them."""
        return self.full_date + self.year_only + self.no_date

    @classmethod
    def of_kinds(cls, kinds: Iterable[str]) -> DobCounts:
        """Count dates of birth by kind: ``d`` (a full date), ``y`` (a year only), ``-`` (none)."""
        counted = {"d": 0, "y": 0, "-": 0}
        for kind in kinds:
            counted[kind] += 1
        return cls(counted["d"], counted["y"], counted["-"])

    @classmethod
    def of(cls, dobs: Iterable[Dob]) -> DobCounts:
        """Count dates of birth by kind."""
        full = year = none = 0
        for d in dobs:
            if d.day is not None:
                full += 1
            elif d.known:
                year += 1
            else:
                none += 1
        return cls(full, year, none)

    def scaled(self, share: float) -> DobCounts:
        """The expected counts among entries like these that carry a name ``share`` of people carry."""
        return DobCounts(self.full_date * share, self.year_only * share, self.no_date * share)

    def at_least(self, other: DobCounts) -> DobCounts:
        """Each count at least ``other``'s."""
        full, year = max(self.full_date, other.full_date), max(self.year_only, other.year_only)
        return DobCounts(full, year, max(self.no_date, other.no_date))


@dataclass(frozen=True)
class Namesakes:
    """What the index files under the visitor's name: the entries under its own sound (``ids``, where its
    look-alikes are), and counts of every entry under any of its sound and nickname keys, either way round."""

    related: DobCounts = DobCounts()
    ids: frozenset[int] = frozenset()


def chance_of_near_miss(relation: str, visitor: Dob, counts: DobCounts) -> float:
    """Expected entries among ``counts`` whose date is this kind of near miss of the visitor's by chance."""
    if relation == "same_year":
        if visitor.day is not None:  # the list gives only a year: any of its year-only entries
            return counts.year_only / BIRTH_SPAN_YEARS
        return (counts.full_date + counts.year_only) / BIRTH_SPAN_YEARS  # the visitor gave only a year
    near = len(dates.neighbours(visitor.day)) - 2 if visitor.day else 40
    return counts.full_date * near / (BIRTH_SPAN_YEARS * 365.25)


def _at_least_one(counts: DobCounts, dob: Dob) -> DobCounts:
    """``counts``, counting the entry with date ``dob`` if it is not already counted."""
    if dob.day is not None:
        return replace(counts, full_date=max(counts.full_date, 1))
    if dob.known:
        return replace(counts, year_only=max(counts.year_only, 1))
    return replace(counts, no_date=max(counts.no_date, 1))


def _dob_relation(candidate: Candidate) -> str:
    return next(e.relation for e in candidate.evidence if e.field == "DOB")


def _common_name_words(relation: str, visitor: Dob, counts: DobCounts, chance: float | None, names: str) -> str:
    """How common the visitor's name is on the lists, and how likely the date fit is by chance, in words."""
    if chance is None:  # the list gives no date: the name is all there is
        count, which = counts.total, ""
    elif relation == "same_year" and visitor.day is not None:
        count, which = counts.year_only, " with only a year of birth"
    elif relation == "same_year":
        count, which = counts.full_date + counts.year_only, ""
    else:
        count, which = counts.full_date, " with a full date of birth"
    count = round(count)
    entries = "1 entry on the lists carries" if count == 1 else f"{count:,} entries on the lists carry"
    words = f"{entries} {names}{which}"
    if chance is not None:
        odds = f"about 1 in {max(1, round(1 / chance)):,}" if chance > 0 else "almost never"
        words += f"; a date this close turns up by chance {odds}"
    return words


INITIAL_SHARE = 0.05  # about one person in twenty shares a middle initial


ID_OTHER_CARD = 0.2  # the share of listed people taken to show another ID than the one the list records
# Lists this large sample the population well enough to say how common a name is where the tables cannot
# (a name the tables do not know, or a community where it is commoner): at 50,000 entries a name one
# person in 10,000 carries turns up about 5 times. Smaller lists leave it to the tables (one person listed
# twice, on a district list and a registry, says nothing about strangers).
LIST_SAMPLE_MIN = 50_000
# Entries carrying the name that say nothing of strangers: the candidate, and one more (the same person on
# a district list and a registry extract, or one namesake by chance: a count of one is no frequency).
LIST_SELF = 2


def _listed_people(counts: DobCounts, sizes: DobCounts) -> float:
    """About how many people in the US carry the name, going by the entries on the lists that carry it
    (``counts``, the candidate among them, less ``LIST_SELF``) on lists of ``sizes``; 0 on lists too small
    to say."""
    if sizes.total < LIST_SAMPLE_MIN:
        return 0.0
    return max(0.0, counts.total - LIST_SELF) / sizes.total * US_POPULATION


def _name_only_strangers(
    query: Query, candidate: Candidate, middle: str | None, people: Commonness, listed_people: float = 0.0
) -> tuple[float, str]:
    """About how many people in the US would match this entry without a date of birth as the visitor
    does, and the words for the card.

    The visitor's first and last name by the Census and SSA tables; for a name variant (a nickname, a
    typo) at least as many as carry the listed name, since any of them would match as well. A middle name
    both give and agree on (the same, or the same initial) divides them by how common it is. An ID that
    is not the one the list records (other last 4, or another issuer) is what a stranger shows, and only
    about one listed person in five (``ID_OTHER_CARD``): it weighs as five times as many strangers.
    ``listed_people``: as many as the lists' own count implies, when that is more (``_listed_people``)."""
    entry = candidate.entry
    strangers = people.bearers
    if middle is None:  # a name variant: whoever carries the listed name matches too
        listed = commonness(entry.first_name, entry.last_name, entry.sex or query.sex)
        strangers = max(strangers, listed.bearers)
    what = "the name"
    mine, theirs = fold(query.middle_name).split()[:1], fold(entry.middle_name).split()[:1]
    if (
        mine
        and theirs
        and (mine[0] == theirs[0] or min(len(mine[0]), len(theirs[0])) == 1 and mine[0][0] == theirs[0][0])
    ):
        if len(mine[0]) > 1 and len(theirs[0]) > 1:
            strangers *= given_share(mine[0], query.sex)
            what = "the name with this middle name"
        else:
            strangers *= INITIAL_SHARE
            what = "the name with this middle initial"
    how = ""
    if listed_people > strangers:
        strangers, how = listed_people, ", going by how many entries on the lists carry it"
    many = "likely fewer than 1 person" if strangers < 1 else f"about {max(1, round(strangers)):,} people"
    words = f"; the list gives no date of birth, so the name is all there is: {many} in the US carry {what}{how}"
    if any(e.field == "ID number" and e.relation in ("different", "other_issuer") for e in candidate.evidence):
        strangers /= ID_OTHER_CARD
        words += "; the visitor's ID is not the one the list records"
    return strangers, words


_FIT_RANK = {"different": 0, "compatible": 1, "agrees": 2}  # how a look-alike's middle name fits, worst first
MAX_NOTES = 5  # notes shown per visitor, after every flagged candidate
# The words on the card of an entry matched on the name alone that stops the desk, and the rule behind it.
NAME_ONLY_STOP = FieldEvidence(
    "desk",
    "stop",
    "stopped for a person: with no date of birth to compare, the name is all there is, and nothing the "
    "visitor's ID gives (sex, issuer, last 4) rules the listed person out; compare the photo and ask",
)


def _goes_by_middle_but_middle_differs(query: Query, candidate: Candidate) -> bool:
    """True when the visitor's first name is the listed person's middle name (someone who goes by it) and
    the visitor's ID gives a middle name that is neither the listed first name nor its initial: a person
    listed as "Mei Brigitte Howard" carries "Mei" on an ID that says Brigitte."""
    if not any(e.field == "first name" and e.relation == "middle_name" for e in candidate.evidence):
        return False
    mine = fold(query.middle_name).split()[:1]
    matched = candidate.matched_name if candidate.matched_name != candidate.entry.full_name else ""
    listed_first = fold(parse_alias(matched).raw_first if matched else candidate.entry.first_name).split()[:1]
    if not mine or not listed_first:
        return False
    a, b = mine[0], listed_first[0]
    return a != b and not (min(len(a), len(b)) == 1 and a[0] == b[0])


def _why_not_stopped(
    query: Query,
    candidate: Candidate,
    middle: str | None,
    counts: DobCounts,
    strangers: float,
    namesakes_max: int,
    max_people: int,
    listed_max_people: int = 0,
) -> str:
    """Why an entry matched on the name alone (no date of birth to compare) is shown as a note and does not
    stop the desk, in words; "" when it stops the desk.

    A note when: the middle names contradict (or the visitor goes by the listed middle name while their own
    middle name is not the listed first name); the ID's sex is not the list's; or, when the visitor's ID
    gives a date of birth, more than ``namesakes_max`` entries carry the name; a name *variant* that more
    than ``max_people`` people in the US carry; or **the listed name itself with an ID other than the one
    the list records** (another issuer, or other last 4) and more than ``max_people`` people counted the
    same way (``_name_only_strangers``: such an ID weighs as five times as many strangers). The listed name
    itself with nothing on the ID against it stops the desk while few entries carry it, however common
    the name: a person compares the photo and asks; unless the school chose otherwise
    (``listed_max_people``, ``screening.name_only_listed_max_people``, 0 = never): then a name more than that
    many people carry is a note. A note is never dropped: it is shown with the result.
    """
    reasons = []
    if middle == "different":
        reasons.append("the visitor's middle name is not the listed one")
    if _goes_by_middle_but_middle_differs(query, candidate):
        reasons.append(
            "the visitor's first name is the listed middle name, but their own middle name is not the "
            "listed first name"
        )
    sex = next((e for e in candidate.evidence if e.field == "sex" and e.relation == "different"), None)
    if sex is not None:
        reasons.append(f"the sex on the ID is not the list's: {sex.words}")
    if query.dob.known:
        other_id = any(
            e.field == "ID number" and e.relation in ("different", "other_issuer") for e in candidate.evidence
        )
        if counts.total > namesakes_max:
            many = f"{round(counts.total):,} entries on the lists carry the name"
            reasons.append(f"{many}, so it says little of this visitor")
        elif middle is None and strangers > max_people:
            reasons.append(
                "a variant of a name too many people carry for the name alone to point to the listed person"
            )
        elif middle is not None and other_id and strangers > max_people:
            reasons.append(
                "the visitor's ID is not the one the list records, and too many people carry the name for the "
                "name alone to point to the listed person"
            )
        elif middle is not None and listed_max_people and strangers > listed_max_people:
            reasons.append(
                f"about {round(strangers):,} people in the US carry the name, more than the screening setting "
                f"allows for a stop on the name alone ({listed_max_people:,})"
            )
    return "; ".join(reasons)


IN_LATIN_LETTERS = "in_latin_letters"  # the relation of the evidence line :func:`_said_in_latin` adds
VISITORS = "the visitor's"


def _in_latin_title(text: str) -> str:
    """A name part as the card shows its Latin reading: Yuliya, Papadopoylos."""
    return text if text.isascii() else " ".join(w.capitalize() for w in latin(text).split())


def _in_latin(who: str, first: str, middle: str, last: str) -> str:
    """One side of the words of :func:`_said_in_latin`: whose name, in which script, and how it was read (and
    as passports spell it, where that differs: :func:`frontdesk.wire.names.spellings`)."""
    written = " ".join(n for n in (first, middle, last) if n)
    reads = " ".join(w.capitalize() for w in latin(written).split())
    found = scripts(written)
    noun = "characters" if set(found) <= {"Chinese", "Japanese"} else "letters"
    words = f"{who} name is written in {' and '.join(found)} {noun} ({written}), read as {reads}"
    others = [_reading(*parts) for parts in spellings(first, middle, last)[1:]]
    return f"{words} and as a passport spells it, {' or '.join(others)}" if others else words


def _reading(first: str, middle: str, last: str) -> str:
    return " ".join(_in_latin_title(n) for n in (first, middle, last) if n)


def _said_in_latin(query: Query, candidates: list[Candidate]) -> list[Candidate]:
    """The candidates, each whose listed name or the visitor's is written in another script with a first line
    of evidence saying so: the names were compared in Latin letters, by a transliteration the person deciding
    should check against the ID (a passport may spell the same name another way)."""
    if not candidates:
        return candidates
    visitor = (query.first_name, query.middle_name, query.last_name)
    mine = any(map(other_script, visitor))
    out = []
    for c in candidates:
        theirs = other_script(c.matched_name)
        if not (mine or theirs):
            out.append(c)
            continue
        e = c.entry
        listed = (e.first_name, e.middle_name, e.last_name)
        if c.matched_name != e.full_name:  # an alias
            first, middle, last = alias_parts(c.matched_name)
            listed = (first, middle, last)
        sides = ([_in_latin(VISITORS, *visitor)] if mine else []) + (
            [_in_latin("the listed", *listed)] if theirs else []
        )
        words = "; ".join(sides) + ": the names were compared in Latin letters; check the spelling on the ID"
        out.append(replace(c, evidence=(FieldEvidence("name", IN_LATIN_LETTERS, words), *c.evidence)))
    return out


def _passport_readings(query: Query) -> list[tuple[Query, FieldEvidence]]:
    """The visitor's name as passports spell it where :func:`latin` reads it otherwise (Юлия: Iuliia, where
    anyascii reads Yuliya; 김: Kim, where it reads Gim), each with the evidence line a candidate found only that
    way carries; none for a Latin name. A list entry in Latin letters may have been written from a passport:
    a visitor typed in Cyrillic or Hangul is screened each way, as such an entry is filed each way. Every part
    of a reading is in Latin letters (Смирнова, which both read alike, too)."""
    first, middle, last = query.first_name, query.middle_name, query.last_name
    others = spellings(first, middle, last)[1:]
    if not others:
        return []
    why = FieldEvidence(
        "name",
        IN_LATIN_LETTERS,
        f"{_in_latin(VISITORS, first, middle, last)}: the names were compared in Latin letters; check the "
        "spelling on the ID",
    )
    readings = []
    for parts in others:
        f, m, la = (_in_latin_title(n) if n else n for n in parts)
        readings.append((replace(query, first_name=f, middle_name=m, last_name=la), why))
    return readings


def _zone_readings(query: Query) -> list[tuple[Query, FieldEvidence, bool]]:
    """The visitor's name as a passport's zone writes it (Müller: Mueller) and as it was before the zone wrote
    it (MUELLER: Muller), where either differs (:mod:`frontdesk.screening.zone_spelling`): each reading, its
    evidence line, and whether it is the name read back (only entries written with such a letter count) or as
    the zone writes it (only entries written without)."""
    parts = (query.first_name, query.middle_name, query.last_name)
    readings = []
    for spell, words, backwards in (
        (zone_spelling, "as a passport's zone writes it", False),
        (read_back, "as written before a passport's zone wrote Å, Ä, Ö, Ø, Ü as AA, AE, OE, UE", True),
    ):
        spelled = [spell(p) for p in parts]
        if not any(spelled):
            continue
        f, m, la = (s or p for s, p in zip(spelled, parts, strict=True))
        name = " ".join(n for n in (f, m, la) if n)
        why = FieldEvidence(
            "name", ZONE_SPELLING, f"the visitor's name read {words}, {name}: check the spelling on the ID"
        )
        readings.append((replace(query, first_name=f, middle_name=m, last_name=la), why, backwards))
    return readings


ZONE_SPELLING = "zone_spelling"  # the relation of the evidence line of a candidate :func:`_zone_readings` found


class Screener:
    """Screens visitors against every list in the store."""

    def __init__(
        self,
        store: Store,
        thresholds: Callable[[], Thresholds] = Thresholds,
        today: Callable[[], date] = _today,
        namesakes_max: Callable[[], int] = lambda: SCREEN_NAMESAKES_MAX.default,
        max_chance: Callable[[], float] = lambda: SCREEN_MAX_CHANCE.default,
        name_only_max_people: Callable[[], int] = lambda: SCREEN_NAME_ONLY_MAX_PEOPLE.default,
        name_only_listed_max_people: Callable[[], int] = lambda: SCREEN_NAME_ONLY_LISTED_MAX_PEOPLE.default,
    ):
        self._store = store
        self._thresholds = thresholds
        self._today = today
        self._namesakes_max = namesakes_max
        self._max_chance = max_chance
        self._name_only_max_people = name_only_max_people
        self._name_only_listed_max_people = name_only_listed_max_people
        self._sizes: tuple[int | None, DobCounts] = (None, DobCounts())

    def list_sizes(self) -> DobCounts:
        """Every entry on the lists, by kind of date of birth (counted again when entries were added)."""
        db = self._store.db
        top = db.execute("SELECT max(id) FROM screening_entries").fetchone()[0]
        if top != self._sizes[0]:
            row = db.execute(
                "SELECT count(*), coalesce(sum(length(dob) = 10), 0), coalesce(sum(length(dob) = 4), 0) "
                "FROM screening_entries"
            ).fetchone()
            self._sizes = (top, DobCounts(row[1], row[2], row[0] - row[1] - row[2]))
        return self._sizes[1]

    def _find(
        self, query: Query, *, candidates: bool = True, pq: PreparedQuery | None = None
    ) -> tuple[set[int], Namesakes]:
        """Candidate entry ids from the index, and the visitor's namesake counts: every key the visitor
        looks up (the ``E:``/``Y:``/``L:``/``F:`` prefixes, the ``N:`` prefixes and the ``I:`` key) in one
        statement."""
        pq = pq or prepare(query)
        found = lookup([pq.name, pq.swapped], query.dob, older_table=self._older_table())
        scans = found.scans if candidates else []
        by_id = id_key(query.id_state, query.id_last4) if candidates else None
        keys = [p for p, _ in scans] + found.prefixes + ([by_id] if by_id else [])
        # Every key that starts with one of them: U+10FFFF sorts after any character a key holds.
        rows = self._store.db.execute(
            "SELECT j.key, substr(k.key, length(j.value) + 1), k.entry_id FROM json_each(?) j "
            "CROSS JOIN screening_keys k WHERE k.key >= j.value AND k.key < j.value || char(1114111)",
            [json.dumps(keys)],
        )
        n_scans, n_named = len(scans), len(scans) + len(found.prefixes)
        own_at = {n_scans + i for i, p in enumerate(found.prefixes) if p in found.own_prefixes}
        ids: set[int] = set()
        own: set[int] = set()
        related: dict[int, set[int]] = {8: set(), 4: set(), 1: set()}  # by the length of the date part
        judged: dict[tuple[str, str], bool] = {}  # rows under common codes share a few pieces
        judge = PieceJudge(pq.name)
        kept = found.kept_dates(query.dob)
        for at, rest, entry_id in rows:
            if at < n_scans:  # an E:/Y:/L:/F: row: its piece may rule the entry out
                relation = scans[at][1]
                if relation is not None:
                    may = judged.get((rest, relation))
                    if may is None:
                        may = judged[rest, relation] = judge.may_match(rest, relation)
                    if not may:
                        continue
                ids.add(entry_id)
            elif at < n_named:  # an N: row: the rest is the entry's date
                related[len(rest) if len(rest) in (8, 4) else 1].add(entry_id)
                if at in own_at:
                    own.add(entry_id)
                if candidates and (rest in kept if kept is not None else found.keeps(rest, query.dob)):
                    ids.add(entry_id)
            elif not rest:  # the visitor's ID (itself: not a longer one it starts): whatever the names
                ids.add(entry_id)
        hidden = hidden_entry_ids(self._store.db, ids | related[8] | related[4] | related[1])
        if hidden:  # entries of a list being imported or deleted right now are not in force
            ids -= hidden
            own -= hidden
            for group in related.values():
                group -= hidden
        counts = DobCounts(len(related[8]), len(related[4]), len(related[1]))
        return ids, Namesakes(counts, frozenset(own))

    def _older_table(self) -> bool:
        """True while the index in force was filed under an older nickname table (an upgrade's background build
        has not swapped yet): the look-ups then take every code of the visitor's first name (``keys.lookup``)."""
        version = self._key_version()
        return version is not None and version < NICKNAMES_FROM

    def _key_version(self) -> int | None:
        """The key rules the index in force was filed under (None: no index filed yet)."""
        row = self._store.db.execute("SELECT value FROM screening_meta WHERE key = 'key_version'").fetchone()
        return None if row is None else int(row[0])

    def candidate_ids(self, query: Query) -> list[int]:
        """The ids of the entries the blocking index finds for the visitor (before scoring)."""
        return sorted(self._find(query)[0])

    def namesakes(self, query: Query) -> Namesakes:
        """How many list entries file a name that sounds like the visitor's, by kind of date of birth."""
        return self._find(query, candidates=False)[1]

    def screen(self, query: Query) -> ScreenResult:
        """The decision for one visitor, with every flagged entry and its evidence, best first.

        A name written with look-alike letters of another alphabet or invisible characters is screened as
        written and as it reads (:mod:`frontdesk.screening.lookalikes`), and both answers are kept; so is
        a name in Cyrillic or Hangul, as written and as passports spell it (:func:`_passport_readings`)."""
        return self._each_reading(query, self._screen)

    def _each_reading(self, query: Query, screen_one: Callable[[Query], ScreenResult]) -> ScreenResult:
        result = screen_one(query)
        seen = as_seen(query)
        if seen is not None:
            result = merged(result, screen_one(seen), MAX_CANDIDATES, MAX_NOTES)
        for spelled, why in _passport_readings(query):
            result = merged(result, screen_one(spelled), MAX_CANDIDATES, MAX_NOTES, why=why)
        for spelled, why, backwards in _zone_readings(query):
            found = screen_one(spelled)
            # Only an entry the reading is for: one written with a letter the zone writes as a pair (the name read
            # back), or one written without (the visitor's letters as the zone writes them); the others were
            # screened as they are, and the reading would only weigh them by another name's commonness.
            kept = tuple(c for c in found.candidates if written_as_pair(c.matched_name) == backwards)
            result = merged(result, replace(found, candidates=kept), MAX_CANDIDATES, MAX_NOTES, why=why)
        return result

    def _screen(self, query: Query) -> ScreenResult:
        pq = prepare(query)  # once for the look-up and the scoring
        ids, namesakes = self._find(query, pq=pq)
        entries: list[Entry] = []
        if ids:
            marks = ",".join("?" * len(ids))
            rows = self._store.db.execute(
                f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE {LIVE} AND e.id IN ({marks})", list(ids)
            )
            entries = [entry_from_row(r) for r in rows.fetchall()]
        return self.decide(query, entries, namesakes, prepared=pq)

    def scan_all(self, query: Query) -> ScreenResult:
        """The same decision from scoring every entry (slow; the reference for tests and the benchmark)."""
        return self._each_reading(query, lambda q: self.decide(q, self._all_entries(), self.namesakes(q)))

    def _all_entries(self) -> Iterator[Entry]:
        cursor = self._store.db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE {LIVE}")
        for row in cursor:
            yield entry_from_row(row)

    def decide(
        self,
        query: Query,
        entries: Iterable[Entry],
        namesakes: Namesakes,
        *,
        prepared: PreparedQuery | None = None,
    ) -> ScreenResult:
        """Score ``entries`` (from the index, or all of them) and decide, by the same rules either way
        (``prepared``: the query's names, when the caller has worked them out already)."""
        thresholds = self._thresholds()
        pq = prepared or prepare(query)
        today = self._today()
        scored: list[Candidate] = []
        for entry in entries:
            if not entry.active_on(today):
                continue
            candidate = score_entry(pq, entry, thresholds)
            if candidate is not None and candidate.decision is not Decision.CLEAR:
                scored.append(candidate)
        look_alikes: list[tuple[Dob, str]] | None = None
        # Their counts by kind of date, with a middle name that agrees or not: the same for every candidate
        # of the screen (a common name has a few hundred look-alikes and several candidates), counted once.
        look_alike_counts: dict[bool, DobCounts] = {}
        found: list[Candidate] = []
        notes: list[Candidate] = []  # entries without a date shown with the result, not stopping the desk
        people: Commonness | None = None
        sizes: DobCounts | None = None
        for candidate in scored:
            relation = _dob_relation(candidate)
            confirmed = any(e.field == "ID number" and e.relation == "same" for e in candidate.evidence)
            if relation not in WEAK_DOB or confirmed:
                found.append(candidate)
                continue
            if people is None:
                people = commonness(query.first_name, query.last_name, query.sex)
            # A near-miss date is a chance coincidence among the name's bearers: never count fewer of them
            # than the population predicts for lists this size. A name alone (the list has no date) stays
            # judged by the lists: scaled to a million entries the tables would silence every name carried
            # by more than ~1,700 people, and most listed people without a date go by such names.
            if sizes is None:  # once a screen (a statement each time otherwise)
                sizes = self.list_sizes()
            expected = sizes.scaled(people.share) if relation != "unknown" else DobCounts()
            entry = candidate.entry
            middle = look_alike(pq, entry.first_name, entry.middle_name, entry.last_name, entry.aliases)
            if middle == "different" and relation != "unknown":
                continue  # the middle names contradict each other: a weak date fit is not enough
            if middle is None:  # a name variant: weigh it against every entry with a name like the visitor's
                # (at least this one: a typo can take a name out of the visitor's sound keys)
                counts = _at_least_one(namesakes.related, entry.dob).at_least(expected)
                names = "names like this one"
            else:  # the visitor's own name: weigh it against the entries that carry it
                if look_alikes is None:  # only now: for a common name this reads a few hundred entries
                    look_alikes = self._look_alikes(pq, namesakes.ids, today)
                agrees = middle == "agrees"
                counts = look_alike_counts.get(agrees)
                if counts is None:
                    counts = look_alike_counts[agrees] = DobCounts.of_kinds(
                        k for k, m in look_alikes if m == "agrees" or not agrees
                    )
                if middle != "agrees":  # a shared middle name is rarer than the tables can say
                    counts = counts.at_least(expected)
                names = "this name and middle name" if middle == "agrees" else "this name"
            alone = ""
            desk: FieldEvidence | None = None
            if relation == "unknown":
                chance = None
                listed_people = _listed_people(counts, sizes)
                strangers, alone = _name_only_strangers(query, candidate, middle, people, listed_people)
                limits = (self._namesakes_max(), self._name_only_max_people(), self._name_only_listed_max_people())
                why_not = _why_not_stopped(query, candidate, middle, counts, strangers, *limits)
                desk = NAME_ONLY_STOP
                if why_not:
                    desk = FieldEvidence("desk", "note", f"shown, not stopped: {why_not}")
            else:
                chance = chance_of_near_miss(relation, query.dob, counts)
                if chance > self._max_chance():
                    continue
            words = _common_name_words(relation, query.dob, counts, chance, names)
            words += f"; in the US population, {people.words}{alone}"
            how_common = FieldEvidence("how common the name is", "rare" if counts.total <= 2 else "common", words)
            evidence = (*candidate.evidence, how_common, *((desk,) if desk else ()))
            if desk is not None and desk.relation == "note":
                notes.append(replace(candidate, evidence=evidence, decision=Decision.CLEAR))
            else:
                found.append(replace(candidate, evidence=evidence))
        found.sort(key=lambda c: (-c.score, c.entry.id))
        found = found[:MAX_CANDIDATES]
        notes.sort(key=lambda c: (-c.score, c.entry.id))
        notes = notes[: min(MAX_NOTES, MAX_CANDIDATES - len(found))]
        found, notes = _said_in_latin(query, found), _said_in_latin(query, notes)
        decision = found[0].decision if found else Decision.CLEAR
        return ScreenResult(query, decision, (*found, *notes))

    def _look_alikes(self, pq: PreparedQuery, ids: frozenset[int], today: date) -> list[tuple[str, str]]:
        """The kind of date of birth (``d``, ``y``, ``-``) of each entry among ``ids`` in force today that
        carries the visitor's name, and how its middle name compares ("agrees" or "compatible").

        From the index's ``A:`` rows (one scan, whatever the name), when the index has them; else by reading
        the entries (an index built under older key rules, until it is rebuilt: the same answer)."""
        if not ids:
            return []
        version = self._key_version()
        if version is None or version < LOOK_ALIKE_FROM:
            return self._look_alikes_read(pq, ids, today)
        db = self._store.db
        q = pq.name
        best: dict[int, tuple[str, str]] = {}  # entry -> (date kind, the best middle fit of its names)
        fits: dict[str, str] = {}  # middle name -> its fit: a common name's rows carry a few middle names
        for prefix, tags in look_alike_prefixes(q.first, q.last_whole, q.last_core):
            rows = db.execute(
                "SELECT substr(key, ?), entry_id FROM screening_keys WHERE key >= ? AND key < ?",
                [len(prefix) + 1, prefix, prefix + LAST_CHAR],
            )
            for rest, entry_id in rows:
                if rest[0] not in tags or entry_id not in ids:
                    continue
                # An entry's names (own, aliases) may each be the visitor's: the best fit counts, as in look_alike.
                middle = fits.get(rest[2:])
                if middle is None:
                    middle = fits[rest[2:]] = look_alike_middle(pq, rest[2:])
                was = best.get(entry_id)
                if was is None or _FIT_RANK[middle] > _FIT_RANK[was[1]]:
                    best[entry_id] = (rest[1], middle)
        found = {e: fit for e, fit in best.items() if fit[1] != "different"}
        if found:
            marks = ",".join("?" * len(found))
            windows = db.execute(  # entries in force only between two dates: few, and a small index says which
                "SELECT id, valid_from, valid_until FROM screening_entries INDEXED BY screening_entries_window "
                f"WHERE (valid_from IS NOT NULL OR valid_until IS NOT NULL) AND id IN ({marks})",
                list(found),
            )
            stamp = today.isoformat()
            for entry_id, valid_from, valid_until in windows:
                if (valid_from and valid_from > stamp) or (valid_until and valid_until < stamp):
                    del found[entry_id]
        return list(found.values())

    def _look_alikes_read(self, pq: PreparedQuery, ids: frozenset[int], today: date) -> list[tuple[str, str]]:
        """:meth:`_look_alikes` by reading the entries. Reads only the columns it needs: a common name has
        hundreds of these."""
        marks = ",".join("?" * len(ids))
        rows = self._store.db.execute(
            "SELECT first_name, middle_name, last_name, aliases, dob, valid_from, valid_until "
            f"FROM screening_entries WHERE id IN ({marks})",
            list(ids),
        )
        found = []
        stamp = today.isoformat()
        for first, middle_name, last, aliases, dob, valid_from, valid_until in rows:
            if (valid_from and valid_from > stamp) or (valid_until and valid_until < stamp):
                continue
            middle = look_alike(pq, first, middle_name, last, json.loads(aliases) if aliases != "[]" else ())
            if middle in ("agrees", "compatible"):
                born = dates.parse_dob(dob)
                found.append(("d" if born.day is not None else "y" if born.known else "-", middle))
        return found
