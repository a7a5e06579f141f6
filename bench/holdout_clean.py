"""Clean visitors for the holdout benchmark, and the check that keeps genuinely ambiguous ones out.

A "clean" visitor must be someone a careful person would clear: no list entry has a name that sounds like
theirs (nicknames counted) with a date of birth that could be theirs (same, day/month swapped, one digit off
or two digits transposed; year only: the same year; unknown: any, when the name is near-identical).
Same-name visitors of an entry whose DOB is unknown are neither clean nor guilty: reported apart, untargeted.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import jellyfish

from bench import holdout_names as names
from bench.holdout_people import PARTICLES, Person, Pools, name_tokens, random_dob, split_suffix, strip_accents
from bench.holdout_variants import Visitor, swapped_day_month


def last_forms(last: str) -> set[str]:
    """A surname as it may be written: whole (joined), without particles, and each part of a compound."""
    tokens = [t for t in name_tokens(split_suffix(last)[0]) if t not in {"jr", "sr", "ii", "iii", "iv"}]
    core = [t for t in tokens if t not in PARTICLES]
    return {f for f in {"".join(tokens), "".join(core), *(t for t in core if len(t) >= 3)} if f}


def last_keys(last: str) -> set[str]:
    """Soundex keys of every form of a surname."""
    return {jellyfish.soundex(f) for f in last_forms(last)}


def formal(first: str) -> set[str]:
    """A given name and the formal names it is a nickname of, in lower-case ASCII."""
    plain = strip_accents(first).strip().split(" ")[0].strip(".").capitalize()
    return {n.lower() for n in (plain, *names.NICKNAMES.get(plain, ()))}


def first_keys(first: str) -> set[str]:
    """Soundex keys of a given name and of the formal names it is a nickname of."""
    plain = strip_accents(first).strip().split(" ")[0].strip(".").capitalize()
    forms = {plain, *names.NICKNAMES.get(plain, ())}
    return {jellyfish.soundex(f) for f in forms if f}


def close(a: str, b: str, threshold: float) -> bool:
    """Jaro-Winkler likeness of two names, accents and case ignored."""
    a, b = " ".join(name_tokens(a)), " ".join(name_tokens(b))
    return bool(a and b) and jellyfish.jaro_winkler_similarity(a, b) >= threshold


def names_close(first: str, last: str, v_first: str, v_last: str) -> bool:
    """A near-identical name: first names alike or nickname-related, one written form of the surname alike."""
    first_ok = close(first, v_first, 0.85) or bool(formal(first) & formal(v_first))
    sim = jellyfish.jaro_winkler_similarity
    return first_ok and any(sim(a, b) >= 0.88 for a in last_forms(last) for b in last_forms(v_last))


def digits_near(a: str, b: str) -> bool:
    """Equal, or one digit different, or two neighbouring digits transposed."""
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) <= 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def dob_could_be(visitor_dob: str, entry_dob: str) -> bool:
    """Whether the visitor's date could be the entry's, given the errors the issue names."""
    if not entry_dob:
        return True
    if len(entry_dob) == 4:
        return visitor_dob[:4] == entry_dob
    if digits_near(visitor_dob.replace("-", ""), entry_dob.replace("-", "")):
        return True
    return swapped_day_month(entry_dob) == visitor_dob


def entry_names(p: Person) -> list[tuple[str, str]]:
    """Every (first, last) a person may be known by: the name, the middle name as first name, the aliases."""
    # A middle name counts as a first name: people go by it, and IDs print the legal order.
    goes_by = [(p.middle, p.last)] if len(p.middle) > 1 else []
    return [(p.first, p.last), *goes_by, *(a.split(" ", 1) for a in p.aliases)]


def one_edit(a: str, b: str) -> bool:
    """The same name but for one keying error or a nickname, accents and case ignored."""
    a, b = "".join(name_tokens(a)), "".join(name_tokens(b))
    return bool(a and b) and (jellyfish.damerau_levenshtein_distance(a, b) <= 1 or bool(formal(a) & formal(b)))


def one_edit_last(a: str, b: str) -> bool:
    """One written form of each surname is the same but for one keying error."""
    return any(jellyfish.damerau_levenshtein_distance(x, y) <= 1 for x in last_forms(a) for y in last_forms(b))


class Ambiguity:
    """Indexes of the list by name sound and by DOB, to tell whether a would-be clean visitor really is."""

    def __init__(self, people: list[Person]):
        self.people = people
        self.index: dict[str, list[int]] = defaultdict(list)
        self.by_dob: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(people):
            for first, last in entry_names(p):
                for key in {lk + fk for lk in last_keys(last) for fk in first_keys(first)}:
                    self.index[key].append(i)
            if p.full_dob:
                self.by_dob[p.dob].append(i)

    def candidates(self, first: str, last: str) -> set[int]:
        """Entries whose name sounds like ``first last`` either way round."""
        out: set[int] = set()
        for f, la in ((first, last), (last, first)):
            for key in {lk + fk for lk in last_keys(la) for fk in first_keys(f)}:
                out.update(self.index.get(key, ()))
        return out

    def conflict(self, v: Visitor) -> str | None:
        """Why the visitor could be someone on the list (what the list holds for the DOB), or ``None``."""
        visitor_names = [(v.first, v.last), *([(v.middle, v.last)] if len(v.middle) > 1 else [])]
        for vf, vl in visitor_names:
            for i in self.candidates(vf, vl):
                e = self.people[i]
                if not dob_could_be(v.dob, e.dob):
                    continue
                if e.full_dob:
                    return "a sound-alike name with a DOB that could be theirs"
                # A missing or year-only DOB leaves only the name: ask for a close one, not just the same sound.
                for first, last in entry_names(e):
                    if names_close(first, last, vf, vl) or names_close(first, last, vl, vf):
                        return "the same name, listed with " + ("the same birth year" if e.dob else "no DOB")
        # Same DOB (or day/month swapped) and one keying error that changes a name's sound (Donald/Ronald).
        for d in {v.dob, swapped_day_month(v.dob)} - {None}:
            for i in self.by_dob.get(d, ()):
                e = self.people[i]
                for first, last in entry_names(e):
                    for vf, vl in visitor_names:
                        if one_edit(first, vf) and one_edit_last(last, vl):
                            return "one letter from a name with the same DOB"
        return None


def visitor_middle(pools: Pools, rng: random.Random, sex: str) -> str:
    """A visitor's middle name as an ID carries it: full on ~70%, never just an initial."""
    return strip_accents(pools.first[sex].draw(rng)) if rng.random() < 0.7 else ""


