"""The Qt binding itself, as the desk uses it all day.

PySide6 6.12.0's ``QLabel.setText`` and ``setStyleSheet`` each dropped a reference to ``None`` that they never
took. Python 3.11 aborts ("Fatal Python error: none_dealloc") when ``None``'s count reaches zero, so an idle
desk, whose status items and panic panel set their text every second, died after about 14 minutes — the
panic button with it. No test ran that long; this one counts the references instead, in a child process
(a binding with the bug may abort it)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CALLS = 3000
CHILD = f"""
import sys
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QLineEdit, QPushButton, QStatusBar
app = QApplication([])
label, button, entry, box, bar = QLabel(), QPushButton(), QLineEdit(), QCheckBox(), QStatusBar()
calls = {{
    "QLabel.setText": lambda: label.setText("On site now: 3 visitors"),
    "QLabel.setStyleSheet": lambda: label.setStyleSheet("color: #0d5223;"),
    "QLabel.setToolTip": lambda: label.setToolTip("Received by dispatch"),
    "QLabel.setVisible": lambda: label.setVisible(True),
    "QPushButton.setText": lambda: button.setText("LOCKDOWN"),
    "QPushButton.setEnabled": lambda: button.setEnabled(True),
    "QLineEdit.setText": lambda: entry.setText("Ann Lee"),
    "QCheckBox.setChecked": lambda: box.setChecked(True),
    "QStatusBar.showMessage": lambda: bar.showMessage("Ready"),
}}
for name, call in calls.items():
    before = sys.getrefcount(None)
    for _ in range({CALLS}):
        call()
    print(name, sys.getrefcount(None) - before, flush=True)
"""


@pytest.mark.timeout(120)
def test_setting_text_and_styles_keeps_nones_references():
    run = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert run.returncode == 0, f"the binding aborted Python:\n{run.stdout}\n{run.stderr[-2000:]}"
    changes = {name: int(delta) for name, delta in (line.rsplit(" ", 1) for line in run.stdout.splitlines())}
    assert len(changes) == 9, run.stdout
    # A few references may come and go with Qt's own objects; thousands of calls losing one each may not.
    assert all(delta > -CALLS // 10 for delta in changes.values()), changes
