"""Rebuilding the screening index beside the one in force, in short steps, while the desk works.

After an upgrade that changes the key rules (:data:`frontdesk.wire.keys.KEY_VERSION`), or after ``barred
reindex``, the new index is built in ``screening_keys_next``. Screening reads ``screening_keys`` (the old
one, through the fallback paths ``screening_meta.key_version`` selects) until one short transaction swaps the
two and writes the new key version. How it stays right while check-ins, list changes, imports and syncs go on:

- **Every change files into both.** From the build's first short transaction, which creates
  ``screening_keys_next``, every change to an entry files and unfiles its keys in both tables
  (:func:`frontdesk.screening.lists.key_tables`, asked inside each change's own transaction): an entry added,
  changed or removed during the build is right in the new index, whatever the build does.
- **The build files only what is still true.** It reads the entries in id order without any lock and works
  out their keys (the CPU: about 175 µs an entry) into a TEMP table of its own connection. It then files
  them into the new index in key order, :data:`FILE_STEP` rows per short transaction, leaving out the
  entries changed or removed since the build began and the lists retired since: triggers log those, in each
  change's own transaction, whatever code makes it (:data:`CHANGED`, :data:`RETIRED`). Such a change filed
  its own keys into the new index already (first point), so the stale rows never go in, and a step never
  reads an entry (no random reads while it holds the lock). A stale staging list is retired before it is
  purged (``purge_hidden``) for this.
- **One build at a time**, named by a token in ``screening_meta`` with a heartbeat. Every step and the swap
  check the token inside their transaction: a build that another took over (``barred reindex``, or a desk
  that found its heartbeat stale) stops at its next step and never swaps an index it did not finish. A desk
  that finds a live build (a second desk on the same folder) waits for it (:func:`bring_up_to_date`).
  An older desk's re-index (older code marks nothing and swaps its table in whatever it holds) is waited for
  while its table grows, and taken over only once it has not changed for :data:`STALE_BUILD` seconds
  (:func:`older_build_rows`).
- **Closed half-way**, the build is given up (at once on a clean stop; after :data:`STALE_BUILD` seconds
  after a crash) and the next start builds again from the start: the half-built table goes, in steps.
  Nothing is lost: the old index answered all along.
- **Short locks.** Reading and the key work take no lock; a filing step appends :data:`FILE_STEP` rows in
  key order; the swap is two renames and a row; no garbage collection runs while the build holds the lock
  (:func:`_collector_held`). The longest hold is measured (:attr:`BuildReport.longest_lock`).
"""

from __future__ import annotations

import gc
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

from frontdesk.errors import StoreError
from frontdesk.screening import bulk
from frontdesk.screening.lists import ENTRY_COLUMNS, ENTRY_FROM, entry_from_row, keys_of
from frontdesk.store import CACHE_KIB, Store
from frontdesk.store.database import Database
from frontdesk.wire.keys import KEY_VERSION, READABLE_FROM, SCRIPTS_FROM, key_rules
from frontdesk.wire.names import other_script

