"""Session 22's red team (found through two kiosks): programs that open a data folder's database for the first
time at the same moment, or after an upgrade brought new migrations (a desk and a kiosk started together at
log-on), must all open it. Real processes on a real SQLite folder."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.cli_helpers import ROOT

OPEN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path

    go = Path(sys.argv[2])
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.0005)
    from frontdesk.context import Services

    services = Services.open(sys.argv[1])
    services.station  # the panic outbox (outbox.db), made by the first program that needs it
    print("opened", flush=True)
    """
)


def test_programs_opening_a_new_data_folder_together_all_open_it(tmp_path):
    """Found in session 22: two kiosks on a new folder, at their first check-in, both built the panic outbox; one
    failed with "The FrontDesk database failed: table dispatch_outbox already exists" (or "UNIQUE constraint
    failed: _migrations.name"): the two read the migrations to apply before either took the write lock. Each
    migration is now applied under the write lock, after checking that no other program applied it first."""
    failures = []
    for round_ in range(4):
        folder, go = tmp_path / f"data{round_}", tmp_path / f"go{round_}"
        programs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN, str(folder), str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                cwd=ROOT,
            )
            for _ in range(3)
        ]
        for program in programs:
            assert program.stdout.readline().strip() == "ready"
        go.touch()
        for program in programs:
            out, err = program.communicate(timeout=120)
            if out.strip() != "opened":
                failures.append(err.strip()[-3000:] if err.strip() else f"exit {program.returncode}")  # where, too
    assert failures == [], "\n\n".join(
        failures
    )  # each failing program's own traceback, whole (pytest cuts a list)
