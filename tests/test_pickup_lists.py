"""The office's pick-up lists: the service (who may, who may not, revoking, lifting; permissions and audit)
and its window in the desk (pytest-qt, offscreen), driven from the keyboard; the reunification's exports from
the Students menu."""

from __future__ import annotations

import csv
import json
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from frontdesk import clock
from frontdesk.errors import InputError, PermissionDenied
from frontdesk.students.release import Refused, Released, ReleaseRequest
from tests.students_fixtures import PRINCIPAL_PW, actions, guardian_name, sign_in
from ui.app import build_desk


@pytest.fixture(scope="module")
def template(students_template):
    return students_template


@pytest.fixture
def facts(students_bundle):
    return students_bundle[1]


# --- the service -------------------------------------------------------------------------------------------
def test_one_view_of_who_may_and_who_may_not(staffed, facts):
    student = staffed.students.get("stu-00020")  # named by the county's custody order (fixtures)
    lists = staffed.pickup_lists.of(student)
    linked = {" ".join(guardian_name(facts, "stu-00020", i)) for i in range(len(facts.links["stu-00020"]))}
    assert {g.full_name for g in lists.guardians} == linked
    assert [(e.full_name, e.source) for e in lists.orders] == [("Victor Custodia", "County court orders")]
    assert lists.may_not == () and lists.authorisations == ()
    # Another student: the order does not name them.
    assert staffed.pickup_lists.of(staffed.students.get("stu-00021")).orders == ()


def test_revoking_and_lifting_are_a_principals_with_a_reason_and_audited(staffed, facts):
    student = staffed.students.get("stu-00030")
    first, last = guardian_name(facts, "stu-00030")
    sign_in(staffed, "p.nakamura")
    today = clock.now().astimezone().date()
    now_on = staffed.students.authorise(student, "Tia", "Temporary", valid_until=today + timedelta(days=2))
    later = staffed.students.authorise(
        student, "Uma", "Later", valid_from=today + timedelta(days=5), valid_until=today + timedelta(days=6)
    )
    staffed.students.bar_pickup(student, first, last, dob=None, reason="Protective order")
    lists = staffed.pickup_lists.of(student)
    assert [a.id for a in lists.authorisations] == [now_on.id, later.id]  # today's and the one to come
    assert [e.full_name for e in lists.may_not] == [f"{first} {last}"]
    staffed.accounts.sign_out()

    sign_in(staffed, "desk.lee")
    assert not staffed.pickup_lists.may_change()
    with pytest.raises(PermissionDenied):
        staffed.pickup_lists.revoke(student, now_on.id, "no longer")
    with pytest.raises(PermissionDenied):
        staffed.pickup_lists.lift(student, lists.may_not[0].id, "order ended")
    staffed.accounts.sign_out()

    sign_in(staffed, "p.nakamura")
    assert staffed.pickup_lists.may_change()
    with pytest.raises(InputError):
        staffed.pickup_lists.revoke(student, now_on.id, "  ")
    staffed.pickup_lists.revoke(student, now_on.id, "Mother phoned: not this week")
    assert actions(staffed, 1) == ["students.authorisation_revoked"]
    with pytest.raises(InputError):  # an entry of another list, or of another student, is not lifted here
        staffed.pickup_lists.lift(staffed.students.get("stu-00031"), lists.may_not[0].id, "x")
    staffed.pickup_lists.lift(student, lists.may_not[0].id, "Order ended 12/01")
    assert actions(staffed, 2) == ["students.pickup_bar_lifted", "list.expire"]
    lists = staffed.pickup_lists.of(student)
    assert [a.id for a in lists.authorisations] == [later.id] and lists.may_not == ()
    staffed.accounts.sign_out()

    # Revoked: refused as not authorised; lifted: the guardian takes the student again.
    assert not isinstance(staffed.dismissal.release(ReleaseRequest(student, "Tia", "Temporary", "x")), Released)
    assert isinstance(staffed.dismissal.release(ReleaseRequest(student, first, last, "Dentist")), Released)


