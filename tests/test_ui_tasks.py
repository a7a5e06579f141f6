"""ui.tasks.run_task lets go of what its caller gave it (the work, the callback and what they refer to: a
window) on the GUI thread, when the callback runs; never through the pool thread's runnable.

A test worker crashed in ~QAbstractItemView on a QThreadPool thread: the runnable, deleted by the pool after
``run()``, held the last reference to a ListManager (through its relay's callback, ``on_import_done``), and
shiboken deletes a Python-owned widget on the thread that drops its last reference. The pool thread gets there
last only when it is preempted between its emit and that deletion while the GUI thread finishes the test, so these
tests look at what the runnable still holds once the callback has run, which does not depend on the scheduler."""

from __future__ import annotations

import threading
import weakref

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget

from ui.tasks import run_task


class Window(QWidget):
    """A caller: a widget whose bound method is the callback, as the desk's windows pass ``self.on_..._done``."""

    def __init__(self, errors: list[BaseException]):
        super().__init__()
        self.errors = errors

    def on_done(self, result, error) -> None:
        self.errors.append(error)  # kept, as a window keeps an error to show it


def _fail() -> None:
    raise ValueError("the work failed")


def _work_over(window: Window):
    """Work that refers to the window, as a closure over ``self`` would (it reads only a Python attribute: Qt's
    widgets are for the GUI thread)."""
    return lambda: len(window.errors)


def test_an_error_kept_after_the_callback_does_not_keep_the_caller_alive(qapp, qtbot):
    """The error's traceback holds the runnable's frame, and so the runnable: it must hold nothing of the
    caller's by then (before, it held the callback through its relay, and so the window, for as long as the error
    lived; and whichever thread dropped the runnable last deleted the window)."""
    errors: list[BaseException] = []
    window = Window(errors)
    finalized_on: list[int] = []
    weakref.finalize(window, lambda: finalized_on.append(threading.get_ident()))
    run_task(_fail, window.on_done)
    qtbot.waitUntil(lambda: len(errors) == 1)
    QThreadPool.globalInstance().waitForDone()  # the pool thread is done with its runnable too
    assert isinstance(errors[0], ValueError)
    del window
    assert finalized_on == [threading.get_ident()]  # gone now, on this (the GUI) thread, though the error lives


def test_the_work_and_the_callback_are_let_go_when_the_callback_runs(qapp, qtbot):
    """Once the callback has run and the caller lets its window go, nothing of the task's keeps it: not the
    callback, not the work (a closure over the window), whatever the pool thread has or has not done yet."""
    errors: list[BaseException] = []
    window = Window(errors)
    finalized_on: list[int] = []
    weakref.finalize(window, lambda: finalized_on.append(threading.get_ident()))
    run_task(_work_over(window), window.on_done)
    qtbot.waitUntil(lambda: len(errors) == 1)
    QThreadPool.globalInstance().waitForDone()
    assert errors == [None]
    del window
    assert finalized_on == [threading.get_ident()]
