"""A roster import built apart and swapped in with one short transaction (STYLE rule 20).

The import has its own connection. On it:

1. the roster tables are copied into the connection's private TEMP schema (in memory): this reads the live
   tables and writes only TEMP, so nobody else waits;
2. :func:`frontdesk.students.importer.apply_bundle` runs there (unqualified names find the TEMP copies first);
3. the finished tables are copied into hidden ``<table>_next_<token>`` tables of the database in small
   steps (each a short ``BEGIN IMMEDIATE`` … ``COMMIT``, then a pause in which a check-in or a panic press
   gets the lock), and the search tables (FTS and the prefix table) are built beside them in steps too;
4. one short transaction on the caller's connection swaps them in (renames), writes the teachers into the
   staff directory and records the audit: all of the import or none of it;
5. the old tables are dropped, one short transaction each.

A failure before the swap (a crash, a broken disk, the office's progress dialog cancelled) leaves the live
roster as it was; hidden tables left by a crash are dropped by the next import. Pick-up choices the office
made while the import ran are carried into the new tables in the swap; two imports at once are refused at
the swap (the second sees the first's stamp and asks to be run again).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from frontdesk.errors import ConflictError
from frontdesk.students.importer import (
    INDEX_COLUMNS,
    INSERT_FTS,
    INSERT_PREFIX,
    Progress,
    apply_bundle,
    apply_staff,
    index_rows,
)
from frontdesk.students.models import ImportCounts
from frontdesk.students.oneroster import Bundle

if TYPE_CHECKING:
    import sqlite_utils

    from frontdesk.store import Store

# Copied into TEMP, applied there, copied back: what an import changes.
ROSTER = (
    "sis_orgs",
    "sis_sessions",
    "sis_classes",
    "students",
    "guardians",
    "student_guardians",
    "student_classes",
    "sis_staff",
    "sis_imports",
)
SEARCH = ("students_fts", "student_prefixes")  # built from the new students, never copied
STEP_ROWS = 2000  # rows per step (a step holds the write lock for a few tens of ms at most)
INDEX_ROWS = 1000  # students per step of the search tables (each student files ~15 prefixes)
STEP_PAUSE = 0.02  # seconds between two steps: a waiting writer (a check-in, a panic press) gets the lock here
_HIDDEN = re.compile(r"^(?:" + "|".join(ROSTER + SEARCH) + r")_(?:next|old)_[0-9a-f]{8}$")
_TABLE_SQL = re.compile(r'^CREATE (VIRTUAL )?TABLE\s+"?(\w+)"?', re.IGNORECASE)
_INDEX_SQL = re.compile(r'^CREATE (UNIQUE )?INDEX\s+"?(\w+)"?\s+ON\s+"?(\w+)"?', re.IGNORECASE)
_TOKEN_TAIL = re.compile(r"_[0-9a-f]{8}$")


def stamp(db: sqlite_utils.Database) -> int:
    """The last import's id (what a swap checks nobody else changed meanwhile)."""
    return db.execute("SELECT coalesce(max(id), 0) FROM main.sis_imports").fetchone()[0]


def import_staged(
    store: Store,
    bundle: Bundle,
    *,
    swap: Callable[[sqlite_utils.Database, ImportCounts], None],
    transaction: Callable[[], AbstractContextManager] | None = None,
    progress: Progress | None = None,
) -> ImportCounts:
    """Import a checked bundle without holding the database for long; returns the counts.

    ``swap(db, counts)`` runs inside the swap's transaction on ``store.db`` (the audit record goes there);
    ``transaction`` opens that transaction (the audit trail's, so its anchor is refreshed; default the store's).
    ``progress(step, done, total)`` may raise to stop the import before the swap (nothing changes then).
    """
    say = progress or (lambda step, done, total: None)
    token = secrets.token_hex(4)
    drop_hidden(store)  # left by an import that crashed
    work = store.connect()  # its own connection: its TEMP schema is private to it
    try:
        work.execute("PRAGMA temp_store = MEMORY")
        work.execute("PRAGMA foreign_keys = OFF")  # the hidden tables refer to ids the live tables lack yet
        started = stamp(work)
        _copy_into_temp(work)
        work.execute("BEGIN")  # writes TEMP only: no lock on the database
        try:
            counts = apply_bundle(work, bundle, say)
            broken = work.execute("PRAGMA temp.foreign_key_check").fetchall()
            if broken:
                raise ConflictError(f"The import would leave {len(broken)} broken links; nothing was imported")
            work.execute("COMMIT")
        except BaseException:
            work.execute("ROLLBACK")
            raise
        try:
            _write_hidden(store, work, token, say)
        except BaseException:
            work.conn.close()
            drop_hidden(store, token)
            raise
    finally:
        work.conn.close()
    try:
        _swap(
            store,
            transaction or store.transaction,
            token,
            started,
            lambda db: (apply_staff(db, bundle), swap(db, counts)),
        )
    except BaseException:
        drop_hidden(store, token)
        raise
    drop_hidden(store, token)  # the old tables, now hidden
    say("done", 1, 1)
    return counts


