"""``frontdesk barred reindex`` as school IT runs it: a real subprocess on a real data folder."""

from __future__ import annotations

import json
import os
import queue
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from frontdesk.access.roles import Role
from frontdesk.context import Services
from tests.cli_helpers import ROOT, frontdesk, text

HEADER = "first_name,middle_name,last_name,dob,aliases,kind,reason\n"


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    csv = tmp_path / "list.csv"
    csv.write_text(
        HEADER + "Robert,James,Smith,1980-03-14,Bobby Jones,barred,Trespass\nMaria,,Garcia-Lopez,1975,,custody,\n",
        encoding="utf-8",
    )
    out, err = text(frontdesk("barred", "import", str(csv), "--source", "District", data_dir=data))
    assert "Imported 2 entries" in out, err
    return data


def screen_bob(data: Path) -> str:
    args = ("screen", "--first-name", "Bob", "--last-name", "Smyth", "--dob", "1980-03-14", "--json")
    return json.loads(text(frontdesk(*args, data_dir=data))[0])["decision"]


def test_reindex_rebuilds_a_stale_index_and_says_how_many_entries(loaded):
    with sqlite3.connect(loaded / "frontdesk.db") as conn:  # as if the nickname rules changed under it
        conn.execute("DELETE FROM screening_keys")
    assert screen_bob(loaded) == "clear"
    done = frontdesk("barred", "reindex", data_dir=loaded)
    out, err = text(done)
    assert done.returncode == 0, err
    assert out.startswith("Re-indexed 2 entries (") and "index keys)" in out
    assert screen_bob(loaded) in ("possible_match", "match")
    report = json.loads(text(frontdesk("barred", "reindex", "--json", data_dir=loaded))[0])
    assert report["entries"] == 2 and report["keys"] > 2 and set(report) == {"entries", "keys", "seconds"}


def test_reindex_is_for_principals_and_administrators_and_is_audited(loaded, monkeypatch):
    services = Services.open(loaded)
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    services.accounts.add("desk.lee", Role.DESK, "2468", "Lee Desk")
    services.close()

    refused = frontdesk("barred", "reindex", data_dir=loaded)  # without --user: the front desk
    out, err = text(refused)
    assert refused.returncode == 2 and out == ""
    assert err.count("\n") == 1 and "may not change the screening lists" in err and "Traceback" not in err

    monkeypatch.setenv("FRONTDESK_PASSWORD", "district-secret")  # passed on to the subprocess
    done = frontdesk("--user", "root", "barred", "reindex", data_dir=loaded)
    assert done.returncode == 0, text(done)[1]
    services = Services.open(loaded)
    services.accounts.sign_in("root", "district-secret")
    (record,) = services.audit.records(action="list.reindex")
    services.close()
    assert record.actor == "root" and record.details == {"entries": 2, "keys": record.details["keys"]}


@pytest.mark.parametrize("args", [["barred", "reindex", "now"], ["barred", "reindex", "--source", "X"]])
def test_bad_input_exits_2_with_one_line(loaded, args):
    done = frontdesk(*args, data_dir=loaded)
    out, err = text(done)
    assert done.returncode == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err


def test_a_wait_for_an_older_desks_reindex_is_said_on_stderr_and_stdout_stays_the_result(loaded):
    """An older desk's re-index on a shared folder is waited for (up to minutes): the command says what it waits
    for and why on stderr, as it starts waiting; stdout, --json and the exit code are as without a wait."""
    db = sqlite3.connect(loaded / "frontdesk.db", isolation_level=None)
    db.execute("CREATE TABLE screening_keys_next (key TEXT, entry_id INTEGER, PRIMARY KEY (key, entry_id))")
    db.execute("INSERT INTO screening_keys_next SELECT key, entry_id FROM screening_keys")  # no build's mark
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.main", "--data-dir", str(loaded), "barred", "reindex", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    lines: queue.Queue[bytes] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True)
    reader.start()
    try:
        said = lines.get(timeout=60).decode()
        assert said.startswith("frontdesk: Waiting: a re-index by an older FrontDesk") and said.endswith("\n")
        assert "left alone while it grows" in said and "2 minutes" in said and "half-built index" in said
        with db:  # the older desk ends its re-index: its table goes into force (as older code swaps)
            db.execute("BEGIN IMMEDIATE")
            db.execute("ALTER TABLE screening_keys RENAME TO screening_keys_old")
            db.execute("ALTER TABLE screening_keys_next RENAME TO screening_keys")
            db.execute("DROP TABLE screening_keys_old")
        out = proc.stdout.read().decode()
        assert proc.wait(60) == 0
    finally:
        proc.kill()
        proc.wait()
        db.close()
    reader.join(10)
    rest = b"".join(lines.queue).decode()
    assert rest == "frontdesk: The other computer's re-index has ended; re-indexing now.\n"
    report = json.loads(out)  # stdout: the one JSON object, as without a wait
    assert set(report) == {"entries", "keys", "seconds"} and report["entries"] == 2
    assert screen_bob(loaded) in ("possible_match", "match")
