"""The blocking index against its entries: every entry's rows are exactly what the key rules give for it.

The audit trail covers the list entries (:mod:`frontdesk.audit.coverage`) but not ``screening_keys``: a row
deleted there by hand hides its entry from every screen (a barred person admitted) while the entries, and so
``audit verify``, look untouched. :func:`check_index` recomputes :func:`~frontdesk.screening.lists.keys_of` for
every entry of a list in force and compares:

- **missing rows** (an entry's key not filed): each computed key is sought in the index, in batches, by a join
  in SQLite (:data:`BATCH` entries' keys in a TEMP table of the checking connection);
- **extra rows** (a row naming an entry under a key its rules do not give, or an entry's key moved onto
  another entry): the index's rows are counted per entry in one pass (``GROUP BY entry_id``); an entry with
  more rows than its own keys found has extra ones, and which they are is read only for those entries;
- **rows pointing at no entry** (an id no list holds).

It reads one state of the database (one read transaction: changes made meanwhile are not half seen) and takes
no write lock. Rows of lists not in force (an import being built, a list being deleted) are left alone. An
index built under older key rules (being rebuilt after an upgrade: the rebuild files every entry again) is not
checked: its rows are not this code's.

:func:`repair` puts the index right for the entries found wrong, in one short transaction with its audit record
(``screening.index_repaired``): missing rows filed, extra ones deleted. It takes the safe side: the entry is
screened again at once. The check costs 35-50 µs of CPU an entry (50 s at a million entries,
``docs/benchmarks/screening.md``, session 20): too slow for every ``audit verify``, so it is its own mode
(``audit verify --index``) and the desk runs it in the background after start and daily
(``ui/screening/index_watch.py``), repairing what it finds.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from frontdesk.screening.lists import ENTRY_COLUMNS, ENTRY_FROM, entry_from_row, key_tables, keys_of
from frontdesk.screening.reindex import stored_version
from frontdesk.store import Store
from frontdesk.wire.keys import KEY_VERSION

BATCH = 2000  # entries whose keys are sought per statement (and between two looks at stop())
SWITCH_S = 0.0005  # the GIL switch interval while a paced check runs (see check_index)


class Stopped(Exception):
    """The check was asked to stop (the desk is closing): nothing was found or changed."""


@dataclass(frozen=True)
class EntryRows:
    """One entry whose index rows are wrong: the keys not filed and the rows filed that its rules do not give
    (``entry_id`` of an entry no list holds: every row is extra)."""

    entry_id: int
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    exists: bool = True


@dataclass(frozen=True)
class IndexCheck:
    """What :func:`check_index` found."""

    entries: int  # entries of the lists in force checked
    rows: int  # index rows counted
    seconds: float
    wrong: tuple[EntryRows, ...] = ()
    skipped: str = ""  # why the index was not checked ("" when it was)
    repaired: int = 0  # entries put right by :func:`repair` (0 before)

    @property
    def intact(self) -> bool:
        """True when every entry's rows are its keys and no row points at no entry (or nothing was checked)."""
        return not self.wrong

    def lines(self) -> list[str]:
        """Each wrong entry in words, as ``audit verify`` lists rows touched outside the application."""
        out = []
        for w in self.wrong:
            if not w.exists:
                out.append(
                    f"{len(w.extra)} screening index rows point at list entry {w.entry_id}, which no list holds"
                )
                continue
            parts = []
            if w.missing:
                parts.append(f"{len(w.missing)} of its index rows are missing")
            if w.extra:
                parts.append(f"{len(w.extra)} index rows its names do not give point at it")
            out.append(f"list entry {w.entry_id}: " + " and ".join(parts) + " (changed outside the application)")
        return out

    def as_json(self) -> dict:
        """The JSON form (``audit verify --index --json``, key ``index``)."""
        return {
            "intact": self.intact,
            "checked": self.skipped == "",
            "skipped": self.skipped,
            "entries": self.entries,
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "repaired": self.repaired,
            "wrong": [
                {"entry_id": w.entry_id, "exists": w.exists, "missing": list(w.missing), "extra": list(w.extra)}
                for w in self.wrong
            ],
        }


