"""The composition root: builds the store, services, devices and the window, and runs the app."""

from __future__ import annotations

import gc
import itertools
import sqlite3
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton, QStackedWidget

from frontdesk.context import Services, default_data_dir
from frontdesk.errors import DeviceError, FrontDeskError, StoreError
from frontdesk.settings import (
    KIOSK_MODE,
    SCANNER_SERIAL_BAUD,
    SCANNER_SERIAL_PORT,
    SCANNER_WEDGE_END_MS,
    STAFF_NAME,
    STATION_NAME,
)
from frontdesk.store import typed_error
from printers.uri import SCHEMES
from scanners.wedge import WedgeBuffer
from ui.badges.badge_printing import BadgePrinting
from ui.desk.main_window import MainWindow, banner
from ui.dispatch.dispatch_setup import DispatchDesk, DispatchStarter, install_dispatch
from ui.district_lists.status import DistrictListsStatus
from ui.kiosk.front_office import FrontOfficeBanner
from ui.notifications.notification_bar import NotificationBar, follow_sign_in
from ui.notifications.notify_desk import NotifyDesk
from ui.notifications.notify_sender import NotifySender, NotifyStarter
from ui.scanning.id_scan import IdScanController, attach_id_scanning
from ui.scanning.wedge_filter import WedgeFilter
from ui.screening.index_upgrade import ListsPreparation
from ui.screening.lists_menu import ListsMenu
from ui.staff.desk_lock import DeskLock, wire_staff
from ui.students.install import StudentsDesk
from ui.sync.hub_status import HubStatus, SyncStarter
from ui.tasks import after_start, collect_on_gui_thread
from ui.upkeep import Upkeep
from ui.window_size import fit_to_screen

if TYPE_CHECKING:  # for annotations only: PySide6's import hook reads the source of each module a ui module names
    from collections.abc import Callable
    from pathlib import Path

# Start-up (issue 13): this module imports only what the desk's first screen shows (the window, the panic
# control, the sign-in pad, the banners and status items). Every other window (review, staff, students, lists,
# notifications, settings, the badge printer's set-up) and device (camera, serial scanner) is imported when it
# is first opened or found, so the first paint does not wait for Pillow, reportlab, QtMultimedia or pyserial;
# the kiosk's half of the composition root is ui.app_kiosk, imported by run() only for the kiosk.

BACKGROUND_AFTER_MS = 2000  # the email/text sender and the hub's sync start this long after the window
CAMERA_AFTER_MS = 1500  # the PC's camera is looked for this long after the window
WARM_AFTER_MS = 1000  # the admission workflow is built this long after the window
INDEX_CHECK_AFTER_MS = (
    20_000  # the index is checked against the lists this long after it, then daily (index_watch)
)
PREPARE_AFTER_MS = 3000  # an index of older key rules is rebuilt (in the background) from this long after it


