"""The panic control on screen (pytest-qt, offscreen) with the real console: hold, status, banners, freeze."""

from __future__ import annotations

from dataclasses import replace

import keyring
import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QToolButton, QVBoxLayout, QWidget

from frontdesk import settings as st
from frontdesk.context import Services
from frontdesk.errors import ConflictError
from frontdesk.models import Visitor
from tests.dispatch_station_support import FAST as STATION_FAST
from tests.dispatch_station_support import KEYRING_FILE_ENV, FileKeyring, console_at, set_up_station
from tests.print_queue import PrintQueue
from ui.dispatch.dispatch_worker import DispatchWorker
from ui.dispatch.panic import DispatchBanners, PanicPanel
from ui.roster_print import draw_roster

# The banner tests watch heartbeats come and go. A receipt later than ``not_delivered_after`` is shown as
# "Delivered late", so the tests that expect "Received" give it the desk's own 5 s (a busy CI machine can
# take longer than a fraction of a second to deliver); the one that waits for the red NOT DELIVERED turns
# red sooner (RED_SOON).
FAST = replace(STATION_FAST, heartbeat=0.3, not_delivered_after=5.0)
RED_SOON = replace(FAST, not_delivered_after=0.6)


@pytest.fixture
def console(tmp_path, monkeypatch):
    monkeypatch.setenv(KEYRING_FILE_ENV, str(tmp_path / "keyring.json"))
    monkeypatch.setenv("FRONTDESK_ALLOW_FILE_KEYRING", "1")  # a plain-file keyring, chosen on purpose
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    with console_at(tmp_path / "console") as c:
        yield c
    keyring.set_keyring(previous)


@pytest.fixture
def station(services: Services, console) -> Services:
    set_up_station(services)
    with console.up():
        services.station.connect(console.url, console.credential)
    return services


@pytest.fixture
def timings():
    return FAST


@pytest.fixture
def desk(qtbot, station, timings):
    """The panic panel and the banners in one window, with the dispatch worker running."""
    worker = DispatchWorker(station.station, timings, daily_test=False)
    window = QWidget()
    banners = DispatchBanners(station.station, worker, window)
    panel = PanicPanel(station.station, worker, hold_ms=300, role=lambda: "principal", parent=window)
    layout = QVBoxLayout(window)
    layout.addWidget(banners)
    layout.addWidget(panel)
    qtbot.addWidget(window)
    window.resize(640, 420)
    window.show()
    worker.start()
    yield window, panel, banners, worker
    worker.stop()


def hold(qtbot, panel: PanicPanel):
    with qtbot.waitSignal(panel.sent, timeout=3000) as sent:
        qtbot.mousePress(panel.hold_button, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(panel.hold_button, Qt.MouseButton.LeftButton)
    return sent.args[0]


def test_other_alert_shows_one_arrow_its_own_not_the_styles_second(qtbot, desk):
    """The text's "▾" says it opens a menu; the style drew its own small arrow in the corner as well."""
    _, panel, _, _ = desk
    button = panel.menu_button
    assert button.menu() is not None and button.text().endswith("▾")
    same = QToolButton(panel)  # the same button on the same panel, without a menu, so without the style's arrow
    same.setText(button.text())
    same.setPopupMode(button.popupMode())
    same.setGeometry(button.geometry().translated(0, button.height() + 10))
    same.show()
    qtbot.waitExposed(panel)

    def pixels(widget: QToolButton) -> QImage:
        return widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)

    assert pixels(button) == pixels(same)


def test_a_short_press_sends_nothing_and_a_hold_sends_without_a_dialog(qtbot, desk, station):
    window, panel, banners, worker = desk
    qtbot.mousePress(panel.hold_button, Qt.MouseButton.LeftButton)
    with qtbot.assertNotEmitted(panel.sent, wait=120):
        pass
    qtbot.mouseRelease(panel.hold_button, Qt.MouseButton.LeftButton)
    with qtbot.assertNotEmitted(panel.sent, wait=400):
        pass
    assert station.station.recent() == []
    assert panel.hold_button.text() == "HOLD 0.3 s: LOCKDOWN"
    entry = hold(qtbot, panel)
    assert QApplication.activeModalWidget() is None
    assert (entry.action, entry.cap_status) == ("LOCKDOWN", "Actual")
    assert station.station.get(entry.identifier).identifier == entry.identifier  # committed


