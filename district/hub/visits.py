"""The district's view of visits: on site now per school, a day's log, a search across the district.

Reads ``hub_visits`` (one row per visit of any desk, kept by the hub's sync, ``district/hub/sync.py``) and
the stations' sync state (``hub_desks``). Times are stored as UTC strings; a day is the hub machine's local
calendar day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from district import clock
from district.console.db import Database
from district.errors import InputError
from district.hub.text import ESCAPE, contains
from frontdesk.wire import sync as wire

LOG_PAGE = 5_000  # rows per read of a day's log

COLUMNS = (
    "v.school, COALESCE(s.name, v.station_id), v.station_id, v.visit_id, v.name, v.category, v.purpose, v.host, "
    "v.badge_code, v.checked_in_at, v.checked_out_at, COALESCE(o.name, v.checked_out_by)"
)
FROM = (
    "FROM hub_visits v LEFT JOIN stations s ON s.station_id = v.station_id "
    "LEFT JOIN stations o ON o.station_id = v.checked_out_by"
)
KEYS = (
    "school",
    "station",
    "station_id",
    "visit_id",
    "name",
    "category",
    "purpose",
    "host",
    "badge_code",
    "checked_in_at",
    "checked_out_at",
    "checked_out_by",
)
# Formula-safe CSV (CSV injection): the desk's rule (frontdesk.text.spreadsheet_safe), which the district may
# not import; tests check the two agree.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A cell a spreadsheet shows as text: a string beginning ``= + - @``, tab or CR gets a ``'`` first."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def zone_of(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``America/New_York``), or InputError in words."""
    try:
        if not 0 < len(name) <= 64:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InputError(f"unknown time zone {name[:64]!r} (a name like America/New_York)") from None


