"""Where a side window or a dialog opens (``ui.asking``, session 25), offscreen: clear of the parts kept in sight
(the panic control, its alert's status, the alert banners), as little moved as can be, made smaller into the room
that keeps the most of it when none holds it at its size, and never smaller than it can be.

Offscreen, a window is where Qt is told to put it (the screen is 800x800): these tests put a stand-in desk window
and its panic button where the real desk has them and open real windows against them. The real desk's windows,
opened from its menus on a real X server at 1366x768 and 1920x1080 and pressed through with the pointer, are in
``tests/test_side_windows_xcb.py``.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QDialog, QListWidget, QPushButton, QVBoxLayout, QWidget

from ui.asking import answer_of, keep_live, show_clear, waiting


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


@pytest.fixture
def desk(qtbot):
    """A desk window over the whole screen: a banner across its top, the panic button at its top right under it."""
    window = QWidget()
    window.setGeometry(window.screen().availableGeometry())
    banner = QWidget(window)
    banner.setGeometry(0, 0, window.width(), 40)
    button = QPushButton("HOLD 1.5 s: LOCKDOWN", window)
    button.setGeometry(window.width() - 330, 50, 300, 70)
    keep_live(banner, in_sight=True)
    keep_live(button, first=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, banner, button


def side_window(parent: QWidget | None, width: int, height: int, least: int = 200) -> QWidget:
    side = QWidget(parent, Qt.WindowType.Window)
    side.setMinimumSize(least, least)
    side.resize(width, height)
    return side


def test_a_side_window_opens_clear_of_the_panic_button_and_the_banner(qtbot, desk):
    """Side windows opened at the screen's top left, over the desk's panic button (session 25's walk). Fails on
    the code before it (no ``show_clear``: the window stayed at 0,0)."""
    window, banner, button = desk
    side = side_window(window, 600, 500)
    qtbot.addWidget(side)
    show_clear(side)
    qtbot.waitExposed(side)
    frame = side.frameGeometry()
    assert not frame.intersects(global_rect(button)) and not frame.intersects(global_rect(banner))
    assert side.size().toTuple() == (600, 500) and side.screen().availableGeometry().contains(frame)


def test_one_too_big_for_the_room_is_made_smaller_but_not_below_its_minimum(qtbot, desk):
    window, banner, button = desk
    screen = window.screen().availableGeometry()
    side = side_window(window, screen.width(), screen.height(), least=300)
    qtbot.addWidget(side)
    show_clear(side)
    qtbot.waitExposed(side)
    frame = side.frameGeometry()
    assert not frame.intersects(global_rect(button)) and not frame.intersects(global_rect(banner))
    # Under the button: the screen's whole width (the room beside the button is narrower, and as tall).
    assert frame.width() == screen.width() and frame.top() > global_rect(button).bottom()
    assert side.height() >= 300 and screen.contains(frame)


def test_a_window_the_person_moved_is_raised_where_they_left_it(qtbot, desk):
    window, banner, button = desk
    side = side_window(window, 300, 300)
    qtbot.addWidget(side)
    show_clear(side)
    qtbot.waitExposed(side)
    side.move(40, 300)
    show_clear(side)  # opened again from its menu while open: raised, not moved
    assert side.pos().toTuple() == (40, 300)


def test_an_open_window_moves_off_the_button_when_an_alert_pushes_it_down(qtbot, desk):
    """An alert's status and the LOCKDOWN banner appear over the desk and push the panic button down: a side
    window placed under it before is placed again, clear of where it is now."""
    window, banner, button = desk
    side = side_window(window, 600, 300)
    qtbot.addWidget(side)
    show_clear(side)
    qtbot.waitExposed(side)
    assert side.frameGeometry().top() < 330  # under the button where it was
    banner.setGeometry(0, 0, window.width(), 250)  # the alert's status, and the button pushed down under it
    button.move(button.x(), 260)
    qtbot.waitUntil(lambda: not side.frameGeometry().intersects(global_rect(button)))
    assert not side.frameGeometry().intersects(global_rect(banner)) and side.height() >= 200


def test_where_the_banners_leave_no_room_the_button_is_still_kept_clear(qtbot, desk):
    """An alert's status takes the top of the desk window (the button moves down): a window too tall for the room
    under both keeps clear of the button's row at least, over the status."""
    window, banner, button = desk
    screen = window.screen().availableGeometry()
    banner.setGeometry(0, 0, window.width(), 500)  # the alert's status, long
    button.move(button.x(), 520)
    side = side_window(window, 700, 500, least=450)
    qtbot.addWidget(side)
    show_clear(side)
    qtbot.waitExposed(side)
    frame = side.frameGeometry()
    assert not frame.intersects(global_rect(button)) and screen.contains(frame) and side.height() >= 450


def test_a_dialog_too_wide_for_the_room_beside_the_button_goes_under_it_unnarrowed(qtbot, desk):
    """The Expected guests dialog was narrowed into the room to the left of the panic button, and its guest list
    scrolled sideways, while the room under the button was the screen's whole width (session 25's walk). Fails on
    the code before it: the dialog came out narrower than it was made."""
    window, banner, button = desk
    dialog = QDialog(window)
    QVBoxLayout(dialog).addWidget(QListWidget())
    dialog.resize(600, 700)  # wider than the room left of the button, taller than the room under it
    dialog.move(100, 30)  # over the button
    wanted = dialog.width()
    seen = {}

    def look() -> None:
        qtbot.waitUntil(lambda: bool(waiting()) and waiting()[-1].isVisible())
        shown = waiting()[-1]
        seen.update(width=shown.width(), covers=shown.frameGeometry().intersects(global_rect(button)))
        shown.reject()

    QTimer.singleShot(0, look)
    answer_of(dialog)
    assert seen == {"width": wanted, "covers": False}


def test_the_expected_guests_list_does_not_scroll_sideways(qtbot, services):
    """Session 25's walk: Tools ▸ Expected guests opened at its layout's own width (330 px), narrower still beside
    the panic button, and a guest's line (time, name, host, code) scrolled sideways. Through the real launch's
    window (the Shell). Fails on the code before it (the list's horizontal scroll bar had a range)."""
    from datetime import timedelta

    from frontdesk import clock
    from frontdesk import settings as s
    from frontdesk.access.roles import Role
    from ui.app import Shell

    for setting, value in ((s.SCHOOL_NAME, "Maple Grove Elementary"), (s.STATION_NAME, "Main office desk")):
        services.settings.set(setting, value)
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    now = clock.now().astimezone()
    services.kiosk.preregister(
        "Avery", "Testwood-Sampleton", "Jordan Exampleford, room 12", now, now + timedelta(hours=2)
    )
    shell = Shell(services)
    qtbot.addWidget(shell)
    shell.show()
    qtbot.waitExposed(shell)
    [action] = [a for a in shell.desk_window.tools_menu.actions() if a.text() == "&Expected guests…"]
    seen = {}

    def look() -> None:
        qtbot.waitUntil(lambda: bool(waiting()) and waiting()[-1].isVisible())
        dialog = waiting()[-1]
        qtbot.waitUntil(lambda: dialog.today.count() == 1)
        seen.update(sideways=dialog.today.horizontalScrollBar().maximum(), least=dialog.width() >= 600)
        dialog.reject()

    QTimer.singleShot(0, look)
    action.trigger()
    assert seen == {"sideways": 0, "least": True}


def _signed_in_desk(services, shell):
    from frontdesk import settings as s
    from frontdesk.access.roles import Role

    services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
    services.settings.set(s.STATION_NAME, "Main office desk")
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    return shell(services).desk


def test_no_side_window_opens_over_the_emergency_roster_button(qtbot, services, shell):
    """The Emergency roster button beside the panic button takes clicks whatever question is open, and now no side
    window or dialog is placed over it either (session 25, fit-alert). A small window opening on it is moved off
    it. Fails on the code before (the button was live but not kept in sight: the window stayed on it)."""
    desk = _signed_in_desk(services, shell)
    roster = desk.desk_lock.roster_button
    qtbot.waitUntil(roster.isVisible)
    at = global_rect(roster)
    side = side_window(desk.window, 30, 20, least=10)
    qtbot.addWidget(side)
    side.move(at.center() - QPoint(15, 10))
    show_clear(side)
    qtbot.waitExposed(side)
    assert not side.frameGeometry().intersects(at)
    assert not side.frameGeometry().intersects(global_rect(desk.dispatch.panel.hold_button))


# The room an alert leaves clear of the panic control at 1366x768 (the desk maximised, its status and the LOCKDOWN
# banner showing): about 1366x350 under the status, measured on Xvfb (tests/test_side_windows_xcb.py).
ALERT_ROOM_HEIGHT = 330


def test_the_large_side_windows_can_be_made_as_small_as_an_alerts_room(qtbot, services, shell, desk_font):
    """Review, the list manager, notifications, the students' and pick-up windows, Expected guests and the badge
    printer demanded 403-592 px of height, more than the room left under an alert's status at 1366x768, and
    opened over the panic button. Their content now scrolls: each can be made that small (its content scrolls
    and stays reachable). Fails on the code before (their least heights were 403-592 px)."""
    from ui.badges.printer_settings import PrinterSettingsDialog
    from ui.kiosk.guests_dialog import ExpectedGuestsDialog
    from ui.notifications.outbound_window import OutboundWindow
    from ui.review.review_window import ReviewWindow
    from ui.screening.screening_lists import ListManager
    from ui.students.pickup_window import PickupWindow
    from ui.students.students_window import StudentsWindow

    desk = _signed_in_desk(services, shell)
    windows = {
        "review": ReviewWindow(services),
        "lists": ListManager(services),
        "notifications": OutboundWindow(services),
        "students": StudentsWindow(services),
        "pickup": PickupWindow(services),
        "guests": ExpectedGuestsDialog(services, desk.window),
        "printer": PrinterSettingsDialog(services.settings, services.badges, desk.window),
    }
    least = {}
    for name, window in windows.items():
        qtbot.addWidget(window)
        hint = window.minimumSizeHint().expandedTo(window.minimumSize())
        least[name] = hint.height() <= ALERT_ROOM_HEIGHT and hint.width() <= 740  # under it, or beside the row
    assert least == dict.fromkeys(windows, True)
