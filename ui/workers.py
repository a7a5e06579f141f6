"""The one shape of a long-lived worker (STYLE rule 4): one thread per device or link, for as long as it runs.

Each printer, each serial scanner and the dispatch link is a :class:`DeviceWorker`: built without touching
the device, started once with :meth:`~DeviceWorker.start`, stopped with :meth:`~DeviceWorker.stop`, which
wakes the thread and waits for it. The thread runs :meth:`~DeviceWorker.run` and speaks only through this
object's signals; the object lives in the GUI thread, so the slots connected to it run there (rule 5).
One-off jobs are :func:`ui.tasks.run_task`'s, not a worker's.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject


class DeviceWorker(QObject):
    """A thread that serves one device or link: subclasses give :meth:`run`, and :meth:`interrupt` if it blocks."""

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.thread_name = name
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (once; later calls do nothing)."""
        if self._thread is not None:
            return
        self.stopping.clear()
        self._thread = threading.Thread(target=self.run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> bool:
        """Ask the thread to finish, wake it, and wait up to ``timeout`` s; True once it has ended."""
        self.stopping.set()
        self.interrupt()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        if self._thread.is_alive():
            return False
        self._thread = None
        return True

    def run(self) -> None:  # pragma: no cover - every worker gives its own
        """The thread's body: serve the device until :attr:`stopping` is set."""
        raise NotImplementedError

    def interrupt(self) -> None:
        """Wake :meth:`run` from whatever it waits on (a queue, a socket); nothing to do by default."""
