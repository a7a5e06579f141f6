"""Screenshots of badge printing for docs/ (``QT_QPA_PLATFORM=offscreen python tools/screenshot_badges.py``).

Checks a visitor in on the demo desk (the preview printer shows the badge), then opens the badge printer
settings with a Brother label chosen, and grabs both windows into docs/screenshots/.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from frontdesk.demo import demo_services
from tools.demo_desk import sign_in_demo_desk
from ui.app import build_desk, configure_app
from ui.badges.printer_settings import PrinterSettingsDialog

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main() -> int:
    """Take the badge screenshots."""
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    configure_app(app)
    services = demo_services()
    desk = build_desk(services, demo=True)
    window = desk.window
    sign_in_demo_desk(desk)
    window.resize(1280, 860)
    window.show()
    desk.form.first_name.setText("Avery")
    desk.form.last_name.setText("Testwood")
    desk.form.destination.setText("Ms. Alvarez (Room 12)")
    printed = QEventLoop()
    desk.badge_printing.worker.job_done.connect(printed.quit)
    QTimer.singleShot(5000, printed.quit)
    desk.request_check_in()
    printed.exec()
    app.processEvents()
    window.grab().save(str(OUT / "badge-after-check-in.png"))

    dialog = PrinterSettingsDialog(services.settings, services.badges, window)
    dialog.panel.media.setCurrentIndex(dialog.panel.media.findData("brother-62x100"))
    dialog.panel.printer.setCurrentText("brother+tcp://10.0.0.21?model=QL-820NWB&label=62x100")
    dialog.show()
    app.processEvents()
    dialog.grab().save(str(OUT / "badge-printer-settings.png"))
    desk.badge_printing.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
