"""Table models for the review window and the audit browser (lists of frozen dataclasses, no database)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QBrush, QColor

from frontdesk import clock
from frontdesk.audit import AuditRecord
from frontdesk.review.models import Refusal, ReviewRow, decision_words
from ui.table_models import ItemTableModel, format_duration

Index = QModelIndex | QPersistentModelIndex
FLAGGED = QColor("#f9d0d0")
ON_SITE = QColor("#fff4d6")


class ReviewTableModel(ItemTableModel[ReviewRow]):
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
        self._now = now

    def cells(self, row: ReviewRow) -> tuple[str, ...]:
        """The texts of one row, in column order."""
        v = row.visit
        time_in = v.time_in.astimezone()
        badge = badge_words(row)
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
            decision_words(row.screening_decision),
            badge,
            v.station,
            v.staff,
        )

    def background(self, row: ReviewRow) -> QBrush | None:
        if row.flagged:
            return QBrush(FLAGGED)
        if row.visit.time_out is None:
            return QBrush(ON_SITE)
        return None

    def tooltip(self, row: ReviewRow) -> str | None:
        return row.visit.note or None


def badge_words(row: ReviewRow) -> str:
    """What happened to the visit's badge: printed, previewed (on screen only) or not printed."""
    if row.badge_printed is None:
        return ""
    if row.badge_printed:
        return "printed"
    return "previewed on screen" if row.badge_previewed else "not printed"


class RefusalTableModel(ItemTableModel[Refusal]):
    """Visitors refused at the door (shaded red): when, who, which list, why, by whom."""

    HEADERS = ("Date", "Time", "Name", "Born", "List", "Reason", "Station", "Staff")

    def cells(self, r: Refusal) -> tuple[str, ...]:
        when = r.time.astimezone()
        return (f"{when:%Y-%m-%d}", f"{when:%H:%M}", r.name, r.dob, r.source, r.reason, r.station, r.staff)

    def background(self, r: Refusal) -> QBrush | None:
        return QBrush(FLAGGED)


class AuditTableModel(ItemTableModel[AuditRecord]):
    """Audit records: number, time, who, what, about what, details."""

    HEADERS = ("#", "Time", "Who", "What", "About", "Details")

    def cells(self, r: AuditRecord) -> tuple[str, ...]:
        details = ", ".join(f"{k}: {v}" for k, v in r.details.items())
        return (str(r.seq), f"{r.time.astimezone():%Y-%m-%d %H:%M:%S}", r.actor, r.action, r.subject, details)

    def tooltip(self, r: AuditRecord) -> str:
        return f"hash {r.hash}\nprevious {r.prev_hash}\n{json.dumps(r.details, ensure_ascii=False)}"
