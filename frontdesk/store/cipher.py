"""SQLCipher: the database encrypted at rest, through the ``sqlcipher3`` driver (the ``sqlcipher3-wheels`` build).

The key is 256 random bits kept in the OS keyring (:mod:`frontdesk.secrets`), handed to SQLCipher as a raw
key (``x'…'``), so opening a connection costs no key derivation. The store wraps the driver's connection
as it wraps the standard library's.

The file format is SQLCipher 4's (AES-256-CBC, 4 KB pages, an HMAC on every page so that an altered page is
refused), except the page HMAC: **HMAC-SHA256** instead of SQLCipher's default HMAC-SHA512. Every page a
check-in writes or reads is authenticated, and on a CPU with SHA extensions SHA-256 costs about a third of
SHA-512 (measured at 1,000,000 visits: a quarter of what encryption adds to a check-in's CPU time). A 256-bit
HMAC key and tag remain far beyond forgery; the HMAC is never turned off. Each connection sets the format
before its first read (:func:`connect`). Files written before 2026-12-03 have SQLCipher's defaults
(:data:`LEGACY`): they still open, and ``Store.open`` rewrites the desk's own files in the current format
(keeping the old file in ``backups/``). Files from elsewhere keep theirs: the hub's list files are SQLCipher 4
defaults and are ATTACHed with them (an ATTACH with a key takes SQLCipher's defaults, not this connection's
format).

The driver raises its own exception classes. So that every ``except sqlite3.IntegrityError`` (ours and
sqlite-utils') keeps working on an encrypted database, each of them is given the standard library's class of
the same name as a second base, once, when the driver is first loaded (both have the same layout, so Python
allows it). A plain database never loads the driver.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

_driver: Any = None  # sqlcipher3.dbapi2, imported on first use (a plain database never needs it)
_loaded = False

PLAIN_HEADER = b"SQLite format 3\x00"

HMAC_ALGORITHM = "HMAC_SHA256"  # the page HMAC of the desk's files (SQLCipher's default is HMAC_SHA512)
CURRENT = "current"  # the desk's format: SQLCipher 4 with HMAC_ALGORITHM
LEGACY = "legacy"  # SQLCipher 4's defaults: every encrypted desk file written before 2026-12-03

_ERRORS = (
    "DatabaseError",
    "InterfaceError",
    "DataError",
    "OperationalError",
    "IntegrityError",
    "InternalError",
    "ProgrammingError",
    "NotSupportedError",
)


def _load() -> Any:
    """The driver, imported once, its errors bridged before any connection can raise one; None without it."""
    global _driver, _loaded
    if not _loaded:
        _loaded = True
        try:  # a desk without the driver still runs, unencrypted, and says so
            import sqlcipher3.dbapi2 as driver
        except ImportError:  # pragma: no cover - the driver is a dependency; this is for a broken install
            return None
        for name in _ERRORS:
            cls = getattr(driver, name)
            std = getattr(sqlite3, name)
            if std not in cls.__mro__:
                cls.__bases__ = (*cls.__bases__, std)
        _driver = driver
    return _driver


def available() -> bool:
    """True when the SQLCipher driver is installed."""
    return _load() is not None


def version() -> str:
    """SQLCipher's version, or "" without the driver."""
    if _load() is None:
        return ""
    conn = _driver.connect(":memory:")
    try:
        return str(conn.execute("PRAGMA cipher_version").fetchone()[0])
    finally:
        conn.close()


