"""A synthetic population for the holdout screening benchmark: weighted name pools, dates of birth, aliases.

Written from the text of issue 4 alone (no code shared with ``bench/screening_data.py`` or the matcher), so
the figures it gives say how the matcher generalises rather than how well it fits its own generator.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from bench import holdout_names as names

SUFFIXES = ("Jr.", "Jr", "Sr.", "II", "III", "IV")
PARTICLES = {"de", "la", "del", "los", "las", "van", "der", "den", "von", "di", "da", "dos", "du", "le", "st",
             "st.", "ten", "al", "el", "abu", "ben", "bin", "mc", "mac"}  # fmt: skip


@dataclass(slots=True)
class Person:
    """One list entry (or the person behind a visitor): names, DOB as ``YYYY-MM-DD``, ``YYYY`` or ``''``."""

    first: str
    middle: str
    last: str
    dob: str
    sex: str
    aliases: list[str] = field(default_factory=list)

    @property
    def full_dob(self) -> bool:
        """Whether the date of birth is a whole date."""
        return len(self.dob) == 10


class Pool:
    """Names with weights, drawn by cumulative weight so a million draws stay fast."""

    def __init__(self, weighted: list[tuple[str, float]]):
        self.names = [n for n, _ in weighted]
        self.cum = list(itertools.accumulate(w for _, w in weighted))
        self.rank = {n: i for i, n in enumerate(self.names)}

    def draw(self, rng: random.Random) -> str:
        """One name, by weight."""
        return self.names[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


def synthetic_surnames(rng: random.Random) -> list[str]:
    """Tens of thousands of plausible surnames from syllables (English, Slavic, German, Italian, ...)."""
    out = set()
    for i, (heads, joins, tails) in enumerate(names.SYNTH_SURNAME_STYLES):
        endings = ["", "s"] if i == 0 else [""]
        for h, j, t, e in itertools.product(heads.split(), joins, tails.split(), endings):
            out.add((h + j + t + e).capitalize())
    real = set(names.SURNAME_SHARES) | set(names.SURNAMES_TAIL.split())
    result = sorted(out - real)
    rng.shuffle(result)
    return result


def surname_pool(rng: random.Random) -> Pool:
    """Census-like surname shares: explicit head, a 1/rank tail, particle names, and a synthetic tail (~66%)."""
    weighted = list(names.SURNAME_SHARES.items())
    for rank, name in enumerate(names.SURNAMES_TAIL.split(), start=51):
        weighted.append((name, 7.0 / rank))
    weighted += [(name, 0.012) for name in names.SURNAMES_PARTICLE]
    weighted += [(name, 0.006) for name in names.SURNAMES_ACCENTED_ONLY]
    synth = synthetic_surnames(rng)
    harmonic = sum(1 / (r + 1000) for r in range(len(synth)))
    weighted += [(name, 66.0 * (1 / (r + 1000)) / harmonic) for r, name in enumerate(synth)]
    return Pool(weighted)


def first_pool(text: str, rng: random.Random) -> Pool:
    """Given names of one sex in tiers of popularity, plus ~12% rarer synthetic names."""
    weighted = []
    for rank, name in enumerate(text.split()):
        weight = 30 if rank < 10 else 12 if rank < 30 else 5 if rank < 70 else 2.5 if rank < 130 else 1.2
        weighted.append((name, float(weight)))
    total = sum(w for _, w in weighted)
    heads, tails = names.SYNTH_FIRST_HEADS.split(), names.SYNTH_FIRST_TAILS.split()
    synth = sorted({h + t for h in heads for t in tails} - set(text.split()))
    weighted += [(name, total * 0.12 / 0.88 / len(synth)) for name in synth]
    return Pool(weighted)


class Pools:
    """Every pool the population and the visitors draw from."""

    def __init__(self, seed: int = 20261122):
        rng = random.Random(seed)
        self.surnames = surname_pool(rng)
        self.first = {"M": first_pool(names.MALE_FIRST, rng), "F": first_pool(names.FEMALE_FIRST, rng)}

    def first_name(self, rng: random.Random, sex: str) -> str:
        """A given name; a list keeps the accent half the time it has one."""
        name = self.first[sex].draw(rng)
        if name in names.ACCENTED_FIRST and rng.random() < 0.5:
            name = names.ACCENTED_FIRST[name]
        return name

    def surname(self, rng: random.Random) -> str:
        """A surname; Spanish and German ones keep their accents 40% of the time."""
        name = self.surnames.draw(rng)
        if name in names.ACCENTED_SURNAMES and rng.random() < 0.4:
            name = names.ACCENTED_SURNAMES[name]
        return name

    def middle(self, rng: random.Random, sex: str) -> str:
        """A middle name on ~70% of people; a list sometimes keeps only its initial."""
        if rng.random() >= 0.7:
            return ""
        name = self.first_name(rng, sex if rng.random() < 0.9 else rng.choice("MF"))
        return name[0] if rng.random() < 0.12 else name

    def common(self, person: Person) -> bool:
        """Whether a person's first and last names are both among the most common ones."""
        pool = self.first[person.sex]
        rank = pool.rank.get(strip_accents(person.first), 999)
        return rank < 40 and self.surnames.rank.get(strip_accents(person.last), 999) < 120


