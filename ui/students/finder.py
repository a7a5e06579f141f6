"""The find box the students and pick-up windows share: type (or scan) a name or number, pick a student.

The search runs a moment after the last key (``SEARCH_DELAY_MS``), at once on Enter (a scanned student card
ends with Enter), which also takes the first student found. Down from the box goes into the results, so the
hands stay on the keyboard. The students are asked of ``services.students``; the window decides what a pick
means, says what the finder says (``said``) in its message line, and points its Ctrl+F at ``focus``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from frontdesk.context import Services
from frontdesk.errors import FrontDeskError
from frontdesk.students.models import Student

SEARCH_DELAY_MS = 120
STUDENT_ROLE = Qt.ItemDataRole.UserRole  # where each result keeps its Student


def plain_labels(found: Sequence[Student]) -> list[str]:
    """Each student's own label ("Ann Lee  #1042  5B")."""
    return [s.label for s in found]


class StudentFinder(QWidget):
    """A find box over a list of the students found."""

    picked = Signal(object)  # a Student chosen: Enter in the box (the first found) or on a result
    highlighted = Signal(object)  # the current result moved to this Student
    # A message for the window's message line, and its kind ("error": the search could not run, e.g. the desk
    # was locked meanwhile); each window connects it to its ``say``.
    said = Signal(str, str)

    def __init__(
        self,
        services: Services,
        placeholder: str,
        *,
        labels: Callable[[Sequence[Student]], list[str]] = plain_labels,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.services = services
        self._labels = labels
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.entry = QLineEdit()
        self.entry.setPlaceholderText(placeholder)
        self.entry.setAccessibleName("Find a student")
        self.entry.setClearButtonEnabled(True)
        big = QFont(self.entry.font())
        big.setPointSizeF(big.pointSizeF() * 1.4)
        self.entry.setFont(big)
        self.entry.setMinimumHeight(44)
        layout.addWidget(self.entry)
        self.results = QListWidget()
        self.results.setAccessibleName("Students found")
        # Long lines end in "…" instead of a sideways scroll bar.
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        layout.addWidget(self.results, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search)
        self.entry.textEdited.connect(self.on_text_edited)
        self.entry.returnPressed.connect(self.on_return_pressed)
        self.results.itemActivated.connect(self.on_item_activated)
        self.results.currentItemChanged.connect(self.on_current_item_changed)
        self.entry.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        down = event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down
        if watched is self.entry and down and self.results.count():
            self.results.setFocus()
            self.results.setCurrentRow(0)
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def focus(self) -> None:
        """Put the cursor in the find box, text selected."""
        self.entry.setFocus()
        self.entry.selectAll()

    def clear(self) -> None:
        """Empty the box and the results."""
        self._timer.stop()
        self.entry.clear()
        self.results.clear()

    @Slot()
    def search(self) -> None:
        """Show the students matching what is typed."""
        self.results.clear()
        try:
            found = self.services.students.find(self.entry.text())
        except FrontDeskError as exc:
            self.said.emit(exc.message, "error")
            return
        for student, label in zip(found, self._labels(found), strict=True):
            item = QListWidgetItem(label)
            item.setData(STUDENT_ROLE, student)
            self.results.addItem(item)

    @Slot(str)
    def on_text_edited(self, _text: str) -> None:
        self._timer.start()

    @Slot()
    def on_return_pressed(self) -> None:
        """Enter: search now and take the first student found."""
        self._timer.stop()
        self.search()
        if self.results.count():
            self.results.setCurrentRow(0)
            self.on_item_activated(self.results.item(0))

    @Slot(QListWidgetItem)
    def on_item_activated(self, item: QListWidgetItem) -> None:
        self.picked.emit(item.data(STUDENT_ROLE))

    @Slot(QListWidgetItem, QListWidgetItem)
    def on_current_item_changed(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None:
            self.highlighted.emit(item.data(STUDENT_ROLE))
