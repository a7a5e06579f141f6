"""``frontdesk sync [--wait SECONDS] [--json]`` and ``frontdesk sync status [--json]`` (issue 15).

``sync`` pushes this desk's waiting changes to the district hub and pulls the school's other desks' visits
until both are done: exit 0 once in step, 3 when that did not happen within ``--wait`` seconds (nothing is
lost: the changes stay in the outbox and the desk keeps trying), 2 (one line) when the hub refuses the
address or the credential.
"""

from __future__ import annotations

import argparse
import sys

from frontdesk.cli.common import open_services, print_json
from frontdesk.errors import InputError

EXIT_NOT_IN_STEP = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``sync`` and ``sync status``."""
    p = subparsers.add_parser("sync", help="push this desk's changes to the district hub and pull the school's")
    p.add_argument(
        "--wait", type=float, default=30.0, metavar="SECONDS", help="give up after this long (exit 3; default 30)"
    )
    p.add_argument("--json", action="store_true", help='print {"pushed", "pulled", "pending", "last_sync"}')
    p.set_defaults(run=_sync)
    sub = p.add_subparsers(dest="sync_command", metavar="ACTION")
    status = sub.add_parser("status", help="what is waiting, and when this desk was last in step with the hub")
    status.add_argument(
        "--json",
        action="store_true",
        help='print {"pending", "last_sync", "lists_as_of", "clock_off_s", "hub_shares", "older_desks"}',
    )
    status.set_defaults(run=_status)


def _iso(moment) -> str | None:
    return moment.astimezone().isoformat(timespec="seconds") if moment is not None else None


def _sync(args: argparse.Namespace) -> int:
    if args.wait < 0 or args.wait != args.wait:
        raise InputError("--wait is a number of seconds from 0")
    services = open_services(args)
    result, in_step = services.sync.sync(args.wait)
    status = services.sync.status()
    if args.json:
        print_json(
            {
                "pushed": result.pushed,
                "pulled": result.pulled,
                "pending": status.pending,
                "last_sync": _iso(status.last_sync),
            }
        )
    else:
        print(f"Pushed {result.pushed}, pulled {result.pulled}; {status.words}")
    if status.hub_shares is False:
        from frontdesk.sync.service import HUB_NOT_SHARING

        print(f"frontdesk: {HUB_NOT_SHARING}", file=sys.stderr)
    for words in status.older_words:  # a desk of this school that does not get its shared bars
        print(f"frontdesk: {words}", file=sys.stderr)
    return 0 if in_step else EXIT_NOT_IN_STEP


def _status(args: argparse.Namespace) -> int:
    sync = open_services(args).sync
    status = sync.status()
    if args.json:
        print_json(
            {
                "pending": status.pending,
                "last_sync": _iso(status.last_sync),
                "lists_as_of": status.lists_as_of,
                # the hub's clock minus this desk's, seconds, when more than 5 minutes either way (else null)
                "clock_off_s": status.clock_off_s,
                # false: a hub older than the school's sharing (no other desk's records come); null: not known
                "hub_shares": status.hub_shares,
                # the school's other desks on a release that does not take some of its shared records (a bar made
                # here is not at theirs): [{"station", "misses": [kind, ...], "words", "last_synced"}] (the last
                # added in session 25: when it last synced, this desk's clock; null when the hub did not say);
                # null: not known
                "older_desks": None
                if status.older_desks is None
                else [
                    {"station": station, "misses": list(kinds), "words": words, "last_synced": _iso(last)}
                    for (station, kinds, last), words in zip(status.older_desks, status.older_words, strict=True)
                ],
            }
        )
    else:
        print(status.words)
        if status.hub_shares is False:
            from frontdesk.sync.service import HUB_NOT_SHARING

            print(f"hub: {HUB_NOT_SHARING}")
        for words in status.older_words:
            print(f"desk: {words}")
        print(f"pending: {status.pending}")
        print(f"last_sync: {_iso(status.last_sync) or 'never'}")
        print(f"lists_as_of: {status.lists_as_of or 'none'}")
        if status.clock_words:
            print(f"clock: {status.clock_words} the hub's (set this PC's date, time and time zone right)")
        for parked in sync.parked():
            print(
                f"refused (parked): change {parked['seq']} {parked['kind']} {parked['subject']}: "
                f"{parked['reason']}"
            )
    return 0
