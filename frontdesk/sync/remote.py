"""The school's other desks' visits, as this desk last pulled them from the hub (never the network here).

:class:`RemoteVisitStore` is what :class:`frontdesk.visits.service.VisitService` consults (``attach_remote``)
for the on-site list, the emergency roster, check-out by badge code and the "already on site" check. A
visit of another desk shows with that desk's name as its ``station`` and a negative id (it is not a row of
this desk's ``visits``). Checking one out here closes it at once in this copy and sends the check-out up
(the audit record goes through the outbox); the hub keeps the first check-out of a visit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from frontdesk import clock
from frontdesk.errors import ConflictError
from frontdesk.models import Category, Visit, Visitor
from frontdesk.store import Store
from frontdesk.text import normalize_badge_code
from frontdesk.visits.service import name_keys

if TYPE_CHECKING:
    from frontdesk.audit import AuditTrail

_COLUMNS = (
    "id, station_id, visit_id, station, name, dob, category, purpose, host, staff, badge_code, checked_in_at, "
    "checked_out_at"
)
_CATEGORIES = {c.value: c for c in Category}


def state_get(db, key: str, default: Any = None) -> Any:
    """One value of sync's own state (JSON), or ``default``."""
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else default


def state_set(db, key: str, value: Any) -> None:
    """Keep one value of sync's own state."""
    db.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, json.dumps(value)],
    )


def _visit(row: tuple) -> Visit:
    first, _, rest = row[4].partition(" ")
    visitor = Visitor(
        first_name=first,
        last_name=rest,
        dob=date.fromisoformat(row[5]) if row[5] else None,
    )
    return Visit(
        id=-int(row[0]),
        visitor=visitor,
        category=_CATEGORIES.get(row[6], Category.VISITOR),
        purpose=row[7],
        destination=row[8],
        time_in=clock.from_db(row[11]),  # type: ignore[arg-type]
        time_out=clock.from_db(row[12]),
        station=row[3] or "another desk",
        staff=row[9],
        badge_code=row[10],
    )


class RemoteVisitStore:
    """The other desks' visits in this desk's database; ``gaps`` says what may be missing while offline."""

    def __init__(self, store: Store, audit: AuditTrail, *, linked: Callable[[], bool], station: str = ""):
        self._store = store
        self._audit = audit
        self._linked = linked
        self._station = station

    def on_site(self) -> list[Visit]:
        rows = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM sync_remote_visits WHERE checked_out_at IS NULL ORDER BY checked_in_at"
        ).fetchall()
        return [_visit(r) for r in rows]

    def find(self, badge_code: str) -> Visit | None:
        code = normalize_badge_code(badge_code)
        row = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM sync_remote_visits WHERE badge_code = ? ORDER BY checked_out_at IS NULL DESC",
            [code],
        ).fetchone()
        return _visit(row) if row else None

    def check_out(self, visit: Visit, note: str, moment: datetime) -> Visit:
        """Close another desk's visit here (inside the caller's transaction) and record it (it goes up)."""
        db = self._store.db
        moment = max(moment, visit.time_in)  # never before the check-in (the other desk's clock may be ahead)
        row = db.execute(
            "SELECT station_id, visit_id FROM sync_remote_visits WHERE id = ?", [-visit.id]
        ).fetchone()
        cur = db.execute(
            "UPDATE sync_remote_visits SET checked_out_at = ?, checked_out_by = '' WHERE id = ? "
            "AND checked_out_at IS NULL",
            [clock.to_db(moment), -visit.id],
        )
        if cur.rowcount != 1:  # closed meanwhile by another program on this folder (or a pull): one check-out
            gone = self.find(visit.badge_code)
            when = f" at {gone.time_out.astimezone():%H:%M}" if gone and gone.time_out else ""
            raise ConflictError(
                f"{visit.visitor.full_name} was already checked out{when}", code="already_checked_out"
            )
        self._audit.record(
            None,
            "visit.check_out",
            f"hub visit {row[0]}/{row[1]}",
            {
                "hub_station_id": row[0],
                "hub_visit_id": row[1],
                "badge": visit.badge_code,
                "name": visit.visitor.full_name,
                "desk": visit.station,
                "note": note,
                "station": self._station,
            },
        )
        found = self.find(visit.badge_code)
        assert found is not None
        return found

    def open_visit_for(self, visitor: Visitor) -> Visit | None:
        name_key, _ = name_keys(visitor)
        row = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM sync_remote_visits WHERE name_key = ? AND dob IS ? "
            "AND checked_out_at IS NULL ORDER BY checked_in_at DESC LIMIT 1",
            [name_key, visitor.dob.isoformat() if visitor.dob else None],
        ).fetchone()
        return _visit(row) if row else None

    def gaps(self) -> str:
        """While the hub is out of reach: which desks' visitors the list may be missing, and since when."""
        if not self._linked():
            return ""
        db = self._store.db
        offline = state_get(db, "offline_since")
        if not offline:
            return ""
        me = state_get(db, "station_id", "")
        desks = [d.get("station", "") for d in state_get(db, "desks", []) if d.get("station_id") != me]
        who = ", ".join(d for d in desks if d) or "the school's other desks"
        last = state_get(db, "last_sync")
        if not last:
            return f"Not yet in step with the district hub: visitors checked in at {who} may be missing."
        since = clock.from_db(last)
        assert since is not None
        return (
            f"The district hub has been out of reach since {since.astimezone():%H:%M}: visitors checked in or "
            f"out at {who} since {since.astimezone():%H:%M} may be missing."
        )
