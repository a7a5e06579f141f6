"""What the live screen reads: the board (incidents, stations, school states), the history, change marks.

A mixin of :class:`~district.console.service.ConsoleService` (reads only; no writes here).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from district import clock
from district.console.auth import STATION_COLUMNS, Station, station_from_row
from district.console.db import Database
from district.errors import NotFoundError


def iso(moment: datetime | None) -> str | None:
    """A time as ISO 8601 with its offset (what the protocol's JSON carries)."""
    return moment.isoformat(timespec="milliseconds") if moment else None


class BoardViews:
    """Read-side queries of the console (needs ``db``, ``name``, ``offline_after``, ``escalate_after``)."""

    db: Database
    name: str
    offline_after: float
    escalate_after: float

    def stations(self) -> list[Station]:
        """Every enrolled (not revoked) station, by school and name."""
        rows = self.db.read().all(
            f"SELECT {STATION_COLUMNS} FROM stations WHERE revoked_at IS NULL ORDER BY school, name"
        )
        return [station_from_row(r, self.offline_after) for r in rows]

    def marks(self) -> tuple[int, int]:
        """The newest sequence numbers of ``log`` and ``inbox`` (they change whenever anything changes)."""
        read = self.db.read()
        a = read.one("SELECT COALESCE(MAX(seq), 0) FROM log")
        b = read.one("SELECT COALESCE(MAX(seq), 0) FROM inbox")
        return int(a[0]) if a else 0, int(b[0]) if b else 0

    def inbox_marks_after(self, seq: int) -> tuple[int, dict[str, int]]:
        """The newest inbox seq, and the newest seq of each station with inbox messages after ``seq``."""
        rows = self.db.read().all(
            "SELECT station_id, MAX(seq) FROM inbox WHERE seq > ? GROUP BY station_id", [seq]
        )
        marks = {r[0]: int(r[1]) for r in rows}
        return max([seq, *marks.values()]), marks

    def board(self, recent_hours: float = 24, limit: int = 100) -> dict[str, Any]:
        """Everything the live screen shows: incidents (open, and recent), stations, school states."""
        read = self.db.read()
        now = clock.now()
        since = clock.to_db(now - timedelta(hours=recent_hours))
        incidents = read.all(
            "SELECT i.id, i.station_id, i.school, i.action, i.status, i.opened_at, i.last_at, i.cleared_at "
            "FROM incidents i WHERE i.cleared_at IS NULL OR i.last_at >= ? ORDER BY i.last_at DESC LIMIT ?",
            [since, limit],
        )
        by_id: dict[int, dict[str, Any]] = {}
        for r in incidents:
            by_id[r[0]] = {
                "id": r[0],
                "station_id": r[1],
                "school": r[2],
                "action": r[3],
                "status": r[4],
                "opened_at": iso(clock.from_db(r[5])),
                "last_at": iso(clock.from_db(r[6])),
                "cleared_at": iso(clock.from_db(r[7])),
                "messages": [],
            }
        if by_id:
            marks = ", ".join("?" for _ in by_id)
            for a in read.all(
                "SELECT incident_id, identifier, station_id, msg_type, status, action, summary, received_at, "
                f"received_by, acked_by, acked_at, escalated_at FROM alerts WHERE incident_id IN ({marks}) "
                "ORDER BY seq",
                list(by_id),
            ):
                by_id[a[0]]["messages"].append(
                    {
                        "identifier": a[1],
                        "station_id": a[2],
                        "msg_type": a[3],
                        "status": a[4],
                        "action": a[5],
                        **json.loads(a[6]),
                        "received_at": iso(clock.from_db(a[7])),
                        "received_by": a[8],
                        "acked_by": a[9],
                        "acked_at": iso(clock.from_db(a[10])),
                        "escalated_at": iso(clock.from_db(a[11])),
                    }
                )
        for inc in by_id.values():
            inc["unacknowledged"] = sum(1 for m in inc["messages"] if not m["acked_by"])
        states = [
            {
                "school": r[0],
                "state": r[1],
                "note": r[2],
                "set_by": r[3],
                "set_at": iso(clock.from_db(r[4])),
                "exercise": bool(r[5]),
            }
            for r in read.all(
                "SELECT school, state, note, set_by, set_at, exercise FROM school_states ORDER BY school"
            )
        ]
        stations = [
            {
                "station_id": s.station_id,
                "school": s.school,
                "name": s.name,
                "room": s.room,
                "location": s.where.as_dict(),
                "last_seen": iso(s.last_seen),
                "onsite": s.onsite,
                "online": s.online,
            }
            for s in self.stations()
        ]
        return {
            "server_time": iso(now),
            "console": self.name,
            "incidents": list(by_id.values()),
            "stations": stations,
            "states": states,
            "offline_after": self.offline_after,
            "escalate_after": self.escalate_after,
        }

    def history(self, limit: int = 200, before: int | None = None) -> list[dict[str, Any]]:
        """The append-only log, newest first."""
        sql = "SELECT seq, at, kind, actor, station_id, identifier, detail FROM log"
        params: list[Any] = []
        if before is not None:
            sql += " WHERE seq < ?"
            params.append(before)
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(min(int(limit), 1000))
        return [
            {
                "seq": r[0],
                "at": iso(clock.from_db(r[1])),
                "kind": r[2],
                "actor": r[3],
                "station_id": r[4],
                "identifier": r[5],
                "detail": json.loads(r[6] or "{}"),
            }
            for r in self.db.read().all(sql, params)
        ]

    def alert_xml(self, identifier: str) -> str:
        """The CAP XML of a stored message, exactly as received."""
        row = self.db.read().one("SELECT xml FROM alerts WHERE identifier = ?", [identifier])
        if row is None:
            raise NotFoundError(f"No alert {identifier}")
        return row[0]
