"""People, list entries and labelled visitors of the fourth screening generator (issue 19), deterministic per seed.

Written from the issue's text alone (see ``bench/screening_gen4.py`` for the rules it was written under). The
design, in short:

- **The district's population** is a mix of communities (``gen4_pools.COMMUNITIES``, shares stated there);
  in each, surnames by rank get Zipf weights (rank^-s, s per community) and a share of people carry a rarer
  surname from the community's long tail (word parts joined, weights rank^-0.3 over a shuffled order).
  15% of Hispanic people carry two surnames (paternal, maternal). Given names by rank, rank^-0.45; 35% of
  Vietnamese, Chinese and Korean people and 15% of the others go by a given name from the general pool.
  A middle name on 70%.
- **The list** is a district's barred list (8% of entries: barred 70%, custody 15%, watch 15%) and a state
  registry extract (92%, kind ``registry``, its own column names, upper case, US dates). What each records:

  ======================  ===============  ================
  field                   district list    registry extract
  ======================  ===============  ================
  full date of birth      70%              93%
  year only               15%              5%
  no date of birth        15%              2%
  sex                     60%              98%
  aliases                 5% (1)           25% (1-3)
  ID issuer and last 4    10%              45%
  first name as nickname  10% (if any)     3% (if any)
  accents kept            60%              30%
  middle: full / initial  50% / 20%        50% / 20%
  ======================  ===============  ================

  Listed people are 70% (district) and 93% (registry) men, born 1950-2005 (peak 1985). A recorded ID is the
  person's current one 80% of the time, else an older one (a new number, from the same state 70% of those).
- **Visitors** give what an ID gives: the name in plain letters (IDs print no accents), upper case half of the
  time (scanned) and as typed otherwise, the middle name on 85%, the full date of birth, sex, the issuer and
  last 4. Each true visitor is one listed person showing one variant of the entry (``TRUE_CLASSES``), so its
  class says exactly how it derives from the entry (``derivable``). Clean visitors are people who are not on
  the list (``CLEAN_CLASSES``): drawn from the population (60% women, born 1950-2002, peak 1987); namesakes
  of an entry (same first and last name, their own date of birth, not one the true classes could derive);
  relatives of a listed person (same surname, another first name that is no nickname or one-letter slip of
  the entry's, their own date of birth).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from bench import gen4_pools as pools

TRUE_CLASSES = [
    "exact",
    "nickname",
    "typo",
    "sound_alike",
    "swapped",
    "alias",
    "accents_dropped",
    "compound_particle",
    "dob_day_month_swapped",
    "dob_one_digit_off",
    "list_year_only",
    "list_no_dob",
]
CLEAN_CLASSES = ["clean_random", "clean_namesake", "clean_relative"]

_FOLD = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ß": "ss", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae"}
)


def fold(text: str) -> str:
    """The name as an ID prints it: accents and special letters as plain letters."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c))


def is_plain(text: str) -> bool:
    """True when the text has nothing an ID would print differently."""
    return fold(text) == text


@dataclass(frozen=True)
class Person:
    """Someone in the district's population: who they are, and the ID they carry now."""

    first: str
    middle: str
    last: str
    sex: str
    dob: date
    community: str
    id_state: str
    id_last4: str


@dataclass(frozen=True)
class Entry:
    """One row of a list as the list records its person (fields it does not know are empty)."""

    key: int
    source: str
    kind: str
    first: str
    middle: str
    last: str
    dob: str  # "YYYY-MM-DD", "YYYY" or ""
    sex: str  # "M", "F" or ""
    aliases: tuple[tuple[str, str], ...]
    id_state: str
    id_last4: str
    person: Person


@dataclass(frozen=True)
class Visitor:
    """One labelled visitor as the desk screens them; ``entry_key`` is their own entry (None when clean)."""

    cls: str
    first: str
    middle: str
    last: str
    dob: str
    sex: str
    id_state: str
    id_last4: str
    entry_key: int | None

    def query(self) -> dict:
        """The visitor as one ``screen --batch`` line."""
        return {
            "first_name": self.first,
            "middle_name": self.middle,
            "last_name": self.last,
            "dob": self.dob,
            "sex": self.sex,
            "id_state": self.id_state,
            "id_last4": self.id_last4,
        }


class _Zipf:
    """Draw from names by rank with weights rank^-s."""

    def __init__(self, names: list[str], s: float):
        self.names = names
        self.cum = list(accumulate((r + 1) ** -s for r in range(len(names))))

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cum)[0]


def _words(text: str) -> list[str]:
    return [w.replace("_", " ") for w in text.split()]


# Joined between a tail name's start and end, so the tail has thousands of names per community, each rare.
TAIL_MIDS = ["", "ar", "el", "in", "or", "s"]


