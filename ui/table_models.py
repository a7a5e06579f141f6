"""Table models that adapt lists of frozen dataclasses (tested without a window)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from frontdesk import clock
from frontdesk.models import Visit
from frontdesk.text import format_badge_code
from ui.plain import plain_tip

Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T")


def format_duration(seconds: float) -> str:
    """'5 min', '1 h 05 min': how long someone has been on site, at a glance."""
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class ItemTableModel(QAbstractTableModel, Generic[T]):
    """Adapts a list of frozen dataclasses to a read-only table.

    Subclasses give ``HEADERS`` and ``cells(item)``, and may give ``tooltip(item)`` and ``background(item)``.
    """

    HEADERS: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self._items: list[T] = []

    def set_items(self, items: list[T]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item_at(self, row: int) -> T:
        """The item shown in ``row``."""
        return self._items[row]

    def items(self) -> list[T]:
        """Every item shown, in order."""
        return list(self._items)

    def cells(self, item: T) -> tuple[str, ...]:
        """The texts of one row, in column order."""
        raise NotImplementedError

    def tooltip(self, item: T) -> str | None:
        """The row's tooltip, if any."""
        return None

    def background(self, item: T) -> QBrush | None:
        """The row's background, if it stands out."""
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (
            role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
            and orientation == Qt.Orientation.Horizontal
        ):
            return self.HEADERS[section]  # the tooltip: the heading in full where its column cuts it
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.cells(item)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tip(self.tooltip(item))  # names and purposes come from people and barcodes
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.background(item)
        return None


class OnSiteModel(ItemTableModel[Visit]):
    """Who is on site now: name, category, destination, time in, how long, badge code, and the desk that
    checked them in (the school's other desks' visitors come through the district hub)."""

    HEADERS = ("Name", "Category", "Going to", "In at", "On site", "Badge", "Desk")

    def __init__(self, now: Callable[[], datetime] = clock.now):
        super().__init__()
        self._now = now

    def tick(self) -> None:
        """Refresh the durations column (called by a timer)."""
        if self._items:
            self.dataChanged.emit(self.index(0, 4), self.index(len(self._items) - 1, 4))

    def cells(self, visit: Visit) -> tuple[str, ...]:
        return (
            visit.visitor.full_name,
            visit.category.label,
            visit.destination,
            # the day too for a visit from an earlier day (nobody checked them out): not "since this afternoon",
            # as the emergency roster and `frontdesk onsite` say it (session 22)
            f"{visit.time_in.astimezone():%H:%M}"
            if visit.time_in.astimezone().date() == self._now().astimezone().date()
            else f"{visit.time_in.astimezone():%m/%d %H:%M}",
            format_duration(visit.duration(self._now())),
            format_badge_code(visit.badge_code),
            visit.station,
        )

    def tooltip(self, visit: Visit) -> str:
        at = f" (checked in at {visit.station})" if visit.station else ""
        return f"{visit.visitor.full_name}: {visit.purpose or 'no purpose given'}{at}"
