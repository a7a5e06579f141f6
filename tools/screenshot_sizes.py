"""The desk at the screen sizes a front office has, for docs/screenshots/ (run under Xvfb, once per size):

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python -m tools.screenshot_sizes
    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python -m tools.screenshot_sizes
    xvfb-run -a -s "-screen 0 1920x1080x24" env QT_SCALE_FACTOR=1.5 .venv/bin/python -m tools.screenshot_sizes

Drives the real demo app (the Shell ``make run`` opens) at the screen's size less a 40-px taskbar and grabs the
real X screen: the desk signed in with a match card up, the desk locked with the card dropped, Review
(the principal's window), and the desk's status bar while it prepares the screening lists after an upgrade
(the item as it reads at 40%: on the demo's small lists the real build ends before any grab), and the list
manager editing an entry. Each file is named with the size, e.g. ``desk-card-1366x768.png``; at the OS's 150%
text size (``QT_SCALE_FACTOR=1.5``, issue 13) with it too, e.g. ``desk-card-1920x1080-150pct.png`` (the whole
real screen: the window has 1280x720 logical pixels then).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from frontdesk.demo import demo_services
from tools.demo_desk import sign_in_demo_desk
from ui.app import Shell, configure_app

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
TASKBAR = 40


def main() -> int:
    """Take the screenshots at the size of the X screen."""
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    configure_app(app)
    services = demo_services()
    shell = Shell(services, demo=True)
    screen = app.primaryScreen().geometry()
    width, height = screen.width(), screen.height()
    ratio = app.primaryScreen().devicePixelRatio()
    # QT_SCALE_FACTOR=1.5 (the OS text size at 150%): the window has fewer logical pixels; the file is named by
    # the real screen's size and the text size, and holds the whole real screen.
    size = f"{round(width * ratio)}x{round(height * ratio)}" + (f"-{round(ratio * 100)}pct" if ratio != 1 else "")
    shell.setGeometry(0, 0, width, height - TASKBAR)
    shell.show()
    desk = shell.desk
    assert desk is not None

    def grab(name: str):
        def do():
            app.processEvents()
            app.primaryScreen().grabWindow(0).save(str(OUT / f"{name}-{size}.png"))

        return do

    def match_card():
        sign_in_demo_desk(desk)
        desk.form.first_name.setText("Bob")
        desk.form.last_name.setText("Smyth")
        desk.form.dob.setText("03/14/1980")
        desk.form.destination.setText("Main office")
        desk.request_check_in()

    def lock():
        desk.desk_lock.lock()

    def review():
        sign_in_demo_desk(desk, "principal", "demo-principal")
        desk.desk_lock.open_review()
        window = desk.desk_lock.review_window
        window.setGeometry(0, 0, width, height - TASKBAR)
        window.raise_()

    def preparing():
        review_window = desk.desk_lock.review_window
        if review_window is not None:
            review_window.close()
        sign_in_demo_desk(desk)
        item = desk.preparation
        item._fraction = 0.4  # the item as the background re-index shows it part-way
        item.refresh()
        item.label.setVisible(True)

    def lists():
        desk.desk_lock.lock()
        sign_in_demo_desk(desk, "admin", "demo-admin")
        desk.lists.open()
        manager = desk.lists.manager
        manager.setGeometry(0, 0, width, height - TASKBAR)
        manager.search.setText("smyth")
        manager.table.selectRow(0)
        manager.on_edit_clicked()  # the editor as it reads for an entry from the demo's list

    steps = [
        match_card,
        grab("desk-card"),
        lock,
        grab("desk-locked"),
        review,
        grab("review"),
        preparing,
        grab("desk-preparing-lists"),
        lists,
        grab("lists"),
    ]

    def run_steps(i: int = 0) -> None:
        if i == len(steps):
            app.quit()
            return
        steps[i]()
        QTimer.singleShot(400, lambda: run_steps(i + 1))

    QTimer.singleShot(800, run_steps)
    app.exec()
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
