"""A list file uploaded for import, kept in a temporary file while the import reads it, and the clean-up of those
a killed hub left behind.

An import's thread removes its file when it ends. A hub process killed mid-import (a crash, a power cut, an
operator's ``kill -9``) never runs that clean-up, and a registry extract is hundreds of MB: each file is named
with the process that owns it (``district-import-<pid>-….csv``), and every hub process, as it starts and before
each import, removes the files of processes that are no longer running. A file whose process runs is kept, on
this machine whichever hub or worker owns it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import IO

PREFIX = "district-import-"


def new_file() -> IO[bytes]:
    """An empty temporary file for an upload, named with this process (the caller removes it when done)."""
    return tempfile.NamedTemporaryFile(prefix=f"{PREFIX}{os.getpid()}-", suffix=".csv", delete=False)  # noqa: SIM115


def sweep_abandoned(folder: Path | None = None) -> list[Path]:
    """Remove the upload files in ``folder`` (the temporary folder) whose process is gone; the paths removed.
    Files of running processes, and files named any other way, are left alone. Not on Windows, where there is
    no harmless way to ask whether a process runs (``os.kill`` ends it)."""
    if sys.platform == "win32":
        return []
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{PREFIX}*-*.csv"):
        owner = path.name[len(PREFIX) :].partition("-")[0]
        if owner.isdigit() and not _running(int(owner)):
            try:
                path.unlink()
            except OSError:  # gone already (another hub swept it), or not ours to remove: leave it
                continue
            removed.append(path)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it runs
        return True
    return True
