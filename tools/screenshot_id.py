"""Screenshots of ID scanning for docs/ (run under Xvfb: `xvfb-run -a python tools/screenshot_id.py`).

Drives the real app in demo mode: the demo scanner (a FakeScanner behind the same worker as a serial
scanner) reads two synthetic cards, and the confirmation panel under the form is grabbed after each.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from frontdesk.demo import demo_services
from tools.demo_desk import sign_in_demo_desk
from ui.app import Shell, configure_app

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SIZE = (1280, 900)


def main() -> int:
    """Take the ID-scanning screenshots into docs/screenshots/."""
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    configure_app(app)
    shell = Shell(demo_services(), demo=True)
    shell.setGeometry(0, 0, *SIZE)
    shell.show()
    window = shell.desk
    assert window is not None
    sign_in_demo_desk(window)
    demo_button = next(b for b in window.findChildren(QPushButton) if b.text().startswith("Demo: scan"))

    def grab(name: str):
        def do():
            app.processEvents()
            app.primaryScreen().grabWindow(0).copy(0, 0, *SIZE).save(str(OUT / name))

        return do

    steps = [
        demo_button.click,  # a clean US card
        demo_button.click,  # a Canadian card as a Ctrl-less keyboard wedge mangles it: repairs shown
        grab("id-1-confirm-repaired.png"),
        demo_button.click,  # an under-18 card
        grab("id-2-confirm-under-18.png"),
        lambda: (window.id_scan.stop(), app.quit()),
    ]

    def run_steps(i=0):
        if i < len(steps):
            steps[i]()
            QTimer.singleShot(700, lambda: run_steps(i + 1))

    QTimer.singleShot(800, run_steps)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