def resume_gc() -> None:
    """At the first idle: if start-up held the cyclic garbage collector (``ui.main.import_core_first``), move
    everything start-up built to the collector's permanent generation (``gc.freeze``: the desk's modules,
    widgets and services live as long as the process; the few hundred objects of start-up garbage stay with
    them) and turn the collector back on for what the desk allocates from now on: on the GUI thread only, for
    the desk's whole life (``ui.tasks.GuiCollector``: a collection on a worker thread could delete Qt objects
    there)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
    collect_on_gui_thread()


def _warm_check_in(shell: Shell) -> None:
    """Build the check-in workflow and what it asks (screener, list index, decisions) ahead of the first visitor;
    a database problem now is said again, in place, at the first Check in."""
    if shell.desk is None:
        return
    try:
        shell.services.checkin  # noqa: B018 - built on first use: this is that use
    except FrontDeskError:
        pass


def _prepare_lists(preparation: ListsPreparation, app: QApplication) -> None:
    """After an upgrade of the screening index's key rules: rebuild it in the background (the old index answers
    meanwhile), stopped at its next step when the app quits (the next start builds it again)."""
    app.aboutToQuit.connect(preparation.stop)
    preparation.start()


def _watch_index(shell: Shell, app: QApplication):
    """Check the screening index against the list entries now and daily, in the background, repairing what was
    changed outside the application (``ui.screening.index_watch``, imported here: not on the way to the first
    paint). Stopped at its next step when the app quits."""
    from ui.screening.index_watch import IndexWatch

    watch = IndexWatch(shell.desk.window if shell.desk is not None else None, shell.services, shell)
    app.aboutToQuit.connect(watch.stop)
    watch.start()
    return watch


def _system_printer(uri):
    """The OS print queue (``system:``): needs Qt, so the composition root adds it; imported when chosen."""
    from ui.badges.system_printer import system_printer

    return system_printer(uri)


SCHEMES["system"] = _system_printer


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
    notify: NotifyDesk  # email and text notifications: Tools menu, status item, the sender (started by run())
    front_office: FrontOfficeBanner  # people the kiosk sent to the front office
    students: StudentsDesk  # late arrivals, releases to the right adult, reunification
    hub: HubStatus  # the district hub's status item and background sync (started by run())
    preparation: ListsPreparation  # the screening index's rebuild after an upgrade (started by run())

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
    badge_printing = BadgePrinting(window, services, services.badges.printer)  # the configured printer
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
    hint = ""
    if demo:
        from frontdesk.demo.accounts import DEMO_HINT

        hint = DEMO_HINT
    desk_lock = wire_staff(window, services, start_locked=demo, hint=hint)
    follow_sign_in(notifications, desk_lock)  # each person sees their own notices
    # "Print roster" on the lockdown banner is the same one action as the roster button (one print path).
    dispatch.banners.print_roster_requested.connect(desk_lock.print_roster)
    desk_lock.locked.connect(window.checkin.on_desk_locked)  # a held check-in does not outlive a lock
    # The Tools menu's windows are the signed-in staff's: they close with a lock, and refuse to open while locked.
    desk_lock.locked.connect(window.on_desk_locked)
    desk_lock.locked.connect(lists.on_desk_locked)
    # Email and text notifications: their sender wakes when a check-in may have queued a message.
    notify = NotifyDesk(window, services, NotifySender(services, window))
    window.checkin.check_in_stopped.connect(notify.outbox_sender.wake)
    window.checkin.committed.connect(notify.outbox_sender.wake)
    dispatch.worker.entry_changed.connect(notify.outbox_sender.wake)  # a panic press queued its texts too
    notify.watch_link(lambda: dispatch.worker.link.health)  # down over an hour: desk-offline
    desk_lock.locked.connect(notify.on_desk_locked)
    # The kiosk's hand-off: whoever it sent to the front office, started in the window's own check-in flow.
    front_office = FrontOfficeBanner(services, window.checkin, window.message)
    window.add_banner(front_office)
    window.tools_menu.addAction("&Expected guests…", lambda: _expected_guests(services, window))
    # Students: late passes and release slips print on the badge printer, through its worker.
    students = StudentsDesk(window, services, badge_printing.print_slip)
    badge_printing.slip_printed.connect(students.on_slip_printed)
    desk_lock.locked.connect(students.on_locked)  # a locked desk signs no student in or out
    desk_lock.unlocked.connect(students.on_unlocked)
    if desk_lock.is_locked:  # locked before the students feature was wired (demo mode starts locked)
        students.on_locked()
    id_scan.add_claimant(students.claim_id)  # an ID scanned with the students window in front: the adult
    students.release_refused.connect(notifications.refresh)  # a principal signed in here was just told
    hub = HubStatus(window, services)  # "Hub: in step / N changes waiting / offline since 10:32"
    DistrictListsStatus(window, services)  # "District list as of 07:02" (a warning once it is old)
    preparation = ListsPreparation(window, services)  # "Preparing the screening lists after the update (40%)"
    window.settle_tab_order()  # the features are in: Tab goes through the main flow, then the panic area
    return Desk(
        window,
        dispatch,
        badge_printing,
        notifications,
        lists,
        id_scan,
        desk_lock,
        notify,
        front_office,
        students,
        hub,
        preparation,
    )


def _expected_guests(services: Services, window: MainWindow) -> None:
    """Tools > Expected guests (the kiosk's pre-registration), imported when opened; not while the desk is locked
    (whoever walked up to it would give themselves a code for the kiosk)."""
    if window.refused_while_locked("Expected guests"):
        return
    from ui.asking import answer_of
    from ui.kiosk.guests_dialog import ExpectedGuestsDialog

    dialog = ExpectedGuestsDialog(services, window)
    answer_of(dialog)  # not modal to Qt: the panic button takes a click meanwhile (ui.asking)
    dialog.deleteLater()


def build_window(services: Services, *, demo: bool = False, wedge: WedgeFilter | None = None) -> MainWindow:
    """Only the window of :func:`build_desk` (for callers that need none of the features' handles)."""
    return build_desk(services, demo=demo, wedge=wedge).window


def add_id_scanning(window, services, *, demo: bool = False, wedge: WedgeFilter | None = None) -> IdScanController:
    """ID scanning's devices, built here only: wedge scans, the configured serial scanner and the PC's
    camera, or the demo's fake scanner and camera."""
    port = services.settings.get(SCANNER_SERIAL_PORT).strip()
    workers = []
    if not demo and port:
        from scanners.serial_scanner import SerialScanner
        from ui.scanning.scanner_worker import ScannerWorker

        workers.append(ScannerWorker(SerialScanner(port, services.settings.get(SCANNER_SERIAL_BAUD)), window))
    controller = attach_id_scanning(window, wedge=wedge, workers=workers, events=services.events, ids=services.ids)
    if demo:
        _add_demo_devices(window, controller)
    else:
        # Looking for a camera loads QtMultimedia (and FFmpeg), about 0.2 s on the GUI thread: once the desk is
        # up and idle, not in the way of its first paint or the first keys typed.
        after_start(controller, CAMERA_AFTER_MS, lambda: _add_real_camera(controller, services))
    for worker in controller.workers:
        worker.start()
    app = QApplication.instance()
    if app is not None and controller.workers:
        app.aboutToQuit.connect(controller.stop)
    return controller


def _add_real_camera(controller: IdScanController, services) -> None:
    """At a real desk, the PC's camera for the visitor's photo, when the system lists one."""
    from ui.scanning.camera_panel import CameraPanel
    from ui.scanning.camera_qt import QtCamera, cameras_present

    if not cameras_present():
        return
    panel = CameraPanel(QtCamera())
    controller.attach_camera(panel)
    try:
        panel.start()
    except DeviceError as exc:
        services.events.record("camera", "warning", exc.message)


def _add_demo_devices(window, controller: IdScanController) -> None:
    """Demo mode: a fake scanner fed by a button with synthetic cards, and a fake camera."""
    from scanners.camera import FakeCamera, placeholder_face
    from scanners.image import barcode_image
    from scanners.samples import DEMO_SCANS
    from scanners.source import FakeScanner
    from ui.scanning.camera_panel import CameraPanel
    from ui.scanning.scanner_worker import ScannerWorker

    fake = FakeScanner()
    controller.attach_worker(ScannerWorker(fake, window))
    samples = itertools.cycle(DEMO_SCANS)
    button = QPushButton("Demo: scan a sample ID")
    button.setAccessibleName("Demo: scan a sample ID")
    button.clicked.connect(lambda: fake.push(next(samples)))  # runs on the GUI thread; the fake is a queue
    window.form_actions.addWidget(button)
    licence = barcode_image(DEMO_SCANS[0], scale=2).rotate(8, expand=True, fillcolor=255)
    panel = CameraPanel(FakeCamera([placeholder_face(), licence.convert("RGB")]))
    controller.attach_camera(panel)
    panel.start()


class Shell(QStackedWidget):
    """Shows first-run set-up until the desk is configured, then the front-desk window."""

    def __init__(self, services: Services, *, demo: bool = False, wedge: WedgeFilter | None = None):
        super().__init__()
        self.services = services
        self.demo = demo
        self.wedge = wedge
        # Not ``window``: that is QWidget.window(), which ui.asking calls on every open window before a question
        # (shadowed here, every question and dialog of the real desk failed with a TypeError, session 24-25).
        self.desk_window: MainWindow | None = None
        self.desk: Desk | None = None
        self.setWindowTitle("FrontDesk")
        fit_to_screen(self, 1280, 800)
        if services.settings.is_configured():
            self.show_desk()
        else:
            from ui.desk.first_run import FirstRunPanel

            self.first_run = FirstRunPanel(services.settings)
            self.first_run.completed.connect(self.show_desk)
            self.addWidget(self.first_run)

    def show_desk(self) -> None:
        """Build the desk window (after first run, with the names just saved) and show it.

        With no staff accounts yet, the first administrator is created first.
        """
        if not self.services.accounts.any_exist():
            from ui.staff.sign_in import CreateAdminPanel

            self.create_admin = CreateAdminPanel(self.services.accounts)
            self.create_admin.created.connect(self.show_desk)
            self.addWidget(self.create_admin)
            self.setCurrentWidget(self.create_admin)
            return
        self.services.visits.station = self.services.settings.get(STATION_NAME)
        self.services.visits.staff = self.services.settings.get(STAFF_NAME)
        if "decisions" in self.services.built():  # named in notifications; built later, it reads the setting
            self.services.decisions.station = self.services.settings.get(STATION_NAME)
        self.desk = build_desk(self.services, demo=self.demo, wedge=self.wedge)
        self.desk_window = self.desk.window
        self.setWindowTitle(self.desk_window.windowTitle())
        self.addWidget(self.desk_window)
        self.setCurrentWidget(self.desk_window)
        self.desk_window.focus_scan_entry()


def store_problem(error: BaseException) -> StoreError | None:
    """A database error (typed, or a raw ``sqlite3`` one the typed connection could not see) in the office's
    words; None for anything else."""
    if isinstance(error, StoreError):
        return error
    if isinstance(error, sqlite3.Error):
        return typed_error(error)
    return None


def _install_excepthook(app: QApplication, message: Callable[[], Callable[[str, str], None] | None]) -> None:
    """Unexpected errors show a dialog with the details to copy, instead of vanishing.

    A database error (busy, full, read-only, damaged) is not a bug: it goes on the desk's message line in
    plain words, with no dialog in the way (``message()`` gives the line's ``show_message`` once the desk exists).
    The dialog is not modal: one left unread must not keep the desk window's panic button from a click (it blocked
    every window with ``exec()`` until session 24); each stays open until closed.
    """
    shown: list = []  # the open dialogs (a dialog without a parent is kept by a reference)

    def hook(kind, value, tb) -> None:
        import traceback  # loaded already (logging's); named here, not by the module, for PySide6's import hook

        details = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write(details)
        problem = store_problem(value)
        show = message()
        if problem is not None and show is not None:
            show(problem.message, "error")
            return
        from PySide6.QtWidgets import QMessageBox  # its type and enums are built when first needed

        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "FrontDesk problem",
            "Something went wrong. Your visits are saved. Copy the details for IT support.",
        )
        box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def closed(_result: int) -> None:
            shown.remove(box)
            box.close()  # (its OK button only hid it): deleted

        box.finished.connect(closed)
        shown.append(box)
        box.show()

    sys.excepthook = hook


def _install_kiosk_excepthook(window) -> None:
    """In kiosk mode an unexpected error never opens the desk's dialog: at the lobby kiosk a stranger would read
    its details (names, paths, the data folder) and nobody could close it, so the kiosk would stay stuck. The
    details go to stderr (the kiosk's log); the kiosk sends the person to the front office, goes back to its
    welcome screen and tells the desk (:meth:`ui.kiosk.kiosk_window.KioskWindow.on_unexpected_error`)."""

    def hook(kind, value, tb) -> None:
        import traceback

        sys.stderr.write("".join(traceback.format_exception(kind, value, tb)))
        problem = store_problem(value)
        try:
            window.on_unexpected_error(problem.message if problem is not None else kind.__name__)
        except Exception:  # the kiosk's own page failed too: its log has both, and no dialog opens
            sys.stderr.write("".join(traceback.format_exc()))

    sys.excepthook = hook


def configure_app(app: QApplication) -> None:
    """Application-wide look: name and a large, readable base font."""
    app.setApplicationName("FrontDesk")
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.25)  # readable at a glance from a standing position
    app.setFont(font)


