"""One-off background work: ``run_task(fn, on_done)`` over QThreadPool, result delivered on the GUI thread;
work put off until the desk has started: ``after_start(context, ms, fn)``; and Python's cyclic garbage
collector kept to the GUI thread, whatever the other threads do: :class:`GuiCollector`.

Long-lived device work (a printer, a serial scanner, the dispatch sender) uses one worker with a queue per
device instead; these two are the only ways the app runs work off the GUI thread. Any thread may make garbage
cycles, and a cycle may hold a Qt object's Python wrapper; from the desk's first idle to its exit only the GUI
thread collects them (:func:`collect_on_gui_thread`, started by ``ui.app.resume_gc`` and by the tests' ``qapp``).
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot


class _Relay(QObject):
    """Lives in the GUI thread and holds everything the caller gave: the work, the callback, and then the outcome.
    The runnable emits into it, so ``on_done`` runs on the GUI thread, and lets go of all of it there.

    The runnable holds only this relay. QThreadPool deletes the runnable on its own thread after ``run()``, and a
    runnable that held the work or the callback (a bound method of a window) could then drop the last reference
    to that window on the pool thread: it happens when the pool thread is preempted between its emit and that
    deletion while the GUI thread runs the callback and its caller lets the window go. The window's Qt destructor
    then ran on the pool thread (shiboken deletes a Python-owned object where its last reference goes) and
    crashed in ~QAbstractItemView (a test worker's core: ListManager, through _Relay._on_done)."""

    finished = Signal()

    def __init__(self, fn: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None]):
        super().__init__()
        self.fn: Callable[[], Any] | None = fn
        self._on_done: Callable[[Any, BaseException | None], None] | None = on_done
        self.outcome: tuple[Any, BaseException | None] = (None, None)  # set by the runnable before it emits
        self.finished.connect(self.on_finished)

    @Slot()
    def on_finished(self) -> None:
        on_done, (result, error) = self._on_done, self.outcome
        self.fn = self._on_done = None  # let go of the caller's objects here, on the GUI thread
        self.outcome = (None, None)
        try:
            assert on_done is not None
            on_done(result, error)
        finally:
            _pending.discard(self)
            self.deleteLater()


class _Task(QRunnable):
    def __init__(self, relay: _Relay):
        super().__init__()
        self._relay = relay  # all it holds: the relay is emptied on the GUI thread, whoever drops it last

    def run(self) -> None:
        relay = self._relay
        try:
            assert relay.fn is not None
            relay.outcome = relay.fn(), None
        except BaseException as exc:  # handed to the GUI thread, never lost in the pool
            relay.outcome = None, exc
        try:
            relay.finished.emit()
        except RuntimeError:  # the app quit while this ran (its relay is gone): nobody is left to tell
            pass


_pending: set[_Relay] = set()


def run_task(fn: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None]) -> None:
    """Run ``fn`` on the thread pool; call ``on_done(result, error)`` on the GUI thread when it ends. The pool
    thread never holds the last reference to ``fn``, ``on_done`` or what they refer to (a window): those are let
    go on the GUI thread, when ``on_done`` is called."""
    relay = _Relay(fn, on_done)
    _pending.add(relay)
    QThreadPool.globalInstance().start(_Task(relay))


# How often, and at most how long, work put off until the first paint waits for the window to be exposed. The
# bound is for a window that is shown but never exposed (started minimised, or fully covered where the OS does not
# expose covered windows): the panic link starts after the first paint, and must never wait long for one.
PAINT_POLL_MS = 2
PAINT_WAIT_S = 0.5


