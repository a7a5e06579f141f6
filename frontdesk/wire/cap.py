"""CAP 1.2 (OASIS Common Alerting Protocol) messages for school panic alerts: build, parse, validate.

Pure: no Qt, no network. Both ends use it: the station builds an alert per press, the console parses and
validates what arrives and answers with an ``Ack``. Every message carries one ``info`` (the SRP action, its
directive, the school, building, floor, room, station, staff and the on-site roster as ``parameter``\\s) and
one ``area`` whose ``areaDesc`` names the place in words. Drills are ``status`` Exercise and are marked
"DRILL" in the headline and ``note``; daily path checks are ``status`` Test.

The schema is the OASIS XSD shipped with this package; ``sent`` is written as ``YYYY-MM-DDThh:mm:ss±hh:mm``
because the schema rejects both ``Z`` and fractional seconds.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from frontdesk.errors import InputError

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SCHEMA_PATH = Path(__file__).with_name("CAP-v1.2-schema.xsd")
MAX_BYTES = 512 * 1024  # a roster of a few hundred people fits many times over; anything bigger is not ours

STATUSES = ("Actual", "Exercise", "Test")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")

# The parameter names (info/parameter/valueName) this module writes and reads.
P_ACTION = "SRP_ACTION"
P_DIRECTIVE = "DIRECTIVE"
P_SCHOOL = "SCHOOL"
P_ADDRESS = "SCHOOL_ADDRESS"
P_PHONE = "SCHOOL_PHONE"
P_BUILDING = "BUILDING"
P_FLOOR = "FLOOR"
P_ROOM = "ROOM"
P_STATION = "STATION"
P_STAFF = "STAFF"
P_LOCATION = "LOCATION"
P_HAZARD = "HAZARD"
P_NOTE = "NOTE"
P_DISPATCHER = "DISPATCHER"
P_DRILL = "DRILL"
P_ONSITE_COUNT = "ONSITE_COUNT"
P_ONSITE = "ONSITE"
ROSTER_SEP = " | "


class CapError(InputError):
    """A CAP message is malformed, invalid against the schema, or not one this system accepts."""

    code = "bad_cap"


@dataclass(frozen=True)
class Action:
    """One kind of alert a station can send, with its words and its CAP classification."""

    name: str
    label: str
    directive: str  # shown verbatim; "{location}" / "{hazard}" are filled in for EVACUATE / SHELTER
    category: str
    event: str
    urgency: str
    severity: str
    certainty: str
    response_type: str | None
    needs: str | None = None  # "location" (EVACUATE) or "hazard" (SHELTER)
    police: bool = True  # forwarded onward to law enforcement when real (Alyssa's Law); staff assist is not

    def directive_for(self, location: str = "", hazard: str = "") -> str:
        """The directive with the named location or hazard, or a plain one when it is not known yet."""
        if self.needs == "location":
            return f"Evacuate to {location.strip()}." if location.strip() else "Evacuate. Location to follow."
        if self.needs == "hazard":
            return f"Shelter for {hazard.strip()}." if hazard.strip() else "Shelter. Hazard to follow."
        return self.directive


def _action(name, label, directive, category, severity, response_type, needs=None, police=True) -> Action:
    return Action(
        name=name,
        label=label,
        directive=directive,
        category=category,
        event=f"School {label.lower()}",
        urgency="Immediate",
        severity=severity,
        certainty="Observed",
        response_type=response_type,
        needs=needs,
        police=police,
    )


# The Standard Response Protocol actions (directives verbatim from the SRP) and the non-SRP types.
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        _action("HOLD", "Hold", "In your room or area. Clear the halls.", "Safety", "Moderate", "Shelter"),
        _action("SECURE", "Secure", "Get inside. Lock outside doors.", "Security", "Severe", "Shelter"),
        _action("LOCKDOWN", "Lockdown", "Locks, lights, out of sight.", "Security", "Extreme", "Shelter"),
        _action("EVACUATE", "Evacuate", "Evacuate to {location}.", "Safety", "Severe", "Evacuate", "location"),
        _action("SHELTER", "Shelter", "Shelter for {hazard}.", "Safety", "Severe", "Shelter", "hazard"),
        _action("MEDICAL", "Medical", "Medical emergency. Send help and call 911.", "Health", "Severe", "Assess"),
        _action("FIRE", "Fire", "Fire. Pull the alarm and evacuate.", "Fire", "Extreme", "Evacuate"),
        _action(
            "STAFF_ASSIST",
            "Staff assist",
            "Staff assistance needed.",
            "Safety",
            "Minor",
            "Assess",
            police=False,
        ),
    )
}
DEFAULT_ACTION = "LOCKDOWN"


@dataclass(frozen=True)
class RosterEntry:
    """One person on site when the alert was sent (a visitor checked in now)."""

    name: str
    category: str = ""
    destination: str = ""
    time_in: datetime | None = None


@dataclass(frozen=True)
class CapMessage:
    """One CAP message as this system uses it (an alert, update, all clear, acknowledgement or error).

    ``note`` is the free text of the sender (what is happening; the reason of an Error). ``references`` are
    CAP ``sender,identifier,sent`` strings (see :func:`reference_of`); ``incidents`` groups the messages of
    one incident. ``addresses`` is who the Private-scope message is for.
    """

    identifier: str
    sender: str
    sent: datetime
    status: str = "Actual"
    msg_type: str = "Alert"
    action: str = DEFAULT_ACTION
    school: str = ""
    address: str = ""
    building: str = ""
    floor: str = ""
    room: str = ""
    station: str = ""
    staff: str = ""
    note: str = ""
    location: str = ""
    hazard: str = ""
    roster: tuple[RosterEntry, ...] = ()
    references: tuple[str, ...] = ()
    incidents: str | None = None
    dispatcher: str = ""
    phone: str = ""
    addresses: str = "dispatch"
    extra: tuple[tuple[str, str], ...] = field(default=())  # other parameters, kept as they came

    @property
    def directive(self) -> str:
        """The SRP directive for this message's action, with its location or hazard."""
        return ACTIONS[self.action].directive_for(self.location, self.hazard)

    @property
    def is_drill(self) -> bool:
        """True for an Exercise (drill) or a Test: never forwarded, shown as DRILL / TEST."""
        return self.status != "Actual"

    @property
    def place(self) -> str:
        """The place in words: school, building, floor, room, station (the ``areaDesc``)."""
        parts = [self.school or "Unknown school"]
        if self.building:
            parts.append(f"Building {self.building}" if len(self.building) <= 3 else self.building)
        if self.floor:
            parts.append(f"Floor {self.floor}" if len(self.floor) <= 3 else self.floor)
        if self.room:
            parts.append(self.room)
        text = ", ".join(parts)
        return f"{text} ({self.station})" if self.station else text

    @property
    def headline(self) -> str:
        """A one-line headline: ACTION at place, prefixed DRILL / TEST, ALL CLEAR for a Cancel."""
        label = ACTIONS[self.action].name.replace("_", " ")
        prefix = {"Exercise": "DRILL: ", "Test": "TEST: "}.get(self.status, "")
        what = {
            "Cancel": f"ALL CLEAR ({label})",
            "Update": f"{label} update",
            "Ack": f"{label} acknowledged by {self.dispatcher or 'dispatch'}",
            "Error": f"{label} rejected",
        }.get(self.msg_type, label)
        return f"{prefix}{what} at {self.school or 'school'}" + (f", {self.room}" if self.room else "")


