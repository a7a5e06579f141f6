"""Fixtures for the dispatch console: a throw-away PostgreSQL cluster, a console database on each backend,
and a console served on 127.0.0.1. Imported by ``tests/conftest.py``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from frontdesk.wire import cap


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_worker(extra: tuple[str, ...] | list[str] = ()) -> list[str]:
    """``dispatch serve`` options for a test's console or hub: ``extra``, run as one worker process unless
    ``extra`` asks for workers itself. The default (one worker per core, each with its sync processes) starts
    seven Python processes per server; the tests of several workers ask for them (test_dispatch_console_abuse,
    test_hub_processes)."""
    extra = list(extra)
    return extra if "--workers" in extra else [*extra, "--workers", "1"]


def wait_until_serving(
    proc: subprocess.Popen, url: str, *, timeout: float = 30, path: str = "/api/v1/station", verify=True
) -> None:
    """Wait until the console or hub ``proc`` answers ``url + path`` with 401 (up, asking who is calling).

    If it exits or does not answer within ``timeout`` seconds it is killed (a test that fails here must not
    leave a server running for the rest of the session) and the test fails with what it wrote to stderr.
    """
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(url + path, timeout=1, verify=verify).status_code == 401:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    said = ""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if proc.stderr is not None:
        said = proc.stderr.read().decode(errors="replace")[-2000:]
    raise RuntimeError(f"the server at {url} did not start within {timeout:.0f} s: {said}")


def serve_console(db_url: str, port: int, *, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``frontdesk dispatch serve`` on 127.0.0.1:``port`` over ``db_url`` as a process of its own (one worker),
    with ``env`` added to this process's environment; returns once it answers (see :func:`wait_until_serving`).
    """
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "frontdesk",
            "dispatch",
            "serve",
            "--port",
            str(port),
            "--db",
            db_url,
            *one_worker(),
        ],
        env={**os.environ, "PYTHONPATH": str(root), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_until_serving(proc, f"http://127.0.0.1:{port}")
    return proc


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL cluster for this test session only, on 127.0.0.1 and a free port; yields its URL."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (.ci/run installs it)")
    base = Path(tempfile.mkdtemp(prefix="frontdesk-pg-"))
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:  # PostgreSQL refuses to run as root: hand the folder to the postgres user
        shutil.chown(base, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    data = base / "data"
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    options = f"-k {base} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    started = subprocess.run(
        [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        log = (base / "log").read_text() if (base / "log").exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)


def new_console_db(request, backend: str, folder: Path) -> str:
    """The URL of a fresh, empty console database on ``backend``: a file in ``folder``, or a new schema on the
    session's PostgreSQL cluster (asked of ``request``)."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'console.db'}"
    import psycopg

    server = request.getfixturevalue("postgres_server")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{server}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def console_db_url(request, tmp_path: Path) -> str:
    """A fresh, empty console database on each backend (a new schema per test on PostgreSQL)."""
    return new_console_db(request, request.param, tmp_path)


@dataclass
class Console:
    """A console served on loopback, with helpers for tests."""

    service: object
    url: str

    def enroll(self, school: str = "Maple Grove Elementary", station: str = "Main office desk", room: str = "101"):
        """Enrol a station; returns ``(station, headers)`` with its bearer header."""
        enrolment = self.service.auth.enroll(school, station, room)
        return enrolment.station, {"Authorization": f"Bearer {enrolment.credential}"}

    def clearer(
        self, school: str = "Maple Grove Elementary", role: str = "principal", name: str = "Pat Principal"
    ):
        """Enrol a principal (or administrator) who may sign an all clear; returns their all-clear code."""
        return self.service.clearers.add(name, role, school)[1]


def make_alert(station, **kw) -> cap.CapMessage:
    """A CAP alert from ``station`` (a new identifier unless given)."""
    base = dict(
        identifier=cap.new_identifier(),
        sender=cap.station_sender(station.station_id),
        sent=datetime.now(UTC),
        school=station.school,
        room=station.room,
        station=station.name,
        staff="Pat Demo",
        floor="1",
        roster=(cap.RosterEntry("Avery Testwood", "visitor", "Gym", datetime.now(UTC).replace(microsecond=0)),),
    )
    base.update(kw)
    return cap.CapMessage(**base)


CAP_HEADERS = {"Content-Type": "application/cap+xml"}


@pytest.fixture
def console(console_db_url: str) -> Iterator[Console]:
    """A console (fast supervision and watching) on a fresh database of each backend."""
    from district.console.server import running
    from district.console.service import ConsoleService

    service = ConsoleService.open(console_db_url, name="east")
    with running(service, watch_interval=0.1, supervise_interval=0.2) as url:
        yield Console(service, url)
    service.close()
