"""The school's own records, shared between its desks through the hub: what one desk's office decides, every
desk of the school screens and releases by.

A change of one of ``wire.SHARED_KINDS`` (an entry of the school's own lists added, edited, ended or removed; a
guardian's pick-up choice; an authorisation given or revoked) goes up like every audited change, with a
``share`` in its body: what another desk needs to make the same change. The other desks of the school pull
those changes (``pull?shared=N``) and make them, each with its own audit record (from the hub, so it does not go
up again). A desk with no hub keeps its records alone, as before.

**Identity and versions.** A shared thing has a ``uid`` every desk knows it by (``entry:…``, ``auth:…``, or one
made of the SIS's ids for a guardian's choice) and a ``version`` that each change replaces; a change carries the
version it was made on (``base``). ``sync_shared`` keeps, per uid, this desk's own id for it and the version it
holds now.

**Conflicts: the safe side wins.** A change made on the version this desk holds is made. A change made on
another version was made while this desk (or a third) changed the same thing (neither had seen the other's):
of the two, the one that forbids more wins (an entry in force over one removed or ended; pick-up not allowed
over allowed), and between two alike the greater version (any rule would do; this one gives every desk the same
answer, whatever order the changes reach it in). A revoked authorisation stays revoked. A bar and an
authorisation for the same adult made at once both stand, and the release screens the bar first: refused.
"""

from __future__ import annotations

import importlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from frontdesk import clock
from frontdesk.errors import InputError

log = logging.getLogger(__name__)

CLOCK_SAME_S = 60  # two desks' clocks this close (as each measures itself against the hub's) are taken as one

# (db, AuditRecord) -> the change's "share", or a list of them (one change each, in order), or None
Outgoing = Callable[[Any, Any], dict[str, Any] | list[dict[str, Any]] | None]
Incoming = Callable[[Any, dict[str, Any], Any], str | None]  # (db, change, AuditTrail) -> what was done


# (db) -> ``(kind, subject, share)`` of what this desk holds already, for the school's other desks (see
# Shared.existing)
Existing = Callable[[Any], list[tuple[str, str, dict[str, Any]]]]


class Shared:
    """Which change kinds are shared, and who writes and makes each (registered by the composition root)."""

    def __init__(self) -> None:
        self._handlers: dict[str, tuple[Outgoing, Incoming]] = {}
        self._existing: list[Existing] = []
        self._again: list[Existing] = []

    def add(
        self,
        kinds: Iterable[str],
        outgoing: Outgoing,
        incoming: Incoming,
        existing: Existing | None = None,
        again: Existing | None = None,
    ) -> None:
        """``outgoing(db, record)`` writes a change's share here; ``incoming(db, change, audit)`` makes another
        desk's change here (raising :class:`InputError` for one it cannot take); ``existing(db)``: what this
        desk already holds, sent once (:meth:`existing`); ``again(db)``: what it shared that forbids, as it
        holds it now, sent to a hub that lost it (:meth:`again`)."""
        for kind in kinds:
            self._handlers[kind] = (outgoing, incoming)
        if existing is not None:
            self._existing.append(existing)
        if again is not None:
            self._again.append(again)

    def again(self, db) -> list[tuple[str, str, dict[str, Any]]]:
        """What this desk shared that forbids (the school's own lists' entries, pick-up stops), as it holds it
        now, each at the version it holds (``base`` = ``version``): for a hub restored from an older copy that
        lost the changes (``SyncService._resend``). A desk holding that version already makes nothing; one
        that never got it makes it; one holding another version settles the two by the safe-side rule."""
        return [change for again in self._again for change in again(db)]

    def existing(self, db) -> list[tuple[str, str, dict[str, Any]]]:
        """The next group of what this desk holds from before it shared with the school's other desks (one of
        its own lists, then the office's pick-up stops and the authorisations in force or to come), as changes
        for them, each remembered as shared; empty once everything is. Sent once, when the desk first syncs with
        sharing (an upgraded desk, or one just linked to a hub), a group a transaction. A thing two desks both
        hold alike gets the same uid at both (made from its content), so it is not doubled."""
        for existing in self._existing:
            group = existing(db)
            if group:
                return group
        return []

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def outgoing(self, db, record) -> dict[str, Any] | list[dict[str, Any]] | None:
        """The share of this desk's change ``record`` (inside its transaction), its parts, or None."""
        handler = self._handlers.get(record.action)
        return handler[0](db, record) if handler else None

    def incoming(self, db, change: dict[str, Any], audit) -> str | None:
        """Make another desk's change here (inside the caller's transaction)."""
        handler = self._handlers.get(change.get("kind", ""))
        if handler is None:
            return None
        if not isinstance(change.get("body"), dict) or not isinstance(change["body"].get("share"), dict):
            return None  # made by a desk from before sharing: it says nothing another desk can make
        return handler[1](db, change, audit)


