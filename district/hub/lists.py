"""The district's lists at the hub: managed once here, sent to every desk as snapshots plus changes.

A list (barred, custody, watch or a registry import) is a set of entries of its current *generation*.
Every change takes the next number of one version counter: an entry added or expired carries the number
of its change, so a desk asks for "changes after N" and gets each change once. An import builds a new
generation beside the old one in short transactions (a thousand rows each, so a desk's pull or an alert
never waits behind it), then one short transaction switches the list to it; desks see the new generation
and take a snapshot of the list. The old generation is deleted afterwards in small steps.

Every list change is written to the append-only ``hub_list_log`` (the audit trail of list changes) and to
the console's own log, in the change's transaction.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from district import clock
from district.console.auth import log
from district.console.db import Database, Tx
from district.errors import ConflictError, InputError, NotFoundError
from district.hub.text import ESCAPE, contains
from frontdesk.errors import InputError as WireInputError
from frontdesk.wire.keys import all_entry_keys, key_rules
from frontdesk.wire.lists import (
    KINDS,
    ListEntry,
    make_entry,
    normal_kind,
    read_entries,
    shrink_refusal,
    shrinks_sharply,
    typed_sex,
)

STEP_ROWS = 1000  # entries per short transaction of an import or a clean-up
SNAPSHOT_PAGE = 5000  # entries read per page of a snapshot stream
CHANGES_MAX = 5000
MAX_ERRORS_LISTED = 50
LIST_COLUMNS = "(source, kind, generation, created_at, updated_at, updated_version)"

Progress = Callable[[int, float], None]  # (rows read, fraction of the file read)


@dataclass(frozen=True)
class HubImportReport:
    """What an import at the hub did."""

    source: str
    added: int
    replaced: int
    version: int
    seconds: float
    kept: int = 0  # entries added (or changed) while a ``replace`` was built: kept in force, in the new generation


class HubImportFailed(InputError):
    """The file has errors; nothing was imported. ``errors`` lists (line, message)."""

    code = "import_failed"

    def __init__(self, path: str, errors: list[tuple[int, str]], total: int):
        shown = "; ".join(f"line {line}: {msg}" for line, msg in errors[:5])
        more = f" (and {total - 5} more)" if total > 5 else ""
        super().__init__(f"{path}: {total} error(s), nothing imported. {shown}{more}")
        self.errors = errors
        self.total = total


def _many(tx: Tx, sql: str, rows: list) -> None:
    """executemany on either database."""
    if tx.kind == "postgresql":
        with tx._conn.cursor() as cur:
            cur.executemany(sql.replace("?", "%s"), rows)
    else:
        tx._conn.executemany(sql, rows)


def next_version(tx: Tx) -> int:
    """The next list version (holds the counter's row lock until commit: list writers go one at a time).

    Each version gets a random mark of its own (``hub_list_marks``): a desk sends back the version and mark it
    is in step with, so a hub restored from an older copy (which lacks that version, or has it with another
    mark) is told apart from the hub the desk followed, and the desk keeps its newer copy (see :meth:`index`).
    """
    version = int(tx.one("UPDATE hub_list_version SET version = version + 1 WHERE id = 1 RETURNING version")[0])
    tx.execute("INSERT INTO hub_list_marks (version, mark) VALUES (?, ?)", [version, secrets.token_hex(8)])
    return version


def _search_text(entry: ListEntry) -> str:
    return " ".join([entry.first_name, entry.middle_name, entry.last_name, *entry.aliases]).lower()


def _data(entry: ListEntry) -> str:
    return json.dumps(entry.to_json(), ensure_ascii=False, separators=(",", ":"))


def _keys(entry: ListEntry) -> str:
    """The entry's blocking keys as a JSON array (sorted), as the snapshot sends them."""
    e = entry
    keys = all_entry_keys(e.first_name, e.middle_name, e.last_name, e.aliases, e.dob, e.id_state, e.id_last4)
    return json.dumps(sorted(keys), ensure_ascii=False, separators=(",", ":"))


def _wire(fn: Callable, *args, **kw):
    """Run a wire-format check; its InputError becomes the district's (one line, exit 2, HTTP 400)."""
    try:
        return fn(*args, **kw)
    except WireInputError as exc:
        raise InputError(exc.message) from None


class HubLists:
    """The district's list verbs (add, expire, import) and what desks read (index, snapshot, changes)."""

    def __init__(self, db: Database):
        self._db = db

    # --- what desks read ------------------------------------------------------------------------------
    def version(self) -> int:
        """The newest list version."""
        return int(self._db.read().one("SELECT version FROM hub_list_version WHERE id = 1")[0])

    def index(self, held: int | None = None, mark: str = "", *, station: str = "") -> dict:
        """Every list with its generation and entry count, and the newest version (``GET /api/v1/lists``).

        The answer also has the newest version's ``mark`` and ``recovered`` (the version :meth:`recover` moved
        the counter to, 0 if never). ``held`` and ``mark``: the version (and its mark) the asking desk is in
        step with; the answer then has ``held_mark``, this hub's mark of that version (None: this hub never
        gave it). A desk whose version this hub does not hold, or holds with another mark, followed a history
        this hub no longer has (it was restored from an older copy): the desk keeps its copy, and this hub
        remembers the highest such version and says so in its log (:meth:`recover` is the way on).
        """
        read = self._db.read()
        version, recovered, ahead, current = read.one(
            "SELECT v.version, v.recovered, v.desks_ahead, m.mark FROM hub_list_version v "
            "LEFT JOIN hub_list_marks m ON m.version = v.version WHERE v.id = 1"
        )
        version, recovered, ahead = int(version), int(recovered), int(ahead)
        rows = read.all(
            "SELECT l.source, l.kind, l.generation, l.updated_at, l.updated_version, "
            "(SELECT count(*) FROM hub_list_entries e WHERE e.source = l.source AND e.generation = l.generation) "
            "FROM hub_lists l ORDER BY l.source"
        )
        answer: dict = {
            "version": version,
            "mark": current,
            "recovered": recovered,
            "lists": [
                {
                    "source": r[0],
                    "kind": r[1],
                    "generation": int(r[2]),
                    "updated_at": r[3],
                    "updated_version": int(r[4]),
                    "entries": int(r[5]),
                }
                for r in rows
            ],
        }
        if held is not None:
            found = read.one("SELECT mark FROM hub_list_marks WHERE version = ?", [held])
            answer["held_mark"] = found[0] if found else None
            behind = held >= recovered and (held > version or (mark and answer["held_mark"] != mark))
            if behind and held > ahead:  # written only when it grows (desks ask every round)
                self._desk_ahead(held, version, station)
        return answer

    def desks_ahead(self) -> int:
        """The highest list version a desk said it holds that this hub does not (0: none since the last
        :meth:`recover`): this hub was restored from an older copy and desks keep their newer lists."""
        return int(self._db.read().one("SELECT desks_ahead FROM hub_list_version WHERE id = 1")[0])

    def _desk_ahead(self, held: int, version: int, station: str) -> None:
        """A desk holds list version ``held``, which this hub does not (it was restored from an older copy):
        remembered (the highest such) and said in the console's log and this process's output, once each."""
        with self._db.transaction() as tx:
            grew = tx.execute(
                "UPDATE hub_list_version SET desks_ahead = ? WHERE id = 1 AND desks_ahead < ?", [held, held]
            ).rowcount
            if grew:
                log(tx, "list_history_ahead", station_id=station or None, held=held, version=version)
        if grew:
            print(
                f"district lists: a desk holds list version {held}, which this hub does not have (this hub has "
                f"{version}): was it restored from an older copy? The desks keep their newer lists. Re-enter what "
                "was changed since the copy, then run 'frontdesk district barred recover'.",
                flush=True,
            )

    def recover(self, *, actor: str, above: int = 0) -> dict:
        """After this hub was restored from an older copy of its database: move the list counter above every
        version it can have given out before, so every desk takes each list afresh (its district lists and
        settings as this hub has them now) instead of keeping its newer copy.

        The counter goes to one above the largest of: its own value, the highest version a desk said it holds
        (:meth:`index`), ``above``, and the time now in seconds since 1970 (versions count changes, and a
        district makes far fewer than one list change a second, so this is above what a desk that has not
        asked since can hold). Written to the trail of list changes and the console's log.
        """
        if above < 0:
            raise InputError("--above is a list version: 0 or more")
        with self._db.transaction() as tx:
            version, ahead = (
                int(x) for x in tx.one("SELECT version, desks_ahead FROM hub_list_version WHERE id = 1")
            )
            floor = max(version, ahead, above, int(clock.now().timestamp()))
            tx.execute("UPDATE hub_list_version SET version = ? WHERE id = 1", [floor])
            recovered = next_version(tx)
            tx.execute("UPDATE hub_list_version SET recovered = ?, desks_ahead = 0 WHERE id = 1", [recovered])
            lists = int(tx.one("SELECT count(*) FROM hub_lists")[0])
            _record(tx, actor, "recover", "", recovered, None, was=version, desks_ahead=ahead, lists=lists)
        return {"version": recovered, "recovered": recovered, "was": version, "desks_ahead": ahead, "lists": lists}

    def _list(self, tx: Tx, source: str) -> tuple[str, int] | None:
        row = tx.one("SELECT kind, generation FROM hub_lists WHERE source = ?", [source])
        return (row[0], int(row[1])) if row else None

    def snapshot(self, source: str, key_version: int | None = None) -> Iterator[bytes]:
        """One list as newline-delimited JSON: a header, one ``{"id", "entry"}`` line per entry, an end line.

        ``key_version``: the blocking-key rules the desk runs (:func:`frontdesk.wire.keys.key_rules`). When
        they are the hub's, the header says ``key_version`` and each entry's line carries its keys after a tab
        (``{"id", "entry"}<TAB>["E:19800314:RBRT", ...]``: a JSON array the desk can file without parsing it
        in Python); an entry whose stored keys are older has none, and the desk computes them.

        The header's ``version`` is read first: a desk applies the changes after it once the snapshot is in
        (an entry changed meanwhile comes twice, and applying it twice is the same as once). A snapshot cut
        short (no end line) is not applied.
        """
        read = self._db.read()
        version = int(read.one("SELECT version FROM hub_list_version WHERE id = 1")[0])
        found = self._list(read, source)
        if found is None:
            raise NotFoundError(f"No district list {source!r}")
        kind, generation = found
        header = {"source": source, "kind": kind, "generation": generation, "version": version}
        with_keys = key_version == key_rules()
        if with_keys:
            header["key_version"] = key_rules()
        return self._stream(source, generation, header, with_keys)

    def _stream(self, source: str, generation: int, header: dict, with_keys: bool = False) -> Iterator[bytes]:
        rules = key_rules()
        yield (json.dumps(header, ensure_ascii=False) + "\n").encode()
        after, count = 0, 0
        while True:
            rows = self._db.read().all(
                "SELECT entry_id, data, keys, key_rules FROM hub_list_entries "
                "WHERE source = ? AND generation = ? AND entry_id > ? ORDER BY entry_id LIMIT ?",
                [source, generation, after, SNAPSHOT_PAGE],
            )
            if not rows:
                break
            # The stored data and keys are already the wire's JSON: no parsing on the way out. An entry whose
            # keys were computed under other rules (stored before an upgrade) goes without: the desk computes them.
            yield "".join(
                f'{{"id":{r[0]},"entry":{r[1]}}}\t{r[2]}\n'
                if with_keys and r[3] == rules and r[2]
                else f'{{"id":{r[0]},"entry":{r[1]}}}\n'
                for r in rows
            ).encode()
            count += len(rows)
            after = rows[-1][0]
        if self._list(self._db.read(), source) != (header["kind"], generation):
            return  # replaced while it was read: no end line, the desk takes the new generation next time
        yield (json.dumps({"end": True, "count": count}) + "\n").encode()

    def changes(self, source: str, after: int, limit: int = CHANGES_MAX) -> dict:
        """The entries of ``source`` changed after version ``after``, oldest first (``more``: ask again)."""
        read = self._db.read()
        version = int(read.one("SELECT version FROM hub_list_version WHERE id = 1")[0])
        found = self._list(read, source)
        if found is None:
            raise NotFoundError(f"No district list {source!r}")
        kind, generation = found
        rows = read.all(
            "SELECT entry_id, version, data FROM hub_list_entries WHERE source = ? AND generation = ? "
            "AND version > ? AND version <= ? ORDER BY version, entry_id LIMIT ?",
            [source, generation, after, version, limit + 1],
        )
        more = len(rows) > limit
        rows = rows[:limit]
        upto = int(rows[-1][1]) if more else version
        return {
            "source": source,
            "kind": kind,
            "generation": generation,
            "version": upto,
            "more": more,
            "changes": [{"id": r[0], "version": int(r[1]), "entry": json.loads(r[2])} for r in rows],
        }

    # --- the district's verbs -------------------------------------------------------------------------
    def add(self, source: str, entry: ListEntry, *, actor: str, list_kind: str | None = None) -> dict:
        """Add one entry to ``source`` (a new list of ``list_kind``, else the entry's kind, if new)."""
        source = _source_name(source)
        with self._db.transaction() as tx:
            version = next_version(tx)
            found = self._list(tx, source)
            now = clock.to_db(clock.now())
            if found is None:
                kind = _wire(normal_kind, list_kind, "--kind") or entry.kind or "barred"
                tx.execute(
                    f"INSERT INTO hub_lists {LIST_COLUMNS} VALUES (?, ?, ?, ?, ?, ?)",
                    [source, kind, version, now, now, version],
                )
                generation = version
            else:
                kind, generation = found
                tx.execute(
                    "UPDATE hub_lists SET updated_at = ?, updated_version = ? WHERE source = ?",
                    [now, version, source],
                )
            stored = dataclasses.replace(entry, kind=entry.kind or kind)
            entry_id = tx.one(
                "INSERT INTO hub_list_entries (source, generation, version, data, search, keys, key_rules) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING entry_id",
                [source, generation, version, _data(stored), _search_text(stored), _keys(stored), key_rules()],
            )[0]
            name = " ".join(p for p in (stored.first_name, stored.middle_name, stored.last_name) if p)
            _record(tx, actor, "add", source, version, entry_id, name=name, entry_kind=stored.kind)
        return {"id": int(entry_id), "source": source, "version": version, **stored.to_json()}

    def expire(self, entry_id: int, *, actor: str, on: date | None = None) -> dict:
        """End an entry: it stops matching after ``on`` (default yesterday, so from today), at every desk."""
        end = (on or (clock.now().date() - timedelta(days=1))).isoformat()
        with self._db.transaction() as tx:
            row = tx.one(
                "SELECT e.source, e.data FROM hub_list_entries e JOIN hub_lists l "
                "ON l.source = e.source AND l.generation = e.generation WHERE e.entry_id = ?",
                [entry_id],
            )
            if row is None:
                raise NotFoundError(f"No district list entry {entry_id}")
            version = next_version(tx)
            data = json.loads(row[1])
            data["valid_until"] = end
            tx.execute(
                "UPDATE hub_list_entries SET data = ?, version = ? WHERE entry_id = ?",
                [json.dumps(data, ensure_ascii=False, separators=(",", ":")), version, entry_id],
            )
            tx.execute(
                "UPDATE hub_lists SET updated_at = ?, updated_version = ? WHERE source = ?",
                [clock.to_db(clock.now()), version, row[0]],
            )
            _record(tx, actor, "expire", row[0], version, entry_id, until=end)
        return {"id": entry_id, "source": row[0], "version": version, **data}

    def import_csv(
        self,
        path: Path | str,
        source: str,
        *,
        actor: str,
        kind: str | None = None,
        replace: bool = False,
        allow_empty: bool = False,
        allow_shrink: bool = False,
        mapping: Mapping[str, str] | None = None,
        progress: Progress | None = None,
        file_name: str = "",
        on_generation: Callable[[int], None] | None = None,
    ) -> HubImportReport:
        """Import a CSV file into ``source``: all of its rows or none, as the desk's ``barred import`` does.

        ``on_generation`` is told the generation the import builds (the list in force is that generation once the
        import has switched to it).

        Refused when the list has entries and ``replace`` is not given, and when a ``replace`` has no rows
        unless ``allow_empty`` (an empty list would let every visitor screen clear at every desk), and when it
        would remove more than half of a list of 10 or more entries at once unless ``allow_shrink`` (a file cut
        short: :func:`frontdesk.wire.lists.shrinks_sharply`).
        """
        started = time.monotonic()
        path = Path(path)
        source = _source_name(source)
        default_kind = _wire(normal_kind, kind, "--kind")
        try:
            handle = path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise InputError(f"Cannot read {path}: {exc.strerror or exc}") from None
        size = max(1, path.stat().st_size)
        with self._db.transaction() as tx:
            found = self._list(tx, source)
            self._require_replace(tx, source, found, replace)
            generation = next_version(tx)  # a number no other generation has
        if on_generation:
            on_generation(generation)
        row_kind = default_kind or (found[0] if found else "barred")
        rules = key_rules()  # the key rules the entries' keys are computed under
        errors: list[tuple[int, str]] = []
        error_count = added = 0
        batch: list[tuple] = []
        staged = False
        try:
            with handle:
                try:
                    for line, item in read_entries(handle, mapping, row_kind):
                        if isinstance(item, WireInputError):
                            error_count += 1
                            if len(errors) < MAX_ERRORS_LISTED:
                                errors.append((line, item.message))
                            continue
                        if error_count:
                            continue  # keep reading to list every error, but write nothing more
                        added += 1
                        batch.append((source, generation, 0, _data(item), _search_text(item), _keys(item), rules))
                        if len(batch) >= STEP_ROWS:
                            self._stage(batch)
                            staged = True
                            batch.clear()
                            if progress:
                                progress(added, min(1.0, handle.buffer.tell() / size) * 0.95)
                except WireInputError as exc:
                    raise InputError(f"{path}: {exc.message}") from None
            if error_count:
                raise HubImportFailed(str(path), errors, error_count)
            if batch:
                self._stage(batch)
                staged = True
            if added == 0 and replace and not allow_empty:
                raise InputError(
                    f"{path} has no entries: replacing the district list {source!r} with it would empty the list "
                    "at every desk, and every visitor would screen clear. Nothing was changed. Give --allow-empty "
                    "to empty it on purpose.",
                    code="empty_replace",
                )
            if replace and added and found is not None and not allow_shrink:
                sql = "SELECT count(*) FROM hub_list_entries WHERE source = ? AND generation = ?"
                live = int(self._db.read().one(sql, [source, found[1]])[0])
                if shrinks_sharply(live, added):
                    words = f"the district list {source!r}"
                    raise InputError(shrink_refusal(path, words, live, added), code="shrink_replace")
            with self._db.transaction() as tx:  # the switch: one short transaction
                found = self._list(tx, source)
                self._require_replace(tx, source, found, replace)
                version = next_version(tx)
                now = clock.to_db(clock.now())
                replaced = kept = 0
                if found is None:
                    tx.execute(
                        f"INSERT INTO hub_lists {LIST_COLUMNS} VALUES (?, ?, ?, ?, ?, ?)",
                        [source, row_kind, generation, now, now, version],
                    )
                else:
                    # An entry added (or changed) while this import was built, by other district staff, was not
                    # in the file anyone chose: it stays in force, in the new generation (the safe side: a bar
                    # added at that moment is never dropped without a word). Its version is newer than the
                    # generation number this import took when it began.
                    kept = tx.execute(
                        "UPDATE hub_list_entries SET generation = ? WHERE source = ? AND generation = ? "
                        "AND version > ?",
                        [generation, source, found[1], generation],
                    ).rowcount
                    replaced = int(
                        tx.one(
                            "SELECT count(*) FROM hub_list_entries WHERE source = ? AND generation = ?",
                            [source, found[1]],
                        )[0]
                    )
                    tx.execute(
                        "UPDATE hub_lists SET kind = ?, generation = ?, updated_at = ?, updated_version = ? "
                        "WHERE source = ?",
                        [default_kind or found[0], generation, now, version, source],
                    )
                _record(
                    tx,
                    actor,
                    "import",
                    source,
                    version,
                    None,
                    added=added,
                    replaced=replaced,
                    file=file_name or path.name,
                    **({"kept": kept} if kept else {}),
                )
            staged = False  # in force now
            old = found[1] if found else None
        finally:
            if staged:  # failed or refused: the half-built generation goes; the list never changed
                self._delete_generation(source, generation)
        if old is not None:
            self._delete_generation(source, old)
        if progress:
            progress(added, 1.0)
        return HubImportReport(source, added, replaced, version, time.monotonic() - started, kept)

    def _require_replace(self, tx: Tx, source: str, found, replace: bool) -> None:
        if found is None or replace:
            return
        count = int(
            tx.one(
                "SELECT count(*) FROM hub_list_entries WHERE source = ? AND generation = ?", [source, found[1]]
            )[0]
        )
        if count:
            raise ConflictError(
                f"The district list {source!r} already has {count} entries. "
                "Import with --replace to replace them.",
                code="list_exists",
            )

    def _stage(self, rows: list[tuple]) -> None:
        with self._db.transaction() as tx:
            _many(
                tx,
                "INSERT INTO hub_list_entries (source, generation, version, data, search, keys, key_rules) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def _delete_generation(self, source: str, generation: int) -> None:
        """Delete one generation's entries in short transactions (never the list in force)."""
        while True:
            with self._db.transaction() as tx:
                current = self._list(tx, source)
                if current is not None and current[1] == generation:
                    return
                cur = tx.execute(
                    "DELETE FROM hub_list_entries WHERE entry_id IN (SELECT entry_id FROM hub_list_entries "
                    "WHERE source = ? AND generation = ? LIMIT ?)",
                    [source, generation, STEP_ROWS * 5],
                )
                if cur.rowcount <= 0:
                    return

    # --- what the district's screens read -------------------------------------------------------------
    def entries(self, source: str | None = None, search: str = "", limit: int = 200) -> list[dict]:
        """Entries in force whose names contain every word of ``search``, newest first."""
        sql = (
            "SELECT e.entry_id, e.source, e.version, e.data FROM hub_list_entries e JOIN hub_lists l "
            "ON l.source = e.source AND l.generation = e.generation WHERE 1 = 1"
        )
        params: list = []
        if source:
            sql += " AND e.source = ?"
            params.append(source)
        for word in search.lower().split()[:5]:
            sql += " AND e.search LIKE ?" + ESCAPE
            params.append(contains(word))
        sql += " ORDER BY e.entry_id DESC LIMIT ?"
        params.append(max(1, min(limit, 1000)))
        return [
            {"id": r[0], "source": r[1], "version": int(r[2]), **json.loads(r[3])}
            for r in self._db.read().all(sql, params)
        ]

    def trail(self, limit: int = 200, before: int | None = None) -> list[dict]:
        """The audit trail of list changes, newest first."""
        sql = "SELECT seq, at, actor, action, source, entry_id, version, detail FROM hub_list_log"
        params: list = []
        if before is not None:
            sql += " WHERE seq < ?"
            params.append(before)
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(max(1, min(limit, 1000)))
        return [
            {
                "seq": r[0],
                "at": r[1],
                "actor": r[2],
                "action": r[3],
                "source": r[4],
                "entry_id": r[5],
                "version": int(r[6]),
                "detail": json.loads(r[7] or "{}"),
            }
            for r in self._db.read().all(sql, params)
        ]


def _source_name(source: str) -> str:
    source = (source or "").strip()
    if not source:
        raise InputError("A list needs a source name (for example: District barred list)")
    if len(source) > 200:
        raise InputError("A list's name is at most 200 characters")
    return source


def _record(tx: Tx, actor: str, action: str, source: str, version: int, entry_id, **detail) -> None:
    """The change's line in the audit trail of list changes and in the console's log (same transaction)."""
    tx.execute(
        "INSERT INTO hub_list_log (at, actor, action, source, entry_id, version, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            clock.to_db(clock.now()),
            actor,
            action,
            source,
            entry_id,
            version,
            json.dumps(detail, ensure_ascii=False),
        ],
    )
    log(tx, f"list_{action}", actor=actor, source=source, entry_id=entry_id, version=version, **detail)


def new_entry(**fields) -> ListEntry:
    """A checked entry from the command line's or a form's fields (the district's InputError if not one).

    A sex a person typed that reads as none of M, F, X is refused (``typed_sex``, as ``--sex`` refuses it).
    """
    _wire(typed_sex, fields.get("sex"))
    return _wire(make_entry, **fields)


__all__ = ["KINDS", "HubImportFailed", "HubImportReport", "HubLists", "new_entry"]