READ_ROWS = 1000  # entries read (and their keys worked out) per round of the reading, between two stop checks
DROP_STEP = 5000  # rows of an old index deleted per short transaction (from one end: a narrow run of pages)
FILE_STEP = 2000  # index rows filed per short transaction (appended in key order: a few ms of the write lock)
STOP_EVERY = 200_000  # SQLite engine steps between two looks at stop() inside one statement (a few ms)
HEARTBEAT = 10.0  # seconds between two signs of life of a build that is still reading
STALE_BUILD = 120.0  # seconds without a sign of life after which a build is taken for abandoned
WAIT_POLL = 5.0  # seconds between two looks at another desk's build
NEXT = "screening_keys_next"
# A row of the build's own in the new index until the swap deletes it: code that drops and makes the table again
# (an older desk's re-index, on a shared folder) takes the build over as surely as a new token does. No
# look-up reaches it (every key starts with a letter).
MARK = "\x00build:"
_AFTER_MARKS = "\x00build;"  # the first key past every mark (";" follows ":")
_READ_SHARE = 0.8  # of the progress: reading the entries and working out their keys (then: filing them)
# What changed since the build began, written by triggers in each change's own transaction (whatever code makes
# it): the entries whose key fields were set or which were deleted, and the lists retired. Their rows are not
# filed by the build: each such change filed its own keys into the new index already (key_tables).
CHANGED, RETIRED = "screening_build_changed", "screening_build_retired"
_TRIGGERS = {
    "screening_build_entry_set": "AFTER UPDATE OF first_name, middle_name, last_name, aliases, dob, id_state, "
    "id_last4, list_id ON screening_entries "
    f"BEGIN INSERT OR IGNORE INTO {CHANGED} (entry_id) VALUES (OLD.id); END",
    "screening_build_entry_gone": "AFTER DELETE ON screening_entries "
    f"BEGIN INSERT OR IGNORE INTO {CHANGED} (entry_id) VALUES (OLD.id); END",
    "screening_build_list_retired": "AFTER UPDATE OF state ON screening_lists WHEN NEW.state = 'retired' "
    f"BEGIN INSERT OR IGNORE INTO {RETIRED} (list_id) VALUES (NEW.id); END",
}


class Superseded(Exception):
    """Another build took this one over (its token is gone): this one stops and never swaps."""


class Stopped(Exception):
    """The build was asked to stop (the desk is closing); it was given up, to be built again next time."""


@dataclass(frozen=True)
class BuildReport:
    """What one build did."""

    entries: int  # entries read
    keys: int  # index rows the build filed (rows the desk's own changes filed meanwhile are not counted)
    seconds: float
    cpu_seconds: float  # of the building thread
    longest_lock: float  # seconds: the longest write transaction the build held (a step or the swap)
    steps: int  # write transactions
    longest_what: str = ""  # which one held it longest ("a filing step", "the swap", ...)
    lock_p99: float = 0.0  # seconds: 99% of the build's write transactions held the lock no longer


def stored_version(db: Database) -> int | None:
    """The key rules of the index in force (None: never recorded)."""
    row = db.execute("SELECT value FROM screening_meta WHERE key = 'key_version'").fetchone()
    return int(row[0]) if row is not None else None


def has_entries(db: Database) -> bool:
    """True when any list holds an entry (hidden ones too)."""
    return db.execute("SELECT 1 FROM screening_entries LIMIT 1").fetchone() is not None


def answers_as_is(version: int | None) -> bool:
    """True when this code screens right on an index of key rules ``version`` (the same answers as on its own:
    the rules since then only added rows, and the screener falls back for them)."""
    return version is not None and READABLE_FROM <= version <= KEY_VERSION


SCRIPTS_FILED = "scripts_filed"  # screening_meta: the older index in force holds rules 10's keys of other scripts


def needs_other_scripts(db: Database) -> bool:
    """True when the index in force is of key rules older than :data:`SCRIPTS_FROM` and the keys of its entries
    written in other scripts were not filed into it yet (:func:`file_other_scripts`)."""
    version = stored_version(db)
    if version is None or version >= SCRIPTS_FROM:
        return False
    return db.execute("SELECT 1 FROM screening_meta WHERE key = ?", [SCRIPTS_FILED]).fetchone() is None


