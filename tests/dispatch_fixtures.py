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
from collections.abc import Callable, Iterator
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


# A server that has not answered yet is waited for as long as it is busy starting: its processes used CPU
# lately, or are runnable or waiting on the disk (a loaded machine starts it slowly, not never). It fails at
# once if it exits; after STALLED_AFTER seconds of sitting idle (it waits for something that will not come);
# and after START_CEILING seconds in any case, short of pytest's 300 s timeout so that the failure says why.
STALLED_AFTER = 60.0
START_CEILING = 240.0


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its live descendants (Linux: /proc/PID/task/*/children)."""
    tree = [pid]
    for parent in tree:  # grows while it is walked: children, then theirs
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                tree.extend(int(child) for child in children.read_text().split())
            except (OSError, ValueError):
                pass
    return tree


def process_activity(pid: int) -> tuple[float, bool] | None:
    """``(CPU seconds, busy)`` of ``pid`` and its live descendants: the CPU time they (and the children they
    reaped) used so far, and whether one of them is runnable or in disk wait now. None where /proc cannot
    tell (not Linux, or the process is gone)."""
    cpu, busy, found = 0, False, False
    for member in _process_tree(pid):
        try:
            stat = Path(f"/proc/{member}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (name) ": state is field 3 of proc(5)
        busy = busy or fields[0] in ("R", "D")
        cpu += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime (fields 14-17), in ticks
        found = True
    return (cpu / os.sysconf("SC_CLK_TCK"), busy) if found else None


def wait_until_serving(
    proc: subprocess.Popen,
    url: str,
    *,
    path: str = "/api/v1/station",
    verify=True,
    said: Callable[[], str] | None = None,
) -> None:
    """Wait until the console or hub ``proc`` answers ``url + path`` with 401 (up, asking who is calling).

    It is waited for while it is alive and busy starting (see STALLED_AFTER); if it exits, sits idle or is
    not up within START_CEILING, it is killed (a test that fails here must not leave a server running for
    the rest of the session) and the test fails with why and what it wrote (``said``: read its log; default:
    its stderr pipe).
    """
    started = last_busy = time.monotonic()
    last_cpu: float | None = None
    why = ""
    # One client for every look: a new one (httpx.get) builds an SSL context each time, about 35 ms of CPU,
    # which every 50 ms took a good part of a core from the server starting beside it.
    with httpx.Client(timeout=5, verify=verify) as client:
        while not why:
            try:
                if client.get(url + path).status_code == 401:
                    return
            except httpx.HTTPError:
                pass
            now = time.monotonic()
            activity = process_activity(proc.pid)
            if activity is None or activity[1] or activity[0] != last_cpu:
                last_busy = now  # starting (or /proc cannot tell: only the ceiling applies)
            last_cpu = activity[0] if activity is not None else None
            if proc.poll() is not None:
                why = f"it exited with status {proc.returncode}"
            elif now - last_busy > STALLED_AFTER:
                why = f"it sat idle for {STALLED_AFTER:.0f} s (waiting for something that did not come)"
            elif now - started > START_CEILING:
                why = f"it was still starting after {START_CEILING:.0f} s"
            else:
                time.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if said is not None:
        output = said()
    elif proc.stderr is not None:
        output = proc.stderr.read().decode(errors="replace")[-2000:]
    else:
        output = ""
    raise RuntimeError(f"the server at {url} did not start: {why}: {output}")


def serve_console(
    db_url: str, port: int, *, env: dict[str, str] | None = None, tree: Path | None = None
) -> subprocess.Popen:
    """``frontdesk dispatch serve`` on 127.0.0.1:``port`` over ``db_url`` as a process of its own (one worker),
    with ``env`` added to this process's environment; returns once it answers (see :func:`wait_until_serving`).
    ``tree``: the source tree to run (an earlier release's, tests/upgrade_support.py), else this one; run from it,
    since ``python -m`` puts the working folder first on the import path.
    """
    root = tree or Path(__file__).resolve().parent.parent
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
        cwd=root,
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
