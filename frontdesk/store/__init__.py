"""The SQLite store: one file, named migrations applied at start-up, WAL, synchronous=FULL.

Each thread opens its own connection with :meth:`Store.connect`; the store object itself holds only the
path (and the key), so it can be shared. A file that cannot be read as a database is reported and never
overwritten. With a key the file is encrypted with SQLCipher (:mod:`frontdesk.store.cipher`); the key lives
in the OS keyring (:mod:`frontdesk.secrets`), one per database file.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from frontdesk import clock
from frontdesk.errors import StoreBusy, StoreCorrupt, StoreError, StoreFull, StoreReadOnly
from frontdesk.secrets import DATABASE_KEY, SecretName, SecretStore
from frontdesk.store import cipher
from frontdesk.store.database import Database
from frontdesk.store.migrations import Migration, newer_message, unknown

__all__ = [
    "DB_NAME",
    "Database",
    "Migration",
    "Store",
    "TypedConnection",
    "copy_file_aside",
    "key_name",
    "previous_key_name",
    "typed_error",
]

log = logging.getLogger(__name__)

DB_NAME = "frontdesk.db"
# How long a writer waits for another before it says "busy" (FRONTDESK_BUSY_SECONDS: for tests and tools).
BUSY_SECONDS = 10.0
# How long a program opening a folder waits for the write lock to apply a migration (or make the table that lists
# them) while other programs apply theirs: a desk and a kiosk started together on a new folder (or just upgraded)
# take turns through some forty migrations, each with its own sync, and on a loaded PC with a slow disk that can
# pass BUSY_SECONDS; nothing can be done with the folder until they are applied, so waiting is the only useful
# answer (a StoreBusy here stopped the program at its start: tests/test_store_first_open_race.py, session 24).
MIGRATE_WAIT_SECONDS = 60.0
STATEMENT_CACHE = 512  # prepared statements kept per connection
CACHE_KIB = 16384  # page cache per connection (KiB): at 1M visits the indexes a check-in walks stay in memory
# With checkpoints deferred (:meth:`Store.defer_checkpoints`, the desk's), SQLite's automatic checkpoint runs
# only once the write-ahead log holds this many pages (~40 MB): the bound for a desk that is never idle.
# SQLite's own default is 1,000, which put a checkpoint into about every 45th check-in's commit.
DEFERRED_CHECKPOINT_PAGES = 10_000
# How often the desk moves the log into the database file, off the commit path (``ui/upkeep.py``).
LOG_CHECKPOINT_SECONDS = 5.0


def _store_full(where: str) -> StoreFull:
    return StoreFull(
        f"The disk is full{where}: nothing more can be saved. Free some space or call school IT support."
    )


# Free space below which a failed write-ahead log or shared-memory file is taken for a full disk (SQLite says
# only "disk I/O error" when it cannot make them).
_NEARLY_FULL = 1 << 20


def _full_disk_behind(exc: StoreError, folder: Path) -> bool:
    """True when ``exc`` is SQLite's I/O error and the disk holding ``folder`` has (almost) no room left."""
    cause = exc.__cause__
    if not isinstance(cause, sqlite3.Error) or not str(getattr(cause, "sqlite_errorname", "")).startswith(
        "SQLITE_IOERR"
    ):
        return False
    try:
        return shutil.disk_usage(folder).free < _NEARLY_FULL
    except OSError:
        return False


