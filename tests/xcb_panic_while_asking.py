"""Run by tests/test_panic_while_asking_xcb.py under Xvfb (the xcb platform): the real desk window, real dialogs,
and a person's real pointer -- ``xdotool`` moves the X server's pointer and presses its button, so Qt's own
modal blocking applies (QTest's clicks are sent to the widget and pass it by, offscreen or not).

One line of JSON per step on stdout. Usage: ``python -m tests.xcb_panic_while_asking DATA_DIR [SCREENSHOT.png]``.
Each wait ends on the state it waits for (or, after a bound, says what did not happen); none is a fixed sleep.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWidget

from frontdesk import settings as s
from frontdesk.context import Services
from ui.plain import ask_first

BOUND = 10.0  # seconds: what a step waits at most before it says what did not happen


def say(step: str, **facts) -> None:
    print(json.dumps({"step": step, **facts}), flush=True)


def wait_until(condition, bound: float = BOUND) -> bool:
    """Process events until ``condition()`` holds (True) or ``bound`` seconds pass (False)."""
    end = time.monotonic() + bound
    while not condition():
        if time.monotonic() > end:
            return False
        QTest.qWait(20)
    return True


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10)


def ask_window_manager_to_close(widget: QWidget) -> None:
    """What a window manager sends when the person clicks a window's close button (WM_PROTOCOLS /
    WM_DELETE_WINDOW): Xvfb has no window manager, and Debian 12's xdotool has no ``windowclose``."""
    import ctypes

    class ClientMessage(ctypes.Structure):  # XClientMessageEvent, inside the 24 longs of an XEvent
        _fields_ = [
            ("type", ctypes.c_int),
            ("serial", ctypes.c_ulong),
            ("send_event", ctypes.c_int),
            ("display", ctypes.c_void_p),
            ("window", ctypes.c_ulong),
            ("message_type", ctypes.c_ulong),
            ("format", ctypes.c_int),
            ("data", ctypes.c_long * 5),
            ("pad", ctypes.c_long * 12),
        ]

    x11 = ctypes.CDLL("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
    x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    event = ClientMessage(type=33, format=32, window=int(widget.winId()))  # 33: ClientMessage
    event.message_type = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
    event.data[0] = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
    x11.XSendEvent(display, event.window, 0, 0, ctypes.byref(event))
    x11.XSync(display, 0)  # at the server before the pointer's next events: Qt reads them in that order
    x11.XCloseDisplay(display)


def centre(widget: QWidget) -> QPoint:
    return widget.mapToGlobal(widget.rect().center())


def click(widget: QWidget) -> None:
    """A real click (the X server's pointer and button) on the middle of ``widget``."""
    at = centre(widget)
    xdotool("mousemove", "--sync", str(at.x()), str(at.y()), "click", "1")


def open_dialog():
    """The dialog waiting for an answer now: Qt's modal one (the code before session 24), or one of ui.asking's."""
    modal = QApplication.activeModalWidget()
    if modal is not None:
        return modal
    try:
        from ui.asking import waiting
    except ImportError:
        return None
    shown = [d for d in waiting() if d.isVisible()]
    return shown[-1] if shown else None


def drawn(dialog) -> bool:
    handle = dialog.windowHandle() if dialog is not None else None
    return handle is not None and handle.isExposed()


class Script:
    def __init__(self, folder: Path, shot: Path | None):
        from ui.app import Shell, configure_app

        configure_app(QApplication.instance())
        self.services = Services.open(folder)
        self.services.accounts.sign_in("root", "district-secret")  # the desk opens signed in, not locked
        self.shot = shot
        # The window frontdesk and make run open (the desk window is a page of its stack): built alone, the desk
        # window hid that every question under the Shell failed (its attribute 'window' shadowed QWidget.window()).
        self.shell = Shell(self.services)
        self.desk = self.shell.desk
        self.window = self.shell.desk_window
        self.panel = self.desk.dispatch.panel
        self.shell.show()

    def alerts(self) -> int:
        return sum(1 for m in self.services.station.recent(100) if m.msg_type == "Alert")

    def panic_click(self, step: str) -> None:
        """Press the red button with the pointer and keep it down until an alert is committed (or the bound)."""
        before = self.alerts()
        button = self.panel.hold_button
        at = centre(button)
        dialog = open_dialog()
        covered = dialog is not None and dialog.frameGeometry().contains(at)
        xdotool("mousemove", "--sync", str(at.x()), str(at.y()), "mousedown", "1")
        sent = wait_until(lambda: self.alerts() > before)
        xdotool("mouseup", "1")
        say(
            step,
            sent=sent,
            alerts=self.alerts() - before,
            covered=covered,
            at=[at.x(), at.y()],
            dialog=dialog.frameGeometry().getRect() if dialog is not None else None,
        )

    def while_asked(self, then) -> None:
        """Run ``then(dialog)`` once the dialog the next call opens is drawn (from a timer: the call waits)."""

        def go() -> None:
            if not wait_until(lambda: drawn(open_dialog())):
                say("no dialog")
                return
            then(open_dialog())

        QTimer.singleShot(0, go)

    def run(self) -> None:
        assert wait_until(lambda: drawn(self.shell))
        form = self.window.form
        form.first_name.setText("Ann")
        form.last_name.setText("Testwood")
        form.destination.setText("Main office")

        # 1. A question over the desk window: the check-in behind it takes no click; the answer is the person's.
        def check_in_behind(box) -> None:
            if self.shot is not None:
                QGuiApplication.primaryScreen().grabWindow(0).save(str(self.shot))
            click(self.window.check_in_button)
            click(box.button(QMessageBox.StandardButton.Yes))

        self.while_asked(check_in_behind)
        answer = ask_first(self.window, "Remove the bar?", "Remove the bar on Pat Example from School list?")
        # The X server delivers the two clicks in order: once Yes is handled, so was the click on Check in (a
        # check-in runs on the GUI thread, at once).
        say("question over the desk answered", answer=answer, on_site=len(self.services.visits.on_site()))
        click(self.window.check_in_button)  # the same click once the question is answered: it checks in
        say("check-in after the question", on_site=wait_until(lambda: len(self.services.visits.on_site()) == 1))

        # 2. A question over the desk window: the panic button takes a press; the answer stays the person's.
        def panic_then_no(step):
            def then(box) -> None:
                self.panic_click(step)
                click(box.button(QMessageBox.StandardButton.No))

            return then

        self.while_asked(panic_then_no("panic during a question over the desk"))
        say("question over the desk answered", answer=ask_first(self.window, "End reunification?", "End it?"))

        # 3. A question left in front of another window (the event log, as Review or the list manager).
        self.window.show_event_log()
        side = self.window.event_log_window
        side.move(self.shell.geometry().left() + 40, self.shell.geometry().bottom() - 300)

        def close_then_panic_then_no(box) -> None:
            ask_window_manager_to_close(side)  # the person clicks its close button: it stays while it asks
            panic_then_no("panic during a question in another window")(box)

        self.while_asked(close_then_panic_then_no)
        answer = ask_first(side, "Check out forgotten visitors?", "Check out 2 visitors?")
        say("question in another window answered", answer=answer, still_open=side.isVisible())
        ask_window_manager_to_close(side)  # the same close once the question is answered: it closes
        say("window closed once answered", closed=wait_until(lambda: not side.isVisible()))

        # 4. A file dialog over the desk window (the students' exports and imports open there).
        def panic_then_cancel(dialog) -> None:
            self.panic_click("panic during a file dialog")
            click(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel))

        self.while_asked(panic_then_cancel)
        try:
            from ui.asking import save_file_name

            chosen = save_file_name(self.window, "Export CSV", "visits.csv", "CSV (*.csv)")
        except ImportError:  # the code before session 24
            from PySide6.QtWidgets import QFileDialog

            chosen, _ = QFileDialog.getSaveFileName(self.window, "Export CSV", "visits.csv", "CSV (*.csv)")
        say("file dialog answered", chosen=chosen)
        say("done", alerts=self.alerts())


