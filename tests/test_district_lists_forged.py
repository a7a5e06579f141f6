"""District lists and settings a desk is served: an older answer replayed, or a desk's link settings sent.

The real hub is a ``frontdesk dispatch serve`` process on loopback over SQLite; the answers it gave are then
served again, as they were, by a plain HTTP server on loopback (what a replayed older answer or a compromised
hub sends: no code of ours). The desks are the real core over their own SQLite files.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hub_lists_support import hub_process

from frontdesk.context import Services
from frontdesk.district_lists.service import OLDER_WORDS
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Decision, Query
from frontdesk.settings import DISPATCH_CA_FILE, DISPATCH_URL, RETAIN_VISITS_DAYS, SCREEN_MATCH, SYNC_HUBS
from frontdesk.sync.client import HubClient

SOURCE = "District barred list"
ONE_BACKEND = pytest.mark.parametrize("console_db_url", ["sqlite"], indirect=True)


@contextmanager
def canned_hub(answers: dict[str, dict]) -> Iterator[str]:
    """A plain HTTP server on loopback answering each path (the query left aside) with its JSON; its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            answer = answers.get(urlsplit(self.path).path)
            body = json.dumps(answer if answer is not None else {"error": "not found"}).encode()
            self.send_response(200 if answer is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _screen(desk: Services, first: str, last: str, dob: str) -> Decision:
    return desk.screener.screen(Query(first, last, dob=parse_dob(dob))).decision


def _answers(client: HubClient) -> dict[str, dict]:
    """What the hub answers a desk now (index, changes of the list from 0, settings), by path."""
    return {
        "/api/v1/lists": client.get_json("/api/v1/lists"),
        "/api/v1/lists/changes": client.get_json("/api/v1/lists/changes", {"source": SOURCE, "after": 0}),
        "/api/v1/district-settings": client.get_json("/api/v1/district-settings"),
    }


def _add(hub, first: str, last: str, dob: str) -> None:
    done = hub.cli("district", "barred", "add", "--source", SOURCE, "--first-name", first, "--last-name", last,
                   "--dob", dob)  # fmt: skip
    assert done.returncode == 0, done.stderr


@ONE_BACKEND  # the desk refuses; the hub only served what it served
def test_an_older_answer_replayed_changes_nothing_at_the_desk(console_db_url: str, tmp_path: Path):
    desk = Services.open(tmp_path / "desk")
    with hub_process(console_db_url, tmp_path / "hub.log") as hub:
        _add(hub, "Robert", "Smith", "1980-03-14")
        assert hub.cli("district", "settings", "set", "retention.visits_days", "365").returncode == 0
        client = HubClient([hub.url], hub.enroll())
        try:
            desk.district_lists.pull(client)
            old = _answers(client)  # what an eavesdropper (or a backup) kept
            _add(hub, "Carl", "Marsh", "1970-02-02")
            assert hub.cli("district", "settings", "set", "retention.visits_days", "400").returncode == 0
            assert desk.district_lists.pull(client) == 1
            now = _answers(client)
        finally:
            client.close()
    assert _screen(desk, "Carl", "Marsh", "1970-02-02") == Decision.MATCH
    held = desk.store.db.execute("SELECT version FROM district_lists").fetchone()[0]

    forged_generation = json.loads(json.dumps(now))  # today's index, but an older generation of the list
    forged_generation["/api/v1/lists"]["lists"][0]["generation"] -= 1
    # today's index, but the list's changes as they were yesterday (a lower version, Carl not yet added)
    older_changes = {**now, "/api/v1/lists/changes": old["/api/v1/lists/changes"]}
    try:
        for answers, kind in ((old, "version"), (forged_generation, "generation"), (older_changes, "version")):
            with canned_hub(answers) as url:
                replay = HubClient([url], "any")
                try:
                    assert desk.district_lists.pull(replay) == 0
                finally:
                    replay.close()
            assert _screen(desk, "Carl", "Marsh", "1970-02-02") == Decision.MATCH
            assert desk.store.db.execute("SELECT version FROM district_lists").fetchone()[0] == held
            assert desk.settings.get(RETAIN_VISITS_DAYS) == 400  # yesterday's 365 is not taken either
            assert desk.district_lists.state().refused == OLDER_WORDS
            assert desk.audit.records(action="district_lists.older_refused")[0].details["kind"] == kind
        verified = desk.audit.verify()
        assert verified.intact, (verified.message, verified.outside)
    finally:
        desk.close()


def test_the_hub_refuses_a_desks_link_settings_and_never_serves_them(console_db_url: str, tmp_path: Path):
    with hub_process(console_db_url, tmp_path / "hub.log") as hub:
        for key, value in (("dispatch.url", "https://elsewhere.example"), ("sync.hubs", "https://elsewhere.example"),
                           ("dispatch.ca_file", "/tmp/their-ca.pem")):  # fmt: skip
            for extra in ((), ("--lock",), ("--school", "Maple Grove Elementary")):
                refused = hub.cli("district", "settings", "set", key, value, *extra)
                assert refused.returncode == 2, (key, extra, refused.stdout)
                assert "link" in refused.stderr and "frontdesk dispatch connect" in refused.stderr
        assert hub.cli("district", "settings", "set", "screening.match_threshold", "0.95").returncode == 0
        # A row stored before the hub refused them (written into its database as an older hub did) is not sent.
        if console_db_url.startswith("sqlite:///"):
            with sqlite3.connect(console_db_url.removeprefix("sqlite:///")) as db:
                db.execute(
                    "INSERT INTO hub_settings (key, school, value, locked, set_by, set_at) "
                    "VALUES ('sync.hubs', '', '\"https://elsewhere.example\"', 1, 'old hub', '2026-01-01')"
                )
            db.close()
        else:
            import psycopg

            with psycopg.connect(console_db_url, autocommit=True) as db:
                db.execute(
                    "INSERT INTO hub_settings (key, school, value, locked, set_by, set_at) "
                    "VALUES ('sync.hubs', '', '\"https://elsewhere.example\"', 1, 'old hub', '2026-01-01')"
                )
        client = HubClient([hub.url], hub.enroll())
        try:
            served = client.get_json("/api/v1/district-settings")["settings"]
        finally:
            client.close()
    assert served == {"screening.match_threshold": {"value": 0.95, "locked": False}}


def test_a_desk_ignores_its_link_settings_from_the_district_and_says_so_once(tmp_path: Path):
    # The desk ignores what a hub sends: the hub here is a plain server standing in for a bad one.
    desk = Services.open(tmp_path / "desk")
    desk.settings.set(DISPATCH_URL, "https://hub.district.example")
    settings = {
        "dispatch.url": {"value": "https://elsewhere.example", "locked": True},
        "dispatch.ca_file": {"value": "/tmp/their-ca.pem", "locked": True},
        "sync.hubs": {"value": "https://elsewhere.example", "locked": False},
        "screening.match_threshold": {"value": 0.95, "locked": True},
    }
    answers = {
        "/api/v1/lists": {"version": 0, "lists": []},
        "/api/v1/district-settings": {"school": "Maple Grove Elementary", "settings": settings},
    }
    try:
        with canned_hub(answers) as url:
            for _ in range(2):
                client = HubClient([url], "any")
                try:
                    desk.district_lists.pull(client)
                finally:
                    client.close()
        assert desk.settings.get(SCREEN_MATCH) == 0.95  # the district's own settings are taken
        assert desk.settings.get(DISPATCH_URL) == "https://hub.district.example"
        assert desk.settings.get(DISPATCH_CA_FILE) == ""
        assert desk.settings.get(SYNC_HUBS) == ""
        [event] = desk.events.recent(source="district lists")  # said once, not every round
        assert event.level == "warning"
        assert "dispatch.ca_file, dispatch.url, sync.hubs" in event.message and "ignored" in event.message
        [record] = desk.audit.records(action="district_settings.link_ignored")
        assert record.details["keys"] == ["dispatch.ca_file", "dispatch.url", "sync.hubs"]
        # A row of the district's layer written before the desk ignored them is not used either.
        with desk.store.transaction() as db:
            db.execute("INSERT INTO district_settings (key, value, locked) VALUES ('sync.hubs', ?, 1)",
                       [json.dumps("https://elsewhere.example")])  # fmt: skip
        assert desk.settings.get(SYNC_HUBS) == ""
        verified = desk.audit.verify()
        assert verified.intact, (verified.message, verified.outside)
    finally:
        desk.close()
