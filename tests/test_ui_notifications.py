"""A desk confirms a barred match; the principal switches in at that desk and sees it at once (pytest-qt)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from frontdesk import settings as s
from frontdesk.access.roles import Role
from frontdesk.context import Services
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry, Query


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Configured, with an administrator, a principal, a desk account and a barred entry (hashed once)."""
    folder = tmp_path_factory.mktemp("notify-ui") / "data"
    services = Services.open(folder)
    services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
    services.settings.set(s.STATION_NAME, "Main office desk")
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    services.accounts.add("p.nakamura", Role.PRINCIPAL, "principal-pw", "Dr. Nakamura")
    services.accounts.add("desk.lee", Role.DESK, "2468", "Lee Desk")
    services.lists.add(
        "District list",
        NewEntry("Robert", "Smith", dob=parse_dob("1980-03-14"), kind=Kind.BARRED, reason="Trespass notice 14"),
    )
    services.accounts.sign_out()
    services.close()
    return folder


@pytest.fixture
def desk(shell, staffed):
    return shell(staffed, size=(1280, 820)).desk  # the real launch's window (tests/conftest.py)


def sign_in(qtbot, lock, username: str, secret: str) -> None:
    """Staff ▸ Lock / switch person, then the next person's name and PIN or password."""
    lock.lock()
    lock.sign_in.username.setText(username)
    lock.sign_in.secret.setText(secret)
    with qtbot.waitSignal(lock.unlocked):
        qtbot.keyClick(lock.sign_in.secret, Qt.Key.Key_Return)


def confirm_barred_at_the_desk(qtbot, window) -> None:
    form = window.form
    form.first_name.setText("Bob")
    form.last_name.setText("Smyth")
    form.dob.setText("03/14/1980")
    form.destination.setText("Main office")
    with qtbot.waitSignal(window.checkin.card_shown):
        qtbot.mouseClick(window.check_in_button, Qt.MouseButton.LeftButton)
    window.checkin.card.reason.setText("Photo and ID match")
    with qtbot.waitSignal(window.checkin.check_in_stopped):
        qtbot.mouseClick(window.checkin.card.same_person, Qt.MouseButton.LeftButton)


def test_the_principal_switches_in_and_sees_and_acknowledges_the_barred_match(qtbot, desk, staffed, tmp_path):
    lock, bar = desk.desk_lock, desk.notifications
    sign_in(qtbot, lock, "desk.lee", "2468")
    confirm_barred_at_the_desk(qtbot, desk)
    assert "Told on screen: Dr. Nakamura." in desk.message.text()
    assert not bar.isVisible()  # addressed to the principal, not to the desk

    with qtbot.waitSignal(bar.changed, check_params_cb=lambda shown: shown == 1):
        sign_in(qtbot, lock, "p.nakamura", "principal-pw")
    assert bar.isVisible()
    text = " ".join(label.text() for label in bar.findChildren(QLabel))
    assert "For Dr. Nakamura: Confirmed Barred match" in text and "Bob Smyth" in text
    assert bar.grab().save(str(tmp_path / "bar.png"))

    (ack,) = [b for b in bar.findChildren(QPushButton) if b.text() == "Acknowledge"]
    with qtbot.waitSignal(bar.acknowledged) as acknowledged:
        qtbot.mouseClick(ack, Qt.MouseButton.LeftButton)
    assert acknowledged.args[0].read_at is not None
    assert not bar.isVisible() and staffed.notifications.unread("principal") == []
    (record,) = staffed.store.db.execute(
        "SELECT actor, subject FROM audit_log WHERE action = 'notification.acknowledge'"
    ).fetchall()
    assert record == ("p.nakamura", f"notification {acknowledged.args[0].id}")

    sign_in(qtbot, lock, "desk.lee", "2468")  # nothing new for the desk either
    assert not bar.isVisible()


def test_a_match_confirmed_at_another_desk_appears_without_a_restart(qtbot, desk, staffed):
    lock, bar = desk.desk_lock, desk.notifications
    sign_in(qtbot, lock, "p.nakamura", "principal-pw")
    assert not bar.isVisible()
    other = Services.open(staffed.store.data_dir)  # another desk on the same data (its own connection)
    try:
        query = Query("Robert", "Smith", dob=parse_dob("1980-03-14"))
        (candidate,) = other.screener.screen(query).candidates
        other.decisions.confirm(query, candidate, "Sam at the east entrance", "ID checked")
    finally:
        other.close()
    with qtbot.waitSignal(bar.changed, timeout=5000):  # the bar looks every two seconds
        pass
    assert bar.isVisible() and bar.shown[0].title == "Confirmed Barred match"
