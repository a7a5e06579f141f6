"""Run the real ``frontdesk`` command line in a subprocess, as school IT scripts would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def frontdesk(*args: str, data_dir: Path | None = None, stdin: bytes | str | None = None, timeout: float = 60):
    """Run ``python -m ui.main ARGS`` (the console entry point); returns the CompletedProcess (text)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    prefix = ["--data-dir", str(data_dir)] if data_dir is not None else []
    return subprocess.run(
        [sys.executable, "-m", "ui.main", *prefix, *args],
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
    )


def text(proc) -> tuple[str, str]:
    """Standard output and error as text."""
    return proc.stdout.decode(), proc.stderr.decode()
