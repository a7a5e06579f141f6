"""How a visitor's ID differs from the list entry of the same person: one function per variant class.

Each variant takes a list entry and a random generator and returns the visitor (first, middle, last, dob)
with a few words on what was changed, or ``None`` when the entry cannot carry that variant (no nickname, no
accent, no compound surname ...). The classes follow the list in issue 4; a few more are what a real desk
sees and are marked as extras in the report.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bench import holdout_names as names
from bench.holdout_people import (
    PARTICLES,
    SUFFIXES,
    Person,
    nicknames_of,
    random_date_in,
    random_dob,
    split_suffix,
    strip_accents,
)

KEY_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
KEY_AT = {c: (r, i) for r, row in enumerate(KEY_ROWS) for i, c in enumerate(row)}


@dataclass(frozen=True)
class Visitor:
    """What the desk reads off an ID, and why it differs from the entry."""

    first: str
    middle: str
    last: str
    dob: str
    detail: str = ""
    sex: str = ""  # as the ID gives it (issue 19): the person's own


def visitor_dob(entry: Person, rng: random.Random) -> str:
    """The visitor's whole date: the entry's, or one within its year, or any when the list has none."""
    if entry.full_dob:
        return entry.dob
    if entry.dob:
        return random_date_in(rng, int(entry.dob))
    return random_dob(rng, 1980, 12, 1945, 2005).isoformat()


def like(entry: Person, rng: random.Random, detail: str = "", **changes) -> Visitor:
    """The visitor as the entry, with some fields changed."""
    fields = {"first": entry.first, "middle": entry.middle, "last": entry.last, "dob": visitor_dob(entry, rng)}
    fields.update(changes)
    return Visitor(detail=detail, **fields)


def adjacent_keys(c: str) -> str:
    """The keys next to ``c`` on a QWERTY keyboard."""
    if c.lower() not in KEY_AT:
        return ""
    r, i = KEY_AT[c.lower()]
    out = []
    for dr, di in ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, 0), (1, -1)):
        rr, ii = r + dr, i + di
        if 0 <= rr < 3 and 0 <= ii < len(KEY_ROWS[rr]):
            out.append(KEY_ROWS[rr][ii])
    return "".join(out)


def typo(word: str, rng: random.Random) -> tuple[str, str] | None:
    """One keying error anywhere in ``word``: adjacent key, dropped, doubled or swapped letters."""
    plain = strip_accents(word)
    letters = [i for i, c in enumerate(plain) if c.isalpha()]
    if len(letters) < 3:
        return None
    for _ in range(20):
        kind = rng.choice(["adjacent key", "dropped letter", "doubled letter", "swapped letters"])
        i = rng.choice(letters)
        chars = list(plain)
        if kind == "adjacent key":
            keys = adjacent_keys(chars[i])
            if not keys:
                continue
            new = rng.choice(keys)
            chars[i] = new.upper() if chars[i].isupper() else new
        elif kind == "dropped letter":
            del chars[i]
        elif kind == "doubled letter":
            chars.insert(i + 1, chars[i].lower())
        else:
            if i + 1 >= len(chars) or not chars[i + 1].isalpha():
                continue
            a, b = chars[i], chars[i + 1]
            chars[i], chars[i + 1] = (b.upper(), a.lower()) if a.isupper() else (b, a)
        out = "".join(chars)
        if out.lower() != plain.lower():
            return out, f"{kind}: {word} → {out}"
    return None


SOUND_TABLE: dict[str, list[str]] = {}
for _a, _b in names.SOUND_ALIKE:
    SOUND_TABLE.setdefault(_a, []).append(_b)
    SOUND_TABLE.setdefault(_b, []).append(_a)

# Spelling rules that keep the sound: (pattern, replacement, label); one is applied when the table has no pair.
SOUND_RULES = [
    (r"ph", "f", "ph→f"), (r"(?<=.)f(?=[aeiou])", "ph", "f→ph"), (r"ck", "k", "ck→k"),
    (r"(?<=.)c(?=[aou])", "k", "c→k"), (r"(?<=.)k(?=[aou])", "c", "k→c"), (r"(?<=.)y", "i", "y→i"),
    (r"(?<=[^aeiou])i(?=[^aeiou]|$)", "y", "i→y"), (r"ie$", "y", "final ie→y"), (r"y$", "ie", "final y→ie"),
    (r"ey$", "y", "final ey→y"), (r"son$", "sen", "son→sen"), (r"sen$", "son", "sen→son"),
    (r"([bdfgklmnprt])\1", r"\1", "double→single letter"),
    (r"(?<=[aeiou])([lnrt])(?=[aeiouy])", r"\1\1", "single→double letter"),
    (r"(?<=[aeiou])s(?=[aeiou])", "z", "s→z"), (r"(?<=[aeiou])z(?=[aeiou])", "s", "z→s"), (r"ei", "ie", "ei→ie"),
    (r"ie(?=.)", "ei", "ie→ei"), (r"(?<=.)th", "t", "th→t"), (r"(?<=...)e$", "", "final e dropped"),
    (r"(?<=rk|wn|rn|ld|nd|mb)$", "e", "final e added"), (r"ou", "ow", "ou→ow"), (r"ee", "ea", "ee→ea"),
    (r"(?<=.)ai", "ay", "ai→ay"), (r"(?<=.)x", "ks", "x→ks"), (r"qu", "kw", "qu→kw"),
]  # fmt: skip


def sound_alike(word: str, rng: random.Random) -> tuple[str, str] | None:
    """Another spelling of ``word`` that sounds the same: from the table, else by one spelling rule."""
    plain = strip_accents(word)
    if plain in SOUND_TABLE:
        new = rng.choice(SOUND_TABLE[plain])
        return new, f"{word} → {new} (table)"
    lower = plain.lower()
    for pattern, repl, label in rng.sample(SOUND_RULES, len(SOUND_RULES)):
        new = re.sub(pattern, repl, lower, count=1)
        if new != lower and len(new) >= 3:
            new = new.capitalize()
            return new, f"{word} → {new} (rule {label})"
    return None


def is_compound(last: str) -> bool:
    """A double-barrelled surname (``García-López``, ``Smith Jones``) rather than a particle name."""
    base, _ = split_suffix(last)
    parts = re.split(r"[\s-]", base)
    return len(parts) == 2 and not any(p.lower().strip(".") in PARTICLES for p in parts) and "'" not in base


def particle_forms(last: str) -> list[tuple[str, str]]:
    """How a particle or prefixed surname gets written on an ID: dropped, joined, spaced, re-cased."""
    base, _ = split_suffix(last)
    tokens = re.split(r"[\s-]+", base)
    if len(tokens) > 1 and tokens[0].lower() in PARTICLES | {"o"}:
        core = [t for t in tokens if t.lower().strip(".") not in PARTICLES]
        joined = "".join(t.replace(".", "") for t in tokens).capitalize()
        forms = [(joined, "joined"), (" ".join(t.capitalize() for t in tokens), "particles capitalised")]
        if core and tokens[0].lower() not in {"mc", "mac", "o"}:
            forms.append((" ".join(core), "particle dropped"))
        return forms
    m = re.match(r"^([OD])'(\w+)$", base)
    if m:
        return [(m[1] + m[2], "apostrophe dropped"), (f"{m[1]} {m[2]}", "apostrophe as a space")]
    m = re.match(r"^(Mc|Mac|O|Di|De|La|Le|Du|Van|Del)([A-Z]\w+)$", base)
    if m:
        forms = [(f"{m[1]} {m[2]}", "prefix spaced"), ((m[1] + m[2]).capitalize(), "prefix joined, one capital")]
        if m[1] == "O":
            forms.append((f"O'{m[2]}", "apostrophe added"))
        return forms
    m = re.match(r"^(Dela|Van|Von|Del)([a-z]{3,})$", base)
    if m and base in {"Delacruz", "Delarosa", "Vanderbilt", "Vandyke"}:
        return [(f"{m[1][:2]} {m[1][2:]} {m[2].capitalize()}".replace("  ", " "), "particle split")]
    return []


def one_digit_off(dob: str, rng: random.Random) -> tuple[str, str] | None:
    """The date with one of its eight digits changed, still a real date of an adult or child."""
    digits = dob.replace("-", "")
    for _ in range(40):
        i = rng.randrange(8)
        new = digits[:i] + str(rng.choice([d for d in range(10) if str(d) != digits[i]])) + digits[i + 1 :]
        try:
            d = date(int(new[:4]), int(new[4:6]), int(new[6:]))
        except ValueError:
            continue
        if 1925 <= d.year <= 2012:
            return d.isoformat(), f"digit {i + 1} of {digits}: {dob} → {d.isoformat()}"
    return None


def swapped_day_month(dob: str) -> str | None:
    """``1970-03-04`` -> ``1970-04-03`` when the day could be a month and differs from it."""
    y, m, d = dob.split("-")
    if int(d) > 12 or d == m:
        return None
    return f"{y}-{d}-{m}"


# ---- the true-match classes -----------------------------------------------------------------------------


def v_exact(e: Person, rng: random.Random) -> Visitor | None:
    return like(e, rng, "as listed")


def v_nickname(e: Person, rng: random.Random) -> Visitor | None:
    nicks = nicknames_of(e.first)
    if not nicks:
        return None
    nick = rng.choice(nicks)
    return like(e, rng, f"{e.first} → {nick}", first=nick)


def v_formal(e: Person, rng: random.Random) -> Visitor | None:
    formals = names.NICKNAMES.get(strip_accents(e.first))
    if not formals:
        return None
    formal = rng.choice(formals)
    return like(e, rng, f"list has {e.first}, ID has {formal}", first=formal)


def v_typo_first(e: Person, rng: random.Random) -> Visitor | None:
    t = typo(e.first, rng)
    return t and like(e, rng, t[1], first=t[0])


def v_typo_last(e: Person, rng: random.Random) -> Visitor | None:
    base, suffix = split_suffix(e.last)
    t = typo(base, rng)
    return t and like(e, rng, t[1], last=f"{t[0]} {suffix}".strip())


def v_sound_alike(e: Person, rng: random.Random) -> Visitor | None:
    base, suffix = split_suffix(e.last)
    if rng.random() < 0.3 or " " in base or "-" in base:
        s = sound_alike(e.first, rng)
        return s and like(e, rng, "first name " + s[1], first=s[0])
    s = sound_alike(base, rng)
    return s and like(e, rng, "last name " + s[1], last=f"{s[0]} {suffix}".strip())


def v_swapped(e: Person, rng: random.Random) -> Visitor | None:
    return like(e, rng, "first and last swapped", first=e.last, last=e.first)


def v_alias(e: Person, rng: random.Random) -> Visitor | None:
    usable = [a for a in e.aliases if a.split()[0] not in nicknames_of(e.first)]
    if not usable:
        return None
    alias = rng.choice(usable)
    first, last = alias.split(" ", 1)
    return like(e, rng, f"alias {alias!r}", first=first, last=last)


def v_accents(e: Person, rng: random.Random) -> Visitor | None:
    first, last = strip_accents(e.first), strip_accents(e.last)
    if (first, last) == (e.first, e.last):
        return None
    if rng.random() < 0.25 and any(c in e.first + e.last for c in "äöüÄÖÜ"):
        german = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
        first, last = e.first.translate(german), e.last.translate(german)
        return like(e, rng, f"umlauts as ae/oe/ue: {e.first} {e.last} → {first} {last}", first=first, last=last)
    return like(e, rng, f"{e.first} {e.last} → {first} {last}", first=first, last=last)


def v_compound(e: Person, rng: random.Random) -> Visitor | None:
    if not is_compound(e.last):
        return None
    base, suffix = split_suffix(e.last)
    a, b = re.split(r"[\s-]", base)
    sep = "-" if "-" in base else " "
    switched = f"{a}{' ' if sep == '-' else '-'}{b}"
    forms = [(a, "first part only"), (b, "second part only"), (a + b, "joined")]
    forms.append((switched, "space/hyphen switched"))
    last, how = rng.choice(forms)
    return like(e, rng, f"{how}: {e.last} → {last}", last=f"{last} {suffix}".strip())


def v_particle(e: Person, rng: random.Random) -> Visitor | None:
    forms = particle_forms(e.last)
    if not forms:
        return None
    last, how = rng.choice(forms)
    return like(e, rng, f"{how}: {e.last} → {last}", last=last)


def v_dob_swapped(e: Person, rng: random.Random) -> Visitor | None:
    new = e.full_dob and swapped_day_month(e.dob)
    return new and like(e, rng, f"{e.dob} → {new}", dob=new)


def v_dob_digit(e: Person, rng: random.Random) -> Visitor | None:
    off = e.full_dob and one_digit_off(e.dob, rng)
    return off and like(e, rng, off[1], dob=off[0])


def v_year_only(e: Person, rng: random.Random) -> Visitor | None:
    if len(e.dob) != 4:
        return None
    v = like(e, rng)
    return Visitor(v.first, v.middle, v.last, v.dob, f"list {e.dob}, ID {v.dob}")


def v_dob_unknown(e: Person, rng: random.Random) -> Visitor | None:
    return like(e, rng, "list has no DOB") if not e.dob else None


def v_suffix(e: Person, rng: random.Random) -> Visitor | None:
    base, suffix = split_suffix(e.last)
    if suffix:
        return like(e, rng, f"suffix dropped: {e.last} → {base}", last=base)
    if e.sex != "M":
        return None
    added = f"{e.last} {rng.choice(['Jr', 'JR.', 'III', 'Sr', 'II'])}"
    return like(e, rng, f"suffix added: {e.last} → {added}", last=added)


def v_case_punct(e: Person, rng: random.Random) -> Visitor | None:
    middle = f"{e.middle[0]}." if e.middle else ""
    if rng.random() < 0.6:
        f, m, la = e.first.upper(), middle.upper(), e.last.upper()
        how = "all capitals, middle as initial with a period"
    else:
        f, m, la = f"  {e.first.lower()} ", middle.lower(), f"{e.last.lower()}  ".replace(" ", "  ")
        how = "lower case with stray spaces"
    return like(e, rng, how, first=f, middle=m, last=la)


def v_middle_initial(e: Person, rng: random.Random) -> Visitor | None:
    if not e.middle:
        return None
    if len(e.middle) > 1:
        initial = e.middle[0] + rng.choice(["", "."])
        return like(e, rng, f"middle {e.middle} → {initial}", middle=initial)
    return None


def v_middle_missing(e: Person, rng: random.Random) -> Visitor | None:
    if e.middle:
        return like(e, rng, f"middle {e.middle} not given", middle="")
    middle = rng.choice(["Lee", "Ann", "Marie", "James", "Michael", "Lynn", "Ray", "Jean"])
    return like(e, rng, f"list has no middle, ID has {middle}", middle=middle)


def v_goes_by_middle(e: Person, rng: random.Random) -> Visitor | None:
    if len(e.middle) < 2:
        return None
    return like(e, rng, f"list {e.first} {e.middle}, ID {e.middle} {e.first}", first=e.middle, middle=e.first)


def v_two_typos(e: Person, rng: random.Random) -> Visitor | None:
    a, b = typo(e.first, rng), typo(split_suffix(e.last)[0], rng)
    if not (a and b):
        return None
    return like(e, rng, f"{a[1]}; {b[1]}", first=a[0], last=b[0])


def v_nick_sound(e: Person, rng: random.Random) -> Visitor | None:
    nicks = nicknames_of(e.first)
    base, suffix = split_suffix(e.last)
    s = nicks and " " not in base and "-" not in base and sound_alike(base, rng)
    if not s:
        return None
    nick = rng.choice(nicks)
    return like(e, rng, f"{e.first} → {nick}; {s[1]}", first=nick, last=f"{s[0]} {suffix}".strip())


def v_nick_dob_swapped(e: Person, rng: random.Random) -> Visitor | None:
    nicks = nicknames_of(e.first)
    new = nicks and e.full_dob and swapped_day_month(e.dob)
    if not new:
        return None
    nick = rng.choice(nicks)
    return like(e, rng, f"{e.first} → {nick}; {e.dob} → {new}", first=nick, dob=new)


def v_typo_dob_digit(e: Person, rng: random.Random) -> Visitor | None:
    field_name = rng.choice(["first", "last"])
    t = typo(split_suffix(e.last)[0] if field_name == "last" else e.first, rng)
    off = t and e.full_dob and one_digit_off(e.dob, rng)
    if not off:
        return None
    return like(e, rng, f"{t[1]}; {off[1]}", **{field_name: t[0]}, dob=off[0])


def v_accent_compound(e: Person, rng: random.Random) -> Visitor | None:
    if not is_compound(e.last) or strip_accents(e.first + e.last) == e.first + e.last:
        return None
    part = re.split(r"[\s-]", split_suffix(e.last)[0])[0]
    first, last = strip_accents(e.first), strip_accents(part)
    return like(e, rng, f"{e.first} {e.last} → {first} {last}", first=first, last=last)


@dataclass(frozen=True)
class VariantClass:
    """A named way a true match reaches the desk; ``named`` when issue 4 lists it."""

    name: str
    make: Callable[[Person, random.Random], Visitor | None]
    named: bool = True


TRUE_CLASSES = [
    VariantClass("exact", v_exact),
    VariantClass("nickname on the ID (Bob for Robert)", v_nickname),
    VariantClass("formal name on the ID, nickname on the list", v_formal),
    VariantClass("typo in first name", v_typo_first),
    VariantClass("typo in last name", v_typo_last),
    VariantClass("sound-alike spelling (Smyth/Smith, Kathryn/Catherine)", v_sound_alike),
    VariantClass("first and last swapped", v_swapped),
    VariantClass("alias used", v_alias),
    VariantClass("accents dropped", v_accents),
    VariantClass("compound surname: one part, joined, or separator changed", v_compound),
    VariantClass("particle dropped, joined or spaced (de la Cruz, O'Neil, McDonald)", v_particle),
    VariantClass("DOB day and month swapped", v_dob_swapped),
    VariantClass("DOB one digit off", v_dob_digit),
    VariantClass("list gives year of birth only", v_year_only),
    VariantClass("list has no DOB", v_dob_unknown),
    VariantClass("suffix added or dropped (Jr, III)", v_suffix),
    VariantClass("case and punctuation (capitals, spaces, periods)", v_case_punct),
    VariantClass("Bob Smyth for Robert Smith (nickname + sound-alike)", v_nick_sound),
    VariantClass("middle name as initial only", v_middle_initial, named=False),
    VariantClass("middle name missing on one side", v_middle_missing, named=False),
    VariantClass("nickname + DOB day/month swapped", v_nick_dob_swapped, named=False),
    VariantClass("typo + DOB one digit off", v_typo_dob_digit, named=False),
    VariantClass("typos in both names", v_two_typos, named=False),
    VariantClass("accents dropped + one part of compound surname", v_accent_compound, named=False),
    VariantClass("goes by the middle name (first and middle swapped)", v_goes_by_middle, named=False),
]

__all__ = ["SUFFIXES", "TRUE_CLASSES", "Visitor", "VariantClass", "swapped_day_month", "typo"]
