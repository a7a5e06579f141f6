"""The kiosk's verbs. Every check-in goes through the admission workflow, unattended; whatever needs a person
(a possible match, a warning, a refusal, a first-time visitor) becomes a request waiting at the front desk,
and the kiosk itself is only ever told to send the person there — never why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.access.roles import Action
from frontdesk.errors import ConflictError, FrontDeskError, InputError, NotFoundError, StoreError
from frontdesk.limits import SHORT_MAX, check_field
from frontdesk.models import Category, Visit, Visitor
from frontdesk.text import format_badge_code, new_badge_code, normalize_badge_code

if TYPE_CHECKING:
    from collections.abc import Callable

    from frontdesk.access.session import Session
    from frontdesk.accounts.service import Accounts
    from frontdesk.audit import AuditTrail
    from frontdesk.checkin.workflow import CheckIn, CheckInRequest, Cleared
    from frontdesk.store import Store
    from frontdesk.visits.service import VisitService
    from frontdesk.volunteers.service import VolunteerService

# The admission workflow (and screening under it) is imported where a request is made: the desk's front-office
# banner asks this service what is pending as the window opens, before its first paint.

KIOSK_STAFF = "Kiosk"
EARLY = timedelta(minutes=30)  # an expected guest may check in this long before their window opens
# Leaving kiosk mode: after this many wrong staff sign-ins in a row at the kiosk (whatever the names), it is
# paused, for EXIT_PAUSE, then twice as long each time, up to EXIT_PAUSE_MAX (an account alone waits only a
# minute after five wrong tries: at an unattended kiosk that let anyone guess PINs for hours).
# A person's check-ins at the kiosk in one day before the next goes to the front office: a loop of check-in,
# badge, check-out by the badge, check-in again printed a badge each round, without end (session 22).
KIOSK_VISITS_PER_DAY = 3
# Requests the desk takes only after looking at the person's ID (DeskRequest.check_id).
CHECK_ID_REASONS = frozenset({"dob_unknown", "dob_mismatch", "volunteer_no_dob", "guest_code"})
EXIT_TRIES = 5
EXIT_PAUSE = timedelta(minutes=5)
EXIT_PAUSE_MAX = timedelta(hours=1)


class Kind:
    """How the kiosk knows the person in front of it."""

    RETURNING = "returning"
    VOLUNTEER = "volunteer"
    GUEST = "guest"
    NEW = "new"


@dataclass(frozen=True)
class Arrival:
    """Someone at the kiosk, as identified, with the visit they would check in for."""

    visitor: Visitor
    kind: str
    category: Category = Category.VISITOR
    purpose: str = ""
    destination: str = ""
    guest_id: int | None = None
    # Found by name (Find my name) or by an old badge, not by their ID: anyone can type three letters of a
    # returning visitor's name, so the person confirms the date of birth on record (check_in's ``dob``).
    confirm_dob: bool = False

    @property
    def request(self) -> CheckInRequest:
        """The admission request the kiosk makes for this person."""
        from frontdesk.checkin.workflow import CheckInRequest

        return CheckInRequest(self.visitor, self.category, self.purpose, self.destination)


@dataclass(frozen=True)
class Admitted:
    """Checked in: the visit (its badge follows)."""

    visit: Visit


@dataclass(frozen=True)
class SeeFrontOffice:
    """Not admitted here: the person is waiting at the front office, request ``request_id``."""

    request_id: int


@dataclass(frozen=True)
class CheckedOut:
    """A badge scanned on the way out."""

    visit: Visit


@dataclass(frozen=True)
class Guest:
    """An expected guest: a name, a host, a time window, and the code they scan or type."""

    id: int
    code: str
    first_name: str
    last_name: str
    host: str
    purpose: str
    window_start: datetime
    window_end: datetime
    visit_id: int | None = None

    @property
    def code_text(self) -> str:
        """The code as printed and typed (``K7QX-M2PD``)."""
        return format_badge_code(self.code)


@dataclass(frozen=True)
class DeskRequest:
    """Someone the kiosk sent to the front office, with what it knew of them (for the desk to take)."""

    id: int
    created_at: datetime
    station: str
    reason: str  # the core's code (never shown at the kiosk)
    message: str  # for the desk
    request: CheckInRequest

    @property
    def check_id(self) -> bool:
        """True when the desk must see the person's ID before checking them in: the kiosk could not tell who
        they are (a name picked with another date of birth, or none on record; a volunteer record without a
        date of birth; a guest code already used or outside its window). The desk fills in what the kiosk knew
        and waits; it does not start the check-in."""
        return self.reason in CHECK_ID_REASONS


def _visitor_json(v: Visitor) -> str:
    return json.dumps(
        {
            "id": v.id,
            "first_name": v.first_name,
            "middle_name": v.middle_name,
            "last_name": v.last_name,
            "suffix": v.suffix,
            "dob": v.dob.isoformat() if v.dob else None,
            "id_type": v.id_type,
            "id_issuer": v.id_issuer,
            "id_expires": v.id_expires.isoformat() if v.id_expires else None,
            "id_last4": v.id_last4,
        }
    )


def _visitor_of(text: str) -> Visitor:
    d = json.loads(text)
    for key in ("dob", "id_expires"):
        d[key] = date.fromisoformat(d[key]) if d.get(key) else None
    return Visitor(**d)


def _guest(row: tuple) -> Guest:
    return Guest(
        row[0], row[1], row[2], row[3], row[4], row[5], clock.from_db(row[6]), clock.from_db(row[7]), row[8]
    )  # type: ignore[arg-type]


_GUEST_COLUMNS = "id, code, first_name, last_name, host, purpose, window_start, window_end, visit_id"


class Kiosk:
    """Self-service check-in and check-out, pre-registration, and the requests waiting at the front desk."""

    def __init__(
        self,
        store: Store,
        checkin: Callable[[], CheckIn],
        visits: VisitService,
        volunteers: Callable[[], VolunteerService],
        accounts: Accounts,
        *,
        session: Session,
        audit: AuditTrail,
        station: str = "",
        now: Callable[[], datetime] = clock.now,
    ):
        self._store = store
        self._checkin_of = checkin  # built when the kiosk first checks someone in: the desk's banner only reads
        self._visits = visits
        self._volunteers_of = volunteers  # likewise, built when the kiosk first looks a volunteer up
        self._accounts = accounts
        self._session = session
        self._audit = audit
        self.station = station
        self._now = now
        self.wrong_exit_tries = 0  # wrong staff sign-ins in a row at this kiosk
        self._exit_pauses = 0
        self.exit_paused_until: datetime | None = None

    @property
    def _checkin(self) -> CheckIn:
        return self._checkin_of()

    @property
    def _volunteers(self) -> VolunteerService:
        return self._volunteers_of()

    # --- who is this --------------------------------------------------------------------------------
    def scan(self, text: str, *, typed: bool = False) -> Arrival | CheckedOut:
        """A scanned or typed code: a badge on site (checks out), an expected guest's code, or the badge of an
        earlier visit (that returning visitor). NotFoundError for anything else.

        ``typed``: the code was typed, not scanned. A typed badge code never checks out (NotFoundError with code
        ``scan_to_leave``): the code is printed large on every badge, and anyone in the lobby who read it could
        take a person still in the building off the on-site list and the emergency roster (session 22)."""
        code = normalize_badge_code(text)
        if len(code) != 8:
            raise NotFoundError("That code was not recognised")
        db = self._store.db
        row = db.execute("SELECT id, time_out FROM visits WHERE badge_code = ?", [code]).fetchone()
        if typed and row is not None and row[1] is None:
            raise NotFoundError("A badge code typed does not check out: scan the badge", code="scan_to_leave")
        if not typed and (row is None or row[1] is None):
            # On site here, or at another desk of the school (synced from the hub): leaving by this kiosk checks
            # them out as the desk's own check-out box does (for another desk's visitor, the hub keeps the first
            # check-out). Not on site anywhere: a guest code, or an old badge, below.
            try:
                return CheckedOut(self._visits.check_out(code, note="checked out at the kiosk", code_only=True))
            except NotFoundError:
                pass
        guest = db.execute(f"SELECT {_GUEST_COLUMNS} FROM kiosk_guests WHERE code = ?", [code]).fetchone()
        if guest is not None:
            g = _guest(guest)
            return Arrival(
                Visitor(g.first_name, g.last_name), Kind.GUEST, Category.VISITOR, g.purpose, g.host, g.id
            )
        if row is not None:
            return _by_name(self.identify(self._visits.get(row[0]).visitor))  # an old badge: anyone may hold it
        raise NotFoundError("That code was not recognised")

    def identify(self, visitor: Visitor) -> Arrival:
        """Who a person is (from their ID or a name picked): an approved volunteer, an expected guest today,
        a returning visitor, or someone new (whom the kiosk sends to the front office)."""
        volunteer = self._volunteers.find_for(visitor)
        if volunteer is not None:
            return Arrival(visitor, Kind.VOLUNTEER, Category.VOLUNTEER, volunteer.activity, "")
        guest = self._guest_now(visitor)
        if guest is not None:
            return Arrival(visitor, Kind.GUEST, Category.VISITOR, guest.purpose, guest.host, guest.id)
        known = visitor if visitor.id is not None else self._known(visitor)
        if known is not None and known.id is not None:
            last = self._visits.last_visit_of(known.id)
            if last is not None:
                merged = Visitor(
                    **{**known.__dict__, **{k: v for k, v in visitor.__dict__.items() if v is not None}}
                )
                return Arrival(merged, Kind.RETURNING, last.category, last.purpose, last.destination)
        return Arrival(visitor, Kind.NEW)

    def _known(self, visitor: Visitor) -> Visitor | None:
        found = self._visits.find_returning(f"{visitor.last_name} {visitor.first_name}", limit=4)
        for person in found:
            same_name = (person.first_name.casefold(), person.last_name.casefold()) == (
                visitor.first_name.casefold(),
                visitor.last_name.casefold(),
            )
            if same_name and (visitor.dob is None or person.dob is None or person.dob == visitor.dob):
                return person
        return None

    def search(self, text: str, limit: int = 6) -> list[Arrival]:
        """The short name search: at least three letters; returning visitors and volunteers, best first."""
        if len(text.strip()) < 3:
            return []
        out: list[Arrival] = []
        seen: set[tuple] = set()
        for v in self._volunteers.search(text, limit):
            visitor = Visitor(v.first_name, v.last_name, v.middle_name or None, dob=v.dob)
            seen.add((v.first_name.casefold(), v.last_name.casefold()))
            out.append(Arrival(visitor, Kind.VOLUNTEER, Category.VOLUNTEER, v.activity, "", confirm_dob=True))
        for person in self._visits.find_returning(text, limit):
            if (person.first_name.casefold(), person.last_name.casefold()) in seen:
                continue
            out.append(_by_name(self.identify(person)))
        return out[:limit]

    # --- checking in --------------------------------------------------------------------------------
    def check_in(
        self, arrival: Arrival, *, activity: str = "", dob: date | None = None
    ) -> Admitted | SeeFrontOffice:
        """Admit through the core workflow (unattended), or send the person to the front office.

        ``dob``: the date of birth the person typed, for an arrival found by name or an old badge
        (``confirm_dob``): without the one on record (or with none on record) they go to the front office,
        whose banner says to check their ID. Found in session 18's red team: anyone could pick a returning
        visitor's name and check in as them, a barred person included."""
        from frontdesk.checkin.workflow import CheckInRequest, Cleared, Refused

        if arrival.confirm_dob:
            sent = self.confirm_dob(arrival, dob)
            if sent is not None:
                return sent
        if arrival.kind == Kind.NEW:
            return self._to_desk(arrival.request, "first_time", "First visit: no pre-registration. Check them in.")
        if arrival.kind == Kind.VOLUNTEER:
            # A record without a date of birth matches anyone of the name: unattended, a namesake of an approved
            # volunteer was admitted as them, on a background check never theirs (session 22).
            volunteer = self._volunteers.find_for(arrival.visitor)
            if volunteer is not None and volunteer.dob is None:
                return self._to_desk(
                    arrival.request,
                    "volunteer_no_dob",
                    f"Matches volunteer record {volunteer.id} by name only (it has no date of birth): compare "
                    "their ID with the volunteer's; add the date of birth to the volunteer list "
                    "(volunteers import).",
                )
        if arrival.kind == Kind.GUEST and arrival.guest_id is not None:
            problem = self._guest_problem(arrival.guest_id)
            if problem:
                return self._to_desk(arrival.request, "guest_code", problem)
        repeats = self._kiosk_visits_today(arrival.visitor)
        if repeats >= KIOSK_VISITS_PER_DAY:
            return self._to_desk(
                arrival.request,
                "kiosk_repeat",
                f"Checked in {repeats} times at the kiosk today already (each printed a badge): check them in "
                "here if they should be.",
            )
        request = arrival.request
        if activity and arrival.category == Category.VOLUNTEER:
            request = CheckInRequest(request.visitor, request.category, activity, request.destination)
        workflow = self._checkin.at(station=self.station or None, staff=KIOSK_STAFF)
        try:
            outcome = workflow.start(request, unattended=True)
        except InputError as exc:
            return self._to_desk(request, exc.code, exc.message)
        if isinstance(outcome, Refused):
            return self._to_desk(request, outcome.code, outcome.message)
        if not isinstance(outcome, Cleared):
            if outcome.candidates:
                return self._to_desk(request, "possible_match", "Possible match on a screening list: compare.")
            return self._to_desk(request, outcome.warnings[0].code, " ".join(w.message for w in outcome.warnings))
        try:
            if arrival.guest_id is None:
                visit = workflow.commit(outcome).visit
            else:
                visit = self._commit_guest(workflow, outcome, arrival.guest_id)
        except FrontDeskError as exc:
            return self._to_desk(request, exc.code, exc.message)
        return Admitted(visit)

    def _commit_guest(self, workflow: CheckIn, outcome: Cleared, guest_id: int) -> Visit:
        """An expected guest's visit and their code's use, in one transaction: found in session 22's red team, a
        kiosk killed between the two left the guest on site and the code good again. The code is checked unused
        inside it too (two kiosks scanning one code at once: one visit)."""
        with self._audit.transaction() as db:
            row = db.execute("SELECT visit_id FROM kiosk_guests WHERE id = ?", [guest_id]).fetchone()
            if row is None or row[0] is not None:
                raise ConflictError(
                    f"Guest code already used (visit {row[0] if row else '?'}).", code="guest_code"
                )
            visit = workflow.commit(outcome).visit
            db.execute("UPDATE kiosk_guests SET visit_id = ? WHERE id = ?", [visit.id, guest_id])
            self._audit.record(None, "kiosk.guest_arrived", f"guest {guest_id}", {"visit": visit.id})
        return visit

    def confirm_dob(self, arrival: Arrival, dob: date | None) -> SeeFrontOffice | None:
        """None when ``dob`` is the date of birth on record of someone found by name or an old badge; otherwise
        the person is sent to the front office (the request says to check their ID).

        The kiosk asks this before it shows anything of the person's visit (where they went last time, a
        volunteer's activities, a guest's host): found in session 22's red team, anyone who touched a name saw
        it. :meth:`check_in` asks it again."""
        if not arrival.confirm_dob:
            return None
        known = arrival.visitor.dob
        # Sent to the desk as only the name they picked: the record's date of birth and ID details would let the
        # desk admit them as that person without looking at an ID (session 22).
        claimed = replace(
            arrival.request,
            visitor=Visitor(arrival.visitor.first_name, arrival.visitor.last_name, arrival.visitor.middle_name),
        )
        if known is None:
            return self._to_desk(
                claimed,
                "dob_unknown",
                "Chose this name at the kiosk; no date of birth on record to confirm it. Check their ID.",
            )
        if dob != known:
            return self._to_desk(
                claimed,
                "dob_mismatch",
                "Chose this name at the kiosk but gave another date of birth. Check their ID.",
            )
        return None

    def _kiosk_visits_today(self, visitor: Visitor) -> int:
        """How many times this person (by id, else by name and date of birth) was checked in by a kiosk today."""
        start, _ = clock.local_day_bounds(clock.now().astimezone().date())
        if visitor.id is not None:
            where, args = "v.person_id = ?", [visitor.id]
        else:
            from frontdesk.visits.service import name_keys

            where = "p.name_key = ? AND p.dob IS ?"
            args = [name_keys(visitor)[0], visitor.dob.isoformat() if visitor.dob else None]
        row = self._store.db.execute(
            f"SELECT count(*) FROM visits v JOIN people p ON p.id = v.person_id WHERE {where} "
            "AND v.staff = ? AND v.time_in >= ?",
            [*args, KIOSK_STAFF, start],
        ).fetchone()
        return int(row[0])

    def _to_desk(self, request: CheckInRequest, reason: str, message: str) -> SeeFrontOffice:
        """Write the request the desk's banner takes. The same person for the same reason, still waiting from
        today, is the one request (session 22: sent again and again, one name buried the real arrivals)."""
        visitor, why = _visitor_json(request.visitor), f"{reason}\n{message}"
        with self._audit.transaction() as db:
            start, _ = clock.local_day_bounds(clock.now().astimezone().date())
            waiting = db.execute(
                "SELECT id FROM kiosk_requests WHERE state = 'pending' AND created_at >= ? AND visitor = ? "
                "AND reason = ? ORDER BY id DESC LIMIT 1",
                [start, visitor, why],
            ).fetchone()
            if waiting is not None:
                self._audit.record(
                    None,
                    "kiosk.sent_to_desk",
                    f"kiosk request {waiting[0]}",
                    {"name": request.visitor.full_name, "reason": reason, "again": True},
                )
                return SeeFrontOffice(int(waiting[0]))
            cur = db.execute(
                "INSERT INTO kiosk_requests (created_at, station, reason, visitor, category, purpose, "
                "destination) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    clock.to_db(clock.now()),
                    self.station,
                    why,
                    visitor,
                    Category(request.category).value,
                    request.purpose,
                    request.destination,
                ],
            )
            request_id = int(cur.lastrowid)  # type: ignore[arg-type]
            self._audit.record(
                None,
                "kiosk.sent_to_desk",
                f"kiosk request {request_id}",
                {"name": request.visitor.full_name, "reason": reason},
            )
        return SeeFrontOffice(request_id)

    # --- the front desk's side ----------------------------------------------------------------------
    def pending(self) -> list[DeskRequest]:
        """People the kiosk sent to the front office today whom no desk has taken yet, oldest first (someone
        sent there yesterday is long gone; their request stays in the table and the audit trail)."""
        self._session.require(Action.CHECK_IN)
        start, _ = clock.local_day_bounds(clock.now().astimezone().date())
        rows = self._store.db.execute(
            "SELECT id, created_at, station, reason, visitor, category, purpose, destination FROM kiosk_requests "
            "WHERE state = 'pending' AND created_at >= ? ORDER BY created_at, id",
            [start],
        ).fetchall()
        return [self._request(r) for r in rows]

    @staticmethod
    def _request(r: tuple) -> DeskRequest:
        from frontdesk.checkin.workflow import CheckInRequest

        reason, _, message = r[3].partition("\n")
        request = CheckInRequest(_visitor_of(r[4]), Category(r[5]), r[6], r[7])
        return DeskRequest(r[0], clock.from_db(r[1]), r[2], reason, message, request)  # type: ignore[arg-type]

    def take(self, request_id: int) -> DeskRequest:
        """A desk takes a waiting person (once: ConflictError if another desk already did)."""
        self._session.require(Action.CHECK_IN)
        with self._audit.transaction() as db:
            row = db.execute(
                "SELECT id, created_at, station, reason, visitor, category, purpose, destination, state "
                "FROM kiosk_requests WHERE id = ?",
                [request_id],
            ).fetchone()
            if row is None:
                raise NotFoundError(f"No kiosk request {request_id}")
            if row[8] != "pending":
                raise ConflictError("Another desk has already taken this person", code="already_taken")
            db.execute(
                "UPDATE kiosk_requests SET state = 'taken', taken_by = ?, taken_at = ? WHERE id = ?",
                [self._checkin.staff(), clock.to_db(clock.now()), request_id],
            )
            taken = self._request(row[:8])
            self._audit.record(
                None,
                "kiosk.request_taken",
                f"kiosk request {request_id}",
                {"name": taken.request.visitor.full_name},
            )
        return taken

    # --- expected guests ----------------------------------------------------------------------------
    def preregister(
        self, first_name: str, last_name: str, host: str, start: datetime, end: datetime, purpose: str = ""
    ) -> Guest:
        """Expect a guest (a name, a host, a time window): the code they will scan or type at the kiosk."""
        self._session.require(Action.PREREGISTER)
        if not first_name.strip() or not last_name.strip():
            raise InputError("An expected guest needs a first and a last name")
        # The rules of every visitor's name (length, control and direction characters, a letter at least), said
        # now: before session 22 any text was taken, shown at the kiosk, and refused only at the guest's check-in.
        self._visits.checked(Visitor(first_name.strip(), last_name.strip()))
        if not host.strip():
            raise InputError("Say whom the guest is coming to see")
        check_field(host.strip(), "Whom the guest is coming to see", SHORT_MAX)
        check_field(purpose.strip(), "The purpose", SHORT_MAX)
        if end <= start:
            raise InputError("The time window must end after it starts")
        if end < clock.now():  # a slip of the calendar: the code could never be used (session 22)
            raise InputError(
                f"That time window has already ended ({end.astimezone():%m/%d %H:%M}): check the date and times"
            )
        with self._audit.transaction() as db:
            for _ in range(10):
                code = new_badge_code()
                if db.execute("SELECT 1 FROM visits WHERE badge_code = ?", [code]).fetchone() is None:
                    break
            cur = db.execute(
                "INSERT INTO kiosk_guests (code, first_name, last_name, host, purpose, window_start, window_end, "
                "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    code,
                    first_name.strip(),
                    last_name.strip(),
                    host.strip(),
                    purpose.strip(),
                    clock.to_db(start),
                    clock.to_db(end),
                    self._checkin.staff(),
                    clock.to_db(clock.now()),
                ],
            )
            guest = self.guest(int(cur.lastrowid))  # type: ignore[arg-type]
            self._audit.record(
                None,
                "kiosk.preregister",
                f"guest {guest.id}",
                {
                    "name": f"{guest.first_name} {guest.last_name}",
                    "host": guest.host,
                    "from": str(start),
                    "to": str(end),
                },
            )
        return guest

    def guest(self, guest_id: int) -> Guest:
        """The expected guest with this id, or NotFoundError."""
        row = self._store.db.execute(
            f"SELECT {_GUEST_COLUMNS} FROM kiosk_guests WHERE id = ?", [guest_id]
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No expected guest {guest_id}")
        return _guest(row)

    def guests(self, day: date) -> list[Guest]:
        """Guests expected on ``day`` (their window starts that day), by time."""
        lo, hi = clock.local_day_bounds(day)
        rows = self._store.db.execute(
            f"SELECT {_GUEST_COLUMNS} FROM kiosk_guests WHERE window_start >= ? AND window_start < ? "
            "ORDER BY window_start",
            [lo, hi],
        ).fetchall()
        return [_guest(r) for r in rows]

    def _guest_now(self, visitor: Visitor) -> Guest | None:
        now = clock.now()
        for g in self.guests(now.astimezone().date()):
            same = (g.first_name.casefold(), g.last_name.casefold()) == (
                visitor.first_name.casefold(),
                visitor.last_name.casefold(),
            )
            if same and g.visit_id is None and g.window_start - EARLY <= now <= g.window_end:
                return g
        return None

    def _guest_problem(self, guest_id: int) -> str:
        g = self.guest(guest_id)
        now = clock.now()
        if g.visit_id is not None:
            return f"Guest code {g.code_text} was already used (visit {g.visit_id})."
        if not g.window_start - EARLY <= now <= g.window_end:
            return (
                f"Expected {g.window_start.astimezone():%m/%d %H:%M}-{g.window_end.astimezone():%H:%M}, "
                "arrived outside that window."
            )
        return ""

    # --- leaving kiosk mode -------------------------------------------------------------------------
    def exit_pause(self) -> datetime | None:
        """Until when leaving kiosk mode is paused (wrong staff sign-ins), or None when it is not."""
        until = self.exit_paused_until
        return until if until is not None and self._now() < until else None

    def staff_unlock(self, username: str, pin: str) -> bool:
        """True when a staff member's PIN or password is right (audited as a sign-in, then signed out).

        After :data:`EXIT_TRIES` wrong tries in a row here, whatever the names, leaving kiosk mode is paused
        (``exit_paused_until``; audited as ``kiosk.exit_paused``), even for the right PIN: first for
        :data:`EXIT_PAUSE`, then twice as long each time, up to :data:`EXIT_PAUSE_MAX`. A right PIN after a
        pause starts the count again. Found in session 22's red team: the accounts' own minute let a stranger
        at the kiosk guess PINs for hours."""
        now = self._now()
        if self.exit_paused_until is not None and now < self.exit_paused_until:
            self._audit.record(None, "kiosk.exit_refused", self.station, {"name": username, "reason": "paused"})
            return False
        try:
            self._accounts.sign_in(username, pin)
        except StoreError:
            raise  # the database busy or broken: no PIN was judged, so none is counted wrong
        except FrontDeskError:
            self.wrong_exit_tries += 1
            if self.wrong_exit_tries % EXIT_TRIES == 0:
                self._exit_pauses += 1
                pause = min(EXIT_PAUSE * 2 ** (self._exit_pauses - 1), EXIT_PAUSE_MAX)
                self.exit_paused_until = now + pause
                self._audit.record(
                    None,
                    "kiosk.exit_paused",
                    self.station,
                    {"wrong_tries": self.wrong_exit_tries, "until": clock.to_db(self.exit_paused_until)},
                )
            return False
        self.wrong_exit_tries = self._exit_pauses = 0
        self.exit_paused_until = None
        try:
            self._audit.record(None, "kiosk.exit", self.station, {})
        finally:  # the kiosk never stays signed in as the staff member (a database busy at this record, too)
            self._accounts.sign_out()
        return True


def _by_name(arrival: Arrival) -> Arrival:
    """``arrival`` found by name or an old badge: the person confirms the date of birth on record (a returning
    visitor, a volunteer, or a returning visitor expected as a guest today, whose code was not used)."""
    if arrival.kind != Kind.NEW:
        return replace(arrival, confirm_dob=True)
    return arrival
