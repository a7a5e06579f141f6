"""Files with people's data that the desk writes where the user says (reports, rosters, exports): owner-only."""

from __future__ import annotations

import os
from pathlib import Path


def private_file(path: Path | str) -> Path:
    """Create ``path`` (or take the existing file) readable and writable by its owner only; returns it.

    Call before writing: an ``open(path, "w")`` afterwards keeps these permissions, so the data is never
    readable by others, not even for a moment. On Windows the mode bits mean little; the file inherits the
    folder's ACL (the user's own folders are private by default).
    """
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass
    return path
