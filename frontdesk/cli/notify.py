"""``frontdesk notify add | list | remove | test | drain | send-daily-log | set-password | outbox``.

Email and text notifications (issue 20). Exit codes: ``test`` 0 when every server accepted, 1 otherwise
(each failure on its own line of standard error); ``drain`` 0 when the outbox is empty, 3 if not in time;
otherwise 0, or 2 for bad input (one line).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from frontdesk import clock
from frontdesk.cli.common import open_services, print_json
from frontdesk.errors import InputError
from frontdesk.notifications.outbound import EVENTS, parse_events
from frontdesk.notifications.secrets import save_secret


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``notify`` command group."""
    notify = subparsers.add_parser("notify", help="email and text notifications: recipients, outbox, daily log")
    sub = notify.add_subparsers(dest="notify_command", required=True, metavar="ACTION")
    p = sub.add_parser("add", help="add a recipient (or change the events of one)")
    p.add_argument(
        "address",
        help="an email address; with --sms a +1... number or an email-to-SMS address; or role:principal "
        "(every active principal's account) or account:USERNAME (that account's email, and its mobile with --sms)",
    )
    p.add_argument("--events", required=True, help=f"comma-separated: {','.join(EVENTS)}")
    p.add_argument("--name", default="", help="who this is (for example: Officer Diaz, SRO)")
    p.add_argument("--sms", action="store_true", help="send short texts to this address")
    p.set_defaults(run=_add)
    p = sub.add_parser("list", help="the recipients and their events")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_list)
    p = sub.add_parser("remove", help="remove a recipient")
    p.add_argument("address")
    p.set_defaults(run=_remove)
    p = sub.add_parser("test", help="send a test to every recipient: exit 0 when every server accepted, 1 if not")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_test)
    p = sub.add_parser("drain", help="send what is queued: exit 0 when the outbox is empty, 3 if not in time")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS", help="keep retrying this long")
    p.set_defaults(run=_drain)
    p = sub.add_parser("send-daily-log", help="queue a day's visitor log now (only if the day had visits)")
    p.add_argument("--date", type=_day, default=None, metavar="D", help="YYYY-MM-DD (default: today)")
    p.set_defaults(run=_daily)
    p = sub.add_parser("set-password", help="read the mail server password from standard input into the keyring")
    p.add_argument("--twilio", action="store_true", help="the Twilio auth token instead")
    p.set_defaults(run=_set_password)
    p = sub.add_parser(
        "district-load",
        help="take the district's notification rules from a district-settings JSON file (what the hub serves)",
    )
    p.add_argument(
        "file", help='{"settings": {"notify.rules": {"value": [{"to": ..., "events": ...}], "locked": ...}}}'
    )
    p.set_defaults(run=_district_load)
    p = sub.add_parser("outbox", help="the newest messages and their delivery state")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(run=_outbox)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _add(args: argparse.Namespace) -> int:
    services = open_services(args)
    r = services.outbound.add(args.address, parse_events(args.events), name=args.name, sms=args.sms)
    print(f"{r.address}{' (texts)' if r.sms else ''}: {', '.join(r.events)}")
    return 0


