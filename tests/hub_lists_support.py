"""The district hub as a real process on loopback, for the district lists tests and benchmark."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from dispatch_fixtures import one_worker

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
        """Enrol a desk; returns its credential."""
        done = self.cli("dispatch", "enroll", "--school", school, "--station", station)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    def staff(self, name: str, role: str, password: str = "correct horse battery") -> None:
        """Add a district staff member."""
        done = self.cli("district", "staff", "add", name, "--role", role, stdin=password + "\n")
        assert done.returncode == 0, done.stderr


@contextmanager
def hub_process(
    db: str, log: Path, *extra: str, env: dict[str, str] | None = None, wait: float = 60
) -> Iterator[Hub]:
    """Serve the hub over ``db`` in its own process on a free loopback port until the block ends (``extra``:
    more options of ``dispatch serve``; ``env``: more environment; ``wait``: seconds it may take to start)."""
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
    deadline = time.monotonic() + wait
    while True:
        try:
            if httpx.get(url + "/api/v1/lists", timeout=2).status_code == 401:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the hub did not start: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    try:
        yield Hub(url, db, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
