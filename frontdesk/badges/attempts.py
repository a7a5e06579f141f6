"""A badge's print attempts as stored (``badge_prints``), read back by :meth:`BadgeService.attempts`.

Its own module, imported by that method: the desk's first screen never lists print attempts, and creating a
frozen dataclass costs about 5 M instructions on Python 3.11 (each generated method is parsed and compiled
from source), which the desk's start need not pay (issue 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PrintAttempt:
    """One attempt, as stored in ``badge_prints``."""

    id: int
    visit_id: int
    time: datetime
    printer: str
    media: str
    attempt: int
    outcome: str  # an Outcome, or "retry" for an attempt that was retried on its own
    sent_bytes: int
    job_bytes: int
    message: str
