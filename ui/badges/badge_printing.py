"""Printing wired into the front-desk window: a badge after each check-in, Reprint, printer health.

Built by the composition root (``ui.app.build_window``). Listens to ``visit_checked_in`` (the visit is
already committed when it fires), hands the badge to the printer's worker, and shows what happened in the
badge panel and the status bar.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from frontdesk.context import Services
from frontdesk.errors import FrontDeskError
from frontdesk.settings import BADGE_PRINTER
from printers.base import Printer, PrinterStatus
from printers.fakes import PreviewPrinter
from ui.badges.badge_panel import BadgePanel
from ui.badges.printing import PanelReprintHandler, PrintWorker, health_view


class BadgePrinting(QObject):
    """The badge panel, the print worker of the configured printer, and the wiring between them."""

    slip_printed = Signal(str, str, str)  # what, outcome, message (a late pass, a release slip …)

    def __init__(self, window, services: Services, make_printer: Callable[[], Printer]):
        super().__init__()
        self.window = window
        self.services = services
        # The composition root's factory: the configured printer, built again when the setting changes.
        self._make_printer = make_printer
        self.panel = BadgePanel()
        window.side_panels.addWidget(self.panel)
        self.handler = PanelReprintHandler()
        self.handler.asked.connect(self.panel.on_question_asked)
        self.handler.asked.connect(self.on_question_asked)
        self.worker: PrintWorker | None = None
        self.start_worker()

        window.visit_checked_in.connect(self.on_visit_checked_in)
        window.visit_checked_out.connect(self.on_visit_checked_out)
        window.destroyed.connect(self.shutdown)
        self.panel.reprint_requested.connect(self.on_reprint_clicked)
        self.panel.settings_requested.connect(self.on_settings_requested)
        self.reprint_action = window.add_on_site_action("Reprint badge", self.on_reprint_selected)
        window.tools_menu.addAction("Badge &printer…", self.on_settings_requested)

    def start_worker(self) -> None:
        """(Re)start the worker for the printer in the settings; a bad setting falls back to the preview."""
        if self.worker is not None:
            # The old worker finishes the badges already queued for it in the background: none is lost.
            self.worker.stop(timeout=0)
        bad_setting = None
        try:
            printer = self._make_printer()
        except FrontDeskError as exc:
            printer, bad_setting = PreviewPrinter(), exc.message
        self.worker = PrintWorker(self.services.badges, printer, self.handler)
        self.worker.job_done.connect(self.on_job_done)
        self.worker.slip_done.connect(self.on_slip_done)
        self.worker.health_changed.connect(self.on_health_changed)
        self.worker.start()
        if printer.on_screen:  # nothing to ask a preview: say so at once rather than after a round trip
            self.window.set_health("printer", *health_view(printer.status(), printer))
        if bad_setting:
            self.window.set_health("printer", "error", "setting not valid — badges shown on screen")
            self.panel.status.setText(bad_setting)

    @Slot(object)
    def on_visit_checked_in(self, visit) -> None:
        """The visit is committed: print its badge."""
        self.on_reprint_requested(visit)

    @Slot(object)
    def on_visit_checked_out(self, visit) -> None:
        """The visitor left: the preview no longer shows their badge."""
        self.panel.clear_visit(visit)

    @Slot(object)
    def on_reprint_requested(self, visit) -> None:
        """Print a visit's badge (after check-in, from the panel, or from the on-site list)."""
        refused = self.services.badges.not_printed_here(visit)
        if refused:  # another desk's visitor: said plainly, nothing queued
            self.window.message.show_message(refused, "warning")
            return
        self._follow_settings()
        self.panel.show_pending(visit)
        self.worker.submit(visit)

    def _follow_settings(self) -> None:
        # The printer may have been changed in Tools › Settings since the worker started.
        if self.worker is None or self.services.settings.get(BADGE_PRINTER).strip() != self.worker.printer.uri:
            self.start_worker()

    @Slot(object)
    def on_reprint_clicked(self, visit) -> None:
        """The panel's Reprint: not while the desk is locked (a visitor's badge for whoever walks up to it)."""
        if not self.window.refused_while_locked("Reprint"):
            self.on_reprint_requested(visit)

    @Slot()
    def on_reprint_selected(self) -> None:
        """Reprint the badge of the visitor selected in On site now (not while the desk is locked)."""
        visit = self.window.selected_visit()
        if visit is not None and not self.window.refused_while_locked("Reprint badge"):
            self.on_reprint_requested(visit)

    def print_slip(self, slip, what: str) -> None:
        """Print a rendered slip on the badge printer (other features call this; ``slip_printed`` follows)."""
        self._follow_settings()
        self.worker.submit_slip(slip, what)

    @Slot(str, str, str)
    def on_slip_done(self, what: str, outcome: str, message: str) -> None:
        """A slip's outcome: a problem goes on the window's message line; features hear ``slip_printed``."""
        if self.worker is None:
            return
        if outcome != "printed":
            self.window.message.show_message(message, "warning")
        self.slip_printed.emit(what, outcome, message)

    @Slot(object)
    def on_job_done(self, result) -> None:
        """Show the badge and the outcome; a problem also goes on the window's message line."""
        if self.worker is None:  # arrived after the window closed
            return
        self.panel.show_result(result)
        if not result.ok:
            self.window.message.show_message(result.message, "warning")

    @Slot(object)
    def on_health_changed(self, status: PrinterStatus) -> None:
        """Printer health for the status bar (unknown is shown as a warning, never as OK)."""
        if self.worker is None or self.sender() not in (None, self.worker):  # closed, or a replaced printer
            return
        state, text = health_view(status, self.worker.printer)
        self.window.set_health("printer", state, text)

    @Slot(object)
    def on_question_asked(self, _question) -> None:
        """While the printer's question waits in the panel, the status bar does not say the printer is fine (it
        said "ready" under "cannot reach the printer … Print it again?" until the question was answered)."""
        if self.worker is not None and not self.worker.printer.on_screen:
            self.window.set_health("printer", "warning", "needs attention — see the badge panel")

    @Slot()
    def on_settings_requested(self) -> None:
        """Open Settings › Badges; a saved change restarts the worker on the new printer (not while the desk is
        locked)."""
        if self.window.refused_while_locked("The badge printer's settings"):
            return
        from ui.asking import answer_of
        from ui.badges.printer_settings import PrinterSettingsDialog  # with the renderer: when it is opened

        dialog = PrinterSettingsDialog(self.services.settings, self.services.badges, self.window)
        if answer_of(dialog):  # not modal to Qt: the panic button takes a click meanwhile (ui.asking)
            self.start_worker()
        dialog.deleteLater()

    @Slot()
    def shutdown(self) -> None:
        """Stop the worker (the window is closing)."""
        if self.worker is not None:
            self.worker.stop(timeout=2.0)
            self.worker = None
