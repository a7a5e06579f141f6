"""The ``frontdesk`` console entry point: subcommands go to the core CLI, no subcommand opens the window.

This module imports no Qt at module level, so ``frontdesk checkin …`` starts fast and works on a machine
without a display. ``--self-test`` runs the core's checks (:mod:`frontdesk.cli.selftest`) and then builds
the desk's window offscreen, so a frozen bundle proves it carries its Qt plugins too.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path

from frontdesk.cli import main as cli_main


def read_keys_aside(data_dir: Path | None) -> bool:
    """Start reading the desk's start-up secrets (its database's and its panic outbox's keys, and each one's
    previous key; the dispatch credential, which its panic link reads just after its first paint) in a second
    process (a fork of this one, made before any thread exists), which the desk's first reads then take
    (:mod:`frontdesk.secrets.prefetch`: Linux only). False where it is not used (off Linux, one core,
    ``FRONTDESK_READ_KEYS_ASIDE=0``) or could not be forked: the desk then reads them itself, as before."""
    from frontdesk.dispatch.migrations import OUTBOX_DB
    from frontdesk.secrets import DISPATCH_CREDENTIAL, prefetch
    from frontdesk.store import DB_NAME, key_name, previous_key_name

    if not sys.platform.startswith("linux") or os.environ.get(prefetch.OFF_ENV) == "0":
        return False
    if data_dir is None:
        from frontdesk.context import default_data_dir

        folder = default_data_dir()
    else:
        folder = Path(data_dir)
    names = [f(folder / file) for file in (DB_NAME, OUTBOX_DB) for f in (key_name, previous_key_name)]
    names.append(DISPATCH_CREDENTIAL)  # the panic link's first read, just after the first paint
    return prefetch.start(names) is not None


def import_core_first(keyring: bool = True, keys_aside: bool = False) -> None:
    """Import the desk's core (no Qt in it) before PySide6, as the desk's launch does; and hold Python's cyclic
    garbage collector until the desk's first idle moment (``ui.app.run`` freezes what start-up built and turns
    it back on). With ``keyring`` (every start but the demo's, whose keyring is in memory), keyring's backend is
    also chosen now, by keyring's rules (:func:`frontdesk.secrets.choice.system_keyring`), unless ``keys_aside``
    (the launch's key reader runs, :func:`read_keys_aside`): then keyring is neither imported nor chosen here.

    PySide6 hooks ``import`` and reads the source of each module first named in an import after it (looking
    for ``from __feature__ import …``): about 270 modules on the way to the desk's first paint. A module the
    core imported before PySide6, and named by nothing after it, is never read (about 120 of them); since
    session 22 :func:`spare_pyside6_reads` tells the hook about the rest, so it reads none of the desk's.

    The collector: start-up allocates ~70,000 tracked objects and almost none of them are garbage (~600 at the
    first idle), yet the collector walked them ~150 times on the way there and again at exit (~8% of the
    desk's start-up instructions). Frozen at the first idle, they are never walked again.
    """
    gc.disable()
    # Not asyncio: the panic link's thread imports it, and the desk starts that thread just after its first
    # paint (ui.app.run). A press before then is already in the outbox, which the link sends first.
    from frontdesk.secrets.choice import import_keyring, system_keyring

    # With ``keys_aside`` a second process reads the keys (read_keys_aside): keyring is imported by its first other
    # use, and its backend is not chosen here.
    if not keys_aside:
        import_keyring()  # the database key is asked for on every start (the demo's memory keyring too)
    if keyring and not keys_aside:
        # The desk asks the system keyring for its database key on every start: its backend is chosen before
        # PySide6, whose hook would read the source of each module the choice imports (with no backend named:
        # importlib_metadata for keyring's entry points, each backend's module, the Secret Service's secretstorage,
        # jeepney and cryptography). Should the choice fail, it fails again where it always did, at the first
        # read of the key (Store.open), and is shown there.
        with contextlib.suppress(Exception):
            from frontdesk.secrets.kept import import_for_reads

            import_for_reads(system_keyring())  # and what its first read imports (the Secret Service's: OpenSSL)

    # The core the first screen builds (the panic path, its services, the badge printer's and the scanners'
    # modules), with what they import: the modules named only by them are then never read by PySide6's hook.
    # tests/test_startup_probe.py checks that no core module is first imported after PySide6 on the way to
    # the first idle.
    # The standard library's modules that only the first screen's ui modules import, for the same reason: queue
    # (the badge printer's worker) names threading, heapq, collections and types, each read by the hook when queue
    # is first imported after PySide6 (~3 M instructions).
    import queue  # noqa: F401

    import frontdesk.access.session  # noqa: F401
    import frontdesk.accounts.service  # noqa: F401
    import frontdesk.badges.service  # noqa: F401
    import frontdesk.context  # noqa: F401
    import frontdesk.directory.service  # noqa: F401
    import frontdesk.dispatch.link  # noqa: F401
    import frontdesk.dispatch.station  # noqa: F401
    import frontdesk.ids.service  # noqa: F401
    import frontdesk.notifications.service  # noqa: F401
    import frontdesk.secrets.prefetch  # noqa: F401 - read_keys_aside's (the launch's first import of it)
    import frontdesk.sync.outbox  # noqa: F401 - the audit trail's hub outbox
    import frontdesk.sync.remote  # noqa: F401 - the other desks' visits on the on-site list
    import printers.fakes  # noqa: F401
    import printers.uri  # noqa: F401
    import scanners.wedge  # noqa: F401
    from frontdesk.store import cipher

    cipher.available()  # the SQLCipher driver the database opens with (a broken install without it runs plain)


def spare_pyside6_reads() -> None:
    """Tell PySide6's import hook what it would find in the modules the desk imports, so it reads none of them.

    Once PySide6 is loaded, its hook (shibokensupport's ``feature_imported``) looks at every module an import
    statement names; for a module it has not seen it reads the module's whole source (``inspect.getsource``,
    kept in ``linecache`` for the life of the process) to learn whether ``PySide6`` appears in it, and writes
    the answer in its table ``pyside_feature_dict``: 0 (a PySide6 module, no ``__feature__`` chosen) or -1 (not
    one). The table is read only once some module has run ``from __feature__ import …`` (PySide6's opt-in
    snake_case and true_property switches; the desk never does). On the way to the first paint that was ~90
    sources (~30 M instructions, 2.4% of the launch).

    Here the table gets, before any ui module is imported, what the hook would write: -1 for every module
    already loaded (the core and the standard library: the core never imports PySide6, import-linter holds
    it), 0 for every module of the ``ui`` package. Only names not yet in the table are written, so nothing
    the hook or a ``__feature__`` import decided is changed. A PySide6 whose table is elsewhere or missing is
    left to read as before. In the frozen bundle the ui modules are ``.pyc`` files (installer/frontdesk.spec):
    the hook would look for their sources there and find none; they are named from those files the same way.
    ``tests/test_startup_probe.py`` checks that no source of ours is read."""
    import PySide6  # noqa: F401 - loads shiboken's support, its import hook and the table

    feature = sys.modules.get("PySide6.support.feature") or sys.modules.get("shibokensupport.feature")
    table = getattr(feature, "pyside_feature_dict", None)
    if not isinstance(table, dict):
        return
    for name in list(sys.modules):
        table.setdefault(name, -1)
    folders = [(Path(__file__).resolve().parent, "ui")]
    while folders:
        folder, package = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    stem, dot, suffix = entry.name.partition(".")
                    if dot and suffix in ("py", "pyc"):  # the bundle keeps the first screen's modules as .pyc
                        table.setdefault(package if stem == "__init__" else f"{package}.{stem}", 0)
                    elif entry.is_dir() and entry.name.isidentifier():
                        folders.append((Path(entry.path), f"{package}.{entry.name}"))
        except OSError:
            continue


def _open_app(args: argparse.Namespace, app_ready: Callable[[], object] | None = None) -> int:
    """The window's launch, once the command line is parsed. ``app_ready`` (the start-up probes': this function
    is the launch they time) makes the QApplication, where ``ui.app.run`` would, and starts its timer."""
    from ui.preflight import problem

    stop = problem()  # on Linux: the libraries Qt's window needs, named with the command that installs them
    if stop:
        print(stop, file=sys.stderr)
        return 2
    import_core_first(keyring=not args.demo, keys_aside=not args.demo and read_keys_aside(args.data_dir))
    spare_pyside6_reads()
    if app_ready is not None:
        app_ready()
    from ui.app import run

    return run(data_dir=args.data_dir, demo=args.demo, kiosk=getattr(args, "kiosk", False))


def _window_step(state: dict) -> str:
    """Build the whole desk window over the self-test's services, offscreen, and paint it once."""
    from PySide6.QtGui import QImage, QImageReader
    from PySide6.QtWidgets import QApplication, QLabel

    from ui.app import build_desk, configure_app

    app = QApplication.instance() or QApplication(["frontdesk"])
    configure_app(app)
    desk = build_desk(state["services"])
    window = desk.window
    try:
        window.resize(1280, 800)
        image = window.grab().toImage()
        if image.isNull() or image.width() < 100:
            raise AssertionError("the window did not paint")
        formats = {bytes(f).decode() for f in QImageReader.supportedImageFormats()}
        missing = {"jpeg", "png"} - formats
        if missing:
            raise AssertionError(f"Qt image plugins missing: {sorted(missing)}")
        if QImage.fromData(b"not an image").isNull() is False:
            raise AssertionError("Qt image loading is broken")
        # PySide6 6.12.0 dropped a reference to None on every QLabel.setText and setStyleSheet: Python 3.11
        # aborts when None's count reaches zero, and an idle desk did so after about 14 minutes.
        label, before = QLabel(), sys.getrefcount(None)
        for _ in range(1000):
            label.setText("self-test")
            label.setStyleSheet("")
        if sys.getrefcount(None) < before - 100:
            raise AssertionError("this Qt binding loses references to None: the desk would abort within the hour")
        from PySide6.QtMultimedia import QMediaFormat

        # The camera needs a multimedia backend (FFmpeg's plugin); without one Qt lists no formats at all.
        if not QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Decode):
            raise AssertionError("Qt has no multimedia backend: the camera would not work")
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
    return f"desk window built and painted on the {app.platformName()} platform ({image.width()}x{image.height()})"


def _key_reader_step(state: dict) -> str:
    """Fork the desk's key reader as a launch does and take its answer (nothing is read: no secret is named), so
    the frozen bundle proves its forked child imports keyring and answers."""
    from frontdesk.secrets import prefetch

    started = prefetch.start([])
    if started is None:
        return "not used here (one core)"
    found = prefetch.info()
    prefetch.forget()
    if found is None:
        raise AssertionError("the key reader gave no answer: the desk will read its keys itself")
    return f"answered (keyring: {found.backend})"


def self_test() -> int:
    """``frontdesk --self-test``: the core's steps, then the window (offscreen unless a platform is set), and on
    Linux the key reader."""
    from frontdesk.cli import selftest

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    extra = [("build the desk window", _window_step)]
    if sys.platform.startswith("linux"):
        extra.append(("start the key reader", _key_reader_step))
    return selftest.run(sys.stdout, extra=extra)


def startup_probe(data_dir: str) -> int:
    """``frontdesk --startup-probe DATA_DIR`` (not in --help: for the start-up benchmark): the real desk over
    ``data_dir``, launched as ``frontdesk --data-dir DATA_DIR`` launches it (the command line parsed, then
    :func:`_open_app`), quit at its first idle moment (shown, painted, idle). The same in the source tree and in
    the frozen bundle, so ``bench.frozen_startup`` can time both."""

    def app_ready() -> None:
        from PySide6.QtCore import Qt, QTimer
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtWidgets import QApplication

        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv[:1])  # run() uses this one; the timer needs it to exist

        from ui.tasks import when_painted

        # Quit once every shown window is exposed, and so painted (ui.tasks.when_painted, unbounded here): the
        # first zero-timer alone comes before the window system's expose, offscreen and under X11 alike, and until
        # session 16 this probe quit there, before the first paint. The desk's work put off until after its first
        # paint waits for the same moment and then one more pass, so it is not measured.
        QTimer.singleShot(0, app, lambda: when_painted(app, app.quit, wait_s=None))

    return cli_main(["--data-dir", data_dir], open_app=lambda args: _open_app(args, app_ready))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI, with the desktop window as the no-subcommand action."""
    args = sys.argv[1:] if argv is None else argv
    if list(args) == ["--self-test"]:
        return self_test()
    if len(args) == 2 and args[0] == "--startup-probe":
        return startup_probe(args[1])
    return cli_main(args, open_app=_open_app)


if __name__ == "__main__":
    sys.exit(main())
