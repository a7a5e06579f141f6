"""Expected guests (pre-registration) at the desk: name, host and time window give a code for the kiosk."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTime, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from frontdesk import clock
from frontdesk.errors import FrontDeskError
from ui.window_size import DIALOG_LEAST, fit_to_screen, scrolling_body


class ExpectedGuestsDialog(QDialog):
    """Add an expected guest for today and see today's guests with their codes."""

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("Expected guests")
        layout = QVBoxLayout(scrolling_body(self, DIALOG_LEAST))  # scrolls in the room an alert leaves
        form = QFormLayout()
        self.first_name = QLineEdit()
        self.last_name = QLineEdit()
        self.host = QLineEdit()
        self.host.setPlaceholderText("Whom they come to see")
        self.purpose = QLineEdit()
        now = clock.now().astimezone()
        self.start = QTimeEdit(QTime(now.hour, 0))
        self.end = QTimeEdit(QTime(min(now.hour + 2, 23), 0))
        for label, widget in (
            ("First name", self.first_name),
            ("Last name", self.last_name),
            ("Host", self.host),
            ("Purpose", self.purpose),
            ("Expected from", self.start),
            ("until", self.end),
        ):
            widget.setAccessibleName(label)
            form.addRow(label, widget)
        layout.addLayout(form)
        self.add_button = QPushButton("Add expected guest")
        self.add_button.clicked.connect(self.add_guest)
        layout.addWidget(self.add_button)
        self.code = QLabel()
        self.code.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.code.setAccessibleName("Guest code")
        big = QFont(self.code.font())
        big.setPointSizeF(big.pointSizeF() * 2)
        self.code.setFont(big)
        layout.addWidget(self.code)
        self.today = QListWidget()
        self.today.setAccessibleName("Today's expected guests")
        layout.addWidget(QLabel("Expected today"))
        layout.addWidget(self.today, 1)
        self.refresh()
        # Wide enough for a guest's line (time, name, host, code, state): at its layout's own width, 330 px, the
        # list scrolled sideways (session 25's walk).
        fit_to_screen(self, 760, 560)

    def _at(self, time: QTime) -> datetime:
        day = clock.now().astimezone()
        return day.replace(hour=time.hour(), minute=time.minute(), second=0, microsecond=0)

    @Slot()
    def add_guest(self) -> None:
        """Pre-register the guest and show the code to give them."""
        try:
            guest = self.services.kiosk.preregister(
                self.first_name.text(),
                self.last_name.text(),
                self.host.text(),
                self._at(self.start.time()),
                self._at(self.end.time()),
                purpose=self.purpose.text(),
            )
        except FrontDeskError as exc:
            self.code.setText(exc.message)
            return
        self.code.setText(f"Code for {guest.first_name} {guest.last_name}: {guest.code_text}")
        for edit in (self.first_name, self.last_name, self.purpose):
            edit.clear()
        self.refresh()

    def refresh(self) -> None:
        """List today's expected guests."""
        self.today.clear()
        for g in self.services.kiosk.guests(clock.now().astimezone().date()):
            state = "arrived" if g.visit_id else "expected"
            self.today.addItem(
                f"{g.window_start.astimezone():%H:%M}-{g.window_end.astimezone():%H:%M}  {g.first_name} "
                f"{g.last_name} → {g.host}  {g.code_text}  ({state})"
            )
