"""The school's own lists, shared between its desks (see :mod:`frontdesk.sync.shared`): an entry added, edited,
ended or removed at one desk is made at the others, filed in their screening index and audited there.

Only the school's own lists travel (a district list's copy is the hub's to change); an entry's photo stays at
the desk that has it. A list of the same name as a district copy at the desk that takes it goes into
"NAME (school)", never into the district's copy.
"""

from __future__ import annotations

import json
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
    entry_fields,
    entry_from_row,
    entry_row,
    file_keys,
    parse_kind,
    unfile_keys,
)
from frontdesk.screening.models import Entry, Kind, NewEntry
from frontdesk.sync.shared import content_uid, held, identity, new_token, remember, stamp, uid_of, wins

WHAT = "entry"
PART = 100  # entries per change of an import or a list removed (some 50 KB: under the wire's 64 KiB a change)
SHARE_MAX = 10_000  # an import larger than this is not shared (a registry is the district's: its hub lists)


def _entry(db, entry_id: int) -> Entry | None:
    row = db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE e.id = ? AND {LIVE}", [entry_id]).fetchone()
    return entry_from_row(row) if row else None


def _entry_id(record) -> int | None:
    subject = record.subject
    return int(subject[6:]) if subject.startswith("entry ") and subject[6:].isdigit() else None


_RAW_COLUMNS = (
    "id, kind, first_name, middle_name, last_name, aliases, dob, reason, valid_from, valid_until, notes, "
    "students, sex, id_state, id_last4"
)


def _raw_fields(row: tuple) -> dict[str, Any]:
    """``entry_fields`` from a row of :data:`_RAW_COLUMNS`, as stored (an import's many: no Entry made)."""
    return {
        "kind": row[1],
        "first_name": row[2],
        "middle_name": row[3],
        "last_name": row[4],
        "aliases": json.loads(row[5]) if row[5] else [],
        "dob": row[6],
        "reason": row[7],
        "valid_from": row[8],
        "valid_until": row[9],
        "notes": row[10],
        "students": json.loads(row[11]) if row[11] else [],
        "sex": row[12] or "",
        "id_state": row[13] or "",
        "id_last4": row[14] or "",
    }


def outgoing(db, record) -> dict[str, Any] | list[dict[str, Any]] | None:
    """The share of a change to the school's own lists (None for a district copy's): one entry's, or for an
    import or a whole list removed, its parts (:func:`_whole_list_out`)."""
    if record.action in ("list.import", "list.remove_source"):
        return _whole_list_out(db, record)
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
        "entry": entry_fields(entry),
    }


def _whole_list_out(db, record) -> list[dict[str, Any]] | None:
    """An import (its new entries, then the ones it replaced) or a list removed (its entries), in parts of
    :data:`PART` entries: each part is one change of the same kind, and each entry in it is made at the other
    desks as one entry's change is. New entries come first, so while the parts arrive a desk screens against the
    old entries and the new ones together, never fewer. Only entries the other desks know (by a uid) can be
    removed there: those made here before the desks shared their lists stay at the other desks (the safe side).
    An import of more than :data:`SHARE_MAX` entries is not shared (the others are told: import it there too)."""
    source = record.subject
    token = new_token()
    live = db.execute(
        "SELECT id, kind, origin FROM screening_lists WHERE source = ? AND state = 'live'", [source]
    ).fetchone()
    items: list[dict[str, Any]] = []
    if record.action == "list.import":
        if live is None or live[2] == "district":
            return None
        count = db.execute("SELECT count(*) FROM screening_entries WHERE list_id = ?", [live[0]]).fetchone()[0]
        if count > SHARE_MAX:
            return [{"list": token, "part": 1, "of": 1, "source": source, "too_large": count, "items": []}]
        # Inside the import's swap (the write lock is held): read as stored, remembered in one statement.
        remembered = []
        # An entry the other desks know already (one added to the list while a replace was built, kept by it:
        # frontdesk.screening.importer) keeps its uid and is not sent again.
        for row in db.execute(
            f"SELECT {_RAW_COLUMNS} FROM screening_entries e WHERE list_id = ? AND NOT EXISTS (SELECT 1 FROM "
            "sync_shared s WHERE s.what = ? AND s.local_id = e.id) ORDER BY id",
            [live[0], WHAT],
        ):
            uid, version = f"{WHAT}:{new_token()}{new_token()}", new_token()
            remembered.append((uid, WHAT, row[0], version))
            items.append({"uid": uid, "base": "", "version": version, "removed": False, "entry": _raw_fields(row)})
        db.conn.executemany(
            "INSERT INTO sync_shared (uid, what, local_id, version) VALUES (?, ?, ?, ?)", remembered
        )
    # The entries this change took out of force (an import's replaced list, or the list removed), those the other
    # desks know: in a list retired in this very transaction, still there until purged.
    gone = db.execute(
        "SELECT s.uid, s.version FROM screening_entries e JOIN screening_lists l ON l.id = e.list_id "
        "JOIN sync_shared s ON s.what = ? AND s.local_id = e.id "
        "WHERE l.state = 'retired' AND l.origin = '' AND l.source LIKE ? ESCAPE '\\' ORDER BY e.id",
        [WHAT, source.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + " (retired %"],
    ).fetchall()
    versions = [(uid, base, new_token()) for uid, base in gone]
    db.conn.executemany(
        "UPDATE sync_shared SET local_id = NULL, version = ? WHERE uid = ?", [(v, u) for u, _, v in versions]
    )
    items.extend(
        {"uid": uid, "base": base, "version": version, "removed": True} for uid, base, version in versions
    )
    kind = live[1] if live is not None else Kind.BARRED.value
    parts = [items[at : at + PART] for at in range(0, len(items), PART)] or [[]]
    return [
        {"list": token, "part": n, "of": len(parts), "source": source, "list_kind": kind, "items": part}
        for n, part in enumerate(parts, 1)
    ]


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
    """Make another desk's change to the school's lists here (see :mod:`frontdesk.sync.shared`): one entry's,
    or one part of an import or a list removed (each of its entries as one entry's change)."""
    share = change["body"]["share"]
    actor = f"{change['body'].get('actor') or 'staff'} at {change.get('station') or 'another desk'}"
    shared_by = {"from_desk": change.get("station", ""), "hub_change": change.get("hub_seq")}
    if change["kind"] not in ("list.import", "list.remove_source"):
        return _entry_in(db, share, share, audit, actor, shared_by)
    if "too_large" in share:
        raise InputError(
            f"an import of {share['too_large']} entries into {share.get('source')!r} at "
            f"{change.get('station') or 'another desk'} is too large to share: import the same file at this desk"
        )
    items = share.get("items")
    if not isinstance(items, list):
        raise InputError("a shared list change carries its entries")
    made = [_entry_in(db, item, share, audit, actor, shared_by) for item in items if isinstance(item, dict)]
    if change["kind"] == "list.remove_source" and share.get("part") == share.get("of"):
        # The whole list went at that desk: here too once nothing is left in it (an entry this desk added
        # meanwhile, which that desk had not seen, keeps it: the safe side).
        row = db.execute(
            "SELECT l.id, (SELECT count(*) FROM screening_entries e WHERE e.list_id = l.id) "
            "FROM screening_lists l WHERE l.source = ? AND l.state = 'live' AND l.origin = ''",
            [share.get("source")],
        ).fetchone()
        if row is not None and row[1] == 0:
            db.execute("DELETE FROM screening_lists WHERE id = ?", [row[0]])
            audit.record(actor, "list.remove_source", share.get("source"), {"entries": 0, **shared_by})
            made.append("list removed")
    return f"{sum(1 for m in made if m)} changes" if any(made) else None


