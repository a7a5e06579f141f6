"""What the desk reads from an ID card: one frozen record, the typed error, and the field clean-ups.

Shared by the PDF417 parser (:mod:`scanners.aamva`) and the magnetic-stripe parser
(:mod:`scanners.magstripe`). Nothing here guesses: a date that is not a real date in either order is left
empty, and the reason is listed with the repairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from frontdesk.errors import InputError
from frontdesk.models import Visitor
from frontdesk.text import name_case

# The exact keys of `frontdesk id parse`, in order.
JSON_KEYS = (
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "expires",
    "issued",
    "sex",
    "id_number",
    "document",
    "jurisdiction",
    "country",
    "street",
    "city",
    "postal_code",
    "aamva_version",
    "real_id",
    "repairs",
)


class UnreadableIdError(InputError):
    """The input is not an ID the desk can read; the message says why, in plain words."""

    code = "unreadable_id"


@dataclass(frozen=True)
class IdRecord:
    """The fields read from one licence or ID card, and each repair the parser had to make."""

    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    suffix: str | None = None
    dob: date | None = None
    expires: date | None = None
    issued: date | None = None
    sex: str | None = None  # "M", "F" or "X"
    id_number: str | None = None
    document: str | None = None  # "DL" or "ID"; from an MRZ "PASSPORT", "ID" or "RESIDENT"
    jurisdiction: str | None = None  # two letters: state or province
    country: str | None = None  # "USA" or "CAN"
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    aamva_version: int | None = None
    real_id: bool | None = None
    under_18_until: date | None = None  # DDH: lets the desk warn even when the date of birth is unreadable
    repairs: tuple[str, ...] = field(default=())
    # or "magstripe", "mrz" (a passport's or ID card's machine-readable zone), "cac" (a military ID card)
    source: str = "pdf417"

    @property
    def id_last4(self) -> str | None:
        """The last four letters or digits of the ID number: all the desk keeps of it."""
        if not self.id_number:
            return None
        plain = "".join(c for c in self.id_number if c.isalnum())
        return plain[-4:] or None

    def age_on(self, day: date) -> int | None:
        """Whole years of age on ``day``, or None without a date of birth."""
        if self.dob is None:
            return None
        return day.year - self.dob.year - ((day.month, day.day) < (self.dob.month, self.dob.day))

    def to_json(self) -> dict[str, Any]:
        """The record as the CLI prints it: exactly :data:`JSON_KEYS`, ISO dates, null when absent."""
        out: dict[str, Any] = {}
        for key in JSON_KEYS:
            value = getattr(self, key)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            out[key] = value
        return out

    def to_visitor(self, photo: bytes | None = None) -> Visitor:
        """Only what the desk stores: name, date of birth, document, issuer, expiry, last 4; never the rest.

        Names come in the case people write them (``McDonald``, ``O'Neil``, ``van der Berg``).
        """
        return Visitor(  # names as people write them, not in the barcode's capitals
            first_name=name_case(self.first_name) or "",
            last_name=name_case(self.last_name) or "",
            middle_name=name_case(self.middle_name),
            suffix=name_case(self.suffix),
            dob=self.dob,
            # The desk's document types: DL, ID, passport, other (a residence card is "other").
            id_type={"PASSPORT": "passport", "RESIDENT": "other"}.get(self.document or "", self.document),
            # A passport or other MRZ document names no state: its issuing country stands in.
            id_issuer=self.jurisdiction or (self.country if self.source == "mrz" else None),
            id_expires=self.expires,
            id_last4=self.id_last4,
            photo=photo,
            sex=self.sex,
        )


# --- dates --------------------------------------------------------------------------------------------
_DATE_NAMES = {"dob": "date of birth", "expires": "expiry date", "issued": "issue date"}


def _plausible(kind: str, day: date, today: date) -> bool:
    if kind == "dob":
        return day.year >= 1900 and day <= today
    if kind == "issued":
        return 1970 <= day.year <= today.year + 1
    return 1970 <= day.year <= 2100


def _make(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def read_date(raw: str | None, kind: str, us_order: bool, repairs: list[str], today: date) -> date | None:
    """An 8-digit card date in the expected order, or the other order if the first is not a real date.

    Only the first 8 digits count (some cards append a time or padding). ``kind`` is ``dob``, ``expires``
    or ``issued`` and bounds what is plausible. When neither order gives a plausible date the field stays
    empty and a repair note says so: a date of birth is never guessed.
    """
    if raw is None:
        return None
    text = raw.strip()
    what = _DATE_NAMES[kind]
    if not text or text.upper() in ("NONE", "UNAVL", "UNKNOWN", "00000000"):
        if text:
            repairs.append(f"{what} given as {text!r}: left empty")
        return None
    digits = text[:8]
    if not digits.isdigit():
        # Tolerate 1990-01-31 or 01/31/1990 and similar: drop the separators, then take 8 digits.
        squeezed = re.sub(r"[-/. ]", "", text[:10])
        if len(squeezed) >= 8 and squeezed[:8].isdigit():
            repairs.append(f"{what}: separators removed from {text[:10]!r}")
            digits = squeezed[:8]
        else:
            repairs.append(f"{what} {text[:12]!r} is not a date: left empty")
            return None
    elif len(text) > 8 and text[8:].strip():
        repairs.append(f"{what}: read only the first 8 characters of {text[:16]!r}")
    us_parts, iso_parts = (digits[4:8], digits[0:2], digits[2:4]), (digits[0:4], digits[4:6], digits[6:8])
    first_parts, second_parts = (us_parts, iso_parts) if us_order else (iso_parts, us_parts)
    first = _make(*first_parts)
    if first is not None and _plausible(kind, first, today):
        return first  # the usual case: the other order is never built
    second = _make(*second_parts)
    if second is not None and _plausible(kind, second, today):
        names = ("MMDDCCYY", "CCYYMMDD") if us_order else ("CCYYMMDD", "MMDDCCYY")
        repairs.append(f"{what} {digits} read as {names[1]} ({names[0]} is not a valid date)")
        return second
    repairs.append(f"{what} {digits!r} is not a valid date in either order: left empty")
    return None


# --- names and the other fields -------------------------------------------------------------------------
_EMPTY_WORDS = frozenset({"", "NONE", "UNAVL", "UNAVAILABLE", "UNKNOWN", "NMN", "NULL", "N/A"})
SUFFIXES = frozenset(
    {"JR", "SR", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "1ST", "2ND", "3RD", "4TH", "5TH"}
)


def clean(value: str | None) -> str | None:
    """Strip padding (and a stray trailing comma), squeeze inner spaces; None for empty or NONE-like values."""
    if value is None:
        return None
    text = " ".join(value.replace("\x00", " ").split()).rstrip(",").rstrip()
    return None if text.upper() in _EMPTY_WORDS else text


def clean_name(value: str | None) -> str | None:
    """A name part: padding removed, commas (several middle names) turned into spaces."""
    if value is None:
        return None
    return clean(value.replace(",", " ").replace("$", " "))


def split_suffix(name: str | None) -> tuple[str | None, str | None]:
    """("JOHN", "JR") from "JOHN JR"; the name unchanged when its last word is not a suffix."""
    if not name:
        return name, None
    words = name.split()
    if len(words) > 1 and words[-1].rstrip(".").upper() in SUFFIXES:
        return " ".join(words[:-1]), words[-1].rstrip(".")
    return name, None


def split_full_name(
    full: str, repairs: list[str], element: str, *, first_first: bool = False
) -> tuple[str | None, ...]:
    """(last, first, middle, suffix) from a v1 full name: "LAST,FIRST,MIDDLE,SUFFIX" (or with $ or @) or
    "LAST FIRST MIDDLE".

    ``first_first``: space-separated names are "FIRST MIDDLE LAST" (Pennsylvania's version-1 cards).
    """
    text = full.strip()
    for sep in (",", "$", "@"):  # "@" on a few cards (c0shea/IdParser reads it as a separator too)
        if sep in text:
            parts = [" ".join(p.split()) for p in text.split(sep)]
            last = parts[0] or None
            first = parts[1] if len(parts) > 1 else None
            middle = " ".join(p for p in parts[2:3] if p) or None
            suffix = " ".join(p for p in parts[3:] if p) or None
            if first and middle is None and " " in first:
                first, middle = first.split(" ", 1)
            if suffix is None:
                middle, suffix = split_suffix(middle) if middle else (middle, None)
                if suffix is None and first:
                    first, suffix = split_suffix(first)
            repairs.append(f"name split from {element} (last, first, middle)")
            return clean_name(last), clean_name(first), clean_name(middle), clean(suffix)
    words = text.split()
    if not words:
        return None, None, None, None
    suffix = None
    if len(words) > 2 and words[-1].rstrip(".").upper() in SUFFIXES:
        suffix = words.pop().rstrip(".")
    if first_first and len(words) > 1:
        repairs.append(f"name split from {element} at spaces (first middle last)")
        return words[-1], words[0], " ".join(words[1:-1]) or None, suffix
    repairs.append(f"name split from {element} at spaces (last first middle)")
    last = words[0]
    first = words[1] if len(words) > 1 else None
    middle = " ".join(words[2:]) or None
    return last, first, middle, suffix


def split_given(given: str, repairs: list[str]) -> tuple[str | None, str | None]:
    """(first, middle) from DCT given names: "FIRST,MIDDLE" or "FIRST MIDDLE"."""
    text = given.strip().strip(",").replace("$", ",")
    if "," in text:
        first, middle = text.split(",", 1)
    elif " " in " ".join(text.split()):
        first, middle = " ".join(text.split()).split(" ", 1)
    else:
        first, middle = text, ""
    if middle.strip():
        repairs.append("first and middle names split from DCT (given names)")
    return clean_name(first), clean_name(middle)


def read_sex(value: str | None) -> str | None:
    """M, F or X from 1 / 2 / 9 (AAMVA), M / F (version 1), X, or the words."""
    text = (value or "").strip().upper()
    if not text:
        return None
    return {"1": "M", "M": "M", "MALE": "M", "2": "F", "F": "F", "FEMALE": "F", "9": "X", "X": "X"}.get(text)


_CANADIAN_POSTAL = re.compile(r"([A-Z]\d[A-Z])\s*-?\s*(\d[A-Z]\d)")


def read_postal(value: str | None, repairs: list[str]) -> str | None:
    """A five-digit ZIP ("23269" from "232690000  " or "232691234") or a Canadian code ("K1A 0B1").

    The +4 is dropped: cards pad it with zeros or spaces as often as they fill it, and the desk needs no more.
    """
    raw = (value or "").strip()
    if not raw:
        return None
    canadian = _CANADIAN_POSTAL.match(raw.upper())
    if canadian:
        return f"{canadian[1]} {canadian[2]}"
    digits = re.match(r"[\d -]*", raw)[0].replace(" ", "").replace("-", "")  # type: ignore[index]
    if len(digits) < 5:
        return clean(raw)
    result = digits[:5]
    if result != raw:
        repairs.append(f"postal code {raw!r} trimmed to {result}")
    return result


def id_warnings(record: IdRecord, today: date) -> list[str]:
    """What the desk must notice about a card before admitting: expired, not yet valid, under 18."""
    warnings = []
    if record.expires is not None and record.expires < today:
        warnings.append(f"This ID expired on {record.expires:%m/%d/%Y}.")
    if record.issued is not None and record.issued > today:
        warnings.append(f"This ID is not valid yet (issued {record.issued:%m/%d/%Y}).")
    age = record.age_on(today)
    if age is not None and age < 18:
        warnings.append(f"The card says this visitor is under 18 (age {age}).")
    elif age is None and record.under_18_until is not None and today < record.under_18_until:
        warnings.append(f"The card says this visitor is under 18 until {record.under_18_until:%m/%d/%Y}.")
    if record.dob is None:
        warnings.append("The date of birth could not be read: ask for it and type it in.")
    odd = _odd_letters(record.first_name, record.middle_name, record.last_name, record.suffix)
    if odd:
        warnings.append(
            f"The name holds {odd} that no real licence or passport carries: the barcode may be forged. "
            "Compare the name with the printed card."
        )
    return warnings


def _odd_letters(*names: str | None) -> str:
    """What in a name read from a card is not a Latin letter (a licence's barcode, a passport's zone): letters
    of another alphabet (Cyrillic or Greek ones look like Latin letters) or hidden characters; "" if none."""
    import unicodedata

    scripts: dict[str, None] = {}
    hidden = False
    for name in names:
        for c in name or "":
            if c.isascii():
                continue
            if unicodedata.category(c) == "Cf":
                hidden = True
            elif c.isalpha() and not unicodedata.name(c, "").startswith("LATIN"):
                scripts[unicodedata.name(c, "OTHER").split()[0].capitalize()] = None
    found = [" and ".join(scripts) + " letters"] if scripts else []
    return " and ".join([*found, *(["hidden characters"] if hidden else [])])
