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