class Population:
    """The district's people: draw a person of a community, sex and birth-year shape."""

    def __init__(self) -> None:
        order = random.Random(1919)  # fixed: the tail's order is part of the pools, not of a run's seed
        self.communities = list(pools.COMMUNITIES)
        self.cum_share = list(accumulate(pools.COMMUNITIES[c]["share"] for c in self.communities))
        self.surnames, self.tails, self.given = {}, {}, {}
        for name, c in pools.COMMUNITIES.items():
            self.surnames[name] = _Zipf(_words(c["surnames"]), c["zipf"])
            starts, ends = c["starts"].split(), c["ends"].split()
            tail = sorted({s + m + e for s in starts for m in TAIL_MIDS for e in ends})
            order.shuffle(tail)
            self.tails[name] = _Zipf(tail, 0.3) if tail else None
            self.given[name] = {"M": _Zipf(_words(c["male"]), 0.45), "F": _Zipf(_words(c["female"]), 0.45)}

    def community(self, rng: random.Random) -> str:
        return rng.choices(self.communities, cum_weights=self.cum_share)[0]

    def surname(self, rng: random.Random, community: str) -> str:
        c = pools.COMMUNITIES[community]
        if self.tails[community] is not None and rng.random() < c["tail"]:
            return self.tails[community].draw(rng)
        return self.surnames[community].draw(rng)

    def given_name(self, rng: random.Random, community: str, sex: str) -> str:
        american = 0.35 if community in ("vietnamese", "chinese", "korean") else 0.15
        if community != "anglo" and rng.random() < american:
            return self.given["anglo"][sex].draw(rng)
        return self.given[community][sex].draw(rng)

    def id_card(self, rng: random.Random, community: str) -> tuple[str, str]:
        u = rng.random()
        abroad = 0.04 if community == "anglo" else 0.10
        if u < abroad:
            state = rng.choice(pools.PASSPORT_COUNTRIES)
        elif u < abroad + 0.10:
            state = rng.choice(pools.NEAR_STATES)
        elif u < abroad + 0.16:
            state = rng.choice(pools.FAR_STATES)
        else:
            state = pools.HOME_STATE
        return state, f"{rng.randrange(10000):04d}"

    def person(self, rng: random.Random, sex: str, born: tuple[int, int, int], community: str | None = None):
        community = community or self.community(rng)
        last = self.surname(rng, community)
        if community == "hispanic" and rng.random() < 0.15:
            second = self.surname(rng, community)
            if second != last:
                last = f"{last} {second}" if rng.random() < 0.6 else f"{last}-{second}"
        first = self.given_name(rng, community, sex)
        middle = ""
        if rng.random() < 0.70:
            middle = self.given_name(rng, community, sex)
            if middle == first:
                middle = ""
        dob = birth_date(rng, *born)
        state, last4 = self.id_card(rng, community)
        return Person(first, middle, last, sex, dob, community, state, last4)


def birth_date(rng: random.Random, low: int, high: int, mode: int) -> date:
    """A date of birth, the year triangular between low and high around mode, the day uniform."""
    year = min(high, int(rng.triangular(low, high + 1, mode)))
    start = date(year, 1, 1)
    return start + timedelta(days=rng.randrange((date(year + 1, 1, 1) - start).days))


def nickname_group(first: str) -> set[str]:
    """Every form of a given name the nickname table relates to it (folded, lower case), itself included."""
    key = fold(first).lower()
    group = {key}
    for legal, nicks in pools.NICKNAMES.items():
        forms = {fold(legal).lower()} | {fold(n).lower() for n in nicks}
        if key in forms:
            group |= forms
    return group


LIST_SHAPE = {
    # source: (kind weights, full dob, year only, sex, aliases, id, nickname, accents kept, men)
    "district": ({"barred": 0.70, "custody": 0.15, "watch": 0.15}, 0.70, 0.15, 0.60, 0.05, 0.10, 0.10, 0.60, 0.70),
    "registry": ({"registry": 1.0}, 0.93, 0.05, 0.98, 0.25, 0.45, 0.03, 0.30, 0.93),
}
DISTRICT_SHARE = 0.08


def _alias(rng: random.Random, pop: Population, p: Person) -> tuple[str, str]:
    u = rng.random()
    if u < 0.40:
        return p.first, pop.surname(rng, p.community)
    nicks = pools.NICKNAMES.get(p.first, [])
    if u < 0.70 and nicks:
        return rng.choice(nicks), p.last
    return pop.given_name(rng, p.community, p.sex), pop.surname(rng, p.community)


def make_entries(n: int, seed: int) -> list[Entry]:
    """The list: ``n`` entries, one person each, district rows first."""
    rng = random.Random(f"gen4-entries-{seed}")
    pop = Population()
    entries = []
    n_district = round(n * DISTRICT_SHARE)
    for key in range(n):
        source = "district" if key < n_district else "registry"
        kinds, full, year, sexp, aliasp, idp, nickp, accp, men = LIST_SHAPE[source]
        p = pop.person(rng, "M" if rng.random() < men else "F", (1950, 2005, 1985))
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        first, middle, last = p.first, p.middle, p.last
        if p.first in pools.NICKNAMES and rng.random() < nickp:
            first = rng.choice(pools.NICKNAMES[p.first])
        u = rng.random()
        if middle and u < 0.20:
            middle = middle[0] + "."
        elif u >= 0.70:
            middle = ""
        if rng.random() >= accp:
            first, middle, last = fold(first), fold(middle), fold(last)
        u = rng.random()
        dob = p.dob.isoformat() if u < full else (str(p.dob.year) if u < full + year else "")
        sex = p.sex if rng.random() < sexp else ""
        aliases = ()
        if rng.random() < aliasp:
            count = 1 if source == "district" else rng.choice((1, 1, 2, 3))
            found = []
            for _ in range(count):
                a = _alias(rng, pop, p)
                if a != (p.first, p.last) and a not in found:
                    found.append(a)
            aliases = tuple(found)
        id_state = id_last4 = ""
        if rng.random() < idp:
            id_state, id_last4 = p.id_state, p.id_last4
            if rng.random() >= 0.80:  # an older card: a new number, from the same state 70% of the time
                if rng.random() >= 0.70:
                    id_state = pop.id_card(rng, p.community)[0]
                id_last4 = f"{(int(id_last4) + rng.randrange(1, 10000)) % 10000:04d}"
        entries.append(Entry(key, source, kind, first, middle, last, dob, sex, aliases, id_state, id_last4, p))
    return entries
