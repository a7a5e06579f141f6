"""The desk window's email and text sender: ONE long-lived worker (:class:`ui.workers.DeviceWorker`).

Every ``interval`` seconds (5) (or at once after :meth:`NotifySender.wake`) its thread queues the daily log when
the school's time has come and sends what is due in the outbox (:class:`frontdesk.notifications.sender.Sender`:
retries with backoff, gives up after a day). What it did arrives as the ``attempted`` signal of this object,
which lives in the GUI thread (workers never touch widgets). The thread uses its own database connection.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal, Slot

from frontdesk.context import Services
from ui.workers import DeviceWorker


class NotifySender(DeviceWorker):
    """Sends the notification outbox for as long as the desk window is open."""

    attempted = Signal(object)  # list[Attempt] of one pass (only passes that tried something)
    failed = Signal(str)  # the pass itself failed (the database was busy): shown, then tried again

    def __init__(self, services: Services, parent: QObject | None = None, *, interval: float = 5.0):
        super().__init__("notify-sender", parent)
        self._services = services
        self.interval = interval
        self._wake = threading.Event()

    def wake(self, *_signal_args) -> None:
        """Something was queued: send it now (connects to any signal; its arguments are ignored)."""
        self._wake.set()

    def interrupt(self) -> None:
        """Wake the thread so it sees :attr:`stopping`."""
        self._wake.set()

    def run(self) -> None:
        """Queue the daily log when due, send what is due; then sleep until woken or the interval passes."""
        try:
            while not self.stopping.is_set():
                try:
                    self._services.daily_log.queue_if_due()
                    attempts = self._services.sender.send_due()
                    if attempts:
                        self.attempted.emit(attempts)
                except Exception as exc:  # a busy database or a bad setting: say so, try again next pass
                    self.failed.emit(str(exc))
                self._wake.wait(self.interval)
                self._wake.clear()
        finally:
            self._services.store.close()  # this thread's connection only


class NotifyStarter(QObject):
    """Starts the desk window's notification sender once that window exists (after first-run set-up if
    needed), and stops it when the application quits."""

    def __init__(self, shell, app):
        super().__init__(shell)
        self._shell = shell
        self._started: NotifySender | None = None
        shell.currentChanged.connect(self.on_current_changed)
        app.aboutToQuit.connect(self.on_quit)
        self.on_current_changed()

    @Slot()
    def on_current_changed(self, _index: int = 0) -> None:
        """Start the sender of the desk window, once it is shown."""
        desk = self._shell.desk
        if desk is not None and self._started is None:
            self._started = desk.notify.outbox_sender
            self._started.start()

    @Slot()
    def on_quit(self) -> None:
        """Stop the sender (what is queued stays in the outbox for next time)."""
        if self._started is not None:
            self._started.stop()
