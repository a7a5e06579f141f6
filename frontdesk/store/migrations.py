"""The store's one migration convention, and its own base tables.

A migration is ``(name, function)``: the function gets the database inside the migration's own
transaction. Each feature keeps its list as ``MIGRATIONS`` in its ``migrations.py`` (names prefixed with the
feature, so lists never collide); ``frontdesk.context`` joins them in order and hands them to the store. A name
is never reused or edited once released: add a new migration instead. The store itself knows no feature.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from frontdesk.store.database import Database

Migration = tuple[str, Callable[[Database], None]]


def _core_0002_events_settings_directory(db: Database) -> None:
    db.execute(
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            source TEXT NOT NULL,
            level TEXT NOT NULL,
            message TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX events_time ON events(time)")
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        """CREATE TABLE directory (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('staff', 'room')),
            name TEXT NOT NULL,
            room TEXT NOT NULL DEFAULT ''
        )"""
    )


# Names that development builds before the first release applied and that were then renamed (the migration runs
# under its new name): found in a file, they are not a newer program's. A name released is never retired.
RETIRED: frozenset[str] = frozenset({"screening_0004_id_evidence"})


def unknown(applied: set[str], migrations: Sequence[Migration]) -> list[str]:
    """The names in ``applied`` (a file's ``_migrations``) that this program's ``migrations`` do not have.

    A program that finds any was given a file a newer FrontDesk has used: it must not write there (its code does
    not know the newer tables and columns, and what it wrote there the newer one would misread).
    """
    known = {name for name, _ in migrations} | RETIRED
    return sorted(applied - known)


def newer_message(path: object, names: list[str]) -> str:
    """The one line said when ``path`` was last used by a newer FrontDesk than this one."""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return (
        f"The FrontDesk database {path} was last used by a newer version of FrontDesk than this one (it holds "
        f"changes this version does not know: {shown}). Nothing was changed. Install the newer version again, "
        "or call your school IT support; this version must not write to it."
    )


# The tables every desk has below its features: the event log, settings and the staff/room directory.
BASE: list[Migration] = [("core_0002_events_settings_directory", _core_0002_events_settings_directory)]
