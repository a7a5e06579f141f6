"""The one shape of a long-lived worker (STYLE rule 4): one thread per device or link, for as long as it runs.

Each printer, each serial scanner and the dispatch link is a :class:`DeviceWorker`: built without touching
the device, started once with :meth:`~DeviceWorker.start`, stopped with :meth:`~DeviceWorker.stop`, which
wakes the thread and waits for it. The thread runs :meth:`~DeviceWorker.run` and speaks only through this
object's signals; the object lives in the GUI thread, so the slots connected to it run there (rule 5).
One-off jobs are :func:`ui.tasks.run_task`'s, not a worker's.

A worker whose thread outlives :meth:`~DeviceWorker.stop` (a device stuck in a write; the badge printer's old
worker, stopped without waiting so that it finishes the badges queued for it) is kept until its thread ends,
without its parent, and let go in the GUI thread. Otherwise the thread would hold the last reference and
delete the object itself, in the wrong thread, when it ends (PySide6 deletes a Python-owned QObject where
its last reference goes), or its parent window, closing, would delete it under the running thread.
"""

from __future__ import annotations

import functools
import threading

from PySide6.QtCore import QCoreApplication, QObject, QTimer

# Workers whose thread outlived stop(): kept, without a parent, until the thread has ended (the module's notes).
_OUTLIVING: set[DeviceWorker] = set()
LOOK_MS = 500  # how often the GUI thread looks whether such a thread has ended


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
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        if thread.is_alive():
            self._outlive(thread)
            return False
        self._thread = None
        return True

    def _outlive(self, thread: threading.Thread) -> None:
        """Keep this worker until ``thread`` has ended, then let it go in the GUI thread (which calls stop())."""
        if self in _OUTLIVING:
            return
        self.setParent(None)  # a parent closing must not delete it under its thread: Python owns it now
        _OUTLIVING.add(self)
        if QCoreApplication.instance() is not None:  # else no event loop to let it go from: kept for good
            QTimer.singleShot(LOOK_MS, functools.partial(_let_go_when_ended, self, thread))

    def run(self) -> None:  # pragma: no cover - every worker gives its own
        """The thread's body: serve the device until :attr:`stopping` is set."""
        raise NotImplementedError

    def interrupt(self) -> None:
        """Wake :meth:`run` from whatever it waits on (a queue, a socket); nothing to do by default."""


def _let_go_when_ended(worker: DeviceWorker, thread: threading.Thread) -> None:
    """In the GUI thread: once ``thread`` has ended, stop keeping ``worker`` (see :meth:`DeviceWorker._outlive`).
    A partial, not a closure that names itself: that would be a reference cycle, let go only by the collector."""
    if thread.is_alive():
        QTimer.singleShot(LOOK_MS, functools.partial(_let_go_when_ended, worker, thread))
        return
    thread.join()  # its last reference to the worker is gone once join returns
    worker._thread = None
    _OUTLIVING.discard(worker)
