"""CSV import of a list: all of it or none of it, errors listed by line, progress reported as it goes.

The file is streamed (a million-row registry never sits in memory). Entries are written with ids drawn
in advance and their index rows gathered in a temporary table, then copied into the index in key order
in one statement: appending to a B-tree in order is many times faster than a million random inserts.
Everything happens in one transaction, so a file with an error on its last line leaves the list exactly
as it was, and a re-import with ``replace`` swaps the old entries for the new ones atomically.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from frontdesk import clock
from frontdesk.errors import InputError
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.keys import entry_keys, id_key
from frontdesk.screening.lists import (
    INSERT_ENTRY,
    ListService,
    checked,
    delete_list_entries,
    entry_row,
    last4,
    parse_kind,
    require_empty_or_replace,
)
from frontdesk.screening.models import Kind, NewEntry
from frontdesk.store import Store

DEFAULT_COLUMNS = ("first_name", "middle_name", "last_name", "dob", "aliases", "kind", "reason")
# Optional extra columns understood when present (same names in a mapping).
OPTIONAL_COLUMNS = ("valid_from", "valid_until", "notes", "students", "sex", "id_state", "id_last4")
REQUIRED_COLUMNS = ("last_name",)
MAX_ERRORS_LISTED = 50
_BATCH = 5000

Progress = Callable[[int, float], None]  # (rows read, fraction of the file read)


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    source: str
    added: int
    replaced: int  # entries of the same source removed by ``replace``
    seconds: float
    without_dob: int = 0  # added entries with no date of birth at all: screened on the name alone

    @property
    def dob_warning(self) -> str:
        """One plain sentence about the entries without a date of birth, or "" when every entry has one."""
        if not self.without_dob:
            return ""
        which = "1 entry has" if self.without_dob == 1 else f"{self.without_dob:,} entries have"
        return (
            f"{which} no date of birth: such an entry is flagged on the name alone, and only while few "
            "entries on the lists carry that name. Add the dates where the source has them."
        )


class ImportFailed(InputError):
    """The file has errors; nothing was imported. ``errors`` lists (line, message)."""

    code = "import_failed"

    def __init__(self, path: str, errors: list[tuple[int, str]], total: int):
        shown = "; ".join(f"line {line}: {msg}" for line, msg in errors[:5])
        more = f" (and {total - 5} more)" if total > 5 else ""
        super().__init__(f"{path}: {total} error(s), nothing imported. {shown}{more}")
        self.errors = errors
        self.total = total


@dataclass
class _Reader:
    """A CSV reader over a file that knows how far through the file it is."""

    handle: io.TextIOWrapper
    size: int
    rows: int = 0
    raw: io.BufferedReader = field(init=False)

    def __post_init__(self) -> None:
        self.raw = self.handle.buffer  # type: ignore[assignment]

    def fraction(self) -> float:
        try:
            return min(1.0, self.raw.tell() / self.size) if self.size else 1.0
        except OSError:
            return 0.0


def _column_map(header: list[str], mapping: Mapping[str, str] | None) -> dict[str, int]:
    """Our field name -> the column index in the file."""
    position = {name.strip().lower(): i for i, name in enumerate(header)}
    columns: dict[str, int] = {}
    for ours in (*DEFAULT_COLUMNS, *OPTIONAL_COLUMNS):
        theirs = (mapping or {}).get(ours, ours).strip().lower()
        if theirs in position:
            columns[ours] = position[theirs]
        elif mapping and ours in mapping:
            raise InputError(f"The file has no column {mapping[ours]!r} (mapped to {ours})")
    for unknown in set(mapping or {}) - set(DEFAULT_COLUMNS) - set(OPTIONAL_COLUMNS):
        raise InputError(f"Unknown field {unknown!r} in the column mapping")
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InputError(f"The file has no {', '.join(missing)} column (columns: {', '.join(header)})")
    return columns


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def row_to_entry(values: list[str], columns: Mapping[str, int], default_kind: Kind | None) -> NewEntry:
    """One CSV row as a new entry, or an InputError naming what is wrong with it."""

    n = len(values)
    get = {name: values[i].strip() if i < n else "" for name, i in columns.items()}.get
    kind_text = get("kind", "")
    valid_from, valid_until = get("valid_from", ""), get("valid_until", "")
    aliases, students = get("aliases", ""), get("students", "")
    return checked(
        NewEntry(
            first_name=get("first_name", ""),
            middle_name=get("middle_name", ""),
            last_name=get("last_name", ""),
            aliases=_split(aliases) if aliases else (),
            dob=parse_dob(get("dob", ""), "dob"),
            kind=(_KINDS.get(kind_text.lower()) or parse_kind(kind_text)) if kind_text else default_kind,
            reason=get("reason", ""),
            valid_from=clock.parse_date(valid_from, "valid_from") if valid_from else None,
            valid_until=clock.parse_date(valid_until, "valid_until") if valid_until else None,
            notes=get("notes", ""),
            students=_split(students) if students else (),
            sex=get("sex", ""),
            id_state=get("id_state", ""),
            id_last4=get("id_last4", ""),
        )
    )


_KINDS = {k.value: k for k in Kind}


def import_csv(
    store: Store,
    path: Path | str,
    source: str,
    *,
    kind: Kind | str | None = None,
    replace: bool = False,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    description: str = "",
) -> ImportReport:
    """Import a CSV file into the list ``source``; raises ImportFailed (nothing imported) on any bad row.

    ``mapping`` maps our field names (``first_name``, ``dob``, ...) to the file's column headers when
    they differ. ``kind`` is the kind of rows without a kind column (and of a new list).
    """
    started = clock.now()
    path = Path(path)
    default_kind = parse_kind(kind, "--kind")
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}") from None
    db = store.db
    lists = ListService(store)
    with handle:
        reader = _Reader(handle, os.fstat(handle.fileno()).st_size)
        rows = csv.reader(handle)
        try:
            header = next(rows)
        except StopIteration:
            raise InputError(f"{path} is empty") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{path} is not a readable CSV file ({exc})") from None
        columns = _column_map(header, mapping)
        errors: list[tuple[int, str]] = []
        error_count = 0
        added = replaced = without_dob = 0
        db.execute("PRAGMA cache_size = -32768")  # 32 MB for the bulk copy; the default is 2 MB
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            require_empty_or_replace(db, source.strip(), replace)
            list_id = lists.ensure_list(source, default_kind, description)
            if description:
                db.execute("UPDATE screening_lists SET description = ? WHERE id = ?", [description, list_id])
            row_kind = default_kind or lists.list_kind(list_id)
            if replace:
                replaced = delete_list_entries(db, list_id)
            next_id = (
                db.execute(
                    "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'screening_entries'"
                ).fetchone()[0]
                or db.execute("SELECT coalesce(max(id), 0) FROM screening_entries").fetchone()[0]
            ) + 1
            db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS import_keys (key TEXT NOT NULL, entry_id INTEGER NOT NULL)"
            )
            db.execute("DELETE FROM temp.import_keys")
            entry_batch: list[tuple] = []
            key_batch: list[tuple[str, int]] = []
            try:
                for values in rows:
                    reader.rows += 1
                    line = rows.line_num
                    if not any(v.strip() for v in values):
                        continue
                    try:
                        new = row_to_entry(values, columns, row_kind)
                    except InputError as exc:
                        error_count += 1
                        if len(errors) < MAX_ERRORS_LISTED:
                            errors.append((line, exc.message))
                        continue
                    if error_count:
                        continue  # keep reading to list every error, but write nothing more
                    entry_id = next_id + added
                    added += 1
                    without_dob += not new.dob.known
                    entry_batch.append((entry_id, *entry_row(list_id, new.kind or row_kind, new)))
                    keys = entry_keys(new.first_name, new.last_name, new.aliases, new.dob, new.middle_name)
                    key_batch.extend((k, entry_id) for k in keys)
                    by_id = id_key(new.id_state.strip().upper(), last4(new.id_last4))
                    if by_id:
                        key_batch.append((by_id, entry_id))
                    if len(entry_batch) >= _BATCH:
                        db.conn.executemany(INSERT_ENTRY, entry_batch)
                        db.conn.executemany("INSERT INTO temp.import_keys VALUES (?, ?)", key_batch)
                        entry_batch.clear()
                        key_batch.clear()
                        if progress:
                            progress(reader.rows, reader.fraction() * 0.8)
            except (csv.Error, UnicodeDecodeError) as exc:
                error_count += 1
                errors.append((rows.line_num, f"unreadable ({exc})"))
            if error_count:
                raise ImportFailed(str(path), errors, error_count)
            db.conn.executemany(INSERT_ENTRY, entry_batch)
            db.conn.executemany("INSERT INTO temp.import_keys VALUES (?, ?)", key_batch)
            if progress:
                progress(reader.rows, 0.8)
            db.execute(
                "INSERT OR IGNORE INTO screening_keys (key, entry_id) "
                "SELECT key, entry_id FROM temp.import_keys ORDER BY key, entry_id"
            )
            db.execute("DELETE FROM temp.import_keys")
            db.execute(
                "UPDATE screening_lists SET imported_at = ? WHERE id = ?", [clock.to_db(clock.now()), list_id]
            )
        db.execute("PRAGMA cache_size = -2000")
    if progress:
        progress(reader.rows, 1.0)
    return ImportReport(source.strip(), added, replaced, (clock.now() - started).total_seconds(), without_dob)
