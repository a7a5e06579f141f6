"""The console under faults and in company: restarted mid-stream (SIGKILL), two consoles on one database,
forwarding real alerts onward, HTTPS, and the command line."""

from __future__ import annotations

import http.server
import io
import json
import re
import signal
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from dispatch_fixtures import CAP_HEADERS, _free_port, make_alert, serve_console

from district.console.auth import Unauthenticated
from district.console.server import running
from district.console.service import ConsoleService
from frontdesk.cli import main as cli_main
from frontdesk.wire import cap
from tests.dispatch_station_support import self_signed_certificate

ROOT = Path(__file__).resolve().parent.parent


def test_console_killed_mid_stream_keeps_everything_and_stores_each_alert_once(console_db_url):
    service = ConsoleService.open(console_db_url)
    enrolment = service.auth.enroll("Maple", "Main office desk", "101")
    station, headers = enrolment.station, {"Authorization": f"Bearer {enrolment.credential}", **CAP_HEADERS}
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api/v1/alerts"
    proc = serve_console(console_db_url, port)
    alerts = [cap.build(make_alert(station, incidents=f"inc-{i}")) for i in range(30)]
    received: dict[int, str] = {}  # alert index -> received_at, for the answers that got through
    queue: list[int] = []  # the station's outbox: pending presses, oldest first

    def drain(client: httpx.Client) -> None:
        while queue:
            try:
                answer = client.post(url, content=alerts[queue[0]])
            except httpx.HTTPError:
                return  # console down: keep it queued, try again at the next round
            assert answer.status_code in (200, 201), answer.text
            received[queue.pop(0)] = answer.json()["received_at"]

    try:
        with httpx.Client(timeout=2, headers=headers) as client:
            for i in range(len(alerts)):
                if i == 12:
                    proc.send_signal(signal.SIGKILL)  # killed between two alerts
                    proc.wait()
                if i == 16:
                    proc = serve_console(console_db_url, port)
                queue.append(i)
                drain(client)
            assert not queue
            for i, xml in enumerate(alerts):  # every reply lost: each one sent again is a duplicate
                answer = client.post(url, content=xml)
                assert answer.status_code == 200 and answer.json()["received_at"] == received[i], (i, answer.text)
    finally:
        proc.kill()
        proc.wait()
    rows = service.db.read().all("SELECT identifier FROM alerts ORDER BY seq")
    assert [r[0] for r in rows] == [cap.parse(x).identifier for x in alerts]  # all, once each, in order
    service.close()


def test_two_consoles_on_one_database_see_each_others_changes(console_db_url):
    east = ConsoleService.open(console_db_url, name="east")
    west = ConsoleService.open(console_db_url, name="west")
    enrolment = east.auth.enroll("Maple", "Main office desk", "101")
    station, headers = enrolment.station, {"Authorization": f"Bearer {enrolment.credential}"}
    west.auth.add_dispatcher("Wes", "correct horse")
    with running(east, watch_interval=0.1) as east_url, running(west, watch_interval=0.1) as west_url:
        dispatcher = httpx.Client(base_url=west_url, timeout=10)
        dispatcher.post("/api/v1/session", json={"username": "Wes", "password": "correct horse"})
        events: list[str] = []

        def listen():
            with dispatcher.stream("GET", "/api/v1/live", timeout=10) as stream:
                for line in stream.iter_lines():
                    if line.startswith("event:"):
                        events.append(line)
                        if len(events) == 2:
                            return

        listener = threading.Thread(target=listen)
        listener.start()
        time.sleep(0.3)
        alert = make_alert(station)
        assert (
            httpx.post(
                f"{east_url}/api/v1/alerts", content=cap.build(alert), headers={**headers, **CAP_HEADERS}
            ).status_code
            == 201
        )
        listener.join(5)
        assert len(events) == 2  # the first state, then the alert taken by the other console
        [incident] = dispatcher.get("/api/v1/board").json()["incidents"]
        assert incident["messages"][0]["received_by"] == "east"

        got = {}
        poll = threading.Thread(
            target=lambda: got.update(
                httpx.get(f"{east_url}/api/v1/inbox", params={"wait": 10}, headers=headers, timeout=15).json()
            )
        )
        poll.start()
        time.sleep(0.3)
        dispatcher.post(f"/api/v1/incidents/{incident['id']}/ack", json={})
        poll.join(5)
        assert got["messages"][0]["dispatcher"] == "Wes"  # the Ack made on west reached the poll on east
        board = east.board()
        assert board["incidents"][0]["messages"][0]["acked_by"] == "Wes"
        assert east.ack("Eve", incident_id=incident["id"]) == []  # already acknowledged on the other console
    east.close()
    west.close()


