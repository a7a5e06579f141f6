"""District IT told of desks on an older FrontDesk (session 25).

Session 24 made the hub keep each desk's level of its school's shared records (``hub_desks.takes``, from its pulls)
and name a desk on a release that does not take them (it screens a person barred at the school's other desks
clear). Here: each place that names it says when it last synced (a forgotten PC or one in use) and what to do. A
real hub process on SQLite and PostgreSQL, this tree's desk as a process, and pulls at the wire as an older desk
makes them (a desk of 3acce18 asks without ``shared``: ``tests/test_upgrade_older_desks.py`` runs the real one).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from district import clock
from district.console.service import ConsoleService
from frontdesk.wire import sync as wire
from tests.hub_lists_support import run_cli
from tests.hub_sync_support import SCHOOL, Desk, Hub

DISTRICT = "security@district.example"
GYM = "Gym door"
MISSES = "bars and custody orders, pick-up changes or student releases"


def _puller(hub: Hub, credential: str):
    """A pull at the wire with the desk's credential: without ``shared``, as a desk from before sharing pulls."""

    def pull(**params) -> dict:
        answer = httpx.get(
            f"{hub.url}/api/v1/sync/pull",
            params={"after": 0, **params},
            headers={"Authorization": f"Bearer {credential}"},
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    return pull


def test_each_place_that_names_an_older_desk_says_when_it_last_synced_and_what_to_do(tmp_path, console_db_url):
    """A PC left on an older FrontDesk and then switched off for days: the main office's ``sync status``, the
    hub's district API and ``dispatch stations`` say "last synced 3 days ago", with update or revoke; ``dispatch
    stations --json`` gives each station its level (added keys ``takes`` and ``older``)."""
    hub = Hub(console_db_url).start()
    try:
        main = Desk(tmp_path / "main", "Main office desk").set_up(hub, SCHOOL)
        gym_id, credential = hub.enroll(SCHOOL, GYM)
        _puller(hub, credential)()  # level 0
        main.sync(10)
        live = main.json("sync", "status")["older_desks"]
        assert [d["words"] for d in live] == [
            f"The desk '{GYM}' is on an older FrontDesk and does not get this school's shared {MISSES} "
            "(last synced within the hour): have it updated, or revoked if that PC is no longer used."
        ]
        assert live[0]["last_synced"] is not None

        # Nobody has switched that PC on for three days (its last push and pull, as the hub keeps them).
        days_ago = clock.to_db(datetime.now(UTC) - timedelta(days=3, minutes=5))
        service = ConsoleService.open(console_db_url)
        try:
            with service.db.transaction() as tx:
                tx.execute(
                    "UPDATE hub_desks SET last_pull_at = ?, last_push_at = ? WHERE station_id = ?",
                    [days_ago, days_ago, gym_id],
                )
        finally:
            service.close()
        main.sync(10)
        words = (
            f"The desk '{GYM}' is on an older FrontDesk and does not get this school's shared {MISSES} "
            "(last synced 3 days ago): have it updated, or revoked if that PC is no longer used."
        )
        status = main.json("sync", "status")
        assert [d["words"] for d in status["older_desks"]] == [words]
        assert set(status["older_desks"][0]) == {"station", "misses", "words", "last_synced"}
        assert f"desk: {words}" in main.run("sync", "status").stdout.splitlines()

        listed = run_cli("dispatch", "stations", "--db", console_db_url)
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.splitlines()[-1] == (
            f"{SCHOOL}: {words} To revoke it: frontdesk dispatch revoke {gym_id}"
        ), listed.stdout
        as_json = run_cli("dispatch", "stations", "--json", "--db", console_db_url)
        assert as_json.returncode == 0, as_json.stderr
        stations = {s["name"]: s for s in json.loads(as_json.stdout)}
        assert (stations[GYM]["takes"], stations[GYM]["older"]) == (0, words)
        assert (stations["Main office desk"]["takes"], stations["Main office desk"]["older"]) == (wire.TAKES, "")
        assert {"station_id", "school", "name", "room", "last_seen", "online"} <= set(
            stations[GYM]
        )  # as they were
    finally:
        hub.kill()
