"""The office's pick-up lists: for one student, who may take them and who may not.

Three lists on one screen: the guardians from the school's records (each with the office's pick-up choice),
temporary authorisations (an adult, a date range, who approved), and the office's "may not pick up" list
(court orders naming the student are shown beside it, kept in Tools › Barred and custody lists). Everything is
asked of ``services.pickup_lists`` and ``services.students``; who may change what is decided there (a
principal or administrator) and every change is audited there. Others see the lists, read-only.

Keyboard: type a name or number, Down/Enter to pick; Ctrl+F find; Ctrl+G allow or stop the selected
guardian; Ctrl+T add the authorisation typed; Ctrl+B add the adult typed to may-not-pick-up; Alt+V revoke the
selected authorisation; Alt+L lift the selected may-not-pick-up entry. The reason box says why, for any change.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.context import Services
from frontdesk.errors import FrontDeskError
from frontdesk.students.models import Student
from frontdesk.students.pickup_lists import PickupLists
from frontdesk.students.release import split_name
from ui.desk.visitor_form import typed_dob
from ui.students.finder import StudentFinder
from ui.window_size import scrolling_body

GUARDIAN_COLUMNS = ["Guardian", "Role", "Phone", "May pick up"]
AUTH_COLUMNS = ["Adult", "Date of birth", "From", "Until", "Approved by", "Note"]
MAY_NOT_COLUMNS = ["Adult", "Date of birth", "Reason", "Kept in"]
READ_ONLY = "You can see these lists; only a principal or an administrator changes them."
STYLES = {
    "info": "background:#e8f1fb; color:#0b3d6b;",
    "success": "background:#e6f4ea; color:#0d5223;",
    "error": "background:#b00020; color:white; font-weight:bold;",
}


class PickupWindow(QWidget):
    """Who may and who may not take one student, and the office's changes to it."""

    changed = Signal()  # a list changed (the students window shows who may pick up)

    def __init__(self, services: Services, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.services = services
        self.student: Student | None = None
        self.current: PickupLists | None = None
        self.setWindowTitle("FrontDesk — pick-up lists")
        self.resize(1300, 690)  # fits a 1366x768 laptop with its taskbar
        outer = QHBoxLayout(scrolling_body(self))  # scrolls in the room an alert leaves at 1366x768

        left = QVBoxLayout()
        self.finder = StudentFinder(services, "Student name or number")
        self.find_entry, self.results = self.finder.entry, self.finder.results
        left.addWidget(self.finder, 1)
        # Its share of a narrow window (740 px beside the panic button during an alert) left names readable: the
        # lists beside it scroll instead.
        self.finder.setMinimumWidth(220)
        outer.addLayout(left, 2)

        right = QVBoxLayout()
        self.name = QLabel("Find a student")
        self.name.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.name.setAccessibleName("Student")
        name_font = QFont(self.name.font())
        name_font.setPointSizeF(name_font.pointSizeF() * 1.4)
        name_font.setBold(True)
        self.name.setFont(name_font)
        right.addWidget(self.name)
        reason_row = QHBoxLayout()
        reason_label = QLabel("&Why (for any change):")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(
            "Court order on file, parent's letter of 12/01, phone call with the father …"
        )
        self.reason.setAccessibleName("Reason for the change")
        reason_label.setBuddy(self.reason)
        reason_row.addWidget(reason_label)
        reason_row.addWidget(self.reason, 1)
        right.addLayout(reason_row)

        # Guardians from the SIS, with the office's pick-up choice.
        box = QGroupBox("Guardians from the school's records")
        lay = QVBoxLayout(box)
        self.guardians = _table(GUARDIAN_COLUMNS, "Guardians", stretch=0)
        lay.addWidget(self.guardians)
        row = QHBoxLayout()
        self.toggle_button = QPushButton("Allow / stop pick-up for the selected guardian  (Ctrl+G)")
        self.toggle_button.setAccessibleName("Allow or stop pick-up")
        row.addStretch(1)
        row.addWidget(self.toggle_button)
        lay.addLayout(row)
        right.addWidget(box, 3)

        # Temporary authorisations.
        box = QGroupBox("Temporary authorisations (today and coming)")
        lay = QVBoxLayout(box)
        self.authorisations = _table(AUTH_COLUMNS, "Temporary authorisations", stretch=5)
        lay.addWidget(self.authorisations)
        row = QHBoxLayout()
        self.auth_name = _entry("Adult FIRST LAST", "Authorised adult")
        self.auth_dob = _entry("Born MM/DD/YYYY", "Authorised adult's date of birth", 166)
        self.auth_from = _entry("From MM/DD/YYYY", "Authorised from", 166)
        self.auth_until = _entry("Until MM/DD/YYYY", "Authorised until", 166)
        self.auth_button = QPushButton("Add  (Ctrl+T)")
        self.auth_button.setAccessibleName("Add authorisation")
        self.revoke_button = QPushButton("Re&voke selected")
        for w in (self.auth_name, self.auth_dob, self.auth_from, self.auth_until):
            row.addWidget(w, 2 if w is self.auth_name else 0)
        row.addWidget(self.auth_button)
        row.addWidget(self.revoke_button)
        lay.addLayout(row)
        right.addWidget(box, 3)

        # May not pick up: the office's list, and court orders naming the student.
        box = QGroupBox("May NOT pick up")
        lay = QVBoxLayout(box)
        self.may_not = _table(MAY_NOT_COLUMNS, "May not pick up", stretch=2)
        lay.addWidget(self.may_not)
        row = QHBoxLayout()
        self.bar_name = _entry("Adult FIRST LAST", "Adult who may not pick up")
        self.bar_dob = _entry("Born MM/DD/YYYY", "Their date of birth", 166)
        self.bar_button = QPushButton("Add to may-not-pick-up  (Ctrl+B)")
        self.bar_button.setAccessibleName("Add to may not pick up")
        self.lift_button = QPushButton("&Lift selected")
        row.addWidget(self.bar_name, 2)
        row.addWidget(self.bar_dob)
        row.addWidget(self.bar_button)
        row.addWidget(self.lift_button)
        lay.addLayout(row)
        right.addWidget(box, 3)

        self.message = QLabel("")
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.message.setAccessibleName("Pick-up lists message")
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(32)
        right.addWidget(self.message)
        outer.addLayout(right, 9)

        self.finder.picked.connect(self.on_student_picked)
        self.finder.highlighted.connect(self.show_student)
        self.finder.said.connect(self.say)
        self.toggle_button.clicked.connect(self.toggle_guardian)
        self.auth_button.clicked.connect(self.add_authorisation)
        self.auth_until.returnPressed.connect(self.add_authorisation)
        self.revoke_button.clicked.connect(self.revoke)
        self.bar_button.clicked.connect(self.add_may_not)
        self.bar_dob.returnPressed.connect(self.add_may_not)
        self.lift_button.clicked.connect(self.lift)
        QShortcut(QKeySequence("Ctrl+F"), self, self.finder.focus)
        QShortcut(QKeySequence("Ctrl+G"), self, self.toggle_guardian)
        QShortcut(QKeySequence("Ctrl+T"), self, self.add_authorisation)
        QShortcut(QKeySequence("Ctrl+B"), self, self.add_may_not)
        self.setTabOrder(self.find_entry, self.results)
        self.setTabOrder(self.results, self.reason)
        self._enable()

    # --- finding -------------------------------------------------------------------------------------------
    @Slot(object)
    def on_student_picked(self, student: Student) -> None:
        """Pick a student and move to the lists (the reason box first: every change needs one)."""
        self.show_student(student)
        self.reason.setFocus()

    # --- showing -------------------------------------------------------------------------------------------
    def show_student(self, student: Student) -> None:
        """Show one student's three lists."""
        self.student = student
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Reload the shown student's lists (and who may change them: the person signed in may have changed)."""
        self._enable()
        if self.student is None:
            return
        try:
            lists = self.services.pickup_lists.of(self.student)
        except FrontDeskError as exc:
            self.say(exc.message, "error")
            return
        self.current = lists
        s = lists.student
        self.name.setText(f"{s.full_name}   #{s.number}   {s.homeroom or 'no homeroom'}")
        _fill(
            self.guardians,
            [
                (g.id, [g.full_name, g.role, g.phone, "yes" if g.pickup_allowed else "NO (office)"])
                for g in lists.guardians
            ],
        )
        _fill(
            self.authorisations,
            [
                (
                    a.id,
                    [
                        a.full_name,
                        _day(a.dob),
                        _day(a.valid_from),
                        _day(a.valid_until),
                        a.approved_by,
                        a.note,
                    ],
                )
                for a in lists.authorisations
            ],
        )
        rows = [(e.id, [e.full_name, e.dob.text or "", e.reason, "this office's list"]) for e in lists.may_not]
        rows += [(-e.id, [e.full_name, e.dob.text or "", e.reason, e.source]) for e in lists.orders]
        _fill(self.may_not, rows)
        for i, (_key, values) in enumerate(rows):
            for j in range(len(values)):
                self.may_not.item(i, j).setForeground(Qt.GlobalColor.darkRed)
        if not self.services.pickup_lists.may_change():
            self.say(READ_ONLY, "info")

    def _enable(self) -> None:
        may = self.services.pickup_lists.may_change() and self.student is not None
        for w in (
            self.reason,
            self.toggle_button,
            self.auth_name,
            self.auth_dob,
            self.auth_from,
            self.auth_until,
            self.auth_button,
            self.revoke_button,
            self.bar_name,
            self.bar_dob,
            self.bar_button,
            self.lift_button,
        ):
            w.setEnabled(may)

    # --- changes -------------------------------------------------------------------------------------------
    @Slot()
    def toggle_guardian(self) -> None:
        """Stop (or allow again) pick-up by the selected guardian."""
        key = self._selected(self.guardians, "Select a guardian first.")
        if key is None or self.current is None:
            return
        guardian = next(g for g in self.current.guardians if g.id == key)
        allowed = not guardian.pickup_allowed
        if self._do(
            lambda: self.services.students.set_pickup_allowed(
                self.current.student, guardian, allowed, self.reason.text()
            )
        ):
            self.say(f"{guardian.full_name} {'may' if allowed else 'may no longer'} pick up.", "success")

    @Slot()
    def add_authorisation(self) -> None:
        """Add the adult typed as a temporary authorisation (the reason is kept as its note)."""
        if self.student is None:
            return

        def add() -> None:
            first, last = split_name(self.auth_name.text())
            self.services.students.authorise(
                self.student,
                first,
                last,
                dob=typed_dob(self.auth_dob.text()),  # as the ID prints it (04/03/1981) or 1981-04-03
                valid_from=typed_dob(self.auth_from.text(), "first day", "12/05/2026"),
                valid_until=typed_dob(self.auth_until.text(), "last day", "12/09/2026"),
                note=self.reason.text(),
            )

        name = self.auth_name.text().strip()
        if self._do(add):
            self.say(f"{name} may pick up {self.student.full_name} (temporary).", "success")
            for w in (self.auth_name, self.auth_dob, self.auth_from, self.auth_until):
                w.clear()

    @Slot()
    def revoke(self) -> None:
        """End the selected temporary authorisation now."""
        key = self._selected(self.authorisations, "Select an authorisation first.")
        if key is not None and self._do(
            lambda: self.services.pickup_lists.revoke(self.student, key, self.reason.text())
        ):
            self.say("Authorisation revoked.", "success")

    @Slot()
    def add_may_not(self) -> None:
        """Add the adult typed to this student's may-not-pick-up list."""
        if self.student is None:
            return

        def add() -> None:
            first, last = split_name(self.bar_name.text())
            self.services.students.bar_pickup(
                self.student,
                first,
                last,
                dob=typed_dob(self.bar_dob.text()),
                reason=self.reason.text(),
            )

        name = self.bar_name.text().strip()
        if self._do(add):
            self.say(f"{name} may NOT pick up {self.student.full_name}.", "success")
            self.bar_name.clear()
            self.bar_dob.clear()

    @Slot()
    def lift(self) -> None:
        """End the selected may-not-pick-up entry (court orders are changed where they are kept)."""
        key = self._selected(self.may_not, "Select an entry first.")
        if key is None:
            return
        if key < 0:
            self.say("A court order is changed in Tools › Barred and custody lists, not here.", "error")
            return
        if self._do(lambda: self.services.pickup_lists.lift(self.student, key, self.reason.text())):
            self.say("Taken off the may-not-pick-up list.", "success")

    def _do(self, change) -> bool:
        """Run a change; on success clear the reason and reload, else say why (nothing changed)."""
        try:
            change()
        except FrontDeskError as exc:
            self.say(exc.message, "error")
            return False
        self.reason.clear()
        self.refresh()
        self.changed.emit()
        return True

    def _selected(self, table: QTableWidget, missing: str) -> int | None:
        rows = table.selectionModel().selectedRows()
        if self.student is None or not rows or table.item(rows[0].row(), 0) is None:
            self.say(missing, "error")
            return None
        return int(table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole))

    def say(self, text: str, kind: str = "info") -> None:
        """The window's message line."""
        self.message.setText(text)
        self.message.setStyleSheet(STYLES[kind] + " padding:6px;")

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.refresh()
        super().showEvent(event)


def _day(d: date | None) -> str:
    return d.isoformat() if d else ""


def _entry(placeholder: str, name: str, width: int = 0) -> QLineEdit:
    w = QLineEdit()
    w.setPlaceholderText(placeholder)
    w.setAccessibleName(name)
    w.setToolTip(placeholder)
    if width:
        w.setFixedWidth(width)
    return w


def _fill(table: QTableWidget, rows: list[tuple[int, list[str]]]) -> None:
    table.setRowCount(len(rows))
    for i, (key, values) in enumerate(rows):
        for j, v in enumerate(values):
            item = QTableWidgetItem(v)
            if j == 0:
                item.setData(Qt.ItemDataRole.UserRole, key)
            table.setItem(i, j, item)


def _table(headings: list[str], name: str, stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headings))
    table.setTabKeyNavigation(False)  # Tab goes on to the next control; the arrows move in the table
    table.setHorizontalHeaderLabels(headings)
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)  # Tab leaves the table: the keyboard moves on to the buttons
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setWordWrap(False)
    return table
