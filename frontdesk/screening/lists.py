"""Lists and their entries: add, edit, expire, remove, search; each entry filed in the blocking index.

Every change and its audit record commit in one transaction. Bulk work (an import, removing a whole list)
never holds the write lock for long: it is built apart in a hidden list and swapped in, or retired in one
short transaction and deleted afterwards in small steps (see ``frontdesk.screening.importer``).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from frontdesk import clock
from frontdesk.audit.coverage import digest_of_values
from frontdesk.errors import ConflictError, InputError, NotFoundError
from frontdesk.screening import bulk
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Entry, Kind, NewEntry, ScreeningList
from frontdesk.store import Store
from frontdesk.store.database import Database
from frontdesk.wire.keys import KEY_VERSION, entry_keys, id_key, last4
from frontdesk.wire.lists import check_fields, normal_sex  # noqa: F401 (normal_sex: this module's name too)
from frontdesk.wire.names import fold

ENTRY_COLUMNS = (
    "e.id, l.source, e.kind, e.first_name, e.middle_name, e.last_name, e.aliases, e.dob, e.reason, "
    "e.valid_from, e.valid_until, e.notes, e.students, e.photo IS NOT NULL, e.sex, e.id_state, e.id_last4"
)
ENTRY_FROM = "FROM screening_entries e JOIN screening_lists l ON l.id = e.list_id"
LIVE = "l.state = 'live'"
PURGE_STEP = 5000  # entries of a hidden list deleted per short transaction (one run of the table's pages)
_JSON = json.JSONEncoder(ensure_ascii=False).encode  # made once: json.dumps with options makes one a call
SCAN_FROM = 20000  # a hidden list this big has its index rows found by reading the index, not by their keys
STALE_STAGING = 120.0  # seconds without growth after which a staging list is an abandoned import


def _opt_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def entry_fields(entry: Entry) -> dict[str, object]:
    """An entry's fields as JSON (not its id nor its list): what ``barred list --json`` prints beside them and what
    a school's desk shares with its other desks (``frontdesk.sync.shared_lists``)."""
    return {
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
    }


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


def checked(new: NewEntry) -> NewEntry:
    """The entry if it can be stored, else an InputError that says why."""
    check_fields(  # the same rule the district hub applies to its lists
        new.first_name,
        new.middle_name,
        new.last_name,
        new.aliases,
        new.students,
        new.reason,
        new.notes,
        new.valid_from.isoformat() if new.valid_from else None,
        new.valid_until.isoformat() if new.valid_until else None,
    )
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
        _JSON(list(new.aliases)) if new.aliases else "[]",
        new.dob.text,
        new.reason.strip(),
        new.valid_from.isoformat() if new.valid_from else None,
        new.valid_until.isoformat() if new.valid_until else None,
        new.notes.strip(),
        _JSON(list(new.students)) if new.students else "[]",
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


def new_entry_keys(new: NewEntry) -> set[str]:
    """The blocking keys a new entry will be filed under (the same as :func:`keys_of` once stored)."""
    keys = entry_keys(new.first_name, new.last_name, new.aliases, new.dob.text, new.middle_name)
    by_id = id_key(new.id_state.strip().upper(), last4(new.id_last4))
    return keys | {by_id} if by_id else keys


def keys_of(entry: Entry) -> set[str]:
    """The blocking keys an entry is filed under."""
    keys = entry_keys(entry.first_name, entry.last_name, entry.aliases, entry.dob.text, entry.middle_name)
    by_id = id_key(entry.id_state, entry.id_last4)
    return keys | {by_id} if by_id else keys


def key_tables(db: Database) -> list[str]:
    """The index, and the one a re-index is building beside it (changes go into both)."""
    building = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'screening_keys_next'").fetchone()
    return ["screening_keys", "screening_keys_next"] if building else ["screening_keys"]


def file_keys(db: Database, entry: Entry) -> None:
    """Add an entry's keys to the index (inside the caller's transaction)."""
    for table in key_tables(db):
        db.conn.executemany(
            f"INSERT OR IGNORE INTO {table} (key, entry_id) VALUES (?, ?)", [(k, entry.id) for k in keys_of(entry)]
        )


