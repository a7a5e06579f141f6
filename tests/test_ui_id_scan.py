"""A scan replayed through the Qt wedge filter fills the visitor form and shows what was read."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from scanners.samples import DEMO_SCANS
from scanners.source import FakeScanner
from tests.id_corpus import US, card_payload, damaged
from tests.test_ui_wedge import FakeClock, type_text
from ui.app import build_desk
from ui.scanning.scanner_worker import ScannerWorker
from ui.scanning.wedge_filter import WedgeFilter

TODAY = date(2026, 11, 22)


@pytest.fixture
def desk(qtbot, services):
    clock = FakeClock()
    wedge = WedgeFilter(clock=clock)
    wedge.install()
    window = build_desk(services, wedge=wedge)
    window.id_scan._today = lambda: TODAY
    qtbot.addWidget(window.window)
    window.show()
    qtbot.waitExposed(window.window)
    window.scan_entry.setFocus()
    QApplication.processEvents()
    yield window, wedge, clock
    wedge.uninstall()


def scan(qtbot, wedge, clock, payload: bytes) -> None:
    with qtbot.waitSignal(wedge.scan_started, timeout=2000):
        type_text(clock, payload.decode("latin-1"), 0.003)
    clock.now += 0.3
    with qtbot.waitSignal(wedge.scanned, timeout=2000):
        pass


def test_a_wedge_scan_fills_the_form_wherever_the_focus_is(qtbot, desk, services):
    window, wedge, clock = desk
    window.checkout_entry.setFocus()  # focus somewhere else entirely
    QApplication.processEvents()
    data, _ = damaged(US, "ctrl_less_keys")
    scan(qtbot, wedge, clock, data)
    form = window.form
    assert (form.first_name.text(), form.middle_name.text(), form.last_name.text()) == (
        "Avery",
        "Quinn",
        "Testwood",
    )  # as people write them, not in the barcode's capitals
    assert form.dob.text() == "07/09/1984" and form.id_type.currentData() == "DL" and form.id_issuer.text() == "VA"
    assert window.checkout_entry.text() == "" and window.scan_entry.text() == ""
    panel = window.id_scan.panel
    assert panel.isVisible() and "TESTWOOD" in panel.name.text() and "…5789" in panel.summary.text()
    assert "#f4f7fb" in panel.styleSheet() and "bold" in panel.name.styleSheet()  # styled when first shown
    assert (
        "without Ctrl" in panel.repairs.toolTip()
        and "Scan repaired (" in panel.repairs.text()
        and not panel.warnings.isVisible()
    )

    form.destination.setText("Library")
    with qtbot.waitSignal(window.visit_checked_in) as signal:
        qtbot.keyClick(form.destination, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    visitor = signal.args[0].visitor
    assert (visitor.id_type, visitor.id_issuer, visitor.id_last4, visitor.id_expires) == (
        "DL",
        "VA",
        "5789",
        date(2029, 7, 9),
    )
    # Only what the desk needs is stored: never the full number, never the raw payload.
    row = services.store.db.execute("SELECT * FROM people").fetchone()
    assert "T64235789" not in repr(row) and "ANSI" not in repr(row)


def test_an_under_18_expired_card_is_flagged(qtbot, desk):
    window, wedge, clock = desk
    payload = DEMO_SCANS[2].replace(b"DBA03152030", b"DBA03152026")
    scan(qtbot, wedge, clock, payload)
    warnings = window.id_scan.panel.warnings.text()
    assert "under 18" in warnings and "expired on 03/15/2026" in warnings
    assert window.message.property("kind") == "warning"


def test_an_unreadable_scan_says_so_and_goes_to_manual_entry(qtbot, desk):
    window, wedge, clock = desk
    scan(qtbot, wedge, clock, b"@\n\x1e\rANSI 636000100001DL00310010DLDAQ123\nDAG1 MAIN ST\r")
    assert "Could not read this ID" in window.message.text() and window.form.last_name.text() == ""
    assert not window.id_scan.panel.isVisible()


def test_a_person_typing_a_name_in_the_big_entry_still_works(qtbot, desk):
    window, wedge, clock = desk
    type_text(clock, "Ann Testwood", 0.15, qtbot)
    qtbot.waitUntil(lambda: window.scan_entry.text() == "Ann Testwood", timeout=2000)


def test_serial_scanner_worker_fills_the_form(qtbot, services):
    window = build_desk(services)
    qtbot.addWidget(window.window)
    fake = FakeScanner()
    worker = ScannerWorker(fake)
    window.id_scan.attach_worker(worker)
    with qtbot.waitSignal(worker.state_changed, timeout=3000):
        worker.start()
    try:
        with qtbot.waitSignal(worker.scanned, timeout=3000):
            fake.push(card_payload(US))
        assert window.form.last_name.text() == "Testwood"
        assert window.health["scanner"].state == "ok"
    finally:
        worker.stop()


def test_a_lost_serial_scanner_shows_in_the_status_bar_and_the_event_log(qtbot, services):
    import threading

    import serial

    from scanners.serial_scanner import SerialScanner

    plugged = threading.Event()

    def opener(url, **kwargs):
        if not plugged.is_set():
            raise serial.SerialException("could not open port")
        return serial.serial_for_url("loop://", **kwargs)

    window = build_desk(services)
    qtbot.addWidget(window.window)
    window.id_scan._events = services.events
    worker = ScannerWorker(SerialScanner("/dev/ttyACM0", opener=opener))
    window.id_scan.attach_worker(worker)
    with qtbot.waitSignal(worker.state_changed, timeout=3000):
        worker.start()
    try:
        assert window.health["scanner"].state == "error"
        with qtbot.waitSignal(worker.state_changed, timeout=5000):
            plugged.set()
        assert window.health["scanner"].state == "ok"
        messages = [(e.level, e.message) for e in services.events.recent(source="scanner")]
        assert messages[0][0] == "info" and messages[1][0] == "error" and "not connected" in messages[1][1]
    finally:
        worker.stop()


def test_a_badge_code_scanned_by_a_wedge_scanner_checks_the_visitor_out(qtbot, desk, services):
    from frontdesk.models import Visitor
    from frontdesk.text import format_badge_code

    window, wedge, clock = desk
    visit = services.checkin.admit(Visitor(first_name="Ann", last_name="Testwood"))
    window.refresh_on_site()
    with qtbot.waitSignal(window.visit_checked_out, timeout=3000):
        scan(qtbot, wedge, clock, format_badge_code(visit.badge_code).encode() + b"\r")
    assert services.visits.on_site() == []
