"""The desk's layout cannot collapse: every window fits a 1366x768 laptop with a taskbar, and the panels a
secretary relies on (On site now, the panic control, the message line, the sign-in pad) stay in view when a
match card is up, when the desk is locked and after a principal signs in (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QLabel, QSplitter, QWidget

from frontdesk import settings as s
from frontdesk.access.roles import Role
from frontdesk.context import Services
from frontdesk.models import Visitor
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from tests.print_queue import PrintQueue
from ui.app import Shell, build_desk
from ui.desk.first_run import FirstRunPanel
from ui.desk.main_window import HealthLabel
from ui.desk.side_windows import EventLogWindow, SettingsWindow
from ui.review.review_window import ReviewWindow
from ui.screening.screening_lists import ListManager
from ui.staff.accounts_window import AccountsWindow
from ui.status_text import StatusText
from ui.window_size import SMALLEST_SCREEN

WIDTH, HEIGHT = SMALLEST_SCREEN.width(), SMALLEST_SCREEN.height()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A configured desk with a desk account and a principal (argon2 is slow on purpose: made once)."""
    folder = tmp_path_factory.mktemp("layout") / "data"
    services = Services.open(folder)
    services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
    services.settings.set(s.STATION_NAME, "Main office desk")
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    services.accounts.add("p.rivera", Role.PRINCIPAL, "principal-pw", "Pat Rivera")
    services.accounts.add("desk.lee", Role.DESK, "2468", "Lee Desk")
    services.lists.add(
        "District list",
        NewEntry(
            "Robert",
            "Smith",
            aliases=("Bobby Smythe",),
            dob=parse_dob("1980-03-14"),
            kind=Kind.BARRED,
            reason="Trespass notice 2026-014 — a long reason that goes on and on " * 3,
        ),
    )
    services.close()
    return folder


@pytest.fixture
def desk(shell, staffed, tmp_path):
    # The real launch's window (tests/conftest.py), with the DEMO banner: the tallest the desk gets.
    desk = shell(staffed, size=(WIDTH, HEIGHT), demo=True).desk
    desk.desk_lock.roster_sender = PrintQueue(tmp_path / "roster.pdf")
    return desk


def in_view(widget: QWidget, min_width: int = 120) -> bool:
    """Shown, and (nearly) all of it on screen inside the window: not scrolled or squeezed out of sight."""
    QApplication.processEvents()
    if not widget.isVisible():
        return False
    seen = widget.visibleRegion().boundingRect()
    return seen.width() >= min(min_width, widget.width()) and seen.height() >= widget.height() * 0.9


def sign_in(qtbot, desk, username: str, secret: str) -> None:
    lock = desk.desk_lock
    lock.sign_in.choose(username)
    lock.sign_in.secret.setText(secret)
    lock.sign_in.submit()


def test_every_window_fits_the_smallest_screen(qtbot, staffed, desk_font):
    staffed.accounts.sign_in("p.rivera", "principal-pw")
    desk = build_desk(staffed)
    review = ReviewWindow(staffed)
    # Review's filters as a district's history fills them (the station filter lists every station that logged
    # a visit): with the demo's one station the filter row alone was 1,370 px wide.
    review.visits.station.addItem("Main office desk, north entrance", "Main office desk, north entrance")
    windows = [
        desk.window,
        Shell(staffed),
        review,
        ListManager(staffed),
        AccountsWindow(staffed.accounts),
        EventLogWindow(staffed.events),
        SettingsWindow(staffed.settings),
        FirstRunPanel(staffed.settings),
    ]
    for window in windows:
        qtbot.addWidget(window)
        least = window.minimumSizeHint().expandedTo(window.minimumSize())
        assert least.width() <= WIDTH and least.height() <= HEIGHT, (type(window).__name__, least)
        # It opens within the screen's free area (or at its minimum, on a screen smaller than that).
        free = window.screen().availableGeometry()
        assert window.width() <= max(free.width(), least.width()), type(window).__name__
        assert window.height() <= max(free.height(), least.height()), type(window).__name__


def test_no_splitter_can_collapse_a_panel(desk):
    for splitter in desk.window.findChildren(QSplitter):
        assert not splitter.childrenCollapsible()
        for i in range(splitter.count()):
            assert splitter.widget(i).minimumWidth() >= 300


def test_the_locked_desk_shows_the_pad_beside_on_site_now(qtbot, desk):
    desk.desk_lock.lock()
    pad = desk.desk_lock.sign_in.pad_buttons
    for widget in (pad["1"], pad["OK"], desk.onsite_table, desk.dispatch.panel.hold_button, desk.message):
        assert in_view(widget), widget.accessibleName() or type(widget).__name__
    # Dragging the splitter handle all the way cannot hide the pad, nor On site now.
    desk.splitter.moveSplitter(0, 1)
    assert in_view(desk.desk_lock.sign_in.pad_buttons["OK"], 40) and desk.form_column.width() >= 300
    desk.splitter.moveSplitter(WIDTH, 1)
    assert in_view(desk.onsite_table) and in_view(desk.desk_lock.sign_in.pad_buttons["OK"], 40)