def unfile_keys(db: Database, entry: Entry) -> None:
    """Remove an entry's keys from the index (inside the caller's transaction)."""
    for table in key_tables(db):
        db.conn.executemany(
            f"DELETE FROM {table} WHERE key = ? AND entry_id = ?", [(k, entry.id) for k in keys_of(entry)]
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
            f"FROM screening_lists l WHERE {LIVE} ORDER BY l.source COLLATE NOCASE"
        ).fetchall()
        return [ScreeningList(r[0], r[1], Kind(r[2]), r[3], clock.from_db(r[4]), r[5]) for r in rows]

    def ensure_list(self, source: str, kind: Kind | str | None = None, description: str = "") -> int:
        """The id of the list called ``source``, created (with ``kind`` as its default) if new."""
        source = source.strip()
        if not source:
            raise InputError("A list needs a source name (for example: District barred list)")
        db = self._store.db
        row = db.execute("SELECT id FROM screening_lists WHERE source = ? AND state = 'live'", [source]).fetchone()
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
        """Delete a list and all its entries. Returns how many entries went.

        One short transaction takes the list out of screening (with its audit record); its entries are then
        deleted in small steps, so a million-entry list never holds the desk's check-in up.
        """
        self._changing()
        self._writable(source)
        with self._write() as db:
            row = db.execute(
                "SELECT id FROM screening_lists WHERE source = ? AND state = 'live'", [source]
            ).fetchone()
            if row is None:
                raise NotFoundError(f"No list called {source!r}")
            count = db.execute("SELECT count(*) FROM screening_entries WHERE list_id = ?", [row[0]]).fetchone()[0]
            retire_list(db, row[0])
            self._record("list.remove_source", source, {"entries": count})
        purge_hidden(self._store)
        return count

    def import_csv(self, path, source: str, **options):
        """Import a CSV file into ``source`` (see :func:`frontdesk.screening.importer.import_csv`).

        A list change like any other: refused unless the signed-in role may change lists, and audited in the
        same transaction that puts the new entries in force.
        """
        from frontdesk.screening.importer import import_csv

        self._changing()
        self._writable(source)
        path_text = str(path)
        actor = self._actor()  # who started it: the desk may lock, or another person sign in, before the swap

        def record(report) -> None:
            details = {"added": report.added, "replaced": report.replaced, "file": path_text}
            if report.kept_ids:  # added to the list while the import was built: kept in force (audit coverage)
                details["kept"] = list(report.kept_ids)
            if report.entries is not None:  # which entries it filed, and the sum of their hashes (coverage)
                details["entries"] = report.entries
            self._record("list.import", report.source, details, actor=actor)

        report = import_csv(self._store, path, source, on_swap=record, **options)
        self._anchor()
        return report

    def _writable(self, source: str | None = None, entry_id: int | None = None) -> None:
        """ConflictError if the list (or the entry's list) is a copy of the district's: read-only here."""
        db = self._store.db
        if entry_id is not None:
            row = db.execute(
                "SELECT l.source, l.origin FROM screening_entries e JOIN screening_lists l ON l.id = e.list_id "
                "WHERE e.id = ?",
                [entry_id],
            ).fetchone()
        else:
            row = db.execute(
                "SELECT source, origin FROM screening_lists WHERE source = ? AND state = 'live'",
                [(source or "").strip()],
            ).fetchone()
        if row is not None and row[1] == "district":
            raise ConflictError(
                f"{row[0]!r} is the district's list: it is changed at the district hub "
                "('frontdesk district barred …'), and reaches this desk with the next sync.",
                code="district_list",
            )

    def _changing(self) -> None:
        if self._session is not None:
            from frontdesk.access.roles import Action

            self._session.require(Action.CHANGE_LISTS)

    def _write(self):
        """One immediate transaction for a change and its audit record (the trail's, so the anchor follows)."""
        if self._audit is not None:
            return self._audit.transaction()
        return self._store.transaction()

    def _record(
        self, action: str, subject: str, details: dict, entry_id: int | None = None, was=None, actor=None
    ) -> None:
        """The change's audit record, inside the change's own transaction (with the entry's content hash).
        ``actor``: who started a long change (None: whoever is acting now)."""
        if self._audit is not None:
            covers = ("screening_entries", entry_id) if entry_id is not None else None
            self._audit.record(actor, action, subject, details, covers=covers, was=was)

    def _actor(self) -> str | None:
        """The name to record a long change under, taken when it starts (None without a session)."""
        return self._session.actor_name if self._session is not None else None

    def _was(self, entry_id: int) -> str | None:
        """An entry's content hash before a change (for the audit coverage of imported entries)."""
        return self._audit.content_hash("screening_entries", entry_id) if self._audit is not None else None

    def _anchor(self) -> None:
        if self._audit is not None:
            self._audit.refresh_anchor()

    # --- entries ------------------------------------------------------------------------------------
    def add(self, source: str, new: NewEntry, *, list_kind: Kind | str | None = None) -> Entry:
        """Add one entry to the list ``source`` (created if new) and file it in the index."""
        self._changing()
        self._writable(source)
        new = checked(new)
        with self._write() as db:
            list_id = self.ensure_list(source, list_kind or new.kind)
            kind = new.kind or self.list_kind(list_id)
            cur = db.execute(INSERT_ENTRY, [None, *entry_row(list_id, kind, new)])
            entry = self.get(cur.lastrowid)
            file_keys(db, entry)
            self._record(
                "list.add", f"entry {entry.id}", {"list": entry.source, "name": entry.full_name}, entry.id
            )
        return entry

    def update(self, entry_id: int, new: NewEntry) -> Entry:
        """Replace an entry's fields (the photo is kept when ``new.photo`` is None) and re-file it."""
        self._changing()
        self._writable(entry_id=entry_id)
        new = checked(new)
        with self._write() as db:
            old = self.get(entry_id)
            was = self._was(entry_id)
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
            details = {"list": entry.source, "name": entry.full_name}
            self._record("list.update", f"entry {entry_id}", details, entry_id, was)
        return entry

    def expire(self, entry_id: int, on: date | None = None) -> Entry:
        """End an entry: it stops matching after ``on`` (default: yesterday, so from today)."""
        self._changing()
        self._writable(entry_id=entry_id)
        end = on or (clock.now().astimezone().date() - timedelta(days=1))
        with self._write() as db:
            was = self._was(entry_id)
            cur = db.execute(
                "UPDATE screening_entries SET valid_until = ? WHERE id = ?", [end.isoformat(), entry_id]
            )
            if cur.rowcount == 0:
                raise NotFoundError(f"No list entry {entry_id}")
            details = {"until": end.isoformat(), "list": self.get(entry_id).source}
            self._record("list.expire", f"entry {entry_id}", details, entry_id, was)
        return self.get(entry_id)

    def remove(self, entry_id: int) -> Entry:
        """Delete one entry and its index rows."""
        self._changing()
        self._writable(entry_id=entry_id)
        with self._write() as db:
            entry = self.get(entry_id)
            was = self._was(entry_id)
            unfile_keys(db, entry)
            db.execute("DELETE FROM screening_entries WHERE id = ?", [entry_id])
            details = {"list": entry.source, "name": entry.full_name}
            self._record("list.remove", f"entry {entry_id}", details, entry_id, was)
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
        sql = f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE {LIVE}"
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

    def reindex(self, on_swap=None, notice=None) -> int:
        """Rebuild the whole blocking index from the entries now (``barred reindex``). Returns rows filed.

        Built apart, in ``screening_keys_next``, in short steps, then swapped in by one short transaction (in
        which ``on_swap(rows)`` runs): see :mod:`frontdesk.screening.reindex`. Screening goes on with the old
        index until the swap. A build under way elsewhere (a desk upgrading its index) is taken over; an older
        desk's is waited for, and ``notice(sentence)`` says so (``reindex.bring_up_to_date``).
        """
        from frontdesk.screening import reindex

        report = reindex.bring_up_to_date(self._store, on_swap=on_swap, take_over=True, notice=notice)
        if report is None:  # taken over in turn, and built by the other one: nothing of ours was swapped
            raise ConflictError("Another re-index ran at the same time and replaced this one. Run it again.")
        return report.keys

    def rebuild_index(self, notice=None) -> ReindexReport:
        """Re-file every entry in the index, as the administrators' verb (after editing ``nicknames.csv``).

        Unlike the upgrade (:meth:`upgrade_index`, which the desk runs on its own), this is a list change:
        refused unless the signed-in role may change lists, and audited (in the swap's transaction).
        ``notice(sentence)``: what it waits for, if it has to wait, and why (the command line prints it).
        """
        self._changing()
        started = time.perf_counter()
        entries = self.count()
        actor = self._actor()  # who started it (the swap may come minutes later, after a lock)

        def record(keys: int) -> None:
            self._record("list.reindex", "screening index", {"entries": entries, "keys": keys}, actor=actor)

        keys = self.reindex(on_swap=record, notice=notice)
        self._anchor()
        return ReindexReport(entries, keys, time.perf_counter() - started)

    def ensure_index_current(self) -> bool:
        """Make sure the index in force can be screened on. True if it was rebuilt here and now.

        An index of this code's key rules, or of older rules it answers the same on (``READABLE_FROM``), stays
        as it is: the desk brings the latter up to date in the background (:meth:`upgrade_index`), and until
        then it answers (an index older than ``SCRIPTS_FROM`` once the keys of its entries in other scripts
        are filed into it, here: ``reindex.file_other_scripts``). An index this code cannot read is rebuilt
        before anyone is screened.
        """
        from frontdesk.screening import reindex

        db = self._store.db
        version = reindex.stored_version(db)
        if version == KEY_VERSION or reindex.answers_as_is(version):
            if reindex.needs_other_scripts(db):  # an older index, blind to names in other scripts: not for long
                reindex.file_other_scripts(self._store)
            return False
        if version is None and not reindex.has_entries(db):
            with self._store.transaction():
                db.execute(
                    "INSERT INTO screening_meta (key, value) VALUES ('key_version', ?) "
                    "ON CONFLICT(key) DO NOTHING",
                    [str(KEY_VERSION)],
                )
            return False
        reindex.bring_up_to_date(self._store)
        return True

    def index_needs_upgrade(self) -> bool:
        """True when the index in force was built under older key rules that still answer (until it is rebuilt)."""
        from frontdesk.screening import reindex

        version = reindex.stored_version(self._store.db)
        return version != KEY_VERSION and reindex.answers_as_is(version)

    def upgrade_index(self, *, progress=None, stop=None):
        """Bring the index up to this code's key rules beside the one in force (the desk runs this in the
        background after its window opens). Returns the build's report, or None when there was nothing to do
        or another desk built it; raises ``reindex.Stopped`` when ``stop()`` said so (built again next time).
        """
        from frontdesk.screening import reindex

        if not self.index_needs_upgrade():
            return None
        return reindex.bring_up_to_date(self._store, progress=progress, stop=stop)

    def count(self) -> int:
        """How many entries all lists hold."""
        return self._store.db.execute(f"SELECT count(*) {ENTRY_FROM} WHERE {LIVE}").fetchone()[0]


