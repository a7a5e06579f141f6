"""SyncService (``services.sync``): push this desk's outbox, pull the school's visits, run the pullers.

Rounds run on background threads (:class:`BackgroundSync`: a pusher woken by each new outbox entry, and a
puller long-polling the hub), never on Qt's thread, and nothing the panic path does waits for them: the
desk works the same with the hub out of reach, and catches up when it answers again. ``frontdesk sync``
runs the same rounds in the foreground until everything is in step or the time is up.

A **puller** (``name``, ``pull(client) -> int``, ``pending() -> int``, ``as_of() -> str | None``) is called
on every round: the district lists (hub-lists) come down that way.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from frontdesk import clock
from frontdesk.dispatch.client import is_loopback, split_urls
from frontdesk.errors import DeliveryError, InputError
from frontdesk.settings import DISPATCH_STATION_ID, DISPATCH_URL, STATION_NAME, SYNC_HUBS, Settings
from frontdesk.store import Store
from frontdesk.sync.client import HubClient, HubRefused, HubUnreachable
from frontdesk.sync.outbox import _VISIT_SQL, SKIPPED, Outbox, _dumps, check_in_change, from_hub, to_hub
from frontdesk.sync.remote import RemoteVisitStore, state_get, state_set
from frontdesk.sync.shared import CLOCK_SAME_S, NotHereYet, clock_base
from frontdesk.visits.service import VisitService
from frontdesk.wire.sync import CHECK_OUT_KINDS, TAKES, VISIT_KINDS, last_synced_words, older_desk_words

if TYPE_CHECKING:
    from frontdesk.audit import AuditTrail
    from frontdesk.dispatch.station import StationService

log = logging.getLogger(__name__)

PUSH_BATCH = 200
PULL_STEP = 200  # pulled visits written per transaction
LAST_SYNC_EVERY_S = 300.0  # a round that changed nothing writes "last in step" this often at most
PULL_WAIT_S = 20.0
REMOTE_KEEP_DAYS = 1
RESEND_DAYS = 7  # a hub found behind: this desk's visits of the last week (and every one still open) compared
MARKS_KEPT = 12  # older pull cursors kept with their marks, to go back to after a hub's restore
# Said (sync's standard error, sync status, the event log) while the hub does not give the school's shared records.
HUB_NOT_SHARING = (
    "The district hub runs an older version that does not share the school's desks' records: bars and custody "
    "orders on the school's own lists, pick-up changes and student releases made at another desk of this school "
    "do not reach this desk, and this desk's do not reach them. Screen and release at each desk as if alone, "
    "and ask district IT to upgrade the hub (what each desk made meanwhile then arrives)."
)
CLOCK_OFF_S = 300  # this desk's clock more than this off the hub's: said (status bar, event log, audit)


class Puller(Protocol):
    """Something else the desk takes from the hub on every round (the district lists)."""

    name: str

    def pull(self, client: HubClient) -> int: ...

    def pending(self) -> int: ...

    def as_of(self) -> str | None: ...


@dataclass(frozen=True)
class SyncStatus:
    """Where this desk stands with the hub."""

    linked: bool  # a hub address and credential are set
    pending: int  # changes made here not yet on the hub
    last_sync: datetime | None  # the last round that pushed and pulled everything
    offline_since: datetime | None  # the first failed round since the last good one
    lists_as_of: str | None  # the district lists' puller's as_of
    problem: str = ""  # the hub refused (a credential no longer valid, …)
    parked: int = 0  # changes the hub refused as malformed, set aside (``sync status`` lists them)
    clock_off_s: int | None = None  # the hub's clock minus this desk's, when more than CLOCK_OFF_S either way
    # False: the hub's last answer left out the school's shared records (a hub older than the sharing), so this
    # desk's bars, pick-up changes and releases do not reach the school's other desks, nor theirs this one.
    # None: not known yet (never pulled), or this desk does not share.
    hub_shares: bool | None = None
    # The school's other desks on a release that does not take some of its shared records, as the hub's last
    # answer named them: ``(station, missed kinds, last synced)`` each, the last on this desk's clock (None: the
    # hub did not say). A bar made here is not at theirs. None: not known (a hub from before it said, or this desk
    # does not share).
    older_desks: tuple[tuple[str, tuple[str, ...], datetime | None], ...] | None = None

    @property
    def older_words(self) -> list[str]:
        """One sentence per desk of :attr:`older_desks`: what it misses, when it last synced and what to do ("have
        it updated, or revoked if that PC is no longer used")."""
        now = clock.now()
        return [older_desk_words(station, kinds, last, now) for station, kinds, last in self.older_desks or ()]

    @property
    def clock_words(self) -> str:
        """ "" or, for a desk whose clock is wrong, what the status bar adds: "this PC's clock is 1 day behind"."""
        if self.clock_off_s is None:
            return ""
        return f"this PC's clock is {_span(abs(self.clock_off_s))} {'behind' if self.clock_off_s > 0 else 'ahead'}"

    @property
    def words(self) -> str:
        """The status bar's text: "Hub: in step", "Hub: 3 changes waiting", "Hub: offline since 10:32"."""
        if not self.linked:
            return "Hub: not connected"
        if self.problem:
            return "Hub: refused (see the log)"
        if self.offline_since is not None:
            return f"Hub: offline since {self.offline_since.astimezone():%H:%M}"
        if self.parked:
            return f"Hub: {self.parked} change{'s' if self.parked != 1 else ''} refused (see sync status)"
        if self.pending:
            return f"Hub: {self.pending} change{'s' if self.pending != 1 else ''} waiting"
        if self.last_sync is None:
            return "Hub: connecting…"
        if self.hub_shares is False:
            return "Hub: in step; its version does not share the school's desks' records"
        older = self.older_desks or ()
        if len(older) == 1:
            return f"Hub: in step; the desk '{older[0][0]}' is on an older FrontDesk"
        if older:
            return f"Hub: in step; {len(older)} of the school's desks are on an older FrontDesk"
        return f"Hub: in step; {self.clock_words}" if self.clock_words else "Hub: in step"


def _span(seconds: int) -> str:
    """A clock's error in the office's words: "7 minutes", "5 hours", "1 day 2 hours"."""
    days, rest = divmod(seconds, 86400)
    hours, minutes = rest // 3600, rest % 3600 // 60
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words) or "less than a minute"


@dataclass(frozen=True)
class RoundResult:
    pushed: int
    pulled: int
    in_step: bool


