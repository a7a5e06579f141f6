"""The screening index rebuilt beside the one in force while the desk works (frontdesk.screening.reindex).

Real SQLite files and real threads: the build runs on a thread of its own (its own connection, as on the
desk's thread pool) and is held at chosen points through its progress callback, while this thread screens,
changes entries and imports lists on the desk's connection. No timing is asserted (that is the bench's job).
"""

from __future__ import annotations

import gc
import threading
import time

import pytest

from bench import screening_data
from frontdesk.screening import reindex
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.importer import import_csv
from frontdesk.screening.lists import ENTRY_COLUMNS, ENTRY_FROM, entry_from_row, keys_of, retire_list, unfile_keys
from frontdesk.screening.models import NewEntry, Query
from frontdesk.wire.keys import KEY_VERSION

COUNT = 1200
HEADER = "first_name,middle_name,last_name,dob,aliases,kind,reason\n"


@pytest.fixture
def upgraded(services, tmp_path, monkeypatch):
    """A desk with two lists whose index is of key rules 8 (as before the upgrade), and small build steps."""
    monkeypatch.setattr(reindex, "READ_ROWS", 100)  # many rounds on a small list, so the build can be held
    monkeypatch.setattr(reindex, "FILE_STEP", 500)
    monkeypatch.setattr(reindex, "WAIT_POLL", 0.05)  # a desk waiting for another's build looks again soon
    path = tmp_path / "list.csv"
    screening_data.write_csv(path, COUNT)
    import_csv(services.store, path, "Registry")
    school = tmp_path / "school.csv"
    school.write_text(HEADER + "Wilma,,Quist,1971-02-03,,barred,\nOtto,,Brandauer,1966-06-06,,barred,\n")
    import_csv(services.store, school, "School")
    db = services.store.db
    with db.conn:  # as an index built under key rules 8 answers: no A: rows, version 8
        db.execute("INSERT OR REPLACE INTO screening_meta (key, value) VALUES ('key_version', '8')")
        db.execute("DELETE FROM screening_keys WHERE key >= 'A:' AND key < 'B'")
    assert services.lists.index_needs_upgrade()
    return services


def visitors() -> list[Query]:
    found = []
    for q in screening_data.queries(COUNT, 4, clean_per_class=10):
        found.append(Query(q.first_name, q.last_name, q.middle_name, parse_dob(q.dob)))
    return found


def answers(services, queries) -> list:
    return [services.screener.screen(q) for q in queries]


def expected_rows(db) -> set[tuple[str, int]]:
    """Every key of every entry of a list not retired, as a build from scratch files them."""
    rows = db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE l.state != 'retired'").fetchall()
    return {(k, e.id) for e in map(entry_from_row, rows) for k in keys_of(e)}


def index_rows(db) -> set[tuple[str, int]]:
    return set(db.execute("SELECT key, entry_id FROM screening_keys").fetchall())


def tables(db) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'screening_keys%'")}


class Held:
    """Runs the desk's background upgrade on a thread of its own, holding it each time its progress passes
    one of ``at`` (fractions: below 0.8 while it reads the entries, above while it files their keys)."""

    def __init__(self, services, at: list[float], stop: threading.Event | None = None):
        self._at = sorted(at)
        self._reached = threading.Event()
        self._go = threading.Event()
        self.stop = stop or threading.Event()
        self.result: dict = {}
        lists = services.lists
        self._thread = threading.Thread(target=self._run, args=(lists,), name="reindex-test")
        self._thread.start()

    def _run(self, lists) -> None:
        try:
            self.result["report"] = lists.upgrade_index(progress=self._progress, stop=self.stop.is_set)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self.result["error"] = exc
        self._reached.set()  # never leave the test waiting

    def _progress(self, fraction: float) -> None:
        if self._at and fraction >= self._at[0]:
            self._at.pop(0)
            self._go.clear()
            self._reached.set()
            assert self._go.wait(60)

    def held(self) -> None:
        assert self._reached.wait(60)
        self._reached.clear()
        assert not self.result, self.result

    def resume(self) -> None:
        self._go.set()

    def finish(self):
        self.resume()
        self._thread.join(120)
        assert not self._thread.is_alive()
        return self.result


def test_screens_during_the_rebuild_are_the_old_index_answers_and_after_it_the_same(upgraded):
    services, db = upgraded, upgraded.store.db
    queries = visitors()
    before = answers(services, queries)
    old_index = index_rows(db)
    build = Held(services, [0.3, 0.85])
    for _ in range(2):  # once while it reads the entries, once while it files the new index
        build.held()
        assert "screening_keys_next" in tables(db)
        assert index_rows(db) == old_index  # screening reads the old index, whole: never the half-built one
        assert reindex.stored_version(db) == 8
        assert answers(services, queries) == before
        build.resume()
    result = build.finish()
    assert result["report"].entries == COUNT + 2 and result["report"].longest_lock > 0
    assert reindex.stored_version(db) == KEY_VERSION and not services.lists.index_needs_upgrade()
    assert index_rows(db) == expected_rows(db) and any(k.startswith("A:") for k, _ in index_rows(db))
    assert answers(services, queries) == before
    assert tables(db) == {"screening_keys"} and reindex.build_meta(db) == {}