def station_sender(station_id: str) -> str:
    """The CAP ``sender`` a station must use: the console checks it against the station's credential."""
    return f"frontdesk:station:{station_id}"


def console_sender(name: str = "district") -> str:
    """The CAP ``sender`` of messages the console writes (acknowledgements)."""
    return f"frontdesk:dispatch:{name}"


def new_identifier(prefix: str = "fd") -> str:
    """A new unique CAP identifier (one per press: the idempotency key, reused on every retry).

    128 random bits from the OS, in hex: what ``uuid.uuid4().hex`` gave (32 hex digits; it fixes 6 of the bits),
    without importing ``uuid``, which on Linux imports ``platform`` and its regular expressions on the way to the
    desk's first screen (~8 M instructions)."""
    return f"{prefix}-{os.urandom(16).hex()}"


def format_sent(moment: datetime) -> str:
    """A CAP time: ``YYYY-MM-DDThh:mm:ss±hh:mm`` (never ``Z``, never fractional seconds)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CapError("a CAP time must carry its time zone")
    offset = moment.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hh, mm = divmod(abs(minutes), 60)
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}{sign}{hh:02d}:{mm:02d}"


def parse_sent(text: str) -> datetime:
    """The inverse of :func:`format_sent` (an aware datetime)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CapError(f"sent is not a CAP time: {text!r}") from None
    if moment.tzinfo is None:
        raise CapError(f"sent has no time zone: {text!r}")
    return moment