class SyncService:
    """The desk's sync with the hub over one store."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        visits: VisitService,
        audit: AuditTrail,
        station: StationService,
        *,
        now: Callable[[], datetime] = clock.now,
        outbox: Outbox | None = None,
        remote: RemoteVisitStore | None = None,
        events: Any = None,
    ):
        """``outbox`` and ``remote``, when given, are already in place (the composition root attaches them
        to the audit trail and the visits service as soon as those exist); otherwise they are made here.
        ``events``: the event log (another desk's change skipped here; this desk's clock off the hub's)."""
        self._store = store
        self._settings = settings
        self._visits = visits
        self._audit = audit
        self._station = station
        self._now = now
        self._events = events
        if outbox is None:
            outbox = Outbox()
            audit.add_listener(outbox.capture)
        self.outbox = outbox
        if remote is None:
            remote = RemoteVisitStore(store, audit, linked=self.linked, station=settings.get(STATION_NAME))
            visits.attach_remote(remote)
        self.remote = remote
        self._pullers: list[Puller] = []
        self._push_lock = threading.Lock()  # one push at a time in this process (in order)
        self._pull_lock = threading.Lock()
        self.changed = threading.Event()  # set when a pull brought something (the window refreshes)
        self._last_sync: datetime | None = None  # the last round in step, in this process (see _in_step)

    # --- configuration ---------------------------------------------------------------------------------
    def add_puller(self, puller: Puller) -> None:
        """Call ``puller`` on every round (the district lists)."""
        self._pullers.append(puller)

    def linked(self) -> bool:
        """True once this desk has a hub address (``dispatch connect``)."""
        return bool(self._settings.get(DISPATCH_URL))

    def client(self, *, timeout: float = 10.0) -> HubClient:
        """A client for the hub(s), or DeliveryError (one line) when this desk cannot use one."""
        endpoint = self._station.endpoint()
        if endpoint is None:
            raise HubRefused("This desk is not connected to a hub: run 'frontdesk dispatch connect URL' first")
        if endpoint.problem:
            raise HubRefused(endpoint.problem)
        urls = list(endpoint.urls)  # 'dispatch connect' verified these (several: consoles on one database)
        for extra in split_urls(self._settings.get(SYNC_HUBS)):
            if extra in urls:
                continue
            if not extra.startswith(("http://", "https://")):
                raise HubRefused(f"sync.hubs: a hub address must start with http:// or https://, not {extra!r}")
            if extra.startswith("http://") and not is_loopback(extra) and not endpoint.insecure:
                # As 'dispatch connect' refuses it: the credential and the visitors' names would travel in clear.
                raise HubRefused(
                    f"sync.hubs: refused {extra}: plain http:// to another machine would send the credential and "
                    "the visitors' names in clear. Use https://, or connect with --insecure if you really must"
                )
            urls.append(extra)
        return HubClient(urls, endpoint.credential, ca_file=endpoint.ca_file, timeout=timeout)

    # --- state ----------------------------------------------------------------------------------------
    def pending(self) -> int:
        """Changes made here not yet acknowledged by the hub."""
        return int(self._store.db.execute("SELECT COUNT(*) FROM sync_outbox").fetchone()[0])

    def status(self) -> SyncStatus:
        db = self._store.db
        lists = [p.as_of() for p in self._pullers if p.name in ("lists", "district_lists")]
        return SyncStatus(
            linked=self.linked(),
            pending=self.pending() + sum(p.pending() for p in self._pullers),
            last_sync=_later(clock.from_db(state_get(db, "last_sync")), self._last_sync),
            offline_since=clock.from_db(state_get(db, "offline_since")),
            lists_as_of=lists[0] if lists else None,
            problem=state_get(db, "problem", ""),
            parked=self.parked_count(),
            clock_off_s=_off(state_get(db, "hub_offset")),
            hub_shares=state_get(db, "hub_shares") if self.outbox.shared.kinds else None,
            older_desks=_older(state_get(db, "older_desks")) if self.outbox.shared.kinds else None,
        )

    def parked_count(self) -> int:
        """Changes the hub refused as malformed (400), set aside so the rest could go up."""
        return int(self._store.db.execute("SELECT COUNT(*) FROM sync_parked").fetchone()[0])

    def parked(self) -> list[dict[str, Any]]:
        """The parked changes, oldest first (``seq``, ``kind``, ``subject``, ``made_at``, ``reason``, …)."""
        rows = self._store.db.execute(
            "SELECT seq, kind, subject, made_at, reason, parked_at FROM sync_parked ORDER BY seq"
        ).fetchall()
        keys = ("seq", "kind", "subject", "made_at", "reason", "parked_at")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def _set_state(self, **values: Any) -> None:
        with self._store.transaction() as db:
            for key, value in values.items():
                state_set(db, key, value)

    # --- up -------------------------------------------------------------------------------------------
    def push(self, client: HubClient) -> int:
        """Send the outbox in order until it is empty; returns how many changes went up.

        A change the hub refuses as malformed (400) is parked (``sync_parked``, audited) and the rest goes on:
        the batch is sent again one change at a time to find it. A 409 says a number this desk sends is
        already the hub's for something else (the desk was restored from an older backup): the unsent
        changes, and visits, are renumbered above the hub's and sent again.
        """
        station_id = self._settings.get(DISPATCH_STATION_ID)
        sent = 0
        batch = PUSH_BATCH
        while True:
            acked = state_get(self._store.db, "acked")  # [station id, the newest seq the hub said it stored]
            claim = {"acked": int(acked[1])} if isinstance(acked, list) and acked[0] == station_id else {}
            rows = self._store.db.execute(
                "SELECT seq, kind, subject, made_at, body FROM sync_outbox ORDER BY seq LIMIT ?", [batch]
            ).fetchall()
            if not rows:
                if state_get(self._store.db, "restored"):
                    self._set_state(restored=False)  # the hub has answered for everything since the restore
                return sent
            changes = [
                {"seq": r[0], "kind": r[1], "subject": r[2], "made_at": r[3], "body": json.loads(r[4])}
                for r in rows
            ]
            try:
                answer = client.post_json(
                    "/api/v1/sync/push", {"station_id": station_id, "changes": changes, **claim}
                )
            except HubRefused as exc:
                if exc.status == 409 and isinstance(exc.details.get("seq"), int):
                    self._renumber(exc.details)
                    continue
                if exc.status == 409 and exc.details.get("hub_behind") is True:
                    since = exc.details.get("last_made_at")
                    self._resend(
                        client,
                        station_id,
                        int(exc.details.get("last_seq") or 0),
                        since if isinstance(since, str) else None,
                    )
                    continue
                if exc.status in (400, 413):
                    if len(rows) > 1:
                        batch = 1  # find the one it refuses
                        continue
                    # Only this change is refused if the hub takes a push without it (else it is not the change).
                    client.post_json("/api/v1/sync/push", {"station_id": station_id, "changes": []})
                    self._park(rows[0], exc.message)
                    batch = PUSH_BATCH
                    continue
                raise
            # Every change sent is now stored at the hub (new or a repeat): out of the outbox.
            with self._store.transaction() as db:
                db.execute("DELETE FROM sync_outbox WHERE seq <= ?", [rows[-1][0]])
                if isinstance(answer.get("acked"), int) and station_id:  # a hub from before it said: nothing
                    state_set(db, "acked", [station_id, answer["acked"]])
            sent += len(rows)

    def _resend(self, client: HubClient, station_id: str, hub_has: int, since_made: str | None = None) -> None:
        """The hub holds fewer of this desk's changes than it acknowledged (its database was restored from an
        older copy): what it lost is gone from this outbox. Compare this desk's visits (every one still open,
        and those of the last :data:`RESEND_DAYS` days) with the hub's and queue again, as they are now, the
        check-in of each it lacks (closed ones with their check-out time) and the check-out of each it holds
        open that ended here; and what it shared that forbids, as it holds it now (``Shared.again``: its school
        lists' entries, pick-up stops, revocations). And, for the district's copy of this desk's trail, every other
        audit record made here after ``since_made`` (when this desk made the newest change the hub still holds,
        by this desk's clock; None: none of them). Audited (``sync.hub_behind``)."""
        held: dict[int, tuple[str, str | None]] = {}
        after = 0
        while True:
            answer = client.get_json("/api/v1/sync/own", {"after": after})
            for v in answer.get("visits", []):
                held[int(v["visit_id"])] = (v.get("badge_code"), v.get("checked_out_at"))
                after = max(after, int(v["visit_id"]))
            if not answer.get("more") or not answer.get("visits"):
                break
        since = clock.to_db(self._now() - timedelta(days=RESEND_DAYS))
        with self._audit.transaction() as db:
            # (kind, local visit id) of this desk's visit changes still in the outbox: not queued twice
            waiting = {
                (kind == "visit.check_in", self._wire_visit_local(db, kind, json.loads(text)))
                for kind, text in db.execute("SELECT kind, body FROM sync_outbox").fetchall()
            }
            changes = []
            for row in db.execute(
                f"{_VISIT_SQL} WHERE v.time_out IS NULL OR v.time_in >= ? OR v.time_out >= ? ORDER BY v.id",
                [since, since],
            ).fetchall():
                hub_id = to_hub(db, row[0])
                at_hub = held.get(hub_id)
                if at_hub is None or at_hub[0] != row[11]:  # lost (another visit there: the push renumbers)
                    if (True, row[0]) not in waiting:
                        changes.append(check_in_change(db, row))
                elif at_hub[1] is None and row[13] and (False, row[0]) not in waiting:
                    body = {"station_id": "", "visit_id": hub_id, "checked_out_at": row[13]}
                    changes.append(("visit.check_out", f"visit {row[0]}", row[13], _dumps(body)))
            visit_changes = len(changes)
            # What this desk shared that forbids (its school lists' entries, pick-up stops), as it holds it now:
            # a desk of the school that had not pulled it before the hub lost it gets it this way.
            if self.outbox.shared.kinds:
                actor = self._settings.get(STATION_NAME) or "this desk"
                made_at = clock.to_db(self._now())
                for kind, subject, share in self.outbox.shared.again(db):
                    body = _dumps({"actor": actor, "details": {}, "share": share})
                    changes.append((kind, subject, made_at, body))
            school_records = len(changes) - visit_changes
            # The district's copy of this desk's trail: the other records made since the hub's newest (visits went
            # above, as they are now; sync's own bookkeeping never goes up). A record of the school's shared kinds
            # goes as a record only, with no share: the other desks make nothing of it (what forbids went above).
            if since_made is not None:
                for time_, actor, action, subject, details in db.execute(
                    "SELECT time, actor, action, subject, details FROM audit_log WHERE time > ? ORDER BY seq",
                    [since_made],
                ).fetchall():
                    if action.startswith(SKIPPED) or action in VISIT_KINDS:
                        continue
                    body = _dumps({"actor": actor, "details": json.loads(details)})
                    changes.append((action, subject, time_, body))
            db.conn.executemany(
                "INSERT INTO sync_outbox (kind, subject, made_at, body) VALUES (?, ?, ?, ?)", changes
            )
            state_set(db, "acked", [station_id, hub_has])
            self._audit.record(
                None,
                "sync.hub_behind",
                "hub",
                {
                    "hub_has": hub_has,
                    "check_ins": sum(1 for c in changes[:visit_changes] if c[0] == "visit.check_in"),
                    "check_outs": sum(1 for c in changes[:visit_changes] if c[0] != "visit.check_in"),
                    "school_records": school_records,
                    "other_records": len(changes) - visit_changes - school_records,
                },
            )
        log.warning(
            "hub sync: the hub holds this desk's changes only up to %s (restored from an older copy?); "
            "%s visit changes sent again",
            hub_has,
            len(changes),
        )

    def _station_changed(self) -> None:
        """This desk was connected again under a new station (enrolled again: a replaced PC restored from its
        backup, a credential issued again): the hub holds its visits under the old one, where a check-out sent
        under the new one closes nothing. Once, before anything else goes up or comes down under the new
        station: each of its visits still open here, or closed in the last :data:`RESEND_DAYS` days, is closed
        at the hub under the old station (at its check-out time here; now, for one still here), and each still
        open is sent under the new one; the old station is remembered as this desk's own (``former_ids``: its
        visits never come down as another desk's), and the copies of them that did are dropped. Audited
        (``sync.station_changed``)."""
        station_id = self._settings.get(DISPATCH_STATION_ID)
        db = self._store.db
        was = state_get(db, "pushed_as")
        if was == station_id or not station_id:
            return
        if was is None:
            was = state_get(db, "station_id")  # a desk from before this was kept: the station it last pulled as
        with self._audit.transaction() as db:
            state_set(db, "pushed_as", station_id)
            if not was or was == station_id:
                return
            former = [f for f in state_get(db, "former_ids", []) if f != station_id]
            former = [*former, was] if was not in former else former
            state_set(db, "former_ids", former)
            now = clock.to_db(self._now())
            since = clock.to_db(self._now() - timedelta(days=RESEND_DAYS))
            changes = []
            for row in db.execute(
                f"{_VISIT_SQL} WHERE v.time_out IS NULL OR v.time_out >= ? ORDER BY v.id", [since]
            ).fetchall():
                hub_id = to_hub(db, row[0])
                closed = {"station_id": was, "visit_id": hub_id, "checked_out_at": row[13] or now}
                changes.append(("visit.check_out", f"visit {row[0]}", now, _dumps(closed)))
                if row[13] is None:
                    changes.append(check_in_change(db, row))
            db.conn.executemany(
                "INSERT INTO sync_outbox (kind, subject, made_at, body) VALUES (?, ?, ?, ?)", changes
            )
            marks = ", ".join("?" for _ in former)
            dropped = db.execute(f"DELETE FROM sync_remote_visits WHERE station_id IN ({marks})", former).rowcount
            self._audit.record(
                None,
                "sync.station_changed",
                "hub",
                {
                    "from": was,
                    "to": station_id,
                    "closed": sum(1 for c in changes if c[0] == "visit.check_out"),
                    "sent": sum(1 for c in changes if c[0] == "visit.check_in"),
                    "copies_dropped": dropped,
                },
            )
        if changes:
            self.outbox.nudge.set()
        log.warning("hub sync: this desk is now station %s (was %s): its visits moved to it", station_id, was)

    def _seed_shared(self) -> None:
        """Once (an upgraded desk, or one just linked): what this desk holds from before it shared the school's
        own records goes up as changes for the other desks (``Shared.existing``), a group (a list) per short
        transaction; a group written is remembered as shared, so a desk stopped half-way goes on from there."""
        if not self.outbox.shared.kinds or state_get(self._store.db, "shared_seeded"):
            return
        actor = self._settings.get(STATION_NAME) or "this desk"
        total = 0
        while True:
            with self._audit.transaction() as db:
                changes = self.outbox.shared.existing(db)
                if not changes:
                    state_set(db, "shared_seeded", True)
                    if total:
                        self._audit.record(None, "sync.shared_seeded", "school records", {"changes": total})
                    break
                made_at = clock.to_db(self._now())
                db.conn.executemany(
                    "INSERT INTO sync_outbox (kind, subject, made_at, body) VALUES (?, ?, ?, ?)",
                    [
                        (kind, subject, made_at, _dumps({"actor": actor, "details": {}, "share": share}))
                        for kind, subject, share in changes
                    ],
                )
                total += len(changes)
        if total:
            self.outbox.nudge.set()

    def _park(self, row: tuple, reason: str) -> None:
        with self._audit.transaction() as db:
            db.execute(
                "INSERT INTO sync_parked (seq, kind, subject, made_at, body, reason, parked_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [*row, reason, clock.to_db(self._now())],
            )
            db.execute("DELETE FROM sync_outbox WHERE seq = ?", [row[0]])
            self._audit.record(
                None, "sync.parked", f"change {row[0]}", {"kind": row[1], "subject": row[2], "reason": reason}
            )
        log.warning("hub sync: change %s (%s) parked: %s", row[0], row[1], reason)

    def _renumber(self, details: dict[str, Any]) -> None:
        """After a 409: this desk's unsent changes from ``seq`` on, and its visits from the conflicting one
        on, get numbers above the hub's (``last_seq``, ``last_visit_id``)."""
        seq, last_seq = int(details["seq"]), int(details.get("last_seq") or 0)
        with self._audit.transaction() as db:
            shifted: dict[str, Any] = {}
            if isinstance(details.get("visit_id"), int):
                local = from_hub(db, details["visit_id"]) or details["visit_id"]
                before = {}
                for r in db.execute("SELECT seq, kind, body FROM sync_outbox").fetchall():
                    before[r[0]] = self._wire_visit_local(db, r[1], json.loads(r[2]))
                delta = int(details.get("last_visit_id") or 0) + 1 - local
                if delta > 0:
                    shifts = state_get(db, "visit_shifts", [])
                    state_set(db, "visit_shifts", [*shifts, [local, delta]])
                    shifted["visits_from"], shifted["visits_by"] = local, delta
                for out_seq, local_id in before.items():
                    if local_id is not None:
                        self._rewrite_visit(db, out_seq, to_hub(db, local_id))
            if seq <= last_seq:
                by = last_seq + 1 - seq
                db.execute("UPDATE sync_outbox SET seq = -seq WHERE seq >= ?", [seq])
                db.execute("UPDATE sync_outbox SET seq = -seq + ? WHERE seq < 0", [by])
                top = db.execute("SELECT MAX(seq) FROM sync_outbox").fetchone()[0] or 0
                db.execute(
                    "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'sync_outbox'", [max(top, last_seq)]
                )
                shifted["changes_from"], shifted["changes_by"] = seq, by
            self._audit.record(None, "sync.renumbered", f"change {seq}", {"hub": details, **shifted})
        log.warning("hub sync: numbers already used at the hub; renumbered %s", shifted)

    @staticmethod
    def _wire_visit_local(db, kind: str, body: dict[str, Any]) -> int | None:
        if kind == "visit.check_in" and isinstance(body.get("visit"), dict):
            return from_hub(db, int(body["visit"]["visit_id"]))
        if kind in CHECK_OUT_KINDS and body.get("station_id") == "":
            return from_hub(db, int(body["visit_id"]))
        return None

    @staticmethod
    def _rewrite_visit(db, seq: int, hub_id: int) -> None:
        row = db.execute("SELECT kind, body FROM sync_outbox WHERE seq = ?", [seq]).fetchone()
        body = json.loads(row[1])
        if row[0] == "visit.check_in":
            body["visit"]["visit_id"] = hub_id
        else:
            body["visit_id"] = hub_id
        db.execute(
            "UPDATE sync_outbox SET body = ? WHERE seq = ?",
            [json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str), seq],
        )

    # --- across ---------------------------------------------------------------------------------------
    def pull(self, client: HubClient, *, wait: float = 0.0) -> int:
        """Take the school's visits changed since the last pull (long poll up to ``wait``); returns how many."""
        pulled = 0
        # Restored from a backup: this desk's own visits come down too until the pull has caught up, so the
        # ones made after the backup (gone here, on site at the hub) are listed and can be checked out here.
        own = bool(state_get(self._store.db, "pull_own", False))
        sharing = bool(self.outbox.shared.kinds)
        while True:
            db = self._store.db
            after = int(state_get(db, "pulled_rev", 0))
            params = {"after": after, "wait": wait, **({"own": 1} if own else {})}
            if state_get(db, "pulled_mark"):  # the hub's mark with that cursor: a restored hub answers 409
                params["after_mark"] = state_get(db, "pulled_mark")
            if sharing:  # the school's own records (frontdesk.sync.shared), from where this desk left off
                params["shared"] = int(state_get(db, "shared_rev", 0))
                params["takes"] = TAKES  # which of them this release takes (the hub names desks that take less)
                if state_get(db, "shared_mark"):
                    params["shared_mark"] = state_get(db, "shared_mark")
            try:
                answer = client.get_json("/api/v1/sync/pull", params, timeout=max(10.0, wait + 10.0))
                self._hub_clock(answer.get("server_time"))
            except HubRefused as exc:
                if exc.status == 409 and exc.details.get("cursor") in ("after", "shared"):
                    self._rewind(exc.details["cursor"])  # never the same cursor twice: ends at 0 at worst
                    wait = 0.0
                    continue
                raise
            more = bool(answer.get("more")) or bool(answer.get("shared_more"))
            pulled += self._apply(answer, own_done=own and not more)
            if sharing:
                self._hub_shares("shared" in answer)  # a hub from before sharing leaves it out
                self._older_desks(answer.get("older_desks"))  # a hub from before session 24 leaves it out
            if sharing and "shared" in answer:
                pulled += self._apply_shared(answer)
            if not more:
                return pulled
            wait = 0.0

    def _hub_shares(self, shares: bool) -> None:
        """Keep whether the hub gives the school's shared records; a change is said (event log, audit trail).

        A hub of a release before the school's desks shared (a district that upgrades its desks first) stores
        what a desk pushes but gives none of it to the other desks: a bar added at the main office is not at
        the side entrance. Before, nothing said so; the desks' own promise is that it is."""
        held = state_get(self._store.db, "hub_shares")
        if held == shares:
            return
        with self._audit.transaction() as tx:
            state_set(tx, "hub_shares", shares)
            if held is not None or not shares:
                action = "sync.hub_sharing" if shares else "sync.hub_not_sharing"
                self._audit.record(None, action, "hub", {})
        if not shares:
            log.warning("hub sync: %s", HUB_NOT_SHARING)
            if self._events is not None:
                self._events.record("hub sync", "error", HUB_NOT_SHARING)
        elif held is False and self._events is not None:
            self._events.record(
                "hub sync",
                "info",
                "The district hub shares the school's desks' records again; what was "
                "made at the other desks meanwhile has come (or is coming) to this desk.",
            )

    def _older_desks(self, named: Any) -> None:
        """Keep which of the school's other desks the hub says are on a release that does not take some of the
        school's shared records (``older_desks``: a bar made here is not at theirs), with when each last synced
        (its ``last_synced``, the hub's time, kept on this desk's clock); a change of desks is said (event log,
        audit trail). Not said by the hub (one from before it said so): not known. The times alone are written
        again only when the words they make would change ("last synced 3 days ago"): an older desk in use
        syncs every minute, and this is not a write each time."""
        db = self._store.db
        older = None
        if isinstance(named, list):
            offset = state_get(db, "hub_offset")  # the hub's clock minus this desk's, from this same answer
            offset = offset if isinstance(offset, int) else 0
            older = sorted(
                (
                    [_one_line(d.get("station") or d.get("station_id")), sorted(map(str, kinds)), _here(d, offset)]
                    for d in named
                    if isinstance(d, dict) and isinstance(kinds := d.get("misses"), list)
                ),
                key=lambda d: d[:2],  # never the times: two desks of one name, one time not said
            )
        held = _older(state_get(db, "older_desks"))
        desks = None if older is None else [(station, tuple(kinds)) for station, kinds, _ in older]
        held_desks = None if held is None else [(station, kinds) for station, kinds, _ in held]
        if desks == held_desks:
            now = self._now()
            said = [last_synced_words(last, now) for *_, last in held or ()]
            if [last_synced_words(clock.from_db(last), now) for *_, last in older or ()] != said:
                with self._store.transaction() as tx:
                    state_set(tx, "older_desks", older)
            return
        with self._audit.transaction() as tx:
            state_set(tx, "older_desks", older)
            if desks or held_desks:  # named, or no longer named (updated, or a hub that no longer says): the trail
                details = {"desks": [station for station, _ in desks or []], "known": older is not None}
                self._audit.record(None, "sync.older_desks", "school desks", details)
        if self._events is None or desks is None:
            return
        was = {station for station, _ in held_desks or []}
        for station, kinds, last in older or ():
            if station not in was:
                text = older_desk_words(station, kinds, clock.from_db(last), self._now())
                log.warning("hub sync: %s", text)
                self._events.record(
                    "hub sync",
                    "error",
                    f"{text} Until then, a bar or a pick-up change made at this desk is not at that one.",
                )
        named_now = {station for station, _ in desks}
        for station in sorted(was - named_now):
            self._events.record(
                "hub sync",
                "info",
                f"The desk '{station}' now gets this school's shared records (updated, or no longer in use).",
            )

    def _hub_clock(self, server_time: Any) -> None:
        """Keep how far this desk's clock is from the hub's (``hub_offset``, seconds, the hub's minus this desk's,
        as a pull's answer arrives: off by its travel time at most), written again only when it moved by more
        than a minute. The school's desks use it to read each other's student movements at the right time (a
        release made at a desk whose clock is a day off is still today's release at the others:
        :func:`frontdesk.sync.shared.here_time`). A clock more than :data:`CLOCK_OFF_S` off is said (status bar,
        event log, audit ``sync.clock_off``), and so is one put right again (``sync.clock_ok``)."""
        try:
            hub = clock.from_db(server_time) if isinstance(server_time, str) else None
        except ValueError:
            hub = None
        if hub is None:
            return
        offset = round((hub - self._now()).total_seconds())
        held = state_get(self._store.db, "hub_offset")
        base, held_base = clock_base(), state_get(self._store.db, "hub_clock_base")
        moved = not isinstance(held_base, (int, float)) or abs(base - held_base) > CLOCK_SAME_S
        if isinstance(held, int) and abs(offset - held) <= CLOCK_SAME_S:
            if moved:  # the same offset, measured again after a step, a restart or a sleep: good again
                with self._store.transaction() as tx:
                    state_set(tx, "hub_clock_base", base)
            return
        off, was_off = _off(offset), _off(held)
        with self._audit.transaction() as tx:
            state_set(tx, "hub_offset", offset)
            state_set(tx, "hub_clock_base", base)  # hub_offset holds until this moves (frontdesk.sync.shared)
            if off is not None or was_off is not None:
                action = "sync.clock_off" if off is not None else "sync.clock_ok"
                self._audit.record(None, action, "clock", {"hub_minus_desk_s": offset, "was_s": held})
        if off is not None:
            words = SyncStatus(True, 0, None, None, None, clock_off_s=off).clock_words
            text = (
                f"{words[0].upper()}{words[1:]} the district hub's. Visits, releases and returns made here carry "
                "this PC's time (the school's other desks read students' releases at the right time). Set this "
                "PC's date, time and time zone right, or tell school IT."
            )
            log.warning("hub sync: %s", text)
            if self._events is not None:
                self._events.record("hub sync", "warning", text)
        elif was_off is not None and self._events is not None:
            self._events.record("hub sync", "info", "This PC's clock agrees with the district hub's again.")

    def _rewind(self, which: str) -> None:
        """The hub did not give the ``which`` cursor ("after": visits, "shared": the school's own records) with
        its mark: its database was restored from an older copy, and the numbers past what it holds are given
        anew. Go back to the newest older cursor kept with its mark (:data:`MARKS_KEPT`; 0 when none is left),
        so nothing the hub numbers again is skipped; what comes again is made again, and a change this desk
        has already is made once (visits by their ids, shared changes by their versions). Audited."""
        rev_key, mark_key, points_key = _CURSORS[which]
        with self._audit.transaction() as db:
            was = int(state_get(db, rev_key, 0))
            points = [p for p in state_get(db, points_key, []) if int(p[0]) < was]
            rev, mark = (int(points[-1][0]), points[-1][1]) if points else (0, None)
            state_set(db, points_key, points)
            state_set(db, rev_key, rev)
            state_set(db, mark_key, mark)
            self._audit.record(None, "sync.cursor_rewound", "hub", {"cursor": which, "from": was, "to": rev})
        log.warning("hub sync: the hub does not hold the %s cursor %s (restored?); from %s again", which, was, rev)

    def _apply_shared(self, answer: dict[str, Any]) -> int:
        """Make the school's other desks' changes to its own records here, one transaction each, in the hub's
        order (:mod:`frontdesk.sync.shared`). One this desk cannot take (not well formed) is skipped, logged
        and audited; one about what this desk does not have yet (a student before its roster) is kept and made
        once it can be (:meth:`_retry_deferred`); either way the cursor moves past it, so it never holds up the
        others."""
        db = self._store.db
        # Kept changes this desk can make now (its roster came) first: they came before this answer's, and a
        # release kept must not be written after the return that followed it (the newest movement says in or out).
        made = self._retry_deferred()
        kept: list[str] = []  # why each change of this answer was kept for later (said once, below)
        for change in answer.get("shared", []):
            if not isinstance(change, dict) or not isinstance(change.get("hub_seq"), int):
                continue
            try:
                with self._audit.transaction() as tx:
                    if self._incoming(tx, change) is not None:
                        made += 1
                    _cursor(tx, "shared", change["hub_seq"], change.get("mark"))
            except NotHereYet as exc:
                with self._audit.transaction() as tx:
                    tx.execute(
                        "INSERT OR IGNORE INTO sync_shared_deferred (hub_seq, change) VALUES (?, ?)",
                        [change["hub_seq"], _dumps(change)],
                    )
                    self._not_made(tx, "sync.shared_deferred", change, exc)
                kept.append(exc.message)
            except InputError as exc:
                log.warning("hub sync: another desk's change %s not made here: %s", change.get("hub_seq"), exc)
                with self._audit.transaction() as tx:
                    self._not_made(tx, "sync.shared_skipped", change, exc)
                self._say_skipped(change, exc)
        if kept and self._events is not None:
            self._events.record(
                "hub sync",
                "info",
                f"{len(kept)} change{'s' if len(kept) != 1 else ''} from the school's other desks about students "
                f"not on this desk's roster yet {'were' if len(kept) != 1 else 'was'} kept, to be made once the "
                f"SIS roster here has them (import it at this desk). First: {kept[0]}",
            )
        rev, mark = int(answer.get("shared_rev") or 0), answer.get("shared_mark")
        held = int(state_get(db, "shared_rev", 0))
        if rev > held or (rev == held and mark and mark != state_get(db, "shared_mark")):
            with self._store.transaction() as tx:
                _cursor(tx, "shared", rev, mark)
        if made:
            self.changed.set()
        return made

    def _incoming(self, tx, change: dict[str, Any]) -> str | None:
        """Make another desk's change here (``Shared.incoming``). One it cannot read (a field of the wrong type, a
        value out of range: another version's, a bug's or a forger's) is an :class:`InputError` like one not well
        formed, so it is skipped and said, and never stops the school's other changes reaching this desk; the
        database's own failures (busy, full) are not: the pull is tried again."""
        try:
            return self.outbox.shared.incoming(tx, change, self._audit)
        except InputError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
            raise InputError(f"it cannot be read here ({type(exc).__name__}: {str(exc)[:200]})") from None
        except sqlite3.IntegrityError as exc:
            raise InputError(f"it does not fit this desk's records ({str(exc)[:200]})") from None

    def _say_skipped(self, change: dict[str, Any], exc: InputError) -> None:
        """A change of another desk skipped here, said in the event log (the office sees it; the audit trail and
        the log have it too): what it was, from which desk, and why."""
        if self._events is None:
            return
        desk = change.get("station") or "another desk"
        self._events.record(
            "hub sync",
            "warning",
            f"A change made at {desk} ({change.get('kind')}, {change.get('subject') or ''}) was not made at this "
            f"desk: {exc.message}. Make it here by hand if it still applies, and tell school IT.",
        )

    def _not_made(self, tx, action: str, change: dict[str, Any], exc: InputError) -> None:
        """Another desk's shared change not made here now (kept for later, or skipped): audited, and the cursor
        moves past it, so it never holds up the others."""
        self._audit.record(
            None,
            action,
            f"hub change {change['hub_seq']}",
            {"kind": change.get("kind"), "desk": change.get("station"), "reason": exc.message},
        )
        _cursor(tx, "shared", change["hub_seq"], change.get("mark"))

    def _retry_deferred(self) -> int:
        """Make the kept changes (:class:`NotHereYet`) that this desk can make now, in the hub's order: tried
        again when the roster changed since the last try (one cheap read otherwise)."""
        db = self._store.db
        if db.execute("SELECT 1 FROM sync_shared_deferred LIMIT 1").fetchone() is None:
            return 0
        roster = list(db.execute("SELECT count(*), coalesce(max(id), 0) FROM students").fetchone())
        roster += list(db.execute("SELECT count(*), coalesce(max(id), 0) FROM guardians").fetchone())
        if state_get(db, "deferred_roster") == roster:
            return 0
        made = 0
        for row_id, hub_seq, text in db.execute(
            "SELECT id, hub_seq, change FROM sync_shared_deferred ORDER BY hub_seq, id"
        ).fetchall():
            change = json.loads(text)
            try:
                with self._audit.transaction() as tx:
                    if self._incoming(tx, change) is not None:
                        made += 1
                    tx.execute("DELETE FROM sync_shared_deferred WHERE id = ?", [row_id])
            except NotHereYet:
                continue
            except InputError as exc:
                with self._audit.transaction() as tx:
                    self._audit.record(
                        None,
                        "sync.shared_skipped",
                        f"hub change {hub_seq}",
                        {"kind": change.get("kind"), "desk": change.get("station"), "reason": exc.message},
                    )
                    tx.execute("DELETE FROM sync_shared_deferred WHERE id = ?", [row_id])
                self._say_skipped(change, exc)
        with self._store.transaction() as tx:
            state_set(tx, "deferred_roster", roster)
        return made

    def _apply(self, answer: dict[str, Any], *, own_done: bool = False) -> int:
        """Write what a pull brought, in steps of at most :data:`PULL_STEP` visits per transaction (a check-in
        waits behind one step at most); a pull that brought nothing new writes nothing (no write lock). The
        pull's cursor moves only with the last step, so a pull cut short is taken again (each step is
        idempotent: the same visit written twice is one)."""
        me = self._settings.get(DISPATCH_STATION_ID)
        desks = {d.get("station_id"): d.get("station", "") for d in answer.get("desks", [])}
        desk_list = [{"station_id": k, "station": n} for k, n in desks.items()]
        visits = answer.get("visits", [])
        rev = int(answer.get("rev", 0))
        db = self._store.db
        # Another desk's visitor, gone for a day, is no longer anyone's business here (the hub keeps the log).
        cutoff = clock.to_db(self._now() - timedelta(days=REMOTE_KEEP_DAYS))
        stale = db.execute(
            "SELECT 1 FROM sync_remote_visits WHERE checked_out_at IS NOT NULL AND checked_out_at < ? LIMIT 1",
            [cutoff],
        ).fetchone()
        if (
            not visits
            and stale is None
            and int(state_get(db, "pulled_rev", 0)) == rev
            and state_get(db, "pulled_mark") == answer.get("rev_mark")
            and state_get(db, "desks") == desk_list
            and state_get(db, "station_id") == me
            and not own_done
        ):
            return 0  # in step already: not even the write lock
        steps = [visits[at : at + PULL_STEP] for at in range(0, len(visits), PULL_STEP)] or [[]]
        former = frozenset(state_get(db, "former_ids", []))  # this desk's stations before it was enrolled again
        for number, step in enumerate(steps, 1):
            with self._audit.transaction() as db:
                for v in step:
                    self._apply_visit(db, me, desks, v, former)
                if number == len(steps):
                    db.execute(
                        "DELETE FROM sync_remote_visits WHERE checked_out_at IS NOT NULL AND checked_out_at < ?",
                        [cutoff],
                    )
                    _cursor(db, "after", rev, answer.get("rev_mark"))
                    state_set(db, "desks", desk_list)
                    state_set(db, "station_id", me)
                    if own_done:
                        state_set(db, "pull_own", False)
        if visits:
            self.changed.set()
        return len(visits)

    def _apply_visit(
        self, db, me: str, desks: dict[str, str], v: dict[str, Any], former: frozenset[str] = frozenset()
    ) -> None:
        # Made here under a station this desk had before it was enrolled again (former): its own, too. Its closing
        # there by this desk's move to the new station (_station_changed) is not a check-out.
        moved = v["station_id"] in former and v.get("checked_out_by") == me
        if v["station_id"] == me or v["station_id"] in former:
            local = from_hub(db, int(v["visit_id"]))
            if (
                local is not None
                and db.execute(
                    "SELECT 1 FROM visits WHERE id = ? AND badge_code = ?", [local, v.get("badge_code")]
                ).fetchone()
            ):
                # This desk's own visit, checked out at another desk (or here, after the backup this desk
                # was restored from). Its badge says it is the same visit: after a restore, a new visit may
                # hold a lost one's number here until the push renumbers it.
                if v.get("checked_out_at") and not moved:
                    moment = clock.from_db(v["checked_out_at"])
                    where = desks.get(v.get("checked_out_by"), "") or "another desk"
                    closed = self._visits.closed_elsewhere(local, moment, where)  # type: ignore[arg-type]
                    if closed and v["station_id"] in former:
                        # Checked out at another desk under the old station, before this desk moved it: the copy
                        # sent under the new one is closed too.
                        out = {
                            "station_id": "",
                            "visit_id": to_hub(db, local),
                            "checked_out_at": v["checked_out_at"],
                        }
                        db.execute(
                            "INSERT INTO sync_outbox (kind, subject, made_at, body) VALUES (?, ?, ?, ?)",
                            ["visit.check_out", f"visit {local}", v["checked_out_at"], _dumps(out)],
                        )
                        self.outbox.nudge.set()
                return
            # A visit this desk lost to a restore (made after its backup): kept as the hub has it, like
            # another desk's, so it is on this desk's list and roster and can be checked out here.
        db.execute(
            "INSERT INTO sync_remote_visits (station_id, visit_id, station, name, name_key, dob, "
            "category, purpose, host, staff, badge_code, checked_in_at, checked_out_at, checked_out_by, "
            "rev) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(station_id, visit_id) DO UPDATE SET station = excluded.station, "
            "checked_out_at = COALESCE(excluded.checked_out_at, sync_remote_visits.checked_out_at), "
            "checked_out_by = COALESCE(excluded.checked_out_by, sync_remote_visits.checked_out_by), "
            "rev = excluded.rev",
            [
                v["station_id"],
                int(v["visit_id"]),
                v.get("station") or desks.get(v["station_id"], ""),
                v.get("name", ""),
                v.get("name_key", ""),
                v.get("dob"),
                v.get("category", "visitor"),
                v.get("purpose", ""),
                v.get("host", ""),
                v.get("staff", ""),
                v.get("badge_code", ""),
                v.get("checked_in_at", ""),
                v.get("checked_out_at"),
                v.get("checked_out_by"),
                int(v.get("rev", 0)),
            ],
        )

    # --- rounds ---------------------------------------------------------------------------------------
    def round(self, client: HubClient, *, wait: float = 0.0, push: bool = True, pull: bool = True) -> RoundResult:
        """Push everything, pull everything (and the pullers); records the outcome for the status bar.

        Pushing and pulling each hold their own lock, so a long poll never holds up a push.
        """
        pushed = pulled = 0
        try:
            with self._push_lock:
                self._station_changed()
            if push:
                with self._push_lock:
                    self._seed_shared()
                    pushed = self.push(client)
            if pull and not push and state_get(self._store.db, "restored"):
                # Restored from a backup: the push settles the numbering first (see _renumber), so a pull
                # never maps a visit this desk lost onto the new one that took its id.
                with self._push_lock:
                    pushed += self.push(client)
            if pull:
                with self._pull_lock, self._audit.from_hub():
                    pulled = self.pull(client, wait=wait)
                    for puller in self._pullers:
                        pulled += puller.pull(client)
        except HubRefused as exc:
            self._set_state(problem=exc.message)
            raise
        except DeliveryError:
            if state_get(self._store.db, "offline_since") is None:
                self._set_state(offline_since=clock.to_db(self._now()))
            raise
        in_step = self.pending() == 0
        if in_step and (pushed or pull):  # the hub answered this round (a push of nothing asks nobody)
            self._in_step(self._now(), wrote=bool(pushed or pulled))
        return RoundResult(pushed, pulled, in_step)

    def _in_step(self, now: datetime, *, wrote: bool) -> None:
        """Remember that this desk is in step. Kept in memory for this process; written to the database
        (a write lock) when the round wrote anyway, when it ends an offline spell or a refusal, or every
        :data:`LAST_SYNC_EVERY_S` (what another process, ``sync status``, reads)."""
        self._last_sync = now
        db = self._store.db
        stored = clock.from_db(state_get(db, "last_sync"))
        if (
            wrote
            or stored is None
            or (now - stored).total_seconds() >= LAST_SYNC_EVERY_S
            or state_get(db, "offline_since") is not None
            or state_get(db, "problem", "")
        ):
            self._set_state(last_sync=clock.to_db(now), offline_since=None, problem="")

    def sync(self, wait: float, *, poll: float = 0.5) -> tuple[RoundResult, bool]:
        """Rounds until this desk is in step with the hub, for up to ``wait`` seconds (``frontdesk sync``).

        Returns the totals and whether it got in step. A bad address or credential raises at once.
        """
        deadline = time.monotonic() + max(0.0, wait)
        pushed = pulled = 0
        client = self.client()
        client.retry_budget = min(client.retry_budget, max(0.0, wait))  # a busy hub's Retry-After within --wait
        try:
            while True:
                try:
                    result = self.round(client)
                    pushed, pulled = pushed + result.pushed, pulled + result.pulled
                    if result.in_step:
                        return RoundResult(pushed, pulled, True), True
                except HubUnreachable:
                    pass
                if time.monotonic() >= deadline:
                    return RoundResult(pushed, pulled, False), False
                time.sleep(min(poll, max(0.0, deadline - time.monotonic())))
        finally:
            client.close()

    def background(self, client: Callable[[], HubClient] | None = None) -> BackgroundSync:
        """The desk app's sync threads (``start()``, ``stop()``); ``client`` makes their hub clients (the
        desk's own address and credential when not given: benchmarks pass their own)."""
        return BackgroundSync(self, client=client)


