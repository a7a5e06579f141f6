"""``frontdesk dispatch connect`` (this desk's link to the console) and the console's own actions.

``serve``, ``enroll``, ``stations``, ``revoke`` and ``user add`` belong to the district server
(``district/cli.py``); they appear here through the ``frontdesk.dispatch_commands`` entry point when that
package is installed, and otherwise say where to run them.
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import entry_points
from pathlib import Path

from frontdesk.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``dispatch`` command group: ``connect`` here, the console's actions from the district package."""
    dispatch = subparsers.add_parser("dispatch", help="this desk's link to district dispatch (and the console)")
    sub = dispatch.add_subparsers(dest="dispatch_command", required=True, metavar="ACTION")
    register_station_commands(sub)
    # The district console (serve, enroll, stations, revoke, user) is another product: the desk never
    # imports it. Where it is installed beside the desk it plugs its actions in through an entry point.
    loaded = 0
    for plugin in entry_points(group="frontdesk.dispatch_commands"):
        if plugin.name == DISTRICT_GROUP:
            continue  # the hub's own group, `frontdesk district` (frontdesk/cli/district.py)
        try:
            plugin.load()(sub)
            loaded += 1
        except ImportError:  # named in the metadata but not shipped (the desk's frozen bundle)
            continue
    if not loaded:
        for name in DISTRICT_COMMANDS:
            p = sub.add_parser(name, help="(the district server, not installed here)")
            p.add_argument("rest", nargs=argparse.REMAINDER)
            p.set_defaults(run=_not_installed)


DISTRICT_GROUP = "district-hub"
DISTRICT_COMMANDS = ("serve", "enroll", "stations", "revoke", "user", "clearer")


def _not_installed(args: argparse.Namespace) -> int:
    raise InputError(
        f"'frontdesk dispatch {args.dispatch_command}' is the district server, which is not installed with this "
        "desk: run it on the district's server (pip install 'frontdesk[district]')"
    )


def register_station_commands(sub: argparse._SubParsersAction) -> None:
    """The station's dispatch commands (``connect``)."""
    p = sub.add_parser(
        "connect",
        help="connect this desk to a console: reads the credential from standard input, checks it, keeps it",
    )
    p.add_argument(
        "url",
        help="the console's address, e.g. https://dispatch.district.example:8765; consoles sharing one "
        "database: several, comma-separated (the desk fails over between them)",
    )
    p.add_argument("--ca-file", help="PEM of the CA that signed the console's certificate (a district's own CA)")
    p.add_argument(
        "--insecure",
        action="store_true",
        help="allow plain http:// to a console on another machine (the credential and the roster travel in "
        "clear; the desk warns on every screen). Without it, http:// is only for a console on this machine",
    )
    p.set_defaults(run=_connect)


def _connect(args: argparse.Namespace) -> int:
    from frontdesk.cli.common import open_services

    # The credential never goes on the command line (it would land in the shell history and `ps`).
    credential = sys.stdin.readline().strip()
    services = open_services(args)
    if args.ca_file is not None:
        from frontdesk.settings import DISPATCH_CA_FILE

        services.settings.set(DISPATCH_CA_FILE, str(Path(args.ca_file).resolve()) if args.ca_file else "")
    info = services.station.connect(args.url, credential, insecure=args.insecure)
    if services.station.insecure:
        print(
            "WARNING: this link is NOT ENCRYPTED (--insecure); the desk shows a warning until it is connected "
            "over https://",
            file=sys.stderr,
        )
    print(
        f"Connected to {args.url} as station {info.get('station')!r} at {info.get('school')}"
        + (f", {info['room']}" if info.get("room") else "")
        + f" (id {info.get('station_id')}). The credential is in the keyring."
    )
    return 0
