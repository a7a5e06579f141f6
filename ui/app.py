"""The composition root: builds the store, services, devices and the window, and runs the app."""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QStackedWidget

from frontdesk.context import Services, default_data_dir
from frontdesk.errors import StoreError
from frontdesk.settings import SCANNER_WEDGE_END_MS, STAFF_NAME, STATION_NAME
from printers.uri import SCHEMES
from scanners.wedge import WedgeBuffer
from ui.badges.badge_printing import BadgePrinting
from ui.badges.system_printer import system_printer
from ui.desk.first_run import FirstRunPanel
from ui.desk.main_window import MainWindow, banner
from ui.dispatch.dispatch_setup import DispatchDesk, DispatchStarter, install_dispatch
from ui.notifications.notification_bar import NotificationBar, follow_sign_in
from ui.scanning.id_scan import IdScanController, add_id_scanning
from ui.scanning.wedge_filter import WedgeFilter
from ui.screening.screening_lists import ListsMenu
from ui.staff.desk_lock import DeskLock, wire_staff
from ui.staff.sign_in import CreateAdminPanel
from ui.upkeep import Upkeep

SCHEMES["system"] = system_printer  # the OS print queue needs Qt, so the composition root adds it


@dataclass
class Desk:
    """The desk window and the features the composition root put into its places (tests reach them here)."""

    window: MainWindow
    dispatch: DispatchDesk
    badge_printing: BadgePrinting
    notifications: NotificationBar
    lists: ListsMenu
    id_scan: IdScanController
    desk_lock: DeskLock

    def __getattr__(self, name: str):
        # Anything that is not a feature is the window's (desk.form, desk.message, desk.visit_checked_in).
        return getattr(self.window, name)


def build_desk(services: Services, *, demo: bool = False, wedge: WedgeFilter | None = None) -> Desk:
    """The front-desk window with its devices and features put into its named places (also used by tests).

    Every check-in goes through the core's admission workflow (``services.checkin``), which the window asks
    through its own :class:`ui.desk.checkin_flow.CheckInFlow`; the features here only add to the window.
    """
    window = MainWindow(services)
    if services.store.encryption_warning:  # asked for and not had (no keyring): said plainly, all day
        window.add_banner(banner(services.store.encryption_warning + " Call your school IT support.", "#8a5a00"))
    # Panic alerts (started by run()); the all clear follows the signed-in person's role.
    dispatch = install_dispatch(window, services, demo=demo, role=lambda: services.session.actor.role.value)
    badge_printing = BadgePrinting(window, services)
    notifications = NotificationBar(services)  # the signed-in person's notifications
    window.add_banner(notifications)
    window.checkin.check_in_stopped.connect(notifications.refresh)  # a confirmed match notified someone here
    window.checkin.committed.connect(notifications.refresh)
    lists = ListsMenu(window, services)  # Tools > Barred and custody lists
    if demo:
        window.setWindowTitle(window.windowTitle() + "  [DEMO — synthetic data, fake devices]")
        window.add_banner(banner("DEMO — synthetic visitors and fake devices. Nothing here is real.", "#5b4a9e"))
    id_scan = add_id_scanning(window, services, demo=demo, wedge=wedge)  # ID scanners and the confirmation panel
    # Staff: sign-in, lock after inactivity, the Staff menu, the roster button, the review window.
    from frontdesk.demo.accounts import DEMO_HINT

    desk_lock = wire_staff(window, services, start_locked=demo, hint=DEMO_HINT if demo else "")
    follow_sign_in(notifications, desk_lock)  # each person sees their own notices
    desk_lock.locked.connect(window.checkin.cancel)  # a check-in held on a match card does not outlive a lock
    return Desk(window, dispatch, badge_printing, notifications, lists, id_scan, desk_lock)


def build_window(services: Services, *, demo: bool = False, wedge: WedgeFilter | None = None) -> MainWindow:
    """Only the window of :func:`build_desk` (for callers that need none of the features' handles)."""
    return build_desk(services, demo=demo, wedge=wedge).window


class Shell(QStackedWidget):
    """Shows first-run set-up until the desk is configured, then the front-desk window."""

    def __init__(self, services: Services, *, demo: bool = False, wedge: WedgeFilter | None = None):
        super().__init__()
        self.services = services
        self.demo = demo
        self.wedge = wedge
        self.window: MainWindow | None = None
        self.desk: Desk | None = None
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
        self.desk = build_desk(self.services, demo=self.demo, wedge=self.wedge)
        self.window = self.desk.window
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
            # The desk encrypts its database (key in the OS keyring). Its integrity check runs in the
            # background right after start (ui/upkeep.py): on 1M visits it reads 0.5 GB (2 s plain, 20 s
            # decrypting), too long to keep a desk waiting.
            services = Services.open(data_dir or default_data_dir(), encrypt=True)
    except StoreError as exc:
        QMessageBox.critical(None, "FrontDesk cannot open its data", exc.message)
        return 2
    # Keyboard-mode ID scanners type into whatever has focus: one filter for the whole app catches them.
    wedge = WedgeFilter(WedgeBuffer(end_gap=services.settings.get(SCANNER_WEDGE_END_MS) / 1000))
    wedge.install(app)
    shell = Shell(services, demo=demo, wedge=wedge)
    DispatchStarter(shell, app)  # the panic link runs while the desk window exists
    if not demo:
        Upkeep(services, shell).start()  # scheduled backups and the daily retention run
    shell.show()
    return app.exec()
