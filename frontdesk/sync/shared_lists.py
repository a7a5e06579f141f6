"""The school's own lists, shared between its desks (see :mod:`frontdesk.sync.shared`): an entry added, edited,
ended or removed at one desk is made at the others, filed in their screening index and audited there.

Only the school's own lists travel (a district list's copy is the hub's to change); an entry's photo stays at
the desk that has it. A list of the same name as a district copy at the desk that takes it goes into
"NAME (school)", never into the district's copy.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from frontdesk import clock
from frontdesk.errors import InputError
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.lists import (
    ENTRY_COLUMNS,
    ENTRY_FROM,
    INSERT_ENTRY,
    LIVE,
    checked,
    entry_from_row,
    entry_row,
    file_keys,
    parse_kind,
    unfile_keys,
)
from frontdesk.screening.models import Entry, Kind, NewEntry
from frontdesk.sync.shared import held, identity, remember, stamp, wins

WHAT = "entry"


def _entry(db, entry_id: int) -> Entry | None:
    row = db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE e.id = ? AND {LIVE}", [entry_id]).fetchone()
    return entry_from_row(row) if row else None


def _entry_id(record) -> int | None:
    subject = record.subject
    return int(subject[6:]) if subject.startswith("entry ") and subject[6:].isdigit() else None


def outgoing(db, record) -> dict[str, Any] | None:
    """The share of a change to an entry of the school's own lists (None for a district copy's)."""
    entry_id = _entry_id(record)
    if entry_id is None:
        return None
    if record.action == "list.remove":
        return {**stamp(db, WHAT, entry_id, gone=True), "removed": True, "source": record.details.get("list", "")}
    row = db.execute(
        "SELECT l.kind, l.origin FROM screening_entries e JOIN screening_lists l ON l.id = e.list_id "
        "WHERE e.id = ?",
        [entry_id],
    ).fetchone()
    entry = _entry(db, entry_id)
    if row is None or entry is None or row[1] == "district":
        return None
    return {
        **stamp(db, WHAT, entry_id),
        "removed": False,
        "source": entry.source,
        "list_kind": row[0],
        "entry": {
            "kind": entry.kind.value,
            "first_name": entry.first_name,
            "middle_name": entry.middle_name,
            "last_name": entry.last_name,
            "aliases": list(entry.aliases),
            "dob": entry.dob.text,
            "reason": entry.reason,
            "valid_from": entry.valid_from.isoformat() if entry.valid_from else None,
            "valid_until": entry.valid_until.isoformat() if entry.valid_until else None,
            "notes": entry.notes,
            "students": list(entry.students),
            "sex": entry.sex,
            "id_state": entry.id_state,
            "id_last4": entry.id_last4,
        },
    }


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name) or ""  # None: not given (a date of birth not known)
    if not isinstance(value, str):
        raise InputError(f"a shared entry's {name} must be text")
    return value


def _texts(fields: dict[str, Any], name: str) -> tuple[str, ...]:
    value = fields.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"a shared entry's {name} must be a list of text")
    return tuple(value)


def _day(fields: dict[str, Any], name: str) -> date | None:
    value = fields.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(f"a shared entry's {name} must be a date") from None


def _new_entry(share: dict[str, Any]) -> tuple[str, Kind, NewEntry]:
    """``(list, list kind, entry)`` of a share, checked as the desk checks an entry typed in."""
    fields = share.get("entry")
    if not isinstance(fields, dict):
        raise InputError("a shared entry carries its fields")
    source = _text(share, "source").strip()
    if not source:
        raise InputError("a shared entry names its list")
    new = NewEntry(
        first_name=_text(fields, "first_name"),
        middle_name=_text(fields, "middle_name"),
        last_name=_text(fields, "last_name"),
        aliases=_texts(fields, "aliases"),
        dob=parse_dob(_text(fields, "dob")),
        kind=parse_kind(_text(fields, "kind")),
        reason=_text(fields, "reason"),
        valid_from=_day(fields, "valid_from"),
        valid_until=_day(fields, "valid_until"),
        notes=_text(fields, "notes"),
        students=_texts(fields, "students"),
        sex=_text(fields, "sex"),
        id_state=_text(fields, "id_state"),
        id_last4=_text(fields, "id_last4"),
    )
    if not new.first_name.strip() or not new.last_name.strip():
        raise InputError("a shared entry needs a first and a last name")
    return source, parse_kind(_text(share, "list_kind")) or new.kind or Kind.BARRED, checked(new)


def _in_force(new: NewEntry, day: date) -> bool:
    return (new.valid_from is None or new.valid_from <= day) and (
        new.valid_until is None or day <= new.valid_until
    )


def _school_list(db, source: str, kind: Kind) -> int:
    """The id of the school's own list called ``source`` here (made if new; never a district copy)."""
    while True:
        row = db.execute(
            "SELECT id, origin FROM screening_lists WHERE source = ? AND state = 'live'", [source]
        ).fetchone()
        if row is None:
            cur = db.execute(
                "INSERT INTO screening_lists (source, kind, description) VALUES (?, ?, ?)",
                [source, kind.value, "shared by the school's desks"],
            )
            return cur.lastrowid
        if row[1] != "district":
            return row[0]
        source = f"{source} (school)"


