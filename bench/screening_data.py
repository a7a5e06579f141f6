"""Synthetic barred-list data for the screening benchmark and its small-scale test.

Entries are generated from their index alone (``entry(i, seed)``), so a million-row file is streamed to
disk and any entry can be rebuilt later to derive a query from it, without holding the list in memory.
Names follow skewed frequencies (a few very common first names and surnames, a long tail), with
compound surnames, particles, Mc/O' names, accents, aliases, and dates of birth full, year-only or
unknown. Every name is invented or common enough to identify no one.

Queries come in classes: true matches derived from one entry by one variant (nickname, typo, phonetic
spelling, first/last swapped, alias, DOB day/month swapped, DOB one digit off, year-only DOB on the list,
compound surname, particle, accents) and clean visitors (random people, and people who share a common
name with an entry but not its date of birth).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from frontdesk.screening.dates import neighbours
from frontdesk.wire.names import nickname_groups

COMMON_LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Powell",
    "Jenkins",
    "Perry",
    "Russell",
    "Sullivan",
    "Bell",
    "Coleman",
    "Butler",
    "Henderson",
    "Barnes",
    "Gonzales",
    "Fisher",
    "Vasquez",
    "Simmons",
    "Romero",
    "Jordan",
    "Patterson",
    "Alexander",
    "Hamilton",
    "Graham",
    "Reynolds",
    "Griffin",
    "Wallace",
    "Moreno",
    "West",
    "Cole",
    "Hayes",
    "Bryant",
    "Herrera",
    "Gibson",
    "Ellis",
    "Tran",
    "Medina",
    "Aguilar",
    "Stevens",
    "Murray",
    "Ford",
    "Castro",
    "Marshall",
    "Owens",
    "Harrison",
    "Fernandez",
    "Mcdonald",
    "Woods",
    "Washington",
    "Kennedy",
    "Wells",
    "Vargas",
    "Henry",
    "Chen",
    "Freeman",
    "Webb",
    "Tucker",
    "Guzman",
    "Burns",
    "Crawford",
    "Olson",
    "Simpson",
    "Porter",
    "Hunter",
    "Gordon",
    "Mendez",
    "Silva",
    "Shaw",
    "Snyder",
    "Mason",
    "Dixon",
    "Munoz",
    "Hunt",
    "Hicks",
    "Holmes",
    "Palmer",
    "Wagner",
    "Black",
    "Robertson",
    "Boyd",
    "Rose",
    "Stone",
    "Salazar",
    "Fox",
    "Warren",
    "Mills",
    "Meyer",
    "Rice",
    "Schmidt",
    "Garza",
    "Daniels",
    "Ferguson",
    "Nichols",
    "Stephens",
    "Soto",
    "Weaver",
    "Ryan",
    "Gardner",
    "Payne",
    "Grant",
    "Dunn",
    "Kelley",
    "Spencer",
    "Hawkins",
    "Arnold",
    "Pierce",
    "Vazquez",
    "Hansen",
    "Peters",
    "Santos",
    "Hart",
    "Bradley",
    "Knight",
    "Elliott",
    "Cunningham",
    "Duncan",
    "Armstrong",
    "Hudson",
    "Carroll",
    "Lane",
    "Riley",
    "Andrews",
    "Alvarado",
    "Ray",
    "Delgado",
    "Berry",
    "Perkins",
    "Hoffman",
    "Johnston",
    "Matthews",
    "Pena",
    "Richards",
    "Contreras",
    "Willis",
    "Carpenter",
    "Lawrence",
    "Sandoval",
    "Obrien",
]
ACCENTED_LAST = [
    "Müller",
    "Pérez",
    "Gómez",
    "Sánchez",
    "Núñez",
    "Björk",
    "Løvland",
    "Dvořák",
    "Łukasiewicz",
    "Château",
    "Côté",
    "Ibáñez",
    "Öztürk",
]
ACCENTED_FIRST = [
    "José",
    "Zoë",
    "Renée",
    "Chloé",
    "Frédéric",
    "Jürgen",
    "Søren",
    "André",
    "Inés",
    "Raúl",
    "Agnès",
    "Łucja",
    "Bénédicte",
]
PARTICLE_LAST = [
    "van der Berg",
    "van Dijk",
    "de la Cruz",
    "de Jong",
    "von Trapp",
    "Del Rio",
    "da Silva",
    "Mac Donald",
    "O'Brien",
    "O'Connor",
    "D'Angelo",
    "De Luca",
    "van den Heuvel",
    "St. Clair",
    "Le Blanc",
]
_ONSET = [
    "b",
    "br",
    "c",
    "ch",
    "cr",
    "d",
    "dr",
    "f",
    "fl",
    "g",
    "gr",
    "h",
    "j",
    "k",
    "kl",
    "l",
    "m",
    "n",
    "p",
    "pr",
    "r",
    "s",
    "sh",
    "st",
    "t",
    "tr",
    "v",
    "w",
    "z",
]
_VOWEL = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "ie"]
_CODA = ["n", "r", "l", "s", "t", "nd", "rt", "ck", "m", "ng", "ll", "ss"]
_ENDING = [
    "son",
    "sen",
    "ton",
    "man",
    "berg",
    "stein",
    "ley",
    "field",
    "wood",
    "ford",
    "ski",
    "ez",
    "ini",
    "elli",
    "ova",
    "ek",
    "idis",
]


def _surname_tail(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    made: set[str] = set()
    while len(made) < count:
        parts = [rng.choice(_ONSET), rng.choice(_VOWEL), rng.choice(_CODA)]
        if rng.random() < 0.6:
            parts.append(rng.choice(_ENDING))
        else:
            parts += [rng.choice(_ONSET), rng.choice(_VOWEL)]
        made.add("".join(parts).capitalize())
    return sorted(made)


_TAIL = _surname_tail(60_000, 11)
_FIRST = sorted({n for n, groups in nickname_groups().items() if n in groups and len(n) > 2})
_FIRST_WEIGHTS = [1 / (r + 10) for r in range(len(_FIRST))]
_COMMON_WEIGHTS = [1 / (r + 20) for r in range(len(COMMON_LAST))]


@dataclass(frozen=True)
class Row:
    """One list entry as the CSV has it."""

    first_name: str
    middle_name: str
    last_name: str
    dob: str
    aliases: str
    kind: str
    reason: str
    sex: str = ""  # the person's sex (always known to the generator)
    listed_sex: str = ""  # what the list says ("" on ~15% of rows)
    id_state: str = ""  # the list's record of the person's ID (on ~30% of rows)
    id_last4: str = ""


STATES = ("CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI", "NJ", "VA", "WA", "AZ", "MA")


def sex_of(first: str, rng: random.Random) -> str:
    """A person's sex from their first name: the SSA tables' majority, a coin toss when they are even."""
    from frontdesk.screening.population import given_share

    male, female = given_share(first, "M"), given_share(first, "F")
    if male > 2 * female:
        return "M"
    if female > 2 * male:
        return "F"
    return rng.choice("MF")


def _id(rng: random.Random) -> tuple[str, str]:
    return rng.choice(STATES), f"{rng.randrange(10_000):04d}"


def _first(rng: random.Random) -> str:
    if rng.random() < 0.02:
        return rng.choice(ACCENTED_FIRST)
    return rng.choices(_FIRST, _FIRST_WEIGHTS)[0].capitalize()


def _last(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.40:
        return rng.choices(COMMON_LAST, _COMMON_WEIGHTS)[0]
    if roll < 0.45:
        return f"{_last_plain(rng)}-{_last_plain(rng)}"
    if roll < 0.48:
        return rng.choice(PARTICLE_LAST)
    if roll < 0.50:
        return rng.choice(ACCENTED_LAST)
    return rng.choice(_TAIL)


def _last_plain(rng: random.Random) -> str:
    return rng.choices(COMMON_LAST, _COMMON_WEIGHTS)[0] if rng.random() < 0.5 else rng.choice(_TAIL)


def _dob(rng: random.Random) -> date:
    return date(1940, 1, 1) + timedelta(days=rng.randrange(65 * 365))


def entry(i: int, seed: int = 1) -> Row:
    """The ``i``-th entry of the synthetic list (the same every time for the same seed)."""
    rng = random.Random(seed * 10_000_019 + i)
    first, last = _first(rng), _last(rng)
    middle = _first(rng) if rng.random() < 0.4 else ""
    roll = rng.random()
    dob = _dob(rng).isoformat() if roll < 0.90 else (str(_dob(rng).year) if roll < 0.97 else "")
    aliases = []
    if rng.random() < 0.15:
        aliases.append(f"{_first(rng)} {last}")
    if rng.random() < 0.10:
        aliases.append(f"{first} {_last(rng)}")
    kind = "registry" if rng.random() < 0.9 else rng.choice(["barred", "custody", "watch"])
    # What the list knows beyond the name, drawn apart so the names and dates stay as they were.
    extra = random.Random(seed * 7_000_003 + i + 1)
    sex = sex_of(first, extra)
    listed_sex = sex if extra.random() < 0.85 else ""
    state, last4 = _id(extra) if extra.random() < 0.30 else ("", "")
    return Row(first, middle, last, dob, ";".join(aliases), kind, "synthetic", sex, listed_sex, state, last4)


def write_csv(path: Path, count: int, seed: int = 1) -> None:
    """Write ``count`` entries as a CSV file with the default columns."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        header = ["first_name", "middle_name", "last_name", "dob", "aliases", "kind", "reason", "sex"]
        writer.writerow([*header, "id_state", "id_last4"])
        for i in range(count):
            r = entry(i, seed)
            writer.writerow(
                [r.first_name, r.middle_name, r.last_name, r.dob, r.aliases, r.kind, r.reason, r.listed_sex]
                + [r.id_state, r.id_last4]
            )


