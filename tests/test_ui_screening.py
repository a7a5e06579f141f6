"""Screening at the desk, driven as a secretary would (pytest-qt, offscreen, real SQLite)."""

from __future__ import annotations

import gc
from datetime import date

import pytest
from PySide6.QtCore import Qt

from frontdesk.access.roles import Role
from frontdesk.models import Visitor
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.decisions import Consequence, Outcome
from frontdesk.screening.models import Kind, NewEntry
from ui.app import build_desk
from ui.screening.screening_lists import EntryModel, ListManager


@pytest.fixture
def window(qtbot, services):
    services.settings.set(__import__("frontdesk.settings", fromlist=["x"]).STAFF_NAME, "Pat Demo")
    services.visits.staff = "Pat Demo"
    win = build_desk(services)
    qtbot.addWidget(win.window)
    win.show()
    return win


def put_on_list(services, kind: Kind, students=()):
    return services.lists.add(
        "District list",
        NewEntry(
            "Robert",
            "Smith",
            middle_name="James",
            aliases=("Bobby Smythe",),
            dob=parse_dob("1980-03-14"),
            kind=kind,
            reason="Trespass notice 2026-014" if kind is Kind.BARRED else "Court order 88",
            students=tuple(students),
        ),
    )


def fill(window, first="Bob", last="Smyth", dob="03/14/1980"):
    window.form.first_name.setText(first)
    window.form.last_name.setText(last)
    window.form.dob.setText(dob)
    window.form.destination.setText("Main office")


def test_clear_visitor_checks_in_and_the_screening_is_logged(qtbot, window, services):
    put_on_list(services, Kind.BARRED)
    fill(window, "Ann", "Testwood", "02/03/1985")
    with qtbot.waitSignal(window.visit_checked_in) as signal:
        qtbot.mouseClick(window.check_in_button, Qt.MouseButton.LeftButton)
    assert window.checkin.card is None
    (logged,) = services.decisions.recent(visit_id=signal.args[0].id)
    assert logged.outcome is Outcome.CLEAR and logged.staff == "Pat Demo"


def test_possible_match_holds_the_check_in_until_dismissed_with_a_reason(qtbot, window, services):
    put_on_list(services, Kind.BARRED)
    fill(window)
    with qtbot.waitSignal(window.checkin.card_shown):
        qtbot.mouseClick(window.check_in_button, Qt.MouseButton.LeftButton)
    card = window.checkin.card
    assert services.visits.on_site() == [] and not window.check_in_button.isEnabled()
    assert "Bob is a nickname of Robert" in card.evidence.text()
    assert "BARRED" not in card.findChild(type(card.hint)).text()  # calm wording at the top of the card
    qtbot.mouseClick(card.not_this_person, Qt.MouseButton.LeftButton)  # no reason yet: nothing happens
    assert "reason" in card.hint.text() and services.visits.on_site() == []
    card.reason.setText("Different photo; ID checked")
    with qtbot.waitSignal(window.visit_checked_in) as signal:
        qtbot.mouseClick(card.not_this_person, Qt.MouseButton.LeftButton)
    visit = signal.args[0]
    assert window.checkin.card is None and window.check_in_button.isEnabled()
    (logged,) = services.decisions.recent(visit_id=visit.id)
    assert (logged.outcome, logged.reason) == (Outcome.NOT_THIS_PERSON, "Different photo; ID checked")
    assert services.notifications.unread("principal") == []


def test_confirmed_barred_stops_the_check_in_and_tells_the_principal(qtbot, window, services):
    put_on_list(services, Kind.BARRED)
    fill(window)
    with qtbot.waitSignal(window.checkin.card_shown):
        window.request_check_in()
    with qtbot.waitSignal(window.checkin.check_in_stopped) as signal:
        qtbot.mouseClick(window.checkin.card.same_person, Qt.MouseButton.LeftButton)
    assert signal.args[0].consequence is Consequence.DENY
    assert services.visits.on_site() == []
    assert "Do not admit" in window.message.text() and window.message.property("kind") == "error"
    bar = window.notifications
    assert bar.isVisible() and len(bar.shown) == 1 and "Confirmed Barred match" in bar.shown[0].title
    assert services.decisions.recent()[0].staff == "Pat Demo"


