"""A fake OS print queue for the emergency roster: records the exact PDF bytes each job sent."""

from __future__ import annotations

import threading
from pathlib import Path


class PrintQueue:
    """Called with a PDF's path as the print queue would be; keeps a copy at ``copy_to`` and every job's bytes.

    With ``stall=True`` each job is taken and then not answered until :meth:`release` (or ``stall_for`` seconds,
    so that a test of a desk that waits on it still ends): a print server that stopped answering mid-job.
    """

    def __init__(
        self,
        copy_to: Path | None = None,
        name: str = "Front office printer",
        *,
        stall: bool = False,
        stall_for: float = 20.0,
    ):
        self.copy_to = copy_to
        self.name = name
        self.jobs: list[bytes] = []
        self.stall_for = stall_for
        self._released = threading.Event()
        if not stall:
            self._released.set()
        self.hanging = threading.Event()  # set while a job waits for an answer that does not come
        self.answered = 0  # jobs the queue has answered

    def release(self) -> None:
        """The print server answers again: the job waiting (and any after it) goes through."""
        self._released.set()

    def __call__(self, path: Path) -> str:
        data = Path(path).read_bytes()
        self.jobs.append(data)
        if self.copy_to is not None:
            self.copy_to.write_bytes(data)
        if not self._released.is_set():
            self.hanging.set()
            try:
                self._released.wait(self.stall_for)
            finally:
                self.hanging.clear()
        self.answered += 1
        return self.name
