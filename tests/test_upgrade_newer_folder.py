"""A program older than the folder (or hub database) it is given refuses it, before writing anything.

A school rolls a desk or the district server back to the release before (a restored old program, a reinstall)
after a newer one has upgraded the data. The older program's code does not know what the newer one's migrations
added; writing there, it would leave rows the newer tables do not expect (or miss what they hold), and nobody
would be told. From this release on, a program finds a migration it does not know in the file's ``_migrations``
and refuses with one line, the file untouched. The newer release is simulated by a migration name from the future
(what the next release's folder looks like to this one); ``test_upgrade_releases`` runs the real older releases.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from frontdesk import clock
from tests.cli_helpers import ROOT, frontdesk, text

FUTURE = "visits_9999_from_a_newer_release"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _from_the_future(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", [FUTURE, clock.to_db(clock.now())]
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _desk(data: Path) -> None:
    ok = frontdesk(
        "checkin", "--first-name", "Ann", "--last-name", "Testwood", "--dob", "1980-02-03", data_dir=data
    )
    assert ok.returncode == 0, text(ok)


def test_a_desk_folder_a_newer_release_used_is_refused_and_left_as_it_was(tmp_path):
    data = tmp_path / "desk"
    _desk(data)
    _from_the_future(data / "frontdesk.db")
    before = _digest(data / "frontdesk.db")
    backups = sorted(p.name for p in (data / "backups").glob("*")) if (data / "backups").exists() else []

    for args in (["onsite"], ["checkin", "--first-name", "Ben", "--last-name", "Examplar", "--dob", "1975-07-08"]):
        proc = frontdesk(*args, data_dir=data)
        out, err = text(proc)
        assert proc.returncode == 2, out + err
        assert "newer version of FrontDesk" in err and FUTURE in err and "Nothing was changed" in err, err
        assert "Traceback" not in err
    assert _digest(data / "frontdesk.db") == before
    after = sorted(p.name for p in (data / "backups").glob("*")) if (data / "backups").exists() else []
    assert after == backups  # not even a pre-migration copy


def test_a_backup_a_newer_release_took_is_not_restored(tmp_path):
    data = tmp_path / "desk"
    _desk(data)
    taken = frontdesk("backup", data_dir=data)
    assert taken.returncode == 0, text(taken)
    backup = Path(text(taken)[0].strip())
    _from_the_future(backup)
    before = _digest(data / "frontdesk.db")

    proc = frontdesk("restore", str(backup), data_dir=data)
    out, err = text(proc)
    assert proc.returncode == 2, out + err
    assert "newer version of FrontDesk" in err and "Nothing was changed" in err, err
    assert _digest(data / "frontdesk.db") == before
    onsite = frontdesk("onsite", data_dir=data)  # the desk still opens: it was not given the newer file
    assert onsite.returncode == 0 and "Testwood" in text(onsite)[0], text(onsite)


def test_a_district_database_a_newer_release_used_is_refused(console_db_url):
    from district.console.db import Database
    from district.console.service import ConsoleService

    ConsoleService.open(console_db_url).close()
    db = Database(console_db_url)
    try:
        with db.transaction() as tx:
            tx.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", [FUTURE, clock.to_db(clock.now())]
            )
        before = sorted(tuple(r) for r in db.read().all("SELECT name, applied_at FROM _migrations"))
        proc = subprocess.run(
            [sys.executable, "-m", "ui.main", "dispatch", "stations", "--db", console_db_url],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=60,
        )
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "newer version of FrontDesk" in proc.stderr and FUTURE in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
        assert sorted(tuple(r) for r in db.read().all("SELECT name, applied_at FROM _migrations")) == before
    finally:
        db.close()