def _entry_in(db, item: dict[str, Any], share: dict[str, Any], audit, actor: str, shared_by: dict) -> str | None:
    """One entry's change (``item``: uid, base, version, removed, entry) into the list ``share`` names."""
    uid, base, version = identity(item, f"{WHAT}:")
    removed = item.get("removed") is True
    today = clock.now().astimezone().date()
    new = source = kind = None
    if not removed:
        source, kind, new = _new_entry(
            {**item, "source": share.get("source"), "list_kind": share.get("list_kind")}
        )
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


def _shareable_lists(db) -> list[tuple[int, str, str]]:
    """``(id, source, kind)`` of each of the school's own lists in force here that is shared (at most
    :data:`SHARE_MAX` entries: a larger one is imported at each desk)."""
    return [
        (list_id, source, kind)
        for list_id, source, kind in db.execute(
            "SELECT id, source, kind FROM screening_lists WHERE state = 'live' AND origin = '' ORDER BY id"
        ).fetchall()
        if db.execute("SELECT count(*) FROM screening_entries WHERE list_id = ?", [list_id]).fetchone()[0]
        <= SHARE_MAX
    ]


def existing(db) -> list[tuple[str, str, dict[str, Any]]]:
    """The next of the school's own lists this desk holds from before sharing (see ``Shared.existing``): its
    entries not yet shared, as the parts of an import that replaces nothing (one list a call, so each is one
    transaction). A list of more than :data:`SHARE_MAX` entries stays at this desk (imported at each, as
    before); an entry alike to one another desk already shared here is not sent again."""
    for list_id, source, kind in _shareable_lists(db):
        items, taken = [], set()
        for row in db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE e.list_id = ? ORDER BY e.id", [list_id]):
            entry = entry_from_row(row)
            if uid_of(db, WHAT, entry.id) is not None:
                continue
            fields = entry_fields(entry)
            uid = content_uid(WHAT, source, *(fields[k] for k in sorted(fields)), taken=taken)
            if held(db, uid) is not None:
                continue  # the same entry, shared here already by another desk that held it too
            items.append({**stamp(db, WHAT, entry.id, uid=uid), "removed": False, "entry": fields})
        if not items:
            continue
        token = new_token()
        parts = [items[at : at + PART] for at in range(0, len(items), PART)]
        return [
            (
                "list.import",
                source,
                {"list": token, "part": n, "of": len(parts), "source": source, "list_kind": kind, "items": part},
            )
            for n, part in enumerate(parts, 1)
        ]
    return []


def again(db) -> list[tuple[str, str, dict[str, Any]]]:
    """The school's own lists this desk shared, each entry as it holds it now at its version (see
    ``Shared.again``), as the parts of an import that replaces nothing. A list of more than :data:`SHARE_MAX`
    entries was never shared (it is imported at each desk)."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for list_id, source, kind in _shareable_lists(db):
        items = []
        for row in db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE e.list_id = ? ORDER BY e.id", [list_id]):
            entry = entry_from_row(row)
            known = uid_of(db, WHAT, entry.id)
            if known is not None:
                uid, version = known
                items.append(
                    {
                        "uid": uid,
                        "base": version,
                        "version": version,
                        "removed": False,
                        "entry": entry_fields(entry),
                    }
                )
        token = new_token()
        parts = [items[at : at + PART] for at in range(0, len(items), PART)]
        out.extend(
            (
                "list.import",
                source,
                {"list": token, "part": n, "of": len(parts), "source": source, "list_kind": kind, "items": part},
            )
            for n, part in enumerate(parts, 1)
        )
    return out
