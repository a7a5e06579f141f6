"""The outbox: every audited change becomes a numbered entry going up to the hub, in the change's transaction.

Every change the desk makes is recorded in the audit trail in the same transaction (check-in, check-out,
screening decision, badge print, a school list change, …), so the trail is the one place they all pass:
:meth:`Outbox.capture` listens there (``AuditTrail.add_listener``) and writes the outbox entry beside the
record. Nothing is lost between the change and its way up, and nothing goes up that was rolled back.
A check-in carries its visit (for the school's on-site list); a check-out names the visit it closes, at this
desk or (``hub_station_id`` in the record) at another; a change to the school's own records carries what the
school's other desks need to make it too (``share``: :mod:`frontdesk.sync.shared`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

from frontdesk import clock
from frontdesk.audit import AuditRecord
from frontdesk.models import Visit
from frontdesk.settings import DISPATCH_URL
from frontdesk.sync.shared import Shared
from frontdesk.visits.service import name_keys
from frontdesk.wire.sync import CHECK_OUT_KINDS

_VISIT_SQL = (
    "SELECT v.id, p.first_name, p.middle_name, p.last_name, p.suffix, p.name_key, p.dob, v.category, v.purpose, "
    "v.destination, v.staff, v.badge_code, v.time_in, v.time_out FROM visits v JOIN people p ON p.id = v.person_id"
)
# Sync's own bookkeeping does not go up. (What came down from the hub is written under
# ``AuditTrail.from_hub``, so this listener is not told of it at all.)
SKIPPED = ("sync.",)
_LINKED = "sync.linked"  # the key of "linked to a hub" in a write transaction's memo (see Outbox.linked)


def _dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)


def _visit_body(row: tuple) -> dict[str, Any]:
    name = " ".join(p for p in (row[1], row[2], row[3], row[4]) if p)
    return {
        "visit_id": row[0],
        "name": name,
        "name_key": row[5] or "",
        "dob": row[6],
        "category": row[7],
        "purpose": row[8] or "",
        "host": row[9] or "",
        "staff": row[10] or "",
        "badge_code": row[11],
        "checked_in_at": row[12],
        "checked_out_at": row[13],
    }


def _model_body(visit: Visit) -> dict[str, Any]:
    """The same as :func:`_visit_body`, from the visit the check-in already holds."""
    person = visit.visitor
    return {
        "visit_id": visit.id,
        "name": person.full_name,
        "name_key": name_keys(person)[0],
        "dob": person.dob.isoformat() if person.dob else None,
        "category": visit.category.value,
        "purpose": visit.purpose or "",
        "host": visit.destination or "",
        "staff": visit.staff or "",
        "badge_code": visit.badge_code,
        "checked_in_at": clock.to_db(visit.time_in),
        "checked_out_at": clock.to_db(visit.time_out) if visit.time_out else None,
    }


def to_hub(db, visit_id: int) -> int:
    """The id the hub knows this desk's visit by: its own, unless shifted after a restore (see
    :func:`from_hub`). ``sync_state.visit_shifts`` is a list of ``[from, delta]``, oldest first."""
    row = db.execute("SELECT value FROM sync_state WHERE key = 'visit_shifts'").fetchone()
    for start, delta in reversed(json.loads(row[0]) if row else []):
        if visit_id >= start:
            return visit_id + delta
    return visit_id


def from_hub(db, hub_id: int) -> int | None:
    """This desk's visit the hub knows as ``hub_id``; None for one it no longer has (made after the backup
    this desk was restored from: the hub keeps it, the desk's ids were given again to new visits)."""
    row = db.execute("SELECT value FROM sync_state WHERE key = 'visit_shifts'").fetchone()
    shifts = json.loads(row[0]) if row else []
    for candidate in (hub_id, *(hub_id - delta for _, delta in shifts)):
        if candidate > 0 and to_hub(db, candidate) == hub_id:
            return candidate
    return None


def check_in_change(db, row: tuple) -> tuple[str, str, str, str]:
    """``(kind, subject, made_at, body)`` of the check-in of the visit ``row`` (of :data:`_VISIT_SQL`) as it is
    now, under the id the hub knows it by: a closed one carries its check-out time."""
    body = _visit_body(row)
    body["visit_id"] = to_hub(db, row[0])
    return "visit.check_in", f"visit {row[0]}", row[12], _dumps({"visit": body})


def open_visit_changes(db) -> Iterator[tuple[str, str, str, str]]:
    """``(kind, subject, made_at, body)`` of a check-in for each visit still open (sync's first start)."""
    for row in db.execute(f"{_VISIT_SQL} WHERE v.time_out IS NULL ORDER BY v.id").fetchall():
        yield check_in_change(db, row)


def queue_open_visits(db) -> int:
    """Queue a check-in for each visit still open (the desk was just linked to a hub: the school's list
    must have them too); returns how many."""
    changes = list(open_visit_changes(db))
    db.conn.executemany("INSERT INTO sync_outbox (kind, subject, made_at, body) VALUES (?, ?, ?, ?)", changes)
    return len(changes)


