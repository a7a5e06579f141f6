"""``frontdesk checkin | checkout | onsite | log``."""

from __future__ import annotations

import argparse
import csv
import sys

from frontdesk import clock
from frontdesk.cli.common import open_services, print_json, visit_line, visit_record
from frontdesk.errors import InputError
from frontdesk.models import Category, Visitor
from frontdesk.text import format_badge_code


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the visit commands."""
    p = subparsers.add_parser("checkin", help="check a visitor in and print the visit with its badge code")
    p.add_argument("--first-name", required=True)
    p.add_argument("--last-name", required=True)
    p.add_argument("--middle-name")
    p.add_argument("--dob", help="date of birth, YYYY-MM-DD")
    p.add_argument("--category", default="visitor", help=", ".join(c.value for c in Category))
    p.add_argument("--purpose", default="")
    p.add_argument("--destination", default="")
    p.add_argument("--note", default="")
    p.add_argument("--again", action="store_true", help="check in even if already on site")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_checkin)

    p = subparsers.add_parser("checkout", help="check a visitor out by badge code")
    p.add_argument("badge_code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_checkout)

    p = subparsers.add_parser("onsite", help="list who is on site now")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_onsite)

    p = subparsers.add_parser("log", help="the visits of one day")
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    p.set_defaults(run=_log)


def _checkin(args: argparse.Namespace) -> int:
    first, last = args.first_name.strip(), args.last_name.strip()
    if not first or not last:
        raise InputError("A visitor needs a first and a last name (--first-name, --last-name)")
    visitor = Visitor(
        first_name=first,
        last_name=last,
        middle_name=(args.middle_name or "").strip() or None,
        dob=clock.parse_date(args.dob, "--dob") if args.dob else None,
    )
    services = open_services(args)
    visit = services.visits.check_in(
        visitor,
        category=args.category.strip().lower(),
        purpose=args.purpose,
        destination=args.destination,
        note=args.note,
        allow_second=args.again,
    )
    if args.json:
        print_json(visit_record(visit))
    else:
        print(f"Checked in: {visit_line(visit)}")
        print(f"Badge code: {format_badge_code(visit.badge_code)}")
    return 0


def _checkout(args: argparse.Namespace) -> int:
    services = open_services(args)
    visit = services.visits.check_out(args.badge_code)
    if args.json:
        print_json(visit_record(visit))
    else:
        print(f"Checked out: {visit_line(visit)}")
    return 0


def _onsite(args: argparse.Namespace) -> int:
    visits = open_services(args).visits.on_site()
    if args.json:
        print_json([visit_record(v) for v in visits])
    else:
        for v in visits:
            print(visit_line(v))
        print(f"{len(visits)} on site")
    return 0


def _log(args: argparse.Namespace) -> int:
    day = clock.parse_date(args.date, "--date")
    visits = open_services(args).visits.day_log(day)
    records = [visit_record(v) for v in visits]
    if args.json:
        print_json(records)
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=_CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    else:
        for v in visits:
            print(visit_line(v))
        print(f"{len(visits)} visits on {day}")
    return 0


_CSV_FIELDS = [
    "id",
    "badge_code",
    "first_name",
    "middle_name",
    "last_name",
    "dob",
    "category",
    "purpose",
    "destination",
    "time_in",
    "time_out",
    "station",
    "staff",
    "note",
]
