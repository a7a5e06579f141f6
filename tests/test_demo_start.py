"""`make run` on an unconfigured machine: the whole demo start-up path, as ``ui.app.run`` wires it.

The demo seeds staff accounts, so the desk opens locked; its dispatch link must still connect itself to
the demo console before anyone signs in (a crash here once broke ``make run``).
"""

from __future__ import annotations

from frontdesk.access.session import SYSTEM_ACTOR
from frontdesk.demo import demo_services
from frontdesk.settings import SCHOOL_NAME
from ui.app import Shell
from ui.dispatch.dispatch_setup import DispatchStarter


def test_demo_desk_starts_with_its_console_before_anyone_signs_in(qtbot, qapp, tmp_path):
    services = demo_services(tmp_path / "demo")
    assert services.session.accounts_exist()  # the demo has staff accounts: nobody is signed in yet
    shell = Shell(services, demo=True)
    qtbot.addWidget(shell)
    starter = DispatchStarter(shell, qapp)
    try:
        window = shell.desk
        assert window is not None and "DEMO" in window.windowTitle()
        assert "Demo dispatch console at http://127.0.0.1:" in window.message.text()
        qtbot.waitUntil(lambda: window.health["dispatch"].state == "ok", timeout=15_000)
        # The app connected itself, and the audit trail says so (not a person, not the desk).
        with services.session.acting_as(SYSTEM_ACTOR):  # reading the trail needs a principal or admin
            assert services.audit.records(actor="system"), "the demo's self-connection is not audited"
        assert services.settings.get(SCHOOL_NAME).endswith("(DEMO)")
    finally:
        starter.on_quit()


def test_demo_folders_are_removed_on_exit_and_leftovers_at_the_next_start(tmp_path):
    import os
    import subprocess
    import sys
    import time

    from frontdesk.demo import DEMO_PREFIX
    from tests.cli_helpers import ROOT

    # A folder a killed demo left behind (its process is gone), and one that is not ours to judge.
    leftover = tmp_path / f"{DEMO_PREFIX}crashed"
    leftover.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (leftover / "owner.pid").write_text(dead.stdout.strip())
    (leftover / "frontdesk.db").write_bytes(b"x")
    foreign = tmp_path / f"{DEMO_PREFIX}someone-elses"
    foreign.mkdir()
    old = tmp_path / f"{DEMO_PREFIX}from-an-older-version"  # no owner file, untouched for two days
    old.mkdir()
    (old / "frontdesk.db").write_bytes(b"x")
    os.utime(old, (time.time() - 2 * 86_400, time.time() - 2 * 86_400))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "ui.main", "--demo", "onsite"], capture_output=True, env=env, timeout=120, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(DEMO_PREFIX)) == [foreign.name]
