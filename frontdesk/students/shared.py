"""Who may take a student, shared between the school's desks (see :mod:`frontdesk.sync.shared`).

A guardian's pick-up choice, a temporary authorisation and its revocation made at one desk are made at the
others. Every desk imports the same roster from the SIS, so a student and a guardian are known everywhere by
the SIS's ids; an authorisation by the uid its desk gave it. (The may-not-pick-up list is a screening list:
its entries travel as the school's own list entries do, :mod:`frontdesk.sync.shared_lists`.)

A student's movements (a late arrival, a release, a reunification's hand-over, a return) are written at the
other desks as they were made (time, staff, the desk's name as the station), so a student released at one desk
is signed out at all of them: not released again, off each desk's building roster, and back in wherever they
return.

Conflicts: a guardian's choice made at two desks at once ends as "not allowed" at both if either said so; a
revoked authorisation stays revoked whatever else arrives. Movements never conflict: each is written once, in
the order this desk learns of them (a student released at two desks at once is signed out at both).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from frontdesk import clock
from frontdesk.errors import InputError
from frontdesk.sync.shared import (
    NotHereYet,
    content_uid,
    held,
    here_time,
    hub_offset,
    identity,
    new_token,
    remember,
    stamp,
    uid_of,
    wins,
)
from frontdesk.wire.names import fold
from frontdesk.wire.sync import MOVEMENT_KINDS

_AUTH_COLUMNS = (
    "s.sourced_id, a.first_name, a.last_name, a.dob, a.valid_from, a.valid_until, a.approved_by, a.note"
)
_AUTH_FIELDS = ("student", "first_name", "last_name", "dob", "from", "until", "approved_by", "note")


def _student_of(record) -> str:
    subject = record.subject
    return subject[8:] if subject.startswith("student ") else ""


def outgoing(db, record) -> dict[str, Any] | list[dict[str, Any]] | None:
    """The share of a pick-up choice, an authorisation, a revocation or a movement made at this desk (a
    reunification laptop's record merged here: one change for each release it wrote)."""
    student = _student_of(record)
    details = record.details
    if record.action == "reunify.merge":
        moved = details.get("movements")
        shares = [_movement_out(db, m) for m in moved] if isinstance(moved, list) else []
        return [s for s in shares if s is not None] or None
    if not student:
        return None
    if record.action == "students.pickup_allowed":
        guardian = details.get("guardian_id")
        if not isinstance(guardian, str) or not guardian:
            return None
        uid = f"guardian:{student}/{guardian}"  # the same at every desk of the school
        return {
            **stamp(db, "guardian", 0, uid=uid, gone=True),
            "student": student,
            "guardian": guardian,
            "allowed": bool(details.get("allowed")),
        }
    if record.action in MOVEMENT_KINDS:
        return _movement_out(db, details.get("movement"))
    local = details.get("authorisation")
    if not isinstance(local, int):
        return None
    row = db.execute(
        f"SELECT {_AUTH_COLUMNS}, a.revoked_at FROM student_authorisations a "
        "JOIN students s ON s.id = a.student_id WHERE a.id = ?",
        [local],
    ).fetchone()
    if row is None:
        return None
    fields = dict(zip(_AUTH_FIELDS, row[:8], strict=True))
    if record.action == "students.authorise":
        return {**stamp(db, "auth", local, uid=f"auth:{new_token()}{new_token()}"), **fields}
    known = uid_of(db, "auth", local)
    return {"uid": known[0] if known else "", "revoked_at": row[8], **fields}


def _text(share: dict[str, Any], name: str, *, optional: bool = False) -> str | None:
    value = share.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > 500:
        raise InputError(f"a shared pick-up change's {name} must be text")
    return value


def _student_id(db, sourced_id: str) -> int:
    row = db.execute("SELECT id FROM students WHERE sourced_id = ?", [sourced_id]).fetchone()
    if row is None:
        raise NotHereYet(
            f"no student {sourced_id!r} on this desk's roster yet (kept until the SIS roster has them)"
        )
    return row[0]


def _day(share: dict[str, Any], name: str) -> str:
    text = _text(share, name)
    try:
        return date.fromisoformat(text).isoformat()  # type: ignore[arg-type]
    except ValueError:
        raise InputError(f"a shared authorisation's {name} must be a date") from None


def incoming(db, change: dict[str, Any], audit) -> str | None:
    """Make another desk's pick-up change here."""
    share = change["body"]["share"]
    actor = f"{change['body'].get('actor') or 'staff'} at {change.get('station') or 'another desk'}"
    shared_by = {"from_desk": change.get("station", ""), "hub_change": change.get("hub_seq")}
    student = _text(share, "student")
    kind = change["kind"]
    if kind == "students.pickup_allowed":
        return _pickup_allowed(db, share, audit, actor, shared_by, student)  # type: ignore[arg-type]
    if kind == "students.authorise":
        return _authorise(db, share, audit, actor, shared_by, student)  # type: ignore[arg-type]
    if kind == "students.authorisation_revoked":
        return _revoke(db, share, audit, actor, shared_by, student)  # type: ignore[arg-type]
    if kind in MOVEMENT_KINDS:
        return _movement_in(db, share, audit, actor, shared_by, student)  # type: ignore[arg-type]
    return None


def _pickup_allowed(db, share, audit, actor, shared_by, student: str) -> str | None:
    uid, base, version = identity(share, "guardian:")
    guardian = _text(share, "guardian")
    allowed = share.get("allowed")
    if not isinstance(allowed, bool) or uid != f"guardian:{student}/{guardian}":
        raise InputError("a shared pick-up choice names its student and guardian and says allowed or not")
    link = db.execute(
        "SELECT sg.student_id, sg.guardian_id, sg.pickup_allowed, g.first_name, g.last_name "
        "FROM student_guardians sg JOIN students s ON s.id = sg.student_id "
        "JOIN guardians g ON g.id = sg.guardian_id "
        "WHERE s.sourced_id = ? AND g.sourced_id = ?",
        [student, guardian],
    ).fetchone()
    here_allowed = bool(link[2]) if link else True
    decision = wins(held(db, uid), base, version, remote_safe=not allowed, local_safe=not here_allowed)
    if not decision:
        return None
    remember(db, uid, "guardian", None, version)
    if link is None:
        raise NotHereYet(f"no guardian {guardian!r} of student {student!r} on this desk's roster yet")
    db.execute(
        "UPDATE student_guardians SET pickup_allowed = ? WHERE student_id = ? AND guardian_id = ?",
        [int(allowed), link[0], link[1]],
    )
    audit.record(
        actor,
        "students.pickup_allowed",
        f"student {student}",
        {"guardian": f"{link[3]} {link[4]}", "allowed": allowed, "guardian_id": guardian, **shared_by},
    )
    return "pickup_allowed"


def _authorise(db, share, audit, actor, shared_by, student: str) -> str | None:
    uid, _, version = identity(share, "auth:")
    if held(db, uid) is not None:
        return None  # made here already (or revoked here before it arrived: it stays revoked)
    first, last = (_text(share, "first_name") or "").strip(), (_text(share, "last_name") or "").strip()
    if not first or not last:
        raise InputError("a shared authorisation names the adult")
    dob = _day(share, "dob") if share.get("dob") not in (None, "") else None
    start, end = _day(share, "from"), _day(share, "until")
    cur = db.execute(
        "INSERT INTO student_authorisations (student_id, first_name, last_name, dob, valid_from, valid_until, "
        "approved_by, note, created_at, name_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            _student_id(db, student),
            first,
            last,
            dob or None,
            start,
            end,
            _text(share, "approved_by") or "",
            _text(share, "note") or "",
            clock.to_db(clock.now()),
            f"{fold(last)} {fold(first)}",
        ],
    )
    remember(db, uid, "auth", cur.lastrowid, version)
    audit.record(
        actor,
        "students.authorise",
        f"student {student}",
        {"adult": f"{first} {last}", "from": start, "until": end, "authorisation": cur.lastrowid, **shared_by},
    )
    return "authorise"


