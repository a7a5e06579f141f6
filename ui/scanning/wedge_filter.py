"""The keyboard-wedge filter: catches a scan wherever the focus is.

A thin Qt layer over :class:`scanners.wedge.WedgeBuffer`, listening through the desk's one input filter
(:class:`ui.input_watch.InputWatch`, on the focused window and widget): every key press goes through the
buffer once (at the ``QWindow`` when the platform delivers it there, else at the focused widget, as QTest
does). Keys that may be a scan are held; a person's keys are re-sent, unchanged and in order, to the focused widget
within ``fast`` seconds; keys with no wedge meaning (arrows, Backspace, shortcuts) pass untouched.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtWidgets import QApplication, QWidget

from scanners.wedge import Reading, Replay, Scanned, WedgeBuffer
from ui.input_watch import InputWatch

_CTRL_KEYS = {
    Qt.Key.Key_J: "Ctrl+J",
    Qt.Key.Key_M: "Ctrl+M",
    Qt.Key.Key_AsciiCircum: "Ctrl+^",
    Qt.Key.Key_6: "Ctrl+6",
    Qt.Key.Key_BracketRight: "Ctrl+]",
    Qt.Key.Key_Backslash: "Ctrl+\\",
    Qt.Key.Key_At: "Ctrl+@",
    Qt.Key.Key_2: "Ctrl+2",
}


def key_name(event: QKeyEvent) -> str:
    """The wedge name of a key press: "a", "Ctrl+J", "Return", or "Key<n>" for keys a scanner never sends."""
    key = Qt.Key(event.key())
    if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
        return _CTRL_KEYS.get(key, f"Ctrl+Key{int(key)}")
    if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        return "Return"
    if key == Qt.Key.Key_Tab:
        return "Tab"
    text = event.text()
    if len(text) == 1 and (text.isprintable() or text in "\n\r\x1e\x1d"):
        return text
    return f"Key{int(key)}"


class WedgeFilter(QObject):
    """Install once for the application. Emits :attr:`scan_started` then :attr:`scanned` for each scan."""

    scan_started = Signal()
    scan_progress = Signal(int)  # keys received so far
    scanned = Signal(str)

    def __init__(self, buffer: WedgeBuffer | None = None, clock: Callable[[], float] | None = None):
        super().__init__()
        self.buffer = buffer or WedgeBuffer()
        self._clock = clock
        self._anchor: tuple[float, float] | None = None  # (event time, monotonic time) of the last press
        self._replaying = False
        self._passed: tuple | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.on_timeout)

    def install(self, app: QCoreApplication | None = None) -> None:
        """Start watching every key press typed into the application (its focused window and widget)."""
        InputWatch.of(app).install(self)

    def uninstall(self, app: QCoreApplication | None = None) -> None:
        """Stop watching (the held keys are dropped)."""
        InputWatch.of(app).remove(self)
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.KeyPress or self._replaying:
            return False
        # Each press once: at the window when the platform delivers it there, else at the focused widget.
        at_focus = isinstance(watched, QWidget) and watched is QApplication.focusWidget()
        if not isinstance(watched, QWindow) and not at_focus:
            return False
        key_event: QKeyEvent = event  # type: ignore[assignment]
        signature = (key_event.timestamp(), key_event.key(), key_event.text(), key_event.modifiers())
        if signature == self._passed:
            return False  # the same press on its way from the window to the widget
        name = key_name(key_event)
        token = QKeyEvent(
            key_event.type(),
            key_event.key(),
            key_event.modifiers(),
            key_event.text(),
            key_event.isAutoRepeat(),
            key_event.count(),
        )
        actions = self.buffer.feed(self._event_time(key_event), name, token)
        passes = self.buffer.passed
        if passes:
            # Send what was held first, then let this key go on its normal way (shortcuts keep working).
            actions = [a for a in actions if not (isinstance(a, Replay) and a.tokens == (token,))]
            self._passed = signature
        self._apply(actions)
        self._schedule()
        return not passes

    @Slot()
    def on_timeout(self) -> None:
        self._apply(self.buffer.tick(self._now()))
        self._schedule()

    def _schedule(self) -> None:
        deadline = self.buffer.deadline()
        if deadline is None:
            self._timer.stop()
            return
        wait_ms = max(1, int((deadline - self._now()) * 1000) + 1)
        self._timer.start(wait_ms)

    def _event_time(self, event: QKeyEvent) -> float:
        """When the key was pressed. The platform's timestamp, not the time it is handled: keys queued while
        the window was busy would otherwise arrive together and look like a scan."""
        if self._clock is not None:
            return self._clock()
        stamp = event.timestamp()
        if not stamp:
            return self._now()
        self._anchor = (stamp / 1000, time.monotonic())
        return stamp / 1000

    def _now(self) -> float:
        """The current time on the same clock as :meth:`_event_time`."""
        if self._clock is not None:
            return self._clock()
        if self._anchor is None:
            return time.monotonic()
        return self._anchor[0] + time.monotonic() - self._anchor[1]

    def _apply(self, actions: list) -> None:
        for action in actions:
            if isinstance(action, Replay):
                self._replay(action.tokens)
            elif isinstance(action, Reading):
                if action.count < 50 and self.buffer.scanning:
                    self.scan_started.emit()
                self.scan_progress.emit(action.count)
            elif isinstance(action, Scanned):
                self.scanned.emit(action.text)

    def _replay(self, tokens: tuple) -> None:
        target = QApplication.focusWidget()
        if target is None:
            return
        self._replaying = True
        try:
            for token in tokens:
                QApplication.sendEvent(target, token)
        finally:
            self._replaying = False