# --- the window --------------------------------------------------------------------------------------------
@pytest.fixture
def desk(qtbot, staffed):
    desk = build_desk(staffed)
    qtbot.addWidget(desk.window)
    desk.window.show()
    yield desk
    for w in (desk.students.students_window, desk.students.board, desk.students.pickup_window):
        if w is not None:
            w.close()
            w.deleteLater()


def desk_sign_in(qtbot, desk, username: str, secret: str) -> None:
    lock = desk.desk_lock
    lock.lock()
    lock.sign_in.username.setText(username)
    lock.sign_in.secret.setText(secret)
    with qtbot.waitSignal(lock.unlocked):
        qtbot.keyClick(lock.sign_in.secret, Qt.Key.Key_Return)


def pick(qtbot, w, number: str) -> None:
    """Type a student number and press Enter: the first student found is shown, the cursor in the reason box."""
    w.find_entry.clear()
    qtbot.keyClicks(w.find_entry, number)
    qtbot.keyClick(w.find_entry, Qt.Key.Key_Return)
    assert w.student is not None and w.student.number == number


def _rows(table) -> list[list[str]]:
    return [[table.item(i, j).text() for j in range(table.columnCount())] for i in range(table.rowCount())]


def test_desk_staff_see_the_lists_and_cannot_change_them(qtbot, desk, facts):
    desk_sign_in(qtbot, desk, "desk.lee", "2468")
    menu = desk.students.menu
    assert "&Pick-up lists…" in [a.text() for a in menu.actions()]
    w = desk.students.open_pickups()
    qtbot.waitUntil(w.isActiveWindow)
    assert w.width() <= 1366 and w.height() <= 768 - 40  # a 1366x768 laptop with its taskbar
    assert w.minimumSizeHint().width() <= 1366 and w.minimumSizeHint().height() <= 728
    pick(qtbot, w, facts.student["stu-00020"][2])
    assert [r[0] for r in _rows(w.may_not)] == ["Victor Custodia"] and _rows(w.may_not)[0][
        3
    ] == "County court orders"
    assert w.guardians.rowCount() == len(facts.links["stu-00020"])
    assert not w.toggle_button.isEnabled() and not w.bar_button.isEnabled() and not w.reason.isEnabled()
    assert "only a principal" in w.message.text()
    actions_before = actions(desk.services, 1)
    qtbot.keyClicks(w.find_entry, "")
    qtbot.keyClick(w.find_entry, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # the shortcut: refused
    assert actions(desk.services, 1) == actions_before and w.may_not.rowCount() == 1
    desk.desk_lock.lock()  # the desk locks: the window goes, and does not open again until someone signs in
    assert not w.isVisible() and desk.students.open_pickups() is None


def test_a_principal_keeps_the_lists_from_the_keyboard(qtbot, desk, facts):
    services = desk.services
    desk_sign_in(qtbot, desk, "p.nakamura", PRINCIPAL_PW)
    w = desk.students.open_pickups()
    qtbot.waitUntil(w.isActiveWindow)  # its shortcuts work while it is the active window
    number = facts.student["stu-00070"][2]
    pick(qtbot, w, number)
    assert w.focusWidget() is w.reason and w.toggle_button.isEnabled()
    student = w.student
    first, last = guardian_name(facts, "stu-00070")

    # Stop a guardian's pick-up: select them, say why, Ctrl+G.
    row = next(i for i, r in enumerate(_rows(w.guardians)) if r[0] == f"{first} {last}")
    w.guardians.selectRow(row)
    qtbot.keyClick(
        w.reason, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier
    )  # no reason: refused, nothing changed
    assert "Say why" in w.message.text()
    qtbot.keyClicks(w.reason, "Father's access suspended, letter 12/01")
    w.guardians.selectRow(row)
    qtbot.keyClick(w.reason, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert "may no longer pick up" in w.message.text()
    assert _rows(w.guardians)[-1][3] == "NO (office)"
    assert actions(services, 1) == ["students.pickup_allowed"]
    assert f"{first} {last}" not in [p.name for p in services.students.pickups(student)]

    # A temporary authorisation typed in, Enter in the last box adds it.
    qtbot.keyClicks(w.reason, "Grandmother collects this week")
    qtbot.keyClicks(w.auth_name, "Gina Grandma")
    qtbot.keyClicks(w.auth_dob, "1950-02-03")
    until = (clock.now().astimezone().date() + timedelta(days=4)).isoformat()
    qtbot.keyClicks(w.auth_until, until)
    qtbot.keyClick(w.auth_until, Qt.Key.Key_Return)
    assert _rows(w.authorisations)[0][:2] == ["Gina Grandma", "1950-02-03"]
    assert _rows(w.authorisations)[0][4] == "Dr. Nakamura" and actions(services, 1) == ["students.authorise"]
    # ... and revoked (the selected row).
    w.authorisations.selectRow(0)
    qtbot.keyClicks(w.reason, "Mother will come herself")
    w.revoke_button.click()
    assert w.authorisations.rowCount() == 0 and actions(services, 1) == ["students.authorisation_revoked"]

    # May not pick up: Ctrl+B adds the adult typed; a release to them is then refused.
    qtbot.keyClicks(w.reason, "Protective order on file")
    qtbot.keyClicks(w.bar_name, "Mallory Nopickup")
    qtbot.keyClicks(w.bar_dob, "04/03/1981")  # as her ID prints it (month/day/year), as the desk's form takes it
    qtbot.keyClick(w.bar_name, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert [r[:2] for r in _rows(w.may_not)] == [["Mallory Nopickup", "1981-04-03"]], w.message.text()
    assert _rows(w.may_not)[0][3] == "this office's list"
    refused = services.dismissal.release(ReleaseRequest(student, "Mallory", "Nopickup", "x"))
    assert isinstance(refused, Refused) and refused.code == "may_not_pick_up"
    # A court order is not lifted here (it is kept on its own list).
    pick(qtbot, w, facts.student["stu-00020"][2])
    w.may_not.selectRow(0)
    qtbot.keyClicks(w.reason, "trying")
    w.lift_button.click()
    assert "Tools › Barred and custody lists" in w.message.text()
    assert w.may_not.rowCount() == 1
    # Back to the first student: lift the office's entry.
    pick(qtbot, w, number)
    w.may_not.selectRow(0)
    qtbot.keyClicks(w.reason, "Order ended")
    w.lift_button.click()
    assert w.may_not.rowCount() == 0 and actions(services, 1) == ["students.pickup_bar_lifted"]
    details = services.store.db.execute(
        "SELECT details FROM audit_log WHERE action = 'students.pickup_allowed'"
    ).fetchone()[0]
    assert json.loads(details)["reason"] == "Father's access suspended, letter 12/01"


def test_the_reunification_is_exported_from_the_students_menu(qtbot, desk, facts, tmp_path):
    services = desk.services
    desk_sign_in(qtbot, desk, "desk.lee", "2468")
    run = services.reunification.start(drill=True, site="Synthetic Gym")
    first, last = guardian_name(facts, "stu-00110")
    req = services.reunification.ask(
        ReleaseRequest(services.students.get("stu-00110"), first, last, "reunification")
    )
    services.reunification.send(req.id, "Coach Runner")
    services.reunification.release(req.id)
    services.reunification.end()
    menu = [a.text() for a in desk.students.menu.actions()]
    assert "E&xport the reunification (CSV)…" in menu and "&Merge a reunification laptop's record…" in menu
    out = tmp_path / "reunification.csv"
    assert not desk.students.export_reunification(out)  # desk staff: not theirs
    assert "principal" in desk.window.message.text() and not out.exists()
    desk_sign_in(qtbot, desk, "p.nakamura", PRINCIPAL_PW)
    assert desk.students.export_reunification(out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["status"], r["drill"]) for r in rows] == [("released", "yes")]
    record = tmp_path / "record.json"
    assert desk.students.write_reunification_record(record)
    assert json.loads(record.read_text(encoding="utf-8"))["requests"][0]["card"] == req.card
    # Merged back into the same desk: everything is already here.
    assert desk.students.merge_reunification_record(record)
    assert actions(services, 1) == ["reunify.merge"]
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert not desk.students.merge_reunification_record(bad)
    assert run.drill


def test_the_windows_merge_names_releases_of_another_day(qtbot, desk, facts, tmp_path, monkeypatch):
    """The time red team (session 22): a reunification laptop whose clock was a day behind releases children at
    yesterday's time; merged at the desk they are not signed out today, so today's roster shows them in the
    building. The command line's merge names them; the window's merge (Students › Merge…) said only "merged".
    The laptop is a restored copy of the desk's data, as the README has it made."""
    from frontdesk.cli import main as cli
    from frontdesk.context import Services

    services = desk.services
    copy = services.store.backup("laptop", folder=tmp_path)
    laptop = tmp_path / "laptop"
    assert cli(["--data-dir", str(laptop), "restore", str(copy)]) == 0
    monkeypatch.setattr(clock, "_OFFSET", timedelta(hours=-26))  # the laptop's clock, a day behind
    site = Services.open(laptop)
    try:
        student = site.students.get("stu-00110")
        first, last = guardian_name(facts, "stu-00110")
        site.reunification.start(drill=False, site="Synthetic Stadium")
        req = site.reunification.ask(ReleaseRequest(student, first, last, "reunification"))
        site.reunification.send(req.id, "Coach Runner")
        site.reunification.release(req.id)
        site.reunification.end()
        site.accounts.sign_in("p.nakamura", PRINCIPAL_PW)
        record = tmp_path / "stadium.json"
        with record.open("w", encoding="utf-8") as out:
            site.reunification.export_record(out)
    finally:
        site.close()
    monkeypatch.setattr(clock, "_OFFSET", timedelta(0))  # back at the desk, whose clock is right
    desk_sign_in(qtbot, desk, "p.nakamura", PRINCIPAL_PW)
    assert desk.students.merge_reunification_record(record)
    said = desk.window.message.text()
    assert student.full_name in said and "NOT signed out today" in said, said
    assert desk.window.message.property("kind") == "warning"


def test_made_as_small_as_an_alerts_room_the_lists_scroll_to_each_field_the_keyboard_reaches(qtbot, desk, facts):
    """At 1366x768 during an alert the room left clear of the panic button is about 1366x350 under its status (or
    740 px wide beside the button's row), and the pick-up lists (592 px tall at least) opened over the button.
    Their content scrolls now (session 25, fit-alert): made 740x330, Tab still reaches every field of a
    principal's lists, down to the may-not-pick-up list's at the bottom, and each is scrolled into view. It cannot
    fail on the code before in this way: that window could not be made this small (tests/test_in_sight.py)."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QApplication, QScrollArea

    desk_sign_in(qtbot, desk, "p.nakamura", PRINCIPAL_PW)
    w = desk.students.open_pickups()
    qtbot.waitUntil(w.isActiveWindow)
    w.resize(740, 330)
    qtbot.waitUntil(lambda: w.height() == 330)
    pick(qtbot, w, facts.student["stu-00070"][2])
    area = w.findChild(QScrollArea)
    seen, hidden = [], []
    for _ in range(80):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        if focused in seen or not area.widget().isAncestorOf(focused):
            continue
        seen.append(focused)
        at = QRect(focused.mapTo(area.viewport(), QPoint(0, 0)), focused.size())
        if not area.viewport().rect().intersects(at):
            hidden.append(focused.accessibleName() or type(focused).__name__)
    assert area.verticalScrollBar().maximum() > 0  # it scrolls at that size
    assert w.may_not in seen or any(w.may_not.isAncestorOf(f) for f in seen)  # the list at the bottom reached
    assert area.verticalScrollBar().value() > 0 and hidden == []  # ... scrolled down to, each field in view