def file_other_scripts(store: Store) -> int:
    """File this code's keys of every entry whose names are written in another script (Cyrillic, Greek, Han
    ...) into an index built under older key rules, which filed such an entry under no name key at all: after
    this the older index answers as this code's own (every other entry's keys are the same under both), until
    the background build replaces it. Returns how many entries.

    The entries are read without a lock (a name in another script holds a character outside printable ASCII,
    which SQLite's GLOB tells in C; an alias may sit in the JSON as an escape), and filed in one short
    transaction with :data:`SCRIPTS_FILED`. An entry changed meanwhile filed its own keys (this code's); rows
    filed for a name it no longer has only bring it to the scorer, which judges the entry as it is.
    """
    db = store.db
    rows = db.execute(
        f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE l.state != 'retired' AND ("
        "(e.first_name || e.middle_name || e.last_name || e.aliases) GLOB '*[^ -~]*' "
        "OR instr(e.aliases, '\\u') > 0)"
    ).fetchall()
    entries = [entry_from_row(r) for r in rows]
    entries = [
        e for e in entries if any(map(other_script, (e.first_name, e.middle_name, e.last_name, *e.aliases)))
    ]
    with store.transaction() as db:
        if needs_other_scripts(db):
            db.conn.executemany(
                "INSERT OR IGNORE INTO screening_keys (key, entry_id) VALUES (?, ?)",
                [(k, e.id) for e in entries for k in keys_of(e)],
            )
            db.execute("INSERT OR IGNORE INTO screening_meta (key, value) VALUES (?, ?)", [SCRIPTS_FILED, "1"])
    return len(entries)


class IndexBuild:
    """One build of the index beside the one in force (see the module). ``run`` once.

    ``progress(fraction)`` after each round; ``stop()`` is asked between rounds (True: give up, :class:`Stopped`).
    ``take_over``: start even if another build looks alive (``barred reindex``: an administrator asked).
    """

    def __init__(
        self,
        store: Store,
        *,
        progress: Callable[[float], None] | None = None,
        stop: Callable[[], bool] | None = None,
        take_over: bool = False,
        older_stale: bool = False,
    ):
        self._store = store
        self._progress = progress or (lambda _f: None)
        self._stop = stop or (lambda: False)
        self._take_over = take_over
        self._older_stale = older_stale
        self._token = secrets.token_hex(8)
        self._tag = secrets.token_hex(4)  # this build's TEMP tables
        self._beat = 0.0
        self._longest = 0.0
        self._longest_what = ""
        self._steps = 0
        self._holds: list[float] = []

    def run(self, on_swap: Callable[[int], None] | None = None) -> BuildReport | None:
        """Build and swap in the new index. None when another live build is under way (wait for it).

        ``on_swap(rows)`` runs inside the swap's transaction (the administrators' verb audits there).
        Raises :class:`Superseded` or :class:`Stopped` (the index in force is then untouched).
        """
        started, cpu = time.perf_counter(), time.thread_time()
        store, db = self._store, self._store.db
        keys, ordered = (f"reindex_{self._tag}_{n}" for n in ("keys", "sorted"))
        swapped = begun = False
        # Every step but the swap commits without an fsync of its own: what a power cut loses of a build is
        # built again (frontdesk.screening.bulk); the bulk pacer syncs the log after each step, outside the lock.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA cache_size = -{bulk.BULK_CACHE_KIB}")
        # A long statement of the build (the sort of millions of rows) stops too when asked: SQLite asks this
        # every STOP_EVERY steps of its engine and abandons the statement on a true answer.
        db.conn.set_progress_handler(self._stop, STOP_EVERY)
        try:
            if not self._begin():
                return None
            begun = True
            drop_leftovers(store, self._unchecked)  # this build's half-built predecessor too (renamed by _begin)
            db.execute(f"CREATE TEMP TABLE {keys} (key TEXT NOT NULL, entry_id INTEGER NOT NULL, list_id INTEGER)")
            entries = self._read(keys)
            self._check_stop()
            # Sorted once (SQLite's external sort, in this connection's TEMP file): row n of the copy is the n-th
            # in key order, so a filing step is a range of rowids appended to one end of the new index.
            db.execute(
                f"CREATE TEMP TABLE {ordered} AS SELECT key, entry_id, list_id FROM temp.{keys} "
                "ORDER BY key, entry_id"
            )
            db.execute(f"DROP TABLE temp.{keys}")
            filed = self._file(ordered)
            db.execute("PRAGMA synchronous = FULL")  # the swap puts the index in force: synced as every commit
            old = f"screening_keys_old_{self._tag}"
            with self._locked("the swap") as db:
                db.execute(f"DELETE FROM {NEXT} WHERE key = ? AND entry_id = 0", [MARK + self._token])
                db.execute(f"ALTER TABLE screening_keys RENAME TO {old}")
                db.execute(f"ALTER TABLE {NEXT} RENAME TO screening_keys")
                db.execute(
                    "INSERT INTO screening_meta (key, value) VALUES ('key_version', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [str(KEY_VERSION)],
                )
                db.execute("DELETE FROM screening_meta WHERE key LIKE 'build_%' OR key = ?", [SCRIPTS_FILED])
                _drop_change_log(db)
                if on_swap is not None:
                    on_swap(filed)
            swapped = True
            db.conn.set_progress_handler(None, 0)  # in force now: the old index's clean-up is not stopped half-way
            db.execute("PRAGMA synchronous = NORMAL")
            self._progress(1.0)
            drop_in_steps(store, old, self._unchecked)
        except StoreError:
            if self._stop():  # a statement abandoned because the desk is closing
                raise Stopped from None
            raise
        finally:
            db.conn.set_progress_handler(None, 0)
            for table in (keys, ordered):
                db.execute(f"DROP TABLE IF EXISTS temp.{table}")
            db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            db.execute("PRAGMA synchronous = FULL")
            if begun and not swapped:
                self._give_up()
        return BuildReport(
            entries,
            filed,
            time.perf_counter() - started,
            time.thread_time() - cpu,
            self._longest,
            self._steps,
            self._longest_what,
            sorted(self._holds)[int(len(self._holds) * 0.99)] if self._holds else 0.0,
        )

    # --- the steps ----------------------------------------------------------------------------------------
    def _begin(self) -> bool:
        """Take the build (a new ``screening_keys_next``, this build's token) unless another is alive."""
        with self._locked("the start", check_token=False) as db:
            meta = build_meta(db)
            alive = meta.get("build_token") and time.time() - float(meta.get("build_touched", 0)) < STALE_BUILD
            if alive and not self._take_over:
                return False
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [NEXT]).fetchone():
                if not _marked_by_a_build(db) and not self._older_stale:
                    return False  # an older desk's build may be filling it (bring_up_to_date watches it)
                # Half-built by a build given up: dropped in steps by drop_leftovers, not in this lock.
                db.execute(f"ALTER TABLE {NEXT} RENAME TO screening_keys_trash_{self._tag}")
            db.execute(
                f"CREATE TABLE {NEXT} (key TEXT NOT NULL, entry_id INTEGER NOT NULL, "
                "PRIMARY KEY (key, entry_id)) WITHOUT ROWID"
            )
            db.execute(f"INSERT INTO {NEXT} (key, entry_id) VALUES (?, 0)", [MARK + self._token])
            _drop_change_log(db)
            db.execute(f"CREATE TABLE {CHANGED} (entry_id INTEGER PRIMARY KEY)")
            db.execute(f"CREATE TABLE {RETIRED} (list_id INTEGER PRIMARY KEY)")
            for name, body in _TRIGGERS.items():
                db.execute(f"CREATE TRIGGER {name} {body}")
            db.conn.executemany(
                "INSERT INTO screening_meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [
                    ("build_token", self._token),
                    ("build_rules", str(key_rules())),
                    ("build_touched", str(time.time())),
                ],
            )
        self._beat = time.monotonic()
        return True

    def _read(self, keys: str) -> int:
        """Read every entry of a list not retired, in id order, and hold its keys with its entry and list (no
        lock). Returns how many."""
        db = self._store.db
        top = db.execute("SELECT coalesce(max(id), 0) FROM screening_entries").fetchone()[0] or 1
        after = count = 0
        while True:
            self._check_stop()
            if time.monotonic() - self._beat > HEARTBEAT:
                with self._locked("a heartbeat"):
                    pass  # checks the token and renews the heartbeat
            rows = db.execute(
                f"SELECT {ENTRY_COLUMNS}, l.id {ENTRY_FROM} WHERE e.id > ? AND l.state != 'retired' "
                "ORDER BY e.id LIMIT ?",
                [after, READ_ROWS],
            ).fetchall()
            if not rows:
                return count
            entries = [(entry_from_row(r), r[-1]) for r in rows]
            db.conn.executemany(
                f"INSERT INTO temp.{keys} (key, entry_id, list_id) VALUES (?, ?, ?)",
                [(k, e.id, list_id) for e, list_id in entries for k in keys_of(e)],
            )
            count += len(rows)
            after = rows[-1][0]
            self._progress(_READ_SHARE * min(1.0, after / top))

    def _file(self, ordered: str) -> int:
        """File the held rows into the new index in key order, leaving out the entries changed or removed and
        the lists retired since the build began (their changes filed their own keys)."""
        store, db = self._store, self._store.db
        total = db.execute(f"SELECT coalesce(max(rowid), 0) FROM temp.{ordered}").fetchone()[0]
        sql = (
            f"INSERT OR IGNORE INTO main.{NEXT} (key, entry_id) SELECT key, entry_id FROM temp.{ordered} "
            f"WHERE rowid > ? AND rowid <= ? AND entry_id NOT IN (SELECT entry_id FROM main.{CHANGED}) "
            f"AND list_id NOT IN (SELECT list_id FROM main.{RETIRED}) ORDER BY rowid"
        )
        pacer = bulk.Pacer(store)
        filed = 0
        for low in range(0, total, FILE_STEP):
            self._check_stop()
            with self._locked("a filing step") as db:
                filed += max(db.execute(sql, [low, low + FILE_STEP]).rowcount, 0)
            pacer.step()
            self._progress(_READ_SHARE + (1 - _READ_SHARE) * min(1.0, (low + FILE_STEP) / total))
        return filed

    # --- the build's token --------------------------------------------------------------------------------
    @contextmanager
    def _locked(self, what: str = "a step", *, check_token: bool = True) -> Iterator[Database]:
        """A write transaction of this build, whose hold (lock taken to commit returned) counts towards
        ``longest_lock``; with ``check_token`` the build's token is checked (:class:`Superseded`) and its
        heartbeat renewed."""
        held = None
        try:
            with _collector_held(), self._store.transaction() as db:
                held = time.perf_counter()
                if check_token:
                    if build_meta(db).get("build_token") != self._token or not self._marked(db):
                        raise Superseded
                    db.execute(
                        "UPDATE screening_meta SET value = ? WHERE key = 'build_touched'", [str(time.time())]
                    )
                    self._beat = time.monotonic()
                yield db
        finally:
            if held is not None:
                self._steps += 1
                hold = time.perf_counter() - held
                self._holds.append(hold)
                if hold > self._longest:
                    self._longest, self._longest_what = hold, what

    def _marked(self, db: Database) -> bool:
        """True while the new index is still this build's table (its mark is there)."""
        try:
            found = db.execute(f"SELECT 1 FROM {NEXT} WHERE key = ? AND entry_id = 0", [MARK + self._token])
        except StoreError:  # no such table: dropped by someone else
            return False
        return found.fetchone() is not None

    def _unchecked(self) -> AbstractContextManager[Database]:
        return self._locked("a step deleting an old index", check_token=False)

    def _check_stop(self) -> None:
        if self._stop():
            raise Stopped

    def _give_up(self) -> None:
        """Let the next build start at once (the half-built table stays until it does)."""
        try:
            with self._store.transaction() as db:
                if build_meta(db).get("build_token") == self._token:
                    db.execute("DELETE FROM screening_meta WHERE key LIKE 'build_%'")
                    _drop_change_log(db)
        except Exception:  # noqa: BLE001 - a build that cannot even give up is taken over once stale
            pass


