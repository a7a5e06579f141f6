"""A small bar chart drawn with QPainter: visitors by hour, by day of the month, by category."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR = QColor("#2f6db3")
AXIS = QColor("#555555")


class BarChart(QWidget):
    """Labelled bars with the count over each; labels are thinned out when they would collide."""

    def __init__(self, title: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.labels: list[str] = []
        self.values: list[int] = []
        self.setMinimumSize(QSize(320, 180))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(title or "Chart")

    def set_data(self, labels: list[str], values: list[int], title: str | None = None) -> None:
        """Replace the bars (and the title) and repaint."""
        self.labels, self.values = list(labels), list(values)
        if title is not None:
            self.title = title
        summary = ", ".join(f"{label}: {value}" for label, value in zip(labels, values, strict=True) if value)
        self.setAccessibleName(self.title)
        self.setAccessibleDescription(summary or "no visits")
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.8))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        line = metrics.height()
        left, right, top, bottom = 12, 12, line * 2 + 6, line + 10
        painter.setPen(AXIS)
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.drawText(
            QRectF(left, 4, self.width() - left - right, line + 4), Qt.AlignmentFlag.AlignLeft, self.title
        )
        painter.setFont(font)
        area = QRectF(left, top, self.width() - left - right, self.height() - top - bottom)
        if not self.values or area.width() <= 0 or area.height() <= 0:
            return
        peak = max(max(self.values), 1)
        slot = area.width() / len(self.values)
        widest = max((metrics.horizontalAdvance(label) for label in self.labels), default=0) + 6
        # Many narrow bars (hours, days): label every n-th. Few wide ones (categories): label each, elided.
        every = 1 if len(self.values) <= 8 else max(1, int(widest // max(slot, 1)) + 1)
        painter.setPen(QPen(AXIS, 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        for i, (label, value) in enumerate(zip(self.labels, self.values, strict=True)):
            x = area.left() + i * slot
            height = (area.height() - line) * value / peak
            bar = QRectF(x + slot * 0.15, area.bottom() - height, slot * 0.7, height)
            painter.fillRect(bar, BAR)
            if value:
                painter.drawText(
                    QRectF(x, bar.top() - line, slot, line), Qt.AlignmentFlag.AlignHCenter, str(value)
                )
            if i % every == 0:
                painter.drawText(
                    QRectF(x - slot * (every - 1) / 2, area.bottom() + 3, slot * every, line),
                    Qt.AlignmentFlag.AlignHCenter,
                    metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(slot * every)),
                )
        painter.end()
