"""Screenshots of the kiosk (English and Spanish), the desk taking a person the kiosk sent, the review's
Volunteers tab and the volunteer hours report for docs/screenshots/.

Run from the repository root under Xvfb at the kiosk's screen size:
`xvfb-run -s "-screen 0 1366x768x24" python tools/screenshot_kiosk.py` (needs `pdftoppm` for the PDF page).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from frontdesk import clock  # noqa: E402
from frontdesk.demo import demo_services  # noqa: E402
from tools.demo_desk import sign_in_demo_desk  # noqa: E402
from tools.screenshot_review import OUT, pdf_page, save, settle  # noqa: E402
from ui.app import build_desk, configure_app  # noqa: E402
from ui.app_kiosk import build_kiosk  # noqa: E402
from ui.review.review_window import ReviewWindow  # noqa: E402


def main() -> int:
    """Take the kiosk and volunteer screenshots."""
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    configure_app(app)
    services = demo_services()
    services.accounts.sign_out()  # the kiosk runs as the unattended desk
    kiosk = build_kiosk(services)
    k = kiosk.window
    k.showFullScreen()
    k.setGeometry(app.primaryScreen().geometry())  # Xvfb has no window manager to make it full screen
    settle()
    save(k, "kiosk-1-welcome-en")
    k.set_language("es")
    settle()
    save(k, "kiosk-2-welcome-es")
    k.show_search()
    k.search_entry.setText("Helpw")
    k.on_search_edited("Helpw")
    settle()
    save(k, "kiosk-3-find-my-name-es")
    k.result_buttons[0].click()
    settle()
    save(k, "kiosk-4b-date-of-birth-es")  # found by name: the date of birth on record first (session 22)
    k.dob_entry.setText(f"{k._arrival.visitor.dob:%m/%d/%Y}")  # noqa: SLF001 - as the volunteer types it
    k.on_dob_entered()
    settle()
    save(k, "kiosk-4-volunteer-activity-es")
    k.choice_buttons[0].click()
    settle()
    save(k, "kiosk-5-checked-in-es")
    k.reset()
    k.show_search()
    k.on_search_edited("Oldch")
    k.result_buttons[0].click()
    k.dob_entry.setText(f"{k._arrival.visitor.dob:%m/%d/%Y}")  # noqa: SLF001
    k.on_dob_entered()
    k.choice_buttons[0].click()  # a lapsed check: the kiosk says only this
    settle()
    save(k, "kiosk-6-see-the-front-office-en")
    k.reset()
    _badge_not_printed(app, services)
    for name, pin in (("pat", "0000"), ("lee", "1111"), ("sam", "2222"), ("pat", "3333"), ("admin", "4444")):
        k.show_staff()  # a stranger guessing PINs: the fifth wrong try pauses leaving kiosk mode
        k.staff_user.setText(name)
        k.staff_pin.setText(pin)
        k.on_staff_unlock()
    settle()
    save(k, "kiosk-10-too-many-tries-en")
    k.reset()

    desk = build_desk(services, demo=True)
    k.hide()
    desk.window.resize(1366, 768)
    desk.window.show()
    sign_in_demo_desk(desk)
    desk.front_office.refresh()
    settle()
    save(desk.window, "kiosk-7-desk-banner")
    desk.front_office.take_next()
    settle()
    save(desk.window, "kiosk-8-desk-resolves-the-warning")
    desk.checkin.cancel()
    desk.form.clear()
    (impostor,) = services.kiosk.search("Pausi")  # picked by name, with a date of birth that is not on record
    services.kiosk.confirm_dob(impostor, date(1999, 1, 1))
    desk.front_office.refresh()
    desk.front_office.take_next()  # the name only, and the desk waits for their ID
    settle()
    save(desk.window, "kiosk-11-desk-check-their-id")

    services.accounts.sign_in("principal", "demo-principal")
    review = ReviewWindow(services)
    review.resize(1366, 768)
    review.tabs.setCurrentWidget(review.volunteers)
    review.show()
    review.volunteers.refresh()
    settle()
    save(review, "review-volunteers")
    today = clock.now().astimezone().date()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "hours.pdf"
        services.volunteers.export(
            date(today.year, 1, 1), today, "pdf", report, school="Maple Grove Elementary (DEMO)"
        )
        pdf_page(report, "volunteer-hours-pdf-page", dpi=90)
    kiosk.window._may_close = True  # noqa: SLF001 - the tool closes its own kiosk
    kiosk.stop()
    return 0


def _badge_not_printed(app, services) -> None:
    """A second kiosk whose badge printer is off (nothing listens on its port): the visitor is told where to go."""
    from PySide6.QtTest import QTest

    from printers.uri import printer_for

    station = build_kiosk(services, printer=printer_for("escpos+tcp://127.0.0.1:9?profile=TM-T20II&timeout=1"))
    w = station.window
    w.showFullScreen()
    w.setGeometry(app.primaryScreen().geometry())
    w.show_search()
    w.on_search_edited("Pagew")
    w.result_buttons[0].click()
    w.dob_entry.setText(f"{w._arrival.visitor.dob:%m/%d/%Y}")  # noqa: SLF001 - as the volunteer types it
    w.on_dob_entered()
    w.choice_buttons[0].click()
    for _ in range(300):  # the printer's answer (three tries at a closed port)
        if "did not print" in w.result_say.text():
            break
        QTest.qWait(50)
    settle()
    save(w, "kiosk-9-badge-did-not-print-en")
    w._may_close = True  # noqa: SLF001 - the tool closes its own kiosk
    station.stop()
    w.close()


if __name__ == "__main__":
    sys.exit(main())
