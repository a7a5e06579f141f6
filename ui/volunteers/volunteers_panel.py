"""The review window's Volunteers tab: checks expiring soon (the principal's reminders), the volunteers, and
their hours for a range with the school's report (CSV, PDF). It calls only ``services.volunteers``."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk import clock
from frontdesk.errors import FrontDeskError
from frontdesk.settings import SCHOOL_NAME, VOLUNTEER_EXPIRY_WARNING_DAYS
from frontdesk.text import count
from frontdesk.volunteers.models import Status, Volunteer, VolunteerHours
from ui.asking import save_file_name
from ui.table_models import ItemTableModel

NOT_CLEARED = QColor("#f9d0d0")


class VolunteerTableModel(ItemTableModel[Volunteer]):
    """Every volunteer: name, status, activities, the check's expiry."""

    HEADERS = ("Name", "Status", "Activities", "Check expires", "Note")

    def cells(self, item: Volunteer) -> tuple[str, ...]:
        expires = f"{item.check.expires:%m/%d/%Y}" if item.check.expires else "no check on file"
        return (item.full_name, item.status.value, ", ".join(item.activities), expires, item.status_reason)

    def background(self, item: Volunteer) -> QBrush | None:
        return None if item.status is Status.APPROVED else QBrush(NOT_CLEARED)


class HoursTableModel(ItemTableModel[VolunteerHours]):
    """Hours per volunteer for the range, with the months and the close-day rule's count."""

    HEADERS = ("Name", "Visits", "Hours", "By month", "By activity", "Forgotten check-outs")

    def cells(self, item: VolunteerHours) -> tuple[str, ...]:
        return (
            item.volunteer.full_name,
            str(item.visits),
            f"{item.hours:.2f}",
            ", ".join(f"{m}: {h:g}" for m, h in item.months.items()),
            ", ".join(f"{a}: {h:g}" for a, h in item.activities.items()),
            f"{item.forgotten} (close-day rule)" if item.forgotten else "",
        )


def _table(model, name: str) -> QTableView:
    view = QTableView()
    view.setTabKeyNavigation(False)  # Tab goes on to the next control; the arrows move in the table
    view.setModel(model)
    view.setAccessibleName(name)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class VolunteersPanel(QWidget):
    """Reminders, the volunteers, and the hours report."""

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        layout = QVBoxLayout(self)
        self.reminders = QLabel()
        self.reminders.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.reminders.setWordWrap(True)
        self.reminders.setAccessibleName("Background checks expiring soon")
        layout.addWidget(self.reminders)
        self.volunteer_model = VolunteerTableModel()
        layout.addWidget(_table(self.volunteer_model, "Volunteers"), 2)
        range_row = QHBoxLayout()
        today = clock.now().astimezone().date()
        self.start = QDateEdit(QDate(today.year, 1, 1))
        self.end = QDateEdit(QDate(today.year, today.month, today.day))
        for edit, name in ((self.start, "Hours from"), (self.end, "to")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("MM/dd/yyyy")
            edit.setAccessibleName(name)
            range_row.addWidget(QLabel(name))
            range_row.addWidget(edit)
        self.show_button = QPushButton("Show hours")
        self.csv_button = QPushButton("Export CSV…")
        self.pdf_button = QPushButton("Export PDF…")
        for button in (self.show_button, self.csv_button, self.pdf_button):
            range_row.addWidget(button)
        range_row.addStretch(1)
        layout.addLayout(range_row)
        self.hours_model = HoursTableModel()
        layout.addWidget(_table(self.hours_model, "Volunteer hours"), 2)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        layout.addWidget(self.message)
        self.show_button.clicked.connect(self.refresh)
        self.csv_button.clicked.connect(lambda: self.ask_export("csv"))
        self.pdf_button.clicked.connect(lambda: self.ask_export("pdf"))
        self.refresh()

    def span(self) -> tuple[date, date]:
        """The range chosen for the hours."""
        s, e = self.start.date(), self.end.date()
        return date(s.year(), s.month(), s.day()), date(e.year(), e.month(), e.day())

    @Slot()
    def refresh(self) -> None:
        """Read the reminders, the volunteers and the hours again."""
        days = self.services.settings.get(VOLUNTEER_EXPIRY_WARNING_DAYS)
        try:
            expiring = self.services.volunteers.expiring(days)
            self.volunteer_model.set_items(self.services.volunteers.list())
            report = self.services.volunteers.hours(*self.span())
        except FrontDeskError as exc:
            self.message.setText(exc.message)
            return
        self.hours_model.set_items(list(report.volunteers))
        if expiring:
            names = "; ".join(f"{v.full_name} ({v.check.expires:%m/%d})" for v in expiring)
            self.reminders.setText(f"Background checks expiring in the next {days} days: {names}")
            self.reminders.setStyleSheet("background: #fff4d6; padding: 6px;")
        else:
            self.reminders.setText(f"No background check expires in the next {days} days.")
            self.reminders.setStyleSheet("")
        self.message.setText(
            f"{count(len(report.volunteers), 'volunteer')}, {report.total_hours:g} "
            + ("hour" if report.total_hours == 1 else "hours")
            + " in the range."
        )

    def ask_export(self, fmt: str) -> None:
        """Ask where, then write the school's report."""
        start, end = self.span()
        suggested = f"volunteer-hours-{start}-to-{end}.{fmt}"
        path = save_file_name(self, f"Export {fmt.upper()}", suggested, f"{fmt.upper()} (*.{fmt})")
        if path:
            self.export_to(path, fmt)

    def export_to(self, path: str, fmt: str) -> int | None:
        """Write the report for the range to ``path`` (csv or pdf)."""
        start, end = self.span()
        try:
            written = self.services.volunteers.export(
                start, end, fmt, path, school=self.services.settings.get(SCHOOL_NAME)
            )
        except FrontDeskError as exc:
            self.message.setText(exc.message)
            return None
        self.message.setText(f"Hours of {count(written, 'volunteer')} exported to {path}.")
        return written
