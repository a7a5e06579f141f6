"""A large district list taken as one SQLite file the hub built (``district.hub.list_files``), not line by line.

The hub encrypts each such file with SQLCipher under a random key of its own, and the index gives the file as
``encrypted_file``: its SHA-256 (of the encrypted bytes), size, generation, key rules, ``cipher`` and ``key``
(64 hex digits), over the authenticated connection the desk reads the index on. The list is therefore never
plain on this desk's disk while it is imported, nor after a crash left the download behind. The key is used
and forgotten: it is not stored in the desk's database, settings, audit trail or event log.

For such a list, a desk that needs the list whole (none held, or an older generation) and runs the same key
rules:

1. downloads the file into an owner-only folder of its own data folder (``district-lists/``, never the
   shared temp folder), counting and hashing the bytes as they come, and refuses it unless the size and the
   SHA-256 are the index's;
2. ATTACHes it with the index's key (a desk whose own database is plain cannot ATTACH an encrypted file: it
   first writes a plain copy beside it, as plain as its own database, and deletes the encrypted one), and
   validates it in SQL: only the three expected tables with their columns, the metadata (format, list,
   generation, entry count, the key rules equal to this desk's), and every row: the types, a last name, a
   known kind, the dates as the desk stores them, aliases and students JSON lists of text, entries numbered
   1..N, keys pointing at them. A wrong key, or anything wrong, refuses the whole file (``FileNotTaken``):
   nothing of it is used, and the desk takes that list line by line from the hub's database instead (the
   snapshot), so a forged, damaged or swapped file never holds it on its old copy;
3. copies it into its own tables with ``INSERT … SELECT``: the entries into a hidden staging list
   :data:`ENTRY_STEP` per short transaction (their ids reserved first, in one block, so entry ``seq`` is
   desk id ``base + seq``), then the index rows in the file's key order :data:`KEY_STEP` per short
   transaction, each step followed by the bulk filer's pause (:class:`frontdesk.screening.bulk.Pacer`): a
   panic press or a check-in never waits long behind it;
4. swaps it into force in one short transaction, exactly as a snapshot is, with the audit coverage of every
   entry filed (their id range and the sum of their row hashes, computed from the file's values outside the
   write lock) and the file's SHA-256 in the ``list.import`` record; then deletes the file.

A hub from before the encryption gives a plain ``file`` instead. A desk whose database is plain still takes it
(it holds nothing its own database would not); a desk whose database is encrypted does not write the list
plain to its disk: it takes that list as a snapshot, line by line (slower, but never plain at rest).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import time
from pathlib import Path

from frontdesk import clock
from frontdesk.audit.coverage import digest_of_values
from frontdesk.screening import bulk
from frontdesk.screening.models import Kind
from frontdesk.store import cipher
from frontdesk.wire.lists import DESK_COLUMNS

ENTRY_STEP = 2000  # entries copied per short transaction (measured a few ms of the write lock)
KEY_STEP = bulk.KEY_STEP  # index rows per short transaction, in key order
FOLDER = "district-lists"  # in the desk's data folder, owner-only
SCHEMA = "hubfile"  # the attached file's name in SQL
FORMAT = 1
CIPHER = "sqlcipher4"  # the encryption this desk reads (the index's ``cipher``)
_TABLES = {
    "meta": ("key", "value"),
    "entries": ("seq", "hub_id", *DESK_COLUMNS),
    "keys": ("n", "key", "seq"),
}
_DAY = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
_KINDS = ", ".join(f"'{k.value}'" for k in Kind)


def _text(column: str) -> str:
    return f"typeof({column}) != 'text'"


def _names(column: str) -> str:
    return (
        f"typeof({column}) != 'text' OR NOT json_valid({column}) OR json_type({column}) != 'array' "
        f"OR EXISTS (SELECT 1 FROM json_each({column}) WHERE type != 'text')"
    )


def _real_day(column: str) -> str:
    # date() alone keeps 2030-02-30 as it is; with a modifier it normalises it (to 2030-03-02), so a day that
    # does not exist differs from itself. Year 0 is not a date to Python either.
    return f"({column} GLOB '{_DAY}' AND {column} >= '0001' AND date({column}, '+0 days') IS {column})"


def _day(column: str) -> str:
    wrong = f"typeof({column}) != 'text' OR NOT {_real_day(column)}"
    return f"{column} IS NOT NULL AND ({wrong})"


# Each row's first problem, in words (NULL: none). The dates as the desk stores them: a day (a real one:
# see _real_day) or, for a date of birth, a year alone.
_PROBLEMS = [
    ("typeof(hub_id) != 'integer'", "the hub's id is not a number"),
    (f"typeof(kind) != 'text' OR kind NOT IN ({_KINDS})", "the kind is not one this desk knows"),
    *((_text(c), f"{c} is not text") for c in ("first_name", "middle_name", "last_name", "reason", "notes")),
    ("last_name = ''", "no last name"),
    (_names("aliases"), "aliases is not a list of names"),
    (_names("students"), "students is not a list of names"),
    (
        "dob IS NOT NULL AND (typeof(dob) != 'text' OR NOT (dob GLOB '[0-9][0-9][0-9][0-9]' "
        f"OR {_real_day('dob')}))",
        "the date of birth is not a date",
    ),
    (_day("valid_from"), "valid_from is not a date"),
    (_day("valid_until"), "valid_until is not a date"),
    (_text("search"), "search is not text"),
    ("typeof(sex) != 'text' OR sex NOT IN ('', 'M', 'F', 'X')", "sex is not M, F, X or empty"),
    (_text("id_state"), "id_state is not text"),
    ("typeof(id_last4) != 'text' OR length(id_last4) > 4", "id_last4 is not at most 4 letters or digits"),
]
_CHECK_ROWS = (
    "SELECT seq, CASE "
    + " ".join(f"WHEN {test} THEN '{words.replace(chr(39), chr(39) * 2)}'" for test, words in _PROBLEMS)
    + f" END AS problem FROM {SCHEMA}.entries WHERE problem IS NOT NULL LIMIT 1"
)
_COPY_ENTRIES = (
    "INSERT INTO main.screening_entries (id, list_id, "
    + ", ".join(DESK_COLUMNS)
    + ") SELECT ? + seq, ?, "
    + ", ".join(DESK_COLUMNS)
    + f" FROM {SCHEMA}.entries WHERE seq > ? AND seq <= ? ORDER BY seq"
)
_COPY_MAP = (
    "INSERT OR REPLACE INTO main.district_list_entries (hub_id, entry_id, list_id) "
    f"SELECT hub_id, ? + seq, ? FROM {SCHEMA}.entries WHERE seq > ? AND seq <= ? ORDER BY seq"
)
# The audit coverage's columns of screening_entries (COVERED) as they will read once copied: for the digest.
_COVERED = (
    "SELECT ? + seq, kind, first_name, middle_name, last_name, aliases, dob, reason, valid_from, valid_until, "
    f"notes, students, NULL FROM {SCHEMA}.entries WHERE seq > ? AND seq <= ? ORDER BY seq"
)


class FileRefused(ValueError):
    """The list file is not one this desk can take (the caller makes it a HubListError)."""


def folder(data_dir: Path) -> Path:
    """The desk's own folder for downloaded list files (owner-only); leftovers of a crash are deleted."""
    where = Path(data_dir) / FOLDER
    where.mkdir(mode=0o700, exist_ok=True)
    os.chmod(where, 0o700)
    for old in where.glob("incoming-*"):
        if time.time() - old.stat().st_mtime > 3600:
            old.unlink(missing_ok=True)
    return where