class NotHereYet(InputError):
    """Another desk's change about something this desk does not have yet (a student before its SIS roster is
    imported here): kept, and made once it is here (see ``SyncService``), never dropped."""

    code = "not_here_yet"


def lazy(module: str, name: str) -> Callable[..., Any]:
    """A function of ``module`` imported on its first call (the desk's start-up imports none of it)."""
    found: list[Callable[..., Any]] = []

    def call(*args: Any) -> Any:
        if not found:
            found.append(getattr(importlib.import_module(module), name))
        return found[0](*args)

    return call


# --- identity and versions ----------------------------------------------------------------------------------
def new_token() -> str:
    """A fresh random token (a uid's tail, a version)."""
    import secrets  # with the first shared change: the desk's first screen makes none (issue 13)

    return secrets.token_hex(8)


def _sha256(data: bytes):
    from hashlib import sha256  # OpenSSL, ~9 M instructions: not on the way to the desk's first screen

    return sha256(data)


def content_uid(what: str, *parts: Any, taken: set[str] | None = None) -> str:
    """A uid made from a thing's content (the same at every desk that holds it alike); ``taken``: uids given in
    this pass, so two alike things at one desk get two (a counter is added)."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    n = 0
    while True:
        digest = _sha256(f"{text}\x1e{n}".encode()).hexdigest()
        uid = f"{what}:{digest[:32]}"
        if taken is None or uid not in taken:
            if taken is not None:
                taken.add(uid)
            return uid
        n += 1


def held(db, uid: str) -> tuple[int | None, str] | None:
    """``(local id, version)`` this desk holds for ``uid``, or None if it never had it."""
    row = db.execute("SELECT local_id, version FROM sync_shared WHERE uid = ?", [uid]).fetchone()
    return (row[0], row[1]) if row else None


def uid_of(db, what: str, local_id: int) -> tuple[str, str] | None:
    """``(uid, version)`` of this desk's ``what`` numbered ``local_id`` here, or None if never shared."""
    row = db.execute(
        "SELECT uid, version FROM sync_shared WHERE what = ? AND local_id = ?", [what, local_id]
    ).fetchone()
    return (row[0], row[1]) if row else None


def remember(db, uid: str, what: str, local_id: int | None, version: str) -> None:
    """This desk now holds ``uid`` as ``local_id`` (None: gone here) at ``version``."""
    if local_id is not None:  # one uid per local thing (an older one, if any, no longer names it)
        db.execute(
            "UPDATE sync_shared SET local_id = NULL WHERE what = ? AND local_id = ? AND uid != ?",
            [what, local_id, uid],
        )
    db.execute(
        "INSERT INTO sync_shared (uid, what, local_id, version) VALUES (?, ?, ?, ?) ON CONFLICT(uid) DO UPDATE "
        "SET local_id = excluded.local_id, version = excluded.version",
        [uid, what, local_id, version],
    )


