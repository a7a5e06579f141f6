"""Run by tests/test_ui_accessibility.py with QT_SCALE_FACTOR=1.5: builds the desk at 1920x1080 less a taskbar
(1280x693 at 150%) and checks that it fits and that no button or one-line label cuts its text."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from frontdesk import settings as s
from frontdesk.context import Services
from ui.app import build_desk, configure_app


def main(folder: Path) -> int:
    """Print what is clipped (exit 1), or that nothing is."""
    app = QApplication(sys.argv[:1])
    configure_app(app)
    services = Services.open(folder)
    services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
    desk = build_desk(services)
    width, height = int(1920 / 1.5), int((1080 - 40) / 1.5)
    desk.window.resize(width, height)
    desk.window.show()
    app.processEvents()
    problems = []
    least = desk.window.minimumSizeHint()
    if least.width() > width or least.height() > height:
        problems.append(f"window minimum {least.width()}x{least.height()} > {width}x{height}")
    for widget in desk.window.findChildren(QAbstractButton) + desk.window.findChildren(QLabel):
        if not widget.isVisible() or not widget.text() or (isinstance(widget, QLabel) and widget.wordWrap()):
            continue
        if isinstance(widget, QLabel) and widget.pixmap() is not None and not widget.pixmap().isNull():
            continue
        text = widget.text().replace("&", "")
        needed = widget.fontMetrics().horizontalAdvance(text)
        if widget.width() < needed or widget.height() < widget.fontMetrics().height():
            problems.append(f"{type(widget).__name__} {text!r}: {widget.width()}x{widget.height()} < {needed}")
    print(f"devicePixelRatio {desk.window.devicePixelRatio()}")
    if problems:
        print("\n".join(problems))
        return 1
    print("scale 1.5: nothing clipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