def _revoke(db, share, audit, actor, shared_by, student: str) -> str | None:
    uid = _text(share, "uid") or ""
    first, last = _text(share, "first_name") or "", _text(share, "last_name") or ""
    local = held(db, uid) if uid.startswith("auth:") else None
    if local is not None:
        ids = [local[0]] if local[0] is not None else []
    else:
        # Not known here by its uid (given before the desks shared them): every one in force for that adult and
        # student over the same days is revoked (the safe side: more revoked, never fewer).
        ids = [
            r[0]
            for r in db.execute(
                "SELECT id FROM student_authorisations WHERE student_id = ? AND name_key = ? AND valid_from = ? "
                "AND valid_until = ? AND revoked_at IS NULL",
                [
                    _student_id(db, student),
                    f"{fold(last)} {fold(first)}",
                    _day(share, "from"),
                    _day(share, "until"),
                ],
            ).fetchall()
        ]
    if uid.startswith("auth:") and local is None:
        remember(db, uid, "auth", ids[0] if len(ids) == 1 else None, "revoked")  # a later authorise stays out
    done = None
    for auth_id in ids:
        cur = db.execute(
            "UPDATE student_authorisations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            [clock.to_db(clock.now()), auth_id],
        )
        if cur.rowcount:
            audit.record(
                actor,
                "students.authorisation_revoked",
                f"student {student}",
                {"adult": f"{first} {last}", "authorisation": auth_id, **shared_by},
            )
            done = "revoked"
    return done


