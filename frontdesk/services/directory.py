"""The school's directory of staff and rooms, offered when a secretary types a destination or host."""

from __future__ import annotations

from frontdesk.errors import InputError
from frontdesk.models import DirectoryEntry
from frontdesk.store import Store


class Directory:
    """Lists, adds and completes staff and rooms."""

    def __init__(self, store: Store):
        self._store = store

    def add(self, name: str, kind: str = "staff", room: str = "") -> DirectoryEntry:
        """Add a staff member (with their room) or a room."""
        name = name.strip()
        if not name:
            raise InputError("A directory entry needs a name")
        if kind not in ("staff", "room"):
            raise InputError("kind must be 'staff' or 'room'")
        db = self._store.db
        with db.conn:
            cur = db.execute(
                "INSERT INTO directory (kind, name, room) VALUES (?, ?, ?)", [kind, name, room.strip()]
            )
        return DirectoryEntry(cur.lastrowid, name, kind, room.strip())

    def all(self) -> list[DirectoryEntry]:
        """Every entry, staff first, by name."""
        rows = self._store.db.execute(
            "SELECT id, name, kind, room FROM directory ORDER BY kind DESC, name COLLATE NOCASE"
        ).fetchall()
        return [DirectoryEntry(*r) for r in rows]

    def labels(self) -> list[str]:
        """The strings offered for completion ("Ms Rivera (Room 12)", "Gym")."""
        return [e.label for e in self.all()]
