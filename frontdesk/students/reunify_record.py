"""A reunification's record carried from the laptop at the reunification site back to the school's desk.

The laptop works from its own copy of the desk's data folder (``frontdesk backup`` at the desk, ``frontdesk
--data-dir LAPTOP restore FILE`` on the laptop: the roster, the pick-up lists and every screening list come
with it, so the laptop screens and checks exactly as the desk would). What it records there is written to a
file by :func:`write_record` and merged into the desk's own record by :func:`merge_record`: the
reunification, each request (adult, how they were authorised, the steps and their times, the runner, the
card) and each release, as a release movement at the time it happened (so the students are off the desk's
roster). Merging the same file twice changes nothing (requests are known by their card codes).

The file holds no more than the desk needs: students by sourcedId and number (no names, no birth dates).
Live sync through the district hub (issue 15) will replace carrying the file; this is the part that needs no
network.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from frontdesk import clock
from frontdesk.errors import InputError, NotFoundError
from frontdesk.students.models import MovementKind

if TYPE_CHECKING:
    from frontdesk.audit import AuditTrail
    from frontdesk.store import Store
    from frontdesk.students.service import StudentService

FORMAT = "frontdesk-reunification-record"
VERSION = 1
_STEPS = ("requested", "on_the_way", "released", "stopped")  # stopped: refused when checked again


@dataclass(frozen=True)
class MergeReport:
    """What merging a record did."""

    reunification: int  # the desk's id for it
    requests: int  # new requests written
    released: int  # of them, releases (written as release movements too)
    known: int  # requests the desk already had (merged before)
    unknown_students: tuple[str, ...]  # sourcedIds the desk's roster does not have (not merged)
    already_out: tuple[str, ...] = ()  # released there, already signed out here: no second release written
    # Released there at a time that is not today here (the laptop's clock, or a record merged a day late): not
    # signed out today at this desk, which cannot tell which; the office checks them.
    not_today: tuple[str, ...] = ()


def write_record(store: Store, station: str, run_id: int, out: IO[str]) -> int:
    """Write reunification ``run_id`` (recorded at ``station``) and its requests as JSON to ``out``; returns how
    many requests."""
    db = store.db
    run = db.execute(
        "SELECT started_at, ended_at, drill, site, started_by FROM reunifications WHERE id = ?", [run_id]
    ).fetchone()
    if run is None:
        raise NotFoundError(f"No reunification {run_id}", code="unknown_reunification")
    rows = db.execute(
        "SELECT s.sourced_id, s.number, r.adult, r.adult_dob, r.authorised_as, r.status, r.requested_at, "
        "r.runner, r.sent_at, r.released_at, r.staff, r.card, r.stopped_at, r.stopped_reason "
        "FROM reunification_requests r JOIN students s "
        "ON s.id = r.student_id WHERE r.reunification_id = ? ORDER BY r.id",
        [run_id],
    ).fetchall()
    keys = (
        "student",
        "number",
        "adult",
        "adult_dob",
        "authorised_as",
        "status",
        "requested_at",
        "runner",
        "sent_at",
        "released_at",
        "staff",
        "card",
        "stopped_at",
        "stopped_reason",
    )
    record = {
        "format": FORMAT,
        "version": VERSION,
        "station": station,
        "exported_at": clock.to_db(clock.now()),
        "reunification": dict(
            zip(
                ("started_at", "ended_at", "drill", "site", "started_by"),
                (*run[:2], bool(run[2]), *run[3:]),
                strict=True,
            )
        ),
        "requests": [dict(zip(keys, r, strict=True)) for r in rows],
    }
    record["mac"] = _mac(db, record)
    json.dump(record, out, ensure_ascii=False, indent=1)
    return len(rows)


def _mac(db, record: dict) -> str:
    """The record's seal: HMAC-SHA256 of its canonical JSON (everything but the seal) under the desk's key."""
    row = db.execute("SELECT key FROM reunification_key WHERE id = 1").fetchone()
    body = json.dumps({k: v for k, v in record.items() if k != "mac"}, sort_keys=True, separators=(",", ":"))
    return hmac.new(bytes.fromhex(row[0]), body.encode("utf-8"), hashlib.sha256).hexdigest()


def read_record(path: Path) -> dict:
    """A record file, checked enough to merge (InputError naming what is wrong otherwise)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path} is not a reunification record ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{path} is not a reunification record (no {FORMAT!r} format mark)")
    if data.get("version") != VERSION:
        raise InputError(f"{path} is a version {data.get('version')} record; this desk reads version {VERSION}")
    run, requests = data.get("reunification") or {}, data.get("requests") or []
    if (
        not isinstance(run, dict)
        or not isinstance(requests, list)
        or not all(isinstance(r, dict) for r in requests)
    ):
        raise InputError(f"{path} is not a reunification record (its parts are not what a record holds)")
    for field in ("started_at", "started_by"):
        if not isinstance(run.get(field), str):
            raise InputError(f"{path}: the reunification has no {field}")
    for n, r in enumerate(requests, start=1):
        for field in ("student", "adult", "authorised_as", "status", "requested_at", "card"):
            if not isinstance(r.get(field), str) or not r[field]:
                raise InputError(f"{path}: request {n} has no {field}")
        if r["status"] not in _STEPS:
            raise InputError(f"{path}: request {n} has the unknown status {r['status']!r}")
        if r["status"] == "released" and not r.get("released_at"):
            raise InputError(f"{path}: request {n} was released but says not when")
        for field in ("requested_at", "sent_at", "released_at", "stopped_at"):
            if r.get(field):
                try:
                    clock.from_db(r[field])
                except ValueError:
                    raise InputError(f"{path}: request {n}, {field}: {r[field]!r} is not a time") from None
    return data