def typed_error(exc: sqlite3.Error, path: Path | str = "") -> StoreError:
    """A SQLite error as the typed error the front office is told about (one line, what to do).

    Busy or locked, disk full, read-only, corrupt: each has its own class and words. Anything else is a
    plain :class:`StoreError` naming SQLite's own message (never a traceback).
    """
    if isinstance(exc, StoreError):
        return exc
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    where = f" ({path})" if path else ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return StoreBusy(
            "The FrontDesk database is busy: another FrontDesk program is writing to it. "
            "Nothing was lost; try again in a moment."
        )
    if name.startswith("SQLITE_FULL") or "disk is full" in text or "database or disk is full" in text:
        return _store_full(where)
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")) or "readonly" in text:
        return StoreReadOnly(
            f"The FrontDesk database cannot be written{where}: the file or its folder is read-only. "
            "Call school IT support."
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        return StoreCorrupt(
            f"The FrontDesk database is damaged{where}. It has not been changed. Restore the newest copy "
            "from the backups folder, or call school IT support."
        )
    return StoreError(f"The FrontDesk database failed{where}: {exc}. Call school IT support if it happens again.")


class _TypedStatements:
    """Statements that raise the typed store errors instead of ``sqlite3`` ones (for either driver)."""

    def execute(self, *args, **kwargs):  # type: ignore[override]
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.Error as exc:
            raise typed_error(exc) from exc

    def executemany(self, *args, **kwargs):  # type: ignore[override]
        try:
            return super().executemany(*args, **kwargs)
        except sqlite3.Error as exc:
            raise typed_error(exc) from exc

    def commit(self) -> None:
        try:
            super().commit()
        except sqlite3.Error as exc:
            raise typed_error(exc) from exc


class TypedConnection(_TypedStatements, sqlite3.Connection):
    """A plain SQLite connection whose statements raise the typed store errors."""


def key_name(path: Path) -> SecretName:
    """Where the key of the database file at ``path`` sits in the keyring (one key per file)."""
    return DATABASE_KEY.for_account(str(Path(path).resolve()))


def previous_key_name(path: Path) -> SecretName:
    """Where a key rotation keeps the file's old key until the file is re-keyed (see ``frontdesk.keys``)."""
    return DATABASE_KEY.for_account(str(Path(path).resolve()) + "#previous")


def _settle_rotation(secrets: SecretStore, path: Path, key: str) -> str:
    """The key that opens ``path``: after a key rotation cut short, the previous key, put back as current.

    A rotation keeps the old key under :func:`previous_key_name` until the re-keyed file is in place; if it
    stopped in between (power cut), the keyring's current key may not open the file yet the old one does.
    """
    previous = secrets.get(previous_key_name(path))
    if previous is None or previous == key:
        return key
    for candidate in (key, previous):
        try:
            cipher.connect(path, candidate).close()
        except sqlite3.DatabaseError:
            continue
        if candidate == previous:
            secrets.set(key_name(path), previous)
            log.warning("a key rotation of %s did not finish: its previous key is current again", path)
        secrets.delete(previous_key_name(path))
        return candidate
    return key


def hold_alone(path: Path, key: str, fmt: str | None = None):
    """A SQLCipher connection holding ``path`` alone: out of WAL (SQLite refuses that while any other
    connection is open), with an exclusive lock; :class:`StoreBusy` if another connection has it open.
    (A file's format rewrite here, and key rotation in :mod:`frontdesk.keys`.)"""
    conn = cipher.connect(path, key, fmt=fmt, timeout=0.5, isolation_level=None)
    try:
        try:
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as exc:
            raise StoreBusy(
                f"{path.name} is open in another FrontDesk program (the desk window or a command): close it "
                f"and try again. Nothing was changed ({exc})."
            ) from None
        if str(mode).lower() != "delete":
            raise StoreBusy(f"{path.name} could not be taken out of WAL mode; nothing was changed.")
    except BaseException:
        conn.close()
        raise
    return conn


def _remove(*paths: Path) -> None:
    """Delete what a step cut short left behind, as far as the disk lets us."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def _while_busy(conn, statement: str, wait: float) -> None:
    """Run ``statement`` on ``conn``, asked again every millisecond while SQLite answers busy, for at most ``wait``
    seconds (then :class:`StoreBusy`)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            conn.execute(statement)
            return
        except StoreBusy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.001)


