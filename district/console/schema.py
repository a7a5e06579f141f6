"""The console database's tables, as named migrations applied once each at start-up (both backends).

The console keeps its own database (the district's, not a desk's), so its migrations are not part of the
desk store's ``MIGRATIONS``; the names carry the ``dispatch_console_`` prefix all the same.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable

from district import clock
from district.console.db import Database, Tx
from district.errors import StoreError


def _0001_tables(tx: Tx, db: Database) -> None:
    serial = db.serial()
    tx.execute(
        """CREATE TABLE stations (
            station_id TEXT PRIMARY KEY,
            school TEXT NOT NULL,
            name TEXT NOT NULL,
            room TEXT NOT NULL DEFAULT '',
            secret_hash TEXT NOT NULL,
            enrolled_at TEXT NOT NULL,
            revoked_at TEXT,
            last_seen TEXT,
            onsite INTEGER NOT NULL DEFAULT 0,
            online INTEGER NOT NULL DEFAULT 0
        )"""
    )
    tx.execute("CREATE INDEX stations_school ON stations(school)")
    tx.execute(
        """CREATE TABLE dispatchers (
            username TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    tx.execute(
        """CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES dispatchers(username),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )"""
    )
    tx.execute(
        f"""CREATE TABLE incidents (
            id {serial},
            key TEXT NOT NULL UNIQUE,
            station_id TEXT NOT NULL,
            school TEXT NOT NULL,
            action TEXT NOT NULL,
            status TEXT NOT NULL,
            opened_at TEXT NOT NULL,
            last_at TEXT NOT NULL,
            cleared_at TEXT
        )"""
    )
    tx.execute("CREATE INDEX incidents_open ON incidents(station_id, status, last_at)")
    tx.execute(
        f"""CREATE TABLE alerts (
            seq {serial},
            identifier TEXT NOT NULL UNIQUE,
            incident_id INTEGER NOT NULL REFERENCES incidents(id),
            station_id TEXT NOT NULL REFERENCES stations(station_id),
            sender TEXT NOT NULL,
            sent TEXT NOT NULL,
            status TEXT NOT NULL,
            msg_type TEXT NOT NULL,
            action TEXT NOT NULL,
            refs TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL,
            xml TEXT NOT NULL,
            digest TEXT NOT NULL,
            received_at TEXT NOT NULL,
            received_by TEXT NOT NULL,
            acked_by TEXT,
            acked_at TEXT,
            ack_xml TEXT
        )"""
    )
    tx.execute("CREATE INDEX alerts_incident ON alerts(incident_id)")
    tx.execute(
        f"""CREATE TABLE inbox (
            seq {serial},
            station_id TEXT NOT NULL REFERENCES stations(station_id),
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    tx.execute("CREATE INDEX inbox_station ON inbox(station_id, seq)")
    tx.execute(
        """CREATE TABLE school_states (
            school TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            set_by TEXT NOT NULL,
            set_at TEXT NOT NULL,
            exercise INTEGER NOT NULL DEFAULT 0
        )"""
    )
    tx.execute(
        f"""CREATE TABLE forwards (
            id {serial},
            identifier TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            next_try TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            done_at TEXT,
            last_error TEXT NOT NULL DEFAULT ''
        )"""
    )
    # Every state change, appended and never changed: alerts received and rejected, acks, state pushes,
    # enrolments, sign-ins, stations going offline and back, forwards.
    tx.execute(
        f"""CREATE TABLE log (
            seq {serial},
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT NOT NULL DEFAULT '',
            station_id TEXT,
            identifier TEXT,
            detail TEXT NOT NULL DEFAULT ''
        )"""
    )
    if db.kind == "sqlite":
        for op in ("UPDATE", "DELETE"):
            tx.execute(
                f"CREATE TRIGGER log_no_{op.lower()} BEFORE {op} ON log "
                "BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END"
            )
    else:
        tx.execute(
            "CREATE FUNCTION log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the log is append-only'; END $$"
        )
        tx.execute(
            "CREATE TRIGGER log_append_only BEFORE UPDATE OR DELETE ON log "
            "FOR EACH ROW EXECUTE FUNCTION log_append_only()"
        )


def _0002_escalation(tx: Tx, db: Database) -> None:
    # When an alert was first left unacknowledged past the escalation time (logged once, by one console).
    tx.execute("ALTER TABLE alerts ADD COLUMN escalated_at TEXT")
    tx.execute("CREATE INDEX alerts_unacked ON alerts(received_at) WHERE acked_by IS NULL")


def _0003_location_roles_log(tx: Tx, db: Database) -> None:
    # The console is the source of truth for where a station is (issue 14): the civic address (NENA CLDXF
    # fields) and phone recorded at enrolment; what a message claimed, where it disagreed, beside it.
    for column in ("building", "floor", "house_number", "street", "city", "state", "postal_code", "phone"):
        tx.execute(f"ALTER TABLE stations ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
    tx.execute("ALTER TABLE stations ADD COLUMN country TEXT NOT NULL DEFAULT 'US'")
    tx.execute("ALTER TABLE alerts ADD COLUMN location_mismatch TEXT NOT NULL DEFAULT ''")
    # Who may sign an all clear (a CAP Cancel): principals and administrators, each with a key of their own.
    tx.execute(
        """CREATE TABLE clearers (
            clearer_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            school TEXT NOT NULL,
            key TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        )"""
    )
    # The history screen and the sign-in throttle read the log by kind and time.
    tx.execute("CREATE INDEX log_kind_at ON log(kind, at)")
    tx.execute("CREATE INDEX log_identifier ON log(identifier)")


def _hub_notify_0001_offline(tx: Tx, db: Database) -> None:
    # The hub's desk-offline notice (issue 20, district/hub/notify.py): one row per silence of a station
    # (its last_seen when it went quiet), so each silence is told once however many consoles run; the
    # row is claimed by moving next_try, and keeps what became of the email.
    tx.execute(
        """CREATE TABLE hub_notify_offline (
            station_id TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            school TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_try TEXT NOT NULL,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            last_error TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (station_id, last_seen)
        )"""
    )
    tx.execute("CREATE INDEX hub_notify_offline_due ON hub_notify_offline(state, next_try)")


def _hub_sync_0001_tables(tx: Tx, db: Database) -> None:
    # The hub (issue 15). Every change a desk pushes, once: (station_id, seq) is the desk's own numbering,
    # so a push repeated after a lost reply is recognised and answered the same. hub_seq orders them at the
    # hub. body is the change as the desk sent it (frontdesk.wire.sync), kept for the district's log.
    serial = db.serial()
    tx.execute(
        f"""CREATE TABLE hub_changes (
            hub_seq {serial},
            station_id TEXT NOT NULL,
            seq BIGINT NOT NULL,
            school TEXT NOT NULL,
            kind TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL,
            made_at TEXT NOT NULL,
            received_at TEXT NOT NULL,
            UNIQUE (station_id, seq)
        )"""
    )
    tx.execute("CREATE INDEX hub_changes_school ON hub_changes(school, hub_seq)")
    tx.execute("CREATE INDEX hub_changes_kind_at ON hub_changes(kind, made_at)")
    # One row per visit of any desk: the school's shared on-site list and the district's visit log.
    # visit_id is the desk's own visit id (unique with its station_id); rev is the hub_seq of the change
    # that last touched the row, the cursor desks pull by ("after=N").
    tx.execute(
        """CREATE TABLE hub_visits (
            station_id TEXT NOT NULL,
            visit_id BIGINT NOT NULL,
            school TEXT NOT NULL,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL DEFAULT '',
            dob TEXT,
            category TEXT NOT NULL DEFAULT '',
            purpose TEXT NOT NULL DEFAULT '',
            host TEXT NOT NULL DEFAULT '',
            staff TEXT NOT NULL DEFAULT '',
            badge_code TEXT NOT NULL,
            checked_in_at TEXT NOT NULL,
            checked_out_at TEXT,
            checked_out_by TEXT,
            rev BIGINT NOT NULL,
            PRIMARY KEY (station_id, visit_id)
        )"""
    )
    tx.execute("CREATE INDEX hub_visits_school_rev ON hub_visits(school, rev)")
    tx.execute("CREATE INDEX hub_visits_on_site ON hub_visits(school, checked_in_at) WHERE checked_out_at IS NULL")
    tx.execute("CREATE INDEX hub_visits_badge ON hub_visits(school, badge_code)")
    tx.execute("CREATE INDEX hub_visits_in_at ON hub_visits(checked_in_at)")
    # Each desk's sync state, for the district's views: the last change it pushed and when it last pulled.
    tx.execute(
        """CREATE TABLE hub_desks (
            station_id TEXT PRIMARY KEY,
            school TEXT NOT NULL,
            last_seq BIGINT NOT NULL DEFAULT 0,
            last_push_at TEXT,
            last_pull_at TEXT,
            pulled_rev BIGINT NOT NULL DEFAULT 0
        )"""
    )


def _hub_sync_0002_push_marks(tx: Tx, db: Database) -> None:
    # Every push that stores changes gets a random mark for the range of hub_seq it took in its school
    # (district.hub.sync.HubSync._store). A desk keeps, with each pull cursor, the mark of the push its cursor
    # fell in and sends it with the next pull: a hub restored from an older copy of this database no longer
    # holds that push (or holds another under its first number: it went on since), and answers 409 instead of
    # serving from a cursor that would skip what it numbers anew. ``at``: for retention.
    tx.execute(
        """CREATE TABLE hub_push_marks (
            school TEXT NOT NULL,
            first_seq BIGINT NOT NULL,
            last_seq BIGINT NOT NULL,
            mark TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (school, first_seq)
        )"""
    )


def _append_only(tx: Tx, db: Database, table: str) -> None:
    """Refuse UPDATE and DELETE on ``table`` (an audit trail is appended to, never changed)."""
    if db.kind == "sqlite":
        for op in ("UPDATE", "DELETE"):
            tx.execute(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'the {table} table is append-only'); END"
            )
    else:
        tx.execute(
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION 'the {table} table is append-only'; END $$"
        )
        tx.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )


def _hub_lists_0001_lists(tx: Tx, db: Database) -> None:
    # The district's lists (issue 15, down): managed once here, sent to every desk as versioned snapshots
    # plus changes. Every list change takes the next number of one counter (its row lock serialises list
    # writers, so numbers are committed in order and "changes after N" never skips one).
    serial = db.serial()
    tx.execute("CREATE TABLE hub_list_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)")
    tx.execute("INSERT INTO hub_list_version (id, version) VALUES (1, 0)")
    # A list's entries are those of its current generation: an import fills a new generation beside the old
    # one in short transactions and one short transaction switches to it (desks then take a new snapshot).
    tx.execute(
        """CREATE TABLE hub_lists (
            source TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('barred', 'custody', 'watch', 'registry')),
            generation BIGINT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_version BIGINT NOT NULL
        )"""
    )
    tx.execute(
        f"""CREATE TABLE hub_list_entries (
            entry_id {serial},
            source TEXT NOT NULL,
            generation BIGINT NOT NULL,
            version BIGINT NOT NULL DEFAULT 0,
            data TEXT NOT NULL,
            search TEXT NOT NULL DEFAULT ''
        )"""
    )
    tx.execute("CREATE INDEX hub_list_entries_gen ON hub_list_entries(source, generation, entry_id)")
    tx.execute("CREATE INDEX hub_list_entries_version ON hub_list_entries(source, generation, version)")
    # The audit trail of list changes: who changed which list how, appended and never changed.
    tx.execute(
        f"""CREATE TABLE hub_list_log (
            seq {serial},
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            source TEXT NOT NULL,
            entry_id BIGINT,
            version BIGINT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{{}}'
        )"""
    )
    tx.execute("CREATE INDEX hub_list_log_at ON hub_list_log(at)")
    _append_only(tx, db, "hub_list_log")


def _hub_lists_0002_settings_staff(tx: Tx, db: Database) -> None:
    # District settings: a default for every school (school = ''), or one school's value; a locked district
    # default cannot be changed by a school or at a desk (retention, screening thresholds).
    tx.execute(
        """CREATE TABLE hub_settings (
            key TEXT NOT NULL,
            school TEXT NOT NULL DEFAULT '',
            value TEXT NOT NULL,
            locked INTEGER NOT NULL DEFAULT 0,
            set_by TEXT NOT NULL,
            set_at TEXT NOT NULL,
            PRIMARY KEY (key, school)
        )"""
    )
    # District staff: a console sign-in with a district role (the dispatchers' table holds the password).
    tx.execute(
        """CREATE TABLE hub_staff (
            username TEXT PRIMARY KEY REFERENCES dispatchers(username),
            role TEXT NOT NULL CHECK (role IN ('administrator', 'security')),
            created_at TEXT NOT NULL
        )"""
    )


def _hub_lists_0003_entry_keys(tx: Tx, db: Database) -> None:
    # Each entry's blocking keys (frontdesk.wire.keys), computed once when the entry changes and sent in the
    # snapshots, with the key rules they were computed under (key_rules(); NULL: computed by each desk).
    tx.execute("ALTER TABLE hub_list_entries ADD COLUMN keys TEXT")
    tx.execute("ALTER TABLE hub_list_entries ADD COLUMN key_rules BIGINT")


def _hub_lists_0004_import_jobs(tx: Tx, db: Database) -> None:
    # The web screen's list imports and their progress, so a browser polling it may reach any worker process
    # of the hub (or another hub on the same PostgreSQL): ``state`` is the JSON the poll answers.
    tx.execute(
        """CREATE TABLE hub_import_jobs (
            job_id TEXT PRIMARY KEY,
            started_by TEXT NOT NULL,
            state TEXT NOT NULL,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )


def _hub_lists_0005_trail_retention(tx: Tx, db: Database) -> None:
    # Retention (issue 16) removes trail lines older than the district's ``retention.audit_years``: the
    # retention run writes its cut-off here, deletes and clears it again in ONE transaction, and the trail's
    # DELETE guard lets through only rows older than the cut-off set. Any other delete, and every update,
    # stays refused (no cut-off set: NULL, nothing is older than it).
    tx.execute("CREATE TABLE hub_list_log_cutoff (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT)")
    tx.execute("INSERT INTO hub_list_log_cutoff (id, at) VALUES (1, NULL)")
    # ``at`` is the fixed-width UTC text of district.clock.to_db on both backends: compared as text.
    older = "OLD.at < COALESCE((SELECT at FROM hub_list_log_cutoff WHERE id = 1), '')"
    message = "the hub_list_log table is append-only (retention removes only rows older than its cut-off)"
    if db.kind == "sqlite":
        tx.execute("DROP TRIGGER hub_list_log_no_delete")
        tx.execute(
            "CREATE TRIGGER hub_list_log_no_delete BEFORE DELETE ON hub_list_log "
            f"WHEN NOT ({older}) BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
    else:
        # The same function guards UPDATE and DELETE (the trigger of 0001): only a DELETE may pass.
        tx.execute(
            "CREATE OR REPLACE FUNCTION hub_list_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN IF TG_OP = 'DELETE' AND {older} THEN RETURN OLD; END IF; "
            f"RAISE EXCEPTION '{message}'; END $$"
        )


def _hub_lists_0006_id_last4(tx: Tx, db: Database) -> None:
    # A list entry keeps only the last 4 of an ID's number, as every desk does (frontdesk.wire.lists.make_entry
    # now cuts it): before, an ``id_last4`` column or option holding a whole number was stored whole here and
    # sent whole in the snapshots (each desk cut it to 4 on arrival). Entries stored so are cut here, their sex
    # and issuer written as the desk writes them. The data only: the keys were always of the last 4, the desks
    # already hold the cut value (so no version is bumped), and the append-only trail names no ID.
    from frontdesk.wire.keys import last4
    from frontdesk.wire.lists import normal_sex

    after = 0
    while True:
        rows = tx.all(
            "SELECT entry_id, data FROM hub_list_entries WHERE entry_id > ? ORDER BY entry_id LIMIT 2000", [after]
        )
        if not rows:
            return
        for entry_id, data in rows:
            record = json.loads(data)
            cut = {
                "id_last4": last4(record.get("id_last4")),
                "sex": normal_sex(record.get("sex")),
                "id_state": (record.get("id_state") or "").strip().upper(),
            }
            if any(record.get(name, "") != value for name, value in cut.items()):
                record.update(cut)
                text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
                tx.execute("UPDATE hub_list_entries SET data = ? WHERE entry_id = ?", [text, entry_id])
        after = rows[-1][0]


def _hub_lists_0007_history_marks(tx: Tx, db: Database) -> None:
    # Every list version gets a random mark when it is taken (district.hub.lists.next_version): a desk keeps
    # the version and mark it is in step with and sends them with each pull; a hub restored from an older copy
    # of this database has no such version (it went back) or another mark for it (it went on since), and the
    # desk keeps its copy instead of following it back. ``recovered``: the version ``frontdesk district barred
    # recover`` moved the counter to (0: never); desks below it take every list afresh. ``desks_ahead``: the
    # highest version a desk said it holds that this hub does not (or not with that mark), for the recovery.
    tx.execute("CREATE TABLE hub_list_marks (version BIGINT PRIMARY KEY, mark TEXT NOT NULL)")
    version = int(tx.one("SELECT version FROM hub_list_version WHERE id = 1")[0])
    tx.execute("INSERT INTO hub_list_marks (version, mark) VALUES (?, ?)", [version, secrets.token_hex(8)])
    tx.execute("ALTER TABLE hub_list_version ADD COLUMN recovered BIGINT NOT NULL DEFAULT 0")
    tx.execute("ALTER TABLE hub_list_version ADD COLUMN desks_ahead BIGINT NOT NULL DEFAULT 0")


def _hub_lists_0008_list_files(tx: Tx, db: Database) -> None:
    # Each list file built (district.hub.list_files): its digest and facts as the builder wrote them, so the
    # hub serves a file from its folder only when this database holds a build of that list's generation with
    # the same SHA-256 and size (the JSON beside the file, which holds its key, is not trusted on its own).
    # One row per build (a PostgreSQL hub's processes each build in a private folder of their own).
    tx.execute(
        """CREATE TABLE hub_list_files (
            source TEXT NOT NULL,
            generation BIGINT NOT NULL,
            key_rules BIGINT NOT NULL,
            sha256 TEXT NOT NULL,
            size BIGINT NOT NULL,
            version BIGINT NOT NULL,
            entries BIGINT NOT NULL,
            built_at TEXT NOT NULL,
            PRIMARY KEY (source, generation, key_rules, sha256)
        )"""
    )


def _hub_sync_0003_desk_takes(tx: Tx, db: Database) -> None:
    # The level of the school's shared records each desk takes (frontdesk.wire.sync.TAKES_LEVELS), as its last pull
    # said: 0 for a desk of a release before the school's desks shared. NULL: not pulled since this was added. The
    # hub names a desk below its own level to the school's other desks and on the district's pages.
    tx.execute("ALTER TABLE hub_desks ADD COLUMN takes BIGINT")


def _hub_notify_0002_older(tx: Tx, db: Database) -> None:
    # The hub's older-desk notice (session 25, district/hub/notify.py): district IT is told when a desk is first
    # seen on a release that does not take its school's shared records, again when that changes, and when it is
    # updated. One row per change of a desk's level (n = 1, 2, 3 … for each desk; misses: the kinds it does not
    # take, comma-joined, "" once updated), claimed by moving next_try as hub_notify_offline's rows are.
    tx.execute(
        """CREATE TABLE hub_notify_older (
            station_id TEXT NOT NULL,
            n BIGINT NOT NULL,
            takes BIGINT NOT NULL,
            misses TEXT NOT NULL,
            school TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_try TEXT NOT NULL,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            last_error TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (station_id, n)
        )"""
    )
    tx.execute("CREATE INDEX hub_notify_older_due ON hub_notify_older(state, next_try)")


Migration = tuple[str, Callable[[Tx, Database], None]]
# Names that development builds before the first release applied and that were then renamed: not a newer server's.
RETIRED = frozenset({"hub_lists_0003_import_jobs"})
MIGRATIONS: list[Migration] = [
    ("dispatch_console_0001_tables", _0001_tables),
    ("dispatch_console_0002_escalation", _0002_escalation),
    ("dispatch_console_0003_location_roles_log", _0003_location_roles_log),
    ("hub_notify_0001_offline", _hub_notify_0001_offline),
    ("hub_sync_0001_tables", _hub_sync_0001_tables),
    ("hub_lists_0001_lists", _hub_lists_0001_lists),
    ("hub_lists_0002_settings_staff", _hub_lists_0002_settings_staff),
    ("hub_lists_0003_entry_keys", _hub_lists_0003_entry_keys),
    ("hub_lists_0004_import_jobs", _hub_lists_0004_import_jobs),
    ("hub_lists_0005_trail_retention", _hub_lists_0005_trail_retention),
    ("hub_lists_0006_id_last4", _hub_lists_0006_id_last4),
    ("hub_lists_0007_history_marks", _hub_lists_0007_history_marks),
    ("hub_lists_0008_list_files", _hub_lists_0008_list_files),
    ("hub_sync_0002_push_marks", _hub_sync_0002_push_marks),
    ("hub_sync_0003_desk_takes", _hub_sync_0003_desk_takes),
    ("hub_notify_0002_older", _hub_notify_0002_older),
]


def migrate(db: Database) -> list[str]:
    """Apply the pending migrations (each in its own transaction); returns their names."""
    applied = []
    with db.transaction() as tx:
        if db.kind == "postgresql":
            # Two consoles starting together must not both create the tables.
            tx.execute("SELECT pg_advisory_xact_lock(730001)")
        tx.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {row[0] for row in tx.all("SELECT name FROM _migrations")}
        newer = sorted(done - {name for name, _ in MIGRATIONS} - RETIRED)
        if newer:
            # A server rolled back to an older version: its code does not know what the newer one added (a list's
            # files, its history marks), and what it wrote the newer one would misread. Refused before any write.
            raise StoreError(
                "The district database was last used by a newer version of FrontDesk than this one (it holds "
                f"changes this version does not know: {', '.join(newer[:3])}). Nothing was changed. Install the "
                "newer version again; this version must not write to it.",
                code="store_newer",
            )
        for name, fn in MIGRATIONS:
            if name in done:
                continue
            fn(tx, db)
            tx.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", [name, clock.to_db(clock.now())]
            )
            applied.append(name)
    return applied
