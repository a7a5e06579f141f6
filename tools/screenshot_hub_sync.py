"""Screenshots of the desk's hub link for docs/screenshots/ (run by hand under Xvfb, not collected by pytest).

    xvfb-run -s "-screen 0 1366x768x24" env PYTHONPATH=. python tools/screenshot_hub_sync.py docs/screenshots

A real hub process on loopback and two desks of one school: the main office (its commands run as
``frontdesk`` processes) checks two visitors in; the side entrance's window (this process) shows them on its
on-site list with their desk, and its status bar says "Hub: in step"; then its clock is a day behind and the
status bar says so; then the hub goes away and the status bar says since when it is offline.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from frontdesk import clock
from frontdesk.context import Services
from frontdesk.dispatch.credentials import MemoryCredentials
from frontdesk.models import Visitor
from tests.hub_sync_support import Desk, Hub
from ui.app import build_desk

SCHOOL = "Maple Grove Elementary"


def pump(app: QApplication, until, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise RuntimeError("state not reached")
        app.processEvents()
        time.sleep(0.02)
    for _ in range(10):
        app.processEvents()
        time.sleep(0.02)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        hub = Hub(f"sqlite:///{Path(tmp) / 'hub.db'}").start()
        try:
            main_desk = Desk(Path(tmp) / "main", "Main office").set_up(hub, SCHOOL)
            side = Desk(Path(tmp) / "side", "Side entrance").set_up(hub, SCHOOL)
            credential = (side.folder / "keyring.json").read_text().split('": "')[1].rstrip('"}')
            services = Services.open(side.folder / "data")
            services.station.credentials = MemoryCredentials()
            services.station.credentials.save(credential)
            services.checkin.admit(Visitor("Jordan", "Sampleton"), destination="Gym", purpose="Coach meeting")
            main_desk.check_in("Avery", "Testwood", "--destination", "Room 12", "--purpose", "Parent conference")
            main_desk.check_in("Riley", "Examplar", "--destination", "Library", "--category", "contractor")
            main_desk.sync()
            desk = build_desk(services)
            desk.window.resize(1366, 768)
            desk.window.show()
            desk.hub.start()
            pump(app, lambda: desk.window.onsite_model.rowCount() == 3 and desk.hub.label.text() == "Hub: in step")
            desk.window.grab().save(str(out / "hub-desk-in-step-1366x768.png"))
            # This PC's clock a day and two hours behind (a dead clock battery): said at its next pull. The shift
            # FRONTDESK_CLOCK_OFFSET_SECONDS gives a desk from its start, given to this running one.
            clock._OFFSET = timedelta(hours=-26)
            pump(app, lambda: "clock is 1 day 2 hours behind" in desk.hub.label.text(), timeout=60)
            desk.window.grab().save(str(out / "hub-desk-clock-behind-1366x768.png"))
            clock._OFFSET = timedelta(0)
            hub.kill()
            pump(app, lambda: desk.hub.label.text().startswith("Hub: offline since"), timeout=60)
            desk.window.grab().save(str(out / "hub-desk-offline-1366x768.png"))
            desk.hub.stop()
            services.close()
        finally:
            hub.kill()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