def test_status_goes_received_then_acknowledged(qtbot, desk, station, console):
    window, panel, banners, worker = desk
    with console.up():
        entry = hold(qtbot, panel)
        qtbot.waitUntil(lambda: panel.status_level == "received", timeout=5000)
        assert "Received by dispatch at" in panel.status_label.text()
        # The 4 Hz refresh restyles the status only when its level changes (Qt re-polished it at each refresh).
        restyled = []
        watcher = _StyleChanges(restyled)
        panel.status_label.installEventFilter(watcher)
        for _ in range(3):
            panel.refresh()
        assert restyled == [] and panel.status_level == "received"
        console.service.ack("Dana Dispatcher", identifier=entry.identifier)
        qtbot.waitUntil(lambda: panel.status_level == "acknowledged", timeout=5000)
        assert panel.status_label.text().startswith("LOCKDOWN: Acknowledged by Dana Dispatcher at ")
        assert restyled  # the new level's colours
        assert not banners.link_banner.isVisible()


class _StyleChanges(QObject):
    """Counts the style changes (a style sheet set, even to the same text) a widget receives."""

    def __init__(self, seen: list) -> None:
        super().__init__()
        self.seen = seen

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.StyleChange:
            self.seen.append(watched)
        return False


@pytest.mark.parametrize("timings", [RED_SOON])
def test_not_delivered_turns_red_with_the_numbers_and_the_link_banner_shows(qtbot, desk, station, console):
    window, panel, banners, worker = desk
    entry = hold(qtbot, panel)
    qtbot.waitUntil(lambda: panel.status_level == "not_delivered", timeout=5000)
    assert panel.status_label.text() == (
        "LOCKDOWN: NOT DELIVERED — CALL 911 NOW (still retrying): 911, district police 555-0199"
    )
    qtbot.waitUntil(banners.link_banner.isVisible, timeout=5000)
    assert (
        banners.link_banner.text()
        == "Panic link to dispatch is DOWN — use the phone: 911, district police 555-0199"
    )
    with console.up():
        qtbot.waitUntil(lambda: panel.status_level == "late", timeout=5000)
        assert "Delivered late at" in panel.status_label.text()
        qtbot.waitUntil(lambda: not banners.link_banner.isVisible(), timeout=5000)
    assert console.identifiers() == [entry.identifier]


def test_district_lockdown_freezes_check_in_and_prints_the_roster_in_one_action(
    qtbot, desk, station, console, tmp_path
):
    window, panel, banners, worker = desk
    station.checkin.admit(Visitor("Avery", "Testwood"), destination="Room 12")
    with console.up(), qtbot.waitSignal(panel.admissions_frozen_changed, timeout=5000) as frozen:
        console.service.push_state("Dana Dispatcher", [console.school], "LOCKDOWN")
    assert frozen.args == [True]
    assert banners.freeze_banner.isVisible()
    assert banners.freeze_label.text() == "LOCKDOWN — do not admit visitors (set by the district)"
    # Styled when first shown, not when built (issue 13): purple, white words.
    assert "#4a148c" in banners.freeze_banner.styleSheet() and "white" in banners.freeze_label.styleSheet()
    with pytest.raises(ConflictError):
        station.checkin.admit(Visitor("Jordan", "Sampleton"))
    with qtbot.waitSignal(banners.print_roster_requested):
        qtbot.mouseClick(banners.print_button, Qt.MouseButton.LeftButton)
    # The banner's one action is the desk's one roster: the core's PDF, headed with the state.
    queue = PrintQueue()
    queue(draw_roster(station))  # the PDF the desk hands to the print queue (off the GUI thread)
    (pdf,) = queue.jobs
    assert pdf[:5] == b"%PDF-" and station.station.state_heading() == "LOCKDOWN"


