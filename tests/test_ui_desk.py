"""The front-desk window, driven by keyboard as a secretary would (pytest-qt, offscreen)."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest
from PySide6.QtCore import Qt

from frontdesk import settings as s
from frontdesk.models import Visitor
from frontdesk.text import format_badge_code
from ui.app import Shell, build_desk
from ui.desk.visitor_form import parse_dob
from ui.table_models import OnSiteModel, format_duration


@pytest.fixture
def window(qtbot, services):
    services.directory.add("Ms. Alvarez", "staff", "Room 12")
    win = build_desk(services)
    qtbot.addWidget(win.window)
    win.show()
    return win


def type_into(qtbot, widget, text):
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def test_check_in_by_keyboard_shows_the_visitor_on_site(qtbot, window, services):
    assert window.scan_entry.hasFocus() or window.focusWidget() is window.scan_entry
    type_into(qtbot, window.scan_entry, "Ann Testwood")
    qtbot.keyClick(window.scan_entry, Qt.Key.Key_Return)
    assert window.form.first_name.text() == "Ann" and window.form.last_name.text() == "Testwood"
    type_into(qtbot, window.form.dob, "02/03/1980")
    type_into(qtbot, window.form.destination, "Ms. Alvarez (Room 12)")
    with qtbot.waitSignal(window.visit_checked_in) as signal:
        qtbot.keyClick(window.form.destination, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    visit = signal.args[0]
    assert visit.visitor.dob == date(1980, 2, 3) and visit.destination == "Ms. Alvarez (Room 12)"
    assert window.onsite_model.rowCount() == 1 and window.onsite_count.text() == "1 on site"
    assert window.onsite_table.isColumnHidden(window.onsite_model.HEADERS.index("Desk"))  # this desk's alone
    assert format_badge_code(visit.badge_code) in window.message.text()
    assert window.message.property("kind") == "success"
    assert window.form.first_name.text() == ""  # ready for the next visitor
    assert [v.id for v in services.visits.on_site()] == [visit.id]


def test_missing_name_says_what_to_do(qtbot, window, services):
    window.request_check_in()
    assert "first and last name" in window.message.text()
    assert services.visits.on_site() == []


def test_bad_date_of_birth_is_explained_not_stored(qtbot, window, services):
    window.form.first_name.setText("Ann")
    window.form.last_name.setText("Testwood")
    window.form.dob.setText("13/45/1980")
    window.request_check_in()
    assert window.message.property("kind") == "warning" and "not a real date" in window.message.text()
    assert services.visits.on_site() == []


def test_scanning_a_badge_code_into_the_big_entry_checks_out(qtbot, window, services):
    visit = services.checkin.admit(Visitor(first_name="Ben", last_name="Sampleton"))
    window.refresh_on_site()
    with qtbot.waitSignal(window.visit_checked_out):
        type_into(qtbot, window.scan_entry, format_badge_code(visit.badge_code).lower())
        qtbot.keyClick(window.scan_entry, Qt.Key.Key_Return)
    assert services.visits.on_site() == [] and window.onsite_model.rowCount() == 0
    assert "Checked out Ben Sampleton" in window.message.text()


def test_check_out_the_selected_row_with_the_button(qtbot, window, services):
    services.checkin.admit(Visitor(first_name="Ben", last_name="Sampleton"))
    window.refresh_on_site()
    window.onsite_table.selectRow(0)
    with qtbot.waitSignal(window.visit_checked_out):
        qtbot.mouseClick(window.checkout_button, Qt.MouseButton.LeftButton)
    assert services.visits.on_site() == []


def test_unknown_typed_badge_code_is_a_plain_message(qtbot, window):
    type_into(qtbot, window.checkout_entry, "ZZZZ-ZZZZ")
    qtbot.keyClick(window.checkout_entry, Qt.Key.Key_Return)
    assert "No visit found" in window.message.text()


def test_a_visit_id_typed_in_the_check_out_box_checks_no_one_out(qtbot, window, services):
    first = services.checkin.admit(Visitor(first_name="Ben", last_name="Sampleton"))
    services.checkin.admit(Visitor(first_name="Cy", last_name="Fakerson"))
    window.refresh_on_site()
    type_into(qtbot, window.checkout_entry, str(first.id))
    qtbot.keyClick(window.checkout_entry, Qt.Key.Key_Return)
    assert "not a badge code" in window.message.text() and window.message.property("kind") == "warning"
    assert len(services.visits.on_site()) == 2 and window.onsite_model.rowCount() == 2
    assert window.checkout_entry.text() == str(first.id)  # left to be corrected


def test_returning_visitor_is_checked_in_with_one_action(qtbot, window, services):
    first = services.checkin.admit(
        Visitor(first_name="Ann", last_name="Testwood", dob=date(1980, 2, 3)),
        purpose="Volunteer",
        destination="Library",
    )
    services.visits.check_out(first.badge_code)
    type_into(qtbot, window.scan_entry, "testw")
    assert window.returning.isVisible() and window.returning.count() == 1
    with qtbot.waitSignal(window.visit_checked_in) as signal:
        qtbot.keyClick(window.scan_entry, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    visit = signal.args[0]
    assert visit.visitor.id == first.visitor.id and visit.destination == "Library" and visit.purpose == "Volunteer"


def test_down_from_the_big_entry_moves_into_the_returning_visitors(qtbot, window, services):
    services.visits.check_out(services.checkin.admit(Visitor(first_name="Ann", last_name="Testwood")).badge_code)
    qtbot.keyClick(window.scan_entry, Qt.Key.Key_Down)  # no list shown: Down stays with the entry
    assert not window.returning.isVisible() and window.focusWidget() is window.scan_entry
    type_into(qtbot, window.scan_entry, "testw")
    assert window.returning.isVisible() and window.returning.count() == 1
    qtbot.keyClick(window.scan_entry, Qt.Key.Key_Down)
    assert window.focusWidget() is window.returning and window.returning.currentRow() == 0


def test_someone_already_on_site_is_flagged_before_a_second_check_in(qtbot, window, services):
    services.checkin.admit(Visitor(first_name="Ann", last_name="Testwood"))
    window.refresh_on_site()
    type_into(qtbot, window.scan_entry, "Testwood")
    qtbot.keyClick(window.scan_entry, Qt.Key.Key_Return)
    assert window.message.property("kind") == "warning" and "already on site" in window.message.text()
    # Pressing Check in after the warning is the deliberate second check-in.
    with qtbot.waitSignal(window.visit_checked_in):
        window.request_check_in()
    assert len(services.visits.on_site()) == 2


def test_frozen_check_in_refuses_and_says_why(qtbot, window, services):
    window.set_check_in_frozen("LOCKDOWN — do not admit visitors")
    window.form.first_name.setText("Ann")
    window.form.last_name.setText("Testwood")
    window.request_check_in()
    assert services.visits.on_site() == [] and "LOCKDOWN" in window.message.text()
    assert not window.check_in_button.isEnabled()
    window.set_check_in_frozen(None)
    with qtbot.waitSignal(window.visit_checked_in):
        window.request_check_in()


def test_status_bar_says_not_configured_until_devices_exist(window):
    assert {k: v.text() for k, v in window.health.items()} == {
        "scanner": "● Scanner: not configured",
        "printer": "● Printer: on-screen preview",  # badges: the preview printer until one is set up
        "dispatch": "● Dispatch: not configured",
    }
    window.set_health("printer", "error", "not reachable")
    assert window.health["printer"].state == "error"


def test_the_hub_and_district_list_items_read_after_the_first_paint_and_do_read(qtbot, services):
    """Issue 13: neither status item reads (nor builds its service) while the window is being built; both read
    once the event loop runs."""
    desk = build_desk(services)
    qtbot.addWidget(desk.window)
    assert "sync" not in services.built() and "district_lists" not in services.built()
    assert not desk.hub._timer.isActive() and not desk.hub.label.isVisibleTo(desk.window)
    qtbot.waitUntil(lambda: {"sync", "district_lists"} <= set(services.built()), timeout=10_000)
    assert desk.hub._timer.isActive() and desk.hub.label.text().startswith("Hub")


def test_every_input_has_an_accessible_name(window):
    from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton

    for widget in (
        window.findChildren(QLineEdit) + window.findChildren(QPushButton) + window.findChildren(QComboBox)
    ):
        if widget.isVisibleTo(window.window) and not isinstance(widget.parent(), QComboBox):
            assert widget.accessibleName(), widget


def test_first_run_asks_four_things_then_opens_the_desk(qtbot, services):
    shell = Shell(services)
    qtbot.addWidget(shell)
    assert shell.desk_window is None
    panel = shell.first_run
    panel.on_save_clicked()
    assert "school name" in panel.problem.text() and shell.desk_window is None
    panel.fields[s.SCHOOL_NAME.key].setText("Maple Grove Elementary")
    panel.fields[s.STATION_NAME.key].setText("Main office desk")
    panel.fields[s.STATION_ROOM.key].setText("Room 101")
    qtbot.keyClick(panel.fields[s.STATION_ROOM.key], Qt.Key.Key_Return)
    # Then the district administrator's account (issue 7), signed in on creation.
    admin = shell.create_admin
    assert services.settings.is_configured() and shell.currentWidget() is admin and shell.desk_window is None
    admin.password.setText("district-secret")
    admin.repeat.setText("district-secret")
    qtbot.keyClick(admin.repeat, Qt.Key.Key_Return)
    assert services.session.actor.username == "admin" and shell.desk_window is not None
    assert shell.currentWidget() is shell.desk_window and "Maple Grove" in shell.desk_window.windowTitle()
    assert services.visits.station == "Main office desk"


def test_the_real_launchs_window_asks_its_questions(qtbot, services, person):
    """Found on the walk (session 25): the window ``frontdesk`` and ``make run`` open is this Shell, which kept the
    desk window in an attribute named ``window``, hiding QWidget.window(). Before every question and dialog
    (ui.asking) each open window's live parts are looked for with window(): under the Shell each one failed with
    "TypeError: 'MainWindow' object is not callable" and a "FrontDesk problem" box instead of the question, so no
    question was ever asked at a real desk (Expected guests, the badge printer's settings, a file to import, ...).
    The tests built the desk window alone, so none saw it."""
    from frontdesk.access.roles import Role

    for setting, value in ((s.SCHOOL_NAME, "Maple Grove Elementary"), (s.STATION_NAME, "Main office desk")):
        services.settings.set(setting, value)
    services.settings.set(s.STATION_ROOM, "Room 101")
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    services.accounts.add("desk.lee", Role.DESK, "2468", "Lee Desk")
    shell = Shell(services)
    qtbot.addWidget(shell)
    shell.show()
    lock = shell.desk.desk_lock
    assert not lock.is_locked
    lock.open_accounts()
    accounts = lock.accounts_window
    accounts.table.selectRow(
        next(r for r in range(accounts.table.rowCount()) if accounts.table.item(r, 0).text() == "desk.lee")
    )
    person.answer = "No"
    qtbot.mouseClick(accounts.disable_button, Qt.MouseButton.LeftButton)
    assert [a.default for a in person.asked] == ["No"] and "Disable desk.lee" in person.asked[0].text
    assert not services.accounts.get("desk.lee").disabled and shell.desk_window.isEnabled()


def test_on_site_model_without_a_window(services):
    visit = services.checkin.admit(Visitor(first_name="Ann", last_name="Testwood"))
    model = OnSiteModel(now=lambda: visit.time_in.replace(hour=(visit.time_in.hour + 1) % 24))
    model.set_items([visit])
    assert model.rowCount() == 1 and model.columnCount() == 7  # the last: the desk that checked them in
    assert model.data(model.index(0, 0)) == "Ann Testwood"
    assert model.data(model.index(0, 5)) == format_badge_code(visit.badge_code)
    assert format_duration(65 * 60) == "1 h 05 min" and format_duration(59) == "0 min"


def test_on_site_now_shows_the_day_of_a_visitor_in_since_an_earlier_day(services):
    """Nobody checked them out three days ago: "In at 13:00" read as since this afternoon. The day too, as the
    emergency roster and `frontdesk onsite` say it since session 22 (the time red team's finding)."""
    from datetime import timedelta

    from frontdesk import clock

    now = clock.now()
    old = services.checkin.at(now=lambda: now - timedelta(days=3)).admit(Visitor("Bob", "Sampleton"))
    new = services.checkin.admit(Visitor("Ann", "Testwood"))
    model = OnSiteModel(now=lambda: now)
    model.set_items([old, new])
    assert model.data(model.index(0, 3)) == f"{old.time_in.astimezone():%m/%d %H:%M}"
    assert model.data(model.index(1, 3)) == f"{new.time_in.astimezone():%H:%M}"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("1980-02-03", date(1980, 2, 3)),
        ("02/03/1980", date(1980, 2, 3)),
        ("2/3/1980", date(1980, 2, 3)),
        ("02031980", date(1980, 2, 3)),
        ("", None),
    ],
)
def test_dates_of_birth_as_typed_at_a_desk(typed, expected):
    assert parse_dob(typed) == expected