def test_a_match_card_does_not_push_on_site_now_away_and_the_lock_drops_it(qtbot, desk_font, desk):
    sign_in(qtbot, desk, "desk.lee", "2468")
    desk.form.first_name.setText("Bob")
    desk.form.last_name.setText("Smyth")
    desk.form.dob.setText("03/14/1980")
    desk.form.destination.setText("Main office")
    before = desk.splitter.sizes()
    with qtbot.waitSignal(desk.checkin.card_shown):
        desk.request_check_in()
    qtbot.waitUntil(lambda: in_view(desk.checkin.card.same_person, 80))  # scrolled into view once laid out
    card = desk.checkin.card
    for widget in (desk.onsite_table, desk.dispatch.panel.hold_button, desk.message, card.same_person):
        assert in_view(widget, 80), widget.accessibleName() or type(widget).__name__
    assert desk.onsite_box.width() >= 300
    # The card's column is widened for it (at 1366 px the two records wrapped a word a line and the comparison
    # scrolled out of sight): the visitor's details, the list's and why, all in view with the buttons.
    assert desk.splitter.sizes()[0] > before[0]
    for widget in (card.visitor_details, card.entry_details, card.evidence):
        assert in_view(widget, 80), widget.text()
    desk.desk_lock.lock()
    assert desk.checkin.card is None and in_view(desk.desk_lock.sign_in.pad_buttons["OK"], 40)
    assert in_view(desk.onsite_table)
    assert desk.splitter.sizes() == before  # and narrowed back once the card is gone


