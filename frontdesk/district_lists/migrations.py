"""The district copy's tables: which hub list is which local list, the id map, when in step, settings."""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database


def _district_lists_0001_copy(db: Database) -> None:
    # One row per district list this desk holds: the hub's name, the local list it is screened as, the
    # hub's generation (a new one means a new snapshot) and the version this copy is in step with.
    db.execute(
        """CREATE TABLE district_lists (
            source TEXT PRIMARY KEY,
            list_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            generation INTEGER NOT NULL,
            version INTEGER NOT NULL
        )"""
    )
    # The hub's entry id -> this desk's entry id (a change names the hub's id).
    db.execute(
        """CREATE TABLE district_list_entries (
            hub_id INTEGER PRIMARY KEY,
            entry_id INTEGER NOT NULL,
            list_id INTEGER NOT NULL
        )"""
    )
    db.execute("CREATE INDEX district_list_entries_list ON district_list_entries(list_id)")
    # as_of: when this desk was last in step with the hub's lists.
    db.execute("CREATE TABLE district_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # The district's settings for this school: a layer under the desk's own (frontdesk.settings reads it).
    db.execute(
        """CREATE TABLE district_settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            locked INTEGER NOT NULL DEFAULT 0
        )"""
    )


MIGRATIONS: list[Migration] = [("district_lists_0001_copy", _district_lists_0001_copy)]
