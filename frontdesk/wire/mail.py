"""Email's words on the wire, shared by the desk and the district hub: address checks, the desk-offline notice,
the district's notification rules. The SMTP sender and its message are :mod:`frontdesk.wire.smtp`.

Addresses are checked with :func:`check_email` and :func:`check_phone` (an account's email and mobile, a
recipient's). The desk's first screen uses these (accounts, the notifications' rules) and never sends a
message itself (the sender starts later, on its own thread): the sending side is its own module, so the desk's
start does not build its classes (issue 13).

Like the rest of :mod:`frontdesk.wire` it depends on nothing of the desk but :mod:`frontdesk.errors`.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from frontdesk.errors import InputError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+[1-9]\d{7,14}$")


def check_email(text: str) -> str:
    """An email address, trimmed (InputError when it is not one)."""
    address = text.strip()
    if not _EMAIL.match(address):
        raise InputError(f"{text!r} is not an email address")
    return address


def is_email(text: str) -> bool:
    """True when ``text`` looks like an email address."""
    return bool(_EMAIL.match(text.strip()))


def check_phone(text: str) -> str:
    """A mobile number in international form, ``+15551234567`` (spaces, dots, dashes and brackets dropped)."""
    digits = re.sub(r"[\s().-]", "", text)
    if not _PHONE.match(digits):
        raise InputError(f"{text!r} is not a phone number in +15551234567 form")
    return digits


def desk_offline_words(desk: str, since: datetime, tz: tzinfo | None = None, link: str = "") -> tuple[str, str]:
    """``(subject, text)`` of the desk-offline notice, the same from a desk (its own dispatch link) and from
    the hub (its stations' last contact). ``tz``: the time zone the reader lives in (default: this
    machine's). ``link`` (a web address) ends the email on a line of its own."""
    local = since.astimezone(tz)
    text = (
        f"{desk} has not reached the district since {local:%H:%M} ({local:%m/%d}). "
        "Check its network and that FrontDesk is open."
    )
    if link:
        text += f"\n\nOpen on the district hub: {link}"
    return f"{desk} is offline", text


def parse_rules(value: object) -> list[dict]:
    """The district's notification rules (the ``notify.rules`` district setting) as a list of rule mappings.

    ``value`` is either a list of ``{"to", "events", "sms", "name", "locked"}`` mappings, or the same written
    as one line of text, which the hub's district settings can carry as a plain value::

        !security@district.example=panic,desk-offline; role:principal=match,daily-log; role:principal/sms=panic

    Rules are separated by ``;`` (or new lines); each is ``TARGET=EVENT[,EVENT...]``; ``!`` before the
    target locks the rule (a school may not override it); ``/sms`` after it sends texts. Events and targets
    are checked by the desk that applies them; this only reads the shape (InputError names the bad rule).
    """
    if isinstance(value, list):
        if not all(isinstance(rule, dict) for rule in value):
            raise InputError("District notification rules must each be an object with 'to' and 'events'")
        return list(value)
    if not isinstance(value, str):
        raise InputError("District notification rules are a list or a line of text (TARGET=EVENTS; ...)")
    rules = []
    for part in re.split(r"[;\n]", value):
        part = part.strip()
        if not part:
            continue
        target, sep, events = part.partition("=")
        if not sep or not target.strip():
            raise InputError(f"District notification rule {len(rules) + 1}: write TARGET=EVENTS, not {part!r}")
        target = target.strip()
        locked = target.startswith("!")
        target = target.lstrip("!").strip()
        sms = target.lower().endswith("/sms")
        if sms:
            target = target[: -len("/sms")].strip()
        rules.append(
            {
                "to": target,
                "events": [e.strip() for e in events.split(",") if e.strip()],
                "sms": sms,
                "locked": locked,
            }
        )
    return rules