_MOVEMENT_COLUMNS = (
    "time",
    "kind",
    "reason",
    "excused",
    "destination",
    "adult",
    "adult_dob",
    "authorised_as",
    "approved_by",
    "staff",
    "station",
    "code",
)
_MOVEMENT_KINDS = ("arrive", "release", "return")


def _movement_out(db, local: Any) -> dict[str, Any] | None:
    if not isinstance(local, int):
        return None
    row = db.execute(
        f"SELECT s.sourced_id, {', '.join('m.' + c for c in _MOVEMENT_COLUMNS)} FROM student_movements m "
        "JOIN students s ON s.id = m.student_id WHERE m.id = ?",
        [local],
    ).fetchone()
    if row is None:
        return None
    movement = dict(zip(_MOVEMENT_COLUMNS, row[1:], strict=True))
    movement["excused"] = bool(movement["excused"])
    uid = f"movement:{new_token()}{new_token()}"
    share = {**stamp(db, "movement", local, uid=uid), "student": row[0], "movement": movement}
    offset = hub_offset(db)  # this desk's clock against the hub's: the others read the time on their own clock
    return {**share, "hub_offset": offset} if offset is not None else share


def _movement_in(db, share, audit, actor, shared_by, student: str) -> str | None:
    uid, _, version = identity(share, "movement:")
    if held(db, uid) is not None:
        return None  # written here already
    fields = share.get("movement")
    if not isinstance(fields, dict) or fields.get("kind") not in _MOVEMENT_KINDS:
        raise InputError("a shared movement says what it was: an arrival, a release or a return")
    values = {}
    for name in _MOVEMENT_COLUMNS:
        value = fields.get(name)
        if name == "excused":
            value = int(bool(value))
        elif name == "adult_dob":
            value = _text(fields, name, optional=True)
        else:
            value = _text(fields, name) if value is not None else ""
        values[name] = value
    try:
        moment = clock.from_db(values["time"])  # type: ignore[arg-type]
    except (TypeError, ValueError):
        moment = None
    if moment is None:
        raise InputError("a shared movement carries its time")
    # On this desk's clock: a release at a desk whose clock is a day off is today's here too (still signed out).
    values["time"] = clock.to_db(here_time(db, moment, share.get("hub_offset")))
    cur = db.execute(
        f"INSERT INTO student_movements (student_id, {', '.join(_MOVEMENT_COLUMNS)}) "
        f"VALUES (?, {', '.join('?' for _ in _MOVEMENT_COLUMNS)})",
        [_student_id(db, student), *values.values()],
    )
    remember(db, uid, "movement", cur.lastrowid, version)
    audit.record(
        actor,
        f"students.{values['kind']}",
        f"student {student}",
        {"adult": values["adult"], "reason": values["reason"], "movement": cur.lastrowid, **shared_by},
    )
    return values["kind"]


