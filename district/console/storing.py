"""Storing an alert: one unit of the console's group commit (:class:`~district.console.db.Unit`).

A burst's alerts arrive together and are committed together, and with ``serve --workers N`` the workers'
commits take turns on one write lock: whatever runs while it is held, the other worker waits for. So an
alert's rows, JSON and times are built before the lock is taken (:meth:`AlertStore.prepare`), and on SQLite
the new alerts of a batch (plain Alerts of different stations) are stored together, with one statement per
table for all of them (:func:`store_together`; multi-row INSERTs, ``json_each`` for the look-ups and
updates), instead of seven statements each. Each statement the
committing thread runs gives up the GIL while SQLite works and waits to get it back from the worker's event
loop, all while holding the lock; that wait, not SQLite, was most of an alert's time under the lock.

Either way an alert is stored exactly as :meth:`AlertStore.__call__` stores it alone: the same rows, the
same incident, the same log entries; a duplicate answered with the first receipt, a reused identifier
refused, an alert whose station hung up while it waited not stored.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from district import clock
from district.console.auth import Station, log
from district.console.db import Tx, Unit
from district.console.location import differences
from district.console.views import iso
from frontdesk.wire.cap import ACTIONS, CapMessage

if TYPE_CHECKING:
    from district.console.service import ConsoleService

# json_each and UPDATE ... FROM: SQLite 3.38 has both built in. Older SQLite stores each alert alone.
TOGETHER = sqlite3.sqlite_version_info >= (3, 38, 0)


@dataclass(frozen=True)
class Receipt:
    """The console's answer to an alert: committed at ``received_at`` (or earlier, for a duplicate)."""

    identifier: str
    received_at: datetime
    duplicate: bool


class Abandoned(Exception):
    """The station hung up before its alert's turn came: nothing was stored (it sends the same bytes again)."""


class Conflict(Exception):
    """The identifier is already stored with other content (turned into a ConflictError)."""


def as_enrolled(station: Station, msg: CapMessage) -> CapMessage:
    """``msg`` with the station's enrolled location in place of the one it claims (what is shown)."""
    where = station.where
    return dataclasses.replace(
        msg,
        school=where.school,
        address=where.address,
        building=where.building,
        floor=where.floor,
        room=where.room,
        phone=where.phone,
        station=station.name,
    )


def claims(msg: CapMessage) -> dict[str, str]:
    """Where the message says it comes from."""
    return {
        "school": msg.school,
        "address": msg.address,
        "building": msg.building,
        "floor": msg.floor,
        "room": msg.room,
        "phone": msg.phone,
    }


def summary(msg: CapMessage, mismatch: dict[str, str] | None = None) -> dict[str, Any]:
    """What the live screen shows of a message, kept as JSON so the board never re-parses XML.

    ``msg`` already carries the enrolled location; ``mismatch`` is what the message claimed instead.
    """
    return {
        "location_mismatch": mismatch or {},
        "school": msg.school,
        "address": msg.address,
        "building": msg.building,
        "floor": msg.floor,
        "room": msg.room,
        "station": msg.station,
        "staff": msg.staff,
        "phone": msg.phone,
        "note": msg.note,
        "location": msg.location,
        "hazard": msg.hazard,
        "directive": msg.directive,
        "headline": msg.headline,
        "place": msg.place,
        "sent": iso(msg.sent),
        "roster": [
            {"name": r.name, "category": r.category, "destination": r.destination, "time_in": iso(r.time_in)}
            for r in msg.roster
        ],
    }


def _detail(**detail: Any) -> str:
    return json.dumps(detail, ensure_ascii=False)  # as auth.log writes it


# How severe each action is (CAP severity), for an incident's action when two of its presses carry the same second.
_SEVERITY = {"Extreme": 4, "Severe": 3, "Moderate": 2, "Minor": 1}
_RANK = " ".join(f"WHEN '{a.name}' THEN {_SEVERITY.get(a.severity, 0)}" for a in ACTIONS.values())


def latest_action(incident: str) -> str:
    """SQL for the action of incident ``incident`` (an SQL expression for its id): its newest press's.

    The newest is the latest ``sent``, and of two pressed in the same second (CAP's ``sent`` has no fraction)
    the more severe; not the message that arrived last: a station sends a LOCKDOWN beside a Staff assist it is
    still retrying, so the Staff assist, pressed first, can arrive after it and must not turn the incident back
    into a Staff assist on the dispatcher's board. An all clear (Cancel) keeps the action it clears.
    """
    return (
        f"SELECT a.action FROM alerts a WHERE a.incident_id = {incident} AND a.msg_type <> 'Cancel' "
        f"ORDER BY a.sent DESC, CASE a.action {_RANK} ELSE 0 END DESC, a.seq DESC LIMIT 1"
    )


ALERT_COLUMNS = (
    "identifier",
    "incident_id",
    "station_id",
    "sender",
    "sent",
    "status",
    "msg_type",
    "action",
    "refs",
    "summary",
    "xml",
    "digest",
    "received_at",
    "received_by",
    "location_mismatch",
)


