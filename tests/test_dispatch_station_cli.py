"""``frontdesk panic …`` and ``frontdesk dispatch connect`` against the real console, in and out of process.

The SIGKILL tests run ``frontdesk panic lockdown`` as a real process, kill it the moment it reports the
alert committed, and let a new process (``frontdesk panic drain``) deliver the outbox.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import keyring
import pytest

from frontdesk.cli import main
from frontdesk.context import Services
from frontdesk.dispatch.credentials import SERVICE, USERNAME
from tests.dispatch_station_support import console_at, set_up_station

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def console(tmp_path):
    with console_at(tmp_path / "console") as c:
        yield c


def run(argv: list[str], stdin: str = "", monkeypatch=None) -> int:
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(argv)


def connected(data_dir: Path, console, monkeypatch) -> None:
    services = Services.open(data_dir)
    set_up_station(services)
    services.close()
    with console.up():
        assert (
            run(
                ["--data-dir", str(data_dir), "dispatch", "connect", console.url],
                console.credential + "\n",
                monkeypatch,
            )
            == 0
        )


def test_connect_checks_the_credential_and_keeps_it_in_the_keyring(
    data_dir, keyring_file, console, monkeypatch, capsys
):
    with console.up():
        code = run(
            ["--data-dir", str(data_dir), "dispatch", "connect", console.url], "fdst_nope_bad\n", monkeypatch
        )
        assert code == 2
        assert "credential is not valid" in capsys.readouterr().err
        assert keyring.get_password(SERVICE, USERNAME) is None
        code = run(
            ["--data-dir", str(data_dir), "dispatch", "connect", console.url],
            console.credential + "\n",
            monkeypatch,
        )
    assert code == 0
    assert "Main office desk" in capsys.readouterr().out
    assert json.loads(keyring_file.read_text()) == {f"{SERVICE}\n{USERNAME}": console.credential}
    # The credential is in the keyring only, never in the database.
    assert console.credential.encode() not in (data_dir / "frontdesk.db").read_bytes()
    code = run(
        ["--data-dir", str(data_dir), "dispatch", "connect", "http://127.0.0.1:9"],
        console.credential + "\n",
        monkeypatch,
    )
    assert code == 2 and "cannot be reached" in capsys.readouterr().err


def test_connect_refuses_plain_http_to_another_machine_without_insecure(
    data_dir, keyring_file, console, monkeypatch, capsys
):
    elsewhere = f"http://0.0.0.0:{console.port}"  # this machine, but not a loopback address: treated as remote
    with console.up():
        code = run(
            ["--data-dir", str(data_dir), "dispatch", "connect", elsewhere], console.credential + "\n", monkeypatch
        )
        assert code == 2 and "Refused" in capsys.readouterr().err
        assert keyring.get_password(SERVICE, USERNAME) is None
        argv = ["--data-dir", str(data_dir), "dispatch", "connect", elsewhere, "--insecure"]
        assert run(argv, console.credential + "\n", monkeypatch) == 0
    assert "NOT ENCRYPTED" in capsys.readouterr().err


def test_panic_prints_status_changes_and_exits_by_outcome(data_dir, keyring_file, console, monkeypatch, capsys):
    connected(data_dir, console, monkeypatch)
    capsys.readouterr()
    base = ["--data-dir", str(data_dir), "panic"]
    assert run([*base, "lockdown", "--wait", "0.5"]) == 3  # console down: still queued
    out = capsys.readouterr().out
    assert "Queued — sending to dispatch" in out and "Still not delivered" in out
    with console.up():
        assert run([*base, "medical", "--note", "Student fainted", "--wait", "10"]) == 0
    out = capsys.readouterr().out
    assert "Received by dispatch at" in out
    assert len(console.identifiers()) == 2  # the queued lockdown went first, then the medical alert
    assert run([*base, "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["queued"] == 0 and [m["action"] for m in status["messages"]] == ["MEDICAL", "LOCKDOWN"]
    console.service.auth.revoke(console.credential.split("_")[1])
    with console.up():
        assert run([*base, "fire", "--exercise", "--wait", "10"]) == 4
    assert "REJECTED by dispatch" in capsys.readouterr().out
    with pytest.raises(SystemExit) as bad:
        run([*base, "explode"])
    assert bad.value.code == 2


def test_connect_to_an_address_that_answers_but_is_not_a_console_says_so_in_one_line(data_dir, keyring_file):
    """A careless address (the district's web site, a captive portal: anything that answers every request
    200 with a page): ``dispatch connect`` as a process exits 2 with one line saying that what answered is not
    a dispatch console, and connects nothing. Before: a JSONDecodeError traceback."""
    import http.server
    import threading

    class Everything(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            page = b"<html><body>Welcome to the district web site</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Everything)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "frontdesk", "--data-dir", str(data_dir), "dispatch", "connect", url],
            input="fdst_abc_def\n",
            cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "not as a dispatch console" in done.stderr
    assert keyring.get_password(SERVICE, USERNAME) is None


def _frontdesk(data_dir: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "frontdesk", "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("console_up", [False, True], ids=["console-down", "console-up"])
def test_station_killed_right_after_the_press_then_a_new_process_delivers(
    data_dir, keyring_file, console, monkeypatch, console_up
):
    connected(data_dir, console, monkeypatch)
    with console.up() if console_up else _nothing():
        proc = _frontdesk(data_dir, "panic", "lockdown", "--note", "killed at once")
        line = proc.stdout.readline()  # "Alert LOCKDOWN (Actual) committed: fd-…"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert "committed:" in line, line + proc.stderr.read()
    identifier = line.rsplit(" ", 1)[1].strip()
    with console.up():
        drain = _frontdesk(data_dir, "panic", "drain", "--wait", "10")
        out, err = drain.communicate(timeout=30)
        assert drain.returncode == 0, out + err
        assert console.identifiers() == [identifier]  # exactly once, whether or not the first process got it out
    services = Services.open(data_dir)
    assert services.station.get(identifier).state == "received"


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
