"""One start-up, timed from outside by ``bench.startup``: ``python -m bench.startup_probe desk DATA_DIR`` starts
the real desk as ``frontdesk`` does (``ui.app.run``) and quits once the window is shown and the event loop is
idle; ``python -m bench.startup_probe bare`` does the same for a bare PySide6 window (the yardstick).

``--settle MS`` (after the mode) quits MS milliseconds after the first idle instead: the desk has then also
done what it leaves until after its first paint (the email/text sender's and the hub's first rounds, the
camera lookup), so its CPU can be compared with the bare window's over the same time.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _quit_later(app, settle_ms: int) -> None:
    """Quit at the first idle after the window is painted (settle 0), or that many milliseconds after it.

    Painted, not only shown: the first zero-timer after ``show()`` runs before the window system's expose (and
    so the first paint) arrives, offscreen and under X11 alike; until session 16 this probe quit there, so
    neither side's first paint was measured. It now looks once every pass of the event loop until every shown
    top-level window is exposed (Qt paints a widget's window in the pass that handles its first expose), as
    ``frontdesk --startup-probe`` (ui.main.startup_probe) does; written here again so that the bare window
    imports nothing of the desk's."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    def look() -> None:
        shown = [w for w in QGuiApplication.topLevelWindows() if w.isVisible()]
        if shown and all(w.isExposed() for w in shown):
            every_pass.stop()
            if settle_ms:
                QTimer.singleShot(settle_ms, app.quit)
            else:
                app.quit()  # in this pass: the desk's work put off until after its first paint is not measured

    every_pass = QTimer(app, interval=0)  # once a pass; started before the desk exists, so before its timers
    every_pass.timeout.connect(look)
    every_pass.start()


def bare(settle_ms: int = 0) -> int:
    """A bare PySide6 window: shown, painted, idle, gone."""
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv[:1])
    window = QLabel("bare")
    window.resize(1280, 800)
    window.show()
    _quit_later(app, settle_ms)
    return app.exec()


def desk(data_dir: Path, settle_ms: int = 0) -> int:
    """The real desk over ``data_dir``, launched as ``frontdesk --data-dir DATA_DIR`` launches it (the command
    line parsed by ``frontdesk.cli.main``, then ``ui.main._open_app``: the core, then Qt and ``ui.app.run``),
    until it is first idle. Until session 17 this probe started at ``import_core_first`` and so never timed the
    command line's parse, which for a launch registered every command group (~150 ms, now none)."""
    from frontdesk.cli import main
    from ui.main import _open_app

    def app_ready() -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtWidgets import QApplication

        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv[:1])  # run() uses this one; the timer needs it to exist
        _quit_later(app, settle_ms)  # quits once the window is shown, painted and idle

    return main(["--data-dir", str(data_dir)], open_app=lambda args: _open_app(args, app_ready))


if __name__ == "__main__":
    args = sys.argv[1:]
    settle = int(args[args.index("--settle") + 1]) if "--settle" in args else 0
    sys.exit(bare(settle) if args[0] == "bare" else desk(Path(args[1]), settle))
