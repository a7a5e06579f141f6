"""Small text helpers shared by the core: name keys and badge codes."""

from __future__ import annotations

import re
import secrets
import unicodedata

# Crockford base32: no I, L, O, U, so a code read aloud or typed is hard to get wrong.
_BADGE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BADGE_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def fold(text: str) -> str:
    """Lower case, accents removed, runs of spaces squeezed: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def new_badge_code() -> str:
    """A random, opaque, non-sequential check-out code (40 bits), e.g. ``K7QXM2PD``."""
    return "".join(secrets.choice(_BADGE_ALPHABET) for _ in range(8))


def format_badge_code(code: str) -> str:
    """The code as printed and shown: two groups of four (``K7QX-M2PD``)."""
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


def normalize_badge_code(typed: str) -> str:
    """What a person typed or a scanner sent, as the stored code (case, dashes, look-alikes forgiven)."""
    cleaned = "".join(c for c in typed.upper() if c.isalnum())
    return cleaned.translate(_BADGE_CONFUSABLE)


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