def download(chunks, target: Path, size: int, sha256: str) -> None:
    """Write the file's bytes to ``target`` (created owner-only, must not exist); refuse a wrong size or hash."""
    digest, written = hashlib.sha256(), 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in chunks:
            written += len(chunk)
            if written > size:
                raise FileRefused(f"it is longer than the {size:,} bytes the index said")
            digest.update(chunk)
            out.write(chunk)
    if written != size:
        raise FileRefused(f"it was cut short ({written:,} of {size:,} bytes)")
    if digest.hexdigest() != sha256:
        raise FileRefused("its SHA-256 is not the one the index gave")


def choose(listed: dict, encrypted_store: bool) -> dict:
    """The index's file of one list this desk takes (``{}``: none, take the snapshot).

    The hub's ``encrypted_file`` when this desk reads its cipher; else an older hub's plain ``file``, and that
    only for a desk whose own database is plain (an encrypted desk never writes a list plain to its disk).
    """
    sealed = listed.get("encrypted_file") or {}
    if (sealed.get("building") or sealed.get("cipher") == CIPHER) and cipher.available():
        return sealed
    return {} if encrypted_store else listed.get("file") or {}


def key_of(file: dict) -> str | None:
    """The file's key from the index (None: a plain file); refused unless it is 64 hex digits."""
    key = file.get("key")
    if key is None and file.get("cipher") is None:
        return None
    if not isinstance(key, str) or len(key) != 64 or any(c not in "0123456789abcdefABCDEF" for c in key):
        raise FileRefused("the index gives its key in a form this desk cannot use")  # never the key itself
    return key


