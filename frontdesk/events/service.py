"""The event log: device and delivery problems (and recoveries) that the user can see."""

from __future__ import annotations

from frontdesk import clock
from frontdesk.models import Event
from frontdesk.store import Store

LEVELS = ("info", "warning", "error")


class EventLog:
    """Records events and lists the recent ones."""

    def __init__(self, store: Store):
        self._store = store

    def record(self, source: str, level: str, message: str, *, wait: float | None = None) -> Event:
        """Append an event (committed at once) and return it.

        ``wait``: the most seconds to wait for another writer (default: the store's usual patience); past it,
        the store's busy error is raised and nothing is written.
        """
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}")
        moment = clock.now()
        with self._store.transaction(wait=wait) as db:  # joins a transaction already open (a press's side records)
            cur = db.execute(
                "INSERT INTO events (time, source, level, message) VALUES (?, ?, ?, ?)",
                [clock.to_db(moment), source, level, message],
            )
        return Event(cur.lastrowid, moment, source, level, message)

    def recent(self, limit: int = 200, source: str | None = None) -> list[Event]:
        """The newest events first."""
        sql = "SELECT id, time, source, level, message FROM events"
        params: list[object] = []
        if source:
            sql += " WHERE source = ?"
            params.append(source)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return [
            Event(r[0], clock.from_db(r[1]), r[2], r[3], r[4])  # type: ignore[arg-type]
            for r in self._store.db.execute(sql, params).fetchall()
        ]
