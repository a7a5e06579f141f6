"""Printing from the window: the day log and the emergency roster as HTML documents sent to a QPrinter.

The PDF files of the core (``frontdesk.review.pdf``) are for saving and mailing; Qt cannot render a PDF
without the QtPdf add-on, so what is printed is laid out here from the same rows.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from frontdesk.models import Visit
from frontdesk.review.models import ReviewRow, Totals
from frontdesk.text import format_badge_code
from ui.table_models import format_duration

_STYLE = (
    "<style>body{font-family:sans-serif;font-size:9pt} table{border-collapse:collapse;width:100%}"
    "th{text-align:left;border-bottom:1px solid #444} td{padding:2px 4px} tr.flag td{background:#f9d0d0}"
    "h1{font-size:15pt;margin:0} .big td{font-size:13pt;padding:6px 4px;border-bottom:1px solid #999}</style>"
)


def day_log_html(rows: list[ReviewRow], title: str, school: str, now: datetime) -> str:
    """The visits of a day (or range) as a printable HTML table, flagged rows shaded."""
    totals = Totals.of(rows, now)
    several_days = len({r.visit.time_in.astimezone().date() for r in rows}) > 1
    headings = ("In", "Out", "Stayed", "Name", "Category", "Purpose", "Going to", "Screening", "Staff")
    head = "".join(f"<th>{h}</th>" for h in (("Date",) if several_days else ()) + headings)
    body = []
    for r in rows:
        v = r.visit
        cells = [f"{v.time_in.astimezone():%Y-%m-%d}"] if several_days else []
        cells += [
            f"{v.time_in.astimezone():%H:%M}",
            f"{v.time_out.astimezone():%H:%M}" if v.time_out else "on site",
            format_duration(v.duration(now)),
            v.visitor.full_name,
            v.category.label,
            v.purpose,
            v.destination,
            ("FLAGGED " if r.flagged else "")
            + " / ".join(x for x in (r.screening_result, r.screening_decision) if x),
            v.staff,
        ]
        css = ' class="flag"' if r.flagged else ""
        body.append(f"<tr{css}>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return (
        f"<html><head>{_STYLE}</head><body><h1>{escape(title)}</h1><p>{escape(school)}<br>"
        f"{totals.visits} visits, {totals.people} people, {totals.on_site} still on site, "
        f"{totals.flagged} flagged. Printed {now.astimezone():%Y-%m-%d %H:%M}.</p>"
        f"<table><tr>{head}</tr>{''.join(body)}</table></body></html>"
    )


def roster_html(visits: list[Visit], school: str, now: datetime, students: tuple[list, list] = ([], [])) -> str:
    """The emergency roster (everyone on site) in large type, with a box to tick per person; then the students
    signed out (not missing) and those late today (``students``: two lists of ``RosterStudent``)."""
    rows = "".join(
        f"<tr><td>☐</td><td><b>{escape(v.visitor.full_name)}</b></td><td>{escape(v.category.label)}</td>"
        f"<td>{escape(v.destination or '—')}</td><td>{v.time_in.astimezone():%H:%M}</td>"
        f"<td>{format_badge_code(v.badge_code)}</td></tr>"
        for v in visits
    )
    return (
        f"<html><head>{_STYLE}</head><body><h1 style='color:#b00000'>EMERGENCY ROSTER: everyone on site</h1>"
        f"<p>{escape(school)} — {now.astimezone():%A %Y-%m-%d at %H:%M}<br>"
        f"<b>{len(visits)} visitors on site.</b></p><table class='big'><tr><th></th><th>Name</th>"
        "<th>Category</th><th>Where</th><th>In</th><th>Badge</th></tr>"
        f"{rows or '<tr><td></td><td>Nobody is checked in.</td></tr>'}</table>{_student_sections(*students)}"
        "</body></html>"
    )


def _student_sections(signed_out: list, late: list) -> str:
    out = ""
    for title, items in (
        ("Students signed out (not missing)", signed_out),
        ("Students who arrived late today (in the building)", late),
    ):
        if not items:
            continue
        rows = "".join(
            f"<tr><td><b>{escape(s.name)}</b></td><td>{escape(s.grade or '—')}</td><td>{escape(s.homeroom or '—')}"
            f"</td><td>{s.time.astimezone():%H:%M}</td><td>{escape(s.detail)}</td></tr>"
            for s in items
        )
        out += (
            f"<h2>{title}</h2><table class='big'><tr><th>Name</th><th>Grade</th><th>Class</th><th>Time</th>"
            f"<th></th></tr>{rows}</table>"
        )
    return out


def default_printer() -> QPrinter | None:
    """The system's default printer, or None when the machine has none."""
    info = QPrinterInfo.defaultPrinter()
    if info.isNull():
        return None
    return QPrinter(info, QPrinter.PrinterMode.HighResolution)


def pdf_printer(path: str, *, landscape: bool = False) -> QPrinter:
    """A QPrinter that writes a PDF file (no printer installed, and in tests)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(path)
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    printer.setPageLayout(
        QPageLayout(QPageSize(QPageSize.PageSizeId.Letter), orientation, printer.pageLayout().margins())
    )
    return printer


def print_html(html: str, printer: QPrinter) -> None:
    """Lay out ``html`` and send it to ``printer``."""
    document = QTextDocument()
    document.setHtml(html)
    document.print_(printer)