def decrypt(path: Path, key: str) -> Path:
    """A plain copy of the encrypted file at ``path`` beside it (owner-only), for a desk whose own database is
    plain; a wrong key refuses it."""
    plain = path.with_name(path.stem + "-plain.sqlite")
    fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        cipher.decrypt_copy(path, plain, key)
    except sqlite3.Error as exc:
        plain.unlink(missing_ok=True)
        raise FileRefused(f"it does not open with the index's key ({exc})") from None
    except BaseException:
        plain.unlink(missing_ok=True)
        raise
    return plain


def attach(db, path: Path, encrypted: bool, key: str | None = None) -> None:
    """ATTACH the file as ``hubfile``: with the index's ``key`` (this connection being SQLCipher's), or plain
    (with an empty key when this connection is SQLCipher's)."""
    if key is not None:
        # A bound parameter: the key is never in the statement's text (nor in an error that quotes it).
        db.execute(f"ATTACH DATABASE ? AS {SCHEMA} KEY ?", [str(path), f"x'{key}'"])
        return
    clause = " KEY ''" if encrypted else ""
    db.execute(f"ATTACH DATABASE ? AS {SCHEMA}{clause}", [str(path)])


def detach(db) -> None:
    try:
        db.execute(f"DETACH DATABASE {SCHEMA}")
    except sqlite3.Error:
        pass


def validate(db, *, source: str, generation: int, key_rules: int) -> dict:
    """Check the attached file in SQL; returns its metadata (``kind``, ``version``, ``entries``, ...)."""
    objects = db.execute(f"SELECT type, name FROM {SCHEMA}.sqlite_master").fetchall()
    tables = {name for kind, name in objects if kind == "table"}
    others = [name for kind, name in objects if kind != "table" and not name.startswith("sqlite_autoindex_")]
    if tables != set(_TABLES) or others:
        raise FileRefused(f"its tables are not a list file's ({sorted(tables)}, {sorted(others)})")
    for table, columns in _TABLES.items():
        found = tuple(r[1] for r in db.execute(f"PRAGMA {SCHEMA}.table_info({table})"))
        if found != columns:
            raise FileRefused(f"its table {table} has the columns {found}, not {columns}")
    meta = dict(db.execute(f"SELECT key, value FROM {SCHEMA}.meta").fetchall())
    try:
        facts = {
            "format": int(meta["format"]),
            "source": meta["source"],
            "kind": Kind(meta["kind"]),
            "generation": int(meta["generation"]),
            "version": int(meta["version"]),
            "entries": int(meta["entries"]),
            "key_rules": int(meta["key_rules"]),
        }
    except (KeyError, ValueError, TypeError) as exc:
        raise FileRefused(f"its metadata is not readable ({exc})") from None
    if facts["format"] != FORMAT:
        raise FileRefused(f"it is of format {facts['format']}, this desk reads {FORMAT}")
    if facts["source"] != source or facts["generation"] != generation:
        raise FileRefused(f"it is of {facts['source']!r} generation {facts['generation']}, not the one asked for")
    if facts["key_rules"] != key_rules:
        raise FileRefused("its index rows were computed under other key rules than this desk's")
    count, low, high = db.execute(f"SELECT count(*), min(seq), max(seq) FROM {SCHEMA}.entries").fetchone()
    if count != facts["entries"] or (count and (low, high) != (1, count)):
        raise FileRefused(
            f"it has {count:,} entries numbered {low}..{high}, its metadata says {facts['entries']:,}"
        )
    bad = db.execute(_CHECK_ROWS).fetchone()
    if bad is not None:
        raise FileRefused(f"entry {bad[0]}: {bad[1]}")
    keys, low, high = db.execute(f"SELECT count(*), min(n), max(n) FROM {SCHEMA}.keys").fetchone()
    if keys and (low, high) != (1, keys):
        raise FileRefused("its index rows are not numbered 1..N")
    bad = db.execute(
        f"SELECT count(*) FROM {SCHEMA}.keys WHERE typeof(key) != 'text' OR typeof(seq) != 'integer' "
        "OR seq < 1 OR seq > ?",
        [count],
    ).fetchone()[0]
    if bad:
        raise FileRefused(f"{bad:,} of its index rows are not (text, an entry of the file)")
    facts["keys"] = keys
    return facts


