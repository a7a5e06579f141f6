"""Bulk work on the lists, in short steps: how a million entries go in or out without holding the desk up.

The desk's own ``barred import`` (:mod:`frontdesk.screening.importer`), the district copy's snapshot
(:mod:`frontdesk.district_lists.service`) and the clean-up of a replaced or removed list
(:func:`frontdesk.screening.lists.purge_hidden`) all work the same way:

- entries are written :data:`STEP_ROWS` per short transaction (a few ms of the write lock), with a pause of
  :data:`STEP_PAUSE` after each, in which a waiting check-in takes the lock (:class:`Pacer`);
- their index rows are *not* filed with them: each step's few thousand keys would land all over the growing
  index and rewrite thousands of its pages (into the log, then the database file) per step. They wait in a
  TEMP table of the bulk connection (no log, no fsync, no lock: :class:`KeyRows`); once every entry is in,
  they are sorted once and filed (or deleted) in key order, :data:`KEY_STEP` rows per short transaction, so
  each step touches one narrow run of the index's pages;
- those steps are committed without an fsync of their own (``synchronous = NORMAL``: hidden rows that a power
  cut loses are rebuilt or deleted again by the next run); a PASSIVE checkpoint on the bulk connection every
  :data:`CHECKPOINT_STEPS` steps keeps the log short, so that neither a desk's commit nor its readers pay for
  the bulk pages. The step that puts the work in force (the swap) is committed with the usual FULL sync.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from frontdesk import clock
from frontdesk.store import Store

STEP_ROWS = 1000  # entries per short transaction (a step holds the write lock for a few ms)
STEP_PAUSE = 0.005  # seconds after each step: a waiting check-in gets the lock here
KEY_STEP = 10000  # index rows per short transaction, in key order
# A PASSIVE checkpoint (which syncs the database file) every this many steps, not after each one: on a shared
# disk one sync can take a few hundred ms. Measured at 100,000 entries: 300-960 pages of log at a checkpoint,
# below SQLite's 1,000-page automatic checkpoint, so a desk's commit does not run the bulk pages' checkpoint.
CHECKPOINT_STEPS = 8
KEY_WEIGHT = 4  # a key step writes about four entry steps' worth of log (measured: 250-480 pages at 100,000)
BULK_CACHE_KIB = 65536  # page cache of the bulk connection while it works (the index grows by millions of rows)


@dataclass
class Span:
    """The ids bulk work filed and the running sum of their content hashes (the audit's coverage)."""

    first: int | None = None
    last: int | None = None
    digest: int = 0

    def add(self, step: tuple[int, int, int] | None) -> None:
        """Count one step's ``(first, last, digest)`` (None: an empty step)."""
        if step is None:
            return
        first, last, digest = step
        self.first = first if self.first is None else self.first
        self.last = last
        self.digest = (self.digest + digest) % (1 << 256)

    def record(self, count: int) -> dict:
        """``{first, last, count, digest}``: what the import's audit record says of the entries it filed."""
        first = self.first if self.first is not None else 0
        last = self.last if self.last is not None else -1
        return {"first": first, "last": last, "count": count, "digest": f"{self.digest:064x}"}


class Pacer:
    """What follows each step of bulk work: the step's log synced (outside the lock), a pause, and a PASSIVE
    checkpoint every :data:`CHECKPOINT_STEPS` steps.

    The steps commit without an fsync of their own (``synchronous = NORMAL``), so that none holds the write
    lock while the disk syncs; but a desk's next commit (FULL) syncs the whole log, and on a busy disk it
    would then wait for every bulk page not yet synced. So the bulk connection syncs the log itself after
    each step, once the lock is free again: a desk's commit finds at most one step's pages unsynced.
    """

    def __init__(self, store: Store, pause: float = STEP_PAUSE, every: int = CHECKPOINT_STEPS):
        self._store = store
        self._pause = pause
        self._every = every
        self._since = 0  # steps (weighted) since the last checkpoint
        self._log = Path(f"{store.path}-wal")

    def step(self, weight: int = 1) -> None:
        """After one step (outside its transaction). ``weight``: how many entry steps' worth of log it wrote."""
        _sync(self._log)
        self._since += weight
        if self._since >= self._every:
            self._since = 0
            self._store.between_steps(self._pause)
        else:
            time.sleep(self._pause)


def _sync(path: Path) -> None:
    """Flush a file's written pages to the disk (the log: SQLite keeps it open; this is a second handle)."""
    try:
        fd = os.open(path, os.O_RDONLY if os.name != "nt" else os.O_RDWR)
    except OSError:
        return  # no log (yet): nothing to sync
    try:
        _datasync(fd)
    finally:
        os.close(fd)


_datasync = getattr(os, "fdatasync", os.fsync)  # the data without the file's times, where the system has it


class KeyRows:
    """Index rows of bulk work, held in a TEMP table of the bulk connection, then filed or deleted in key order.

    ``add`` while the entries go in; then ``file`` (or ``unfile``) once; ``drop`` (or leave the ``with``)
    at the end. The table lives in this thread's connection only (SQLite's TEMP schema, a file of its own):
    nothing of it is in the database, so a crash leaves nothing behind. ``table`` is its name, for callers
    that fill it with SQL (the district's snapshot unpacks the hub's key lists straight into it).
    """

    def __init__(self, store: Store):
        self._store = store
        self.table = f"bulk_keys_{secrets.token_hex(4)}"
        self._sorted = self.table + "_sorted"
        store.db.execute(f"CREATE TEMP TABLE {self.table} (key TEXT NOT NULL, entry_id INTEGER NOT NULL)")

    def __enter__(self) -> KeyRows:
        return self

    def __exit__(self, *exc) -> None:
        self.drop()

    def add(self, rows: Iterable[tuple[str, int]]) -> None:
        """Hold more ``(key, entry_id)`` rows (duplicates are harmless)."""
        self._store.db.conn.executemany(f"INSERT INTO temp.{self.table} (key, entry_id) VALUES (?, ?)", rows)

    def add_entries(self, first: int, keys: Iterable[Iterable[str]]) -> None:
        """Hold the keys of a step's entries, numbered from ``first`` in order."""
        self.add((k, first + i) for i, ks in enumerate(keys) for k in ks)

    def file(
        self,
        tables: Callable[[], list[str]],
        pacer: Pacer,
        *,
        touch: int | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> int:
        """File the rows into the index ``tables()`` (asked again at each step), in key order. Returns rows.

        ``touch``: a staging list whose ``touched_at`` each step renews (it is still being built, not
        abandoned). ``progress(fraction)`` after each step.
        """
        return self._in_key_order(
            "INSERT OR IGNORE INTO main.{table} (key, entry_id) SELECT key, entry_id FROM temp.{rows} "
            "WHERE rowid > ? AND rowid <= ? ORDER BY rowid",
            tables,
            pacer,
            touch,
            progress,
        )

    def unfile(self, tables: Callable[[], list[str]], pacer: Pacer) -> int:
        """Delete the rows from the index ``tables()``, in key order. Returns how many rows were held."""
        return self._in_key_order(
            "DELETE FROM main.{table} WHERE (key, entry_id) IN "
            "(SELECT key, entry_id FROM temp.{rows} WHERE rowid > ? AND rowid <= ?)",
            tables,
            pacer,
            None,
            None,
        )

    def drop(self) -> None:
        """Forget the rows (the TEMP tables go)."""
        db = self._store.db
        db.execute(f"DROP TABLE IF EXISTS temp.{self.table}")
        db.execute(f"DROP TABLE IF EXISTS temp.{self._sorted}")

    def _in_key_order(self, sql, tables, pacer, touch, progress) -> int:
        store, db = self._store, self._store.db
        # Sorted once (SQLite's external sort, in this connection's TEMP file): row n of the copy is the n-th
        # in key order, so a step is a range of rowids and touches one narrow run of the index.
        db.execute(f"DROP TABLE IF EXISTS temp.{self._sorted}")
        db.execute(
            f"CREATE TEMP TABLE {self._sorted} AS "
            f"SELECT key, entry_id FROM temp.{self.table} ORDER BY key, entry_id"
        )
        db.execute(f"DELETE FROM temp.{self.table}")
        total = db.execute(f"SELECT coalesce(max(rowid), 0) FROM temp.{self._sorted}").fetchone()[0]
        for low in range(0, total, KEY_STEP):
            with store.transaction():
                for table in tables():
                    db.execute(sql.format(table=table, rows=self._sorted), [low, low + KEY_STEP])
                if touch is not None:
                    db.execute(
                        "UPDATE screening_lists SET touched_at = ? WHERE id = ?", [clock.to_db(clock.now()), touch]
                    )
            if progress is not None:
                progress(min(1.0, (low + KEY_STEP) / total))
            pacer.step(KEY_WEIGHT)
        db.execute(f"DROP TABLE temp.{self._sorted}")
        return total