def incoming(db, change: dict[str, Any], audit) -> str | None:
    """Make another desk's change to an entry of the school's lists here (see :mod:`frontdesk.sync.shared`)."""
    share = change["body"]["share"]
    uid, base, version = identity(share, f"{WHAT}:")
    removed = share.get("removed") is True
    today = clock.now().astimezone().date()
    new = source = kind = None
    if not removed:
        source, kind, new = _new_entry(share)
    local = held(db, uid)
    entry = _entry(db, local[0]) if local and local[0] is not None else None
    decision = wins(
        local,
        base,
        version,
        remote_safe=new is not None and _in_force(new, today),
        local_safe=entry is not None and entry.active_on(today),
    )
    if not decision:
        return None
    actor = f"{change['body'].get('actor') or 'staff'} at {change.get('station') or 'another desk'}"
    shared_by = {"from_desk": change.get("station", ""), "hub_change": change.get("hub_seq")}
    if new is None:
        if entry is not None:
            was = audit.content_hash("screening_entries", entry.id)
            unfile_keys(db, entry)
            db.execute("DELETE FROM screening_entries WHERE id = ?", [entry.id])
            details = {"list": entry.source, "name": entry.full_name, **shared_by}
            audit.record(
                actor, "list.remove", f"entry {entry.id}", details, covers=("screening_entries", entry.id), was=was
            )
        remember(db, uid, WHAT, None, version)
        return f"removed {entry.full_name}" if entry else None
    list_id = _school_list(db, source, kind)  # type: ignore[arg-type]
    row = entry_row(list_id, new.kind or kind, new)  # type: ignore[arg-type]
    if entry is not None:
        was = audit.content_hash("screening_entries", entry.id)
        unfile_keys(db, entry)
        db.execute(
            "UPDATE screening_entries SET list_id = ?, kind = ?, first_name = ?, middle_name = ?, last_name = ?, "
            "aliases = ?, dob = ?, reason = ?, valid_from = ?, valid_until = ?, notes = ?, students = ?, "
            "photo = coalesce(?, photo), search = ?, sex = ?, id_state = ?, id_last4 = ? WHERE id = ?",
            [*row, entry.id],
        )
        entry_id, action = entry.id, "list.update"
    else:
        was = None
        entry_id, action = db.execute(INSERT_ENTRY, [None, *row]).lastrowid, "list.add"
    stored = _entry(db, entry_id)
    assert stored is not None
    file_keys(db, stored)
    details = {"list": stored.source, "name": stored.full_name, **shared_by}
    audit.record(actor, action, f"entry {entry_id}", details, covers=("screening_entries", entry_id), was=was)
    remember(db, uid, WHAT, entry_id, version)
    return f"{action} {stored.full_name}"
