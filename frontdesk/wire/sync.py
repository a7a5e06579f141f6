"""The sync wire format shared by desks and the hub (issue 15): a desk's changes going up, visits coming across.

A **change** is one entry of a desk's outbox, numbered by the desk (``seq`` 1, 2, 3, … with no gaps):
``{"seq", "kind", "subject", "made_at", "body"}``. ``kind`` is the audit action that made it
(``visit.check_in``, ``visit.check_out``, ``screening.decision``, ``badge.print``, …); for the visit kinds
the body carries what the hub needs for the school's on-site list:

- ``visit.check_in``: ``{"visit": VISIT}`` where VISIT has :data:`VISIT_FIELDS`;
- ``visit.check_out`` (and ``visit.check_out_forgotten``): ``{"station_id", "visit_id", "checked_out_at"}``,
  the visit's own desk and id (a visit made at another desk is checked out here too);

every other kind: ``{"actor", "details"}`` (the audit record's). A push is ``{"station_id", "changes":
[...]}``; the hub answers ``{"acked": SEQ, "stored": N, "duplicates": N}``. A pull answers ``{"visits":
[VISIT + station_id, station, checked_out_by, rev], "rev": N, "more": bool, "desks": [{"station_id",
"station"}], "server_time"}``.

**The school's own records** (session 19): a change of one of :data:`SHARED_KINDS` also carries ``"share"``,
what the school's other desks need to make the same change (an entry of the school's own lists, a guardian's
pick-up choice, an authorisation, a student's arrival, release or return; see ``frontdesk.sync.shared``). A pull
asked with ``shared=N`` (the hub's number of the last school change the desk saw) adds ``{"shared":
[{"station_id", "station", "hub_seq", "kind", "subject", "made_at", "body"}], "shared_rev": N, "shared_more":
bool}``: the other desks' shared changes of the school, in the hub's order. A hub from before leaves those keys
out; a desk from before never asks. A movement's share may carry ``"hub_offset"`` (session 21: the hub's clock
minus the desk's, seconds, from its last pull's ``server_time``): the other desks write it on their own clock.

**A hub restored from an older copy** (session 20): a push may carry ``"acked"`` (what the hub last said it
stored of this desk's), answered 409 ``{"hub_behind", "last_seq"}`` by a hub that holds fewer; a pull answer
carries ``"rev_mark"`` (and ``"shared_mark"``, and ``"mark"`` on each shared change), sent back as
``after_mark`` / ``shared_mark`` and answered 409 ``{"cursor", "rev"}`` when the hub no longer holds them
(``docs/dispatch-protocol.md``).

**Desks of an older release** (session 24): a pull carries ``"takes"``, the level of the school's shared records
the desk takes (:data:`TAKES`; a desk that asks with ``shared`` and says no level takes level 1, one that asks
without ``shared`` level 0: it takes none). The hub keeps each desk's level, and a pull's answer carries
``"older_desks": [{"station_id", "station", "takes", "misses": [KIND, ...]}]``: the school's other desks whose
level misses some of :data:`SHARED_KINDS` (a bar made at this desk is not at theirs). A hub from before leaves
it out. Session 25 added ``"last_synced"`` to each (the hub's time of that desk's newest push or pull; null when
none), so a PC left switched on somewhere can be told from one nobody uses any more.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

MAX_CHANGES = 500  # per push
MAX_BODY = 64 * 1024  # one change's JSON, in characters
VISIT_KINDS = ("visit.check_in", "visit.check_out", "visit.check_out_forgotten")
CHECK_OUT_KINDS = ("visit.check_out", "visit.check_out_forgotten")
# Changes a desk's school shares with its other desks (they carry "share"): its own lists' entries, and what the
# office decides about who may take a student.
LIST_KINDS = ("list.add", "list.update", "list.expire", "list.remove", "list.import", "list.remove_source")
STUDENT_KINDS = ("students.pickup_allowed", "students.authorise", "students.authorisation_revoked")
# A student's movements: late arrivals, releases (a reunification's hand-over, or a laptop's record merged at a
# desk: one change per release) and returns.
MOVEMENT_KINDS = ("students.arrive", "students.release", "students.return", "reunify.release", "reunify.merge")
SHARED_KINDS = LIST_KINDS + STUDENT_KINDS + MOVEMENT_KINDS
# What of the school's shared records a desk takes, by the level it says on each pull (``takes``). Level 0: a desk
# of a release before the school's desks shared (it pulls without ``shared``); 1: SHARED_KINDS as they are since
# session 19 (a desk that pulls with ``shared`` and says no level is one of these). A release that adds a shared
# kind adds a level here and sends it, and the hub names the desks below it.
TAKES_LEVELS: dict[int, tuple[str, ...]] = {0: (), 1: SHARED_KINDS}
TAKES = 1  # this release's level, sent as ``takes`` with every pull
# What each group of shared kinds is to the office, for "does not get this school's shared …".
_KIND_WORDS = (
    (LIST_KINDS, "bars and custody orders"),
    (STUDENT_KINDS, "pick-up changes"),
    (MOVEMENT_KINDS, "student releases"),
)
VISIT_FIELDS = (
    "visit_id",
    "name",
    "name_key",
    "dob",
    "category",
    "purpose",
    "host",
    "staff",
    "badge_code",
    "checked_in_at",
    "checked_out_at",
)


class SyncWireError(ValueError):
    """A push that is not in the sync wire format (the hub answers 400)."""


def _text(value: Any, name: str, limit: int = 500, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise SyncWireError(f"{name} must be text of at most {limit} characters")
    return value


def _whole(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**62:
        raise SyncWireError(f"{name} must be a whole number from 1")
    return value


def check_visit(visit: Any) -> dict[str, Any]:
    """The visit of a ``visit.check_in`` change, checked field by field."""
    if not isinstance(visit, dict):
        raise SyncWireError("a check-in carries its visit")
    out: dict[str, Any] = {"visit_id": _whole(visit.get("visit_id"), "visit_id")}
    for name in ("name", "badge_code", "checked_in_at"):
        out[name] = _text(visit.get(name), name)
        if not out[name]:
            raise SyncWireError(f"a visit needs its {name}")
    for name in ("name_key", "category", "purpose", "host", "staff"):
        out[name] = _text(visit.get(name, ""), name, 2000) or ""
    for name in ("dob", "checked_out_at"):
        out[name] = _text(visit.get(name), name, optional=True)
    return out


def check_change(change: Any) -> dict[str, Any]:
    """One change of a push, checked (raises :class:`SyncWireError`)."""
    if not isinstance(change, dict):
        raise SyncWireError("each change must be a JSON object")
    out = {
        "seq": _whole(change.get("seq"), "seq"),
        "kind": _text(change.get("kind"), "kind", 64),
        "subject": _text(change.get("subject", ""), "subject"),
        "made_at": _text(change.get("made_at"), "made_at", 40),
    }
    body = change.get("body", {})
    if not isinstance(body, dict):
        raise SyncWireError("a change's body must be a JSON object")
    out["body"] = body
    if out["kind"] == "visit.check_in":
        body["visit"] = check_visit(body.get("visit"))
    elif out["kind"] in CHECK_OUT_KINDS:
        _text(body.get("station_id"), "station_id", 200)
        _whole(body.get("visit_id"), "visit_id")
        _text(body.get("checked_out_at"), "checked_out_at", 40)
    return out


def check_push(body: Any) -> tuple[str, list[dict[str, Any]]]:
    """``(station_id, changes)`` of a push, checked; the changes sorted by ``seq``."""
    if not isinstance(body, dict):
        raise SyncWireError("a push is a JSON object")
    station_id = _text(body.get("station_id"), "station_id", 200) or ""
    changes = body.get("changes")
    if not isinstance(changes, list) or len(changes) > MAX_CHANGES:
        raise SyncWireError(f"changes must be a list of at most {MAX_CHANGES}")
    checked = sorted((check_change(c) for c in changes), key=lambda c: c["seq"])
    return station_id, checked


def takes_level(asked_shared: bool, takes: Any) -> int:
    """The level of shared records a pulling desk takes: its ``takes`` when it says one (a whole number from 0;
    anything else counts as not said), else 1 when it asks for the school's shared records and 0 when not."""
    if isinstance(takes, str) and takes.isdigit() and len(takes) <= 6:
        return int(takes)
    if isinstance(takes, int) and not isinstance(takes, bool) and 0 <= takes < 10**6:
        return takes
    return 1 if asked_shared else 0


