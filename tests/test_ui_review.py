"""The review window (pytest-qt, offscreen) and its table model (no window)."""

from __future__ import annotations

import csv
import shutil
from datetime import date, datetime

import pytest
from PySide6.QtCore import QDate, Qt

from frontdesk.access.roles import Role
from frontdesk.context import Services
from frontdesk.models import Category, Visitor
from frontdesk.review import service as review_service
from frontdesk.review.models import ReviewRow
from tests.volunteer_helpers import approved_volunteer
from ui.review.report_printing import pdf_printer
from ui.review.review_models import FLAGGED, AuditTableModel, ReviewTableModel
from ui.review.review_window import ReviewWindow

DAY = date(2026, 11, 2)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute).astimezone()


def _seed(services):
    people = [
        ("Ann", "Testwood", Category.VISITOR, 8, 9, "Meeting"),
        ("Bob", "Sampleton", Category.CONTRACTOR, 9, 12, "Boiler repair"),
        ("Zoë", "Fakerson", Category.VOLUNTEER, 13, None, "Library helper"),
        ("Cy", "Mockridge", Category.VENDOR, 13, 14, "Delivery"),
    ]
    for first, last, category, hour_in, hour_out, purpose in people:
        if category is Category.VOLUNTEER:
            approved_volunteer(services, first, last)  # checking in as a volunteer needs a record
        desk = services.checkin.at(now=lambda h=hour_in: at(DAY, h), station="Main office", staff="Pat")
        visit = desk.admit(Visitor(first, last), category=category, purpose=purpose)
        if hour_out is not None:
            services.visits.elsewhere(now=lambda h=hour_out: at(DAY, h)).check_out(visit.id)


