"""Helpers for the hub sync tests: the hub as a real process on loopback, desks as data folders whose
commands run as real ``frontdesk`` processes (each desk with a keyring file of its own)."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frontdesk import settings as s
from frontdesk.context import Services
from frontdesk.dispatch.credentials import SERVICE, USERNAME
from tests.dispatch_fixtures import one_worker, wait_until_serving
from tests.dispatch_keyring import KEYRING_FILE_ENV

ROOT = Path(__file__).resolve().parent.parent
SCHOOL = "Maple Grove Elementary"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Hub:
    """``frontdesk dispatch serve`` as a process on 127.0.0.1 (start, kill, start again on the same port)."""

    db_url: str
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    cert: Path | None = None  # with ``key``: served over HTTPS
    key: Path | None = None
    env: dict[str, str] = field(default_factory=dict)  # added to its environment (e.g. FRONTDESK_HUB_NOTIFY)
    _reader: Any = field(default=None, repr=False)  # count()'s connection to the database

    @property
    def url(self) -> str:
        return f"{'https' if self.cert else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> Hub:
        env = {**os.environ, "PYTHONPATH": str(ROOT), **self.env}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "frontdesk", "dispatch", "serve", "--port", str(self.port)]
            + ["--db", self.db_url]
            + (["--cert", str(self.cert), "--key", str(self.key)] if self.cert else [])
            + one_worker(),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        verify = ssl.create_default_context(cafile=str(self.cert)) if self.cert else True
        wait_until_serving(self.proc, self.url, verify=verify)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def enroll(self, school: str, station: str) -> tuple[str, str]:
        """Enrol a desk (straight into the hub's database); returns ``(station_id, credential)``."""
        from district.console.service import ConsoleService

        service = ConsoleService.open(self.db_url)
        try:
            enrolment = service.auth.enroll(school, station, "101")
        finally:
            service.close()
        return enrolment.station.station_id, enrolment.credential

    def count(self, sql: str, params: list | None = None) -> int:
        """A number read from the hub's database, through one connection kept until :meth:`kill` (tests
        wait on this in loops: a new connection each time is a PostgreSQL backend started each time)."""
        from district.console.db import Database

        if self._reader is None:
            self._reader = Database(self.db_url)
        return int(self._reader.read().one(sql, params or [])[0])


@dataclass
class Desk:
    """One desk: its data folder and keyring file; its commands run as ``frontdesk`` processes."""

    folder: Path
    name: str
    station_id: str = ""
    clock_offset: float = 0.0  # seconds this desk's clock is off

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHON_KEYRING_BACKEND": "tests.dispatch_keyring.FileKeyring",
            KEYRING_FILE_ENV: str(self.folder / "keyring.json"),
            "FRONTDESK_ALLOW_FILE_KEYRING": "1",
            "FRONTDESK_DATA_DIR": str(self.folder / "data"),
            "FRONTDESK_CLOCK_OFFSET_SECONDS": str(self.clock_offset),
        }

    def set_up(self, hub: Hub, school: str, *, urls: str = "", url: str = "") -> Desk:
        """The desk's settings and its hub credential (as 'dispatch connect' leaves them)."""
        station_id, credential = hub.enroll(school, self.name)
        self.station_id = station_id
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "keyring.json").write_text(json.dumps({f"{SERVICE}\n{USERNAME}": credential}))
        services = Services.open(self.folder / "data")
        try:
            st = services.settings
            st.set(s.SCHOOL_NAME, school)
            st.set(s.STATION_NAME, self.name)
            st.set(s.STAFF_NAME, "Pat Example")
            st.set(s.DISPATCH_URL, url or hub.url)
            st.set(s.DISPATCH_STATION_ID, station_id)
            if urls:
                st.set(s.SYNC_HUBS, urls)
        finally:
            services.close()
        return self

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "frontdesk", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "frontdesk", *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def json(self, *args: str) -> object:
        done = self.run(*args, "--json")
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return json.loads(done.stdout)

    def check_in(self, first: str, last: str, *extra: str) -> str:
        """Check a visitor in; returns the badge code."""
        return self.json("checkin", "--first-name", first, "--last-name", last, *extra)["badge_code"]  # type: ignore[index]

    def sync(self, wait: float = 30) -> dict:
        done = self.run("sync", "--wait", str(wait), "--json")
        assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
        return json.loads(done.stdout)

    def on_site(self) -> list[tuple[str, str]]:
        """(name, station) of everyone on the desk's on-site list, sorted."""
        rows = self.json("onsite")
        return sorted((f"{r['first_name']} {r['last_name']}", r["station"]) for r in rows)  # type: ignore[union-attr]

    def services(self) -> Services:
        """The desk's services in this process (to make many changes quickly; close when done)."""
        return Services.open(self.folder / "data")

    def changes_made(self) -> int:
        """How many changes this desk has ever numbered for the hub (its outbox's last seq)."""
        services = self.services()
        try:
            row = services.store.db.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'"
            ).fetchone()
            return int(row[0]) if row else 0
        finally:
            services.close()

    def pending(self) -> int:
        return int(json.loads(self.run("sync", "status", "--json").stdout)["pending"])


