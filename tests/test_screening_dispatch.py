"""A confirmed barred match at a station reaches the REAL district console on loopback as a Staff assist.

The console runs with forwarding on (Alyssa's Law) to a recording receiver, to show the rule holds for
this alert too: Staff assist is never forwarded, while a real LOCKDOWN through the same link is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from district.console.server import running
from district.console.service import ConsoleService
from frontdesk.models import Visitor
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry, Query
from frontdesk.wire import cap
from tests.dispatch_station_support import (
    free_port,
    link_running,
    set_up_station,
)


def wait_for(predicate: Callable[[], object], timeout: float = 8.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Receiver(ThreadingHTTPServer):
    """Stands in for the 911 centre's CAP intake: records the body of every POST."""

    def __init__(self):
        self.bodies: list[bytes] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                outer.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/cap"


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def district(tmp_path, receiver) -> Iterator[tuple[ConsoleService, str, str]]:
    """The real console (SQLite), forwarding real police alerts to ``receiver``, serving on loopback."""
    service = ConsoleService.open(f"sqlite:///{tmp_path / 'console.db'}", forward_url=receiver.url)
    try:
        credential = service.auth.enroll("Maple Grove Elementary", "Main office desk", "Room 101").credential
        with running(service, port=free_port(), forward_interval=0.1) as url:
            yield service, url, credential
    finally:
        service.close()


def test_a_confirmed_barred_match_is_a_staff_assist_incident_on_the_console(
    services, keyring_file, district, receiver
):
    console, url, credential = district
    set_up_station(services)
    services.station.connect(url, credential)
    services.checkin.admit(Visitor("Avery", "Testwood"), destination="Gym")  # on site: must not be sent
    services.lists.add(
        "District list",
        NewEntry(
            "Robert",
            "Smith",
            dob=parse_dob("1980-03-14"),
            kind=Kind.BARRED,
            reason="Trespass notice 2026-014",
            notes="Threatened staff in May",
        ),
    )
    query = Query("Bob", "Smyth", dob=parse_dob("1980-03-14"))
    (candidate,) = services.screener.screen(query).candidates
    with link_running(services):
        decision = services.decisions.confirm(query, candidate, "Pat Example", "Photo and licence match")
        assert decision.dispatched
        (sent,) = services.station.recent()
        wait_for(lambda: services.station.get(sent.identifier).state == "received", what="received by dispatch")

        (incident,) = console.board()["incidents"]
        assert (incident["school"], incident["action"], incident["status"]) == (
            "Maple Grove Elementary",
            "STAFF_ASSIST",
            "Actual",
        )
        (message,) = incident["messages"]
        assert message["note"] == (
            "Confirmed barred-list match at the front desk: Robert Smith, on District list. Not admitted. "
            "Staff ask for assistance."
        )
        assert (message["station"], message["room"], message["staff"]) == (
            "Main office desk",
            "Room 101",
            "Pat Example",
        )
        assert not message["headline"].startswith(("DRILL", "TEST")) and message["roster"] == []
        stored = console.alert_xml(sent.identifier)
        for private in ("1980", "Trespass", "Threatened", "Smyth", "Avery", "nickname"):
            assert private not in stored  # no DOB, reason, notes, visitor's own spelling, roster or evidence
        assert cap.parse(stored.encode()).status == "Actual"

        # Forwarding is live (a real LOCKDOWN goes on to the 911 intake) yet the Staff assist never went.
        lockdown = services.station.press("lockdown", note="test of forwarding")
        wait_for(lambda: len(receiver.bodies) == 1, what="the lockdown forwarded")
        time.sleep(0.3)  # a few more forwarding rounds: nothing else may arrive
    assert [cap.parse(b).identifier for b in receiver.bodies] == [lockdown.identifier]
    assert console.db.read().all("SELECT identifier FROM forwards") == [(lockdown.identifier,)]


def test_custody_tells_dispatch_without_the_childrens_names(services):
    from frontdesk.settings import DISPATCH_URL

    services.settings.set(DISPATCH_URL, "http://127.0.0.1:9")  # a link is configured (delivery not needed here)
    services.lists.add(
        "Court orders",
        NewEntry("Maria", "Garcia", dob=parse_dob("1975-06-01"), kind=Kind.CUSTODY, students=("Sam Garcia",)),
    )
    query = Query("Maria", "Garcia", dob=parse_dob("1975-06-01"))
    (candidate,) = services.screener.screen(query).candidates
    assert services.decisions.confirm(query, candidate, "Pat Example").dispatched
    (alert,) = services.station.recent()
    assert "custody-order match" in alert.note and "Maria Garcia" in alert.note and "Sam" not in alert.note
    assert "Sam Garcia" in services.notifications.unread("principal")[0].body  # the principal does get them
