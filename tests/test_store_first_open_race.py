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


CONNECT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path

    {setup}
    folder, rounds = Path(sys.argv[1]), int(sys.argv[2])
    print("ready", flush=True)
    for n in range(rounds):
        go = folder / f"go{{n}}"
        while not go.exists():
            time.sleep(0.0002)
        try:
            {connect}
            print("wal" if mode == "wal" else f"mode {{mode}}", flush=True)
        except Exception as exc:
            print(f"{{type(exc).__name__}}: {{exc}}".replace(chr(10), " "), flush=True)
    """
)

STORE = CONNECT.format(
    setup="from frontdesk.store import Store",
    connect='mode = Store(folder, name=f"d{n}.db").connect().execute("PRAGMA journal_mode").fetchone()[0]',
)
CONSOLE = CONNECT.format(
    setup="from district.console.db import Database",
    connect='mode = Database(f"sqlite:///{folder}/d{n}.db").read().one("PRAGMA journal_mode")[0]',
)


def _connect_together(program: str, folder, rounds: int = 60, programs: int = 4) -> list[str]:
    """``programs`` processes connect to a brand-new database file at the same moment, ``rounds`` times over."""
    folder.mkdir()
    running = [
        subprocess.Popen(
            [sys.executable, "-c", program, str(folder), str(rounds)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
        )
        for _ in range(programs)
    ]
    for p in running:
        assert p.stdout.readline().strip() == "ready"
    answers = []
    for n in range(rounds):
        (folder / f"go{n}").touch()
        answers += [p.stdout.readline().strip() for p in running]
    for p in running:
        p.wait(timeout=60)
    return answers


def test_programs_connecting_to_a_new_database_file_together_all_set_it_to_wal(tmp_path):
    """Found in session 25 (the race above failed now and then under load): on a new file, still in rollback mode,
    programs setting WAL at once can each hold a read lock and want the write lock; SQLite answers "database is
    locked" at once, whatever the busy timeout. Measured with plain connections: 17 of 400 failed."""
    answers = _connect_together(STORE, tmp_path / "desk")
    assert [a for a in answers if a != "wal"] == []


def test_console_processes_connecting_to_a_new_database_file_together_all_set_it_to_wal(tmp_path):
    """The same for the district server's SQLite (a hub and a console, or ``dispatch`` commands, on a new file)."""
    answers = _connect_together(CONSOLE, tmp_path / "district")
    assert [a for a in answers if a != "wal"] == []
