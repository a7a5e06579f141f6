"""A status-bar item's words that stay readable on a small laptop.

At 1366×768 with the desk's font, the desk's status items (who is signed in, notices, the hub, the district lists,
the scanner, the printer, dispatch) are wider together than the window. Qt's status bar then squeezes plain labels
and cuts their text mid-word with no sign that anything is missing ("Scanner: demo scanne"). A ``StatusText``
instead ends a cut text with "…" and, while cut, shows the whole text as its tooltip; ``text()`` and the
accessible name stay whole, so a screen reader and the tests read everything. An item made with ``whole=True``
(dispatch's link: a secretary must always see whether a panic press can reach dispatch) is never cut: the others
give way first. ``set_whole`` makes an item so while it reports a failure ("1 email/text not delivered").
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QStylePainter, QWidget

from ui.plain import plain_tip

ELLIPSIS = "…"
SHORTEST = 10  # characters a cut item keeps at least, before its "…" (sized on "● Printer: …")


class StatusText(QLabel):
    """Plain text for the status bar, cut with "…" when the bar is too narrow, whole in its tooltip."""

    def __init__(self, text: str = "", *, whole: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # the words of people and servers: never markup
        self._whole = whole
        self._tip = ""  # the tooltip this class set (the whole text while cut)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self._whole:
            return hint
        text = self.text()
        if len(text) <= SHORTEST:
            return hint
        metrics = self.fontMetrics()
        spare = super().sizeHint().width() - metrics.horizontalAdvance(text)  # margins and padding
        return QSize(metrics.horizontalAdvance(text[:SHORTEST] + ELLIPSIS) + max(spare, 0), hint.height())

    def set_whole(self, whole: bool) -> None:
        """Never cut (``True``) while the item says something that must be read, such as a failure."""
        if whole != self._whole:
            self._whole = whole
            self.updateGeometry()

    def is_cut(self) -> bool:
        """True while the item is too narrow for its whole text (it shows "…").

        Measured against Qt's own size hint, not the contents rectangle: with a style sheet's padding (the
        health items' ``padding: 0 6px``) QLabel draws its text a further ~5 px in from the contents rectangle,
        so a text that fitted the rectangle by a few pixels was drawn clipped mid-letter ("Scanner: demo
        scanner read", "on-screen previe") with no "…"."""
        return bool(self.text()) and super().sizeHint().width() > self.width()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        cut = self.is_cut()
        self._tip_whole_text(cut)
        if not cut:
            super().paintEvent(event)
            return
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        # The widget's style draws it, as QLabel draws its own text. QStylePainter asks for the style in C++
        # (``style()->drawItemText``): ``self.style()`` would hand the style to Python, and PySide6 would build
        # QStyle's type with its 11 enums (566 members): ~46 M instructions, half of the desk's first paint.
        painter = QStylePainter(self)
        alignment = int(self.alignment())
        painter.drawItemText(rect, alignment, self.palette(), self.isEnabled(), shown, self.foregroundRole())
        painter.end()

    def _tip_whole_text(self, cut: bool) -> None:
        """While cut, the whole text is the tooltip (unless the item has a tooltip of its own).

        Set when painting rather than in an ``event()`` override: a Python ``event()`` would wrap every event
        the label receives, and build PySide6's event types before the first paint (issue 13's start-up)."""
        tip = plain_tip(self.text()) if cut else ""
        current = self.toolTip()
        if current == tip or (current and current != self._tip):
            return  # nothing to change, or the item's own tooltip
        self._tip = tip
        self.setToolTip(tip)