def test_confirmed_custody_admits_and_names_the_students_not_to_release(qtbot, window, services):
    put_on_list(services, Kind.CUSTODY, ["Sam Smith", "Ada Smith"])
    fill(window, "Robert", "Smith", "03/14/1980")
    with qtbot.waitSignal(window.checkin.card_shown):
        window.request_check_in()
    card = window.checkin.card
    assert "Students named: Sam Smith, Ada Smith" in card.entry_details.text()
    with qtbot.waitSignal(window.visit_checked_in) as signal:
        qtbot.mouseClick(card.same_person, Qt.MouseButton.LeftButton)
    visit = signal.args[0]
    assert "do not release Sam Smith, Ada Smith" in visit.note
    assert "Do NOT release Sam Smith, Ada Smith" in window.message.text()
    assert "Do not release: Sam Smith, Ada Smith" in services.notifications.unread("principal")[0].body
    (logged,) = services.decisions.recent(visit_id=visit.id)
    assert logged.outcome is Outcome.CONFIRMED


def test_the_match_card_renders_photos_side_by_side(qtbot, window, services, tmp_path):
    from tools.screenshot_screening import silhouette

    entry = put_on_list(services, Kind.BARRED)
    with services.store.db.conn:
        services.store.db.execute(
            "UPDATE screening_entries SET photo = ? WHERE id = ?", [silhouette("#d8dee6", "#3d5a80"), entry.id]
        )
    window.form.fill(Visitor("Bob", "Smyth", dob=date(1980, 3, 14), photo=silhouette("#e6e1d8", "#7a4e2d")))
    window.form.destination.setText("Main office")
    with qtbot.waitSignal(window.checkin.card_shown) as signal:
        window.request_check_in()
    card = signal.args[0]
    photos = [w for w in card.findChildren(type(card.hint)) if w.accessibleName().endswith("photo")]
    assert [p.pixmap().isNull() for p in photos] == [False, False]
    assert not window.form.isVisible()  # the card takes the form's place until a decision is made
    assert card.grab().save(str(tmp_path / "card.png"))


def test_list_manager_add_search_expire_and_import_with_progress(qtbot, services, tmp_path, person):
    person.answer = "Yes"  # Expire: yes
    manager = ListManager(services)
    qtbot.addWidget(manager)
    manager.show()
    manager.f_source.setEditText("School list")
    manager.f_first.setText("Dana")
    manager.f_last.setText("Whitlock")
    manager.f_dob.setText("1977")
    manager.f_kind.setCurrentIndex(manager.f_kind.findData("watch"))
    qtbot.mouseClick(manager.save_button, Qt.MouseButton.LeftButton)
    assert "Added Dana Whitlock to School list" in manager.status.text()
    manager.search.setText("whitlock")
    assert manager.model.rowCount() == 1 and manager.model.entry_at(0).kind is Kind.WATCH
    manager.table.selectRow(0)
    qtbot.mouseClick(manager.expire_button, Qt.MouseButton.LeftButton)
    assert services.lists.search("whitlock")[0].valid_until < date.today()

    csv = tmp_path / "registry.csv"
    rows = "".join(f"First{i},,Last{i},1970-01-{1 + i % 28:02d},,,\n" for i in range(12000))
    csv.write_text("first_name,middle_name,last_name,dob,aliases,kind,reason\n" + rows)
    manager.i_path.setText(str(csv))
    manager.i_source.setText("State registry")
    manager.i_kind.setCurrentIndex(manager.i_kind.findData("registry"))
    seen = []
    manager._relay.progressed.connect(lambda rows, fraction: seen.append(fraction))
    with qtbot.waitSignal(manager.import_finished, timeout=30000) as signal:
        qtbot.mouseClick(manager.import_button, Qt.MouseButton.LeftButton)
    report, error = signal.args
    assert error is None and report.added == 12000 and seen and seen[-1] == 1.0
    assert "Imported 12,000 entries into State registry" in manager.status.text()
    assert services.lists.search("last11999")[0].source == "State registry"


