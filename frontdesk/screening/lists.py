"""Lists and their entries: add, edit, expire, remove, search; each entry filed in the blocking index."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from frontdesk import clock
from frontdesk.errors import ConflictError, InputError, NotFoundError
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.keys import KEY_VERSION, entry_keys, id_key
from frontdesk.screening.models import Entry, Kind, NewEntry, ScreeningList
from frontdesk.screening.names import fold
from frontdesk.store import Store

ENTRY_COLUMNS = (
    "e.id, l.source, e.kind, e.first_name, e.middle_name, e.last_name, e.aliases, e.dob, e.reason, "
    "e.valid_from, e.valid_until, e.notes, e.students, e.photo IS NOT NULL, e.sex, e.id_state, e.id_last4"
)
ENTRY_FROM = "FROM screening_entries e JOIN screening_lists l ON l.id = e.list_id"


def _opt_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def entry_from_row(row: tuple) -> Entry:
    """An :class:`Entry` from a row selected with ``ENTRY_COLUMNS``."""
    return Entry(
        id=row[0],
        source=row[1],
        kind=Kind(row[2]),
        first_name=row[3],
        middle_name=row[4],
        last_name=row[5],
        aliases=tuple(json.loads(row[6])),
        dob=parse_dob(row[7]),
        reason=row[8],
        valid_from=_opt_date(row[9]),
        valid_until=_opt_date(row[10]),
        notes=row[11],
        students=tuple(json.loads(row[12])),
        has_photo=bool(row[13]),
        sex=row[14] or "",
        id_state=row[15] or "",
        id_last4=row[16] or "",
    )


def parse_kind(text: str | Kind | None, what: str = "kind") -> Kind | None:
    """A kind from its name (None stays None), or an InputError listing the choices."""
    if text is None or isinstance(text, Kind):
        return text
    try:
        return Kind(str(text).strip().lower())
    except ValueError:
        choices = ", ".join(k.value for k in Kind)
        raise InputError(f"{what} must be one of: {choices} (not {text!r})") from None


def normal_sex(text: str | None) -> str:
    """ "M", "F", "X" or "" from what a list or an ID writes (M/F/X, male/female, 1/2 as AAMVA codes them)."""
    value = (text or "").strip().upper()
    codes = {"MALE": "M", "FEMALE": "F", "1": "M", "2": "F", "9": "X", "U": ""}
    return codes.get(value, value[:1] if value[:1] in ("M", "F", "X") else "")


def last4(text: str | None) -> str:
    """The last four letters or digits of an ID number (all a list or the desk needs of it), upper case."""
    return "".join(c for c in (text or "") if c.isalnum())[-4:].upper()


def checked(new: NewEntry) -> NewEntry:
    """The entry if it can be stored, else an InputError that says why."""
    if not new.last_name.strip():
        raise InputError("A list entry needs a last name")
    if not new.first_name.strip() and not new.aliases:
        raise InputError("A list entry needs a first name (or an alias)")
    if new.valid_from and new.valid_until and new.valid_until < new.valid_from:
        raise InputError("The entry's end date is before its start date")
    return new


def entry_row(list_id: int, kind: Kind, new: NewEntry) -> tuple:
    """The column values stored for a new entry (without its id)."""
    search = fold(" ".join([new.first_name, new.middle_name, new.last_name, *new.aliases]))
    return (
        list_id,
        kind.value,
        new.first_name.strip(),
        new.middle_name.strip(),
        new.last_name.strip(),
        json.dumps(list(new.aliases), ensure_ascii=False) if new.aliases else "[]",
        new.dob.text,
        new.reason.strip(),
        new.valid_from.isoformat() if new.valid_from else None,
        new.valid_until.isoformat() if new.valid_until else None,
        new.notes.strip(),
        json.dumps(list(new.students), ensure_ascii=False) if new.students else "[]",
        new.photo,
        search,
        normal_sex(new.sex),
        new.id_state.strip().upper(),
        last4(new.id_last4),
    )


INSERT_ENTRY = (
    "INSERT INTO screening_entries (id, list_id, kind, first_name, middle_name, last_name, aliases, dob, "
    "reason, valid_from, valid_until, notes, students, photo, search, sex, id_state, id_last4) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def keys_of(entry: Entry) -> set[str]:
    """The blocking keys an entry is filed under."""
    keys = entry_keys(entry.first_name, entry.last_name, entry.aliases, entry.dob, entry.middle_name)
    by_id = id_key(entry.id_state, entry.id_last4)
    return keys | {by_id} if by_id else keys


def file_keys(db: sqlite_utils.Database, entry: Entry) -> None:
    """Add an entry's keys to the index (inside the caller's transaction)."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO screening_keys (key, entry_id) VALUES (?, ?)",
        [(k, entry.id) for k in keys_of(entry)],
    )