# A pull cursor's state keys: its number, the hub's mark with it, and older ones kept with their marks.
_CURSORS = {
    "after": ("pulled_rev", "pulled_mark", "pulled_marks"),
    "shared": ("shared_rev", "shared_mark", "shared_marks"),
}


def _cursor(db, which: str, rev: int, mark: str | None) -> None:
    """Move the ``which`` pull cursor to ``rev`` with the hub's ``mark``, and keep it among the older ones to go
    back to (:meth:`SyncService._rewind`): at most :data:`MARKS_KEPT`, thinned so that they are dense near now
    and sparse further back (the one whose going leaves the smallest gap for its age goes first)."""
    rev_key, mark_key, points_key = _CURSORS[which]
    state_set(db, rev_key, rev)
    state_set(db, mark_key, mark)
    if not mark:
        return
    points = [p for p in state_get(db, points_key, []) if int(p[0]) < rev] + [[rev, mark]]
    while len(points) > MARKS_KEPT:
        newest = points[-1][0]
        drop = min(
            range(1, len(points) - 1),
            key=lambda i: (points[i + 1][0] - points[i - 1][0]) / (newest - points[i][0] + 1),
        )
        del points[drop]
    state_set(db, points_key, points)


def _off(offset: Any) -> int | None:
    """``offset`` (the hub's clock minus this desk's, seconds) when it is more than :data:`CLOCK_OFF_S`."""
    return offset if isinstance(offset, int) and abs(offset) > CLOCK_OFF_S else None


