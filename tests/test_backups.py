"""Backups: online copies with rotation, restore that checks first, and the faults around them."""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import sqlite3
import subprocess
import sys

import pytest

from frontdesk.context import Services
from frontdesk.errors import NotFoundError, StoreError
from frontdesk.models import Visitor
from frontdesk.secrets import MemoryKeyring, SecretStore
from frontdesk.settings import BACKUP_FOLDER, BACKUP_KEEP
from frontdesk.store import cipher
from tests.cli_helpers import ROOT, frontdesk, text


def admit(services, last="Backupwood"):
    return services.checkin.admit(Visitor(first_name="Bea", last_name=last), again=True)


def digest(services) -> str:
    """Every row of the live database (its content, whatever SQLite's own files look like)."""
    return hashlib.sha256("\n".join(services.store.db.conn.iterdump()).encode()).hexdigest()


def test_backup_is_a_whole_copy_and_the_oldest_are_dropped(services, tmp_path):
    services.settings.set(BACKUP_FOLDER, str(tmp_path / "elsewhere"))
    services.settings.set(BACKUP_KEEP, 3)
    codes = [admit(services).badge_code]
    made = []
    for _ in range(5):
        made.append(services.backups.make())
        codes.append(admit(services).badge_code)
    kept = services.backups.list()
    assert kept == made[-3:] and all(p.parent == tmp_path / "elsewhere" for p in kept)
    assert oct(kept[-1].stat().st_mode & 0o777) == "0o600"
    conn = sqlite3.connect(kept[-1])
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert {r[0] for r in conn.execute("SELECT badge_code FROM visits")} == set(codes[:5])
    actions = [r.action for r in services.audit.records(action="backup.")]
    assert actions.count("backup.made") == 5


def test_a_backup_is_due_by_the_schedule(services):
    assert services.backups.due()
    path = services.backups.run_if_due()
    assert path is not None and not services.backups.due()
    assert services.backups.run_if_due() is None


def test_restore_puts_a_backup_back_and_keeps_the_replaced_data(services):
    first = admit(services, "Beforewood").badge_code
    path = services.backups.make()
    later = admit(services, "Afterwood").badge_code
    replaced = services.backups.restore(path)
    assert services.visits.get(first)
    with pytest.raises(NotFoundError):
        services.visits.get(later)
    assert later in {r[0] for r in sqlite3.connect(replaced).execute("SELECT badge_code FROM visits")}
    assert services.audit.verify().intact
    assert services.audit.records(action="backup.restored")


def test_a_damaged_backup_is_refused_and_nothing_changes(services, tmp_path):
    admit(services)
    path = services.backups.make()
    data = bytearray(path.read_bytes())
    # Scribble over every page but the first: its b-tree page header, and 64 bytes further in. (The bytes
    # further in alone can all land in free space, depending on the schema's layout: then nothing is damaged.)
    for offset in range(4096, len(data), 4096):
        data[offset : offset + 8] = b"\xa5" * 8
        data[offset + 100 : offset + 164] = b"\xa5" * 64
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(data))
    before = digest(services)
    with pytest.raises(StoreError) as err:
        services.backups.restore(damaged)
    assert err.value.code == "store_damaged"
    assert digest(services) == before
    not_a_db = tmp_path / "letter.db"
    not_a_db.write_bytes(b"dear school board " * 500)
    with pytest.raises(StoreError):
        services.backups.restore(not_a_db)
    assert digest(services) == before


def test_an_encrypted_database_makes_encrypted_backups(data_dir):
    secrets = SecretStore(MemoryKeyring())
    services = Services.open(data_dir, secrets=secrets, encrypt=True)
    try:
        admit(services, "Secretbackupwood")
        path = services.backups.make()
        assert cipher.file_state(path) == "encrypted" and b"Secretbackupwood" not in path.read_bytes()
        services.backups.restore(path)
        assert services.audit.verify().intact
    finally:
        services.close()


FILL = """
import sys
from frontdesk.context import Services
services = Services.open(sys.argv[1])
try:
    services.backups.make()
except Exception as exc:
    print(type(exc).__name__, getattr(exc, "code", ""), exc)
    sys.exit(3)
"""


def test_a_full_disk_during_backup_leaves_the_live_database_untouched(services):
    for i in range(300):
        admit(services, f"Fullwood{i}")
    before = digest(services)
    services.store.checkpoint()  # an empty WAL: the child's own small writes stay far below the limit
    size = services.store.path.stat().st_size

    def small_disk():  # the child may write no file beyond half the database: the backup runs out of room
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size // 2, size // 2))

    proc = subprocess.run(
        [sys.executable, "-c", FILL, str(services.store.data_dir)],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        preexec_fn=small_disk,
        timeout=60,
    )
    assert proc.returncode == 3, proc.stderr.decode()
    assert "backup_failed" in proc.stdout.decode()
    assert digest(services) == before
    assert services.backups.list() == []  # no half copy left that looks whole
    assert not list((services.store.data_dir / "backups").glob("*.partial"))
    assert services.store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_cli_backup_and_restore(data_dir):
    assert (
        frontdesk("checkin", "--first-name", "Cli", "--last-name", "Backupwood", data_dir=data_dir).returncode == 0
    )
    proc = frontdesk("backup", data_dir=data_dir)
    assert proc.returncode == 0, text(proc)
    path = text(proc)[0].strip()
    assert path.endswith(".db") and os.path.exists(path)
    proc = frontdesk("restore", path, data_dir=data_dir)
    assert proc.returncode == 0 and "restored" in text(proc)[0]
    proc = frontdesk("restore", str(data_dir / "nothing.db"), data_dir=data_dir)
    assert proc.returncode == 2 and "Traceback" not in text(proc)[1]


def test_a_copy_left_half_written_by_a_killed_program_is_removed_at_the_next_backup(data_dir):
    """A program killed while it wrote a backup (a SIGKILL or power cut; the upgrade's pre-migration copy too)
    leaves ``….db.partial``: before, no rotation or retention ever removed it (a whole copy of the database,
    plain on a desk without a keyring). The next backup removes one nobody has written for hours, and leaves one
    being written now (another program's backup in progress)."""
    assert (
        frontdesk("checkin", "--first-name", "Cli", "--last-name", "Backupwood", data_dir=data_dir).returncode == 0
    )
    folder = data_dir / "backups"
    folder.mkdir(exist_ok=True)
    stale = folder / "frontdesk-20261204T081900514541-before-audit_0005_accounts_index.db.partial"
    fresh = folder / "frontdesk-20261205T081900514541-scheduled.db.partial"
    for path in (stale, fresh):
        path.write_bytes((data_dir / "frontdesk.db").read_bytes())
    hours_ago = os.stat(stale).st_mtime - 7 * 3600
    os.utime(stale, (hours_ago, hours_ago))
    proc = frontdesk("backup", data_dir=data_dir)
    assert proc.returncode == 0, text(proc)
    assert not stale.exists()
    assert fresh.exists()
