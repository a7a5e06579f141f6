"""``frontdesk sis import`` and ``frontdesk students find | arrive | release | return | out``.

``--print`` on ``arrive`` and ``release`` prints the late pass or release slip on the badge printer
(``--printer URI`` or the ``badges.printer`` setting), through the renderer the desk's window uses; the exit
codes stay those of the contract (a printer fault is one line on stderr and ``"printed": false`` in the
JSON); ``students slip STUDENT`` prints today's latest one again (exit 0 printed, 1 not confirmed, 2 not
printed, as ``badge print``).

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
from frontdesk.badges.service import Outcome
from frontdesk.cli.common import open_services, print_json
from frontdesk.errors import InputError, NotFoundError
from frontdesk.settings import SCHOOL_NAME
from frontdesk.students.models import Movement, Student
from frontdesk.students.printing import slip_of
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
    _print_options(p, "the late pass")
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
    _print_options(p, "the release slip")
    p.set_defaults(run=_release)

    p = sub.add_parser("return", help="sign a released student back in")
    p.add_argument("student", metavar="STUDENT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_return)

    p = sub.add_parser(
        "slip", help="print the student's latest late pass or release slip of today again (exit 0/1/2 as badges)"
    )
    p.add_argument("student", metavar="STUDENT")
    p.add_argument("--printer", metavar="URI", help="printer address (default: the badges.printer setting)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_slip)

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


def _print_options(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--print", dest="print_slip", action="store_true", help=f"print {what} on the badge printer")
    p.add_argument("--printer", metavar="URI", help="printer address (default: the badges.printer setting)")


def slip_printer(services, uri: str | None):
    """The badge printer a slip goes to (not connected); an InputError when none is set up."""
    printer = services.badges.printer(uri)
    if printer.on_screen:
        raise InputError(
            "No badge printer is set up (badges.printer is preview://): give --printer URI or set one with "
            "'frontdesk config set badges.printer URI'"
        )
    return printer


def print_movement(services, movement: Movement, uri: str | None) -> tuple[Outcome, str]:
    """Print a movement's slip on the badge printer (the renderer the desk's window uses). Never raises for a
    printer fault: the outcome and the office's words come back (and the event log keeps them)."""
    printer = slip_printer(services, uri)
    slip, what = slip_of(movement, services.settings.get(SCHOOL_NAME), services.badges.media())
    return services.badges.print_slip(slip, printer, what)


def _printed(services, args: argparse.Namespace, movement: Movement, record: dict[str, Any]) -> None:
    """With --print: print the slip, say how it went (stderr when it did not print), add it to the JSON."""
    if not getattr(args, "print_slip", False):
        return
    outcome, message = print_movement(services, movement, args.printer)
    record.update(printed=outcome is Outcome.PRINTED, print_outcome=outcome.value, print_message=message)
    if outcome is not Outcome.PRINTED:
        print(f"frontdesk: {message}", file=sys.stderr)
    elif not args.json:
        print(message)


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
    if args.print_slip:
        slip_printer(services, args.printer)  # no printer set up: refused before anything is recorded
    m = services.students.arrive(args.student, reason=args.reason, excused=args.excused)
    record = movement_record(m)
    if not args.json:
        flag = "  (at or over the office's threshold)" if m.over_threshold else ""
        print(
            f"{m.student.full_name} signed in late at {m.time.astimezone():%H:%M}: {m.reason}"
            f"{' (excused)' if m.excused else ''} — {_ordinal(m.late_count)} late this term{flag}"
        )
    _printed(services, args, m, record)
    if args.json:
        print_json(record)
    return 0


def _ordinal(n: int) -> str:
    from frontdesk.students.service import ordinal

    return ordinal(n)


def _release(args: argparse.Namespace) -> int:
    first, last = split_name(args.to)
    dob = clock.parse_date(args.dob, "--dob") if args.dob else None
    services = open_services(args)
    student = services.students.get(args.student)
    if args.print_slip:
        slip_printer(services, args.printer)  # no printer set up: refused before anything is recorded
    request = ReleaseRequest(student, first, last, args.reason, dob=dob, approve=args.approve)
    outcome = services.dismissal.release(request)
    if isinstance(outcome, Released):
        m = outcome.movement
        record = {"released": True, **movement_record(m)}
        if not args.json:
            print(f"Released {student.full_name} to {m.adult} at {m.time.astimezone():%H:%M} ({m.authorised_as}).")
        _printed(services, args, m, record)
        if args.json:
            print_json(record)
        return 0
    return not_released(outcome, student, as_json=args.json, flag="released")


def not_released(outcome: NotAuthorised | Refused, student: Student, *, as_json: bool, flag: str) -> int:
    """Say why a child was not released (or not queued: ``flag`` is the JSON key set to false); the exit code."""
    if isinstance(outcome, NotAuthorised):
        if as_json:
            print_json(
                {
                    flag: False,
                    "code": "not_authorised",
                    "message": outcome.message,
                    "may_pick_up": [{"name": p.name, "why": p.why} for p in outcome.pickups],
                    "student": student_record(student),
                }
            )
        else:
            print(f"frontdesk: {outcome.message}", file=sys.stderr)
        return EXIT_NOT_AUTHORISED
    if as_json:
        told = list(outcome.decision.told) if outcome.decision is not None else []
        print_json(
            {
                flag: False,
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


def _slip(args: argparse.Namespace) -> int:
    services = open_services(args)
    student = services.students.get(args.student)
    today = [m for m in services.students.movements_today(("arrive", "release")) if m.student.id == student.id]
    if not today:
        raise NotFoundError(f"{student.full_name} has no late pass or release slip today", code="no_slip")
    outcome, message = print_movement(services, today[-1], args.printer)
    if args.json:
        print_json({"printed": outcome is Outcome.PRINTED, "outcome": outcome.value, "message": message})
    elif outcome is Outcome.PRINTED:
        print(message)
    if outcome is Outcome.PRINTED:
        return 0
    if not args.json:
        print(f"frontdesk: {message}", file=sys.stderr)
    return 1 if outcome in (Outcome.SENT, Outcome.ATTENTION) else 2


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
