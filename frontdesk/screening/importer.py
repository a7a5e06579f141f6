"""CSV import of a list: all of it or none of it, errors listed by line, progress reported as it goes.

The file is streamed (a million-row registry never sits in memory). The new entries are built apart, in a
hidden *staging* list that screening does not see, in short steps of their own (a thousand rows, a few
milliseconds of the write lock each, with a pause between them); their index rows wait aside and are filed
in key order once every entry is in (:mod:`frontdesk.screening.bulk`): the desk's check-in and every other
writer get the lock between two steps, never behind a whole import. Then one short transaction swaps the
staging list in and retires the old one (which is deleted afterwards, again in short steps). So a file with
an error on its last line leaves the list exactly as it was, a ``replace`` swaps the old entries for the new
ones atomically, and a crash half-way leaves only a hidden list that the next import clears away.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from frontdesk import clock
from frontdesk.errors import ConflictError, InputError
from frontdesk.screening.bulk import BULK_CACHE_KIB, STEP_ROWS, KeyRows, Pacer, Span
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.lists import (
    checked,
    key_tables,
    new_entry_keys,
    parse_kind,
    purge_hidden,
    require_empty_or_replace,
    retire_list,
    stage_list,
    write_staged,
)
from frontdesk.screening.models import Kind, NewEntry
from frontdesk.store import CACHE_KIB, Store
from frontdesk.wire.lists import (  # the reader the district hub shares
    check_width,
    csv_problem,
    not_utf8,
    row_fields,
    shrink_refusal,
    shrinks_sharply,
)
from frontdesk.wire.lists import column_map as _column_map
from frontdesk.wire.lists import split_names as _split

MAX_ERRORS_LISTED = 50
_READ_SHARE = 0.7  # of the progress bar: reading the file and staging its entries (then: filing their keys)

Progress = Callable[[int, float], None]  # (rows read, fraction of the file read)


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    source: str
    added: int
    replaced: int  # entries of the same source removed by ``replace``
    seconds: float
    without_dob: int = 0  # added entries with no date of birth at all: screened on the name alone
    # The entries filed: {first, last, count, digest} (ids and the sum of their content hashes, for the audit).
    entries: dict | None = None
    kept_ids: tuple[int, ...] = ()  # entries added to the list while a ``replace`` was built (here, or shared
    # from another desk meanwhile): kept in force, in the new list

    @property
    def kept(self) -> int:
        """How many entries the replace kept (see ``kept_ids``)."""
        return len(self.kept_ids)

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


def row_to_entry(values: list[str], columns: Mapping[str, int], default_kind: Kind | None) -> NewEntry:
    """One CSV row as a new entry, or an InputError naming what is wrong with it."""

    get = row_fields(values, columns).get
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
    allow_empty: bool = False,
    allow_shrink: bool = False,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    description: str = "",
    on_swap: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import a CSV file into the list ``source``; raises ImportFailed (nothing imported) on any bad row.

    ``mapping`` maps our field names (``first_name``, ``dob``, ...) to the file's column headers when
    they differ. ``kind`` is the kind of rows without a kind column (and of a new list). A ``replace``
    with no rows at all is refused unless ``allow_empty`` (an empty file would make every visitor screen
    clear), and one that would remove more than half of a list of 10 or more entries at once unless
    ``allow_shrink`` (a file cut short: :func:`frontdesk.wire.lists.shrinks_sharply`). ``on_swap(report)``
    runs inside the short transaction that puts the new entries in force (the list service writes its audit
    record there, so the change and its record commit together).
    """
    started = clock.now()
    path = Path(path)
    source = source.strip()
    if not source:
        raise InputError("A list needs a source name (for example: District barred list)")
    default_kind = parse_kind(kind, "--kind")
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}") from None
    db = store.db
    purge_hidden(store)  # what an interrupted import or removal left behind
    with handle:
        reader = _Reader(handle, os.fstat(handle.fileno()).st_size)
        rows = csv.reader(handle, strict=True)  # see csv_problem: a quote left open must not eat rows
        try:
            header = next(rows)
        except StopIteration:
            raise InputError(f"{path} is empty") from None
        except UnicodeDecodeError:
            line, why = not_utf8(reader.raw)
            raise InputError(f"{path}: line {line} is {why}; nothing imported") from None
        except csv.Error as exc:
            raise InputError(f"{path}: line 1 (the header): {csv_problem(exc)}; nothing imported") from None
        columns = _column_map(header, mapping)
        line = rows.line_num  # the last line read whole: a row cut by a csv error starts after it
        with store.transaction():
            require_empty_or_replace(db, source, replace)  # refused before any work, checked again at the swap
            live = db.execute("SELECT id, kind FROM screening_lists WHERE source = ? AND state = 'live'", [source])
            live_row = live.fetchone()
            row_kind = default_kind or (Kind(live_row[1]) if live_row else Kind.BARRED)
            staging = stage_list(db, source, row_kind, description)
            # Entries numbered above this were added to the list while this import is built: kept at the swap.
            begun = db.execute("SELECT coalesce(max(id), 0) FROM screening_entries").fetchone()[0]
        errors: list[tuple[int, str]] = []
        error_count = 0
        added = without_dob = 0
        span = Span()
        pacer = Pacer(store)
        keys = KeyRows(store)
        db.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")  # the store sets CACHE_KIB back at the end
        db.execute("PRAGMA synchronous = NORMAL")  # the hidden list's steps: see frontdesk.screening.bulk
        try:
            entry_batch: list[NewEntry] = []

            def stage() -> None:
                keyed = [new_entry_keys(new) for new in entry_batch]  # outside the lock: CPU only
                step = write_staged(store, staging, row_kind, entry_batch)
                if step is not None:
                    keys.add_entries(step[0], keyed)
                    span.add(step)
                    pacer.step()
                entry_batch.clear()

            try:
                for values in rows:
                    reader.rows += 1
                    line = rows.line_num
                    if not any(v.strip() for v in values):
                        continue
                    try:
                        check_width(values, len(header))
                        new = row_to_entry(values, columns, row_kind)
                    except InputError as exc:
                        error_count += 1
                        if len(errors) < MAX_ERRORS_LISTED:
                            errors.append((line, exc.message))
                        continue
                    if error_count:
                        continue  # keep reading to list every error, but write nothing more
                    added += 1
                    without_dob += not new.dob.known
                    entry_batch.append(new)
                    if len(entry_batch) >= STEP_ROWS:
                        stage()
                        if progress:
                            progress(reader.rows, reader.fraction() * _READ_SHARE)
            except UnicodeDecodeError:
                error_count += 1
                errors.append(not_utf8(reader.raw))
            except csv.Error as exc:
                error_count += 1
                errors.append((line + 1, csv_problem(exc)))
            if error_count:
                raise ImportFailed(str(path), errors, error_count)
            stage()
            if added == 0 and replace and not allow_empty:
                raise InputError(
                    f"{path} has no entries: replacing the list {source!r} with it would empty the list, and "
                    "every visitor would screen clear. Nothing was changed. Give --allow-empty to empty it "
                    "on purpose.",
                    code="empty_replace",
                )
            if replace and added and not allow_shrink:
                live = db.execute(
                    "SELECT count(*) FROM screening_entries e JOIN screening_lists l ON l.id = e.list_id "
                    "WHERE l.source = ? AND l.state = 'live'",
                    [source],
                ).fetchone()[0]
                if shrinks_sharply(live, added):
                    words = f"the list {source!r}"
                    raise InputError(shrink_refusal(path, words, live, added), code="shrink_replace")
            if progress:
                progress(reader.rows, _READ_SHARE)
            share = 0.99 - _READ_SHARE
            keys.file(
                lambda: key_tables(db),
                pacer,
                touch=staging,
                progress=(lambda f: progress(reader.rows, _READ_SHARE + share * f)) if progress else None,
            )
            # The swap: one short transaction puts the new entries in force and retires the old ones.
            db.execute("PRAGMA synchronous = FULL")
            with store.transaction():
                require_empty_or_replace(db, source, replace)
                old = db.execute("SELECT id FROM screening_lists WHERE source = ? AND state = 'live'", [source])
                old_row = old.fetchone()
                replaced, kept = 0, ()
                if old_row is not None:
                    # An entry added to the list while this import was built (by this desk's office, or another
                    # desk's bar shared meanwhile) was not seen by whoever chose the file: it stays in force, in
                    # the new list (the safe side), and is never removed at the school's other desks.
                    kept = tuple(
                        r[0]
                        for r in db.execute(
                            "SELECT id FROM screening_entries WHERE list_id = ? AND id > ? ORDER BY id",
                            [old_row[0], begun],
                        ).fetchall()
                    )
                    db.execute(
                        "UPDATE screening_entries SET list_id = ? WHERE list_id = ? AND id > ?",
                        [staging, old_row[0], begun],
                    )
                    replaced = db.execute(
                        "SELECT count(*) FROM screening_entries WHERE list_id = ?", [old_row[0]]
                    ).fetchone()[0]
                    retire_list(db, old_row[0])
                    if not description:
                        db.execute(
                            "UPDATE screening_lists SET description = (SELECT description FROM screening_lists "
                            "WHERE id = ?) WHERE id = ?",
                            [old_row[0], staging],
                        )
                swapped = db.execute(
                    "UPDATE screening_lists SET source = ?, state = 'live', imported_at = ? "
                    "WHERE id = ? AND state = 'staging'",
                    [source, clock.to_db(clock.now()), staging],
                )
                if swapped.rowcount != 1:  # taken for abandoned and deleted by another import: nothing changes
                    raise ConflictError(
                        f"Another import of {source!r} ran at the same time; nothing was changed. Import again.",
                        code="import_raced",
                    )
                seconds = (clock.now() - started).total_seconds()
                report = ImportReport(source, added, replaced, seconds, without_dob, span.record(added), kept)
                if on_swap is not None:
                    on_swap(report)
            staging = None
        finally:
            keys.drop()
            db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            db.execute("PRAGMA synchronous = FULL")
            if staging is not None:  # failed or refused: the half-built list goes, the old one never left
                with store.transaction():
                    retire_list(db, staging)
                purge_hidden(store)
    purge_hidden(store)  # the replaced entries, in small steps
    if progress:
        progress(reader.rows, 1.0)
    return ImportReport(
        source, added, replaced, (clock.now() - started).total_seconds(), without_dob, span.record(added), kept
    )
