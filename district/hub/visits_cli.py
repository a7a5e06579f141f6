"""``frontdesk district onsite`` and ``frontdesk district log``: the visits every desk sent to the hub."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date, datetime

from district.cli import _command, _db_option, db_url
from district.errors import InputError
from district.hub.visits import KEYS, HubVisits, spreadsheet_safe, zone_of


def register_visits(sub: argparse._SubParsersAction) -> None:
    """Add ``onsite`` and ``log`` to the ``district`` group."""
    p = sub.add_parser("onsite", help="everyone on site now at a school, from every desk")
    p.add_argument("--school", required=True)
    p.add_argument("--tz", help="times in this time zone (America/New_York); default the hub's")
    p.add_argument("--json", action="store_true")
    _db_option(p)
    p.set_defaults(run=_command(_onsite))

    p = sub.add_parser("log", help="a day's visits across the district (or one school)")
    p.add_argument("--date", required=True, help="YYYY-MM-DD (the hub's local day, or --tz's)")
    p.add_argument("--school")
    p.add_argument("--tz", help="the day and times in this time zone (America/New_York); default the hub's")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", action="store_true", help="CSV (no cell runs as a formula in a spreadsheet)")
    _db_option(p)
    p.set_defaults(run=_command(_log))


def _visits(args: argparse.Namespace):
    from district.console.service import ConsoleService

    service = ConsoleService.open(db_url(args))
    return service, HubVisits(service.db)


def _local(text: str | None, zone=None) -> str:
    if not text:
        return ""
    return datetime.fromisoformat(text).astimezone(zone).strftime("%H:%M")


def _onsite(args: argparse.Namespace) -> int:
    zone = zone_of(args.tz.strip()) if args.tz else None
    service, visits = _visits(args)
    try:
        rows = visits.onsite(args.school.strip())
    finally:
        service.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for r in rows:
        what = f"({r['category']}, {r['purpose']})"
        print(f"{_local(r['checked_in_at'], zone)}  {r['badge_code']:10}  {r['name']}  {what}  [{r['station']}]")
    print(f"{len(rows)} on site at {args.school.strip()}")
    return 0


def _log(args: argparse.Namespace) -> int:
    try:
        day = date.fromisoformat(args.date.strip())
    except ValueError:
        raise InputError(f"--date must be a date like 2026-03-14, not {args.date!r}") from None
    school = (args.school or "").strip() or None
    zone = zone_of(args.tz.strip()) if args.tz else None
    service, visits = _visits(args)
    try:  # streamed as read, page by page: every visit of the day, however many
        rows = visits.log_rows(day, school, zone=zone)
        if args.json:
            sys.stdout.write("[")
            for n, r in enumerate(rows):
                sys.stdout.write(("," if n else "") + json.dumps(r, ensure_ascii=False))
            sys.stdout.write("]\n")
        elif args.csv:
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(KEYS)
            for r in rows:
                writer.writerow([spreadsheet_safe(r[k]) for k in KEYS])
        else:
            count = 0
            for r in rows:
                out = f"-{_local(r['checked_out_at'], zone)}" if r["checked_out_at"] else " on site"
                when = f"{_local(r['checked_in_at'], zone)}{out:9}"
                print(f"{when}  {r['school']}  {r['name']}  ({r['purpose']})  [{r['station']}]")
                count += 1
            print(f"{count} visits on {day.isoformat()}" + (f" at {school}" if school else ""))
    finally:
        service.close()
    return 0
