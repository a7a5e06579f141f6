"""Check-in, check-out, who is on site, and the day's log."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime

from frontdesk import clock
from frontdesk.errors import ConflictError, InputError, NotFoundError
from frontdesk.models import Category, Visit, Visitor
from frontdesk.store import Store
from frontdesk.text import fold, format_badge_code, new_badge_code, normalize_badge_code

_VISIT_COLUMNS = (
    "v.id, v.category, v.purpose, v.destination, v.time_in, v.time_out, v.station, v.staff, v.badge_code, "
    "v.note, p.id, p.first_name, p.middle_name, p.last_name, p.suffix, p.dob, p.id_type, p.id_issuer, "
    "p.id_expires, p.id_last4"
)
_VISIT_FROM = "FROM visits v JOIN people p ON p.id = v.person_id"


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


class VisitService:
    """The front desk's verbs for visits. ``station`` and ``staff`` are stamped on every visit."""

    def __init__(
        self, store: Store, *, station: str = "", staff: str = "", now: Callable[[], datetime] = clock.now
    ):
        self._store = store
        self.station = station
        self.staff = staff
        self._now = now
        # Checks that may refuse any check-in (raise ConflictError), e.g. the dispatch LOCKDOWN freeze.
        self.admission_checks: list[Callable[[], None]] = []

    # --- check-in -----------------------------------------------------------------------------------
    def check_in(
        self,
        visitor: Visitor,
        *,
        category: Category | str = Category.VISITOR,
        purpose: str = "",
        destination: str = "",
        note: str = "",
        staff: str | None = None,
        allow_second: bool = False,
    ) -> Visit:
        """Record a visitor's entry, committed durably before it returns.

        Raises ConflictError if the same person is already on site, unless ``allow_second``.
        """
        visitor = self._checked(visitor)
        for check in self.admission_checks:
            check()
        try:
            category = Category(category)
        except ValueError:
            choices = ", ".join(c.value for c in Category)
            raise InputError(f"Category must be one of: {choices} (not {category!r})") from None
        db = self._store.db
        moment = self._now()
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            person_id = self._find_or_add_person(visitor, moment)
            if not allow_second:
                open_visit = self._open_visit_of(person_id)
                if open_visit is not None:
                    badge = format_badge_code(open_visit.badge_code)
                    raise ConflictError(
                        f"{visitor.full_name} is already on site (checked in at "
                        f"{open_visit.time_in.astimezone():%H:%M}, badge {badge}). "
                        "Check them out first, or check in again on purpose.",
                        code="already_on_site",
                    )
            visit_id, code = self._insert_visit(
                person_id,
                category,
                purpose,
                destination,
                note,
                staff if staff is not None else self.staff,
                moment,
            )
        return self.get(visit_id)

    def _checked(self, visitor: Visitor) -> Visitor:
        if not visitor.first_name.strip() or not visitor.last_name.strip():
            raise InputError("A visitor needs a first and a last name")
        if visitor.dob is not None and visitor.dob > self._now().date():
            raise InputError(f"Date of birth {visitor.dob} is in the future")
        return visitor

    def _find_or_add_person(self, visitor: Visitor, moment: datetime) -> int:
        db = self._store.db
        name_key, first_key = name_keys(visitor)
        if visitor.id is not None:
            person_id = visitor.id
            if db.execute("SELECT 1 FROM people WHERE id = ?", [person_id]).fetchone() is None:
                raise NotFoundError(f"No visitor with id {person_id}")
        else:
            dob = visitor.dob.isoformat() if visitor.dob else None
            row = db.execute(
                "SELECT id FROM people WHERE name_key = ? AND dob IS ? ORDER BY id DESC LIMIT 1",
                [name_key, dob],
            ).fetchone()
            if row is None:
                cur = db.execute(
                    "INSERT INTO people (first_name, middle_name, last_name, suffix, dob, name_key, first_key, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        visitor.first_name.strip(),
                        visitor.middle_name,
                        visitor.last_name.strip(),
                        visitor.suffix,
                        dob,
                        name_key,
                        first_key,
                        clock.to_db(moment),
                    ],
                )
                person_id = cur.lastrowid
            else:
                person_id = row[0]
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
        return person_id

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
            except sqlite3.IntegrityError:  # a badge-code collision (1 in 10^12): draw again
                continue
        raise RuntimeError("could not draw a unique badge code")

    # --- check-out ----------------------------------------------------------------------------------
    def check_out(self, badge_code_or_id: str | int, *, note: str = "") -> Visit:
        """Record the exit of the visit with this badge code (or visit id)."""
        visit = self.get(badge_code_or_id)
        if visit.time_out is not None:
            raise ConflictError(
                f"{visit.visitor.full_name} was already checked out at {visit.time_out.astimezone():%H:%M}",
                code="already_checked_out",
            )
        db = self._store.db
        with db.conn:
            db.execute(
                "UPDATE visits SET time_out = ?, note = CASE WHEN ? = '' THEN note "
                "WHEN note = '' THEN ? ELSE note || ' / ' || ? END WHERE id = ? AND time_out IS NULL",
                [clock.to_db(self._now()), note, note, note, visit.id],
            )
        return self.get(visit.id)

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
        """Everyone checked in and not yet out, earliest first."""
        rows = self._store.db.execute(
            f"SELECT {_VISIT_COLUMNS} {_VISIT_FROM} WHERE v.time_out IS NULL ORDER BY v.time_in"
        ).fetchall()
        return [_visit(r) for r in rows]

    def day_log(self, day: date) -> list[Visit]:
        """Every visit that began on ``day`` (the desk's local day), in order."""
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
            if row is None:
                return None
            return self._open_visit_of(row[0])
        return self._open_visit_of(visitor.id)

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
