"""What a process killed hard leaves in the temporary folder is removed by the next one, and nothing else is
(district/leftovers.py: the hub's import uploads, a console's shared-limits folder; the processes themselves:
tests/test_hub_processes.py, tests/test_dispatch_console_abuse.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from district import leftovers
from district.console.server import SHARED_PREFIX
from district.hub import uploads

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="not swept on Windows (os.kill would end it)")


def _dead_pid() -> int:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(gone.stdout)


def test_only_the_upload_files_of_processes_that_are_gone_are_removed(tmp_path):
    abandoned = tmp_path / f"district-import-{_dead_pid()}-abc123.csv"
    running = tmp_path / f"district-import-{os.getpid()}-def456.csv"
    unnamed = tmp_path / "district-import-0r17md99.csv"  # the old naming: whose it is cannot be told
    other = tmp_path / "somebody-else-1-x.csv"
    for path in (abandoned, running, unnamed, other):
        path.write_text("first_name,last_name\n")
    assert uploads.sweep_abandoned(tmp_path) == [abandoned]
    assert not abandoned.exists()
    assert running.exists() and unnamed.exists() and other.exists()


def test_a_consoles_shared_folder_goes_with_its_process_and_the_port_locks_stay(tmp_path):
    dead = _dead_pid()
    abandoned = tmp_path / f"{SHARED_PREFIX}{dead}-k2j4"
    running = tmp_path / f"{SHARED_PREFIX}{os.getpid()}-x9q1"
    for folder in (abandoned, running):
        folder.mkdir()
        (folder / "limits.shm").write_bytes(b"\0" * 64)
    # A port's lock file: "frontdesk-console-<uid>-port-<port>.lock". Its first number is a user id, which may
    # be no running process's id: it must never be taken for an abandoned folder's owner.
    lock = tmp_path / f"frontdesk-console-{dead}-port-33127.lock"
    lock.touch()
    assert leftovers.sweep(SHARED_PREFIX, tmp_path) == [abandoned]
    assert not abandoned.exists() and running.exists() and lock.exists()


def _namespace() -> str:
    return str(os.stat("/proc/self/ns/pid").st_ino)  # Linux (these tests' machines)


def test_new_files_are_named_with_this_process_and_its_pid_namespace():
    with uploads.new_file() as handle:
        name = os.path.basename(handle.name)
    os.unlink(handle.name)
    owner = f"{os.getpid()}.{_namespace()}"
    assert leftovers.owner(os.getpid()) == owner
    assert name.startswith(f"district-import-{owner}-") and name.endswith(".csv")
    assert leftovers.owned_prefix(SHARED_PREFIX) == f"frontdesk-console-shared-{owner}-"


def test_a_file_of_another_pid_namespace_is_never_taken_for_a_dead_processs(tmp_path):
    """Two hubs in containers sharing one temporary folder: a process id of the other's namespace may be no
    process here while its import is running there."""
    dead = _dead_pid()
    ours = tmp_path / f"district-import-{dead}.{_namespace()}-abc123.csv"
    theirs = tmp_path / f"district-import-{dead}.4026532999-def456.csv"
    running = tmp_path / f"district-import-{os.getpid()}.{_namespace()}-ghi789.csv"
    for path in (ours, theirs, running):
        path.write_text("first_name,last_name\n")
    assert uploads.sweep_abandoned(tmp_path) == [ours]
    assert theirs.exists() and running.exists()
