"""Text from people (a scanned name, a purpose, another desk's name, a server's reason) in a Qt tooltip.

A QLabel is made plain with ``setTextFormat(PlainText)``, but a tooltip has no such switch: Qt renders it as
rich text whenever it looks like markup. So a tooltip carrying such text is given as HTML whose only markup
is ours, the text itself escaped: what a forged barcode carries is shown as written, never drawn.
"""

from __future__ import annotations

import html


def plain_tip(text: str) -> str:
    """``text`` as a tooltip that shows it literally (line breaks kept); empty stays empty (no tooltip)."""
    if not text:
        return ""
    return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>"
