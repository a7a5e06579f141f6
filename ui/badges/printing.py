"""Badge printing in the window: one long-lived worker with a queue per printer, and the desk's handler.

The worker's thread does all printer I/O (STYLE rule 4); it reports through signals whose receivers are
slots of objects living in the GUI thread (rule 5). When the printer needs a person ("print again?"), the
worker asks through :class:`PanelReprintHandler`, which puts the question in the badge panel on the GUI
thread and waits for the answer (rule 9).
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from frontdesk import clock
from frontdesk.badges.service import BadgeService, Outcome, ReprintHandler
from frontdesk.errors import FrontDeskError
from frontdesk.models import Visit
from printers.base import Printer, PrinterStatus, State
from ui.workers import DeviceWorker

if TYPE_CHECKING:
    from frontdesk.badges.result import PrintResult

HEALTH_EVERY = 60.0  # seconds between status checks while idle
ANSWER_WAIT = 600.0  # a question nobody answers in ten minutes is a "no"

_OUTCOME_STATE = {
    Outcome.PRINTED: State.READY,
    Outcome.SENT: State.UNKNOWN,
    Outcome.FAILED: State.OFFLINE,
    Outcome.PARTIAL: State.ATTENTION,
    Outcome.ATTENTION: State.ATTENTION,
}


class PrintWorker(DeviceWorker):
    """One printer's queue and the one thread that serves it, for the life of the printer setting."""

    job_done = Signal(object)  # PrintResult
    slip_done = Signal(str, str, str)  # what ("Late pass"), outcome, message
    health_changed = Signal(object)  # PrinterStatus

    def __init__(
        self,
        badges: BadgeService,
        printer: Printer,
        handler: ReprintHandler,
        *,
        health_every: float = HEALTH_EVERY,
    ):
        super().__init__(f"printer {printer.uri}")
        self.badges = badges
        self.printer = printer
        self.handler = handler
        self.health_every = health_every
        self._queue: queue.Queue = queue.Queue()
        self.check_health()  # the first thing the thread does once started

    def submit(self, visit: Visit, media_key: str | None = None, orientation: str | None = None) -> None:
        """Queue a visit's badge; it is dropped if it waits longer than the service's expiry."""
        self._queue.put(("print", visit, clock.now(), media_key, orientation))

    def submit_slip(self, slip, what: str) -> None:
        """Queue a rendered slip (a late pass, a release slip, a request card: ``printers.slips``)."""
        self._queue.put(("slip", slip, what))

    def check_health(self) -> None:
        """Queue a status check (its answer arrives as ``health_changed``)."""
        self._queue.put(("status",))

    def interrupt(self) -> None:
        """End the thread once the badges already queued are done."""
        self._queue.put(None)

    def run(self) -> None:
        """Serve the queue (and check the printer's health while idle) until stopped."""
        try:
            while True:
                try:
                    item = self._queue.get(timeout=self.health_every)
                except queue.Empty:
                    item = ("status",)
                if item is None:
                    return
                try:
                    self._serve(item)
                except Exception as exc:  # the worker outlives any one job: report and carry on
                    self.health_changed.emit(PrinterStatus(State.UNKNOWN, f"printing problem: {exc}"))
        finally:
            self.printer.close()
            self.badges.close_thread()

    def _serve(self, item: tuple) -> None:
        if item[0] == "slip":
            _, slip, what = item
            try:
                outcome, message = self.badges.print_slip(slip, self.printer, what)
            except FrontDeskError as exc:  # the database, writing the printer's failure: the slip still answered
                message = f"{what}: the desk could not record how it printed: {exc.message} Check it came out."
                self.slip_done.emit(what, Outcome.SENT.value, message)
                self.health_changed.emit(PrinterStatus(State.UNKNOWN, f"printing problem: {exc.message}"))
                return
            self.slip_done.emit(what, outcome.value, message)
            if outcome in _OUTCOME_STATE:
                state = _OUTCOME_STATE[outcome]
                self.health_changed.emit(PrinterStatus(state, _slip_short(outcome, self.printer)))
        elif item[0] == "print":
            _, visit, queued_at, media_key, orientation = item
            try:
                result = self.badges.print_badge(
                    visit,
                    self.printer,
                    self.handler,
                    media_key=media_key,
                    orientation=orientation,
                    queued_at=queued_at,
                )
            except FrontDeskError as exc:  # the database (busy, full): the badge's job still gets its answer
                self.job_done.emit(_not_recorded(visit, exc))
                self.health_changed.emit(PrinterStatus(State.UNKNOWN, f"printing problem: {exc.message}"))
                return
            self.job_done.emit(result)
            if result.outcome in _OUTCOME_STATE:
                state = _OUTCOME_STATE[result.outcome]
                self.health_changed.emit(PrinterStatus(state, _short(result, self.printer)))
        else:
            self.health_changed.emit(self.printer.status())


def _not_recorded(visit: Visit, error: FrontDeskError) -> PrintResult:
    """The answer for a badge whose printing the desk could not record (session 23: without one, the panel said
    "Printing the badge for ..." for good). It may have printed: said so, never shown as printed."""
    from frontdesk.badges.result import PrintResult

    message = (
        f"The desk could not record {visit.visitor.full_name}'s badge: {error.message} "
        "Check whether it printed; Reprint if not."
    )
    return PrintResult(visit, Outcome.SENT, message, None, b"", 0)


def _short(result: PrintResult, printer: Printer) -> str:
    if result.outcome is Outcome.PRINTED:
        return "ready" if not printer.on_screen else "on-screen preview"
    if result.outcome is Outcome.FAILED:
        return f"not reachable ({printer.where})" if "not reachable" in result.message else "badge not printed"
    if result.outcome is Outcome.SENT:
        return (
            "sent to the print queue — check the last badge"
            if printer.spooled
            else "not answering — check the last badge"
        )
    return "needs attention"


def _slip_short(outcome: Outcome, printer: Printer) -> str:
    if outcome is Outcome.PRINTED:
        return "ready" if not printer.on_screen else "on-screen preview"
    return "needs attention" if outcome is not Outcome.FAILED else f"not reachable ({printer.where})"


@dataclass
class Question:
    """A question from the worker to the desk, answered on the GUI thread."""

    visit: Visit
    message: str
    answer: bool = False
    answered: threading.Event = field(default_factory=threading.Event)

    def reply(self, yes: bool) -> None:
        """Give the answer and wake the worker."""
        self.answer = yes
        self.answered.set()


class PanelReprintHandler(QObject):
    """Asks "print again?" in the badge panel (on the GUI thread) and blocks the worker until answered."""

    asked = Signal(object)  # Question

    def confirm_reprint(self, visit: Visit, message: str) -> bool:
        """Called on the worker thread."""
        question = Question(visit, message)
        self.asked.emit(question)
        question.answered.wait(ANSWER_WAIT)
        return question.answer


def health_view(status: PrinterStatus, printer: Printer) -> tuple[str, str]:
    """The status bar's (state, text) for a printer status."""
    if printer.on_screen:
        return "unconfigured", "on-screen preview"
    state = {State.READY: "ok", State.ATTENTION: "warning", State.UNKNOWN: "warning"}.get(status.state, "error")
    return state, status.message
