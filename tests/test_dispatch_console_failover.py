"""Two consoles on one PostgreSQL, each its own process, and a desk connected to both
(``dispatch connect URL1,URL2``): either console killed hard (SIGKILL) while the desk sends.

The desk's link fails over to the survivor: every press is stored once (none lost, none doubled), the
survivor's dispatcher acknowledges and the desk hears it, and the acknowledgements are what both consoles
show (the killed one, restarted, reads them from the shared database).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from dispatch_fixtures import _free_port, wait_until_serving

from district.console.service import ConsoleService
from frontdesk.context import Services
from tests.dispatch_station_support import FAST, link_running, set_up_station

ROOT = Path(__file__).resolve().parent.parent


def wait_for(predicate: Callable[[], object], timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _schema(server: str) -> str:
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{server}?options=-csearch_path%3D{schema}"


def _serve(db_url: str, name: str, port: int) -> subprocess.Popen:
    """A console process on ``port`` (one worker), once it answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "district", "serve", "--port", str(port), "--db", db_url, "--name", name,
         "--workers", "1"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_until_serving(proc, f"http://127.0.0.1:{port}")
    return proc


def _signed_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=10)
    answer = client.post("/api/v1/session", json={"username": "Dana Dispatch", "password": "correct horse"})
    assert answer.status_code == 200
    return client


@pytest.mark.parametrize("victim", ["the one in use", "the other one"])
def test_a_desk_keeps_alerting_whichever_console_survives(
    victim, services: Services, keyring_file, postgres_server
):
    db_url = _schema(postgres_server)
    service = ConsoleService.open(db_url)
    enrolment = service.auth.enroll("Maple Grove Elementary", "Main office desk", "Room 101")
    service.auth.add_dispatcher("Dana Dispatch", "correct horse")
    ports = [_free_port(), _free_port()]
    procs = [_serve(db_url, "north", ports[0]), _serve(db_url, "south", ports[1])]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        set_up_station(services)
        services.station.connect(",".join(urls), enrolment.credential)
        station = services.station
        with link_running(services, FAST) as link:
            first = station.press("lockdown", note="before the crash")
            wait_for(lambda: station.get(first.identifier).received_at, what="the first alert received")
            dead = 0 if victim == "the one in use" else 1
            procs[dead].kill()  # SIGKILL: no shutdown of any kind
            procs[dead].wait()
            survivor = urls[1 - dead]
            later = [station.update(first.identifier, location=f"hallway {n}") for n in range(3)]
            for entry in later:
                wait_for(
                    lambda e=entry: station.get(e.identifier).received_at, what=f"{entry.identifier} received"
                )
            # The survivor's dispatcher acknowledges the incident; the desk hears it on the survivor.
            dispatcher = _signed_in(survivor)
            incidents = dispatcher.get("/api/v1/board").json()["incidents"]
            assert len(incidents) == 1
            assert dispatcher.post(f"/api/v1/incidents/{incidents[0]['id']}/ack", json={}).status_code == 200
            everything = [first, *later]
            for entry in everything:
                wait_for(
                    lambda e=entry: station.get(e.identifier).acked_by, what=f"{entry.identifier} acknowledged"
                )
            assert link.health.ok
        # Stored once each: nothing lost, nothing doubled.
        rows = service.db.read().all("SELECT identifier, acked_by FROM alerts ORDER BY seq")
        assert sorted(r[0] for r in rows) == sorted(e.identifier for e in everything)
        assert {r[1] for r in rows} == {"Dana Dispatch"}
        # The killed console, back on its port, shows the acknowledgements made on the other.
        procs[dead] = _serve(db_url, "restarted", ports[dead])
        for url in urls:
            board = _signed_in(url).get("/api/v1/board").json()
            [incident] = board["incidents"]
            assert incident["unacknowledged"] == 0
            assert {m["acked_by"] for m in incident["messages"]} == {"Dana Dispatch"}
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        service.close()
