"""Sign-in, locking and switching at the desk, the Staff menu and the emergency roster (pytest-qt)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from frontdesk import settings as s
from frontdesk.access.roles import Role
from frontdesk.context import Services
from frontdesk.models import Visitor
from tests.print_queue import PrintQueue
from ui.staff.sign_in import CreateAdminPanel


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A configured data folder with one account of each role (argon2 is slow on purpose: made once)."""
    folder = tmp_path_factory.mktemp("staff") / "data"
    services = Services.open(folder)
    services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
    services.settings.set(s.STATION_NAME, "Main office desk")
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    services.accounts.add("p.rivera", Role.PRINCIPAL, "principal-pw", "Pat Rivera")
    services.accounts.add("desk.lee", Role.DESK, "2468", "Lee Desk")
    services.accounts.add("desk.kim", Role.DESK, "1357", "Kim Desk")
    services.close()
    return folder


@pytest.fixture
def desk(shell, staffed, tmp_path):
    window = shell(staffed).desk  # the real launch's window (tests/conftest.py)
    window.desk_lock.roster_sender = PrintQueue(tmp_path / "roster.pdf")
    return window


def pin_in(qtbot, lock, name: str, pin: str) -> None:
    """Tap the quick pick for ``name`` and the PIN on the pad, then OK."""
    picks = [lock.sign_in.picks.itemAt(i).widget() for i in range(lock.sign_in.picks.count())]
    button = next(b for b in picks if b is not None and b.text() == name)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    for digit in pin:
        qtbot.mouseClick(lock.sign_in.pad_buttons[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(lock.sign_in.pad_buttons["OK"], Qt.MouseButton.LeftButton)


def test_desk_starts_locked_but_on_site_and_check_out_work(qtbot, desk, staffed):
    lock = desk.desk_lock
    visit = staffed.checkin.admit(Visitor("Ann", "Testwood"))
    desk.refresh_on_site()
    assert lock.is_locked and lock.panel.isVisible() and desk.form_covered() and not desk.form.isVisible()
    assert not desk.scan_entry.isEnabled() and lock.who.text().endswith("Locked")
    assert desk.onsite_table.isEnabled() and desk.onsite_model.rowCount() == 1
    assert lock.roster_button.isEnabled()
    with qtbot.waitSignal(desk.visit_checked_out):
        desk.check_out(visit.badge_code)


def test_pin_pad_sign_in_and_switching(qtbot, desk, staffed):
    lock = desk.desk_lock
    pin_in(qtbot, lock, "Lee Desk", "0000")
    assert lock.is_locked and "Wrong" in lock.sign_in.problem.text()
    with qtbot.waitSignal(lock.unlocked) as signal:
        pin_in(qtbot, lock, "Lee Desk", "2468")
    assert signal.args[0].username == "desk.lee" and not lock.is_locked
    assert (
        not desk.form_covered()
        and desk.form.isVisible()
        and desk.scan_entry.isEnabled()
        and "Lee Desk" in lock.who.text()
    )
    visit = staffed.checkin.admit(Visitor("Bob", "Sampleton"))
    assert visit.staff == "Lee Desk"
    # Quick switch: lock from the Staff menu, the next person taps their name and PIN.
    lock.lock()
    with qtbot.waitSignal(lock.unlocked):
        pin_in(qtbot, lock, "Kim Desk", "1357")
    assert staffed.session.actor.username == "desk.kim"
    rows = staffed.store.db.execute(
        "SELECT actor, action FROM audit_log WHERE action LIKE 'user.sign%'"
    ).fetchall()
    assert rows[-4:] == [
        ("desk.lee", "user.sign_in_failed"),
        ("desk.lee", "user.sign_in"),
        ("desk.lee", "user.sign_out"),
        ("desk.kim", "user.sign_in"),
    ]


def test_a_locked_desk_checks_nobody_in_from_the_form_left_behind_it(qtbot, desk, staffed):
    """The desk locked (idle, or Lock / switch person) with a visitor typed in: Ctrl+Enter, pressed by anyone at
    the unattended desk, admitted that visitor and printed a badge as "Front desk (not signed in)"."""
    lock = desk.desk_lock
    pin_in(qtbot, lock, "Lee Desk", "2468")
    desk.form.first_name.setText("Walk")
    desk.form.last_name.setText("Away")
    desk.form.destination.setText("Gym")
    lock.lock()
    assert lock.is_locked
    desk.window.activateWindow()
    for keys in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        qtbot.keyClick(QApplication.focusWidget() or desk.window, keys, Qt.KeyboardModifier.ControlModifier)
    desk.request_check_in()  # as the (hidden) Check in button would
    assert staffed.visits.on_site() == []
    assert desk.message.text().startswith("Locked: sign in")
    pin_in(qtbot, lock, "Lee Desk", "2468")
    with qtbot.waitSignal(desk.visit_checked_in):  # signed in again: the form is there, and checks in
        desk.request_check_in()
    assert [v.staff for v in staffed.visits.on_site()] == ["Lee Desk"]


def _expected_guests_action(desk):
    return next(a for a in desk.window.tools_menu.actions() if a.text() == "&Expected guests…")


def test_a_locked_desk_shows_no_list_or_address_and_gives_no_guest_code_or_badge(qtbot, desk, staffed):
    """Found on the walk (session 25): with the desk locked and nobody signed in, whoever walked up to it could
    open
    the barred and custody lists (Ctrl+B: names, dates of birth, why), the staff's emails and mobile numbers
    (Ctrl+Shift+M), Settings (Ctrl+,), give themselves a kiosk code (Tools > Expected guests) and reprint a
    visitor's badge from the badge panel. The lock's own words say only On site now, check-out and the panic button
    keep working; now that is so."""
    from datetime import date

    from PySide6.QtCore import QTimer

    from ui.asking import waiting

    lock = desk.desk_lock
    pin_in(qtbot, lock, "Lee Desk", "2468")
    desk.form.first_name.setText("Rowan")
    desk.form.last_name.setText("Specimen")
    desk.form.destination.setText("Library")
    with qtbot.waitSignal(desk.badge_printing.worker.job_done, timeout=20_000) as printed:
        desk.request_check_in()
    visit = printed.args[0].visit
    lock.lock()
    desk.window.activateWindow()
    panel_said = desk.badge_printing.panel.status.text()
    for key, modifiers, what in (
        (Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier, "The barred and custody lists"),
        (Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier, "Settings"),
        (Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier, "Email and text"),
    ):
        qtbot.keyClick(QApplication.focusWidget() or desk.window, key, modifiers)
        assert desk.message.text().startswith(f"{what}"), desk.message.text()
        assert "sign in first" in desk.message.text()
    assert desk.lists.manager is None and desk.window.settings_window is None
    assert desk.notify.outbound_window is None

    def add_a_guest():  # what the old desk let anyone do: the dialog opened on the locked desk
        for dialog in waiting():
            dialog.first_name.setText("Walk")
            dialog.last_name.setText("Up")
            dialog.host.setText("Library")
            qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
            dialog.close()

    QTimer.singleShot(0, add_a_guest)
    _expected_guests_action(desk).trigger()
    assert staffed.kiosk.guests(date.today()) == [] and "Expected guests: sign in first" in desk.message.text()
    qtbot.mouseClick(desk.badge_printing.panel.reprint_button, Qt.MouseButton.LeftButton)
    assert desk.message.text().startswith("Reprint: sign in first")
    assert desk.badge_printing.panel.status.text() == panel_said  # nothing sent to the printer
    pin_in(qtbot, lock, "Lee Desk", "2468")  # signed in: each works again
    qtbot.keyClick(desk.window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert desk.lists.manager is not None and desk.lists.manager.isVisible()
    with qtbot.waitSignal(desk.badge_printing.worker.job_done, timeout=20_000):
        qtbot.mouseClick(desk.badge_printing.panel.reprint_button, Qt.MouseButton.LeftButton)
    assert len(staffed.badges.attempts(visit.id)) == 2  # the check-in's and this one: none while locked
    lock.lock()  # the windows of the person who walked away close with the lock
    assert not desk.lists.manager.isVisible()


def test_a_dialog_left_open_closes_when_the_desk_locks_after_a_while_idle(qtbot, desk, staffed):
    """Expected guests left open (Tools menu) when the secretary walked away: the desk locked after a while, and
    the
    dialog stayed over it, adding guests for anyone, until someone closed it. It now closes with the lock, as a
    question does (answered as Esc answers it)."""
    from PySide6.QtCore import QTimer

    from ui.asking import waiting

    lock = desk.desk_lock
    with qtbot.waitSignal(lock.unlocked):
        pin_in(qtbot, lock, "Lee Desk", "2468")
    still_open = []

    def walk_away():
        assert [type(d).__name__ for d in waiting()] == ["ExpectedGuestsDialog"]
        lock.watch.set_timeout(50)  # as after the lock's minutes with nobody at the desk

    def after_the_lock():
        still_open.extend(waiting())
        for dialog in waiting():  # (the old desk: closed here, so the test ends)
            dialog.close()

    lock.locked.connect(lambda: QTimer.singleShot(0, after_the_lock))
    QTimer.singleShot(0, walk_away)
    _expected_guests_action(desk).trigger()  # returns once the dialog is gone
    assert lock.is_locked and still_open == []
    assert lock.sign_in.isEnabled() and desk.window.isEnabled()  # nothing held: the next person can sign in


def test_an_id_scanned_at_a_locked_desk_says_to_sign_in_not_to_check_in(qtbot, desk):
    from scanners.samples import DEMO_SCANS

    assert desk.desk_lock.is_locked
    desk.id_scan.handle_scan(DEMO_SCANS[0])  # as a serial scanner or the keyboard-wedge filter hands it over
    assert desk.form.first_name.text() == "Avery"  # kept for whoever signs in
    text = desk.message.text()
    assert text.startswith("Read Avery Quinn Testwood from the ID") and "sign in" in text
    assert "then Check in" not in text


def test_locks_after_inactivity(qtbot, desk):
    lock = desk.desk_lock
    with qtbot.waitSignal(lock.unlocked):
        pin_in(qtbot, lock, "Lee Desk", "2468")
    lock.watch.set_timeout(80)
    with qtbot.waitSignal(lock.locked, timeout=3000):
        pass
    assert lock.is_locked and not desk.services.session.actor.signed_in


def test_password_sign_in_opens_review_for_principals_only(qtbot, desk):
    lock = desk.desk_lock
    lock.open_review()
    assert lock.review_window is None and "principals" in desk.message.text()
    lock.sign_in.username.setText("p.rivera")
    lock.sign_in.secret.setText("principal-pw")
    with qtbot.waitSignal(lock.unlocked):
        qtbot.keyClick(lock.sign_in.secret, Qt.Key.Key_Return)
    lock.open_review()
    assert lock.review_window is not None and lock.review_window.isVisible()
    lock.lock()  # the principal walks away: the review window closes with the sign-out
    assert not lock.review_window.isVisible()


def test_emergency_roster_in_one_action_even_when_locked(qtbot, desk, staffed, tmp_path):
    staffed.checkin.admit(Visitor("Ann", "Testwood"))
    qtbot.mouseClick(desk.desk_lock.roster_button, Qt.MouseButton.LeftButton)
    # The print queue gets it off the GUI thread (a hung print server never holds the window): wait for its answer.
    qtbot.waitUntil(lambda: "Emergency roster sent to Front office printer" in desk.message.text())
    assert (tmp_path / "roster.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "roster.pdf").stat().st_size > 1000
    row = staffed.store.db.execute("SELECT action, details FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    assert row == ("roster.print", '{"on_site":1,"students_late":0,"students_signed_out":0}')


def test_first_administrator_panel(qtbot, services):
    panel = CreateAdminPanel(services.accounts)
    qtbot.addWidget(panel)
    panel.password.setText("district-secret")
    panel.repeat.setText("district-secreT")
    panel.submit()
    assert "differ" in panel.problem.text() and not services.accounts.any_exist()
    panel.repeat.setText("district-secret")
    with qtbot.waitSignal(panel.created) as signal:
        panel.submit()
    assert signal.args[0].role is Role.ADMIN and services.session.actor.username == "admin"


def test_accounts_window_for_the_administrator_only(qtbot, desk, staffed, person):
    person.answer = "Yes"  # Disable the account? (asked since session 25)
    lock = desk.desk_lock
    pin_in(qtbot, lock, "Lee Desk", "2468")
    lock.open_accounts()
    assert lock.accounts_window is None and "administrator" in desk.message.text()
    lock.lock()
    lock.sign_in.username.setText("root")
    lock.sign_in.secret.setText("district-secret")
    with qtbot.waitSignal(lock.unlocked):
        lock.sign_in.submit()
    lock.open_accounts()
    win = lock.accounts_window
    assert win.isVisible() and win.table.rowCount() == 4
    win.username.setText("desk.ray")
    win.display_name.setText("Ray Desk")
    win.role.setCurrentIndex(win.role.findData(Role.DESK))
    qtbot.keyClicks(win.secret, "12")
    qtbot.mouseClick(win.add_button, Qt.MouseButton.LeftButton)
    assert "4 to 8 digits" in win.message.text()
    win.secret.setText("9753")
    qtbot.mouseClick(win.add_button, Qt.MouseButton.LeftButton)
    assert win.message.text() == "Added desk.ray (front desk)." and win.table.rowCount() == 5
    row = next(r for r in range(win.table.rowCount()) if win.table.item(r, 0).text() == "desk.lee")
    win.table.selectRow(row)
    qtbot.mouseClick(win.disable_button, Qt.MouseButton.LeftButton)
    assert win.table.item(row, 3).text() == "disabled"
    lock.lock()  # the administrator leaves: the window closes with the sign-out
    assert not win.isVisible()
    assert "Ray Desk" in [
        lock.sign_in.picks.itemAt(i).widget().text() for i in range(lock.sign_in.picks.count() - 1)
    ]


def test_an_id_shown_at_the_desk_is_audited(qtbot, desk, staffed):
    from scanners.samples import DEMO_SCANS

    with qtbot.waitSignal(desk.desk_lock.unlocked):
        pin_in(qtbot, desk.desk_lock, "Lee Desk", "2468")
    record = desk.id_scan.handle_scan(DEMO_SCANS[0])
    assert record is not None and desk.id_scan.panel.isVisible()
    actor, action, subject, details = staffed.store.db.execute(
        "SELECT actor, action, subject, details FROM audit_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert (actor, action, subject) == ("desk.lee", "id.view", record.to_visitor().full_name)
    assert json.loads(details) == {
        "document": record.document,
        "issuer": record.jurisdiction,
        "last4": record.id_last4,
    }


def test_a_principal_disabled_at_another_program_is_locked_out_of_the_window(qtbot, desk, staffed):
    """The district disables the principal's account while it is signed in at the desk: the window kept the
    principal's powers and name (the Review window opened) until it locked on its own. Now the next principal's
    action signs the account out, the desk locks and says why; the review window closes with it."""
    lock = desk.desk_lock
    lock.sign_in.username.setText("p.rivera")
    lock.sign_in.secret.setText("principal-pw")
    with qtbot.waitSignal(lock.unlocked):
        qtbot.keyClick(lock.sign_in.secret, Qt.Key.Key_Return)
    lock.open_review()
    assert lock.review_window is not None and lock.review_window.isVisible()
    district = Services.open(staffed.store.data_dir)
    try:
        district.accounts.sign_in("root", "district-secret")
        district.accounts.disable("p.rivera")
    finally:
        district.close()
    with qtbot.waitSignal(lock.locked):
        lock.open_review()
    qtbot.waitUntil(lambda: not lock.review_window.isVisible())
    assert lock.is_locked and lock.who.text().endswith("Locked")
    assert "was disabled" in desk.message.text()
    assert not staffed.session.actor.signed_in


def test_a_desk_account_disabled_while_signed_in_locks_the_desk_within_its_beat(qtbot, desk, staffed):
    """The desk's own verbs do not read the account again, so a desk account disabled by the district kept the
    window open under its name until it locked on its own; the window now reads it every half minute."""
    lock = desk.desk_lock
    with qtbot.waitSignal(lock.unlocked):
        pin_in(qtbot, lock, "Lee Desk", "2468")
    district = Services.open(staffed.store.data_dir)
    try:
        district.accounts.sign_in("root", "district-secret")
        district.accounts.disable("desk.lee")
    finally:
        district.close()
    lock.recheck_timer.setInterval(50)  # the half-minute beat, shortened for the test
    with qtbot.waitSignal(lock.locked, timeout=5000):
        pass
    assert lock.is_locked and "was disabled" in desk.message.text()
    assert not staffed.session.actor.signed_in
