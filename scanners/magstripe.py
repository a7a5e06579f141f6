"""Magnetic-stripe licences (AAMVA tracks 1-3), as a stripe reader types them in one burst.

Track 1: ``%`` state, city ``^`` ``LAST$FIRST$MIDDLE`` ``^`` address ``^`` ``?``.
Track 2: ``;`` IIN + ID number ``=`` expiry YYMM + birth date CCYYMMDD + ID overflow ``=`` ``?``.
Track 3: ``%`` or ``#``, versions, postal code (11), class (2), restrictions (10), endorsements (4), sex...
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from scanners import iin as iins
from scanners.idcard import SUFFIXES, IdRecord, UnreadableIdError, clean, clean_name, read_postal, read_sex

_TRACK1 = re.compile(r"%([A-Z]{2})([^\^?]{0,13})\^?([^\^?]*)\^?([^\^?]*)\^?[^?]*\?")
_TRACK2 = re.compile(r";(6\d{5})([0-9A-Z]{0,13})=(\d{4})(\d{8})(\d{0,5})=?\??")
_TRACK1_NAMES = re.compile(r"%[A-Z]{2}[^\^?]{0,13}\^[^?]*\^")  # a track 1 with its name field (never a track 3)
TWO_SWIPES = "Two cards were read as one (two swipes ran together): swipe the card again"
_TRACK3 = re.compile(r"[%#](.)(.)(.{11})(.{2})(.{10})(.{4})(.)(.{3})(.{3})(.{3})(.{3})")


def looks_like_stripe(text: str) -> bool:
    """True when the text holds a licence's track 2 (``;636…=``) or a track 1 with the ``^`` fields."""
    stripped = text.lstrip()
    if "ANSI" in text or "AAMVA" in text:
        return False
    return bool(_TRACK2.search(text)) or (stripped.startswith("%") and stripped.count("^") >= 2)


def has_track(text: str) -> bool:
    """True when ``text`` holds a licence stripe's track 2 or a track 1 with its name field, wherever it is."""
    return bool(_TRACK2.search(text) or _TRACK1_NAMES.search(text))


def parse_stripe(text: str, repairs: list[str], today: date) -> IdRecord:
    """Read the three tracks (any may be missing) into an :class:`IdRecord`."""
    t1 = _TRACK1.search(text)
    t2 = _TRACK2.search(text)
    t3 = _TRACK3.search(text[t2.end() :]) if t2 else None
    if t1 is None and t2 is None:
        raise UnreadableIdError("The magnetic stripe could not be read: enter the visitor by hand")
    if (t2 and _TRACK2.search(text, t2.end())) or (t1 and _TRACK1_NAMES.search(text, t1.end())):
        # A second card's track: two swipes arrived as one, and only the first would be read.
        raise UnreadableIdError(TWO_SWIPES)
    last = first = middle = suffix = city = street = state = None
    if t1:
        state, city = t1[1], clean(t1[2])
        names = [p.strip() for p in t1[3].split("$")]
        last = clean_name(names[0]) if names else None
        first = clean_name(names[1]) if len(names) > 1 else None
        middle = clean_name(" ".join(names[2:])) if len(names) > 2 else None
        if middle and middle.rstrip(".").upper() in SUFFIXES:
            middle, suffix = None, middle.rstrip(".")  # some stripes put the suffix third
        street = clean(t1[4].split("$")[0])
    iin = number = None
    dob = expires = None
    if t2:
        iin = t2[1]
        dob, expires = _stripe_dates(t2[3], t2[4], repairs, today, florida=iin == "636010")
        number = _stripe_number(iin, t2[2], t2[5], repairs)
    else:
        repairs.append("track 2 missing: no date of birth or ID number")
    issuer = iins.issuer(iin)
    jurisdiction = issuer[0] if issuer else state
    country = issuer[1] if issuer else iins.country_of(state)
    postal = sex = document = None
    if t3:
        postal = read_postal(t3[3], repairs)
        sex = read_sex(t3[7])
        document = "DL" if t3[4].strip() else "ID"
    if not last and not first:
        raise UnreadableIdError("The magnetic stripe holds no name: enter the visitor by hand")
    repairs.append("read from the magnetic stripe")
    return IdRecord(
        first_name=first,
        middle_name=middle,
        last_name=last,
        suffix=suffix,
        dob=dob,
        expires=expires,
        sex=sex,
        id_number=number,
        document=document,
        jurisdiction=jurisdiction,
        country=country,
        street=street,
        city=city,
        postal_code=postal,
        repairs=tuple(repairs),
        source="magstripe",
    )


def _stripe_dates(
    yymm: str, birth: str, repairs: list[str], today: date, *, florida: bool = False
) -> tuple[date | None, date | None]:
    year, month, day = int(birth[:4]), int(birth[4:6]), int(birth[6:8])
    exp_year, exp_month = 2000 + int(yymm[:2]), int(yymm[2:])
    if florida and month == 99 and 1 <= exp_month <= 12:
        # Florida writes 99 for "same month as the expiry" (the reverse of the standard's meaning).
        month = exp_month
        repairs.append("birth month 99 read as the expiry month (Florida stripe)")
    try:
        dob: date | None = date(year, month, day)
        if not (year >= 1900 and dob <= today):  # type: ignore[operator]
            raise ValueError
    except ValueError:
        repairs.append(f"date of birth {birth!r} is not a valid date: left empty")
        dob = None
    expires: date | None = None
    if exp_month == 77:
        repairs.append("stripe says the licence does not expire")
    elif exp_month in (88, 99) and dob is not None:
        target = dob.month
        last_day = calendar.monthrange(exp_year, target)[1]
        expires = date(exp_year, target, last_day if exp_month == 88 else min(dob.day, last_day))
    elif 1 <= exp_month <= 12:
        last_day = calendar.monthrange(exp_year, exp_month)[1]
        on_birthday = dob is not None and dob.month == exp_month
        expires = date(exp_year, exp_month, min(dob.day, last_day) if on_birthday and dob else last_day)
    return dob, expires


def _stripe_number(iin: str, number: str, overflow: str, repairs: list[str]) -> str:
    if iin == "636010" and number[:2].isdigit() and 1 <= int(number[:2]) <= 26:
        # Florida numbers start with a letter, written on the stripe as two digits (A = 01).
        repairs.append("Florida licence letter decoded from the stripe's digits")
        return chr(64 + int(number[:2])) + number[2:] + overflow
    return number + overflow