def main(folder: Path, shot: Path | None) -> int:
    return run_script(lambda: Script(folder, shot))


def run_script(make) -> int:
    """The app made as a launch makes it, ``make()``'s script run in its event loop (its ``services`` closed
    after): 1 when the script failed (said, and the app quit: no dialog waits for a person here)."""
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(sys.argv[:1])
    script = make()
    failed: list[BaseException] = []

    def run() -> None:
        try:
            script.run()
        except BaseException as exc:  # said, and the app quits: no dialog waits for a person here
            failed.append(exc)
            say("failed", error=repr(exc))
        finally:
            app.quit()

    QTimer.singleShot(0, run)
    app.exec()
    script.services.close()
    return 1 if failed else 0


def prepare(folder: Path) -> None:
    """A configured desk with its administrator (signed in by the script, so it opens unlocked) and a short panic
    hold."""
    from frontdesk.access.roles import Role

    services = Services.open(folder)
    services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
    services.settings.set(s.STATION_NAME, "Main office desk")
    services.settings.set(s.EMERGENCY_NUMBERS, "911, district police 555-0199")
    services.settings.set(s.PANIC_HOLD_MS, 300)
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")  # (settings first: then it locks)
    services.close()


if __name__ == "__main__":
    data = Path(sys.argv[1])
    prepare(data)
    sys.exit(main(data, Path(sys.argv[2]) if len(sys.argv) > 2 else None))
