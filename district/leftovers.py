"""Temporary files and folders named with the process that owns them, and the clean-up of those whose process is
gone.

A process removes its own when it ends; one killed hard (a crash, a power cut, ``kill -9``) never does. So each is
named ``<prefix><pid>-…`` and, as the next process of its kind starts, :func:`sweep` removes those of processes
that no longer run: the uploaded list files of the hub's imports (hundreds of MB each) and the shared-limits folder
of a console with worker processes. What belongs to a running process, and anything named another way, is left.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path


def owned_prefix(prefix: str) -> str:
    """``prefix`` with this process's id, for ``tempfile``'s ``prefix=``."""
    return f"{prefix}{os.getpid()}-"


def sweep(prefix: str, folder: Path | None = None) -> list[Path]:
    """Remove the files and folders in ``folder`` (the temporary folder) named ``<prefix><pid>-…`` whose process
    is gone; the paths removed. Not on Windows, where there is no harmless way to ask whether a process runs
    (``os.kill`` ends it)."""
    if sys.platform == "win32":
        return []
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{prefix}*-*"):
        owner = path.name[len(prefix) :].partition("-")[0]
        if not owner.isdigit() or _running(int(owner)):
            continue
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:  # gone already (another process swept it), or not ours to remove: leave it
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
