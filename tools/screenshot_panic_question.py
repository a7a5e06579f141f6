"""Screenshot of the desk window with a question waiting in front of Review, the panic button taking clicks
(docs/screenshots/desk-question-panic-1366x768.png; run under Xvfb by ``make screenshots``):

    xvfb-run -a -s "-screen 0 1366x768x24" env PYTHONPATH=. python tools/screenshot_panic_question.py

The real desk on the xcb platform, Review open over it and its question "Check out forgotten visitors?" up:
every window is held (greyed) but the panic control, the dispatch banners and the emergency roster button
(``ui.asking``). The question is answered No once the screen is grabbed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from frontdesk import settings as s  # noqa: E402
from frontdesk.context import Services  # noqa: E402
from frontdesk.models import Visitor  # noqa: E402
from ui.app import build_desk, configure_app  # noqa: E402
from ui.asking import waiting  # noqa: E402

OUT = Path("docs/screenshots/desk-question-panic-1366x768.png")


def pump(until, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise RuntimeError("state not reached")
        QApplication.processEvents()
        time.sleep(0.02)
    for _ in range(10):
        QApplication.processEvents()


def main() -> int:
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(sys.argv[:1])
    configure_app(app)
    with tempfile.TemporaryDirectory() as tmp:
        services = Services.open(Path(tmp) / "data")
        services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
        services.settings.set(s.STATION_NAME, "Main office desk")
        for first, last, dest in [("Avery", "Testwood", "Room 12"), ("Jordan", "Sampleton", "Gym")]:
            services.checkin.admit(Visitor(first, last), destination=dest)
        desk = build_desk(services)
        desk.window.show()
        pump(lambda: desk.window.windowHandle() is not None and desk.window.windowHandle().isExposed())
        desk.desk_lock.open_review()
        review = desk.desk_lock.review_window
        review.resize(900, 560)
        review.move(40, 170)

        def grab() -> None:
            pump(lambda: bool(waiting()) and waiting()[-1].windowHandle().isExposed())
            QGuiApplication.primaryScreen().grabWindow(0).save(str(OUT))
            waiting()[-1].button(QMessageBox.StandardButton.No).click()

        QTimer.singleShot(0, grab)
        review.visits.forgotten_note.setText("left without signing out")
        review.visits.forgotten_button.click()
        if not OUT.exists():
            raise RuntimeError("no question was asked")
        desk.window.close()
        services.close()
    print(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
