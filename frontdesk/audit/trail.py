"""An append-only, hash-chained audit trail in the store, with an anchor file that catches truncation.

Each record commits to the one before: its ``hash`` is the SHA-256 of a canonical serialisation of
``(seq, time, actor, action, subject, details, prev_hash)``, and ``prev_hash`` is the previous record's
hash (64 zeros for the first). Changing, deleting or reordering any record breaks the chain from there on.

Deleting records at the *end* leaves a shorter chain that is still valid, so after each commit the newest
``(seq, hash)`` is also written to ``audit-anchor.json`` next to the database: a chain that stops before
the anchor, or disagrees with it, was cut. An anchor naming a record the chain does not hold is kept (never
written over by a later commit: that would erase the evidence); only :meth:`AuditTrail.reanchor` (a
deliberate restore) replaces it. What this cannot catch: someone able to write both the
database and the anchor file can rebuild the whole chain from the point they changed (SHA-256 is not a
secret); compare the head with one kept elsewhere (``frontdesk audit head``, ``verify --expect``) for that.
The newest records appended inside another service's own transaction are anchored at the next commit of
the trail, so cutting just those is not caught until then.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring as _enc
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from frontdesk import clock
from frontdesk.access.roles import Action
from frontdesk.audit import coverage
from frontdesk.audit.migrations import ACCOUNTS_WHERE, SETTINGS_WHERE
from frontdesk.text import SafeCsvWriter

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.audit.verify_result import VerifyResult  # with verify(), never on the first screen
    from frontdesk.store import Store
    from frontdesk.store.database import Database

GENESIS = "0" * 64
ANCHOR_NAME = "audit-anchor.json"
_ANCHOR_BYTES = 128  # the anchor is padded to this length, so a shorter one never leaves a stale tail
_COLUMNS = "seq, time, actor, action, subject, details, prev_hash, hash"
_HEAD = "audit.head"  # the key of ``(seq, hash)`` of the newest record in a transaction's memo (see _append)
_BASE = "audit.base"  # and of the record its first record chained onto, as read under the write lock


def canonical_details(details: Mapping[str, Any] | None) -> str:
    """Details as the one JSON text that is stored and hashed (sorted keys, no spaces)."""
    return json.dumps(dict(details or {}), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _parse_anchor(data: bytes) -> tuple[int, str] | None:
    """``(seq, hash)`` of an anchor file's bytes, or None if they are not one."""
    try:
        found = json.loads(data)
        return int(found["seq"]), str(found["hash"])
    except (ValueError, KeyError, TypeError):
        return None


def record_hash(seq: int, time: str, actor: str, action: str, subject: str, details: str, prev_hash: str) -> str:
    """The SHA-256 (hex) a record stores, over its fields as stored (``details`` is canonical JSON text).

    The text hashed is ``json.dumps([seq, time, actor, action, subject, details, prev_hash],
    ensure_ascii=False)``: a JSON array is unambiguous where joining with a separator would not be. It is
    written out with json's own string encoder, which gives the same text three times faster (this is
    what bounds ``audit verify``).
    """
    text = (
        f"[{int(seq)}, {_enc(time)}, {_enc(actor)}, {_enc(action)}, {_enc(subject)}, {_enc(details)}, "
        f"{_enc(prev_hash)}]"
    )
    return coverage.sha256_hex(text.encode())


@dataclass(frozen=True)
class AuditRecord:
    """One entry of the audit trail."""

    seq: int
    time: datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    prev_hash: str
    hash: str
    # What the change wrote, as its writer already holds it (a check-in's Visit), for the listeners only:
    # never stored nor hashed, and None for a record read back from the trail.
    about: Any = field(default=None, compare=False, repr=False)


def _record(row: tuple) -> AuditRecord:
    return AuditRecord(
        seq=row[0],
        time=clock.from_db(row[1]),  # type: ignore[arg-type]
        actor=row[2],
        action=row[3],
        subject=row[4],
        details=json.loads(row[5]),
        prev_hash=row[6],
        hash=row[7],
    )


