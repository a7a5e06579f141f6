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
    from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout

    area = QScrollArea(window)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setMinimumSize(least)
    body = QWidget()
    area.setWidget(body)
    outer = QVBoxLayout(window)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(area)
    return body