def when_painted(context: QObject, fn: Callable[[], object], wait_s: float | None = PAINT_WAIT_S) -> None:
    """Run ``fn`` once every shown top-level window has been exposed, and so painted (Qt paints a widget's window
    in the pass that handles its first expose), or ``wait_s`` from now (None: no bound), whichever comes first;
    at once when no window is shown. Dropped with ``context``.

    The first zero-timer after ``show()`` is not that moment: it runs before the window system's expose arrives,
    under X11 and offscreen alike (measured: a label's first paint ~4-9 ms after it). Two zero-timers usually
    straddle the expose, but not always: with the event loop kept busy (the start-up probe looking every pass),
    the desk's work put off that way ran before its first paint."""
    from PySide6.QtGui import QGuiApplication

    deadline = None if wait_s is None else time.monotonic() + wait_s

    def look() -> None:
        shown = [w for w in QGuiApplication.topLevelWindows() if w.isVisible()]
        if all(w.isExposed() for w in shown) or (deadline is not None and time.monotonic() >= deadline):
            fn()
        else:
            QTimer.singleShot(PAINT_POLL_MS, context, look)

    look()


def after_start(context: QObject, ms: int, fn: Callable[[], object]) -> None:
    """Run ``fn`` ``ms`` milliseconds after the window is first painted (:func:`when_painted`, from the event
    loop's first run), not after now: on a slow or busy PC building and painting the window can itself take
    longer than ``ms``, and the deferred work must not land on the first paint. Dropped with ``context``."""
    QTimer.singleShot(0, context, lambda: when_painted(context, lambda: QTimer.singleShot(ms, context, fn)))


# --- Python's cyclic garbage collector, run on the GUI thread only ---------------------------------------------

# Automatic collection stays armed at this many net new objects in the young generation (CPython's own first
# threshold is 700), as a bound on memory should the GUI thread be kept from its event loop that long: a long
# operation on it (a modal dialog runs the loop and does not count). A desk whose loop runs never gets near it:
# during a re-index at a million entries, under a load of 4 with 3.7 s gaps in the GUI thread's ticks, the young
# generation held at most 12,105 objects when a collection began.
CEILING = 500_000
TICK_MS = 100  # how often the GUI thread looks at the collector's counts (a look costs a few microseconds)


