"""Screenshots of the desk flow for docs/ (run under Xvfb: `xvfb-run -a python tools/screenshot_desk.py`).

Drives the real app in demo mode as a secretary would and grabs the real X screen after each step.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from frontdesk.demo import demo_services
from tools.demo_desk import sign_in_demo_desk
from ui.app import Shell, configure_app

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main() -> int:
    """Take the desk-flow screenshots into docs/screenshots/."""
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    configure_app(app)
    services = demo_services()
    shell = Shell(services, demo=True)
    screen = app.primaryScreen().geometry()
    width, height = screen.width(), screen.height()
    shell.setGeometry(0, 0, width, height)
    shell.show()
    window = shell.desk
    assert window is not None
    sign_in_demo_desk(window)
    steps = []

    def grab(name: str):
        def do():
            app.processEvents()
            app.primaryScreen().grabWindow(0).copy(0, 0, width, height).save(str(OUT / name))

        return do

    def type_name():
        QTest.keyClicks(window.scan_entry, "Testw")

    def pick_returning():
        QTest.keyClicks(window.scan_entry, "")
        window.on_scan_entry_return()
        window.form.destination.setText("Ms. Alvarez (Room 12)")
        window.form.purpose.setEditText("Volunteer in class")

    def check_in():
        window.request_check_in()

    steps = [
        type_name,
        grab("desk-1-returning-visitor.png"),
        pick_returning,
        grab("desk-2-form-filled.png"),
        check_in,
        grab("desk-3-checked-in.png"),
    ]

    def first_run():
        fresh = Shell(type(services).open(services.store.data_dir.parent / "fresh"))
        fresh.setGeometry(0, 0, width, height)
        fresh.show()
        fresh.raise_()
        QTimer.singleShot(300, lambda: (fresh.grab().save(str(OUT / "first-run.png")), app.quit()))

    def run_steps(i=0):
        if i == len(steps):
            first_run()
            return
        steps[i]()
        QTimer.singleShot(300, lambda: run_steps(i + 1))

    QTimer.singleShot(500, run_steps)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
