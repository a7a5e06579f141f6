"""District lists and settings a desk is served: an older answer replayed.

The real hub is a ``frontdesk dispatch serve`` process on loopback over SQLite; the answers it gave are then
served again, as they were, by a plain HTTP server on loopback (what a replayed older answer or a compromised
hub sends: no code of ours). The desks are the real core over their own SQLite files.
"""

from __future__ import annotations

import json
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
from frontdesk.settings import RETAIN_VISITS_DAYS
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
