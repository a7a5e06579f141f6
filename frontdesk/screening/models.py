"""The frozen dataclasses screening takes and returns: lists, entries, queries, candidates, decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from frontdesk.screening.dates import UNKNOWN, Dob


class Kind(StrEnum):
    """What a list entry means at the desk."""

    BARRED = "barred"  # do not admit
    CUSTODY = "custody"  # may not pick up (or be released) the named students
    WATCH = "watch"  # admit, and tell an administrator
    REGISTRY = "registry"  # a state registry record; treated like barred unless settings say otherwise

    @property
    def label(self) -> str:
        """The office's word for the kind."""
        return {
            "barred": "Barred",
            "custody": "Custody order",
            "watch": "Watch",
            "registry": "Registry",
        }[self.value]


class Decision(StrEnum):
    """The screener's verdict on a visitor (a person still decides what it means)."""

    CLEAR = "clear"
    POSSIBLE_MATCH = "possible_match"
    MATCH = "match"


@dataclass(frozen=True)
class ScreeningList:
    """One list: a source (district list, school list, a registry import) and its entries."""

    id: int
    source: str
    kind: Kind  # the default kind of its entries
    description: str
    imported_at: datetime | None
    entry_count: int


@dataclass(frozen=True)
class Entry:
    """One person on a list."""

    id: int
    source: str
    kind: Kind
    first_name: str
    last_name: str
    middle_name: str = ""
    aliases: tuple[str, ...] = ()
    dob: Dob = UNKNOWN
    reason: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    notes: str = ""
    students: tuple[str, ...] = ()  # custody: the students this person may not pick up
    has_photo: bool = False
    sex: str = ""  # "M", "F", "X" or "" when the list does not say
    id_state: str = ""  # the issuer of the ID the list records (two letters, or an ICAO country code)
    id_last4: str = ""  # the last four characters of that ID's number

    @property
    def full_name(self) -> str:
        """First, middle and last name on one line."""
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    def active_on(self, day: date) -> bool:
        """True when the entry is in force on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


@dataclass(frozen=True)
class NewEntry:
    """What is needed to add an entry (the importer and the list screen build these)."""

    first_name: str
    last_name: str
    middle_name: str = ""
    aliases: tuple[str, ...] = ()
    dob: Dob = UNKNOWN
    kind: Kind | None = None  # None: the list's default kind
    reason: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    notes: str = ""
    students: tuple[str, ...] = ()
    photo: bytes | None = field(default=None, repr=False)
    sex: str = ""
    id_state: str = ""
    id_last4: str = ""


@dataclass(frozen=True)
class Query:
    """The person being screened, with what the ID gives beyond the name (empty when not known)."""

    first_name: str
    last_name: str
    middle_name: str = ""
    dob: Dob = UNKNOWN
    sex: str = ""  # "M", "F" or "X"
    id_state: str = ""  # the ID's issuer: a state or province (two letters) or an ICAO country code
    id_last4: str = ""  # the last four characters of the ID's number


@dataclass(frozen=True)
class FieldEvidence:
    """How one field compared: the field, the relation's short code, and the words shown to staff."""

    field: str  # "last name", "first name", "middle name", "DOB", "name"
    relation: str  # "exact", "nickname", "typo", "sounds_alike", "day_month_swapped" ...
    words: str


@dataclass(frozen=True)
class Candidate:
    """One list entry that may be the visitor, with the score and the evidence for it."""

    entry: Entry
    score: float
    evidence: tuple[FieldEvidence, ...]
    decision: Decision
    matched_name: str  # the entry's name or alias that matched

    @property
    def evidence_text(self) -> str:
        """The evidence as one line: "last name: exact; first name: Bob is a nickname of Robert; ..."."""
        return "; ".join(f"{e.field}: {e.words}" for e in self.evidence)


@dataclass(frozen=True)
class ScreenResult:
    """The outcome of screening one visitor: the overall decision and the candidates, best first.

    A candidate whose own decision is ``clear`` is a *note*: an entry shown with the result that does not
    stop the desk (a list entry without a date of birth that carries the visitor's name, where the name
    is all there is and the ID contradicts the list, or the name is too common for a name alone to say
    anything; see :mod:`frontdesk.screening.screener`). Notes come after every flagged candidate, and the
    overall decision is that of the flagged ones only.
    """

    query: Query
    decision: Decision
    candidates: tuple[Candidate, ...]

    @property
    def flagged(self) -> tuple[Candidate, ...]:
        """The candidates a person must decide on before the visitor is admitted, best first."""
        return tuple(c for c in self.candidates if c.decision is not Decision.CLEAR)

    @property
    def notes(self) -> tuple[Candidate, ...]:
        """The candidates shown for information only (the desk is not stopped for them)."""
        return tuple(c for c in self.candidates if c.decision is Decision.CLEAR)
