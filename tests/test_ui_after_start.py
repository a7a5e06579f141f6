"""Work the desk puts off until it has started (``ui.tasks.after_start``: the panic link's thread, the status
items' first reads, the sender, the camera) runs after the window's first paint. Two zero-timers are not that
moment: the window system's expose (and so the first paint) comes when it comes, and an event loop kept busy by
any other zero-interval timer (the start-up probe's, a poll) ran the put-off work before the first paint."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from ui.tasks import after_start, when_painted


class _Recorded(QLabel):
    """A window that notes its paints in ``order``."""

    def __init__(self, order: list[str]):
        super().__init__("desk")
        self.order = order

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.order.append("paint")
        super().paintEvent(event)


def test_work_put_off_until_the_start_runs_after_the_first_paint_even_in_a_busy_loop(qtbot):
    order: list[str] = []
    busy = QTimer(interval=0)  # once a pass of the event loop, as a poll would
    busy.start()
    try:
        window = _Recorded(order)
        qtbot.addWidget(window)
        after_start(window, 0, lambda: order.append("deferred"))  # as the desk does, while it builds its window
        window.resize(640, 400)
        window.show()
        qtbot.waitUntil(lambda: "deferred" in order)
    finally:
        busy.stop()  # not left running when the wait fails
    assert order.index("paint") < order.index("deferred"), order


def test_with_no_window_shown_the_work_is_not_held(qtbot):
    order: list[str] = []
    hidden = QLabel("not shown")
    qtbot.addWidget(hidden)
    when_painted(hidden, lambda: order.append("ran"))
    assert order == ["ran"]  # nothing to wait for: at once
