"""The console's verbs: receive an alert once, collate incidents, acknowledge, push states, supervise.

Every method is synchronous and does its writes in one transaction, committed (and synced) before it
returns, so an HTTP answer "received" always means "on disk". The web app calls these from worker threads.
Two consoles may share one PostgreSQL database: every change goes through the database (row conditions
such as ``acked_by IS NULL`` make a race between them harmless), and each console notices the other's
changes by watching the sequence numbers of ``log`` and ``inbox`` (:meth:`ConsoleService.marks`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from district import clock
from district.console import capschema
from district.console.auth import Auth, Forbidden, Station, log
from district.console.db import Database, Tx
from district.console.forward import Forwarding
from district.console.roles import Clearers
from district.console.schema import migrate
from district.console.storing import Abandoned, AlertStore, Conflict, Receipt, store_together
from district.console.views import BoardViews, iso
from district.errors import ConflictError, DistrictError, InputError, NotFoundError
from frontdesk.wire import cap
from frontdesk.wire.cap import CapError, CapMessage

__all__ = ["Abandoned", "ConsoleService", "Receipt"]

STATES = ("NORMAL", "HOLD", "SECURE", "LOCKDOWN", "SHELTER", "EVACUATE")
OFFLINE_AFTER_S = 90
COLLATE_WINDOW_S = 120  # presses of one station this close together are one incident
ESCALATE_AFTER_S = 30  # the live screen escalates an alert left unacknowledged this long


class ConsoleService(BoardViews, Forwarding):
    """The district console over one database (SQLite or PostgreSQL)."""

    def __init__(
        self,
        db: Database,
        *,
        name: str = "district",
        forward_url: str | None = None,
        forward_pidf: bool = False,
        offline_after: float = OFFLINE_AFTER_S,
        collate_window: float = COLLATE_WINDOW_S,
        escalate_after: float = ESCALATE_AFTER_S,
    ):
        self.db = db
        self.name = name
        self.forward_url = forward_url
        self.forward_pidf = forward_pidf
        self.offline_after = offline_after
        self.collate_window = collate_window
        self.escalate_after = escalate_after
        self.auth = Auth(db)
        self.clearers = Clearers(db)

    @classmethod
    def open(cls, url: str, *, write_lock_file: Path | None = None, **kw: Any) -> ConsoleService:
        """Open the database at ``url`` and apply pending migrations.

        ``write_lock_file`` (SQLite): this process's writers take turns with other processes' through an
        exclusive lock of that file (:class:`~district.console.db.Database`), as the worker processes of
        ``serve --workers N`` do, instead of meeting in SQLite's busy handler.
        """
        db = Database(url, write_lock_file=write_lock_file)
        migrate(db)
        return cls(db, **kw)

    def close(self) -> None:
        """Close every database connection."""
        self.db.close()

    def __enter__(self) -> ConsoleService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- alerts -------------------------------------------------------------------------------------------
    def receive(self, station: Station, xml: bytes) -> Receipt:
        """Store an alert, update or cancel from ``station`` exactly once and collate it into an incident.

        A replay of the same identifier with the same bytes is a duplicate (answered with the first
        receipt); the same identifier with other content is a ConflictError. Invalid CAP, a sender that is
        not this station, and an update or cancel referencing an unknown alert are CapErrors (each rejection
        is logged, after the failed work rolled back).
        """
        return self.receive_later(station, xml).result()

    def receive_later(self, station: Station, xml: bytes, wanted: Callable[[], bool] | None = None) -> Future:
        """:meth:`receive` without waiting on the database: the CAP is read and checked here, on the caller's
        thread; storing it is queued for the next group commit (:meth:`Database.submit`). The Future gets
        the Receipt once that is committed, or what :meth:`receive` raises once the rejection is logged. An
        event loop awaits it without holding a thread, so a burst is stored in as few commits as it takes.

        ``wanted``: asked just before the store runs; False (the station hung up while it waited: it sends
        the same bytes again) and nothing is stored, the Future fails with :class:`Abandoned`. Under a burst
        the group commit then spends itself on alerts someone still waits for.
        """
        out: Future = Future()
        try:
            msg, digest = self._checked(station, xml)
        except CapError as exc:
            self._reject(station, exc, out)
        else:
            self._store(station, msg, xml, digest, out, wanted=wanted)
        return out

    def _checked(self, station: Station, xml: bytes) -> tuple[CapMessage, str]:
        """The message and its digest, or CapError: valid CAP, from this station, of a kind it may send."""
        # Parsed once, by libxml2 (which bounds the depth it parses to and never recurses in Python: no
        # separate depth check first); the fields are read from the element it validated.
        msg = cap.parse(xml, schema_check=capschema.check)
        expected = cap.station_sender(station.station_id)
        if msg.sender != expected:
            raise CapError(f"sender {msg.sender!r} does not match this station's credential ({expected})")
        if msg.msg_type not in ("Alert", "Update", "Cancel"):
            raise CapError(f"stations send Alert, Update or Cancel messages, not {msg.msg_type}")
        return msg, hashlib.sha256(bytes(xml)).hexdigest()

    def _reject(self, station: Station, exc: DistrictError | CapError, out: Future) -> None:
        """Log that ``station``'s message was rejected (a unit of the next group commit), then fail ``out``
        with ``exc`` (or with the database's error if the rejection could not be logged: the station retries).
        """

        def work(tx: Tx) -> None:
            log(tx, "alert_rejected", station_id=station.station_id, reason=exc.message)

        def logged(done: Future) -> None:
            out.set_exception(done.exception() or exc)

        self.db.submit(work).add_done_callback(logged)

    def _store(
        self, station: Station, msg: CapMessage, xml: bytes, digest: str, out: Future, attempt=0, wanted=None
    ) -> None:
        now = clock.now()

        def stored(done: Future) -> None:  # on the committing thread: never waits
            error = done.exception()
            if error is None:
                out.set_result(done.result() or Receipt(msg.identifier, now, False))
            elif isinstance(error, Conflict):
                reused = ConflictError(
                    f"identifier {msg.identifier} was already received with different content; "
                    "a new press needs a new identifier",
                    code="identifier_reused",
                )
                self._reject(station, reused, out)
            elif isinstance(error, CapError | Forbidden):
                self._reject(station, error, out)
            elif _is_unique_violation(error) and attempt < 2:
                # The other console stored it first: store again, which reads its receipt.
                self._store(station, msg, xml, digest, out, attempt + 1, wanted)
            else:
                out.set_exception(error)

        self.db.submit(AlertStore(self, station, msg, xml, digest, now, wanted)).add_done_callback(stored)

    def store_together(self, tx: Tx, units: list[AlertStore]) -> list[tuple[Any, Any]]:
        """Store neighbouring plain alerts of a group commit together (:func:`storing.store_together`)."""
        return store_together(self, tx, units)

    def incident_for(self, tx: Tx, station: Station, msg: CapMessage, now: datetime) -> tuple[int, bool]:
        """The incident ``msg`` belongs to, and whether it was opened just now (by this message)."""
        if msg.references:
            incident = None
            for reference in msg.references:
                _, identifier, _ = cap.split_reference(reference)
                row = tx.one(
                    "SELECT a.incident_id, s.school FROM alerts a JOIN stations s ON s.station_id = a.station_id "
                    "WHERE a.identifier = ?",
                    [identifier],
                )
                if row is None:
                    raise CapError(
                        f"{msg.msg_type} references alert {identifier}, which the console does not have"
                    )
                if row[1] != station.school:
                    raise CapError(f"{msg.msg_type} references alert {identifier} of another school")
                incident = incident or row[0]
            return incident, False
        if msg.incidents:
            key = f"{station.school}\n{msg.incidents}"
            row = tx.one("SELECT id FROM incidents WHERE key = ?", [key])
            if row:
                return row[0], False
        else:
            row = tx.one(
                "SELECT id FROM incidents WHERE station_id = ? AND status = ? AND cleared_at IS NULL "
                "AND last_at >= ? ORDER BY id DESC LIMIT 1",
                [station.station_id, msg.status, clock.to_db(now - timedelta(seconds=self.collate_window))],
            )
            if row:
                return row[0], False
            key = f"{station.school}\n{msg.identifier}"
        row = tx.one(
            "INSERT INTO incidents (key, station_id, school, action, status, opened_at, last_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [key, station.station_id, station.school, msg.action, msg.status, clock.to_db(now), clock.to_db(now)],
        )
        assert row is not None
        log(tx, "incident_opened", station_id=station.station_id, identifier=msg.identifier, incident=row[0])
        return row[0], True

    # --- acknowledgement ------------------------------------------------------------------------------------
    def ack(self, dispatcher: str, *, incident_id: int | None = None, identifier: str | None = None) -> list[str]:
        """Acknowledge every unacknowledged message of an incident (or one message) in a dispatcher's name.

        Each acknowledged message gets a CAP Ack in its station's inbox. Returns the identifiers newly
        acknowledged (none if the other console or another dispatcher was first).
        """
        now = clock.now()
        done = []
        with self.db.transaction() as tx:
            tx.lock("inbox")
            if identifier is not None:
                rows = tx.all(
                    "SELECT seq, xml, station_id, incident_id, acked_by FROM alerts WHERE identifier = ?",
                    [identifier],
                )
            else:
                rows = tx.all(
                    "SELECT seq, xml, station_id, incident_id, acked_by FROM alerts WHERE incident_id = ? "
                    "ORDER BY seq",
                    [incident_id],
                )
            if not rows:
                raise NotFoundError(f"No alert or incident {identifier or incident_id}")
            for seq, xml, station_id, inc, acked_by in rows:
                if acked_by is not None:
                    continue
                alert = cap.parse(xml.encode("utf-8"), schema_check=capschema.check)
                ack = cap.ack_for(alert, dispatcher, sender=cap.console_sender(self.name), sent=now)
                ack_xml = cap.build(ack).decode("utf-8")
                cur = tx.execute(
                    "UPDATE alerts SET acked_by = ?, acked_at = ?, ack_xml = ? WHERE seq = ? AND acked_by IS NULL",
                    [dispatcher, clock.to_db(now), ack_xml, seq],
                )
                if cur.rowcount != 1:
                    continue
                body = {
                    "kind": "ack",
                    "identifier": alert.identifier,
                    "dispatcher": dispatcher,
                    "acknowledged_at": iso(now),
                    "cap": ack_xml,
                }
                self._to_inbox(tx, station_id, body, now)
                if alert.msg_type == "Cancel":
                    tx.execute(
                        "UPDATE incidents SET cleared_at = ? WHERE id = ? AND cleared_at IS NULL",
                        [clock.to_db(now), inc],
                    )
                    log(tx, "incident_cleared", actor=dispatcher, station_id=station_id, incident=inc)
                log(tx, "alert_acknowledged", actor=dispatcher, station_id=station_id, identifier=alert.identifier)
                done.append(alert.identifier)
        return done

    def _to_inbox(self, tx: Tx, station_id: str, body: dict[str, Any], now: datetime) -> None:
        tx.execute(
            "INSERT INTO inbox (station_id, kind, body, created_at) VALUES (?, ?, ?, ?)",
            [station_id, body["kind"], json.dumps(body, ensure_ascii=False), clock.to_db(now)],
        )

    # --- district state ---------------------------------------------------------------------------------
    def push_state(
        self, dispatcher: str, schools: list[str], state: str, note: str = "", exercise: bool = False
    ) -> int:
        """Set an SRP state for the chosen schools and send it to each of their stations; returns how many."""
        state = state.strip().upper()
        if state not in STATES:
            raise InputError(f"state must be one of {', '.join(STATES)}, not {state!r}")
        schools = sorted({s.strip() for s in schools if s.strip()})
        if not schools:
            raise InputError("choose at least one school")
        now = clock.now()
        sent = 0
        with self.db.transaction() as tx:
            tx.lock("inbox")
            for school in schools:
                stations = tx.all(
                    "SELECT station_id FROM stations WHERE school = ? AND revoked_at IS NULL", [school]
                )
                if not stations:
                    raise InputError(f"no enrolled station at {school!r}")
                tx.execute(
                    "INSERT INTO school_states (school, state, note, set_by, set_at, exercise) "
                    "VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (school) DO UPDATE SET state = excluded.state, note = excluded.note, "
                    "set_by = excluded.set_by, set_at = excluded.set_at, exercise = excluded.exercise",
                    [school, state, note, dispatcher, clock.to_db(now), int(exercise)],
                )
                body = {
                    "kind": "state",
                    "state": state,
                    "note": note,
                    "set_by": dispatcher,
                    "set_at": iso(now),
                    "exercise": exercise,
                }
                for (station_id,) in stations:
                    self._to_inbox(tx, station_id, body, now)
                    sent += 1
                log(tx, "state_pushed", actor=dispatcher, school=school, state=state, note=note, exercise=exercise)
        return sent

    # --- stations ---------------------------------------------------------------------------------------
    def heartbeat(self, station: Station, onsite: int) -> datetime:
        """Record that a station is alive (and how many people are on site); returns the server time."""
        now = clock.now()
        with self.db.transaction() as tx:
            self.seen(tx, station.station_id, now, max(0, int(onsite)))
        return now

    def seen(self, tx: Tx, station_id: str, now: datetime, onsite: int | None) -> bool:
        """Record that the station was heard from; True if it had been marked OFFLINE."""
        # Usually the station is online: one statement says so and records the time.
        if onsite is None:
            sql = "UPDATE stations SET last_seen = ? WHERE station_id = ? AND online = 1"
            params: list[Any] = [clock.to_db(now)]
        else:
            sql = "UPDATE stations SET last_seen = ?, onsite = ? WHERE station_id = ? AND online = 1"
            params = [clock.to_db(now), onsite]
        if tx.execute(sql, [*params, station_id]).rowcount == 1:
            return False
        row = tx.one("SELECT online FROM stations WHERE station_id = ?", [station_id])
        if onsite is None:
            tx.execute(
                "UPDATE stations SET last_seen = ?, online = 1 WHERE station_id = ?",
                [clock.to_db(now), station_id],
            )
        else:
            tx.execute(
                "UPDATE stations SET last_seen = ?, onsite = ?, online = 1 WHERE station_id = ?",
                [clock.to_db(now), onsite, station_id],
            )
        if row is not None and not row[0]:
            log(tx, "station_online", station_id=station_id)
            return True
        return False

    def record_beats(self, beats: dict[str, tuple[datetime, int]]) -> int:
        """Record many stations' heartbeats (``station_id -> (when, onsite)``) in one transaction; returns how
        many of them had been marked OFFLINE (they are back)."""
        with self.db.transaction() as tx:
            offline = {r[0] for r in tx.all("SELECT station_id FROM stations WHERE online = 0")}
            back = sorted(offline & beats.keys())
            rows = [
                (clock.to_db(when), max(0, int(onsite)), station_id)
                for station_id, (when, onsite) in sorted(beats.items())
            ]
            # One statement prepared once for every row (SQLite: the loop runs in C; psycopg: pipelined).
            tx.executemany("UPDATE stations SET last_seen = ?, onsite = ?, online = 1 WHERE station_id = ?", rows)
            for station_id in back:
                log(tx, "station_online", station_id=station_id)
        return len(back)

    def supervise(self, judge_offline: bool = True) -> int:
        """Mark stations silent for ``offline_after`` s OFFLINE, and alerts unacknowledged for
        ``escalate_after`` s escalated; each logged once (whichever console gets there first).

        ``judge_offline=False``: the console is overloaded and cannot tell silence from its own delay, so
        it declares nobody offline this round. Returns how many things changed.
        """
        now = clock.now()
        cutoff = clock.to_db(now - timedelta(seconds=self.offline_after))
        overdue = clock.to_db(now - timedelta(seconds=self.escalate_after))
        with self.db.transaction() as tx:
            offline = (
                tx.all(
                    "UPDATE stations SET online = 0 WHERE online = 1 AND (last_seen IS NULL OR last_seen < ?) "
                    "RETURNING station_id",
                    [cutoff],
                )
                if judge_offline
                else []
            )
            for (station_id,) in offline:
                log(tx, "station_offline", station_id=station_id)
            escalated = tx.all(
                "UPDATE alerts SET escalated_at = ? WHERE acked_by IS NULL AND escalated_at IS NULL "
                "AND received_at < ? RETURNING identifier, station_id",
                [clock.to_db(now), overdue],
            )
            for identifier, station_id in escalated:
                log(
                    tx,
                    "alert_escalated",
                    station_id=station_id,
                    identifier=identifier,
                    after_s=self.escalate_after,
                )
        return len(offline) + len(escalated)

    def inbox(self, station: Station, after: int = 0, limit: int = 200) -> list[dict[str, Any]]:
        """The station's inbox messages with ``seq`` greater than ``after``, oldest first."""
        rows = self.db.read().all(
            "SELECT seq, body FROM inbox WHERE station_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            [station.station_id, int(after), int(limit)],
        )
        return [{"seq": seq, **json.loads(body)} for seq, body in rows]


def _is_unique_violation(exc: Exception) -> bool:
    import sqlite3

    if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc):
        return True
    try:
        import psycopg.errors

        return isinstance(exc, psycopg.errors.UniqueViolation)
    except ImportError:  # pragma: no cover
        return False