def test_a_local_secure_freezes_and_the_all_clear_lifts_it(qtbot, desk, station):
    window, panel, banners, worker = desk
    panel.choose_action("SECURE")
    assert panel.hold_button.text() == "HOLD 0.3 s: SECURE"
    with qtbot.waitSignal(panel.admissions_frozen_changed) as frozen:
        entry = hold(qtbot, panel)
    assert entry.action == "SECURE" and frozen.args == [True]
    assert banners.freeze_label.text() == "SECURE — do not admit visitors"
    assert panel.hold_button.text() == "HOLD 0.3 s: LOCKDOWN"  # back to the default after sending
    qtbot.mouseClick(panel.all_clear_button, Qt.MouseButton.LeftButton)
    assert "all-clear code" in panel.message_label.text()  # none typed: nothing is sent
    assert banners.freeze_banner.isVisible()
    panel.all_clear_code.setText("fdac_demo0001_abcdefghijklmnopqrst")
    with qtbot.waitSignal(panel.admissions_frozen_changed) as lifted:
        qtbot.mouseClick(panel.all_clear_button, Qt.MouseButton.LeftButton)
    assert panel.all_clear_code.text() == ""
    assert lifted.args == [False] and not banners.freeze_banner.isVisible()


def test_evacuate_then_the_location_follows_as_an_update_and_drills_say_drill(qtbot, desk, station):
    window, panel, banners, worker = desk
    panel.drill_box.setChecked(True)
    panel.choose_action("EVACUATE")
    assert panel.hold_button.text() == "HOLD 0.3 s: DRILL EVACUATE"
    entry = hold(qtbot, panel)
    assert entry.cap_status == "Exercise"
    panel.details_edit.setText("the football field")
    with qtbot.waitSignal(panel.sent) as sent:
        qtbot.mouseClick(panel.details_button, Qt.MouseButton.LeftButton)
    update = sent.args[0]
    assert (update.msg_type, update.location, update.refers_to) == (
        "Update",
        "the football field",
        entry.identifier,
    )
    assert panel.status_label.text().startswith("EVACUATE: DRILL — ")


def test_after_a_drill_the_next_press_is_real_again(qtbot, desk, station):
    """Found on the walk: the Drill box stayed ticked after a drill was sent. The morning's fire drill left it on,
    and the afternoon's real lockdown (button or hot-key) went to dispatch as a DRILL: striped, after every real
    alert. As the chosen alert goes back to LOCKDOWN after a press, Drill now clears; the panel says so."""
    window, panel, banners, worker = desk
    panel.drill_box.setChecked(True)
    panel.choose_action("EVACUATE")
    drill = hold(qtbot, panel)
    assert drill.cap_status == "Exercise"
    assert not panel.drill_box.isChecked() and panel.hold_button.text() == "HOLD 0.3 s: LOCKDOWN"
    assert "next press is a REAL alert" in panel.message_label.text()
    panel.details_edit.setText("the football field")  # the drill's own follow-up stays a drill
    with qtbot.waitSignal(panel.sent) as sent:
        qtbot.mouseClick(panel.details_button, Qt.MouseButton.LeftButton)
    assert sent.args[0].cap_status == "Exercise"
    real = hold(qtbot, panel)
    assert (real.action, real.cap_status) == ("LOCKDOWN", "Actual")


def test_a_choice_not_sent_goes_back_to_a_real_lockdown_by_itself(qtbot, station, timings):
    """Found on the walk: "Other alert" (say MEDICAL, for a nosebleed that was handled by phone) or Drill, chosen
    and not sent, stayed chosen all day; a real emergency's press, or the hot-key, then sent MEDICAL, or a drill.
    A choice not sent within its time (2 minutes in the desk) goes back to a real LOCKDOWN and says so."""
    worker = DispatchWorker(station.station, timings, daily_test=False)
    panel = PanicPanel(station.station, worker, hold_ms=300, choice_ms=200)
    qtbot.addWidget(panel)
    panel.show()
    panel.choose_action("MEDICAL")
    panel.drill_box.setChecked(True)
    assert panel.hold_button.text() == "HOLD 0.3 s: DRILL MEDICAL"
    qtbot.waitUntil(lambda: panel.hold_button.text() == "HOLD 0.3 s: LOCKDOWN", timeout=3000)
    assert not panel.drill_box.isChecked()
    assert "not sent" in panel.message_label.text() and "LOCKDOWN" in panel.message_label.text()
    with qtbot.waitSignal(panel.sent) as sent:
        panel.on_hold_completed()  # what the hot-key does
    assert (sent.args[0].action, sent.args[0].cap_status) == ("LOCKDOWN", "Actual")