@functools.cache
def kinds_missed(level: int) -> tuple[str, ...]:
    """The shared kinds a desk of ``level`` does not take (none at this release's level or above: a newer desk
    takes what this release shares)."""
    if level >= TAKES:
        return ()
    held = set(TAKES_LEVELS.get(level, ()))
    return tuple(kind for kind in SHARED_KINDS if kind not in held)


def missed_words(kinds: Any) -> str:
    """What ``kinds`` are to the office: "bars and custody orders, pick-up changes or student releases" (kinds of
    a newer release, unknown here, are "records")."""
    kinds = set(kinds)
    parts = [words for group, words in _KIND_WORDS if kinds & set(group)]
    if kinds - set(SHARED_KINDS):
        parts.append("other records")
    if not parts:
        return "records"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def last_synced_words(last: datetime | None, now: datetime) -> str:
    """How long ago a desk last synced, as the office and district IT read it: "last synced within the hour",
    "last synced 5 hours ago", "last synced 3 days ago" ("" when not known). Coarse on purpose: it tells a desk in
    use from a PC nobody has switched on for days, and it is read from times kept to within a few minutes."""
    if last is None:
        return ""
    hours = int(max(0.0, (now - last).total_seconds()) // 3600)
    if hours < 1:
        return "last synced within the hour"
    if hours < 24:
        return f"last synced {hours} hour{'s' if hours > 1 else ''} ago"
    days = hours // 24
    return f"last synced {days} day{'s' if days > 1 else ''} ago"


def older_desk_words(station: str, kinds: Any, last: datetime | None = None, now: datetime | None = None) -> str:
    """One desk of the school that does not take some of its shared records, said to the office and to district IT,
    with when it last synced (``last``, read at ``now``; left out when not known) and what to do: "The desk 'Gym
    door' is on an older FrontDesk and does not get this school's shared bars and custody orders, pick-up changes
    or student releases (last synced 3 days ago): have it updated, or revoked if that PC is no longer used." """
    name = " ".join(str(station or "").split())[:100] or "(no name)"
    synced = last_synced_words(last, now) if last is not None and now is not None else ""
    return (
        f"The desk '{name}' is on an older FrontDesk and does not get this school's shared {missed_words(kinds)}"
        + (f" ({synced})" if synced else "")
        + ": have it updated, or revoked if that PC is no longer used."
    )
