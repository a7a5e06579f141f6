"""The status bar's hub item ("Hub: in step" / "Hub: 3 changes waiting" / "Hub: offline since 10:32"), and
the background sync (core threads, never Qt's), started with the desk window and stopped at quit.

A pull that brought another desk's visit refreshes the on-site list. Reading the status is a few small
SQLite reads every two seconds; nothing here waits for the network. The first read is just after the window's
first paint, as the sync itself starts later: the hub's sync service is not built (nor imported) on the way to
the first screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot

from frontdesk.context import Services
from ui.plain import plain_tip
from ui.status_text import StatusText
from ui.tasks import after_start

if TYPE_CHECKING:
    from frontdesk.sync.service import BackgroundSync

REFRESH_MS = 2000


class HubStatus(QObject):
    """The hub item of one desk window, and that desk's background sync."""

    def __init__(self, window, services: Services, *, interval_ms: int = REFRESH_MS):
        super().__init__(window)
        self._window = window
        self._services = services
        self.label = StatusText()
        self.label.setObjectName("hubStatus")
        self.label.setAccessibleName("District hub link")
        window.add_status_item(self.label)
        self.label.hide()  # until its first read says what to show
        self._background: BackgroundSync | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)
        # First read and the timer's start once the event loop runs (the window shown and painted), never on
        # the first paint.
        after_start(self, 0, self._first_refresh)

    @Slot()
    def _first_refresh(self) -> None:
        self._timer.start()
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Show where the desk stands with the hub; reload the on-site list if another desk's visits came."""
        status = self._services.sync.status()
        self.label.setText(status.words)
        self.label.setVisible(status.linked)
        gaps = self._services.visits.remote_gaps()
        tip = status.problem or gaps or "The on-site list includes the school's other desks' visitors"
        if status.clock_words:  # said first: the item may be cut with "…" on a narrow screen
            clock_tip = status.clock_words[0].upper() + status.clock_words[1:]
            tip = f"{clock_tip}: set this PC's date, time and time zone right, or tell school IT. {tip}"
        if status.older_words:  # a desk of the school that does not get its bars: what to do, first
            those = "that desk" if len(status.older_words) == 1 else "those desks"
            tip = " ".join(status.older_words) + f" Until then, a bar made here is not at {those}. {tip}"
        if status.hub_shares is False:  # first of all: someone barred here is not barred at the other desks
            tip = (
                "The district hub's version does not share this school's desks' records: a bar, a pick-up change "
                "or a release made here does not reach the school's other desks, nor theirs this desk. Tell "
                f"district IT to update the hub. {tip}"
            )
        self.label.setToolTip(plain_tip(tip))  # the hub's words and other desks' names, shown as written
        clock_off, old_hub = status.clock_off_s is not None, status.hub_shares is False
        warn = status.offline_since or status.problem or clock_off or old_hub or status.older_desks
        colour = "#8a5a00" if warn else ""
        self.label.setStyleSheet(f"color: {colour};" if colour else "")
        if self._services.sync.changed.is_set():
            self._services.sync.changed.clear()
            self._window.refresh_on_site()

    def start(self) -> None:
        """Start syncing in the background (idempotent)."""
        if self._background is None:
            self._background = self._services.sync.background()
            self._background.start()

    def stop(self) -> None:
        """Stop the background sync (what is waiting stays in the outbox for next time)."""
        if self._background is not None:
            self._background.stop()
            self._background = None


class SyncStarter(QObject):
    """Starts the desk window's hub sync once that window exists, and stops it when the application quits."""

    def __init__(self, shell, app):
        super().__init__(shell)
        self._shell = shell
        self._started: HubStatus | None = None
        shell.currentChanged.connect(self.on_current_changed)
        app.aboutToQuit.connect(self.on_quit)
        self.on_current_changed()

    @Slot()
    def on_current_changed(self, _index: int = 0) -> None:
        desk = self._shell.desk
        if desk is not None and self._started is None:
            self._started = desk.hub
            self._started.start()

    @Slot()
    def on_quit(self) -> None:
        if self._started is not None:
            self._started.stop()
