"""The frozen dataclasses the students feature takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


@dataclass(frozen=True)
class Student:
    """One student as the desk knows them (no more than it needs: names, number, grade, class, birth date)."""

    id: int
    sourced_id: str
    number: str
    first_name: str
    last_name: str
    middle_name: str = ""
    preferred_name: str = ""
    grade: str = ""
    dob: date | None = None
    homeroom: str = ""
    active: bool = True

    @property
    def full_name(self) -> str:
        """The name the office calls the student by (the preferred first name when there is one)."""
        return f"{self.preferred_name or self.first_name} {self.last_name}".strip()

    @property
    def label(self) -> str:
        """Name, number, grade and homeroom on one line (lists, messages)."""
        parts = [self.full_name, f"#{self.number}" if self.number else ""]
        if self.grade:
            parts.append(f"grade {self.grade}")
        if self.homeroom:
            parts.append(self.homeroom)
        return "  ".join(p for p in parts if p) + ("" if self.active else "  (no longer enrolled)")


@dataclass(frozen=True)
class Guardian:
    """An adult the SIS links to a student (role parent, guardian or relative)."""

    id: int
    sourced_id: str
    first_name: str
    last_name: str
    role: str
    pickup_allowed: bool = True
    phone: str = ""

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Authorisation:
    """A temporary permission staff added: this adult may take this student between two dates."""

    id: int
    student_id: int
    first_name: str
    last_name: str
    dob: date | None
    valid_from: date
    valid_until: date
    approved_by: str
    note: str = ""

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Pickup:
    """Someone who may take a student today: a guardian from the SIS or a temporary authorisation."""

    name: str
    why: str  # "parent (SIS)", "temporary until 2026-05-02, approved by Dr. Nakamura"
    guardian: Guardian | None = None
    authorisation: Authorisation | None = None


class MovementKind(StrEnum):
    """What a movement records."""

    ARRIVE = "arrive"  # a late arrival
    RELEASE = "release"  # an early dismissal to an adult
    RETURN = "return"  # back in the building after a release


@dataclass(frozen=True)
class Movement:
    """One late arrival, release or return, as recorded."""

    id: int
    time: datetime
    student: Student
    kind: MovementKind
    reason: str = ""
    excused: bool = False
    destination: str = ""
    adult: str = ""
    authorised_as: str = ""
    approved_by: str = ""
    staff: str = ""
    code: str = ""  # the opaque code the pass or slip's QR carries
    late_count: int = 0  # arrivals: this student's late arrivals this term, this one included
    late_threshold: int = 0  # arrivals: the office's threshold (0: none)

    @property
    def over_threshold(self) -> bool:
        """A late arrival at or past the office's threshold (the pass says so)."""
        return self.kind is MovementKind.ARRIVE and 0 < self.late_threshold <= self.late_count


@dataclass(frozen=True)
class ImportCounts:
    """What an import did: how many of each it holds, and how many it marked inactive."""

    mode: str  # "bulk" or "delta" (of users.csv)
    orgs: int = 0
    students: int = 0
    guardians: int = 0
    staff: int = 0
    links: int = 0
    classes: int = 0
    enrollments: int = 0
    inactive_students: int = 0
    ignored_files: tuple[str, ...] = field(default=())
