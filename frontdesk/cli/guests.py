"""``frontdesk guests add | list``: expected guests (pre-registration) who check in at the kiosk with a code."""

from __future__ import annotations

import argparse
from datetime import datetime, time

from frontdesk import clock
from frontdesk.cli.common import open_services, print_json
from frontdesk.errors import InputError
from frontdesk.kiosk.service import Guest


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the expected-guest commands."""
    guests = subparsers.add_parser("guests", help="expected guests: a code to check in at the kiosk")
    sub = guests.add_subparsers(dest="guests_command", required=True, metavar="ACTION")
    p = sub.add_parser("add", help="expect a guest (name, host, time window) and print their code")
    p.add_argument("--first-name", required=True)
    p.add_argument("--last-name", required=True)
    p.add_argument("--host", required=True, help="whom they come to see")
    p.add_argument("--purpose", default="")
    p.add_argument("--date", help="YYYY-MM-DD (default today)")
    p.add_argument("--from", dest="start", required=True, metavar="HH:MM")
    p.add_argument("--to", dest="end", required=True, metavar="HH:MM")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_add)
    p = sub.add_parser("list", help="guests expected on a day")
    p.add_argument("--date", help="YYYY-MM-DD (default today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_list)


def _time(text: str, what: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what} must be a time like 14:30, not {text!r}") from None


def guest_record(g: Guest) -> dict:
    """A guest as the JSON the CLI prints."""
    return {
        "id": g.id,
        "code": g.code_text,
        "first_name": g.first_name,
        "last_name": g.last_name,
        "host": g.host,
        "purpose": g.purpose,
        "from": g.window_start.astimezone().isoformat(timespec="minutes"),
        "to": g.window_end.astimezone().isoformat(timespec="minutes"),
        "visit_id": g.visit_id,
    }


def _day(args: argparse.Namespace):
    return clock.parse_date(args.date, "--date") if args.date else clock.now().astimezone().date()


def _add(args: argparse.Namespace) -> int:
    day = _day(args)
    start = datetime.combine(day, _time(args.start, "--from")).astimezone()
    end = datetime.combine(day, _time(args.end, "--to")).astimezone()
    guest = open_services(args).kiosk.preregister(
        args.first_name, args.last_name, args.host, start, end, purpose=args.purpose
    )
    if args.json:
        print_json(guest_record(guest))
    else:
        print(f"{guest.code_text}  {guest.first_name} {guest.last_name} -> {guest.host}, {args.start}-{args.end}")
    return 0


def _list(args: argparse.Namespace) -> int:
    found = open_services(args).kiosk.guests(_day(args))
    if args.json:
        print_json([guest_record(g) for g in found])
    else:
        for g in found:
            print(
                f"{g.code_text}  {g.window_start.astimezone():%H:%M}-{g.window_end.astimezone():%H:%M}  "
                f"{g.first_name} {g.last_name} -> {g.host}{'  (arrived)' if g.visit_id else ''}"
            )
    return 0
