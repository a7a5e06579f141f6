"""The real browser the web-screen tests drive: Debian's Chromium through Playwright (``.ci/run`` installs it).

The ``browser`` fixture (in conftest.py) launches it once per test; ``needs_chromium`` skips a module where it
is missing; :func:`shot` keeps a screenshot and, with ``FRONTDESK_UPDATE_SCREENSHOTS=1``, copies it into
docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",  # the dispatch console's alarm sound
]

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="chromium is not installed (.ci/run installs it)"
)


def launched_browser():
    """Chromium under Playwright until the generator closes (the ``browser`` fixture's body)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def shot(page, tmp_path: Path, name: str) -> None:
    """Screenshot the whole page to ``tmp_path / name`` (and docs/screenshots/ when asked to)."""
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("FRONTDESK_UPDATE_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS / name)
