"""PDF exports drawn straight onto a reportlab canvas: the visit report and the emergency roster.

A canvas and fixed column widths keep a month (thousands of rows) well under a second, where flowing
tables would measure every cell twice.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from frontdesk.models import Visit
from frontdesk.review.models import ReviewQuery, ReviewRow, RosterStudent, Totals, decision_words
from frontdesk.store.files import private_file
from frontdesk.text import count, format_badge_code

# Compressed page streams stay binary: ASCII85 on top makes them 25% bigger and, in pure Python, costs a
# third of a month's report. Every PDF reader takes binary streams.
rl_config.useA85 = 0

MARGIN = 36
FONT, BOLD = "Helvetica", "Helvetica-Bold"
ZEBRA = Color(0.94, 0.94, 0.94)
FLAGGED = Color(1.0, 0.85, 0.85)
RULE = Color(0.6, 0.6, 0.6)


@lru_cache(maxsize=20000)
def _fit(text: str, width: float, font: str, size: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` points.

    Linear in the column, not in the text: no glyph is narrower than a tenth of the font size, so a text
    longer than the column could hold is cut to that first, and the cut is then found by halving (a
    50,000-character name took 96 s when it was shortened one character at a time).
    """
    room = int(width / (size * 0.1)) + 2
    if len(text) <= room and stringWidth(text, font, size) <= width:
        return text
    text = text[:room]
    low, high = 0, len(text)  # the longest prefix that fits with the ellipsis is in [low, high]
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle] + "…", font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low] + "…"


def _wrap2(text: str, width: float, font: str, size: float) -> list[str]:
    """``text`` as one line if it fits ``width`` points, else as two (the second cut with an ellipsis if even
    two lines cannot hold it)."""
    room = int(width / (size * 0.1)) + 2  # as _fit: never more text than two lines could hold is measured
    if len(text) <= room and stringWidth(text, font, size) <= width:
        return [text]
    lines = simpleSplit(text[: 2 * room], font, size, width) or [""]
    rest = " ".join(lines[1:]) + ("…" if len(text) > 2 * room else "")
    return [_fit(lines[0], width, font, size)] + ([_fit(rest, width, font, size)] if rest else [])


# (heading, width in points) for the visit report, landscape letter: 720 points between the margins.
_REPORT_COLUMNS = [
    ("Date", 52),
    ("In", 32),
    ("Out", 32),
    ("Min", 28),
    ("Name", 100),
    ("Category", 62),
    ("Purpose", 90),
    ("Destination", 90),
    ("Screening", 80),
    ("Badge", 34),
    ("Station", 60),
    ("Staff", 60),
]


def _report_cells(row: ReviewRow, now: datetime) -> list[str]:
    v = row.visit
    time_in = v.time_in.astimezone()
    screening = " / ".join(x for x in (row.screening_result, decision_words(row.screening_decision)) if x)
    return [
        f"{time_in:%Y-%m-%d}",
        f"{time_in:%H:%M}",
        f"{v.time_out.astimezone():%H:%M}" if v.time_out else "on site",
        f"{round(v.duration(now) / 60)}",
        v.visitor.full_name,
        v.category.label,
        v.purpose,
        v.destination,
        ("FLAGGED " if row.flagged else "") + screening,
        "" if row.badge_printed is None else ("yes" if row.badge_printed else "no"),
        v.station,
        v.staff,
    ]


