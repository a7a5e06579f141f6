"""A list file uploaded for import, kept in a temporary file while the import reads it, and the clean-up of those
a killed hub left behind.

An import's thread removes its file when it ends. A hub process killed mid-import (a crash, a power cut, an
operator's ``kill -9``) never runs that clean-up, and a registry extract is hundreds of MB: each file is named
with the process that owns it (``district-import-<pid>.<ns>-….csv``, :mod:`district.leftovers`), and every hub
process, as it starts, removes the files of processes that are no longer running (uvicorn starts a worker again
when one dies, so a killed worker's file goes as soon as its successor starts, not only at the next restart).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO

from district import leftovers

PREFIX = "district-import-"


def new_file() -> IO[bytes]:
    """An empty temporary file for an upload, named with this process (the caller removes it when done)."""
    return tempfile.NamedTemporaryFile(prefix=leftovers.owned_prefix(PREFIX), suffix=".csv", delete=False)  # noqa: SIM115


def sweep_abandoned(folder: Path | None = None) -> list[Path]:
    """Remove the upload files whose hub process is gone (:func:`district.leftovers.sweep`); the paths removed."""
    return leftovers.sweep(PREFIX, folder)