def reserve_ids(db, count: int) -> int:
    """Reserve ``count`` entry ids in one block (inside the caller's transaction); returns ``base``: the
    file's entry ``seq`` is the desk's id ``base + seq``. AUTOINCREMENT never hands them out again."""
    seq = db.execute("SELECT max(seq) FROM sqlite_sequence WHERE name = 'screening_entries'").fetchone()[0]
    top = db.execute("SELECT coalesce(max(id), 0) FROM screening_entries").fetchone()[0]
    base = max(seq or 0, top)
    if seq is None:
        db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('screening_entries', ?)", [base + count])
    else:
        db.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'screening_entries'", [base + count])
    return base


def copy_entries(store, base: int, staging: int, count: int, pacer: bulk.Pacer, span: bulk.Span) -> None:
    """The entries (and the hub-id map) into the staging list, ``ENTRY_STEP`` per short transaction."""
    db = store.db
    for low in range(0, count, ENTRY_STEP):
        high = min(count, low + ENTRY_STEP)
        with store.transaction():
            db.execute(_COPY_ENTRIES, [base, staging, low, high])
            db.execute(_COPY_MAP, [base, staging, low, high])
            db.execute(
                "UPDATE screening_lists SET touched_at = ? WHERE id = ?", [clock.to_db(clock.now()), staging]
            )
        # Outside the lock: the audit coverage of the rows just copied, from the file's (same) values.
        digest = digest_of_values(db.execute(_COVERED, [base, low, high]))
        span.add((base + low + 1, base + high, digest))
        pacer.step()


def copy_keys(store, tables, base: int, keys: int, pacer: bulk.Pacer, staging: int) -> None:
    """The index rows, in the file's key order, ``KEY_STEP`` per short transaction."""
    db = store.db
    for low in range(0, keys, KEY_STEP):
        with store.transaction():
            for table in tables():
                db.execute(
                    f"INSERT OR IGNORE INTO main.{table} (key, entry_id) SELECT key, ? + seq FROM {SCHEMA}.keys "
                    "WHERE n > ? AND n <= ? ORDER BY n",
                    [base, low, low + KEY_STEP],
                )
            db.execute(
                "UPDATE screening_lists SET touched_at = ? WHERE id = ?", [clock.to_db(clock.now()), staging]
            )
        pacer.step(bulk.KEY_WEIGHT)


def incoming(where: Path) -> Path:
    """A new file name in the desk's folder for one download (its plain copy, if any: ``…-plain.sqlite``)."""
    return where / f"incoming-{secrets.token_hex(8)}.sqlite"
