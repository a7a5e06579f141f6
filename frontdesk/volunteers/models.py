"""The volunteers feature's plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from frontdesk.errors import InputError
from frontdesk.models import Visit


class Status(StrEnum):
    """Where a volunteer stands. ``expired`` is also what an approved record becomes once its check lapses."""

    APPLIED = "applied"
    APPROVED = "approved"
    SUSPENDED = "suspended"
    EXPIRED = "expired"


@dataclass(frozen=True)
class BackgroundCheck:
    """One background check: what kind, who ran it, when, what it said and when it lapses."""

    kind: str = ""
    provider: str = ""
    date: date | None = None
    result: str = ""
    expires: date | None = None


@dataclass(frozen=True)
class Volunteer:
    """A volunteer record. ``status`` is the effective one (an approved record past its check is expired)."""

    id: int
    first_name: str
    last_name: str
    middle_name: str = ""
    dob: date | None = None
    status: Status = Status.APPLIED
    activities: tuple[str, ...] = ()
    schools: tuple[str, ...] = ()
    training: tuple[str, ...] = ()
    check: BackgroundCheck = field(default_factory=BackgroundCheck)
    status_reason: str = ""
    approved_by: str = ""
    approved_at: datetime | None = None

    @property
    def full_name(self) -> str:
        """First, middle and last name on one line."""
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def activity(self) -> str:
        """The first activity (what the badge says when the volunteer does not choose)."""
        return self.activities[0] if self.activities else ""

    @property
    def cleared(self) -> bool:
        """True when the volunteer may serve as one today: approved, with a check that has not lapsed."""
        return self.status is Status.APPROVED


@dataclass(frozen=True)
class NewVolunteer:
    """What adding or importing a volunteer gives."""

    first_name: str
    last_name: str
    middle_name: str = ""
    dob: date | None = None
    activities: tuple[str, ...] = ()
    schools: tuple[str, ...] = ()
    training: tuple[str, ...] = ()
    check: BackgroundCheck = field(default_factory=BackgroundCheck)


@dataclass(frozen=True)
class HoursLine:
    """One volunteer visit as counted: minutes credited, and why when a rule shortened it."""

    volunteer: Volunteer
    visit: Visit
    minutes: float
    activity: str
    rule: str = ""  # "check-out forgotten: …" (the close-day rule) or "still on site"


@dataclass(frozen=True)
class VolunteerHours:
    """One volunteer's hours in a report: the total, by month (``YYYY-MM``), by year and by activity."""

    volunteer: Volunteer
    visits: int
    hours: float
    months: dict[str, float]
    years: dict[str, float]
    activities: dict[str, float]
    forgotten: int  # visits whose check-out was forgotten (counted by the close-day rule)


@dataclass(frozen=True)
class HoursReport:
    """Hours of volunteers between two days (inclusive)."""

    start: date
    end: date
    lines: tuple[HoursLine, ...]
    volunteers: tuple[VolunteerHours, ...]

    @property
    def total_hours(self) -> float:
        """Every volunteer's hours together."""
        return round(sum(v.hours for v in self.volunteers), 2)


def checked_new(new: NewVolunteer) -> NewVolunteer:
    """The new volunteer, or InputError naming what is missing or impossible."""
    if not new.first_name.strip() or not new.last_name.strip():
        raise InputError("A volunteer needs a first and a last name")
    if new.check.date and new.check.expires and new.check.expires < new.check.date:
        raise InputError(f"The check expires ({new.check.expires}) before it was done ({new.check.date})")
    # A year mistyped (2205 for 2025) or a "never" filler (9999-12-31) kept a lapsed check in force for ever
    # (session 22): no background check is good for more than 10 years, nor done in the future.
    from frontdesk import clock

    today = clock.now().astimezone().date()
    if new.check.expires and new.check.expires > today.replace(year=today.year + 10, day=min(today.day, 28)):
        raise InputError(
            f"The check expires on {new.check.expires}, more than 10 years from now: check the date (a year "
            "mistyped?)"
        )
    if new.check.date and new.check.date > today:
        raise InputError(f"The check is dated {new.check.date}, in the future: check the date")
    return new
