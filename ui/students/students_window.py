"""The students window: find a student in a keystroke, sign them in late (with a late pass), release them to
the right adult only (with a release slip), and sign them back in.

It asks the core only (``services.students``, ``services.dismissal``); who may take a student, screening and
custody are decided there. A possible match is compared here with two buttons, as at check-in; a refusal is
shown in red and never offers a way round it; an unlisted adult can be approved only by a signed-in principal
or administrator, with a reason. Keyboard: type, Down/Enter to pick, Ctrl+L late, Ctrl+R release, Esc clears.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.access.roles import Action
from frontdesk.context import Services
from frontdesk.errors import FrontDeskError
from frontdesk.settings import SCHOOL_NAME
from frontdesk.students.models import Student
from frontdesk.students.printing import late_pass, release_slip
from frontdesk.students.release import (
    Cleared,
    NeedsDecision,
    NotAuthorised,
    Refused,
    ReleaseRequest,
    split_name,
)
from frontdesk.students.service import ordinal
from ui.badges.badge_panel import pixmap_of
from ui.desk.visitor_form import typed_dob
from ui.students.finder import StudentFinder
from ui.window_size import scrolling_body

LATE_REASONS = ["", "Appointment", "Bus late", "Illness", "Overslept", "Family reason", "Traffic"]
STYLES = {
    "info": "background:#e8f1fb; color:#0b3d6b;",
    "success": "background:#e6f4ea; color:#0d5223;",
    "warning": "background:#fff4e5; color:#6b3d00;",
    "error": "background:#b00020; color:white; font-weight:bold;",
}


class StudentsWindow(QWidget):
    """Late arrivals, early dismissals and returns, for one student at a time."""

    slip_ready = Signal(object, str)  # a rendered slip and what it is ("Late pass"): the badge printer prints it
    changed = Signal()  # a student came, left or returned (the board and the lists refresh)
    release_refused = Signal()  # a custody order, the may-not-pick-up list or a barred match (someone was told)

    def __init__(self, services: Services, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.services = services
        self.student: Student | None = None
        self.pending = None  # a NeedsDecision or NotAuthorised waiting for a person
        self.setWindowTitle("FrontDesk — students: late arrivals and early dismissals")
        self.resize(1300, 690)  # fits a 1366x768 laptop with its taskbar
        outer = QHBoxLayout(scrolling_body(self))  # scrolls in the room an alert leaves at 1366x768

        # --- left: find, results, who is out and who was late ----------------------------------------
        left = QVBoxLayout()
        self.finder = StudentFinder(
            services, "Student name or number (or scan the student ID card)", labels=self._labels_with_status
        )
        self.find_entry, self.results = self.finder.entry, self.finder.results
        left.addWidget(self.finder, 2)
        self.lists = QTabWidget()
        self.out_list = QListWidget()
        self.out_list.setAccessibleName("Signed out now")
        self.late_list = QListWidget()
        self.late_list.setAccessibleName("Late today")
        for view in (self.out_list, self.late_list):
            # Long lines end in "…" instead of a sideways scroll bar.
            view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.lists.addTab(self.out_list, "Signed out now")
        self.lists.addTab(self.late_list, "Late today")
        left.addWidget(self.lists, 2)
        outer.addLayout(left, 4)

        # --- middle: the student, who may take them, the two actions -----------------------------------
        middle = QVBoxLayout()
        self.name = QLabel("Find a student")
        self.name.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.name.setAccessibleName("Student")
        name_font = QFont(self.name.font())
        name_font.setPointSizeF(name_font.pointSizeF() * 1.5)
        name_font.setBold(True)
        self.name.setFont(name_font)
        middle.addWidget(self.name)
        self.details = QLabel("")
        self.details.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.details.setAccessibleName("Student details")
        self.details.setWordWrap(True)
        middle.addWidget(self.details)
        pick = QGroupBox("May pick up today")
        pick_layout = QVBoxLayout(pick)
        self.pickups = QListWidget()
        self.pickups.setAccessibleName("May pick up today")
        self.pickups.setMaximumHeight(90)
        pick_layout.addWidget(self.pickups)
        middle.addWidget(pick)

        self.action_tabs = QTabWidget()
        late = QWidget()
        late_form = QFormLayout(late)
        self.late_reason = QComboBox()
        self.late_reason.setEditable(True)
        self.late_reason.addItems(LATE_REASONS)
        self.late_reason.setAccessibleName("Reason late")
        self.excused = QCheckBox("Excused")
        self.destination = QLineEdit()
        self.destination.setPlaceholderText("Homeroom")
        self.destination.setAccessibleName("Destination")
        self.late_button = QPushButton("Sign in late and print pass  (Ctrl+L)")
        self.late_button.setAccessibleName("Sign in late")
        self.late_button.setMinimumHeight(40)
        late_form.addRow("Reason", self.late_reason)
        late_form.addRow("", self.excused)
        late_form.addRow("Go to", self.destination)
        late_form.addRow(self.late_button)
        self.action_tabs.addTab(late, "Late arrival")

        release = QWidget()
        release_form = QFormLayout(release)
        self.adult = QLineEdit()
        self.adult.setPlaceholderText("FIRST LAST, as on their ID")
        self.adult.setAccessibleName("Adult taking the student")
        self.adult_dob = QLineEdit()
        self.adult_dob.setPlaceholderText("MM/DD/YYYY (from the ID)")
        self.adult_dob.setAccessibleName("Adult's date of birth")
        self.release_reason = QLineEdit()
        self.release_reason.setPlaceholderText("Appointment, illness …")
        self.release_reason.setAccessibleName("Reason for release")
        self.release_button = QPushButton("Check and release  (Ctrl+R)")
        self.release_button.setAccessibleName("Release")
        self.release_button.setMinimumHeight(40)
        release_form.addRow("Adult", self.adult)
        release_form.addRow("Date of birth", self.adult_dob)
        release_form.addRow("Reason", self.release_reason)
        release_form.addRow(self.release_button)
        self.action_tabs.addTab(release, "Early dismissal")
        middle.addWidget(self.action_tabs)

        # The person's part: compare a possible match, or (a principal) approve an unlisted adult once.
        self.decision = QGroupBox("Compare with the list entry")
        decision_layout = QVBoxLayout(self.decision)
        self.decision_text = QLabel()
        self.decision_text.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.decision_text.setWordWrap(True)
        decision_layout.addWidget(self.decision_text)
        self.not_this_reason = QLineEdit()
        self.not_this_reason.setPlaceholderText("Why not this person (different photo, different date of birth …)")
        self.not_this_reason.setAccessibleName("Why not this person")
        decision_layout.addWidget(self.not_this_reason)
        row = QHBoxLayout()
        self.same_person = QPushButton("Same person: refuse")
        self.not_this_person = QPushButton("Not this person")
        row.addWidget(self.same_person)
        row.addWidget(self.not_this_person)
        decision_layout.addLayout(row)
        self.decision.hide()
        middle.addWidget(self.decision)
        self.approve_button = QPushButton("Approve once as principal (reason above is recorded)")
        self.approve_button.setAccessibleName("Approve once")
        self.approve_button.hide()
        middle.addWidget(self.approve_button)
        self.return_button = QPushButton("Back in the building: sign in again")
        self.return_button.setAccessibleName("Return")
        self.return_button.hide()
        middle.addWidget(self.return_button)
        self.message = QLabel("")
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.message.setAccessibleName("Students message")
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(40)
        middle.addWidget(self.message)
        middle.addStretch(1)
        outer.addLayout(middle, 5)

        # --- right: the last slip, as printed ------------------------------------------------------------
        right = QVBoxLayout()
        self.slip = QLabel("The late pass or release slip shows here as it prints.")
        self.slip.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.slip.setWordWrap(True)
        self.slip.setAccessibleName("Last slip")
        self.slip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.slip.setFixedWidth(300)
        self.slip.setMinimumHeight(470)
        right.addWidget(self.slip)
        self.slip_status = QLabel("")
        self.slip_status.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.slip_status.setWordWrap(True)
        self.slip_status.setFixedWidth(300)
        right.addWidget(self.slip_status)
        # A slip that reached no printer (never one that may have come out: no second copy of a pass or a
        # release slip) can be printed again once the printer is back.
        self.slip_again = QPushButton("Print again")
        self.slip_again.setAccessibleName("Print the slip again")
        self.slip_again.hide()
        self.slip_again.clicked.connect(self.print_slip_again)
        right.addWidget(self.slip_again)
        self._last_slip: tuple[object, str] | None = None
        right.addStretch(1)
        outer.addLayout(right, 0)

        self.finder.picked.connect(self.on_student_picked)
        self.finder.highlighted.connect(self.show_student)
        self.finder.said.connect(self.say)
        self.late_button.clicked.connect(self.sign_in_late)
        self.release_button.clicked.connect(self.release)
        self.same_person.clicked.connect(lambda: self.decide(True))
        self.not_this_person.clicked.connect(lambda: self.decide(False))
        self.approve_button.clicked.connect(self.approve)
        self.return_button.clicked.connect(self.return_student)
        QShortcut(QKeySequence("Ctrl+L"), self, self.sign_in_late)
        QShortcut(QKeySequence("Ctrl+R"), self, self.release)
        QShortcut(QKeySequence("Ctrl+F"), self, self.finder.focus)
        QShortcut(QKeySequence("Esc"), self, self.clear)
        self.refresh_lists()

    # --- finding -------------------------------------------------------------------------------------------
    def _labels_with_status(self, found) -> list[str]:
        out = {m.student.id for m in self.services.students.out()}
        return [s.label + ("   [signed out]" if s.id in out else "") for s in found]

    @Slot(object)
    def on_student_picked(self, student: Student) -> None:
        """Pick a student and move to the action."""
        self.show_student(student)
        (self.late_reason if self.action_tabs.currentIndex() == 0 else self.adult).setFocus()

    def show_student(self, student: Student) -> None:
        """Show one student: details, status, late count, who may pick up."""
        st = self.services.students
        if self.student is not None and self.student.id != student.id:
            self.slip.clear()  # the last slip was someone else's
            self.slip_status.clear()
            self.slip_again.hide()
            self._last_slip = None
        self.student = student
        self._reset_person_part()
        self.name.setText(student.full_name)
        out_since = st.release_open(student)
        late = st.late_count(student)
        status = f"Signed out at {out_since.astimezone():%H:%M}" if out_since else "In the building"
        self.details.setText(
            f"#{student.number}   Grade {student.grade or '—'}   {student.homeroom or 'no homeroom'}\n"
            f"{status}.   Late this term: {late}"
        )
        self.destination.setText(student.homeroom)
        self.return_button.setVisible(out_since is not None)
        self.pickups.clear()
        pickups = st.pickups(student)
        for p in pickups:
            self.pickups.addItem(f"{p.name} — {p.why}")
        if not pickups:
            self.pickups.addItem("Nobody on file: a principal must approve any adult")

    # --- late arrival --------------------------------------------------------------------------------------
    @Slot()
    def sign_in_late(self) -> None:
        """Record the late arrival and print the late pass."""
        if not self._has_student():
            return
        try:
            m = self.services.students.arrive(
                self.student,
                reason=self.late_reason.currentText(),
                excused=self.excused.isChecked(),
                destination=self.destination.text(),
            )
        except FrontDeskError as exc:
            self.say(exc.message, "error")
            return
        count = f"{ordinal(m.late_count)} late arrival this term"
        self.say(
            f"{m.student.full_name} signed in late at {m.time.astimezone():%H:%M} — {count}."
            + ("  That is at the office's threshold: follow up." if m.over_threshold else ""),
            "warning" if m.over_threshold else "success",
        )
        self._slip(late_pass(m, self._school(), self.services.badges.media()), "Late pass")
        self.late_reason.setCurrentIndex(0)
        self.excused.setChecked(False)
        self._after_change()

    # --- early dismissal -----------------------------------------------------------------------------------
    def use_adult_id(self, visitor) -> None:
        """The adult's ID was scanned: their name and date of birth, as on the card."""
        self.action_tabs.setCurrentIndex(1)
        self.adult.setText(f"{visitor.first_name} {visitor.last_name}")
        self.adult_dob.setText(visitor.dob.isoformat() if visitor.dob else "")
        self.say(f"Read {visitor.first_name} {visitor.last_name} from the ID. Give the reason, then release.")
        self.release_reason.setFocus()

    def _request(self, approve: bool = False) -> ReleaseRequest:
        first, last = split_name(self.adult.text())
        dob = typed_dob(self.adult_dob.text())  # as the ID prints it (05/05/1979) or 1979-05-05
        return ReleaseRequest(self.student, first, last, self.release_reason.text(), dob=dob, approve=approve)

    @Slot()
    def release(self) -> None:
        """Screen the adult and check the list; release, or show what stands in the way."""
        if not self._has_student():
            return
        self._reset_person_part()
        try:
            outcome = self.services.dismissal.start(self._request())
        except FrontDeskError as exc:
            self.say(exc.message, "error")
            return
        self._follow(outcome)

    def _follow(self, outcome) -> None:
        if isinstance(outcome, Cleared):
            try:
                done = self.services.dismissal.commit(outcome)
            except FrontDeskError as exc:
                self.say(exc.message, "error")
                return
            m = done.movement
            self.say(
                f"Released {m.student.full_name} to {m.adult} at {m.time.astimezone():%H:%M}: {m.authorised_as}.",
                "success",
            )
            self._slip(release_slip(m, self._school(), self.services.badges.media()), "Release slip")
            self.adult.clear()
            self.adult_dob.clear()
            self.release_reason.clear()
            self._after_change()
        elif isinstance(outcome, NeedsDecision):
            self.pending = outcome
            c = outcome.candidates[0]
            e = c.entry
            students = ", ".join(e.students) or "every student"
            self.decision_text.setText(
                f"{e.full_name} on the {e.source} {e.kind.label.lower()} list"
                + (f" (names: {students})" if e.kind.value == "custody" else "")
                + f"\n{c.evidence_text}"
            )
            self.decision.show()
            strength = "Matches" if c.decision.value == "match" else "May match"
            self.say(f"{strength} a list entry: compare the adult with it before releasing.", "warning")
        elif isinstance(outcome, NotAuthorised):
            self.pending = outcome
            self.say(outcome.message, "warning")
            self.approve_button.setVisible(self.services.session.may(Action.APPROVE_RELEASE))
        elif isinstance(outcome, Refused):
            self.say(outcome.message, "error")
            self.release_refused.emit()

    @Slot()
    def decide(self, same: bool) -> None:
        """The person's answer on the flagged entry."""
        if not isinstance(self.pending, NeedsDecision):
            return
        entry = self.pending.candidates[0].entry
        try:
            outcome = self.services.dismissal.decide(
                self.pending.dismissal, entry.id, same_person=same, reason=self.not_this_reason.text()
            )
        except FrontDeskError as exc:
            self.say(exc.message, "error")
            return
        self._reset_person_part()
        self._follow(outcome)

    @Slot()
    def approve(self) -> None:
        """A signed-in principal approves the unlisted adult once (the release reason is the approval's)."""
        if not isinstance(self.pending, NotAuthorised):
            return
        try:
            outcome = self.services.dismissal.start(self._request(approve=True))
        except FrontDeskError as exc:
            self.say(exc.message, "error")
            return
        self._reset_person_part()
        self._follow(outcome)

    @Slot()
    def return_student(self) -> None:
        """Sign a released student back in."""
        if not self._has_student():
            return
        try:
            m = self.services.students.return_(self.student)
        except FrontDeskError as exc:
            self.say(exc.message, "error")
            return
        self.say(f"{m.student.full_name} signed back in at {m.time.astimezone():%H:%M}.", "success")
        self._after_change()

    # --- helpers -------------------------------------------------------------------------------------------
    def _has_student(self) -> bool:
        if self.student is None:
            self.say("Find the student first (name or number).", "warning")
            self.finder.focus()
            return False
        return True

    def _reset_person_part(self) -> None:
        self.pending = None
        self.decision.hide()
        self.not_this_reason.clear()
        self.approve_button.hide()

    def _school(self) -> str:
        return self.services.settings.get(SCHOOL_NAME)

    def _slip(self, slip, what: str) -> None:
        self._last_slip = (slip, what)
        self.slip_again.hide()
        self.slip.setPixmap(pixmap_of(slip, 300, 460))
        self.slip_status.setText(f"{what}: printing …")
        self.slip_ready.emit(slip, what)

    @Slot(str, str, str)
    def on_slip_printed(self, what: str, outcome: str, message: str) -> None:
        """What the badge printer said about the last slip; one that reached no printer may be printed again."""
        failed = outcome == "failed" and self._last_slip is not None and self._last_slip[1] == what
        self.slip_status.setText(message + (" Press Print again once the printer is back." if failed else ""))
        self.slip_again.setVisible(failed)

    @Slot()
    def print_slip_again(self) -> None:
        """The last slip again, as it was drawn (nothing is recorded again: the arrival or release stands)."""
        if self._last_slip is not None:
            self._slip(*self._last_slip)

    def _after_change(self) -> None:
        if self.student is not None:
            self.show_student(self.services.students.get(self.student.id))
        self.refresh_lists()
        self.changed.emit()

    @Slot()
    def on_pickups_changed(self) -> None:
        """The pick-up lists changed who may pick up: show the shown student as they are now, and the lists. A
        comparison waiting on screen is dropped: the answer it asked for may no longer be the one that counts
        (press Check and release again)."""
        if self.student is not None:
            try:
                self.show_student(self.services.students.get(self.student.id))
            except FrontDeskError as exc:
                self.say(exc.message, "error")
        self.refresh_lists()

    @Slot()
    def refresh_lists(self) -> None:
        """Reload Signed out now and Late today."""
        try:
            out = self.services.students.out()
            late = self.services.students.late_today()
        except FrontDeskError:
            return
        self.out_list.clear()
        for m in out:
            self.out_list.addItem(f"{m.time.astimezone():%H:%M}  {m.student.full_name}  → {m.adult}  ({m.reason})")
        self.late_list.clear()
        for m in reversed(late):
            excused = " (excused)" if m.excused else ""
            self.late_list.addItem(f"{m.time.astimezone():%H:%M}  {m.student.full_name}  {m.reason}{excused}")
        self.lists.setTabText(0, f"Signed out now ({len(out)})")
        self.lists.setTabText(1, f"Late today ({len(late)})")

    def say(self, text: str, kind: str = "info") -> None:
        """The window's message line."""
        self.message.setText(text)
        self.message.setStyleSheet(STYLES.get(kind, STYLES["info"]) + " padding:8px; border-radius:4px;")

    @Slot()
    def clear(self) -> None:
        """Esc: forget the student and start again at the find box."""
        self.student = None
        self._reset_person_part()
        self.finder.clear()
        self.name.setText("Find a student")
        self.details.clear()
        self.pickups.clear()
        self.return_button.hide()
        self.finder.focus()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.refresh_lists()
        super().showEvent(event)
