"""Applying a checked OneRoster bundle to a copy of the roster: idempotent upserts.

The bundle is read and checked in full first (:mod:`frontdesk.students.oneroster`). :func:`apply_bundle`
writes it into the import's private copy of the roster tables (see :mod:`frontdesk.students.staging`, which
builds that copy apart and swaps it in with one short transaction); :func:`apply_staff` writes the teachers
into the staff directory inside the swap. Re-importing the same bundle changes nothing.

- ``bulk`` users: every student, guardian and teacher in the file is upserted; those the store has that
  the file no longer lists are marked inactive (kept for history, never deleted).
- ``delta`` users: rows are upserted; ``tobedeleted`` rows are marked inactive; nobody else is touched.
- Guardian links come from ``agentSourcedIds`` on either side (a student's list, or a guardian's). A link the
  office changed (pick-up allowed or not) keeps the office's choice across re-imports.
- Enrollments give classes and the homeroom (the student's active ``homeroom`` class); a delta that ends one
  enrollment and starts another moves the student.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.students.models import ImportCounts
from frontdesk.students.oneroster import GUARDIAN_ROLES, STAFF_ROLES, Bundle
from frontdesk.wire.names import fold

if TYPE_CHECKING:
    from frontdesk.store.database import Database

Progress = Callable[[str, int, int], None]  # (step, done, total)


def student_name_key(first: str, last: str) -> str:
    """The folded "last first" key students are listed and found by."""
    return f"{fold(last)} {fold(first)}".strip()


def fts_names(first: str, middle: str, last: str, preferred: str) -> str:
    """The words a student is found by (accents dropped by the FTS tokenizer)."""
    return " ".join(p for p in (first, middle, last, preferred) if p)


PREFIX_MAX = 4  # letters of each name word filed in student_prefixes (longer text is found through the FTS)
INDEX_COLUMNS = "id, first_name, middle_name, last_name, preferred_name, number, name_key, active"
_WORD = re.compile(r"\w+", re.UNICODE)


def index_rows(rows: Iterable[tuple]) -> tuple[list[tuple], list[tuple]]:
    """The search rows of students selected with ``INDEX_COLUMNS``: ``students_fts`` rows and
    ``student_prefixes`` rows (every 1- to 4-letter start of each name word and of the number)."""
    fts, prefixes = [], []
    for sid, first, middle, last, preferred, number, sort, active in rows:
        # Names folded as the search folds what is typed (O'Brien is one word "obrien"; accents dropped).
        names = fold(fts_names(first, middle, last, preferred))
        fts.append((sid, names, number, sort, active))
        starts = {w[:n] for w in [*_WORD.findall(names), number.casefold()] for n in range(1, PREFIX_MAX + 1) if w}
        prefixes.extend((p, 1 - active, sort, sid) for p in starts)
    return fts, prefixes


INSERT_FTS = "INSERT INTO {table} (rowid, names, number, sort, active) VALUES (?, ?, ?, ?, ?)"
INSERT_PREFIX = "INSERT OR IGNORE INTO {table} (prefix, inactive, sort, student_id) VALUES (?, ?, ?, ?)"


def known_in(db: Database) -> Callable[[str, str], bool]:
    """What a delta bundle may refer to without carrying it: orgs, users and classes already stored."""
    sql = {
        "org": "SELECT 1 FROM sis_orgs WHERE sourced_id = ?",
        "class": "SELECT 1 FROM sis_classes WHERE sourced_id = ?",
        "user": "SELECT 1 FROM students WHERE sourced_id = ?1 UNION ALL SELECT 1 FROM guardians "
        "WHERE sourced_id = ?1 UNION ALL SELECT 1 FROM sis_staff WHERE sourced_id = ?1",
    }

    def known(kind: str, sourced_id: str) -> bool:
        return db.execute(sql[kind], [sourced_id]).fetchone() is not None

    return known


def apply_bundle(db: Database, bundle: Bundle, progress: Progress | None = None) -> ImportCounts:
    """Write ``bundle`` into the store inside the caller's transaction; returns the counts."""
    say = progress or (lambda step, done, total: None)
    now = clock.to_db(clock.now())
    users_bulk = bundle.mode("users") == "bulk"
    students = [u for u in bundle.users if u.role == "student"]
    guardians = [u for u in bundle.users if u.role in GUARDIAN_ROLES]
    staff = [u for u in bundle.users if u.role in STAFF_ROLES]

    # --- orgs, sessions, classes ------------------------------------------------------------------------
    say("organisations", 0, len(bundle.orgs))
    db.conn.executemany(
        "INSERT INTO sis_orgs (sourced_id, name, type, identifier, parent, active) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(sourced_id) DO UPDATE SET name = excluded.name, type = excluded.type, "
        "identifier = excluded.identifier, parent = excluded.parent, active = excluded.active",
        [(o.sourced_id, o.name, o.type, o.identifier, o.parent, int(not o.deleted)) for o in bundle.orgs],
    )
    db.conn.executemany(
        "INSERT INTO sis_sessions (sourced_id, title, type, start_date, end_date, active) "
        "VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(sourced_id) DO UPDATE SET title = excluded.title, type = excluded.type, "
        "start_date = excluded.start_date, end_date = excluded.end_date, active = excluded.active",
        [
            (s.sourced_id, s.title, s.type, s.start.isoformat(), s.end.isoformat(), int(not s.deleted))
            for s in bundle.sessions
        ],
    )
    db.conn.executemany(
        "INSERT INTO sis_classes (sourced_id, title, class_code, class_type, location, org, active) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sourced_id) DO UPDATE SET title = excluded.title, "
        "class_code = excluded.class_code, class_type = excluded.class_type, location = excluded.location, "
        "org = excluded.org, active = excluded.active",
        [
            (c.sourced_id, c.title, c.class_code, c.class_type, c.location, c.org, int(not c.deleted))
            for c in bundle.classes
        ],
    )

    # --- students -----------------------------------------------------------------------------------------
    say("students", 0, len(students))
    dobs = bundle.birth_dates
    student_rows = []
    for u in students:
        dob = dobs.get(u.sourced_id)
        grade = u.grades.split(",")[0].strip() if u.grades else ""
        student_rows.append(
            (
                u.sourced_id,
                u.identifier,
                u.first_name,
                u.middle_name,
                u.last_name,
                u.preferred_name,
                grade,
                dob.isoformat() if dob else None,
                u.orgs[0] if u.orgs else "",
                int(not u.deleted),
                student_name_key(u.first_name, u.last_name),
                now,
            )
        )
    # A deleted row carries no names in a delta: keep what the store has, only mark it inactive.
    db.conn.executemany(
        "INSERT INTO students (sourced_id, number, first_name, middle_name, last_name, preferred_name, grade, "
        "dob, org, active, name_key, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(sourced_id) DO UPDATE SET "
        "number = CASE WHEN excluded.active THEN excluded.number ELSE number END, "
        "first_name = CASE WHEN excluded.active THEN excluded.first_name ELSE first_name END, "
        "middle_name = CASE WHEN excluded.active THEN excluded.middle_name ELSE middle_name END, "
        "last_name = CASE WHEN excluded.active THEN excluded.last_name ELSE last_name END, "
        "preferred_name = CASE WHEN excluded.active THEN excluded.preferred_name ELSE preferred_name END, "
        "grade = CASE WHEN excluded.active THEN excluded.grade ELSE grade END, "
        "dob = CASE WHEN excluded.active THEN coalesce(excluded.dob, dob) ELSE dob END, "
        "org = CASE WHEN excluded.active THEN excluded.org ELSE org END, "
        "name_key = CASE WHEN excluded.active THEN excluded.name_key ELSE name_key END, "
        "active = excluded.active, updated_at = excluded.updated_at "
        "WHERE students.active != excluded.active OR students.number != excluded.number "
        "OR students.first_name != excluded.first_name OR students.last_name != excluded.last_name "
        "OR students.middle_name != excluded.middle_name OR students.preferred_name != excluded.preferred_name "
        "OR students.grade != excluded.grade OR students.org != excluded.org "
        "OR coalesce(students.dob, '') != coalesce(excluded.dob, students.dob, '')",
        [r for r in student_rows if r[10] or r[9]],
    )
    # Deleted rows in a delta with no names: only the active flag.
    db.conn.executemany(
        "UPDATE students SET active = 0, updated_at = ? WHERE sourced_id = ? AND active = 1",
        [(now, u.sourced_id) for u in students if u.deleted],
    )
    # Birth dates may come in demographics.csv for students the users file does not carry (a delta).
    in_users = {u.sourced_id for u in students}
    db.conn.executemany(
        "UPDATE students SET dob = ? WHERE sourced_id = ?",
        [(d.isoformat() if d else None, sid) for sid, d in dobs.items() if sid not in in_users],
    )
    inactive = 0
    if users_bulk:
        db.execute("CREATE TEMP TABLE IF NOT EXISTS _bundle_ids (sourced_id TEXT PRIMARY KEY)")
        db.execute("DELETE FROM _bundle_ids")
        db.conn.executemany(
            "INSERT OR IGNORE INTO _bundle_ids VALUES (?)", [(u.sourced_id,) for u in bundle.users]
        )
        inactive = db.execute(
            "UPDATE students SET active = 0, updated_at = ? WHERE active = 1 "
            "AND sourced_id NOT IN (SELECT sourced_id FROM _bundle_ids)",
            [now],
        ).rowcount
        db.execute(
            "UPDATE guardians SET active = 0 WHERE active = 1 AND sourced_id NOT IN (SELECT sourced_id FROM "
            "_bundle_ids)"
        )
        db.execute(
            "UPDATE sis_staff SET active = 0 WHERE active = 1 AND sourced_id NOT IN (SELECT sourced_id FROM "
            "_bundle_ids)"
        )
    student_ids = dict(db.execute("SELECT sourced_id, id FROM students").fetchall())

    # --- guardians ----------------------------------------------------------------------------------------
    say("guardians", 0, len(guardians))
    db.conn.executemany(
        "INSERT INTO guardians (sourced_id, first_name, last_name, role, phone, dob, active, name_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sourced_id) DO UPDATE SET "
        "first_name = CASE WHEN excluded.active THEN excluded.first_name ELSE first_name END, "
        "last_name = CASE WHEN excluded.active THEN excluded.last_name ELSE last_name END, "
        "role = excluded.role, phone = CASE WHEN excluded.active THEN excluded.phone ELSE phone END, "
        "dob = coalesce(excluded.dob, dob), active = excluded.active, "
        "name_key = CASE WHEN excluded.active THEN excluded.name_key ELSE name_key END",
        [
            (
                g.sourced_id,
                g.first_name,
                g.last_name,
                g.role,
                g.phone,
                dobs[g.sourced_id].isoformat() if dobs.get(g.sourced_id) else None,
                int(not g.deleted),
                student_name_key(g.first_name, g.last_name),
            )
            for g in guardians
        ],
    )
    guardian_ids = dict(db.execute("SELECT sourced_id, id FROM guardians").fetchall())
    guardian_roles = dict(db.execute("SELECT id, role FROM guardians").fetchall())

    # --- links --------------------------------------------------------------------------------------------
    links: set[tuple[int, int]] = set()
    touched_students: set[int] = set()
    for u in students:
        sid = student_ids.get(u.sourced_id)
        if sid is None:
            continue
        touched_students.add(sid)
        for agent in u.agents:
            gid = guardian_ids.get(agent)
            if gid is not None:
                links.add((sid, gid))
    for g in guardians:
        gid = guardian_ids.get(g.sourced_id)
        if gid is None or g.deleted:
            continue
        for agent in g.agents:
            sid = student_ids.get(agent)
            if sid is not None:
                links.add((sid, gid))
    say("links", 0, len(links))
    # The students whose list the bundle states have exactly that list: links it no longer names end.
    if users_bulk:
        db.execute("UPDATE student_guardians SET active = 0 WHERE active = 1")
    else:
        db.conn.executemany(
            "UPDATE student_guardians SET active = 0 WHERE student_id = ? AND active = 1",
            [(s,) for s in touched_students],
        )
    db.conn.executemany(
        "INSERT INTO student_guardians (student_id, guardian_id, pickup_allowed, active) VALUES (?, ?, ?, 1) "
        "ON CONFLICT(student_id, guardian_id) DO UPDATE SET active = 1",
        # Parents and guardians may pick up by default; a relative only once the office says so.
        [(s, g, int(guardian_roles[g] != "relative")) for s, g in links],
    )
    db.conn.executemany(
        "UPDATE student_guardians SET active = 0 WHERE guardian_id = ?",
        [(guardian_ids[g.sourced_id],) for g in guardians if g.deleted and g.sourced_id in guardian_ids],
    )

    # --- enrollments and homerooms ------------------------------------------------------------------------
    say("enrollments", 0, len(bundle.enrollments))
    enrolled = [e for e in bundle.enrollments if e.role == "student"]
    if bundle.mode("enrollments") == "bulk":
        db.execute("UPDATE student_classes SET active = 0 WHERE active = 1")
    db.conn.executemany(
        "INSERT INTO student_classes (student_id, class_id, active) VALUES (?, ?, ?) "
        "ON CONFLICT(student_id, class_id) DO UPDATE SET active = excluded.active",
        [(student_ids[e.user_id], e.class_id, int(not e.deleted)) for e in enrolled if e.user_id in student_ids],
    )
    if bundle.mode("enrollments") != "absent" or bundle.classes:
        db.execute(
            "UPDATE students SET homeroom = coalesce((SELECT c.title FROM student_classes sc JOIN sis_classes c "
            "ON c.sourced_id = sc.class_id WHERE sc.student_id = students.id AND sc.active = 1 AND c.active = 1 "
            "AND c.class_type = 'homeroom' ORDER BY c.title LIMIT 1), '')"
        )

    counts = ImportCounts(
        mode=bundle.mode("users"),
        orgs=len(bundle.orgs),
        students=len(students),
        guardians=len(guardians),
        staff=len(staff),
        links=len(links),
        classes=len(bundle.classes),
        enrollments=len(bundle.enrollments),
        inactive_students=inactive + sum(1 for u in students if u.deleted),
        ignored_files=tuple(bundle.ignored),
    )
    db.execute(
        "INSERT INTO sis_imports (time, mode, source, counts) VALUES (?, ?, ?, ?)",
        [now, counts.mode, bundle.source, json.dumps({k: v for k, v in counts.__dict__.items() if k != "mode"})],
    )
    return counts