def run(data_dir: Path | None = None, demo: bool = False, kiosk: bool = False) -> int:
    """Start the desktop app (``frontdesk`` with no subcommand), or the kiosk (``--kiosk`` or the setting)."""
    app = QApplication.instance()
    if app is None:  # the start-up probes make it first, with the same policy (Qt warns when it is set after)
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv[:1])
    configure_app(app)
    QTimer.singleShot(0, resume_gc)  # the first idle moment: the collector back on (see resume_gc)
    shells: list[Shell] = []
    _install_excepthook(
        app, lambda: shells[0].desk_window.message.show_message if shells and shells[0].desk_window else None
    )
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
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, "FrontDesk cannot open its data", exc.message)
        return 2
    wedge = WedgeFilter(WedgeBuffer(end_gap=services.settings.get(SCANNER_WEDGE_END_MS) / 1000))
    if kiosk or services.settings.get(KIOSK_MODE):
        from ui.app_kiosk import start_kiosk

        station = start_kiosk(services, wedge=wedge)
        _install_kiosk_excepthook(station.window)
        wedge.install(app)
        station.window.exit_requested.connect(app.quit)  # a staff PIN leaves kiosk mode
        app.aboutToQuit.connect(station.stop)  # the printer's worker, the camera, the lists' preparation
        station.window.showFullScreen()
        return app.exec()
    shell = Shell(services, demo=demo, wedge=wedge)
    shells.append(shell)
    # The panic link runs while the desk window exists, from just after its first paint: its thread's first act
    # is to import asyncio (27 modules), which the first paint need not wait for. A press cannot come sooner
    # (no key or click is handled before the event loop runs) and, were one handled before the link's thread
    # is up, it is in the outbox already (written before the link is woken), and the link's first act is to
    # send what the outbox holds (frontdesk.dispatch.link; tests/test_dispatch_station_qt.py).
    after_start(shell, 0, lambda: DispatchStarter(shell, app))
    # So do the email and text sender and the district hub's sync (their own threads), started once the desk is
    # up: their first round (imports, a database pass) would share the two cores with the first paint, and
    # nothing waits on them (a check-in's message wakes the sender; what is queued stays in the outbox).
    after_start(shell, BACKGROUND_AFTER_MS, lambda: (NotifyStarter(shell, app), SyncStarter(shell, app)))
    if not demo:
        Upkeep(services, shell).start()  # scheduled backups and the daily retention run
    # The admission workflow (screening, the list index) is built once the desk is up, not at the first
    # Check in: the first visitor does not wait for it, and the first paint did not either.
    after_start(shell, WARM_AFTER_MS, lambda: _warm_check_in(shell))
    # The index checked against the lists (rows deleted by hand hide a listed person), then daily: 20 s after the
    # window, once the desk's start-up work (the integrity check at 3 s) is done.
    if not demo:
        after_start(shell, INDEX_CHECK_AFTER_MS, lambda: _watch_index(shell, app))
    # An index built under older key rules is rebuilt beside the one in force, which answers meanwhile.
    after_start(
        shell, PREPARE_AFTER_MS, lambda: shell.desk is not None and _prepare_lists(shell.desk.preparation, app)
    )
    shell.show()
    # Keyboard-mode ID scanners type into whatever has focus: one filter for the whole app catches them. Put in
    # once the window is built and shown (no key can arrive before the event loop runs), so the window's
    # construction does not pass every one of its events through Python.
    wedge.install(app)
    return app.exec()
