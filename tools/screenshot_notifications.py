"""Screenshot of a principal signed in at the desk, seeing a barred match confirmed there a moment before.

Run ``PYTHONPATH=. python tools/screenshot_notifications.py`` (offscreen, no display needed). Builds the
real desk window in demo mode; Pat (desk) confirms "Bob Smyth, 03/14/1980" as the demo list's Robert Smith,
then the principal switches in (Staff ▸ Lock / switch person) and the window is grabbed with the banner.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from frontdesk.demo import demo_services  # noqa: E402
from frontdesk.settings import STATION_NAME  # noqa: E402
from ui.app import build_desk, configure_app  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def sign_in(window, username: str, secret: str) -> None:
    """Lock / switch person, then sign in as someone else (as the Staff menu does)."""
    lock = window.desk_lock
    lock.lock()
    lock.sign_in.username.setText(username)
    lock.sign_in.secret.setText(secret)
    lock.sign_in.submit()


def main() -> int:
    """Write screening-principal-notified.png."""
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    configure_app(app)
    services = demo_services()
    services.decisions.station = services.settings.get(STATION_NAME) or "Main office desk"
    window = build_desk(services, demo=True)
    window.resize(1280, 820)
    window.show()
    sign_in(window, "desk.pat", "1234")
    window.form.first_name.setText("Bob")
    window.form.last_name.setText("Smyth")
    window.form.dob.setText("03/14/1980")
    window.form.destination.setText("Main office")
    window.request_check_in()
    card = window.checkin.card
    card.reason.setText("Photo and licence match the record")
    card.same_person.click()
    sign_in(window, "principal", "demo-principal")
    QTest.qWait(200)
    window.grab().save(str(OUT / "screening-principal-notified.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
