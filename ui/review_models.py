"""Table models for the review window and the audit browser (lists of frozen dataclasses, no database)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from frontdesk import clock
from frontdesk.audit import AuditRecord
from frontdesk.review.models import ReviewRow
from ui.table_models import format_duration

Index = QModelIndex | QPersistentModelIndex
FLAGGED = QColor("#f9d0d0")
ON_SITE = QColor("#fff4d6")


class ReviewTableModel(QAbstractTableModel):
    """Every visit of the review: times, duration, who, why, screening, badge, station, staff.

    Flagged visits are shaded red, visits still open amber (BackgroundRole).
    """

    HEADERS = (
        "Date",
        "In",
        "Out",
        "Duration",
        "Name",
        "Category",
        "Purpose",
        "Going to",
        "Screening",
        "Decision",
        "Badge",
        "Station",
        "Staff",
    )

    def __init__(self, now: Callable[[], datetime] = clock.now):
        super().__init__()
        self._rows: list[ReviewRow] = []
        self._now = now

    def set_rows(self, rows: list[ReviewRow]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> ReviewRow:
        """The review row shown in table row ``row``."""
        return self._rows[row]

    def rows(self) -> list[ReviewRow]:
        """Every row shown, in order."""
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def cells(self, row: ReviewRow) -> tuple[str, ...]:
        """The texts of one row, in column order."""
        v = row.visit
        time_in = v.time_in.astimezone()
        badge = "" if row.badge_printed is None else ("printed" if row.badge_printed else "not printed")
        return (
            f"{time_in:%Y-%m-%d}",
            f"{time_in:%H:%M}",
            f"{v.time_out.astimezone():%H:%M}" if v.time_out else "on site",
            format_duration(v.duration(self._now())),
            v.visitor.full_name,
            v.category.label,
            v.purpose,
            v.destination,
            ("FLAGGED " if row.flagged else "") + (row.screening_result or ""),
            row.screening_decision or "",
            badge,
            v.station,
            v.staff,
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.cells(row)[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.flagged:
                return QBrush(FLAGGED)
            if row.visit.time_out is None:
                return QBrush(ON_SITE)
        if role == Qt.ItemDataRole.ToolTipRole and row.visit.note:
            return row.visit.note
        return None


class AuditTableModel(QAbstractTableModel):
    """Audit records: number, time, who, what, about what, details."""

    HEADERS = ("#", "Time", "Who", "What", "About", "Details")

    def __init__(self) -> None:
        super().__init__()
        self._records: list[AuditRecord] = []

    def set_records(self, records: list[AuditRecord]) -> None:
        """Replace the records."""
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def record_at(self, row: int) -> AuditRecord:
        """The record shown in ``row``."""
        return self._records[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self._records[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            details = ", ".join(f"{k}: {v}" for k, v in r.details.items())
            return (str(r.seq), f"{r.time.astimezone():%Y-%m-%d %H:%M:%S}", r.actor, r.action, r.subject, details)[
                index.column()
            ]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"hash {r.hash}\nprevious {r.prev_hash}\n{json.dumps(r.details, ensure_ascii=False)}"
        return None
