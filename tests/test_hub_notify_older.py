"""District IT told of desks on an older FrontDesk (session 25).

Session 24 made the hub keep each desk's level of its school's shared records (``hub_desks.takes``, from its pulls)
and name a desk on a release that does not take them (it screens a person barred at the school's other desks
clear). Here: the hub's notices (``FRONTDESK_HUB_NOTIFY``, the desk-offline notice's settings, sender and rows)
email district IT once when such a desk is first seen, again only when what it misses changes, and "is updated"
when it catches up; and each place that names it says when it last synced (a forgotten PC or one in use) and what
to do. A real hub process on SQLite and PostgreSQL, aiosmtpd on 127.0.0.1, this tree's desk as a process, and
pulls at the wire as an older desk makes them (a desk of 3acce18 asks without ``shared``:
``tests/test_upgrade_older_desks.py`` runs the real one).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from district import clock
from district.console.service import ConsoleService
from district.hub import notify as hub_notify
from district.hub.sync import HubSync
from frontdesk.wire import sync as wire
from tests.hub_lists_support import run_cli
from tests.hub_sync_support import SCHOOL, Desk, Hub
from tests.notify_support import SmtpServer, free_port

DISTRICT = "security@district.example"
GYM = "Gym door"
MISSES = "bars and custody orders, pick-up changes or student releases"


@pytest.fixture
def plain(tmp_path):
    server = SmtpServer("none", tmp_path).start()
    yield server
    server.stop()


def _wait_for(predicate, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _notify_config(tmp_path: Path, server: SmtpServer) -> dict[str, str]:
    """The hub's notification settings (every day, every hour, UTC, a round every 0.3 s) as its environment."""
    config = tmp_path / "hub-notify.json"
    config.write_text(
        json.dumps(
            {
                "smtp_server": server.address,
                "smtp_security": "none",
                "from": "hub@district.example",
                "recipients": [DISTRICT],
                "school_hours": "00:00-23:59",
                "school_days": "mon-sun",
                "timezone": "UTC",
                "interval_seconds": 0.3,
                "link_base": "https://hub.district.example",
            }
        )
    )
    return {hub_notify.CONFIG_ENV: str(config)}


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


def _log_kinds(db_url: str) -> list[str]:
    service = ConsoleService.open(db_url)
    try:
        return [
            r[0]
            for r in service.db.read().all("SELECT kind FROM log WHERE kind LIKE ? ORDER BY seq", ["notify.%"])
        ]
    finally:
        service.close()


def test_district_it_is_emailed_when_a_desk_is_first_seen_older_again_when_that_changes_and_when_updated(
    plain, tmp_path, console_db_url
):
    hub = Hub(console_db_url, env=_notify_config(tmp_path, plain)).start()
    try:
        main = Desk(tmp_path / "main", "Main office desk").set_up(hub, SCHOOL)
        main.sync(10)
        gym_id, credential = hub.enroll(SCHOOL, GYM)
        pull = _puller(hub, credential)
        pull()  # the Gym door pulls as a desk from before sharing: level 0
        assert _wait_for(lambda: len(plain.received) == 1), hub.proc.stderr if hub.proc else ""
        for _ in range(3):
            pull()  # it goes on pulling at the same level: nothing new to tell
        main.sync(10)  # the upgraded desk beside it is not told of (it is up to date)

        pull(shared=0, takes=wire.TAKES)  # updated
        assert _wait_for(lambda: len(plain.received) == 2)
        # Rolled back to the older release: what it misses changed again. (A hub's sync processes each keep
        # what they last wrote of a desk and write its level again when it, or the school's visits, moved, else
        # once a minute: a visit first, so that this pull is written whichever process takes it.)
        main.check_in("Avery", "Testwood")
        main.sync(10)
        pull()
        assert _wait_for(lambda: len(plain.received) == 3)
        assert hub.count("SELECT count(*) FROM hub_notify_older") == 3  # one row per change, none per pull
        # Each is in the hub's log once sent (written just after the mail server took it).
        assert _wait_for(lambda: hub.count("SELECT count(*) FROM log WHERE kind LIKE ?", ["notify.%"]) == 3)
    finally:
        hub.kill()
    subjects = [r.message["Subject"] for r in plain.received]
    desk = f"{SCHOOL} {GYM} (101)"
    assert subjects == [
        f"{desk} is on an older FrontDesk",
        f"{desk} is updated",
        f"{desk} is on an older FrontDesk",
    ]
    assert all(r.rcpt == [DISTRICT] for r in plain.received)
    first = plain.received[0].message.get_content()
    assert first.startswith(
        f"{desk} is on an older FrontDesk and does not get this school's shared {MISSES}: a person barred at the "
        "school's other desks is screened clear there. It last synced within the hour ("
    ), first
    assert (
        "Update FrontDesk on that PC. If the PC is no longer used, revoke the desk on the district hub: "
        f"frontdesk dispatch revoke {gym_id}"
    ) in first
    assert first.rstrip().endswith("Open on the district hub: https://hub.district.example/")
    assert (
        plain.received[1]
        .message.get_content()
        .startswith(
            f"{desk} now takes this school's shared records: a bar made at the school's other desks reaches it."
        )
    )
    assert _log_kinds(console_db_url) == ["notify.desk_older", "notify.desk_updated", "notify.desk_older"]


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


