"""The one small interface every scanner input sits behind, and the replaying fake for demo mode and tests.

A :class:`ScanSource` delivers whole scans as raw bytes. Construction never touches hardware; ``open()``
does. :class:`FakeScanner` replays recorded scans (bytes), so the app runs with no scanner attached.
"""

from __future__ import annotations

import queue
from abc import ABC, abstractmethod
from collections.abc import Iterable


class ScanSource(ABC):
    """A scanner that hands over one complete scan at a time."""

    name = "scanner"

    @abstractmethod
    def open(self) -> None:
        """Connect to the device; raises DeviceError (or the driver's error) when it is not there."""

    @abstractmethod
    def read_scan(self, timeout: float) -> bytes | None:
        """The next complete scan, or None if none began within ``timeout`` seconds."""

    @abstractmethod
    def close(self) -> None:
        """Disconnect; safe to call twice."""


class FakeScanner(ScanSource):
    """Replays recorded scans: the ones given at construction, then any :meth:`push`-ed later."""

    name = "demo scanner"

    def __init__(self, scans: Iterable[bytes] = ()):
        self._queue: queue.Queue[bytes] = queue.Queue()
        for scan in scans:
            self._queue.put(bytes(scan))
        self.opened = False

    def push(self, scan: bytes) -> None:
        """Make ``scan`` the next thing the 'scanner' reads (demo button, tests)."""
        self._queue.put(bytes(scan))

    def open(self) -> None:
        """Nothing to connect to."""
        self.opened = True

    def read_scan(self, timeout: float) -> bytes | None:
        """The next recorded scan, waiting up to ``timeout``."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        """Nothing to disconnect."""
        self.opened = False
