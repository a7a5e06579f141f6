"""Printers with no hardware: the preview printer (the default, and demo mode's) and a recording fake."""

from __future__ import annotations

import io
from collections import deque
from typing import TYPE_CHECKING

from printers.base import Printer, PrinterError, PrinterStatus, State

if TYPE_CHECKING:  # Pillow loads with the first badge drawn, not with the desk's default (preview) printer
    from PIL import Image

    from printers.badge import Badge


def png_bytes(image: Image.Image) -> bytes:
    """An image as PNG bytes."""
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class PreviewPrinter(Printer):
    """Prints nothing: keeps the last badge's image and bytes so the window can show them (and Reprint)."""

    families = ("escpos", "brother", "system")
    on_screen = True

    def __init__(self, uri: str = "preview://", timeout: float = 0):
        super().__init__(uri, timeout)
        self.last_image: Image.Image | None = None
        self.last_job: bytes | None = None
        self.jobs = 0

    @property
    def where(self) -> str:
        """The preview is on screen."""
        return "on-screen preview"

    def build_job(self, badge: Badge) -> bytes:
        """The badge as PNG bytes (the preview's "printer language")."""
        self.last_image = badge.image
        return png_bytes(badge.image)

    def open(self) -> None:
        """Nothing to connect to."""

    def send(self, job: bytes) -> None:
        """Keep the job."""
        self.last_job = job
        self.jobs += 1

    def status(self) -> PrinterStatus:
        """Always ready: a preview cannot run out of paper."""
        return PrinterStatus(State.READY, "Badge preview (no printer set up)")

    def close(self) -> None:
        """Nothing to close."""


class RecordingPrinter(Printer):
    """A fake printer for tests and demos that records every job's bytes.

    ``faults`` is a script: each ``send`` takes the next entry; ``None`` succeeds, an exception is raised
    (a PrinterError's ``sent`` bytes are still recorded as received, as a real printer would have them).
    ``replies`` scripts what :meth:`status` returns (the last one repeats).
    """

    families = ("escpos", "brother", "system")

    def __init__(self, uri: str = "recording://", faults=(), replies=(), inner: Printer | None = None):
        super().__init__(uri, 0)
        self.faults = deque(faults)
        self.replies = deque(replies) or deque([PrinterStatus(State.READY, "Recording printer ready")])
        self.inner = inner
        self.jobs: list[bytes] = []
        self.received: list[bytes] = []
        self.opened = 0
        self.closed = 0

    def build_job(self, badge: Badge) -> bytes:
        """The job another printer would build (``inner``), or the badge as PNG."""
        return self.inner.build_job(badge) if self.inner is not None else png_bytes(badge.image)

    def open(self) -> None:
        """Count the opening (or raise the scripted fault if it is an unreachable printer)."""
        self.opened += 1

    def send(self, job: bytes) -> None:
        """Record ``job``, or play the next scripted fault."""
        fault = self.faults.popleft() if self.faults else None
        if fault is not None:
            if isinstance(fault, PrinterError) and fault.sent:
                self.received.append(job[: fault.sent])
            raise fault
        self.jobs.append(job)
        self.received.append(job)

    def status(self) -> PrinterStatus:
        """The next scripted status (the last one repeats)."""
        return self.replies.popleft() if len(self.replies) > 1 else self.replies[0]

    def close(self) -> None:
        """Count the closing."""
        self.closed += 1
