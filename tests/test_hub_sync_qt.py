"""Two desks, two data folders, one hub process: the desk window (pytest-qt, offscreen) shows the other
desk's visitor on its on-site list, and its status bar says where it stands with the hub."""

from __future__ import annotations

import keyring
import pytest

from tests.dispatch_keyring import KEYRING_FILE_ENV, FileKeyring
from tests.hub_sync_support import Desk, Hub
from ui.app import build_desk

SCHOOL = "Maple Grove Elementary"


@pytest.fixture
def hub(tmp_path):
    h = Hub(f"sqlite:///{tmp_path / 'hub.db'}").start()
    yield h
    h.kill()


@pytest.fixture
def side_window(qtbot, hub, tmp_path, monkeypatch):
    """The side entrance's desk window in this process (its own data folder and keyring file)."""
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    monkeypatch.setenv(KEYRING_FILE_ENV, str(side.folder / "keyring.json"))
    monkeypatch.setenv("FRONTDESK_ALLOW_FILE_KEYRING", "1")
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    from frontdesk.context import Services

    services = Services.open(side.folder / "data")
    desk = build_desk(services)
    qtbot.addWidget(desk.window)
    desk.window.show()
    yield desk, services
    desk.hub.stop()
    services.close()
    keyring.set_keyring(previous)


def test_the_other_desks_visitor_appears_on_the_on_site_list(qtbot, hub, side_window, tmp_path):
    desk, services = side_window
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    desk.hub.start()
    qtbot.waitUntil(lambda: desk.hub.label.text() == "Hub: in step", timeout=20_000)

    main.check_in("Avery", "Testwood")
    main.sync()  # the main office's own background sync would do the same; here it is one command
    model = desk.window.onsite_model

    def shown() -> bool:
        return any(v.visitor.full_name == "Avery Testwood" for v in model.items())

    qtbot.waitUntil(shown, timeout=20_000)
    visit = next(v for v in model.items() if v.visitor.full_name == "Avery Testwood")
    assert model.cells(visit)[-1] == "Main office"
    assert not desk.window.onsite_table.isColumnHidden(model.HEADERS.index("Desk"))  # another desk's visitor

    hub.kill()  # the hub goes away: the desk says so, and keeps working alone
    qtbot.waitUntil(lambda: desk.hub.label.text().startswith("Hub: offline since"), timeout=30_000)
    assert "Main office" in services.visits.remote_gaps()


def test_reprint_of_another_desks_visitor_is_refused_plainly(qtbot, hub, side_window, tmp_path):
    desk, services = side_window
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    main.check_in("Avery", "Testwood")
    main.sync()
    desk.hub.start()
    model = desk.window.onsite_model
    qtbot.waitUntil(lambda: any(v.visitor.full_name == "Avery Testwood" for v in model.items()), timeout=20_000)
    row = next(i for i, v in enumerate(model.items()) if v.visitor.full_name == "Avery Testwood")
    desk.window.onsite_table.selectRow(row)
    assert desk.window.selected_visit().id < 0  # another desk's visit

    desk.badge_printing.reprint_action.trigger()  # right-click › Reprint badge on the on-site table
    text = desk.window.message.text()
    assert "Avery Testwood was checked in at Main office" in text and "reprint the badge there" in text

    # The service refuses the same way (the CLI and any other caller), and records no print of it.
    from frontdesk.badges.service import Outcome

    result = services.badges.print_badge(desk.window.selected_visit(), services.badges.printer())
    assert result.outcome is Outcome.FAILED and "checked in at Main office" in result.message
    assert services.store.db.execute("SELECT COUNT(*) FROM badge_prints").fetchone()[0] == 0


def test_a_desk_whose_clock_is_a_day_behind_says_so_on_its_status_bar(qtbot, hub, side_window, monkeypatch):
    """The clock measured against the hub's at each pull: the hub item says it in amber, and its tooltip (the
    item may be cut with "…" on a narrow screen) says it first, with what to do."""
    from datetime import timedelta

    from frontdesk import clock

    desk, _ = side_window
    # The shift FRONTDESK_CLOCK_OFFSET_SECONDS gives a desk from its start (a dead clock battery), given here.
    monkeypatch.setattr(clock, "_OFFSET", timedelta(hours=-26))
    desk.hub.start()
    # Measured when a pull's answer comes: the first may be a long poll of up to 20 s (nothing new for this desk).
    qtbot.waitUntil(lambda: "this PC's clock is 1 day 2 hours behind" in desk.hub.label.text(), timeout=45_000)
    assert desk.hub.label.text() == "Hub: in step; this PC's clock is 1 day 2 hours behind"
    from PySide6.QtGui import QTextDocument

    shown = QTextDocument()
    shown.setHtml(desk.hub.label.toolTip())  # the tooltip as it reads (plain text, escaped for Qt's rich text)
    assert shown.toPlainText().startswith(
        "This PC's clock is 1 day 2 hours behind: set this PC's date, time and time zone right, or tell school IT."
    )
    assert "#8a5a00" in desk.hub.label.styleSheet()
