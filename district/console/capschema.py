"""CAP 1.2 schema validation for the console, compiled: libxml2's XSD validator (through lxml).

The desk validates with xmlschema (pure Python, ~1.3 ms for an alert with an 8-person roster on this
machine, several ms on a loaded one); at a burst of thousands of alerts that was the console's ceiling.
libxml2 validates the same message against the same OASIS schema in ~0.05 ms. The schema is compiled once
per thread (under a millisecond) and kept: lxml's parsers and validators are not to be shared between
threads (each keeps its own error log), and per thread none is ever waited for.

:func:`check` is what :func:`frontdesk.wire.cap.parse` calls as its ``schema_check``: the message has
already passed cap's own checks of the bytes (size, UTF-8, no DOCTYPE or entities); this parses it (once:
cap reads the fields from the element returned), checks it is a CAP ``alert`` and that the schema accepts
it. The parser is hardened all the same: no entities resolved, no DTD loaded, no network, comments and
processing instructions dropped (as ElementTree does, so an element's text reads the same), and
libxml2's default limits: nesting deeper than 256 elements is not well-formed (the schema rejects
anything deeper than CAP's five levels anyway; libxml2 parses and validates without recursing in Python,
so the console needs no depth check of its own ahead of it).
"""

from __future__ import annotations

import threading

from lxml import etree

from frontdesk.wire.cap import CAP_NS, SCHEMA_PATH, CapError, check_root

_local = threading.local()


def _compiled() -> tuple[etree.XMLParser, etree.XMLSchema]:
    held = getattr(_local, "compiled", None)
    if held is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser))
        held = _local.compiled = (parser, schema)
    return held


def load() -> None:
    """Compile the schema on this thread now (and fail loudly at start if it cannot be)."""
    _compiled()


def check(xml: bytes) -> etree._Element:
    """The root element of ``xml`` once libxml2 parsed it and CAP 1.2's schema accepted it; CapError (with
    the reason and where) if it is not well-formed, not a CAP ``alert`` or not valid."""
    parser, schema = _compiled()
    try:
        document = etree.fromstring(bytes(xml), parser)
    except etree.XMLSyntaxError as exc:
        raise CapError(f"not well-formed XML: {exc}") from None
    check_root(document)
    if schema.validate(document):
        return document
    error = next(iter(schema.error_log), None)  # the first: the one the others follow from
    # libxml2 names the element in its message ("Element 'sent': [facet 'pattern'] The value ...").
    reason = error.message.replace(f"{{{CAP_NS}}}", "") if error is not None else "rejected by the schema"
    raise CapError(f"not valid CAP 1.2: {reason}")