def random_visitor_dob(rng: random.Random) -> str:
    """A parent's or staff member's date of birth."""
    return random_dob(rng, 1982, 11, 1940, 2006).isoformat()


@dataclass(frozen=True)
class CleanClass:
    """A kind of visitor who should be cleared; ``counted`` when it belongs to the ≤ 0.5% target."""

    name: str
    make: Callable[[Pools, list[Person], random.Random], Iterator[tuple[Visitor, int | None]]]
    counted: bool = True


def c_random(pools: Pools, people: list[Person], rng: random.Random):
    while True:
        sex = rng.choice("MF")
        first, last = strip_accents(pools.first[sex].draw(rng)), strip_accents(pools.surnames.draw(rng))
        middle = visitor_middle(pools, rng, sex)
        yield Visitor(first, middle, last, random_visitor_dob(rng), "random person", sex=sex), None


def anchors(people: list[Person], rng: random.Random, want: Callable[[Person], bool]) -> Iterator[int]:
    """Random entries that satisfy ``want`` (forever)."""
    while True:
        i = rng.randrange(len(people))
        if want(people[i]):
            yield i


def c_common_name(pools: Pools, people: list[Person], rng: random.Random):
    for i in anchors(people, rng, lambda p: p.full_dob and pools.common(p)):
        e = people[i]
        dob = random_visitor_dob(rng)
        if abs(int(dob[:4]) - int(e.dob[:4])) >= 2:
            detail = f"shares the name of {e.first} {e.last} {e.dob}"
            yield Visitor(e.first, visitor_middle(pools, rng, e.sex), e.last, dob, detail, sex=e.sex), i


