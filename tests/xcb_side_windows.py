"""Run by tests/test_side_windows_xcb.py under Xvfb (the xcb platform, no window manager: where a window opens is
where Qt puts it): the real Shell, every side window and dialog the desk's menus open, and the X server's pointer.

For each arrangement of the desk window (filling the screen less a taskbar; smaller and moved to the right) and
each menu item, the window it opens is measured -- does it cover the panic control or the alert banners over it,
is it at least its minimum size and on the screen -- and the red button is then pressed with the real pointer
(``xdotool``) at its centre: a window over it takes the press instead, and no alert is committed.

One line of JSON per window on stdout. Usage: ``python -m tests.xcb_side_windows DATA_DIR [SHOTS_DIR]`` (with
SHOTS_DIR, a screenshot of the screen with Review open, per arrangement: ``make screenshots`` takes
``docs/screenshots/desk-side-window-clear[-moved]-WxH.png`` so).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from frontdesk.context import Services
from tests.xcb_panic_while_asking import centre, open_dialog, prepare, run_script, say, wait_until, xdotool

TASKBAR = 40
PRESS_BOUND = 3.0  # seconds a press waits for its alert (a covered button never sends one: the old code's case)
# The menu items that open a window of their own (side windows), and the two that open a dialog (ui.asking).
WINDOWS = [
    "&Event log",
    "&Settings",
    "&Barred and custody lists",
    "E&mail and text notifications",
    "&Review visits and audit trail",
    "Staff &accounts",
    "Late arrival or early &dismissal…",
    "&Reunification board…",
    "&Pick-up lists…",
]
DIALOGS = ["&Expected guests…", "Badge &printer…"]
# Screenshots taken during the alert (with SHOTS_DIR): the windows that did not fit beside the button before.
ALERT_SHOTS = {
    "&Review visits and audit trail": "review",
    "&Pick-up lists…": "pickup-lists",
    "Late arrival or early &dismissal…": "students",
}


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


class Script:
    def __init__(self, folder: Path, shots: Path | None):
        from ui.app import Shell, configure_app

        configure_app(QApplication.instance())
        self.services = Services.open(folder)
        self.services.accounts.sign_in("root", "district-secret")  # the desk opens signed in, not locked
        self.shots = shots
        self.shell = Shell(self.services)
        self.desk = self.shell.desk
        self.window = self.shell.desk_window
        self.panel = self.desk.dispatch.panel
        self.banners = self.desk.dispatch.banners
        actions = [a for menu in self.window.menuBar().actions() if menu.menu() for a in menu.menu().actions()]
        self.actions = {a.text(): a for a in actions}

    def alerts(self) -> int:
        return sum(1 for m in self.services.station.recent(100) if m.msg_type == "Alert")

    def press(self) -> bool:
        """The red button pressed at its centre with the pointer and held until an alert is committed."""
        before = self.alerts()
        at = centre(self.panel.hold_button)
        xdotool("mousemove", "0", "0")  # (--sync waits for a move: from where the last press left it, none)
        xdotool("mousemove", "--sync", str(at.x()), str(at.y()), "mousedown", "1")
        sent = wait_until(lambda: self.alerts() > before, PRESS_BOUND)
        xdotool("mouseup", "1")
        wait_until(lambda: self.panel.hold_button.isDown() is False)
        return sent

    def measure(self, arrangement: str, item: str, shown: QWidget, *, press: bool = False) -> None:
        """Say where ``shown`` is against the panic control, its alert's status and the banners; with ``press``,
        press the red button with the pointer too."""
        QApplication.processEvents()
        frame = shown.frameGeometry()
        screen = shown.screen().availableGeometry()
        least = shown.minimumSizeHint().expandedTo(shown.minimumSize())
        status = self.panel.status_box
        row = [self.panel.hold_button, self.panel.menu_button, self.panel.drill_box]  # the button's own row
        roster = self.desk.desk_lock.roster_button
        if self.shots is not None and item.startswith("&Review") and arrangement in ("full", "moved"):
            size = QGuiApplication.primaryScreen().geometry()
            moved = "-moved" if arrangement == "moved" else ""
            name = f"desk-side-window-clear{moved}-{size.width()}x{size.height()}.png"
            QGuiApplication.primaryScreen().grabWindow(0).save(str(self.shots / name))
        facts = dict(
            arrangement=arrangement,
            covers_button=frame.intersects(global_rect(self.panel.hold_button)),
            covers_row=any(frame.intersects(global_rect(part)) for part in row if part.isVisible()),
            covers_panic=frame.intersects(global_rect(self.panel)),
            covers_roster=roster.isVisible() and frame.intersects(global_rect(roster)),
            covers_banners=frame.intersects(global_rect(self.banners))
            or (status.isVisible() and frame.intersects(global_rect(status))),
            usable=shown.width() >= least.width() and shown.height() >= least.height(),
            on_screen=screen.contains(frame),
        )
        if press:
            facts["sent"] = self.press()
        say(item, **facts, frame=frame.getRect(), least=[least.width(), least.height()])

    def arrange(self, arrangement: str) -> None:
        free = QGuiApplication.primaryScreen().geometry().adjusted(0, 0, 0, -TASKBAR)
        if arrangement == "full":
            self.shell.setGeometry(free)
        else:  # not maximised: narrower, lower, and moved to the right of the screen (until session 25's fit-alert
            # the pick-up lists, 592 px tall at least, did not fit under the button of a desk window 45 px lower)
            width, height = min(1100, free.width() - 200), free.height() - 80
            self.shell.setGeometry(free.right() + 1 - width, free.top() + 30, width, height)
        self.shell.show()
        assert wait_until(lambda: self.shell.windowHandle() is not None and self.shell.windowHandle().isExposed())
        QApplication.processEvents()

    def open(self, item: str) -> QWidget | None:
        """The window the menu item opens, once it is drawn (None: it did not open)."""
        before = {w for w in QApplication.topLevelWidgets() if w.isVisible()}
        self.actions[item].trigger()
        opened = lambda: [w for w in QApplication.topLevelWidgets() if w.isVisible() and w not in before]  # noqa: E731
        if not wait_until(lambda: bool(opened()) and opened()[0].windowHandle().isExposed()):
            return None
        return opened()[0]

    def each(self, arrangement: str, items: list[str], *, press: bool = False) -> None:
        """Open each window and dialog of ``items`` in turn, measure it, and close it."""
        for item in items:
            if item in DIALOGS:

                def then(item=item) -> None:
                    if not wait_until(
                        lambda: open_dialog() is not None and open_dialog().windowHandle().isExposed()
                    ):
                        say(item, arrangement=arrangement, opened=False)
                        return
                    dialog = open_dialog()
                    self.measure(arrangement, item, dialog, press=press)
                    dialog.reject()

                QTimer.singleShot(0, then)
                self.actions[item].trigger()
                continue
            shown = self.open(item)
            if shown is None:
                say(item, arrangement=arrangement, opened=False)
                continue
            self.measure(arrangement, item, shown, press=press)
            shown.close()
            wait_until(lambda: not shown.isVisible())  # noqa: B023 - waited for here, in the same turn

    def run(self) -> None:
        # No alert yet (the desk as it mostly is): every window opens clear of the panic control and the banners.
        for arrangement in ("moved", "full"):
            self.arrange(arrangement)
            self.each(arrangement, WINDOWS + DIALOGS)
        # The red button pressed with the pointer while the largest side window is open: the press is the button's.
        # The event log, opened before and left open, is placed again when the alert's status and the LOCKDOWN
        # banner push the button down.
        log = self.open("&Event log")
        self.each("full", ["&Review visits and audit trail"], press=True)
        wait_until(lambda: not log.frameGeometry().intersects(global_rect(self.panel.status_box)))
        self.measure("open through the alert", "&Event log", log)
        log.close()
        if self.shots is not None:  # the largest of them during this one alert (each press below adds a line)
            for item, name in ALERT_SHOTS.items():
                shown = self.open(item) if item not in DIALOGS else None
                if shown is not None:
                    size = QGuiApplication.primaryScreen().geometry()
                    shot = f"desk-alert-{name}-{size.width()}x{size.height()}.png"
                    QGuiApplication.primaryScreen().grabWindow(0).save(str(self.shots / shot))
                    shown.close()
                    wait_until(lambda: not shown.isVisible())  # noqa: B023 - waited for here, in the same turn
        # Now the alert's status and the LOCKDOWN banner take the top of the desk window (the button moves down):
        # every window opened now keeps clear of the button, its status and the banners, and the button sends. At
        # 1366x768 the room left is about 1366x350 under the status: Review, the list manager, the students' and
        # pick-up windows and the badge printer fit it because their content scrolls (session 25, fit-alert);
        # before, they demanded 454-592 px of height and opened over the button.
        self.each("full alert", WINDOWS + DIALOGS, press=True)


def main(folder: Path, shots: Path | None) -> int:
    return run_script(lambda: Script(folder, shots))


if __name__ == "__main__":
    data = Path(sys.argv[1])
    prepare(data)
    sys.exit(main(data, Path(sys.argv[2]) if len(sys.argv) > 2 else None))
