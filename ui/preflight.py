"""Before Qt starts on Linux: are the system libraries its window needs there? (No Qt import here.)

Qt's own failure is an abort that names one plugin ("Could not load the Qt platform plugin xcb … even though
it was found"), not what is missing. This check loads each library the xcb platform needs by its soname and,
when some are missing, names them, their Debian/Ubuntu packages, and the one command that installs them.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable

# soname -> Debian/Ubuntu package, for Qt 6's xcb platform plugin (the window on an X11 or XWayland desktop).
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def platform_in_use(env: dict[str, str] | None = None) -> str:
    """The Qt platform this start will use: QT_QPA_PLATFORM if set, else xcb on X11, wayland, or none."""
    env = os.environ if env is None else env
    chosen = env.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if chosen:
        return chosen
    if env.get("WAYLAND_DISPLAY"):
        return "wayland"
    return "xcb" if env.get("DISPLAY") else ""


def missing_libraries(loads: Callable[[str], bool] = _loads) -> dict[str, str]:
    """The xcb platform's libraries that do not load here: soname -> package."""
    return {soname: package for soname, package in XCB_LIBRARIES.items() if not loads(soname)}


def problem(
    env: dict[str, str] | None = None, loads: Callable[[str], bool] = _loads, system: str = sys.platform
) -> str | None:
    """What stops the window from opening on this Linux machine, in words with the fix; None when nothing."""
    if not system.startswith("linux"):
        return None
    platform = platform_in_use(env)
    if platform in ("offscreen", "minimal", "vnc", "wayland", "eglfs", "linuxfb"):
        return None
    if not platform:
        return (
            "FrontDesk cannot open its window: there is no display (DISPLAY and WAYLAND_DISPLAY are not set). "
            "Start it from the desktop, or use a subcommand (frontdesk --help)."
        )
    missing = missing_libraries(loads)
    if not missing:
        return None
    packages = sorted(set(missing.values()))
    return (
        "FrontDesk cannot open its window: these system libraries are missing: "
        f"{', '.join(missing)}.\nInstall them with:\n\n    sudo apt-get install {' '.join(packages)}\n\n"
        "(Debian and Ubuntu; the README lists what other systems need.)"
    )