@contextmanager
def _collector_held() -> Iterator[None]:
    """Python's cyclic garbage collector held off for one of the build's write transactions (from asking for the
    lock to the commit), so that no thread starts a collection while the build holds the lock.

    A full collection walks every object the process keeps, and the build's reading fills the name caches of
    :mod:`frontdesk.wire.names` (50,000 entries each): at a million entries each full collection then takes
    130-175 ms of CPU (measured: 53 of them per build, nearly all while it reads, with no lock). It runs in
    whichever thread allocates when the collector's counts trip: the build's own (in a step, in its first
    statements), or another thread of the desk while the build waits for the GIL in the middle of a step.
    Either way the lock was held all that time: the bench's one long step (204 ms quiet; 151 ms, 146 of them
    the step's own CPU before its first row, in an instrumented run, against 2.5 ms for the median step). Held
    off, the collection falls due at the first allocation after the commit, the lock free. Process-wide, for
    the few ms of a step; the collector only reclaims cycles, so nothing is lost meanwhile.

    In the desk, collections run only on the GUI thread (``ui.tasks.GuiCollector``), which takes a disabled
    collector for a hold like this one and waits; in ``frontdesk barred reindex`` (no Qt) this hold is the
    automatic collector's.
    """
    if not gc.isenabled():  # held off already (the desk's start-up, until its first idle): leave it so
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _drop_change_log(db: Database) -> None:
    """The triggers and the tables that log changes during a build (inside the caller's transaction)."""
    for name in _TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    db.execute(f"DROP TABLE IF EXISTS {CHANGED}")
    db.execute(f"DROP TABLE IF EXISTS {RETIRED}")


