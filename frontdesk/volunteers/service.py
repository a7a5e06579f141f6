"""Volunteer records, their approval and suspension, the check-in rule, and their hours.

Every change and its audit record commit in one transaction. A record's *effective* status is computed on
reading: an approved volunteer whose background check has lapsed reads as ``expired`` from the day after
its expiry, with nothing to run at midnight.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.access.roles import Action
from frontdesk.checkin.workflow import CheckInRequest, Refused, Warning
from frontdesk.errors import InputError, NotFoundError
from frontdesk.models import Category, Visit, Visitor
from frontdesk.settings import VOLUNTEER_FORGOTTEN_HOURS, VOLUNTEER_UNCLEARED
from frontdesk.visits.service import name_keys
from frontdesk.volunteers.models import (
    BackgroundCheck,
    HoursLine,
    HoursReport,
    NewVolunteer,
    Status,
    Volunteer,
    VolunteerHours,
    checked_new,
)

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.audit import AuditTrail
    from frontdesk.settings import Settings
    from frontdesk.store import Store
    from frontdesk.visits.service import VisitService
    from frontdesk.volunteers.importer import VolunteerImport

# The code of the check-in warning (and refusal) for a volunteer who may not serve as one today.
VOLUNTEER_NOT_CLEARED = "volunteer_not_cleared"
# Results of a background check that clear a volunteer (anything else leaves the record "applied").
CLEAR_RESULTS = frozenset({"", "clear", "cleared", "pass", "passed", "eligible", "approved", "ok"})

_NO_WILDCARDS = str.maketrans("", "", "*?[]")
_COLUMNS = (
    "id, first_name, middle_name, last_name, dob, status, activities, schools, training, check_kind, "
    "check_provider, check_date, check_result, check_expires, status_reason, approved_by, approved_at"
)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _volunteer(row: tuple, today: date) -> Volunteer:
    status = Status(row[5])
    expires = _date(row[13])
    if status is Status.APPROVED and (expires is None or expires < today):
        status = Status.EXPIRED
    return Volunteer(
        id=row[0],
        first_name=row[1],
        middle_name=row[2],
        last_name=row[3],
        dob=_date(row[4]),
        status=status,
        activities=tuple(json.loads(row[6])),
        schools=tuple(json.loads(row[7])),
        training=tuple(json.loads(row[8])),
        check=BackgroundCheck(row[9], row[10], _date(row[11]), row[12], expires),
        status_reason=row[14],
        approved_by=row[15],
        approved_at=clock.from_db(row[16]),
    )


def clears(check: BackgroundCheck) -> bool:
    """True when a check's result lets a volunteer be approved (a result such as 'pending' does not)."""
    return check.expires is not None and check.result.strip().lower() in CLEAR_RESULTS