def strip_accents(text: str) -> str:
    """``Núñez`` -> ``Nunez``; letters with no decomposition (ø, ł, ß, æ) are spelled as an ID would."""
    text = text.translate(str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "Ae"}))
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def random_dob(rng: random.Random, centre: int = 1976, spread: float = 14, low: int = 1935, high: int = 2008):
    """A date of birth, most around ``centre``, none outside ``low``..``high``."""
    year = min(high, max(low, round(rng.gauss(centre, spread))))
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def random_date_in(rng: random.Random, year: int) -> str:
    """A whole date within ``year``."""
    return (date(year, 1, 1) + timedelta(days=rng.randrange(365))).isoformat()


def make_person(pools: Pools, rng: random.Random) -> Person:
    """One list entry: 3% compound surnames, 2% suffixes, 8% year-only and 3% unknown DOB, 12% with aliases."""
    sex = rng.choice("MF")
    first = pools.first_name(rng, sex)
    last = pools.surname(rng)
    r = rng.random()
    if r < 0.03:
        last = f"{last}{'-' if rng.random() < 0.6 else ' '}{pools.surname(rng)}"
    elif r < 0.05 and sex == "M":
        last = f"{last} {rng.choice(SUFFIXES)}"
    r = rng.random()
    dob = "" if r < 0.03 else str(random_dob(rng).year) if r < 0.11 else random_dob(rng).isoformat()
    person = Person(first, pools.middle(rng, sex), last, dob, sex)
    if rng.random() < 0.12:
        for _ in range(1 if rng.random() < 0.75 else 2):
            person.aliases.append(make_alias(pools, rng, person))
    return person


def make_alias(pools: Pools, rng: random.Random, person: Person) -> str:
    """An alias as ``First Last``: a nickname form, another surname (maiden/married), or another name."""
    r = rng.random()
    nicks = nicknames_of(person.first)
    if r < 0.3 and nicks:
        return f"{rng.choice(nicks)} {person.last}"
    if r < 0.7:
        return f"{person.first} {pools.surname(rng)}"
    return f"{pools.first_name(rng, person.sex)} {pools.surname(rng)}"


def nicknames_of(first: str) -> list[str]:
    """The diminutives of a formal first name (accents ignored)."""
    plain = strip_accents(first)
    return [nick for nick, formals in names.NICKNAMES.items() if plain in formals]


def make_population(n: int, seed: int = 4) -> tuple[Pools, list[Person]]:
    """``n`` list entries drawn from the pools."""
    pools = Pools()
    rng = random.Random(seed)
    return pools, [make_person(pools, rng) for _ in range(n)]


def split_suffix(last: str) -> tuple[str, str]:
    """``("Smith", "Jr.")`` for ``Smith Jr.``; the suffix is ``''`` when there is none."""
    for suffix in SUFFIXES:
        if last.endswith(" " + suffix):
            return last[: -len(suffix) - 1], suffix
    return last, ""


def name_tokens(text: str) -> list[str]:
    """Lower-case ASCII words of a name, apostrophes dropped, suffixes and particles kept."""
    return [t for t in re.split(r"[^a-z]+", strip_accents(text).lower().replace("'", "")) if t]
