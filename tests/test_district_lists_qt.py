"""The desk window and its copy of the district lists (pytest-qt, offscreen; the hub a real process): the
status bar says "District list as of HH:MM", and once the copy is older than the setting the status bar, the
match card and a clear check-in's message say so."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hub_lists_support import hub_process
from PySide6.QtCore import Qt

from frontdesk import clock
from frontdesk.context import Services
from frontdesk.settings import STAFF_NAME
from frontdesk.sync.client import HubClient
from ui.app import build_desk
from ui.district_lists.status import DistrictListsStatus


@pytest.fixture
def desk_with_district_list(qtbot, tmp_path: Path):
    with hub_process(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path / "hub.log") as hub:
        added = hub.cli("district", "barred", "add", "--source", "District barred list", "--first-name", "Robert",
                        "--last-name", "Smith", "--dob", "1980-03-14")  # fmt: skip
        assert added.returncode == 0, added.stderr
        services = Services.open(tmp_path / "desk")
        client = HubClient([hub.url], hub.enroll())
        services.district_lists.pull(client)
        client.close()
    services.settings.set(STAFF_NAME, "Pat Demo")
    services.visits.staff = "Pat Demo"
    desk = build_desk(services)
    qtbot.addWidget(desk.window)
    desk.show()
    yield desk, services
    services.close()


def _label(desk):
    from PySide6.QtWidgets import QLabel

    return desk.window.findChild(QLabel, "districtListsStatus")


def _fill(desk, first: str, last: str, dob: str) -> None:
    desk.form.first_name.setText(first)
    desk.form.last_name.setText(last)
    desk.form.dob.setText(dob)
    desk.form.destination.setText("Main office")


def test_the_status_bar_card_and_message_say_how_old_the_district_copy_is(
    qtbot, desk_with_district_list, monkeypatch
):
    desk, services = desk_with_district_list
    label = _label(desk)
    assert label is not None
    qtbot.waitUntil(label.isVisible)  # hidden until its first read, just after the window's first paint
    assert label.text().startswith("District list as of ") and "old" not in label.text()

    later = clock.now() + timedelta(hours=30)
    monkeypatch.setattr(clock, "now", lambda: later)
    [item] = desk.window.findChildren(DistrictListsStatus)
    item.refresh()  # it refreshes on its timer; the test asks it now
    assert "30 h old" in label.text() and "bold" in label.styleSheet()

    _fill(desk, "Bob", "Smith", "03/14/1980")
    with qtbot.waitSignal(desk.checkin.card_shown):
        qtbot.mouseClick(desk.check_in_button, Qt.MouseButton.LeftButton)
    card = desk.checkin.card
    assert card.lists_age.isVisibleTo(card) and "30 h old" in card.lists_age.text()
    card.reason.setText("Different person; ID checked")
    with qtbot.waitSignal(desk.visit_checked_in):
        qtbot.mouseClick(card.not_this_person, Qt.MouseButton.LeftButton)

    _fill(desk, "Ann", "Testwood", "02/03/1985")
    with qtbot.waitSignal(desk.visit_checked_in):
        qtbot.mouseClick(desk.check_in_button, Qt.MouseButton.LeftButton)
    assert "30 h old" in desk.message.text()
