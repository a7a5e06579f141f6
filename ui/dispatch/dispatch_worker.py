"""The dispatch sender: ONE long-lived worker thread running the station's :class:`DispatchLink`.

The link (sender, heartbeat, inbox) runs on this worker's thread (:class:`ui.workers.DeviceWorker`) for the life
of the window. Its news
arrives on that thread and is re-emitted as signals of this object, which lives in the GUI thread, so the
connected slots run in the GUI thread (workers never touch widgets).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from frontdesk.dispatch.link import LinkHealth, LinkListener, LinkTimings
from frontdesk.dispatch.outbox import OutboxEntry, SchoolState
from frontdesk.dispatch.station import StationService
from ui.workers import DeviceWorker


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


class DispatchWorker(DeviceWorker):
    """The link's thread; ``wake()`` after every press."""

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
        super().__init__("dispatch-sender", parent)
        self.link = station.link(timings=timings, listener=_Forwarder(self), daily_test=daily_test)

    @property
    def timings(self) -> LinkTimings:
        """The link's delays (the status view needs ``not_delivered_after``)."""
        return self.link.timings

    def start(self) -> None:
        """Start the link's thread (once) and wait until it is ready to send."""
        if self.running:
            return
        super().start()
        self.link.wait_started()

    def run(self) -> None:
        """The link: sender, heartbeat and inbox, until stopped."""
        self.link.run()

    def interrupt(self) -> None:
        """Stop the link's loop."""
        self.link.stop()

    def wake(self) -> None:
        """A message was committed: send it now."""
        self.link.wake()
