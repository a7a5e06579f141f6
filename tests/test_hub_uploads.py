"""The upload files of list imports whose hub process is gone are removed; nothing else is
(district/hub/uploads.py; the hub killed mid-import: tests/test_hub_processes.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from district.hub import uploads


@pytest.mark.skipif(sys.platform == "win32", reason="not swept on Windows (os.kill would end the process)")
def test_only_the_files_of_processes_that_are_gone_are_removed(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    abandoned = tmp_path / f"district-import-{dead_pid}-abc123.csv"
    running = tmp_path / f"district-import-{os.getpid()}-def456.csv"
    unnamed = tmp_path / "district-import-0r17md99.csv"  # the old naming: whose it is cannot be told
    other = tmp_path / "somebody-else-1-x.csv"
    for path in (abandoned, running, unnamed, other):
        path.write_text("first_name,last_name\n")
    assert uploads.sweep_abandoned(tmp_path) == [abandoned]
    assert not abandoned.exists()
    assert running.exists() and unnamed.exists() and other.exists()


def test_a_new_upload_file_is_named_with_this_process():
    with uploads.new_file() as handle:
        name = os.path.basename(handle.name)
    os.unlink(handle.name)
    assert name.startswith(f"district-import-{os.getpid()}-") and name.endswith(".csv")