def apply_staff(db: Database, bundle: Bundle) -> None:
    """Teachers into the staff directory (another feature's table, so written in the swap's transaction:
    a district has a thousand or so, a few milliseconds)."""
    staff = [u for u in bundle.users if u.role in STAFF_ROLES]
    directory = dict(db.execute("SELECT sourced_id, directory_id FROM sis_staff").fetchall())
    rooms = _teacher_rooms(db, bundle)
    for t in staff:
        name = f"{t.first_name} {t.last_name}".strip()
        room = rooms.get(t.sourced_id, "")
        if t.sourced_id in directory:
            db.execute(
                "UPDATE directory SET name = ?, room = ? WHERE id = ? AND (name != ? OR room != ?)",
                [name, room, directory[t.sourced_id], name, room],
            )
            db.execute("UPDATE sis_staff SET active = ? WHERE sourced_id = ?", [int(not t.deleted), t.sourced_id])
        elif not t.deleted:
            cur = db.execute("INSERT INTO directory (kind, name, room) VALUES ('staff', ?, ?)", [name, room])
            db.execute(
                "INSERT INTO sis_staff (sourced_id, directory_id, active) VALUES (?, ?, 1)",
                [t.sourced_id, cur.lastrowid],
            )


def _teacher_rooms(db: Database, bundle: Bundle) -> dict[str, str]:
    """Each teacher's homeroom (its location, else its title), for the directory's room column."""
    classes = {c.sourced_id: c for c in bundle.classes if not c.deleted}
    out: dict[str, str] = {}
    for e in bundle.enrollments:
        if e.role == "teacher" and not e.deleted:
            c = classes.get(e.class_id)
            if c is not None and c.class_type == "homeroom":
                out[e.user_id] = c.location or c.title
    return out
