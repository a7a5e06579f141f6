"""Names as the matcher sees them: folded, split into parts, with their nickname groups and sound codes.

Folding removes case, accents and punctuation and maps letters NFKD leaves alone (ø, ł, ß ...). The matcher
then reads every name in Latin letters (:func:`latin`): a name written in Cyrillic, Greek, Chinese ... is
transliterated, so a list entry ``Иван Петров`` and a visitor typed from a passport's ``IVAN PETROV`` meet.
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
from anyascii import anyascii

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


def latin(text: str | None) -> str:
    """:func:`fold` in Latin letters: a name that folds to letters of another script (Cyrillic, Greek, Chinese,
    Arabic ...) is transliterated first (``anyascii``: Иван Петров -> ivan petrov, Γιάννης -> giannis, 李 -> li).

    A name that folds to ASCII (every Latin name, accents and all) is folded exactly as before: the key rules
    for such names, and every answer on them, stay as they were (issue 19, session 19). Transliteration is
    one spelling among several (a passport may say IULIIA where it gives Yuliya): the scorer's typo and sound
    rules then bridge what they can, as for any two spellings.
    """
    folded = fold(text)
    if folded.isascii():
        return folded
    # The text as written, not the fold: NFKD splits a kana's voicing mark off (が -> か + ゛) and would lose it.
    return fold(anyascii(text or ""))


def other_script(text: str | None) -> bool:
    """True when ``text`` holds letters the matcher reads only through their transliteration (:func:`latin`)."""
    return not fold(text).isascii()


# Cyrillic as passports write it in their machine-readable zone (ICAO Doc 9303, part 3: Russian passports since
# 2013, Ukrainian and Belarusian letters too): Юлия IULIIA, Юрий IURII, Пётр PETR, where anyascii gives Yuliya,
# Yurii, Pyotr. Lower case: the text is case-folded first.
_PASSPORT_CYRILLIC = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
        "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y",
        "ь": "", "э": "e", "ю": "iu", "я": "ia", "є": "ie", "і": "i", "ї": "i", "ґ": "g", "ў": "u",
    }
)  # fmt: skip


def passport_form(text: str) -> str:
    """``text`` with its Cyrillic letters as a passport's machine-readable zone spells them (ICAO 9303), in the
    case the desk shows a name in: Юрий Морозов -> Iurii Morozov."""
    return unicodedata.normalize("NFC", text).casefold().translate(_PASSPORT_CYRILLIC).title()


def passport_spelling(text: str | None) -> str | None:
    """:func:`passport_form` of ``text``, or None when that reads as :func:`latin` does (no Cyrillic, or a name
    both spell alike: Иван Петров)."""
    if not text or text.isascii():
        return None
    spelled = passport_form(text)
    if spelled.casefold() == text.casefold() or latin(spelled) == latin(text):
        return None
    return spelled


# Korean surnames as passports and families write them (the spellings in use before and beside the 2000 Revised
# Romanization): anyascii spells Hangul letter by letter (김 Gim, 이 I, 박 Bag), and the ten commonest surnames,
# which half of all Koreans carry, would otherwise never meet a passport's KIM, LEE or PARK. Only surnames whose
# usual spellings anyascii does not give; a spelling a family uses beyond these is for the list's aliases.
_KOREAN_SURNAMES = {
    "김": ("Kim",), "이": ("Lee", "Yi", "Rhee"), "박": ("Park", "Pak", "Bak"), "최": ("Choi",),
    "정": ("Jung", "Chung"), "강": ("Kang",), "조": ("Cho",), "윤": ("Yoon",), "장": ("Chang",), "임": ("Lim",),
    "오": ("Oh",), "서": ("Suh",), "신": ("Shin",), "권": ("Kwon",), "안": ("Ahn",), "류": ("Ryu", "Yoo"),
    "유": ("Yoo",), "전": ("Jun", "Chun"), "고": ("Ko", "Koh"), "문": ("Moon",), "손": ("Sohn",),
    "백": ("Baek", "Paik"), "허": ("Huh",), "심": ("Shim",), "노": ("Noh", "Roh"), "곽": ("Kwak",),
    "성": ("Sung",), "주": ("Joo",), "우": ("Woo",), "구": ("Koo", "Ku"), "지": ("Chi",), "엄": ("Um",),
    "천": ("Chun",), "공": ("Kong",), "현": ("Hyun",), "변": ("Byun",), "추": ("Choo",), "석": ("Seok",),
    "선": ("Sun",), "명": ("Myung",), "기": ("Ki",), "금": ("Keum",), "옥": ("Ok",), "육": ("Yuk",),
    "탁": ("Tak",), "국": ("Kook",), "편": ("Pyun",), "경": ("Kyung",), "복": ("Bok",), "목": ("Mok",),
    "형": ("Hyung",), "범": ("Bum",), "길": ("Kil",), "남궁": ("Namkoong",), "선우": ("Sunwoo",),
}  # fmt: skip


def spellings(given: str, middle: str, surname: str) -> list[tuple[str, str, str]]:
    """A name's parts as written, then the other ways passports spell them where :func:`latin` reads them
    otherwise: Cyrillic as ICAO 9303 spells it (an entry ``Юрий Морозов`` meets a visitor typed from a
    passport's ``IURII MOROZOV``, and one who goes by Yuri), and a Korean surname's usual spellings (김: Kim),
    in the surname or, a family name written first, in the first name. The matcher and the index take each
    as they take an alias."""
    names = [(given, middle, surname)]
    if given.isascii() and middle.isascii() and surname.isascii():
        return names
    parts = [passport_spelling(p) for p in (given, middle, surname)]
    if any(parts):
        names.append((parts[0] or given, parts[1] or middle, parts[2] or surname))
    names += [(given, middle, other) for other in _KOREAN_SURNAMES.get(surname.strip(), ())]
    names += [(other, middle, surname) for other in _KOREAN_SURNAMES.get(given.strip(), ())]
    return names


# The first word of a letter's Unicode name, for the scripts whose word is not the script's plain name.
_SCRIPT_WORDS = {"CJK": "Chinese", "HANGUL": "Korean", "HIRAGANA": "Japanese", "KATAKANA": "Japanese"}


def scripts(text: str | None) -> list[str]:
    """The scripts of the letters of ``text`` that :func:`latin` transliterates, in order of first use:
    ``["Cyrillic"]``, ``["Chinese"]``, ``["Greek", "Latin"]`` (a letter outside ASCII that NFKD leaves alone)."""
    found: dict[str, None] = {}
    for ch in fold(text):
        if not ch.isascii() and ch.isalnum():
            word = unicodedata.name(ch, "OTHER").split()[0]
            found[_SCRIPT_WORDS.get(word, word.capitalize())] = None
    return list(found)


@functools.lru_cache(maxsize=50_000)  # names repeat a lot: an import folds each common one once
def name_tokens(text: str | None) -> tuple[str, ...]:
    """Folded words in Latin letters (:func:`latin`) with generational suffixes removed; ``mc`` read as ``mac``."""
    words = [w for w in latin(text).split() if w not in SUFFIXES]
    return tuple("mac" + w[2:] if w.startswith("mc") and len(w) > 3 else w for w in words)


def _split_particle_apostrophe(text: str | None) -> tuple[str, ...]:
    """The parts of a surname read with apostrophes as breaks: O'Brien also as "o brien"."""
    if not text or ("'" not in text and "’" not in text):
        return name_tokens(text)
    return name_tokens(text.replace("'", " ").replace("’", " "))


@functools.lru_cache(maxsize=50_000)
def phonetic(word: str) -> str:
    """A sound code (Metaphone) for one folded word; empty for an empty word."""
    return jellyfish.metaphone(word) if word else ""


@functools.lru_cache(maxsize=50_000)
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
    last_forms: tuple[str, ...]  # every form worth comparing (whole, core, each part), without repeats
    last_codes: frozenset[str]  # the sound codes of those forms


@functools.lru_cache(maxsize=50_000)
def surname_forms(last: str | None) -> tuple[str, str, tuple[str, ...], tuple[str, ...], frozenset[str]]:
    """(whole, core, parts, forms, sound codes) of a written surname; cached, since surnames repeat."""
    last_words = name_tokens(last)
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
    core = "".join(core_words)
    parts_t = tuple(dict.fromkeys(parts))
    forms = tuple(dict.fromkeys(f for f in (whole, core, *parts_t) if f))
    return whole, core, parts_t, forms, frozenset(c for c in (phonetic(f) for f in forms) if c)


def make_name(first: str | None, last: str | None, middle: str | None = None) -> Name:
    """Build the comparable forms of a name from its written parts."""
    first_words = list(name_tokens(first))
    middle_words = list(name_tokens(middle))
    whole, core, parts, forms, codes = surname_forms(last)
    raw = " ".join(p.strip() for p in (first or "", middle or "", last or "") if p and p.strip())
    return Name(
        raw=raw,
        first=first_words[0] if first_words else "",
        given=tuple(first_words + middle_words),
        middle=" ".join(middle_words + first_words[1:]),
        last_whole=whole,
        last_core=core,
        last_parts=parts,
        raw_last=(last or "").strip(),
        raw_first=(first or "").strip(),
        last_forms=forms,
        last_codes=codes,
    )


def alias_parts(alias: str) -> tuple[str, str, str]:
    """(first, middle, last) of an alias as written: "Bobby Jones", "Jones, Bobby", "Bobby J. Jones"."""
    if "," in alias:
        last, _, given = alias.partition(",")
        words = given.split()
        return (words[0] if words else ""), " ".join(words[1:]), last
    words = alias.split()
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


@functools.lru_cache(maxsize=50_000)
def first_word(given: str | None) -> str:
    """The first given name, folded ("Mary-Ann" -> "mary")."""
    words = name_tokens(given)
    return words[0] if words else ""


def surname_codes(last: str | None) -> frozenset[str]:
    """The sound codes of every form of a written surname (cached)."""
    return surname_forms(last)[4]


# --- nicknames ------------------------------------------------------------------------------------


@functools.cache
def nickname_text() -> str:
    """The nickname table (``nicknames.csv``) as written."""
    return resources.files("frontdesk.wire").joinpath("nicknames.csv").read_text(encoding="utf-8")


@functools.cache
def nickname_groups() -> dict[str, frozenset[str]]:
    """Each known given name (folded) -> the canonical names of the groups it belongs to."""
    groups: dict[str, set[str]] = {}
    text = nickname_text()
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


@functools.lru_cache(maxsize=50_000)
def entry_first_codes(first: str) -> frozenset[str]:
    """The narrower codes an entry files its first name under: its nickname groups, else its sound code.

    The visitor's side looks up both, so a nickname meets its group and an unknown name its sound.
    """
    if not first:
        return frozenset()
    return nickname_canon(first) or frozenset({phonetic(first)})
