"""Who may talk to the console: enrolled stations (bearer credentials) and dispatchers (password, session).

A station credential is ``fdst_<station_id>_<secret>``; only a SHA-256 of the secret is stored (the secret
is 192 random bits, so a fast hash is enough and keeps 450 heartbeats a minute cheap). Dispatchers sign in
with a password kept as an argon2 hash and get a session token, stored hashed too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import string
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from district import clock
from district.console.db import Database, Tx
from district.console.location import Location
from district.errors import ConflictError, DistrictError, InputError, NotFoundError

CREDENTIAL_PREFIX = "fdst"
SESSION_COOKIE = "fd_session"
# At most this many session cookies of one request are looked up: a browser sends one per (domain, path) that
# matches, a handful even when a page of another host of the domain has planted some (session_tokens).
MAX_SESSION_COOKIES = 16
SESSION_HOURS = 12
_ID_ALPHABET = string.ascii_lowercase + string.digits
_hasher = PasswordHasher()
# Verified against when the name is unknown, so that an unknown name costs the same argon2 time as a known
# one (the answer time does not tell which names exist).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class Unauthenticated(DistrictError):
    """No credential, or one the console does not know (HTTP 401)."""

    code = "unauthenticated"
    http_status = 401


class Forbidden(DistrictError):
    """A valid credential, but not one allowed to do this (HTTP 403)."""

    code = "forbidden"
    http_status = 403


@dataclass(frozen=True)
class Station:
    """An enrolled station: the school, its name and room, and when it was last heard from."""

    station_id: str
    school: str
    name: str
    room: str
    enrolled_at: datetime
    last_seen: datetime | None = None
    onsite: int = 0
    online: bool = False
    location: Location | None = None

    @property
    def where(self) -> Location:
        """The enrolled location (the school and room alone for a station enrolled before it was kept)."""
        return self.location or Location(self.school, room=self.room)


@dataclass(frozen=True)
class Enrolment:
    """A newly enrolled station and its credential (shown once, never stored)."""

    station: Station
    credential: str


@dataclass(frozen=True)
class Dispatcher:
    """A signed-in person: the name recorded on every Ack and state push, and their district role if they are
    district staff (``district staff add``: the hub's views, not the dispatchers' live screen)."""

    username: str
    district_role: str | None = None


def session_tokens(cookie_headers: Iterable[str]) -> list[str]:
    """Every value of the session cookie in a request's ``Cookie`` headers, in order, without repeats.

    A page of another host of the district's domain (a sibling subdomain) can set a cookie of the same name
    for the whole domain, and the browser sends it beside the console's own. Reading one value (the web
    framework keeps the last) let such a page sign the dispatcher out of the live screen with a bogus one, for
    as long as it kept planting it; :meth:`Auth.dispatcher` takes the session among all of them.
    """
    found: list[str] = []
    for header in cookie_headers:
        for chunk in header.split(";"):
            name, sep, value = chunk.partition("=")
            value = value.strip()
            if sep and name.strip() == SESSION_COOKIE and value and value not in found:
                found.append(value)
                if len(found) == MAX_SESSION_COOKIES:
                    return found
    return found


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def log(tx: Tx, kind: str, *, actor: str = "", station_id: str | None = None, identifier=None, **detail) -> None:
    """Append one entry to the append-only log, in the caller's transaction."""
    tx.execute(
        "INSERT INTO log (at, kind, actor, station_id, identifier, detail) VALUES (?, ?, ?, ?, ?, ?)",
        [clock.to_db(clock.now()), kind, actor, station_id, identifier, json.dumps(detail, ensure_ascii=False)],
    )


STATION_COLUMNS = (
    "station_id, school, name, room, enrolled_at, last_seen, onsite, online, "
    "building, floor, house_number, street, city, state, postal_code, country, phone"
)
STATION_WIDTH = 17  # the number of STATION_COLUMNS