def test_one_round_tells_only_what_district_it_has_not_heard_across_consoles(plain, console_db_url):
    """The older-desk rows of one round, on a real database with the hub's pull keeping the levels: told once
    across two consoles; a mail server away is retried; a desk updated before its notice went is never told of
    (nor "updated"); a desk revoked meanwhile is not told of."""
    from frontdesk.wire.smtp import SmtpConfig

    service = ConsoleService.open(console_db_url)
    other = ConsoleService.open(console_db_url)  # a second console on the same database
    try:
        hub = HubSync(service.db)
        enrol = {name: service.auth.enroll(SCHOOL, name, "").station for name in (GYM, "Annex", "Old PC", "Main")}

        def level(name: str, takes: int) -> None:
            hub.pull(enrol[name], 0, False, 0 if takes else None, takes=takes)

        settings = hub_notify.OfflineSettings(
            smtp=SmtpConfig(server=plain.address, security="none", sender="hub@district.example"),
            recipients=(DISTRICT,),
            tz=UTC,
        )
        away = hub_notify.OfflineSettings(
            smtp=SmtpConfig(server=f"127.0.0.1:{free_port()}", security="none", sender="hub@district.example"),
            recipients=(DISTRICT,),
            tz=UTC,
        )
        at = datetime.now(UTC)
        level("Main", wire.TAKES)
        level(GYM, 0)
        told = hub_notify.check_older_once(service.db, settings, at)
        assert [(t.station_id, t.state) for t in told] == [(enrol[GYM].station_id, "sent")]
        assert hub_notify.check_older_once(other.db, settings, at) == []  # the other console: nothing new
        assert hub_notify.check_older_once(service.db, settings, at + timedelta(minutes=1)) == []

        level("Annex", 0)
        level("Old PC", 0)
        queued = hub_notify.check_older_once(service.db, away, at + timedelta(minutes=2))
        assert sorted(t.state for t in queued) == ["queued", "queued"]
        assert all("could not be reached" in t.error for t in queued)
        level("Annex", wire.TAKES)  # updated before its notice went
        service.auth.revoke(enrol["Old PC"].station_id)  # the PC is gone
        later = hub_notify.check_older_once(service.db, settings, at + timedelta(hours=1))
        annex, old_pc = enrol["Annex"].station_id, enrol["Old PC"].station_id
        # Annex's older row is superseded by its "updated" row, and that one is not sent either: district IT
        # never heard it was older. The Old PC is revoked.
        assert sorted((t.station_id, t.state) for t in later) == sorted(
            [(annex, "superseded"), (annex, "unchanged"), (old_pc, "revoked")]
        )
        assert hub_notify.check_older_once(service.db, settings, at + timedelta(hours=2)) == []
        assert [r.message["Subject"] for r in plain.received] == [f"{SCHOOL} {GYM} is on an older FrontDesk"]
        rows = service.db.read().all(
            "SELECT station_id, n, misses, state FROM hub_notify_older ORDER BY created_at"
        )
        assert sorted(r[3] for r in rows) == ["revoked", "sent", "superseded", "unchanged"]
    finally:
        other.close()
        service.close()