def stage_list(db: Database, source: str, kind: Kind, description: str = "", origin: str = "") -> int:
    """A new hidden list that an import fills (inside the caller's transaction). Returns its id.

    ``origin`` is '' for the school's own list, 'district' for a copy of the district's (read-only here).
    """
    cur = db.execute(
        "INSERT INTO screening_lists (source, kind, description, state, touched_at, origin) "
        "VALUES (?, ?, ?, 'staging', ?, ?)",
        [
            f"{source} (importing {secrets.token_hex(4)})",
            kind.value,
            description,
            clock.to_db(clock.now()),
            origin,
        ],
    )
    return cur.lastrowid


def write_staged(
    store: Store,
    list_id: int,
    kind: Kind,
    entries: list[NewEntry],
    *,
    also: Callable[[Database, int], None] | None = None,
) -> tuple[int, int, int] | None:
    """File one step of new entries in a staging list, in one short transaction (the caller then paces).

    Returns the first and last id written and the sum of the entries' content hashes (for the audit). Their
    index rows are the caller's to file, once every entry is in (:class:`frontdesk.screening.bulk.KeyRows`).
    ``also(db, first_id)`` runs inside the step's transaction (the district copy files its id map there).
    """
    if not entries:
        return None
    rows = [entry_row(list_id, new.kind or kind, new) for new in entries]  # outside the lock: CPU only
    db = store.db
    with store.transaction():
        first = (
            db.execute(
                "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'screening_entries'"
            ).fetchone()[0]
            or db.execute("SELECT coalesce(max(id), 0) FROM screening_entries").fetchone()[0]
        ) + 1
        db.conn.executemany(INSERT_ENTRY, [(first + i, *row) for i, row in enumerate(rows)])
        db.execute("UPDATE screening_lists SET touched_at = ? WHERE id = ?", [clock.to_db(clock.now()), list_id])
        if also is not None:
            also(db, first)
    # The audit's coverage of these rows, from the values just written (COVERED's columns for the table:
    # id, kind .. students, length(photo)); the same sum a read back would give, without the read.
    digest = digest_of_values(
        (first + i, *row[1:12], None if row[12] is None else len(row[12])) for i, row in enumerate(rows)
    )
    return first, first + len(rows) - 1, digest


