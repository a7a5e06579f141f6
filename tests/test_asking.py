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
def test_the_desks_own_dialogs_hold_the_desk_but_its_panic_control(qtbot, services, shell, menu_item):
    """Tools ▸ Expected guests and Tools ▸ Badge printer open over the desk window itself (with ``exec()`` until
    session 24: nothing of the desk took a click). Now the desk's form is held and its panic control is not. In
    the real launch's window (the Shell: built alone, the desk window hid that no question was asked there)."""
    from frontdesk import settings as s
    from frontdesk.access.roles import Role

    services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
    services.settings.set(s.STATION_NAME, "Main office desk")
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    desk = shell(services).desk
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


class _Steps:
    """Steps taken in turn by a timer every 10 ms, each when it can (it returns True once done): nothing waits
    inside a step, since a dialog's answer comes back only when the step that gave it has returned."""

    def __init__(self, *steps) -> None:
        self.steps = list(steps)
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(10)

    def _tick(self) -> None:
        if self.steps and self.steps[0]():
            self.steps.pop(0)
        if not self.steps:
            self.timer.stop()


def _box() -> QMessageBox | None:
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    return boxes[0] if boxes else None


def _file_dialog():
    from PySide6.QtWidgets import QFileDialog

    dialog = waiting()[-1] if waiting() else None
    return dialog if isinstance(dialog, QFileDialog) and dialog.isVisible() and dialog.isEnabled() else None


def test_a_file_not_found_is_said_without_holding_the_panic_button(qtbot, windows, tmp_path):
    """Session 25: Qt's own file dialog said "File not found" in its own box, modal to Qt (the red button took no
    click until OK). An open dialog now takes any name and says it in a box of ours. Fails on the old code (the
    box was modal)."""
    from PySide6.QtWidgets import QLineEdit

    from ui.asking import open_file_name

    main, live, held, side = windows
    seen = []

    def type_a_missing_name() -> bool:
        dialog = _file_dialog()
        if dialog is None:
            return False
        dialog.setDirectory(str(tmp_path))
        edit = dialog.findChild(QLineEdit, "fileNameEdit")
        edit.setText("missing.csv")
        QTest.keyClick(edit, Qt.Key.Key_Return)
        return True

    def read_any_box() -> bool:
        box = _box()
        if box is not None:
            seen.append((box.text(), QApplication.activeModalWidget() is None, live.isEnabled(), held.isEnabled()))
            box.reject()
        return False  # stops with the test (below): Qt's own box came inside the Return, on another timer's turn

    def cancel() -> bool:
        dialog = _file_dialog()
        if dialog is not None and seen:
            dialog.reject()
        return dialog is not None and bool(seen)

    steps = _Steps(type_a_missing_name, cancel)
    boxes = _Steps(read_any_box)
    try:
        assert open_file_name(main, "Import a list", "CSV files (*.csv)") == ""
    finally:
        boxes.timer.stop()
    assert not steps.steps
    # Said in plain words, in a box not modal to Qt: the live part (the red button) takes input, the rest not.
    assert seen == [("missing.csv was not found. Click OK and pick a file that is there.", True, True, False)]


@pytest.mark.parametrize("save", [False, True])
def test_a_file_dialog_deletes_no_file(qtbot, windows, tmp_path, save):
    """Session 25: Qt's own file dialog deleted the selected file at the Delete key or its right-click menu's
    Delete, after "Are you sure…?" in a box modal to Qt (the red button took no click meanwhile). Neither is now.
    Fails on the old code (over the side window the Delete key brought the box; the menu offered Delete)."""
    from PySide6.QtWidgets import QAbstractItemView, QFileSystemModel, QMenu

    from ui.asking import open_file_name, save_file_name

    main, live, held, side = windows
    kept = tmp_path / "roster.csv"
    kept.write_text("name\n")
    seen = {"boxes": [], "menu": None}

    def select_the_file() -> bool:
        dialog = _file_dialog()
        if dialog is None:
            return False
        dialog.setDirectory(str(tmp_path))
        return True

    def press_delete_and_right_click() -> bool:
        dialog = _file_dialog()
        view = dialog.findChild(QAbstractItemView, "listView")
        model = dialog.findChild(QFileSystemModel)
        index = model.index(str(kept))
        if not index.isValid() or model.rowCount(index.parent()) == 0:
            return False  # the folder is still being read
        if QApplication.activeWindow() is not dialog:
            dialog.activateWindow()  # the Delete key is a shortcut of the dialog's window: taken only when active
            return False
        view.setCurrentIndex(index)
        view.setFocus()
        # A box or menu, if one comes, comes inside the press (Qt's exec): the other timer closes it meanwhile.
        QTest.keyClick(view, Qt.Key.Key_Delete)
        view.customContextMenuRequested.emit(view.visualRect(index).center())
        dialog.reject()
        return True

    def close_any_box_or_menu() -> bool:
        box = _box()
        if box is not None:
            seen["boxes"].append(box.text())
            box.reject()
        for menu in [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()]:
            seen["menu"] = [a.text().replace("&", "") for a in menu.actions() if a.isVisible() and a.text()]
            menu.close()
        return False  # stops with the test (below)

    steps = _Steps(select_the_file, press_delete_and_right_click)
    closer = _Steps(close_any_box_or_menu)
    try:
        if save:
            save_file_name(side, "Export", "roster.csv", "CSV files (*.csv)")
        else:
            open_file_name(side, "Import a list", "CSV files (*.csv)")
    finally:
        closer.timer.stop()
    assert not steps.steps
    assert seen["boxes"] == [] and kept.exists()
    assert seen["menu"] is not None and "Delete" not in seen["menu"] and "Rename" in seen["menu"]
