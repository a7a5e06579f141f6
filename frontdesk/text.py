"""Small text helpers shared by the core: name keys and badge codes."""

from __future__ import annotations

import re
import unicodedata

# Crockford base32: no I, L, O, U, so a code read aloud or typed is hard to get wrong.
_BADGE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BADGE_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
BADGE_CODE_LENGTH = 8  # characters of a code (40 bits, five a character)


def fold(text: str) -> str:
    """Lower case, accents removed, runs of spaces squeezed: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


# Characters that show as nothing besides format characters (Unicode category Cf: zero-width space and
# joiners, soft hyphen, direction marks): the combining grapheme joiner, Hangul fillers, the Khmer inherent
# vowels, the Braille blank. A forged barcode can make a name of them that looks empty or like another.
_SHOWS_AS_NOTHING = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


def visible(text: str) -> str:
    """``text`` without the characters that show as nothing (zero-width, soft hyphen, fillers ...)."""
    if text.isascii():
        return text
    return "".join(c for c in text if c not in _SHOWS_AS_NOTHING and unicodedata.category(c) != "Cf")


def new_badge_code() -> str:
    """A random, opaque, non-sequential check-out code (40 bits), e.g. ``K7QXM2PD``.

    Five random bytes, five bits a character (the alphabet has 32): the same uniform code as eight
    ``secrets.choice`` calls, from one read of the system's random source instead of sixteen.
    """
    import secrets  # with hmac and OpenSSL's hashlib: loaded by the first badge, not by the desk's start

    bits = int.from_bytes(secrets.token_bytes(5), "big")
    return "".join(_BADGE_ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))


def format_badge_code(code: str) -> str:
    """The code as printed and shown: two groups of four (``K7QX-M2PD``)."""
    return f"{code[:4]}-{code[4:]}" if len(code) == BADGE_CODE_LENGTH else code


def normalize_badge_code(typed: str) -> str:
    """What a person typed or a scanner sent, as the stored code (case, dashes, look-alikes forgiven)."""
    cleaned = "".join(c for c in typed.upper() if c.isalnum())
    return cleaned.translate(_BADGE_CONFUSABLE)


# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection): = + - @, and a tab
# or carriage return that some programs skip before looking. Every CSV the product writes goes through
# spreadsheet_safe (with a ' in front, the cell is shown as the text it is).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text: a string beginning ``= + - @``, tab or CR gets a ``'``.

    Numbers stay numbers (a negative number is not a formula); everything else is unchanged.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through :func:`spreadsheet_safe`."""

    def __init__(self, out, **options):
        import csv

        self._writer = csv.writer(out, **options)

    def writerow(self, row) -> None:
        """Write one row of cells."""
        self._writer.writerow([spreadsheet_safe(v) for v in row])

    def writerows(self, rows) -> None:
        """Write every row."""
        for row in rows:
            self.writerow(row)


class SafeDictWriter:
    """``csv.DictWriter`` whose every cell goes through :func:`spreadsheet_safe` (the header is ours)."""

    def __init__(self, out, fieldnames, **options):
        import csv

        self._writer = csv.DictWriter(out, fieldnames=fieldnames, **options)

    def writeheader(self) -> None:
        """Write the column names."""
        self._writer.writeheader()

    def writerow(self, record) -> None:
        """Write one record."""
        self._writer.writerow({k: spreadsheet_safe(v) for k, v in record.items()})

    def writerows(self, records) -> None:
        """Write every record."""
        for record in records:
            self.writerow(record)


# Name particles written in lower case inside a name (van der Berg, de la Cruz).
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "ten", "ter"}
)
_ROMAN = frozenset({"II", "III", "IV", "VI", "VII", "VIII", "IX"})
_NAME_PIECES = re.compile(r"([ \-'’])")


def name_case(name: str | None) -> str | None:
    """A name read in capitals (an ID's barcode) as people write it: ``MCDONALD`` → ``McDonald``,
    ``O'NEIL`` → ``O'Neil``, ``VAN DER BERG`` → ``van der Berg``, ``SMITH-JONES`` → ``Smith-Jones``.

    A name that already has lower-case letters is left as written: its owner chose it.
    """
    if not name or any(c.islower() for c in name):
        return name
    words = name.split()
    out = []
    for i, word in enumerate(words):
        if word in _ROMAN:
            out.append(word)
        elif word.casefold() in _PARTICLES and len(words) > 1 and i < len(words) - 1:
            out.append(word.casefold())
        else:
            out.append("".join(_cap(piece) for piece in _NAME_PIECES.split(word)))
    return " ".join(out)


def _cap(piece: str) -> str:
    if not piece or not piece[0].isalpha():
        return piece
    lower = piece.casefold()
    if lower.startswith("mc") and len(piece) > 3:
        return "Mc" + lower[2].upper() + lower[3:]
    return lower[0].upper() + lower[1:]


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in the right number: ``1 visitor``, ``3 visitors``, ``2 people`` (given plural)."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