class AlertStore(Unit):
    """Store one checked alert of ``station``, once, and collate it into an incident (a group-commit unit).

    Returns None once stored, the first Receipt for a duplicate; raises :class:`Conflict` (identifier
    reused), :class:`Abandoned` (``wanted()`` said no), or a CapError / Forbidden (reference, all clear).
    """

    def __init__(
        self,
        service: ConsoleService,
        station: Station,
        msg: CapMessage,
        xml: bytes,
        digest: str,
        now: datetime,
        wanted: Callable[[], bool] | None,
    ):
        self.service = service
        self.station = station
        self.msg = msg
        self.xml = xml
        self.digest = digest
        self.now = now
        self.wanted = wanted
        # Stored together with its neighbours when nothing else it touches depends on what they do: a plain
        # Alert (no reference to another alert, no all clear to check); its station, identifier and incident
        # are its claims. Updates and Cancels are stored alone, in their places.
        plain = msg.msg_type == "Alert" and not msg.references
        if plain and TOGETHER and service.db.kind == "sqlite":
            self.together = service.store_together
        self.key = f"{station.school}\n{msg.incidents or msg.identifier}"

    def claims(self) -> tuple:
        """The station, the identifier and the incident key."""
        return (("station", self.station.station_id), ("identifier", self.msg.identifier), ("incident", self.key))

    def prepare(self) -> None:
        """The alert's row, its summary JSON and times (no database: before the write lock)."""
        msg, station = self.msg, self.station
        self.mismatch = differences(station.where, claims(msg))
        self.received_at = clock.to_db(self.now)
        self.cutoff = clock.to_db(self.now - timedelta(seconds=self.service.collate_window))
        self.row = [
            msg.identifier,
            None,  # the incident, found or opened under the lock
            station.station_id,
            msg.sender,
            clock.to_db(msg.sent),
            msg.status,
            msg.msg_type,
            msg.action,
            " ".join(msg.references),
            json.dumps(summary(as_enrolled(station, msg), self.mismatch), ensure_ascii=False),
            bytes(self.xml).decode("utf-8"),
            self.digest,
            self.received_at,
            self.service.name,
            json.dumps(self.mismatch, ensure_ascii=False) if self.mismatch else "",
        ]
        self.forward = bool(self.service.forward_url and msg.status == "Actual" and ACTIONS[msg.action].police)

    def __call__(self, tx: Tx) -> Receipt | None:
        """Store it alone."""
        service, station, msg, now = self.service, self.station, self.msg, self.now
        if self.wanted is not None and not self.wanted():
            raise Abandoned()
        row = tx.one("SELECT digest, received_at FROM alerts WHERE identifier = ?", [msg.identifier])
        if row is not None:
            return self._repeat(row[0], row[1])
        incident_id, opened = service.incident_for(tx, station, msg, now)
        clearer = service.clearers.check(tx, station, msg) if msg.msg_type == "Cancel" else None
        self.row[1] = incident_id
        tx.insert_rows("alerts", ALERT_COLUMNS, [self.row])
        if self.mismatch:
            log(tx, "location_mismatch", station_id=station.station_id, identifier=msg.identifier, **self.mismatch)
        if clearer is not None:
            log(
                tx,
                "all_clear_signed",
                actor=clearer.name,
                station_id=station.station_id,
                identifier=msg.identifier,
                role=clearer.role,
                clearer=clearer.clearer_id,
            )
        if not opened:  # an incident opened just now already has this time and action
            tx.execute(
                f"UPDATE incidents SET last_at = ?, action = COALESCE(({latest_action('?')}), action) "
                "WHERE id = ?",
                [self.received_at, incident_id, incident_id],
            )
        service.seen(tx, station.station_id, now, None)
        log(tx, "alert_received", station_id=station.station_id, identifier=msg.identifier, **self._received())
        if self.forward:
            tx.execute(
                "INSERT INTO forwards (identifier, created_at, next_try) VALUES (?, ?, ?) "
                "ON CONFLICT (identifier) DO NOTHING",
                [msg.identifier, self.received_at, self.received_at],
            )
        return None

    def _repeat(self, digest: str, received_at: str) -> Receipt:
        """The first receipt of these bytes, or Conflict: the identifier is taken by other content."""
        if digest != self.digest:
            raise Conflict(self.msg.identifier)
        return Receipt(self.msg.identifier, clock.from_db(received_at), True)  # type: ignore[arg-type]

    def _received(self) -> dict[str, Any]:
        msg = self.msg
        return {
            "msg_type": msg.msg_type,
            "status": msg.status,
            "action": msg.action,
            "incident": self.row[1],
            "console": self.service.name,
        }


