"""Session 22's red team of the kiosk while its database is busy: another program holds ``frontdesk.db`` in a
write transaction (a ``sqlite3`` shell left open, a backup, a list import's step), as a real process. The kiosk
must say what to do next in plain words, count no PIN as wrong, and lose nothing. The real kiosk window
(offscreen) on a real SQLite folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import Qt

from frontdesk.context import Services
from frontdesk.models import Visitor
from printers.fakes import RecordingPrinter
from scanners.samples import DEMO_SCANS
from ui.app_kiosk import build_kiosk

HOLD = textwrap.dedent(
    """
    import sqlite3, sys, time
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    print("holding", flush=True)
    time.sleep(600)
    """
)


@pytest.fixture
def quick_services(data_dir, migrated_folder, monkeypatch):
    """The services, giving up on a busy database after 0.3 s instead of 10 s (FRONTDESK_BUSY_SECONDS)."""
    monkeypatch.setenv("FRONTDESK_BUSY_SECONDS", "0.3")
    shutil.copytree(migrated_folder, data_dir)
    svc = Services.open(data_dir)
    yield svc
    svc.close()


def test_a_busy_database_at_the_kiosk_is_said_in_plain_words_and_no_pin_counts_as_wrong(qtbot, quick_services):
    """Found in session 22: with the database held by another program, a staff member's right PIN at the kiosk
    was answered "Wrong name or PIN." (and counted toward the pause), and a visitor scanning their badge to leave
    was told "We could not read that", though the badge was read and only the check-out could not be saved."""
    services = quick_services
    services.accounts.add("admin", "admin", "admin-pass-1")
    services.accounts.sign_in("admin", "admin-pass-1")
    services.accounts.add("desk1", "desk", "2468")
    services.accounts.sign_out()
    visit = services.checkin.admit(Visitor("Ann", "Testwood"))
    station = build_kiosk(services, printer=RecordingPrinter())
    k = station.window
    qtbot.addWidget(k)
    k.show()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(services.store.path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        # Ann leaves: her badge is read, the check-out cannot be saved now.
        k.on_scanned(visit.badge_code)
        assert "could not read" not in k.welcome_note.text() + k.result_say.text()
        assert "front office" in k.result_title.text() + k.result_say.text()
        # Staff at the kiosk: the right PIN, six times while the database is held.
        k.reset()
        qtbot.mouseClick(k.staff_button, Qt.MouseButton.LeftButton)
        for _ in range(6):
            k.staff_user.setText("desk1")
            k.staff_pin.setText("2468")
            qtbot.keyClick(k.staff_pin, Qt.Key.Key_Return)
            assert "Wrong" not in k.staff_note.text() and "try again" in k.staff_note.text()
        assert services.kiosk.exit_pause() is None
        # A returning visitor who scans their ID: sent to the front office, not a traceback.
        k.reset()
        k.on_scanned(DEMO_SCANS[0].decode("latin-1"))
        assert k.pages.currentWidget() is k.result_page and "front office" in k.result_title.text()
    finally:
        holder.kill()
        holder.wait()
    # The database free again: nothing was lost, and Ann's badge checks her out.
    assert [v.id for v in services.visits.on_site()] == [visit.id]
    k.reset()
    with qtbot.waitSignal(k.visit_checked_out):
        k.on_scanned(visit.badge_code)
    with qtbot.waitSignal(k.exit_requested):
        qtbot.mouseClick(k.staff_button, Qt.MouseButton.LeftButton)
        k.staff_user.setText("desk1")
        k.staff_pin.setText("2468")
        qtbot.keyClick(k.staff_pin, Qt.Key.Key_Return)
    station.stop()


def test_a_damaged_database_at_the_kiosk_sends_people_to_the_front_office_not_a_traceback(qtbot, services):
    """Found in session 22: with the people table's pages damaged on disk (a failing disk, a bad copy), typing
    three letters in Find my name raised the store's "damaged" error out of the kiosk's slot: the desk's
    traceback dialog ("Copy details") over the kiosk, in the lobby. The kiosk now says "Please see the front
    office" (the desk's own start and check say what to do with the file)."""
    import sqlite3

    from frontdesk.models import Visitor

    for i in range(300):  # enough people for the table and its indexes to have pages of their own
        services.checkin.admit(Visitor(f"Ann{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}", "Testwood"), again=True)
    services.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    station = build_kiosk(services, printer=RecordingPrinter())
    k = station.window
    qtbot.addWidget(k)
    k.show()
    try:
        path = services.store.path
        other = sqlite3.connect(path)
        roots = [r for (r,) in other.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'people'") if r]
        page = other.execute("PRAGMA page_size").fetchone()[0]
        other.close()
        with open(path, "r+b") as damaged:
            for root in roots:
                damaged.seek((root - 1) * page)
                damaged.write(b"\xff" * page)
        other = sqlite3.connect(path)  # another program writes: the kiosk's cached pages are read again
        other.execute("CREATE TABLE touched (x)")
        other.commit()
        other.close()
        qtbot.mouseClick(k.find_button, Qt.MouseButton.LeftButton)
        qtbot.keyClicks(k.search_entry, "Testw")
        assert k.pages.currentWidget() is k.result_page and k.result_title.text() == "Please see the front office."
    finally:
        k._may_close = True  # noqa: SLF001
        station.stop()