def test_an_all_clear_code_typed_and_not_sent_is_wiped_after_a_minute(qtbot, station, timings):
    """Found on the walk: a principal's all-clear code typed into the panel and not sent (interrupted, called
    away) stayed in the field, masked but whole, for anyone at the desk to send an all clear with later, for
    the next real incident too. Not sent within its time (a minute in the desk), it is wiped, and said."""
    worker = DispatchWorker(station.station, timings, daily_test=False)
    panel = PanicPanel(station.station, worker, hold_ms=300, code_ms=200)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.keyClicks(panel.all_clear_code, "fdac_abc_secret")
    assert panel.all_clear_code.text() == "fdac_abc_secret"
    qtbot.waitUntil(lambda: panel.all_clear_code.text() == "", timeout=3000)
    assert "all-clear code was wiped" in panel.message_label.text()


def test_a_held_hot_key_sends_only_when_held_like_the_button(qtbot, desk, station):
    window, panel, banners, worker = desk
    panel.install_hotkey(window, "F12", hold=True)
    sent_early = []
    panel.sent.connect(sent_early.append)
    # Pressed and let go at once, with no event loop between: however slow the machine, this is not a hold.
    qtbot.keyPress(window, Qt.Key.Key_F12)
    assert sent_early == []
    qtbot.keyRelease(window, Qt.Key.Key_F12)  # let go too early: nothing is sent, then or later
    with qtbot.assertNotEmitted(panel.sent, wait=400):
        pass
    with qtbot.waitSignal(panel.sent, timeout=3000) as sent:
        qtbot.keyPress(window, Qt.Key.Key_F12)
    qtbot.keyRelease(window, Qt.Key.Key_F12)
    assert sent.args[0].action == "LOCKDOWN" and len(station.station.recent()) == 1


def test_a_held_hot_key_pressed_during_a_licence_scan_sends_and_the_scan_is_read_whole(qtbot, desk, station):
    """Found in session 23: a foot switch (the held hot-key) pressed while a keyboard scanner was typing a licence
    was eaten by the wedge filter (a key no scanner sends, held back so as not to break the scan), so the held
    panic key never started: holding it on sent nothing. The desk installs the wedge after the hot key (once its
    window is shown), and the newest filter hears a key first."""
    from tests.test_ui_wedge import PAYLOAD, FakeClock, press
    from ui.scanning.wedge_filter import WedgeFilter

    window, panel, banners, worker = desk
    panel.install_hotkey(window, "F12", hold=True)
    clock = FakeClock()
    wedge = WedgeFilter(clock=clock)
    wedge.install()  # after the hot key, as ``ui.app.run`` does
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    try:
        field = panel.details_edit
        field.setFocus()
        QApplication.processEvents()
        for char in PAYLOAD[:60]:  # the scanner is half-way through the licence
            press(field, char)
            clock.now += 0.004
        assert wedge.buffer.scanning
        with qtbot.waitSignal(panel.sent, timeout=3000) as sent:
            qtbot.keyPress(field, Qt.Key.Key_F12)  # the foot switch goes down, and stays down
        qtbot.keyRelease(field, Qt.Key.Key_F12)
        assert sent.args[0].action == "LOCKDOWN"
        for char in PAYLOAD[60:]:  # the scanner types on
            press(field, char)
            clock.now += 0.004
        clock.now += 1.0
        wedge.on_timeout()
        assert scans == [PAYLOAD] and field.text() == ""  # the scan whole, nothing typed into the field
    finally:
        wedge.uninstall()


