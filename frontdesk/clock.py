"""Time in one place: stored times are UTC ISO-8601 strings, shown in the desk's local time."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta

# A century: further, "now" can leave the calendar (past the year 9999) and every stamp fails.
_MAX_OFFSET = timedelta(days=36525)


def _offset() -> timedelta:
    try:
        offset = timedelta(seconds=float(os.environ.get("FRONTDESK_CLOCK_OFFSET_SECONDS", "0") or 0))
    except (ValueError, OverflowError):
        return timedelta(0)
    return offset if abs(offset) <= _MAX_OFFSET else timedelta(0)  # unusable, as one that is not a number


# A desk whose clock is wrong, on purpose: FRONTDESK_CLOCK_OFFSET_SECONDS shifts every time this desk stamps
# (fault tests run desks whose clocks are ten minutes apart; a drill can do the same). Unset: no shift.
_OFFSET = _offset()


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC) + _OFFSET if _OFFSET else datetime.now(UTC)


def to_db(moment: datetime) -> str:
    """A timezone-aware time as the fixed-width UTC string the store sorts and ranges on."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(text: str | None) -> datetime | None:
    """The inverse of :func:`to_db`."""
    if text is None:
        return None
    return datetime.fromisoformat(text)  # Python 3.11 reads the trailing Z as UTC, far faster than strptime


def local_hm(moment: datetime) -> str:
    """``moment`` as the desk's local ``HH:MM``, with the zone's name (``01:50 EDT``) only in the hour that
    happens twice, the night the clocks go back: there ``01:50 out 01:10`` read as an exit before the entry."""
    local = moment.astimezone()
    wall = local.replace(tzinfo=None)
    if wall.replace(fold=0).timestamp() != wall.replace(fold=1).timestamp():  # a wall time that occurs twice
        return f"{local:%H:%M %Z}"
    return f"{local:%H:%M}"


def local_day_bounds(day: date) -> tuple[str, str]:
    """Store strings for the start of ``day`` and of the next day, in the machine's local time zone."""
    start = datetime.combine(day, time()).astimezone()
    end = datetime.combine(day + timedelta(days=1), time()).astimezone()
    return to_db(start), to_db(end)


def parse_date(text: str, what: str = "date") -> date:
    """A YYYY-MM-DD date, or an InputError that says which value was wrong."""
    from frontdesk.errors import InputError

    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InputError(f"{what} must be a date like 2026-03-14, not {text!r}") from None
