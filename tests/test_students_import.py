"""The roster import built apart and swapped in: a check-in commits while a district's import runs, a failed
import changes nothing, and finding a student a keystroke at a time reads the prefix table in name order.

Real services over a real SQLite file; the writer is a real check-in on its own connection (its own thread).
"""

from __future__ import annotations

import re
import threading

import pytest

from frontdesk.context import Services
from frontdesk.demo.oneroster import write_bundle
from frontdesk.models import Visitor
from frontdesk.wire.names import fold
from tests.students_fixtures import sign_in


@pytest.fixture(scope="module")
def template(students_template):
    return students_template


@pytest.fixture(scope="module")
def bigger(tmp_path_factory):
    """A second year's roster: more students, different families (what a district import brings)."""
    folder = tmp_path_factory.mktemp("sis2") / "bundle"
    return folder, write_bundle(folder, students=900, guardians=1300, seed=29)


def _hidden_tables(db) -> list[str]:
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
    return [n for n in names if re.search(r"_(next|old)_[0-9a-f]{8}", n)]


def test_a_check_in_commits_while_the_import_is_being_written(staffed, bigger):
    """Between two steps of the import a check-in on another connection gets the lock, commits, and sees
    the roster as it was (the import is all or nothing); after the swap the new roster is there."""
    sign_in(staffed, "root")
    folder = staffed.store.data_dir
    seen: dict[str, object] = {}
    checked_in = threading.Event()

    def check_in() -> None:
        other = Services.open(folder)  # its own store, connection and thread: a desk's check-in
        try:
            seen["visit"] = other.checkin.admit(Visitor("Ann", "Testwood"), purpose="Meeting")
            seen["students_then"] = other.students.count()
        except Exception as exc:  # handed back to the test thread
            seen["error"] = exc
        finally:
            other.close()
            checked_in.set()

    def progress(step: str, done: int, total: int) -> None:
        seen.setdefault("steps", []).append(step)
        # The first step of the hidden tables has been written; the next one waits for this check-in.
        if step == "saving" and "writer" not in seen:
            seen["writer"] = writer = threading.Thread(target=check_in)
            writer.start()
            assert checked_in.wait(60), "the check-in waited behind the import"

    counts = staffed.students.import_bundle(bigger[0], progress=progress)
    seen["writer"].join()
    assert "error" not in seen, seen.get("error")
    assert seen["students_then"] == 600  # the old roster, whole, while the import ran
    assert counts.students == 900 and staffed.students.count() == 900
    assert staffed.store.db.execute("SELECT count(*) FROM visits").fetchone()[0] >= 1
    assert {"saving", "index", "done"} <= set(seen["steps"])
    assert _hidden_tables(staffed.store.db) == []
    assert staffed.audit.records(limit=1)[0].action == "students.import"
    # Movements still point at the students table (the swap renamed tables, not references).
    ddl = staffed.store.db.execute("SELECT sql FROM sqlite_master WHERE name = 'student_movements'").fetchone()[0]
    assert "REFERENCES students(id)" in ddl


def test_an_import_that_fails_before_the_swap_changes_nothing(staffed, bigger):
    db = staffed.store.db

    def snapshot():
        return [
            db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("students", "guardians", "student_guardians", "student_prefixes", "sis_imports", "directory")
        ]

    before = snapshot()
    audit_before = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]

    def progress(step: str, done: int, total: int) -> None:
        if step == "index":
            raise KeyboardInterrupt  # the office closed the desk half-way through

    sign_in(staffed, "root")
    with pytest.raises(KeyboardInterrupt):
        staffed.students.import_bundle(bigger[0], progress=progress)
    assert snapshot() == before
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_before + 1  # the sign-in only
    assert _hidden_tables(db) == []
    assert staffed.students.count() == 600 and staffed.students.find("100001")


def test_hidden_tables_left_by_a_crash_are_dropped_by_the_next_import(staffed, bigger):
    db = staffed.store.db
    with staffed.store.transaction():
        db.execute("CREATE TABLE students_next_0badc0de (id INTEGER PRIMARY KEY)")
        db.execute("CREATE VIRTUAL TABLE students_fts_old_0badc0de USING fts5(names)")
    sign_in(staffed, "root")
    staffed.students.import_bundle(bigger[0])
    assert _hidden_tables(db) == [] and staffed.students.count() == 900


@pytest.mark.parametrize("typed", ["m", "ma", "Mar", "smit", "o'b", "10001", "ann smi", "martinez"])
def test_find_lists_matches_in_name_order(staffed, typed):
    """The prefix table (1-4 letters) and the FTS (longer, several words) give what a plain scan gives."""
    rows = staffed.store.db.execute(
        "SELECT id, first_name, middle_name, last_name, preferred_name, number, name_key FROM students "
        "WHERE active = 1"
    ).fetchall()
    words = fold(typed).split()

    def matches(row) -> bool:
        own = fold(" ".join(row[1:5])).split() + [row[5].casefold()]
        return all(any(w.startswith(t) for w in own) for t in words)

    numbers = {r[0] for r in rows if r[5].casefold() == typed.casefold()}
    expected = [
        r[0] for r in sorted((r for r in rows if matches(r) and r[0] not in numbers), key=lambda r: (r[6], r[0]))
    ]
    found = [x.id for x in staffed.students.find(typed)]
    assert found == (sorted(numbers) + expected)[:20]


def test_the_import_is_recorded_under_the_person_who_started_it(staffed, bigger):
    """The import runs for seconds on the window's thread pool; its record was written at the swap under
    whoever was signed in then (the desk changed hands: a desk account, which may not import the roster)."""
    sign_in(staffed, "p.nakamura")

    def progress(step: str, done: int, total: int) -> None:
        if staffed.session.actor_name != "desk.lee":
            sign_in(staffed, "desk.lee")  # the next person at the desk, while the import is being built

    staffed.students.import_bundle(bigger[0], progress=progress)
    found = staffed.store.db.execute("SELECT actor FROM audit_log WHERE action = 'students.import'").fetchall()
    assert found[-1] == ("p.nakamura",)