def store_together(service: ConsoleService, tx: Tx, units: list[AlertStore]) -> list[tuple[Any, Any]]:
    """Store plain Alerts of different stations (SQLite), as each would be stored alone, with one statement
    per table for all of them (rows inserted by one multi-row INSERT; keys looked up and rows updated through
    ``json_each`` of one JSON array); each unit's (result, error). Raises if a statement fails (the batch then
    runs again one unit at a time)."""
    outcomes: list[tuple[Any, Any]] = [(None, None)] * len(units)
    live = []
    for n, unit in enumerate(units):
        if unit.wanted is not None and not unit.wanted():
            outcomes[n] = (None, Abandoned())
        else:
            live.append(n)
    if not live:
        return outcomes
    stored = {
        identifier: (digest, received_at)
        for identifier, digest, received_at in tx.all(
            "SELECT identifier, digest, received_at FROM alerts "
            "WHERE identifier IN (SELECT value FROM json_each(?))",
            [json.dumps([units[n].msg.identifier for n in live])],
        )
    }
    new = []
    for n in live:
        unit = units[n]
        if unit.msg.identifier in stored:
            try:
                outcomes[n] = (unit._repeat(*stored[unit.msg.identifier]), None)
            except Conflict as exc:
                outcomes[n] = (None, exc)
        else:
            new.append(unit)
    if not new:
        return outcomes

    # The incident of each: the one its CAP names (by key), else the station's open one of the same status
    # within the collation window, else a new one.
    keyed = [u for u in new if u.msg.incidents]
    by_key = dict(
        tx.all(
            "SELECT key, id FROM incidents WHERE key IN (SELECT value FROM json_each(?))",
            [json.dumps([u.key for u in keyed])],
        )
        if keyed
        else []
    )
    for unit in keyed:
        unit.row[1] = by_key.get(unit.key)
    window = [u for u in new if not u.msg.incidents]
    if window:
        found = tx.all(
            "SELECT n, found FROM (SELECT j.key AS n, (SELECT i.id FROM incidents i "
            "WHERE i.station_id = json_extract(j.value, '$[0]') AND i.status = json_extract(j.value, '$[1]') "
            "AND i.cleared_at IS NULL AND i.last_at >= json_extract(j.value, '$[2]') "
            "ORDER BY i.id DESC LIMIT 1) AS found FROM json_each(?) j) WHERE found IS NOT NULL",
            [json.dumps([[u.station.station_id, u.msg.status, u.cutoff] for u in window])],
        )
        for n, incident_id in found:
            window[n].row[1] = incident_id
    opening = [u for u in new if u.row[1] is None]
    opened = {id(u) for u in opening}
    later: dict[int, list] = {}  # an incident found: its last time, the last unit's (in order)
    for unit in new:
        if unit.row[1] is not None:
            later[unit.row[1]] = [unit.row[1], unit.received_at]
    if opening:
        # Numbered here, under the write lock, as AUTOINCREMENT would (after the highest ever given).
        (last,) = tx.one(
            "SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'incidents'), 0), "
            "COALESCE((SELECT max(id) FROM incidents), 0))"
        ) or (0,)
        for n, unit in enumerate(opening, start=1):
            unit.row[1] = last + n
        tx.insert_rows(
            "incidents",
            ("id", "key", "station_id", "school", "action", "status", "opened_at", "last_at"),
            [
                (u.row[1], u.key, u.station.station_id, u.station.school, u.msg.action, u.msg.status)
                + (u.received_at, u.received_at)
                for u in opening
            ],
        )
    tx.insert_rows("alerts", ALERT_COLUMNS, [u.row for u in new])
    if later:  # after the alerts' rows: an incident's action is its newest press's (latest_action)
        tx.execute(
            "UPDATE incidents SET last_at = json_extract(j.value, '$[1]'), "
            f"action = COALESCE(({latest_action('incidents.id')}), action) "
            "FROM json_each(?) j WHERE incidents.id = json_extract(j.value, '$[0]')",
            [json.dumps(list(later.values()), ensure_ascii=False)],
        )
    heard = tx.execute(
        "UPDATE stations SET last_seen = json_extract(j.value, '$[1]') FROM json_each(?) j "
        "WHERE stations.station_id = json_extract(j.value, '$[0]') AND stations.online = 1",
        [json.dumps([[u.station.station_id, u.received_at] for u in new])],
    ).rowcount
    if heard != len(new):  # a station marked offline is back: each one as alone (logged)
        for unit in new:
            service.seen(tx, unit.station.station_id, unit.now, None)
    at = clock.to_db(clock.now())
    entries = []
    for unit in new:
        sid, identifier = unit.station.station_id, unit.msg.identifier
        if id(unit) in opened:
            entries.append((at, "incident_opened", sid, identifier, _detail(incident=unit.row[1])))
        if unit.mismatch:
            entries.append((at, "location_mismatch", sid, identifier, _detail(**unit.mismatch)))
        entries.append((at, "alert_received", sid, identifier, _detail(**unit._received())))
    tx.insert_rows("log", ("at", "kind", "station_id", "identifier", "detail"), entries)
    forwards = [(u.msg.identifier, u.received_at, u.received_at) for u in new if u.forward]
    if forwards:
        tx.insert_rows(
            "forwards", ("identifier", "created_at", "next_try"), forwards, "ON CONFLICT (identifier) DO NOTHING"
        )
    return outcomes
