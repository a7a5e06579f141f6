"""CAP 1.2 messages: schema-valid for every action, status and type; round trip; bad CAP rejected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.errors import InputError
from frontdesk.wire import cap
from frontdesk.wire.cap import ACTIONS, CapError, CapMessage, RosterEntry

SENT = datetime(2026, 11, 22, 9, 41, 7, 123456, tzinfo=timezone(timedelta(hours=-5)))


def alert(**kw) -> CapMessage:
    base = dict(
        identifier="fd-0001",
        sender=cap.station_sender("st1"),
        sent=SENT,
        school="Maple Grove Elementary",
        address="100 Example Lane, Springfield",
        building="A",
        floor="1",
        room="Room 101, front office",
        station="Main office desk",
        staff="Pat Demo",
        phone="555-0100",
        roster=(
            RosterEntry("Avery Testwood", "visitor", "Ms. Alvarez (Room 12)", SENT.replace(microsecond=0)),
            RosterEntry("Jordan | Pipe", "contractor", "Gym", None),
        ),
        incidents="inc-1",
    )
    base.update(kw)
    return CapMessage(**base)


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("status", cap.STATUSES)
def test_every_action_and_status_is_schema_valid_and_round_trips(action, status):
    msg = alert(action=action, status=status, location="the football field", hazard="tornado")
    xml = cap.build(msg)
    cap.validate(xml)
    back = cap.parse(xml)
    assert back.action == action and back.status == status
    assert back.school == msg.school and back.room == msg.room and back.floor == "1"
    assert back.building == "A" and back.staff == "Pat Demo" and back.station == "Main office desk"
    assert back.sent == SENT.replace(microsecond=0)
    assert back.roster[0] == msg.roster[0]
    assert back.roster[1].name == "Jordan / Pipe" and back.roster[1].time_in is None
    assert back.incidents == "inc-1"
    assert back.directive == msg.directive


@pytest.mark.parametrize("msg_type", ["Update", "Cancel", "Ack", "Error"])
def test_every_message_type_is_schema_valid(msg_type):
    first = alert()
    if msg_type == "Ack":
        msg = cap.ack_for(first, "Dana Dispatch")
    elif msg_type == "Error":
        msg = cap.error_for(first, "sender does not match credential")
    else:
        msg = alert(identifier="fd-0002", msg_type=msg_type, references=(cap.reference_of(first),))
    back = cap.parse(cap.build(msg))
    assert back.msg_type == msg_type
    assert back.references == (cap.reference_of(first),)


def test_the_xml_says_what_dispatch_needs():
    xml = cap.build(alert(action="EVACUATE", location="the football field", status="Exercise")).decode()
    assert "<sent>2026-11-22T09:41:07-05:00</sent>" in xml
    assert "<scope>Private</scope>" in xml and "<addresses>dispatch</addresses>" in xml
    assert "Evacuate to the football field." in xml
    assert "DRILL" in xml
    assert (
        "<areaDesc>Maple Grove Elementary, Building A, Floor 1, Room 101, front office (Main office desk)" in xml
    )


def test_directives_are_the_srp_words():
    assert ACTIONS["LOCKDOWN"].directive_for() == "Locks, lights, out of sight."
    assert ACTIONS["HOLD"].directive_for() == "In your room or area. Clear the halls."
    assert ACTIONS["SECURE"].directive_for() == "Get inside. Lock outside doors."
    assert ACTIONS["SHELTER"].directive_for(hazard="tornado: go to shelter areas") == (
        "Shelter for tornado: go to shelter areas."
    )
    assert not ACTIONS["STAFF_ASSIST"].police


def test_ack_names_the_dispatcher_and_goes_back_to_the_station():
    first = alert(status="Exercise")
    ack = cap.parse(cap.build(cap.ack_for(first, "Dana Dispatch")))
    assert ack.dispatcher == "Dana Dispatch" and ack.addresses == first.sender and ack.status == "Exercise"


def test_format_sent():
    assert cap.format_sent(datetime(2026, 1, 2, 3, 4, 5, 999, tzinfo=UTC)) == "2026-01-02T03:04:05+00:00"
    with pytest.raises(CapError):
        cap.format_sent(datetime(2026, 1, 2))


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (b"not xml", "well-formed"),
        (b"<alert/>", "CAP 1.2 alert"),
        (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a/>', "DOCTYPE"),
        ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a><a/>'.encode("utf-16"), "UTF-8"),
    ],
)
def test_garbage_is_rejected_with_a_reason(xml, reason):
    with pytest.raises(CapError, match=reason):
        cap.parse(xml)


def test_schema_violations_are_rejected_with_a_reason():
    good = cap.build(alert()).decode()
    for bad, reason in [
        (good.replace("-05:00</sent>", "Z</sent>", 1), "sent"),
        (good.replace("<status>Actual</status>", "<status>Real</status>"), "status"),
        (good.replace("<scope>Private</scope>", ""), "scope"),
    ]:
        with pytest.raises(CapError, match="not valid CAP") as exc:
            cap.parse(bad.encode())
        assert reason in str(exc.value) or "Reason" not in str(exc.value)
    assert issubclass(CapError, InputError)


def test_semantic_checks():
    good = cap.build(alert()).decode()
    with pytest.raises(CapError, match="SRP_ACTION"):
        cap.parse(good.replace("<valueName>SRP_ACTION</valueName>", "<valueName>X</valueName>").encode())
    with pytest.raises(CapError, match="unknown action"):
        cap.parse(good.replace("<value>LOCKDOWN</value>", "<value>PARTY</value>").encode())
    with pytest.raises(CapError, match="reference"):
        cap.build(alert(msg_type="Cancel"))
    with pytest.raises(CapError, match="status"):
        cap.build(alert(status="Draft"))
    with pytest.raises(CapError, match="drill"):
        cap.parse(good.replace("<status>Actual</status>", "<status>Exercise</status>").encode())


def _as_received(text: str) -> str:
    # What any XML reader sees: no characters XML cannot carry, line ends normalised, no outer blanks.
    return cap.xml_text(text).replace("\r\n", "\n").replace("\r", "\n").strip()


@settings(max_examples=60, deadline=None)
@given(
    school=st.text(max_size=40),
    room=st.text(max_size=40),
    staff=st.text(max_size=40),
    note=st.text(max_size=200),
    visitor=st.text(max_size=40),
)
def test_any_text_builds_valid_cap_and_round_trips(school, room, staff, note, visitor):
    """A press must never fail to build, whatever a name or a note holds (control codes, emoji, '<&')."""
    msg = alert(school=school, room=room, staff=staff, note=note, roster=(RosterEntry(visitor, "visitor"),))
    back = cap.parse(cap.build(msg))
    assert back.school == _as_received(school)
    assert back.room == _as_received(room)
    assert back.staff == _as_received(staff)
    assert back.note == _as_received(note)
    assert back.roster[0].name == _as_received(visitor).replace("|", "/").strip()
