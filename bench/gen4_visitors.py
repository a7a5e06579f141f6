"""Labelled visitors of the fourth screening generator: the variants, and how each derives from its entry.

Every true visitor is one listed person showing exactly one variant of their entry (its class); ``derivable``
says whether a visitor derives from an entry as its class says, and ``tests/test_screening_gen4.py`` checks it
for every true visitor. Names compare without regard to case (half the visitors come from a scan, in capitals).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

from bench import gen4_pools as pools
from bench.gen4_people import (
    CLEAN_CLASSES,
    TRUE_CLASSES,
    Entry,
    Person,
    Population,
    Visitor,
    birth_date,
    fold,
    is_plain,
    nickname_group,
)

PARTICLES = {
    "de",
    "la",
    "del",
    "los",
    "las",
    "da",
    "dos",
    "das",
    "di",
    "lo",
    "le",
    "du",
    "van",
    "der",
    "den",
    "von",
    "vanden",
    "dela",
    "delos",
    "bin",
    "al",
    "el",
    "abu",
    "abdel",
    "st.",
    "o",
    "ó",
}
CAMEL_PREFIXES = ("Vander", "Van", "Di", "La", "Le", "Mac", "Mc", "De", "Du")


def _neighbours() -> dict[str, str]:
    rows = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
    near: dict[str, str] = {}
    for r, row in enumerate(rows):
        for i, c in enumerate(row):
            found = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            for rr in (r - 1, r + 1):
                if 0 <= rr < len(rows):
                    found += [rows[rr][j] for j in (i - 1, i) if 0 <= j < len(rows[rr])]
            near[c] = "".join(found)
    return near


NEAR_KEYS = _neighbours()


def typo(rng: random.Random, name: str) -> str | None:
    """One slip of the fingers: a neighbouring key, two letters swapped, one dropped, one added or doubled."""
    letters = [i for i, c in enumerate(name) if c.isalpha() and c.lower() in NEAR_KEYS]
    if len(letters) < 4:
        return None
    i = letters[0] if rng.random() < 0.10 else rng.choice(letters[1:])
    c = name[i]
    up = c.isupper()

    def key(ch: str) -> str:
        return ch.upper() if up else ch

    u = rng.random()
    if u < 0.40:
        out = name[:i] + key(rng.choice(NEAR_KEYS[c.lower()])) + name[i + 1 :]
    elif u < 0.65 and i + 1 < len(name) and name[i + 1].isalpha():
        out = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    elif u < 0.85:
        out = name[:i] + name[i + 1 :]
    elif u < 0.95:
        out = name[: i + 1] + rng.choice(NEAR_KEYS[c.lower()]) + name[i + 1 :]
    else:
        out = name[: i + 1] + c.lower() + name[i + 1 :]
    return out if out.lower() != name.lower() else None


def sound_forms(name: str) -> list[str]:
    """Every spelling of the same sound the generator knows for a name (the name itself not included)."""
    found = []
    low = name.lower()
    for group in pools.SOUND_VARIANTS:
        if low in (g.lower() for g in group):
            found += [g for g in group if g.lower() != low]
    for pattern, repl in pools.SOUND_RULES:
        start = low.find(pattern)
        while start >= 0:
            out = low[:start] + repl + low[start + len(pattern) :]
            if out != low and out[0].isalpha() and _sounds_same(low, start, pattern):
                found.append(out.capitalize() if name[:1].isupper() else out)
            start = low.find(pattern, start + 1)
    seen, unique = set(), []
    for f in found:
        if f.lower() not in seen:
            seen.add(f.lower())
            unique.append(f)
    return unique


def _sounds_same(low: str, start: int, pattern: str) -> bool:
    """Whether a spelling rule keeps the sound where it applies (a c before e or i is an s, not a k)."""
    after = low[start + len(pattern) : start + len(pattern) + 1]
    if start == 0 and pattern not in ("ph", "f", "c", "k", "th", "qu", "x"):
        return False
    if pattern == "c":
        return after in ("a", "o", "u", "l", "r", "")
    if pattern == "k":
        return after in ("a", "o", "u")
    if pattern == "s":
        before = low[start - 1 : start]
        return after == "" or (before in "aeiouy" and after in "aeiouy" and after != "")
    return True


def compound_forms(last: str) -> list[str]:
    """How an ID or a clerk writes a compound or particle surname differently (the name itself not included)."""
    forms: list[str] = []
    if " " in last or "-" in last:
        parts = last.replace("-", " ").split()
        if all(p.lower() in PARTICLES for p in parts[:-1]):
            forms += [parts[0].capitalize() + "".join(p.lower() for p in parts[1:])]
            forms += ["".join(p.capitalize() for p in parts), " ".join(p.capitalize() for p in parts)]
            forms += [parts[-1], "-".join(parts) if " " in last else " ".join(parts)]
        else:  # two surnames: the first one keeps its particles ("Dos Santos" of "Dos Santos-Estrada")
            first = next(i for i, p in enumerate(parts) if p.lower() not in PARTICLES)
            forms += [" ".join(parts[: first + 1]), "-".join(parts) if " " in last else " ".join(parts)]
    elif "'" in last:
        a, b = last.split("'", 1)
        forms += [a + b, a + b.lower(), f"{a} {b}"]
    else:
        for prefix in CAMEL_PREFIXES:
            rest = last[len(prefix) :]
            if last.startswith(prefix) and len(rest) > 2 and rest[0].isupper():
                forms += [f"{prefix} {rest}"]
                break
    if last.startswith("St. "):
        forms += ["St " + last[4:], "Saint " + last[4:], "St" + last[4:]]
    return [f for f in dict.fromkeys(forms) if f.lower() != last.lower()]


def one_digit_off(rng: random.Random, d: date) -> date:
    """The same date with one digit of YYYYMMDD changed (the decade, year, month or day), still a real date."""
    digits = d.strftime("%Y%m%d")
    while True:
        pos = rng.randrange(2, 8)
        new = digits[:pos] + rng.choice([x for x in "0123456789" if x != digits[pos]]) + digits[pos + 1 :]
        try:
            out = date(int(new[:4]), int(new[4:6]), int(new[6:]))
        except ValueError:
            continue
        if 1930 <= out.year <= 2008:
            return out


def digits_apart(a: str, b: str) -> int:
    """How many digits of two ISO dates differ."""
    return sum(x != y for x, y in zip(a.replace("-", ""), b.replace("-", ""), strict=True))


def swapped_day_month(d: date) -> date | None:
    """The date with day and month swapped, when that is another real date."""
    if d.day > 12 or d.day == d.month:
        return None
    return date(d.year, d.day, d.month)


def near_edit(a: str, b: str) -> bool:
    """True when b is a from one slip: a letter changed, dropped or added, or two neighbours swapped."""
    a, b = a.lower(), b.lower()
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _same(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _eligible(cls: str, e: Entry) -> bool:
    plain = is_plain(e.first) and is_plain(e.last)
    legal_first = e.first == fold(e.person.first)
    full = len(e.dob) == 10
    if cls == "nickname":
        listed_nickname = e.first.lower() != fold(e.person.first).lower()
        return plain and full and (listed_nickname or bool(pools.NICKNAMES.get(e.first)))
    if cls == "alias":
        return full and bool(e.aliases)
    if cls == "accents_dropped":
        return full and legal_first and not plain
    if not (plain and legal_first):
        return False
    if cls == "list_year_only":
        return len(e.dob) == 4
    if cls == "list_no_dob":
        return e.dob == ""
    if not full:
        return False
    if cls == "dob_day_month_swapped":
        return swapped_day_month(e.person.dob) is not None
    if cls == "compound_particle":
        return bool(compound_forms(e.last))
    if cls == "swapped":
        return not _same(e.first, e.last)
    return True


def _variant(rng: random.Random, cls: str, e: Entry) -> dict | None:
    p = e.person
    out = {"first": e.first, "last": e.last, "dob": p.dob.isoformat()}
    if cls == "nickname":
        if e.first.lower() != fold(p.first).lower():
            out["first"] = fold(p.first)
        else:
            out["first"] = fold(rng.choice(pools.NICKNAMES[e.first]))
    elif cls in ("typo", "sound_alike"):
        part = "last" if rng.random() < 0.6 else "first"
        change = typo if cls == "typo" else (lambda r, n: r.choice(sound_forms(n)) if sound_forms(n) else None)
        new = change(rng, out[part])
        if new is None:
            part = "first" if part == "last" else "last"
            new = change(rng, out[part])
        if new is None:
            return None
        out[part] = new
    elif cls == "swapped":
        out["first"], out["last"] = e.last, e.first
    elif cls == "alias":
        out["first"], out["last"] = (fold(x) for x in rng.choice(e.aliases))
    elif cls == "accents_dropped":
        out["first"], out["last"] = fold(e.first), fold(e.last)
    elif cls == "compound_particle":
        out["last"] = rng.choice(compound_forms(e.last))
    elif cls == "dob_day_month_swapped":
        out["dob"] = swapped_day_month(p.dob).isoformat()
    elif cls == "dob_one_digit_off":
        out["dob"] = one_digit_off(rng, p.dob).isoformat()
    return out


def _shown(rng: random.Random, cls: str, first: str, middle: str, last: str, dob: str, p: Person, key):
    """The visitor as the desk gets them: capitals from a scan half of the time, middle name on 85%."""
    middle = fold(middle) if rng.random() < 0.85 else ""
    if rng.random() < 0.5:
        first, middle, last = first.upper(), middle.upper(), last.upper()
    return Visitor(cls, first, middle, last, dob, p.sex, p.id_state, p.id_last4, key)


def make_visitors(entries: list[Entry], n_true: int, n_clean: int, seed: int) -> list[Visitor]:
    """``n_true`` visitors of each true class and ``n_clean`` of each clean class, in a shuffled order."""
    rng = random.Random(f"gen4-visitors-{seed}")
    pop = Population()
    order = list(range(len(entries)))
    rng.shuffle(order)
    used: set[int] = set()
    visitors: list[Visitor] = []
    for cls in TRUE_CLASSES:
        made = 0
        for k in order:
            if made == n_true:
                break
            e = entries[k]
            if k in used or not _eligible(cls, e):
                continue
            v = _variant(rng, cls, e)
            if v is None:
                continue
            used.add(k)
            middle = "" if cls == "alias" else e.person.middle
            visitors.append(_shown(rng, cls, v["first"], middle, v["last"], v["dob"], e.person, k))
            made += 1
    for _ in range(n_clean):
        p = pop.person(rng, "F" if rng.random() < 0.60 else "M", (1950, 2002, 1987))
        visitors.append(
            _shown(rng, "clean_random", fold(p.first), p.middle, fold(p.last), p.dob.isoformat(), p, None)
        )
    for _ in range(n_clean):
        e = entries[rng.randrange(len(entries))]
        p = pop.person(rng, e.person.sex, (1950, 2002, 1987), e.person.community)
        while _dob_related(p.dob, e.person.dob):
            p = replace(p, dob=birth_date(rng, 1950, 2002, 1987))
        visitors.append(
            _shown(rng, "clean_namesake", fold(e.first), p.middle, fold(e.last), p.dob.isoformat(), p, None)
        )
    for _ in range(n_clean):
        visitors.append(_relative(rng, pop, entries[rng.randrange(len(entries))]))
    rng.shuffle(visitors)
    return visitors


def _dob_related(a: date, b: date) -> bool:
    """True when a true class could derive one date from the other (same, day and month swapped, a digit off)."""
    return a == b or swapped_day_month(b) == a or digits_apart(a.isoformat(), b.isoformat()) == 1


def _relative(rng: random.Random, pop: Population, e: Entry) -> Visitor:
    """A spouse, sibling, grown child or parent of a listed person: the same surname, another first name."""
    p = e.person
    u = rng.random()
    if u < 0.30:
        sex, years = ("F" if p.sex == "M" else "M"), rng.randint(-8, 8)
    elif u < 0.60:
        sex, years = rng.choice("MF"), rng.choice([-1, 1]) * rng.randint(1, 10)
    elif u < 0.85:
        sex, years = rng.choice("MF"), rng.randint(18, 32)
    else:
        sex, years = rng.choice("MF"), -rng.randint(18, 35)
    year = min(2006, max(1925, p.dob.year + years))
    taken = nickname_group(e.first) | nickname_group(p.first) | {fold(a[0]).lower() for a in e.aliases}
    while True:
        first = fold(pop.given_name(rng, p.community, sex))
        if (
            first.lower() not in taken
            and not near_edit(first, fold(e.first))
            and not near_edit(first, fold(p.first))
        ):
            break
    r = pop.person(rng, sex, (year, year, year), p.community)
    if r.dob == p.dob:
        r = replace(r, dob=date(year, 1, 1) if p.dob != date(year, 1, 1) else date(year, 12, 31))
    if rng.random() < 0.70:
        r = replace(r, id_state=p.id_state)
    return _shown(rng, "clean_relative", first, r.middle, fold(e.last), r.dob.isoformat(), r, None)


def derivable(v: Visitor, e: Entry) -> bool:
    """True when the visitor derives from the entry exactly as the visitor's class says."""
    if v.cls not in TRUE_CLASSES or v.sex != e.person.sex:
        return False
    first, last, dob = fold(e.first), fold(e.last), e.dob
    names = _same(v.first, first) and _same(v.last, last)
    same_dob = v.dob == dob
    if v.middle and e.middle and not fold(e.middle).lower().startswith(v.middle.lower()[:1]):
        return False
    cls = v.cls
    if cls == "exact":
        return names and same_dob and is_plain(e.first) and is_plain(e.last)
    if cls == "nickname":
        return (
            _same(v.last, last)
            and same_dob
            and not _same(v.first, first)
            and v.first.lower() in nickname_group(e.first)
        )
    if cls == "typo":
        return same_dob and (
            (_same(v.first, first) and near_edit(last, v.last))
            or (_same(v.last, last) and near_edit(first, v.first))
        )
    if cls == "sound_alike":
        return same_dob and (
            (_same(v.first, first) and v.last.lower() in _lower(sound_forms(last)))
            or (_same(v.last, last) and v.first.lower() in _lower(sound_forms(first)))
        )
    if cls == "swapped":
        return same_dob and _same(v.first, last) and _same(v.last, first)
    if cls == "alias":
        return same_dob and any(_same(v.first, fold(a)) and _same(v.last, fold(b)) for a, b in e.aliases)
    if cls == "accents_dropped":
        return names and same_dob and not (is_plain(e.first) and is_plain(e.last))
    if cls == "compound_particle":
        return same_dob and _same(v.first, first) and v.last.lower() in _lower(compound_forms(e.last))
    if cls == "dob_day_month_swapped":
        if len(dob) != 10:
            return False
        d = date.fromisoformat(dob)
        return names and swapped_day_month(d) is not None and v.dob == swapped_day_month(d).isoformat()
    if cls == "dob_one_digit_off":
        return names and len(dob) == 10 and digits_apart(dob, v.dob) == 1
    if cls == "list_year_only":
        return names and len(dob) == 4 and v.dob[:4] == dob
    return names and dob == ""  # list_no_dob


