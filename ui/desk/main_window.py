"""The front-desk window: one screen a secretary runs all day.

Layout: banners on top (lockdown, link down); the big "Scan ID or type a name" entry with returning
visitors under it; the visitor form on the left; "On site now" on the right; a message line that says what
happened and what to do next; device health in the status bar. No modal dialog in the main flow.

Check in asks the core's admission workflow through the window's own :class:`ui.desk.checkin_flow.CheckInFlow`
(screening, the lockdown freeze, warnings): the window never decides who is admitted.

Named places where the composition root (``ui.app``) puts features — nothing outside this class sets its
attributes or replaces its methods: ``add_banner`` (persistent banners), ``panic_area`` (the panic control),
``form_actions`` (panels under the form), ``side_panels`` (panels under On site now), ``tools_menu`` and
``add_menu`` (menus), ``add_status_item`` and ``set_health`` (status bar); and the events
``visit_checked_in`` / ``visit_checked_out`` (printing listens) and ``set_check_in_frozen`` (lockdown).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.context import Services
from frontdesk.errors import FrontDeskError
from frontdesk.models import Visit, Visitor
from frontdesk.settings import SCHOOL_NAME, STATION_NAME
from frontdesk.text import format_badge_code, normalize_badge_code
from ui.asking import keep_live, show_clear
from ui.desk.checkin_flow import CheckInFlow
from ui.desk.visitor_form import VisitorForm
from ui.status_text import StatusText
from ui.table_models import OnSiteModel
from ui.window_size import fit_to_screen

if TYPE_CHECKING:  # the event log and settings windows are imported when first opened
    from ui.desk.side_windows import EventLogWindow, SettingsWindow

FORM_MIN_WIDTH = 400  # the visitor form (or the sign-in pad) never gets narrower than this
ONSITE_MIN_WIDTH = 380  # nor On site now
CARD_SHARE = 0.55  # of the window's width for the form's column while a match card is up
# Each at least 4.5:1 against the window's grey (tests/test_ui_accessibility.py).
HEALTH_COLOURS = {"ok": "#146c31", "warning": "#945800", "error": "#b00020", "unconfigured": "#666666"}
MESSAGE_STYLES = {
    "info": "background:#e8f1fb; color:#0b3d6b;",
    "success": "background:#e6f4ea; color:#0d5223;",
    "warning": "background:#fff4e5; color:#6b3d00;",
    "error": "background:#fdecea; color:#8a0014;",
}


class ScanEntry(QLineEdit):
    """The big "Scan ID or type a name" entry. ``on_down`` handles the Down key (True: done with it).

    A key handler of its own, not an event filter on the entry: a Python event filter gets each of the entry's
    events from its construction on, and the first one makes PySide6 load all ~50 QEvent classes of QtCore,
    QtGui and QtWidgets (with their enums) to type it, before the first paint (~20 M instructions).
    """

    def __init__(self) -> None:
        super().__init__()
        self.on_down: Callable[[], bool] = lambda: False

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Down and self.on_down():
            return
        super().keyPressEvent(event)


class MessageLine(QLabel):
    """One line that says what just happened and what to do next (replaces dialogs in the main flow)."""

    def __init__(self) -> None:
        super().__init__("")
        self.setTextFormat(Qt.TextFormat.PlainText)  # names from a scanned barcode: shown, never rendered
        self.setWordWrap(True)
        self.setAccessibleName("Message")
        self.setMinimumHeight(44)
        self.show_message("Ready. Scan an ID or type a visitor's name.", "info")

    def show_message(self, text: str, kind: str = "info") -> None:
        """Show ``text``; ``kind`` is info, success, warning or error."""
        self.setText(text)
        self.setProperty("kind", kind)
        self.setStyleSheet(f"QLabel {{ {MESSAGE_STYLES[kind]} padding: 8px 12px; border-radius: 6px; }}")


class HealthLabel(StatusText):
    """Status-bar indicator for one device or link (dispatch's is never cut: see ``ui.status_text``)."""

    def __init__(self, name: str) -> None:
        super().__init__(whole=name == "Dispatch")
        self.name = name
        self.state = "unconfigured"
        self.set_state("unconfigured", "not configured")

    def set_state(self, state: str, text: str) -> None:
        """Show ``name: text`` coloured by ``state`` (ok, warning, error, unconfigured)."""
        self.state = state
        self.setText(f"● {self.name}: {text}")
        self.setAccessibleName(f"{self.name} status: {text}")
        self.setStyleSheet(f"color: {HEALTH_COLOURS[state]}; padding: 0 6px;")


class MainWindow(QMainWindow):
    """The front-desk window. Built by ``ui.app`` with the services passed in."""

    visit_checked_in = Signal(object)  # Visit
    visit_checked_out = Signal(object)  # Visit
    check_in_requested = Signal(object)  # CheckInRequest, before the core is asked

    def __init__(self, services: Services, parent: QObject | None = None):
        super().__init__(parent)
        self.services = services
        self._frozen_reason: str | None = None
        self._sizes_before_card: list[int] | None = None  # the columns' widths before a match card widened them
        school = services.settings.get(SCHOOL_NAME) or "FrontDesk"
        self.setWindowTitle(f"FrontDesk — {school} — {services.settings.get(STATION_NAME)}")
        fit_to_screen(self, 1280, 800)

        # The window itself never scrolls (so nothing can be scrolled out of sight): the form's column and
        # On site now scroll inside themselves, and the window's minimum stays within a laptop screen.
        central = QWidget()
        self.setCentralWidget(central)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(16, 12, 16, 8)
        outer.setSpacing(10)

        self.banners = QVBoxLayout()
        outer.addLayout(self.banners)

        top = QHBoxLayout()
        self.scan_entry = ScanEntry()
        self.scan_entry.setPlaceholderText("Scan ID or type a name")
        self.scan_entry.setAccessibleName("Scan ID or type a name")
        self.scan_entry.setClearButtonEnabled(True)
        big = QFont(self.scan_entry.font())
        big.setPointSizeF(big.pointSizeF() * 1.6)
        self.scan_entry.setFont(big)
        self.scan_entry.setMinimumHeight(52)
        # In a box of its own: a question holds the box (ui.asking), and the desk's lock alone enables the entry.
        entry_box = QWidget()
        entry_row = QHBoxLayout(entry_box)
        entry_row.setContentsMargins(0, 0, 0, 0)
        entry_row.addWidget(self.scan_entry)
        top.addWidget(entry_box, 1)
        self.panic_area = QHBoxLayout()
        top.addLayout(self.panic_area)
        outer.addLayout(top)

        self.returning = QListWidget()
        self.returning.setAccessibleName("Returning visitors")
        self.returning.hide()
        outer.addWidget(self.returning)

        self.message = MessageLine()
        outer.addWidget(self.message)

        # Neither side of the splitter can be dragged (or pushed by a wide panel) out of sight.
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.setHandleWidth(8)
        self.splitter = split
        outer.addWidget(split, 1)

        form_box = QGroupBox("Visitor")
        form_layout = QVBoxLayout(form_box)
        self.form = VisitorForm()
        self.form.set_directory(services.directory.labels())
        form_layout.addWidget(self.form)
        buttons = QHBoxLayout()
        self.check_in_button = QPushButton("Check in  (Ctrl+Enter)")
        self.check_in_button.setAccessibleName("Check in")
        self.check_in_button.setDefault(True)
        self.check_in_button.setMinimumHeight(44)
        self.clear_button = QPushButton("Clear  (Esc)")
        self.clear_button.setAccessibleName("Clear form")
        buttons.addWidget(self.check_in_button, 2)
        buttons.addWidget(self.clear_button, 1)
        form_layout.addLayout(buttons)
        self.form_actions = QVBoxLayout()  # features add panels under the form (confirmation, match card)
        form_layout.addLayout(self.form_actions)
        form_layout.addStretch(1)
        # On a 768-px laptop screen the form and its panels are taller than the window: let them scroll.
        form_scroll = scrolling(form_box)
        form_scroll.setMinimumWidth(FORM_MIN_WIDTH)
        # The form's column: the form, or a cover over it (the sign-in pad while the desk is locked).
        self.form_column = QStackedWidget()
        self.form_column.setMinimumWidth(FORM_MIN_WIDTH)
        self.form_column.addWidget(form_scroll)
        self._form_page = form_scroll
        self._covers: dict[QWidget, QScrollArea] = {}
        split.addWidget(self.form_column)

        onsite_box = QGroupBox("On site now")
        onsite_layout = QVBoxLayout(onsite_box)
        self.onsite_count = QLabel()
        self.onsite_count.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.onsite_count.setAccessibleName("Number on site")
        onsite_layout.addWidget(self.onsite_count)
        self.onsite_model = OnSiteModel()
        self.onsite_table = QTableView()
        self.onsite_table.setTabKeyNavigation(False)  # Tab leaves; arrows move inside
        self.onsite_table.setModel(self.onsite_model)
        self.onsite_table.setAccessibleName("On site now")
        self.onsite_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.onsite_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.onsite_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.onsite_table.setAlternatingRowColors(True)
        self.onsite_table.verticalHeader().hide()
        # Names are what the eye looks for: sized to fit; the destination takes what is left (and elides).
        self.onsite_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.onsite_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # At 1366 px with a match card up, "Going to" gets less than its heading: cut with "…" (a header draws
        # its heading clipped mid-letter by default, "Going tc"); the heading's tooltip says it in full.
        self.onsite_table.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
        onsite_layout.addWidget(self.onsite_table, 1)
        checkout_row = QHBoxLayout()
        self.checkout_entry = QLineEdit()
        self.checkout_entry.setPlaceholderText("Badge code to check out")
        self.checkout_entry.setAccessibleName("Badge code to check out")
        self.checkout_button = QPushButton("Check out")
        self.checkout_button.setAccessibleName("Check out selected or typed badge")
        checkout_row.addWidget(self.checkout_entry, 1)
        checkout_row.addWidget(self.checkout_button)
        onsite_layout.addLayout(checkout_row)
        self.side_panels = QVBoxLayout()  # features add panels under On site now (the printed badge)
        onsite_layout.addLayout(self.side_panels)
        self.onsite_box = onsite_box
        # Like the form's column, this one scrolls when its panels are taller than a laptop screen: the
        # window's height never depends on them, so nothing is pushed below the bottom edge.
        onsite_column = scrolling(onsite_box)
        onsite_column.setMinimumWidth(ONSITE_MIN_WIDTH)
        split.addWidget(onsite_column)
        # A wide screen gives both columns room; a wide card scrolls inside its own column.
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([520, 760])

        self.health: dict[str, HealthLabel] = {}
        for name in ("Scanner", "Printer", "Dispatch"):
            label = HealthLabel(name)
            self.health[name.lower()] = label
            self.statusBar().addPermanentWidget(label)
        keep_live(self.statusBar())  # nothing to press there, and what it says (dispatch's link) stays readable

        self.event_log_window: EventLogWindow | None = None
        self.settings_window: SettingsWindow | None = None
        self.checkin = CheckInFlow(self, services)  # the window's own: asks the core, shows its answer
        self._build_menus()
        self._wire()
        self.refresh_on_site()
        self._tick = QTimer(self)
        self._tick.setInterval(30_000)
        self._tick.timeout.connect(self.onsite_model.tick)
        self._tick.start()
        self.scan_entry.setFocus()

    # --- wiring -------------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        self.tools_menu = self.menuBar().addMenu("&Tools")
        self.tools_menu.addAction("&Event log", QKeySequence("Ctrl+E"), self.show_event_log)
        self.settings_action = self.tools_menu.addAction("&Settings", QKeySequence("Ctrl+,"), self.show_settings)

    @Slot()
    def show_event_log(self) -> None:
        """Open (or raise) the event log of device and delivery problems."""
        if self.event_log_window is None:
            from ui.desk.side_windows import EventLogWindow

            self.event_log_window = EventLogWindow(self.services.events, self)
        show_clear(self.event_log_window)
        self.event_log_window.refresh()

    @Slot()
    def show_settings(self) -> None:
        """Open (or raise) the settings window (not while the desk is locked)."""
        if self.refused_while_locked("Settings"):
            return
        if self.settings_window is None:
            from ui.desk.side_windows import SettingsWindow

            self.settings_window = SettingsWindow(self.services.settings, self)
        show_clear(self.settings_window)

    def _wire(self) -> None:
        self.scan_entry.textEdited.connect(self.on_scan_entry_edited)
        self.scan_entry.returnPressed.connect(self.on_scan_entry_return)
        self.returning.itemActivated.connect(self.on_returning_activated)
        self.check_in_button.clicked.connect(self.request_check_in)
        self.clear_button.clicked.connect(self.clear_form)
        self.checkout_button.clicked.connect(self.on_checkout_clicked)
        self.checkout_entry.returnPressed.connect(self.on_checkout_clicked)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.request_check_in)
        QShortcut(QKeySequence("Escape"), self, activated=self.clear_form)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.focus_scan_entry)
        QShortcut(QKeySequence("Ctrl+O"), self, activated=self.checkout_entry.setFocus)
        self.scan_entry.on_down = self._down_into_returning

    def _down_into_returning(self) -> bool:
        # Down arrow from the big entry moves into the returning-visitor list.
        if self.returning.isVisible() and self.returning.count():
            self.returning.setFocus()
            self.returning.setCurrentRow(0)
            return True
        return False

    # --- the big entry --------------------------------------------------------------------------------
    @Slot(str)
    def on_scan_entry_edited(self, text: str) -> None:
        """Offer returning visitors as the name is typed."""
        self.returning.clear()
        matches = self.services.visits.find_returning(text) if len(text.strip()) >= 2 else []
        for visitor in matches:
            dob = f"  born {visitor.dob:%m/%d/%Y}" if visitor.dob else ""
            item = QListWidgetItem(f"{visitor.full_name}{dob}   — Enter to fill the form, Ctrl+Enter to check in")
            item.setData(Qt.ItemDataRole.UserRole, visitor)
            self.returning.addItem(item)
        if matches:
            rows = sum(self.returning.sizeHintForRow(i) for i in range(self.returning.count()))
            self.returning.setFixedHeight(min(rows + 2 * self.returning.frameWidth() + 4, 220))
        self.returning.setVisible(bool(matches))

    @Slot()
    def on_scan_entry_return(self) -> None:
        """Enter in the big entry: a badge code checks out; a known name fills the form; else a new visitor."""
        text = self.scan_entry.text().strip()
        if not text:
            return
        code = normalize_badge_code(text)
        if len(code) == 8 and any(v.badge_code == code for v in self.onsite_model.items()):
            self.check_out(code)
            self.scan_entry.clear()
            return
        if self.returning.count():
            self.use_returning(self.returning.item(0).data(Qt.ItemDataRole.UserRole))
            return
        parts = text.split()
        self.form.clear()
        if len(parts) >= 2:
            self.form.first_name.setText(parts[0])
            self.form.last_name.setText(" ".join(parts[1:]))
        else:
            self.form.last_name.setText(text)
        self.message.show_message(
            "New visitor: check the name, add the date of birth and where they are going, then Check in.", "info"
        )
        self.form.dob.setFocus()

    @Slot(QListWidgetItem)
    def on_returning_activated(self, item: QListWidgetItem) -> None:
        self.use_returning(item.data(Qt.ItemDataRole.UserRole))

    def use_returning(self, visitor: Visitor) -> None:
        """Fill the form with a returning visitor; warn at once if they are still on site."""
        self.form.fill(visitor)
        last = self.services.visits.last_visit_of(visitor.id) if visitor.id is not None else None
        if last is not None:
            self.form.set_visit_details(last.category, last.purpose, last.destination)
        self.returning.hide()
        self.scan_entry.clear()
        open_visit = self.services.visits.open_visit_for(visitor)
        if open_visit is not None:
            from frontdesk.checkin.workflow import ALREADY_ON_SITE  # the workflow loads after the first paint

            self.checkin.warned(visitor, frozenset({ALREADY_ON_SITE}))
            self.message.show_message(
                f"{visitor.full_name} is already on site (in at {open_visit.time_in.astimezone():%H:%M}, badge "
                f"{format_badge_code(open_visit.badge_code)}). Check them out first, or press Check in to admit "
                "them a second time.",
                "warning",
            )
        else:
            self.message.show_message(
                f"Returning visitor {visitor.full_name}: choose where they are going, then Check in.", "info"
            )
        self.form.destination.setFocus()

    def fill_visitor(self, visitor: Visitor, note: str = "") -> None:
        """Put a visitor read from an ID into the form (scanners call this); the big entry starts afresh."""
        self.form.fill(visitor)
        self.scan_entry.clear()
        self.returning.hide()
        self.message.show_message(note or f"Read {visitor.full_name}. Check the details, then Check in.", "info")
        self.form.destination.setFocus()

    def focus_scan_entry(self) -> None:
        """Put the cursor back in the big entry."""
        self.scan_entry.setFocus()
        self.scan_entry.selectAll()

    # --- check-in ---------------------------------------------------------------------------------------
    @Slot()
    def request_check_in(self) -> None:
        """Read the form and ask the core to admit the visitor (see :class:`ui.desk.checkin_flow.CheckInFlow`)."""
        if self._frozen_reason:
            self.message.show_message(self._frozen_reason, "error")
            return
        if self.form_covered():
            # Locked: the sign-in pad covers the form. Ctrl+Enter still reaches the window, and a form left filled
            # (or filled by an ID scan) would admit a visitor, with a badge, at a desk nobody is signed in to.
            self.message.show_message(
                "Locked: sign in with your PIN or password first, then check the visitor in.", "warning"
            )
            return
        if self.returning.isVisible() and self.returning.count() and not self.form.last_name.text().strip():
            # One action for a returning visitor: pick them and check in, as on their last visit.
            item = self.returning.currentItem() or self.returning.item(0)
            self.use_returning(item.data(Qt.ItemDataRole.UserRole))
        try:
            request = self.form.request()
        except ValueError as exc:
            self.message.show_message(str(exc), "warning")
            return
        self.check_in_requested.emit(request)
        self.checkin.start(request)

    def on_visit_committed(self, visit: Visit) -> None:
        """A visit was admitted: clear the form, refresh On site now, tell the features, back to the entry."""
        self.form.clear()
        self.refresh_on_site()
        self.visit_checked_in.emit(visit)
        self.focus_scan_entry()

    @property
    def check_in_frozen(self) -> bool:
        """True while check-in is stopped (SECURE or LOCKDOWN)."""
        return self._frozen_reason is not None

    def step_aside_for_card(self) -> list[QWidget]:
        """Hide the form and the panels under it while a match card needs the room, and give the card's column
        more of the window's width (On site now keeps its minimum); returns what was hidden."""
        self.form.hide()
        widgets = [self.form_actions.itemAt(i).widget() for i in range(self.form_actions.count())]
        hidden = [w for w in widgets if w is not None and w.isVisible()]
        for widget in hidden:
            widget.hide()
        # At 1366 px the form's column is ~510 px: the visitor's and the list's details, side by side, wrapped
        # one word a line and the card scrolled its comparison out of sight. Put back when the card goes.
        sizes = self.splitter.sizes()
        total = sum(sizes)
        wide = max(sizes[0], min(int(total * CARD_SHARE), total - ONSITE_MIN_WIDTH))
        if self._sizes_before_card is None and wide > sizes[0]:  # (a second card keeps the first's sizes)
            self._sizes_before_card = sizes
            self.splitter.setSizes([wide, total - wide])
        return hidden

    def step_back_after_card(self, hidden: list[QWidget]) -> None:
        """Show what ``step_aside_for_card`` hid, with the columns as wide as they were."""
        self.form.show()
        for widget in hidden:
            widget.show()
        if self._sizes_before_card is not None:
            self.splitter.setSizes(self._sizes_before_card)
            self._sizes_before_card = None

    @Slot()
    def clear_form(self) -> None:
        """Empty the form (dropping a check-in that waits on a match card) and go back to the big entry."""
        dropped = self.checkin.cancel()
        self.form.clear()
        self.returning.hide()
        self.message.show_message(
            ("Check-in stopped: nobody was admitted. " if dropped else "")
            + "Ready. Scan an ID or type a visitor's name.",
            "info",
        )
        self.focus_scan_entry()

    # --- check-out --------------------------------------------------------------------------------------
    @Slot()
    def on_checkout_clicked(self) -> None:
        """Check out the typed badge code, or else the selected row."""
        typed = self.checkout_entry.text().strip()
        if typed:
            if self.check_out(typed, code_only=True) is not None:
                self.checkout_entry.clear()  # a code that checked no one out stays, to be corrected
            return
        rows = self.onsite_table.selectionModel().selectedRows()
        if not rows:
            self.message.show_message("Choose someone in On site now, or type their badge code.", "warning")
            return
        self.check_out(self.onsite_model.item_at(rows[0].row()).badge_code)

    def check_out(self, badge_code: str, *, code_only: bool = False) -> Visit | None:
        """Check out by badge code and say so (``code_only``: typed by a person, never read as a visit id)."""
        try:
            visit = self.services.visits.check_out(badge_code, code_only=code_only)
        except FrontDeskError as exc:
            self.message.show_message(exc.message, "warning")
            return None
        self.refresh_on_site()
        self.message.show_message(
            f"Checked out {visit.visitor.full_name} at {visit.time_out.astimezone():%H:%M}.",  # type: ignore[union-attr]
            "success",
        )
        self.visit_checked_out.emit(visit)
        return visit

    # --- shared state -----------------------------------------------------------------------------------
    def refresh_on_site(self) -> None:
        """Reload the on-site list."""
        visits = self.services.visits.on_site()
        self.onsite_model.set_items(visits)
        # The Desk column only when another desk's visitor is on site (through the district hub: a negative id);
        # with this desk's own visitors alone it said the same desk on every row, in room "Going to" wanted.
        self.onsite_table.setColumnHidden(OnSiteModel.HEADERS.index("Desk"), all(v.id > 0 for v in visits))
        self.onsite_count.setText(f"{len(visits)} on site")

    def set_health(self, device: str, state: str, text: str) -> None:
        """Status-bar health of ``device`` (scanner, printer, dispatch)."""
        self.health[device].set_state(state, text)

    def set_check_in_frozen(self, reason: str | None) -> None:
        """Stop (reason given) or allow (None) check-ins, e.g. during a lockdown (the core refuses them too)."""
        self._frozen_reason = reason
        self.check_in_button.setEnabled(reason is None and self.checkin.card is None)
        if reason:
            self.message.show_message(reason, "error")

    def settle_tab_order(self) -> None:
        """Tab follows the main flow: the big entry, the form and its panels, On site now and check-out, the
        panels under it, then the panic area and the roster (called once the features are in their places).
        """
        chain = [self.checkout_button]
        for layout in (self.side_panels, self.panic_area):
            for i in range(layout.count()):
                widget = layout.itemAt(i).widget()
                if widget is None:
                    continue
                for w in [widget, *widget.findChildren(QWidget)]:
                    if w.focusPolicy() & Qt.FocusPolicy.TabFocus and not isinstance(w, QScrollArea):
                        chain.append(w)
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)

    def add_banner(self, widget: QWidget) -> None:
        """Show a persistent banner above everything (lockdown, dispatch link down)."""
        self.banners.addWidget(widget)

    def add_on_site_action(self, text: str, slot) -> QAction:
        """A right-click action on On site now (Reprint badge); ``selected_visit`` says whom it is for."""
        action = QAction(text, parent=self.onsite_table)  # by keyword: see ui.dispatch.panic.HoldButton
        action.triggered.connect(slot)
        self.onsite_table.addAction(action)
        self.onsite_table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        return action

    def selected_visit(self) -> Visit | None:
        """The visit selected in On site now, if any."""
        rows = self.onsite_table.selectionModel().selectedRows()
        return self.onsite_model.item_at(rows[0].row()) if rows else None

    def add_form_cover(self, widget: QWidget) -> None:
        """A panel that can cover the form's column (On site now stays in view); shown with ``show_form_cover``.

        The cover scrolls within the column like the form, so a tall one (the sign-in pad) never makes the
        window taller than the screen.
        """
        page = scrolling(widget)
        self._covers[widget] = page
        self.form_column.addWidget(page)

    def show_form_cover(self, widget: QWidget | None) -> None:
        """Cover the form with ``widget`` (added with ``add_form_cover``), or show the form again (None)."""
        self.form_column.setCurrentWidget(self._covers[widget] if widget is not None else self._form_page)

    def form_covered(self) -> bool:
        """True while a cover (the sign-in pad) hides the form."""
        return self.form_column.currentWidget() is not self._form_page

    def refused_while_locked(self, what: str) -> bool:
        """True, and the message line says to sign in, while the sign-in pad covers the form: ``what`` (a window
        or an action of the Tools menu, the badge panel's Reprint) is for the staff signed in, not for whoever
        walks up to a desk left locked (the barred lists, staff phone numbers, a guest code, a visitor's badge)."""
        if not self.form_covered():
            return False
        self.message.show_message(
            f"{what}: sign in first. The desk is locked; On site now, check-out and the panic button keep "
            "working.",
            "warning",
        )
        return True

    @Slot()
    def on_desk_locked(self) -> None:
        """The desk locked: the settings window closes with it (it opens again after someone signs in)."""
        if self.settings_window is not None:
            self.settings_window.close()

    def add_menu(self, title: str):
        """A menu of the window's menu bar for a feature (Staff, …)."""
        return self.menuBar().addMenu(title)

    def add_status_item(self, widget: QWidget) -> None:
        """A feature's item on the left of the status bar (who is signed in)."""
        self.statusBar().addWidget(widget)


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area that resizes it (a column that scrolls instead of growing)."""
    area = QScrollArea()
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the controls inside, not to the area
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


def banner(text: str, colour: str = "#b00020") -> QLabel:
    """A full-width banner label in large white type."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
    label.setAccessibleName(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    # A long banner (the keyring warning) wraps: unwrapped, its one line set the window's minimum width past a
    # 1366-px screen and pushed the panic control and On site now off its right edge.
    label.setWordWrap(True)
    label.setFrameShape(QFrame.Shape.NoFrame)
    label.setStyleSheet(f"background:{colour}; color:white; font-size:20px; font-weight:bold; padding:10px;")
    return label