@pytest.mark.parametrize("typed", ["02/30/1980", "1980", "yesterday"])
def test_impossible_dates_of_birth(typed):
    with pytest.raises(ValueError):
        parse_dob(typed)


def test_event_log_window_shows_device_problems(qtbot, window, services):
    services.events.record("printer", "error", "Badge printer not reachable — is it on? (IP 10.0.0.20)")
    window.show_event_log()
    table = window.event_log_window.table
    assert table.rowCount() == 1
    assert table.item(0, 1).text() == "Printer" and table.item(0, 2).text() == "Problem"
    assert "not reachable" in table.item(0, 3).text()


def test_settings_window_saves_typed_values(qtbot, window, services):
    window.show_settings()
    editors = window.settings_window.editors
    editors[s.SCHOOL_NAME.key].setText("Cedar Hill Middle")
    editors[s.BADGE_VALID_HOURS.key].setValue(6)
    window.settings_window.on_save_clicked()
    assert services.settings.get(s.SCHOOL_NAME) == "Cedar Hill Middle"
    assert services.settings.get(s.BADGE_VALID_HOURS) == 6
    assert window.settings_window.problem.text() == "Saved."


def _district_sets(services, *rows: tuple[s.Setting, str, bool]) -> None:
    """The district's layer as a pull from the hub leaves it (``district_settings``: value as JSON, lock)."""
    with services.store.transaction() as db:
        for setting, value, locked in rows:
            db.execute(
                "INSERT INTO district_settings (key, value, locked) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, locked = excluded.locked",
                [setting.key, value, int(locked)],
            )