@pytest.mark.parametrize("answer", ["No", "Yes"])
def test_list_manager_asks_before_a_file_cut_short_replaces_a_list(qtbot, services, tmp_path, person, answer):
    """A replace that would remove more than half of a list is refused by the import; the list manager asks
    whether to replace it anyway (No by default) and, on Yes, imports again saying so."""
    header = "first_name,middle_name,last_name,dob,aliases,kind,reason\n"
    rows = [f"First{i},,Cutshort{i},1970-01-{1 + i:02d},,,\n" for i in range(20)]
    (tmp_path / "full.csv").write_text(header + "".join(rows))
    (tmp_path / "cut.csv").write_text(header + "".join(rows[:4]))
    source = "School <b>list</b>"  # a person's words: shown as typed, never as markup
    services.lists.import_csv(tmp_path / "full.csv", source)
    person.answer = answer
    manager = ListManager(services)
    qtbot.addWidget(manager)
    manager.i_path.setText(str(tmp_path / "cut.csv"))
    manager.i_source.setText(source)
    manager.i_replace.setChecked(True)
    with qtbot.waitSignal(manager.import_finished, timeout=30000) as refused:
        qtbot.mouseClick(manager.import_button, Qt.MouseButton.LeftButton)
    assert refused.args[1].code == "shrink_replace"
    [(text, shown_as)] = [(a.text, a.text_format) for a in person.asked]
    assert "cut.csv would remove more than half of the entries of School <b>list</b>" in text
    assert shown_as == Qt.TextFormat.PlainText
    if answer == "No":
        assert "Nothing was imported" in manager.status.text() and "The list is unchanged" in manager.status.text()
        assert [x.entry_count for x in services.lists.lists()] == [20]
    else:
        qtbot.waitUntil(lambda: f"Imported 4 entries into {source}, replacing 20" in manager.status.text())
        assert [x.entry_count for x in services.lists.lists()] == [4]


@pytest.mark.parametrize("button", ["expire_button", "remove_button"])
def test_list_manager_asks_before_a_bar_is_ended_or_removed_and_no_keeps_it(qtbot, services, person, button):
    """Found on the walk: Expire selected and Remove selected sit beside Edit selected, and one click (on the
    wrong button, or with the wrong row still selected) ended a bar at once: the person screened clear from
    then on. Each now asks, naming the person and the list, with No as the default."""
    listed = services.lists.add("School list", NewEntry("Robert", "Smith", kind=Kind.BARRED, reason="Trespass"))
    person.answer = "No"
    manager = ListManager(services)
    qtbot.addWidget(manager)
    manager.show()
    manager.search.setText("smith")
    manager.table.selectRow(0)
    qtbot.mouseClick(getattr(manager, button), Qt.MouseButton.LeftButton)
    [(text, default, shown_as)] = [(a.text, a.default, a.text_format) for a in person.asked]
    assert "Robert Smith" in text and "School list" in text and "no longer" in text
    assert default == "No" and shown_as == Qt.TextFormat.PlainText
    (kept,) = services.lists.search("smith")
    assert kept.id == listed.id and kept.valid_until is None  # No: nothing changed
    assert "Nothing changed" in manager.status.text()
    person.answer = "Yes"
    manager.table.selectRow(0)
    qtbot.mouseClick(getattr(manager, button), Qt.MouseButton.LeftButton)
    left = services.lists.search("smith")
    assert (left == []) if button == "remove_button" else (left[0].valid_until < date.today())


