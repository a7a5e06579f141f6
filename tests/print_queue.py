"""A fake OS print queue for the emergency roster: records the exact PDF bytes each job sent."""

from __future__ import annotations

from pathlib import Path


class PrintQueue:
    """Called with a PDF's path as the print queue would be; keeps a copy at ``copy_to`` and every job's bytes."""

    def __init__(self, copy_to: Path | None = None, name: str = "Front office printer"):
        self.copy_to = copy_to
        self.name = name
        self.jobs: list[bytes] = []

    def __call__(self, path: Path) -> str:
        data = Path(path).read_bytes()
        self.jobs.append(data)
        if self.copy_to is not None:
            self.copy_to.write_bytes(data)
        return self.name
