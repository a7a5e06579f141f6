"""The operating system's print queue (how DYMO LabelWriters are used), through Qt's QPrinter.

Registered as the ``system://QUEUE NAME`` printer scheme by the composition root, so the Qt-free core can
name it in a setting without importing Qt. The badge image is painted at the printer's resolution onto a
page the size of the media; the OS driver turns it into the printer's own raster.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from printers.badge import Badge
from printers.base import Printer, PrinterSetupError, PrinterStatus, State, unreachable
from printers.fakes import png_bytes
from printers.uri import PrinterUri


class SystemPrinter(Printer):
    """A named OS print queue. The job is the badge as PNG plus its size in millimetres."""

    families = ("system", "brother", "escpos")

    def __init__(self, uri: str, queue: str, timeout: float):
        super().__init__(uri, timeout)
        self.queue = queue
        self._printer: QPrinter | None = None
        self._size_mm: tuple[float, float] | None = None
        self._landscape = False

    @property
    def where(self) -> str:
        """The queue's name as the computer lists it."""
        return f"print queue “{self.queue}”"

    def build_job(self, badge: Badge) -> bytes:
        """The badge image as PNG; the page size comes from the badge's media."""
        width_mm, length_mm = badge.media.size_mm
        self._size_mm = (width_mm, length_mm)
        return png_bytes(badge.image)

    def open(self) -> None:
        """Find the queue. Raises PrinterUnreachable if the computer has no queue by that name."""
        info = QPrinterInfo.printerInfo(self.queue)
        if info.isNull():
            raise unreachable(self.where)
        self._printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)

    def send(self, job: bytes) -> None:
        """Paint the badge on one page of the queue's printer, filling the label."""
        if self._printer is None:
            self.open()
        assert self._printer is not None
        image = QImage.fromData(job, "PNG")
        if image.isNull():
            raise PrinterSetupError("The badge could not be prepared for the print queue")
        width_mm, length_mm = self._size_mm or (57.0, 102.0)
        page = QPageSize(QSizeF(width_mm, length_mm), QPageSize.Unit.Millimeter, "FrontDesk badge")
        self._printer.setPageLayout(
            QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
        )
        self._printer.setDocName("Visitor badge")
        painter = QPainter()
        if not painter.begin(self._printer):
            raise unreachable(self.where)
        try:
            target = QRectF(self._printer.pageLayout().paintRectPixels(self._printer.resolution()))
            painter.drawImage(target, image)
        finally:
            painter.end()

    def status(self) -> PrinterStatus:
        """The queue's state. The OS cannot see labels or the cover, so a ready queue is all we can say."""
        info = QPrinterInfo.printerInfo(self.queue)
        if info.isNull():
            return PrinterStatus(State.OFFLINE, f"No print queue called “{self.queue}” on this computer")
        if info.state() == QPrinter.PrinterState.Error:
            return PrinterStatus(State.ATTENTION, f"The print queue “{self.queue}” reports an error")
        return PrinterStatus(State.READY, f"Print queue “{self.queue}” ready")

    def close(self) -> None:
        """Let the queue go."""
        self._printer = None


def system_printer(uri: PrinterUri) -> Printer:
    """The ``system://QUEUE`` scheme for :data:`printers.uri.SCHEMES`."""
    queue = uri.address.strip("/")
    if not queue:
        raise PrinterSetupError("system:// needs the print queue's name, e.g. system://Front Desk DYMO")
    return SystemPrinter(uri.text, queue, uri.timeout)
