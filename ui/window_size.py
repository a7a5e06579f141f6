"""Window sizes that fit the smallest screen a front office uses: a 1366x768 laptop with a taskbar.

Every window opens at its preferred size or the screen's free area, whichever is smaller, and its minimum
size stays within :data:`SMALLEST_SCREEN` (tests build each window and check it).
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

SMALLEST_SCREEN = QSize(1366, 728)  # 1366x768 less a 40-px taskbar
TITLE_BAR = 32  # the window manager's frame is outside resize(); leave it room


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Open ``window`` at ``width`` x ``height``, or smaller when the screen's free area (taskbar excluded) is."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        free = screen.availableGeometry()
        width, height = min(width, free.width()), min(height, free.height() - TITLE_BAR)
    window.resize(max(width, window.minimumSizeHint().width()), max(height, window.minimumSizeHint().height()))


# The least a large side window's content is shown in before it scrolls (Review, the list manager, the students'
# windows, the badge printer): at 1366x768 during an alert, the alert's status and the LOCKDOWN banner take the
# top of the desk window down to about y=410, and the room left clear of the panic button is about 1366x350 under
# it (or 740x768 beside its row). These windows demanded 518-592 px of height and opened over the button.
SCROLL_LEAST = QSize(560, 300)
DIALOG_LEAST = QSize(560, 220)  # a dialog's (Expected guests, the badge printer): it has its buttons under it too


def scrolling_body(window: QWidget, least: QSize = SCROLL_LEAST) -> QWidget:
    """The widget ``window``'s content is laid out in: inside a scroll area that fills the window, so the window
    can be made as small as ``least`` (its content then scrolls, and a field the keyboard moves to is scrolled
    into view) rather than demanding its content's whole height. The window's own size is set as before."""
    from PySide6.QtWidgets import QVBoxLayout

    area = scroll_area(least)
    outer = QVBoxLayout(window)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(area)
    return area.widget().inner


def scroll_area(least: QSize, content: QWidget | None = None) -> QWidget:
    """A frameless scroll area at least ``least``, its widget ``content`` (or an empty one: ``.widget().inner``)
    made as large as the area and no smaller than ``content``'s minimum size, then scrolled."""
    from PySide6.QtWidgets import QFrame, QScrollArea

    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setMinimumSize(least)
    area.setWidget(_Body(content))
    return area


class _Body(QWidget):
    """Holds one widget filling it, and says its sizes, never a height for its width. A scroll area gives a widget
    whose layout has a height for its width (wrapped text) that height -- its preferred one -- and scrolled Review
    at 1366x606, where its layout had squeezed into 547 px before; this one is squeezed to its minimum first."""

    def __init__(self, inner: QWidget | None = None):
        super().__init__()
        self.inner = inner if inner is not None else QWidget()
        self.inner.setParent(self)
        self.inner.installEventFilter(self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.inner.minimumSizeHint().expandedTo(self.inner.minimumSize())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.inner.sizeHint()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.inner.setGeometry(self.rect())

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.LayoutRequest:  # its content changed: the scroll area measures it again
            self.updateGeometry()
        return False
