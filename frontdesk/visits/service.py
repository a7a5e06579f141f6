"""Check-in, check-out, who is on site, and the day's log."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from frontdesk import clock
from frontdesk.access.roles import Action
from frontdesk.errors import ConflictError, InputError, NotFoundError
from frontdesk.limits import NAME_MAX, NOTE_MAX, check_field, check_name
from frontdesk.models import Category, Visit, Visitor
from frontdesk.store import Store, StoreError
from frontdesk.store.database import Database
from frontdesk.text import (
    BADGE_CODE_LENGTH,
    fold,
    format_badge_code,
    new_badge_code,
    normalize_badge_code,
    visible,
)

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.audit import AuditTrail

DOB_MAX_AGE = 120  # years: an older date of birth is a mistake or a forgery

_VISIT_COLUMNS = (
    "v.id, v.category, v.purpose, v.destination, v.time_in, v.time_out, v.station, v.staff, v.badge_code, "
    "v.note, p.id, p.first_name, p.middle_name, p.last_name, p.suffix, p.dob, p.id_type, p.id_issuer, "
    "p.id_expires, p.id_last4"
)
_VISIT_FROM = "FROM visits v JOIN people p ON p.id = v.person_id"
# A person's columns as a visit shows them (``_VISIT_COLUMNS`` from ``p.first_name`` on, in that order).
_PERSON_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "id_type",
    "id_issuer",
    "id_expires",
    "id_last4",
)
_PERSON_COLUMNS = ", ".join(_PERSON_FIELDS)


_CATEGORIES = {c.value: c for c in Category}  # a dict look-up is several times faster than Category(value)


def _opt_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _visit(row: tuple) -> Visit:
    visitor = Visitor(
        id=row[10],
        first_name=row[11],
        middle_name=row[12],
        last_name=row[13],
        suffix=row[14],
        dob=_opt_date(row[15]),
        id_type=row[16],
        id_issuer=row[17],
        id_expires=_opt_date(row[18]),
        id_last4=row[19],
    )
    return Visit(
        id=row[0],
        visitor=visitor,
        category=_CATEGORIES[row[1]],
        purpose=row[2],
        destination=row[3],
        time_in=clock.from_db(row[4]),  # type: ignore[arg-type]
        time_out=clock.from_db(row[5]),
        station=row[6],
        staff=row[7],
        badge_code=row[8],
        note=row[9],
    )


def name_keys(visitor: Visitor) -> tuple[str, str]:
    """The folded look-up keys of a visitor: ("last first middle", "first last")."""
    last, first, middle = fold(visitor.last_name), fold(visitor.first_name), fold(visitor.middle_name or "")
    return " ".join(p for p in (last, first, middle) if p), f"{first} {last}".strip()


class RemoteVisits(Protocol):
    """The visits of the school's other desks, as this desk last heard of them (``frontdesk.sync``).

    Everything here reads or writes this desk's own database only: never the network.
    """

    def on_site(self) -> list[Visit]: ...

    def find(self, badge_code: str) -> Visit | None: ...

    def check_out(self, visit: Visit, note: str, moment: datetime) -> Visit: ...

    def open_visit_for(self, visitor: Visitor) -> Visit | None: ...

    def gaps(self) -> str: ...


class VisitService:
    """The front desk's verbs for visits. ``station`` and ``staff`` are stamped on every visit.

    With a ``session`` each verb is checked against the permission table, and with an ``audit`` trail each
    change is recorded in the same transaction as the change itself.
    """

    def __init__(
        self,
        store: Store,
        *,
        station: str = "",
        staff: str = "",
        now: Callable[[], datetime] = clock.now,
        session: Session | None = None,
        audit: AuditTrail | None = None,
    ):
        self._store = store
        self.station = station
        self.staff = staff
        self._now = now
        self._session = session
        self._audit = audit
        self._remote: RemoteVisits | None = None

    def attach_remote(self, remote: RemoteVisits) -> None:
        """Include the school's other desks' visits (kept by sync) in the on-site list, check-out and the
        "already on site" check."""
        self._remote = remote

    def remote_gaps(self) -> str:
        """Whose visits the school-wide list may be missing, and since when ("" when in step or alone)."""
        return self._remote.gaps() if self._remote is not None else ""

    def elsewhere(
        self, *, now: Callable[[], datetime] | None = None, station: str | None = None, staff: str | None = None
    ) -> VisitService:
        """The same service stamping another clock, station or staff member (history seeding, tests)."""
        service = VisitService(
            self._store,
            station=self.station if station is None else station,
            staff=self.staff if staff is None else staff,
            now=now or self._now,
            session=self._session,
            audit=self._audit,
        )
        service._remote = self._remote
        return service

    def _require(self, action: Action) -> None:
        if self._session is not None:
            self._session.require(action)

    @contextmanager
    def _write(self) -> Iterator[Database]:
        """One immediate transaction for a change and its audit record (joining one already open)."""
        if self._audit is not None:
            with self._audit.transaction() as db:
                yield db
            return
        with self._store.transaction() as db:
            yield db

    def _audited(
        self,
        action: str,
        subject: str,
        details: dict,
        visit_id: int | None = None,
        written: tuple | None = None,
        about: Visit | None = None,
    ) -> None:
        """Record the change; the record carries the hash of the visit as written (audit coverage), from
        ``written`` (its covered columns as just inserted) when given, else read back. ``about``: the visit as
        written, handed to the trail's listeners (the hub's outbox) so they need not read it again."""
        if self._audit is not None:
            covers = ("visits", visit_id) if visit_id else None
            self._audit.record(None, action, subject, details, covers=covers, written=written, about=about)

    def _staff_name(self) -> str:
        """The signed-in person's name, else the station's configured staff member."""
        if self._session is not None and self._session.actor.signed_in:
            return self._session.actor.display_name
        return self.staff

    # --- admission (private to frontdesk.checkin) ----------------------------------------------------
    def _admit(
        self,
        visitor: Visitor,
        *,
        category: Category,
        purpose: str = "",
        destination: str = "",
        note: str = "",
        again: bool = False,
        acknowledged: list[str] | None = None,
    ) -> Visit:
        """Insert the visit, inside the caller's transaction. Only ``frontdesk.checkin`` calls this: every
        visit passes through the admission workflow (screening, the freeze, what a person must accept).

        Raises ConflictError if the same person is already on site, unless ``again``.
        """
        moment = self._now()
        with self._write():
            person_id, person = self._find_or_add_person(visitor, moment)
            if not again:
                open_visit = self._open_visit_of(person_id)
                if open_visit is not None:
                    badge = format_badge_code(open_visit.badge_code)
                    raise ConflictError(
                        f"{visitor.full_name} is already on site (checked in at "
                        f"{open_visit.time_in.astimezone():%H:%M}, badge {badge}). "
                        "Check them out first, or check in again on purpose.",
                        code="already_on_site",
                    )
                remote = self._remote.open_visit_for(visitor) if self._remote is not None else None
                if remote is not None:
                    raise ConflictError(
                        f"{visitor.full_name} is already on site (checked in at {remote.station}, "
                        f"{remote.time_in.astimezone():%H:%M}, badge {format_badge_code(remote.badge_code)}). "
                        "Check them out first, or check in again on purpose.",
                        code="already_on_site",
                    )
            staff = self._staff_name()
            visit_id, code = self._insert_visit(person_id, category, purpose, destination, note, staff, moment)
            # The visit's columns as written (coverage.COVERED["visits"] order; time_out is still empty).
            head = (visit_id, category.value, purpose.strip(), destination.strip(), clock.to_db(moment), None)
            tail = (self.station, staff, code, note.strip())
            # The visit as written: what ``get`` would read back (the person's columns as stored).
            visit = _visit((*head, *tail, person_id, *person))
            self._audited(
                "visit.check_in",
                f"visit {visit_id}",
                {
                    "badge": code,
                    "person_id": person_id,
                    "name": visitor.full_name,
                    "category": category.value,
                    "destination": destination.strip(),
                    "station": self.station,
                    "again": again,
                    "acknowledged": acknowledged or [],
                },
                visit_id,
                written=(visit_id, person_id, *head[1:], *tail),
                about=visit,
            )
        return visit

    def checked(self, visitor: Visitor) -> Visitor:
        """The visitor, or InputError for what a visit cannot carry (no name, a birth date in the future)."""
        if not visitor.first_name.strip() or not visitor.last_name.strip():
            raise InputError("A visitor needs a first and a last name")
        for value, what in ((visitor.first_name, "first"), (visitor.last_name, "last")):
            # "." or a zero-width space is no name: screened as one, the listed person's other name and date
            # of birth alone were not enough to flag them, and they were admitted.
            if not any(c.isalnum() for c in visible(value)):
                raise InputError(f"The {what} name has no letters in it: type it as it is on the visitor's ID")
        for value, what in (
            (visitor.first_name, "The first name"),
            (visitor.middle_name, "The middle name"),
            (visitor.last_name, "The last name"),
            (visitor.suffix, "The suffix"),
        ):
            check_name(value, what)
        for value, what in ((visitor.id_type, "The ID type"), (visitor.id_issuer, "The ID issuer")):
            check_field(value, what, NAME_MAX)
        check_field(visitor.id_last4, "The ID number ending", 4)
        if visitor.dob is not None and visitor.dob > self._now().astimezone().date():  # the local day
            raise InputError(f"Date of birth {visitor.dob} is in the future")
        # A date nobody alive was born on (0001-01-01, a card's filler) is not a date of birth: screened as
        # one, it made the listed person with that name a stranger and admitted them.
        if visitor.dob is not None and self._now().year - visitor.dob.year > DOB_MAX_AGE:
            raise InputError(
                f"Date of birth {visitor.dob} is more than {DOB_MAX_AGE} years ago: check it and type it again"
            )
        return visitor

    def _find_or_add_person(self, visitor: Visitor, moment: datetime) -> tuple[int, tuple]:
        """The person's id and their ``_PERSON_COLUMNS`` as stored after this visit's scan is applied."""
        db = self._store.db
        name_key, first_key = name_keys(visitor)
        if visitor.id is not None:
            person_id = visitor.id
            row = db.execute(f"SELECT id, {_PERSON_COLUMNS} FROM people WHERE id = ?", [person_id]).fetchone()
            if row is None:
                raise NotFoundError(f"No visitor with id {person_id}")
        else:
            dob = visitor.dob.isoformat() if visitor.dob else None
            row = db.execute(
                f"SELECT id, {_PERSON_COLUMNS} FROM people WHERE name_key = ? AND dob IS ? "
                "ORDER BY id DESC LIMIT 1",
                [name_key, dob],
            ).fetchone()
            if row is None:
                values = [
                    visitor.first_name.strip(),
                    visitor.middle_name,
                    visitor.last_name.strip(),
                    visitor.suffix,
                ]
                cur = db.execute(
                    "INSERT INTO people (first_name, middle_name, last_name, suffix, dob, name_key, first_key, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [*values, dob, name_key, first_key, clock.to_db(moment)],
                )
                row = (cur.lastrowid, *values, dob, None, None, None, None)
            person_id = row[0]
        person = dict(zip(_PERSON_FIELDS, row[1:], strict=True))
        # What a fresh scan tells us about the ID replaces what we had; absent fields keep the old value.
        updates = {
            "id_type": visitor.id_type,
            "id_issuer": visitor.id_issuer,
            "id_expires": visitor.id_expires.isoformat() if visitor.id_expires else None,
            "id_last4": visitor.id_last4,
            "photo": visitor.photo,
        }
        updates = {k: v for k, v in updates.items() if v is not None}
        if updates:
            sets = ", ".join(f"{k} = ?" for k in updates)
            db.execute(f"UPDATE people SET {sets} WHERE id = ?", [*updates.values(), person_id])
            person.update((k, v) for k, v in updates.items() if k in person)
        return person_id, tuple(person.values())

    def _insert_visit(self, person_id, category, purpose, destination, note, staff, moment) -> tuple[int, str]:
        db = self._store.db
        for _ in range(10):
            code = new_badge_code()
            try:
                cur = db.execute(
                    "INSERT INTO visits (person_id, category, purpose, destination, time_in, station, staff, "
                    "badge_code, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        person_id,
                        category.value,
                        purpose.strip(),
                        destination.strip(),
                        clock.to_db(moment),
                        self.station,
                        staff,
                        code,
                        note.strip(),
                    ],
                )
                return cur.lastrowid, code
            except StoreError as exc:
                # A badge-code collision (1 in 10^12): draw again. The typed connection raises the store's error
                # with SQLite's as its cause (until session 18 this caught sqlite3's own, which never came).
                if isinstance(exc.__cause__, sqlite3.IntegrityError) and "badge_code" in str(exc.__cause__):
                    continue
                raise
        raise RuntimeError("could not draw a unique badge code")

    # --- check-out ----------------------------------------------------------------------------------
    def check_out(self, badge_code_or_id: str | int, *, note: str = "", code_only: bool = False) -> Visit:
        """Record the exit of the visit with this badge code (or visit id).

        ``code_only`` (what a person types from a badge, as in the window's check-out box): a badge code and
        nothing else. A short number would otherwise be read as a visit id, and "12" typed there checked out
        visit 12, whoever that was, if it was on site."""
        self._require(Action.CHECK_OUT)
        check_field(note, "The note", NOTE_MAX, lines=True)
        if code_only and len(normalize_badge_code(str(badge_code_or_id))) != BADGE_CODE_LENGTH:
            raise InputError(
                f"{str(badge_code_or_id).strip()!r} is not a badge code: a badge code has 8 letters and digits, "
                "as printed on the badge (like 2A5Q-BPW4). Check the badge, or choose the person in On site now."
            )
        try:
            visit = self.get(badge_code_or_id)
        except NotFoundError:
            remote = self._remote.find(str(badge_code_or_id)) if self._remote is not None else None
            if remote is None:
                raise
            if remote.time_out is not None:
                raise ConflictError(
                    f"{remote.visitor.full_name} was already checked out at {remote.time_out.astimezone():%H:%M}",
                    code="already_checked_out",
                ) from None
            with self._write():
                return self._remote.check_out(remote, note.strip(), self._now())
        if visit.time_out is not None:
            raise ConflictError(
                f"{visit.visitor.full_name} was already checked out at {visit.time_out.astimezone():%H:%M}",
                code="already_checked_out",
            )
        with self._write() as db:
            if not self._close_visit(db, visit, note, self._now()):
                # Closed by another program on this data folder between the look-up and the write lock: one
                # check-out, said as such; nothing is written (no second audit record, the note not lost quietly).
                gone = self.get(visit.id).time_out
                raise ConflictError(
                    f"{visit.visitor.full_name} was already checked out at {gone.astimezone():%H:%M}",  # type: ignore[union-attr]
                    code="already_checked_out",
                )
        return self.get(visit.id)

    def forgotten(self, before: datetime) -> list[Visit]:
        """Who :meth:`check_out_forgotten` would check out now: this desk's visitors still on site who came in
        before ``before``, earliest first (for a screen to ask about them first). Writes nothing."""
        self._require(Action.CLOSE_FORGOTTEN)
        rows = self._store.db.execute(
            f"SELECT {_VISIT_COLUMNS} {_VISIT_FROM} WHERE v.time_out IS NULL AND v.time_in < ? ORDER BY v.time_in",
            [clock.to_db(before)],
        ).fetchall()
        return [_visit(r) for r in rows]

    def check_out_forgotten(self, before: datetime, note: str) -> list[Visit]:
        """Check out, in one transaction, everyone still on site who came in before ``before``, with a note.

        For the end of the day: visitors who left without signing out. Each one is audited.
        """
        self._require(Action.CLOSE_FORGOTTEN)
        note = note.strip()
        if not note:
            raise InputError("Say why these visitors are checked out (for example: left without signing out)")
        moment = self._now()
        with self._write() as db:
            rows = db.execute(
                f"SELECT {_VISIT_COLUMNS} {_VISIT_FROM} WHERE v.time_out IS NULL AND v.time_in < ? "
                "ORDER BY v.time_in",
                [clock.to_db(before)],
            ).fetchall()
            visits = [_visit(r) for r in rows]
            for visit in visits:
                self._close_visit(db, visit, note, moment, action="visit.check_out_forgotten")
        return [self.get(v.id) for v in visits]

    def _close_visit(self, db, visit: Visit, note: str, moment: datetime, action: str = "visit.check_out") -> bool:
        """Close the visit and record it (inside the caller's transaction); False, writing nothing, when it
        was closed already.

        Never before the check-in: a clock stepped back since (an NTP correction), or another desk's clock
        ahead of this one, would otherwise record the exit before the entry (a visit of minus minutes, and a
        volunteer's hours lost). The check-out is then recorded at the check-in's time."""
        moment = max(moment, visit.time_in)
        cur = db.execute(
            "UPDATE visits SET time_out = ?, note = CASE WHEN ? = '' THEN note "
            "WHEN note = '' THEN ? ELSE note || ' / ' || ? END WHERE id = ? AND time_out IS NULL",
            [clock.to_db(moment), note, note, note, visit.id],
        )
        if cur.rowcount != 1:
            return False
        self._audited(
            action,
            f"visit {visit.id}",
            {"badge": visit.badge_code, "name": visit.visitor.full_name, "note": note},
            visit.id,
            about=replace(visit, time_out=moment),
        )
        return True

    # --- look-ups -----------------------------------------------------------------------------------
    def get(self, badge_code_or_id: str | int) -> Visit:
        """The visit with this badge code or id, or NotFoundError."""
        db = self._store.db
        if (
            isinstance(badge_code_or_id, int)
            or str(badge_code_or_id).strip().isdigit()
            and len(str(badge_code_or_id).strip()) < 8
        ):
            row = db.execute(
                f"SELECT {_VISIT_COLUMNS} {_VISIT_FROM} WHERE v.id = ?", [int(badge_code_or_id)]
            ).fetchone()
            what = f"visit {badge_code_or_id}"
        else:
            code = normalize_badge_code(str(badge_code_or_id))
            row = db.execute(f"SELECT {_VISIT_COLUMNS} {_VISIT_FROM} WHERE v.badge_code = ?", [code]).fetchone()
            what = f"badge code {badge_code_or_id!r}"
        if row is None:
            raise NotFoundError(f"No visit found for {what}. Check the code on the badge and try again.")
        return _visit(row)

    def on_site(self) -> list[Visit]:
        """Everyone checked in and not yet out, earliest first: at this desk and (synced) the school's others."""
        self._require(Action.VIEW_ON_SITE)
        rows = self._store.db.execute(
            f"SELECT {_VISIT_COLUMNS} {_VISIT_FROM} WHERE v.time_out IS NULL ORDER BY v.time_in"
        ).fetchall()
        visits = [_visit(r) for r in rows]
        if self._remote is not None:
            others = self._remote.on_site()
            if others:
                visits = sorted([*visits, *others], key=lambda v: v.time_in)
        return visits

    def closed_elsewhere(self, visit_id: int, moment: datetime, where: str) -> bool:
        """Record that another desk checked this desk's visit out (learnt through the hub); False if it
        was already closed here. Inside the caller's transaction, audited."""
        with self._write() as db:
            cur = db.execute(  # never before the check-in (a desk whose clock is behind: see _close_visit)
                "UPDATE visits SET time_out = max(?, time_in), note = CASE WHEN note = '' THEN ? "
                "ELSE note || ' / ' || ? END WHERE id = ? AND time_out IS NULL",
                [clock.to_db(moment), f"checked out at {where}", f"checked out at {where}", visit_id],
            )
            if cur.rowcount == 0:
                return False
            self._audited("visit.check_out_elsewhere", f"visit {visit_id}", {"where": where}, visit_id)
        return True

    def day_log(self, day: date) -> list[Visit]:
        """Every visit that began on ``day`` (the desk's local day), in order."""
        self._require(Action.VIEW_DAY_LOG)
        start, end = clock.local_day_bounds(day)
        rows = self._store.db.execute(
            f"SELECT {_VISIT_COLUMNS} {_VISIT_FROM} WHERE v.time_in >= ? AND v.time_in < ? ORDER BY v.time_in",
            [start, end],
        ).fetchall()
        return [_visit(r) for r in rows]

    def find_returning(self, text: str, limit: int = 8) -> list[Visitor]:
        """Known visitors whose first or last name starts with what was typed, most recent first."""
        tokens = fold(text).split()
        if not tokens or len(tokens[0]) < 2:
            return []
        first = tokens[0].replace("*", "").replace("?", "").replace("[", "")
        rows = self._store.db.execute(
            "SELECT id, first_name, middle_name, last_name, suffix, dob, id_type, id_issuer, id_expires, "
            "id_last4, name_key, first_key FROM people WHERE name_key GLOB ? OR first_key GLOB ? "
            "ORDER BY id DESC LIMIT ?",
            [first + "*", first + "*", limit * 20],
        ).fetchall()
        found = []
        for r in rows:
            keys = f"{r[10]} {r[11]}"
            if all(t in keys for t in tokens[1:]):
                found.append(
                    Visitor(
                        id=r[0],
                        first_name=r[1],
                        middle_name=r[2],
                        last_name=r[3],
                        suffix=r[4],
                        dob=_opt_date(r[5]),
                        id_type=r[6],
                        id_issuer=r[7],
                        id_expires=_opt_date(r[8]),
                        id_last4=r[9],
                    )
                )
            if len(found) >= limit:
                break
        return found

    def open_visit_for(self, visitor: Visitor) -> Visit | None:
        """The visit of this person still open, if any (to flag a second check-in before it happens)."""
        if visitor.id is None:
            name_key, _ = name_keys(visitor)
            row = self._store.db.execute(
                "SELECT id FROM people WHERE name_key = ? AND dob IS ? ORDER BY id DESC LIMIT 1",
                [name_key, visitor.dob.isoformat() if visitor.dob else None],
            ).fetchone()
            found = self._open_visit_of(row[0]) if row is not None else None
        else:
            found = self._open_visit_of(visitor.id)
        if found is None and self._remote is not None:
            found = self._remote.open_visit_for(visitor)
        return found

    def last_visit_of(self, visitor_id: int) -> Visit | None:
        """The most recent visit of a known visitor (a returning visitor is offered the same details)."""
        row = self._store.db.execute(
            f"SELECT {_VISIT_COLUMNS} {_VISIT_FROM} WHERE v.person_id = ? ORDER BY v.time_in DESC LIMIT 1",
            [visitor_id],
        ).fetchone()
        return _visit(row) if row else None

    def _open_visit_of(self, person_id: int) -> Visit | None:
        row = self._store.db.execute(
            f"SELECT {_VISIT_COLUMNS} {_VISIT_FROM} WHERE v.person_id = ? AND v.time_out IS NULL "
            "ORDER BY v.time_in DESC LIMIT 1",
            [person_id],
        ).fetchone()
        return _visit(row) if row else None

    def photo(self, visitor_id: int) -> bytes | None:
        """The stored photo of a visitor, if one was taken."""
        row = self._store.db.execute("SELECT photo FROM people WHERE id = ?", [visitor_id]).fetchone()
        return row[0] if row else None
