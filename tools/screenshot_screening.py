"""Screenshots of the screening match card and the list screen for docs/.

Run ``PYTHONPATH=. python tools/screenshot_screening.py`` (offscreen, no display needed).

Builds the real desk window in demo mode, checks in "Bob Smyth, 03/14/1980" (on the demo district list as
Robert Smith) with a drawn stand-in photo, and grabs the window with the match card, and the card alone.
"""

from __future__ import annotations

import io
import os
import sys
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image, ImageDraw  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from frontdesk.demo import demo_services  # noqa: E402
from frontdesk.models import Visitor  # noqa: E402
from tools.demo_desk import sign_in_demo_desk  # noqa: E402
from ui.app import build_desk, configure_app  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def silhouette(background: str, shirt: str) -> bytes:
    """A drawn stand-in for an ID photo (synthetic: no real person)."""
    image = Image.new("RGB", (120, 150), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((35, 20, 85, 75), fill="#c9a27e")
    draw.ellipse((15, 80, 105, 190), fill=shirt)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def main() -> int:
    """Write screening-match-card.png, screening-match-card-detail.png, -near-miss.png and screening-lists.png."""
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    configure_app(app)
    services = demo_services()
    entry = services.lists.search("robert smith")[0]
    with services.store.db.conn:
        services.store.db.execute(
            "UPDATE screening_entries SET photo = ? WHERE id = ?", [silhouette("#d8dee6", "#3d5a80"), entry.id]
        )
    window = build_desk(services, demo=True)
    window.resize(1280, 900)
    window.show()
    sign_in_demo_desk(window)
    window.form.fill(Visitor("Bob", "Smyth", dob=date(1980, 3, 14), photo=silhouette("#e6e1d8", "#7a4e2d")))
    window.form.destination.setText("Main office")
    window.request_check_in()
    QTest.qWait(200)  # let the card lay out and scroll into view
    window.grab().save(str(OUT / "screening-match-card.png"))
    window.checkin.card.grab().save(str(OUT / "screening-match-card-detail.png"))

    # A near miss: the custody entry's date one digit off; the card says how common the name is.
    near = build_desk(demo_services(), demo=True)
    near.resize(1280, 900)
    near.show()
    sign_in_demo_desk(near)
    near.form.fill(Visitor("Dana", "Whitlock", dob=date(1975, 7, 3)))
    near.form.destination.setText("Room 12")
    near.request_check_in()
    QTest.qWait(200)
    near.checkin.card.grab().save(str(OUT / "screening-match-card-near-miss.png"))

    from ui.screening.screening_lists import ListManager

    manager = ListManager(services)
    manager.resize(1200, 760)
    manager.show()
    manager.table.selectRow(0)
    manager.on_edit_clicked()
    QTest.qWait(100)
    manager.grab().save(str(OUT / "screening-lists.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