def test_the_default_hot_key_pressed_during_a_licence_scan_sends(qtbot, desk, station):
    """Tried in session 23 and held: the default (one press) hot-key is a shortcut, which Qt matches before any
    filter hears the key press, so the wedge filter cannot hold it back."""
    from tests.test_ui_wedge import PAYLOAD, FakeClock, press
    from ui.scanning.wedge_filter import WedgeFilter

    window, panel, banners, worker = desk
    panel.install_hotkey(window, "Ctrl+Alt+F12")
    clock = FakeClock()
    wedge = WedgeFilter(clock=clock)
    wedge.install()
    try:
        panel.details_edit.setFocus()
        QApplication.processEvents()
        for char in PAYLOAD[:60]:
            press(panel.details_edit, char)
            clock.now += 0.004
        assert wedge.buffer.scanning
        modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        with qtbot.waitSignal(panel.sent, timeout=3000) as sent:
            qtbot.keyClick(panel.details_edit, Qt.Key.Key_F12, modifiers)
        assert sent.args[0].action == "LOCKDOWN"
    finally:
        wedge.uninstall()


def test_the_hot_key_sends_at_once(qtbot, desk, station):
    window, panel, banners, worker = desk
    shortcut = panel.install_hotkey(window, "Ctrl+Alt+F12")
    window.activateWindow()
    with qtbot.waitSignal(panel.sent, timeout=3000) as sent:
        shortcut.activated.emit()
    assert sent.args[0].action == "LOCKDOWN"


def test_the_desk_sends_one_daily_test_once_the_console_answers(qtbot, station, console):
    worker = DispatchWorker(station.station, FAST)
    panel = PanicPanel(station.station, worker, hold_ms=300)
    qtbot.addWidget(panel)
    with console.up():
        worker.start()
        try:
            qtbot.waitUntil(lambda: len(console.identifiers()) == 1, timeout=5000)
            qtbot.waitUntil(lambda: station.station.latest().state == "received", timeout=5000)
            with qtbot.assertNotEmitted(worker.school_state_changed, wait=800):  # a few more heartbeats
                pass
        finally:
            worker.stop()
    test = station.station.latest()
    assert test.cap_status == "Test" and len(console.identifiers()) == 1  # once a day, not once a beat
    assert panel.status_level == "idle"  # the Test does not take over the panic status view


def _shown_desk(qtbot, station):
    """The real desk window over ``station``, shown, its link not started (no daily Test; FAST timings)."""
    from ui.app import build_desk

    station.settings.set(st.DISPATCH_DAILY_TEST, False)
    window = build_desk(station)
    qtbot.addWidget(window.window)
    window.show()
    window.dispatch.worker.link.timings = FAST
    return window, window.dispatch


def test_the_front_desk_window_wires_the_panic_control_freeze_and_health(qtbot, station, console):
    station.settings.set(st.PANIC_HOLD_MS, 300)
    window, desk = _shown_desk(qtbot, station)
    assert desk.panel.parent() is not None and window.panic_area.indexOf(desk.panel) == 0
    with console.up():
        desk.start()
        try:
            qtbot.waitUntil(lambda: window.health["dispatch"].state == "ok", timeout=5000)
            assert window.health["dispatch"].text() == "● Dispatch: connected"
            entry = hold(qtbot, desk.panel)
            qtbot.waitUntil(lambda: desk.panel.status_level == "received", timeout=5000)
            assert desk.panel.status_box.isVisible()
            assert console.identifiers() == [entry.identifier]
            # The press was a LOCKDOWN: check-in is frozen at once, with the banner.
            assert not window.check_in_button.isEnabled()
            assert window.message.text() == "LOCKDOWN — do not admit visitors. Check-in is frozen."
            assert desk.banners.freeze_banner.isVisible()
        finally:
            desk.stop()


