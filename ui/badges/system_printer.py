"""The operating system's print queue (how DYMO LabelWriters are used), through Qt's QPrinter.

Registered as the ``system://QUEUE NAME`` printer scheme by the composition root, so the Qt-free core can
name it in a setting without importing Qt. The badge image is painted at the printer's resolution onto a
page the size of the media; the OS driver turns it into the printer's own raster.

A queue takes a job whether or not the printer behind it is there, so taking it is never "printed": on Linux
the job is then followed in CUPS for a few seconds (:mod:`printers.os_queue`, on the print worker's thread) and
:meth:`SystemPrinter.status` reports what became of it. Where job states cannot be read (Windows, macOS, no
pycups) the badge is "sent to the print queue", never "printed".

A CUPS queue's name has no spaces (``Front_Desk_DYMO``); the name people see in the printer settings is its
description ("Front Desk DYMO"), so ``system://`` finds a queue by either.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from printers.badge import Badge
from printers.base import Printer, PrinterError, PrinterSetupError, PrinterStatus, State, unreachable
from printers.fakes import png_bytes
from printers.os_queue import (
    JOB_ABORTED,
    JOB_CANCELED,
    JOB_PROCESSING,
    WATCH_SECONDS,
    CupsQueue,
    Unreadable,
    Verdict,
    readable,
)
from printers.uri import PrinterUri


class SystemPrinter(Printer):
    """A named OS print queue. The job is the badge as PNG plus its size in millimetres."""

    families = ("system", "brother", "escpos")
    spooled = True

    def __init__(self, uri: str, queue: str, timeout: float, *, watch_seconds: float = WATCH_SECONDS):
        super().__init__(uri, timeout)
        self.queue = queue
        self.watch_seconds = watch_seconds
        self._printer: QPrinter | None = None
        self._size_mm: tuple[float, float] | None = None
        self._landscape = False
        self._cups: CupsQueue | None = None  # the queue in CUPS, while a queue is open and its jobs readable
        self._job: int | None = None  # the badge just handed to the queue, until status() says what became of it
        self._sent = False
        self._what = "badge"  # what the job is (a badge, a late pass, ...), for the messages

    @property
    def where(self) -> str:
        """The queue's name as the computer lists it."""
        return f"print queue “{self.queue}”"

    def build_job(self, badge: Badge) -> bytes:
        """The badge image as PNG; the page size comes from the badge's media."""
        width_mm, length_mm = badge.media.size_mm
        self._size_mm = (width_mm, length_mm)
        self._what = badge.what  # "badge", "late pass", ...: what the messages below call it
        return png_bytes(badge.image)

    def open(self) -> None:
        """Find the queue. Raises PrinterUnreachable if the computer has no queue by that name."""
        info = _find(self.queue)
        if info is None:
            raise unreachable(self.where)
        self._printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
        self._cups = CupsQueue(info.printerName()) if readable() else None
        self._job = None
        self._sent = False

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
        before = self._cups.newest_job() if self._cups is not None else None
        painter = QPainter()
        if not painter.begin(self._printer):
            raise unreachable(self.where)
        try:
            target = QRectF(self._printer.pageLayout().paintRectPixels(self._printer.resolution()))
            painter.drawImage(target, image)
        finally:
            painter.end()  # Qt's CUPS engine hands the page to the queue here
        self._sent = True
        if self._cups is not None and before is not None:
            try:
                self._job = self._cups.job_after(before)
            except Unreadable:
                return  # taken or not, nobody can tell: status() says "sent to the queue"
            state = self._cups.state() if self._job is None else None
            if state is not None and not state.accepting:  # CUPS refused the job: nothing was sent
                self._sent = False
                raise PrinterError(
                    f"The {self.where} is not accepting jobs: set it to accept them in the computer's printer "
                    "settings (or ask IT)."
                )
            # No job found in a queue that accepts them: one that completed and was forgotten at once
            # (PreserveJobHistory off), or refused for another reason. status() then says "sent", not "printed".

    def status(self) -> PrinterStatus:
        """Right after a send: what became of that badge (watched for up to ``watch_seconds``). Otherwise the
        queue's state; the OS cannot see labels or the cover, so a ready queue is all we can say."""
        if self._sent:
            self._sent = False
            job, self._job = self._job, None
            return self._job_status(job)
        info = _find(self.queue)
        if info is None:
            return PrinterStatus(State.OFFLINE, f"No print queue called “{self.queue}” on this computer")
        state = CupsQueue(info.printerName()).state() if readable() else None
        if state is not None and state.stopped:
            return PrinterStatus(State.ATTENTION, _stopped(self.queue, state.said) + ".")
        if state is not None and not state.accepting:
            return PrinterStatus(State.ATTENTION, f"The print queue “{self.queue}” is not accepting jobs")
        if info.state() == QPrinter.PrinterState.Error:
            return PrinterStatus(State.ATTENTION, f"The print queue “{self.queue}” reports an error")
        return PrinterStatus(State.READY, f"Print queue “{self.queue}” ready")

    def _job_status(self, job: int | None) -> PrinterStatus:
        if job is None or self._cups is None:
            return PrinterStatus(
                State.UNKNOWN,
                f"It went to the print queue “{self.queue}”; this computer cannot see whether it came out.",
            )
        report = self._cups.watch(job, within=self.watch_seconds)
        if report.verdict is Verdict.PRINTED:
            return PrinterStatus(State.READY, f"Print queue “{self.queue}”: {self._what} printed")
        if report.verdict is Verdict.WAITING:
            return PrinterStatus(
                State.UNKNOWN, f"It is still waiting in the print queue “{self.queue}” behind other jobs."
            )
        if report.verdict is Verdict.UNSEEN:
            return PrinterStatus(
                State.UNKNOWN, f"It went to the print queue “{self.queue}”; the queue's state could not be read."
            )
        said = f" (it says: “{report.said.rstrip('.')}”)" if report.said else ""
        if report.job_state in (JOB_CANCELED, JOB_ABORTED):  # CUPS ended the job itself: nothing left to take off
            return PrinterStatus(
                State.ATTENTION, f"The print queue “{self.queue}” did not print the {self._what}{said}"
            )
        # A problem with the badge still queued: take it off, so that it cannot come out later for a visitor who
        # has gone (or as a second copy after "print again"), then say what the queue said and what to do.
        if self._cups.cancel(job):
            fate = f"The {self._what} was taken off the queue, so that it cannot come out later"
        else:
            fate = f"The {self._what} is still in the queue: it may come out once the printer is back"
        if report.stopped:
            return PrinterStatus(State.ATTENTION, f"{_stopped(self.queue, report.said)}. {fate}")
        if report.job_state == JOB_PROCESSING:  # at the printer and not taken: what an unplugged DYMO looks like
            return PrinterStatus(
                State.ATTENTION,
                f"The print queue “{self.queue}” cannot reach the printer — is it plugged in and switched on? "
                f"{fate}",
            )
        return PrinterStatus(
            State.ATTENTION, f"The print queue “{self.queue}” is holding the {self._what}{said}. {fate}"
        )

    def close(self) -> None:
        """Let the queue go."""
        self._printer = None
        self._cups = None


def _find(name: str) -> QPrinterInfo | None:
    """The queue by its name, else by the description people see (CUPS names cannot hold spaces)."""
    info = QPrinterInfo.printerInfo(name)
    if not info.isNull():
        return info
    for candidate in QPrinterInfo.availablePrinters():
        if candidate.description() == name:
            return candidate
    return None


def _stopped(queue: str, said: str) -> str:
    said = f" (it says: “{said.rstrip('.')}”)" if said else ""
    return (
        f"The print queue “{queue}” has stopped{said}: check the printer is plugged in and on, then resume the "
        "queue in the computer's printer settings (or ask IT)"
    )


def system_printer(uri: PrinterUri) -> Printer:
    """The ``system://QUEUE`` scheme for :data:`printers.uri.SCHEMES`."""
    queue = uri.address.strip("/")
    if not queue:
        raise PrinterSetupError("system:// needs the print queue's name, e.g. system://Front Desk DYMO")
    try:
        watch = float(uri.options.get("watch", WATCH_SECONDS))
    except ValueError:
        raise PrinterSetupError(f"watch must be a number of seconds in {uri.text!r}") from None
    return SystemPrinter(uri.text, queue, uri.timeout, watch_seconds=watch)
