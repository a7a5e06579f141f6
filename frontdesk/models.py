"""Plain frozen dataclasses that services take and return (views never see database rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Category(StrEnum):
    """Why a person is in the building; printed as the badge's band."""

    VISITOR = "visitor"
    VOLUNTEER = "volunteer"
    CONTRACTOR = "contractor"
    SUBSTITUTE = "substitute"
    PARENT = "parent"  # parent / guardian
    VENDOR = "vendor"

    @property
    def label(self) -> str:
        """The word the office uses for this category."""
        return {"parent": "Parent / guardian"}.get(self.value, self.value.capitalize())


@dataclass(frozen=True)
class Visitor:
    """A person who has come to the desk. Only what the desk needs: never an ID's raw payload."""

    first_name: str
    last_name: str
    middle_name: str | None = None
    suffix: str | None = None
    dob: date | None = None
    id_type: str | None = None  # "DL", "ID", "passport", "other"
    id_issuer: str | None = None  # e.g. "VA", "ON"
    id_expires: date | None = None
    id_last4: str | None = None
    photo: bytes | None = field(default=None, repr=False)
    id: int | None = None
    sex: str | None = None  # "M", "F" or "X" as the ID gives it (used for screening; not stored)

    @property
    def full_name(self) -> str:
        """First, middle and last name (and suffix) as one line."""
        parts = [self.first_name, self.middle_name, self.last_name, self.suffix]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Visit:
    """One entry into the building, and its exit once checked out."""

    id: int
    visitor: Visitor
    category: Category
    purpose: str
    destination: str
    time_in: datetime
    time_out: datetime | None
    station: str
    staff: str
    badge_code: str
    note: str = ""

    @property
    def on_site(self) -> bool:
        """True while the visitor has not been checked out."""
        return self.time_out is None

    def duration(self, now: datetime) -> float:
        """Seconds on site, up to check-out or to ``now``."""
        return ((self.time_out or now) - self.time_in).total_seconds()


@dataclass(frozen=True)
class DirectoryEntry:
    """A staff member or room the school lists, offered when typing a destination or host."""

    id: int
    name: str
    kind: str  # "staff" or "room"
    room: str = ""

    @property
    def label(self) -> str:
        """How the entry is shown and stored as a destination."""
        return f"{self.name} ({self.room})" if self.room and self.kind == "staff" else self.name


@dataclass(frozen=True)
class Event:
    """A device or delivery problem (or its recovery) that the user can see in the event log."""

    id: int
    time: datetime
    source: str  # "printer", "scanner", "dispatch", "store", ...
    level: str  # "info", "warning", "error"
    message: str
