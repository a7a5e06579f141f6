"""The Qt wedge filter: a scan typed into whatever has focus is caught; a person's typing is not swallowed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from tests.id_corpus import US, card_payload
from ui.scanning.wedge_filter import WedgeFilter, key_name

PAYLOAD = card_payload(US).decode("latin-1")
_CTRL = {"\n": Qt.Key.Key_J, "\r": Qt.Key.Key_M, "\x1e": Qt.Key.Key_AsciiCircum}


class FakeClock:
    """A clock the test moves by hand, so key timing is exact however busy the machine is."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def press(widget: QWidget, char: str) -> None:
    """One key press as a wedge scanner (or a person) sends it, to the focused widget."""
    if char in _CTRL:
        event = QKeyEvent(QKeyEvent.Type.KeyPress, _CTRL[char], Qt.KeyboardModifier.ControlModifier, char)
    else:
        key = Qt.Key(ord(char.upper())) if char.isalnum() else Qt.Key.Key_Space if char == " " else Qt.Key.Key_Any
        event = QKeyEvent(QKeyEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, char)
    QApplication.sendEvent(widget, event)


def type_text(clock: FakeClock, text: str, per_key: float, qtbot=None) -> None:
    for char in text:
        press(QApplication.focusWidget(), char)
        clock.now += per_key
        if qtbot is not None:
            qtbot.wait(2)  # let the filter's timer release a person's key


@pytest.fixture
def rig(qtbot):
    clock = FakeClock()
    wedge = WedgeFilter(clock=clock)
    wedge.install()
    host = QWidget()
    layout = QVBoxLayout(host)
    first, second = QLineEdit(), QLineEdit()
    layout.addWidget(first)
    layout.addWidget(second)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    first.setFocus()
    QApplication.processEvents()
    yield clock, wedge, first, second
    wedge.uninstall()


def test_key_names():
    ev = QKeyEvent(QKeyEvent.Type.KeyPress, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier, "\n")
    assert key_name(ev) == "Ctrl+J"
    ev = QKeyEvent(QKeyEvent.Type.KeyPress, Qt.Key.Key_Left, Qt.KeyboardModifier.NoModifier, "")
    assert key_name(ev).startswith("Key")


def test_a_scan_is_caught_and_never_typed_into_the_focused_field(qtbot, rig):
    clock, wedge, first, _ = rig
    with qtbot.waitSignal(wedge.scan_started, timeout=2000):
        type_text(clock, PAYLOAD[:20], 0.003)
    type_text(clock, PAYLOAD[20:], 0.003)
    clock.now += 0.2
    with qtbot.waitSignal(wedge.scanned, timeout=2000) as signal:
        pass
    assert signal.args == [PAYLOAD]
    assert first.text() == ""


def test_a_person_typing_is_not_swallowed(qtbot, rig):
    clock, wedge, first, _ = rig
    type_text(clock, "Ann Testwood", 0.15, qtbot)
    qtbot.waitUntil(lambda: first.text() == "Ann Testwood", timeout=2000)
    assert not wedge.buffer.holding


def test_a_scan_in_the_middle_of_typing_goes_to_the_scan_not_the_field(qtbot, rig):
    clock, wedge, first, _ = rig
    type_text(clock, "Ann", 0.15, qtbot)
    clock.now += 0.3
    type_text(clock, PAYLOAD, 0.003)
    clock.now += 0.3
    with qtbot.waitSignal(wedge.scanned, timeout=2000) as signal:
        pass
    type_text(clock, " T", 0.15, qtbot)
    qtbot.waitUntil(lambda: first.text() == "Ann T", timeout=2000)
    assert signal.args == [PAYLOAD]


def test_keys_delivered_to_the_window_are_handled_once(qtbot, rig):
    # A real platform delivers key presses to the QWindow first; the filter must see each press once.
    clock, wedge, first, _ = rig
    window = first.window().windowHandle()

    def at_window(key, text, mods=Qt.KeyboardModifier.NoModifier):
        QApplication.sendEvent(window, QKeyEvent(QKeyEvent.Type.KeyPress, key, mods, text))

    for char in "Ann":
        at_window(Qt.Key(ord(char.upper())), char)
        clock.now += 0.2
        qtbot.wait(2)
    qtbot.waitUntil(lambda: first.text() == "Ann", timeout=2000)
    at_window(Qt.Key.Key_Backspace, "\b")
    assert first.text() == "An"
    for char in PAYLOAD[:30]:
        at_window(
            _CTRL.get(char, Qt.Key.Key_A),
            char,
            Qt.KeyboardModifier.ControlModifier if char in _CTRL else Qt.KeyboardModifier.NoModifier,
        )
        clock.now += 0.003
    clock.now += 0.3
    with qtbot.waitSignal(wedge.scanned, timeout=2000) as signal:
        pass
    assert signal.args == [PAYLOAD[:30]] and first.text() == "An"


def test_real_clock_scan_and_typing(qtbot):
    # No injected clock: the filter's own timers and time source, as in the running app.
    wedge = WedgeFilter()
    wedge.install()
    try:
        edit = QLineEdit()
        qtbot.addWidget(edit)
        edit.show()
        qtbot.waitExposed(edit)
        edit.setFocus()
        for char in "Ann":
            press(edit, char)
            qtbot.wait(120)
        qtbot.waitUntil(lambda: edit.text() == "Ann", timeout=2000)
        with qtbot.waitSignal(wedge.scanned, timeout=3000) as signal:
            for char in PAYLOAD:
                press(edit, char)
        assert signal.args == [PAYLOAD] and edit.text() == "Ann"
    finally:
        wedge.uninstall()


@pytest.mark.parametrize("per_key", [0.020, 0.030, 0.045, 0.060])
def test_a_fast_typist_loses_no_key(qtbot, rig, per_key):
    """Bursts of 20-60 ms a key (a fast typist) reach the field whole; the entry is never emptied."""
    clock, wedge, first, _ = rig
    with qtbot.assertNotEmitted(wedge.scanned, wait=0):
        type_text(clock, "Ann Testwood 555 0142", per_key, qtbot)
        clock.now += 0.5
        qtbot.waitUntil(lambda: first.text() == "Ann Testwood 555 0142", timeout=2000)
