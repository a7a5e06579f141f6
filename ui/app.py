"""The composition root: builds the store, services, devices and the window, and runs the app."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QStackedWidget

from frontdesk.context import Services, default_data_dir
from frontdesk.errors import StoreError
from frontdesk.settings import SCANNER_WEDGE_END_MS, STAFF_NAME, STATION_NAME
from printers.uri import SCHEMES
from scanners.wedge import WedgeBuffer
from ui.badge_printing import BadgePrinting
from ui.desk_lock import wire_staff
from ui.dispatch_setup import DispatchStarter, install_dispatch
from ui.first_run import FirstRunPanel
from ui.id_scan import add_id_scanning
from ui.main_window import MainWindow, banner
from ui.notification_bar import follow_sign_in
from ui.screening_desk import install_screening
from ui.sign_in import CreateAdminPanel
from ui.system_printer import system_printer
from ui.wedge_filter import WedgeFilter

SCHEMES["system"] = system_printer  # the OS print queue needs Qt, so the composition root adds it


def build_window(services: Services, *, demo: bool = False, wedge: WedgeFilter | None = None) -> MainWindow:
    """The front-desk window with its devices and features wired in (also used by tests)."""
    window = MainWindow(services)
    window.dispatch = install_dispatch(window, services, demo=demo)  # panic alerts (started by run())
    window.badge_printing = BadgePrinting(window, services)
    install_screening(window, services)  # every check-in is screened before the visit and badge exist
    if demo:
        window.setWindowTitle(window.windowTitle() + "  [DEMO — synthetic data, fake devices]")
        window.add_banner(banner("DEMO — synthetic visitors and fake devices. Nothing here is real.", "#5b4a9e"))
    add_id_scanning(window, services, demo=demo, wedge=wedge)  # ID scanners and the confirmation panel
    # Staff (issue 7): sign-in, lock after inactivity, the Staff menu, the roster button, the review window.
    from frontdesk.accounts.demo import DEMO_HINT

    wire_staff(window, services, start_locked=demo, hint=DEMO_HINT if demo else "")
    follow_sign_in(window.screening.notifications, window.desk_lock)  # each person sees their own notices
    return window


class Shell(QStackedWidget):
    """Shows first-run set-up until the desk is configured, then the front-desk window."""

    def __init__(self, services: Services, *, demo: bool = False, wedge: WedgeFilter | None = None):
        super().__init__()
        self.services = services
        self.demo = demo
        self.wedge = wedge
        self.window: MainWindow | None = None
        self.setWindowTitle("FrontDesk")
        self.resize(1280, 820)
        if services.settings.is_configured():
            self.show_desk()
        else:
            self.first_run = FirstRunPanel(services.settings)
            self.first_run.completed.connect(self.show_desk)
            self.addWidget(self.first_run)

    def show_desk(self) -> None:
        """Build the desk window (after first run, with the names just saved) and show it.

        With no staff accounts yet, the first administrator is created first.
        """
        if not self.services.accounts.any_exist():
            self.create_admin = CreateAdminPanel(self.services.accounts)
            self.create_admin.created.connect(self.show_desk)
            self.addWidget(self.create_admin)
            self.setCurrentWidget(self.create_admin)
            return
        self.services.visits.station = self.services.settings.get(STATION_NAME)
        self.services.visits.staff = self.services.settings.get(STAFF_NAME)
        self.services.decisions.station = self.services.settings.get(STATION_NAME)  # named in notifications
        self.window = build_window(self.services, demo=self.demo, wedge=self.wedge)
        self.setWindowTitle(self.window.windowTitle())
        self.addWidget(self.window)
        self.setCurrentWidget(self.window)
        self.window.focus_scan_entry()


def _install_excepthook(app: QApplication) -> None:
    """Unexpected errors show a dialog with the details to copy, instead of vanishing."""

    def hook(kind, value, tb) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write(details)
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "FrontDesk problem",
            "Something went wrong. Your visits are saved. Copy the details for IT support.",
        )
        box.setDetailedText(details)
        box.exec()

    sys.excepthook = hook


def configure_app(app: QApplication) -> None:
    """Application-wide look: name and a large, readable base font."""
    app.setApplicationName("FrontDesk")
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.25)  # readable at a glance from a standing position
    app.setFont(font)


def run(data_dir: Path | None = None, demo: bool = False) -> int:
    """Start the desktop app (``frontdesk`` with no subcommand)."""
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_app(app)
    _install_excepthook(app)
    try:
        if demo:
            from frontdesk.demo import demo_services

            services = demo_services()
        else:
            services = Services.open(data_dir or default_data_dir())
    except StoreError as exc:
        QMessageBox.critical(None, "FrontDesk cannot open its data", exc.message)
        return 2
    # Keyboard-mode ID scanners type into whatever has focus: one filter for the whole app catches them.
    wedge = WedgeFilter(WedgeBuffer(end_gap=services.settings.get(SCANNER_WEDGE_END_MS) / 1000))
    wedge.install(app)
    shell = Shell(services, demo=demo, wedge=wedge)
    DispatchStarter(shell, app)  # the panic link runs while the desk window exists
    shell.show()
    return app.exec()