def reference_of(msg: CapMessage) -> str:
    """The CAP reference to ``msg``: ``sender,identifier,sent``."""
    return f"{msg.sender},{msg.identifier},{format_sent(msg.sent)}"


def split_reference(reference: str) -> tuple[str, str, str]:
    """``(sender, identifier, sent)`` of one CAP reference, or CapError."""
    parts = reference.split(",")
    if len(parts) != 3 or not all(parts):
        raise CapError(f"a reference must be sender,identifier,sent: {reference!r}")
    return parts[0], parts[1], parts[2]


def ack_for(
    alert: CapMessage,
    dispatcher: str,
    *,
    sender: str | None = None,
    sent: datetime | None = None,
    identifier: str | None = None,
    note: str = "",
) -> CapMessage:
    """The CAP ``Ack`` a dispatcher sends for ``alert``: references it, addressed to its sender."""
    if not dispatcher.strip():
        raise CapError("an acknowledgement needs the dispatcher's name")
    return _reply(alert, "Ack", sender, sent, identifier, note or f"Acknowledged by {dispatcher}", dispatcher)


def error_for(
    alert: CapMessage, reason: str, *, sender: str | None = None, sent: datetime | None = None
) -> CapMessage:
    """The CAP ``Error`` answering ``alert`` with the reason it was rejected."""
    return _reply(alert, "Error", sender, sent, None, reason, "")


def _reply(alert, msg_type, sender, sent, identifier, note, dispatcher) -> CapMessage:
    return CapMessage(
        identifier=identifier or new_identifier("fdack" if msg_type == "Ack" else "fderr"),
        sender=sender or console_sender(),
        sent=sent or datetime.now(UTC),
        status=alert.status,
        msg_type=msg_type,
        action=alert.action,
        school=alert.school,
        address=alert.address,
        building=alert.building,
        floor=alert.floor,
        room=alert.room,
        station=alert.station,
        staff=alert.staff,
        note=note,
        location=alert.location,
        hazard=alert.hazard,
        references=(reference_of(alert),),
        incidents=alert.incidents,
        dispatcher=dispatcher,
        addresses=alert.sender,
    )


# --- build --------------------------------------------------------------------------------------------


