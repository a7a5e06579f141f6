"""The district hub as a real process on loopback, for the district lists tests and benchmark."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from dispatch_fixtures import one_worker, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``frontdesk ARGS`` in a subprocess (text output)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "ui.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
    )


@dataclass
class Hub:
    """A hub process (``frontdesk dispatch serve``) and its database URL."""

    url: str
    db: str
    process: subprocess.Popen

    def cli(self, *args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
        """``frontdesk ARGS --db URL`` against this hub's database."""
        return run_cli(*args, "--db", self.db, stdin=stdin, timeout=timeout)

    def enroll(self, school: str = "Maple Grove Elementary", station: str = "Main office desk") -> str:
        """Enrol a desk; returns its credential.

        In this process, through the console's service as ``frontdesk dispatch enroll`` calls it (as
        hub_sync_support's hubs do): here it only prepares a test, and a command-line process cost about a second
        of CPU each. The command itself is tested in test_dispatch_console_faults.py."""
        from district.console.service import ConsoleService

        service = ConsoleService.open(self.db)
        try:
            return service.auth.enroll(school, station, "").credential
        finally:
            service.close()

    def staff(self, name: str, role: str, password: str = "correct horse battery") -> None:
        """Add a district staff member."""
        done = self.cli("district", "staff", "add", name, "--role", role, stdin=password + "\n")
        assert done.returncode == 0, done.stderr


@contextmanager
def hub_process(db: str, log: Path, *extra: str, env: dict[str, str] | None = None) -> Iterator[Hub]:
    """Serve the hub over ``db`` in its own process on a free loopback port until the block ends (``extra``:
    more options of ``dispatch serve``; ``env``: more environment), once it answers (``wait_until_serving``)."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ui.main",
                "dispatch",
                "serve",
                "--db",
                db,
                "--port",
                str(port),
                *one_worker(extra),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(process, url, path="/api/v1/lists", said=lambda: log.read_text()[-2000:])
    try:
        yield Hub(url, db, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def hubs_per_backend(request, tmp_path_factory, start) -> Iterator:
    """For a module-scoped fixture of hubs that tests share: yields ``get(backend)``, which enters
    ``start(request, backend, folder)`` (a context manager: a hub and what the tests need of it) the first time a
    backend is asked for (the tests run in random order) and gives what it yielded; all are left when the block
    ends."""
    with ExitStack() as stack:
        made: dict[str, object] = {}

        def get(backend: str):
            if backend not in made:
                folder = tmp_path_factory.mktemp(f"{start.__name__.strip('_')}-{backend}")
                made[backend] = stack.enter_context(start(request, backend, folder))
            return made[backend]

        yield get


def assert_stored_as_sent(desk, client, source: str = "District barred list") -> dict[int, dict]:
    """Each of ``desk``'s stored rows of the district list is ``entry_row``'s of the entry the hub's snapshot
    of ``source`` carries (asked of the hub through ``client``), field for field, one row per entry; returns
    the snapshot's entries by the hub's id."""
    from frontdesk.district_lists.service import new_entry
    from frontdesk.screening.lists import entry_row
    from frontdesk.screening.models import Kind

    columns = (
        "e.list_id, e.kind, e.first_name, e.middle_name, e.last_name, e.aliases, e.dob, e.reason, "
        "e.valid_from, e.valid_until, e.notes, e.students, e.photo, e.search, e.sex, e.id_state, e.id_last4"
    )
    stored = desk.store.db.execute(
        f"SELECT m.hub_id, {columns} FROM district_list_entries m JOIN screening_entries e ON e.id = m.entry_id"
    ).fetchall()
    lines = b"".join(client.stream("/api/v1/lists/snapshot", {"source": source})).splitlines()
    sent = {json.loads(line)["id"]: json.loads(line)["entry"] for line in lines[1:-1]}
    assert len(stored) == len(sent)
    for hub_id, *row in stored:
        new = new_entry(sent[hub_id])
        assert tuple(row) == entry_row(row[0], new.kind or Kind.BARRED, new)
    return sent


def assert_old_list_in_force(desk) -> None:
    """``desk`` still screens with the whole first list (Robert Smith barred, Dana Cole not yet on it): nothing
    half-built is left staging or in force, and the audit trail is intact."""
    from frontdesk.screening.dates import parse_dob
    from frontdesk.screening.models import Decision, Query

    def screen(first: str, last: str, dob: str):
        return desk.screener.screen(Query(first, last, dob=parse_dob(dob))).decision

    assert screen("Robert", "Smith", "1980-03-14") == Decision.MATCH
    assert screen("Dana", "Cole", "1981-01-01") == Decision.CLEAR
    db = desk.store.db
    assert db.execute("SELECT count(*) FROM screening_lists WHERE state = 'staging'").fetchone()[0] == 0
    live = (
        "SELECT count(*) FROM screening_entries e JOIN screening_lists l ON l.id = e.list_id AND l.state = 'live'"
    )
    assert db.execute(live).fetchone()[0] == 2
    assert desk.audit.verify().intact
