"""The PDF417 on the front of a US military ID card (the DoD Common Access Card): not AAMVA, but its layout
is public (DoD ID Bar Code SDK Formats, version 7.5, pages 13-14).

Fixed-width text, 88 characters (barcode version ``1``) or 89 (version ``N``, whose last is the middle
initial)::

    version 1 | PDI 6 | PDI type 1 | EDIPI 7 | first name 20 | last name 26 | date of birth 4 |
    personnel category 1 | branch 1 | entitlement 2 | rank 6 | pay plan 2 | pay grade 2 |
    issue date 4 | expiry date 4 | card instance 1 | [middle initial 1]

Numbers and dates are base 32 (``0-9A-V``); a date is a count of days since 1 January 1000. The desk reads the
name and the dates; the EDIPI (the DoD ID number printed on the card) is the ``id_number``, of which the desk
keeps the last 4. ``document`` is ``ID``, ``country`` ``USA``, ``jurisdiction`` null. A text that does not
decode exactly so (a length, a base-32 field or a date that does not fit) is not taken for a military card.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanners.idcard import IdRecord

_DAY_ZERO = date(1000, 1, 1)
_BASE32 = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUV")


def _number(text: str) -> int | None:
    return int(text, 32) if text and set(text) <= _BASE32 else None


def _day(text: str) -> date | None:
    days = _number(text)
    if days is None:
        return None
    try:
        return _DAY_ZERO + timedelta(days=days)
    except OverflowError:
        return None


def looks_like_cac(text: str) -> bool:
    """True when ``text`` has a military ID card barcode's shape: its version, length and base-32 numbers."""
    data = text.strip("\r\n")
    shaped = (data[:1] == "1" and len(data) == 88) or (data[:1] == "N" and len(data) == 89)
    return shaped and set(data[1:7] + data[8:15]) <= _BASE32


def parse_cac(text: str, today: date, repairs: list[str]) -> IdRecord | None:
    """The record of a military ID card's PDF417 text, or None when ``text`` is not one."""
    data = text.strip("\r\n")
    if not ((data[:1] == "1" and len(data) == 88) or (data[:1] == "N" and len(data) == 89)):
        return None
    edipi = _number(data[8:15])
    first, last = data[15:35].strip(), data[35:61].strip()
    dob, issued, expires = _day(data[61:65]), _day(data[79:83]), _day(data[83:87])
    if _number(data[1:7]) is None or edipi is None or not last or not first:
        return None
    if dob is None or not date(1900, 1, 1) <= dob <= today or issued is None or expires is None:
        return None
    if not (first + last).replace(" ", "").replace("-", "").replace("'", "").isalpha():
        return None
    middle = data[88:89].strip() or None
    # Here, not at the top: the wedge asks looks_like_cac of every scan and loads with the desk's first screen,
    # which has no ID record to build (issue 13); the parsers that call this have imported it already.
    from scanners.idcard import IdRecord

    return IdRecord(
        first_name=first.upper(),
        middle_name=middle.upper() if middle else None,
        last_name=last.upper(),
        dob=dob,
        issued=issued,
        expires=expires,
        id_number=str(edipi),
        document="ID",
        country="USA",
        repairs=tuple(repairs),
        source="cac",
    )
