"""The composition root's kiosk (``frontdesk --kiosk``, or the kiosk setting): its window, the badge printer's
worker, the keyboard-wedge scanner and the camera. :func:`ui.app.run` imports it only when the kiosk is used, so
the desk's start does not build the kiosk's types (issue 13)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from frontdesk.context import Services
from frontdesk.errors import DeviceError, FrontDeskError
from frontdesk.settings import KIOSK_IDLE_SECONDS
from ui.app import PREPARE_AFTER_MS
from ui.scanning.wedge_filter import WedgeFilter
from ui.screening.index_upgrade import ListsPreparation
from ui.tasks import after_start

if TYPE_CHECKING:  # the camera is imported where it is looked for
    from scanners.camera import FrameSource
    from ui.badges.printing import PrintWorker
    from ui.kiosk.kiosk_window import KioskWindow


@dataclass
class Kiosk:
    """The kiosk window and its badge printer's worker (tests reach them here)."""

    window: KioskWindow
    printing: PrintWorker
    camera: FrameSource | None = None
    preparation: ListsPreparation | None = None  # the screening index's rebuild after an upgrade (start_kiosk's)

    def __getattr__(self, name: str):
        return getattr(self.window, name)

    def stop(self) -> None:
        """Stop the printer's worker (the badges already queued are printed first), close the camera, and ask
        the lists' preparation to stop at its next step (the next start builds it again)."""
        self.printing.stop()
        if self.camera is not None:
            self.camera.close()
        if self.preparation is not None:
            self.preparation.stop()


def build_kiosk(
    services: Services, *, wedge: WedgeFilter | None = None, printer=None, camera: FrameSource | None = None
) -> Kiosk:
    """The self-service kiosk: its window, the badge printer (the setting's, or ``printer``) fed from each
    check-in, the keyboard-wedge scanner's scans, and the camera (``camera``, else the PC's own when the
    system lists one) for the visitor's photo. Every check-in goes through ``services.checkin``."""
    from frontdesk.badges.service import NeverReprint
    from printers.fakes import PreviewPrinter
    from ui.badges.printing import PrintWorker
    from ui.kiosk.kiosk_window import KioskWindow

    if camera is None:
        camera = _kiosk_camera(services)
    if printer is None:
        try:
            printer = services.badges.printer()
        except FrontDeskError as exc:
            services.events.record("printer", "error", exc.message)
            printer = PreviewPrinter()
    # The desk's default "printer" shows the badge on its screen; the kiosk has none to show it on, so no badge
    # would come out while the kiosk said "take your badge". Each visitor is sent to the front office for it, and
    # the desk is told once, at the kiosk's start.
    window = KioskWindow(
        services,
        idle_ms=services.settings.get(KIOSK_IDLE_SECONDS) * 1000,
        camera=camera,
        prints_badges=not printer.on_screen,
    )
    if printer.on_screen:
        services.events.record(
            "printer",
            "warning",
            "The kiosk has no badge printer set up: each visitor it checks in is sent to the front office for a "
            "badge. Set the kiosk's printer (the setting badges.printer; frontdesk printer test URI checks it).",
        )
    worker = PrintWorker(services.badges, printer, NeverReprint())
    window.visit_checked_in.connect(worker.submit)
    worker.job_done.connect(window.on_badge_done)  # a badge that did not print: the kiosk says where to get it
    worker.start()
    if wedge is not None:
        wedge.scanned.connect(window.on_scanned)
    return Kiosk(window, worker, camera)


def start_kiosk(
    services: Services, *, wedge: WedgeFilter | None = None, printer=None, prepare_after_ms: int = PREPARE_AFTER_MS
) -> Kiosk:
    """The kiosk as ``frontdesk --kiosk`` starts it: :func:`build_kiosk`, and, ``prepare_after_ms`` after its
    window is up, the screening index's rebuild after an upgrade (in the background, as at the desk; no status
    item: nothing is said at the kiosk). ``Kiosk.stop`` stops both."""
    station = build_kiosk(services, wedge=wedge, printer=printer)
    preparation = station.preparation = ListsPreparation(None, services, station.window)
    after_start(station.window, prepare_after_ms, preparation.start)
    return station


def _kiosk_camera(services: Services) -> FrameSource | None:
    """The PC's camera, opened, when the system lists one; None (no photo) otherwise."""
    from ui.scanning.camera_qt import QtCamera, cameras_present

    if not cameras_present():
        return None
    camera = QtCamera()
    try:
        camera.open()
    except DeviceError as exc:
        services.events.record("camera", "warning", exc.message)
        return None
    return camera