def stamp(db, what: str, local_id: int, *, uid: str | None = None, gone: bool = False) -> dict[str, str]:
    """The identity of this desk's change to ``what`` ``local_id``: ``{"uid", "base", "version"}``, with the new
    version remembered (``gone``: the thing is no longer here). ``uid``: one every desk derives alike."""
    known = held(db, uid) if uid else uid_of(db, what, local_id)
    if uid is None:
        uid = known[0] if known else f"{what}:{new_token()}{new_token()}"  # type: ignore[assignment]
    base = known[1] if known else ""
    version = new_token()
    remember(db, uid, what, None if gone else local_id, version)  # type: ignore[arg-type]
    return {"uid": uid, "base": base, "version": version}  # type: ignore[dict-item]


def identity(share: dict[str, Any], prefix: str) -> tuple[str, str, str]:
    """``(uid, base, version)`` of a share, checked (InputError for one that is not well formed)."""
    uid, base, version = share.get("uid"), share.get("base", ""), share.get("version")
    for name, value in (("uid", uid), ("base", base), ("version", version)):
        if not isinstance(value, str) or len(value) > 200:
            raise InputError(f"a shared change's {name} must be text")
    if not uid.startswith(prefix) or not version:  # type: ignore[union-attr]
        raise InputError(f"a shared change's uid must start with {prefix!r} and carry a version")
    return uid, base, version  # type: ignore[return-value]


def wins(
    local: tuple[int | None, str] | None, base: str, version: str, *, remote_safe: bool, local_safe: bool
) -> bool | None:
    """Whether another desk's change (``base`` → ``version``) is made here: None when this desk has it already,
    True when made on the version held here (or a thing new here), else the safe side of the two (see the
    module's note): ``*_safe`` says which of the two states forbids more."""
    if local is None:
        return True
    if local[1] == version:
        return None
    if local[1] == base:
        return True
    return (remote_safe, version) > (local_safe, local[1])


# --- clocks ---------------------------------------------------------------------------------------------------
def clock_base() -> float:
    """When this PC started, by its wall clock (the wall clock minus the monotonic clock, seconds). It stays put
    while the wall clock only runs; it moves when the wall clock is stepped (NTP, or set by hand), and at a
    restart or a sleep of the PC (the monotonic clock starts again or stands still)."""
    return clock.now().timestamp() - time.monotonic()


def hub_offset(db) -> int | None:
    """How far this desk's clock is from the hub's (seconds, the hub's minus this desk's, as its last pull
    measured it; ``SyncService._hub_clock``), or None before its first pull, and None when this PC's clock was
    stepped (or the PC restarted or slept) since: the offset measured before no longer says how far it is. A
    desk whose clock was a day behind, set right, then released a child before its next pull sent the old offset
    with the right time, and the other desks read the release as tomorrow's (the child not out there)."""
    rows = dict(db.execute("SELECT key, value FROM sync_state WHERE key IN ('hub_offset', 'hub_clock_base')"))
    value = json.loads(rows["hub_offset"]) if "hub_offset" in rows else None
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    base = json.loads(rows["hub_clock_base"]) if "hub_clock_base" in rows else None
    if isinstance(base, (int, float)) and not isinstance(base, bool) and abs(clock_base() - base) > CLOCK_SAME_S:
        return None
    return value


def here_time(db, moment: datetime, sent_offset: Any) -> datetime:
    """``moment``, stamped by another desk whose clock was ``sent_offset`` seconds from the hub's, on this desk's
    clock: a student released at a desk whose clock is a day behind was released today here, not yesterday. As
    it is when either desk's offset is not known, or the two clocks agree to within :data:`CLOCK_SAME_S`."""
    own = hub_offset(db)
    if own is None or not isinstance(sent_offset, int) or isinstance(sent_offset, bool):
        return moment
    if abs(sent_offset) > 10 * 366 * 86400:  # not a clock's error: a change this desk cannot read
        raise InputError("a shared change's clock offset is out of range")
    delta = sent_offset - own
    return moment + timedelta(seconds=delta) if abs(delta) > CLOCK_SAME_S else moment
