"""Temporary files and folders named with the process that owns them, and the clean-up of those whose process is
gone.

A process removes its own when it ends; one killed hard (a crash, a power cut, ``kill -9``) never does. So each is
named ``<prefix><pid>.<ns>-…`` and, as the next process of its kind starts, :func:`sweep` removes those of
processes that no longer run: the uploaded list files of the hub's imports (hundreds of MB each) and the
shared-limits folder of a console with worker processes. What belongs to a running process, and anything named
another way, is left.

``<ns>`` is the process's PID namespace (on Linux, the inode of ``/proc/self/ns/pid``; absent where there is none
to read): a process id means something only in its own namespace, so two servers in containers that share one
temporary folder never take each other's files for a dead process's (one's running import would be removed).
A name without it (a process without /proc, or written before session 17) is judged by its process id alone.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path


def owned_prefix(prefix: str) -> str:
    """``prefix`` with this process's id and PID namespace, for ``tempfile``'s ``prefix=``."""
    return f"{prefix}{owner(os.getpid())}-"


def owner(pid: int) -> str:
    """How a file names process ``pid`` of this PID namespace: ``<pid>.<ns>``, or ``<pid>`` without one."""
    namespace = _pid_namespace()
    return f"{pid}.{namespace}" if namespace else str(pid)


def _pid_namespace() -> str:
    """This process's PID namespace: the inode of ``/proc/self/ns/pid`` on Linux, "" where there is none."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return ""


def sweep(prefix: str, folder: Path | None = None) -> list[Path]:
    """Remove the files and folders in ``folder`` (the temporary folder) named ``<prefix><pid>-…`` whose process
    is gone; the paths removed. Not on Windows, where there is no harmless way to ask whether a process runs
    (``os.kill`` ends it)."""
    if sys.platform == "win32":
        return []
    removed, here = [], _pid_namespace()
    for path in Path(folder or tempfile.gettempdir()).glob(f"{prefix}*-*"):
        owner, _, namespace = path.name[len(prefix) :].partition("-")[0].partition(".")
        if not owner.isdigit() or (namespace and namespace != here) or _running(int(owner)):
            continue  # not named by us; another namespace's process (it cannot be asked); or still running
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