def merge_record(
    store: Store, audit: AuditTrail, students: StudentService, data: dict, source: str
) -> MergeReport:
    """Merge a checked record into this desk's store, in one transaction with its audit record."""
    run = data["reunification"]
    station = data.get("station") or "another desk"
    seal = data.get("mac")
    if not isinstance(seal, str) or not hmac.compare_digest(seal, _mac(store.db, data)):
        raise InputError(
            f"{source} was not written from a copy of this desk's data, or was changed after it was written: "
            "not merged (write the record again on the reunification laptop with 'reunify record')",
            code="record_seal",
        )
    with audit.transaction() as db:
        row = db.execute(
            "SELECT id FROM reunifications WHERE started_at = ? AND started_by = ? AND drill = ?",
            [run["started_at"], run["started_by"], int(bool(run.get("drill")))],
        ).fetchone()
        if row is not None:
            run_id = row[0]
            if run.get("ended_at"):
                db.execute(
                    "UPDATE reunifications SET ended_at = coalesce(ended_at, ?) WHERE id = ?",
                    [run["ended_at"], run_id],
                )
        else:
            site = run.get("site") or ""
            run_id = db.execute(
                "INSERT INTO reunifications (started_at, ended_at, drill, site, started_by) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    run["started_at"],
                    # A run merged from elsewhere is closed here: the desk's own board is for its own run.
                    run.get("ended_at") or clock.to_db(clock.now()),
                    int(bool(run.get("drill"))),
                    f"{site} (recorded on {station})".strip(),
                    run["started_by"],
                ],
            ).lastrowid
        new = released = known = 0
        unknown: list[str] = []
        already_out: list[str] = []
        movements: list[int] = []
        not_today: list[str] = []
        for r in data.get("requests") or []:
            card = r["card"].strip().upper().replace("-", "")
            if db.execute("SELECT 1 FROM reunification_requests WHERE card = ?", [card]).fetchone():
                known += 1
                continue
            try:
                student = students.get(r["student"])
            except NotFoundError:
                unknown.append(r["student"])
                continue
            db.execute(
                "INSERT INTO reunification_requests (reunification_id, student_id, adult, adult_dob, "
                "authorised_as, status, requested_at, runner, sent_at, released_at, staff, card, stopped_at, "
                "stopped_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    student.id,
                    r["adult"],
                    r.get("adult_dob"),
                    r["authorised_as"],
                    r["status"],
                    r["requested_at"],
                    r.get("runner") or "",
                    r.get("sent_at"),
                    r.get("released_at"),
                    r.get("staff") or "",
                    card,
                    r.get("stopped_at"),
                    r.get("stopped_reason") or "",
                ],
            )
            new += 1
            if r["status"] == "released":
                released += 1
                if students.release_open(student, db=db) is not None:
                    already_out.append(r["student"])  # signed out here meanwhile: one release on the roster
                    continue
                moved = students.record_movement(
                    db,
                    student,
                    MovementKind.RELEASE,
                    at=clock.from_db(r["released_at"]),
                    staff=r.get("staff") or "",
                    station=station,
                    reason=f"reunification{' drill' if run.get('drill') else ''} (recorded on {station})",
                    adult=r["adult"],
                    authorised_as=r["authorised_as"],
                )
                movements.append(moved.id)
                if moved.time.astimezone().date() != clock.now().astimezone().date():
                    not_today.append(r["student"])
        audit.record(
            None,
            "reunify.merge",
            f"reunification {run_id}",
            {
                "file": source,
                "station": station,
                "drill": bool(run.get("drill")),
                "requests": new,
                "released": released,
                "already_here": known,
                "unknown_students": unknown,
                "already_signed_out": already_out,
                "movements": movements,  # the releases written (the school's other desks sign them out too)
                "not_today": not_today,
            },
        )
    return MergeReport(run_id, new, released, known, tuple(unknown), tuple(already_out), tuple(not_today))