# Characters XML 1.0 cannot carry (control codes a scanner or a paste can leave in a name): dropped, so
# that a press never fails to build. Compiled at the first press (4 ms: not on the desk's way to its window).
@cache
def _not_xml() -> re.Pattern[str]:
    return re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _not_xml().sub("", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        el.text = xml_text(text)
    return el


def _roster_value(entry: RosterEntry) -> str:
    def clean(text: str) -> str:
        return text.replace("|", "/").strip()

    when = format_sent(entry.time_in) if entry.time_in else ""
    return ROSTER_SEP.join([clean(entry.name), clean(entry.category), clean(entry.destination), when])


def _alert_note(msg: CapMessage) -> str:
    if msg.status == "Exercise":
        head = f"DRILL (exercise {msg.incidents or msg.identifier}): not a real emergency."
    elif msg.status == "Test":
        head = "TEST of the panic alert path: disregard."
    else:
        head = ""
    return " ".join(p for p in (head, msg.note.strip()) if p)


def check_fields(msg: CapMessage) -> None:
    """Raise CapError if ``msg`` cannot be a message of this system (unknown action, status, type...)."""
    if msg.status not in STATUSES:
        raise CapError(f"status must be one of {', '.join(STATUSES)}, not {msg.status!r}")
    if msg.msg_type not in MSG_TYPES:
        raise CapError(f"msgType must be one of {', '.join(MSG_TYPES)}, not {msg.msg_type!r}")
    if msg.action not in ACTIONS:
        raise CapError(f"unknown action {msg.action!r}; known: {', '.join(ACTIONS)}")
    for name, value in (("identifier", msg.identifier), ("sender", msg.sender)):
        if not value or any(c in value for c in " ,<&\t\n\r"):
            raise CapError(f"{name} must be non-empty, without spaces, commas, '<' or '&': {value!r}")
    if msg.msg_type in ("Update", "Cancel", "Ack", "Error") and not msg.references:
        raise CapError(f"a {msg.msg_type} must reference the message it answers or supersedes")
    for ref in msg.references:
        split_reference(ref)
    if msg.msg_type == "Ack" and not msg.dispatcher.strip():
        raise CapError("an Ack must name the dispatcher")


def build(msg: CapMessage) -> bytes:
    """The message as UTF-8 CAP 1.2 XML (valid against the OASIS schema)."""
    check_fields(msg)
    action = ACTIONS[msg.action]
    ET.register_namespace("", CAP_NS)
    root = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(root, "identifier", msg.identifier)
    _sub(root, "sender", msg.sender)
    _sub(root, "sent", format_sent(msg.sent))
    _sub(root, "status", msg.status)
    _sub(root, "msgType", msg.msg_type)
    _sub(root, "source", "FrontDesk")
    _sub(root, "scope", "Private")
    _sub(root, "addresses", msg.addresses or "dispatch")
    note = _alert_note(msg)
    if note:
        _sub(root, "note", note)
    if msg.references:
        _sub(root, "references", " ".join(msg.references))
    if msg.incidents:
        _sub(root, "incidents", msg.incidents)

    info = _sub(root, "info")
    _sub(info, "language", "en-US")
    _sub(info, "category", action.category)
    _sub(info, "event", action.event)
    if msg.msg_type == "Cancel":
        _sub(info, "responseType", "AllClear")
    elif action.response_type:
        _sub(info, "responseType", action.response_type)
    _sub(info, "urgency", "Past" if msg.msg_type == "Cancel" else action.urgency)
    _sub(info, "severity", action.severity)
    _sub(info, "certainty", action.certainty)
    _sub(info, "senderName", msg.station or msg.sender)
    _sub(info, "headline", msg.headline)
    if msg.note.strip():
        _sub(info, "description", msg.note.strip())
    _sub(info, "instruction", msg.directive)
    if msg.phone:
        _sub(info, "contact", msg.phone)
    params: list[tuple[str, str]] = [
        (P_ACTION, action.name),
        (P_DIRECTIVE, msg.directive),
        (P_SCHOOL, msg.school),
        (P_ADDRESS, msg.address),
        (P_PHONE, msg.phone),
        (P_BUILDING, msg.building),
        (P_FLOOR, msg.floor),
        (P_ROOM, msg.room),
        (P_STATION, msg.station),
        (P_STAFF, msg.staff),
        (P_LOCATION, msg.location),
        (P_HAZARD, msg.hazard),
        (P_NOTE, msg.note),
        (P_DISPATCHER, msg.dispatcher),
    ]
    if msg.status == "Exercise":
        params.append((P_DRILL, "yes"))
    if msg.msg_type in ("Alert", "Update"):
        params.append((P_ONSITE_COUNT, str(len(msg.roster))))
        params.extend((P_ONSITE, _roster_value(e)) for e in msg.roster)
    params.extend(msg.extra)
    for name, value in params:
        if value:
            param = _sub(info, "parameter")
            _sub(param, "valueName", name)
            _sub(param, "value", value)
    area = _sub(info, "area")
    _sub(area, "areaDesc", msg.place)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


# --- validate and parse ---------------------------------------------------------------------------------


@cache
def _schema():
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA_PATH))