def _marked_by_a_build(db: Database) -> bool:
    """True when ``screening_keys_next`` holds a build's mark (this code's builds mark their table)."""
    return (
        db.execute(f"SELECT 1 FROM {NEXT} WHERE key >= ? AND key < ? LIMIT 1", [MARK, _AFTER_MARKS]).fetchone()
        is not None
    )


def older_build_rows(db: Database) -> int | None:
    """The rows of a ``screening_keys_next`` that no build of this code marked, or None (no such table).

    Such a table is an older desk's re-index on a shared folder (or what one left when it stopped): older code
    drops and makes that table by name, fills it, then swaps it into force whatever is in it. Taking it over
    while that desk still fills it would let its swap put this build's half-built table in force (a barred
    person missed), so :func:`bring_up_to_date` waits while the table grows, and takes it over only after it
    has not changed for :data:`STALE_BUILD` seconds. Counted outside any write lock (a read in WAL mode).
    """
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [NEXT]).fetchone() is None:
        return None
    if _marked_by_a_build(db):
        return None
    return db.execute(f"SELECT count(*) FROM {NEXT}").fetchone()[0]


def build_meta(db: Database) -> dict[str, str]:
    """The build under way, if any: ``build_token``, ``build_rules``, ``build_touched`` (seconds since 1970)."""
    return dict(db.execute("SELECT key, value FROM screening_meta WHERE key LIKE 'build_%'").fetchall())


