"""The console's compiled CAP validator (libxml2) accepts and rejects what the desk's (xmlschema) does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from district.console import capschema
from frontdesk.wire import cap
from frontdesk.wire.cap import ACTIONS, CapError, CapMessage, RosterEntry

SENT = datetime(2026, 11, 22, 9, 41, 7, tzinfo=UTC)


def _alert(**kw) -> CapMessage:
    base = dict(
        identifier="fd-0001",
        sender=cap.station_sender("st1"),
        sent=SENT,
        school="Maple Grove Elementary",
        room="Room 101",
        roster=(RosterEntry("Avery Testwood", "visitor", "Room 12", SENT),),
        incidents="inc-1",
    )
    base.update(kw)
    return CapMessage(**base)


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("status", cap.STATUSES)
def test_every_message_we_build_is_valid_for_both(action, status):
    xml = cap.build(_alert(action=action, status=status, location="the field", hazard="tornado"))
    capschema.check(xml)
    assert cap.parse(xml, schema_check=capschema.check) == cap.parse(xml)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"+00:00</sent>", b"Z</sent>"),
        (b"<status>Actual</status>", b"<status>Real</status>"),
        (b"<scope>Private</scope>", b""),
        (b"<urgency>Immediate</urgency>", b"<urgency>Soon</urgency>"),
        (b"<identifier>fd-0001</identifier>", b""),
        (b"</info>", b"<bogus>x</bogus></info>"),
    ],
)
def test_schema_violations_are_rejected_by_both_with_a_reason(old, new):
    bad = cap.build(_alert()).replace(old, new, 1)
    assert bad != cap.build(_alert())
    with pytest.raises(CapError, match="not valid CAP 1.2"):
        cap.parse(bad)
    with pytest.raises(CapError, match="not valid CAP 1.2") as exc:
        cap.parse(bad, schema_check=capschema.check)
    assert "urn:oasis" not in str(exc.value)  # the element named plainly


def test_cap_own_checks_run_before_the_compiled_one():
    for xml, reason in [
        (b"not xml", "well-formed"),
        (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "DOCTYPE"),
        (b"<alert/>", "CAP 1.2 alert"),
    ]:
        with pytest.raises(CapError, match=reason):
            cap.parse(xml, schema_check=capschema.check)


def test_fields_read_from_the_compiled_parse_are_the_ones_elementtree_reads():
    # The console reads the fields from libxml2's tree (parsed once); comments, processing instructions
    # and CDATA inside a value must not change what it reads.
    xml = cap.build(_alert(note="Intruder near the gym")).replace(
        b"<value>LOCKDOWN</value>", b"<value>LOCK<!-- x -->DOWN<?pi y?></value>", 1
    )
    xml = xml.replace(b"<identifier>fd-0001</identifier>", b"<identifier><![CDATA[fd-0001]]></identifier>", 1)
    capschema.check(xml)
    msg = cap.parse(xml, schema_check=capschema.check)
    assert msg == cap.parse(xml)
    assert (msg.action, msg.identifier) == ("LOCKDOWN", "fd-0001")


@pytest.mark.parametrize(
    ("depth", "reason"), [(20, "not valid CAP 1.2"), (300, "well-formed"), (30_000, "well-formed")]
)
def test_deep_nesting_is_rejected_without_recursion(depth, reason):
    head = cap.build(_alert()).split(b"</alert>")[0]
    deep = head + b"<a>" * depth + b"</a>" * depth + b"</alert>"
    with pytest.raises(CapError, match=reason):
        cap.parse(deep, schema_check=capschema.check)


def test_values_written_by_hand_are_read_as_our_own():
    # Another sender's CAP: blanks around values, an empty value, roster entries with more parts than four
    # or only a name, a parameter we do not know (kept). Both readers read the same.
    room = "<valueName>ROOM</valueName><value>Room 101</value>"
    added = (
        "<parameter><valueName>ONSITE</valueName><value> Sam Q | visitor | Gym | | more </value></parameter>"
        "<parameter><valueName>ONSITE</valueName><value>Lee R</value></parameter>"
        "<parameter><valueName> OTHER </valueName><value> x </value></parameter><area>"
    )
    xml = (
        cap.build(_alert())
        .decode()
        .replace("<value>LOCKDOWN</value>", "<value>\n  LOCKDOWN  </value>", 1)
        .replace(room, "<valueName>ROOM</valueName><value />", 1)
        .replace("<area>", added, 1)
        .encode()
    )
    assert xml.count(b"ONSITE</valueName>") == 3 and b"<value />" in xml
    for schema_check in (None, capschema.check):
        back = cap.parse(xml, schema_check=schema_check)
        assert (back.action, back.room, back.extra) == ("LOCKDOWN", "", (("OTHER", "x"),))
        assert back.roster[1:] == (RosterEntry("Sam Q", "visitor", "Gym"), RosterEntry("Lee R"))
