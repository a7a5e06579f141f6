"""The school's directory of staff and rooms, offered when a secretary types a destination or host."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frontdesk.access.roles import Action
from frontdesk.errors import InputError
from frontdesk.limits import SHORT_MAX, check_field
from frontdesk.models import DirectoryEntry
from frontdesk.store import Store

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.audit import AuditTrail


class Directory:
    """Lists, adds and completes staff and rooms (additions checked and audited when given a session)."""

    def __init__(self, store: Store, *, session: Session | None = None, audit: AuditTrail | None = None):
        self._store = store
        self._session = session
        self._audit = audit

    def add(self, name: str, kind: str = "staff", room: str = "") -> DirectoryEntry:
        """Add a staff member (with their room) or a room."""
        name = name.strip()
        if not name:
            raise InputError("A directory entry needs a name")
        if kind not in ("staff", "room"):
            raise InputError("kind must be 'staff' or 'room'")
        # Shown at the desk, the kiosk ("Check in to see …") and by `directory list` on a terminal, and made a
        # check-in's destination: the rules of every other field typed at the desk (session 22's roles red team
        # stored ESC[8m, which hid the lines after it on the terminal that listed it).
        check_field(name, "The directory entry's name", SHORT_MAX)
        check_field(room.strip(), "The room", SHORT_MAX)
        if self._session is not None:
            self._session.require(Action.EDIT_DIRECTORY)
        with self._store.transaction() as db:  # a check-in waiting behind bulk work gets in at once
            cur = db.execute(
                "INSERT INTO directory (kind, name, room) VALUES (?, ?, ?)", [kind, name, room.strip()]
            )
            if self._audit is not None:
                self._audit.record(None, "directory.add", name, {"kind": kind, "room": room.strip()})
        if self._audit is not None:
            self._audit.refresh_anchor()
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
