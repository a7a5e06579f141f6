"""The station's outbox: every panic message is committed here before any network I/O.

One row per message (a press, an update, an all-clear). Its ``identifier`` is the CAP identifier and the
idempotency key: drawn once at the press and reused on every retry. Rows leave the ``queued`` state only
on an answer from the console (received, rejected) or an Ack from a dispatcher, so what the desk shows is
never more than what dispatch has confirmed. The school's SRP state (LOCKDOWN, SECURE, ...) and the inbox
cursor live here too.

Where it lives, and why: in its own SQLite file (``outbox.db``) next to the main one, not in it. The other
choice was to build every long write apart and swap it in with one short transaction; list imports and
re-indexes now do that too (so check-in is never long behind them), but that only holds for the bulk work
we wrote and remember to write that way. A backup tool, a repair, a ``sqlite3`` shell left in a transaction
or a future feature can still hold the main file's write lock; the outbox's own file has no other writer
than the panic path itself, so a press commits in the time of one small insert and one fsync whatever else
runs. The cost: the press's audit record (in the main file's trail) cannot share its transaction; it is
written just after, and a press whose record is missing (``audited = 0``) is recorded at the next chance
(:meth:`Outbox.unaudited`), so no press escapes the trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from frontdesk import clock
from frontdesk.dispatch.migrations import OUTBOX_DB, outbox_migrations
from frontdesk.store import Store

# Queued rows are sent in id order; the others are final except that an Ack can still arrive.
STATES = ("queued", "received", "acknowledged", "rejected", "expired")
FREEZING_STATES = ("LOCKDOWN", "SECURE")


@dataclass(frozen=True)
class OutboxEntry:
    """One panic message as the station knows it, with its delivery facts."""

    id: int
    identifier: str
    msg_type: str  # Alert | Update | Cancel
    cap_status: str  # Actual | Exercise | Test
    action: str
    incident: str
    refers_to: str
    cap: bytes
    pressed_at: datetime
    staff: str
    location: str
    note: str
    state: str
    attempts: int
    last_error: str
    received_at: str | None  # the console's own timestamp, as it sent it
    confirmed_at: datetime | None  # when this station got the console's "received"
    acked_by: str | None
    acked_at: datetime | None
    rejected_reason: str | None

    @property
    def pending(self) -> bool:
        """True while the sender still has to deliver it."""
        return self.state == "queued"

    @property
    def drill(self) -> bool:
        """True for an Exercise (drill), shown as DRILL everywhere."""
        return self.cap_status == "Exercise"


@dataclass(frozen=True)
class SchoolState:
    """The school's SRP state: set by a press here or pushed by the district."""

    state: str  # NORMAL, LOCKDOWN, SECURE, HOLD, ...
    note: str = ""
    set_by: str = ""
    set_at: datetime | None = None
    exercise: bool = False
    source: str = "local"  # "local" or "district"

    @property
    def admissions_frozen(self) -> bool:
        """True while visitors must not be admitted (SECURE or LOCKDOWN)."""
        return self.state in FREEZING_STATES

    @property
    def banner(self) -> str:
        """The words of the check-in freeze banner."""
        drill = " DRILL" if self.exercise else ""
        return f"{self.state}{drill} — do not admit visitors"


_COLUMNS = (
    "id, identifier, msg_type, cap_status, action, incident, refers_to, cap, pressed_at, staff, location, "
    "note, state, attempts, last_error, received_at, confirmed_at, acked_by, acked_at, rejected_reason"
)


def _entry(row: tuple) -> OutboxEntry:
    return OutboxEntry(
        *row[:8],
        pressed_at=clock.from_db(row[8]),  # type: ignore[arg-type]
        staff=row[9],
        location=row[10],
        note=row[11],
        state=row[12],
        attempts=row[13],
        last_error=row[14],
        received_at=row[15],
        confirmed_at=clock.from_db(row[16]),
        acked_by=row[17],
        acked_at=clock.from_db(row[18]),
        rejected_reason=row[19],
    )