def drop_in_steps(
    store: Store, table: str, locked: Callable[[], AbstractContextManager[Database]] | None = None
) -> None:
    """Empty a large index table in small steps, then drop it (a DROP of millions of rows holds the lock).

    ``locked()``: the write transaction to use for each step (a build's, which times them)."""
    pacer = bulk.Pacer(store)
    while True:
        with (locked or store.transaction)() as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [table]).fetchone() is None:
                return  # gone (another process dropped it)
            first = f"SELECT key, entry_id FROM {table} LIMIT {DROP_STEP}"
            cur = db.execute(f"DELETE FROM {table} WHERE (key, entry_id) IN ({first})")
            if cur.rowcount == 0:
                db.execute(f"DROP TABLE {table}")
                return
        pacer.step()


def drop_leftovers(store: Store, locked: Callable[[], AbstractContextManager[Database]] | None = None) -> None:
    """Drop what interrupted builds left: old and half-built index tables no build uses any more."""
    names = store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    for (name,) in names:
        if name != "screening_keys_old" and not name.startswith(("screening_keys_old_", "screening_keys_trash_")):
            continue
        drop_in_steps(store, name, locked)


def bring_up_to_date(
    store: Store,
    *,
    progress: Callable[[float], None] | None = None,
    stop: Callable[[], bool] | None = None,
    on_swap: Callable[[int], None] | None = None,
    take_over: bool = False,
    notice: Callable[[str], None] | None = None,
) -> BuildReport | None:
    """Build until the index in force has this code's key rules; wait while another desk builds it.

    Returns this process's build report, or None when another one built it. Raises :class:`Stopped`.
    ``notice(sentence)``: what it waits for and why, in the office's words, once each time that changes (the
    command line prints it: a wait can last minutes).
    """
    stop = stop or (lambda: False)
    said = _Notices(notice)
    older: tuple[int, float] | None = None  # an older desk's table: its rows, and since when they are unchanged
    while True:
        db = store.db
        if stored_version(db) == KEY_VERSION and not take_over:
            return None
        rows = older_build_rows(db)
        if rows is None:
            if older is not None:
                said("older_gone", "The other computer's re-index has ended; re-indexing now.")
            older = None
        elif older is None or older[0] != rows:
            older = (rows, time.monotonic())  # first seen, or still growing: an older desk is building
            said("older", _older_build_waited_for(rows))
        stale = older is not None and time.monotonic() - older[1] >= STALE_BUILD
        if older is None or stale:
            if stale:
                said(
                    "older_stale",
                    f"The older re-index has not changed for {_minutes(STALE_BUILD)}: taking it over now.",
                )
            try:
                report = IndexBuild(
                    store, progress=progress, stop=stop, take_over=take_over, older_stale=stale
                ).run(on_swap)
            except Superseded:  # another build took over: look again at once (then wait for it, or take it over)
                take_over = False
                said(
                    "superseded",
                    "Another re-index took this one over (a desk upgrading its lists, or another "
                    "'barred reindex', on this data folder): waiting for it to finish.",
                )
                continue
            if report is not None:
                return report
            said(
                "live",
                "Another desk on this data folder is re-indexing the screening lists: waiting for it to finish "
                "(two at once would only do the work twice). Screening works as usual meanwhile.",
            )
        waited = time.monotonic()
        while time.monotonic() - waited < WAIT_POLL:
            if stop():
                raise Stopped
            time.sleep(0.1)


class _Notices:
    """Says each kind of wait once (``notice`` may be None: nobody to tell)."""

    def __init__(self, notice: Callable[[str], None] | None):
        self._notice = notice
        self._said: set[str] = set()

    def __call__(self, kind: str, sentence: str) -> None:
        if self._notice is not None and kind not in self._said:
            self._said.add(kind)
            self._notice(sentence)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} minutes" if seconds >= 120 else f"{seconds:g} s"


def _older_build_waited_for(rows: int) -> str:
    """Why a re-index waits for an unmarked ``screening_keys_next`` (see :func:`older_build_rows`)."""
    so_far = f"{rows:,} index row{'' if rows == 1 else 's'} so far"
    return (
        "Waiting: a re-index by an older FrontDesk is under way on this data folder, or was left there "
        f"({so_far}; another computer sharing the folder and not yet upgraded may still be filling it). It is "
        "left alone while it grows: taking it over then could put a half-built index in force. If it does not "
        f"change for {_minutes(STALE_BUILD)}, this re-index takes it over. Screening works as usual meanwhile."
    )