def test_on_site_nows_headings_are_cut_with_an_ellipsis_when_a_match_card_narrows_it(qtbot, desk_font, desk):
    """At 1366 px with a card up, "Going to" had less room than its heading and showed "Going tc"."""
    for first, last, going in [
        ("Jamie", "Sampleton", "Coaching office"),
        ("Kendall", "Testwood", "Nurse's office"),
        ("Hayden", "Fakerson", "Coaching office"),
    ]:
        desk.services.checkin.admit(Visitor(first, last), category="contractor", destination=going)
    desk.window.refresh_on_site()
    sign_in(qtbot, desk, "desk.lee", "2468")
    desk.form.first_name.setText("Bob")
    desk.form.last_name.setText("Smyth")
    desk.form.dob.setText("03/14/1980")
    desk.form.destination.setText("Main office")
    with qtbot.waitSignal(desk.checkin.card_shown):
        desk.request_check_in()
    QApplication.processEvents()
    header = desk.onsite_table.horizontalHeader()
    model = desk.onsite_table.model()
    going = model.HEADERS.index("Going to")
    heading = header.fontMetrics().horizontalAdvance("Going to")
    assert header.sectionSize(going) < heading + 8  # the case: too narrow for its heading (and its margins)
    assert header.textElideMode() == Qt.TextElideMode.ElideRight
    for section, text in enumerate(model.HEADERS):
        assert model.headerData(section, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == text


def test_after_a_principal_signs_in_the_form_keeps_its_width(qtbot, desk):
    sign_in(qtbot, desk, "p.rivera", "principal-pw")
    assert not desk.form_covered()
    assert desk.form_column.width() >= 400 and in_view(desk.form.last_name, 100)
    assert in_view(desk.onsite_table) and in_view(desk.message)


def test_the_status_bar_cuts_its_items_with_an_ellipsis_and_never_dispatch(qtbot, desk, desk_font):
    # At 1366 px with the desk's font, the status items together are wider than the window: Qt squeezed plain
    # labels and cut them mid-word with no sign ("Scanner: demo scanne", "Dispatch: not configur").
    window = desk.window
    window.window().resize(WIDTH, HEIGHT)  # the real launch's window (the Shell) around the desk window
    window.set_health("scanner", "ok", "demo scanner ready on the serial port COM3, 9600 baud")
    window.set_health("printer", "ok", "on-screen preview (no printer chosen in Settings)")
    window.set_health("dispatch", "warning", "not configured: ask district IT for the console's address")
    qtbot.waitUntil(lambda: window.statusBar().width() == window.width())
    # The bar lays its items out after the resize in posted events: wait for the scanner's item to be cut (once
    # in 184 runs under load it was read before it had been, while another item already was).
    qtbot.waitUntil(lambda: window.health["scanner"].is_cut())
    QApplication.processEvents()
    items = [w for w in window.statusBar().findChildren(QWidget) if w.isVisible() and w.parent() is not None]
    labels = [w for w in items if isinstance(w, QLabel)]
    assert labels and all(isinstance(label, StatusText) for label in labels), [type(w) for w in labels]
    # Dispatch's link is shown whole however narrow the bar: a secretary must always see it.
    assert not window.health["dispatch"].is_cut()
    assert window.health["dispatch"].visibleRegion().boundingRect().width() == window.health["dispatch"].width()
    # The others give way, each ending in "…" with its whole text on hover (text() itself stays whole).
    cut = [label for label in labels if label.is_cut()]
    assert window.health["scanner"] in cut and window.health["scanner"].text().endswith("9600 baud")
    qtbot.waitUntil(lambda: "9600 baud" in window.health["scanner"].toolTip())
    assert not window.health["dispatch"].toolTip()
    # Room again (a wide screen): whole, and the tooltip that only repeated the text is gone.
    window.window().resize(2400, HEIGHT)
    qtbot.waitUntil(lambda: not window.health["scanner"].is_cut())
    qtbot.waitUntil(lambda: not window.health["scanner"].toolTip())


def test_a_status_item_a_few_pixels_short_of_its_text_is_cut_with_an_ellipsis(qtbot, desk_font):
    # With the health items' padding, QLabel draws its text ~5 px further in than its contents rectangle says:
    # a text that fitted the rectangle by 2 px was drawn clipped mid-letter ("Scanner: demo scanner read")
    # with no "…" and no tooltip.
    item = HealthLabel("Scanner")
    qtbot.addWidget(item)
    item.set_state("ok", "demo scanner ready")
    item.show()
    room = item.fontMetrics().horizontalAdvance(item.text()) + 2
    item.resize(room + item.width() - item.contentsRect().width(), item.height())
    assert item.contentsRect().width() == room
    qtbot.waitUntil(lambda: item.is_cut())
    qtbot.waitUntil(lambda: "demo scanner ready" in item.toolTip())  # its whole text on hover
    item.resize(item.sizeHint().width(), item.height())
    qtbot.waitUntil(lambda: not item.is_cut() and not item.toolTip())


class _StyleAskedInPython(HealthLabel):
    """A health item whose cut text is drawn as ui.status_text drew it until session 16: ``self.style()`` asked
    in Python, its ``drawItemText`` given a QPainter."""

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self.is_cut():
            super().paintEvent(event)
            return
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter = QPainter(self)
        self.style().drawItemText(
            painter, rect, int(self.alignment()), self.palette(), self.isEnabled(), shown, self.foregroundRole()
        )
        painter.end()


@pytest.mark.parametrize("enabled", [True, False])
def test_a_cut_status_item_is_drawn_by_its_style_as_before(qtbot, desk_font, enabled):
    # A cut item's text is drawn by its style through QStylePainter (the style is never handed to Python:
    # PySide6 would build QStyle's type, half of the desk's first paint). The pixels are the style's own.
    grabs = []
    for kind in (HealthLabel, _StyleAskedInPython):
        item = kind("Scanner")
        qtbot.addWidget(item)
        item.set_state("warning", "demo scanner ready on the serial port COM3, 9600 baud")
        item.setEnabled(enabled)
        item.resize(150, item.sizeHint().height())
        assert item.is_cut()
        grabs.append(item.grab().toImage())
    assert grabs[0] == grabs[1]


def test_the_list_screen_shows_rows_of_entries_beside_its_editor_at_1366x768(qtbot, staffed, desk_font):
    """The editor's fields stand in two columns: in one column of thirteen rows the table of entries showed
    three rows at a 1366x768 laptop, so a search's results had to be scrolled one by one."""
    manager = ListManager(staffed)
    qtbot.addWidget(manager)
    manager.resize(WIDTH, HEIGHT)
    manager.show()
    qtbot.waitExposed(manager)
    rows = manager.table.viewport().height() / manager.table.verticalHeader().defaultSectionSize()
    assert rows >= 6, rows  # 7.6 at the desk font
    assert manager.editor.height() < HEIGHT / 2, manager.editor.height()


def test_the_list_editor_tabs_down_the_persons_fields_then_the_entrys(qtbot, staffed):
    manager = ListManager(staffed)
    qtbot.addWidget(manager)
    order = []
    widget = manager.f_first
    for _ in range(13):
        order.append(widget.accessibleName())
        widget = widget.nextInFocusChain()
        while widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.accessibleName():
            widget = widget.nextInFocusChain()
    assert order == [
        "First name", "Middle name", "Last name", "Date of birth", "Sex", "Also known as", "ID issued by",
        "ID last 4", "Kind", "Reason", "In force until", "Students", "Notes",
    ], order  # fmt: skip
