"""A crash never loses a visit that was shown as checked in.

A child process checks visitors in as fast as it can and prints each badge code only after ``check_in``
returned (that is what the desk shows). We SIGKILL it mid-stream, then find every acknowledged visit in an
intact database — and a fresh process carries on writing to it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from tests.cli_helpers import ROOT

WRITER = textwrap.dedent(
    """
    import sys
    from frontdesk.context import Services
    from frontdesk.models import Visitor

    services = Services.open(sys.argv[1])
    i = 0
    while True:
        visit = services.checkin.admit(Visitor(first_name="Crash", last_name=f"Tester{i}"), again=True)
        sys.stdout.write(visit.badge_code + "\\n")
        sys.stdout.flush()
        i += 1
    """
)


@pytest.mark.parametrize("kill_after", [1, 37, 150])
def test_sigkill_mid_stream_loses_no_acknowledged_visit(data_dir, kill_after):
    acknowledged: list[str] = []
    for _round in range(2):  # kill twice on the same file: recovery after a crash must hold too
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data_dir)],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
        )
        assert child.stdout is not None
        for _ in range(kill_after):
            line = child.stdout.readline().decode().strip()
            assert line, "writer stopped early"
            acknowledged.append(line)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        # Anything it printed after our last read was also acknowledged to the (dead) desk.
        acknowledged += [x for x in child.stdout.read().decode().split() if x]

    conn = sqlite3.connect(data_dir / "frontdesk.db")
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = {row[0] for row in conn.execute("SELECT badge_code FROM visits")}
    missing = [code for code in acknowledged if code not in stored]
    assert missing == []
    assert len(stored) >= len(acknowledged)