def visits_pdf(rows: list[ReviewRow], out: Path, *, query: ReviewQuery, school: str, now: datetime) -> None:
    """The visit report for a day or range: a totals line, then one line per visit, flagged ones shaded."""
    width, height = landscape(letter)
    size, line = 7.5, 11.5
    top = height - MARGIN - 46
    per_page = int((top - MARGIN - 14) // line)
    pages = max(1, -(-len(rows) // per_page))
    span = query.start.isoformat() if query.start == query.end else f"{query.start} to {query.end}"
    totals = Totals.of(rows, now)
    summary = (
        f"{totals.visits} visits, {totals.people} people, {totals.on_site} still on site, "
        f"{totals.flagged} flagged, average stay {totals.average_minutes:.0f} min. "
        + ", ".join(f"{c.label}: {n}" for c, n in totals.by_category.items())
    )
    filters = ", ".join(
        text
        for text in (
            f"category {query.category}" if query.category else "",
            "flagged only" if query.flagged_only else "",
            "still on site only" if query.on_site_only else "",
            f"station {query.station}" if query.station else "",
        )
        if text
    )
    c = Canvas(str(private_file(out)), pagesize=(width, height), pageCompression=1)
    c.setTitle(f"Visits {span}")
    c.setAuthor("FrontDesk")
    for page in range(pages):
        c.setFont(BOLD, 14)
        c.drawString(MARGIN, height - MARGIN - 10, f"Visits {span}" + (f" ({filters})" if filters else ""))
        c.setFont(FONT, 9)
        c.drawRightString(width - MARGIN, height - MARGIN - 10, school)
        c.drawString(MARGIN, height - MARGIN - 26, _fit(summary, width - 2 * MARGIN, FONT, 9))
        # Column headings.
        y = top
        x = MARGIN
        c.setFont(BOLD, size)
        for heading, w in _REPORT_COLUMNS:
            c.drawString(x + 2, y, heading)
            x += w
        c.setStrokeColor(RULE)
        c.line(MARGIN, y - 3, width - MARGIN, y - 3)
        chunk = rows[page * per_page : (page + 1) * per_page]
        for i, row in enumerate(chunk):  # shading first, then all the page's text in one text object
            if row.flagged or i % 2:
                c.setFillColor(FLAGGED if row.flagged else ZEBRA)
                c.rect(MARGIN, top - (i + 1) * line - 3, width - 2 * MARGIN, line, stroke=0, fill=1)
        c.setFillColor(black)
        # Column by column, one line per visit: the text object moves down by its leading (T*), so no
        # coordinates are formatted per cell (what dominates with thousands of rows).
        cells = [_report_cells(row, now) for row in chunk]
        text_object = c.beginText()
        text_object.setFont(FONT, size, leading=line)
        x = MARGIN
        for col, (_, w) in enumerate(_REPORT_COLUMNS):
            text_object.setTextOrigin(x + 2, top - line)
            for row_cells in cells:
                text_object.textLine(_fit(row_cells[col], w - 4, FONT, size) if row_cells[col] else "")
            x += w
        c.drawText(text_object)
        c.setFont(FONT, size)
        if not rows:
            c.drawString(MARGIN, top - line, "No visits.")
        c.setFont(FONT, 7)
        c.drawString(MARGIN, MARGIN - 12, f"Printed {now.astimezone():%Y-%m-%d %H:%M} by FrontDesk")
        c.drawRightString(width - MARGIN, MARGIN - 12, f"Page {page + 1} of {pages}")
        c.showPage()
    c.save()


def roster_pdf(
    visits: list[Visit],
    out: Path,
    *,
    school: str,
    now: datetime,
    signed_out: list[RosterStudent] = (),  # type: ignore[assignment]
    late: list[RosterStudent] = (),  # type: ignore[assignment]
    state: str = "",
    missing: str = "",
) -> None:
    """The emergency roster: everyone on site now, large type, with a box to tick each person off; then the
    students signed out (not missing) and those who arrived late today (in the building), when there are any.

    ``state`` (e.g. "LOCKDOWN (DRILL)") heads the page while the school is not in its normal state.
    ``missing`` says whose visitors may be missing (the school's other desks, while the hub is out of reach).
    Each visitor's row names the desk that checked them in.
    """
    width, height = letter
    line = 26
    top = height - MARGIN - (100 if missing else 86)
    per_page = int((top - MARGIN - 10) // line)
    student_lines = [("head", "Students signed out (not missing)")] if signed_out else []
    student_lines += [("row", s) for s in signed_out]
    if late:
        student_lines += [
            ("head", "Students who arrived late today (in the building)"),
            *[("row", s) for s in late],
        ]
    student_per_page = int((top - MARGIN - 10) // 22) - 4  # room for two section headings
    student_pages = -(-len(student_lines) // student_per_page)
    visitor_pages = max(1, -(-len(visits) // per_page))
    pages = visitor_pages + student_pages
    # Badge: the widest code, WWWW-WWWW, is 79 pt at 10 pt; never cut (it is how a person is matched to a badge).
    columns = [("", 28), ("Name", 140), ("Category", 82), ("Where", 90), ("In", 36), ("Badge", 84), ("Desk", 80)]
    WRAPPED = (1, 3, 4, 6)  # noqa: N806 (name, where, an earlier day's time and desk: two smaller lines if needed)
    today = now.astimezone().date()
    c = Canvas(str(private_file(out)), pagesize=letter)
    c.setTitle("Emergency roster")
    for page in range(visitor_pages):
        c.setFillColor(Color(0.75, 0.0, 0.0))
        c.rect(MARGIN, height - MARGIN - 36, width - 2 * MARGIN, 36, stroke=0, fill=1)
        c.setFillColor(white)
        c.setFont(BOLD, 20)
        title = f"{state}: EMERGENCY ROSTER, everyone on site" if state else "EMERGENCY ROSTER: everyone on site"
        c.drawString(MARGIN + 10, height - MARGIN - 26, _fit(title, width - 2 * MARGIN - 20, BOLD, 20))
        c.setFillColor(black)
        c.setFont(FONT, 11)
        c.drawString(MARGIN, height - MARGIN - 54, f"{school}   —   {now.astimezone():%A %Y-%m-%d at %H:%M}")
        c.setFont(BOLD, 11)
        c.drawString(
            MARGIN,
            height - MARGIN - 70,
            f"{count(len(visits), 'visitor')} on site. Tick each person once accounted for.",
        )
        if missing:
            c.setFillColor(Color(0.75, 0.0, 0.0))
            c.setFont(BOLD, 9)
            c.drawString(MARGIN, height - MARGIN - 84, _fit(missing, width - 2 * MARGIN, BOLD, 9))
            c.setFillColor(black)
        x, y = MARGIN, top
        c.setFont(BOLD, 10)
        for heading, w in columns:
            c.drawString(x + 2, y, heading)
            x += w
        c.setStrokeColor(RULE)
        c.line(MARGIN, y - 4, width - MARGIN, y - 4)
        for i, v in enumerate(visits[page * per_page : (page + 1) * per_page]):
            y = top - (i + 1) * line
            c.setStrokeColor(black)
            c.rect(MARGIN + 4, y - 3, 14, 14, stroke=1, fill=0)
            cells = [
                "",
                v.visitor.full_name,
                v.category.label,
                v.destination or "—",
                # the day too for a visit from an earlier day (nobody checked them out): not "since this afternoon"
                f"{v.time_in.astimezone():%H:%M}"
                if v.time_in.astimezone().date() == today
                else f"{v.time_in.astimezone():%m/%d %H:%M}",
                format_badge_code(v.badge_code),
                v.station,
            ]
            x = MARGIN
            for j, (text, (_, w)) in enumerate(zip(cells, columns, strict=True)):
                font, size = (BOLD, 13) if j == 1 else (FONT, 10)
                if text and j in WRAPPED and _fit(text, w - 4, font, size) != text:
                    # Who, where they went and which desk: the words a responder looks for, smaller and on two
                    # lines rather than cut ("Nurse Patel (Heal…" was all the roster said).
                    lines = _wrap2(text, w - 4, font, size - 2)
                    c.setFont(font, size - 2)
                    for k, part in enumerate(lines):
                        c.drawString(x + 2, y + (5 - 9 * k if len(lines) > 1 else 0), part)
                elif text:
                    c.setFont(font, size)
                    c.drawString(x + 2, y, _fit(text, w - 4, font, size))
                x += w
            c.setStrokeColor(RULE)
            c.line(MARGIN, y - 8, width - MARGIN, y - 8)
        if not visits:
            c.setFont(FONT, 12)
            c.drawString(MARGIN, top - line, "Nobody is checked in.")
        c.setFont(FONT, 8)
        c.drawRightString(width - MARGIN, MARGIN - 12, f"Page {page + 1} of {pages}")
        c.showPage()
    for page in range(student_pages):
        chunk = student_lines[page * student_per_page : (page + 1) * student_per_page]
        _roster_students_page(c, chunk, school, now, f"Page {visitor_pages + page + 1} of {pages}")
    c.save()


def _roster_students_page(c: Canvas, lines: list, school: str, now: datetime, page_label: str) -> None:
    """One page of the roster's student sections: headings, then name, class, time and what happened."""
    width, height = letter
    c.setFillColor(Color(0.1, 0.25, 0.55))
    c.rect(MARGIN, height - MARGIN - 36, width - 2 * MARGIN, 36, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont(BOLD, 20)
    c.drawString(MARGIN + 10, height - MARGIN - 26, "EMERGENCY ROSTER: students")
    c.setFillColor(black)
    c.setFont(FONT, 11)
    c.drawString(MARGIN, height - MARGIN - 54, f"{school}   —   {now.astimezone():%A %Y-%m-%d at %H:%M}")
    columns = [("Name", 170), ("Grade", 45), ("Class", 110), ("Time", 45), ("", 170)]
    y = height - MARGIN - 86
    for kind, item in lines:
        if kind == "head":
            y -= 8
            c.setFont(BOLD, 13)
            c.drawString(MARGIN, y, item)
            y -= 18
            c.setFont(BOLD, 10)
            x = MARGIN
            for heading, w in columns:
                c.drawString(x + 2, y, heading)
                x += w
            c.setStrokeColor(RULE)
            c.line(MARGIN, y - 4, width - MARGIN, y - 4)
            y -= 22
            continue
        cells = [
            item.name,
            item.grade or "—",
            item.homeroom or "—",
            f"{item.time.astimezone():%H:%M}",
            item.detail,
        ]
        x = MARGIN
        for j, (text, (_, w)) in enumerate(zip(cells, columns, strict=True)):
            font, size = (BOLD, 12) if j == 0 else (FONT, 10)
            c.setFont(font, size)
            c.drawString(x + 2, y, _fit(text, w - 4, font, size))
            x += w
        c.setStrokeColor(RULE)
        c.line(MARGIN, y - 7, width - MARGIN, y - 7)
        y -= 22
    c.setFont(FONT, 8)
    c.drawRightString(width - MARGIN, MARGIN - 12, page_label)
    c.showPage()
