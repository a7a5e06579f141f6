"""What happened to one badge print (:class:`PrintResult`), made by :meth:`BadgeService.print_visit` at the end of
each print.

Its own module, imported when the first print ends: the desk's first screen prints nothing, and creating a
frozen dataclass costs about 4 M instructions on Python 3.11 (each generated method is parsed and compiled
from source), which the desk's start need not pay (issue 13; as :mod:`frontdesk.badges.attempts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from frontdesk.badges.service import Outcome
from frontdesk.models import Visit

if TYPE_CHECKING:
    from printers.badge import Badge


@dataclass(frozen=True)
class PrintResult:
    """What happened to one badge: the outcome, the words for the desk, the badge and the exact job."""

    visit: Visit
    outcome: Outcome
    message: str
    badge: Badge | None
    job: bytes
    attempts: int

    @property
    def ok(self) -> bool:
        """True only when the printer confirmed the badge."""
        return self.outcome is Outcome.PRINTED