def check_index(store: Store, *, stop: Callable[[], bool] | None = None, pause: float = 0.0) -> IndexCheck:
    """Compare the index with what the key rules give for every entry of a list in force (see the module).

    ``stop()`` is asked between batches (True: :class:`Stopped`); ``pause`` seconds are slept after each batch
    (the desk's background check: the GUI thread and check-ins get the CPU and the GIL meanwhile).
    """
    started = time.perf_counter()
    stop = stop or (lambda: False)
    db = store.db
    version = stored_version(db)
    if version != KEY_VERSION:
        if version is None and db.execute("SELECT 1 FROM screening_entries LIMIT 1").fetchone() is None:
            return IndexCheck(0, 0, time.perf_counter() - started)  # no list yet: nothing to check
        return IndexCheck(
            0,
            0,
            time.perf_counter() - started,
            skipped=f"the index was built under older key rules ({version}); it is being rebuilt, every entry "
            "filed again",
        )
    table = f"temp.index_check_{id(db) & 0xFFFFFF:x}"
    db.execute(f"DROP TABLE IF EXISTS {table}")
    db.execute(f"CREATE TABLE {table} (key TEXT NOT NULL, entry_id INTEGER NOT NULL)")
    # Paced (the desk's background check, beside the window's thread in one interpreter): another thread that
    # comes back from a write or an fsync waits for the GIL at most the switch interval, each time. A panic
    # press makes a dozen such calls: at Python's 5 ms a press took up to 108 ms while the check ran at
    # 1,000,000 entries (bench.index_check --during), over issue 12's 50 ms. For the check's length, 0.5 ms.
    interval = sys.getswitchinterval()
    if pause:
        sys.setswitchinterval(min(interval, SWITCH_S))
    try:
        with store.reading():
            counts: dict[int, int] = dict(
                db.execute("SELECT entry_id, count(*) FROM screening_keys GROUP BY entry_id").fetchall()
            )
            rows = sum(counts.values())
            hidden = {
                r[0]
                for r in db.execute(
                    "SELECT e.id FROM screening_entries e JOIN screening_lists l ON l.id = e.list_id "
                    "WHERE l.state != 'live'"
                )
            }
            wrong: list[EntryRows] = []
            extra_ids: list[int] = []
            after = entries = 0
            while batch := db.execute(
                f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE l.state = 'live' AND e.id > ? ORDER BY e.id LIMIT ?",
                [after, BATCH],
            ).fetchall():
                if stop():
                    raise Stopped
                after = batch[-1][0]
                entries += len(batch)
                keyed = [(e.id, keys_of(e)) for e in map(entry_from_row, batch)]
                db.conn.executemany(
                    f"INSERT INTO {table} (key, entry_id) VALUES (?, ?)", [(k, i) for i, ks in keyed for k in ks]
                )
                missing: dict[int, list[str]] = {}
                for key, entry_id in db.execute(
                    f"SELECT t.key, t.entry_id FROM {table} t WHERE NOT EXISTS "
                    "(SELECT 1 FROM main.screening_keys k WHERE k.key = t.key AND k.entry_id = t.entry_id)"
                ):
                    missing.setdefault(entry_id, []).append(key)
                db.execute(f"DELETE FROM {table}")
                for entry_id, ks in keyed:
                    filed = len(ks) - len(missing.get(entry_id, ()))
                    if counts.pop(entry_id, 0) > filed:  # rows beyond its own keys: read which (below)
                        extra_ids.append(entry_id)
                    elif entry_id in missing:
                        wrong.append(EntryRows(entry_id, tuple(sorted(missing[entry_id]))))
                if pause:
                    time.sleep(pause)
            orphans = [i for i in counts if i not in hidden]
            if extra_ids or orphans:  # which rows: one more pass over the index, for those entries only
                wrong = _with_extra_rows(db, table, wrong, extra_ids, orphans, keyed_of=_keys_by_id(db, extra_ids))
    finally:
        db.execute(f"DROP TABLE IF EXISTS {table}")
        if pause:
            sys.setswitchinterval(interval)
    wrong.sort(key=lambda w: w.entry_id)
    return IndexCheck(entries, rows, time.perf_counter() - started, tuple(wrong))


def _keys_by_id(db, ids: list[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for at in range(0, len(ids), 500):
        part = ids[at : at + 500]
        for row in db.execute(
            f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE e.id IN ({','.join('?' * len(part))})", part
        ):
            entry = entry_from_row(row)
            out[entry.id] = keys_of(entry)
    return out


def _with_extra_rows(db, table, wrong, extra_ids, orphans, *, keyed_of) -> list[EntryRows]:
    """``wrong`` with the entries that have extra rows (and the ids no list holds), each with its rows read."""
    ids = [*extra_ids, *orphans]
    db.conn.executemany(f"INSERT INTO {table} (key, entry_id) VALUES ('', ?)", [(i,) for i in ids])
    filed: dict[int, set[str]] = {}
    for key, entry_id in db.execute(
        f"SELECT key, entry_id FROM main.screening_keys WHERE entry_id IN (SELECT entry_id FROM {table})"
    ):
        filed.setdefault(entry_id, set()).add(key)
    db.execute(f"DELETE FROM {table}")
    by_id = {w.entry_id: w for w in wrong}
    for entry_id in extra_ids:
        keys = keyed_of.get(entry_id, set())
        have = filed.get(entry_id, set())
        by_id[entry_id] = EntryRows(entry_id, tuple(sorted(keys - have)), tuple(sorted(have - keys)))
    for entry_id in orphans:
        by_id[entry_id] = EntryRows(entry_id, (), tuple(sorted(filed.get(entry_id, ()))), exists=False)
    return [w for w in by_id.values() if w.missing or w.extra]


def repair(store: Store, found: IndexCheck, audit=None) -> IndexCheck:
    """Put the index right for the entries ``found`` wrong, in one short transaction with its audit record.

    Each entry is read again inside the transaction (it may have changed since the check): its keys are filed
    (``INSERT OR IGNORE``) and the extra rows the check found that its keys do not give are deleted; the rows of
    an id no list holds are deleted. Into the index being rebuilt beside it too, if there is one. Returns
    ``found`` with ``repaired`` set.
    """
    if found.intact:
        return found
    write = audit.transaction if audit is not None else store.transaction
    with write() as db:
        ids = [w.entry_id for w in found.wrong]
        now = _keys_by_id(db, ids)
        for w in found.wrong:
            keys = now.get(w.entry_id, set())
            gone = [(k, w.entry_id) for k in w.extra if k not in keys]
            for name in key_tables(db):
                db.conn.executemany(
                    f"INSERT OR IGNORE INTO {name} (key, entry_id) VALUES (?, ?)", [(k, w.entry_id) for k in keys]
                )
                db.conn.executemany(f"DELETE FROM {name} WHERE key = ? AND entry_id = ?", gone)
        if audit is not None:
            audit.record(
                "system",
                "screening.index_repaired",
                "screening index",
                {
                    "entries": ids[:100],
                    "count": len(ids),
                    "missing": sum(len(w.missing) for w in found.wrong),
                    "extra": sum(len(w.extra) for w in found.wrong),
                },
            )
    return IndexCheck(found.entries, found.rows, found.seconds, found.wrong, found.skipped, len(found.wrong))
