"""Whether a staff account may act as its row says: the row against the audit trail, and set-up mode's end.

Every change the application makes to a row of ``users`` is audited with the row's content hash (id, name, role,
secret hash, disabled: :data:`frontdesk.audit.coverage.COVERED`). ``audit verify`` names a row changed outside the
application, but a sign-in read the row as it found it: a desk account edited into an administrator with the
sqlite3 shell, or a principal's hash replaced by one of a known PIN, signed in with that role. And with the rows
deleted, the installation was in set-up mode again (everything allowed, to anyone). Here a row is compared with
the newest record that describes it (through the trail's own small index, ``audit_log_accounts``), and set-up mode
is over for good once the trail holds any account's record.
"""

from __future__ import annotations

import json

from frontdesk.access.roles import Role
from frontdesk.access.session import Actor
from frontdesk.audit.coverage import row_hash
from frontdesk.audit.migrations import ACCOUNTS_WHERE, SETTINGS_WHERE

# The row's columns as the audit covers them (coverage.COVERED["users"]), in that order.
ROW = "id, username, display_name, role, secret_hash, disabled"

DELETED = (
    "The staff accounts were deleted outside FrontDesk (the audit trail holds them): nobody can sign in. "
    "Restore the newest backup, signing in as the backup knows you ('frontdesk --user NAME restore FILE'), "
    "and tell the district."
)


def _checkpoint_accounts(db) -> dict:
    """What the records retention removed said of each account (the newest checkpoint's ``accounts``)."""
    row = db.execute(
        f"SELECT details FROM audit_log WHERE {SETTINGS_WHERE} AND action = 'audit.checkpoint' "
        "ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    found = json.loads(row[0]).get("accounts") if row is not None else None
    return found if isinstance(found, dict) else {}


def ever_existed(db) -> bool:
    """True when the audit trail says an account was ever made here (set-up mode is over, whatever the table
    holds now)."""
    if db.execute(f"SELECT 1 FROM audit_log WHERE {ACCOUNTS_WHERE} LIMIT 1").fetchone() is not None:
        return True
    return bool(_checkpoint_accounts(db))


def accounts_exist(db) -> bool:
    """Set-up mode is over: an account exists, or the trail says one did (its rows deleted by hand, or a
    retention checkpoint that kept what the removed records said of accounts).

    One statement: the session asks it for every permission check and every record's actor, several times a
    check-in (tests/test_checkin_statements.py counts them), and in set-up mode the three questions were three
    statements each time."""
    row = db.execute(
        "SELECT EXISTS (SELECT 1 FROM users) "
        f"OR EXISTS (SELECT 1 FROM audit_log WHERE {ACCOUNTS_WHERE}) "
        f"OR EXISTS (SELECT 1 FROM audit_log WHERE {SETTINGS_WHERE} AND action = 'audit.checkpoint' "
        "AND json_extract(details, '$.accounts') NOT IN ('{}'))"
    ).fetchone()
    return bool(row[0])


def all_deleted(db) -> bool:
    """True when the table holds no account but the trail says accounts were made (deleted by hand)."""
    return db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is None and ever_existed(db)


def deleted_by_hand(db, username: str) -> bool:
    """True when the trail describes an account of this name (FrontDesk never deletes one: it disables it)."""
    found = db.execute(f"SELECT 1 FROM audit_log WHERE {ACCOUNTS_WHERE} AND subject = ? LIMIT 1", [username])
    return found.fetchone() is not None or username in _checkpoint_accounts(db)


def row_problem(db, row: tuple) -> str:
    """Why an account's row (its :data:`ROW` columns) may not be trusted, in the office's words ("" when it may).

    The row must be what the newest audit record describing the account says it is (or, once retention removed
    those records, what the checkpoint kept). A row no record describes was put in by hand, unless it is older
    than the audit's coverage of accounts (an installation from before it: nothing to compare with).
    """
    content = row_hash(row)
    name = row[1]
    found = db.execute(
        f"SELECT details FROM audit_log WHERE {ACCOUNTS_WHERE} AND subject = ? ORDER BY seq DESC LIMIT 1", [name]
    ).fetchone()
    audited = json.loads(found[0]) if found is not None else _checkpoint_accounts(db).get(name)
    if isinstance(audited, dict) and "row" not in audited:
        audited = None  # a record from before accounts were covered (an older version's): nothing to compare
    changed = (
        f"The account {name!r} was changed outside FrontDesk (it is not what the audit trail says): it cannot "
        f"act until a district administrator resets its PIN or password ('frontdesk users reset-pin {name}')."
    )
    if isinstance(audited, dict):
        return "" if (audited.get("row"), audited.get("content")) == (f"users:{row[0]}", content) else changed
    covered = [_row_id(d) for (d,) in db.execute(f"SELECT details FROM audit_log WHERE {ACCOUNTS_WHERE}")]
    covered += [_row_id(v) for v in _checkpoint_accounts(db).values()]
    covered = [i for i in covered if i is not None]
    if not covered or 1 <= row[0] < min(covered):
        return ""  # older than the coverage (or no account was ever covered): nothing to compare with
    return f"The account {name!r} was put in outside FrontDesk (the audit trail never made it): it cannot act."


def _row_id(details) -> int | None:
    if isinstance(details, str):
        details = json.loads(details)
    table, _, ident = str(details.get("row", "") if isinstance(details, dict) else "").partition(":")
    return int(ident) if table == "users" and ident.isdigit() else None


def current_actor(db, actor: Actor) -> Actor | str:
    """``actor`` as its account stands now (a changed role or name taken at once), or why it may no longer act:
    disabled or deleted since it signed in (by another program: the district's, a second window), or its row
    changed outside FrontDesk."""
    row = db.execute(f"SELECT {ROW} FROM users WHERE username = ?", [actor.username]).fetchone()
    if row is None:
        return f"the account {actor.username!r} no longer exists"
    problem = row_problem(db, row)
    if problem:
        return problem
    if row[5]:
        return f"the account {actor.username!r} was disabled; sign in again as someone else"
    role = Role(row[3])
    if (role, row[2]) != (actor.role, actor.display_name):
        return Actor(row[1], role, row[2])
    return actor
