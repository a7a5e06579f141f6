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
TARGET = 1.1  # "as fast as": within 10% of the source desk


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
    verdict = "met" if r["wall"] <= TARGET else "NOT met"
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
        ]
    )
