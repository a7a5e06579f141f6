"""Dialogs that wait without Qt's modality (``ui.asking``, session 24), offscreen: what is held while a question
waits, what is not, and that a question over a held window keeps No as the default for Enter and Esc.

That the panic button really takes a click meanwhile cannot be shown offscreen (QTest's clicks pass Qt's modal
blocking by): ``tests/test_panic_while_asking_xcb.py`` shows it on Xvfb with the X server's pointer.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QVBoxLayout, QWidget

from ui.asking import answer_of, ask_yes_no, keep_live, waiting


@pytest.fixture
def windows(qtbot):
    """A main window with a live button and a held one, and a side window (its child, as Review is the desk's)."""
    main = QWidget()
    layout = QVBoxLayout(main)
    live, held = QPushButton("live", main), QPushButton("held", main)
    layout.addWidget(live)
    layout.addWidget(held)
    keep_live(live)
    side = QWidget(main, Qt.WindowType.Window)
    QVBoxLayout(side).addWidget(QPushButton("side's", side))
    qtbot.addWidget(main)
    main.show()
    side.show()
    qtbot.waitExposed(side)
    return main, live, held, side


def _while_asked(qtbot, then) -> None:
    def go() -> None:
        qtbot.waitUntil(lambda: bool(waiting()) and waiting()[-1].isVisible())
        then(waiting()[-1])

    QTimer.singleShot(0, go)


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape])
def test_a_question_over_a_held_window_keeps_no_for_enter_and_esc(qtbot, windows, key):
    """Found making it: the box, a child of the window it asks over, was disabled with that window and lost its
    focus to Yes, which as the focused button took Enter. Fails without the focus put back (Enter said Yes)."""
    main, live, held, side = windows
    seen = {}

    def press(box) -> None:
        target = box.focusWidget()
        seen["focus"] = target.text() if target is not None else None
        QTest.keyClick(target or box, key)

    _while_asked(qtbot, press)
    assert ask_yes_no(side, "Remove?", "Remove the bar on Pat Example?") is False
    assert seen["focus"] is not None and seen["focus"].replace("&", "") == "No"


def test_while_a_question_waits_only_the_live_parts_take_input_and_nothing_stays_held(qtbot, windows):
    main, live, held, side = windows
    held_shortcut = QShortcut(QKeySequence("Ctrl+K"), main)
    live_shortcut = QShortcut(QKeySequence("Ctrl+J"), main)
    keep_live(live_shortcut)
    already_off = QPushButton("off", main)
    already_off.setEnabled(False)
    seen = {}

    def look(box) -> None:
        seen.update(
            live=live.isEnabled(),
            held=held.isEnabled(),
            side=side.isEnabled(),
            main=main.isEnabled(),
            box=box.isEnabled(),
            shortcuts=(held_shortcut.isEnabled(), live_shortcut.isEnabled()),
            modal=QApplication.activeModalWidget(),
        )
        box.button(QMessageBox.StandardButton.Yes).click()

    _while_asked(qtbot, look)
    assert ask_yes_no(side, "Remove?", "Remove the bar?") is True
    assert seen == {
        "live": True,
        "held": False,
        "side": False,
        "main": True,  # the window itself: its live part is in it
        "box": True,
        "shortcuts": (False, True),
        "modal": None,  # nothing modal to Qt: no window is blocked by Qt
    }
    assert held.isEnabled() and side.isEnabled() and held_shortcut.isEnabled() and not already_off.isEnabled()
    assert waiting() == []


def test_the_desk_closing_the_asking_window_ends_its_question_with_no(qtbot, windows):
    """Review closes when the person at the desk changes (the lock after inactivity): its question goes with it,
    answered No, and nothing stays held. (The person's own close of a held window, from the window system, is
    refused: tests/test_panic_while_asking_xcb.py sends it as a window manager would; offscreen cannot.)"""
    main, live, held, side = windows
    seen = {}

    def close_it(box) -> None:
        side.close()  # what DeskLock.on_person_changed does to Review
        seen["box_shown"] = box.isVisible()

    _while_asked(qtbot, close_it)
    assert ask_yes_no(side, "Check out forgotten visitors?", "Check out 2 visitors?") is False
    assert seen == {"box_shown": False} and not side.isVisible()
    assert held.isEnabled() and main.isEnabled() and waiting() == []


def test_a_dialog_is_placed_clear_of_the_panic_button(qtbot, windows):
    """A dialog centred on its window covered the panic button (a file dialog at 1366x768): it goes beside it."""
    from PySide6.QtWidgets import QDialog

    main, live, held, side = windows
    main.resize(900, 500)
    keep_live(live, in_sight=True)
    dialog = QDialog(main)
    dialog.resize(400, 200)
    seen = {}

    def look(shown) -> None:
        spot = live.rect().translated(live.mapToGlobal(live.rect().topLeft()))
        seen["clear"] = not shown.frameGeometry().intersects(spot)
        shown.reject()

    _while_asked(qtbot, look)
    answer_of(dialog)
    assert seen["clear"]


@pytest.mark.parametrize("menu_item", ["&Expected guests…", "Badge &printer…"])
def test_the_desks_own_dialogs_hold_the_desk_but_its_panic_control(qtbot, services, menu_item):
    """Tools ▸ Expected guests and Tools ▸ Badge printer open over the desk window itself (with ``exec()`` until
    session 24: nothing of the desk took a click). Now the desk's form is held and its panic control is not."""
    from ui.app import build_desk

    desk = build_desk(services)
    qtbot.addWidget(desk.window)
    desk.window.show()
    qtbot.waitExposed(desk.window)
    [action] = [a for a in desk.window.tools_menu.actions() if a.text() == menu_item]
    seen = {}

    def look(dialog) -> None:
        seen.update(
            form=desk.window.check_in_button.isEnabled(),
            menus=desk.window.menuBar().isEnabled(),
            panic=desk.dispatch.panel.hold_button.isEnabled(),
            roster=desk.desk_lock.roster_button.isEnabled(),
            dialog=dialog.isEnabled(),
        )
        dialog.reject()

    _while_asked(qtbot, look)
    action.trigger()
    assert seen == {"form": False, "menus": False, "panic": True, "roster": True, "dialog": True}
    assert desk.window.check_in_button.isEnabled() and desk.window.menuBar().isEnabled()
