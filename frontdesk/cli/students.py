"""``frontdesk sis import`` and ``frontdesk students find | arrive | release | return | out``.

``students release`` exits 0 when released, **3** when the adult is not on the student's pick-up list (nothing
released; a principal may approve once with ``--approve``, signed in as themselves with ``--user``), **4** when
refused by a custody order, the office's may-not-pick-up list, a barred match, or a possible match that a
person must compare at the desk (the principal is notified of a confirmed match). STUDENT is a student number
or a sourcedId.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from frontdesk import clock
from frontdesk.cli.common import open_services, print_json
from frontdesk.students.models import Movement, Student
from frontdesk.students.release import NotAuthorised, Refused, Released, ReleaseRequest, split_name

EXIT_NOT_AUTHORISED = 3
EXIT_REFUSED = 4


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``sis`` and ``students``."""
    sis = subparsers.add_parser("sis", help="the school's information system (OneRoster roster import)")
    sis_sub = sis.add_subparsers(dest="sis_command", metavar="COMMAND", required=True)
    p = sis_sub.add_parser("import", help="import a OneRoster 1.1 CSV bundle (zip or folder), bulk or delta")
    p.add_argument("bundle", metavar="BUNDLE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_import)

    students = subparsers.add_parser("students", help="late arrivals, early dismissals and returns")
    sub = students.add_subparsers(dest="students_command", metavar="COMMAND", required=True)
    p = sub.add_parser("find", help="find students by name or student number")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_find)

    p = sub.add_parser("arrive", help="sign a late student in (a late pass follows at the desk)")
    p.add_argument("student", metavar="STUDENT")
    p.add_argument("--reason", required=True)
    p.add_argument("--excused", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_arrive)

    p = sub.add_parser("release", help="release a student to an adult (exit 3: not authorised, 4: refused)")
    p.add_argument("student", metavar="STUDENT")
    p.add_argument("--to", required=True, metavar='"FIRST LAST"', help="the adult taking the student")
    p.add_argument("--dob", help="the adult's date of birth, YYYY-MM-DD")
    p.add_argument("--reason", required=True)
    p.add_argument(
        "--approve",
        action="store_true",
        help="a principal approves this adult once (sign in as yourself with --user; --reason is recorded)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_release)

    p = sub.add_parser("return", help="sign a released student back in")
    p.add_argument("student", metavar="STUDENT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_return)

    p = sub.add_parser("out", help="the students signed out now")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_out)

    # The office's lists (principals and administrators): beyond the contract, nothing above changes.
    p = sub.add_parser("pickups", help="who may pick up a student today")
    p.add_argument("student", metavar="STUDENT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_pickups)

    p = sub.add_parser("authorise", help="let an adult pick up a student between two dates (principals)")
    p.add_argument("student", metavar="STUDENT")
    p.add_argument("--name", required=True, metavar='"FIRST LAST"')
    p.add_argument("--dob", help="YYYY-MM-DD")
    p.add_argument("--from", dest="valid_from", help="first day, YYYY-MM-DD (default today)")
    p.add_argument("--until", help="last day, YYYY-MM-DD (default the first day)")
    p.add_argument("--note", default="")
    p.set_defaults(run=_authorise)

    p = sub.add_parser("bar", help="add an adult to the student's may-not-pick-up list (principals)")
    p.add_argument("student", metavar="STUDENT")
    p.add_argument("--name", required=True, metavar='"FIRST LAST"')
    p.add_argument("--dob", help="YYYY-MM-DD")
    p.add_argument("--reason", required=True)
    p.set_defaults(run=_bar)


def student_record(student: Student, signed_out: bool | None = None) -> dict[str, Any]:
    """A student as the CLI prints it (no birth date: the desk shows no more than it needs)."""
    out: dict[str, Any] = {
        "sourced_id": student.sourced_id,
        "number": student.number,
        "first_name": student.first_name,
        "last_name": student.last_name,
        "preferred_name": student.preferred_name,
        "grade": student.grade,
        "homeroom": student.homeroom,
        "active": student.active,
    }
    if signed_out is not None:
        out["signed_out"] = signed_out
    return out


def movement_record(m: Movement) -> dict[str, Any]:
    """A late arrival, release or return as the CLI prints it."""
    out: dict[str, Any] = {
        "kind": m.kind.value,
        "student": student_record(m.student),
        "time": m.time.astimezone().isoformat(timespec="seconds"),
        "reason": m.reason,
        "staff": m.staff,
        "code": m.code,
    }
    if m.kind.value == "arrive":
        out.update(
            excused=m.excused,
            destination=m.destination,
            late_count=m.late_count,
            late_threshold=m.late_threshold,
            over_threshold=m.over_threshold,
        )
    if m.kind.value == "release":
        out.update(to=m.adult, authorised_as=m.authorised_as, approved_by=m.approved_by)
    return out


def _import(args: argparse.Namespace) -> int:
    services = open_services(args)
    show = sys.stderr.isatty() and not args.json

    def progress(step: str, done: int, total: int) -> None:
        if show:
            print(f"\r{step}: {total:,}".ljust(40), end="", file=sys.stderr, flush=True)

    counts = services.students.import_bundle(args.bundle, progress)
    if show:
        print(file=sys.stderr)
    record = {
        "mode": counts.mode,
        "orgs": counts.orgs,
        "students": counts.students,
        "guardians": counts.guardians,
        "staff": counts.staff,
        "links": counts.links,
        "classes": counts.classes,
        "enrollments": counts.enrollments,
        "inactive_students": counts.inactive_students,
        "ignored_files": list(counts.ignored_files),
    }
    if args.json:
        print_json(record)
    else:
        print(
            f"Imported ({counts.mode}): {counts.orgs} orgs, {counts.students} students, {counts.guardians} "
            f"guardians, {counts.staff} staff, {counts.links} links"
            + (f"; {counts.inactive_students} students marked inactive" if counts.inactive_students else "")
        )
    return 0


def _find(args: argparse.Namespace) -> int:
    services = open_services(args)
    found = services.students.find(args.text)
    out = {s.id for s in (m.student for m in services.students.out())}
    if args.json:
        print_json([student_record(s, s.id in out) for s in found])
    else:
        for s in found:
            print(f"{s.number or s.sourced_id:<10} {s.label}" + ("  [signed out]" if s.id in out else ""))
        if not found:
            print("No student found.")
    return 0


def _arrive(args: argparse.Namespace) -> int:
    services = open_services(args)
    m = services.students.arrive(args.student, reason=args.reason, excused=args.excused)
    if args.json:
        print_json(movement_record(m))
    else:
        flag = "  (at or over the office's threshold)" if m.over_threshold else ""
        print(
            f"{m.student.full_name} signed in late at {m.time.astimezone():%H:%M}: {m.reason}"
            f"{' (excused)' if m.excused else ''} — {_ordinal(m.late_count)} late this term{flag}"
        )
    return 0


def _ordinal(n: int) -> str:
    from frontdesk.students.service import ordinal

    return ordinal(n)


def _release(args: argparse.Namespace) -> int:
    first, last = split_name(args.to)
    dob = clock.parse_date(args.dob, "--dob") if args.dob else None
    services = open_services(args)
    student = services.students.get(args.student)
    request = ReleaseRequest(student, first, last, args.reason, dob=dob, approve=args.approve)
    outcome = services.dismissal.release(request)
    if isinstance(outcome, Released):
        if args.json:
            print_json({"released": True, **movement_record(outcome.movement)})
        else:
            m = outcome.movement
            print(f"Released {student.full_name} to {m.adult} at {m.time.astimezone():%H:%M} ({m.authorised_as}).")
        return 0
    if isinstance(outcome, NotAuthorised):
        if args.json:
            print_json(
                {
                    "released": False,
                    "code": "not_authorised",
                    "message": outcome.message,
                    "may_pick_up": [{"name": p.name, "why": p.why} for p in outcome.pickups],
                    "student": student_record(student),
                }
            )
        else:
            print(f"frontdesk: {outcome.message}", file=sys.stderr)
        return EXIT_NOT_AUTHORISED
    assert isinstance(outcome, Refused)
    if args.json:
        told = list(outcome.decision.told) if outcome.decision is not None else []
        print_json(
            {
                "released": False,
                "code": outcome.code,
                "confirmed": outcome.confirmed,
                "message": outcome.message,
                "notified": told,
                "student": student_record(student),
            }
        )
    else:
        print(f"frontdesk: {outcome.message}", file=sys.stderr)
    return EXIT_REFUSED


def _return(args: argparse.Namespace) -> int:
    services = open_services(args)
    m = services.students.return_(args.student)
    if args.json:
        print_json(movement_record(m))
    else:
        print(f"{m.student.full_name} signed back in at {m.time.astimezone():%H:%M}.")
    return 0


def _out(args: argparse.Namespace) -> int:
    services = open_services(args)
    out = services.students.out()
    if args.json:
        print_json([movement_record(m) for m in out])
    else:
        for m in out:
            print(f"{m.time.astimezone():%H:%M}  {m.student.label}  -> {m.adult} ({m.reason})")
        if not out:
            print("No student is signed out.")
    return 0


def _pickups(args: argparse.Namespace) -> int:
    services = open_services(args)
    pickups = services.students.pickups(services.students.get(args.student))
    if args.json:
        print_json([{"name": p.name, "why": p.why} for p in pickups])
    else:
        for p in pickups:
            print(f"{p.name} — {p.why}")
        if not pickups:
            print("Nobody: a principal must approve any adult.")
    return 0


def _authorise(args: argparse.Namespace) -> int:
    first, last = split_name(args.name)
    services = open_services(args)
    a = services.students.authorise(
        services.students.get(args.student),
        first,
        last,
        dob=clock.parse_date(args.dob, "--dob") if args.dob else None,
        valid_from=clock.parse_date(args.valid_from, "--from") if args.valid_from else None,
        valid_until=clock.parse_date(args.until, "--until") if args.until else None,
        note=args.note,
    )
    print(f"{a.full_name} may pick up from {a.valid_from} to {a.valid_until} (approved by {a.approved_by}).")
    return 0


def _bar(args: argparse.Namespace) -> int:
    first, last = split_name(args.name)
    services = open_services(args)
    student = services.students.get(args.student)
    entry = services.students.bar_pickup(
        student, first, last, dob=clock.parse_date(args.dob, "--dob") if args.dob else None, reason=args.reason
    )
    print(f"{entry.full_name} may not pick up {student.full_name} (entry {entry.id}).")
    return 0
