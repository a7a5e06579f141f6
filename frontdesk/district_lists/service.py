"""This desk's copy of the district's lists: pulled from the hub, screened against, read-only here.

The hub keeps each district list as generations of entries and numbers every change (see
``district/hub/lists.py``). A pull asks for the index; a list this desk does not have, or whose generation
changed (a ``--replace`` import at the hub), comes as a streamed snapshot, built apart in a hidden list in
short steps and swapped in by one short transaction, exactly like the desk's own ``barred import`` (so a
check-in or a panic press never waits behind it); then the changes after the copy's version are applied, a
few hundred per short transaction. The copy is marked ``origin = 'district'``: the list screens say it is
the district's and refuse to change it.

When the hub cannot be reached the desk screens against its last copy and says how old it is ("District list
as of 07:02"); a copy older than ``district.lists_max_age_hours`` (default 24) is said in the status bar and
in each screening result. The district's settings for this school come with each pull and are kept as a
layer under the desk's own (:meth:`frontdesk.settings.Settings.get`).

The copy never goes back. The desk keeps the hub's list version (and its random mark) it is in step with and
sends them with each pull: a hub behind that version, or without that version as the desk took it (restored
from an older copy of its database, or an older answer replayed), or a list of an older generation, changes
nothing here. The desk keeps its lists and settings, says so in its status, event log and audit trail
(:data:`OLDER_WORDS`), and takes everything afresh once district IT has run ``frontdesk district barred
recover`` at the hub (the index's ``recovered`` is then above the desk's version).

:class:`DistrictLists` is a *puller* for the desk's sync (``name``, ``pull(client)``, ``pending()``,
``as_of()``): the sync calls it each round with its hub client.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from frontdesk import clock
from frontdesk.errors import DeliveryError, InputError, StoreBusy, StoreError
from frontdesk.lazy import lazy_import
from frontdesk.settings import DISTRICT_LISTS_MAX_AGE_HOURS, REGISTRY, Settings
from frontdesk.store import CACHE_KIB, Store
from frontdesk.wire.district_settings import is_link_setting

if TYPE_CHECKING:
    from frontdesk.screening.models import Kind, NewEntry
    from frontdesk.wire.lists import ListEntry

log = logging.getLogger(__name__)

# The list index's code and the name-key rules (jellyfish, the name tables) load with the first snapshot
# applied, not with the status bar's "District list as of" at start-up.
_lists = lazy_import("frontdesk.screening.lists")
# Screening's models and dates and the wire's list entry load with the first pull, not with the status bar's
# "District list as of" at start-up (about ten dataclasses and csv before the desk's first paint).
_models = lazy_import("frontdesk.screening.models")
_dates = lazy_import("frontdesk.screening.dates")
_wire_lists = lazy_import("frontdesk.wire.lists")
_keys = lazy_import("frontdesk.wire.keys")
# So does the list-file path (it imports screening's models and the wire's list format, and through them the
# name-key rules and jellyfish): only a pull of a list the hub built as a file needs it.
_files = lazy_import("frontdesk.district_lists.files")
# And the bulk filer (a dataclass), which only applying a snapshot uses.
bulk = lazy_import("frontdesk.screening.bulk")

# A snapshot is filed as the desk's own imports are (frontdesk.screening.bulk): entries bulk.STEP_ROWS per
# short transaction, bulk.STEP_PAUSE apart, without an fsync per step (a step lost to a power cut is a hidden,
# half-built copy that the next pull deletes and builds again; the swap's FULL sync makes every step before it
# durable too), their index rows then in key order, bulk.KEY_STEP per short transaction. Measured (30,000
# entries, desk side): 597 -> 273 us per entry without the fsync per step.
CHANGE_STEP = 200  # changes per short transaction
AS_OF_EVERY_S = 300.0  # a pull that changed nothing writes "in step as of" this often at most
OLDER_WORDS = "the district hub offered older lists than this desk has; kept the newer ones; tell district IT"


class HubClient(Protocol):
    """What the puller needs of the desk's hub client (``frontdesk.sync.client.HubClient``)."""

    def get_json(self, path: str, params: dict | None = None) -> dict: ...

    def stream(self, path: str, params: dict | None = None) -> Iterator[bytes]: ...


class HubListError(DeliveryError):
    """The hub's answer about its lists cannot be applied (cut short, not the wire format): try again later."""

    code = "district_lists"


class FileNotTaken(HubListError):
    """The hub's file of a list is not one this desk can take (forged, damaged, swapped on the hub's disk after
    it was built): the desk takes that list line by line from the hub's database instead."""


class _Older(Exception):
    """The hub offered lists older than this desk's copy, or from a history it no longer has: kept ours."""

    def __init__(self, kind: str, held: int, why: str):
        super().__init__(why)
        self.kind, self.held, self.why = kind, held, why


