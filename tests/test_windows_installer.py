"""The Windows installer, compiled by Inno Setup's real compiler (ISCC) and run silently, both under Wine.

A small synthetic bundle stands in for dist/FrontDesk (the real one is packed by ``make installer``, which
runs the same two scripts): two setups, 0.1.0 and 0.1.1, are built from installer/frontdesk.iss, then
installer/check_windows_install.py installs the first, upgrades to the second with data present, uninstalls
(data kept), reinstalls and uninstalls with /DELETEDATA (data gone), checking per-machine install and the
Start-menu entries on the way. Skipped, saying why, where Wine (with 32-bit support) or ISCC is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ISCC = Path(os.environ.get("ISCC") or ROOT / "build" / "innosetup" / "package" / "bin" / "ISCC.exe")


def _why_not() -> str | None:
    if shutil.which("wine") is None or shutil.which("wineserver") is None:
        return "needs Wine (Debian: dpkg --add-architecture i386; apt-get install wine wine32:i386 wine64)"
    if not Path("/usr/lib/wine/wine").exists() and not shutil.which("wine32"):
        return "needs Wine's 32-bit support (apt-get install wine32:i386): Inno Setup's programs are 32-bit"
    if not ISCC.is_file():
        return f"needs Inno Setup's ISCC.exe at {ISCC} (run 'make installer' once: it fetches it) or $ISCC"
    if shutil.which("xvfb-run") is None:
        return "needs xvfb-run (Setup creates its hidden window even when silent)"
    return None


pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.skipif(_why_not() is not None, reason=_why_not() or ""),
]


def test_the_setup_installs_per_machine_upgrades_in_place_and_uninstalls_keeping_data(tmp_path):
    bundle = tmp_path / "FrontDesk"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "FrontDesk.exe").write_bytes(b"synthetic window program")
    (bundle / "frontdesk-cli.exe").write_bytes(b"synthetic console program")
    (bundle / "_internal" / "library.dll").write_bytes(b"synthetic library")
    out = tmp_path / "out"
    env = {
        **os.environ,
        "WINEPREFIX": str(tmp_path / "wineprefix"),
        "ISCC": str(ISCC),
        "OUTPUT_DIR": str(out),
        "ISCC_EXTRA": "/DCompression=lzma2/fast",
    }
    for version in ("0.1.0", "0.1.1"):
        proc = subprocess.run(
            [str(ROOT / "installer" / "build_windows.sh"), str(bundle)],
            env={**env, "APP_VERSION": version},
            capture_output=True,
            text=True,
            timeout=280,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert (out / f"FrontDesk-Setup-{version}.exe").stat().st_size > 100_000
    proc = subprocess.run(
        [sys.executable, str(ROOT / "installer" / "check_windows_install.py"),
         str(out / "FrontDesk-Setup-0.1.0.exe"), str(out / "FrontDesk-Setup-0.1.1.exe")],
        env={k: v for k, v in env.items() if k != "DISPLAY"},
        capture_output=True,
        text=True,
        timeout=280,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "install checks passed" in proc.stdout
    assert "ok   Start-menu entries for all users" in proc.stdout
    assert "ok   data kept by a plain uninstall" in proc.stdout