def retire_list(db: Database, list_id: int) -> None:
    """Take a list out of screening at once (inside the caller's transaction); purge_hidden deletes it."""
    db.execute(
        "UPDATE screening_lists SET state = 'retired', source = source || ' (retired ' || ? || ')' WHERE id = ?",
        [secrets.token_hex(4), list_id],
    )


def purge_hidden(store: Store) -> int:
    """Delete retired lists and abandoned staging lists with their entries, in small steps. Returns entries.

    A staging list still growing (another import running now) is left alone.
    """
    db = store.db
    stale = clock.to_db(clock.now() - timedelta(seconds=STALE_STAGING))
    if db.execute("SELECT 1 FROM screening_lists WHERE state = 'staging' AND touched_at < ?", [stale]).fetchone():
        # Retired first, in a transaction of its own: a re-index under way files no row for a retired list's
        # entries (frontdesk.screening.reindex), so none is filed behind the purge's back.
        with store.transaction():
            db.execute(
                "UPDATE screening_lists SET state = 'retired' WHERE state = 'staging' AND touched_at < ?", [stale]
            )
    lists = db.execute("SELECT id FROM screening_lists WHERE state = 'retired'").fetchall()
    gone = 0
    if lists:
        db.execute("PRAGMA synchronous = NORMAL")  # deleting hidden rows again after a crash is harmless
    try:
        gone = _purge(store, [list_id for (list_id,) in lists])
    finally:
        db.execute("PRAGMA synchronous = FULL")
    return gone