def _stops(db) -> list[tuple[str, str]]:
    """``(student, guardian)`` sourced ids of each pick-up stop in force here (a parent's or guardian's pick-up
    turned off; a relative's is not a stop: the SIS never allows those by default)."""
    return db.execute(
        "SELECT s.sourced_id, g.sourced_id FROM student_guardians sg JOIN students s ON s.id = sg.student_id "
        "JOIN guardians g ON g.id = sg.guardian_id WHERE sg.pickup_allowed = 0 AND sg.active = 1 "
        "AND g.role != 'relative'"
    ).fetchall()


def existing(db) -> list[tuple[str, str, dict[str, Any]]]:
    """What the office decided at this desk before sharing (see ``Shared.existing``): its pick-up stops (a
    parent's or guardian's pick-up turned off; the SIS allows them by default) and the authorisations in force
    or still to come. (Turned on again for a relative is not sent: only what forbids more.)"""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for student, guardian in _stops(db):
        uid = f"guardian:{student}/{guardian}"
        if held(db, uid) is None:
            share = {**stamp(db, "guardian", 0, uid=uid, gone=True), "student": student, "guardian": guardian}
            out.append(("students.pickup_allowed", f"student {student}", {**share, "allowed": False}))
    today = clock.now().astimezone().date().isoformat()
    taken: set[str] = set()
    for row in db.execute(
        f"SELECT a.id, {_AUTH_COLUMNS} FROM student_authorisations a JOIN students s ON s.id = a.student_id "
        "WHERE a.revoked_at IS NULL AND a.valid_until >= ? ORDER BY a.id",
        [today],
    ).fetchall():
        if uid_of(db, "auth", row[0]) is not None:
            continue
        fields = dict(zip(_AUTH_FIELDS, row[1:], strict=True))
        uid = content_uid(
            "auth", *(fields[k] for k in _AUTH_FIELDS if k not in ("approved_by", "note")), taken=taken
        )
        out.append(("students.authorise", f"student {row[1]}", {**stamp(db, "auth", row[0], uid=uid), **fields}))
    return out


def again(db) -> list[tuple[str, str, dict[str, Any]]]:
    """The office's pick-up stops this desk shared, as it holds them now, and the authorisations it shared that
    are revoked and would still be in force (see ``Shared.again``): only what forbids, never an allow."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for student, guardian in _stops(db):
        uid = f"guardian:{student}/{guardian}"
        known = held(db, uid)
        if known is not None:
            share = {"uid": uid, "base": known[1], "version": known[1], "student": student, "guardian": guardian}
            out.append(("students.pickup_allowed", f"student {student}", {**share, "allowed": False}))
    today = clock.now().astimezone().date().isoformat()
    for row in db.execute(
        f"SELECT a.id, {_AUTH_COLUMNS}, a.revoked_at FROM student_authorisations a "
        "JOIN students s ON s.id = a.student_id WHERE a.revoked_at IS NOT NULL AND a.valid_until >= ? "
        "ORDER BY a.id",
        [today],
    ).fetchall():
        known = uid_of(db, "auth", row[0])
        if known is not None:
            fields = dict(zip(_AUTH_FIELDS, row[1:9], strict=True))
            share = {"uid": known[0], "revoked_at": row[9], **fields}
            out.append(("students.authorisation_revoked", f"student {row[1]}", share))
    return out