def unfile_keys(db: sqlite_utils.Database, entry: Entry) -> None:
    """Remove an entry's keys from the index (inside the caller's transaction)."""
    db.conn.executemany(
        "DELETE FROM screening_keys WHERE key = ? AND entry_id = ?", [(k, entry.id) for k in keys_of(entry)]
    )


@dataclass(frozen=True)
class ReindexReport:
    """What a rebuild of the blocking index did (``frontdesk barred reindex``)."""

    entries: int  # entries re-filed
    keys: int  # index rows written
    seconds: float


class ListService:
    """The administrators' verbs for lists and entries."""

    def __init__(self, store: Store, *, session=None, audit=None):
        self._store = store
        # Issue 7: with a session, list changes need Action.CHANGE_LISTS; with an audit trail, each is recorded.
        self._session = session
        self._audit = audit

    # --- lists --------------------------------------------------------------------------------------
    def lists(self) -> list[ScreeningList]:
        """Every list with its entry count, by source."""
        rows = self._store.db.execute(
            "SELECT l.id, l.source, l.kind, l.description, l.imported_at, "
            "(SELECT count(*) FROM screening_entries e WHERE e.list_id = l.id) "
            "FROM screening_lists l ORDER BY l.source COLLATE NOCASE"
        ).fetchall()
        return [ScreeningList(r[0], r[1], Kind(r[2]), r[3], clock.from_db(r[4]), r[5]) for r in rows]

    def ensure_list(self, source: str, kind: Kind | str | None = None, description: str = "") -> int:
        """The id of the list called ``source``, created (with ``kind`` as its default) if new."""
        source = source.strip()
        if not source:
            raise InputError("A list needs a source name (for example: District barred list)")
        db = self._store.db
        row = db.execute("SELECT id FROM screening_lists WHERE source = ?", [source]).fetchone()
        if row:
            return row[0]
        cur = db.execute(
            "INSERT INTO screening_lists (source, kind, description) VALUES (?, ?, ?)",
            [source, (parse_kind(kind) or Kind.BARRED).value, description],
        )
        return cur.lastrowid

    def list_kind(self, list_id: int) -> Kind:
        """The default kind of a list's entries."""
        return Kind(
            self._store.db.execute("SELECT kind FROM screening_lists WHERE id = ?", [list_id]).fetchone()[0]
        )

    def remove_source(self, source: str) -> int:
        """Delete a list and all its entries (one transaction). Returns how many entries went."""
        self._changing()
        db = self._store.db
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT id FROM screening_lists WHERE source = ?", [source]).fetchone()
            if row is None:
                raise NotFoundError(f"No list called {source!r}")
            count = delete_list_entries(db, row[0])
            db.execute("DELETE FROM screening_lists WHERE id = ?", [row[0]])
        self._audited("list.remove_source", source, {"entries": count})
        return count

    def import_csv(self, path, source: str, **options):
        """Import a CSV file into ``source`` (see :func:`frontdesk.screening.importer.import_csv`).

        A list change like any other: refused unless the signed-in role may change lists, and audited.
        """
        from frontdesk.screening.importer import import_csv

        self._changing()
        report = import_csv(self._store, path, source, **options)
        self._audited(
            "list.import", report.source, {"added": report.added, "replaced": report.replaced, "file": str(path)}
        )
        return report

    def _changing(self) -> None:
        if self._session is not None:
            from frontdesk.access.roles import Action

            self._session.require(Action.CHANGE_LISTS)

    def _audited(self, action: str, subject: str, details: dict) -> None:
        if self._audit is not None:
            self._audit.record(None, action, subject, details)
            self._audit.refresh_anchor()

    # --- entries ------------------------------------------------------------------------------------
    def add(self, source: str, new: NewEntry, *, list_kind: Kind | str | None = None) -> Entry:
        """Add one entry to the list ``source`` (created if new) and file it in the index."""
        self._changing()
        new = checked(new)
        db = self._store.db
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            list_id = self.ensure_list(source, list_kind or new.kind)
            kind = new.kind or self.list_kind(list_id)
            cur = db.execute(INSERT_ENTRY, [None, *entry_row(list_id, kind, new)])
            entry = self.get(cur.lastrowid)
            file_keys(db, entry)
        self._audited("list.add", f"entry {entry.id}", {"list": source, "name": entry.full_name})
        return entry

    def update(self, entry_id: int, new: NewEntry) -> Entry:
        """Replace an entry's fields (the photo is kept when ``new.photo`` is None) and re-file it."""
        self._changing()
        new = checked(new)
        db = self._store.db
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            old = self.get(entry_id)
            unfile_keys(db, old)
            row = entry_row(0, new.kind or old.kind, new)
            db.execute(
                "UPDATE screening_entries SET kind = ?, first_name = ?, middle_name = ?, last_name = ?, "
                "aliases = ?, dob = ?, reason = ?, valid_from = ?, valid_until = ?, notes = ?, students = ?, "
                "photo = coalesce(?, photo), search = ?, sex = ?, id_state = ?, id_last4 = ? WHERE id = ?",
                [*row[1:], entry_id],
            )
            entry = self.get(entry_id)
            file_keys(db, entry)
        self._audited("list.update", f"entry {entry_id}", {"list": entry.source, "name": entry.full_name})
        return entry

    def expire(self, entry_id: int, on: date | None = None) -> Entry:
        """End an entry: it stops matching after ``on`` (default: yesterday, so from today)."""
        self._changing()
        end = on or (clock.now().astimezone().date() - timedelta(days=1))
        db = self._store.db
        with db.conn:
            cur = db.execute(
                "UPDATE screening_entries SET valid_until = ? WHERE id = ?", [end.isoformat(), entry_id]
            )
        if cur.rowcount == 0:
            raise NotFoundError(f"No list entry {entry_id}")
        self._audited("list.expire", f"entry {entry_id}", {"until": end.isoformat()})
        return self.get(entry_id)

    def remove(self, entry_id: int) -> Entry:
        """Delete one entry and its index rows."""
        self._changing()
        db = self._store.db
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            entry = self.get(entry_id)
            unfile_keys(db, entry)
            db.execute("DELETE FROM screening_entries WHERE id = ?", [entry_id])
        self._audited("list.remove", f"entry {entry_id}", {"list": entry.source, "name": entry.full_name})
        return entry

    def get(self, entry_id: int) -> Entry:
        """One entry, or NotFoundError."""
        row = self._store.db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE e.id = ?", [entry_id]).fetchone()
        if row is None:
            raise NotFoundError(f"No list entry {entry_id}")
        return entry_from_row(row)

    def get_many(self, ids: Iterable[int]) -> list[Entry]:
        """The entries with these ids that exist (order not kept)."""
        ids = list(ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._store.db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE e.id IN ({marks})", ids)
        return [entry_from_row(r) for r in rows.fetchall()]

    def photo(self, entry_id: int) -> bytes | None:
        """The entry's photo, if the list has one."""
        row = self._store.db.execute("SELECT photo FROM screening_entries WHERE id = ?", [entry_id]).fetchone()
        return row[0] if row else None

    def search(self, text: str = "", *, source: str | None = None, limit: int = 200) -> list[Entry]:
        """Entries whose names or aliases contain every word typed, newest first."""
        sql = f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE 1"
        params: list[object] = []
        for word in fold(text).split():
            sql += " AND e.search LIKE ?"
            params.append(f"%{word}%")
        if source:
            sql += " AND l.source = ?"
            params.append(source)
        sql += " ORDER BY e.id DESC LIMIT ?"
        params.append(limit)
        return [entry_from_row(r) for r in self._store.db.execute(sql, params).fetchall()]

    def reindex(self) -> int:
        """Rebuild the whole blocking index from the entries (after the key rules change). Returns rows."""
        db = self._store.db
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM screening_keys")
            db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS import_keys (key TEXT NOT NULL, entry_id INTEGER NOT NULL)"
            )
            db.execute("DELETE FROM temp.import_keys")
            batch: list[tuple[str, int]] = []
            for row in db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM}").fetchall():
                entry = entry_from_row(row)
                batch.extend((k, entry.id) for k in keys_of(entry))
                if len(batch) > 50_000:
                    db.conn.executemany("INSERT INTO temp.import_keys VALUES (?, ?)", batch)
                    batch.clear()
            db.conn.executemany("INSERT INTO temp.import_keys VALUES (?, ?)", batch)
            db.execute(
                "INSERT OR IGNORE INTO screening_keys (key, entry_id) "
                "SELECT key, entry_id FROM temp.import_keys ORDER BY key, entry_id"
            )
            db.execute("DELETE FROM temp.import_keys")
            return db.execute("SELECT count(*) FROM screening_keys").fetchone()[0]

    def rebuild_index(self) -> ReindexReport:
        """Re-file every entry in the index, as the administrators' verb (after editing ``nicknames.csv``).

        Unlike :meth:`reindex` (which start-up runs on its own after an upgrade), this is a list change:
        refused unless the signed-in role may change lists, and audited.
        """
        self._changing()
        started = time.perf_counter()
        keys = self.reindex()
        report = ReindexReport(self.count(), keys, time.perf_counter() - started)
        self._audited("list.reindex", "screening index", {"entries": report.entries, "keys": report.keys})
        return report

    def ensure_index_current(self) -> bool:
        """Rebuild the index if it was built with other key rules (an upgrade). True if it rebuilt."""
        db = self._store.db
        row = db.execute("SELECT value FROM screening_meta WHERE key = 'key_version'").fetchone()
        if row is not None and int(row[0]) == KEY_VERSION:
            return False
        rebuilt = bool(row is not None or self.count())
        if rebuilt:
            self.reindex()
        with db.conn:
            db.execute(
                "INSERT INTO screening_meta (key, value) VALUES ('key_version', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [str(KEY_VERSION)],
            )
        return rebuilt

    def count(self) -> int:
        """How many entries all lists hold."""
        return self._store.db.execute("SELECT count(*) FROM screening_entries").fetchone()[0]


