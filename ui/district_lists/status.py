"""The status bar's district lists item: "District list as of 07:02", in warning colours once it is old.

A copy older than ``district.lists_max_age_hours`` (default 24 h) says so: screening then uses an old copy of
the district's barred, custody and registry lists. Reading the age is two small SQLite reads a minute; the
first is just after the window's first paint, so the lists' service is not built (nor imported) on the way to it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Slot

from frontdesk.context import Services
from frontdesk.text import count
from ui.status_text import StatusText
from ui.tasks import after_start

REFRESH_MS = 30_000


class DistrictListsStatus(QObject):
    """The district lists item of one desk window (hidden on a desk that never had a district list)."""

    def __init__(self, window, services: Services, *, interval_ms: int = REFRESH_MS):
        super().__init__(window)
        self._services = services
        self.label = StatusText()
        self.label.setObjectName("districtListsStatus")
        self.label.setAccessibleName("District lists")
        window.add_status_item(self.label)
        self.label.hide()  # until its first read says what to show
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
        """Show how old the district copy is (and warn when it is older than the setting)."""
        state = self._services.district_lists.state()
        self.label.setText(state.words)
        self.label.setVisible(state.as_of is not None)
        entries = f"{state.entries:,} " + ("entry" if state.entries == 1 else "entries")
        self.label.setToolTip(
            f"{count(state.lists, 'district list')}, {entries}, screened at this desk even when the district hub "
            "cannot be reached"
        )
        self.label.setStyleSheet("color: #9a3412; font-weight: bold;" if state.warning else "")