def test_settings_window_saves_only_what_was_changed_and_leaves_the_districts_values_to_the_district(
    qtbot, window, services
):
    # The district sets the idle lock (a default the desk may change) and locks the retention of visits.
    _district_sets(services, (s.LOCK_AFTER_MINUTES, "2", False), (s.RETAIN_VISITS_DAYS, "365", True))
    window.show_settings()
    settings_window = window.settings_window
    editors = settings_window.editors
    locked = editors[s.RETAIN_VISITS_DAYS.key]
    assert not locked.isEnabled() and "district" in locked.toolTip()  # shown as the district's, not editable
    assert editors[s.LOCK_AFTER_MINUTES.key].value() == 2
    editors[s.STATION_ROOM.key].setText("Room 101")
    settings_window.on_save_clicked()
    assert settings_window.problem.text() == "Saved."  # the locked setting it did not touch stops nothing
    assert services.settings.get(s.STATION_ROOM) == "Room 101"
    # The district's default was not copied in as this desk's own: the district's next change still reaches it.
    _district_sets(services, (s.LOCK_AFTER_MINUTES, "3", False))
    assert services.settings.get(s.LOCK_AFTER_MINUTES) == 3
    changed = {r.subject for r in services.audit.records(action="settings.change")}
    assert changed == {s.STATION_ROOM.key}