def load_schema() -> None:
    """Load the XSD now (up to a second), so that the first alert is not the one that waits for it."""
    _schema()


# Parses XML bytes and checks them against the CAP 1.2 schema, raising CapError with the reason, and returns
# the root element it parsed (ElementTree's API: ``tag``, ``find``, ``findall``, ``text``), which the fields
# are then read from: the message is parsed once. The district console passes a compiled one (libxml2,
# through lxml); without one, this module's own parser (ElementTree) and validator (xmlschema) are used.
# A checker gets the bytes only after this module's own checks of them (size, UTF-8, no DOCTYPE or
# entities); it must check the root element with :func:`check_root` before validating, drop comments and
# processing instructions (their text would otherwise split an element's ``text``), resolve no entities
# and bound the depth it parses to.
SchemaCheck = Callable[[bytes], Any]


def validate(xml: bytes, *, schema_check: SchemaCheck | None = None) -> None:
    """Raise CapError (with the schema's reason) unless ``xml`` is valid CAP 1.2."""
    _valid_root(xml, schema_check)


def check_root(root: Any) -> None:
    """Raise CapError unless ``root`` (a parsed document's root element) is a CAP 1.2 ``alert``."""
    if root.tag != f"{{{CAP_NS}}}alert":
        raise CapError(f"the root element must be a CAP 1.2 alert, not {root.tag!r}")


def _valid_root(xml: bytes, schema_check: SchemaCheck | None = None) -> Any:
    if not isinstance(xml, bytes | bytearray):
        raise CapError("a CAP message must be bytes")
    if len(xml) > MAX_BYTES:
        raise CapError(f"CAP message too large ({len(xml)} bytes; at most {MAX_BYTES})")
    try:
        bytes(xml).decode("utf-8")  # also keeps a UTF-16 DOCTYPE from slipping past the check below
    except UnicodeDecodeError:
        raise CapError("a CAP message must be UTF-8") from None
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise CapError("CAP messages may not carry a DOCTYPE or entities")
    if schema_check is not None:
        return schema_check(bytes(xml))  # parsed once, by the checker, and read from what it parsed
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise CapError(f"not well-formed XML: {exc}") from None
    check_root(root)
    for exc in _schema().iter_errors(root):
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        path = (getattr(exc, "path", None) or "").replace(f"{{{CAP_NS}}}", "")
        raise CapError(f"not valid CAP 1.2: {reason}" + (f" (at {path})" if path else ""))
    return root


_NS = f"{{{CAP_NS}}}"
# The alert's own fields that parse() reads, by their full tag (namespace included): one dict look-up a child.
_FIELDS = {
    f"{_NS}{name}": name
    for name in ("identifier", "sender", "sent", "status", "msgType", "addresses", "references", "incidents")
}
_INFO, _PARAMETER = f"{_NS}info", f"{_NS}parameter"
_ROSTER_SPLIT = ROSTER_SEP.strip()
_KNOWN = frozenset(
    {
        P_ACTION,
        P_DIRECTIVE,
        P_SCHOOL,
        P_ADDRESS,
        P_PHONE,
        P_BUILDING,
        P_FLOOR,
        P_ROOM,
        P_STATION,
        P_STAFF,
        P_LOCATION,
        P_HAZARD,
        P_NOTE,
        P_DISPATCHER,
        P_DRILL,
        P_ONSITE_COUNT,
    }
)


