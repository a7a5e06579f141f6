"""``frontdesk --self-test`` passes from source (CI runs the same on the frozen bundle after ``make dist``)."""

from __future__ import annotations

import os
import sys

from tests.cli_helpers import frontdesk, text


def test_self_test_passes_and_reports_every_step():
    proc = frontdesk("--self-test", timeout=120)
    out, err = text(proc)
    assert proc.returncode == 0, out + err
    assert out.rstrip().endswith("self-test passed")
    for step in (
        "open a temporary database",
        "parse a synthetic ID",
        "screen it",
        "render and encode a badge",
        "build and validate a CAP alert",
        "data at rest",
        "build the desk window",
    ):
        assert f"ok   {step}" in out, step
    assert "encrypted, SQLCipher" in out
    if sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1:
        assert "ok   start the key reader: answered (keyring: " in out, out