def _copy_into_temp(work: sqlite_utils.Database) -> None:
    """Private copies of the roster tables (same columns, keys and indexes) holding what the desk has now."""
    for table in ROSTER:
        ddl = _sql_of(work, table)
        work.execute(_TABLE_SQL.sub(f"CREATE TEMP TABLE {table}", ddl, count=1))
        for index, sql in _indexes_of(work, table):
            work.execute(_INDEX_SQL.sub(rf"CREATE \1INDEX temp.{index} ON {table}", sql, count=1))
        work.execute(f"INSERT INTO temp.{table} SELECT * FROM main.{table}")


def _write_hidden(store: Store, work: sqlite_utils.Database, token: str, say: Progress) -> None:
    """Copy the TEMP tables into hidden tables of the database, and build the search tables, in steps."""
    with work.conn:
        store.begin_immediate(work)
        for table in ROSTER + SEARCH:
            ddl = _sql_of(work, table)
            work.execute(_TABLE_SQL.sub(rf"CREATE \1TABLE main.{table}_next_{token}", ddl, count=1))
            for index, sql in _indexes_of(work, table):
                name = f"{_TOKEN_TAIL.sub('', index)}_{token}"
                work.execute(_INDEX_SQL.sub(rf"CREATE \1INDEX main.{name} ON {table}_next_{token}", sql, count=1))
    total = sum(work.execute(f"SELECT count(*) FROM temp.{t}").fetchone()[0] for t in ROSTER)
    students = work.execute("SELECT count(*) FROM temp.students").fetchone()[0]
    done = 0
    for table in ROSTER:
        after = 0
        while True:
            rowids = [
                r[0]
                for r in work.execute(
                    f"SELECT rowid FROM temp.{table} WHERE rowid > ? ORDER BY rowid LIMIT ?", [after, STEP_ROWS]
                ).fetchall()
            ]
            if not rowids:
                break
            with work.conn:
                store.begin_immediate(work)
                work.execute(
                    f"INSERT INTO main.{table}_next_{token} SELECT * FROM temp.{table} "
                    "WHERE rowid BETWEEN ? AND ?",
                    [rowids[0], rowids[-1]],
                )
            after = rowids[-1]
            done += len(rowids)
            say("saving", done, total)
            time.sleep(STEP_PAUSE)
    after = done = 0
    while True:
        rows = work.execute(
            f"SELECT {INDEX_COLUMNS} FROM temp.students WHERE id > ? ORDER BY id LIMIT ?", [after, INDEX_ROWS]
        ).fetchall()
        if not rows:
            break
        fts, prefixes = index_rows(rows)  # outside the lock: CPU only
        prefixes.sort()
        with work.conn:
            store.begin_immediate(work)
            work.conn.executemany(INSERT_FTS.format(table=f"main.students_fts_next_{token}"), fts)
            work.conn.executemany(INSERT_PREFIX.format(table=f"main.student_prefixes_next_{token}"), prefixes)
        after = rows[-1][0]
        done += len(rows)
        say("index", done, students)
        time.sleep(STEP_PAUSE)


def _swap(
    store: Store,
    transaction: Callable[[], AbstractContextManager],
    token: str,
    started: int,
    inside: Callable[[sqlite_utils.Database], object],
) -> None:
    """The one short transaction: the hidden tables become the roster, the old ones become hidden."""
    db = store.db
    # Renamed tables must keep the references other tables make to them by name (movements name
    # ``students``): SQLite rewrites those only with foreign keys on or the modern ALTER TABLE.
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("PRAGMA legacy_alter_table = ON")
    try:
        with transaction():
            if stamp(db) != started:
                raise ConflictError(
                    "Another roster import finished while this one ran; nothing was imported. Import again.",
                    code="import_overlap",
                )
            # The office's pick-up choices made while the import ran (the copy was taken before them).
            db.execute(
                f"UPDATE student_guardians_next_{token} AS n SET pickup_allowed = o.pickup_allowed "
                "FROM student_guardians AS o WHERE o.student_id = n.student_id AND o.guardian_id = n.guardian_id "
                "AND o.pickup_allowed != n.pickup_allowed"
            )
            for table in ROSTER + SEARCH:
                db.execute(f"ALTER TABLE {table} RENAME TO {table}_old_{token}")
                db.execute(f"ALTER TABLE {table}_next_{token} RENAME TO {table}")
            inside(db)
    finally:
        db.execute("PRAGMA legacy_alter_table = OFF")
        db.execute("PRAGMA foreign_keys = ON")


def drop_hidden(store: Store, token: str | None = None) -> int:
    """Drop hidden import tables (this import's with ``token``, else every one left by a crash), one short
    transaction each. Returns how many were dropped."""
    db = store.db
    names = [
        r[0]
        for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
        if _HIDDEN.match(r[0]) and (token is None or r[0].endswith(f"_{token}"))
    ]
    for name in names:
        with store.transaction():
            db.execute(f"DROP TABLE IF EXISTS {name}")  # an FTS table drops its shadow tables with it
        time.sleep(STEP_PAUSE)
    return len(names)


def _sql_of(db: sqlite_utils.Database, table: str) -> str:
    row = db.execute("SELECT sql FROM main.sqlite_master WHERE name = ? AND type = 'table'", [table]).fetchone()
    return row[0]


def _indexes_of(db: sqlite_utils.Database, table: str) -> list[tuple[str, str]]:
    """The named indexes of a live table (its keys' own indexes come with its CREATE TABLE)."""
    return db.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        [table],
    ).fetchall()