def is_linked(db) -> bool:
    """True once this desk has a hub address (``dispatch connect`` sets it), read in ``db``'s transaction."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [DISPATCH_URL.key]).fetchone()
    return bool(row and json.loads(row[0]))


def _visit_id(record: AuditRecord) -> int | None:
    row = record.details.get("row")
    if isinstance(row, str) and row.startswith("visits:") and row[7:].isdigit():
        return int(row[7:])
    subject = record.subject
    if subject.startswith("visit ") and subject[6:].isdigit():
        return int(subject[6:])
    return None


class Outbox:
    """Writes the outbox entry of each audit record once the desk is linked to a hub, and wakes whoever
    pushes. A desk never connected to a hub keeps no outbox: what it did before the link does not go up,
    except the visits still open at that moment (queued by the link's own record, so the school's list
    has them)."""

    def __init__(self, shared: Shared | None = None) -> None:
        self.nudge = threading.Event()  # set after each entry: the pusher goes at once
        self._linked = False  # seen linked in this process (a link is rarely undone: then read each time)
        # The school's own records shared with its other desks (frontdesk.sync.shared): a change of one of its
        # kinds carries its "share" up.
        self.shared = shared or Shared()

    def linked(self, db) -> bool:
        """True when this desk is linked to a hub (read from ``db`` until seen once).

        Not linked yet: read once per write transaction the store opened (a check-in's two records ask
        twice), kept in its memo, since no other program can link the desk while this one holds the lock.
        """
        if self._linked:
            return True
        memo = getattr(db, "tx_memo", None)
        if memo is not None and _LINKED in memo:
            return memo[_LINKED]
        self._linked = is_linked(db)
        if memo is not None:
            memo[_LINKED] = self._linked
        return self._linked

    def capture(self, db, record: AuditRecord) -> None:
        """The audit listener: one outbox entry for ``record``, in its transaction (once linked)."""
        if record.action.startswith(SKIPPED):
            return
        if record.action == "settings.change" and record.subject == DISPATCH_URL.key:
            was, now = record.details.get("old"), record.details.get("new")
            self._linked = bool(now)
            if getattr(db, "tx_memo", None) is not None:
                db.tx_memo[_LINKED] = self._linked
            if now and not was:  # just linked (``dispatch connect``): who is on site goes up first
                queue_open_visits(db)
        if not self.linked(db):
            return
        kind, body = record.action, None
        made_at = clock.to_db(record.time)
        if kind == "backup.restored":  # the numbers the hub holds may run ahead now: push before pulling
            # ... and take this desk's own visits back once (pull_own): those made after the backup are
            # gone here but on site (or closed) at the hub.
            db.execute(
                "INSERT INTO sync_state (key, value) VALUES ('restored', 'true'), ('pull_own', 'true') "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
            )
        about = record.about if isinstance(record.about, Visit) else None
        if kind == "visit.check_in":
            if about is not None:  # the visit as the check-in wrote it: not read again
                body = {"visit": _model_body(about)}
                body["visit"]["visit_id"] = to_hub(db, about.id)
            else:
                visit_id = _visit_id(record)
                row = db.execute(f"{_VISIT_SQL} WHERE v.id = ?", [visit_id]).fetchone() if visit_id else None
                if row is not None:
                    body = {"visit": _visit_body(row)}
                    body["visit"]["visit_id"] = to_hub(db, row[0])
        elif kind in CHECK_OUT_KINDS:
            remote = record.details.get("hub_station_id")
            if remote:
                body = {
                    "station_id": remote,
                    "visit_id": int(record.details["hub_visit_id"]),
                    "checked_out_at": made_at,
                }
            elif about is not None and about.time_out is not None:  # as the check-out wrote it
                body = {
                    "station_id": "",
                    "visit_id": to_hub(db, about.id),
                    "checked_out_at": clock.to_db(about.time_out),
                }
            else:
                visit_id = _visit_id(record)
                row = (
                    db.execute("SELECT time_out FROM visits WHERE id = ?", [visit_id]).fetchone()
                    if visit_id
                    else None
                )
                if row is not None and row[0]:
                    body = {"station_id": "", "visit_id": to_hub(db, visit_id), "checked_out_at": row[0]}
        bodies = [body]
        if body is None:
            body = {"actor": record.actor, "details": record.details}
            share = self.shared.outgoing(db, record)
            if isinstance(share, list):  # an import or a list removed: one change per part, in order
                bodies = [{**body, "share": part} for part in share] or [body]
            else:
                bodies = [{**body, "share": share} if share is not None else body]
        db.conn.executemany(
            "INSERT INTO sync_outbox (kind, subject, made_at, body) VALUES (?, ?, ?, ?)",
            [(kind, record.subject, made_at, _dumps(b)) for b in bodies],
        )
        self.nudge.set()
