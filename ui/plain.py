"""Text from people (a scanned name, a purpose, another desk's name, a server's reason) in a Qt tooltip, and in
the question asked before a change that cannot be taken back (:func:`ask_first`).

A QLabel is made plain with ``setTextFormat(PlainText)``, but a tooltip has no such switch: Qt renders it as
rich text whenever it looks like markup. So a tooltip carrying such text is given as HTML whose only markup
is ours, the text itself escaped: what a forged barcode carries is shown as written, never drawn.
"""

from __future__ import annotations

# html.escape's own replacements, in its order (``&`` first). Not ``import html``: that module builds its table
# of 2,231 named entities on import (for unescape, which nothing here needs), and this module is on the way to
# the desk's first paint (issue 13). tests/test_ui_plain_text.py checks that this escapes exactly as html.escape.
_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))


def escape(text: str) -> str:
    """``text`` with ``& < > " '`` escaped, exactly as ``html.escape(text)`` does."""
    for char, entity in _ESCAPES:
        text = text.replace(char, entity)
    return text


def plain_tip(text: str) -> str:
    """``text`` as a tooltip that shows it literally (line breaks kept); empty stays empty (no tooltip)."""
    if not text:
        return ""
    return "<p style='white-space:pre-wrap'>" + escape(text) + "</p>"


def ask_first(parent, title: str, text: str) -> bool:
    """Ask a yes/no question before a change that stops someone being flagged, told, counted or recorded: True for
    Yes. No is the default (Enter and Esc keep things as they are), and ``text`` is shown as written (it names
    people, lists and files: never markup). The box is not modal to Qt, so the desk window's panic button takes a
    click while it waits (:mod:`ui.asking`, which holds everything else as before)."""
    from ui.asking import ask_yes_no

    return ask_yes_no(parent, title, text)