# --- queries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledQuery:
    """A visitor to screen, and what the right answer is (``target``: the entry index, or None)."""

    cls: str
    first_name: str
    middle_name: str
    last_name: str
    dob: str | None
    target: int | None
    sex: str = ""  # from the visitor's ID, like the two below
    id_state: str = ""
    id_last4: str = ""

    def as_json(self) -> dict:
        """The query as one line of ``frontdesk screen --batch`` input."""
        return {
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "last_name": self.last_name,
            "dob": self.dob,
            "sex": self.sex,
            "id_state": self.id_state,
            "id_last4": self.id_last4,
        }


def _shown_id(r: Row, rng: random.Random) -> tuple[str, str]:
    """The ID a listed person shows: the one the list records (4 times in 5, when it records one)."""
    if r.id_state and rng.random() < 0.8:
        return r.id_state, r.id_last4
    return _id(rng)


TRUE_CLASSES = (
    "exact",
    "nickname",
    "typo_first",
    "typo_last",
    "phonetic",
    "swap",
    "alias",
    "dob_day_month",
    "dob_one_digit",
    "dob_year_only",
    "dob_unknown",
    "compound",
    "particle",
    "accents",
)
CLEAN_CLASSES = ("clean_random", "clean_common_name")

_PHONETIC = [
    ("ph", "f"),
    ("f", "ph"),
    ("y", "i"),
    ("i", "y"),
    ("ck", "k"),
    ("c", "k"),
    ("k", "c"),
    ("ee", "ea"),
    ("ou", "ow"),
    ("th", "t"),
    ("s", "z"),
    ("z", "s"),
    ("ie", "y"),
    ("ey", "y"),
    ("mm", "m"),
    ("ll", "l"),
    ("nn", "n"),
    ("tt", "t"),
    ("l", "ll"),
    ("n", "nn"),
    ("t", "tt"),
    ("son", "sen"),
    ("sen", "son"),
]
_NICKNAMES: dict[str, list[str]] = {}
for _name, _groups in nickname_groups().items():
    for _g in _groups:
        if _g != _name:
            _NICKNAMES.setdefault(_g, []).append(_name)


