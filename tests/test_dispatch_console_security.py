"""The console against a station or a person who lies: a claimed location is never taken as truth, and an
all clear needs a principal's or administrator's signature, not only the station's credential."""

from __future__ import annotations

import base64
import http.server
import threading
import time
import xml.etree.ElementTree as ET

import httpx
import pytest
from dispatch_fixtures import CAP_HEADERS, make_alert

from district.console.server import running
from district.console.service import ConsoleService
from frontdesk.wire import allclear, cap

LINCOLN = dict(
    building="Main",
    floor="1",
    house_number="1200",
    street="Lincoln Avenue",
    city="Springfield",
    state="IL",
    postal_code="62704",
    phone="555-0142",
)


class _Receiver(http.server.BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self):
        _Receiver.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def forwarding(tmp_path):
    """A console that forwards to a real receiver on loopback (with PIDF-LO)."""
    _Receiver.bodies = []
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    service = ConsoleService.open(
        f"sqlite:///{tmp_path / 'c.db'}",
        forward_url=f"http://127.0.0.1:{receiver.server_address[1]}/cap",
        forward_pidf=True,
    )
    with running(service, forward_interval=0.05) as url:
        yield service, url
    receiver.shutdown()
    service.close()


def _wait_forwarded(count: int) -> list[cap.CapMessage]:
    deadline = time.monotonic() + 10
    while len(_Receiver.bodies) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return [cap.parse(body) for body in _Receiver.bodies]


def _post(url, credential, msg) -> httpx.Response:
    headers = {"Authorization": f"Bearer {credential}", **CAP_HEADERS}
    return httpx.post(f"{url}/api/v1/alerts", content=cap.build(msg), headers=headers, timeout=10)


def _board(service, url) -> dict:
    service.auth.add_dispatcher("Dana Dispatch", "correct horse")
    client = httpx.Client(base_url=url, timeout=10)
    client.post("/api/v1/session", json={"username": "Dana Dispatch", "password": "correct horse"})
    return client.get("/api/v1/board").json()


def test_a_station_claiming_another_school_is_shown_and_forwarded_where_it_was_enrolled(forwarding):
    service, url = forwarding
    lincoln = service.auth.enroll("Lincoln Elementary", "Front desk", "Office 12", **LINCOLN)
    spoof = make_alert(
        lincoln.station,
        school="Washington High",
        address="900 Washington Street, Springfield, IL 62701",
        building="North",
        floor="3",
        room="Gym",
        phone="555-0999",
        extra=(("CIVIC_HNO", "900"), ("CIVIC_RD", "Washington Street")),  # a try at our own parameters
    )
    assert _post(url, lincoln.credential, spoof).status_code == 201  # stored: it is still an alert

    board = _board(service, url)
    shown = board["incidents"][0]["messages"][0]
    assert shown["school"] == "Lincoln Elementary"
    assert shown["address"] == "1200 Lincoln Avenue, Springfield, IL 62704"
    assert (shown["building"], shown["floor"], shown["room"], shown["phone"]) == (
        "Main",
        "1",
        "Office 12",
        "555-0142",
    )
    assert "Washington" not in shown["place"] and "Washington" not in shown["headline"]
    assert shown["location_mismatch"]["school"] == "Washington High"
    assert set(shown["location_mismatch"]) == {"school", "address", "building", "floor", "room", "phone"}
    assert "location_mismatch" in [e["kind"] for e in service.history()]
    assert service.alert_xml(spoof.identifier) == cap.build(spoof).decode()  # the claim is kept as it came

    (forwarded,) = _wait_forwarded(1)
    assert forwarded.identifier == spoof.identifier
    assert forwarded.sender == cap.console_sender("district")
    assert (forwarded.school, forwarded.address, forwarded.room) == (
        "Lincoln Elementary",
        "1200 Lincoln Avenue, Springfield, IL 62704",
        "Office 12",
    )
    params = dict(forwarded.extra)
    assert params["CIVIC_HNO"] == "1200" and params["CIVIC_RD"] == "Lincoln Avenue"
    assert (
        params["CIVIC_A1"] == "IL"
        and params["CIVIC_PC"] == "62704"
        and params["CIVIC_NAM"] == "Lincoln Elementary"
    )
    assert params["ORIGINAL_SENDER"] == spoof.sender
    assert "Washington High" in params["LOCATION_CLAIM_DIFFERS"] and "not used" in params["LOCATION_CLAIM_DIFFERS"]
    assert [v for n, v in forwarded.extra if n == "CIVIC_HNO"] == ["1200"]  # the station's own were dropped
    root = ET.fromstring(_Receiver.bodies[0])
    ns = {"c": cap.CAP_NS}
    assert "1200 Lincoln Avenue" in root.find("c:info/c:area/c:areaDesc", ns).text
    resource = root.find("c:info/c:resource", ns)
    assert resource.find("c:mimeType", ns).text == "application/pidf+xml"
    pidf = ET.fromstring(base64.b64decode(resource.find("c:derefUri", ns).text))
    civic = {el.tag.split("}")[1]: el.text for el in pidf.iter() if "civicAddr" in el.tag and el.text}
    assert civic == {
        "country": "US",
        "A1": "IL",
        "A3": "Springfield",
        "HNO": "1200",
        "RD": "Lincoln Avenue",
        "PC": "62704",
        "BLD": "Main",
        "FLR": "1",
        "ROOM": "Office 12",
        "NAM": "Lincoln Elementary",
    }