def day_bounds(day: date, zone: tzinfo | None = None) -> tuple[str, str]:
    """The stored UTC strings of the start of ``day`` and of the next day, in ``zone`` (default: the hub's
    machine's local calendar; a hub on UTC serving a New York school is asked for the school's day).

    Each midnight is placed in the calendar on its own: a day the clocks change is 23 or 25 hours long, and
    ``start + 1 day`` (a fixed offset) ended it an hour off, so a visit fell in two days' logs or in none."""
    if zone is None:
        start = datetime.combine(day, time()).astimezone()
        end = datetime.combine(day + timedelta(days=1), time()).astimezone()
    else:
        start = datetime.combine(day, time(), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return clock.to_db(start), clock.to_db(end)


def _row(r: tuple) -> dict:
    return dict(zip(KEYS, r, strict=True))


class HubVisits:
    """Read-only queries over the visits the desks sent up."""

    def __init__(self, db: Database):
        self._db = db

    def onsite(self, school: str) -> list[dict]:
        """Everyone checked in and not out at ``school`` (every desk), earliest first."""
        rows = self._db.read().all(
            f"SELECT {COLUMNS} {FROM} WHERE v.school = ? AND v.checked_out_at IS NULL ORDER BY v.checked_in_at",
            [school],
        )
        return [_row(r) for r in rows]

    def log(self, day: date, school: str | None = None, zone: tzinfo | None = None) -> list[dict]:
        """Every visit checked in on ``day`` (of ``school``, or the whole district; the day in ``zone``, default
        the hub's), in order."""
        return list(self.log_rows(day, school, zone=zone))

    def log_rows(
        self, day: date, school: str | None = None, page: int = LOG_PAGE, zone: tzinfo | None = None
    ) -> Iterator[dict]:
        """The same, as it is read: ``page`` rows per query (each a short read, in the order of the
        ``(checked_in_at, station_id, visit_id)`` key), so a district's busiest day streams whole."""
        start, end = day_bounds(day, zone)
        after: tuple | None = None
        while True:
            sql = f"SELECT {COLUMNS} {FROM} WHERE v.checked_in_at >= ? AND v.checked_in_at < ?"
            params: list = [start, end]
            if school:
                sql += " AND v.school = ?"
                params.append(school)
            if after is not None:
                sql += (
                    " AND (v.checked_in_at > ? OR (v.checked_in_at = ? AND (v.station_id > ? "
                    "OR (v.station_id = ? AND v.visit_id > ?))))"
                )
                params += [after[0], after[0], after[1], after[1], after[2]]
            sql += " ORDER BY v.checked_in_at, v.station_id, v.visit_id LIMIT ?"
            params.append(page)
            rows = self._db.read().all(sql, params)
            for r in rows:
                yield _row(r)
            if len(rows) < page:
                return
            last = rows[-1]
            after = (last[9], last[2], last[3])

    def search(
        self,
        text: str = "",
        day: date | None = None,
        school: str | None = None,
        limit: int = 200,
        zone: tzinfo | None = None,
    ) -> list:
        """Visits whose visitor's name, host, purpose or badge contain every word of ``text``, newest first
        (``day`` in ``zone``, default the hub's)."""
        sql = f"SELECT {COLUMNS} {FROM} WHERE 1 = 1"
        params: list = []
        for word in text.lower().split()[:5]:
            like = "LIKE ?" + ESCAPE
            sql += (
                f" AND (lower(v.name) {like} OR lower(v.host) {like} OR lower(v.purpose) {like} "
                f"OR lower(v.badge_code) {like})"
            )
            params += [contains(word)] * 4
        if day is not None:
            start, end = day_bounds(day, zone)
            sql += " AND v.checked_in_at >= ? AND v.checked_in_at < ?"
            params += [start, end]
        if school:
            sql += " AND v.school = ?"
            params.append(school)
        sql += " ORDER BY v.checked_in_at DESC LIMIT ?"
        params.append(max(1, min(limit, 1000)))
        return [_row(r) for r in self._db.read().all(sql, params)]

    def schools(self, offline_after: float = 90) -> list[dict]:
        """Each school with its desks: online, last seen, last push and pull, and how many are on site; and each
        desk's ``takes`` (the level of the school's shared records its last pull said it takes; None: not pulled
        since the hub knew) and ``older`` (for a desk whose level misses some of them, the sentence that says so,
        when it last synced and what to do; else ""). A school's ``older`` lists those sentences."""
        read = self._db.read()
        desks = read.all(
            "SELECT s.school, s.station_id, s.name, s.last_seen, d.last_seq, d.last_push_at, d.last_pull_at, "
            "d.takes FROM stations s LEFT JOIN hub_desks d ON d.station_id = s.station_id "
            "WHERE s.revoked_at IS NULL ORDER BY s.school, s.name"
        )
        onsite = dict(
            read.all("SELECT school, count(*) FROM hub_visits WHERE checked_out_at IS NULL GROUP BY school")
        )
        now = clock.now()
        schools: dict[str, dict] = {}
        for school, station_id, name, last_seen, last_seq, push_at, pull_at, takes in desks:
            # Heard from lately: a heartbeat (dispatch) or a sync push or pull, whichever is newest.
            heard = [t for t in (last_seen, push_at, pull_at) if t]
            seen = clock.from_db(max(heard)) if heard else None
            entry = schools.setdefault(
                school, {"school": school, "onsite": int(onsite.get(school, 0)), "desks": [], "older": []}
            )
            missed = wire.kinds_missed(int(takes)) if takes is not None else ()
            synced = [t for t in (push_at, pull_at) if t]  # a forgotten PC or one in use: said with the words
            older = (
                wire.older_desk_words(name, missed, clock.from_db(max(synced)) if synced else None, now)
                if missed
                else ""
            )
            if older:
                entry["older"].append(older)
            entry["desks"].append(
                {
                    "station_id": station_id,
                    "station": name,
                    "online": seen is not None and (now - seen).total_seconds() < offline_after,
                    "last_seen": last_seen,
                    "last_seq": int(last_seq or 0),
                    "last_push_at": push_at,
                    "last_pull_at": pull_at,
                    "takes": int(takes) if takes is not None else None,
                    "older": older,
                }
            )
        return list(schools.values())