class Store:
    """The path to the database file, and the connections opened on it."""

    def __init__(
        self,
        data_dir: Path,
        migrations: Sequence[Migration] = (),
        *,
        name: str = DB_NAME,
        key: str | None = None,
        secrets: SecretStore | None = None,
    ):
        self.data_dir = Path(data_dir)
        self.migrations = list(migrations)
        self.path = self.data_dir / name
        self.busy_seconds = float(os.environ.get("FRONTDESK_BUSY_SECONDS") or BUSY_SECONDS)
        self.key = key
        self.secrets = secrets  # where this file's key came from (another file of the desk uses the same)
        # Set when encryption was asked for and could not be had: the desk shows it to the office.
        self.encryption_warning = ""
        self._local = threading.local()
        self._autocheckpoint: int | None = None  # SQLite's default (1,000 pages) unless deferred
        self._checkpointer: Database | None = None  # the connection checkpoint_log uses, from any thread
        self._checkpointer_lock = threading.Lock()
        # The file's SQLCipher format (cipher.CURRENT / cipher.LEGACY) once known; None: tried in turn.
        self.cipher_format: str | None = None

    @classmethod
    def open(
        cls,
        data_dir: Path,
        migrations: Sequence[Migration] = (),
        *,
        name: str = DB_NAME,
        secrets: SecretStore | None = None,
        encrypt: bool = False,
        check: bool = False,
    ) -> Store:
        """Create the data folder (owner-only) if needed, check the file, apply pending ``migrations``.

        The desk's whole list is ``frontdesk.context.MIGRATIONS``; without one, the file is opened as it is.
        With ``secrets`` the file's key is looked up in the keyring (for an encrypted file, or with
        ``encrypt``): a file with a key is opened encrypted (a plain one is first encrypted in place, its
        plain original kept in ``backups/``). ``encrypt``
        makes a key for a file that has none, when the keyring may keep it; if not, the file stays plain and
        ``encryption_warning`` says why. An encrypted file without its key, or with a wrong one, is an error
        that touches nothing. ``check`` runs SQLite's quick integrity check before anything is written.
        ``name`` is the file in the folder (the panic outbox keeps its own file: see ``frontdesk.dispatch``);
        each file has its own key.
        """
        data_dir = Path(data_dir)
        if data_dir.exists() and not data_dir.is_dir():
            raise StoreError(
                f"The data folder {data_dir} is a file, not a folder. Give a folder.", code="data_dir"
            )
        try:
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StoreError(
                f"The data folder {data_dir} cannot be created ({exc.strerror or exc}).", code="data_dir"
            ) from None
        try:
            os.chmod(data_dir, 0o700)
        except OSError:
            pass
        path = data_dir / name
        state = cipher.file_state(path)
        # The keyring is asked only when a key can matter: an encrypted file, or a desk that encrypts. A
        # command over a plain file (``frontdesk onsite``) never loads it; a plain file whose key was made
        # but whose encryption did not finish is encrypted by the desk's next start, as before.
        wanted = secrets is not None and (state == "encrypted" or encrypt)
        key = secrets.get(key_name(path)) if wanted else None
        if key is not None and state == "encrypted" and secrets is not None:
            key = _settle_rotation(secrets, path, key)
        warning = ""
        if key is None and state == "encrypted" and secrets is not None:
            raise StoreError(
                f"The FrontDesk database {path} cannot be read: it is encrypted (or damaged) and its key is not "
                "in this computer's keyring for this user. It has not been changed. Sign in as the user who set "
                "FrontDesk up, or restore the key from the district's key escrow, or call your school IT support.",
                code="store_locked",
            )
        if key is None and encrypt:
            info = secrets.info() if secrets is not None else None
            if not cipher.available():
                warning = "The database is NOT encrypted: this installation has no SQLCipher driver (sqlcipher3)."
            elif info is None or not info.usable:
                warning = "The database is NOT encrypted. " + (info.message if info else "No keyring was given.")
            else:
                key = secrets.new_key(key_name(path))
        store = cls(data_dir, migrations, name=name, key=key, secrets=secrets)
        store.encryption_warning = warning
        if key is not None and state == "plain":
            store._encrypt_in_place()
        elif key is not None and state == "encrypted":
            store._upgrade_format()
        if check:
            store.check_integrity()
        store.migrate()
        return store

    def connect(self) -> Database:
        """A new connection for the calling thread, with the pragmas every connection needs.

        Its statements raise the typed store errors (busy, full, read-only, corrupt), never ``sqlite3`` ones.
        """
        # The same options and pragmas for either driver, so plain and encrypted behave (and measure) alike.
        # ``cached_statements``: the desk runs a few hundred distinct statements; with the driver's default
        # cache (smaller in the SQLCipher driver) a check-in re-prepared some of its own statements every time
        # (measured: 0.35 ms of CPU per encrypted check-in).
        options = {
            "timeout": self.busy_seconds,
            "isolation_level": None,
            "check_same_thread": False,
            "cached_statements": STATEMENT_CACHE,
        }
        try:
            if self.key is not None:
                conn = cipher.connect(
                    self.path,
                    self.key,
                    fmt=self.cipher_format,
                    factory=cipher.typed_factory(_TypedStatements),
                    **options,
                )
            else:
                conn = sqlite3.connect(self.path, factory=TypedConnection, **options)
        except (sqlite3.Error, StoreCorrupt) as exc:
            if self.key is not None:
                raise self._unreadable(exc) from exc  # a wrong key, said as such; nothing was written
            raise typed_error(exc, self.path) from exc
        try:
            self._wal(conn)
            # FULL: a visit or alert shown as saved survives a power cut (WAL + FULL syncs every commit).
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            # The drivers' defaults differ (2 MB in Python's sqlite3, 8 MB in SQLCipher's): one size for both.
            conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_seconds * 1000)}")
            if self._autocheckpoint is not None:
                conn.execute(f"PRAGMA wal_autocheckpoint={self._autocheckpoint}")
        except StoreCorrupt as exc:
            conn.close()
            raise self._unreadable(exc) from exc
        except StoreError as exc:
            conn.close()
            if _full_disk_behind(exc, self.path.parent):
                # A disk already full when the program starts: the write-ahead log and its shared-memory file
                # cannot be made, which SQLite reports as a plain I/O error.
                raise _store_full(f" ({self.path})") from exc
            raise
        return Database(conn)

    def _wal(self, conn) -> None:
        """``PRAGMA journal_mode=WAL``, asked again every millisecond while SQLite answers busy (``busy_seconds``).

        On a brand-new file (still in rollback mode) programs setting WAL at the same moment can each hold a read
        lock and want the write lock; SQLite then answers "database is locked" at once instead of waiting (its
        deadlock rule), whatever the busy timeout. Seen as three test programs opening a new data folder together
        (a desk and a kiosk started at log-on would meet it); measured: 17 of 400 plain connections failed.
        """
        _while_busy(conn, "PRAGMA journal_mode=WAL", self.busy_seconds)

    @property
    def db(self) -> Database:
        """This thread's connection, opened on first use."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self.connect()
        return db

    @contextmanager
    def transaction(self, *, wait: float | None = None) -> Iterator[Database]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` on this thread's connection; inside an open one, join it.

        A change and its audit record are written inside one of these, so they commit (or roll back) together.
        ``wait``: the most seconds to wait for another writer (default: the store's ``busy_seconds``).
        """
        db = self.db
        if db.conn.in_transaction:
            if db.reading:
                # A deferred read transaction turned into a write fails at once with SQLITE_BUSY when another
                # connection wrote meanwhile, instead of waiting its turn: write after the reads, not in them.
                raise RuntimeError("a write transaction was asked for inside Store.reading()")
            yield db
            return
        try:
            with db.conn:
                self.begin_immediate(db, wait)
                db.tx_memo = {}
                try:
                    yield db
                finally:
                    db.tx_memo = None
        except sqlite3.Error as exc:
            # The COMMIT itself (``with`` calls the driver's, not the typed one): in WAL a small change's pages
            # reach the disk only there, so a full disk is seen here, after every statement succeeded.
            raise typed_error(exc, self.path) from exc

    @contextmanager
    def reading(self) -> Iterator[Database]:
        """Several reads in one read transaction (``BEGIN`` … ``COMMIT``) on this thread's connection.

        They see one state of the database, and SQLite takes and drops its read lock once for all of them
        instead of once per statement (a check-in's start runs about a dozen). Nothing may be written inside:
        :meth:`transaction` refuses. Inside a transaction already open, it joins it.
        """
        db = self.db
        if db.conn.in_transaction:
            yield db
            return
        db.execute("BEGIN")
        db.reading = True
        try:
            yield db
        finally:
            db.reading = False
            db.execute("COMMIT")  # ends the read (nothing was written: there is nothing to sync)

    def begin_immediate(self, db: Database | None = None, wait: float | None = None) -> None:
        """``BEGIN IMMEDIATE``, asking for the write lock every millisecond until it is free.

        SQLite's own busy handler backs off to 100 ms sleeps, so a short writer (a check-in) behind bulk
        work that commits in small steps (an import) could keep missing the gaps between the steps; asking
        this often gets it in at the first gap. After ``wait`` seconds (default ``busy_seconds``) it gives up
        with :class:`StoreBusy`.
        """
        db = db or self.db
        conn = db.conn
        conn.execute("PRAGMA busy_timeout=0")
        try:
            _while_busy(conn, "BEGIN IMMEDIATE", self.busy_seconds if wait is None else wait)
        finally:
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_seconds * 1000)}")

    def close(self) -> None:
        """Close this thread's connection (others close with their threads), and the checkpoint connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None
        with self._checkpointer_lock:
            if self._checkpointer is not None:
                self._checkpointer.close()
                self._checkpointer = None

    def migrate(self) -> list[str]:
        """Apply the migrations not yet applied, backing the file up first. Returns their names."""
        existed = self.path.exists() and self.path.stat().st_size > 0
        db = self.db
        try:
            newer = self.newer_than_this(db.conn)
            if newer:
                # Before anything is written (a backup, a migration, a visit): a program rolled back to an older
                # version would write rows the newer tables do not expect, or miss what they now hold.
                raise StoreError(newer_message(self.path, newer), code="store_newer")
            if not self._has_migrations_table(db):
                with db.conn:
                    self.begin_immediate(db, MIGRATE_WAIT_SECONDS)
                    db.execute(
                        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
                    )
            done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
        except StoreCorrupt as exc:
            raise self._unreadable(exc) from exc
        pending = [(name, fn) for name, fn in self.migrations if name not in done]
        if pending and existed:
            self.backup(f"before-{pending[0][0]}")
        applied = []
        for name, fn in pending:
            with db.conn:  # one transaction per migration: all of it or none of it
                # Under the write lock, and only if no other program applied it meanwhile: two programs opening a
                # new folder (or one just upgraded) together both read the same list, and the second failed with
                # "table … already exists" (session 22: two kiosks, a desk and a kiosk started at log-on).
                self.begin_immediate(db, MIGRATE_WAIT_SECONDS)
                if db.execute("SELECT 1 FROM _migrations WHERE name = ?", [name]).fetchone() is not None:
                    continue
                fn(db)
                db.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                    [name, clock.to_db(clock.now())],
                )
            applied.append(name)
        return applied

    @staticmethod
    def _has_migrations_table(conn) -> bool:
        """True when the database on ``conn`` (a connection or a :class:`Database`) has its list of migrations."""
        return (
            conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").fetchone()
            is not None
        )

    def newer_than_this(self, conn) -> list[str]:
        """The migrations the database on ``conn`` (this file, or a backup) holds that this program does not know:
        a newer FrontDesk used it. None when no migration list was given (the file is then opened as it is)."""
        if not self.migrations:
            return []
        if not self._has_migrations_table(conn):
            return []
        return unknown({row[0] for row in conn.execute("SELECT name FROM _migrations")}, self.migrations)

    def backup(self, label: str, folder: Path | None = None) -> Path:
        """Copy the database (consistently, through SQLite's backup API) into ``folder`` (``backups/``).

        The copy is encrypted with the same key as the database. It is written under a temporary name and
        renamed only when complete, so a full disk leaves a partial file that is removed, never a copy that
        looks whole; the live database is only read.
        """
        folder = Path(folder) if folder else self.data_dir / "backups"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        target = folder / f"frontdesk-{stamp}-{label}.db"
        partial = target.with_name(target.name + ".partial")
        try:
            dest = self.open_file(partial)
            try:
                self.db.conn.backup(dest)
            finally:
                dest.close()
            os.chmod(partial, 0o600)
            cipher.fsync(partial)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return target

    def open_file(self, path: Path):
        """A bare connection on another database file with this store's driver and key (backups, restores)."""
        if self.key is not None:
            return cipher.connect(path, self.key)
        return sqlite3.connect(path)

    def check_integrity(self, path: Path | None = None, *, full: bool = False) -> None:
        """Raise :class:`StoreError` unless the database (or the file at ``path``) passes SQLite's check.

        ``quick_check`` by default (start-up); ``full`` runs ``integrity_check`` (restores).
        """
        pragma = "integrity_check" if full else "quick_check"
        where = path or self.path
        try:
            if path is None:
                rows = self.db.execute(f"PRAGMA {pragma}").fetchall()
            else:
                conn = self.open_file(path)
                try:
                    rows = conn.execute(f"PRAGMA {pragma}").fetchall()
                finally:
                    conn.close()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{where} cannot be read as a FrontDesk database with this computer's key ({exc}).",
                code="store_damaged",
            ) from exc
        if [tuple(r) for r in rows] != [("ok",)]:
            problems = "; ".join(str(r[0]) for r in rows[:3])
            raise StoreError(
                f"{where} failed SQLite's integrity check ({problems}). Restore the newest good copy "
                "with 'frontdesk restore FILE', or call your school IT support.",
                code="store_damaged",
            )

    def files(self) -> list[Path]:
        """The database file and its WAL companions that exist now."""
        names = [
            self.path,
            self.path.with_name(self.path.name + "-wal"),
            self.path.with_name(self.path.name + "-shm"),
        ]
        return [p for p in names if p.exists()]

    def checkpoint(self) -> None:
        """Move everything from the write-ahead log into the database file."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def defer_checkpoints(self, bound_pages: int = DEFERRED_CHECKPOINT_PAGES) -> None:
        """Keep the log's checkpoints out of commits: the caller runs :meth:`checkpoint_log` while idle.

        SQLite's automatic checkpoint runs inside the commit that takes the log past 1,000 pages: it copies
        those pages into the database file and syncs it before that commit returns (at 1M visits, about every
        45th check-in, several times a normal check-in's wait). Deferred, it runs only past ``bound_pages``, so
        a desk that is never idle still cannot grow its log without limit. Every connection this store opens
        from now on (and this thread's, already open) gets it. Durability does not change: each commit is
        still synced to the log before it returns (``synchronous=FULL``).
        """
        self._autocheckpoint = int(bound_pages)
        db = getattr(self._local, "db", None)
        if db is not None:
            db.execute(f"PRAGMA wal_autocheckpoint={self._autocheckpoint}")

    def checkpoint_log(self) -> tuple[int, int]:
        """A PASSIVE checkpoint on a connection of its own (any thread may call it; one runs at a time).

        It never waits for a reader or a writer, and a commit made meanwhile is not held up by it (it only
        copies what readers no longer need). Returns ``(pages in the log, pages now in the database file)``.
        """
        with self._checkpointer_lock:
            if self._checkpointer is None:
                self._checkpointer = self.connect()
            _, log, done = self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(log), int(done)

    def between_steps(self, pause: float) -> None:
        """Between two steps of bulk work (an import, a purge, a re-index): checkpoint, then pause.

        The checkpoint is PASSIVE (it never waits for a reader or a writer) and runs here, on the bulk
        connection, outside any transaction. Without it, SQLite's automatic checkpoint (every 1,000 pages of
        log) runs on whichever connection's commit crosses the line: now and then a desk's check-in, which
        then copied the import's pages into the database file and synced it before it could return
        (measured: check-in maxima of 0.5 s during a 200,000-entry import). Checkpointed after every step,
        the log starts again from the top at the next write and a desk's commit stays small. The pause lets
        a waiting writer (a check-in) take the lock.
        """
        self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        time.sleep(pause)

    def _encrypt_in_place(self) -> None:
        """Replace the plain file by an encrypted copy, keeping the plain original in ``backups/``.

        A crash at any point leaves either the plain file (and the key, so the next start does it again) or
        the encrypted one: the swap is one rename, made after the copy was checked.
        """
        if self.key is None:
            return
        work = self.path.with_name(self.path.name + ".encrypting")
        work.unlink(missing_ok=True)
        folder = self.data_dir / "backups"
        folder.mkdir(exist_ok=True, mode=0o700)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S")
        original = folder / f"{self.path.stem}-{stamp}-before-encryption.db"
        plain = sqlite3.connect(self.path)
        try:
            dest = sqlite3.connect(original)
            try:
                plain.backup(dest)
            finally:
                dest.close()
            os.chmod(original, 0o600)
            counts = self._counts(plain)
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from exc
        finally:
            plain.close()
        cipher.encrypt_copy(self.path, work, self.key)
        check = cipher.connect(work, self.key)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchall() == [("ok",)] and self._counts(check) == counts
        finally:
            check.close()
        if not ok:
            work.unlink(missing_ok=True)
            raise StoreError(
                f"The encrypted copy of {self.path} did not check out; the database was left as it was.",
                code="store_encrypt",
            )
        for companion in (self.path.name + "-wal", self.path.name + "-shm"):
            self.path.with_name(companion).unlink(missing_ok=True)
        os.replace(work, self.path)
        cipher.fsync(self.path)
        self.cipher_format = cipher.CURRENT

    def _upgrade_format(self) -> None:
        """Rewrite an encrypted file of the legacy SQLCipher format in the current one (see ``cipher``).

        Done once per file, at the first start after the upgrade, under the same key. The file is held alone
        while it is copied (out of WAL, exclusively locked: a FrontDesk program that has it open stops the
        rewrite). The copy taken under the lock is kept in ``backups/``; the rewritten file must pass SQLite's
        integrity check and hold the same rows in every table before it replaces the file, in one rename.
        If any of that fails (the file is open elsewhere, the disk is full), nothing is replaced: the desk
        runs on the legacy format, says so in its log, and tries again at its next start.
        """
        if self.key is None:
            return
        self.cipher_format = cipher.format_of(self.db.conn)  # this thread's connection, kept when current
        if self.cipher_format == cipher.CURRENT:
            return
        self.close()  # no connection of ours may stay open while the file is held alone
        try:
            held = hold_alone(self.path, self.key, cipher.LEGACY)
        except StoreBusy as exc:
            log.warning("%s stays in the older encrypted format until the next start: %s", self.path, exc)
            return
        work = self.path.with_name(self.path.name + ".reformatting")
        folder = self.data_dir / "backups"
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        original = folder / f"{self.path.stem}-{stamp}-before-cipher-{cipher.HMAC_ALGORITHM.lower()}.db"
        try:
            try:
                counts = self._counts(held)
                folder.mkdir(exist_ok=True, mode=0o700)
                work.unlink(missing_ok=True)
                # Consistent: no log, and no one else may write while the lock is held.
                shutil.copyfile(self.path, original)
                os.chmod(original, 0o600)
                cipher.encrypt_copy(original, work, self.key, source_key=self.key, source_fmt=cipher.LEGACY)
                check = cipher.connect(work, self.key, fmt=cipher.CURRENT)
                try:
                    ok = (
                        check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                        and self._counts(check) == counts
                    )
                finally:
                    check.close()
                if not ok:
                    raise StoreError(f"the rewritten copy of {self.path} did not check out")
            except (OSError, sqlite3.Error, StoreError) as exc:
                _remove(work, original)
                log.warning("%s stays in the older encrypted format until the next start: %s", self.path, exc)
                return
            except BaseException:
                _remove(work, original)
                raise
            if os.name == "nt":
                held.close()  # Windows renames nothing over an open file (no one else has it: see above)
            for companion in (self.path.name + "-wal", self.path.name + "-shm"):
                self.path.with_name(companion).unlink(missing_ok=True)
            os.replace(work, self.path)
            cipher.fsync(self.path)
        finally:
            held.close()
        self.cipher_format = cipher.CURRENT
        log.info("%s was rewritten in the current encrypted format (the old file is %s)", self.path, original)

    @staticmethod
    def _counts(conn) -> dict[str, int]:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}

    def _unreadable(self, exc: Exception) -> StoreError:
        if self.key is not None and cipher.file_state(self.path) == "encrypted":
            return StoreCorrupt(
                f"The key in this computer's keyring does not open the encrypted FrontDesk database {self.path} "
                f"({exc}). It has not been changed. Call your school IT support: the key may have been replaced.",
                code="store_key",
            )
        return StoreCorrupt(
            f"The FrontDesk database {self.path} cannot be read ({exc}). It has not been changed. "
            f"Close FrontDesk and restore the newest copy from {self.data_dir / 'backups'}, "
            "or call your school IT support.",
            code="store_unreadable",
        )


def copy_file_aside(path: Path, suffix: str) -> Path:
    """Keep a damaged file next to itself under a new name (used by repair tools, never automatically)."""
    target = path.with_name(path.name + suffix)
    shutil.copy2(path, target)
    return target
