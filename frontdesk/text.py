"""Small text helpers shared by the core: name keys and badge codes."""

from __future__ import annotations

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