class AuditTrail:
    """Appends records, lists and exports them, and verifies the chain.

    ``record`` is open to every service (call it inside your own transaction so the change and its
    record commit together, or use :meth:`transaction`). Reading, exporting and verifying need
    :attr:`Action.VIEW_AUDIT` when a ``session`` is given.
    """

    def __init__(
        self,
        store: Store,
        *,
        session: Session | None = None,
        now: Callable[[], datetime] = clock.now,
    ):
        self._store = store
        self._session = session
        self._now = now
        self.anchor_path = Path(store.data_dir) / ANCHOR_NAME
        self._anchored = 0  # the newest seq this object wrote to the anchor file
        # Set when this object found no readable anchor file although the chain already held records (so the
        # file was deleted or spoilt): its own first commit writes a new one, and verify must still say so.
        self._anchor_lost: int | None = None
        self._found_head: int | None = None  # the chain's head when this object first appended (0: empty)
        self._listeners: list[Callable[[Any, AuditRecord], None]] = []
        self._from_hub = threading.local()  # set on a thread while it writes what the district hub sent

    def add_listener(self, listener: Callable[[Any, AuditRecord], None]) -> None:
        """Call ``listener(db, record)`` after each record is appended, inside the same transaction (sync's
        outbox: every change passes here with its record, so the change and its way up commit together)."""
        self._listeners.append(listener)

    @contextmanager
    def from_hub(self) -> Iterator[None]:
        """On this thread, the records written inside describe what came down from the district hub (the
        school's other desks' visits, the district's lists and settings): listeners are not told of them, so
        nothing the hub sent goes up to it again. Other threads (a check-in meanwhile) are told as always."""
        before = getattr(self._from_hub, "on", False)
        self._from_hub.on = True
        try:
            yield
        finally:
            self._from_hub.on = before

    # --- writing ------------------------------------------------------------------------------------
    def record(
        self,
        actor: str | None,
        action: str,
        subject: str = "",
        details: Mapping[str, Any] | None = None,
        *,
        covers: tuple[str, int] | None = None,
        was: str | None = None,
        written: Sequence[Any] | None = None,
        about: Any = None,
    ) -> AuditRecord:
        """Append one record and return it. ``actor`` None means the session's current actor.

        Inside a transaction the caller opened, the record joins it (and commits or rolls back with the
        change it describes); otherwise it is committed on its own at once. ``covers`` names the row the
        change wrote (``("visits", 12)``): the record then carries the hash of its content as it is now (see
        :mod:`frontdesk.audit.coverage`), and ``was``, its hash before the change. ``written``: the row's
        covered values exactly as the caller just inserted them (``coverage.COVERED`` order, the values SQLite
        returns), hashed without reading the row back.
        """
        if actor is None:
            actor = self._session.actor_name if self._session is not None else "system"
        db = self._store.db
        if db.conn.in_transaction:
            return self._append(
                db, actor, action, subject, self._covering(db, details, covers, was, written), about
            )
        with self.transaction() as db:
            return self._append(
                db, actor, action, subject, self._covering(db, details, covers, was, written), about
            )

    @staticmethod
    def _covering(db, details, covers, was, written=None) -> Mapping[str, Any] | None:
        if covers is None:
            return details
        table, row_id = covers
        content = coverage.row_hash(written) if written is not None else coverage.content_hash(db, table, row_id)
        out = {**(details or {}), "row": f"{table}:{row_id}", "content": content}
        if was is not None:
            out["was"] = was
        return out

    def content_hash(self, table: str, row_id: int) -> str:
        """The hash of a covered row as it is now, read in the caller's transaction (for ``was``)."""
        return coverage.content_hash(self._store.db, table, row_id)

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """``BEGIN IMMEDIATE`` … commit, then refresh the anchor: for a change and its audit records.

        Inside a transaction already open, it joins it (the outermost one refreshes the anchor).
        """
        outermost = not self._store.db.conn.in_transaction
        head = base = None
        with self._store.transaction() as db:
            yield db
            if outermost and db.tx_memo is not None:
                head, base = db.tx_memo.get(_HEAD), db.tx_memo.get(_BASE)
        if head is not None:  # the newest record this transaction appended: committed now, no need to read it
            self._anchor(*head, base=base)
        elif outermost:
            self.refresh_anchor()

    def _append(self, db, actor: str, action: str, subject: str, details, about: Any = None) -> AuditRecord:
        moment = self._now()
        # Inside a write transaction the store opened, the head this transaction appended last is remembered
        # (no other connection can append while it holds the lock): the second record of a check-in does not
        # read it back.
        memo = getattr(db, "tx_memo", None)
        head = memo.get(_HEAD) if memo is not None else None
        if head is None:
            head = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            if memo is not None:
                memo[_BASE] = tuple(head) if head else (0, GENESIS)
        seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
        if self._found_head is None:
            self._found_head = seq - 1
        time, text = clock.to_db(moment), canonical_details(details)
        digest = record_hash(seq, time, actor, action, subject, text, prev)
        db.execute(
            f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [seq, time, actor, action, subject, text, prev, digest],
        )
        if memo is not None:
            memo[_HEAD] = (seq, digest)
        record = AuditRecord(seq, moment, actor, action, subject, json.loads(text), prev, digest, about)
        if not getattr(self._from_hub, "on", False):
            for listener in self._listeners:
                listener(db, record)
        return record

    def refresh_anchor(self) -> None:
        """Write the newest committed ``(seq, hash)`` to the anchor file (if newer than the one written last)."""
        if self._store.db.conn.in_transaction:
            # Inside a transaction the head may not be committed yet: an anchor naming a record later rolled back
            # would now be kept as evidence of a cut (see _anchor). The commit of the trail after it anchors.
            return
        row = self._store.db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        if row is not None:
            self._anchor(row[0], row[1])

    def _anchor(self, seq: int, digest: str, base: tuple[int, str] | None = None) -> None:
        """Write ``(seq, digest)``, a committed record, to the anchor file unless an equal or newer one was, or
        the file names a record the chain does not hold. ``base``: the record the committed ones chained onto
        (when it is the anchored one, the chain holds it: no need to look)."""
        if seq <= self._anchored:
            return
        # One fixed-length write at offset 0, no rename: a rename makes ext4 flush the file (milliseconds on
        # every check-in), while a write this small lands within one disk sector, old or new, never half.
        fd = os.open(self.anchor_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            held = _parse_anchor(os.pread(fd, _ANCHOR_BYTES, 0))
            if held is None and self._found_head and self._anchor_lost is None:
                self._anchor_lost = self._found_head  # records before this program's, and no anchor named any
            if held is not None and held != (seq, digest) and held != base:
                if not self._holds(*held):
                    # The anchor names a record this database does not hold: its tail was cut, or an older
                    # copy was put in its place. That is what verify reports; writing over it would erase the
                    # evidence (at the next commit: the sign-in `audit verify --user` records). Only a
                    # restore re-anchors.
                    return
                if held[0] > seq:  # another process anchored a newer record already
                    return
            # Another process may still write an older anchor over a newer one between the read above and the
            # write; that only shortens the tail that truncation is checked on (verify accepts records after
            # the anchor), it never raises a false alarm.
            os.pwrite(fd, json.dumps({"seq": seq, "hash": digest}).ljust(_ANCHOR_BYTES).encode(), 0)
        finally:
            os.close(fd)
        self._anchored = seq

    def _holds(self, seq: int, digest: str) -> bool:
        """True if the chain holds record ``seq`` with this hash, or retention removed it behind a checkpoint."""
        row = self._store.db.execute("SELECT hash FROM audit_log WHERE seq = ?", [seq]).fetchone()
        if row is not None:
            return row[0] == digest
        checkpoint = self.checkpoint()
        return checkpoint is not None and (seq < checkpoint[0] or checkpoint == (seq, digest))

    def reanchor(self) -> None:
        """Anchor the current head even if it is older than the anchor (after a deliberate restore only)."""
        self._anchor_lost = None
        row = self._store.db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        if row is None:
            self.anchor_path.unlink(missing_ok=True)
            self._anchored = 0
            return
        text = json.dumps({"seq": row[0], "hash": row[1]})
        fd = os.open(self.anchor_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, text.ljust(_ANCHOR_BYTES).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        self._anchored = row[0]

    def checkpoint(self) -> tuple[int, str] | None:
        """The newest retention checkpoint ``(seq, hash)``: records up to ``seq`` were removed."""
        row = self._store.db.execute(
            "SELECT seq, hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return (row[0], row[1]) if row else None

    # The newest record that retention may remove at a cut-off: the last before the first record stamped at or
    # after it (a clock wrong for a while stamps years-old times on records of today: the cut stops at the first
    # young record, never reaching past it), and never the newest record (the chain keeps a head to append to
    # and to anchor). ``(seq, hash)``, or no row. The first young record is found walking the chain from its
    # start (``+time`` keeps the planner off the time index, whatever its statistics: a range over it would
    # be every young record, years of them, inside retention's write transaction); the walk passes only the
    # records that go.
    OLD_HEAD = (
        "SELECT seq, hash FROM audit_log WHERE time < ?1 AND seq < (SELECT max(seq) FROM audit_log) "
        "AND seq < COALESCE((SELECT seq FROM audit_log WHERE +time >= ?1 ORDER BY seq LIMIT 1), "
        "9223372036854775807) "
        "ORDER BY seq DESC LIMIT 1"
    )

    def remove_before(self, cutoff: datetime) -> int:
        """Remove the records older than ``cutoff`` behind a checkpoint (retention); returns how many.

        Call inside :meth:`transaction`. The newest record removed becomes the checkpoint; an
        ``audit.checkpoint`` record appended at once names it, so ``verify`` still walks an unbroken chain.
        """
        db = self._store.db
        row = db.execute(self.OLD_HEAD, [clock.to_db(cutoff)]).fetchone()
        if row is None:
            return 0
        seq, digest = row
        removed = db.execute("SELECT count(*) FROM audit_log WHERE seq <= ?", [seq]).fetchone()[0]
        settings = self._settings_upto(db, seq)  # what the removed records said of the settings table
        accounts = self._accounts_upto(db, seq)  # and of each staff account (its sign-in compares with it)
        db.execute(
            "INSERT INTO audit_checkpoints (seq, hash, time, removed) VALUES (?, ?, ?, ?)",
            [seq, digest, clock.to_db(self._now()), removed],
        )
        db.execute("DELETE FROM audit_log WHERE seq <= ?", [seq])
        details = {"seq": seq, "hash": digest, "removed": removed, "settings": settings}
        if accounts:
            details["accounts"] = accounts
        self._append(db, "system", "audit.checkpoint", f"record {seq}", details)
        return removed

    @staticmethod
    def _settings_upto(db, seq: int) -> dict[str, Any]:
        """What the records up to ``seq`` (and the newest checkpoint's record, which carries what the records
        before it said) say each setting holds (:class:`coverage.AuditedSettings`)."""
        rows = db.execute(
            f"SELECT action, subject, details FROM audit_log WHERE {SETTINGS_WHERE} "
            "AND (seq <= ? OR action = 'audit.checkpoint') ORDER BY seq",
            [seq],
        )
        return coverage.audited_settings((a, s, json.loads(d)) for a, s, d in rows)

    @staticmethod
    def _accounts_upto(db, seq: int) -> dict[str, dict[str, str]]:
        """``{username: {"row": "users:N", "content": hash}}``: what the records up to ``seq`` (and the newest
        checkpoint's record, which carries what the records before it said) say each staff account holds."""
        out: dict[str, dict[str, str]] = {}
        row = db.execute(
            f"SELECT details FROM audit_log WHERE {SETTINGS_WHERE} AND action = 'audit.checkpoint' "
            "ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        if row is not None and isinstance(json.loads(row[0]).get("accounts"), dict):
            out.update(json.loads(row[0])["accounts"])
        for subject, details in db.execute(
            f"SELECT subject, details FROM audit_log WHERE {ACCOUNTS_WHERE} AND seq <= ? ORDER BY seq", [seq]
        ):
            found = json.loads(details)
            if isinstance(found.get("row"), str):
                out[subject] = {"row": found["row"], "content": found.get("content", "")}
        return out

    def settings_records(self, after: int = 0) -> list[tuple[int, str, str, dict]]:
        """``(seq, action, subject, details)`` of the records after ``after`` that say what the settings table
        holds (:class:`coverage.AuditedSettings`), oldest first, through their own small index. Read by the desk's
        own checks (``Settings.get``, ``Settings.restore_audited``), not a person's: no role is asked."""
        rows = self._store.db.execute(
            f"SELECT seq, action, subject, details FROM audit_log WHERE {SETTINGS_WHERE} AND seq > ? ORDER BY seq",
            [after],
        )
        return [(seq, action, subject, json.loads(details)) for seq, action, subject, details in rows]

    def audited_settings(self) -> dict[str, Any]:
        """What the trail says each row of the ``settings`` table holds (None: no row)."""
        return coverage.audited_settings(r[1:] for r in self.settings_records())

    def read_anchor(self) -> tuple[int, str] | None:
        """The anchored ``(seq, hash)``, or None if there is no readable anchor file."""
        try:
            return _parse_anchor(self.anchor_path.read_bytes())
        except OSError:
            return None

    # --- reading ------------------------------------------------------------------------------------
    def _guard(self) -> None:
        if self._session is not None:
            self._session.require(Action.VIEW_AUDIT)

    def head(self) -> tuple[int, str]:
        """The newest record's ``(seq, hash)`` (``(0, GENESIS)`` when empty): write it down to compare later."""
        self._guard()
        row = self._store.db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    def records(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        actor: str | None = None,
        action: str | None = None,
        text: str | None = None,
        limit: int | None = 1000,
        newest_first: bool = True,
    ) -> list[AuditRecord]:
        """Records in a time range ``[start, end)``, optionally by actor, action prefix or text."""
        self._guard()
        return list(self._select(start, end, actor, action, text, limit, newest_first))

    def _select(self, start, end, actor, action, text, limit, newest_first) -> Iterator[AuditRecord]:
        where, params = [], []
        if start is not None:
            where.append("time >= ?")
            params.append(clock.to_db(start))
        if end is not None:
            where.append("time < ?")
            params.append(clock.to_db(end))
        if actor:
            where.append("actor = ?")
            params.append(actor)
        if action:
            where.append("action LIKE ? ESCAPE '\\'")
            params.append(action.replace("%", "\\%").replace("_", "\\_") + "%")
        if text:
            where.append("(subject LIKE ? OR details LIKE ?)")
            params += [f"%{text}%", f"%{text}%"]
        sql = f"SELECT {_COLUMNS} FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq DESC" if newest_first else " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        for row in self._store.db.execute(sql, params):
            yield _record(row)

    def export_csv(self, out: IO[str], *, where: str, **filters: Any) -> int:
        """Write the records (oldest first, with their hashes) as CSV; returns how many were written.

        The export itself is then recorded (``audit.export``, with ``where`` it went), whoever asked for it.
        """
        self._guard()
        writer = SafeCsvWriter(out, lineterminator="\n")  # a cell beginning = + - @ gets a ' first
        writer.writerow(["seq", "time", "actor", "action", "subject", "details", "prev_hash", "hash"])
        count = 0
        for r in self._select(
            filters.get("start"),
            filters.get("end"),
            filters.get("actor"),
            filters.get("action"),
            filters.get("text"),
            None,
            False,
        ):
            writer.writerow(
                [r.seq, clock.to_db(r.time), r.actor, r.action, r.subject, canonical_details(r.details)]
                + [r.prev_hash, r.hash]
            )
            count += 1
        self.record(None, "audit.export", where, {"records": count})
        return count

    # --- verifying ----------------------------------------------------------------------------------
    def verify(self, expect: tuple[int, str] | None = None) -> VerifyResult:
        """Walk the whole chain; report it intact or name the first record changed, deleted or reordered.

        Then check the tail against the anchor file (and against ``expect``, a head written down before).
        """
        from frontdesk.audit.verify_result import VerifyResult

        self._guard()
        db = self._store.db
        prev, expected_seq, checked = GENESIS, 1, 0
        checkpoint = self.checkpoint()
        if checkpoint is not None:
            # Records up to the checkpoint were removed by retention: the chain starts from its hash, and a
            # later record must name it (so the checkpoint itself is covered by the chain).
            cp_seq, cp_hash = checkpoint
            prev, expected_seq = cp_hash, cp_seq + 1
            named = db.execute(
                "SELECT 1 FROM audit_log WHERE action = 'audit.checkpoint' AND seq > ? "
                "AND json_extract(details, '$.seq') = ? AND json_extract(details, '$.hash') = ?",
                [cp_seq, cp_seq, cp_hash],
            ).fetchone()
            if named is None:
                return self._broken(
                    "changed", cp_seq + 1, 0, prev, f"the checkpoint at record {cp_seq} is not named in the chain"
                )
        for seq, time, actor, action, subject, details, prev_hash, digest in db.execute(
            f"SELECT {_COLUMNS} FROM audit_log WHERE seq >= ? ORDER BY seq", [expected_seq]
        ):
            if seq != expected_seq:
                return self._broken(
                    "deleted",
                    expected_seq,
                    checked,
                    prev,
                    f"record {expected_seq} is missing"
                    + (f" (records {expected_seq}–{seq - 1} were deleted)" if seq - 1 > expected_seq else ""),
                )
            own = record_hash(seq, time, actor, action, subject, details, prev_hash)
            if prev_hash != prev:
                moved = db.execute("SELECT seq FROM audit_log WHERE hash = ?", [prev_hash]).fetchone()
                if moved is not None and moved[0] != seq - 1:
                    return self._broken(
                        "reordered",
                        seq,
                        checked,
                        prev,
                        f"record {seq} is out of order: it follows record {moved[0]} in the chain",
                    )
                if own == digest and seq > 1:
                    # This record is whole, so the one before it was rewritten (hash and all).
                    return self._broken(
                        "changed",
                        seq - 1,
                        checked - 1,
                        prev,
                        f"record {seq - 1} was changed (record {seq} committed to a different version of it)",
                    )
                return self._broken("changed", seq, checked, prev, f"record {seq} was changed")
            if own != digest:
                return self._broken(
                    "changed", seq, checked, prev, f"record {seq} was changed (its contents do not match its hash)"
                )
            prev, expected_seq, checked = digest, seq + 1, checked + 1
        head_seq, head_hash = expected_seq - 1, prev
        if self._anchor_lost is not None:
            # This program found the anchor file gone (or unreadable) with records in the chain, at its own
            # first commit (the sign-in `audit verify --user` records), which then wrote a new one.
            return self._broken(
                "anchor",
                head_seq,
                checked,
                prev,
                f"the anchor file {self.anchor_path} was missing or unreadable before this program's first "
                f"record, when the chain went up to record {self._anchor_lost} (a cut tail is not seen then)",
            )
        for source, anchor in (("anchor file", self.read_anchor()), ("expected head", expect)):
            if anchor is None:
                if source == "anchor file" and head_seq > 0:
                    return self._broken(
                        "anchor",
                        head_seq,
                        checked,
                        prev,
                        f"the anchor file {self.anchor_path} is missing or unreadable",
                    )
                continue
            a_seq, a_hash = anchor
            if a_seq > head_seq:
                return self._broken(
                    "truncated",
                    head_seq + 1,
                    checked,
                    prev,
                    f"records {head_seq + 1}–{a_seq} are missing from the end (the {source} names record {a_seq})",
                )
            if a_seq > 0:
                row = db.execute("SELECT hash FROM audit_log WHERE seq = ?", [a_seq]).fetchone()
                if row is None or row[0] != a_hash:
                    return self._broken(
                        "changed",
                        a_seq,
                        checked,
                        prev,
                        f"record {a_seq} differs from the {source}: the chain was rebuilt from there or earlier",
                    )
        outside = tuple(
            coverage.check(
                db,
                (
                    (action, subject, json.loads(details))
                    for action, subject, details in db.execute(
                        "SELECT action, subject, details FROM audit_log ORDER BY seq"
                    )
                ),
            )
        )
        if outside:
            more = f" (and {len(outside) - 3} more)" if len(outside) > 3 else ""
            message = "; ".join(outside[:3]) + more
            return VerifyResult(False, checked, head_seq, head_hash, "records", None, message, outside)
        return VerifyResult(True, checked, head_seq, head_hash)

    @staticmethod
    def _broken(problem: str, seq: int, checked: int, prev: str, message: str) -> VerifyResult:
        from frontdesk.audit.verify_result import VerifyResult

        return VerifyResult(False, max(checked, 0), seq - 1, prev, problem, seq, message)
