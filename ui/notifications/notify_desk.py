"""The email and text notifications feature in the desk window: the Tools menu's entry, the sender, a status item.

Its window (:mod:`ui.notifications.outbound_window`: the recipients and the outbox's delivery states) is
imported when first opened: the desk's first screen shows only the status item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtGui import QKeySequence

from frontdesk.context import Services
from frontdesk.errors import FrontDeskError
from ui.asking import show_clear
from ui.status_text import StatusText

if TYPE_CHECKING:
    from ui.notifications.outbound_window import OutboundWindow


class NotifyDesk(QObject):
    """The feature in the desk window: Tools > Email and text notifications, the sender, a status item."""

    def __init__(self, window, services: Services, sender):
        super().__init__(window)
        self._window = window
        self._services = services
        self.outbox_sender = sender
        self.outbound_window: OutboundWindow | None = None
        window.tools_menu.addAction("E&mail and text notifications", QKeySequence("Ctrl+Shift+M"), self.open)
        self.status = StatusText()
        self.status.setAccessibleName("Email and text notifications")
        window.add_status_item(self.status)
        sender.attempted.connect(self.on_attempted)
        sender.failed.connect(self.on_failed)
        self.on_attempted([])

    def watch_link(self, health, every_ms: int = 60_000) -> None:
        """Tell the ``desk-offline`` subscribers when this desk's link to the district has been down for over
        an hour (``health()``: the link's current health, with ``state`` and ``since``). The rule and the
        grouping (one message per silence) are :meth:`frontdesk.notifications.outbound.Outbound.desk_offline`'s.
        """
        self._health = health
        self._link_timer = QTimer(self)
        self._link_timer.setInterval(every_ms)
        self._link_timer.timeout.connect(self.on_link_timer)
        self._link_timer.start()

    @Slot()
    def on_link_timer(self) -> None:
        """Look at the link's health; queue (once per silence) when it has been down for over an hour."""
        h = self._health()
        if h is not None and h.state == "down":
            try:
                outbound = self._services.outbound
                if outbound.desk_offline(outbound.where(), h.since):
                    self.outbox_sender.wake()
            except FrontDeskError as exc:
                self.on_failed(exc.message)

    @Slot()
    def open(self) -> None:
        """Show (or raise) the recipients and outbox window (not while the desk is locked: it lists staff's
        addresses and mobile numbers)."""
        if self._window.refused_while_locked("Email and text notifications"):
            return
        if self.outbound_window is None:
            from ui.notifications.outbound_window import OutboundWindow

            self.outbound_window = OutboundWindow(self._services, self._window)
            self.outbound_window.queued.connect(self.outbox_sender.wake)
        show_clear(self.outbound_window)

    @Slot()
    def on_desk_locked(self) -> None:
        """The desk locked: the recipients window closes with it (it opens again after someone signs in)."""
        if self.outbound_window is not None:
            self.outbound_window.close()

    @Slot(object)
    def on_attempted(self, _attempts) -> None:
        """Show in the status bar when messages were not delivered (a visible failure)."""
        problems = self._services.outbound.problem_count()
        words = "1 email/text not delivered" if problems == 1 else f"{problems} emails/texts not delivered"
        self.status.setText(words if problems else "")
        self.status.setStyleSheet("color:#b00020; font-weight:bold;" if problems else "")
        self.status.set_whole(bool(problems))  # a failure the office must see: read whole, the others give way
        if self.outbound_window is not None and self.outbound_window.isVisible():
            self.outbound_window.refresh()

    @Slot(str)
    def on_failed(self, error: str) -> None:
        """The sender's pass failed: say so in the status bar (it tries again)."""
        self.status.set_whole(False)  # a server's words can be long: cut, whole in the tooltip
        self.status.setText(f"Email/text sender: {error}")
        self.status.setStyleSheet("color:#b00020;")
