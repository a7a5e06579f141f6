"""``frontdesk volunteers add | import | list | hours | suspend``: approved volunteers and their hours."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from frontdesk import clock
from frontdesk.cli.common import open_services, print_json
from frontdesk.errors import InputError
from frontdesk.screening.importer import ImportFailed
from frontdesk.settings import SCHOOL_NAME
from frontdesk.volunteers.models import BackgroundCheck, HoursReport, NewVolunteer, Volunteer
from frontdesk.volunteers.report import hours_pdf, write_csv


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the volunteer commands."""
    volunteers = subparsers.add_parser("volunteers", help="approved volunteers, background checks and hours")
    sub = volunteers.add_subparsers(dest="volunteers_command", required=True, metavar="ACTION")

    p = sub.add_parser("add", help="add a volunteer (approved at once with a check's expiry date)")
    p.add_argument("--first-name", required=True)
    p.add_argument("--last-name", required=True)
    p.add_argument("--dob", help="YYYY-MM-DD")
    p.add_argument("--check-expires", metavar="YYYY-MM-DD", help="the background check's expiry date")
    p.add_argument("--activity", action="append", default=[], help="what they help with; repeatable")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_add)

    p = sub.add_parser("import", help="import an approved-volunteer list from a CSV file (all rows or none)")
    p.add_argument("file")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="read FIELD (first_name, dob, check_expires, ...) from the file's COLUMN; repeatable",
    )
    p.set_defaults(run=_import)

    p = sub.add_parser("list", help="list volunteers (or only checks expiring within DAYS)")
    p.add_argument("--expiring", type=int, metavar="DAYS")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_list)

    p = sub.add_parser("hours", help="volunteer hours (default: this year to today)")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
    p.add_argument("--volunteer", type=int, metavar="ID")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true", help="one row per volunteer and activity")
    fmt.add_argument("--json", action="store_true")
    p.add_argument("--pdf", type=Path, metavar="FILE", help="also write the school's PDF report to FILE")
    p.set_defaults(run=_hours)

    p = sub.add_parser("suspend", help="suspend a volunteer, saying why")
    p.add_argument("volunteer_id", metavar="ID", type=int)
    p.add_argument("--reason", required=True)
    p.set_defaults(run=_suspend)


def volunteer_record(v: Volunteer) -> dict:
    """A volunteer as the flat JSON the CLI prints."""
    return {
        "id": v.id,
        "first_name": v.first_name,
        "middle_name": v.middle_name,
        "last_name": v.last_name,
        "dob": v.dob.isoformat() if v.dob else None,
        "status": v.status.value,
        "activities": list(v.activities),
        "schools": list(v.schools),
        "training": list(v.training),
        "check_kind": v.check.kind,
        "check_provider": v.check.provider,
        "check_date": v.check.date.isoformat() if v.check.date else None,
        "check_result": v.check.result,
        "check_expires": v.check.expires.isoformat() if v.check.expires else None,
        "status_reason": v.status_reason,
        "approved_by": v.approved_by,
    }


def _line(v: Volunteer) -> str:
    expires = f"check expires {v.check.expires}" if v.check.expires else "no check on file"
    activities = f"  ({', '.join(v.activities)})" if v.activities else ""
    return f"{v.id:>6}  {v.status.value:9}  {v.full_name}  {expires}{activities}"


def _add(args: argparse.Namespace) -> int:
    new = NewVolunteer(
        first_name=args.first_name.strip(),
        last_name=args.last_name.strip(),
        dob=clock.parse_date(args.dob, "--dob") if args.dob else None,
        activities=tuple(a.strip() for a in args.activity if a.strip()),
        check=BackgroundCheck(
            expires=clock.parse_date(args.check_expires, "--check-expires") if args.check_expires else None
        ),
    )
    volunteer = open_services(args).volunteers.add(new)  # checks the role and audits the change
    if args.json:
        print_json(volunteer_record(volunteer))
    else:
        print(_line(volunteer))
    return 0


