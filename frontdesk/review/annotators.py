"""What the review shows from other features' tables: the screening result and decision, the badge print.

Each annotator looks for its feature's table and adds nothing when the table is not there, so the review
works on a branch or an installation without that feature. The shapes read here are those of the
screening (``screening_decisions``) and badge (``badge_prints``) features; a feature that changes its table
updates its annotator here.
"""

from __future__ import annotations

from typing import Any

from frontdesk.errors import StoreError
from frontdesk.store.database import Database


def _has_table(db: Database, name: str) -> bool:
    return (
        db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).fetchone() is not None
    )


def _marks(ids: list[int]) -> str:
    return ",".join("?" * len(ids))


def screening_facts(db: Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The latest screening decision of each visit: its result, what the desk decided, whether it was flagged."""
    if not ids or not _has_table(db, "screening_decisions"):
        return {}
    facts: dict[int, dict[str, Any]] = {}
    try:
        rows = db.execute(
            "SELECT visit_id, screen_decision, outcome FROM screening_decisions "
            f"WHERE visit_id IN ({_marks(ids)}) ORDER BY id",
            ids,
        ).fetchall()
    except StoreError:  # an older or newer shape of the table: show nothing rather than fail
        return {}
    for visit_id, result, outcome in rows:
        outcome_word, _, consequence = (outcome or "").partition(":")
        decision = outcome_word + (f": {consequence}" if consequence else "")
        facts[visit_id] = {
            "screening_result": (result or "").replace("_", " "),
            "screening_decision": decision.replace("_", " "),
            "flagged": bool(result) and result != "clear",
        }
    return facts


def badge_facts(db: Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Whether a badge was printed for each visit (False when printing was tried and failed, or not tried)."""
    if not ids or not _has_table(db, "badge_prints"):
        return {}
    try:
        # The on-screen preview "prints" too (printer preview://): that is a preview, not a printed badge.
        done = {
            r[0]: (bool(r[1]), bool(r[2]))
            for r in db.execute(
                "SELECT visit_id, MAX(outcome = 'printed' AND printer NOT LIKE 'preview:%'), "
                "MAX(outcome = 'printed' AND printer LIKE 'preview:%') "
                f"FROM badge_prints WHERE visit_id IN ({_marks(ids)}) GROUP BY visit_id",
                ids,
            )
        }
    except StoreError:
        return {}
    facts: dict[int, dict[str, Any]] = {}
    for i in ids:
        printed, previewed = done.get(i, (False, False))
        facts[i] = {"badge_printed": printed, "badge_previewed": previewed and not printed}
    return facts


def screening_refusals(db: Database, start: str, end: str) -> list[tuple]:
    """Visitors refused at the door in ``[start, end)``: confirmed matches on a list that denies, which never
    became a visit. Rows of (time, first, middle, last, dob, source, reason, staff, station), oldest first.
    """
    if not _has_table(db, "screening_decisions"):
        return []
    try:
        return db.execute(
            "SELECT time, visitor_first, visitor_middle, visitor_last, visitor_dob, source, reason, staff, "
            "station FROM screening_decisions WHERE outcome = 'confirmed:deny' AND visit_id IS NULL "
            "AND time >= ? AND time < ? ORDER BY time",
            [start, end],
        ).fetchall()
    except StoreError:
        return []
