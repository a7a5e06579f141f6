"""How common a name is in the population: US Census surname and SSA given-name frequencies.

The lists tell how many *listed* people carry a name; a small district list says nothing about how many
strangers walking in carry it. These tables do: a date of birth one digit off is weak evidence for a
"José García" (hundreds of thousands of people) and strong evidence for a "Zbigniew Wróblewski" (a few).

Tables (``population_sources.txt`` gives their source and licence; both are US public-domain data):

- ``census1990_surnames.csv``: the 88,799 surnames of the 1990 census list with the percent of people
  carrying each;
- ``ssa_given_names.csv``: given names by sex from the SSA baby-name data, births 1935–2010.

A name missing from a table is rarer than every name in it: it gets the table's floor (``UNLISTED_*``).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

from frontdesk.wire.names import PARTICLES, SUFFIXES, fold

US_POPULATION = 330_000_000
# The 1990 list covers about 90% of people: 18,839 surnames at 0.001% or more (79.6% of people together)
# and 69,960 that the Bureau rounds to 0.000%, which share the rest, about 10.4%: ~1.5 in a million each.
# A surname not on it at all is rarer still. The SSA table keeps names given to 200+ babies of one sex
# over 1935-2010 (of ~130 million per sex), so an unlisted given name is rarer than 1.5 in a million.
LISTED_BELOW_ROUNDING = 0.104 / 69_960
UNLISTED_SURNAME = 3e-7
UNLISTED_GIVEN = 1e-6


@functools.cache
def _surnames() -> dict[str, float]:
    text = resources.files("frontdesk.screening").joinpath("census1990_surnames.csv").read_text("utf-8")
    rows = csv.reader(text.splitlines()[1:])
    return {name: float(percent) / 100 or LISTED_BELOW_ROUNDING for name, percent in rows}


@functools.cache
def _given() -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    text = resources.files("frontdesk.screening").joinpath("ssa_given_names.csv").read_text("utf-8")
    lines = text.splitlines()
    totals = dict(part.split("=") for part in lines[0].split(": ", 1)[1].split())
    by_name: dict[str, dict[str, int]] = {}
    for name, sex, count in csv.reader(lines[2:]):
        by_name.setdefault(name, {})[sex] = int(count)
    return by_name, {"M": int(totals["m"]), "F": int(totals["f"])}


def surname_share(surname: str) -> float:
    """The share of people carrying ``surname`` (a compound or particle name: its rarest listed part)."""
    table = _surnames()
    words = [w for w in fold(surname).split() if w not in SUFFIXES]
    if not words:
        return UNLISTED_SURNAME
    whole = "".join(words)
    if whole in table:
        return table[whole]
    parts = [w for w in words if w not in PARTICLES] or words
    return min(table.get(w, UNLISTED_SURNAME) for w in parts) if len(parts) > 1 else UNLISTED_SURNAME


def given_share(given: str, sex: str = "") -> float:
    """The share of people (of ``sex``, "M" or "F", when given) whose given name is ``given``."""
    words = fold(given).split()
    if not words:
        return UNLISTED_GIVEN
    by_name, totals = _given()
    counts = by_name.get(words[0], {})
    if sex in totals:
        return max(counts.get(sex, 0) / totals[sex], UNLISTED_GIVEN)
    return max(sum(counts.values()) / sum(totals.values()), UNLISTED_GIVEN)


def sex_of_name(given: str) -> str:
    """ "M" or "F" when at least 95% of the people given this name are of that sex, else ""."""
    words = fold(given).split()
    counts = _given()[0].get(words[0], {}) if words else {}
    total = sum(counts.values())
    for sex in ("M", "F"):
        if total and counts.get(sex, 0) >= 0.95 * total:
            return sex
    return ""


@dataclass(frozen=True)
class Commonness:
    """How common a first and last name are in the population, and how many people carry both."""

    first: str
    last: str
    given_share: float
    surname_share: float

    @property
    def share(self) -> float:
        """The share of people carrying both (first and last names taken as independent)."""
        return self.given_share * self.surname_share

    @property
    def bearers(self) -> float:
        """About how many people in the US carry this first and last name."""
        return self.share * US_POPULATION

    @property
    def words(self) -> str:
        """The office's words: "Smith: about 1 person in 100 in the US; James: 1 in 30; together about
        110,000 people"."""
        return (
            f"{self.last}: {_one_in(self.surname_share, UNLISTED_SURNAME, 'surname')}; "
            f"{self.first}: {_one_in(self.given_share, UNLISTED_GIVEN, 'given name')}; "
            f"together {_people(self.bearers)} in the US"
        )


def _one_in(share: float, floor: float, what: str) -> str:
    if share <= floor:
        return f"a rare {what} (not in the US tables)"
    return f"about 1 person in {_round(1 / share):,}"


def _round(value: float) -> int:
    if value < 100:
        return max(1, round(value))
    digits = len(str(int(value))) - 2
    return int(round(value, -digits))


def _people(count: float) -> str:
    if count < 1:
        return "likely fewer than 1 person"
    return f"about {_round(count):,} {'person' if _round(count) == 1 else 'people'}"


def commonness(first: str, last: str, sex: str = "") -> Commonness:
    """How common the name ``first last`` is (given name share among ``sex`` when known)."""
    return Commonness(first, last, given_share(first, sex), surname_share(last))