def file_state(path: Path) -> str:
    """``new`` (missing or empty), ``plain`` (an ordinary SQLite file) or ``encrypted`` (anything else)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(PLAIN_HEADER))
    except FileNotFoundError:
        return "new"
    if not head:
        return "new"
    return "plain" if head == PLAIN_HEADER else "encrypted"


def key_pragma(key: str) -> str:
    """The value for ``PRAGMA key`` / ``PRAGMA rekey``: a raw 256-bit key (64 hex digits), no derivation."""
    if len(key) != 64 or any(c not in "0123456789abcdefABCDEF" for c in key):
        raise ValueError("a database key is 64 hex digits")
    return f"\"x'{key}'\""


def connect(path: Path | str, key: str, *, fmt: str | None = None, **kwargs: Any):
    """A SQLCipher connection on ``path`` with ``key`` applied and checked.

    ``fmt`` is the file's format (:data:`CURRENT` or :data:`LEGACY`); by default the current one is tried
    first, then the legacy one (a new or empty file is made in the current format). A wrong key (or a file
    that is not a database) raises ``sqlite3.DatabaseError`` here, before anything was written.
    """
    if _load() is None:
        raise sqlite3.DatabaseError("the SQLCipher driver (sqlcipher3) is not installed")
    tries = (fmt,) if fmt is not None else (CURRENT, LEGACY)
    for n, attempt in enumerate(tries, 1):
        conn = _driver.connect(str(path), **kwargs)
        run = _driver.Connection.execute  # the driver's own: its errors, whatever ``factory`` makes of them
        try:
            run(conn, f"PRAGMA key = {key_pragma(key)}")
            if attempt == CURRENT:
                run(conn, f"PRAGMA cipher_hmac_algorithm = {HMAC_ALGORITHM}")
            run(conn, "SELECT count(*) FROM sqlite_master").fetchone()
        except _driver.DatabaseError:
            conn.close()
            if n == len(tries):
                raise
            continue
        except BaseException:
            conn.close()
            raise
        return conn
    raise AssertionError("unreachable")  # pragma: no cover


def format_of(conn) -> str:
    """The format of the file a SQLCipher connection has open: :data:`CURRENT` or :data:`LEGACY`."""
    algorithm = str(conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0])
    return CURRENT if algorithm == HMAC_ALGORITHM else LEGACY


def typed_factory(mixin: type) -> type:
    """The driver's connection class with ``mixin`` in front (the store's typed errors), made once."""
    if _load() is None:
        raise sqlite3.DatabaseError("the SQLCipher driver (sqlcipher3) is not installed")
    made = _TYPED.get(mixin)
    if made is None:
        made = _TYPED[mixin] = type("Typed" + _driver.Connection.__name__, (mixin, _driver.Connection), {})
    return made


_TYPED: dict[type, type] = {}


def encrypt_copy(
    source: Path, target: Path, key: str, *, source_key: str | None = None, source_fmt: str | None = None
) -> None:
    """Write an encrypted copy of the database ``source`` to ``target`` (which must not exist), in the current
    format. ``source`` is plain, or encrypted with ``source_key`` (in ``source_fmt``, by default either).

    The copy is made by :func:`copy_into`, so its indexes have the room the desk's own check-ins left in them.
    """
    if _load() is None:
        raise sqlite3.DatabaseError("the SQLCipher driver (sqlcipher3) is not installed")
    if source_key is None:
        conn = _driver.connect(str(source), isolation_level=None)
    else:
        conn = connect(source, source_key, fmt=source_fmt, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute("ATTACH DATABASE ? AS encrypted KEY " + key_pragma(key), [str(target)])
        conn.execute(f"PRAGMA encrypted.cipher_hmac_algorithm = {HMAC_ALGORITHM}")
        copy_into(conn, "encrypted")
        conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
    fsync(target)


# Page cache of the copy being written by :func:`copy_into` (KiB, taken only as the copy grows): the indexes it
# fills at random places stay in memory instead of being written out, encrypted, and read back while the copy is
# made (at 1,000,000 visits, SQLCipher's default 8 MB made the copy take 60 s of CPU instead of 13-16 s).
COPY_CACHE_KIB = 262144


def copy_into(conn, schema: str) -> None:
    """Copy the database ``main`` of ``conn`` into the empty database attached as ``schema``, as SQLCipher's
    ``sqlcipher_export`` does (the same schema, rows, sequences, triggers, views and virtual tables), in one
    transaction, except for how the indexes are laid out.

    ``sqlcipher_export`` (like VACUUM) copies each index in key order, which leaves every index page full. A
    check-in then adds its keys at random places of the indexes on random values (a badge code above all), and
    each one splits a full page: at 1,000,000 visits the copy wrote about 3 more pages per check-in than the
    file it was copied from (each encrypted and authenticated), and that lasts until most of the index's
    several thousand pages have split once: months of check-ins at a school desk. Here the indexes exist
    before the rows, and the rows are inserted in the order of the table (a ``WHERE`` keeps SQLite from copying
    an index page by page), so each index is built as the desk's own check-ins built it, with room left in its
    pages. It costs more time than the export (an index is written at random places instead of appended).
    """
    if not schema.isidentifier():
        raise ValueError(f"not a schema name: {schema!r}")
    rows = conn.execute(
        "SELECT type, name, rootpage, sql FROM main.sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
    ).fetchall()
    tables = [(n, sql) for t, n, root, sql in rows if t == "table" and root and n != "sqlite_sequence"]
    indexes = [sql for t, _, _, sql in rows if t == "index"]
    conn.execute(f"PRAGMA {schema}.cache_size = -{COPY_CACHE_KIB}")
    # As sqlcipher_export: the schema table may be written (the objects without storage are copied as its rows,
    # and sqlite_stat1 is created by name), and the rows are copied as they are, their CHECKs not evaluated again.
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("PRAGMA ignore_check_constraints = ON")
    try:
        conn.execute("BEGIN")
        try:
            for _, sql in tables:
                conn.execute(f"CREATE TABLE {schema}.{sql[len('CREATE TABLE ') :]}")
            for sql in indexes:
                head = "CREATE UNIQUE INDEX " if sql.startswith("CREATE UNIQUE INDEX ") else "CREATE INDEX "
                conn.execute(f"{head}{schema}.{sql[len(head) :]}")
            for name, _ in tables:
                quoted = '"' + name.replace('"', '""') + '"'
                conn.execute(f"INSERT INTO {schema}.{quoted} SELECT * FROM main.{quoted} WHERE 1")
            if any(n == "sqlite_sequence" for _, n, _, _ in rows):
                conn.execute(f"DELETE FROM {schema}.sqlite_sequence")
                conn.execute(f"INSERT INTO {schema}.sqlite_sequence SELECT * FROM main.sqlite_sequence")
            conn.execute(
                f"INSERT INTO {schema}.sqlite_master SELECT type, name, tbl_name, rootpage, sql"
                " FROM main.sqlite_master WHERE type IN ('view', 'trigger') OR (type = 'table' AND rootpage = 0)"
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("PRAGMA ignore_check_constraints = OFF")
        conn.execute("PRAGMA writable_schema = OFF")


def decrypt_copy(encrypted: Path, target: Path, key: str) -> None:
    """Write a plain copy of the encrypted database ``encrypted`` to ``target`` (which must not exist).

    For a desk whose own database is plain: it cannot ATTACH an encrypted file, and what it copies from it
    is stored plain anyway. A wrong key raises ``sqlite3.DatabaseError`` before anything is written.
    """
    conn = connect(encrypted, key, isolation_level=None)
    try:
        conn.execute("ATTACH DATABASE ? AS plain KEY ''", [str(target)])
        conn.execute("PRAGMA plain.journal_mode = OFF")
        conn.execute("PRAGMA plain.synchronous = OFF")
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    finally:
        conn.close()


def fsync(path: Path) -> None:
    """Flush a file and its folder entry to disk (a rename that follows must not outrun the data)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    if os.name != "nt":
        dfd = os.open(Path(path).parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
