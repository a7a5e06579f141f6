"""Dialogs that wait for an answer without holding up the panic control (session 24).

Qt's modal dialogs -- ``QDialog.exec()``, the static ``QFileDialog`` and ``QInputDialog`` functions -- block
input to every window of the application (application-modal), or to the asking window and every window above it
(window-modal: Review, the list manager and the other side windows are the desk window's children, so that is the
desk window too). A blocked window takes no click anywhere, the desk window's red panic button included: a
question left open in front of Review ("Check out forgotten visitors?") made the button dead, and said nothing.

So no dialog of the desk is modal to Qt. :func:`answer_of` shows the dialog, waits in an event loop of its own
(as ``exec()`` does) for the person's answer, and meanwhile *holds* every open window by hand, as Qt's
application modality did: each window, or, in a window that has a live part, everything but that part, is
disabled (no click, no key, no shortcut, no menu), and the person cannot close it. The live parts -- the panic
control, its status and details, the dispatch banners, the emergency roster button, marked with
:func:`keep_live` by the features that own them -- keep taking clicks and keys whatever question is open.
Nothing else does: no visitor is admitted and no student released behind a question, as before. A dialog whose
window the desk closes (Review, when the person at the desk changes) is closed with it: No, Cancel.

QDialog, QMessageBox and QFileDialog are imported when a dialog is first shown, not with this module (it is on the
way to the desk's first paint: issue 13).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QEventLoop, QObject, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

ACCEPTED = 1  # QDialog.DialogCode.Accepted (QDialog itself is imported with the first dialog)
LIVE = "liveWhileAsking"  # the property that marks a widget or shortcut no question holds
IN_SIGHT = "inSightWhileAsking"  # ... and a widget no dialog or side window is placed over (the panic control)
FIRST = "first"  # its value on the panic button's own row: kept clear even where the rest cannot be
_waiting: list[QDialog] = []  # the dialogs shown by answer_of and not yet answered, oldest first
_opened: list[QWidget] = []  # the side windows shown by show_clear: placed again when the parts in sight move


def keep_live(*objects: QObject, in_sight: bool = False, first: bool = False) -> None:
    """Mark ``objects`` (widgets, shortcuts) as parts no question holds: the panic control and its kin only.
    ``in_sight``: no dialog or side window is placed over them either (a file dialog is large: centred on the desk
    window, it covered the panic button; side windows opened over it at the screen's top left). ``first``: kept
    clear even where a window too big for the room left by all of them covers the others (the panic button's own
    row, while an alert's status below it takes the room)."""
    for obj in objects:
        obj.setProperty(LIVE, True)
        if in_sight or first:
            obj.setProperty(IN_SIGHT, FIRST if first else True)
            obj.installEventFilter(_Watch.the())


def waiting() -> list[QDialog]:
    """The dialogs waiting for an answer now, oldest first (what a screenshot or a test answers)."""
    return [d for d in _waiting if shiboken6.isValid(d)]


def answer_of(dialog: QDialog) -> int:
    """Show ``dialog`` over its parent's window and return its result once the person answers, as ``exec()``
    would, but without Qt's modality: every other window is held by hand meanwhile, its live parts excepted."""
    answered = []
    loop = QEventLoop()
    hold = _Hold(loop)

    def on_finished(result: int) -> None:
        answered.append(result)
        loop.quit()

    dialog.finished.connect(on_finished)
    _waiting.append(dialog)
    focus = dialog.focusWidget()  # a question's No button (its default)
    try:
        hold.take(dialog)
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        # A dialog over a held window was disabled with it and lost its focus (a question then opened with no
        # button focused, and Yes drawn as if it were the default). Enabled again apart from its window (Qt allows
        # that for a window), and the focus back where the dialog had put it: a question's No.
        dialog.setEnabled(True)
        if focus is not None:
            focus.setFocus()
        dialog.show()
        _clear_of_sight(dialog)
        dialog.raise_()
        dialog.activateWindow()
        if not answered and dialog.isVisible():
            loop.exec()
    finally:
        _waiting.remove(dialog)
        hold.release()
        dialog.finished.disconnect(on_finished)
    return answered[0] if answered else dialog.result()


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    """The question of :func:`ui.plain.ask_first`: True for Yes; No is the default and Esc's answer."""
    from PySide6.QtWidgets import QMessageBox

    no, yes = QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes
    box = QMessageBox(QMessageBox.Icon.Question, title, text, yes | no, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    try:
        return answer_of(box) == yes.value
    finally:
        box.deleteLater()


def text_from(parent: QWidget | None, title: str, label: str) -> str | None:
    """A line of text the person types (``None``: they cancelled)."""
    from PySide6.QtWidgets import QInputDialog

    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    try:
        return dialog.textValue() if answer_of(dialog) == ACCEPTED else None
    finally:
        dialog.deleteLater()


def open_file_name(parent: QWidget | None, caption: str, name_filter: str) -> str:
    """An existing file the person picks ('' if they cancel)."""
    return _file_name(parent, caption, "", name_filter, save=False)


def save_file_name(parent: QWidget | None, caption: str, suggested: str, name_filter: str) -> str:
    """Where the person wants a file written ('' if they cancel); an existing file is replaced only after a Yes."""
    return _file_name(parent, caption, suggested, name_filter, save=True)


def _file_name(parent: QWidget | None, caption: str, suggested: str, name_filter: str, *, save: bool) -> str:
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    dialog = QFileDialog(parent, caption, "", name_filter)
    # Qt's own dialog, not the system's: a native one is modal to its owner window in the system itself (Windows
    # disables the owner), out of reach of the hold -- over the desk window that would be the panic button again.
    # Qt's own dialog asks its own questions modally too, and those block the panic button: "replace it?" is asked
    # here instead (No by default, like every question); so is "not found" (an open dialog takes any name, checked
    # below, where Qt's would say it in its own box); and its "delete this file?" is not offered at all.
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        if suggested:
            dialog.selectFile(suggested)
    _no_delete(dialog)
    try:
        while answer_of(dialog) == ACCEPTED:
            chosen = (dialog.selectedFiles() or [""])[0]
            name = Path(chosen).name
            if not save and chosen and not Path(chosen).is_file():
                tell(parent, "File not found", f"{name} was not found. Click OK and pick a file that is there.")
                continue
            if not (save and chosen and Path(chosen).exists()):
                return chosen
            if ask_yes_no(parent, "Replace the file?", f"{name} already exists. Replace it?"):
                return chosen
        return ""
    finally:
        dialog.deleteLater()


def _no_delete(dialog: QWidget) -> None:
    """Take the file dialog's own "Delete" away (its context menu's item and the Delete key): it asks "Are you
    sure you want to delete …?" in a box modal to Qt, which blocks the panic button; a desk has no use for it."""
    from PySide6.QtGui import QAction

    for action in dialog.findChildren(QAction, "qt_delete_action"):
        action.setVisible(False)
    for shortcut in dialog.findChildren(QShortcut):
        if (
            shortcut.key().matches(QKeySequence(QKeySequence.StandardKey.Delete))
            == QKeySequence.SequenceMatch.ExactMatch
        ):
            shortcut.setEnabled(False)


def tell(parent: QWidget | None, title: str, text: str) -> None:
    """A message with one OK button, not modal to Qt (the panic button stays live)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    try:
        answer_of(box)
    finally:
        box.deleteLater()


class _Hold(QObject):
    """Every open window held while a dialog waits, as Qt's application modality held them, the live parts
    (:func:`keep_live`) excepted. A widget already disabled is left as it is; each one disabled here is enabled
    again by :meth:`release`, and only those."""

    def __init__(self, loop: QEventLoop) -> None:
        super().__init__()
        self._loop = loop
        self._dialog: QWidget | None = None
        self._asker: QWidget | None = None  # the window the dialog asks over
        self._disabled: list[QWidget] = []
        self._shortcuts: list[QShortcut] = []
        self._windows: list[QWidget] = []

    def take(self, dialog: QDialog) -> None:
        """Hold every visible window but ``dialog`` and the dialogs already waiting."""
        self._dialog = dialog
        dialog.installEventFilter(self)
        parent = dialog.parentWidget()
        self._asker = parent.window() if parent is not None else None
        for window in QApplication.topLevelWidgets():
            if window is dialog or not window.isVisible() or window in _waiting:
                continue
            if window.windowType() in (Qt.WindowType.Popup, Qt.WindowType.ToolTip):
                continue
            self._windows.append(window)
            window.installEventFilter(self)  # not closed while held
            self._disable(window)
            if window.isEnabled():  # it has a live part: the shortcuts of its held parts are held too
                self._hold_shortcuts(window.findChildren(QShortcut))

    def _disable(self, widget: QWidget) -> None:
        if widget.property(LIVE):
            return
        if not _has_live_part(widget):
            if widget.isEnabled():
                widget.setEnabled(False)
                self._disabled.append(widget)
            return
        for child in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if not child.isWindow():
                self._disable(child)

    def _hold_shortcuts(self, shortcuts: Iterable[QShortcut]) -> None:
        for shortcut in shortcuts:
            owner = shortcut.parent()
            if shortcut.property(LIVE) or not shortcut.isEnabled() or not isinstance(owner, QWidget):
                continue
            if not owner.isEnabled():  # held with its widget
                continue
            shortcut.setEnabled(False)
            self._shortcuts.append(shortcut)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._dialog:
            if event.type() == QEvent.Type.Hide and not event.spontaneous():
                self._loop.quit()  # hidden unanswered: it ends, as exec() did
            return False
        if watched is self._asker and event.type() == QEvent.Type.Hide and not event.spontaneous():
            # Its window closed by the desk (Review when the person at the desk changes, the lock after a while
            # idle): the question goes too, answered as Esc answers it, and names nobody on a locked desk.
            self._dialog.close()
            return False
        if event.type() == QEvent.Type.Close and event.spontaneous():
            # The person cannot close a window that waits for a question's answer, as under Qt's modality; the
            # desk itself can (Review closes when the person at the desk changes, the lock after inactivity).
            event.ignore()
            return True
        return False

    def release(self) -> None:
        """Enable again what was held."""
        for window in [*self._windows, self._dialog]:
            if window is not None and shiboken6.isValid(window):
                window.removeEventFilter(self)
        for widget in self._disabled:
            if shiboken6.isValid(widget):
                widget.setEnabled(True)
        for shortcut in self._shortcuts:
            if shiboken6.isValid(shortcut):
                shortcut.setEnabled(True)
        self._disabled, self._shortcuts, self._windows = [], [], []
        self.deleteLater()


def show_clear(window: QWidget) -> None:
    """Show (or raise) a side window of the desk (Review, the list manager, the students' windows ...): one that
    opens is placed clear of the parts kept in sight, as a dialog is (:func:`keep_live`). Side windows opened at
    the top left of the screen and covered the desk window's panic button until moved (session 25's walk). One
    already open is raised where the person left it."""
    opening = not window.isVisible()
    window.show()
    if opening:
        _clear_of_sight(window)
    if window not in _opened:
        _opened.append(window)
    window.raise_()
    window.activateWindow()


class _Watch(QObject):
    """Places the open side windows and waiting dialogs again when a part kept in sight is shown, moves or grows:
    an alert's status and a LOCKDOWN banner appear over the desk and push the panic button down, under a window
    placed clear of where it was (one watch for every such part; the placing waits for the layout to settle)."""

    _one: _Watch | None = None

    @classmethod
    def the(cls) -> _Watch:
        if cls._one is None or not shiboken6.isValid(cls._one):
            cls._one = cls()
        return cls._one

    def __init__(self) -> None:
        super().__init__()
        self._due = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.Show, QEvent.Type.Move, QEvent.Type.Resize) and not self._due:
            self._due = True
            QTimer.singleShot(0, self.place_again)
        return False

    def place_again(self) -> None:
        self._due = False
        _opened[:] = [w for w in _opened if shiboken6.isValid(w)]
        for window in [*_opened, *waiting()]:
            if window.isVisible():
                _clear_of_sight(window)


def _clear_of_sight(dialog: QWidget) -> None:
    """Move ``dialog`` (or a side window) off the widgets kept in sight -- the panic control with its alert's
    status, and the alert banners over it -- into the room left on its screen, as little as it can be moved; where
    no room holds it at its size, into the room that keeps the most of it, made smaller (never smaller than it can
    be). Where no room holds even that, only the panic button's own row is kept clear (:func:`keep_live`'s
    ``first``); where not even that can be, the dialog stays where it is (the panic hot-key still works)."""
    for first_only in (False, True):
        spots = [
            QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size()).adjusted(-8, -8, 8, 8)
            for window in QApplication.topLevelWidgets()
            if window is not dialog and window.isVisible()
            for widget in window.findChildren(QWidget)
            if widget.property(IN_SIGHT)
            and widget.isVisible()
            and (widget.property(IN_SIGHT) == FIRST or not first_only)
        ]
        if _off(dialog, spots):
            return


def _off(dialog: QWidget, spots: list[QRect]) -> bool:
    """Move (and if need be shrink) ``dialog`` off ``spots``; False if no room on its screen can hold it."""
    frame = dialog.frameGeometry()
    if not any(frame.intersects(spot) for spot in spots):
        return True
    margins = QSize(frame.width() - dialog.width(), frame.height() - dialog.height())  # the window manager's frame
    least = dialog.minimumSizeHint().expandedTo(dialog.minimumSize()) + margins
    rooms = _rooms(dialog.screen().availableGeometry(), spots)
    # A room that holds it as it is, the nearest first; else the room that keeps the most of it. (Until session 25
    # it was narrowed into the room to the left of the panic button alone: the Expected guests dialog's list then
    # scrolled sideways while the room under the button was the screen's whole width.)
    fits = [room for room in rooms if room.width() >= frame.width() and room.height() >= frame.height()]
    if fits:
        place = min((_into(frame, room) for room in fits), key=lambda p: _distance(p.topLeft(), frame.topLeft()))
    else:
        shrunk = [
            _into(QRect(frame.topLeft(), frame.size().boundedTo(room.size())), room)
            for room in rooms
            if room.width() >= least.width() and room.height() >= least.height()
        ]
        if not shrunk:
            return False
        place = max(shrunk, key=lambda p: p.width() * p.height())
        dialog.resize(place.size() - margins)
    dialog.move(place.topLeft())
    return True


def _rooms(screen: QRect, spots: list[QRect]) -> list[QRect]:
    """The largest rectangles of ``screen`` that meet none of ``spots``: the screen is split around each spot in
    turn (the parts to its left, right, over and under it), and a part inside another is dropped."""
    rooms = [screen]
    for spot in spots:
        split: list[QRect] = []
        for room in rooms:
            if not room.intersects(spot):
                split.append(room)
                continue
            for part in (
                QRect(room.topLeft(), QPoint(spot.left() - 1, room.bottom())),
                QRect(QPoint(spot.right() + 1, room.top()), room.bottomRight()),
                QRect(room.topLeft(), QPoint(room.right(), spot.top() - 1)),
                QRect(QPoint(room.left(), spot.bottom() + 1), room.bottomRight()),
            ):
                part = part.intersected(room)
                if part.isValid() and not part.isEmpty():
                    split.append(part)
        rooms = [
            r
            for i, r in enumerate(split)
            if not any(j != i and o.contains(r) and (o != r or j < i) for j, o in enumerate(split))
        ]
    return rooms


def _into(frame: QRect, room: QRect) -> QRect:
    """``frame`` moved as little as it can be to lie in ``room`` (which is at least as large)."""
    left = max(room.left(), min(frame.left(), room.right() + 1 - frame.width()))
    top = max(room.top(), min(frame.top(), room.bottom() + 1 - frame.height()))
    return QRect(QPoint(left, top), frame.size())


def _distance(a: QPoint, b: QPoint) -> int:
    return (a - b).manhattanLength()


def _has_live_part(widget: QWidget) -> bool:
    return any(
        child.property(LIVE) and not child.isWindow() and child.window() is widget.window()
        for child in widget.findChildren(QWidget)
    )