class GuiCollector(QObject):
    """Python's cyclic garbage collector, run only on the GUI thread, with Python's own policy.

    CPython collects in whichever thread allocates when its counts trip. In the desk that is often a worker
    (the thread pool's tasks, the panic link, the re-index, hub sync, the camera, the printers), and a garbage
    cycle that holds a Qt object's Python wrapper then deletes the Qt object on that thread: Qt objects must be
    deleted on the thread they live in, and doing otherwise can crash the desk (a front-door outage).

    So automatic collection is put out of reach (its first threshold raised to :data:`CEILING`) and a timer on
    the GUI thread looks at ``gc.get_count()`` every :data:`TICK_MS` ms and runs what CPython would have run:
    the oldest generation whose count passed its threshold (Python's own thresholds, read when started), and a
    full collection only once the objects moved to the oldest generation since the last full one reach 25% of
    those it kept then (CPython 3.11's rule; without it each full collection, 130-175 ms at a million-entry
    list, would come every ten middle ones). One collection a tick: the young ones cost what the objects made
    since the last tick cost, as CPython's 700-object steps add up to the same work.

    - The objects moved to the oldest generation are counted exactly (the young objects before a middle
      collection, less what it found); those it kept are counted on the tick after a full collection (a walk
      about a quarter as long as the collection's own, so the two pauses are not added).
    - ``gc.disable()`` anywhere is a hold: while the collector is disabled (start-up until the first idle; the
      re-index in each of its write transactions, :func:`frontdesk.screening.reindex._collector_held`) the
      timer does not collect, so no collection starts inside the build's lock. (The look and the collection
      are two calls: a worker that took its hold exactly between them would meet one collection inside it, a
      delay, never a loss; none did in the measured builds.)
    - A freeze (after the re-index: ``ui.screening.index_upgrade``) goes through :meth:`freeze`, which counts
      the oldest generation afresh; CPython would wait for a quarter of the frozen heap before its next full
      collection, hours at a desk.
    - The bound: if the GUI thread does not get back to its event loop while :data:`CEILING` objects pile up,
      CPython collects where it allocates, as before this class. A desk that long without its loop is already
      frozen at the front door; cyclic garbage is then held to a known size rather than growing until memory
      runs out.

    Prior art: pyqtgraph's ``GarbageCollector`` (a timer on the GUI thread; it collects each generation past
    its threshold in turn, without CPython's 25% rule). On CPython 3.14's incremental collector the counts mean
    something else and the policy is only roughly CPython's, but collections still run on the GUI thread only.
    """

    def __init__(self, parent: QObject | None = None, *, ceiling: int = CEILING, tick_ms: int = TICK_MS):
        super().__init__(parent)
        self.ceiling = ceiling
        self.thresholds = gc.get_threshold()  # Python's, replaced by start()
        self.collections = [0, 0, 0]  # collections run by this collector, by generation
        self._saved: tuple[int, int, int] | None = None
        self._pending = 0  # objects moved to the oldest generation since the last full collection
        self._kept: int | None = 0  # objects the last full collection kept (None: count them next tick)
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.on_timeout)

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._saved is not None

    def start(self) -> None:
        """Take over from automatic collection (call on the GUI thread)."""
        if self._saved is not None:
            return
        self._saved = self.thresholds = gc.get_threshold()
        gc.set_threshold(self.ceiling, *self.thresholds[1:])
        self._pending, self._kept = 0, None
        self._timer.start()

    def stop(self) -> None:
        """Back to CPython's own thresholds (collections in whichever thread allocates)."""
        if self._saved is None:
            return
        self._timer.stop()
        gc.set_threshold(*self._saved)
        self._saved = None

    def freeze(self) -> None:
        """``gc.freeze()`` (everything alive now moves to the permanent generation, never walked again), and the
        oldest generation counted afresh: it is empty now, so the next full collection does not wait, as CPython's
        would, until a quarter of what the last one kept before the freeze has been added to it."""
        gc.freeze()
        self._pending, self._kept = 0, 0

    @Slot()
    def on_timeout(self) -> None:
        """Run the collection that is due, if any (the timer's tick)."""
        self.collect_if_due()

    def collect_if_due(self) -> int | None:
        """Run the collection CPython would run now, on this thread; return its generation (None: none due)."""
        if not gc.isenabled():  # held (start-up, a re-index's write transaction): its owner turns it back on
            return None
        if self._kept is None:
            self._kept = max(len(gc.get_objects(2)) - self._pending, 0)
        counts = gc.get_count()
        if counts[0] <= self.thresholds[0]:
            return None  # CPython looks only when the young generation passes its threshold
        generation = 2 if counts[2] > self.thresholds[2] and self._pending >= self._kept // 4 else None
        if generation is None:
            generation = 1 if counts[1] > self.thresholds[1] else 0
        if generation == 1:
            young = len(gc.get_objects(0)) + len(gc.get_objects(1))
            self._pending += max(young - gc.collect(1), 0)
        else:
            gc.collect(generation)
            if generation == 2:
                self._pending, self._kept = 0, None
        self.collections[generation] += 1
        return generation


_collector: GuiCollector | None = None


def collect_on_gui_thread() -> GuiCollector:
    """Start the process's one :class:`GuiCollector` (again, if stopped) and return it. Call it on the GUI thread
    once the QApplication exists: the collector's timer runs there."""
    global _collector
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("the garbage collector's timer must be started on the GUI thread")
    if _collector is None:
        _collector = GuiCollector()
    _collector.start()
    return _collector


def freeze_heap() -> None:
    """``gc.freeze()`` for the desk: through its collector while that runs (:meth:`GuiCollector.freeze`)."""
    if _collector is not None and _collector.running:
        _collector.freeze()
    else:
        gc.freeze()
