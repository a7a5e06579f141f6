"""``frontdesk report | roster | search | close-day``: the principals' review on the command line."""

from __future__ import annotations

import argparse
from datetime import date

from frontdesk import clock
from frontdesk.cli.common import open_services, print_json, visit_line, visit_record
from frontdesk.errors import InputError
from frontdesk.models import Category
from frontdesk.review.models import ReviewQuery
from frontdesk.settings import SCHOOL_NAME


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the review commands."""
    p = subparsers.add_parser("report", help="visits of a day or range as CSV or PDF (principals)")
    p.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD (included)")
    p.add_argument("--format", required=True, choices=["csv", "pdf"])
    p.add_argument("--out", required=True, help="file to write")
    p.add_argument("--category", help=", ".join(c.value for c in Category))
    p.add_argument("--flagged", action="store_true", help="flagged visits only")
    p.add_argument("--on-site", action="store_true", help="visits still on site only")
    p.add_argument("--station")
    p.set_defaults(run=_report)

    p = subparsers.add_parser("roster", help="the emergency roster (everyone on site now) as a PDF to print")
    p.add_argument("--out", required=True)
    p.set_defaults(run=_roster)

    p = subparsers.add_parser("search", help="search all visit history (names, purpose, destination, notes)")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_search)

    p = subparsers.add_parser(
        "close-day", help="check out everyone still on site from DATE or before, with a note"
    )
    p.add_argument("--date", default=None, help="YYYY-MM-DD (default: today)")
    p.add_argument("--note", required=True, help="why, e.g. 'left without signing out'")
    p.set_defaults(run=_close_day)


def _day(text: str, what: str) -> date:
    return clock.parse_date(text, what)


def _report(args: argparse.Namespace) -> int:
    category = None
    if args.category:
        try:
            category = Category(args.category.strip().lower())
        except ValueError:
            raise InputError(f"--category must be one of: {', '.join(c.value for c in Category)}") from None
    query = ReviewQuery(
        start=_day(args.start, "--from"),
        end=_day(args.end, "--to"),
        category=category,
        flagged_only=args.flagged,
        on_site_only=args.on_site,
        station=args.station,
    )
    services = open_services(args)
    count = services.review.export(query, args.format, args.out, school=services.settings.get(SCHOOL_NAME))
    print(f"{count} visits written to {args.out}")
    return 0


def _roster(args: argparse.Namespace) -> int:
    services = open_services(args)
    count = services.review.roster_pdf(args.out, school=services.settings.get(SCHOOL_NAME))
    print(f"Emergency roster: {count} on site, written to {args.out}")
    return 0


def _search(args: argparse.Namespace) -> int:
    rows = open_services(args).review.search(args.text, limit=args.limit)
    if args.json:
        print_json([visit_record(r.visit) for r in rows])
    else:
        for r in rows:
            came = r.visit.time_in.astimezone().date()
            print(f"{came:%Y-%m-%d} {visit_line(r.visit, came)}")
        print(f"{len(rows)} found")
    return 0


def _close_day(args: argparse.Namespace) -> int:
    day = _day(args.date, "--date") if args.date else clock.now().astimezone().date()
    closed = open_services(args).review.close_forgotten(day, args.note)
    for v in closed:
        print(f"Checked out: {visit_line(v, day)}")
    print(f"{len(closed)} checked out")
    return 0
