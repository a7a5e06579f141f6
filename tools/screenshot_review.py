"""Screenshots of the principal's review, the locked desk and the rendered PDFs for docs/screenshots/.

Run from the repository root: `QT_QPA_PLATFORM=offscreen python tools/screenshot_review.py` (needs
`pdftoppm` from poppler-utils for the PDF pages).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from frontdesk import clock
from frontdesk.demo import demo_services
from frontdesk.review.models import ReviewQuery
from ui.app import Shell, configure_app
from ui.review.review_window import ReviewWindow

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def pdf_page(pdf: Path, name: str, dpi: int = 80) -> None:
    """Render the first page of ``pdf`` to ``docs/screenshots/<name>.png``."""
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(OUT / name)],
        check=True,
    )


def settle() -> None:
    """Let layouts and deferred deletions finish before a grab."""
    for _ in range(5):
        QTest.qWait(40)


def save(widget, name: str) -> None:
    """Grab ``widget`` into docs/screenshots/<name>.png with a 256-colour palette (small files)."""
    from PIL import Image

    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    Image.open(path).convert("RGB").quantize(colors=256).save(path, optimize=True)


def flag_one_visit(services, day) -> None:
    """Screen one of the day's visitors against a list entry of the same name, as the desk would have."""
    from frontdesk.screening.decisions import Consequence, Outcome
    from frontdesk.screening.models import Kind, NewEntry, Query

    visit = services.review.visits(ReviewQuery(day, day))[2].visit
    who = visit.visitor
    services.lists.add("District", NewEntry(who.first_name, who.last_name, kind=Kind.WATCH))
    query = Query(who.first_name, who.last_name)
    candidate = services.screener.screen(query).candidates[0]
    outcome = (Outcome.NOT_THIS_PERSON, Consequence.ADMIT)  # "not this person", stored with the visit
    services.decisions.record(query, candidate, *outcome, "Pat Demo", "different date of birth", visit_id=visit.id)


def main() -> int:
    """Take the review screenshots."""
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    configure_app(app)
    services = demo_services()
    shell = Shell(services, demo=True)  # the demo desk opens locked
    shell.resize(1280, 820)
    shell.show()
    settle()
    save(shell, "desk-locked")

    services.accounts.sign_in("principal", "demo-principal")
    review = ReviewWindow(services)
    review.resize(1400, 900)
    today = clock.now().astimezone().date()
    last_school_day = today - timedelta(days=1)
    while last_school_day.weekday() >= 5:
        last_school_day -= timedelta(days=1)
    day = QDate(last_school_day.year, last_school_day.month, last_school_day.day)
    flag_one_visit(services, last_school_day)
    review.visits.set_range(day, day)
    review.show()
    settle()
    save(review, "review-window")
    review.visits.search.setText("testw")
    review.visits.run_search()
    settle()
    save(review, "review-search")
    review.tabs.setCurrentWidget(review.audit)
    review.audit.verify()
    settle()
    save(review, "review-audit-trail")

    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "month.pdf"
        services.review.export(
            ReviewQuery(today - timedelta(days=28), today), "pdf", report, school="Maple Grove Elementary (DEMO)"
        )
        pdf_page(report, "report-pdf-page")
        roster = Path(tmp) / "roster.pdf"
        services.review.roster_pdf(roster, school="Maple Grove Elementary (DEMO)")
        pdf_page(roster, "roster-pdf-page", dpi=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