class _Receiver(http.server.BaseHTTPRequestHandler):
    """A stand-in 911 centre CAP intake: records bodies; fails the first ``fail`` posts with 503."""

    bodies: list[bytes] = []
    fail = 0

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if type(self).fail > 0:
            type(self).fail -= 1
            self.send_response(503)
        else:
            type(self).bodies.append(body)
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_real_alerts_are_forwarded_onward_and_drills_never(tmp_path):
    _Receiver.bodies, _Receiver.fail = [], 1
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    forward_url = f"http://127.0.0.1:{receiver.server_address[1]}/cap"
    service = ConsoleService.open(f"sqlite:///{tmp_path / 'c.db'}", forward_url=forward_url)
    enrolment = service.auth.enroll("Maple", "Main office desk", "101")
    station, headers = enrolment.station, {"Authorization": f"Bearer {enrolment.credential}", **CAP_HEADERS}
    real_alert = make_alert(station)
    real = cap.build(real_alert)
    with running(service, forward_interval=0.05) as url:
        for xml in (
            cap.build(make_alert(station, status="Exercise")),
            cap.build(make_alert(station, status="Test")),
            cap.build(make_alert(station, action="STAFF_ASSIST")),  # internal, not police
            real,
        ):
            assert httpx.post(f"{url}/api/v1/alerts", content=xml, headers=headers).status_code == 201
        deadline = time.monotonic() + 10
        while not _Receiver.bodies and time.monotonic() < deadline:
            time.sleep(0.05)
    receiver.shutdown()
    assert len(_Receiver.bodies) == 1  # after one failed attempt; the console re-issues it (test_..._security)
    forwarded = cap.parse(_Receiver.bodies[0])
    assert forwarded.identifier == real_alert.identifier and forwarded.sender == cap.console_sender("district")
    kinds = [e["kind"] for e in service.history()]
    assert "forward_failed" in kinds and "alert_forwarded" in kinds
    service.close()


def test_https_with_a_certificate(tmp_path):
    import ssl

    cert, key = self_signed_certificate(tmp_path)
    service = ConsoleService.open(f"sqlite:///{tmp_path / 'c.db'}")
    enrolment = service.auth.enroll("Maple", "Main office desk", "101")
    service.auth.add_dispatcher("Dana", "correct horse")
    context = ssl.create_default_context(cafile=str(cert))
    with running(service, cert=cert, key=key) as url:
        assert url.startswith("https://")
        answer = httpx.get(
            f"{url}/api/v1/station", headers={"Authorization": f"Bearer {enrolment.credential}"}, verify=context
        )
        assert answer.json()["school"] == "Maple"
        signed = httpx.post(
            f"{url}/api/v1/session", json={"username": "Dana", "password": "correct horse"}, verify=context
        )
        assert "secure" in signed.headers["set-cookie"].lower()
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{url.replace('https', 'http')}/api/v1/station", timeout=2)
    service.close()


