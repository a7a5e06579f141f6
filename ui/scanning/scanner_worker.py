"""One long-lived worker per serial scanner (STYLE rule 4): its own thread, scans and health as signals.

The thread runs :func:`scanners.serial_scanner.run_scanner`; it only emits signals of this QObject, which
lives in the GUI thread, so the connected slots run there (STYLE rule 5). Demo mode passes a FakeScanner.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from scanners.serial_scanner import run_scanner
from scanners.source import ScanSource


class ScannerWorker(QObject):
    """Reads one scanner for as long as the app runs; ``start()`` opens it, ``stop()`` closes it."""

    scanned = Signal(bytes)
    state_changed = Signal(str, str)  # health state ("ok", "error"), words for the status bar

    def __init__(self, source: ScanSource, parent: QObject | None = None):
        super().__init__(parent)
        self.source = source
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the device thread (once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=run_scanner,
            args=(self.source, self.scanned.emit, self.state_changed.emit, self._stop),
            name=f"scanner:{self.source.name}",
            daemon=True,
        )
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the thread to finish and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