@dataclass(frozen=True)
class ListsState:
    """How old this desk's copy of the district lists is, in words the desk shows."""

    as_of: datetime | None  # when the copy was last in step with the hub (None: never)
    stale: bool  # older than district.lists_max_age_hours
    lists: int  # district lists held
    entries: int
    refused: str = ""  # OLDER_WORDS while the hub offers older lists than this copy (kept), else ""

    @property
    def warning(self) -> bool:
        """Said in warning colours: the copy is old, or the hub offered an older one."""
        return self.stale or bool(self.refused)

    @property
    def words(self) -> str:
        """ "District list as of 07:02" (+ the day when not today, + a warning when old or when the hub offered
        older lists than this copy); "" if none held."""
        if self.as_of is None:
            return ""
        local = self.as_of.astimezone()
        today = clock.now().astimezone().date()
        when = f"{local:%H:%M}" if local.date() == today else f"{local:%a %d %b %H:%M}"
        text = f"District list as of {when}"
        if self.stale:
            hours = int((clock.now() - self.as_of).total_seconds() // 3600)
            text += f": {hours} h old; screening uses this old copy until the desk reaches the district hub"
        if self.refused:
            text += f". The {self.refused.removeprefix('the ')}"
        return text


def _lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Whole lines from a stream of byte chunks."""
    rest = b""
    for chunk in chunks:
        if not chunk:
            continue
        rest += chunk
        *whole, rest = rest.split(b"\n")
        yield from (line for line in whole if line)
    if rest:
        yield rest


def new_entry(record: dict) -> NewEntry:
    """A desk entry from the wire's entry object (checked again: the desk stores only what it would accept)."""
    return _new_entry(_wire_lists.ListEntry.from_json(record))


_SNAPSHOT_TEXT = ("first_name", "middle_name", "last_name", "reason", "notes", "sex", "id_state", "id_last4")


@functools.cache
def _kinds() -> dict[str, Kind | None]:
    return {"": None, **{k.value: k for k in _models.Kind}}


@functools.lru_cache(maxsize=4_096)
def _day(text: str):
    return clock.parse_date(text)


def snapshot_entry(record: dict) -> NewEntry:
    """A desk entry from a snapshot line, without the full re-check of :func:`new_entry`.

    The hub checked every entry with the same rules (:mod:`frontdesk.wire.lists`) when it took it in, and a
    snapshot is a million of them: the desk checks only what it must to store the row (the types, the dates);
    a malformed line fails the whole snapshot, and the old copy stays in force. This runs once per entry of
    a million-entry snapshot, so it checks all the text fields in one pass (``parse_dob`` reads each distinct
    date once).
    """
    get = record.get
    first, middle, last, reason, notes, sex, id_state, id_last4 = values = [get(n) or "" for n in _SNAPSHOT_TEXT]
    dob, kind = get("dob") or "", get("kind") or ""
    valid_from, valid_until = get("valid_from"), get("valid_until")
    if not all(type(v) is str for v in values) or type(dob) is not str or type(kind) is not str:
        bad = next(n for n in (*_SNAPSHOT_TEXT, "dob", "kind") if not isinstance(get(n) or "", str))
        raise InputError(f"a list entry's {bad} must be text")
    if not last:
        raise InputError("A list entry needs a last name")
    aliases, students = get("aliases") or (), get("students") or ()
    for name, value in (("aliases", aliases), ("students", students)):
        if value and (type(value) is not list or not all(type(v) is str for v in value)):
            raise InputError(f"a list entry's {name} must be a list of names")
    kinds = _kinds()
    if kind not in kinds:
        raise InputError(f"a list entry's kind {kind!r} is not known here")
    return _models.NewEntry(
        first_name=first,
        middle_name=middle,
        last_name=last,
        aliases=tuple(aliases),
        dob=_dates.parse_dob(dob),
        kind=kinds[kind],
        reason=reason,
        valid_from=_day(valid_from) if valid_from else None,
        valid_until=_day(valid_until) if valid_until else None,
        notes=notes,
        students=tuple(students),
        sex=sex,
        id_state=id_state,
        id_last4=id_last4,
    )


def _new_entry(entry: ListEntry) -> NewEntry:
    return _models.NewEntry(
        first_name=entry.first_name,
        middle_name=entry.middle_name,
        last_name=entry.last_name,
        aliases=entry.aliases,
        dob=_dates.parse_dob(entry.dob),
        kind=_models.Kind(entry.kind) if entry.kind else None,
        reason=entry.reason,
        valid_from=clock.parse_date(entry.valid_from) if entry.valid_from else None,
        valid_until=clock.parse_date(entry.valid_until) if entry.valid_until else None,
        notes=entry.notes,
        students=entry.students,
        sex=entry.sex,
        id_state=entry.id_state,
        id_last4=entry.id_last4,
    )


class DistrictLists:
    """The puller of the district's lists and settings, and what the desk shows of the copy's age."""

    name = "district_lists"

    def __init__(self, store: Store, settings: Settings, *, audit=None, outbound=None, events=None):
        """``outbound``: the notifications' outbox, which takes the district's notification rules (issue 20)
        from the same district-settings answer; ``events``: the event log (the hub offering older lists)."""
        self._store = store
        self._settings = settings
        self._audit = audit
        self._outbound = outbound
        self._events = events
        self._behind = 0  # lists the last index showed this desk behind on (pending())
        self._in_step: datetime | None = None  # the last pull in step, in this process (see _pull)

    # --- the puller -----------------------------------------------------------------------------------
    def pull(self, client: HubClient) -> int:
        """Bring the copy in step with the hub; returns the entries written (snapshots and changes).

        Raises what the client raises when the hub cannot be reached (the copy stays as it was). What it
        writes came from the hub, so the sync outbox is not told of it (:meth:`AuditTrail.from_hub`).
        """
        if self._audit is None:
            return self._pull(client)
        with self._audit.from_hub():
            return self._pull(client)

    def _pull(self, client: HubClient) -> int:
        held, held_mark = self._hub_held()
        params = None if held is None else {"held": held, "mark": held_mark or ""}
        index = client.get_json("/api/v1/lists", params)
        hub_lists = {x["source"]: x for x in index.get("lists", [])}
        try:
            afresh = self._afresh_from(index, held, held_mark)
            applied, waiting = self._lists(client, hub_lists, afresh)
        except _Older as older:  # nothing older was written: the lists and settings held stay in force
            self._refuse(older)
            self._behind = max(1, len(hub_lists))  # not in step with the hub
            return 0
        wrote = self._pull_settings(client)
        now = clock.now()
        self._in_step = now
        stored = self._stored_as_of()
        version, mark = int(index.get("version") or 0), index.get("mark")
        moved = (version, mark) != (held, held_mark)
        refused = self._refused()
        if (
            applied
            or wrote
            or moved
            or refused
            or stored is None
            or (now - stored).total_seconds() >= AS_OF_EVERY_S
        ):
            # A pull that changed nothing writes the time this often at most (this process keeps it meanwhile).
            with self._write():
                db = self._store.db
                rows = [("as_of", clock.to_db(now)), ("hub_version", str(version)), ("hub_mark", mark or "")]
                db.conn.executemany(
                    "INSERT INTO district_meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    rows,
                )
                if refused:
                    db.execute("DELETE FROM district_meta WHERE key = 'refused'")
                    self._record("district_lists.in_step_again", "district lists", {"version": version})
                    if self._events is not None:
                        self._events.record(
                            "district lists", "info", "The district hub's lists are in step with this desk again."
                        )
        self._behind = waiting
        return applied

    def _lists(self, client: HubClient, hub_lists: dict[str, dict], afresh: int | None) -> tuple[int, int]:
        """Bring each list in step (``afresh``: the hub's recovery version; lists held below it are taken whole
        again); returns the entries written and the lists whose file the hub is still building."""
        held = self._held()
        for source, x in hub_lists.items():  # before anything is written: an older generation changes nothing
            mine = held.get(source)
            if afresh is None and mine is not None and int(x["generation"]) < mine[1]:
                raise _Older(
                    "generation",
                    mine[1],
                    f"the hub offers generation {x['generation']} of {source!r}; this desk holds {mine[1]}",
                )
        self._behind = sum(
            1
            for source, x in hub_lists.items()
            if source not in held or held[source][1] != x["generation"] or held[source][2] < x["updated_version"]
        )
        applied = 0
        waiting = 0
        for source, x in sorted(hub_lists.items()):
            mine = held.get(source)
            if mine is None or mine[1] != x["generation"] or (afresh is not None and mine[2] < afresh):
                file = _files.choose(x, self._store.key is not None)
                if file.get("building"):  # the hub is building its file: take it next round (the old copy stays)
                    waiting += 1
                    continue
                if file.get("sha256") and file.get("key_rules") == _keys.key_rules():
                    try:
                        applied += self._file(client, source, file)
                    except FileNotTaken as exc:
                        # Not this list's file as the hub built it: the same list, line by line from the hub's
                        # database (a forged or swapped file never holds this desk on an older copy).
                        self._file_refused(source, exc.message)
                        applied += self._snapshot(client, source)
                else:  # a small list, or other key rules than the hub's: line by line
                    applied += self._snapshot(client, source)
            applied += self._changes(client, source)
        for source in set(held) - set(hub_lists):  # a list the hub no longer has
            self._drop(source)
        return applied, waiting

    # --- never back -----------------------------------------------------------------------------------
    def _hub_held(self) -> tuple[int | None, str | None]:
        """The hub's list version (and its mark) this copy is in step with; (None, None) if it holds none.

        A copy taken before the hub gave marks has no mark: the highest of its lists' versions stands for it."""
        db = self._store.db
        meta = dict(
            db.execute("SELECT key, value FROM district_meta WHERE key IN ('hub_version', 'hub_mark')").fetchall()
        )
        if "hub_version" in meta:
            return int(meta["hub_version"]), meta.get("hub_mark") or None
        top = db.execute("SELECT max(version) FROM district_lists").fetchone()[0]
        return (int(top), None) if top is not None else (None, None)

    def _afresh_from(self, index: dict, held: int | None, held_mark: str | None) -> int | None:
        """The hub's recovery version when district IT recovered it above this copy (every list is taken whole
        again), else None; raises :class:`_Older` when the hub is behind this copy or on another history."""
        if held is None:
            return None
        recovered = int(index.get("recovered") or 0)
        if recovered > held:
            return recovered
        version = int(index.get("version") or 0)
        if version < held:
            raise _Older("version", held, f"the hub's lists are at version {version}; this desk's at {held}")
        if held_mark and "held_mark" in index and index["held_mark"] != held_mark:
            raise _Older(
                "history",
                held,
                f"the hub has no version {held} of its lists as this desk took it (restored from an older copy "
                "and changed since)",
            )
        return None

    def _refused(self) -> dict | None:
        row = self._store.db.execute("SELECT value FROM district_meta WHERE key = 'refused'").fetchone()
        return json.loads(row[0]) if row else None

    def _file_refused(self, source: str, why: str) -> None:
        """Say (event log, audit trail, the desk's log) that the hub's file of ``source`` was refused and the list
        is taken line by line instead: district IT should look at the hub's files folder."""
        log.warning("district lists: %s; taking it line by line instead", why)
        with self._write():
            self._record("district_lists.file_refused", source, {"why": why})
            if self._events is not None:
                self._events.record(
                    "district lists",
                    "warning",
                    f"{why[0].upper()}{why[1:]}; the list was taken line by line from the hub instead. Tell "
                    "district IT: the hub's file of it may have been changed on its disk.",
                )

    def _refuse(self, older: _Older) -> None:
        """Say once (status, event log, audit trail) that the hub offered older lists than this copy."""
        said = {"kind": older.kind, "held": older.held, "why": older.why}
        before = self._refused()
        if before is not None and (before.get("kind"), before.get("held")) == (older.kind, older.held):
            return  # said already
        with self._write():
            self._store.db.execute(
                "INSERT INTO district_meta (key, value) VALUES ('refused', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [json.dumps(said)],
            )
            self._record("district_lists.older_refused", "district lists", said)
            if self._events is not None:
                self._events.record(
                    "district lists", "warning", f"{OLDER_WORDS[0].upper()}{OLDER_WORDS[1:]} ({older.why})."
                )

    def pending(self) -> int:
        """Lists the last look at the hub found this copy behind on (0 once a pull completed)."""
        return self._behind

    def as_of(self) -> str | None:
        """When the copy was last in step with the hub (ISO 8601), or None if it never was."""
        moment = self._as_of()
        return moment.isoformat(timespec="seconds") if moment else None

    # --- what the desk shows --------------------------------------------------------------------------
    def state(self) -> ListsState:
        """The copy's age and size (for the status bar and each screening result)."""
        as_of = self._as_of()
        max_age = timedelta(hours=max(1, self._settings.get(DISTRICT_LISTS_MAX_AGE_HOURS)))
        db = self._store.db
        lists = db.execute("SELECT count(*) FROM district_lists").fetchone()[0]
        entries = db.execute(
            "SELECT count(*) FROM screening_entries e JOIN district_lists d ON d.list_id = e.list_id"
        ).fetchone()[0]
        stale = as_of is not None and clock.now() - as_of > max_age
        return ListsState(as_of, stale, lists, entries, OLDER_WORDS if self._refused() else "")

    def _as_of(self) -> datetime | None:
        stored, mine = self._stored_as_of(), self._in_step
        return max(stored, mine) if stored is not None and mine is not None else stored or mine

    def _stored_as_of(self) -> datetime | None:
        row = self._store.db.execute("SELECT value FROM district_meta WHERE key = 'as_of'").fetchone()
        return clock.from_db(row[0]) if row else None

    def _held(self) -> dict[str, tuple[int, int, int]]:
        rows = self._store.db.execute("SELECT source, list_id, generation, version FROM district_lists").fetchall()
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    # --- snapshots ------------------------------------------------------------------------------------
    def _local_name(self, source: str) -> str:
        """The name the copy is screened under: the hub's, unless the school has its own list of that name."""
        row = self._store.db.execute(
            "SELECT origin FROM screening_lists WHERE source = ? AND state = 'live'", [source]
        ).fetchone()
        return source if row is None or row[0] == "district" else f"{source} (district)"

    def _snapshot(self, client: HubClient, source: str) -> int:
        # keys: this desk's blocking-key rules; the hub sends each entry's keys when its rules are the same.
        lines = _lines(client.stream("/api/v1/lists/snapshot", {"source": source, "keys": _keys.key_rules()}))
        try:
            header = json.loads(next(lines))
            kind = _models.Kind(header["kind"])
            generation, version = int(header["generation"]), int(header["version"])
        except (StopIteration, ValueError, KeyError, TypeError) as exc:
            raise HubListError(f"the hub's snapshot of {source!r} is not readable ({exc})") from None
        store, db = self._store, self._store.db
        local = self._local_name(source)
        _lists.purge_hidden(store)
        with store.transaction():
            staging = _lists.stage_list(
                db, local, kind, "The district's list (from the district hub)", origin="district"
            )
        # The hub sends each entry's blocking keys (after a tab) when its key rules are this desk's: they are
        # filed as they come (checked to be a JSON array of text, in _file_keys); else computed here.
        hub_keys = header.get("key_version") == _keys.key_rules()
        count, ended, span = 0, False, bulk.Span()
        key_rows, pacer = bulk.KeyRows(store), bulk.Pacer(store, bulk.STEP_PAUSE)
        db.execute("DROP TABLE IF EXISTS temp.snapshot_hub_keys")
        db.execute("CREATE TEMP TABLE snapshot_hub_keys (entry_id INTEGER NOT NULL, keys TEXT NOT NULL)")
        db.execute(f"PRAGMA cache_size = -{bulk.BULK_CACHE_KIB}")  # the index grows by millions of rows
        db.execute("PRAGMA synchronous = NORMAL")  # the hidden copy's steps: see bulk.STEP_ROWS
        try:
            batch: list[tuple[int, NewEntry, bytes | None]] = []
            for line in lines:
                line, tab, keys = line.partition(b"\t")
                item = json.loads(line)
                if "end" in item:
                    ended = int(item.get("count", -1)) == count + len(batch)
                    break
                batch.append((int(item["id"]), snapshot_entry(item["entry"]), keys if tab and hub_keys else None))
                if len(batch) >= bulk.STEP_ROWS:
                    span.add(self._stage(staging, kind, batch, key_rows, pacer))
                    count += len(batch)
                    batch = []
            if batch and ended:
                span.add(self._stage(staging, kind, batch, key_rows, pacer))
                count += len(batch)
            if not ended:
                raise HubListError(f"the hub's snapshot of {source!r} was cut short; the old copy stays in force")
            self._file_keys(key_rows, pacer, staging)
            db.execute("PRAGMA synchronous = FULL")  # the swap, and everything after it, as every commit
            self._swap(source, local, staging, kind, generation, version, count, span)
            staging = None
        except (ValueError, KeyError, TypeError, InputError) as exc:
            raise HubListError(
                f"the hub's snapshot of {source!r} has an entry this desk cannot take ({exc})"
            ) from None
        finally:
            key_rows.drop()
            db.execute("DROP TABLE IF EXISTS temp.snapshot_hub_keys")
            db.execute("PRAGMA synchronous = FULL")
            db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")  # the store's own size again
            if staging is not None:  # cut short or refused: the half-built copy goes; the old one never left
                with store.transaction():
                    _lists.retire_list(db, staging)
                self._forget_map(staging)  # in short steps, as a replaced copy's
        _lists.purge_hidden(store)
        self._anchor()
        return count

    def _swap(self, source, local, staging, kind, generation, version, count, span, extra=None) -> None:
        """The built copy into force, the old one retired: one short transaction (then the old map goes)."""
        db = self._store.db
        with self._write():
            old = db.execute("SELECT list_id FROM district_lists WHERE source = ?", [source]).fetchone()
            replaced = 0
            if old is not None:
                replaced = db.execute(
                    "SELECT count(*) FROM screening_entries WHERE list_id = ?", [old[0]]
                ).fetchone()[0]
                _lists.retire_list(db, old[0])
            db.execute(
                "UPDATE screening_lists SET source = ?, state = 'live', imported_at = ? WHERE id = ?",
                [local, clock.to_db(clock.now()), staging],
            )
            db.execute(
                "INSERT INTO district_lists (source, list_id, kind, generation, version) "
                "VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(source) DO UPDATE SET list_id = excluded.list_id, kind = excluded.kind, "
                "generation = excluded.generation, version = excluded.version",
                [source, staging, kind.value, generation, version],
            )
            details = {"added": count, "replaced": replaced, "district": True, "entries": span.record(count)}
            self._record(
                "list.import",  # the audit coverage's word for "the list's entries were replaced"
                local,
                {**details, **(extra or {})},
            )
        if old is not None:
            self._forget_map(old[0])

    # --- a large list as one file (frontdesk.district_lists.files) -------------------------------------
    def _file(self, client: HubClient, source: str, file: dict) -> int:
        """Take ``source`` whole from the hub's file of it (see :mod:`frontdesk.district_lists.files`)."""
        store, db = self._store, self._store.db
        try:
            size, sha256, generation = int(file["size"]), str(file["sha256"]), int(file["generation"])
            key = _files.key_of(file)  # the index's key of an encrypted file: used here, never kept
        except (KeyError, TypeError, ValueError) as exc:
            raise FileNotTaken(
                f"the hub's index names a file of {source!r} this desk cannot read ({exc})"
            ) from None
        path = _files.incoming(_files.folder(store.data_dir))
        downloaded = path
        params = {"source": source, "generation": generation, "sha256": sha256}
        staging = None
        attached = False
        try:
            _files.download(client.stream("/api/v1/lists/file", params), path, size, sha256)
            if key is not None and store.key is None:  # a plain desk cannot ATTACH it encrypted
                path = _files.decrypt(downloaded, key)
                downloaded.unlink()
                key = None
            try:  # a damaged or forged file (or a wrong key) is the file's fault, not this desk's database's
                _files.attach(db, path, store.key is not None, key)
                attached = True
                facts = _files.validate(db, source=source, generation=generation, key_rules=_keys.key_rules())
            except (StoreError, sqlite3.Error) as exc:
                if isinstance(exc, StoreBusy):
                    raise
                what = "a readable SQLite file" if key is None else "a SQLite file the index's key opens"
                raise _files.FileRefused(f"it is not {what} ({exc})") from None
            kind, count = facts["kind"], facts["entries"]
            local = self._local_name(source)
            _lists.purge_hidden(store)
            with store.transaction():
                staging = _lists.stage_list(
                    db, local, kind, "The district's list (from the district hub)", origin="district"
                )
                base = _files.reserve_ids(db, count)
            span, pacer = bulk.Span(), bulk.Pacer(store, bulk.STEP_PAUSE)
            db.execute(f"PRAGMA cache_size = -{bulk.BULK_CACHE_KIB}")
            db.execute("PRAGMA synchronous = NORMAL")  # the hidden copy's steps: see bulk.STEP_ROWS
            _files.copy_entries(store, base, staging, count, pacer, span)
            _files.copy_keys(store, lambda: _lists.key_tables(db), base, facts["keys"], pacer, staging)
            db.execute("PRAGMA synchronous = FULL")
            file_words = {"sha256": sha256, "size": size, "version": facts["version"]}
            file_words["encrypted"] = file.get("cipher") is not None  # its cipher; the key is in no record
            self._swap(
                source, local, staging, kind, generation, facts["version"], count, span, {"file": file_words}
            )
            staging = None
        except _files.FileRefused as exc:
            raise FileNotTaken(f"the hub's file of {source!r} is not one this desk can take ({exc})") from None
        finally:
            if attached:
                _files.detach(db)
            downloaded.unlink(missing_ok=True)
            path.unlink(missing_ok=True)
            db.execute("PRAGMA synchronous = FULL")
            db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            if staging is not None:  # refused or failed: the half-built copy goes; the old one never left
                with store.transaction():
                    _lists.retire_list(db, staging)
                self._forget_map(staging)
        _lists.purge_hidden(store)
        self._anchor()
        return count

    def _stage(self, staging: int, kind: Kind, batch: list[tuple[int, NewEntry, bytes | None]], keys, pacer):
        def file_map(db, first: int) -> None:
            db.conn.executemany(
                "INSERT OR REPLACE INTO district_list_entries (hub_id, entry_id, list_id) VALUES (?, ?, ?)",
                [(hub_id, first + i, staging) for i, (hub_id, _, _) in enumerate(batch)],
            )

        news = [new for _, new, _ in batch]
        mine = [(i, _lists.new_entry_keys(new)) for i, (_, new, hub) in enumerate(batch) if hub is None]
        step = _lists.write_staged(self._store, staging, kind, news, also=file_map)
        if step is not None:  # the entries' index rows wait in the connection's TEMP tables (_file_keys)
            first = step[0]
            self._store.db.conn.executemany(
                "INSERT INTO temp.snapshot_hub_keys (entry_id, keys) VALUES (?, ?)",
                [(first + i, hub.decode()) for i, (_, _, hub) in enumerate(batch) if hub is not None],
            )
            keys.add((k, first + i) for i, ks in mine for k in ks)
            pacer.step()
        return step

    # The index rows of a snapshot's entries wait in TEMP tables of this connection until every entry is in
    # (frontdesk.screening.bulk): the hub's as the JSON arrays it sent (one row per entry, never parsed in
    # Python), the desk's own one row per key. Then the arrays are checked and unpacked by SQLite beside the
    # desk's own, and all of them filed in key order. The entries are still hidden (a staging list) until the
    # swap, so nothing screens against a half-filed copy; one cut short is deleted with its index rows by
    # purge_hidden.
    def _file_keys(self, keys, pacer, staging: int) -> None:
        db = self._store.db
        bad = db.execute(
            "SELECT count(*) FROM temp.snapshot_hub_keys WHERE NOT json_valid(keys) OR json_type(keys) != 'array'"
        ).fetchone()[0]
        if not bad:
            bad = db.execute(
                "SELECT count(*) FROM temp.snapshot_hub_keys h, json_each(h.keys) j WHERE j.type != 'text'"
            ).fetchone()[0]
        if bad:
            raise InputError(f"{bad} entries' keys are not a list of text")
        db.execute(
            f"INSERT INTO temp.{keys.table} (key, entry_id) "
            "SELECT j.value, h.entry_id FROM temp.snapshot_hub_keys h, json_each(h.keys) j"
        )
        db.execute("DROP TABLE temp.snapshot_hub_keys")
        keys.file(lambda: _lists.key_tables(db), pacer, touch=staging)

    def _forget_map(self, list_id: int) -> None:
        """Delete a replaced copy's id map in short steps."""
        db = self._store.db
        while True:
            with self._store.transaction():
                cur = db.execute(
                    "DELETE FROM district_list_entries WHERE hub_id IN "
                    "(SELECT hub_id FROM district_list_entries WHERE list_id = ? LIMIT 5000)",
                    [list_id],
                )
            if cur.rowcount <= 0:
                return

    def _drop(self, source: str) -> None:
        db = self._store.db
        with self._write():
            row = db.execute("SELECT list_id FROM district_lists WHERE source = ?", [source]).fetchone()
            if row is None:
                return
            local = db.execute("SELECT source FROM screening_lists WHERE id = ?", [row[0]]).fetchone()
            _lists.retire_list(db, row[0])
            db.execute("DELETE FROM district_lists WHERE source = ?", [source])
            self._record("list.remove_source", local[0] if local else source, {"district": True})
        self._forget_map(row[0])
        _lists.purge_hidden(self._store)

    # --- changes --------------------------------------------------------------------------------------
    def _changes(self, client: HubClient, source: str) -> int:
        applied = 0
        while True:
            list_id, generation, version = self._held()[source]
            answer = client.get_json("/api/v1/lists/changes", {"source": source, "after": version})
            if int(answer["generation"]) != generation:  # replaced at the hub meanwhile: next pull's snapshot
                return applied
            if int(answer["version"]) < version:  # never back (see the module's docs)
                raise _Older(
                    "version",
                    version,
                    f"the hub offers {source!r} at version {answer['version']}; this desk's at {version}",
                )
            changes = answer.get("changes", [])
            if not changes and int(answer["version"]) == version:
                return applied  # in step: nothing to write
            for at in range(0, max(len(changes), 1), CHANGE_STEP):
                part = changes[at : at + CHANGE_STEP]
                last = at + CHANGE_STEP >= len(changes)
                upto = int(answer["version"]) if last else int(part[-1]["version"])
                applied += self._apply(source, list_id, part, upto)
            if not answer.get("more"):
                return applied

    def _apply(self, source: str, list_id: int, changes: list[dict], upto: int) -> int:
        """Apply one step of changes and move the copy's version to ``upto``, in one short transaction."""
        db = self._store.db
        news = [(int(c["id"]), new_entry(c["entry"])) for c in changes]  # checked before the lock
        local = db.execute("SELECT source, kind FROM screening_lists WHERE id = ?", [list_id]).fetchone()
        with self._write():
            for hub_id, new in news:
                row = db.execute(
                    "SELECT entry_id FROM district_list_entries WHERE hub_id = ?", [hub_id]
                ).fetchone()
                kind = new.kind or _models.Kind(local[1])
                if row is None:
                    entry_id = db.execute(
                        _lists.INSERT_ENTRY, [None, *_lists.entry_row(list_id, kind, new)]
                    ).lastrowid
                    db.execute(
                        "INSERT INTO district_list_entries (hub_id, entry_id, list_id) VALUES (?, ?, ?)",
                        [hub_id, entry_id, list_id],
                    )
                    action, was = "district_list.add", None
                else:
                    entry_id = row[0]
                    was = self._audit.content_hash("screening_entries", entry_id) if self._audit else None
                    old = db.execute(
                        f"SELECT {_lists.ENTRY_COLUMNS} {_lists.ENTRY_FROM} WHERE e.id = ?", [entry_id]
                    ).fetchone()
                    if old is not None:
                        _lists.unfile_keys(db, _lists.entry_from_row(old))
                    values = _lists.entry_row(list_id, kind, new)
                    db.execute(
                        "UPDATE screening_entries SET kind = ?, first_name = ?, middle_name = ?, "
                        "last_name = ?, aliases = ?, dob = ?, reason = ?, valid_from = ?, valid_until = ?, "
                        "notes = ?, students = ?, photo = coalesce(?, photo), search = ?, sex = ?, id_state = ?, "
                        "id_last4 = ? WHERE id = ?",
                        [*values[1:], entry_id],
                    )
                    action = "district_list.update"
                entry = _lists.entry_from_row(
                    db.execute(
                        f"SELECT {_lists.ENTRY_COLUMNS} {_lists.ENTRY_FROM} WHERE e.id = ?", [entry_id]
                    ).fetchone()
                )
                _lists.file_keys(db, entry)
                details = {"list": local[0], "name": entry.full_name, "hub_id": hub_id}
                if entry.valid_until:
                    details["until"] = entry.valid_until.isoformat()
                self._record(action, f"entry {entry_id}", details, entry_id, was)
            db.execute("UPDATE district_lists SET version = ? WHERE source = ?", [upto, source])
        self._anchor()
        return len(news)

    # --- settings -------------------------------------------------------------------------------------
    def _pull_settings(self, client: HubClient) -> bool:
        """Take the district's settings (and notification rules); True if that wrote anything."""
        answer = client.get_json("/api/v1/district-settings")
        if self._outbound is not None:
            # The district's notification rules (``notify.rules``), with their lock; unchanged rules record
            # nothing. Applied before the settings so a bad rule set leaves the settings as they were too.
            self._outbound.apply_district_settings(answer)
        rows = []
        links = []
        for key, item in (answer.get("settings") or {}).items():
            if is_link_setting(key):  # the desk's own link, never the district's: ignored, said once
                links.append(key)
            elif key in REGISTRY and isinstance(item, dict) and "value" in item:
                rows.append((key, json.dumps(item["value"]), int(bool(item.get("locked")))))
        self._ignore_links(sorted(links))
        held = "SELECT key, value, locked FROM district_settings ORDER BY key"
        if sorted(self._store.db.execute(held).fetchall()) == sorted(rows):
            return False  # the same again (every round): read only, no write lock
        with self._store.transaction() as db:
            if sorted(db.execute(held).fetchall()) == sorted(rows):
                return False
            db.execute("DELETE FROM district_settings")
            db.conn.executemany("INSERT INTO district_settings (key, value, locked) VALUES (?, ?, ?)", rows)
            self._record(
                "district_settings.applied",
                "district settings",
                {k: [json.loads(v), bool(lk)] for k, v, lk in rows},
            )
        return True

    def _ignore_links(self, keys: list[str]) -> None:
        """Say once (event log, audit trail) which link settings the hub sent and this desk ignored."""
        db = self._store.db
        row = db.execute("SELECT value FROM district_meta WHERE key = 'ignored_links'").fetchone()
        if (json.loads(row[0]) if row else []) == keys:
            return
        with self._write():
            if keys:
                db.execute(
                    "INSERT INTO district_meta (key, value) VALUES ('ignored_links', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [json.dumps(keys)],
                )
                self._record("district_settings.link_ignored", "district settings", {"keys": keys})
                if self._events is not None:
                    self._events.record(
                        "district lists",
                        "warning",
                        f"The district hub sent settings that are this desk's own ({', '.join(keys)}: its link, "
                        "or whether it is a kiosk); ignored: they are set at this desk only. Tell district IT.",
                    )
            else:
                db.execute("DELETE FROM district_meta WHERE key = 'ignored_links'")

    # --- audit ----------------------------------------------------------------------------------------
    def _write(self):
        return self._audit.transaction() if self._audit is not None else self._store.transaction()

    def _record(self, action: str, subject: str, details: dict, entry_id: int | None = None, was=None) -> None:
        if self._audit is not None:
            covers = ("screening_entries", entry_id) if entry_id is not None else None
            self._audit.record("district hub", action, subject, details, covers=covers, was=was)

    def _anchor(self) -> None:
        if self._audit is not None:
            self._audit.refresh_anchor()
