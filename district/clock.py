"""Time for the district server: stored times are UTC ISO-8601 strings (the desk's convention, kept apart).

The district shares no code with the desk but the wire format, so it keeps its own three lines of time.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def to_db(moment: datetime) -> str:
    """A timezone-aware time as the fixed-width UTC string the database sorts and ranges on."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(text: str | None) -> datetime | None:
    """The inverse of :func:`to_db`."""
    if text is None:
        return None
    return datetime.fromisoformat(text)
