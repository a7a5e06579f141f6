"""One long-lived worker per serial scanner (:class:`ui.workers.DeviceWorker`): scans and health as signals.

The thread runs :func:`scanners.serial_scanner.run_scanner`; it only emits signals of this QObject, which
lives in the GUI thread, so the connected slots run there (STYLE rule 5). Demo mode passes a FakeScanner.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from scanners.serial_scanner import run_scanner
from scanners.source import ScanSource
from ui.workers import DeviceWorker


class ScannerWorker(DeviceWorker):
    """Reads one scanner for as long as the app runs; ``start()`` opens it, ``stop()`` closes it."""

    scanned = Signal(bytes)
    state_changed = Signal(str, str)  # health state ("ok", "error"), words for the status bar

    def __init__(self, source: ScanSource, parent: QObject | None = None):
        super().__init__(f"scanner:{source.name}", parent)
        self.source = source

    def run(self) -> None:
        """Read the scanner until stopped (reconnecting as ``run_scanner`` does)."""
        run_scanner(self.source, self.scanned.emit, self.state_changed.emit, self.stopping)
