"""The full-text index of visits (SQLite FTS5), kept in step with ``visits`` and ``people`` by triggers.

Every check-in writes its row of this index in the check-in's own transaction, so what the index holds is
paid for at every commit. Since ``review_0002`` it holds what only a search can find (the name, purpose,
destination, note and staff member: the Review filters by station and category), with prefix indexes for
two and three letters (a search needs two letters: see ``frontdesk.review.service.fts_query``).
"""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database

_NAME = (
    "{p}.first_name || coalesce(' ' || {p}.middle_name, '') || ' ' || {p}.last_name "
    "|| coalesce(' ' || {p}.suffix, '')"
)
# review_0001's columns: a released migration runs as it was written on a database that has not had it yet.
_FIELDS_0001 = "name, category, purpose, destination, note, station, staff"
_FIELDS = "name, purpose, destination, note, staff"


def _insert_for(visit: str, person: str, fields: str = _FIELDS) -> str:
    """The INSERT that indexes visit row ``visit`` (``new``, ``v``) of person row ``person``."""
    values = ", ".join(_NAME.format(p=person) if f == "name" else f"{visit}.{f}" for f in fields.split(", "))
    return f"INSERT INTO visit_search (rowid, {fields}) SELECT {visit}.id, {values}"


def _triggers(db: Database, fields: str) -> None:
    """The triggers that keep ``visit_search`` in step: a visit added, changed or deleted, a person renamed."""
    visit_columns = "person_id, " + ", ".join(f for f in fields.split(", ") if f != "name")
    db.execute(
        "CREATE TRIGGER visit_search_insert AFTER INSERT ON visits BEGIN "
        f"{_insert_for('new', 'p', fields)} FROM people p WHERE p.id = new.person_id; END"
    )
    db.execute(
        f"CREATE TRIGGER visit_search_update AFTER UPDATE OF {visit_columns} ON visits BEGIN "
        "DELETE FROM visit_search WHERE rowid = old.id; "
        f"{_insert_for('new', 'p', fields)} FROM people p WHERE p.id = new.person_id; END"
    )
    db.execute(
        "CREATE TRIGGER visit_search_delete AFTER DELETE ON visits BEGIN "
        "DELETE FROM visit_search WHERE rowid = old.id; END"
    )
    db.execute(
        "CREATE TRIGGER visit_search_rename AFTER UPDATE OF first_name, middle_name, last_name, suffix ON people "
        "BEGIN DELETE FROM visit_search WHERE rowid IN (SELECT id FROM visits WHERE person_id = new.id); "
        f"{_insert_for('v', 'new', fields)} FROM visits v WHERE v.person_id = new.id; END"
    )


def _review_0001_visit_search(db: Database) -> None:
    # Prefixes of 1-3 characters are indexed so a search answers at each keystroke.
    db.execute(
        f"CREATE VIRTUAL TABLE visit_search USING fts5({_FIELDS_0001}, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')"
    )
    db.execute(f"{_insert_for('v', 'p', _FIELDS_0001)} FROM visits v JOIN people p ON p.id = v.person_id")
    _triggers(db, _FIELDS_0001)


def _review_0002_visit_search_two_letters(db: Database) -> None:
    """Rebuild the index smaller, for a cheaper check-in: no one-letter prefixes, no station or category.

    At 1,000,000 visits the old index wrote 8 of the 22 pages of each check-in's commit and doubled the cost
    of the visit's insert. A one-letter search matched most of history (the Review now asks for two letters);
    station and category have filters of their own. ``columnsize=0``: nothing ranks the matches (a search
    lists them newest first), so the per-row sizes are not kept.
    """
    for trigger in ("insert", "update", "delete", "rename"):
        db.execute(f"DROP TRIGGER IF EXISTS visit_search_{trigger}")
    db.execute("DROP TABLE IF EXISTS visit_search")  # its shadow tables go with it
    db.execute(
        f"CREATE VIRTUAL TABLE visit_search USING fts5({_FIELDS}, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3', columnsize = 0)"
    )
    db.execute(f"{_insert_for('v', 'p')} FROM visits v JOIN people p ON p.id = v.person_id")
    _triggers(db, _FIELDS)


MIGRATIONS: list[Migration] = [
    ("review_0001_visit_search", _review_0001_visit_search),
    ("review_0002_visit_search_two_letters", _review_0002_visit_search_two_letters),
]
