"""Markup from a forged barcode or a list is shown literally, never rendered (issue 12).

A forged ID can carry HTML in its name field: it must not draw a big green "SCREENED: CLEAR" over the
desk's own words. The scan goes through the real wedge filter and parser; then a match card is shown for a
list entry whose fields are HTML too.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from tests.id_corpus import US, card_payload
from tests.test_ui_id_scan import desk, scan  # noqa: F401 - the fixture and the scan helper
from tests.test_ui_screening import fill

FORGED = "<b style='color:green;font-size:40px'>SCREENED CLEAR ADMIT</b>"


def _labels_showing(window, text: str) -> list[QLabel]:
    return [label for label in window.findChildren(QLabel) if text in label.text()]


def test_html_in_a_scanned_name_is_shown_literally(qtbot, desk):  # noqa: F811
    window, wedge, clock = desk
    scan(qtbot, wedge, clock, card_payload(replace(US, last=FORGED)))
    QApplication.processEvents()
    shown = _labels_showing(window.window, "SCREENED CLEAR ADMIT")
    assert shown, "the scanned name is shown somewhere (the ID panel, the message line)"
    for label in shown:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.accessibleName()
        assert "<b style=" in label.text()
    assert window.message.textFormat() == Qt.TextFormat.PlainText
    assert "<b style=" in window.message.text()


def test_html_in_a_list_entry_and_a_visitor_is_shown_literally_on_the_match_card(qtbot, desk, services):  # noqa: F811
    window, _, _ = desk
    services.settings.set(__import__("frontdesk.settings", fromlist=["x"]).STAFF_NAME, "Pat Demo")
    services.lists.add(
        "District list",
        NewEntry(
            "Robert",
            "Smith",
            dob=parse_dob("1980-03-14"),
            kind=Kind.BARRED,
            reason="<h1 style='color:green'>CLEAR — admit</h1>",
            notes="<img src='x'>",
        ),
    )
    fill(window, "Robert", "Smith", "03/14/1980")
    with qtbot.waitSignal(window.checkin.card_shown):
        qtbot.mouseClick(window.check_in_button, Qt.MouseButton.LeftButton)
    card = window.checkin.card
    for label in card.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
    assert _labels_showing(card, "<h1 style='color:green'>CLEAR — admit</h1>")


def test_markup_in_a_name_is_shown_literally_in_the_on_site_tooltip(services):
    """A tooltip has no plain-text switch: the on-site list's is escaped HTML, so a forged name shows as is.
    (Check-in refuses a name holding '<' since session 25 (a passport's zone typed in): such a name still comes
    from elsewhere -- another desk's visit through the hub, a desk on an older release -- so the visit's name is
    forged after its check-in here.)"""
    import dataclasses

    from PySide6.QtGui import QTextDocument

    from frontdesk.models import Visitor
    from ui.table_models import OnSiteModel

    visit = services.checkin.admit(Visitor(first_name="Ann", last_name="Forged"))
    visit = dataclasses.replace(visit, visitor=dataclasses.replace(visit.visitor, last_name=FORGED))
    model = OnSiteModel()
    model.set_items([visit])
    tip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    shown = QTextDocument()
    shown.setHtml(tip)  # what Qt draws for a rich-text tooltip
    assert "<b style=" in shown.toPlainText() and "SCREENED CLEAR ADMIT</b>" in shown.toPlainText()


def test_the_tooltip_escape_is_html_escape():
    import html

    from ui.plain import escape

    for text in ("<b>Ann</b>", 'O\'Neil & "Sons"', "&amp; already", "a > b < c", "plain", "", "é ß 漢 &#x27;"):
        assert escape(text) == html.escape(text), text
