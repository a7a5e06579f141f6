"""The audit trail's table, and the triggers that refuse updates and deletes through SQLite."""

from __future__ import annotations

from frontdesk.store import Migration
from frontdesk.store.database import Database


def _audit_0001_log(db: Database) -> None:
    # seq is the rowid: records are read back in the order they were appended.
    db.execute(
        """CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            details TEXT NOT NULL DEFAULT '{}',
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX audit_log_time ON audit_log(time)")
    # Append-only for the application and for anyone using SQLite casually. Someone who drops these
    # triggers can still edit rows; that is what the hash chain and the anchor file are for.
    for event in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )


def _audit_0002_checkpoints(db: Database) -> None:
    # Retention (issue 16): records up to a checkpoint may go; the chain then starts from the checkpoint's
    # hash, and the record appended right after the removal names the checkpoint, so the chain vouches for it.
    db.execute(
        """CREATE TABLE audit_checkpoints (
            seq INTEGER PRIMARY KEY,
            hash TEXT NOT NULL,
            time TEXT NOT NULL,
            removed INTEGER NOT NULL
        )"""
    )
    db.execute("DROP TRIGGER audit_log_no_delete")
    db.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "WHEN old.seq > coalesce((SELECT max(seq) FROM audit_checkpoints), 0) "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
    )
    for event in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER audit_checkpoints_no_{event.lower()} BEFORE {event} ON audit_checkpoints "
            "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END"
        )


def _audit_0003_settings_baseline(db: Database) -> None:
    # From here on the trail accounts for every row of the settings table (frontdesk.audit.coverage): each row a
    # desk holds when it is upgraded, set by older code that recorded no change for a value equal to the one in
    # force (or before the trail existed), is named once in a 'settings.baseline' record, appended to the chain
    # in this migration's own transaction. A fresh desk has no row: no record.
    import json

    from frontdesk import clock
    from frontdesk.audit.trail import GENESIS, canonical_details, record_hash

    rows = db.execute("SELECT key, value FROM settings ORDER BY key").fetchall()
    if not rows:
        return
    values = {}
    for key, text in rows:
        try:
            values[key] = json.loads(text)
        except ValueError:
            values[key] = text  # not JSON (typed by hand before this): named as it is, so verify still says so
    head = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    if head is None:
        checkpoint = db.execute("SELECT seq, hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1").fetchone()
        head = checkpoint or (0, GENESIS)
    seq, prev = head[0] + 1, head[1]
    time, text = clock.to_db(clock.now()), canonical_details({"settings": values})
    digest = record_hash(seq, time, "system", "settings.baseline", "settings", text, prev)
    db.execute(
        "INSERT INTO audit_log (seq, time, actor, action, subject, details, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [seq, time, "system", "settings.baseline", "settings", text, prev, digest],
    )


def _audit_0004_settings_index(db: Database) -> None:
    # The few records that say what the settings table holds, found without reading the trail: the desk checks each
    # settings row it reads against them (frontdesk.settings.Settings.get). The query must name the same WHERE.
    db.execute(f"CREATE INDEX audit_log_settings ON audit_log(seq) WHERE {SETTINGS_WHERE}")


# The records of frontdesk.audit.coverage.SETTINGS_ACTIONS (and any later settings.* action), as the partial index
# above is defined: a query uses the index only when its WHERE holds this term exactly.
SETTINGS_WHERE = "(action GLOB 'settings.*' OR action = 'audit.checkpoint')"


def _audit_0005_accounts_index(db: Database) -> None:
    # The few records that say what each staff account holds (its content hash), found without reading the trail:
    # a sign-in compares the account's row with its newest one, and set-up mode stays closed once any exists
    # (frontdesk.accounts.standing). The query must name the same WHERE.
    db.execute(f"CREATE INDEX audit_log_accounts ON audit_log(subject, seq) WHERE {ACCOUNTS_WHERE}")


# The records that change a row of ``users`` and carry its content hash (``covers``), as the partial index above
# is defined: a query uses the index only when its WHERE holds this term exactly.
ACCOUNTS_WHERE = "action IN ('user.add', 'user.disable', 'user.reset_secret', 'user.contact')"


MIGRATIONS: list[Migration] = [
    ("audit_0001_log", _audit_0001_log),
    ("audit_0002_checkpoints", _audit_0002_checkpoints),
    ("audit_0003_settings_baseline", _audit_0003_settings_baseline),
    ("audit_0004_settings_index", _audit_0004_settings_index),
    ("audit_0005_accounts_index", _audit_0005_accounts_index),
]