def test_settings_window_refuses_a_number_it_cannot_read_in_plain_words_and_saves_nothing(qtbot, window, services):
    window.show_settings()
    settings_window = window.settings_window
    settings_window.editors[s.STATION_ROOM.key].setText("Room 9")
    settings_window.editors[s.SCREEN_MATCH.key].setText("high")
    settings_window.on_save_clicked()
    problem = settings_window.problem.text()
    assert "could not convert" not in problem
    assert problem.startswith("Not saved: Match from score must be a number") and "nothing was changed" in problem
    assert settings_window.focusWidget() is settings_window.editors[s.SCREEN_MATCH.key]  # the field, in view
    assert services.settings.get(s.STATION_ROOM) == ""  # all or nothing: the room waits for the number
    settings_window.editors[s.SCREEN_MATCH.key].setText("1.5")
    settings_window.on_save_clicked()
    assert "at most 1" in settings_window.problem.text() and services.settings.get(s.STATION_ROOM) == ""


def test_settings_window_shows_the_values_in_force_each_time_it_opens(qtbot, window, services):
    window.show_settings()
    window.settings_window.close()
    _district_sets(services, (s.LOCK_AFTER_MINUTES, "7", False))
    window.show_settings()
    assert window.settings_window.editors[s.LOCK_AFTER_MINUTES.key].value() == 7