def c_common_nickname(pools: Pools, people: list[Person], rng: random.Random):
    from bench.holdout_people import nicknames_of

    for i in anchors(people, rng, lambda p: p.full_dob and pools.common(p) and bool(nicknames_of(p.first))):
        e = people[i]
        dob = random_visitor_dob(rng)
        if abs(int(dob[:4]) - int(e.dob[:4])) >= 2:
            nick = rng.choice(nicknames_of(e.first))
            detail = f"{nick}: nickname of {e.first} {e.last} {e.dob}"
            yield Visitor(nick, visitor_middle(pools, rng, e.sex), e.last, dob, detail, sex=e.sex), i


def c_twin(pools: Pools, people: list[Person], rng: random.Random):
    for i in anchors(people, rng, lambda p: p.full_dob):
        e = people[i]
        sex = rng.choice("MF")
        first = strip_accents(pools.first[sex].draw(rng))
        if first[0] == strip_accents(e.first)[0] or close(first, e.first, 0.7):
            continue
        if first_keys(first) & (first_keys(e.first) | first_keys(e.middle)):
            continue
        detail = f"same surname and DOB as {e.first} {e.last} {e.dob}, another first name"
        yield Visitor(first, visitor_middle(pools, rng, sex), e.last, e.dob, detail, sex=sex), i


def c_same_year(pools: Pools, people: list[Person], rng: random.Random):
    for i in anchors(people, rng, lambda p: p.full_dob and pools.common(p)):
        e = people[i]
        dob = f"{e.dob[:4]}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        detail = f"shares the name and birth year of {e.first} {e.last} {e.dob}"
        yield Visitor(e.first, visitor_middle(pools, rng, e.sex), e.last, dob, detail, sex=e.sex), i


def c_same_first_and_dob(pools: Pools, people: list[Person], rng: random.Random):
    for i in anchors(people, rng, lambda p: p.full_dob and pools.common(p)):
        e = people[i]
        last = strip_accents(pools.surnames.draw(rng))
        if last_keys(last) & last_keys(e.last) or close(last, e.last, 0.75):
            continue
        detail = f"same first name and DOB as {e.first} {e.last} {e.dob}, another surname"
        yield Visitor(e.first, visitor_middle(pools, rng, e.sex), last, e.dob, detail, sex=e.sex), i


def c_year_only_other_year(pools: Pools, people: list[Person], rng: random.Random):
    for i in anchors(people, rng, lambda p: len(p.dob) == 4):
        e = people[i]
        dob = random_visitor_dob(rng)
        if abs(int(dob[:4]) - int(e.dob)) >= 3:
            detail = f"shares the name of {e.first} {e.last} (list: born {e.dob})"
            yield Visitor(e.first, visitor_middle(pools, rng, e.sex), e.last, dob, detail, sex=e.sex), i


def c_unknown_dob_same_name(pools: Pools, people: list[Person], rng: random.Random):
    for i in anchors(people, rng, lambda p: not p.dob):
        e = people[i]
        detail = f"shares the name of {e.first} {e.last} (list: DOB unknown)"
        middle = visitor_middle(pools, rng, e.sex)
        yield Visitor(e.first, middle, e.last, random_visitor_dob(rng), detail, sex=e.sex), i


CLEAN_CLASSES = [
    (CleanClass("random visitor", c_random), 20),
    (CleanClass("common name of an entry, another DOB (≥ 2 years off)", c_common_name), 10),
    (CleanClass("nickname of a common-named entry, another DOB", c_common_nickname), 5),
    (CleanClass("common name of an entry, same birth year, another day and month", c_same_year), 5),
    (CleanClass("same surname and DOB as an entry, unrelated first name (a twin)", c_twin), 5),
    (CleanClass("same first name and DOB as a common-named entry, unrelated surname", c_same_first_and_dob), 5),
    (CleanClass("name of a year-only entry, born ≥ 3 years from it", c_year_only_other_year), 3),
    (CleanClass("name of an entry whose DOB is unknown (no ground truth)", c_unknown_dob_same_name, False), 2),
]
