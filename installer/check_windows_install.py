"""Run FrontDesk's Windows setup under Wine, silently, and check what a district's IT team relies on.

    python installer/check_windows_install.py SETUP.exe [NEWER_SETUP.exe]

1. A silent install (``/VERYSILENT /SUPPRESSMSGBOXES /NORESTART``) goes per machine: into Program Files, its
   uninstall entry under HKLM (not the user's HKCU), its Start-menu entries in the all-users Start menu.
2. Upgrade in place: with a data folder (``%LOCALAPPDATA%\\FrontDesk``) and a file left in the program's
   ``_internal`` by the "old" version, the newer setup (or the same one again) replaces the program,
   removes the stale file, keeps one uninstall entry (with the new version) and leaves the data alone.
3. A silent uninstall removes the program, its entries and Start-menu folder, and keeps the data.
4. A silent uninstall with ``/DELETEDATA`` removes the data too.

Wine stands in for Windows: its registry, Program Files and Start menu are the ones Inno Setup writes on
Windows. Uses ``$WINEPREFIX`` (it must exist: ``build_windows.sh`` makes one); without a display it runs
itself under ``xvfb-run`` (Setup creates its hidden wizard window even when silent). One line per check;
exit 0 when all passed, 1 otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

APP_ID = "{6C1E3A52-3F0B-4B8E-9E55-5D3C1F0A7B21}_is1"
UNINSTALL_KEY = rf"Software\Microsoft\Windows\CurrentVersion\Uninstall\{APP_ID}"
SILENT = ["/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/SP-"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("WINEDEBUG", "-all")
    env.setdefault("WINEDLLOVERRIDES", "mscoree,mshtml=")
    return env


def wine(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run a Windows program under Wine and wait until every process it started has ended."""
    proc = subprocess.run(["wine", *args], capture_output=True, text=True, env=_env(), timeout=timeout)
    subprocess.run(["wineserver", "-w"], env=_env(), timeout=timeout)
    return proc


def unix_path(windows_path: str) -> Path:
    out = subprocess.run(["winepath", "-u", windows_path], capture_output=True, text=True, env=_env())
    return Path(out.stdout.strip())


def windows_var(name: str) -> str:
    return wine("cmd", "/c", f"echo %{name}%").stdout.strip()


def reg_value(root: str, name: str) -> str | None:
    """A value of FrontDesk's uninstall entry in the 64-bit registry view, or None when there is none."""
    proc = wine("reg", "query", rf"{root}\{UNINSTALL_KEY}", "/v", name, "/reg:64")
    if proc.returncode != 0:
        return None
    for line in proc.stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0] == name:
            return parts[2].strip()
    return None


class Checks:
    def __init__(self) -> None:
        self.failed = 0

    def __call__(self, ok: bool, label: str, detail: str = "") -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {label}{': ' + detail if detail else ''}", flush=True)
        self.failed += not ok


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__)
        return 2
    if not os.environ.get("DISPLAY") and shutil.which("xvfb-run"):
        # Setup builds its (hidden) wizard window even when very silent: give Wine a display, off screen.
        return subprocess.run(["xvfb-run", "-a", sys.executable, __file__, *argv]).returncode
    setup = Path(argv[0]).resolve()
    newer = Path(argv[1]).resolve() if len(argv) > 1 else setup
    check = Checks()

    program_files = unix_path(windows_var("ProgramW6432") or r"C:\Program Files")
    app = program_files / "FrontDesk"
    start_menu = unix_path(windows_var("ProgramData")) / "Microsoft/Windows/Start Menu/Programs/FrontDesk"
    data = unix_path(windows_var("LOCALAPPDATA")) / "FrontDesk"

    # 1. Per-machine install.
    proc = wine(str(setup), *SILENT)
    check(proc.returncode == 0, "silent install", f"exit {proc.returncode}")
    check((app / "unins000.exe").is_file(), "installed into Program Files", str(app))
    check(
        any(app.glob("FrontDesk*")),
        "the program's files are there",
        ", ".join(sorted(p.name for p in app.glob("*"))[:6]),
    )
    name = reg_value("HKLM", "DisplayName") or ""
    check(name.startswith("FrontDesk"), "uninstall entry under HKLM (per machine)", name)
    check(reg_value("HKCU", "DisplayName") is None, "no per-user uninstall entry (HKCU)")
    links = sorted(p.name for p in start_menu.glob("*.lnk"))
    check(
        {"FrontDesk.lnk", "FrontDesk self-test.lnk", "Uninstall FrontDesk.lnk"} <= set(links),
        "Start-menu entries for all users",
        ", ".join(links),
    )
    first_version = reg_value("HKLM", "DisplayVersion")

    # 2. Upgrade in place, with data and a file of the "old" version in the program folder.
    data.mkdir(parents=True, exist_ok=True)
    (data / "frontdesk.db").write_bytes(b"synthetic data kept across upgrades")
    (data / "backups").mkdir(exist_ok=True)
    stale = app / "_internal" / "left-by-the-old-version.dll"
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"old")
    proc = wine(str(newer), *SILENT)
    check(proc.returncode == 0, "silent upgrade", f"exit {proc.returncode}")
    new_version = reg_value("HKLM", "DisplayVersion")
    check(new_version is not None, "one uninstall entry after the upgrade", f"{first_version} -> {new_version}")
    check(not stale.exists(), "the old version's program files were replaced (stale file removed)")
    check(any(app.glob("FrontDesk*")), "the new program's files are there")
    check(
        (data / "frontdesk.db").read_bytes() == b"synthetic data kept across upgrades", "data kept by the upgrade"
    )

    # 3. Uninstall keeps data unless asked.
    proc = wine(str(app / "unins000.exe"), "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART")
    check(proc.returncode == 0, "silent uninstall", f"exit {proc.returncode}")
    left = [p for p in app.rglob("*") if p.is_file()] if app.exists() else []
    check(not left, "program files removed", ", ".join(str(p) for p in left[:3]))
    check(not start_menu.exists() or not any(start_menu.iterdir()), "Start-menu entries removed")
    check(reg_value("HKLM", "DisplayName") is None, "uninstall entry removed")
    check((data / "frontdesk.db").is_file(), "data kept by a plain uninstall", str(data))

    # 4. ... and removed when asked (/DELETEDATA, the silent form of the uninstaller's question).
    proc = wine(str(newer), *SILENT)
    check(proc.returncode == 0, "reinstall", f"exit {proc.returncode}")
    check((data / "frontdesk.db").is_file(), "a reinstall finds the data again")
    proc = wine(str(app / "unins000.exe"), "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/DELETEDATA")
    check(proc.returncode == 0, "silent uninstall with /DELETEDATA", f"exit {proc.returncode}")
    check(not data.exists(), "data removed when asked")

    print("install checks passed" if not check.failed else f"install checks FAILED ({check.failed})")
    return 0 if not check.failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
