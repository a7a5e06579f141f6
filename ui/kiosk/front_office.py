"""The front desk's side of the kiosk: people the kiosk sent to the front office, shown as a banner.

The kiosk (on this PC or another sharing the data folder) writes a request to the core; this banner reads the
pending ones every few seconds. *Check in here* takes the oldest (once: another desk taking it first is told)
and starts it in the window's own check-in flow, with the kiosk's details filled in, so the desk sees what
the core says — the match card for a possible match, the warning for a volunteer whose check has lapsed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from frontdesk.errors import FrontDeskError

if TYPE_CHECKING:
    from frontdesk.context import Services
    from frontdesk.kiosk.service import DeskRequest
    from ui.desk.checkin_flow import CheckInFlow

POLL_MS = 2000
STYLE = "FrontOfficeBanner { background: #0b4f8a; } QLabel { color: white; font-weight: bold; }"


class FrontOfficeBanner(QFrame):
    """ "From the kiosk: N waiting at the front office — Name [Check in here]", while anyone is waiting."""

    request_taken = Signal(object)  # DeskRequest

    def __init__(self, services: Services, flow: CheckInFlow, message, *, poll_ms: int = POLL_MS):
        super().__init__()
        self.services = services
        self.flow = flow
        self._message = message  # the window's message line
        row = QHBoxLayout(self)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.label.setAccessibleName("Waiting from the kiosk")
        self.take_button = QPushButton("Check in here")
        self.take_button.setAccessibleName("Check in the person waiting from the kiosk")
        self.take_button.clicked.connect(self.take_next)
        row.addWidget(self.label, 1)
        row.addWidget(self.take_button)
        self.waiting: list[DeskRequest] = []
        self.hide()  # styled when first shown (as the ID confirmation panel: ui.scanning.id_confirm)
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.refresh)
        # The first read is the timer's first tick, not now: the banner is hidden until someone is waiting, and
        # reading imports the kiosk's service (six dataclasses), which the desk's first paint should not wait for
        # (issue 13). The timer starts once the event loop runs (the window shown and painted), so ``poll_ms``
        # counts from there: started here, a slow or busy PC that took longer than ``poll_ms`` to build and
        # paint the desk had the first read land on its first paint.
        QTimer.singleShot(0, self.timer, self.timer.start)

    @Slot()
    def refresh(self) -> None:
        """Read who is waiting (a locked desk cannot read: nothing is shown until it is unlocked)."""
        try:
            self.waiting = self.services.kiosk.pending()
        except FrontDeskError:
            self.waiting = []
        if not self.waiting:
            self.hide()
            return
        first = self.waiting[0].request.visitor
        more = f" (and {len(self.waiting) - 1} more)" if len(self.waiting) > 1 else ""
        self.label.setText(
            f"From the kiosk: {first.first_name} {first.last_name} is waiting at the front office{more}."
        )
        if not self.styleSheet():
            self.setStyleSheet(STYLE)
        self.show()

    @Slot()
    def take_next(self) -> None:
        """Take the oldest waiting person and start their check-in in the window's flow."""
        self.refresh()
        if not self.waiting:
            return
        try:
            taken = self.services.kiosk.take(self.waiting[0].id)
        except FrontDeskError as exc:
            self._message.show_message(exc.message, "warning")
            self.refresh()
            return
        self.refresh()
        self.request_taken.emit(taken)
        if taken.reason == "denied":  # already refused, recorded and notified by the core: say so only
            self._message.show_message(f"From the kiosk: {taken.message}", "error")
            return
        if taken.check_id:  # the kiosk could not tell who they are: their ID first, then Check in (session 22)
            self.flow.load_request(
                taken.request, f"From the kiosk: {taken.request.visitor.full_name}. {taken.message}", start=False
            )
            return
        self.flow.load_request(taken.request, f"From the kiosk: {taken.request.visitor.full_name}.")

    def stop(self) -> None:
        """Stop polling (the window is closing)."""
        self.timer.stop()
