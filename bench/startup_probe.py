"""One start-up, timed from outside by ``bench.startup``: ``python -m bench.startup_probe desk DATA_DIR`` starts
the real desk as ``frontdesk`` does (``ui.app.run``) and quits once the window is shown and the event loop is
idle; ``python -m bench.startup_probe bare`` does the same for a bare PySide6 window (the yardstick).
"""

from __future__ import annotations

import sys
from pathlib import Path


def bare() -> int:
    """A bare PySide6 window: shown, painted, idle, gone."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv[:1])
    window = QLabel("bare")
    window.resize(1280, 800)
    window.show()
    QTimer.singleShot(0, app.quit)  # runs once the show and first paint events have been handled
    return app.exec()


def desk(data_dir: Path) -> int:
    """The real desk over ``data_dir``, started the way ``ui.app.run`` starts it, until it is first idle."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(sys.argv[:1])  # run() uses this one; the timer needs it to exist
    QTimer.singleShot(0, app.quit)  # runs once the window is shown and its first events are handled
    from ui.app import run

    return run(data_dir)


if __name__ == "__main__":
    what = sys.argv[1]
    sys.exit(bare() if what == "bare" else desk(Path(sys.argv[2])))
