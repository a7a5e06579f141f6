"""The desk when a badge goes to the OS print queue and the printer behind it is unplugged, for docs/screenshots/:

    xvfb-run -a -s "-screen 0 1366x768x24" env PYTHONPATH=. .venv/bin/python tools/screenshot_os_queue.py

Starts a private CUPS print server (``tests/cups_server.py``: Debian's cupsd on 127.0.0.1 only) with a queue
"Front Desk DYMO" whose printer is not there (a closed port on loopback), points the desk's Qt and pycups at it
with ``CUPS_SERVER``, checks a visitor in on the demo desk, and grabs the X screen once the desk says what
became of the badge (``badge-os-queue-unplugged-1366x768.png``). Says so and takes nothing where CUPS cannot run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
TASKBAR = 40


def main() -> int:
    """Take the screenshot (0 also when CUPS is not there, after saying so)."""
    from tests.cups_server import CupsServer, CupsUnavailable
    from tests.printer_listeners import closed_port

    try:
        server = CupsServer()
    except CupsUnavailable as exc:
        print(f"screenshot_os_queue: not taken: {exc}")
        return 0
    try:
        server.add_queue("Front_Desk_DYMO", "Front Desk DYMO", closed_port())
        os.environ["CUPS_SERVER"] = server.address  # before Qt's print support or pycups first asks CUPS
        return shoot()
    finally:
        server.stop()


def shoot() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from frontdesk.demo import demo_services
    from frontdesk.settings import BADGE_MEDIA, BADGE_PRINTER
    from tools.demo_desk import sign_in_demo_desk
    from ui.app import Shell, configure_app

    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    configure_app(app)
    services = demo_services()
    services.settings.set(BADGE_PRINTER, "system://Front Desk DYMO?watch=4")
    services.settings.set(BADGE_MEDIA, "dymo-30857")
    shell = Shell(services, demo=True)
    screen = app.primaryScreen().geometry()
    shell.setGeometry(0, 0, screen.width(), screen.height() - TASKBAR)
    shell.show()
    desk = shell.desk
    assert desk is not None
    printing = desk.badge_printing
    size = f"{screen.width()}x{screen.height()}"

    def grab() -> None:
        app.processEvents()
        app.primaryScreen().grabWindow(0).save(str(OUT / f"badge-os-queue-unplugged-{size}.png"))
        printing.panel.on_not_now_clicked()  # the worker ends its job; the desk then quits

    def asked(_question) -> None:
        QTimer.singleShot(400, grab)

    printing.handler.asked.connect(asked)
    printing.worker.job_done.connect(lambda _result: QTimer.singleShot(200, app.quit))

    def check_in() -> None:
        sign_in_demo_desk(desk)
        desk.form.first_name.setText("Avery")
        desk.form.last_name.setText("Testwood")
        desk.form.destination.setText("Ms. Alvarez (Room 12)")
        desk.request_check_in()

    QTimer.singleShot(800, check_in)
    QTimer.singleShot(120_000, app.quit)  # never hang a `make screenshots` run
    app.exec()
    printing.shutdown()
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
