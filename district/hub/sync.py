"""The hub's side of desk sync (issue 15): store each desk's changes exactly once, serve a school's visits.

A desk pushes its outbox in order; each change is stored once under ``(station_id, seq)`` (a repeat after a
lost reply is a duplicate, answered the same), and a visit change also updates ``hub_visits``, the school's
one on-site list. A desk pulls the rows of its own school changed after the ``rev`` it last saw. Everything a
desk may do is scoped by its credential: the changes it pushes are stored as its own, a check-out may only
close a visit of its own school, and a pull reads only its school's rows.

On PostgreSQL two hubs may serve side by side: ``rev`` comes from ``hub_changes.hub_seq``, and a push holds
its school's advisory lock until it commits, so a school's revs become visible in order and a reader paging a
school's rows by rev never steps past one committed later (pushes of different schools do not wait on each
other). A push is a few statements whatever its size: one multi-row INSERT per 100 changes, one for the
check-ins, one batched UPDATE for the check-outs.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from district import clock
from district.console.auth import Forbidden, Station, log
from district.console.db import Database, Tx
from district.errors import ConflictError, InputError
from frontdesk.wire import sync as wire

PULL_LIMIT = 1000
STORE_CHUNK = 100  # rows per multi-row INSERT (8-15 parameters each: well under SQLite's limit)
PULL_MARK_EVERY_S = 60.0
OWN_LIMIT = 5000  # a desk's own visits per answer of ``own`` (four short fields each)


class SyncConflict(ConflictError):
    """A desk sent a number the hub already holds for something else (a desk restored from an older backup).

    Answered 409 with ``details`` (``seq``, ``last_seq``, and for a visit ``visit_id`` and ``last_visit_id``):
    the desk renumbers its unsent changes (and visits) above the hub's and sends them again. Nothing of the
    push is stored, so nothing is dropped as a "repeat" that was not one.
    """

    def __init__(self, message: str, details: dict[str, Any]):
        super().__init__(message)
        self.details = details


@dataclass(frozen=True)
class PushResult:
    """What a push stored: the newest seq now safe at the hub, how many were new and how many repeats."""

    acked: int
    stored: int
    duplicates: int

    def as_json(self) -> dict[str, int]:
        return {"acked": self.acked, "stored": self.stored, "duplicates": self.duplicates}


class HubSync:
    """The hub's sync verbs over the console's database."""

    def __init__(self, db: Database):
        self.db = db
        self._pulls: dict[str, tuple[float, int, int | None]] = {}  # station_id -> (when written, rev, takes)
        self._unknown_cursors: set[str] = set()  # desks whose cursor this hub did not give (said once each)

    # --- up ---------------------------------------------------------------------------------------------
    def push(self, station: Station, body: Any) -> PushResult:
        """Store a desk's changes (each once), applying visit changes to the school's list."""
        try:
            claimed, changes = wire.check_push(body)
        except wire.SyncWireError as exc:
            raise InputError(str(exc)) from None
        if claimed and claimed != station.station_id:
            raise Forbidden("a desk pushes only its own changes")
        acked_claim = body.get("acked") if isinstance(body, dict) else None
        if not isinstance(acked_claim, int) or isinstance(acked_claim, bool) or not 0 <= acked_claim < 2**62:
            acked_claim = 0  # a desk from before it said so (or a value that is not a number): nothing to check
        now = clock.to_db(clock.now())
        try:
            with self.db.transaction() as tx:
                stored, duplicates = self._store(tx, station, changes, now, acked_claim)
                top = changes[-1]["seq"] if changes else 0
                acked = tx.one(
                    "INSERT INTO hub_desks (station_id, school, last_seq, last_push_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (station_id) DO UPDATE SET last_seq = CASE WHEN hub_desks.last_seq > "
                    "excluded.last_seq THEN hub_desks.last_seq ELSE excluded.last_seq END, "
                    "last_push_at = excluded.last_push_at RETURNING last_seq",
                    [station.station_id, station.school, top, now],
                )
        except SyncConflict as exc:
            if exc.details.get("hub_behind"):
                self._behind(station, acked_claim, int(exc.details.get("last_seq") or 0))
            raise
        return PushResult(int(acked[0]) if acked else 0, stored, duplicates)

    def _behind(self, station: Station, claimed: int, held: int) -> None:
        """A desk was told more of its changes are stored here than this hub holds: said in the console's log
        (``sync_hub_behind``) and this process's output, so district IT knows the hub went back."""
        with self.db.transaction() as tx:
            log(tx, "sync_hub_behind", station_id=station.station_id, acknowledged=claimed, held=held)
        print(
            f"hub sync: desk {station.station_id} was told its changes up to {claimed} were stored here, but this "
            f"hub holds them only up to {held}: was it restored from an older copy? The desk sends its visits "
            "and its school's decisions again.",
            flush=True,
        )

    def _check_repeat(self, tx: Tx, station: Station, change: dict[str, Any], text: str) -> None:
        """A (station, seq) the hub holds: a true repeat (same change) or a reused number (SyncConflict)."""
        held = tx.one(
            "SELECT kind, subject, body, made_at FROM hub_changes WHERE station_id = ? AND seq = ?",
            [station.station_id, change["seq"]],
        )
        if held is None or (held[0], held[1], held[2], held[3]) == (
            change["kind"],
            change["subject"] or "",
            text,
            change["made_at"],
        ):
            return
        raise SyncConflict(
            f"change {change['seq']} is not the change the hub holds under that number (a desk restored "
            "from an older backup?): renumber the unsent changes",
            {"seq": change["seq"], **self._highest(tx, station)},
        )

    def _highest(self, tx: Tx, station: Station) -> dict[str, int]:
        # As before this push (its own rows, inserted so far in this transaction, are rolled back).
        seq = tx.one("SELECT last_seq FROM hub_desks WHERE station_id = ?", [station.station_id])
        visit = tx.one("SELECT MAX(visit_id) FROM hub_visits WHERE station_id = ?", [station.station_id])
        return {"last_seq": int(seq[0] or 0) if seq else 0, "last_visit_id": int(visit[0] or 0)}

    def _check_visit_ids(self, tx: Tx, station: Station, check_ins: list[dict[str, Any]]) -> None:
        """A check-in whose visit id the hub holds for another visit (a restored desk reusing its ids): 409."""
        wanted = {c["body"]["visit"]["visit_id"]: c for c in check_ins}
        ids = list(wanted)
        for chunk in range(0, len(ids), STORE_CHUNK):
            part = ids[chunk : chunk + STORE_CHUNK]
            marks = ", ".join(["?"] * len(part))
            for visit_id, badge, checked_in_at in tx.all(
                "SELECT visit_id, badge_code, checked_in_at FROM hub_visits "
                f"WHERE station_id = ? AND visit_id IN ({marks})",
                [station.station_id, *part],
            ):
                change = wanted[int(visit_id)]
                v = change["body"]["visit"]
                if (badge, checked_in_at) != (v["badge_code"], v["checked_in_at"]):
                    raise SyncConflict(
                        f"visit {v['visit_id']} of this desk is another visit at the hub (a desk restored from an "
                        "older backup?): renumber the unsent visits",
                        {"seq": change["seq"], "visit_id": v["visit_id"], **self._highest(tx, station)},
                    )

    def _store(
        self, tx: Tx, station: Station, changes: list[dict[str, Any]], now: str, acked_claim: int = 0
    ) -> tuple[int, int]:
        """Store a push's changes (each once) and apply the new ones to ``hub_visits``: a few statements for
        the whole push, not a few per change. Returns ``(stored, duplicates)``.

        ``acked_claim``: the newest of its changes the desk was told are stored here. More than this hub holds
        for it means the hub lost changes it had acknowledged (its database restored from an older copy): 409
        ``hub_behind`` with what it holds, and the desk sends again what the hub lacks (its visits as they are
        now), before anything of this push is stored."""
        rows, texts = [], {}
        for change in changes:
            text = json.dumps(change["body"], ensure_ascii=False, separators=(",", ":"))
            texts[change["seq"]] = text
            if len(text) > wire.MAX_BODY:
                raise InputError(f"change {change['seq']} is larger than {wire.MAX_BODY} characters")
            rows.append(
                [
                    station.station_id,
                    change["seq"],
                    station.school,
                    change["kind"],
                    change["subject"] or "",
                    text,
                    change["made_at"],
                    now,
                ]
            )
        # Revs must become visible in order within a school (a desk pulls its school's rows by rev). On
        # PostgreSQL pushes of one school queue on that school's advisory lock until commit; other schools'
        # pushes go on beside them. SQLite already holds its one write lock.
        tx.lock_key(f"hub_sync:{station.school}")
        acked = tx.one("SELECT last_seq FROM hub_desks WHERE station_id = ?", [station.station_id])
        acked_before = int(acked[0] or 0) if acked else 0
        if acked_claim > acked_before:
            newest = tx.one(
                "SELECT made_at FROM hub_changes WHERE station_id = ? AND seq = ?",
                [station.station_id, acked_before],
            )
            raise SyncConflict(
                f"this hub holds this desk's changes up to {acked_before}, but acknowledged up to {acked_claim} "
                "(its database was restored from an older copy?): send again what it lacks",
                # last_made_at: when the desk made the newest of its changes this hub holds (its own clock), so it
                # can send again the records it made since (None: nothing held, or removed by retention).
                {"hub_behind": True, "last_seq": acked_before, "last_made_at": newest[0] if newest else None},
            )
        revs: dict[int, int] = {}
        for chunk in range(0, len(rows), STORE_CHUNK):
            part = rows[chunk : chunk + STORE_CHUNK]
            values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(part))
            for seq, hub_seq in tx.all(
                "INSERT INTO hub_changes (station_id, seq, school, kind, subject, body, made_at, received_at) "
                f"VALUES {values} ON CONFLICT (station_id, seq) DO NOTHING RETURNING seq, hub_seq",
                [x for row in part for x in row],
            ):
                revs[int(seq)] = int(hub_seq)
        new, seen = [], set()
        for c in changes:  # a seq sent twice in one push is stored (and applied) once, like one sent again later
            if c["seq"] in revs and c["seq"] not in seen:
                if c["seq"] <= acked_before:
                    # A number the hub acknowledged once but no longer holds (retention removed it): never
                    # stored again as new (it would bring purged history back); the desk renumbers (409).
                    raise SyncConflict(
                        f"change {c['seq']} was acknowledged before and has since been removed at the hub: "
                        "renumber the unsent changes",
                        {"seq": c["seq"], **self._highest(tx, station)},
                    )
                seen.add(c["seq"])
                new.append(c)
            elif c["seq"] not in revs:
                # Held already: a true repeat (a lost reply), or a number reused by a restored desk (409).
                self._check_repeat(tx, station, c, texts[c["seq"]])
        self._apply(tx, station, new, revs)
        if revs:
            # This push's numbers, marked (see hub_push_marks): a desk's cursor in them is checked by the mark.
            tx.execute(
                "INSERT INTO hub_push_marks (school, first_seq, last_seq, mark, at) VALUES (?, ?, ?, ?, ?)",
                [station.school, min(revs.values()), max(revs.values()), secrets.token_hex(8), now],
            )
        return len(new), len(changes) - len(new)

    def _apply(self, tx: Tx, station: Station, changes: list[dict[str, Any]], revs: dict[int, int]) -> None:
        """Apply new visit changes to ``hub_visits`` (check-ins first: a check-out in the same push may
        close a visit checked in by it; a visit's id is made at its check-in, so never the other way)."""
        check_ins, check_outs = [], []
        self._check_visit_ids(tx, station, [c for c in changes if c["kind"] == "visit.check_in"])
        for change in changes:
            kind, body, rev = change["kind"], change["body"], revs[change["seq"]]
            if kind == "visit.check_in":
                v = body["visit"]
                check_ins.append(
                    [
                        station.station_id,
                        v["visit_id"],
                        station.school,
                        v["name"],
                        v["name_key"],
                        v["dob"],
                        v["category"],
                        v["purpose"],
                        v["host"],
                        v["staff"],
                        v["badge_code"],
                        v["checked_in_at"],
                        v["checked_out_at"],
                        station.station_id if v["checked_out_at"] else None,
                        rev,
                    ]
                )
            elif kind in wire.CHECK_OUT_KINDS:
                check_outs.append(
                    [
                        body["checked_out_at"],
                        body["checked_out_at"],
                        station.station_id,
                        rev,
                        body["station_id"] or station.station_id,  # "" is the pushing desk's own visit
                        body["visit_id"],
                        station.school,
                    ]
                )
        for chunk in range(0, len(check_ins), STORE_CHUNK):
            part = check_ins[chunk : chunk + STORE_CHUNK]
            values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(part))
            tx.execute(
                "INSERT INTO hub_visits (station_id, visit_id, school, name, name_key, dob, category, purpose, "
                "host, staff, badge_code, checked_in_at, checked_out_at, checked_out_by, rev) "
                f"VALUES {values} ON CONFLICT (station_id, visit_id) DO NOTHING",
                [x for row in part for x in row],
            )
        if check_outs:
            # Only a visit of the pusher's own school; the first check-out stands (two desks, one exit). Never
            # before the check-in: a desk whose clock is behind the one that checked the visitor in stamps the
            # exit minutes before the entry (it is then recorded at the check-in's time).
            tx.executemany(
                "UPDATE hub_visits SET checked_out_at = CASE WHEN ? < checked_in_at THEN checked_in_at "
                "ELSE ? END, checked_out_by = ?, rev = ? "
                "WHERE station_id = ? AND visit_id = ? AND school = ? AND checked_out_at IS NULL",
                check_outs,
            )

    # --- across -----------------------------------------------------------------------------------------
    def newest_rev(self, school: str) -> int:
        """The newest rev of a school's visits (0 when it has none)."""
        row = self.db.read().one("SELECT MAX(rev) FROM hub_visits WHERE school = ?", [school])
        return int(row[0]) if row and row[0] is not None else 0

    def news(self, station: Station, after: int, shared: int) -> int:
        """1 when the school has a visit changed after ``after``, or another desk of the school pushed a shared
        change (``wire.SHARED_KINDS``) after ``shared``; else 0 (a long poll's check, one call for both)."""
        if self.newest_rev(station.school) > after:
            return 1
        marks = ", ".join(["?"] * len(wire.SHARED_KINDS))
        row = self.db.read().one(
            "SELECT 1 FROM hub_changes WHERE school = ? AND hub_seq > ? AND station_id != ? "
            f"AND kind IN ({marks}) LIMIT 1",
            [station.school, shared, station.station_id, *wire.SHARED_KINDS],
        )
        return 1 if row else 0

    # --- marks: is a desk's cursor one this hub gave? ---------------------------------------------------------
    @staticmethod
    def _mark_of(tx: Tx, school: str, rev: int) -> str | None:
        """The mark of the push whose numbers hold ``rev`` in ``school`` (``"first.mark"``), or None (rev 0, or
        a number from before pushes were marked)."""
        if rev <= 0:
            return None
        row = tx.one(
            "SELECT first_seq, mark FROM hub_push_marks WHERE school = ? AND first_seq <= ? AND last_seq >= ? "
            "ORDER BY first_seq DESC LIMIT 1",
            [school, rev, rev],
        )
        return f"{int(row[0])}.{row[1]}" if row else None

    @staticmethod
    def _marks_between(tx: Tx, school: str, low: int, high: int) -> list[tuple[int, int, str]]:
        """``(first, last, mark)`` of the school's marked pushes that hold numbers from ``low`` to ``high``."""
        return [
            (int(r[0]), int(r[1]), r[2])
            for r in tx.all(
                "SELECT first_seq, last_seq, mark FROM hub_push_marks WHERE school = ? AND first_seq <= ? "
                "AND last_seq >= ? ORDER BY first_seq",
                [school, high, low],
            )
        ]

    @staticmethod
    def _held(tx: Tx, school: str, rev: int, mark: str | None) -> bool:
        """Whether a desk's cursor ``rev`` with the ``mark`` this hub gave it is still this hub's: the push
        that mark names is here, with that mark, and holds ``rev``. No mark to check (a desk from before marks,
        a cursor from before pushes were marked), or a push older than every one kept (retention): held."""
        if not mark:
            return True
        first_text, _, secret = mark.partition(".")
        if not first_text.isdigit() or len(first_text) > 18 or not secret:  # not one this hub gave
            return False
        first = int(first_text)
        row = tx.one(
            "SELECT last_seq, mark FROM hub_push_marks WHERE school = ? AND first_seq = ?", [school, first]
        )
        if row is not None:
            return row[1] == secret and first <= rev <= int(row[0])
        oldest = tx.one("SELECT MIN(first_seq) FROM hub_push_marks WHERE school = ?", [school])
        return oldest is not None and oldest[0] is not None and first < int(oldest[0])

    def _check_cursors(
        self,
        tx: Tx,
        station: Station,
        after: int,
        after_mark: str | None,
        shared: int | None,
        shared_mark: str | None,
    ) -> None:
        for name, rev, mark in (("after", after, after_mark), ("shared", shared, shared_mark)):
            if rev is not None and not self._held(tx, station.school, rev, mark):
                self._cursor_unknown(station, name, rev)
                raise SyncConflict(
                    f"this hub never gave the {name} cursor {rev} it was sent with that mark (its database was "
                    "restored from an older copy?): go back to an older cursor",
                    {"cursor": name, "rev": rev},
                )

    def _cursor_unknown(self, station: Station, name: str, rev: int) -> None:
        """A desk's cursor this hub did not give: said once per desk and hub process in the console's log
        (``sync_cursor_unknown``) and this process's output, so district IT knows the hub went back (the desk goes
        back to an older cursor on its own, perhaps in several steps: only the first is said)."""
        if station.station_id in self._unknown_cursors:
            return
        self._unknown_cursors.add(station.station_id)
        with self.db.transaction() as tx:
            log(tx, "sync_cursor_unknown", station_id=station.station_id, cursor=name, rev=rev)
        print(
            f"hub sync: desk {station.station_id} pulls from {name} {rev} with a mark this hub does not hold: was "
            "it restored from an older copy? The desk goes back to an older cursor and takes what came since.",
            flush=True,
        )

    def own(self, station: Station, after: int, *, limit: int = OWN_LIMIT) -> dict[str, Any]:
        """This desk's own visits as the hub holds them, by visit id after ``after``: ``visit_id``,
        ``badge_code``, ``checked_in_at``, ``checked_out_at`` (a desk that found the hub behind compares them
        with its own and sends again what the hub lacks)."""
        rows = self.db.read().all(
            "SELECT visit_id, badge_code, checked_in_at, checked_out_at FROM hub_visits "
            "WHERE station_id = ? AND visit_id > ? ORDER BY visit_id LIMIT ?",
            [station.station_id, after, limit + 1],
        )
        keys = ("visit_id", "badge_code", "checked_in_at", "checked_out_at")
        visits = [dict(zip(keys, (int(r[0]), r[1], r[2], r[3]), strict=True)) for r in rows[:limit]]
        return {"visits": visits, "more": len(rows) > limit}

    def _shared(self, tx: Tx, station: Station, after: int, own: bool, limit: int) -> dict[str, Any]:
        """The school's shared changes after ``after`` (hub order), from its other desks (and its own with
        ``own``). ``shared_rev`` moves past every change of the school read, shared or not, so the next long
        poll looks only at what came since."""
        marks = ", ".join(["?"] * len(wire.SHARED_KINDS))
        rows = tx.all(
            "SELECT c.hub_seq, c.station_id, c.kind, c.subject, c.made_at, "
            f"CASE WHEN c.kind IN ({marks}) THEN c.body END, COALESCE(s.name, '') "
            "FROM hub_changes c LEFT JOIN stations s ON s.station_id = c.station_id "
            "WHERE c.school = ? AND c.hub_seq > ? ORDER BY c.hub_seq LIMIT ?",
            [*wire.SHARED_KINDS, station.school, after, limit + 1],
        )
        more = len(rows) > limit
        rows = rows[:limit]
        marks = self._marks_between(tx, station.school, int(rows[0][0]), int(rows[-1][0])) if rows else []

        def mark(hub_seq: int) -> str | None:
            for first, last, secret in marks:
                if first <= hub_seq <= last:
                    return f"{first}.{secret}"
            return None

        shared = [
            {
                "hub_seq": int(r[0]),
                "mark": mark(int(r[0])),
                "station_id": r[1],
                "station": r[6],
                "kind": r[2],
                "subject": r[3],
                "made_at": r[4],
                "body": json.loads(r[5]),
            }
            for r in rows
            if r[5] is not None and (own or r[1] != station.station_id)
        ]
        rev = int(rows[-1][0]) if rows else after
        return {
            "shared": shared,
            "shared_rev": rev,
            "shared_mark": mark(rev) if rows else self._mark_of(tx, station.school, rev),
            "shared_more": more,
        }

    def pull(
        self,
        station: Station,
        after: int,
        own: bool = False,
        shared: int | None = None,
        after_mark: str | None = None,
        shared_mark: str | None = None,
        takes: int | None = None,
        *,
        limit: int = PULL_LIMIT,
    ) -> dict[str, Any]:
        """The school's visits changed after ``after`` (not the desk's own, unless another desk closed one, or
        ``own``: a desk restored from an older backup takes its own back once, to find the visits it lost).
        With ``shared`` (a desk that shares its school's own records): the school's shared changes after it too
        (see :meth:`_shared`). ``after_mark`` and ``shared_mark``: the marks this hub gave with those cursors; a
        cursor this hub did not give (:meth:`_held`) is answered 409 ``cursor``, and the desk goes back to an
        older one. ``takes``: the level of the school's shared records the desk takes (``wire.takes_level``),
        kept for it (None: not known, kept as it was); the answer's ``older_desks`` names the school's other desks
        whose kept level misses some of them, with when each last synced (``last_synced``: its newest push or
        pull)."""
        tx = self.db.read()
        self._check_cursors(tx, station, after, after_mark, shared, shared_mark)
        rows = tx.all(
            "SELECT v.station_id, v.visit_id, v.name, v.name_key, v.dob, v.category, v.purpose, v.host, v.staff, "
            "v.badge_code, v.checked_in_at, v.checked_out_at, v.checked_out_by, v.rev, COALESCE(s.name, '') "
            "FROM hub_visits v LEFT JOIN stations s ON s.station_id = v.station_id "
            "WHERE v.school = ? AND v.rev > ? ORDER BY v.rev LIMIT ?",
            [station.school, after, limit + 1],
        )
        more = len(rows) > limit
        rows = rows[:limit]
        visits = []
        for r in rows:
            mine = r[0] == station.station_id
            if mine and not own and (r[12] is None or r[12] == station.station_id):
                continue  # the desk's own visit, as it already has it
            visits.append(
                {
                    "station_id": r[0],
                    "visit_id": int(r[1]),
                    "name": r[2],
                    "name_key": r[3],
                    "dob": r[4],
                    "category": r[5],
                    "purpose": r[6],
                    "host": r[7],
                    "staff": r[8],
                    "badge_code": r[9],
                    "checked_in_at": r[10],
                    "checked_out_at": r[11],
                    "checked_out_by": r[12],
                    "rev": int(r[13]),
                    "station": r[14],
                }
            )
        rev = int(rows[-1][13]) if rows else after
        school_desks = tx.all(
            "SELECT s.station_id, s.name, d.takes, d.last_pull_at, d.last_push_at FROM stations s "
            "LEFT JOIN hub_desks d ON d.station_id = s.station_id "
            "WHERE s.school = ? AND s.revoked_at IS NULL ORDER BY s.name",
            [station.school],
        )
        desks = [{"station_id": d[0], "station": d[1]} for d in school_desks]
        older = [
            {
                "station_id": d[0],
                "station": d[1],
                "takes": int(d[2]),
                "misses": list(missed),
                "last_synced": max(filter(None, d[3:5]), default=None),  # the same text form: ordered as times
            }
            for d in school_desks
            if d[0] != station.station_id and d[2] is not None and (missed := wire.kinds_missed(int(d[2])))
        ]
        now = clock.now()
        seen = self._pulls.get(station.station_id)
        if (
            seen is None
            or seen[1] != rev
            or (takes is not None and seen[2] != takes)
            or time.monotonic() - seen[0] > PULL_MARK_EVERY_S
        ):
            self._mark_pull(station, rev, now, takes)
        answer = {
            "visits": visits,
            "rev": rev,
            "rev_mark": self._mark_of(tx, station.school, rev),
            "more": more,
            "desks": desks,
            "older_desks": older,
            "server_time": clock.to_db(now),
        }
        if shared is not None:
            answer.update(self._shared(tx, station, shared, own, limit))
        return answer

    def _mark_pull(self, station: Station, rev: int, now: Any, takes: int | None = None) -> None:
        # Written when the desk's cursor or level moves, else once a minute: a long poll is not a write each time.
        self._pulls[station.station_id] = (time.monotonic(), rev, takes)
        with self.db.transaction() as wtx:
            # Bookkeeping for the district's views, not a change anyone was promised: on PostgreSQL it does
            # not wait for its own WAL flush (a crash may lose the newest mark; the next pull writes it again).
            wtx.relaxed_commit()
            wtx.execute(
                "INSERT INTO hub_desks (station_id, school, last_pull_at, pulled_rev, takes) "
                "VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (station_id) DO UPDATE SET last_pull_at = excluded.last_pull_at, "
                "pulled_rev = excluded.pulled_rev, takes = COALESCE(excluded.takes, hub_desks.takes)",
                [station.station_id, station.school, clock.to_db(now), rev, takes],
            )

    def on_site(self, school: str) -> list[dict[str, Any]]:
        """Everyone on site at a school now, by every desk (the hub's view; ``district onsite`` reads this)."""
        rows = self.db.read().all(
            "SELECT v.station_id, COALESCE(s.name, ''), v.visit_id, v.name, v.category, v.purpose, v.host, "
            "v.badge_code, v.checked_in_at FROM hub_visits v LEFT JOIN stations s ON s.station_id = v.station_id "
            "WHERE v.school = ? AND v.checked_out_at IS NULL ORDER BY v.checked_in_at",
            [school],
        )
        keys = ("station_id", "station", "visit_id", "name", "category", "purpose", "host", "badge_code")
        return [{**dict(zip(keys, r[:8], strict=True)), "checked_in_at": r[8]} for r in rows]