def test_changes_and_imports_during_the_rebuild_are_in_the_new_index(upgraded, tmp_path):
    services, db = upgraded, upgraded.store.db
    lists = services.lists
    first_ids = [r[0] for r in db.execute("SELECT id FROM screening_entries ORDER BY id LIMIT 6")]
    gone = lists.add("Gone", NewEntry("Cornelius", "Abernathy", dob=parse_dob("1955-05-05")))
    build = Held(services, [0.4, 0.85])
    build.held()  # the first few hundred entries are read: their keys wait in the build's own TEMP tables
    renamed = lists.get(first_ids[0])
    lists.update(renamed.id, NewEntry("Zebulon", "Quackenbush", dob=parse_dob("1970-01-02")))
    lists.remove(first_ids[1])
    added = lists.add("Office", NewEntry("Hortense", "Vandermolen", dob=parse_dob("1958-09-09")))
    later = tmp_path / "later.csv"  # a list import arriving mid-rebuild
    later.write_text(HEADER + "Ignatius,,Pemberton,1962-12-12,,barred,\nLavinia,,Okonkwo-Smith,1979,,custody,\n")
    import_csv(services.store, later, "Later")
    school = tmp_path / "school2.csv"  # a replace of a list already read: the old entries retired and purged
    school.write_text(HEADER + "Wilma,,Quist-Barlow,1971-02-03,,barred,\n")
    import_csv(services.store, school, "School", replace=True)
    build.resume()
    build.held()  # filing the new index now: two more changes to entries read long ago
    lists.update(first_ids[2], NewEntry("Eudora", "Fitzsimmons", dob=parse_dob("1969-03-03")))
    lists.remove(first_ids[3])
    with services.store.transaction():  # a list removed: retired, then its index rows go (from both tables) ...
        retire_list(db, db.execute("SELECT list_id FROM screening_entries WHERE id = ?", [gone.id]).fetchone()[0])
        unfile_keys(db, gone)
    result = build.finish()
    with services.store.transaction():  # ... and then its entries (as purge_hidden does, in steps)
        db.execute("DELETE FROM screening_entries WHERE id = ?", [gone.id])
    assert "report" in result, result
    assert reindex.stored_version(db) == KEY_VERSION
    assert index_rows(db) == expected_rows(db)  # nothing missing, nothing stale
    screen = services.screener.screen
    assert screen(Query("Zebulon", "Quackenbush", dob=parse_dob("1970-01-02"))).candidates
    assert screen(Query("Ignatius", "Pemberton", dob=parse_dob("1962-12-12"))).candidates
    assert screen(Query("Eudora", "Fitzsimmons", dob=parse_dob("1969-03-03"))).candidates
    assert added.id in {
        c.entry.id for c in screen(Query("Hortense", "Vandermolen", dob=parse_dob("1958-09-09"))).candidates
    }
    assert not screen(Query("Otto", "Brandauer", dob=parse_dob("1966-06-06"))).candidates  # replaced away
    assert tables(db) == {"screening_keys"}


def test_a_rebuild_stopped_half_way_is_built_again_at_the_next_start(upgraded):
    services, db = upgraded, upgraded.store.db
    stop = threading.Event()
    build = Held(services, [0.85], stop)
    build.held()
    stop.set()  # the desk closes while the new index is being filed
    result = build.finish()
    assert isinstance(result.get("error"), reindex.Stopped)
    assert reindex.stored_version(db) == 8 and reindex.build_meta(db) == {}  # given up: taken at once next time
    assert "screening_keys_next" in tables(db)
    assert services.lists.upgrade_index() is not None  # the next start
    assert index_rows(db) == expected_rows(db) and tables(db) == {"screening_keys"}


def test_a_build_left_by_a_crash_is_taken_over_once_stale_and_a_live_one_is_waited_for(upgraded):
    services, db = upgraded, upgraded.store.db
    with db.conn:  # another desk's build, alive a moment ago
        db.execute("CREATE TABLE screening_keys_next (key TEXT, entry_id INTEGER, PRIMARY KEY (key, entry_id))")
        db.execute("INSERT INTO screening_keys_next VALUES ('N:stale', 999999)")
        db.execute("INSERT INTO screening_keys_next VALUES (?, 0)", [reindex.MARK + "other"])
        db.conn.executemany(
            "INSERT INTO screening_meta (key, value) VALUES (?, ?)",
            [("build_token", "other"), ("build_rules", "0"), ("build_touched", str(time.time()))],
        )
    assert reindex.IndexBuild(services.store).run() is None  # alive: this desk waits for it
    assert reindex.build_meta(db)["build_token"] == "other"
    with db.conn:  # ... and then it stopped without a word (a crash)
        db.execute("UPDATE screening_meta SET value = ? WHERE key = 'build_touched'", [str(time.time() - 600)])
    report = reindex.IndexBuild(services.store).run()
    assert report is not None and report.entries == COUNT + 2
    assert index_rows(db) == expected_rows(db) and tables(db) == {"screening_keys"}