def _purge(store: Store, lists: list[int]) -> int:
    db = store.db
    gone = 0
    pacer = bulk.Pacer(store)
    for list_id in lists:
        # The index rows first, in key order (a crash before the entries go finds them again next time).
        with bulk.KeyRows(store) as rows:
            count = db.execute("SELECT count(*) FROM screening_entries WHERE list_id = ?", [list_id]).fetchone()[0]
            if count >= SCAN_FROM:  # one read of the whole index, in C, instead of a million entries' keys
                for table in key_tables(db):
                    db.execute(
                        f"INSERT INTO temp.{rows.table} (key, entry_id) SELECT key, entry_id FROM main.{table} "
                        "WHERE entry_id IN (SELECT id FROM screening_entries WHERE list_id = ?)",
                        [list_id],
                    )
            else:
                after = 0
                while batch := db.execute(
                    f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE e.list_id = ? AND e.id > ? ORDER BY e.id LIMIT ?",
                    [list_id, after, bulk.STEP_ROWS],
                ).fetchall():
                    entries = [entry_from_row(r) for r in batch]
                    rows.add((k, e.id) for e in entries for k in keys_of(e))
                    after = entries[-1].id
            rows.unfile(lambda: key_tables(db), pacer)
        while True:  # then the entries, in id order: each step deletes one run of the table's pages
            with store.transaction():
                cur = db.execute(
                    "DELETE FROM screening_entries WHERE id IN "
                    "(SELECT id FROM screening_entries WHERE list_id = ? ORDER BY id LIMIT ?)",
                    [list_id, PURGE_STEP],
                )
            gone += max(cur.rowcount, 0)
            if cur.rowcount < PURGE_STEP:
                break
            pacer.step()
        with store.transaction():
            db.execute("DELETE FROM screening_lists WHERE id = ?", [list_id])
            if db.execute("SELECT 1 FROM screening_entries LIMIT 1").fetchone() is None:
                for table in key_tables(db):  # nothing left: drop stale rows from older key rules too
                    db.execute(f"DELETE FROM {table}")
    return gone


def hidden_entry_ids(db: Database, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` that belong to a list not in force (being imported or being deleted)."""
    if db.execute("SELECT 1 FROM screening_lists WHERE state != 'live' LIMIT 1").fetchone() is None:
        return set()
    ids = list(ids)
    hidden: set[int] = set()
    for at in range(0, len(ids), 500):
        part = ids[at : at + 500]
        rows = db.execute(
            f"SELECT e.id {ENTRY_FROM} WHERE NOT ({LIVE}) AND e.id IN ({','.join('?' * len(part))})", part
        )
        hidden.update(r[0] for r in rows)
    return hidden


def require_empty_or_replace(db: Database, source: str, replace: bool) -> None:
    """Refuse to import into a list that already has entries unless told to replace them."""
    row = db.execute(f"SELECT count(*) {ENTRY_FROM} WHERE l.source = ? AND {LIVE}", [source]).fetchone()
    if row[0] and not replace:
        raise ConflictError(
            f"The list {source!r} already has {row[0]} entries. Import with --replace to replace them.",
            code="list_exists",
        )