def _lower(names: list[str]) -> set[str]:
    return {n.lower() for n in names}


def indistinguishable(v: Visitor, by_name: dict[tuple[str, str], list[Entry]]) -> set[str]:
    """Why a careful person could not tell this clean visitor from an entry (empty when they could).

    ``no_dob``: the exact first and last name (or alias) of an entry with no date of birth; ``year``: of a
    year-only entry born that year; ``same_dob``: of an entry with the same full date. In each case only when
    nothing on the ID is against it: the entry's sex differs, or its ID is from the same issuer with other last 4.
    """
    reasons = set()
    for e in by_name.get((v.first.lower(), v.last.lower()), []):
        if e.sex and e.sex != v.sex:
            continue
        if e.id_state and e.id_state == v.id_state and e.id_last4 != v.id_last4:
            continue
        if e.dob == "":
            reasons.add("no_dob")
        elif len(e.dob) == 4 and v.dob[:4] == e.dob:
            reasons.add("year")
        elif e.dob == v.dob:
            reasons.add("same_dob")
    return reasons


def names_index(entries: list[Entry]) -> dict[tuple[str, str], list[Entry]]:
    """Entries by (first, last) name and by each alias, folded and in lower case."""
    index: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        keys = {(fold(e.first).lower(), fold(e.last).lower())}
        keys |= {(fold(a).lower(), fold(b).lower()) for a, b in e.aliases}
        for k in keys:
            index.setdefault(k, []).append(e)
    return index


__all__ = ["CLEAN_CLASSES", "TRUE_CLASSES", "derivable", "indistinguishable", "make_visitors", "names_index"]
