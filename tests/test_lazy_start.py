"""Start-up stays light (issue 13): services are built on first use, a simple command imports only what it
needs, and the command map the CLI uses for that matches what the command modules register.

No timing here (speed is for ``make bench``): these check *what* is loaded, which is what the speed rests on.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import threading

from cli_helpers import ROOT, frontdesk, text

from frontdesk.cli import COMMAND_MODULES, COMMANDS, command_of
from frontdesk.context import Services
from frontdesk.models import Visitor


def test_the_command_map_matches_what_the_modules_register():
    registered = {}
    for name in COMMAND_MODULES:
        parser = argparse.ArgumentParser()
        importlib.import_module(name).register(parser.add_subparsers())
        for command in parser._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
            registered[command] = name
    assert registered == COMMANDS


def test_the_command_is_found_past_the_global_options():
    assert command_of(["--data-dir", "onsite", "checkin", "--json"]) == "checkin"
    assert command_of(["--data-dir=/x", "--demo", "onsite"]) == "onsite"
    assert command_of(["--data", "/x", "--user", "ann", "log", "--date", "2026-01-01"]) == "log"
    assert command_of(["--help", "onsite"]) is None  # the whole list of commands
    assert command_of([]) is None


def test_services_are_built_on_first_use_and_once(data_dir):
    services = Services.open(data_dir)
    try:
        assert services.built() == []
        visits = services.visits
        # The hub's outbox and the other desks' visits come with the trail and the visits (issue 15).
        assert set(services.built()) == {"audit", "session", "settings", "visits", "sync_outbox", "remote_visits"}
        results = []
        threads = [threading.Thread(target=lambda: results.append(services.checkin)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len({id(r) for r in results}) == 1 and services.visits is visits
        visit = services.checkin.admit(Visitor("Ann", "Lazyfield"))
        assert [v.id for v in services.visits.on_site()] == [visit.id]
    finally:
        services.close()


_PROBE = """
import sys
from ui.main import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("sqlite_utils", "keyring", "rapidfuzz", "PIL", "reportlab", "httpx", "sqlcipher3",
                           "frontdesk.screening.screener", "frontdesk.checkin.workflow") if m in sys.modules)
print("LOADED", heavy, file=sys.stderr)
sys.exit(code)
"""


def test_onsite_loads_none_of_the_heavy_modules(data_dir):
    services = Services.open(data_dir)
    services.checkin.admit(Visitor("Ann", "Lazyfield"))
    services.close()
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, "--data-dir", str(data_dir), "onsite", "--json"],
        capture_output=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHON_KEYRING_BACKEND": ""},
        timeout=60,
    )
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 0, err
    assert [v["last_name"] for v in json.loads(out)] == ["Lazyfield"]
    assert "LOADED []" in err, err


def test_help_still_lists_every_command():
    for asked in ("--help", "-h", "--he"):  # argparse takes an abbreviation of --help too
        proc = frontdesk(asked)
        out = text(proc)[0]
        assert proc.returncode == 0
        for command in COMMANDS:
            assert command in out, (asked, command)


_LAUNCH = """
import sys
from frontdesk.cli import COMMAND_MODULES, main
opened = []
assert main(sys.argv[1:], open_app=opened.append) is None  # open_app's answer: append() returns None
assert opened and opened[0].command is None, opened
print(sorted(m for m in COMMAND_MODULES + ["reportlab"] if m in sys.modules))
"""


def test_launching_the_window_imports_no_command_module():
    """``frontdesk`` (and with --demo, --kiosk, --data-dir) opens the window: it registered every command group,
    importing each one's module (reportlab with the PDF reports), ~150 ms of every start of the desk."""
    for argv in ([], ["--demo"], ["--kiosk", "--data-dir", "/nowhere"], ["--data-dir=/nowhere"]):
        proc = subprocess.run(
            [sys.executable, "-c", _LAUNCH, *argv], capture_output=True, text=True, cwd=ROOT, timeout=60
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == "[]", (argv, proc.stdout)


def test_a_usage_error_names_the_help_to_read():
    assert "(see 'frontdesk --help')" in text(frontdesk("no-such-command"))[1]
    assert "(see 'frontdesk badge --help')" in text(frontdesk("badge", "--no-such-option"))[1]


def test_the_memory_keyring_is_never_chosen_by_keyring_itself():
    """Only where it is given: on a machine without a system keyring the desk must not encrypt with a key
    that dies with the process (it did, when MemoryKeyring outranked keyring's "fail" backend)."""
    probe = (
        "from frontdesk.secrets import MemoryKeyring, SecretStore\n"
        "import keyring.core\n"
        "print(type(keyring.core._detect_backend()).__name__, SecretStore().info().backend)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert "MemoryKeyring" not in proc.stdout.decode()