def _typo(word: str, rng: random.Random) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    lower = word.lower()
    for _ in range(20):
        i = rng.randrange(1, len(lower))  # keep the first letter: people rarely mistype it
        op = rng.choice(["sub", "ins", "del", "swap"])
        if op == "sub":
            out = lower[:i] + rng.choice(letters) + lower[i + 1 :]
        elif op == "ins":
            out = lower[:i] + rng.choice(letters) + lower[i:]
        elif op == "del":
            out = lower[:i] + lower[i + 1 :]
        else:
            out = lower[: i - 1] + lower[i] + lower[i - 1] + lower[i + 1 :]
        if out != lower:
            return out.capitalize()
    return word + "e"


def _phonetic_spelling(word: str, rng: random.Random) -> str | None:
    lower = word.lower()
    rules = [r for r in _PHONETIC if r[0] in lower[1:]]
    rng.shuffle(rules)
    for old, new in rules:
        at = lower.find(old, 1)
        out = lower[:at] + new + lower[at + len(old) :]
        if out != lower:
            return out.capitalize()
    return None


def _strip_accents(word: str) -> str:
    from frontdesk.wire.names import fold

    return " ".join(w.capitalize() for w in fold(word).split())


def _variant(cls: str, r: Row, rng: random.Random) -> tuple[str, str, str, str | None] | None:
    """The visitor a variant class derives from an entry, or None if the class does not apply to it."""
    first, middle, last, dob = r.first_name, r.middle_name, r.last_name, r.dob or None
    full = len(dob or "") == 10
    # The visitor's ID always has a full date: the entry's, or when the list gives only the year (or no
    # date) some day in that year (or any day): name variants meet entries of every kind of date.
    if full:
        visitor_dob = dob
    elif dob:
        visitor_dob = (date(int(dob), 1, 1) + timedelta(days=rng.randrange(365))).isoformat()
    else:
        visitor_dob = _dob(rng).isoformat()
    if cls == "exact":
        return first, middle, last, visitor_dob
    if cls == "nickname":
        nicks = _NICKNAMES.get(first.lower())
        return (rng.choice(nicks).capitalize(), middle, last, visitor_dob) if nicks else None
    if cls == "typo_first":
        return (_typo(first, rng), middle, last, visitor_dob) if len(first) >= 5 else None
    if cls == "typo_last":
        return (first, middle, _typo(last, rng), visitor_dob) if len(last) >= 5 and " " not in last else None
    if cls == "phonetic":
        spelled = _phonetic_spelling(last, rng) if " " not in last and "-" not in last else None
        return (first, middle, spelled, visitor_dob) if spelled else None
    if cls == "swap":
        return last, middle, first, visitor_dob
    if cls == "alias":
        if not r.aliases:
            return None
        alias = rng.choice(r.aliases.split(";")).split()
        return alias[0], "", " ".join(alias[1:]), visitor_dob
    if cls in ("dob_day_month", "dob_one_digit"):
        if not full:
            return None
        day = date.fromisoformat(dob)
        wanted = "day_month_swapped" if cls == "dob_day_month" else "one_digit"
        options = [d for d, how in neighbours(day).items() if how == wanted]
        return (first, middle, last, rng.choice(options).isoformat()) if options else None
    if cls == "dob_year_only":
        if dob is None or len(dob) != 4:
            return None
        day = date(int(dob), 1, 1) + timedelta(days=rng.randrange(365))
        return first, middle, last, day.isoformat()
    if cls == "dob_unknown":
        return (first, middle, last, visitor_dob) if dob is None else None
    if cls == "compound":
        if "-" not in last:
            return None
        parts = last.split("-")
        return first, middle, rng.choice([parts[0], parts[1], " ".join(parts), "".join(parts)]), visitor_dob
    if cls == "particle":
        if last not in PARTICLE_LAST:
            return None
        words = last.replace("'", " ").replace(".", "").split()
        return first, middle, rng.choice(["".join(words), words[-1], last.upper()]), visitor_dob
    if cls == "accents":
        plain_first, plain_last = _strip_accents(first), _strip_accents(last)
        if (plain_first, plain_last) == (first, last):
            return None
        return plain_first, middle, plain_last, visitor_dob
    raise ValueError(cls)


