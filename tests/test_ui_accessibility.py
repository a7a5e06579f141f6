"""Accessibility of the desk: every control reachable by keyboard in a sensible order (Tab through the real
desk), text contrast of at least 4.5:1 in the desk's colours (WCAG AA), and no clipping at 150% text scale."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QWidget

from frontdesk.models import Visitor
from tests.cli_helpers import ROOT
from ui.app import build_desk
from ui.desk import main_window
from ui.desk.screening_card import _CARD_STYLE
from ui.dispatch import panic

ORDER = [
    "Scan ID or type a name",
    "First name",
    "Middle name",
    "Last name",
    "Date of birth",
    "ID type",
    "ID issued by",
    "Category",
    "Purpose of visit",
    "Going to (room or staff)",
    "Note",
    "Check in",
    "Clear form",
    "On site now",
    "Badge code to check out",
    "Check out selected or typed badge",
    "Badge printer settings",
    "Panic alert: hold to send",
    "Choose another kind of alert",
    "Send as a drill",
    "Print the emergency roster",
]


def name_of(widget: QWidget) -> str:
    if not widget.accessibleName() and isinstance(widget.parentWidget(), QComboBox):
        return widget.parentWidget().accessibleName()  # an editable combo's own line edit
    return widget.accessibleName()


def test_tab_reaches_every_control_in_a_sensible_order(qtbot, services):
    desk = build_desk(services)
    qtbot.addWidget(desk.window)
    desk.window.resize(1366, 728)
    desk.window.show()
    qtbot.waitExposed(desk.window)
    desk.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is desk.window)
    desk.scan_entry.setFocus()
    seen = []
    for _ in range(60):
        widget = QApplication.focusWidget()
        seen.append(name_of(widget))
        QTest.keyClick(widget, Qt.Key.Key_Tab)
        if QApplication.focusWidget() is desk.scan_entry:
            break
    assert seen == ORDER, "\n".join(seen)
    # Every enabled control on screen is in the order (nothing reachable only by mouse).
    controls = [
        w
        for w in desk.window.findChildren(QWidget)
        if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.accessibleName()
    ]
    assert {w.accessibleName() for w in controls} <= set(ORDER)
    assert all(b.accessibleName() for b in desk.window.findChildren(QAbstractButton) if b.isVisible())


def test_with_visitors_on_site_tab_leaves_on_site_now_for_check_out_and_the_panic_button(qtbot, services):
    """Found on the walk: with people on site, Tab moved cell by cell through On site now (7 stops a visitor:
    about 300 presses on a busy day) before it reached check-out, the panic button and the roster. In a table
    the arrows move; Tab goes on to the next control."""
    for first, last in (("Ann", "Testwood"), ("Bob", "Sampleton"), ("Cy", "Mockridge")):
        services.checkin.admit(Visitor(first, last))
    desk = build_desk(services)
    qtbot.addWidget(desk.window)
    desk.window.resize(1366, 728)
    desk.window.show()
    qtbot.waitExposed(desk.window)
    desk.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is desk.window)
    assert desk.onsite_model.rowCount() == 3
    desk.scan_entry.setFocus()
    seen = []
    for _ in range(len(ORDER) + 5):
        widget = QApplication.focusWidget()
        seen.append(name_of(widget))
        QTest.keyClick(widget, Qt.Key.Key_Tab)
        if QApplication.focusWidget() is desk.scan_entry:
            break
    assert seen == ORDER, "\n".join(seen)
    # The arrows still move within the table.
    desk.onsite_table.setFocus()
    desk.onsite_table.selectRow(0)
    QTest.keyClick(desk.onsite_table, Qt.Key.Key_Down)
    assert desk.onsite_table.currentIndex().row() == 1


def luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_desks_colours_have_at_least_4_5_to_1_contrast(qapp):
    window_bg = qapp.palette().window().color().name()
    pairs = {}
    for kind, style in main_window.MESSAGE_STYLES.items():
        bg, fg = re.search(r"background:(#\w+)", style)[1], re.search(r"color:(#\w+)", style)[1]
        pairs[f"message {kind}"] = (fg, bg)
    for state, fg in main_window.HEALTH_COLOURS.items():
        pairs[f"status bar {state}"] = (fg, window_bg)
    for level, (bg, fg) in panic.LEVEL_COLOURS.items():
        pairs[f"panic {level}"] = (fg, bg)
    pairs["panic button"] = ("#ffffff", "#d32f2f")
    pairs["match card heading"] = ("#24364f", "#f4f6f9")
    pairs["match card small"] = ("#4a5568", "#f4f6f9")
    assert "#24364f" in _CARD_STYLE and "#4a5568" in _CARD_STYLE
    for banner_colour in ("#b00020", "#5b4a9e", "#b71c1c", "#4a148c"):  # banners: white on these
        pairs[f"banner {banner_colour}"] = ("#ffffff", banner_colour)
    low = {what: round(contrast(fg, bg), 2) for what, (fg, bg) in pairs.items() if contrast(fg, bg) < 4.5}
    assert low == {}


def test_at_150_percent_nothing_is_clipped(tmp_path):
    """The OS text size (Qt's scale factor) at 150% on a 1920x1080 screen: the desk fits and no text is cut."""
    env = {**os.environ, "QT_SCALE_FACTOR": "1.5", "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.scale_check", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "scale 1.5: nothing clipped" in proc.stdout
