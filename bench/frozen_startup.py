"""The frozen desk starts as fast as the source one (issue 16): launch → idle desk, the PyInstaller bundle
(``make dist``: ``dist/FrontDesk/FrontDesk``) against the source tree's ``frontdesk``, both through the same
hidden ``--startup-probe DATA_DIR`` (``ui.main.startup_probe``: the real desk, quit at its first idle), over
the same data folder, in turn. Skipped (and said so) when no bundle has been built.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from bench.startup import pairs, prepare

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "FrontDesk" / ("FrontDesk.exe" if os.name == "nt" else "FrontDesk")
TARGET = 1.1  # "as fast as": within 10% of the source desk, wall and CPU
NOTE = (
    "What the frozen desk paid that the source desk does not: PyInstaller's runtime hooks, which run before "
    "`main()` at every launch, one for each hooked module in the bundle. pkg_resources' hook imports "
    "pkg_resources, which scans every installed distribution and imports its vendored packaging and pyparsing "
    "(by `-X importtime` in the source venv, 0.25 s of the 0.31 s that the hooks' imports add to the desk's "
    "own, under load 15), and multiprocessing's imports multiprocessing. Only brother_ql's command line (which "
    "the desk never runs) wanted pkg_resources, and only it and ProcessPoolExecutor (unused) reach "
    "multiprocessing, so `installer/frontdesk.spec` leaves the four out and the two hooks with them (session 6; "
    "before: 1.16× / 1.17× at load 0.3, and 1.12× / 1.13× at load 14; bundle 234 MB). That left, by callgrind "
    "(instructions to the first idle, 2026-12-02), frozen 2.54 G against source 2.44 G, 1.04×, of which 115 M "
    "were zlib inflating modules out of the PYZ archive; so the packages on the way to the first paint are "
    "now collected as .pyc files (`module_collection_mode`), the rest stays compressed: frozen 2.42 G, 0.99×, "
    "bundle 238 MB (`noarchive=True` for everything: 253 MB, over the 250 MB limit). What only the frozen "
    "desk still runs: pyusb's hook (it imports ctypes and pyusb's backends, a few ms, to point pyusb at a "
    "bundled libusb), inspect's and pkgutil's (modules the desk imports anyway) and the bootloader."
    " Session 16: both sides go through ui.main.startup_probe, which until then quit at its first zero-timer,"
    " before the window system's expose: the first paint was in neither figure above this line's run. It now"
    " quits in the event-loop pass that finds the window exposed (painted), so this page's figures from session"
    " 16 on include the first paint on both sides. The wall clocks before then were rounded up to subprocess's"
    " exit polls (50 ms steps; bench.startup._run now waits with a blocking wait()): 1.00x / 1.05x with the"
    " rounding, 1.06x / 1.06x without it, the bundle rebuilt."
    " Session 17: ui.main.startup_probe now launches through the command line (frontdesk.cli.main, then"
    " ui.main._open_app), as `frontdesk --data-dir DIR` does; a launch used to register every command group"
    " (~150 ms on both sides, unseen by this page until then) and now registers none. Bundle rebuilt with that"
    " fix (20:25, load 0.0): 273 / 272 ms against 252 / 249 ms, 1.07x / 1.06x."
    " Session 21: on Linux both desks now fork a key reader at the launch (frontdesk/secrets/prefetch.py). Tried"
    " first as a new program, the frozen one took ~90 ms to start (its bootloader and runtime hooks) and the"
    " frozen desk waited for it: 1.20x / 1.29x and 1.23x / 1.31x (04:36 UTC, load 1-2), so the reader is a"
    " fork. Bundle rebuilt with the fork (make dist, self-test passed), three runs (05:27 UTC, load 0.1-0.3):"
    " 1.04x / 1.05x, 1.06x / 1.06x, 1.04x / 1.03x (the table is the third)."
    " Session 22: the launch fills PySide6's import-hook table first (ui.main.spare_pyside6_reads), so the "
    "hook reads no source of the desk's; the source desk gained ~5% from it, the bundle, where the hook finds"
    " no source anyway, less: with the bundle rebuilt, 1.11x / 1.07x (07:10 UTC, load ~1.5) while the table "
    "named only the ui package's .py files, which the bundle does not have (its first screen's modules are "
    ".pyc files); it now names them from those too, bundle rebuilt (make dist, self-test passed): 1.06x / "
    "1.06x (the table)."
)


def run() -> str:
    """Returns the Markdown section."""
    if not BUNDLE.exists():
        return f"No bundle at `{BUNDLE.relative_to(ROOT)}`: run `make dist` first. Not measured."
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        env = prepare(data)
        r = pairs(
            [str(BUNDLE), "--startup-probe", str(data)],
            [sys.executable, "-m", "ui.main", "--startup-probe", str(data)],
            env,
        )
    verdict = "met" if r["wall"] <= TARGET and r["cpu"] <= TARGET else "NOT met"
    return "\n".join(
        [
            "Launch → idle desk (shown, painted, idle; the desk locked, as each morning), the frozen bundle",
            "against the source tree, in turn, median of the pairs; wall / CPU. Platform "
            f"`{env['QT_QPA_PLATFORM']}`; keyring's 'fail' backend on both sides.",
            "",
            "| frozen bundle (wall / CPU) | source desk (wall / CPU) | frozen / source (wall / CPU) | target | |",
            "|---|---|---|---|---|",
            f"| {r['a_wall'] * 1000:.0f} ms / {r['a_cpu'] * 1000:.0f} ms | {r['b_wall'] * 1000:.0f} ms / "
            f"{r['b_cpu'] * 1000:.0f} ms | {r['wall']:.2f}× / {r['cpu']:.2f}× | ≤ {TARGET}× (as fast as the "
            f"source) | {verdict} |",
            "",
            NOTE,
        ]
    )