def test_barred_reindex_takes_over_a_build_under_way_and_that_one_never_swaps(upgraded):
    services, db = upgraded, upgraded.store.db
    build = Held(services, [0.85])
    build.held()
    report = services.lists.rebuild_index()  # school IT's verb, meanwhile (another process, as far as it knows)
    assert report.entries == COUNT + 2 and reindex.stored_version(db) == KEY_VERSION
    result = build.finish()
    assert result == {"report": None}  # superseded at its next step; the other one built the index
    assert index_rows(db) == expected_rows(db) and tables(db) == {"screening_keys"}


def older_desk_swaps(db, rows: set[tuple[str, int]]) -> None:
    """What an older desk's re-index does at its end: file what it built, swap its table in, say rules 9."""
    with db.conn:
        db.conn.executemany(
            "INSERT OR IGNORE INTO screening_keys_next (key, entry_id) VALUES (?, ?)", sorted(rows)
        )
        db.execute("ALTER TABLE screening_keys RENAME TO screening_keys_old")
        db.execute("ALTER TABLE screening_keys_next RENAME TO screening_keys")
        db.execute("INSERT OR REPLACE INTO screening_meta (key, value) VALUES ('key_version', ?)", [KEY_VERSION])
        db.execute("DROP TABLE screening_keys_old")


def test_an_older_desks_build_is_waited_for_and_never_taken_over_while_it_grows(upgraded):
    """Older code drops and makes ``screening_keys_next`` again, fills it by name, then swaps it in whatever
    it holds: taking that table over meanwhile would let its swap put this build's half-built table in force."""
    services, db = upgraded, upgraded.store.db
    build = Held(services, [0.85])
    build.held()
    with db.conn:  # an older desk's re-index starts on the shared folder: drop the table and make it again
        db.execute("DROP TABLE screening_keys_next")
        db.execute("CREATE TABLE screening_keys_next (key TEXT, entry_id INTEGER, PRIMARY KEY (key, entry_id))")
    build.resume()  # this build is superseded at its next step; then it watches the older desk's table
    full = expected_rows(db)
    for part in (sorted(full)[:500], sorted(full)[500:1000]):  # the older desk files in steps meanwhile
        time.sleep(0.2)
        with db.conn:
            db.conn.executemany("INSERT OR IGNORE INTO screening_keys_next (key, entry_id) VALUES (?, ?)", part)
        assert "screening_keys_next" in tables(db) and not any(
            t.startswith("screening_keys_trash") for t in tables(db)
        )
        assert reindex.older_build_rows(db) >= len(part)  # still the older desk's table, not taken over
    older_desk_swaps(db, full)
    result = build.finish()
    assert result == {"report": None}  # the older desk built it; nothing of this build's went in
    assert index_rows(db) == expected_rows(db) and reindex.stored_version(db) == KEY_VERSION


def test_an_older_desks_table_left_unchanged_is_taken_over_once_stale(upgraded, monkeypatch):
    services, db = upgraded, upgraded.store.db
    monkeypatch.setattr(reindex, "STALE_BUILD", 0.5)
    with db.conn:  # what an older desk left when it stopped half-way: no mark, no token
        db.execute("CREATE TABLE screening_keys_next (key TEXT, entry_id INTEGER, PRIMARY KEY (key, entry_id))")
        db.execute("INSERT INTO screening_keys_next VALUES ('N:left', 999999)")
    said: list[str] = []
    report = reindex.bring_up_to_date(services.store, notice=said.append)  # as the desk's upgrade_index calls it
    assert report is not None and report.entries == COUNT + 2
    assert len(said) == 2 and said[0].startswith("Waiting: a re-index by an older FrontDesk")
    assert "(1 index row so far" in said[0]
    assert said[1] == "The older re-index has not changed for 0.5 s: taking it over now."
    assert index_rows(db) == expected_rows(db) and tables(db) == {"screening_keys"}


def test_no_garbage_collection_runs_while_the_build_holds_the_write_lock(upgraded):
    """A full collection walks the whole heap (at 1M, after the reading filled the name caches: 130-175 ms of
    CPU each); one that started inside a filing step held the lock that long (the bench's one 146-204 ms step).
    The collector is held off from asking for the lock to the commit: with it tripping every few allocations,
    none starts while the build's connection is in a transaction, yet it keeps running between the steps."""
    db = upgraded.store.db  # the build runs on this thread: its connection is this one
    inside, outside = [], []

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            (inside if db.conn.in_transaction else outside).append(info["generation"])

    threshold = gc.get_threshold()
    gc.set_threshold(5, 2, 2)  # a collection every few allocations: any step's Python work would trip one
    gc.callbacks.append(seen)
    try:
        report = reindex.bring_up_to_date(upgraded.store)
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*threshold)
    assert report is not None and report.steps > 10 and reindex.stored_version(db) == KEY_VERSION
    assert inside == [] and outside  # none in a transaction; between the steps, as before
    assert index_rows(db) == expected_rows(db)
