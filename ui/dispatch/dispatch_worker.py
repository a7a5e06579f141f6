"""The dispatch sender: ONE long-lived worker thread running the station's :class:`DispatchLink`.

The link (sender, heartbeat, inbox) runs on this worker's QThread for the life of the window. Its news
arrives on that thread and is re-emitted as signals of this object, which lives in the GUI thread, so the
connected slots run in the GUI thread (workers never touch widgets).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal, Slot

from frontdesk.dispatch.link import DispatchLink, LinkHealth, LinkListener, LinkTimings
from frontdesk.dispatch.outbox import OutboxEntry, SchoolState
from frontdesk.dispatch.station import StationService


class _Runner(QObject):
    """Lives on the worker thread; runs the link until it is stopped."""

    def __init__(self, link: DispatchLink):
        super().__init__()
        self._link = link

    @Slot()
    def run(self) -> None:
        self._link.run()


class _Forwarder(LinkListener):
    """Called on the worker thread: only emits signals (queued to the GUI thread's receivers)."""

    def __init__(self, worker: DispatchWorker):
        self._worker = worker

    def entry_changed(self, entry: OutboxEntry) -> None:
        self._worker.entry_changed.emit(entry)

    def health_changed(self, health: LinkHealth) -> None:
        self._worker.health_changed.emit(health)

    def school_state_changed(self, state: SchoolState) -> None:
        self._worker.school_state_changed.emit(state)


class DispatchWorker(QObject):
    """Starts and stops the link thread; ``wake()`` after every press."""

    entry_changed = Signal(object)  # OutboxEntry
    health_changed = Signal(object)  # LinkHealth
    school_state_changed = Signal(object)  # SchoolState

    def __init__(
        self,
        station: StationService,
        timings: LinkTimings | None = None,
        parent: QObject | None = None,
        *,
        daily_test: bool = True,
    ):
        super().__init__(parent)
        self.link = station.link(timings=timings, listener=_Forwarder(self), daily_test=daily_test)
        self._thread: QThread | None = None
        self._runner: _Runner | None = None

    @property
    def timings(self) -> LinkTimings:
        """The link's delays (the status view needs ``not_delivered_after``)."""
        return self.link.timings

    def start(self) -> None:
        """Start the worker thread (once)."""
        if self._thread is not None:
            return
        self._thread = QThread()
        self._thread.setObjectName("dispatch-sender")
        self._runner = _Runner(self.link)
        self._runner.moveToThread(self._thread)
        self._thread.started.connect(self._runner.run)
        self._thread.start()
        self.link.wait_started()

    def wake(self) -> None:
        """A message was committed: send it now."""
        self.link.wake()

    def stop(self) -> None:
        """Stop the link and wait for the thread (at most a few seconds)."""
        if self._thread is None:
            return
        self.link.stop()
        self._thread.quit()
        if not self._thread.wait(10000):
            return  # keep the reference: destroying a running QThread would abort the app
        self._thread = None
        self._runner = None