def station_from_row(row: tuple, offline_after: float = 90) -> Station:
    """A Station from a row of ``STATION_COLUMNS``; ``online`` is true if heard within ``offline_after`` s."""
    last_seen = clock.from_db(row[5])
    online = last_seen is not None and (clock.now() - last_seen).total_seconds() < offline_after
    location = Location(
        school=row[1],
        room=row[3],
        building=row[8],
        floor=row[9],
        house_number=row[10],
        street=row[11],
        city=row[12],
        state=row[13],
        postal_code=row[14],
        country=row[15] or "US",
        phone=row[16],
    )
    return Station(
        row[0], row[1], row[2], row[3], clock.from_db(row[4]), last_seen, int(row[6] or 0), online, location
    )


class Auth:
    """Enrolment and credentials of stations; dispatchers, their passwords and sessions."""

    def __init__(self, db: Database):
        self._db = db
        # Failed sign-ins, counted here and written to the log as one row per source address per flush
        # (flush_failed_sign_ins): a flood must not grow the append-only log by a row per guess.
        self._failed: dict[str, dict] = {}
        self._failed_lock = threading.Lock()

    # --- stations ---------------------------------------------------------------------------------------
    def enroll(self, school: str, station: str, room: str = "", **place: str) -> Enrolment:
        """Enrol a station and return its credential (the only time the secret exists in the clear).

        ``place`` is the rest of its :class:`Location` (building, floor, house_number, street, city, state,
        postal_code, country, phone): what every alert of this station is shown and forwarded with.
        """
        station = station.strip()
        try:
            location = Location(
                school=school.strip(), room=room.strip(), **{k: v.strip() for k, v in place.items()}
            )
        except TypeError as exc:
            raise InputError(f"unknown part of a location: {exc}") from None
        if not location.school or not station:
            raise InputError("A station needs a school and a station name (--school, --station)")
        for key, value in location.as_dict().items():
            if len(value) > 200 or any(ord(c) < 32 for c in value):
                raise InputError(f"{key} must be one line of at most 200 characters")
        station_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))
        secret = secrets.token_hex(24)
        now = clock.now()
        loc = location
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO stations (station_id, school, name, room, secret_hash, enrolled_at, building, floor, "
                "house_number, street, city, state, postal_code, country, phone) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    station_id,
                    loc.school,
                    station,
                    loc.room,
                    _sha(secret),
                    clock.to_db(now),
                    loc.building,
                    loc.floor,
                    loc.house_number,
                    loc.street,
                    loc.city,
                    loc.state,
                    loc.postal_code,
                    loc.country,
                    loc.phone,
                ],
            )
            log(tx, "station_enrolled", station_id=station_id, station=station, **loc.as_dict())
        return Enrolment(
            Station(station_id, loc.school, station, loc.room, now, location=loc),
            f"{CREDENTIAL_PREFIX}_{station_id}_{secret}",
        )

    def revoke(self, station_id: str) -> None:
        """Stop accepting a station's credential (a lost or replaced PC)."""
        with self._db.transaction() as tx:
            cur = tx.execute(
                "UPDATE stations SET revoked_at = ? WHERE station_id = ? AND revoked_at IS NULL",
                [clock.to_db(clock.now()), station_id],
            )
            if cur.rowcount != 1:
                raise InputError(f"No enrolled station {station_id!r}")
            log(tx, "station_revoked", station_id=station_id)

    def station(self, credential: str | None) -> Station:
        """The station a bearer credential belongs to, or Unauthenticated."""
        parts = (credential or "").strip().split("_")
        if len(parts) != 3 or parts[0] != CREDENTIAL_PREFIX or not parts[1] or not parts[2]:
            raise Unauthenticated("a station credential is required (Authorization: Bearer fdst_…)")
        row = self._db.read().one(
            f"SELECT {STATION_COLUMNS}, secret_hash, revoked_at FROM stations WHERE station_id = ?", [parts[1]]
        )
        if row is None or not hmac.compare_digest(row[STATION_WIDTH], _sha(parts[2])):
            raise Unauthenticated("unknown station credential")
        if row[STATION_WIDTH + 1] is not None:
            raise Unauthenticated("this station's credential was revoked; enrol it again")
        return station_from_row(row)

    def station_directory(self) -> tuple[int, dict[str, tuple[str, Station]]]:
        """Every enrolled, unrevoked station with its credential's hash, read at once: ``(log seq, {station_id:
        (secret_hash, station)})``. With :meth:`station_changes_after` from that seq, a console keeps it current
        and checks credentials without reading the database (:class:`StationDirectory`)."""
        read = self._db.read()
        row = read.one("SELECT COALESCE(MAX(seq), 0) FROM log")
        seq = int(row[0]) if row else 0
        rows = read.all(f"SELECT {STATION_COLUMNS}, secret_hash FROM stations WHERE revoked_at IS NULL")
        return seq, {r[0]: (r[STATION_WIDTH], station_from_row(r)) for r in rows}

    def station_changes_after(self, seq: int) -> tuple[int, set[str], set[str]]:
        """``(newest seq, stations enrolled, stations revoked)`` according to the log after ``seq``."""
        rows = self._db.read().all(
            "SELECT seq, kind, station_id FROM log "
            "WHERE seq > ? AND kind IN ('station_enrolled', 'station_revoked')",
            [seq],
        )
        enrolled = {r[2] for r in rows if r[1] == "station_enrolled" and r[2]}
        revoked = {r[2] for r in rows if r[1] == "station_revoked" and r[2]}
        return max([seq, *(int(r[0]) for r in rows)]), enrolled - revoked, revoked

    def stations_by_id(self, station_ids: set[str]) -> dict[str, tuple[str, Station]]:
        """These stations (unrevoked ones only) with their credential's hash."""
        out: dict[str, tuple[str, Station]] = {}
        ids = sorted(station_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self._db.read().all(
                f"SELECT {STATION_COLUMNS}, secret_hash FROM stations WHERE revoked_at IS NULL "
                f"AND station_id IN ({', '.join('?' for _ in chunk)})",
                chunk,
            )
            out.update({r[0]: (r[STATION_WIDTH], station_from_row(r)) for r in rows})
        return out

    # --- dispatchers ------------------------------------------------------------------------------------
    def add_dispatcher(self, username: str, password: str) -> Dispatcher:
        """Create a dispatcher who can sign in to the live screen."""
        username = username.strip()
        if not username or len(username) > 80:
            raise InputError("A dispatcher needs a name (at most 80 characters)")
        if len(password) < 8:
            raise InputError("A dispatcher's password must have at least 8 characters")
        with self._db.transaction() as tx:
            if tx.one("SELECT 1 FROM dispatchers WHERE username = ?", [username]):
                raise ConflictError(f"There is already a dispatcher called {username!r}")
            tx.execute(
                "INSERT INTO dispatchers (username, password_hash, created_at) VALUES (?, ?, ?)",
                [username, _hasher.hash(password), clock.to_db(clock.now())],
            )
            log(tx, "dispatcher_added", actor=username)
        return Dispatcher(username)

    def remove_sign_in(self, username: str, *, staff_only: bool = False) -> int:
        """Remove a dispatcher's or district staff member's sign-in (someone who left, an account that leaked)
        and end every session of theirs at once; returns how many ended. Their name stays on what they did (the
        log, Acks, the list trail). There was no way to do either before session 24: a session lived its
        12 hours and the account for ever."""
        name = username.strip()
        with self._db.transaction() as tx:
            if not tx.one("SELECT 1 FROM dispatchers WHERE username = ?", [name]):
                raise NotFoundError(f"No dispatcher or district staff member called {name!r}")
            role = tx.one("SELECT role FROM hub_staff WHERE username = ?", [name])
            if staff_only and role is None:
                raise NotFoundError(f"{name!r} is not district staff (a dispatcher: 'dispatch user remove')")
            ended = tx.execute("DELETE FROM sessions WHERE username = ?", [name]).rowcount
            tx.execute("DELETE FROM hub_staff WHERE username = ?", [name])
            tx.execute("DELETE FROM dispatchers WHERE username = ?", [name])
            log(
                tx, "dispatcher_removed", actor=name, district_role=role[0] if role else None, sessions_ended=ended
            )
        return ended

    def set_password(self, username: str, password: str) -> int:
        """Give a sign-in a new password and end every session of theirs (a password that leaked is no use
        after this, nor a session opened with it); returns how many sessions ended."""
        name = username.strip()
        if len(password) < 8:
            raise InputError("A dispatcher's password must have at least 8 characters")
        with self._db.transaction() as tx:
            changed = tx.execute(
                "UPDATE dispatchers SET password_hash = ? WHERE username = ?", [_hasher.hash(password), name]
            ).rowcount
            if changed != 1:
                raise NotFoundError(f"No dispatcher or district staff member called {name!r}")
            ended = tx.execute("DELETE FROM sessions WHERE username = ?", [name]).rowcount
            log(tx, "password_changed", actor=name, sessions_ended=ended)
        return ended

    def sign_in(self, username: str, password: str, source: str = "") -> str:
        """Check a dispatcher's password and open a session; returns the session token (for the cookie).

        argon2 runs whether or not the name exists. Nothing here locks a name: throttling is per source
        address, in front of this (:class:`district.console.guard.SignInThrottle`). A failure is counted
        for :meth:`flush_failed_sign_ins`, not logged one row each.
        """
        name = username.strip()[:80]
        row = self._db.read().one("SELECT password_hash FROM dispatchers WHERE username = ?", [name])
        try:
            ok = _hasher.verify(row[0] if row is not None else _DUMMY_HASH, password) and row is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            self._count_failure(source, name)
            raise Unauthenticated("wrong name or password")
        token = secrets.token_urlsafe(32)
        now = clock.now()
        with self._db.transaction() as tx:
            # Ended sessions go as new ones are made: nothing else removed them, so the table grew by every
            # sign-in for ever (an account signing in in a loop: ~1 row per argon2 check).
            tx.execute("DELETE FROM sessions WHERE expires_at <= ?", [clock.to_db(now)])
            tx.execute(
                "INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)",
                [
                    _sha(token),
                    name,
                    clock.to_db(now),
                    clock.to_db(now + timedelta(hours=SESSION_HOURS)),
                ],
            )
            log(tx, "signed_in", actor=name, source=source)
        return token

    def throttled(self, source: str) -> None:
        """A sign-in refused unheard because its address must wait: counted with the failures."""
        self._count_failure(source, None)

    def _count_failure(self, source: str, name: str | None) -> None:
        now = clock.now()
        with self._failed_lock:
            entry = self._failed.get(source)
            if entry is None:
                if len(self._failed) >= 10_000:  # many sources at once: fold the rest into one row
                    source = "(other addresses)"
                    entry = self._failed.get(source)
                if entry is None:
                    entry = self._failed[source] = {
                        "count": 0,
                        "throttled": 0,
                        "names": {},
                        "first": now,
                        "last": now,
                    }
            entry["last"] = now
            if name is None:
                entry["throttled"] += 1
                return
            entry["count"] += 1
            if len(entry["names"]) < 20 or name in entry["names"]:
                entry["names"][name] = entry["names"].get(name, 0) + 1

    def flush_failed_sign_ins(self) -> int:
        """Write the failed sign-ins counted since the last flush: one ``sign_in_failed`` log row per source
        address, with the count, how many more were refused unheard (``throttled``), the names tried (up to
        20) and the first and last time. Returns the rows."""
        with self._failed_lock:
            pending, self._failed = self._failed, {}
        if not pending:
            return 0
        try:
            with self._db.transaction() as tx:
                for source, e in pending.items():
                    log(
                        tx,
                        "sign_in_failed",
                        actor=next(iter(e["names"]), "") if len(e["names"]) == 1 else "",
                        source=source,
                        count=e["count"],
                        throttled=e["throttled"],
                        names=e["names"],
                        first=clock.to_db(e["first"]),
                        last=clock.to_db(e["last"]),
                    )
        except Exception:
            with self._failed_lock:  # the database is away: keep them for the next flush
                for source, e in pending.items():
                    self._failed.setdefault(source, e)
            raise
        return len(pending)

    def dispatcher(self, token: str | Sequence[str] | None) -> Dispatcher:
        """Who a session token is signed in as (with their district role, if any), or Unauthenticated.

        ``token`` may be every session cookie a request carried (:func:`session_tokens`): the one of a live
        session counts, the others (planted by a page elsewhere, or ended) are passed over. Should two be
        live, the newest session counts.
        """
        tokens = [token] if isinstance(token, str) else list(token or [])
        hashes = [_sha(t) for t in tokens[:MAX_SESSION_COOKIES] if t]
        if not hashes:
            raise Unauthenticated("sign in first")
        row = self._db.read().one(
            "SELECT s.username, h.role FROM sessions s LEFT JOIN hub_staff h ON h.username = s.username "
            f"WHERE s.token_hash IN ({', '.join('?' for _ in hashes)}) AND s.expires_at > ? "
            "ORDER BY s.created_at DESC LIMIT 1",
            [*hashes, clock.to_db(clock.now())],
        )
        if row is None:
            raise Unauthenticated("your session has ended; sign in again")
        return Dispatcher(row[0], row[1])

    def sign_out(self, token: str) -> None:
        """End a session."""
        with self._db.transaction() as tx:
            row = tx.one("SELECT username FROM sessions WHERE token_hash = ?", [_sha(token)])
            tx.execute("DELETE FROM sessions WHERE token_hash = ?", [_sha(token)])
            if row:
                log(tx, "signed_out", actor=row[0])


class StationDirectory:
    """The console's in-memory copy of who may send: station id -> (hash of the credential's secret, station).

    Loaded whole when the console starts (one query), kept current from the log (enrolments and revocations,
    which the console's watcher reads every half second; another process's ``revoke`` included), and filled
    on a miss from the database. A heartbeat or long poll of a known station then costs one SHA-256 and a
    dict lookup on the event loop: no thread, no database read. A revoked credential is refused from the
    watcher's next round (about half a second) on; a station the directory does not know yet is looked up in
    the database (the caller does that on a thread).
    """

    def __init__(self) -> None:
        self._by_id: dict[str, tuple[str, Station]] = {}
        self.loaded = False
        self.cursor = 0  # log seq up to which enrolments and revocations are applied

    def load(self, cursor: int, stations: dict[str, tuple[str, Station]]) -> None:
        """Replace the contents (at start, or after the log could not be followed)."""
        self._by_id = dict(stations)
        self.cursor = cursor
        self.loaded = True

    def apply(self, cursor: int, added: dict[str, tuple[str, Station]], revoked: set[str]) -> None:
        """Enrolments and revocations read from the log up to ``cursor``."""
        self._by_id.update(added)
        for station_id in revoked:
            self._by_id.pop(station_id, None)
        self.cursor = max(self.cursor, cursor)

    def add(self, secret_hash: str, station: Station) -> None:
        """A station verified against the database (a miss)."""
        self._by_id[station.station_id] = (secret_hash, station)

    def check(self, credential: str) -> Station | None:
        """The station of ``credential`` if the directory knows it; None if it cannot tell (ask the database).

        Raises Unauthenticated for a malformed credential, or a known station's id with a wrong secret.
        """
        parts = credential.strip().split("_")
        if len(parts) != 3 or parts[0] != CREDENTIAL_PREFIX or not parts[1] or not parts[2]:
            raise Unauthenticated("a station credential is required (Authorization: Bearer fdst_…)")
        hit = self._by_id.get(parts[1])
        if hit is None:
            return None
        if not hmac.compare_digest(hit[0], _sha(parts[2])):
            raise Unauthenticated("unknown station credential")
        return hit[1]

    @staticmethod
    def secret_hash(credential: str) -> str:
        """The stored form of a (well-formed) credential's secret."""
        return _sha(credential.strip().split("_")[2])

    def __len__(self) -> int:
        return len(self._by_id)
