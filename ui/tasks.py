"""One-off background work: ``run_task(fn, on_done)`` over QThreadPool, result delivered on the GUI thread;
and work put off until the desk has started: ``after_start(context, ms, fn)``.

Long-lived device work (a printer, a serial scanner, the dispatch sender) uses one worker with a queue per
device instead; these two are the only ways the app runs work off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot


class _Relay(QObject):
    """Lives in the GUI thread; the runnable emits into it, so ``on_done`` runs on the GUI thread."""

    finished = Signal(object, object)

    def __init__(self, on_done: Callable[[Any, BaseException | None], None]):
        super().__init__()
        self._on_done = on_done
        self.finished.connect(self.on_finished)

    @Slot(object, object)
    def on_finished(self, result: Any, error: BaseException | None) -> None:
        try:
            self._on_done(result, error)
        finally:
            _pending.discard(self)
            self.deleteLater()


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay):
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result, error = self._fn(), None
        except BaseException as exc:  # handed to the GUI thread, never lost in the pool
            result, error = None, exc
        try:
            self._relay.finished.emit(result, error)
        except RuntimeError:  # the app quit while this ran (its relay is gone): nobody is left to tell
            pass


_pending: set[_Relay] = set()


def run_task(fn: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None]) -> None:
    """Run ``fn`` on the thread pool; call ``on_done(result, error)`` on the GUI thread when it ends."""
    relay = _Relay(on_done)
    _pending.add(relay)
    QThreadPool.globalInstance().start(_Task(fn, relay))


def after_start(context: QObject, ms: int, fn: Callable[[], object]) -> None:
    """Run ``fn`` ``ms`` milliseconds after the event loop first runs (the window shown and painted), not after
    now: on a slow or busy PC building and painting the window can itself take longer than ``ms``, and the
    deferred work must not land on the first paint. Dropped with ``context``."""
    QTimer.singleShot(0, context, lambda: QTimer.singleShot(ms, context, fn))