def test_list_manager_keeps_and_takes_what_the_id_gives(qtbot, services):
    """An entry's sex, ID issuer and last 4 (from a CSV) survive an edit of its reason (saving an edit wrote
    them empty), and a person added by hand can be given them."""
    listed = services.lists.add(
        "School list", NewEntry("Dana", "Whitlock", sex="F", id_state="VA", id_last4="1234", reason="Trespass")
    )
    manager = ListManager(services)
    qtbot.addWidget(manager)
    manager.show()
    manager.search.setText("whitlock")
    manager.table.selectRow(0)
    qtbot.mouseClick(manager.edit_button, Qt.MouseButton.LeftButton)
    assert (manager.f_sex.currentText(), manager.f_id_state.text(), manager.f_id_last4.text()) == (
        "Female",
        "VA",
        "1234",
    )
    manager.f_reason.setText("Trespass notice 2026-014")
    qtbot.mouseClick(manager.save_button, Qt.MouseButton.LeftButton)
    (saved,) = services.lists.search("whitlock")
    assert saved.id == listed.id and saved.reason == "Trespass notice 2026-014"
    assert (saved.sex, saved.id_state, saved.id_last4) == ("F", "VA", "1234")

    manager.f_source.setEditText("School list")
    manager.f_first.setText("Avery")
    manager.f_last.setText("Sample")
    manager.f_sex.setCurrentIndex(manager.f_sex.findData("M"))
    manager.f_id_state.setText("md")
    manager.f_id_last4.setText("S-123-456-789-012")
    qtbot.mouseClick(manager.save_button, Qt.MouseButton.LeftButton)
    (added,) = services.lists.search("avery sample")
    assert (added.sex, added.id_state, added.id_last4) == ("M", "MD", "9012")
    assert manager.f_id_last4.text() == "" and manager.f_sex.currentData() == ""  # ready for the next person


def test_entry_model_without_a_window(services):
    entry = put_on_list(services, Kind.CUSTODY, ["Sam Smith"])
    model = EntryModel()
    model.set_entries([entry])
    cells = [model.index(0, c).data() for c in range(model.columnCount())]
    assert cells[:5] == ["Robert James Smith", "Bobby Smythe", "1980-03-14", "Custody order", "District list"]


def test_without_a_date_of_birth_a_flagged_name_asks_for_it_first(qtbot, window, services):
    put_on_list(services, Kind.BARRED)
    fill(window, "Robert", "Smith", "")
    window.request_check_in()
    assert window.checkin.card is None and services.visits.on_site() == []
    assert "date of birth" in window.message.text()
    window.form.dob.setText("01/02/1990")  # a different person: clear, so the check-in goes through
    with qtbot.waitSignal(window.visit_checked_in):
        window.request_check_in()


def test_esc_and_the_lock_drop_a_held_card_audited_as_abandoned(qtbot, window, services):
    put_on_list(services, Kind.BARRED)
    fill(window)
    with qtbot.waitSignal(window.checkin.card_shown):
        window.request_check_in()
    qtbot.mouseClick(window.checkin.card.not_this_person, Qt.MouseButton.LeftButton)  # no reason
    assert "Say why this is not the person" in window.message.text()  # the message line says so
    window.clear_form()  # Esc
    assert window.checkin.card is None and window.check_in_button.isEnabled()
    assert window.message.text().startswith("Check-in stopped: nobody was admitted.")
    assert services.visits.on_site() == []
    (record,) = services.audit.records(action="checkin.abandoned")
    assert record.subject == "Bob Smyth" and record.details["why"] == "cleared at the desk"
    fill(window)
    with qtbot.waitSignal(window.checkin.card_shown):
        window.request_check_in()
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")  # (a desk locks once one exists)
    window.desk_lock.lock()
    assert window.checkin.card is None and window.desk_lock.is_locked
    services.accounts.sign_in("root", "district-secret")
    assert [r.details["why"] for r in services.audit.records(action="checkin.abandoned")][0] == "the desk locked"