def test_a_press_before_the_link_has_started_is_sent_once_it_starts(qtbot, station, console):
    # ui.app.run starts the link's thread just after the desk's first paint, not before it is shown. A press
    # cannot be handled sooner than the event loop runs, but one handled before that thread is up (here the
    # hot-key, which sends at once, as a USB panic button does) must not wait for anything but the start:
    # it is committed to the outbox before the link is woken, and the link sends what the outbox holds first.
    window, desk = _shown_desk(qtbot, station)
    shortcut = desk.panel.install_hotkey(window.window, "Ctrl+Alt+F12")
    with console.up():
        with qtbot.waitSignal(desk.panel.sent, timeout=3000) as sent:
            shortcut.activated.emit()
        entry = sent.args[0]
        assert not desk.worker.running and station.station.get(entry.identifier).pending  # queued, not sent
        desk.start()
        try:
            qtbot.waitUntil(lambda: console.identifiers() == [entry.identifier], timeout=10_000)
            qtbot.waitUntil(lambda: desk.panel.status_level == "received", timeout=10_000)
        finally:
            desk.stop()


def test_a_lockdown_pressed_from_the_command_line_freezes_the_open_window(qtbot, station):
    from ui.app import build_desk

    window = build_desk(station)
    qtbot.addWidget(window.window)
    other_process = Services.open(station.store.data_dir)  # what `frontdesk panic lockdown` does
    other_process.station.press("lockdown")
    other_process.close()
    qtbot.waitUntil(lambda: not window.check_in_button.isEnabled(), timeout=4000)
    assert window.dispatch.banners.freeze_banner.isVisibleTo(window.window)


def test_the_open_window_tells_the_panic_subscribers_when_dispatch_has_not_got_an_alert(qtbot, station):
    """Session 24: the press's email says "being sent"; the desk window's state timer queues "NOT DELIVERED to
    dispatch" for an alert dispatch has not received after ``notify.panic_not_delivered_after_seconds`` (5 here,
    its least; the console is away), once."""
    from ui.app import build_desk

    station.settings.set(st.NOTIFY_PANIC_NOT_DELIVERED_SECONDS, 5)
    station.outbound.add("principal@maple.example", "panic")
    window = build_desk(station)  # the link is not started: nothing reaches the console
    qtbot.addWidget(window.window)
    window.show()
    station.station.press("lockdown", staff="Pat Example")

    def subjects() -> list[str]:
        return [d.subject for d in station.outbound.deliveries()]

    qtbot.waitUntil(lambda: len(subjects()) == 2, timeout=30_000)
    assert subjects() == [
        "NOT DELIVERED to dispatch: Lockdown alert at Maple Grove Elementary Main office desk",
        "Lockdown alert at Maple Grove Elementary Main office desk",
    ]
    assert station.station.tell_delivery() == 0  # told once: the next look finds nothing more to tell
    assert len(subjects()) == 2


def test_each_alert_is_shown_as_itself_newest_on_top(qtbot, desk, station, console):
    """A Staff assist, then a LOCKDOWN of the same incident: the panel never calls the lockdown a staff assist."""
    window, panel, banners, worker = desk
    with console.up():
        panel.choose_action("STAFF_ASSIST")
        assist = hold(qtbot, panel)
        lockdown = hold(qtbot, panel)  # the next press is a lockdown again
        assert (assist.action, lockdown.action) == ("STAFF_ASSIST", "LOCKDOWN")
        assert lockdown.incident == assist.incident
        qtbot.waitUntil(lambda: panel.history_label.text().count("Received by dispatch") == 2, timeout=5000)
        assert panel.status_label.text().startswith("LOCKDOWN: Received by dispatch at ")
        newest, older = panel.history_label.text().splitlines()
        assert "LOCKDOWN: Received by dispatch at" in newest and newest[:8].count(":") == 2  # hh:mm:ss first
        assert "STAFF ASSIST: Received by dispatch at" in older
        console.service.ack("Dana Dispatcher", identifier=lockdown.identifier)
        qtbot.waitUntil(lambda: "Acknowledged" in panel.status_label.text(), timeout=5000)
        assert panel.status_label.text().startswith("LOCKDOWN: Acknowledged by Dana Dispatcher at ")
        newest, older = panel.history_label.text().splitlines()
        assert "LOCKDOWN: Acknowledged by Dana Dispatcher" in newest
        assert "STAFF ASSIST: Received by dispatch" in older


