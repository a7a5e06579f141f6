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
