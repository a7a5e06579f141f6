"""Wires ID scanning into the front-desk window: wedge and serial scans fill the form and show what was read.

Only what the desk needs goes into the form (name, date of birth, document type, issuer, expiry, last 4 of
the number, photo); the raw payload is parsed and dropped here, never stored or logged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from frontdesk.text import normalize_badge_code
from ui.scanning.id_confirm import IdConfirmPanel

if TYPE_CHECKING:  # the ID parsers and serial scanners load with the first scan or the first serial port
    from frontdesk.ids.service import IdReader
    from frontdesk.models import Visitor
    from scanners.idcard import IdRecord
    from ui.scanning.scanner_worker import ScannerWorker
    from ui.scanning.wedge_filter import WedgeFilter


class IdScanController(QObject):
    """Turns scans (from the wedge filter or scanner workers) into a filled form plus a confirmation panel."""

    def __init__(
        self, window, *, today: Callable[[], date] = date.today, events=None, ids: IdReader | None = None
    ):
        super().__init__(window)
        self.window = window
        self._today = today
        self._events = events  # the event log: scanner losses and recoveries are kept where the user sees them
        self._ids = ids  # the core's ID reader: each ID shown at the desk is recorded there
        self._scanner_state = "ok"
        self.panel = IdConfirmPanel()
        window.form_actions.addWidget(self.panel)
        self.panel.confirmed.connect(self.on_panel_confirmed)
        self.panel.rejected.connect(self.on_panel_rejected)
        self.last_record: IdRecord | None = None
        self.workers: list[ScannerWorker] = []
        # Another window may take an ID read while it is in front (the students window, for the adult at
        # early dismissal): each claimant gets the Visitor and returns True when it took it.
        self._claimants: list[Callable[[Visitor], bool]] = []

    def add_claimant(self, claim: Callable[[Visitor], bool]) -> None:
        """Let ``claim(visitor)`` take an ID read before the visitor form does (the composition root wires it)."""
        self._claimants.append(claim)

    def attach_wedge(self, wedge: WedgeFilter) -> None:
        """Listen to the application's keyboard-wedge filter."""
        wedge.scan_started.connect(self.on_scan_started)
        wedge.scanned.connect(self.on_text_scanned)
        self.window.set_health("scanner", "ok", "keyboard scanner ready")

    def attach_worker(self, worker: ScannerWorker) -> None:
        """Listen to a serial (or demo) scanner's worker, and show its health in the status bar."""
        worker.scanned.connect(self.on_bytes_scanned)
        worker.state_changed.connect(self.on_scanner_state)
        self.workers.append(worker)

    @Slot()
    def on_scan_started(self) -> None:
        self.window.message.show_message("Reading ID… hold the card still until it beeps.", "info")

    @Slot(str)
    def on_text_scanned(self, text: str) -> None:
        self.handle_scan(text)

    @Slot(bytes)
    def on_bytes_scanned(self, data: bytes) -> None:
        self.handle_scan(data)

    @Slot(str, str)
    def on_scanner_state(self, state: str, text: str) -> None:
        self.window.set_health("scanner", state, text)
        if self._events is not None and (state == "error" or self._scanner_state == "error"):
            self._events.record("scanner", "error" if state == "error" else "info", text)
        self._scanner_state = state

    def handle_scan(self, data: str | bytes) -> IdRecord | None:
        """Parse one scan; fill the form and show the panel, or say plainly that it could not be read."""
        from scanners.aamva import parse_id
        from scanners.idcard import UnreadableIdError  # loads with the parsers, at the first scan

        try:
            record = self._ids.read(data) if self._ids is not None else parse_id(data)
        except UnreadableIdError as exc:
            text = data.decode("latin-1") if isinstance(data, bytes) else data
            if len(normalize_badge_code(text)) == 8 and len(text.strip()) <= 12:
                # A badge's code scanned at the desk: the big entry knows what to do with it.
                self.window.scan_entry.setText(text.strip())
                self.window.on_scan_entry_return()
                return None
            self.panel.hide()
            self.window.message.show_message(
                f"Could not read this ID: {exc.message[0].lower()}{exc.message[1:]}", "warning"
            )
            self.window.form.first_name.setFocus()
            return None
        self.last_record = record
        visitor = record.to_visitor()
        for claim in self._claimants:
            if claim(visitor):
                return record
        self.window.fill_visitor(visitor)
        warnings = self.panel.show_record(record, self._today())
        if self.window.form_covered():  # locked: the form waits behind the sign-in pad for whoever signs in
            self.window.message.show_message(
                f"Read {visitor.full_name} from the ID. "
                + "".join(w + " " for w in warnings)
                + "The desk is locked: sign in with your PIN or password to check them in.",
                "warning" if warnings else "info",
            )
        elif warnings:
            self.window.message.show_message(" ".join(warnings) + " Check before admitting.", "warning")
        else:
            self.window.message.show_message(
                f"Read {visitor.full_name} from the ID. Check the details, choose where they are going, "
                "then Check in.",
                "info",
            )
        return record

    @Slot()
    def on_panel_confirmed(self) -> None:
        self.window.form.destination.setFocus()

    @Slot()
    def on_panel_rejected(self) -> None:
        self.window.form.clear()
        self.window.message.show_message("Type the visitor's details from the card.", "info")
        self.window.form.first_name.setFocus()

    def attach_camera(self, panel) -> None:
        """Add the camera panel: its photo goes with the visitor, its barcode or zone read is a scan like any
        other (a zone's text is what an MRZ reader in keyboard mode would have typed)."""
        self.camera_panel = panel
        self.window.form_actions.addWidget(panel)
        panel.photo_taken.connect(self.on_photo_taken)
        panel.barcode_read.connect(self.on_bytes_scanned)
        panel.mrz_read.connect(self.on_text_scanned)
        panel.read_failed.connect(self.on_camera_read_failed)

    @Slot(bytes)
    def on_photo_taken(self, photo: bytes) -> None:
        self.window.form.set_photo(photo)
        self.window.message.show_message("Photo taken for the badge.", "success")

    @Slot(str)
    def on_camera_read_failed(self, reason: str) -> None:
        self.window.message.show_message(reason, "warning")

    def stop(self) -> None:
        """Stop the scanner workers and the camera (on close)."""
        for worker in self.workers:
            worker.stop()
        if getattr(self, "camera_panel", None) is not None:
            self.camera_panel.stop()


def attach_id_scanning(
    window,
    *,
    wedge: WedgeFilter | None = None,
    workers: list[ScannerWorker] = (),
    today=date.today,
    events=None,
    ids: IdReader | None = None,
) -> IdScanController:
    """Give ``window`` ID scanning: the confirmation panel, the wedge filter's scans, scanner workers."""
    controller = IdScanController(window, today=today, events=events, ids=ids)
    if wedge is not None:
        controller.attach_wedge(wedge)
    for worker in workers:
        controller.attach_worker(worker)
    return controller
