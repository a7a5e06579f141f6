"""What the review shows: a visit with what other features know about it, the filters, and the totals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from frontdesk.models import Category, Visit

# What a search of one-letter words says (a search starts at two letters: ``service.fts_query``).
SEARCH_TOO_SHORT = "Type at least two letters to search."


@dataclass(frozen=True)
class ReviewRow:
    """One visit as the review lists it.

    ``screening_*``, ``flagged`` and ``badge_printed`` are filled by the annotators other features register
    in :data:`frontdesk.review.service.ANNOTATORS`; None means "not known here" (the feature is absent).
    """

    visit: Visit
    screening_result: str | None = None
    screening_decision: str | None = None
    flagged: bool = False
    badge_printed: bool | None = None
    badge_previewed: bool = False  # shown on the screen's preview only (no printer set up), never printed

    def duration(self, now: datetime) -> float:
        """Seconds on site, up to check-out or ``now``."""
        return self.visit.duration(now)


# What a person decided at a possible match, as a principal reads it in Review, its PDF and its printed report
# (the CSV and JSON keep the stored words: school IT's scripts read them). Keys as the annotator gives them.
_OUTCOME_WORDS = {"clear": "Clear", "not this person": "Not this person", "confirmed": "Match confirmed"}
_CONSEQUENCE_WORDS = {
    "admit": "admitted",
    "deny": "refused",
    "admit and notify": "admitted, staff told",
    "no release": "admitted, no student released to them",
}


def decision_words(decision: str | None) -> str:
    """``screening_decision`` ("confirmed: no release") in words ("Match confirmed: admitted, no student released
    to them"); "Clear" alone for a clear screen; anything else as it is."""
    outcome, _, consequence = (decision or "").partition(": ")
    said = _OUTCOME_WORDS.get(outcome)
    if said is None:
        return decision or ""
    if outcome == "clear" or not consequence:
        return said
    return f"{said}: {_CONSEQUENCE_WORDS.get(consequence, consequence)}"


@dataclass(frozen=True)
class Refusal:
    """A visitor turned away at the door (a confirmed match on a barred list): no visit, but Review shows it."""

    time: datetime
    name: str
    dob: str
    source: str
    reason: str
    staff: str
    station: str


@dataclass(frozen=True)
class ReviewQuery:
    """A day or range of days (the desk's local days, both ends included) and the filters."""

    start: date
    end: date
    category: Category | None = None
    flagged_only: bool = False
    on_site_only: bool = False
    station: str | None = None


@dataclass(frozen=True)
class Totals:
    """Counts over a list of rows, for the totals line and the by-category chart."""

    visits: int = 0
    people: int = 0
    on_site: int = 0
    flagged: int = 0
    average_minutes: float = 0.0
    by_category: dict[Category, int] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: list[ReviewRow], now: datetime) -> Totals:
        """The totals of ``rows`` (durations of visits still open run to ``now``)."""
        if not rows:
            return cls()
        closed = [r.duration(now) for r in rows if r.visit.time_out is not None]
        counts = Counter(r.visit.category for r in rows)
        return cls(
            visits=len(rows),
            people=len({r.visit.visitor.id for r in rows}),
            on_site=sum(1 for r in rows if r.visit.time_out is None),
            flagged=sum(1 for r in rows if r.flagged),
            average_minutes=(sum(closed) / len(closed) / 60) if closed else 0.0,
            by_category={c: counts[c] for c in Category if counts[c]},
        )


@dataclass(frozen=True)
class RosterStudent:
    """A student line on the emergency roster (issue 17): signed out (not missing) or late today (in the
    building though not on the morning's count)."""

    name: str
    grade: str
    homeroom: str
    status: str  # "signed out" or "late"
    time: datetime
    detail: str