def _qt_names(widget) -> set[str]:
    """The names Qt's own classes give ``widget``'s type (methods, signals, enums)."""
    names: set[str] = set()
    for klass in type(widget).__mro__:
        if klass.__module__.startswith(("PySide6.", "Shiboken")):
            names |= set(vars(klass))
    return names


def test_no_window_of_the_real_launch_hides_a_qt_method_with_an_attribute(qtbot, services):
    """After the Shell's ``window`` hid QWidget.window() (session 25's walk: every question at a real desk failed),
    every widget of the real launch, and of the windows its menus open, is read for an attribute named as one of
    Qt's own (``window``, ``parent``, ``close``, ``show``, ``update``...): a Qt call on it would get our object."""
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QApplication

    from frontdesk.access.roles import Role

    for setting, value in ((s.SCHOOL_NAME, "Maple Grove Elementary"), (s.STATION_NAME, "Main office desk")):
        services.settings.set(setting, value)
    services.settings.set(s.STATION_ROOM, "Room 101")
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    shell = Shell(services)
    qtbot.addWidget(shell)
    shell.show()
    window = shell.desk_window
    window.show_event_log()
    window.show_settings()
    shell.desk.desk_lock.open_accounts()
    hidden = sorted(
        f"{type(w).__name__}.{name}"
        for w in [shell, *QApplication.allWidgets()]
        if type(w).__module__.split(".")[0] in ("ui", "printers", "scanners")
        for name, value in getattr(w, "__dict__", {}).items()
        if name in _qt_names(w) and not isinstance(value, SignalInstance)  # a signal's own, cached by PySide6
    )
    assert hidden == []


def test_no_qt_class_of_ours_assigns_an_attribute_named_as_a_qt_method():
    """The same, read from the source of every class of ``ui/`` built on a Qt class (windows the walk above does
    not open included): ``self.<name> = ...`` where Qt's own classes of it already have ``<name>``. Found three
    more (NotifyDesk.sender and ReviewWindow.sender hid QObject.sender(), StudentsWindow.actions hid
    QWidget.actions()): renamed."""
    import ast
    import importlib
    import inspect
    import pkgutil

    from PySide6.QtCore import QObject

    import ui

    hidden = []
    for info in pkgutil.walk_packages(ui.__path__, "ui."):
        module = importlib.import_module(info.name)
        for klass in vars(module).values():
            if not (inspect.isclass(klass) and issubclass(klass, QObject) and klass.__module__ == info.name):
                continue
            qt_names = {n for k in klass.__mro__ if k.__module__.startswith("PySide6.") for n in vars(k)}
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
            for node in ast.walk(tree):
                targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
                for target in targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "self"
                        and target.attr in qt_names
                    ):
                        hidden.append(f"{info.name}.{klass.__name__}.{target.attr}")
    assert sorted(set(hidden)) == []