def test_cli_enroll_prints_the_credential_alone_on_the_last_line(tmp_path, capsys, monkeypatch):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert (
        cli_main(
            [
                "dispatch",
                "enroll",
                "--school",
                "Maple",
                "--station",
                "Main office desk",
                "--room",
                "101",
                "--db",
                db,
            ]
        )
        == 0
    )
    last = capsys.readouterr().out.rstrip("\n").splitlines()[-1]
    assert re.fullmatch(r"fdst_[a-z0-9]+_[0-9a-f]{48}", last)
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse\n"))
    assert cli_main(["dispatch", "user", "add", "Dana", "--db", db]) == 0
    service = ConsoleService.open(db)
    assert service.auth.station(last).school == "Maple"
    assert service.auth.sign_in("Dana", "correct horse")
    stored = service.db.read().one("SELECT secret_hash FROM stations")[0]
    assert last.split("_")[2] not in stored  # only a hash of the secret is kept
    service.close()
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert cli_main(["dispatch", "user", "add", "Eve", "--db", db]) == 2
    assert "password" in capsys.readouterr().err
    assert cli_main(["dispatch", "enroll", "--school", " ", "--station", "x", "--db", db]) == 2
    station_id = last.split("_")[1]
    capsys.readouterr()
    assert cli_main(["dispatch", "stations", "--json", "--db", db]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["station_id"] == station_id and listed["school"] == "Maple" and listed["online"] is False
    assert cli_main(["dispatch", "revoke", station_id, "--db", db]) == 0
    assert cli_main(["dispatch", "revoke", station_id, "--db", db]) == 2
    service = ConsoleService.open(db)
    with pytest.raises(Unauthenticated, match="revoked"):
        service.auth.station(last)
    service.close()


def test_demo_console_serves_one_station_and_a_dispatcher(tmp_path):
    from district.console.demo import start_demo_console

    demo = start_demo_console(tmp_path)
    try:
        headers = {"Authorization": f"Bearer {demo.credential}"}
        assert httpx.get(f"{demo.url}/api/v1/station", headers=headers).json()["station_id"] == demo.station_id
        signed = httpx.post(
            f"{demo.url}/api/v1/session", json={"username": demo.dispatcher, "password": demo.password}
        )
        assert signed.status_code == 200
    finally:
        demo.stop()


@pytest.mark.parametrize("console_db_url", ["postgresql"], indirect=True)
def test_lost_database_connections_are_replaced_before_use(console, console_db_url, postgres_server):
    import psycopg

    station, headers = console.enroll()
    headers = {**headers, **CAP_HEADERS}
    assert (
        httpx.post(
            f"{console.url}/api/v1/alerts", content=cap.build(make_alert(station)), headers=headers
        ).status_code
        == 201
    )
    with psycopg.connect(postgres_server, autocommit=True) as admin:  # cut every connection of the console
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND datname = 'postgres'"
        )
    xml = cap.build(make_alert(station))
    answer = httpx.post(f"{console.url}/api/v1/alerts", content=xml, headers=headers)
    assert answer.status_code == 201, answer.text  # the cut connections were noticed and replaced
    with psycopg.connect(console_db_url) as check:
        assert check.execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == 2
        check.execute("ALTER TABLE alerts RENAME TO alerts_gone")  # a database that cannot store alerts
    answer = httpx.post(f"{console.url}/api/v1/alerts", content=cap.build(make_alert(station)), headers=headers)
    assert answer.status_code == 503 and "try again" in answer.json()["error"]  # the station retries a 5xx


