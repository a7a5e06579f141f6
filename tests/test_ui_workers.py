"""A device worker whose thread outlives stop() is kept until the thread ends and let go in the GUI thread
(``ui.workers``): its parent closing does not delete it under the thread, and the thread never deletes it."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ui import workers
from ui.workers import DeviceWorker


class _Stuck(DeviceWorker):
    """A worker stuck in its device until ``release`` is set (a write that does not return), which then says
    so with a signal, as a print worker reports its job."""

    finished_job = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__("stuck-device", parent)
        self.release = threading.Event()
        self.errors: list[BaseException] = []

    def run(self) -> None:
        self.release.wait(30)
        try:
            self.finished_job.emit("done")
        except BaseException as exc:  # RuntimeError: the C++ object was deleted under the thread
            self.errors.append(exc)


def _let_go_in(worker: DeviceWorker) -> list[str]:
    """Where the worker's Python object is let go (and PySide6 deletes the QObject): the thread's name."""
    where: list[str] = []
    weakref.finalize(worker, lambda: where.append(threading.current_thread().name))
    return where


def test_a_parent_closing_does_not_delete_a_worker_whose_thread_still_runs(qapp, qtbot, monkeypatch):
    monkeypatch.setattr(workers, "LOOK_MS", 20)
    window = QWidget()
    worker = _Stuck(window)
    got: list[str] = []
    worker.finished_job.connect(got.append)
    worker.start()
    assert worker.stop(timeout=0) is False  # stuck: stop() does not wait for it
    errors, release, thread = worker.errors, worker.release, worker._thread
    where = _let_go_in(worker)
    del worker
    window.deleteLater()  # the window closes while the device is still stuck
    qtbot.waitUntil(lambda: not window.isVisible())
    qapp.processEvents()
    release.set()
    qtbot.waitUntil(lambda: got == ["done"], timeout=5000)  # its signal still reaches the GUI thread
    thread.join(5)
    qtbot.waitUntil(lambda: bool(where), timeout=5000)
    assert errors == []
    assert where == [threading.main_thread().name]


def test_a_worker_replaced_while_its_thread_runs_is_let_go_in_the_gui_thread(qapp, qtbot, monkeypatch):
    """As the badge printer's old worker when the printer setting changes: stopped without waiting, replaced."""
    monkeypatch.setattr(workers, "LOOK_MS", 20)
    worker = _Stuck()
    worker.start()
    assert worker.stop(timeout=0) is False
    release, thread = worker.release, worker._thread
    where = _let_go_in(worker)
    del worker  # the owner keeps only the new worker
    gc.collect()
    assert where == []  # kept while its thread runs
    release.set()
    thread.join(5)
    qtbot.waitUntil(lambda: bool(where), timeout=5000)
    assert where == [threading.main_thread().name]
    assert not workers._OUTLIVING


def test_a_worker_that_stops_in_time_is_not_kept(qapp):
    worker = _Stuck()
    worker.start()
    worker.release.set()
    assert worker.stop(timeout=5) is True
    assert not worker.running
    assert not workers._OUTLIVING