class VolunteerService:
    """The volunteer records, the admission rule for volunteers, and their hours."""

    def __init__(
        self, store: Store, settings: Settings, visits: VisitService, *, session: Session, audit: AuditTrail
    ):
        self._store = store
        self._settings = settings
        self._visits = visits
        self._session = session
        self._audit = audit

    @staticmethod
    def _today() -> date:
        return clock.now().astimezone().date()

    # --- reading ------------------------------------------------------------------------------------
    def get(self, volunteer_id: int) -> Volunteer:
        """The volunteer with this id, or NotFoundError."""
        row = self._store.db.execute(f"SELECT {_COLUMNS} FROM volunteers WHERE id = ?", [volunteer_id]).fetchone()
        if row is None:
            raise NotFoundError(f"No volunteer with id {volunteer_id}")
        return _volunteer(row, self._today())

    def list(self, *, expiring: int | None = None, status: Status | None = None) -> list[Volunteer]:
        """Every volunteer by name; ``expiring``: only approved ones whose check lapses within that many days."""
        self._session.require(Action.VIEW_VOLUNTEERS)
        today = self._today()
        if expiring is not None:
            if expiring < 0:
                raise InputError("--expiring takes a number of days, 0 or more")
            rows = self._store.db.execute(
                f"SELECT {_COLUMNS} FROM volunteers WHERE status = 'approved' AND check_expires >= ? "
                "AND check_expires <= ? ORDER BY check_expires, last_name, first_name",
                [today.isoformat(), (today + timedelta(days=expiring)).isoformat()],
            ).fetchall()
        else:
            rows = self._store.db.execute(
                f"SELECT {_COLUMNS} FROM volunteers ORDER BY last_name, first_name, id"
            ).fetchall()
        found = [_volunteer(r, today) for r in rows]
        return [v for v in found if status is None or v.status is status]

    def expiring(self, days: int = 30) -> list[Volunteer]:
        """Approved volunteers whose background check lapses in the next ``days`` days (the reminders)."""
        return self.list(expiring=days)

    def find_for(self, visitor: Visitor) -> Volunteer | None:
        """The volunteer record of this person (same name; same date of birth when both give one)."""
        name_key, _ = name_keys(visitor)
        dob = visitor.dob.isoformat() if visitor.dob else None
        row = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM volunteers WHERE name_key = ? AND (dob IS NULL OR ? IS NULL OR dob = ?) "
            "ORDER BY (dob IS ?) DESC, id DESC LIMIT 1",
            [name_key, dob, dob, dob],
        ).fetchone()
        return _volunteer(row, self._today()) if row else None

    def _suspended(self, visitor: Visitor) -> Volunteer | None:
        """A suspended record of this person under any middle name (same first and last name, and date of birth
        when both give one). Found in session 22's red team: the district's next list carried a suspended
        volunteer with a middle name, the import made a second record, approved, and the suspension no longer
        held for anyone giving the middle name."""
        base, _ = name_keys(Visitor(visitor.first_name, visitor.last_name))
        dob = visitor.dob.isoformat() if visitor.dob else None
        row = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM volunteers WHERE status = 'suspended' AND (name_key = ? OR "
            "substr(name_key, 1, length(?) + 1) = ? || ' ') AND (dob IS NULL OR ? IS NULL OR dob = ?) "
            "ORDER BY id DESC LIMIT 1",
            [base, base, base, dob, dob],
        ).fetchone()
        return _volunteer(row, self._today()) if row else None

    def search(self, text: str, limit: int = 8) -> list[Volunteer]:
        """Volunteers whose last or first name starts with what was typed (the kiosk's name search)."""
        words = [w for w in text.casefold().split() if w]
        # GLOB's wildcards typed at the kiosk ("***") listed every volunteer (session 22): no name holds them.
        first = words[0].translate(_NO_WILDCARDS) if words else ""
        if len(first) < 2:
            return []
        rows = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM volunteers WHERE name_key GLOB ? OR name_key GLOB ? "
            "ORDER BY last_name, first_name LIMIT ?",
            [first + "*", "* " + first + "*", limit * 4],
        ).fetchall()
        today = self._today()
        out = [_volunteer(r, today) for r in rows]
        return [v for v in out if all(w in v.full_name.casefold() for w in words[1:])][:limit]

    # --- changing -----------------------------------------------------------------------------------
    def add(self, new: NewVolunteer) -> Volunteer:
        """Add a volunteer. With a clearing background check they are approved at once by whoever adds them
        (a principal or administrator); otherwise they stay ``applied`` until :meth:`approve`."""
        self._session.require(Action.MANAGE_VOLUNTEERS)
        new = checked_new(new)
        with self._audit.transaction():
            volunteer_id = self._insert(new)
            volunteer = self.get(volunteer_id)
            self._audit.record(None, "volunteer.add", f"volunteer {volunteer_id}", self._details(volunteer))
        return volunteer

    def _insert(self, new: NewVolunteer) -> int:
        now = clock.to_db(clock.now())
        approved = clears(new.check)
        visitor = Visitor(new.first_name.strip(), new.last_name.strip(), new.middle_name.strip() or None)
        cur = self._store.db.execute(
            "INSERT INTO volunteers (first_name, middle_name, last_name, dob, name_key, status, activities, "
            "schools, training, check_kind, check_provider, check_date, check_result, check_expires, "
            "approved_by, approved_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?)",
            [
                new.first_name.strip(),
                new.middle_name.strip(),
                new.last_name.strip(),
                new.dob.isoformat() if new.dob else None,
                name_keys(visitor)[0],
                (Status.APPROVED if approved else Status.APPLIED).value,
                json.dumps(list(new.activities)),
                json.dumps(list(new.schools)),
                json.dumps(list(new.training)),
                new.check.kind,
                new.check.provider,
                new.check.date.isoformat() if new.check.date else None,
                new.check.result,
                new.check.expires.isoformat() if new.check.expires else None,
                self._session.actor.username if approved else "",
                now if approved else None,
                now,
                now,
            ],
        )
        return cur.lastrowid  # type: ignore[return-value]

    def update_from(self, volunteer_id: int, new: NewVolunteer) -> None:
        """Replace what an import knows of a volunteer (inside the caller's transaction; audited by it)."""
        now = clock.to_db(clock.now())
        current = self.get(volunteer_id)
        approve = clears(new.check) and current.status is not Status.SUSPENDED
        self._store.db.execute(
            "UPDATE volunteers SET dob = coalesce(?, dob), activities = ?, schools = ?, training = ?, "
            "check_kind = ?, check_provider = ?, check_date = ?, check_result = ?, check_expires = ?, "
            "status = CASE WHEN status = 'suspended' THEN status WHEN ? THEN 'approved' ELSE 'applied' END, "
            "approved_by = CASE WHEN ? THEN ? ELSE approved_by END, "
            "approved_at = CASE WHEN ? THEN ? ELSE approved_at END, updated_at = ? WHERE id = ?",
            [
                new.dob.isoformat() if new.dob else None,
                json.dumps(list(new.activities or current.activities)),
                json.dumps(list(new.schools or current.schools)),
                json.dumps(list(new.training or current.training)),
                new.check.kind,
                new.check.provider,
                new.check.date.isoformat() if new.check.date else None,
                new.check.result,
                new.check.expires.isoformat() if new.check.expires else None,
                approve,
                approve,
                self._session.actor.username,
                approve,
                now,
                now,
                volunteer_id,
            ],
        )

    def import_csv(self, path: Path | str, mapping: Mapping[str, str] | None = None) -> VolunteerImport:
        """Import (or update) every row of a CSV file in one transaction, or nothing at all on any bad row
        (ImportFailed lists them by line). The import is one audit record."""
        self._session.require(Action.MANAGE_VOLUNTEERS)
        started = clock.now()
        from frontdesk.volunteers.importer import VolunteerImport, read_csv  # with the list importer: when used

        parsed = read_csv(path, mapping)
        added = updated = 0
        with self._audit.transaction():
            for new in parsed:
                existing = self.find_for(
                    Visitor(new.first_name, new.last_name, new.middle_name or None, dob=new.dob)
                )
                if existing is None:
                    self._insert(new)
                    added += 1
                else:
                    self.update_from(existing.id, new)
                    updated += 1
            self._audit.record(
                None,
                "volunteer.import",
                Path(path).name,
                {"added": added, "updated": updated, "rows": len(parsed)},
            )
        return VolunteerImport(added, updated, (clock.now() - started).total_seconds())

    def approve(self, volunteer_id: int, check: BackgroundCheck | None = None) -> Volunteer:
        """Approve a volunteer (principal or administrator), with a new check if one is given."""
        self._session.require(Action.MANAGE_VOLUNTEERS)
        current = self.get(volunteer_id)
        check = check or current.check
        checked_new(NewVolunteer(current.first_name, current.last_name, check=check))  # dates that cannot be
        if not clears(check) or (check.expires is not None and check.expires < self._today()):
            raise InputError(
                f"{current.full_name} needs a clear background check that has not expired before approval"
            )
        with self._audit.transaction() as db:
            db.execute(
                "UPDATE volunteers SET status = 'approved', status_reason = '', check_kind = ?, "
                "check_provider = ?, check_date = ?, check_result = ?, check_expires = ?, approved_by = ?, "
                "approved_at = ?, updated_at = ? WHERE id = ?",
                [
                    check.kind,
                    check.provider,
                    check.date.isoformat() if check.date else None,
                    check.result,
                    check.expires.isoformat() if check.expires else None,
                    self._session.actor.username,
                    clock.to_db(clock.now()),
                    clock.to_db(clock.now()),
                    volunteer_id,
                ],
            )
            volunteer = self.get(volunteer_id)
            self._audit.record(None, "volunteer.approve", f"volunteer {volunteer_id}", self._details(volunteer))
        return volunteer

    def suspend(self, volunteer_id: int, reason: str) -> Volunteer:
        """Suspend a volunteer, saying why: at check-in they are admitted as a visitor or refused."""
        self._session.require(Action.MANAGE_VOLUNTEERS)
        if not reason.strip():
            raise InputError("Say why the volunteer is suspended (for example: background check lapsed)")
        self.get(volunteer_id)
        with self._audit.transaction() as db:
            db.execute(
                "UPDATE volunteers SET status = 'suspended', status_reason = ?, updated_at = ? WHERE id = ?",
                [reason.strip(), clock.to_db(clock.now()), volunteer_id],
            )
            volunteer = self.get(volunteer_id)
            self._audit.record(
                None,
                "volunteer.suspend",
                f"volunteer {volunteer_id}",
                {"name": volunteer.full_name, "reason": reason},
            )
        return volunteer

    def on_site(self, volunteer: Volunteer) -> Visit | None:
        """The volunteer's visit still open (they are in the building now), if any."""
        return self._visits.open_visit_for(
            Visitor(volunteer.first_name, volunteer.last_name, volunteer.middle_name or None, dob=volunteer.dob)
        )

    @staticmethod
    def _details(v: Volunteer) -> dict:
        return {
            "name": v.full_name,
            "dob": v.dob.isoformat() if v.dob else None,
            "status": v.status.value,
            "activities": list(v.activities),
            "schools": list(v.schools),
            "check_expires": v.check.expires.isoformat() if v.check.expires else None,
        }

    # --- the check-in rule --------------------------------------------------------------------------
    def admission_check(self, request: CheckInRequest) -> tuple[Warning, ...] | Refused:
        """The admission workflow's rule for volunteers (plugged in by ``frontdesk.context``).

        A person checking in *as a volunteer* must have an approved record with a current background check.
        Otherwise, as the district's setting says: a warning the desk must accept (they come in as a visitor,
        not a volunteer) — or refuse them; or a refusal outright.
        """
        if request.category != Category.VOLUNTEER:
            return ()
        volunteer = self._suspended(request.visitor) or self.find_for(request.visitor)
        if volunteer is not None and volunteer.cleared:
            return ()
        name = request.visitor.full_name
        if volunteer is None:
            why = f"{name} has no volunteer record (no background check on file)"
        elif volunteer.status is Status.SUSPENDED:
            why = f"{name}'s volunteer record is suspended ({volunteer.status_reason or 'no reason given'})"
        elif volunteer.status is Status.APPLIED:
            why = f"{name} has applied to volunteer but is not approved yet"
        elif volunteer.check.expires is None:
            why = f"{name} has no background check on file"
        else:
            why = f"{name}'s background check expired on {volunteer.check.expires:%m/%d/%Y}"
        # Only the exact word "visitor" allows the looser rule: a slip ("refsue", "Refuse ") refuses (session 22).
        if self._settings.get(VOLUNTEER_UNCLEARED) != "visitor":
            return Refused(VOLUNTEER_NOT_CLEARED, f"{why}. The district does not admit them until it is renewed.")
        return (
            Warning(
                VOLUNTEER_NOT_CLEARED,
                f"{why}. They may not serve as a volunteer: admit them as a visitor, or refuse.",
                admit_as=Category.VISITOR,
                note=f"Not admitted as a volunteer: {why}",
            ),
        )

    def export(self, start: date, end: date, fmt: str, out: Path | str, *, school: str = "") -> int:
        """Write the school's hours report (``csv`` or ``pdf``) to ``out``; principals only, audited.
        Returns the number of volunteers in it."""
        from frontdesk.volunteers.report import hours_pdf, write_csv

        self._session.require(Action.EXPORT)
        if fmt not in ("csv", "pdf"):
            raise InputError(f"Format must be csv or pdf, not {fmt!r}")
        report = self.hours(start, end)
        out = Path(out)
        if fmt == "csv":
            with out.open("w", encoding="utf-8", newline="") as handle:
                write_csv(report, handle)
        else:
            hours_pdf(report, out, school=school, now=clock.now())
        self._audit.record(
            None,
            "volunteer.hours_export",
            str(out),
            {
                "format": fmt,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "volunteers": len(report.volunteers),
            },
        )
        return len(report.volunteers)

    # --- hours --------------------------------------------------------------------------------------
    def hours(self, start: date, end: date, *, volunteer_id: int | None = None) -> HoursReport:
        """Volunteer visits that began from ``start`` to ``end`` (inclusive), counted in hours.

        A visit closed by close-day (its check-out forgotten) counts up to the forgotten check-out setting
        and is marked so; so does a visit still open from an earlier day (a check-out forgotten that close-day
        never closed); a visit still open today counts to now. Time in two of a volunteer's visits at once is
        counted once (the later visit says which it overlapped). The activity is the visit's purpose.
        """
        self._session.require(Action.VIEW_VOLUNTEERS)
        if end < start:
            raise InputError(
                f"The range ends ({end:%m/%d/%Y}) before it starts ({start:%m/%d/%Y}): choose an end on or after "
                "the start"
            )
        today = self._today()
        db = self._store.db
        where = "WHERE id = ?" if volunteer_id is not None else ""
        rows = db.execute(
            f"SELECT {_COLUMNS}, name_key FROM volunteers {where}", [volunteer_id] if where else []
        ).fetchall()
        if volunteer_id is not None and not rows:
            raise NotFoundError(f"No volunteer with id {volunteer_id}")
        cap = timedelta(hours=float(self._settings.get(VOLUNTEER_FORGOTTEN_HOURS)))
        forgotten_ids = {
            int(subject.split()[-1])
            for (subject,) in db.execute(
                "SELECT subject FROM audit_log WHERE action = 'visit.check_out_forgotten'"
            ).fetchall()
        }
        lo, _ = clock.local_day_bounds(start)
        _, hi = clock.local_day_bounds(end)
        now = clock.now()
        lines: list[HoursLine] = []
        cap_hours = cap.total_seconds() / 3600
        for row in rows:
            volunteer = _volunteer(row[:-1], today)
            dob = volunteer.dob.isoformat() if volunteer.dob else None
            visit_ids = db.execute(
                "SELECT v.id FROM visits v JOIN people p ON p.id = v.person_id WHERE p.name_key = ? "
                "AND (? IS NULL OR p.dob IS NULL OR p.dob = ?) AND v.category = 'volunteer' "
                "AND v.time_in >= ? AND v.time_in < ? ORDER BY v.time_in",
                [row[-1], dob, dob, lo, hi],
            ).fetchall()
            covered: tuple[datetime, int] | None = (
                None  # how far this volunteer's earlier visits counted, and whose
            )
            for (visit_id,) in visit_ids:
                visit = self._visits.get(int(visit_id))
                rule = ""
                if visit.time_out is None and visit.time_in.astimezone().date() < today:
                    # Never checked out and nobody ran close-day: a forgotten check-out, not days of service
                    # (session 22: counted to now, it grew by 24 h a day).
                    seconds = min(visit.duration(now), cap.total_seconds())
                    rule = (
                        f"check-out forgotten (not checked out since {visit.time_in.astimezone():%m/%d/%Y}): "
                        f"at most {cap_hours:g} h counted (close-day rule)"
                    )
                elif visit.time_out is None:
                    seconds = visit.duration(now)
                    rule = "still on site: counted to now"
                elif visit.id in forgotten_ids:
                    seconds = min(visit.duration(now), cap.total_seconds())
                    rule = f"check-out forgotten: at most {cap_hours:g} h counted (close-day rule)"
                else:
                    seconds = visit.duration(now)
                seconds = max(0.0, seconds)
                until = visit.time_in + timedelta(seconds=seconds)
                # Two visits at once (admitted again while on site) are one person's time: counted once.
                if covered is not None and visit.time_in < covered[0]:
                    seconds = max(0.0, (until - covered[0]).total_seconds())
                    said = f"overlaps visit {covered[1]}: its time counted once"
                    rule = f"{rule}; {said}" if rule else said
                if covered is None or until > covered[0]:
                    covered = (until, visit.id)
                lines.append(HoursLine(volunteer, visit, seconds / 60, visit.purpose.strip() or "-", rule))
        return HoursReport(start, end, tuple(lines), tuple(_per_volunteer(lines)))


def _per_volunteer(lines: list[HoursLine]) -> list[VolunteerHours]:
    grouped: dict[int, list[HoursLine]] = defaultdict(list)
    for line in lines:
        grouped[line.volunteer.id].append(line)
    out = []
    for group in grouped.values():
        months: dict[str, float] = defaultdict(float)
        years: dict[str, float] = defaultdict(float)
        activities: dict[str, float] = defaultdict(float)
        for line in group:
            moment: datetime = line.visit.time_in.astimezone()
            months[f"{moment:%Y-%m}"] += line.minutes / 60
            years[f"{moment:%Y}"] += line.minutes / 60
            activities[line.activity] += line.minutes / 60
        out.append(
            VolunteerHours(
                group[0].volunteer,
                len(group),
                round(sum(line.minutes for line in group) / 60, 2),
                {k: round(v, 2) for k, v in sorted(months.items())},
                {k: round(v, 2) for k, v in sorted(years.items())},
                {k: round(v, 2) for k, v in sorted(activities.items())},
                sum(1 for line in group if line.rule.startswith("check-out forgotten")),
            )
        )
    out.sort(key=lambda h: (h.volunteer.last_name.casefold(), h.volunteer.first_name.casefold(), h.volunteer.id))
    return out
