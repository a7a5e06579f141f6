"""The Linux pre-flight: missing Qt libraries are named with the one command that installs them, instead
of Qt's abort; and the real app opens on the xcb platform under Xvfb (not offscreen), screenshot taken."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.cli_helpers import ROOT
from ui.preflight import XCB_LIBRARIES, missing_libraries, platform_in_use, problem


def test_missing_libraries_are_named_with_one_install_command():
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    said = problem({"DISPLAY": ":0"}, loads=lambda soname: soname not in absent, system="linux")
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in said
    assert "    sudo apt-get install libxcb-icccm4 libxcb-keysyms1\n" in said
    assert said.count("apt-get") == 1


def test_nothing_to_say_when_all_is_there_or_not_linux_or_offscreen():
    assert problem({"DISPLAY": ":0"}, loads=lambda soname: True, system="linux") is None
    assert problem({"DISPLAY": ":0"}, loads=lambda soname: False, system="win32") is None
    assert problem({"QT_QPA_PLATFORM": "offscreen"}, loads=lambda soname: False, system="linux") is None
    assert "no display" in problem({}, loads=lambda soname: True, system="linux")
    assert platform_in_use({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}) == "wayland"


def test_this_machine_has_every_library_the_window_needs():
    """CI (.ci/run) installs the xcb set; a missing one here is named, as a user would see it."""
    assert missing_libraries() == {}, problem({"DISPLAY": ":0"}, system="linux")
    assert len(XCB_LIBRARIES) >= 8


def test_the_command_line_says_so_instead_of_aborting(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run(
        [sys.executable, "-m", "ui.main", "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2 and "there is no display" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs Xvfb (.ci/run installs it)")
def test_the_real_app_opens_on_xcb_under_xvfb_and_is_screenshot(tmp_path):
    out = tmp_path / "xcb.png"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, "-m", "tests.xcb_smoke", str(out)],
        capture_output=True,
        text=True,
        env={**env, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "platform xcb" in proc.stdout
    from PIL import Image

    shot = Image.open(out).convert("RGB")
    assert shot.size == (1366, 768)
    assert len(shot.getcolors(1 << 16) or range(1 << 16)) > 20  # a drawn desk, not a blank screen
