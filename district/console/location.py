"""Where a station is: recorded at enrolment, and the only location the console shows or forwards.

A station's CAP says where it is (school, address, building, floor, room, phone), but a credential is
only proof of *which* station sent it, not of where that is: a station could claim another school. So the
console compares what the message claims with what was enrolled (:func:`differences`), shows and forwards
the enrolled location, and keeps the claim beside it, flagged, for the dispatcher to see.

The civic address uses the NENA CLDXF field names (NENA-STA-004), which are also the element names of a
PIDF-LO civic address (RFC 4119, RFC 5139): ``country``, ``A1`` (state), ``A3`` (city), ``HNO`` (house
number), ``RD`` (street), ``PC`` (postal code), ``BLD`` (building), ``FLR`` (floor), ``ROOM``, ``NAM`` (the
name of the place: the school).
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass

# CAP parameter names the console writes into a forwarded message (docs/dispatch-protocol.md).
CIVIC_PARAMETERS = (
    ("CIVIC_COUNTRY", "country"),
    ("CIVIC_A1", "state"),
    ("CIVIC_A3", "city"),
    ("CIVIC_HNO", "house_number"),
    ("CIVIC_RD", "street"),
    ("CIVIC_PC", "postal_code"),
    ("CIVIC_BLD", "building"),
    ("CIVIC_FLR", "floor"),
    ("CIVIC_ROOM", "room"),
    ("CIVIC_NAM", "school"),
)
# The fields of a station's CAP compared with its enrolment, with the words the screen uses.
COMPARED = (
    ("school", "School"),
    ("address", "Address"),
    ("building", "Building"),
    ("floor", "Floor"),
    ("room", "Room"),
    ("phone", "Phone"),
)


@dataclass(frozen=True)
class Location:
    """A station's enrolled location: the school, the place inside it, its civic address and phone."""

    school: str
    building: str = ""
    floor: str = ""
    room: str = ""
    house_number: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = "US"
    phone: str = ""

    @property
    def address(self) -> str:
        """The civic address on one line: ``12 Elm Street, Springfield, IL 62701``."""
        street = " ".join(p for p in (self.house_number, self.street) if p)
        region = " ".join(p for p in (self.state, self.postal_code) if p)
        return ", ".join(p for p in (street, self.city, region) if p)

    def as_dict(self) -> dict[str, str]:
        """The fields, plus the one-line ``address`` (what the board shows)."""
        # Shallow (every field is a str): asdict deep-copies each value, ~10 us an alert for nothing.
        return {**{f.name: getattr(self, f.name) for f in dataclasses.fields(self)}, "address": self.address}

    def civic(self) -> list[tuple[str, str]]:
        """The CLDXF fields that have a value, as ``(CLDXF name, value)``."""
        fields = asdict(self)
        out = []
        for name, attr in CIVIC_PARAMETERS:
            if fields[attr]:
                short = name.removeprefix("CIVIC_")
                out.append(("country" if short == "COUNTRY" else short, fields[attr]))
        return out

    def parameters(self) -> list[tuple[str, str]]:
        """The civic address as CAP ``parameter``\\s (``CIVIC_HNO`` …), for a forwarded message."""
        fields = asdict(self)
        return [(name, fields[attr]) for name, attr in CIVIC_PARAMETERS if fields[attr]]


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def differences(enrolled: Location, claimed: dict[str, str]) -> dict[str, str]:
    """The fields where a message's claim disagrees with the enrolment: ``{field: claimed value}``.

    A field the message leaves empty is no claim; case, spacing and punctuation do not count.
    """
    truth = enrolled.as_dict()
    out = {}
    for field, _ in COMPARED:
        said = (claimed.get(field) or "").strip()
        if said and _norm(said) != _norm(truth.get(field, "")):
            out[field] = said
    return out


PIDF_NS = "urn:ietf:params:xml:ns:pidf"
GP_NS = "urn:ietf:params:xml:ns:pidf:geopriv10"
CA_NS = "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"


def pidf_lo(location: Location, entity: str, timestamp: str) -> bytes:
    """A PIDF-LO document (RFC 4119, civic address per RFC 5139) with the enrolled location."""
    ET.register_namespace("", PIDF_NS)
    ET.register_namespace("gp", GP_NS)
    ET.register_namespace("ca", CA_NS)
    presence = ET.Element(f"{{{PIDF_NS}}}presence", {"entity": entity})
    tuple_ = ET.SubElement(presence, f"{{{PIDF_NS}}}tuple", {"id": "school"})
    status = ET.SubElement(tuple_, f"{{{PIDF_NS}}}status")
    geopriv = ET.SubElement(status, f"{{{GP_NS}}}geopriv")
    info = ET.SubElement(geopriv, f"{{{GP_NS}}}location-info")
    civic = ET.SubElement(info, f"{{{CA_NS}}}civicAddress")
    for name, value in location.civic():
        ET.SubElement(civic, f"{{{CA_NS}}}{name}").text = value
    rules = ET.SubElement(geopriv, f"{{{GP_NS}}}usage-rules")
    ET.SubElement(rules, f"{{{GP_NS}}}retransmission-allowed").text = "yes"
    ET.SubElement(geopriv, f"{{{GP_NS}}}method").text = "Manual"
    ET.SubElement(tuple_, f"{{{PIDF_NS}}}timestamp").text = timestamp
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(presence, encoding="utf-8")
