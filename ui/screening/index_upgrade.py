"""Preparing the screening lists after an upgrade: in the background, once the desk is open, said in plain words.

An upgrade that changes the screening index's key rules used to rebuild the index before the desk could be
used (about 4-5 minutes at a million entries). The desk now opens at once and rebuilds it afterwards, on the
thread pool (:func:`ui.tasks.run_task`), beside the index in force (:mod:`frontdesk.screening.reindex`): the
old index answers every screen until one short transaction swaps the new one in, so check-ins, screening and
the panic control work as usual meanwhile. The status bar says "Preparing lists: 40%" (its tip says it in
full) until then; nothing waits for it. Closing the desk stops the build at its next step; the next start
builds it again.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThreadPool, QTimer, Slot

from frontdesk.context import Services
from ui.status_text import StatusText
from ui.tasks import freeze_heap, run_task

REFRESH_MS = 1000


class ListsPreparation(QObject):
    """The background re-index after an upgrade, and its status item (``window``: none at the kiosk)."""

    def __init__(self, window, services: Services, parent: QObject | None = None, *, refresh_ms: int = REFRESH_MS):
        super().__init__(parent if parent is not None else window)
        self._services = services
        self._stop = threading.Event()
        self._fraction = 0.0  # written by the build's thread, read by the timer here (one float: no lock needed)
        self.running = False
        self.report = None  # the last build's (frontdesk.screening.reindex.BuildReport), once one has run here
        self.label = StatusText(whole=True)  # short on purpose ("Preparing lists: 40%"): never cut
        self.label.setObjectName("listsPreparationStatus")
        self.label.setAccessibleName("Screening lists")
        self.label.setVisible(False)
        self._shown = window is not None  # at the kiosk the label is never shown (it would be a window of its own)
        if window is not None:
            window.add_status_item(self.label)
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.refresh)

    def start(self) -> None:
        """Start the re-index if the index in force was built under older key rules (else nothing to do)."""
        if self.running:
            return
        lists = self._services.lists  # built here: an index this code reads as it is is not rebuilt on the way
        if not lists.index_needs_upgrade():
            return
        self.running = True
        self._stop.clear()
        self.label.setToolTip(
            "Preparing the screening lists after the update. Check-in and screening work as usual meanwhile."
        )
        self.label.setStyleSheet("")
        self.refresh()
        self.label.setVisible(self._shown)
        self._timer.start()

        def build():
            pool = QThreadPool.globalInstance()
            pool.releaseThread()  # minutes of work: the pool may start another thread for the desk's short jobs
            try:
                return lists.upgrade_index(progress=self._on_progress, stop=self._stop.is_set)
            finally:
                pool.reserveThread()

        run_task(build, self.on_done)

    def stop(self) -> None:
        """Ask the build to stop at its next step (the desk is closing; the next start builds it again)."""
        self._stop.set()

    def _on_progress(self, fraction: float) -> None:
        self._fraction = fraction  # the build's thread: no widget is touched here

    @Slot()
    def refresh(self) -> None:
        """Say how far the preparation is."""
        # Short: the status bar shares a 1366-px laptop's width with five other items; the sentence is the tip.
        self.label.setText(f"Preparing lists: {int(self._fraction * 100)}%")

    def on_done(self, report, error: BaseException | None) -> None:
        """Hide the item (or say what went wrong) and note it in the event log."""
        from frontdesk.screening.reindex import Stopped

        self.running = False
        self._timer.stop()
        if isinstance(error, Stopped):
            return  # the desk is closing
        events = self._services.events
        if error is not None:
            self.label.setText("Lists not updated: works as before")
            self.label.setToolTip(
                "The screening lists could not be prepared after the update; screening works as before. "
                "FrontDesk tries again at its next start."
            )
            self.label.setStyleSheet("color: #9a3412;")
            events.record("screening", "error", f"Preparing the screening lists after the update failed: {error}")
            return
        self.label.setVisible(False)
        self.report = report
        # The build filled the name caches (frontdesk.wire.names, 50,000 entries each), which live as long as the
        # desk: from then on every full collection walked them, 130-175 ms with the whole desk (panic control
        # included) stalled, again and again. Moved, with all else alive now, to the collector's permanent
        # generation (as start-up does with what it built: ui.app.resume_gc). Through the desk's collector, which
        # then counts the oldest generation afresh (ui.tasks.GuiCollector.freeze).
        freeze_heap()
        if report is not None:
            events.record(
                "screening",
                "info",
                f"screening lists prepared after the update: {report.entries:,} entries re-indexed in "
                f"{report.seconds:.0f} s (longest hold of the database {report.longest_lock * 1000:.0f} ms)",
            )