class Outbox:
    """Reads and writes the outbox through the calling thread's connection."""

    def __init__(self, store: Store):
        # The desk's main store says which folder; the outbox opens (and migrates) its own file there.
        # People's names travel in an alert's roster: the outbox is encrypted with the desk's own database.
        self._store = Store.open(
            store.data_dir,
            outbox_migrations(store.path, lambda: store.open_file(store.path)),
            name=OUTBOX_DB,
            secrets=store.secrets,
            encrypt=store.key is not None,
        )
        self.path = self._store.path

    def close(self) -> None:
        """Close this thread's connection to the outbox's file (others close with their threads)."""
        self._store.close()

    def defer_checkpoints(self) -> None:
        """Keep the outbox log's checkpoints out of a press's commit (this thread's connection and those opened
        from now on): the desk's upkeep timer runs :meth:`checkpoint_log` instead (``Store.defer_checkpoints``)."""
        self._store.defer_checkpoints()

    def checkpoint_log(self) -> tuple[int, int]:
        """A PASSIVE checkpoint of the outbox's log, from any thread (``Store.checkpoint_log``)."""
        return self._store.checkpoint_log()

    def add(
        self,
        *,
        identifier: str,
        msg_type: str,
        cap_status: str,
        action: str,
        incident: str,
        refers_to: str,
        cap: bytes,
        pressed_at: datetime,
        staff: str = "",
        location: str = "",
        note: str = "",
        school_state: SchoolState | None = None,
    ) -> OutboxEntry:
        """Commit a new queued message (durably: the store syncs every commit) and return it.

        ``school_state``: the SRP state the message sets, committed in the same transaction.
        """
        with self._store.transaction() as db:
            cur = db.execute(
                "INSERT INTO dispatch_outbox (identifier, msg_type, cap_status, action, incident, refers_to, cap, "
                "pressed_at, staff, location, note, audited) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                [
                    identifier,
                    msg_type,
                    cap_status,
                    action,
                    incident,
                    refers_to,
                    cap,
                    clock.to_db(pressed_at),
                    staff,
                    location,
                    note,
                ],
            )
            if school_state is not None:
                self.set_school_state(school_state)
        return self.get(cur.lastrowid)

    def unaudited(self) -> list[OutboxEntry]:
        """Messages whose audit record is not yet in the main file's trail, oldest first."""
        rows = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM dispatch_outbox WHERE audited = 0 ORDER BY id"
        ).fetchall()
        return [_entry(r) for r in rows]

    def mark_audited(self, entry_id: int) -> None:
        """The message's audit record is committed in the trail."""
        self._update(entry_id, "audited = 1", [])

    def last_pressed(self, incident: str) -> datetime | None:
        """When the newest message of ``incident`` was stamped (None: the incident has no message yet). Read
        from the newest row back, so it stops at once: an open incident's messages are the newest."""
        row = self._store.db.execute(
            "SELECT pressed_at FROM dispatch_outbox WHERE incident = ? ORDER BY id DESC LIMIT 1", [incident]
        ).fetchone()
        return clock.from_db(row[0]) if row and row[0] else None

    def sent_test_between(self, start: str, end: str) -> bool:
        """True if a daily Test was committed from ``start`` to before ``end`` (stored times: a day). Not "since
        ``start``": one stamped by a clock that ran ahead would stand for every day until the clock caught up."""
        row = self._store.db.execute(
            "SELECT 1 FROM dispatch_outbox WHERE cap_status = 'Test' AND pressed_at >= ? AND pressed_at < ? "
            "LIMIT 1",
            [start, end],
        ).fetchone()
        return row is not None

    def active_incident(self, mode: str) -> OutboxEntry | None:
        """The first alert of the newest incident of ``mode`` that has no all clear yet."""
        row = self._store.db.execute(
            "SELECT o.incident FROM dispatch_outbox o WHERE o.cap_status = ? AND o.msg_type = 'Alert' "
            "AND o.state NOT IN ('rejected', 'expired') AND NOT EXISTS (SELECT 1 FROM dispatch_outbox c "
            "WHERE c.incident = o.incident AND c.msg_type = 'Cancel') ORDER BY o.id DESC LIMIT 1",
            [mode],
        ).fetchone()
        return self.find(row[0]) if row else None

    def alerts_since(self, moment: datetime) -> list[OutboxEntry]:
        """The alerts (not updates, all clears or tests) pressed at or after ``moment``, oldest first."""
        rows = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM dispatch_outbox WHERE msg_type = 'Alert' AND cap_status != 'Test' "
            "AND pressed_at >= ? ORDER BY id",
            [clock.to_db(moment)],
        ).fetchall()
        return [_entry(r) for r in rows]

    def get(self, id_or_identifier: int | str) -> OutboxEntry:
        """One message by row id or CAP identifier (KeyError if unknown)."""
        column = "id" if isinstance(id_or_identifier, int) else "identifier"
        row = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM dispatch_outbox WHERE {column} = ?", [id_or_identifier]
        ).fetchone()
        if row is None:
            raise KeyError(id_or_identifier)
        return _entry(row)

    def find(self, identifier: str) -> OutboxEntry | None:
        """The message with this CAP identifier, or None."""
        try:
            return self.get(identifier)
        except KeyError:
            return None

    def queued(self) -> list[OutboxEntry]:
        """Every message still to deliver, oldest first (the sender decides whose turn it is)."""
        rows = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM dispatch_outbox WHERE state = 'queued' ORDER BY id"
        ).fetchall()
        return [_entry(r) for r in rows]

    def queued_count(self) -> int:
        """How many messages wait for delivery."""
        return self._store.db.execute("SELECT count(*) FROM dispatch_outbox WHERE state = 'queued'").fetchone()[0]

    def recent(self, limit: int = 50) -> list[OutboxEntry]:
        """The newest messages first."""
        rows = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM dispatch_outbox ORDER BY id DESC LIMIT ?", [limit]
        ).fetchall()
        return [_entry(r) for r in rows]

    def incident_messages(self, incident: str) -> list[OutboxEntry]:
        """Every message of one incident, in order."""
        rows = self._store.db.execute(
            f"SELECT {_COLUMNS} FROM dispatch_outbox WHERE incident = ? ORDER BY id", [incident]
        ).fetchall()
        return [_entry(r) for r in rows]

    def note_attempt(self, entry_id: int, error: str) -> OutboxEntry:
        """Count a failed attempt (the message stays queued)."""
        self._update(entry_id, "attempts = attempts + 1, last_error = ?", [error])
        return self.get(entry_id)

    def mark_received(self, entry_id: int, received_at: str, confirmed_at: datetime) -> OutboxEntry:
        """The console answered that it has committed the message."""
        self._update(
            entry_id,
            "attempts = attempts + 1, last_error = '', received_at = ?, confirmed_at = ?, "
            "state = CASE state WHEN 'queued' THEN 'received' ELSE state END",
            [received_at, clock.to_db(confirmed_at)],
        )
        return self.get(entry_id)

    def mark_rejected(self, entry_id: int, reason: str) -> OutboxEntry:
        """The console refused the message for good: it is not retried."""
        self._update(
            entry_id,
            "attempts = attempts + 1, state = 'rejected', rejected_reason = ?, last_error = ?",
            [reason, reason],
        )
        return self.get(entry_id)

    def mark_expired(self, entry_id: int) -> OutboxEntry:
        """A drill or test that could not be delivered in its time limit is given up."""
        self._update(entry_id, "state = 'expired'", [])
        return self.get(entry_id)

    def mark_acknowledged(self, identifier: str, dispatcher: str, acked_at: datetime) -> OutboxEntry | None:
        """A named dispatcher accepted the message (an Ack implies it was received: sending stops)."""
        entry = self.find(identifier)
        if entry is None:
            return None
        self._update(
            entry.id, "state = 'acknowledged', acked_by = ?, acked_at = ?", [dispatcher, clock.to_db(acked_at)]
        )
        return self.get(entry.id)

    def _update(self, entry_id: int, sets: str, params: list) -> None:
        with self._store.transaction() as db:
            db.execute(f"UPDATE dispatch_outbox SET {sets} WHERE id = ?", [*params, entry_id])

    # --- the school's SRP state and the inbox cursor -----------------------------------------------------
    def remove_finished_before(self, cut: str, dry_run: bool = False) -> int:
        """Messages pressed before ``cut`` (a store time) that are no longer queued: removed (or counted). Only
        those before the first message pressed at or after ``cut``, in the order committed: one stamped by a clock
        that said 2000-01-01 (a dead clock battery) minutes ago is not years old (the retention's rule)."""
        where = (
            "pressed_at < ?1 AND state != 'queued' AND id < COALESCE((SELECT id FROM dispatch_outbox "
            "WHERE +pressed_at >= ?1 ORDER BY id LIMIT 1), 9223372036854775807)"
        )
        db = self._store.db
        if dry_run:
            return db.execute(f"SELECT count(*) FROM dispatch_outbox WHERE {where}", [cut]).fetchone()[0]
        with self._store.transaction() as db:
            return db.execute(f"DELETE FROM dispatch_outbox WHERE {where}", [cut]).rowcount

    def school_state(self) -> SchoolState:
        """The current SRP state (NORMAL when none was ever set)."""
        row = self._store.db.execute(
            "SELECT state, note, set_by, set_at, exercise, source FROM dispatch_school_state WHERE id = 1"
        ).fetchone()
        if row is None:
            return SchoolState("NORMAL")
        return SchoolState(row[0], row[1], row[2], clock.from_db(row[3]), bool(row[4]), row[5])

    def set_school_state(self, state: SchoolState) -> SchoolState:
        """Replace the SRP state."""
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO dispatch_school_state (id, state, note, set_by, set_at, exercise, source) "
                "VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state, "
                "note = excluded.note, set_by = excluded.set_by, set_at = excluded.set_at, "
                "exercise = excluded.exercise, source = excluded.source",
                [
                    state.state,
                    state.note,
                    state.set_by,
                    clock.to_db(state.set_at or clock.now()),
                    int(state.exercise),
                    state.source,
                ],
            )
        return self.school_state()

    def inbox_cursor(self) -> int:
        """The sequence number of the last inbox message handled."""
        row = self._store.db.execute("SELECT value FROM dispatch_station_kv WHERE key = 'inbox_after'").fetchone()
        return int(row[0]) if row else 0

    def set_inbox_cursor(self, seq: int) -> None:
        """Remember the last inbox message handled, so a restart does not replay it."""
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO dispatch_station_kv (key, value) VALUES ('inbox_after', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [str(seq)],
            )
