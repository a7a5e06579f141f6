"""``frontdesk dispatch serve | enroll | user add`` (the district console) and, on stations, ``connect``.

The console keeps its own database, given by ``--db`` (``sqlite:///path`` or ``postgresql://…``); without
it, ``FRONTDESK_DISPATCH_DB``, else ``dispatch-console.db`` in the data folder.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from frontdesk.context import default_data_dir
from frontdesk.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``dispatch`` command group."""
    dispatch = subparsers.add_parser("dispatch", help="the district dispatch console (and a station's link to it)")
    sub = dispatch.add_subparsers(dest="dispatch_command", required=True, metavar="ACTION")

    p = sub.add_parser("serve", help="run the district dispatch console (HTTP; HTTPS with --cert/--key)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    _db_option(p)
    p.add_argument("--cert", type=Path, help="TLS certificate (PEM) for HTTPS")
    p.add_argument("--key", type=Path, help="TLS private key (PEM) for HTTPS")
    p.add_argument("--name", default="district", help="this console's name (on Acks; two consoles: two names)")
    p.add_argument(
        "--forward-url",
        default=os.environ.get("FRONTDESK_DISPATCH_FORWARD_URL") or None,
        help="POST every real (Actual) police alert's CAP here at once, no human between "
        "(for a district centre that is not itself a 911 centre; never drills or tests)",
    )
    p.set_defaults(run=_serve)

    p = sub.add_parser("enroll", help="enrol a station; prints its credential once, on the last line")
    p.add_argument("--school", required=True)
    p.add_argument("--station", required=True)
    p.add_argument("--room", default="")
    _db_option(p)
    p.set_defaults(run=_enroll)

    p = sub.add_parser("stations", help="enrolled stations: id, school, name, room, online or OFFLINE")
    p.add_argument("--json", action="store_true")
    _db_option(p)
    p.set_defaults(run=_stations)

    p = sub.add_parser("revoke", help="stop accepting a station's credential (a lost or replaced PC)")
    p.add_argument("station_id")
    _db_option(p)
    p.set_defaults(run=_revoke)

    user = sub.add_parser("user", help="dispatchers who sign in to the live screen")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    p = user_sub.add_parser("add", help="add a dispatcher (password read from standard input)")
    p.add_argument("name")
    _db_option(p)
    p.set_defaults(run=_user_add)

    # --- station side: `frontdesk dispatch connect URL` is registered here by the station's module -------
    register_station_commands(sub)


def register_station_commands(sub: argparse._SubParsersAction) -> None:
    """The station's dispatch commands (``connect``); added by the station side of issue 6."""
    p = sub.add_parser(
        "connect",
        help="connect this desk to a console: reads the credential from standard input, checks it, keeps it",
    )
    p.add_argument("url", help="the console's address, e.g. https://dispatch.district.example:8765")
    p.add_argument("--ca-file", help="PEM of the CA that signed the console's certificate (a district's own CA)")
    p.set_defaults(run=_connect)


def _connect(args: argparse.Namespace) -> int:
    from frontdesk.cli.common import open_services

    # The credential never goes on the command line (it would land in the shell history and `ps`).
    credential = sys.stdin.readline().strip()
    services = open_services(args)
    if args.ca_file is not None:
        from frontdesk.settings import DISPATCH_CA_FILE

        services.settings.set(DISPATCH_CA_FILE, str(Path(args.ca_file).resolve()) if args.ca_file else "")
    info = services.station.connect(args.url, credential)
    print(
        f"Connected to {args.url} as station {info.get('station')!r} at {info.get('school')}"
        + (f", {info['room']}" if info.get("room") else "")
        + f" (id {info.get('station_id')}). The credential is in the keyring."
    )
    return 0


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", help="sqlite:///path or postgresql://… (default: FRONTDESK_DISPATCH_DB or the data folder)"
    )


def db_url(args: argparse.Namespace) -> str:
    """The console database URL from ``--db``, the environment or the data folder."""
    if args.db:
        return args.db
    if os.environ.get("FRONTDESK_DISPATCH_DB"):
        return os.environ["FRONTDESK_DISPATCH_DB"]
    folder = args.data_dir or default_data_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return f"sqlite:///{Path(folder).resolve() / 'dispatch-console.db'}"


def _open(args: argparse.Namespace, **kw):
    from frontdesk.dispatch.console.service import ConsoleService

    return ConsoleService.open(db_url(args), **kw)


def _serve(args: argparse.Namespace) -> int:
    from frontdesk.dispatch.console.server import serve

    service = _open(args, name=args.name, forward_url=args.forward_url)
    scheme = "https" if args.cert else "http"
    print(f"Dispatch console {args.name!r} on {scheme}://{args.host}:{args.port}/ (Ctrl+C stops it)", flush=True)
    if args.forward_url:
        print(f"Real alerts are forwarded to {args.forward_url}", flush=True)
    try:
        serve(service, args.host, args.port, args.cert, args.key)
    finally:
        service.close()
    return 0


def _enroll(args: argparse.Namespace) -> int:
    service = _open(args)
    try:
        enrolment = service.auth.enroll(args.school, args.station, args.room)
    finally:
        service.close()
    s = enrolment.station
    print(
        f"Enrolled station {s.name!r} at {s.school}" + (f", {s.room}" if s.room else "") + f" (id {s.station_id})."
    )
    print("Its credential is shown only this once. On the station, run: frontdesk dispatch connect URL")
    print("and give it this line on standard input:")
    print(enrolment.credential)
    return 0


def _stations(args: argparse.Namespace) -> int:
    from frontdesk.cli.common import print_json

    service = _open(args)
    try:
        stations = service.stations()
    finally:
        service.close()
    if args.json:
        print_json(stations)
        return 0
    for s in stations:
        seen = f"last seen {s.last_seen.astimezone():%Y-%m-%d %H:%M:%S}" if s.last_seen else "never seen"
        state = "online " if s.online else "OFFLINE"
        print(f"{s.station_id}  {state}  {s.school} / {s.name}" + (f" ({s.room})" if s.room else "") + f"; {seen}")
    print(f"{len(stations)} stations")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    service = _open(args)
    try:
        service.auth.revoke(args.station_id.strip())
    finally:
        service.close()
    print(f"Station {args.station_id.strip()} can no longer send; enrol it again to reconnect it.")
    return 0


def _user_add(args: argparse.Namespace) -> int:
    line = sys.stdin.readline()
    if not line:
        raise InputError("give the dispatcher's password on standard input")
    service = _open(args)
    try:
        service.auth.add_dispatcher(args.name, line.rstrip("\r\n"))
    finally:
        service.close()
    print(f"Dispatcher {args.name!r} added.")
    return 0
