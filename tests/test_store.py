"""The store: migrations, pragmas, folder permissions, backups, and unreadable files."""

from __future__ import annotations

import stat

import pytest

from frontdesk.context import MIGRATIONS
from frontdesk.errors import StoreError
from frontdesk.store import Store


def test_open_creates_owner_only_folder_and_applies_every_migration(data_dir):
    store = Store.open(data_dir, MIGRATIONS)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    applied = {r[0] for r in store.db.execute("SELECT name FROM _migrations").fetchall()}
    assert applied == {name for name, _ in MIGRATIONS}
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_reopening_applies_nothing_and_makes_no_backup(data_dir):
    Store.open(data_dir, MIGRATIONS).close()
    store = Store(data_dir, MIGRATIONS)
    assert store.migrate() == []
    assert not (data_dir / "backups").exists()


def test_a_new_migration_backs_the_file_up_first(data_dir):
    store = Store.open(data_dir, MIGRATIONS)
    store.db.execute("INSERT INTO settings (key, value) VALUES ('x', '1')")
    store.close()

    def add_column(db):
        db.execute("ALTER TABLE settings ADD COLUMN extra TEXT")

    store = Store(data_dir, [*MIGRATIONS, ("test_0001_extra", add_column)])
    assert store.migrate() == ["test_0001_extra"]
    backups = list((data_dir / "backups").glob("*.db"))
    assert len(backups) == 1 and "before-test_0001_extra" in backups[0].name
    import sqlite3

    old = sqlite3.connect(backups[0])
    assert old.execute("SELECT value FROM settings WHERE key = 'x'").fetchone() == ("1",)
    assert "extra" not in [r[1] for r in old.execute("PRAGMA table_info(settings)")]


def test_a_failing_migration_leaves_nothing_half_done(data_dir):
    Store.open(data_dir, MIGRATIONS).close()

    def broken(db):
        db.execute("CREATE TABLE half (x)")
        raise RuntimeError("boom")

    store = Store(data_dir, [*MIGRATIONS, ("test_0002_broken", broken)])
    with pytest.raises(RuntimeError):
        store.migrate()
    tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "half" not in tables


def test_an_unreadable_file_is_reported_and_never_overwritten(data_dir):
    data_dir.mkdir(parents=True)
    garbage = b"this is not a database, it is a letter to the school board" * 100
    (data_dir / "frontdesk.db").write_bytes(garbage)
    with pytest.raises(StoreError) as err:
        Store.open(data_dir, MIGRATIONS)
    assert err.value.code == "store_unreadable"
    assert "has not been changed" in err.value.message and "backups" in err.value.message
    assert (data_dir / "frontdesk.db").read_bytes() == garbage


def _log_pages(store: Store) -> int:
    """How many pages the write-ahead log file holds (it is reused from its top after a full checkpoint)."""
    frame = 24 + store.db.execute("PRAGMA page_size").fetchone()[0]
    wal = store.path.with_name(store.path.name + "-wal")
    return (wal.stat().st_size - 32) // frame if wal.exists() else 0


def _write_pages(store: Store, commits: int) -> None:
    for _ in range(commits):  # ~50 pages a commit, each commit synced as before
        with store.transaction() as db:
            db.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) "
                "INSERT INTO filler (x) SELECT randomblob(3000) FROM n"
            )


def test_deferred_checkpoints_leave_commits_alone_until_the_bound(data_dir):
    """The desk defers SQLite's automatic checkpoint (``defer_checkpoints``): a commit past SQLite's default of
    1,000 pages of log does not checkpoint, ``checkpoint_log`` does (from another thread), and the bound
    still holds for a desk that never checkpoints."""
    import threading

    store = Store.open(data_dir, MIGRATIONS)
    store.defer_checkpoints(bound_pages=1500)
    db = store.db
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1500
    db.execute("CREATE TABLE filler (x BLOB)")
    _write_pages(store, 25)
    pages = _log_pages(store)
    assert pages > 1100  # not checkpointed at 1,000 pages (the log would have started again from its top)
    # The desk's timer: a PASSIVE checkpoint on a connection of its own, called from a pool thread.
    out: list[tuple[int, int]] = []
    worker = threading.Thread(target=lambda: out.append(store.checkpoint_log()))
    worker.start()
    worker.join()
    assert out == [(pages, pages)]
    assert db.execute("SELECT count(*) FROM filler").fetchone()[0] == 25 * 40
    # Nobody checkpoints now: past the bound, SQLite's automatic checkpoint runs at a commit again, and the
    # log starts again from its top instead of growing.
    _write_pages(store, 50)
    assert 1400 < _log_pages(store) < 1500 + 100
    # A connection opened later (another thread's) gets the bound too.
    other = store.connect()
    assert other.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1500
    other.close()
    store.close()