def test_a_panic_press_is_never_held_up_by_a_roster_print_that_hangs(qtbot, station, tmp_path):
    """The emergency roster goes to the OS print queue; a print server that stops answering (a dropped network,
    a hung spooler) held the whole window in ``lp`` for up to 30 s, and the panic button with it. Found in
    session 23: the roster's "Print roster" is on the lockdown banner, pressed exactly when a second alert or
    its details may follow."""
    from ui.app import build_desk

    station.settings.set(st.PANIC_HOLD_MS, 100)
    desk = build_desk(station)
    qtbot.addWidget(desk.window)
    queue = PrintQueue(tmp_path / "roster.pdf", stall=True)
    desk.desk_lock.roster_sender = queue
    desk.window.show()
    qtbot.waitExposed(desk.window)
    station.checkin.admit(Visitor("Avery", "Testwood"))
    qtbot.mouseClick(desk.desk_lock.roster_button, Qt.MouseButton.LeftButton)
    assert queue.answered == 0, "the window waited for the print queue's answer (and nobody could press panic)"
    qtbot.waitUntil(queue.hanging.is_set)
    assert "Sending the emergency roster" in desk.window.message.text()
    entry = hold(qtbot, desk.dispatch.panel)  # while the print queue still holds the roster
    assert queue.hanging.is_set()
    assert [e.id for e in station.station.recent()] == [entry.id]  # committed to the outbox: on its way
    qtbot.mouseClick(desk.desk_lock.roster_button, Qt.MouseButton.LeftButton)  # pressed again, impatient
    assert "still being sent to the printer; it is saved as" in desk.window.message.text()
    queue.release()
    qtbot.waitUntil(lambda: "Emergency roster sent to Front office printer" in desk.window.message.text())
    assert (tmp_path / "roster.pdf").read_bytes()[:5] == b"%PDF-"
    assert len(queue.jobs) == 1  # one roster, not one per impatient press


def test_a_roster_the_print_queue_refuses_says_where_it_is_saved(qtbot, station, tmp_path):
    from frontdesk.errors import DeviceError
    from ui.app import build_desk

    def refusing(path):
        raise DeviceError(
            f"The roster could not be sent to Front office printer (lp: no such queue); it is saved as {path}."
        )

    desk = build_desk(station)
    qtbot.addWidget(desk.window)
    desk.desk_lock.roster_sender = refusing
    desk.desk_lock.print_roster()
    qtbot.waitUntil(lambda: "could not be sent" in desk.window.message.text())
    said = desk.window.message.text()
    assert said.count("it is saved as") == 1 and said.endswith(".pdf.")
    assert desk.window.message.property("kind") == "error"


def test_a_panic_press_never_waits_for_a_badge_printer_that_hangs(qtbot, station):
    """Tried in session 23 and held (kept as a test, as the brief asks): the badge printer takes the first bytes of
    a badge and then reads nothing (paper jam); the panic press is committed at once, while the printer's own
    thread still waits on it (its timeout, 5 s here; its health check first waits as long for a status answer)."""
    from frontdesk.settings import BADGE_MEDIA, BADGE_PRINTER
    from tests.printer_listeners import Listener, wait_for
    from ui.app import build_desk

    jammed = Listener("silent")
    station.settings.set(BADGE_MEDIA, "80mm")
    station.settings.set(BADGE_PRINTER, f"escpos+tcp://127.0.0.1:{jammed.port}?profile=TM-T20II&timeout=5")
    station.settings.set(st.PANIC_HOLD_MS, 100)
    desk = build_desk(station)
    qtbot.addWidget(desk.window)
    desk.window.show()
    try:
        desk.window.form.first_name.setText("Jordan")
        desk.window.form.last_name.setText("Jamwell")
        desk.window.request_check_in()
        assert wait_for(lambda: len(jammed.connections) >= 2, timeout=20)  # the health check, then the badge
        entry = hold(qtbot, desk.dispatch.panel)
        assert [e.id for e in station.station.recent()] == [entry.id]
        assert "Printing the badge for Jordan Jamwell" in desk.badge_printing.panel.status.text()  # still hung
    finally:
        panel = desk.badge_printing.panel
        jammed.close()  # the printer gives up: the connection drops mid-badge (or its timeout came first)
        qtbot.waitUntil(panel.ask.isVisible, timeout=20_000)  # and the desk is asked
        with qtbot.waitSignal(desk.badge_printing.worker.job_done, timeout=20_000):
            panel.not_now_button.click()
        desk.badge_printing.shutdown()