def test_an_honest_station_is_not_flagged(forwarding):
    service, url = forwarding
    lincoln = service.auth.enroll("Lincoln Elementary", "Front desk", "Office 12", **LINCOLN)
    honest = make_alert(
        lincoln.station,
        school="LINCOLN elementary",
        address="1200 Lincoln Avenue, Springfield IL 62704",  # punctuation and case do not count
        building="Main",
        floor="1",
        room="",  # no claim
    )
    assert _post(url, lincoln.credential, honest).status_code == 201
    shown = _board(service, url)["incidents"][0]["messages"][0]
    assert shown["location_mismatch"] == {}
    (forwarded,) = _wait_forwarded(1)
    assert "LOCATION_CLAIM_DIFFERS" not in dict(forwarded.extra)


def test_a_desk_only_person_cannot_clear_an_incident(console):
    """Someone at the desk PC has the station credential (the keyring) but no principal's code."""
    station, headers = console.enroll()
    alert = make_alert(station)
    assert (
        httpx.post(
            f"{console.url}/api/v1/alerts", content=cap.build(alert), headers={**headers, **CAP_HEADERS}
        ).status_code
        == 201
    )

    def send(msg) -> httpx.Response:
        return httpx.post(
            f"{console.url}/api/v1/alerts", content=cap.build(msg), headers={**headers, **CAP_HEADERS}, timeout=10
        )

    def cancel(**kw):
        return make_alert(station, msg_type="Cancel", references=(cap.reference_of(alert),), **kw)

    unsigned = send(cancel())
    assert unsigned.status_code == 403 and "principal" in unsigned.json()["error"]
    principal_code = console.clearer()
    forged_id, _ = allclear.split_code(principal_code)
    guessed = send(allclear.sign(cancel(), f"fdac_{forged_id}_{'x' * 20}"))  # the id is not the secret
    assert guessed.status_code == 403
    other_school = console.clearer(school="Oak Hill Middle", name="Olive Oak")
    assert send(allclear.sign(cancel(), other_school)).status_code == 403
    # A signature is for one message: lifted onto another Cancel it does not verify.
    signed = allclear.sign(cancel(), principal_code)
    lifted = cancel(extra=tuple((n, v) for n, v in signed.extra))
    assert send(lifted).status_code == 403
    revoked_code = console.clearer(name="Gone Principal")
    console.service.clearers.revoke(allclear.split_code(revoked_code)[0])
    assert send(allclear.sign(cancel(), revoked_code)).status_code == 403

    board_client = httpx.Client(base_url=console.url, timeout=10)
    console.service.auth.add_dispatcher("Dana", "correct horse")
    board_client.post("/api/v1/session", json={"username": "Dana", "password": "correct horse"})
    incident = board_client.get("/api/v1/board").json()["incidents"][0]
    assert [m["msg_type"] for m in incident["messages"]] == ["Alert"]  # no refused Cancel was stored
    board_client.post(f"/api/v1/incidents/{incident['id']}/ack", json={})
    assert board_client.get("/api/v1/board").json()["incidents"][0]["cleared_at"] is None

    assert send(signed).status_code == 201  # the principal's own signature clears it
    board_client.post(f"/api/v1/incidents/{incident['id']}/ack", json={})
    assert board_client.get("/api/v1/board").json()["incidents"][0]["cleared_at"] is not None
    kinds = [(e["kind"], e["actor"]) for e in console.service.history()]
    assert ("all_clear_signed", "Pat Principal") in kinds
    assert sum(1 for k, _ in kinds if k == "alert_rejected") == 5


def test_an_administrator_may_clear_too(console):
    station, headers = console.enroll()
    alert = make_alert(station)
    hdrs = {**headers, **CAP_HEADERS}
    httpx.post(f"{console.url}/api/v1/alerts", content=cap.build(alert), headers=hdrs)
    code = console.clearer(role="admin", name="Ada Admin")
    cancel = allclear.sign(make_alert(station, msg_type="Cancel", references=(cap.reference_of(alert),)), code)
    assert httpx.post(f"{console.url}/api/v1/alerts", content=cap.build(cancel), headers=hdrs).status_code == 201
