"""Printing the day log from the review window: an HTML document sent to a QPrinter.

The emergency roster is not printed from here: it is the core's one PDF, sent as it is (``ui.roster_print``).
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from frontdesk.review.models import ReviewRow, Totals, decision_words
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
            + " / ".join(x for x in (r.screening_result, decision_words(r.screening_decision)) if x),
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