@pytest.mark.parametrize("hold_mode", [False, True])
def test_the_hot_key_sends_while_a_question_box_blocks_the_desk(qtbot, desk, station, hold_mode):
    """Found in session 23: a question box ("Remove the bar on …?", every ``ask_first``) or a file dialog is
    application-modal, and Qt delivers no shortcut to a window it blocks: the hot-key -- a foot switch, pressed
    when the secretary cannot be seen reaching for the screen -- sent nothing while one was up, and said nothing.
    The one-press hot-key fails on the old code (nothing sent while the box is up); the held one already worked
    (the desk's input filter follows the focus into the box) and is kept as a guard. The press sends once, not
    again when the box closes."""
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest

    from ui.asking import waiting
    from ui.plain import ask_first

    window, panel, banners, worker = desk
    panel.install_hotkey(window, "Ctrl+Alt+F12", hold=hold_mode)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    sent = []
    panel.sent.connect(sent.append)
    seen: dict = {}
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier

    def while_the_question_is_up():
        box = waiting()[-1]  # the question (not modal to Qt since session 24: ui.asking)
        seen["box"] = box
        QTest.qWaitForWindowActive(box)
        target = QApplication.focusWidget()  # where the key goes: the box's default button
        seen["focus_in_box"] = target is not None and box.isAncestorOf(target)
        QTest.keyPress(target, Qt.Key.Key_F12, modifiers)
        end = QTimer()  # the hold (300 ms here) runs its course inside the box's event loop
        end.setSingleShot(True)
        end.start(900)
        while end.isActive() and not sent:
            QTest.qWait(20)
        QTest.keyRelease(target, Qt.Key.Key_F12, modifiers)
        seen["sent_while_up"] = len(sent)
        box.reject()

    QTimer.singleShot(50, while_the_question_is_up)
    assert ask_first(window, "Remove?", "Remove the bar on Pat Example?") is False
    assert seen["box"] is not None and seen["focus_in_box"] and seen["sent_while_up"] == 1
    assert sent[0].action == "LOCKDOWN"
    QTest.qWait(300)
    assert len(sent) == 1  # not a second time once the box is gone


def test_a_long_incident_lists_its_newest_messages_and_every_one_dispatch_lacks(qtbot, desk, station, console):
    """Session 25: each press of an incident added a line under the button without end; the windows placed clear
    of it (and of its status) had no room left at 1366x768 after about a dozen. The newest four are listed and
    the older ones dispatch has are counted; one dispatch does not have is always listed. Fails on the old code
    (six lines)."""
    window, panel, banners, worker = desk
    with console.up():
        for _ in range(6):
            hold(qtbot, panel)
        qtbot.waitUntil(lambda: panel.history_label.text().count("Received by dispatch") == 4, timeout=10_000)
        qtbot.waitUntil(lambda: "… and 2 earlier messages" in panel.history_label.text(), timeout=10_000)
    lines = panel.history_label.text().splitlines()
    assert len(lines) == 5 and lines[-1] == "… and 2 earlier messages, each received by dispatch"
    # With the console away (outside ``up``), a message it lacks is listed however old: five presses, five lines.
    for _ in range(5):
        hold(qtbot, panel)
    qtbot.waitUntil(lambda: panel.history_label.text().count("NOT DELIVERED") == 5, timeout=30_000)
    lines = panel.history_label.text().splitlines()
    assert len(lines) == 6 and sum("NOT DELIVERED" in line for line in lines) == 5
    assert lines[-1] == "… and 6 earlier messages, each received by dispatch"