@pytest.fixture
def flag_contractors(monkeypatch):
    def annotate(db, ids):
        marks = ",".join("?" * len(ids))
        rows = db.execute(f"SELECT id FROM visits WHERE category = 'contractor' AND id IN ({marks})", ids)
        return {
            r[0]: {"flagged": True, "screening_result": "possible match", "screening_decision": "admitted"}
            for r in rows
        }

    monkeypatch.setattr(review_service, "ANNOTATORS", [annotate])


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Four visits and a principal, made once per module (argon2 is slow on purpose)."""
    folder = tmp_path_factory.mktemp("review") / "data"
    services = Services.open(folder)
    _seed(services)
    services.accounts.add("root", Role.ADMIN, "district-secret")
    services.accounts.sign_in("root", "district-secret")
    services.accounts.add("p.rivera", Role.PRINCIPAL, "principal-pw", "Pat Rivera")
    services.close()
    return folder


@pytest.fixture
def principal(template, tmp_path):
    """A copy of the template with the principal signed in (one quick sign-in per test)."""
    shutil.copytree(template, tmp_path / "review")
    services = Services.open(tmp_path / "review")
    services.accounts.sign_in("p.rivera", "principal-pw")
    yield services
    services.close()


@pytest.fixture
def window(qtbot, principal, flag_contractors):
    win = ReviewWindow(principal)
    qtbot.addWidget(win)
    win.visits.set_range(QDate(2026, 11, 2), QDate(2026, 11, 2))
    win.show()
    return win


def test_table_model_without_a_window(services, flag_contractors):
    _seed(services)
    from frontdesk.review.models import ReviewQuery

    rows = services.review.visits(ReviewQuery(DAY, DAY))
    model = ReviewTableModel(now=lambda: at(DAY, 15))
    model.set_items(rows)
    assert (model.rowCount(), model.columnCount()) == (4, len(ReviewTableModel.HEADERS))
    bob = model.index(1, 0)
    cells = [model.data(model.index(1, c)) for c in range(model.columnCount())]
    assert cells[:8] == [
        "2026-11-02",
        "09:00",
        "12:00",
        "3 h 00 min",
        "Bob Sampleton",
        "Contractor",
        "Boiler repair",
        "",
    ]
    assert cells[8:10] == ["FLAGGED possible match", "admitted"]
    assert model.data(bob, Qt.ItemDataRole.BackgroundRole).color() == FLAGGED
    assert model.data(model.index(2, 2)) == "on site"  # Zoë never checked out
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is None
    audit = AuditTableModel()
    audit.set_items(services.audit.records())
    assert audit.rowCount() >= 4 and audit.data(audit.index(0, 3)).startswith("visit.")


def test_day_view_totals_and_charts(window):
    panel = window.visits
    assert panel.model.rowCount() == 4
    assert "4 visits" in panel.totals.text() and "1 flagged" in panel.totals.text()
    assert "1 still on site" in panel.totals.text()
    assert panel.hour_chart.values[13] == 2 and sum(panel.hour_chart.values) == 4
    assert dict(zip(panel.day_chart.labels, panel.day_chart.values, strict=True))["2"] == 4
    assert sum(panel.category_chart.values) == 4


def test_filters(qtbot, window):
    panel = window.visits
    panel.flagged_only.setChecked(True)
    assert [r.visit.visitor.last_name for r in panel.model.items()] == ["Sampleton"]
    panel.flagged_only.setChecked(False)
    panel.on_site_only.setChecked(True)
    assert [r.visit.visitor.first_name for r in panel.model.items()] == ["Zoë"]
    panel.on_site_only.setChecked(False)
    panel.category.setCurrentIndex(panel.category.findData(Category.VENDOR))
    assert [r.visit.visitor.last_name for r in panel.model.items()] == ["Mockridge"]
    assert panel.station.findData("Main office") > 0


def test_search_as_you_type_and_history(qtbot, window, principal):
    panel = window.visits
    # A second visit by Ann on another day, found by search across all history.
    principal.checkin.at(now=lambda: at(date(2026, 10, 5), 10)).admit(Visitor("Ann", "Testwood"))
    panel.search.setFocus()
    qtbot.keyClicks(panel.search, "t")  # one letter: the person is told a search starts at two
    qtbot.waitUntil(lambda: panel.message.text() == "Type at least two letters to search.", timeout=2000)
    assert panel.mode == "range"
    qtbot.keyClicks(panel.search, "estw")
    qtbot.waitUntil(lambda: panel.mode == "search", timeout=2000)
    assert [r.visit.time_in.astimezone().date() for r in panel.model.items()] == [DAY, date(2026, 10, 5)]
    assert "across all history" in panel.heading.text() and panel.message.text() == ""
    assert not panel.table.isColumnHidden(0)  # a search spans days: each row says its date
    panel.table.selectRow(0)
    qtbot.mouseClick(panel.history_button, Qt.MouseButton.LeftButton)
    assert panel.mode == "history" and panel.model.rowCount() == 2
    panel.search.clear()
    panel.on_search_edited("")
    assert panel.mode == "range" and panel.model.rowCount() == 4
    assert panel.table.isColumnHidden(0)  # one day: the heading gives the date, the column's room goes to others


def test_exports_print_and_forgotten(qtbot, window, principal, tmp_path, person):
    person.answer = "Yes"  # check them out: yes
    panel = window.visits
    assert panel.export_to(str(tmp_path / "day.csv"), "csv") == 4
    assert len(list(csv.DictReader((tmp_path / "day.csv").open(encoding="utf-8-sig")))) == 4
    assert panel.export_to(str(tmp_path / "day.pdf"), "pdf") == 4
    assert (tmp_path / "day.pdf").read_bytes().startswith(b"%PDF")
    panel.print_log(pdf_printer(str(tmp_path / "printed.pdf"), landscape=True))
    assert (tmp_path / "printed.pdf").stat().st_size > 1000
    qtbot.mouseClick(panel.forgotten_button, Qt.MouseButton.LeftButton)
    assert "Say why" in panel.message.text()
    qtbot.keyClicks(panel.forgotten_note, "left without signing out")
    qtbot.mouseClick(panel.forgotten_button, Qt.MouseButton.LeftButton)
    assert "Checked out 1 forgotten" in panel.message.text()
    assert "0 still on site" in panel.totals.text()
    actions = [r.action for r in principal.audit.records(limit=4)]
    assert actions == ["visit.check_out_forgotten", "report.print", "report.export", "report.export"]


def test_audit_tab_browse_verify_export(qtbot, window, tmp_path):
    window.tabs.setCurrentWidget(window.audit)
    audit = window.audit
    assert audit.model.rowCount() > 6
    audit.action.setText("user.sign_in")
    audit.refresh()
    assert {audit.model.item_at(i).action for i in range(audit.model.rowCount())} == {"user.sign_in"}
    qtbot.mouseClick(audit.verify_button, Qt.MouseButton.LeftButton)
    assert audit.result.text().startswith("Intact")
    assert audit.export_to(str(tmp_path / "audit.csv")) == 2


def test_the_desk_is_refused_in_the_window(qtbot, services):
    _seed(services)
    services.accounts.add("root", Role.ADMIN, "district-secret")  # accounts exist; nobody signed in: desk
    win = ReviewWindow(services)
    qtbot.addWidget(win)
    assert win.visits.model.rowCount() == 0
    assert "may not review" in win.visits.heading.text()
    win.audit.verify()
    assert "may not" in win.audit.result.text()


def test_review_row_defaults_mean_unknown():
    row = ReviewRow(visit=None)  # type: ignore[arg-type]
    assert (row.flagged, row.badge_printed, row.screening_result) == (False, None, None)


def test_refused_visitors_are_shaded_and_filterable_and_a_preview_is_not_printed(qtbot, principal):
    from frontdesk import clock
    from frontdesk.checkin.workflow import CheckInRequest, Refused
    from frontdesk.screening.dates import parse_dob
    from frontdesk.screening.models import Kind, NewEntry
    from printers.fakes import PreviewPrinter
    from ui.review.review_models import RefusalTableModel

    principal.lists.add(
        "District list",
        NewEntry("Robert", "Smith", dob=parse_dob("1980-03-14"), kind=Kind.BARRED, reason="Trespass notice"),
    )
    desk = principal.checkin.at(now=lambda: at(DAY, 10), station="Main office", staff="Pat")
    refused = desk.start(CheckInRequest(Visitor("Robert", "Smith", dob=date(1980, 3, 14))), unattended=True)
    assert isinstance(refused, Refused)
    zoe = next(v for v in principal.visits.on_site() if v.visitor.last_name == "Fakerson")
    principal.badges.print_badge(zoe, PreviewPrinter())  # shown on screen only: previewed, not printed
    win = ReviewWindow(principal)
    qtbot.addWidget(win)
    today = clock.now().astimezone().date()  # (the decision is recorded at the real time)
    win.visits.set_range(QDate(today.year, today.month, today.day), QDate(today.year, today.month, today.day))
    panel = win.visits
    assert panel.refused_model.rowCount() == 1 and not panel.refused_table.isHidden()
    name = panel.refused_model.data(panel.refused_model.index(0, 2))
    assert name == "Robert Smith" and "1 visitor" in panel.refused_heading.text()
    shade = panel.refused_model.data(panel.refused_model.index(0, 0), Qt.ItemDataRole.BackgroundRole)
    assert shade.color() == FLAGGED and RefusalTableModel.HEADERS[4] == "List"
    panel.show_refused.setChecked(False)  # the filter
    assert panel.refused_model.rowCount() == 0 and panel.refused_table.isHidden()
    win.visits.set_range(QDate(2026, 11, 2), QDate(2026, 11, 2))
    badge = ReviewTableModel.HEADERS.index("Badge")
    words = {
        panel.model.data(panel.model.index(r, 4)): panel.model.data(panel.model.index(r, badge)) for r in range(4)
    }
    assert words["Zoë Fakerson"] == "previewed on screen" and words["Ann Testwood"] == "not printed"
    assert "4 visits · 4 people" in panel.totals.text()


def test_words_in_the_right_number_and_no_codes():
    from frontdesk.text import count

    assert (count(1, "visitor"), count(3, "visitor"), count(1, "person", "people")) == (
        "1 visitor",
        "3 visitors",
        "1 person",
    )


def test_counts_read_in_words_and_a_backwards_range_says_what_to_do(qtbot, window, principal, tmp_path):
    """Found on the walk: "Search “Mockridge”: 1 visits", "1 visits exported", "1 volunteers, 1 hours", and
    "--to (2026-11-01) is before --from (2026-11-05)" (the command line's options) in the Volunteers tab."""
    panel = window.visits
    panel.search.setText("Mockridge")
    panel.run_search()
    assert "Search “Mockridge”: 1 visit across all history" in panel.heading.text()
    panel.category.setCurrentIndex(panel.category.findData(Category.VENDOR.value))  # Cy, the one vendor
    assert panel.export_to(str(tmp_path / "one.csv"), "csv") == 1
    assert panel.message.text().startswith("1 visit exported to ")
    volunteers = window.volunteers
    volunteers.start.setDate(QDate(2026, 11, 2))
    volunteers.end.setDate(QDate(2026, 11, 2))
    volunteers.refresh()
    assert volunteers.message.text().startswith("1 volunteer, ")  # Zoë, on the day
    volunteers.start.setDate(QDate(2026, 11, 5))
    volunteers.end.setDate(QDate(2026, 11, 1))
    volunteers.refresh()
    text = volunteers.message.text()
    assert "--" not in text and text.startswith("The range ends (11/01/2026) before it starts (11/05/2026)")


def test_checking_out_forgotten_visitors_asks_first_and_says_who_came_in_today(qtbot, window, principal, person):
    """Found on the walk: Review opens on today, and "Check out forgotten visitors" (with a note typed) checked out
    everyone on site up to today at once, nothing asked: at noon, the people still in the building left On site
    now and the emergency roster a LOCKDOWN sends to dispatch. It now asks, saying how many, who, and how many
    came in today; No is the default and changes nothing."""
    principal.checkin.admit(Visitor("Tess", "Todaywood"), purpose="Meeting")  # in the building now
    person.answer = "No"
    panel = window.visits
    panel.set_range(QDate.currentDate(), QDate.currentDate())
    panel.forgotten_note.setText("left without signing out")
    qtbot.mouseClick(panel.forgotten_button, Qt.MouseButton.LeftButton)
    [(text, default, shown_as)] = [(a.text, a.default, a.text_format) for a in person.asked]
    assert text.startswith("Check out 2 visitors still on site") and "1 of them came in today" in text
    assert "Tess Todaywood" in text and "Zoë Fakerson" in text and "emergency roster" in text
    assert default == "No" and shown_as == Qt.TextFormat.PlainText
    assert len(principal.visits.on_site()) == 2 and "Nothing changed" in panel.message.text()
    person.answer = "Yes"
    qtbot.mouseClick(panel.forgotten_button, Qt.MouseButton.LeftButton)
    assert principal.visits.on_site() == [] and panel.message.text() == "Checked out 2 forgotten visitors."


def test_the_forgotten_visitors_question_writes_the_day_as_its_date_boxes_do(qtbot, window, principal, person):
    """Session 25's walk: the question said "on or before 12/05/2026" under date boxes showing 2026-12-05 (one
    window, two ways to write a day). Fails on the code before it."""
    person.answer = "No"
    panel = window.visits
    panel.set_range(QDate.currentDate(), QDate.currentDate())
    panel.forgotten_note.setText("left without signing out")
    qtbot.mouseClick(panel.forgotten_button, Qt.MouseButton.LeftButton)
    [asked] = person.asked
    assert f"came in on or before {panel.end.text()}:" in asked.text and panel.end.text().count("-") == 2


def test_print_hands_the_day_log_to_the_queue_off_the_gui_thread(qtbot, window, principal):
    """Found in session 23: "Print day log…" opened Qt's print dialog (application-modal: the desk window's
    panic button could not be clicked while it was up) and laid the pages out into the print queue on the GUI
    thread, which a print server that stopped answering held: every window of the desk froze, its panic button
    and hot-key included. Now the day log is drawn as a PDF in the data folder and the queue gets it on the
    thread pool, as the emergency roster does. The old code cannot run this test: it opens the dialog."""
    from pathlib import Path

    from PySide6.QtCore import QTimer

    from tests.print_queue import PrintQueue

    panel = window.visits
    queue = PrintQueue(stall=True)
    panel.print_sender = queue
    qtbot.mouseClick(panel.print_button, Qt.MouseButton.LeftButton)
    # The queue has the job and does not answer; the GUI thread is free meanwhile: its timers fire, and a second
    # press says the day log is still on its way rather than sending it twice.
    qtbot.waitUntil(queue.hanging.is_set, timeout=10_000)
    ticked = []
    QTimer.singleShot(0, lambda: ticked.append(True))
    qtbot.waitUntil(lambda: ticked == [True], timeout=2000)
    assert "Sending the day log (4 visits) to the printer" in panel.message.text()
    qtbot.mouseClick(panel.print_button, Qt.MouseButton.LeftButton)
    assert "still being sent to the printer" in panel.message.text() and len(queue.jobs) == 1
    queue.release()
    qtbot.waitUntil(lambda: "sent to Front office printer" in panel.message.text(), timeout=10_000)
    assert queue.jobs[0].startswith(b"%PDF")
    saved = list((Path(principal.store.data_dir) / "reports").glob("day-log-*.pdf"))
    assert len(saved) == 1 and saved[0].read_bytes() == queue.jobs[0]
    assert principal.audit.records(limit=1)[0].action == "report.print"


def test_print_with_no_printer_keeps_the_day_log_as_a_pdf(qtbot, window, principal, monkeypatch):
    """No printer (the queue says none): the PDF is opened on screen to print or show, and the window says where
    it is saved; a queue that refuses says so and where the PDF is."""
    from PySide6.QtGui import QDesktopServices

    from frontdesk.errors import DeviceError

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    panel = window.visits
    panel.print_sender = lambda path: None
    qtbot.mouseClick(panel.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "sent to" in panel.message.text(), timeout=10_000)
    assert len(opened) == 1 and opened[0] in panel.message.text() and opened[0].endswith(".pdf")

    def refusing(path):
        raise DeviceError(f"The day log could not be sent to Office (lp: queue disabled); it is saved as {path}.")

    panel.print_sender = refusing
    qtbot.mouseClick(panel.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "could not be sent" in panel.message.text(), timeout=10_000)
    said = panel.message.text()
    assert said.startswith("The day log could not be sent to Office") and ".pdf" in said