def delete_list_entries(db: sqlite_utils.Database, list_id: int) -> int:
    """Delete a list's entries and their index rows (inside the caller's transaction)."""
    count = db.execute("SELECT count(*) FROM screening_entries WHERE list_id = ?", [list_id]).fetchone()[0]
    if count == 0:
        return 0
    bounds = db.execute("SELECT min(id), max(id) FROM screening_entries WHERE list_id = ?", [list_id]).fetchone()
    # One pass over the index: rows of entries in the list's id range that belong to this list.
    db.execute(
        "DELETE FROM screening_keys WHERE entry_id BETWEEN ? AND ? AND entry_id IN "
        "(SELECT id FROM screening_entries WHERE list_id = ?)",
        [bounds[0], bounds[1], list_id],
    )
    db.execute("DELETE FROM screening_entries WHERE list_id = ?", [list_id])
    if db.execute("SELECT 1 FROM screening_entries LIMIT 1").fetchone() is None:
        db.execute("DELETE FROM screening_keys")  # nothing left: drop stale rows from older key rules too
    return count


def require_empty_or_replace(db: sqlite_utils.Database, source: str, replace: bool) -> None:
    """Refuse to import into a list that already has entries unless told to replace them."""
    row = db.execute(
        "SELECT count(*) FROM screening_entries e JOIN screening_lists l ON l.id = e.list_id WHERE l.source = ?",
        [source],
    ).fetchone()
    if row[0] and not replace:
        raise ConflictError(
            f"The list {source!r} already has {row[0]} entries. Import with --replace to replace them.",
            code="list_exists",
        )
