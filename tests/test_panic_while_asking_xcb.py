"""The desk window's panic button takes a real click, and sends once, whatever dialog is open (session 24).

Qt blocks input to a window behind a modal dialog only for input that comes from the window system: QTest's
clicks go to the widget directly and pass the block by, so no offscreen test could show it. Here the real desk
runs on Xvfb's xcb platform and ``xdotool`` moves the X pointer and presses its button
(``tests/xcb_panic_while_asking.py``): a question box over the desk window, one in front of another window, and a
file dialog. Each press commits exactly one alert to the desk's outbox; each dialog's answer is the one clicked;
a click on Check in behind a question admits nobody, the same click after it does; a window waiting for its
question's answer does not close when the person asks the window manager to close it (the same request after
the answer closes it).

On the code before session 24 (every dialog application-modal) the desk sends nothing during any of the three
(``sent`` false): this test fails there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from frontdesk.context import Services
from tests.cli_helpers import ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("xvfb-run") is None or shutil.which("xdotool") is None,
    reason="needs Xvfb and xdotool (.ci/run installs both)",
)


def test_the_panic_button_takes_a_real_click_while_a_question_or_a_file_dialog_is_open(tmp_path):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, "-m", "tests.xcb_panic_while_asking"]
        + [str(data)],
        capture_output=True,
        text=True,
        env={**env, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=240,
    )
    steps = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    said = {step.pop("step") + f" #{i}": step for i, step in enumerate(steps)}
    assert proc.returncode == 0, (said, proc.stderr[-3000:])
    assert list(said.values()) == [
        {"answer": True, "on_site": 0},  # Yes clicked; the click on Check in behind the question admitted nobody
        {"on_site": True},  # the same click once the question is answered: checked in
        _pressed(said, 2),
        {"answer": False},  # No clicked after the press: the question's answer is the person's
        _pressed(said, 4),
        {"answer": False, "still_open": True},  # its window's close button, clicked first, did not close it
        {"closed": True},  # the same close once the question is answered: closed
        _pressed(said, 7),
        {"chosen": ""},  # cancelled
        {"alerts": 3},  # three presses, three alerts: none sent twice
    ], said
    services = Services.open(data)
    try:
        alerts = [m for m in services.station.recent(100) if m.msg_type == "Alert"]
    finally:
        services.close()
    assert [(m.action, m.cap_status) for m in alerts] == [("LOCKDOWN", "Actual")] * 3


def _pressed(said: dict, index: int) -> dict:
    """What a press on the red button must have done: one alert, the button not covered by the dialog."""
    step = list(said.values())[index]
    return {**step, "sent": True, "alerts": 1, "covered": False}
