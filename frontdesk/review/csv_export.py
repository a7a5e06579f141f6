"""Visits as CSV: one row per visit, the columns of the review table."""

from __future__ import annotations

from pathlib import Path

from frontdesk import clock
from frontdesk.review.models import ReviewRow
from frontdesk.store.files import private_file
from frontdesk.text import SafeDictWriter

FIELDS = [
    "visit_id",
    "date",
    "time_in",
    "time_out",
    "minutes",
    "name",
    "category",
    "purpose",
    "destination",
    "screening_result",
    "screening_decision",
    "flagged",
    "badge_printed",
    "station",
    "staff",
    "note",
]


def csv_record(row: ReviewRow) -> dict[str, object]:
    """One review row as a flat CSV record (local times)."""
    v = row.visit
    time_in = v.time_in.astimezone()
    return {
        "visit_id": v.id,
        "date": time_in.date().isoformat(),
        "time_in": f"{time_in:%H:%M}",
        "time_out": f"{v.time_out.astimezone():%H:%M}" if v.time_out else "",
        "minutes": round(v.duration(clock.now()) / 60) if v.time_out else "",
        "name": v.visitor.full_name,
        "category": v.category.value,
        "purpose": v.purpose,
        "destination": v.destination,
        "screening_result": row.screening_result or "",
        "screening_decision": row.screening_decision or "",
        "flagged": "yes" if row.flagged else "",
        "badge_printed": "" if row.badge_printed is None else ("yes" if row.badge_printed else "no"),
        "station": v.station,
        "staff": v.staff,
        "note": v.note,
    }


def write_csv(rows: list[ReviewRow], out: Path) -> None:
    """Write ``rows`` to ``out`` (UTF-8 with a byte-order mark, so spreadsheet programs read the accents)."""
    with open(private_file(out), "w", newline="", encoding="utf-8-sig") as f:
        writer = SafeDictWriter(f, fieldnames=FIELDS)  # no cell runs as a formula in a spreadsheet
        writer.writeheader()
        writer.writerows(csv_record(r) for r in rows)