def _texts(el: Any) -> dict[str, str]:
    """The stripped text of ``el``'s CAP child elements by local name (the first of each, as ``find`` gives):
    one pass over the children, where a ``find`` per field costs ~10 us each in lxml."""
    texts: dict[str, str] = {}
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and tag.startswith(_NS) and tag[len(_NS) :] not in texts:
            texts[tag[len(_NS) :]] = (child.text or "").strip()
    return texts


def _fields(root: Any) -> tuple[dict[str, str], Any]:
    """The stripped text of the alert's fields in :data:`_FIELDS` (the first of each) and its first ``info``
    (None if it has none), in one pass over the root's children."""
    fields: dict[str, str] = {}
    info = None
    for child in root:
        tag = child.tag
        name = _FIELDS.get(tag) if isinstance(tag, str) else None
        if name is not None:
            if name not in fields:
                fields[name] = (child.text or "").strip()
        elif tag == _INFO and info is None:
            info = child
    return fields, info


def _parameter(param: Any) -> tuple[str, str]:
    """A ``parameter``'s stripped ``valueName`` and ``value`` (the first of each)."""
    if len(param) == 2:  # the schema makes a parameter exactly these two, in this order
        name, value = param
        return (name.text or "").strip(), (value.text or "").strip()
    texts = _texts(param)
    return texts.get("valueName", ""), texts.get("value", "")


def _roster_entry(value: str) -> RosterEntry:
    # The first four parts (name, category, destination, time in), stripped; any more are ignored.
    parts = value.split(_ROSTER_SPLIT, 4) + ["", "", ""]
    when = parts[3].strip()
    return RosterEntry(parts[0].strip(), parts[1].strip(), parts[2].strip(), parse_sent(when) if when else None)


def parse(xml: bytes, *, schema_check: SchemaCheck | None = None) -> CapMessage:
    """A CAP message of this system from its XML: validated against the schema (by ``schema_check`` when
    given, from the element it parsed), then checked. The fields are always read by this module's code."""
    root = _valid_root(xml, schema_check)
    fields, info = _fields(root)
    params: dict[str, str] = {}
    roster: list[RosterEntry] = []
    extra: list[tuple[str, str]] = []
    if info is not None:
        for param in info:
            if param.tag != _PARAMETER:
                continue
            name, value = _parameter(param)
            if name == P_ONSITE:
                roster.append(_roster_entry(value))
            elif name in _KNOWN:
                params[name] = value
            else:
                extra.append((name, value))
    if info is None or not params.get(P_ACTION):
        raise CapError(f"the message carries no {P_ACTION} parameter (info/parameter)")
    refs = fields.get("references", "")
    msg = CapMessage(
        identifier=fields.get("identifier", ""),
        sender=fields.get("sender", ""),
        sent=parse_sent(fields.get("sent", "")),
        status=fields.get("status", ""),
        msg_type=fields.get("msgType", ""),
        action=params.get(P_ACTION, ""),
        school=params.get(P_SCHOOL, ""),
        address=params.get(P_ADDRESS, ""),
        building=params.get(P_BUILDING, ""),
        floor=params.get(P_FLOOR, ""),
        room=params.get(P_ROOM, ""),
        station=params.get(P_STATION, ""),
        staff=params.get(P_STAFF, ""),
        note=params.get(P_NOTE, ""),
        location=params.get(P_LOCATION, ""),
        hazard=params.get(P_HAZARD, ""),
        roster=tuple(roster),
        references=tuple(refs.split()) if refs else (),
        incidents=fields.get("incidents", "") or None,
        dispatcher=params.get(P_DISPATCHER, ""),
        phone=params.get(P_PHONE, ""),
        addresses=fields.get("addresses", ""),
        extra=tuple(extra),
    )
    check_fields(msg)
    if (msg.status == "Exercise") != (params.get(P_DRILL) == "yes"):
        raise CapError("a drill must be status Exercise with the DRILL parameter, and only a drill")
    return msg
