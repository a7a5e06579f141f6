"""Every database error is a typed error in the office's words; the CLI says it in one line, exit 2 (issue 12).

The errors are SQLite's own, produced for real: a lock held by another connection, a page limit that makes
the file "full", a read-only connection, a file that is not a database. Also: files the CLI cannot write,
a data folder that is a file, and output cut short by ``head``.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from frontdesk.context import Services
from frontdesk.errors import StoreBusy, StoreCorrupt, StoreError, StoreFull, StoreReadOnly
from frontdesk.models import Visitor
from frontdesk.screening.models import NewEntry
from frontdesk.store import TypedConnection, typed_error
from tests.cli_helpers import frontdesk, text
from tests.test_bulk_never_blocks import write_registry
from tests.test_ui_screening import window  # noqa: F401 - the desk window fixture

ROOT = Path(__file__).resolve().parent.parent


def _raised(conn, sql: str) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as caught:
        conn.execute(sql)
    return caught.value


def test_sqlite_errors_become_typed_errors(tmp_path):
    path = tmp_path / "x.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (v TEXT)")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    assert isinstance(typed_error(_raised(other, "INSERT INTO t VALUES ('x')")), StoreBusy)
    holder.execute("ROLLBACK")
    conn.execute("PRAGMA max_page_count = 2")
    assert isinstance(typed_error(_raised(conn, "INSERT INTO t SELECT zeroblob(100000)")), StoreFull)
    ro = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert isinstance(typed_error(_raised(ro, "INSERT INTO t VALUES ('x')")), StoreReadOnly)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    bad = sqlite3.connect(junk)
    problem = typed_error(_raised(bad, "SELECT * FROM sqlite_master"))
    assert isinstance(problem, StoreCorrupt) and "damaged" in problem.message
    # Through the store's own connections: a typed error straight away.
    typed = sqlite3.connect(f"file:{path}?mode=ro", uri=True, factory=TypedConnection)
    with pytest.raises(StoreReadOnly):
        typed.execute("INSERT INTO t VALUES ('x')")


def test_a_check_in_while_another_program_holds_the_database_is_one_line(data_dir, monkeypatch):
    services = Services.open(data_dir)
    services.checkin.admit(Visitor("Avery", "Testwood"))
    services.close()
    holder = sqlite3.connect(data_dir / "frontdesk.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a sqlite3 shell left in a transaction
    monkeypatch.setenv("FRONTDESK_BUSY_SECONDS", "0.5")
    try:
        proc = frontdesk("checkin", "--first-name", "Jordan", "--last-name", "Sampleton", data_dir=data_dir)
    finally:
        holder.execute("ROLLBACK")
    out, err = text(proc)
    assert proc.returncode == 2, err
    assert err.count("\n") == 1 and "busy" in err and "Traceback" not in err


FULL_DISK = textwrap.dedent(
    """
    import json, os, sqlite3, subprocess, sys
    from frontdesk.context import Services
    from frontdesk.errors import FrontDeskError
    from frontdesk.models import Visitor

    disk = sys.argv[1]  # a 4 MB tmpfs (_on_a_small_disk)
    services = Services.open(os.path.join(disk, "data"))
    first = services.checkin.admit(Visitor(first_name="Ann", last_name="Before"))
    # the disk fills up while the desk runs (unbuffered: a buffered file kept the last partial block and raised
    # ENOSPC again at its close, outside the loop, whenever the free space was not a multiple of the block)
    with open(os.path.join(disk, "filler"), "wb", buffering=0) as filler:
        try:
            while True:
                filler.write(bytes(65536))
        except OSError:
            pass
    said = []
    for attempt in (
        lambda: services.checkin.admit(Visitor(first_name="Bob", last_name="Full")),
        lambda: services.visits.check_out(first.badge_code),
    ):
        try:
            attempt()
            said.append("saved")
        except FrontDeskError as exc:  # what every door catches to say it on its own screen
            said.append(type(exc).__name__ + ": " + exc.message)
    os.unlink(os.path.join(disk, "filler"))
    after = services.checkin.admit(Visitor(first_name="Cy", last_name="After"))
    services.close()
    db = sqlite3.connect(os.path.join(disk, "data", "frontdesk.db"))
    stored = {r[0]: r[1] for r in db.execute("SELECT badge_code, time_out FROM visits")}
    print(json.dumps({"said": said, "first": first.badge_code, "after": after.badge_code, "stored": stored}))
    """
)


def _on_a_small_disk(tmp_path, script: str) -> dict:
    """Run ``script`` (its argument: the folder) on a real 4 MB tmpfs of a mount namespace of its own, and return
    the JSON it prints. Skipped where this machine gives no such namespace (a container without user namespaces:
    checked first, so a failure of the script itself is never taken for that)."""
    if shutil.which("unshare") is None:
        pytest.skip("needs util-linux's unshare (Linux)")
    disk = tmp_path / "disk"
    disk.mkdir()
    namespace = ["unshare", "--user", "--map-root-user", "--mount"]
    mount = 'mount -t tmpfs -o size=4m tmpfs "$1" && exec "$0" -c "$2" "$1"'
    probe = subprocess.run(
        [*namespace, "sh", "-c", 'mount -t tmpfs -o size=4m tmpfs "$0"', str(disk)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0:
        pytest.skip(f"no tmpfs of our own here: {probe.stderr.strip()}")
    proc = subprocess.run(
        [*namespace, "sh", "-c", mount, sys.executable, str(disk), script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_a_disk_that_fills_up_while_the_desk_runs_is_said_as_such_and_loses_nothing(tmp_path):
    """A real full disk (a 4 MB tmpfs of a mount namespace of its own). In WAL a check-in's pages reach the disk
    only at its COMMIT, after every statement succeeded: that failure too is the typed, one-line error every
    door catches, and nothing shown as saved is missing."""
    out = _on_a_small_disk(tmp_path, FULL_DISK)
    full = "StoreFull: The disk is full"
    assert [s[: len(full)] for s in out["said"]] == [full, full]
    assert out["stored"] == {out["first"]: None, out["after"]: None}  # nothing lost, nothing half-saved


def test_a_damaged_database_is_one_line(data_dir):
    data_dir.mkdir()
    (data_dir / "frontdesk.db").write_bytes(b"garbage" * 1000)
    proc = frontdesk("onsite", data_dir=data_dir)
    out, err = text(proc)
    assert proc.returncode == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "cannot be read" in err


def test_a_data_dir_that_is_a_file_and_an_out_file_in_no_folder(tmp_path, data_dir):
    afile = tmp_path / "afile"
    afile.write_text("x")
    proc = frontdesk("onsite", data_dir=afile)
    out, err = text(proc)
    assert proc.returncode == 2 and err.count("\n") == 1 and "is a file" in err and "Traceback" not in err
    Services.open(data_dir).close()
    for fmt in ("pdf", "csv"):
        proc = frontdesk(
            "report",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-02",
            "--format",
            fmt,
            "--out",
            f"/no/such/dir/x.{fmt}",
            data_dir=data_dir,
        )
        out, err = text(proc)
        assert proc.returncode == 2 and err.count("\n") == 1 and "Traceback" not in err, err
        assert "/no/such/dir" in err
    proc = frontdesk("roster", "--out", "/no/such/dir/r.pdf", data_dir=data_dir)
    out, err = text(proc)
    assert proc.returncode == 2 and err.count("\n") == 1 and "Traceback" not in err, err


def test_json_cut_short_by_head_ends_quietly(data_dir, tmp_path):
    services = Services.open(data_dir)
    # Enough output to fill the pipe (64 KB) so the writer surely meets the closed end.
    services.lists.import_csv(write_registry(tmp_path / "many.csv", 3000), "District")
    services.lists.add("District", NewEntry("Robert", "Smith"))
    services.close()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    base = f"{sys.executable} -m frontdesk --data-dir {data_dir}"
    for line in (
        f"{base} screen --first-name Robert --last-name Smith --dob 1980-01-01 --json | head -c 100",
        f"{base} barred list --source District --limit 5000 --json | head -c 100",
        f"{base} barred list --source District --limit 5000 | head -c 100",
    ):
        proc = subprocess.run(line, shell=True, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
        assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
        assert proc.stderr == "" and len(proc.stdout) == 100


@pytest.fixture
def busy_soon(monkeypatch):
    """FRONTDESK_BUSY_SECONDS=0.3 for the services built after it: a writer blocked by another says "busy" after
    0.3 s instead of 10 s. (Setting ``store.busy_seconds`` on an open store does not reach its connection's
    ``busy_timeout``: the first write of a service built at the click, the screening index's key version, waited
    the whole 10 s.)"""
    monkeypatch.setenv("FRONTDESK_BUSY_SECONDS", "0.3")


def test_the_window_shows_a_database_error_on_its_message_line(busy_soon, qtbot, window, services, data_dir):  # noqa: F811
    from PySide6.QtCore import Qt

    from ui.app import store_problem

    assert services.store.busy_seconds == 0.3
    window.form.first_name.setText("Ann")
    window.form.last_name.setText("Testwood")
    window.form.destination.setText("Main office")
    holder = sqlite3.connect(data_dir / "frontdesk.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the database
    try:
        qtbot.mouseClick(window.check_in_button, Qt.MouseButton.LeftButton)
    finally:
        holder.execute("ROLLBACK")
    assert "busy" in window.message.text() and window.message.property("kind") == "error"
    assert services.visits.on_site() == []
    problem = store_problem(sqlite3.OperationalError("database is locked"))  # what the exception hook shows
    assert isinstance(problem, StoreError) and "busy" in problem.message
    assert store_problem(ValueError("x")) is None


FULL_BEFORE_START = textwrap.dedent(
    """
    import json, os, subprocess, sys
    from frontdesk.context import Services
    from frontdesk.errors import FrontDeskError
    from frontdesk.models import Visitor

    disk = sys.argv[1]  # a 4 MB tmpfs (_on_a_small_disk)
    data = os.path.join(disk, "data")
    services = Services.open(data)
    kept = services.checkin.admit(Visitor(first_name="Ann", last_name="Before")).badge_code
    services.close()  # no write-ahead log left beside the file
    with open(os.path.join(disk, "filler"), "wb") as filler:  # the disk fills up while the desk is closed
        try:
            while True:
                filler.write(bytes(65536))
        except OSError:
            pass
    try:
        Services.open(data)
        said = "opened"
    except FrontDeskError as exc:
        said = type(exc).__name__ + ": " + exc.message
    os.unlink(os.path.join(disk, "filler"))
    again = Services.open(data)
    print(json.dumps({"said": said, "kept": [v.badge_code for v in again.visits.on_site()] == [kept]}))
    again.close()
    """
)


def test_a_disk_full_before_the_desk_starts_is_said_as_such(tmp_path):
    """A disk already full when a program starts: SQLite cannot make the write-ahead log and says "disk I/O
    error"; the desk says the disk is full (found by session 18's red team), and nothing is lost."""
    out = _on_a_small_disk(tmp_path, FULL_BEFORE_START)
    assert out["said"].startswith("StoreFull: The disk is full"), out["said"]
    assert out["kept"]
