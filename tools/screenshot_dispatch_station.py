"""Screenshots of the station's panic states for docs/screenshots/ (run by hand, not collected by pytest).

    QT_QPA_PLATFORM=offscreen PYTHONPATH=. python tools/screenshot_dispatch_station.py docs/screenshots

Uses the real console on loopback, like the tests: sending, received, acknowledged, NOT DELIVERED (with the
link-down banner) and the district LOCKDOWN banner; then the whole front-desk window in demo mode (its
in-process demo console) after a LOCKDOWN press.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget  # noqa: E402

from frontdesk.context import Services  # noqa: E402
from frontdesk.dispatch.credentials import MemoryCredentials  # noqa: E402
from frontdesk.dispatch.link import LinkTimings  # noqa: E402
from frontdesk.models import Visitor  # noqa: E402
from tests.dispatch_station_support import console_at, set_up_station  # noqa: E402
from ui.dispatch.dispatch_worker import DispatchWorker  # noqa: E402
from ui.dispatch.panic import DispatchBanners, PanicPanel  # noqa: E402

TIMINGS = LinkTimings(heartbeat=0.3, heartbeat_down=0.2, probe=0.1, inbox_wait=1, backoff_cap=0.3)


def pump(app: QApplication, until, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise RuntimeError("state not reached")
        app.processEvents()
        time.sleep(0.02)
    for _ in range(5):
        app.processEvents()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp, console_at(Path(tmp) / "console") as console:
        services = Services.open(Path(tmp) / "station")
        set_up_station(services)
        services.station.credentials = MemoryCredentials()
        for first, last, dest in [("Avery", "Testwood", "Room 12"), ("Jordan", "Sampleton", "Gym")]:
            services.checkin.admit(Visitor(first, last), destination=dest)
        with console.up():
            services.station.connect(console.url, console.credential)
        worker = DispatchWorker(services.station, TIMINGS, daily_test=False)
        window = QWidget()
        window.setWindowTitle("FrontDesk — panic alert")
        banners = DispatchBanners(services.station, worker, window)
        panel = PanicPanel(services.station, worker, parent=window)
        layout = QVBoxLayout(window)
        layout.addWidget(banners)
        layout.addWidget(panel)
        layout.addStretch(1)
        window.resize(720, 440)
        window.show()
        worker.start()

        def shot(name: str) -> None:
            window.grab().save(str(out / f"dispatch-station-{name}.png"))

        try:
            with console.up():
                pump(app, lambda: worker.link.health.state == "up")
                shot("idle")
                services.station.press("lockdown", note="Person with a weapon near the gym")
                panel.on_entry_changed(services.station.latest())
                panel.refresh()
                pump(app, lambda: True)
                shot("sending")
                worker.wake()
                pump(app, lambda: panel.status_level == "received")
                shot("received")
                console.service.ack("Dana Dispatcher", identifier=services.station.latest().identifier)
                pump(app, lambda: panel.status_level == "acknowledged")
                shot("acknowledged")
            # Console gone: a new press stays red until it is delivered.
            services.station.all_clear(role="principal")
            panel._incident = None
            entry = services.station.press("medical", note="Student collapsed in room 12")
            panel._incident = entry.incident
            worker.wake()
            pump(app, lambda: panel.status_level == "not_delivered" and banners.link_banner.isVisible())
            shot("not-delivered")
            with console.up():
                pump(app, lambda: panel.status_level == "late")
                shot("delivered-late")
                console.service.push_state("Dana Dispatcher", [console.school], "LOCKDOWN", note="Police activity")
                pump(app, lambda: banners.freeze_banner.isVisible())
                shot("lockdown-banner")
        finally:
            worker.stop()
            services.close()


def desk_window(out: Path) -> None:
    from frontdesk.demo import demo_services
    from tools.demo_desk import sign_in_demo_desk
    from ui.app import build_desk, configure_app

    app = QApplication.instance() or QApplication([])
    configure_app(app)
    services = demo_services()
    window = build_desk(services, demo=True)
    sign_in_demo_desk(window)
    window.resize(1280, 800)
    window.show()
    desk = window.dispatch
    desk.start()
    try:
        pump(app, lambda: desk.worker.link.health.state == "up")
        desk.panel.on_hold_completed()  # what a completed 1.5 s hold does
        pump(app, lambda: desk.panel.status_level == "received")
        window.grab().save(str(out / "dispatch-station-desk-window.png"))
    finally:
        desk.stop()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    main(target)
    desk_window(target)
