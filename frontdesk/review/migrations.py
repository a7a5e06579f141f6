"""The full-text index of visits (SQLite FTS5), kept in step with ``visits`` and ``people`` by triggers."""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database

_NAME = (
    "{p}.first_name || coalesce(' ' || {p}.middle_name, '') || ' ' || {p}.last_name "
    "|| coalesce(' ' || {p}.suffix, '')"
)
_FIELDS = "name, category, purpose, destination, note, station, staff"


def _insert_for(visit: str, person: str) -> str:
    """The INSERT that indexes visit row ``visit`` (``new``, ``v``) of person row ``person``."""
    return (
        f"INSERT INTO visit_search (rowid, {_FIELDS}) SELECT {visit}.id, {_NAME.format(p=person)}, "
        f"{visit}.category, {visit}.purpose, {visit}.destination, {visit}.note, {visit}.station, {visit}.staff"
    )


def _review_0001_visit_search(db: Database) -> None:
    # Prefixes of 1-3 characters are indexed so a search answers at each keystroke.
    db.execute(
        f"CREATE VIRTUAL TABLE visit_search USING fts5({_FIELDS}, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')"
    )
    db.execute(f"{_insert_for('v', 'p')} FROM visits v JOIN people p ON p.id = v.person_id")
    db.execute(
        "CREATE TRIGGER visit_search_insert AFTER INSERT ON visits BEGIN "
        f"{_insert_for('new', 'p')} FROM people p WHERE p.id = new.person_id; END"
    )
    db.execute(
        "CREATE TRIGGER visit_search_update AFTER UPDATE OF person_id, category, purpose, destination, note, "
        "station, staff ON visits BEGIN DELETE FROM visit_search WHERE rowid = old.id; "
        f"{_insert_for('new', 'p')} FROM people p WHERE p.id = new.person_id; END"
    )
    db.execute(
        "CREATE TRIGGER visit_search_delete AFTER DELETE ON visits BEGIN "
        "DELETE FROM visit_search WHERE rowid = old.id; END"
    )
    db.execute(
        "CREATE TRIGGER visit_search_rename AFTER UPDATE OF first_name, middle_name, last_name, suffix ON people "
        "BEGIN DELETE FROM visit_search WHERE rowid IN (SELECT id FROM visits WHERE person_id = new.id); "
        f"{_insert_for('v', 'new')} FROM visits v WHERE v.person_id = new.id; END"
    )


MIGRATIONS: list[Migration] = [("review_0001_visit_search", _review_0001_visit_search)]
