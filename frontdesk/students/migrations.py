"""The students feature's tables: the roster imported from the SIS, movements, authorisations, reunification."""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database


def _students_0001_roster(db: Database) -> None:
    db.execute(
        """CREATE TABLE sis_orgs (
            sourced_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            identifier TEXT NOT NULL DEFAULT '',
            parent TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1
        )"""
    )
    db.execute(
        """CREATE TABLE sis_sessions (
            sourced_id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            type TEXT NOT NULL,
            start_date TEXT NOT NULL,
            end_date TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        )"""
    )
    db.execute(
        """CREATE TABLE sis_classes (
            sourced_id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            class_code TEXT NOT NULL DEFAULT '',
            class_type TEXT NOT NULL DEFAULT '',
            location TEXT NOT NULL DEFAULT '',
            org TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1
        )"""
    )
    # One row per student; kept (inactive) when the SIS no longer lists them, so history still reads.
    db.execute(
        """CREATE TABLE students (
            id INTEGER PRIMARY KEY,
            sourced_id TEXT NOT NULL UNIQUE,
            number TEXT NOT NULL DEFAULT '',
            first_name TEXT NOT NULL,
            middle_name TEXT NOT NULL DEFAULT '',
            last_name TEXT NOT NULL,
            preferred_name TEXT NOT NULL DEFAULT '',
            grade TEXT NOT NULL DEFAULT '',
            dob TEXT,
            org TEXT NOT NULL DEFAULT '',
            homeroom TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1,
            name_key TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX students_number ON students(number COLLATE NOCASE)")
    db.execute("CREATE INDEX students_name_key ON students(name_key)")
    # Prefix search on any name word or the number, a keystroke at a time. The table keeps its own small copy
    # of the sort key and the active flag, so a short prefix (hundreds of matches) is ranked without reading
    # hundreds of student rows.
    db.execute(
        "CREATE VIRTUAL TABLE students_fts USING fts5(names, number, sort UNINDEXED, active UNINDEXED, "
        "prefix='1 2 3', tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute(
        """CREATE TABLE guardians (
            id INTEGER PRIMARY KEY,
            sourced_id TEXT NOT NULL UNIQUE,
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            role TEXT NOT NULL,
            phone TEXT NOT NULL DEFAULT '',
            dob TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            name_key TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX guardians_name_key ON guardians(name_key)")
    # pickup_allowed is the office's to change and survives re-imports (the SIS has no such field).
    db.execute(
        """CREATE TABLE student_guardians (
            student_id INTEGER NOT NULL REFERENCES students(id),
            guardian_id INTEGER NOT NULL REFERENCES guardians(id),
            pickup_allowed INTEGER NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (student_id, guardian_id)
        )"""
    )
    db.execute("CREATE INDEX student_guardians_guardian ON student_guardians(guardian_id)")
    db.execute(
        """CREATE TABLE student_classes (
            student_id INTEGER NOT NULL REFERENCES students(id),
            class_id TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (student_id, class_id)
        )"""
    )
    db.execute("CREATE INDEX student_classes_class ON student_classes(class_id)")
    db.execute(
        """CREATE TABLE sis_staff (
            sourced_id TEXT PRIMARY KEY,
            directory_id INTEGER NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        )"""
    )
    db.execute(
        """CREATE TABLE sis_imports (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            mode TEXT NOT NULL,
            source TEXT NOT NULL,
            counts TEXT NOT NULL
        )"""
    )


def _students_0002_movements(db: Database) -> None:
    # Late arrivals, early releases and returns: what happened, when, why, who did it, to whom.
    db.execute(
        """CREATE TABLE student_movements (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            student_id INTEGER NOT NULL REFERENCES students(id),
            kind TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            excused INTEGER NOT NULL DEFAULT 0,
            destination TEXT NOT NULL DEFAULT '',
            adult TEXT NOT NULL DEFAULT '',
            adult_dob TEXT,
            authorised_as TEXT NOT NULL DEFAULT '',
            approved_by TEXT NOT NULL DEFAULT '',
            staff TEXT NOT NULL DEFAULT '',
            station TEXT NOT NULL DEFAULT '',
            decision_id INTEGER,
            code TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute("CREATE INDEX student_movements_student ON student_movements(student_id, time)")
    db.execute("CREATE INDEX student_movements_time ON student_movements(time, kind)")
    db.execute(
        """CREATE TABLE student_authorisations (
            id INTEGER PRIMARY KEY,
            student_id INTEGER NOT NULL REFERENCES students(id),
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            dob TEXT,
            valid_from TEXT NOT NULL,
            valid_until TEXT NOT NULL,
            approved_by TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            revoked_at TEXT,
            name_key TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX student_authorisations_student ON student_authorisations(student_id)")


def _students_0003_reunification(db: Database) -> None:
    db.execute(
        """CREATE TABLE reunifications (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            drill INTEGER NOT NULL,
            site TEXT NOT NULL DEFAULT '',
            started_by TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE reunification_requests (
            id INTEGER PRIMARY KEY,
            reunification_id INTEGER NOT NULL REFERENCES reunifications(id),
            student_id INTEGER NOT NULL REFERENCES students(id),
            adult TEXT NOT NULL,
            adult_dob TEXT,
            authorised_as TEXT NOT NULL,
            status TEXT NOT NULL,
            requested_at TEXT NOT NULL,
            runner TEXT NOT NULL DEFAULT '',
            sent_at TEXT,
            released_at TEXT,
            staff TEXT NOT NULL DEFAULT '',
            decision_id INTEGER,
            card TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX reunification_requests_run ON reunification_requests(reunification_id, status)")


def _students_0004_prefixes(db: Database) -> None:
    # Finding a student a keystroke at a time: every 1- to 4-letter start of each name word (and of the
    # number), in name order, so "ma" reads the first 20 index entries instead of ranking a thousand matches.
    db.execute(
        """CREATE TABLE student_prefixes (
            prefix TEXT NOT NULL,
            inactive INTEGER NOT NULL,
            sort TEXT NOT NULL,
            student_id INTEGER NOT NULL,
            PRIMARY KEY (prefix, inactive, sort, student_id)
        ) WITHOUT ROWID"""
    )
    from frontdesk.students.importer import INDEX_COLUMNS, INSERT_PREFIX, index_rows  # heavy: only when applied

    rows = db.execute(f"SELECT {INDEX_COLUMNS} FROM students").fetchall()
    db.conn.executemany(INSERT_PREFIX.format(table="student_prefixes"), sorted(index_rows(rows)[1]))


def _students_0005_record_key(db: Database) -> None:
    # The key a reunification laptop's record is sealed with (HMAC-SHA256). The laptop works from a restored
    # backup of this desk, so it holds the same key; a record written anywhere else, or changed afterwards,
    # does not open here. Made once, at random; it never leaves the (encrypted) database.
    import secrets

    db.execute("CREATE TABLE reunification_key (id INTEGER PRIMARY KEY CHECK (id = 1), key TEXT NOT NULL)")
    db.execute("INSERT INTO reunification_key (id, key) VALUES (1, ?)", [secrets.token_hex(32)])


def _students_0006_request_decisions(db: Database) -> None:
    # The adult is checked again at the hand-over (send, release) with the decisions made at the request: every
    # one of them (``decision_id`` kept only the first), and the adult's first and last name as screened
    # (``adult`` is the two joined; rows from before this have NULL and are split again). A request the
    # re-check refuses is ``stopped``, with the reason; the guardian may ask again.
    db.execute("ALTER TABLE reunification_requests ADD COLUMN adult_first TEXT")
    db.execute("ALTER TABLE reunification_requests ADD COLUMN adult_last TEXT")
    db.execute("ALTER TABLE reunification_requests ADD COLUMN stopped_at TEXT")
    db.execute("ALTER TABLE reunification_requests ADD COLUMN stopped_reason TEXT NOT NULL DEFAULT ''")
    db.execute(
        """CREATE TABLE reunification_request_decisions (
            request_id INTEGER NOT NULL REFERENCES reunification_requests(id),
            decision_id INTEGER NOT NULL,
            PRIMARY KEY (request_id, decision_id)
        ) WITHOUT ROWID"""
    )
    db.execute(
        "INSERT INTO reunification_request_decisions (request_id, decision_id) "
        "SELECT id, decision_id FROM reunification_requests WHERE decision_id IS NOT NULL"
    )


MIGRATIONS: list[Migration] = [
    ("students_0001_roster", _students_0001_roster),
    ("students_0002_movements", _students_0002_movements),
    ("students_0003_reunification", _students_0003_reunification),
    ("students_0004_prefixes", _students_0004_prefixes),
    ("students_0005_record_key", _students_0005_record_key),
    ("students_0006_request_decisions", _students_0006_request_decisions),
]
