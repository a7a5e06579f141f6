"""The reunification board: the Standard Reunification Method's steps on one screen, live.

Start (a drill or real) → a guardian asks for a student (the early-dismissal checks) and a request card
prints → a runner is sent → the student is released. The board shows requested / on the way / released /
not yet requested per class, refreshed every few seconds and after every step. Everything is asked of
``services.reunification``; every step is audited there.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
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
from frontdesk.settings import SCHOOL_NAME
from frontdesk.students.printing import request_card
from frontdesk.students.release import Cleared, NotAuthorised, Refused, ReleaseRequest, split_name
from frontdesk.students.reunify import ON_THE_WAY, REQUESTED, STATUS_WORDS, STOPPED
from ui.asking import text_from
from ui.desk.visitor_form import typed_dob
from ui.plain import ask_first, plain_tip

REFRESH_MS = 3000
# The class column needs the room for a name such as "Homeroom 01-1 (Room 101)" (the room is where a runner
# goes) at 1366x768: "Not asked" is on two lines, and a class's pupils (the four counts' sum) are in its
# tooltip rather than a column of their own.
CLASS_COLUMNS = ["Class", "Not\nasked", "Asked", "Coming", "Out"]
REQUEST_COLUMNS = ["Card", "Student", "Adult", "Status", "Runner", "Asked"]
NO_SELECTION = "Select a request to see the student's class, then send a runner."


class ReunifyBoard(QWidget):
    """Runs one reunification: the request form, the per-class board and the request queue."""

    slip_ready = Signal(object, str)  # a request card to print on the badge printer
    changed = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.services = services
        self.setWindowTitle("FrontDesk — reunification board")
        self.resize(1300, 690)
        layout = QVBoxLayout(self)
        self.banner = QLabel("")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.banner.setAccessibleName("Reunification state")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.banner)

        controls = QHBoxLayout()
        self.drill = QCheckBox("This is a drill")
        self.drill.setChecked(True)
        self.site = QLineEdit()
        self.site.setPlaceholderText("Reunification site")
        self.start_button = QPushButton("Start reunification")
        self.end_button = QPushButton("End reunification")
        controls.addWidget(self.drill)
        controls.addWidget(self.site, 1)
        controls.addWidget(self.start_button)
        controls.addWidget(self.end_button)
        layout.addLayout(controls)

        ask = QHBoxLayout()
        self.student = QLineEdit()
        self.student.setPlaceholderText("Student number (or name: first match)")
        self.student.setAccessibleName("Student asked for")
        self.adult = QLineEdit()
        self.adult.setPlaceholderText("Adult FIRST LAST, as on their ID")
        self.adult.setAccessibleName("Adult asking")
        self.adult_dob = QLineEdit()
        self.adult_dob.setPlaceholderText("DOB MM/DD/YYYY")
        self.adult_dob.setMaximumWidth(150)
        self.ask_button = QPushButton("Check and queue  (Ctrl+Enter)")
        self.ask_button.setAccessibleName("Queue request")
        for w, stretch in ((self.student, 2), (self.adult, 3), (self.adult_dob, 0), (self.ask_button, 0)):
            ask.addWidget(w, stretch)
        layout.addLayout(ask)
        self.message = QLabel("")
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Reunification message")
        layout.addWidget(self.message)

        self.totals = QLabel("")
        self.totals.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.totals.setAccessibleName("Totals")
        bold = QFont(self.totals.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.2)
        self.totals.setFont(bold)
        layout.addWidget(self.totals)
        tables = QHBoxLayout()
        self.classes = _table(CLASS_COLUMNS, "Classes", stretch=0)
        self.requests = _table(REQUEST_COLUMNS, "Requests", stretch=1)
        tables.addWidget(self.classes, 5)  # a class name such as "Homeroom 01-1 (Room 101)" whole at 1366x768
        right = QVBoxLayout()
        right.addWidget(self.requests, 1)
        # The selected request's class, where its runner goes (the table has no room for a column of it at
        # 1366x768: the child's name needs it), and its card; the printed card says the class too.
        self.where = QLabel(NO_SELECTION)
        self.where.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.where.setAccessibleName("Selected request")
        self.where.setWordWrap(True)
        right.addWidget(self.where)
        steps = QHBoxLayout()
        self.runner = QLineEdit()
        self.runner.setPlaceholderText("Runner's name")
        self.runner.setAccessibleName("Runner")
        self.send_button = QPushButton("Runner sent")
        self.release_button = QPushButton("Released to adult")
        self.withdraw_button = QPushButton("Take back…")
        self.withdraw_button.setToolTip("The adult left, or another adult on the list is here: another may ask")
        steps.addWidget(self.runner, 1)
        steps.addWidget(self.send_button)
        steps.addWidget(self.release_button)
        steps.addWidget(self.withdraw_button)
        right.addLayout(steps)
        tables.addLayout(right, 7)  # the requests name the children: they get the room
        layout.addLayout(tables, 1)

        self.start_button.clicked.connect(self.start)
        self.end_button.clicked.connect(self.end)
        self.ask_button.clicked.connect(self.ask)
        self.adult_dob.returnPressed.connect(self.ask)
        self.adult.returnPressed.connect(self.ask)
        self.send_button.clicked.connect(self.send)
        self.requests.itemSelectionChanged.connect(self.show_selected)
        self.release_button.clicked.connect(self.release)
        self.withdraw_button.clicked.connect(self.withdraw)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.ask)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.refresh()

    # --- steps ---------------------------------------------------------------------------------------------
    @Slot()
    def start(self) -> None:
        """Open a reunification (drill or real)."""
        try:
            self.services.reunification.start(drill=self.drill.isChecked(), site=self.site.text())
        except FrontDeskError as exc:
            self.say(exc.message, True)
        self.refresh()

    @Slot()
    def end(self) -> None:
        """Close it (the record stays, exportable); asked first while children are requested or on their way."""
        try:
            board = self.services.reunification.board()
        except FrontDeskError as exc:
            self.say(exc.message, True)
            self.refresh()
            return
        still = [r for r in board.requests if r.status in ("requested", "on_the_way")]
        if still and not self._sure_to_end(board.reunification.site, still):
            self.say("Nothing changed: the reunification goes on.")
            return
        try:
            self.services.reunification.end()
        except FrontDeskError as exc:
            self.say(exc.message, True)
        self.refresh()

    def _sure_to_end(self, site: str, still: list) -> bool:
        """Ask before ending with ``still`` open (No by default): their hand-overs are recorded here."""

        on_way = [r for r in still if r.status == "on_the_way"]
        lines = [
            f"  • {r.student.full_name}, on the way with {r.runner or 'a runner'}, for {r.adult}" for r in on_way
        ]
        lines += [f"  • {r.student.full_name}, requested by {r.adult}" for r in still if r.status != "on_the_way"]
        shown = "\n".join(lines[:10]) + ("\n  …" if len(lines) > 10 else "")
        open_words = "1 request is" if len(still) == 1 else f"{len(still)} requests are"
        return ask_first(
            self,
            "End the reunification?",
            f"End the reunification at {site}? {open_words} still open:\n{shown}\n\nOnce it ends, their "
            "hand-overs can no longer be recorded on this board.",
        )

    @Slot()
    def ask(self) -> None:
        """A guardian asks for a student: the early-dismissal checks, then the request and its card."""
        r = self.services.reunification
        try:
            text = self.student.text().strip()
            found = self.services.students.find(text, limit=2)
            if not found:
                raise FrontDeskError(f"No student found for {text!r}")
            exact = [s for s in found if text in (s.number, s.sourced_id)]
            if len(found) > 1 and not exact:
                # Never the first of several: a card printed for the wrong child sends a runner for them.
                raise FrontDeskError(f"Several students match {text!r}: type the student's number")
            found = exact or found
            first, last = split_name(self.adult.text())
            dob = typed_dob(self.adult_dob.text())  # as the ID prints it (05/05/1979) or 1979-05-05
            # No comparing on the board: the screener's own match refuses (the principal told), and a possible
            # match is refused until a person compares at the students window.
            outcome = r.check(ReleaseRequest(found[0], first, last, "reunification", dob=dob), unattended=True)
            if isinstance(outcome, Cleared):
                req = r.queue(outcome)
                run = r.current()
                card = request_card(
                    req, run, self.services.settings.get(SCHOOL_NAME), self.services.badges.media()
                )
                self.slip_ready.emit(card, "Request card")
                self.say(f"Queued: {req.student.full_name} for {req.adult} (card {req.card[:4]}-{req.card[4:]}).")
                for w in (self.student, self.adult, self.adult_dob):
                    w.clear()
                self.student.setFocus()
            elif isinstance(outcome, Refused | NotAuthorised):
                self.say(outcome.message, True)
        except FrontDeskError as exc:
            self.say(exc.message, True)
        self.refresh()

    def _selected(self) -> int | None:
        rows = self.requests.selectionModel().selectedRows()
        if not rows:
            self.say("Select a request first.", True)
            return None
        return int(self.requests.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole))

    @Slot()
    def send(self) -> None:
        """A runner goes for the selected student."""
        request_id = self._selected()
        if request_id is None:
            return
        try:
            self.services.reunification.send(request_id, self.runner.text())
        except FrontDeskError as exc:
            self.say(exc.message, True)
        self.refresh()

    @Slot()
    def release(self) -> None:
        """The selected student is handed over."""
        request_id = self._selected()
        if request_id is None:
            return
        try:
            req = self.services.reunification.release(request_id)
            self.say(f"Released {req.student.full_name} to {req.adult}.")
            self.changed.emit()  # off the building roster now
        except FrontDeskError as exc:
            self.say(exc.message, True)
        self.refresh()

    @Slot()
    def withdraw(self) -> None:
        """Take back the selected request (a reason asked for): another adult may then ask."""
        request_id = self._selected()
        if request_id is None:
            return
        reason = text_from(self, "Take back the request", "Why? (for the record)")
        if reason is None:
            return
        try:
            req = self.services.reunification.withdraw(request_id, reason)
            self.say(f"Request for {req.student.full_name} taken back: another adult on the list may ask.")
        except FrontDeskError as exc:
            self.say(exc.message, True)
        self.refresh()

    # --- the board -----------------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        """Reload the board from the store."""
        r = self.services.reunification
        try:
            run = r.current()
            board = r.board() if run is not None else None
        except FrontDeskError as exc:
            self.say(exc.message, True)
            return
        running = board is not None
        for w in (self.ask_button, self.send_button, self.release_button, self.withdraw_button, self.end_button):
            w.setEnabled(running)
        self.start_button.setEnabled(not running)
        if not running:
            self.banner.setText("No reunification running")
            self.banner.setStyleSheet("background:#666; color:white; font-size:20px; padding:8px;")
            self.classes.setRowCount(0)
            self.requests.setRowCount(0)
            self.totals.setText("")
            return
        run = board.reunification
        what = "DRILL — reunification" if run.drill else "REUNIFICATION"
        colour = "#5b4a9e" if run.drill else "#b00020"
        site = f" at {run.site}" if run.site else ""
        self.banner.setText(f"{what}{site} since {run.started_at.astimezone():%H:%M}")
        self.banner.setStyleSheet(
            f"background:{colour}; color:white; font-size:20px; font-weight:bold; padding:8px;"
        )
        self.totals.setText(
            f"Not yet requested {board.total('not_requested')}   ·   Requested {board.total('requested')}   ·   "
            f"On the way {board.total('on_the_way')}   ·   Released {board.total('released')}   "
            f"(of {board.total('students')})"
        )
        self.classes.setRowCount(len(board.rows))
        for i, row in enumerate(board.rows):
            values = [row.homeroom, row.not_requested, row.requested, row.on_the_way, row.released]
            for j, v in enumerate(values):
                item = QTableWidgetItem(str(v))
                if j:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                else:  # a roster's text: never drawn as markup
                    item.setToolTip(plain_tip(f"{row.homeroom}: {_pupils(row.students)}"))
                self.classes.setItem(i, j, item)
        selected = self._selected_quiet()
        self.requests.setRowCount(len(board.requests))
        for i, req in enumerate(board.requests):
            values = [
                f"{req.card[:4]}-{req.card[4:]}",
                req.student.full_name,
                req.adult,
                STATUS_WORDS[req.status],
                req.runner,
                f"{req.requested_at.astimezone():%H:%M}",
            ]
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                if j == 0:
                    item.setData(Qt.ItemDataRole.UserRole, req.id)
                if j == 1:
                    where = req.student.homeroom or "no class on record"
                    said = f"{req.student.full_name}: {where}. Asked for by {req.adult}."
                    if req.status == STOPPED:  # checked again at the hand-over and refused: why, and ask again
                        said = f"{said} {req.stopped_reason}"
                    item.setData(Qt.ItemDataRole.UserRole, said)
                    item.setToolTip(plain_tip(where))  # a class name from the roster: never markup
                if j == 3 and req.status in (REQUESTED, ON_THE_WAY):
                    item.setBackground(Qt.GlobalColor.yellow if req.status == REQUESTED else Qt.GlobalColor.cyan)
                if j == 3 and req.status == STOPPED:
                    item.setBackground(Qt.GlobalColor.red)
                    item.setForeground(Qt.GlobalColor.white)
                self.requests.setItem(i, j, item)
            if req.id == selected:
                self.requests.selectRow(i)
        self.show_selected()

    @Slot()
    def show_selected(self) -> None:
        """Under the requests: the selected one's student, class and adult (plain words, never markup)."""
        rows = self.requests.selectionModel().selectedRows()
        item = self.requests.item(rows[0].row(), 1) if rows else None
        self.where.setText(item.data(Qt.ItemDataRole.UserRole) if item is not None else NO_SELECTION)

    def _selected_quiet(self) -> int | None:
        rows = self.requests.selectionModel().selectedRows()
        if not rows or self.requests.item(rows[0].row(), 0) is None:
            return None
        return int(self.requests.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole))

    def select_request(self, request_id: int) -> None:
        """Select a request's row (the card scanned, or a test)."""
        for i in range(self.requests.rowCount()):
            if int(self.requests.item(i, 0).data(Qt.ItemDataRole.UserRole)) == request_id:
                self.requests.selectRow(i)

    def say(self, text: str, problem: bool = False) -> None:
        """The board's message line."""
        self.message.setText(text)
        style = "background:#b00020; color:white; font-weight:bold;" if problem else "background:#e6f4ea;"
        self.message.setStyleSheet(style + " padding:6px;")

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.timer.start()
        self.refresh()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.timer.stop()
        super().hideEvent(event)


def _pupils(n: int) -> str:
    return f"{n} pupil" if n == 1 else f"{n} pupils"


def _table(headings: list[str], name: str, stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headings))
    table.setTabKeyNavigation(False)  # Tab goes on to the next control; the arrows move in the table
    table.setHorizontalHeaderLabels(headings)
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)  # takes what is left, and elides
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setWordWrap(False)
    return table
