"""The desk's link to the hub: an outbox only once linked (the open visits go up at the link), HTTPS with
the district's own CA, and a hub that asks the desk to come back later (503 Retry-After)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from frontdesk import settings as s
from tests.hub_sync_support import SCHOOL, Desk, Hub, exactly_once, hub_on_site


def _unlinked_desk(folder, name: str) -> Desk:
    desk = Desk(folder, name)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "keyring.json").write_text("{}")
    services = desk.services()
    try:
        services.settings.set(s.SCHOOL_NAME, SCHOOL)
        services.settings.set(s.STATION_NAME, name)
        services.settings.set(s.STAFF_NAME, "Pat Example")
    finally:
        services.close()
    return desk


def _outbox_kinds(desk: Desk) -> list[str]:
    services = desk.services()
    try:
        return [k for (k,) in services.store.db.execute("SELECT kind FROM sync_outbox ORDER BY seq").fetchall()]
    finally:
        services.close()


def _connect(desk: Desk, url: str, credential: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "frontdesk", "dispatch", "connect", url, *extra],
        input=credential + "\n",
        env=desk.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_unlinked_desk_keeps_no_outbox_and_linking_sends_who_is_on_site(hub, tmp_path):
    desk = _unlinked_desk(tmp_path / "desk", "Main office")
    desk.check_in("Avery", "Testwood")
    gone = desk.check_in("Blake", "Sample")
    assert desk.run("checkout", gone).returncode == 0
    assert _outbox_kinds(desk) == []  # a desk with no hub queues nothing for one
    status = json.loads(desk.run("sync", "status", "--json").stdout)
    assert status["pending"] == 0

    station_id, credential = hub.enroll(SCHOOL, "Main office")
    desk.station_id = station_id
    done = _connect(desk, hub.url, credential)
    assert done.returncode == 0, done.stderr
    kinds = _outbox_kinds(desk)
    assert kinds.count("visit.check_in") == 1  # Avery, still on site; Blake left before the link
    assert desk.sync()["pending"] == 0
    assert hub_on_site(hub, SCHOOL) == [("Avery Testwood", "Main office")]
    assert hub.count("SELECT COUNT(*) FROM hub_visits") == 1
    # From now on every change goes up, exactly once.
    desk.check_in("Casey", "Example")
    assert desk.sync()["pending"] == 0
    assert hub_on_site(hub, SCHOOL) == [("Avery Testwood", "Main office"), ("Casey Example", "Main office")]
    exactly_once(hub, desk)


def test_an_upgraded_unlinked_desk_drops_the_outbox_it_kept(data_dir):
    """The outbox an unlinked desk filled before this change is cleared once (``sync_0003_unlinked``); a
    linked desk keeps its own."""
    from frontdesk.context import Services
    from frontdesk.models import Visitor

    services = Services.open(data_dir)
    services.checkin.admit(Visitor("Avery", "Testwood"))
    db = services.store.db
    db.execute("INSERT INTO sync_outbox (kind, subject, made_at, body) VALUES ('x', '', '2026-01-01', '{}')")
    db.execute("DELETE FROM _migrations WHERE name = 'sync_0003_unlinked'")
    services.close()
    again = Services.open(data_dir)
    assert again.store.db.execute("SELECT COUNT(*) FROM sync_outbox").fetchone()[0] == 0
    again.settings.set(s.DISPATCH_URL, "http://127.0.0.1:9")
    assert again.sync.pending() == 1 + 1  # Avery's check-in, queued at the link, and the link's own record
    again.store.db.execute("DELETE FROM _migrations WHERE name = 'sync_0003_unlinked'")
    again.close()
    third = Services.open(data_dir)
    assert third.sync.pending() == 2
    third.close()


def test_an_upgraded_desk_keeps_the_changes_it_was_keeping_for_its_roster(data_dir):
    """``sync_0005_deferred_rows``: the kept changes move, in the hub's order, to a table whose row is one change
    (two changes under one hub number both stay; the same change twice stays once)."""
    from frontdesk.context import Services

    services = Services.open(data_dir)
    db = services.store.db
    db.execute("DROP TABLE sync_shared_deferred")  # as the table was before the upgrade
    db.execute("CREATE TABLE sync_shared_deferred (hub_seq INTEGER PRIMARY KEY, change TEXT NOT NULL)")
    db.execute("INSERT INTO sync_shared_deferred VALUES (7, '{\"hub_seq\": 7}'), (3, '{\"hub_seq\": 3}')")
    db.execute("DELETE FROM _migrations WHERE name = 'sync_0005_deferred_rows'")
    services.close()
    again = Services.open(data_dir)
    db = again.store.db
    assert db.execute("SELECT hub_seq, change FROM sync_shared_deferred ORDER BY id").fetchall() == [
        (3, '{"hub_seq": 3}'),
        (7, '{"hub_seq": 7}'),
    ]
    db.execute("INSERT OR IGNORE INTO sync_shared_deferred (hub_seq, change) VALUES (7, 'another change')")
    db.execute("INSERT OR IGNORE INTO sync_shared_deferred (hub_seq, change) VALUES (7, '{\"hub_seq\": 7}')")
    assert db.execute("SELECT count(*) FROM sync_shared_deferred WHERE hub_seq = 7").fetchone()[0] == 2
    again.close()


class _BusyHub:
    """A stand-in for a remote hub on loopback: answers 503 with ``Retry-After`` to the first ``busy``
    requests, then 200 with a JSON object; records when each request came."""

    def __init__(self, busy: int, retry_after: str = "1"):
        import threading
        import time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.times: list[float] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                outer.times.append(time.monotonic())
                if len(outer.times) <= busy:
                    body, status, headers = b'{"error": "busy"}', 503, {"Retry-After": retry_after}
                else:
                    body, status, headers = b'{"ok": true}', 200, {}
                self.send_response(status)
                for key, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_a_busy_hub_is_asked_again_after_its_retry_after_not_skipped():
    from frontdesk.sync.client import HubClient

    busy, other = _BusyHub(busy=2, retry_after="1"), _BusyHub(busy=0)
    client = HubClient([busy.url, other.url], "fdst_test")
    try:
        assert client.get_json("/api/v1/sync/pull") == {"ok": True}
        assert len(busy.times) == 3 and other.times == []  # the same hub, when it said to come back
        gaps = [b - a for a, b in zip(busy.times, busy.times[1:], strict=False)]
        assert all(gap >= 1.0 for gap in gaps), gaps  # never before Retry-After (plus a random part)
        assert client.url == busy.url
    finally:
        client.close()
        busy.close()
        other.close()


def test_a_retry_after_longer_than_the_budget_goes_to_the_next_hub():
    from frontdesk.sync.client import HubClient, HubUnreachable

    busy, other = _BusyHub(busy=10, retry_after="120"), _BusyHub(busy=0)
    client = HubClient([busy.url, other.url], "fdst_test", retry_budget=5)
    try:
        assert client.get_json("/x") == {"ok": True}
        assert len(busy.times) == 1 and len(other.times) == 1 and client.url == other.url
    finally:
        client.close()
        other.close()
    alone = HubClient([busy.url], "fdst_test", retry_budget=5)
    try:
        with pytest.raises(HubUnreachable, match="HTTP 503"):
            alone.get_json("/x")
    finally:
        alone.close()
        busy.close()


def test_sync_over_https_with_the_districts_own_ca(console_db_url, tmp_path):
    """The hub served with a certificate made here (its own CA); the desk trusts it through the CA file
    'dispatch connect --ca-file' keeps, and syncs over HTTPS. Without that CA the certificate is refused."""
    from tests.dispatch_station_support import self_signed_certificate

    (tmp_path / "tls").mkdir()
    cert, key = self_signed_certificate(tmp_path / "tls")
    hub = Hub(console_db_url, cert=cert, key=key).start()
    try:
        assert hub.url.startswith("https://")
        desk = _unlinked_desk(tmp_path / "desk", "Main office")
        desk.check_in("Avery", "Testwood")
        station_id, credential = hub.enroll(SCHOOL, "Main office")
        desk.station_id = station_id
        untrusted = _connect(desk, hub.url, credential)
        assert untrusted.returncode == 2 and "cannot be reached" in untrusted.stderr, untrusted.stderr
        assert _outbox_kinds(desk) == []  # not linked
        done = _connect(desk, hub.url, credential, "--ca-file", str(cert))
        assert done.returncode == 0, done.stderr
        desk.check_in("Blake", "Sample")
        assert desk.sync()["pending"] == 0
        assert hub_on_site(hub, SCHOOL) == [("Avery Testwood", "Main office"), ("Blake Sample", "Main office")]
        exactly_once(hub, desk)
    finally:
        hub.kill()


def test_plain_http_to_a_hub_on_another_machine_is_refused_without_insecure(hub, tmp_path):
    desk = _unlinked_desk(tmp_path / "desk", "Main office")
    _, credential = hub.enroll(SCHOOL, "Main office")
    refused = _connect(desk, "http://192.0.2.10:8765", credential)
    assert refused.returncode == 2 and "plain http://" in refused.stderr, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    # A second hub address for sync is held to the same rule: the desk does not send to it in clear.
    done = _connect(desk, hub.url, credential)
    assert done.returncode == 0, done.stderr
    assert desk.run("config", "set", "sync.hubs", "http://192.0.2.11:8765").returncode == 0
    blocked = desk.run("sync", "--wait", "5")
    assert blocked.returncode == 2 and "plain http://" in blocked.stderr, blocked.stderr
    assert desk.run("config", "set", "sync.hubs", "http://127.0.0.2:9").returncode == 0  # this machine: fine
    assert desk.run("sync", "--wait", "20").returncode == 0


def test_a_pull_writes_in_bounded_steps_and_a_pull_of_nothing_takes_no_write_lock(hub, tmp_path):
    from frontdesk.models import Visitor
    from frontdesk.sync.service import PULL_STEP

    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    services = main.services()
    try:
        for i in range(2 * PULL_STEP + 50):
            services.checkin.admit(Visitor(f"Avery{i:03d}", "Testwood"))
    finally:
        services.close()
    assert main.sync(wait=120)["pending"] == 0

    services = side.services()
    statements: list[str] = []
    try:
        services.store.db.conn.set_trace_callback(statements.append)
        from frontdesk.sync.client import HubClient

        credential = next(iter(json.loads((side.folder / "keyring.json").read_text()).values()))
        client = HubClient([hub.url], credential)
        try:
            result = services.sync.round(client)
            assert result.pulled == 2 * PULL_STEP + 50 and result.in_step
            # Each transaction wrote at most PULL_STEP of the other desk's visits.
            per_transaction, counts = 0, []
            for sql in statements:
                if sql.startswith("BEGIN"):
                    per_transaction = 0
                elif sql.startswith("INSERT INTO sync_remote_visits"):
                    per_transaction += 1
                elif sql.startswith("COMMIT"):
                    counts.append(per_transaction)
            assert max(counts) == PULL_STEP and sum(counts) == 2 * PULL_STEP + 50, counts
            statements.clear()
            again = services.sync.round(client)  # nothing new at the hub
            assert again.pulled == 0 and again.in_step
            assert not [sql for sql in statements if sql.startswith(("BEGIN", "INSERT", "UPDATE", "DELETE"))]
            assert services.sync.status().words == "Hub: in step"
        finally:
            client.close()
    finally:
        services.store.db.conn.set_trace_callback(None)
        services.close()
    assert len(side.on_site()) == 2 * PULL_STEP + 50