def _import(args: argparse.Namespace) -> int:
    mapping = {}
    for item in args.map:
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise InputError(f"--map needs FIELD=COLUMN, not {item!r}")
        mapping[field.strip()] = column.strip()
    services = open_services(args)
    try:
        report = services.volunteers.import_csv(args.file, mapping or None)
    except ImportFailed as exc:
        for line, message in exc.errors[1:]:
            print(f"frontdesk: line {line}: {message}", file=sys.stderr)
        raise
    print(f"Imported {report.added:,} volunteers, updated {report.updated:,} in {report.seconds:.1f} s")
    return 0


def _list(args: argparse.Namespace) -> int:
    found = open_services(args).volunteers.list(expiring=args.expiring)
    if args.json:
        print_json([volunteer_record(v) for v in found])
    else:
        for v in found:
            print(_line(v))
    return 0


def hours_json(report: HoursReport) -> dict:
    """The hours report as the JSON the CLI prints."""
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "total_hours": report.total_hours,
        "volunteers": [
            {
                "id": vh.volunteer.id,
                "name": vh.volunteer.full_name,
                "status": vh.volunteer.status.value,
                "visits": vh.visits,
                "hours": vh.hours,
                "months": vh.months,
                "years": vh.years,
                "activities": vh.activities,
                "forgotten_checkouts": vh.forgotten,
            }
            for vh in report.volunteers
        ],
        "visits": [
            {
                "volunteer_id": line.volunteer.id,
                "visit_id": line.visit.id,
                "activity": line.activity,
                "time_in": line.visit.time_in.astimezone().isoformat(timespec="seconds"),
                "time_out": line.visit.time_out.astimezone().isoformat(timespec="seconds")
                if line.visit.time_out
                else None,
                "hours": round(line.minutes / 60, 2),
                "rule": line.rule,
            }
            for line in report.lines
        ],
    }


def _hours(args: argparse.Namespace) -> int:
    today = clock.now().astimezone().date()
    start = clock.parse_date(args.start, "--from") if args.start else date(today.year, 1, 1)
    end = clock.parse_date(args.end, "--to") if args.end else today
    services = open_services(args)
    report = services.volunteers.hours(start, end, volunteer_id=args.volunteer)
    if args.pdf:
        hours_pdf(report, args.pdf, school=services.settings.get(SCHOOL_NAME), now=clock.now())
    if args.json:
        print_json(hours_json(report))
    elif args.csv:
        write_csv(report, sys.stdout)
    else:
        for vh in report.volunteers:
            months = ", ".join(f"{m}: {h:g} h" for m, h in vh.months.items())
            star = f"  ({vh.forgotten} forgotten check-out, close-day rule)" if vh.forgotten else ""
            who = f"{vh.volunteer.id:>6}  {vh.volunteer.full_name}"
            print(f"{who}  {vh.hours:g} h in {vh.visits} visits  [{months}]{star}")
        print(f"Total {report.total_hours:g} h, {start} to {end}")
    return 0


def _suspend(args: argparse.Namespace) -> int:
    services = open_services(args)
    volunteer = services.volunteers.suspend(args.volunteer_id, args.reason)
    print(f"Suspended {volunteer.id}: {volunteer.full_name} ({volunteer.status_reason})")
    visit = services.volunteers.on_site(volunteer)
    if visit is not None:  # in the building now, with a badge that still says what they were (session 22)
        from frontdesk.text import format_badge_code

        where = (
            f"{volunteer.full_name} is on site now: checked in at {visit.time_in.astimezone():%H:%M} as a "
            f"{visit.category.value}, badge {format_badge_code(visit.badge_code)}"
        )
        print(f"{where}. Their badge does not know of the suspension: see them, or check them out.")
        services.events.record("volunteers", "warning", f"Volunteer suspended while on site: {where}.")
    return 0