def exactly_once(hub: Hub, desk: Desk) -> None:
    """Every change the desk ever made is at the hub once: as many rows as seqs, and no gap."""
    made = desk.changes_made()
    stored = hub.count("SELECT COUNT(*) FROM hub_changes WHERE station_id = ?", [desk.station_id])
    distinct = hub.count("SELECT COUNT(DISTINCT seq) FROM hub_changes WHERE station_id = ?", [desk.station_id])
    top = hub.count("SELECT COALESCE(MAX(seq), 0) FROM hub_changes WHERE station_id = ?", [desk.station_id])
    assert made > 0 and stored == distinct == top == made, (desk.name, made, stored, distinct, top)


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file (the hub is stopped: its WAL is part of what is read)."""
    import sqlite3

    target.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def backup_db(url: str, copy: Path) -> None:
    """District IT's backup of the hub's database (the hub is stopped): a copy of the file, or ``pg_dump``."""
    if url.startswith("sqlite:///"):
        _copy_sqlite(Path(url.removeprefix("sqlite:///")), copy)
        return
    server, schema = url.split("?")[0], url.split("search_path%3D")[1]
    subprocess.run(["pg_dump", "--format=custom", f"--schema={schema}", f"--file={copy}", server], check=True)


def restore_db(url: str, copy: Path) -> None:
    """The hub's database put back from the backup: the file copied back, or the schema dropped and
    ``pg_restore``d."""
    if url.startswith("sqlite:///"):
        _copy_sqlite(copy, Path(url.removeprefix("sqlite:///")))
        return
    import psycopg

    server, schema = url.split("?")[0], url.split("search_path%3D")[1]
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"DROP SCHEMA {schema} CASCADE")
    subprocess.run(["pg_restore", "--exit-on-error", f"--dbname={server}", str(copy)], check=True)


def hub_on_site(hub: Hub, school: str) -> list[tuple[str, str]]:
    from district.console.db import Database
    from district.hub.sync import HubSync

    db = Database(hub.db_url)
    try:
        return sorted((r["name"], r["station"]) for r in HubSync(db).on_site(school))
    finally:
        db.close()


def student(facts, sid: str) -> tuple[str, str]:
    """A student of a synthetic roster (``frontdesk.demo.oneroster``): (number, "First Last" of the first
    guardian)."""
    _first, _last, number, _ = facts.student[sid]
    guardian = facts.guardian[facts.links[sid][0]]
    return number, f"{guardian[0]} {guardian[1]}"


def release(desk: Desk, number: str, adult: str) -> tuple[int, dict]:
    """``students release NUMBER --to ADULT`` at ``desk``: (exit status, its JSON, or its stderr)."""
    done = desk.run("students", "release", number, "--to", adult, "--reason", "Dentist", "--json")
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {"stderr": done.stderr}


def bar_barredman(desk: Desk, *extra: str) -> subprocess.CompletedProcess:
    """The office bars Robert Barredman (born 1980-03-14) on its own list at ``desk`` (``barred add``; its output,
    checked): the sync tests' barred person."""
    added = desk.run(
        "barred", "add", "--source", "Office barred list", "--first-name", "Robert", "--last-name", "Barredman",
        "--dob", "1980-03-14", "--kind", "barred", "--reason", "Threatened staff", *extra,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    return added


def with_roster(desk: Desk, roster) -> Desk:
    """``desk`` with the school's roster bundle (``roster``: a students fixture's (bundle, facts)) imported."""
    services = desk.services()
    try:
        services.students.import_bundle(roster[0])
    finally:
        services.close()
    return desk


def students_out(desk: Desk) -> list[str]:
    """The numbers of the students ``students out`` lists at ``desk`` (signed out today)."""
    return [m["student"]["number"] for m in desk.json("students", "out")]  # type: ignore[union-attr]
