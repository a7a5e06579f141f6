"""Run by tests/test_preflight.py under Xvfb: the real desk (``ui.app`` as ``frontdesk`` starts it, over a
configured data folder) on the xcb platform; grabs the X screen into the PNG named on the command line."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from frontdesk import settings as s
from frontdesk.access.roles import Role
from frontdesk.context import Services
from ui import app as desk_app


def main(out: Path) -> int:
    """Start the desk, take the screenshot once it is drawn, quit."""
    folder = Path(tempfile.mkdtemp()) / "data"
    services = Services.open(folder)
    services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
    services.settings.set(s.STATION_NAME, "Main office desk")
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")  # the desk, locked
    services.close()

    tries = [0]

    def grab() -> None:
        # On a loaded machine the first paint can come late: grab until the screen shows a drawn desk (or 30 s).
        app = QApplication.instance()
        shot = app.primaryScreen().grabWindow(0)
        image = shot.toImage()
        tries[0] += 1
        grid = {image.pixel(x, y) for x in range(0, image.width(), 40) for y in range(0, image.height(), 40)}
        if len(grid) < 8 and tries[0] < 60:
            QTimer.singleShot(500, grab)
            return
        print(f"platform {app.platformName()}", flush=True)
        shot.save(str(out))
        app.quit()

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    QApplication(sys.argv[:1])  # run() uses this one; the timer needs it to exist
    # The first timer fires once run() has built the desk and entered the event loop; then let it paint.
    QTimer.singleShot(0, lambda: QTimer.singleShot(1500, grab))
    return desk_app.run(folder)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
