"""Table models that adapt lists of frozen dataclasses (tested without a window)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from frontdesk import clock
from frontdesk.models import Visit
from frontdesk.text import format_badge_code

Index = QModelIndex | QPersistentModelIndex


def format_duration(seconds: float) -> str:
    """'5 min', '1 h 05 min': how long someone has been on site, at a glance."""
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class OnSiteModel(QAbstractTableModel):
    """Who is on site now: name, category, destination, time in, how long, badge code."""

    HEADERS = ("Name", "Category", "Going to", "In at", "On site", "Badge")

    def __init__(self, now: Callable[[], datetime] = clock.now):
        super().__init__()
        self._visits: list[Visit] = []
        self._now = now

    def set_visits(self, visits: list[Visit]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self._visits = list(visits)
        self.endResetModel()

    def visit_at(self, row: int) -> Visit:
        """The visit shown in ``row``."""
        return self._visits[row]

    def visits(self) -> list[Visit]:
        """Every visit shown, in order."""
        return list(self._visits)

    def tick(self) -> None:
        """Refresh the durations column (called by a timer)."""
        if self._visits:
            self.dataChanged.emit(self.index(0, 4), self.index(len(self._visits) - 1, 4))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._visits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        visit = self._visits[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (
                visit.visitor.full_name,
                visit.category.label,
                visit.destination,
                f"{visit.time_in.astimezone():%H:%M}",
                format_duration(visit.duration(self._now())),
                format_badge_code(visit.badge_code),
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{visit.visitor.full_name}: {visit.purpose or 'no purpose given'}"
        return None
