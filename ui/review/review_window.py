"""The principal's review window: a day or range of visits, filters, search as you type, a person's history,
charts, totals, exports, the printed day log, checking out forgotten visitors, and the audit trail browser.

It calls only :class:`frontdesk.review.service.ReviewService` and :class:`frontdesk.audit.AuditTrail`; each
refuses what the signed-in role may not do, and the window shows that refusal on its message line.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk import clock
from frontdesk.context import Services
from frontdesk.errors import FrontDeskError
from frontdesk.models import Category
from frontdesk.review.models import SEARCH_TOO_SHORT, ReviewQuery, ReviewRow, Totals
from frontdesk.settings import SCHOOL_NAME
from frontdesk.store.files import private_file
from frontdesk.text import count
from ui.asking import save_file_name
from ui.plain import ask_first
from ui.review.charts import BarChart
from ui.review.report_printing import day_log_html, print_html
from ui.review.review_models import AuditTableModel, RefusalTableModel, ReviewTableModel
from ui.volunteers.volunteers_panel import VolunteersPanel
from ui.window_size import fit_to_screen, scrolling_body

SEARCH_DELAY_MS = 120  # one query per pause in typing, not per key


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(qd: QDate) -> date:
    return date(qd.year(), qd.month(), qd.day())


def _table(model, name: str) -> QTableView:
    view = QTableView()
    view.setTabKeyNavigation(False)  # Tab goes on to the next control; the arrows move in the table
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class VisitsPanel(QWidget):
    """The visits tab: filters, search, table, totals, charts and the actions on them."""

    rows_shown = Signal(int)

    def __init__(self, services: Services, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.mode = "range"  # or "search" or "history"
        # The print queue the day log is handed to (a PDF's path -> the printer's name, None for no printer): the
        # OS default printer unless a test gives another; and the PDF on its way to it, while it is.
        self.print_sender = None
        self._print_on_its_way: Path | None = None
        layout = QVBoxLayout(self)

        filters = QHBoxLayout()
        today = clock.now().astimezone().date()
        self.start = QDateEdit(_qdate(today))
        self.end = QDateEdit(_qdate(today))
        for edit, name in ((self.start, "From"), (self.end, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            filters.addWidget(QLabel(name))
            filters.addWidget(edit)
        self.today_button = QPushButton("Today")
        self.month_button = QPushButton("This month")
        filters.addWidget(self.today_button)
        filters.addWidget(self.month_button)
        self.category = QComboBox()
        self.category.setAccessibleName("Category")
        self.category.addItem("All categories", None)
        for c in Category:
            self.category.addItem(c.label, c)
        filters.addWidget(self.category)
        self.station = QComboBox()
        self.station.setAccessibleName("Station")
        filters.addWidget(self.station)
        self.flagged_only = QCheckBox("Flagged only")
        self.on_site_only = QCheckBox("Still on site")
        self.show_refused = QCheckBox("Refused at the door")
        self.show_refused.setChecked(True)
        self.show_refused.setAccessibleName("Show visitors refused at the door")
        filters.addStretch(1)
        layout.addLayout(filters)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search all history: name, purpose, where, note, staff…")
        self.search.setAccessibleName("Search all history")
        self.search.setClearButtonEnabled(True)
        # The three narrowing boxes share the search's row: on one row with the dates, categories and stations
        # the filters were wider than a 1366-px laptop's screen (1,414 px with the demo's stations).
        narrowing = QHBoxLayout()
        narrowing.addWidget(self.search, 1)
        narrowing.addWidget(self.flagged_only)
        narrowing.addWidget(self.on_site_only)
        narrowing.addWidget(self.show_refused)
        layout.addLayout(narrowing)

        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.heading.setAccessibleName("What is shown")
        layout.addWidget(self.heading)
        self.model = ReviewTableModel()
        self.table = _table(self.model, "Visits")
        layout.addWidget(self.table, 3)
        # Visitors refused at the door never became visits; they are listed here, shaded, for the same days.
        self.refused_heading = QLabel()
        self.refused_heading.setAccessibleName("Refused at the door")
        layout.addWidget(self.refused_heading)
        self.refused_model = RefusalTableModel()
        self.refused_table = _table(self.refused_model, "Visitors refused at the door")
        self.refused_table.setMaximumHeight(140)
        layout.addWidget(self.refused_table, 1)
        self.totals = QLabel()
        self.totals.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.totals.setAccessibleName("Totals")
        self.totals.setWordWrap(True)
        layout.addWidget(self.totals)

        charts = QHBoxLayout()
        self.hour_chart = BarChart("Visitors by hour")
        self.day_chart = BarChart("Visitors by day")
        self.category_chart = BarChart("Visits by category")
        for chart in (self.hour_chart, self.day_chart, self.category_chart):
            charts.addWidget(chart)
        layout.addLayout(charts, 2)

        actions = QHBoxLayout()
        self.history_button = QPushButton("Person's history")
        self.csv_button = QPushButton("Export CSV…")
        self.pdf_button = QPushButton("Export PDF…")
        self.print_button = QPushButton("Print day log…")
        self.forgotten_note = QLineEdit()
        self.forgotten_note.setPlaceholderText("Note, e.g. left without signing out")
        self.forgotten_note.setAccessibleName("Note for forgotten visitors")
        self.forgotten_button = QPushButton("Check out forgotten visitors")
        for w in (self.history_button, self.csv_button, self.pdf_button, self.print_button):
            actions.addWidget(w)
        actions.addStretch(1)
        layout.addLayout(actions)
        # Its own row: beside the four buttons, in a Review window of 1,000 px (a 1366x768 desk) the note field was
        # squeezed to a sliver that showed "ning out" of its hint (seen in session 24's screenshots).
        forgotten = QHBoxLayout()
        forgotten.addWidget(self.forgotten_note, 1)
        forgotten.addWidget(self.forgotten_button)
        layout.addLayout(forgotten)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.message.setAccessibleName("Message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._wire()
        self.reload_stations()
        self.refresh()

    def _wire(self) -> None:
        for edit in (self.start, self.end):
            edit.dateChanged.connect(self.refresh)
        self.category.currentIndexChanged.connect(self.refresh)
        self.station.currentIndexChanged.connect(self.refresh)
        self.flagged_only.toggled.connect(self.refresh)
        self.on_site_only.toggled.connect(self.refresh)
        self.show_refused.toggled.connect(self.refresh)
        self.today_button.clicked.connect(self.on_today_clicked)
        self.month_button.clicked.connect(self.on_month_clicked)
        self.search.textEdited.connect(self.on_search_edited)
        self._search_timer.timeout.connect(self.run_search)
        self.history_button.clicked.connect(self.show_history)
        self.table.doubleClicked.connect(self.show_history)
        self.csv_button.clicked.connect(lambda: self.ask_export("csv"))
        self.pdf_button.clicked.connect(lambda: self.ask_export("pdf"))
        self.print_button.clicked.connect(self.ask_print)
        self.forgotten_button.clicked.connect(self.check_out_forgotten)

    # --- what is shown --------------------------------------------------------------------------------
    def query(self) -> ReviewQuery:
        """The range and filters as chosen."""
        start, end = _pydate(self.start.date()), _pydate(self.end.date())
        return ReviewQuery(
            start=start,
            end=max(start, end),
            category=self.category.currentData(),
            flagged_only=self.flagged_only.isChecked(),
            on_site_only=self.on_site_only.isChecked(),
            station=self.station.currentData(),
        )

    def reload_stations(self) -> None:
        """Fill the station filter from the history."""
        self.station.blockSignals(True)
        self.station.clear()
        self.station.addItem("All stations", None)
        try:
            for name in self.services.review.stations():
                self.station.addItem(name, name)
        except FrontDeskError as exc:
            self.say(exc.message)
        self.station.blockSignals(False)

    @Slot()
    def refresh(self) -> None:
        """Show the chosen range with its totals and charts."""
        self.mode = "range"
        query = self.query()
        try:
            rows = self.services.review.visits(query)
        except FrontDeskError as exc:
            self.show_rows([], exc.message)
            return
        span = str(query.start) if query.start == query.end else f"{query.start} to {query.end}"
        self.show_rows(rows, f"Visits {span}", one_day=query.start == query.end)
        self.show_refusals(query, span)
        self.update_charts(query)

    def show_refusals(self, query: ReviewQuery | None, span: str = "") -> None:
        """The visitors refused at the door in the range (hidden when unticked, or for a search)."""
        refusals = []
        if query is not None and self.show_refused.isChecked():
            try:
                refusals = self.services.review.refusals(query)
            except FrontDeskError as exc:
                self.say(exc.message)
        self.refused_model.set_items(refusals)
        self.refused_heading.setText(f"Refused at the door {span}: {count(len(refusals), 'visitor')}")
        self.refused_heading.setVisible(bool(refusals))
        self.refused_table.setVisible(bool(refusals))

    def show_rows(self, rows: list[ReviewRow], heading: str, *, one_day: bool = False) -> None:
        """Put rows in the table with a heading and their totals. For one day the heading gives the date,
        and the Date column is hidden: the same date on every row took the room the Station column wanted."""
        self.model.set_items(rows)
        self.table.setColumnHidden(0, one_day)
        self.heading.setText(heading)
        t = Totals.of(rows, clock.now())
        categories = ", ".join(f"{c.label} {n}" for c, n in t.by_category.items())
        self.totals.setText(
            f"{count(t.visits, 'visit')} · {count(t.people, 'person', 'people')} · {t.on_site} still on site · "
            f"{t.flagged} flagged · "
            f"average stay {t.average_minutes:.0f} min" + (f" · {categories}" if categories else "")
        )
        self.rows_shown.emit(len(rows))

    def update_charts(self, query: ReviewQuery) -> None:
        """By hour for the first day, by day for its month, by category for the range."""
        review = self.services.review
        try:
            hours = review.by_hour(query.start)
            days = review.by_day(query.start.year, query.start.month)
            categories = review.by_category(query.start, query.end)
        except FrontDeskError as exc:
            self.say(exc.message)
            return
        self.hour_chart.set_data([f"{h}" for h in range(24)], hours, f"Visitors by hour, {query.start}")
        self.day_chart.set_data(
            [f"{d.day}" for d, _ in days], [n for _, n in days], f"Visitors by day, {query.start:%B %Y}"
        )
        self.category_chart.set_data(
            [c.label for c in categories], list(categories.values()), "Visits by category"
        )

    @Slot()
    def on_today_clicked(self) -> None:
        today = _qdate(clock.now().astimezone().date())
        self.set_range(today, today)

    @Slot()
    def on_month_clicked(self) -> None:
        today = clock.now().astimezone().date()
        first = today.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        self.set_range(_qdate(first), _qdate(last))

    def set_range(self, start: QDate, end: QDate) -> None:
        """Show the days from ``start`` to ``end`` (one refresh, not two)."""
        for edit, value in ((self.start, start), (self.end, end)):
            edit.blockSignals(True)
            edit.setDate(value)
            edit.blockSignals(False)
        self.search.clear()
        self.refresh()

    # --- search and history ---------------------------------------------------------------------------
    @Slot(str)
    def on_search_edited(self, text: str) -> None:
        if text.strip():
            self._search_timer.start()
        else:
            self._search_timer.stop()
            self.refresh()

    @Slot()
    def run_search(self) -> None:
        """Search all history for what is typed (FTS5, newest first)."""
        text = self.search.text().strip()
        if not text:
            return
        try:
            rows = self.services.review.search(text)
        except FrontDeskError as exc:
            self.say(exc.message)
            return
        if self.message.text() == SEARCH_TOO_SHORT:  # said while only one letter was typed: no longer true
            self.say("")
        self.mode = "search"
        self.show_rows(rows, f"Search “{text}”: {count(len(rows), 'visit')} across all history (newest first)")

    @Slot()
    def show_history(self) -> None:
        """Every visit of the person in the selected row."""
        selected = self.table.selectionModel().selectedRows()
        if not selected:
            self.say("Choose a visit first; its visitor's history is shown.")
            return
        visitor = self.model.item_at(selected[0].row()).visit.visitor
        try:
            rows = self.services.review.history(visitor.id)  # type: ignore[arg-type]
        except FrontDeskError as exc:
            self.say(exc.message)
            return
        self.mode = "history"
        self.show_rows(rows, f"History of {visitor.full_name}: {count(len(rows), 'visit')}")

    # --- actions --------------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        """Show a message under the table."""
        self.message.setText(text)

    def ask_export(self, fmt: str) -> None:
        q = self.query()
        suggested = f"visits-{q.start}" + (f"-to-{q.end}" if q.end != q.start else "") + f".{fmt}"
        path = save_file_name(self, f"Export {fmt.upper()}", suggested, f"{fmt.upper()} (*.{fmt})")
        if path:
            self.export_to(path, fmt)

    def export_to(self, path: str, fmt: str) -> int | None:
        """Export the chosen range and filters to ``path`` (csv or pdf)."""
        school = self.services.settings.get(SCHOOL_NAME)
        try:
            written = self.services.review.export(self.query(), fmt, path, school=school)  # type: ignore[arg-type]
        except FrontDeskError as exc:
            self.say(exc.message)
            return None
        self.say(f"{count(written, 'visit')} exported to {path}.")
        return written

    def ask_print(self) -> None:
        """Print what the table shows on the default printer: drawn here as a PDF in the data folder's
        ``reports/``, handed to the print queue on the thread pool (``print_sender``, the emergency roster's).

        Until session 23 this opened Qt's print dialog and laid the pages out into the print queue on the GUI
        thread: the dialog is application-modal (the desk window's panic button could not be clicked while it
        was up) and both wait on the print server, which when it stops answering froze every window of the
        desk, its panic button and hot-key included. Another printer, or copies: "Export PDF…" and print it."""
        from functools import partial

        from ui.review.report_printing import pdf_printer
        from ui.tasks import run_task

        if self._print_on_its_way is not None:
            self.say(f"The day log is still being sent to the printer; it is saved as {self._print_on_its_way}.")
            return
        folder = Path(self.services.store.data_dir) / "reports"
        try:
            folder.mkdir(exist_ok=True, mode=0o700)
            path = folder / f"day-log-{clock.now().astimezone():%Y%m%d-%H%M%S}.pdf"
            rows = self.print_log(pdf_printer(str(path), landscape=True), said=False)
        except (FrontDeskError, OSError) as exc:
            why = exc.message if isinstance(exc, FrontDeskError) else f"The day log could not be drawn ({exc})."
            self.say(why)
            return
        if rows is None:
            return
        self._print_on_its_way = path
        self.say(f"Sending the day log ({count(rows, 'visit')}) to the printer …")
        from ui.roster_print import send_to_default_printer

        send = self.print_sender or partial(send_to_default_printer, what="The day log")
        run_task(lambda: send(path), partial(self.on_print_sent, path, rows))

    def on_print_sent(self, path: Path, rows: int, printer: str | None, error: BaseException | None) -> None:
        """The print queue's answer (on the GUI thread): where the day log went, or where it is saved."""
        from ui.roster_print import shown_if_unsent

        self._print_on_its_way = None
        if error is not None:
            said = error.message if isinstance(error, FrontDeskError) else f"The day log was not sent ({error})"
            self.say(said + ("" if str(path) in said else f"; it is saved as {path}."))
            return
        self.say(f"Day log ({count(rows, 'visit')}) sent to {shown_if_unsent(path, printer)}.")

    def print_log(self, printer, *, said: bool = True) -> int | None:
        """Print what the table shows (the day log, a range, a search or a history) to ``printer`` (a PDF
        file's, from :meth:`ask_print`); returns how many visits, or None when it may not be printed (said)."""
        now = clock.now()
        html = day_log_html(self.model.items(), self.heading.text(), self.services.settings.get(SCHOOL_NAME), now)
        try:
            self.services.review.printed(self.heading.text(), self.model.rowCount())
        except FrontDeskError as exc:
            self.say(exc.message)
            return None
        print_html(html, printer)
        if said:
            self.say(f"Printed {count(self.model.rowCount(), 'visit')}.")
        return self.model.rowCount()

    @Slot()
    def check_out_forgotten(self) -> None:
        """Check out everyone still on site from the chosen last day or before, with the note typed (after asking:
        Review opens on today, and those include the people in the building now)."""
        day = self.query().end
        try:
            if not self.forgotten_note.text().strip():  # the core says why a note is needed; nothing is asked
                self.services.review.close_forgotten(day, self.forgotten_note.text())
            waiting = self.services.review.forgotten(day)
        except FrontDeskError as exc:
            self.say(exc.message)
            return
        if not waiting:
            self.say(f"Nobody who came in on or before {day:%Y-%m-%d} is still on site: nothing to check out.")
            return
        if not self._sure_forgotten(waiting, day):
            self.say("Nothing changed: they stay on site (and on the emergency roster).")
            return
        try:
            closed = self.services.review.close_forgotten(day, self.forgotten_note.text())
        except FrontDeskError as exc:
            self.say(exc.message)
            return
        self.forgotten_note.clear()
        self.refresh()
        self.say(f"Checked out {count(len(closed), 'forgotten visitor')}.")

    def _sure_forgotten(self, waiting: list, day) -> bool:
        """Ask before checking out ``waiting`` (No by default), saying how many came in today."""
        today = clock.now().astimezone().date()
        new = sum(1 for v in waiting if v.time_in.astimezone().date() == today)
        names = ", ".join(v.visitor.full_name for v in waiting[:12]) + (" …" if len(waiting) > 12 else "")
        warning = f"\n\n{new} of them came in today and may still be in the building." if new else ""
        return ask_first(
            self,
            "Check out forgotten visitors?",
            f"Check out {count(len(waiting), 'visitor')} still on site who came in on or before {day:%Y-%m-%d}: "
            f"{names}?{warning}\n\nThey leave On site now and the emergency roster (the one a LOCKDOWN sends "
            "to dispatch).",
        )


class AuditPanel(QWidget):
    """The audit trail: filter, browse, verify the chain, export."""

    def __init__(self, services: Services, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.actor = QLineEdit()
        self.actor.setPlaceholderText("Who (user name)")
        self.actor.setAccessibleName("Who")
        self.action = QLineEdit()
        self.action.setPlaceholderText("What (e.g. visit. or user.sign_in)")
        self.action.setAccessibleName("What")
        self.text = QLineEdit()
        self.text.setPlaceholderText("Text in subject or details")
        self.text.setAccessibleName("Text")
        for w in (self.actor, self.action, self.text):
            filters.addWidget(w)
            w.returnPressed.connect(self.refresh)
        self.refresh_button = QPushButton("Show")
        self.refresh_button.clicked.connect(self.refresh)
        filters.addWidget(self.refresh_button)
        layout.addLayout(filters)
        self.model = AuditTableModel()
        self.table = _table(self.model, "Audit trail")
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.verify_button = QPushButton("Verify the chain")
        self.verify_button.clicked.connect(self.verify)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.clicked.connect(self.ask_export)
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.result.setAccessibleName("Verification result")
        self.result.setWordWrap(True)
        bottom.addWidget(self.verify_button)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.result, 1)
        layout.addLayout(bottom)

    def filters(self) -> dict:
        """The filters as typed."""
        return {
            "actor": self.actor.text().strip() or None,
            "action": self.action.text().strip() or None,
            "text": self.text.text().strip() or None,
        }

    @Slot()
    def refresh(self) -> None:
        """Show the newest 1,000 records that match."""
        try:
            self.model.set_items(self.services.audit.records(limit=1000, **self.filters()))
        except FrontDeskError as exc:
            self.result.setText(exc.message)

    @Slot()
    def verify(self) -> None:
        """Check the whole chain and the anchor; say intact or name the first bad record."""
        try:
            result = self.services.audit.verify()
        except FrontDeskError as exc:
            self.result.setText(exc.message)
            return
        if result.intact:
            self.result.setText(f"Intact: {result.checked} records, the newest is {result.head_seq}.")
            self.result.setStyleSheet("color:#0d5223;")
        else:
            self.result.setText(f"TAMPERED: {result.message}.")
            self.result.setStyleSheet("color:#8a0014; font-weight:bold;")

    def ask_export(self) -> None:
        path = save_file_name(self, "Export audit trail", "audit-trail.csv", "CSV (*.csv)")
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> int | None:
        """Write the matching records (oldest first, with hashes) to ``path``."""
        try:
            with open(private_file(path), "w", newline="", encoding="utf-8") as f:
                written = self.services.audit.export_csv(f, where=path, **self.filters())
        except FrontDeskError as exc:
            self.result.setText(exc.message)
            return None
        self.result.setText(f"{count(written, 'record')} exported to {path}.")
        return written


class ReviewWindow(QWidget):
    """The principal's window: visits and the audit trail, in two tabs."""

    def __init__(self, services: Services, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.services = services
        self.setWindowTitle("FrontDesk — review")
        fit_to_screen(self, 1400, 900)
        layout = QVBoxLayout(scrolling_body(self))  # scrolls in the room an alert leaves at 1366x768
        self.tabs = QTabWidget()
        self.visits = VisitsPanel(services)
        self.audit = AuditPanel(services)
        self.tabs.addTab(self.visits, "Visits")
        self.tabs.addTab(self.audit, "Audit trail")
        self.volunteers = VolunteersPanel(services)  # reminders of checks expiring, hours, the report
        self.tabs.addTab(self.volunteers, "Volunteers")
        self.tabs.currentChanged.connect(self.on_tab_changed)
        layout.addWidget(self.tabs)

    @Slot(int)
    def on_tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.audit:
            self.audit.refresh()
        elif self.tabs.widget(index) is self.volunteers:
            self.volunteers.refresh()