def queries(
    count: int, per_class: int, seed: int = 1, query_seed: int = 99, clean_per_class: int | None = None
) -> Iterator[LabelledQuery]:
    """``per_class`` queries of every true class (``clean_per_class`` of each clean one) against the list."""
    clean_per_class = per_class if clean_per_class is None else clean_per_class
    rng = random.Random(query_seed)
    for cls in TRUE_CLASSES:
        made = 0
        for _ in range(per_class * 400):
            if made == per_class:
                break
            i = rng.randrange(count)
            r = entry(i, seed)
            found = _variant(cls, r, rng)
            if found is not None:
                made += 1
                state, last4 = _shown_id(r, rng)
                yield LabelledQuery(cls, *found, target=i, sex=r.sex, id_state=state, id_last4=last4)
    for _ in range(clean_per_class):
        first = _first(rng)
        yield LabelledQuery(
            "clean_random", first, "", _last(rng), _dob(rng).isoformat(), None, sex_of(first, rng), *_id(rng)
        )
    made = 0
    while made < clean_per_class:
        r = entry(rng.randrange(count), seed)
        if len(r.dob) != 10 or r.last_name not in COMMON_LAST:
            continue
        taken = date.fromisoformat(r.dob)
        near = neighbours(taken)
        day = _dob(rng)
        while day in near or day.year == taken.year:
            day = _dob(rng)
        made += 1
        sex = sex_of(r.first_name, rng)
        yield LabelledQuery(
            "clean_common_name", r.first_name, "", r.last_name, day.isoformat(), None, sex, *_id(rng)
        )