def test_cli_enrols_where_a_station_is_and_who_may_clear(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    argv = ["dispatch", "enroll", "--school", "Lincoln Elementary", "--station", "Front desk", "--room", "Office"]
    argv += ["--building", "Main", "--floor", "1", "--house-number", "1200", "--street", "Lincoln Avenue"]
    argv += ["--city", "Springfield", "--state", "IL", "--postal-code", "62704", "--phone", "555-0142"]
    assert cli_main([*argv, "--db", db]) == 0
    out = capsys.readouterr().out
    assert "1200 Lincoln Avenue, Springfield, IL 62704" in out
    credential = out.rstrip("\n").splitlines()[-1]
    assert cli_main(["dispatch", "clearer", "add", "Pat Principal", "--school", "Lincoln Elementary",
                     "--role", "principal", "--db", db]) == 0  # fmt: skip
    code = capsys.readouterr().out.rstrip("\n").splitlines()[-1]
    assert re.fullmatch(r"fdac_[a-z0-9]{8}_[a-z0-9]{20}", code)
    with pytest.raises(SystemExit):  # not a role that may clear
        cli_main(["dispatch", "clearer", "add", "X", "--school", "Lincoln Elementary", "--role", "teacher"])
    service = ConsoleService.open(db)
    station = service.auth.station(credential)
    assert station.where.address == "1200 Lincoln Avenue, Springfield, IL 62704"
    assert (station.where.building, station.where.floor, station.where.phone) == ("Main", "1", "555-0142")
    stored = service.db.read().one("SELECT key FROM clearers")[0]
    assert code.split("_")[2] not in stored  # the console keeps the signing key, never the code
    service.close()
    clearer_id = code.split("_")[1]
    assert cli_main(["dispatch", "clearer", "revoke", clearer_id, "--db", db]) == 0


def test_closing_the_database_waits_for_a_thread_still_using_its_connection(tmp_path):
    """A worker thread in the middle of a query while the console closes its database (a request finishing
    during shutdown): the query finishes and its connection is closed after it, not under it (closing a
    SQLite connection another thread is using hangs or crashes the process)."""
    import threading

    from district.console.db import Database

    db = Database(f"sqlite:///{tmp_path / 'console.db'}")
    db.read().execute("CREATE TABLE numbers (n INTEGER)")
    started, results = threading.Event(), []

    def slow_query() -> None:
        read = db.read()
        started.set()
        results.append(
            read.one(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) "
                "SELECT COUNT(*) FROM c"
            )
        )

    worker = threading.Thread(target=slow_query)
    worker.start()
    started.wait(5)
    db.close()
    worker.join(30)
    assert results == [(2000000,)]


def test_inbox_marks_after_a_failed_read_send_polls_to_the_database_until_a_read_succeeds(tmp_path):
    """While the console cannot read its inbox marks it claims nothing (every poll reads the database); the
    next read that succeeds catches up from where the last good one stopped, and polls wait in memory again."""
    import asyncio
    import sqlite3

    from district.console.inbox_marks import InboxMarks

    service = ConsoleService.open(f"sqlite:///{tmp_path / 'c.db'}")
    station = service.auth.enroll("Maple", "Main office desk", "101").station
    service.push_state("Dana Dispatch", ["Maple"], "SECURE")

    async def scenario() -> None:
        marks = InboxMarks(lambda after: asyncio.to_thread(service.inbox_marks_after, after))
        assert await marks.catch_up() == {station.station_id}
        first = marks.cursor
        assert marks.nothing_after(station.station_id, first) and not marks.behind(first)
        with sqlite3.connect(tmp_path / "c.db") as db:
            db.execute("ALTER TABLE inbox RENAME TO inbox_away")  # a database that cannot be read
        assert await marks.catch_up() is None
        assert not marks.nothing_after(station.station_id, first) and marks.behind(first)
        with sqlite3.connect(tmp_path / "c.db") as db:
            db.execute("ALTER TABLE inbox_away RENAME TO inbox")
        service.push_state("Dana Dispatch", ["Maple"], "NORMAL")
        newest = service.marks()[1]
        assert newest > first and marks.behind(newest)
        assert await marks.catch_up() == {station.station_id}
        assert not marks.nothing_after(station.station_id, first)
        assert marks.nothing_after(station.station_id, newest) and not marks.behind(newest)

    try:
        asyncio.run(scenario())
    finally:
        service.close()