def _list(args: argparse.Namespace) -> int:
    recipients = open_services(args).outbound.recipients()
    if args.json:
        print_json(
            [
                {
                    "address": r.address,
                    "name": r.name,
                    "sms": r.sms,
                    "events": list(r.events),
                    "origin": r.origin,
                    "locked": r.locked,
                    "overrides": r.overrides,
                }
                for r in recipients
            ]
        )
        return 0
    for r in recipients:
        name = f"  {r.name}" if r.name else ""
        kind = "text " if r.sms else "email"
        if r.origin == "district":
            origin = "  (district, locked)" if r.locked else "  (district)"
        else:
            origin = "  (school, instead of the district's)" if r.overrides else ""
        events = ",".join(r.events) or "off at this school"
        print(f"{kind}  {r.address}{name}  {events}{origin}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    services = open_services(args)
    r = services.outbound.remove(args.address)
    if r.origin == "district":
        print(f"Switched off the district's rule for {r.address} at this school")
    elif r.overrides:
        print(f"Removed {r.address}; the district's rule for it applies again")
    else:
        print(f"Removed {r.address}")
    return 0


def _district_load(args: argparse.Namespace) -> int:
    services = open_services(args)
    from frontdesk.access.roles import Action

    services.session.require(Action.CHANGE_SETTINGS)
    count = services.outbound.load_district_file(args.file)
    if count is None:
        raise InputError(f"{args.file} has no notify.rules: the district's rules are unchanged")
    print(f"The district's notification rules: {count}")
    return 0


def _test(args: argparse.Namespace) -> int:
    services = open_services(args)
    if not services.outbound.recipients():
        raise InputError("No recipients yet: frontdesk notify add ADDRESS --events ...")
    services.outbound.queue_test()
    attempts = services.sender.send_tests()
    failed = [a for a in attempts if a.state != "sent"]
    if args.json:
        print_json([{"address": a.address, "state": a.state, "error": a.error} for a in attempts])
    else:
        for a in attempts:
            if a.state == "sent":
                print(f"sent     {a.address}")
    for a in failed:
        print(f"{a.address}: {a.error}", file=sys.stderr)
    return 1 if failed else 0


def _drain(args: argparse.Namespace) -> int:
    services = open_services(args)
    # A panic pressed by a program that ended while the main file was busy has its email and texts queued now
    # (with its audit record), so a desk that is closed still tells its subscribers.
    services.station.catch_up()
    # An alert dispatch has still not received (or refused) is told to the panic subscribers before the drain.
    services.station.tell_delivery()
    attempts = services.sender.drain(args.wait)
    for a in attempts:
        if a.state != "sent":
            print(f"{a.state:8} {a.address} ({a.event}): {a.error}", file=sys.stderr)
    sent = sum(1 for a in attempts if a.state == "sent")
    left = services.sender.pending()
    print(f"sent {sent}, still queued {left}")
    return 0 if left == 0 else 3


def _daily(args: argparse.Namespace) -> int:
    services = open_services(args)
    day = args.date or clock.now().astimezone().date()
    queued = services.daily_log.queue(day)
    if queued:
        print(f"Queued the visitor log of {day.isoformat()} for {queued} recipient{'s' if queued != 1 else ''}")
    else:
        print(f"Nothing queued for {day.isoformat()}: no visits that day, or nobody subscribes to daily-log")
    return 0


def _set_password(args: argparse.Namespace) -> int:
    services = open_services(args)
    from frontdesk.access.roles import Action

    services.session.require(Action.CHANGE_SETTINGS)
    # Never on the command line (it would land in the shell history and `ps`).
    secret = sys.stdin.readline().rstrip("\r\n")
    if not secret:
        raise InputError("Give the password on standard input: echo SECRET | frontdesk notify set-password")
    name = "twilio" if args.twilio else "smtp"
    save_secret(name, secret)
    services.audit.record(None, "notify.set_password", name, {})
    print(f"The {'Twilio token' if args.twilio else 'mail server password'} is in the keyring.")
    return 0


def _outbox(args: argparse.Namespace) -> int:
    deliveries = open_services(args).outbound.deliveries(args.limit)
    if args.json:
        print_json(
            [
                {
                    "id": d.id,
                    "created": d.created,
                    "event": d.event,
                    "to": d.address,
                    "state": d.state,
                    "attempts": d.attempts,
                    "repeats": d.repeats,
                    "error": d.last_error,
                    "sent_at": d.sent_at,
                }
                for d in deliveries
            ]
        )
        return 0
    for d in deliveries:
        when = f"{d.created.astimezone():%m/%d %H:%M}"
        error = f"  {d.last_error}" if d.last_error else ""
        print(f"{when}  {d.state:8} {d.event:15} {d.address}{error}")
    return 0