def _one_line(name: Any) -> str:
    """A desk's name as the hub gave it, on one line and at most 100 characters (the status bar shows it)."""
    return " ".join(str(name or "").split())[:100]


def _here(desk: dict, offset: int) -> str | None:
    """A named desk's ``last_synced`` (the hub's clock) on this desk's clock, as kept; None when not said."""
    try:
        hub = clock.from_db(desk.get("last_synced")) if isinstance(desk.get("last_synced"), str) else None
    except ValueError:
        hub = None
    if hub is None or hub.tzinfo is None:  # the hub says its times in UTC ("…Z"): anything else is not said
        return None
    return clock.to_db(hub - timedelta(seconds=offset))


def _older(held: Any) -> tuple[tuple[str, tuple[str, ...], datetime | None], ...] | None:
    """``older_desks`` as kept (``[[station, [kind, …], last synced], …]``; before session 25 without the last)
    → ``SyncStatus.older_desks``."""
    if not isinstance(held, list):
        return None
    return tuple(
        (str(d[0]), tuple(d[1]), clock.from_db(d[2]) if len(d) == 3 and isinstance(d[2], str) else None)
        for d in held
        if isinstance(d, list) and len(d) in (2, 3)
    )


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max(a, b) if a is not None and b is not None else a or b


class BackgroundSync:
    """Two daemon threads: one pushes whenever the outbox grows (and every few seconds), one long-polls."""

    def __init__(
        self,
        service: SyncService,
        *,
        idle: float = 2.0,
        backoff_max: float = 30.0,
        client: Callable[[], HubClient] | None = None,
    ):
        self._service = service
        self._client = client or service.client
        self._idle = idle
        self._backoff_max = backoff_max
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for target, name in ((self._push_loop, "hub-push"), (self._pull_loop, "hub-pull")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._service.outbox.nudge.set()
        for thread in self._threads:
            thread.join(timeout)

    def _loop(self, step: Callable[[HubClient], None], wake: threading.Event | None) -> None:
        service = self._service
        backoff = 1.0
        client: HubClient | None = None
        while not self._stop.is_set():
            try:
                if not service.linked():
                    self._stop.wait(self._idle * 5)
                    continue
                if client is None:
                    client = self._client()
                if wake is not None:
                    wake.clear()  # before the round: an entry made during it wakes the next one at once
                step(client)
                backoff = 1.0
                if wake is not None:
                    wake.wait(self._idle)
            except DeliveryError as exc:
                log.info("hub sync: %s", exc.message)
                if client is not None:
                    client.close()
                    client = None
                self._stop.wait(backoff)
                backoff = min(self._backoff_max, backoff * 2)
            except Exception:  # noqa: BLE001 - a sync bug must never take the desk down; it retries
                log.exception("hub sync failed")
                self._stop.wait(backoff)
                backoff = min(self._backoff_max, backoff * 2)
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()

    def _push_loop(self) -> None:
        self._loop(lambda c: self._service.round(c, pull=False), self._service.outbox.nudge)

    def _pull_loop(self) -> None:
        self._loop(lambda c: self._service.round(c, wait=PULL_WAIT_S, push=False), None)
