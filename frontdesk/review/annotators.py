"""What the review shows from other features' tables: the screening result and decision, the badge print.

Each annotator looks for its feature's table and adds nothing when the table is not there, so the review
works on a branch or an installation without that feature. The shapes read here are those of the
screening (``screening_decisions``) and badge (``badge_prints``) features; a feature that changes its table
updates its annotator here.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from frontdesk.errors import StoreError


def _has_table(db: sqlite_utils.Database, name: str) -> bool:
    return (
        db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).fetchone() is not None
    )


def _marks(ids: list[int]) -> str:
    return ",".join("?" * len(ids))


def screening_facts(db: sqlite_utils.Database, ids: list[int]) -> dict[int, dict[str, Any]]:
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


def badge_facts(db: sqlite_utils.Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Whether a badge was printed for each visit (False when printing was tried and failed, or not tried)."""
    if not ids or not _has_table(db, "badge_prints"):
        return {}
    try:
        printed = {
            r[0]: bool(r[1])
            for r in db.execute(
                f"SELECT visit_id, MAX(outcome = 'printed') FROM badge_prints WHERE visit_id IN ({_marks(ids)}) "
                "GROUP BY visit_id",
                ids,
            )
        }
    except StoreError:
        return {}
    return {i: {"badge_printed": printed.get(i, False)} for i in ids}
