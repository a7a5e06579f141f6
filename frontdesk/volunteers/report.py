"""A school's volunteer hours report: CSV (one row per volunteer and activity) and PDF (the review's style)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from frontdesk.review.pdf import BOLD, FONT, MARGIN, RULE, ZEBRA, _fit
from frontdesk.text import SafeDictWriter
from frontdesk.volunteers.models import HoursReport

CSV_COLUMNS = ("volunteer_id", "first_name", "last_name", "status", "activity", "visits", "hours", "forgotten")


def hours_rows(report: HoursReport) -> list[dict]:
    """One row per volunteer and activity: visits, hours, and visits counted by the close-day rule."""
    out = []
    for vh in report.volunteers:
        for activity, hours in vh.activities.items():
            lines = [
                line for line in report.lines if line.volunteer.id == vh.volunteer.id and line.activity == activity
            ]
            out.append(
                {
                    "volunteer_id": vh.volunteer.id,
                    "first_name": vh.volunteer.first_name,
                    "last_name": vh.volunteer.last_name,
                    "status": vh.volunteer.status.value,
                    "activity": activity,
                    "visits": len(lines),
                    "hours": round(hours, 2),
                    "forgotten": sum(1 for line in lines if line.rule.startswith("check-out forgotten")),
                }
            )
    return out


def write_csv(report: HoursReport, out: IO[str]) -> None:
    """The report as CSV on ``out`` (a header line, then one row per volunteer and activity)."""
    writer = SafeDictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")  # no cell runs as a formula
    writer.writeheader()
    writer.writerows(hours_rows(report))


_COLUMNS = [("Volunteer", 170), ("Status", 70), ("Activity", 170), ("Visits", 60), ("Hours", 70)]


def hours_pdf(report: HoursReport, out: Path, *, school: str, now: datetime) -> None:
    """The report on letter paper: per volunteer and activity, the months, and the close-day rule's marks."""
    width, height = letter
    size, line = 9, 14
    top = height - MARGIN - 60
    rows: list[tuple] = []  # (cells, forgotten) for a line; (months text, None) for a volunteer's months
    for vh in report.volunteers:
        for i, (activity, hours) in enumerate(vh.activities.items()):
            visits = sum(
                1 for ln in report.lines if ln.volunteer.id == vh.volunteer.id and ln.activity == activity
            )
            first = i == 0
            cells = (
                vh.volunteer.full_name if first else "",
                vh.volunteer.status.value if first else "",
                activity,
                str(visits),
                f"{hours:.2f}",
            )
            rows.append((cells, vh.forgotten if first else 0))
        months = "   ".join(f"{m[5:]}/{m[:4]}: {h:g} h" for m, h in vh.months.items())
        years = "   ".join(f"{y}: {h:g} h" for y, h in vh.years.items())
        rows.append((f"By month: {months}    By year: {years}", None))
    per_page = int((top - MARGIN - 40) // line)
    pages = max(1, -(-len(rows) // per_page))
    c = Canvas(str(out), pagesize=letter, pageCompression=1)
    title = f"Volunteer hours {report.start} to {report.end}"
    c.setTitle(title)
    c.setAuthor("FrontDesk")
    for page in range(pages):
        c.setFont(BOLD, 14)
        c.drawString(MARGIN, height - MARGIN - 10, title)
        c.setFont(FONT, 9)
        c.drawRightString(width - MARGIN, height - MARGIN - 10, school)
        forgotten = sum(vh.forgotten for vh in report.volunteers)
        c.drawString(
            MARGIN,
            height - MARGIN - 28,
            f"{_count(len(report.volunteers), 'volunteer')}, {_count(len(report.lines), 'visit')}, "
            f"{report.total_hours:.2f} hours. * {_count(forgotten, 'visit')} with a forgotten check-out, "
            "counted by the close-day rule.",
        )
        y = top
        x = MARGIN
        c.setFont(BOLD, size)
        for heading, w in _COLUMNS:
            c.drawString(x + 2, y, heading)
            x += w
        c.setStrokeColor(RULE)
        c.line(MARGIN, y - 3, width - MARGIN, y - 3)
        for i, (cells, forgotten) in enumerate(rows[page * per_page : (page + 1) * per_page]):
            y = top - (i + 1) * line
            if forgotten is None:  # the volunteer's months and years, across the page under their lines
                c.setFont(FONT, size - 1)
                c.setFillColor(RULE)
                c.drawString(MARGIN + 12, y, _fit(cells, width - 2 * MARGIN - 12, FONT, size - 1))
                c.setFillColorRGB(0, 0, 0)
                continue
            if cells[0]:
                c.setFillColor(ZEBRA)
                c.rect(MARGIN, y - 4, width - 2 * MARGIN, line, stroke=0, fill=1)
                c.setFillColorRGB(0, 0, 0)
            x = MARGIN
            cells = list(cells)
            if forgotten:
                cells[0] += f" *{forgotten}"
            for text, (_, w) in zip(cells, _COLUMNS, strict=True):
                c.setFont(BOLD if text and x == MARGIN else FONT, size)
                if text:
                    c.drawString(x + 2, y, _fit(text, w - 4, FONT, size))
                x += w
        if not rows:
            c.setFont(FONT, 11)
            c.drawString(MARGIN, top - line, "No volunteer visits in this period.")
        c.setFont(FONT, 7)
        c.drawString(MARGIN, MARGIN - 12, f"Printed {now.astimezone():%Y-%m-%d %H:%M} by FrontDesk")
        c.drawRightString(width - MARGIN, MARGIN - 12, f"Page {page + 1} of {pages}")
        c.showPage()
    c.save()


def _count(n: int, word: str) -> str:
    """ "1 visit", "3 visits": a count in words on the report, never "visit(s)"."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")