def test_the_match_card_says_how_common_the_name_is_and_what_the_ids_give(qtbot):
    from frontdesk.screening.dates import parse_dob
    from frontdesk.screening.match import Thresholds, prepare, score_entry
    from frontdesk.screening.models import Entry, Query
    from ui.desk.screening_card import MatchCard

    listed = Entry(7, "District", Kind.BARRED, "José", "García", dob=parse_dob("1975-06-14"), sex="M",
                   id_state="TX", id_last4="4821")  # fmt: skip
    query = Query("José", "García", dob=parse_dob("1975-06-14"), sex="M", id_state="TX", id_last4="4821")
    candidate = score_entry(prepare(query), listed, Thresholds())
    card = MatchCard(query, candidate)
    qtbot.addWidget(card)
    assert "García: about 1 person in" in card.how_common.text() and "people in the US" in card.how_common.text()
    assert "Sex: Male" in card.visitor_details.text() and "ID: TX, ending 4821" in card.entry_details.text()
    assert "same last 4 (4821) of an ID from TX" in card.evidence.text()


def test_a_scanned_ids_sex_and_number_reach_the_screening(window):
    scanned = Visitor(
        "Ada", "Okafor", dob=date(1980, 3, 14), id_type="DL", id_issuer="VA", id_last4="3456", sex="F"
    )
    window.form.fill(scanned)
    window.form.destination.setText("Main office")
    visitor = window.form.request().visitor
    assert (visitor.sex, visitor.id_issuer, visitor.id_last4) == ("F", "VA", "3456")


def test_a_note_checks_in_without_a_card_and_the_message_names_it(qtbot, window, services):
    """An entry shown as a note (the listed name without a date of birth, the ID's sex not the list's) does
    not stop the desk: no card, the visit is made, the line after it names the entry, the log keeps it."""
    services.lists.add("District list", NewEntry("Jordan", "Okafor", kind=Kind.BARRED, sex="F"))
    scanned = Visitor(
        "Jordan", "Okafor", dob=date(1980, 3, 14), id_type="DL", id_issuer="VA", id_last4="3456", sex="M"
    )
    window.form.fill(scanned)
    window.form.destination.setText("Main office")
    with qtbot.waitSignal(window.visit_checked_in) as signal:
        qtbot.mouseClick(window.check_in_button, Qt.MouseButton.LeftButton)
    assert window.checkin.card is None
    assert "Not stopped for Jordan Okafor (Barred, District list)" in window.message.text()
    assert window.message.property("kind") == "warning"
    (logged,) = services.decisions.recent(visit_id=signal.args[0].id)
    assert logged.outcome is Outcome.CLEAR and "the sex on the ID is not the list's" in logged.evidence


def test_after_an_upgrade_the_lists_are_prepared_in_the_background_and_check_in_goes_on(qtbot, window, services):
    put_on_list(services, Kind.BARRED)
    db = services.store.db
    with db.conn:  # an index built under the key rules before the upgrade (8: no A: rows)
        db.execute("INSERT OR REPLACE INTO screening_meta (key, value) VALUES ('key_version', '8')")
        db.execute("DELETE FROM screening_keys WHERE key >= 'A:' AND key < 'B'")
    preparation = window.preparation
    preparation.start()  # what the desk does a few seconds after its window opens
    assert preparation.running and preparation.label.isVisibleTo(window.window)
    assert preparation.label.text().startswith("Preparing lists: ")
    assert preparation.label.toolTip().startswith("Preparing the screening lists after the update.")
    fill(window)  # a check-in meanwhile is screened (on whichever index is in force) and held for the match
    qtbot.mouseClick(window.check_in_button, Qt.MouseButton.LeftButton)
    assert window.checkin.card is not None
    frozen = gc.get_freeze_count()
    qtbot.waitUntil(lambda: not preparation.running, timeout=60000)
    assert not preparation.label.isVisibleTo(window.window) and preparation.report is not None
    assert gc.get_freeze_count() > frozen  # what the build left in the caches is out of the collector's way
    assert db.execute("SELECT value FROM screening_meta WHERE key = 'key_version'").fetchone()[0] != "8"
    assert any("screening lists prepared" in e.message for e in services.events.recent(source="screening"))
    preparation.start()  # up to date now: nothing more to do
    assert not preparation.running
