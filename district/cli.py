"""The district server's command line: ``serve``, ``enroll``, ``stations``, ``revoke``, ``user add``, ``demo``.

Run as ``frontdesk-district ACTION`` or ``python -m district ACTION``. The desk's ``frontdesk dispatch ACTION``
reaches the same commands through the ``frontdesk.dispatch_commands`` entry point when this package is
installed (the desk never imports it). The console keeps its own database, given by ``--db``
(``sqlite:///path`` or ``postgresql://…``); without it, ``FRONTDESK_DISPATCH_DB``, else
``dispatch-console.db`` in the data folder (``--data-dir``, ``FRONTDESK_DATA_DIR`` or the per-user folder).

Exit codes: 0 success; 2 bad input or a failure, one line on standard error.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import platformdirs

from district.errors import DistrictError, InputError
from frontdesk.wire.cap import CapError

COMMANDS = ("serve", "enroll", "stations", "revoke", "user", "clearer", "demo")
# enroll's location options: (option, Location field, help)
PLACE_OPTIONS = (
    ("--building", "building", "the building the station is in (shown and forwarded with every alert)"),
    ("--floor", "floor", "the floor"),
    ("--house-number", "house_number", "civic address: house number (CLDXF HNO)"),
    ("--street", "street", "civic address: street name with its type, e.g. 'Elm Street' (CLDXF RD)"),
    ("--city", "city", "civic address: city (CLDXF A3)"),
    ("--state", "state", "civic address: state, e.g. IL (CLDXF A1)"),
    ("--postal-code", "postal_code", "civic address: ZIP code (CLDXF PC)"),
    ("--country", "country", "civic address: country code (default US)"),
    ("--phone", "phone", "the school office's phone (for the 911 call-taker)"),
)


def _command(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A district error is one line on standard error and exit 2, whichever command line called us."""

    @functools.wraps(run)
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except (DistrictError, CapError) as exc:
            print(f"frontdesk: {exc.message}", file=sys.stderr)
            return 2

    return wrapped


def register(sub: argparse._SubParsersAction) -> None:
    """Add the district console's actions to a ``dispatch`` (or top-level) sub-command group."""
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
    p.add_argument(
        "--forward-pidf",
        action="store_true",
        help="also put the school's civic address in each forward as a PIDF-LO document (a CAP resource), "
        "for a receiver that takes it",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (uvicorn's own; each has its own event loop, all share the database); "
        "default: one per CPU core (at most 8)",
    )
    p.add_argument(
        "--sync-workers",
        type=int,
        default=2,
        help="processes of its own, per worker, that run the hub's sync (desks' pushes and pulls) at a lower "
        "OS priority than alerts; 0 runs sync on threads of each worker (default: 2)",
    )
    p.add_argument(
        "--max-connections-per-source",
        type=int,
        default=256,
        help="open connections one address may hold (stations behind one NAT share an address)",
    )
    p.add_argument(
        "--header-timeout", type=float, default=10.0, help="seconds a client has to send a request's headers"
    )
    p.add_argument(
        "--body-timeout", type=float, default=15.0, help="seconds a client has to send a request's body"
    )
    p.set_defaults(run=_command(_serve))

    p = sub.add_parser(
        "enroll",
        help="enrol a station and where it is; prints its credential once, on the last line",
        description="The location given here is the only one the console shows and forwards for this station.",
    )
    p.add_argument("--school", required=True)
    p.add_argument("--station", required=True)
    p.add_argument("--room", default="")
    for option, _, text in PLACE_OPTIONS:
        p.add_argument(option, default="", help=text)
    _db_option(p)
    p.set_defaults(run=_command(_enroll))

    p = sub.add_parser("stations", help="enrolled stations: id, school, name, room, online or OFFLINE")
    p.add_argument("--json", action="store_true")
    _db_option(p)
    p.set_defaults(run=_command(_stations))

    p = sub.add_parser("revoke", help="stop accepting a station's credential (a lost or replaced PC)")
    p.add_argument("station_id")
    _db_option(p)
    p.set_defaults(run=_command(_revoke))

    user = sub.add_parser("user", help="dispatchers who sign in to the live screen")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    p = user_sub.add_parser("add", help="add a dispatcher (password read from standard input)")
    p.add_argument("name")
    _db_option(p)
    p.set_defaults(run=_command(_user_add))
    p = user_sub.add_parser(
        "remove", help="remove a dispatcher's (or district staff member's) sign-in and end their sessions now"
    )
    p.add_argument("name")
    _db_option(p)
    p.set_defaults(run=_command(_user_remove))
    p = user_sub.add_parser(
        "password", help="a new password (read from standard input); every session of theirs ends now"
    )
    p.add_argument("name")
    _db_option(p)
    p.set_defaults(run=_command(_user_password))

    clearer = sub.add_parser("clearer", help="principals and administrators who may sign an all clear")
    clearer_sub = clearer.add_subparsers(dest="clearer_command", required=True, metavar="ACTION")
    p = clearer_sub.add_parser("add", help="enrol one; prints their all-clear code once, on the last line")
    p.add_argument("name")
    p.add_argument("--school", required=True)
    p.add_argument("--role", required=True, choices=["principal", "administrator", "admin"])
    _db_option(p)
    p.set_defaults(run=_command(_clearer_add))
    p = clearer_sub.add_parser("revoke", help="stop accepting a clearer's signature")
    p.add_argument("clearer_id")
    _db_option(p)
    p.set_defaults(run=_command(_clearer_revoke))

    p = sub.add_parser(
        "demo",
        help="a demo console in FOLDER with one station and one dispatcher; prints one JSON line "
        "(url, credential, dispatcher, password), serves until standard input closes",
    )
    p.add_argument("--folder", type=Path, required=True)
    p.add_argument("--school", default="Maple Grove Elementary (DEMO)")
    p.add_argument("--station", default="Main office desk")
    p.add_argument("--room", default="")
    p.set_defaults(run=_command(_demo))


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
    folder = getattr(args, "data_dir", None) or os.environ.get("FRONTDESK_DATA_DIR")
    folder = Path(folder) if folder else Path(platformdirs.user_data_dir("FrontDesk", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return f"sqlite:///{folder.resolve() / 'dispatch-console.db'}"


def _open(args: argparse.Namespace, **kw):
    from district.console.service import ConsoleService

    return ConsoleService.open(db_url(args), **kw)


def _serve(args: argparse.Namespace) -> int:
    from district.console.server import default_workers, serve

    service = _open(args, name=args.name, forward_url=args.forward_url, forward_pidf=args.forward_pidf)
    scheme = "https" if args.cert else "http"
    print(f"Dispatch console {args.name!r} on {scheme}://{args.host}:{args.port}/ (Ctrl+C stops it)", flush=True)
    if args.forward_url:
        print(f"Real alerts are forwarded to {args.forward_url}", flush=True)
    try:
        serve(
            service,
            args.host,
            args.port,
            args.cert,
            args.key,
            workers=max(1, args.workers) if args.workers is not None else default_workers(),
            sync_workers=max(0, args.sync_workers),
            limits={
                "per_source": max(1, args.max_connections_per_source),
                "header_timeout": args.header_timeout,
                "body_timeout": args.body_timeout,
            },
        )
    finally:
        service.close()
    return 0


def _enroll(args: argparse.Namespace) -> int:
    with _open(args) as service:
        place = {field: getattr(args, field) for _, field, _ in PLACE_OPTIONS if getattr(args, field)}
        enrolment = service.auth.enroll(args.school, args.station, args.room, **place)
    s = enrolment.station
    print(
        f"Enrolled station {s.name!r} at {s.school}" + (f", {s.room}" if s.room else "") + f" (id {s.station_id})."
    )
    print(f"Its alerts are shown and forwarded as: {s.where.address or '(no civic address given)'}")
    print("Its credential is shown only this once. On the station, run: frontdesk dispatch connect URL")
    print("and give it this line on standard input:")
    print(enrolment.credential)
    return 0


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    raise TypeError(f"not JSON: {type(value).__name__}")


def _stations(args: argparse.Namespace) -> int:
    from district.hub.visits import HubVisits

    with _open(args) as service:
        stations = service.stations()
        # Desks on a release that does not take their school's shared bars (the hub knows from their pulls).
        desks = {d["station_id"]: d for s in HubVisits(service.db).schools() for d in s["desks"]}
    older = [
        f"{s.school}: {desk['older']} To revoke it: frontdesk dispatch revoke {s.station_id}"
        for s in stations
        if (desk := desks.get(s.station_id)) and desk["older"]
    ]
    if args.json:
        # Added keys (session 25), none renamed: "takes" (the level of the school's shared records the desk's last
        # pull said it takes; null: not pulled since the hub knew) and "older" (the sentence naming it, or "").
        level = {i: {"takes": d["takes"], "older": d["older"]} for i, d in desks.items()}
        listed = [{**asdict(s), **level.get(s.station_id, {"takes": None, "older": ""})} for s in stations]
        print(json.dumps(listed, default=_jsonable, ensure_ascii=False))
        return 0
    for s in stations:
        seen = f"last seen {s.last_seen.astimezone():%Y-%m-%d %H:%M:%S}" if s.last_seen else "never seen"
        state = "online " if s.online else "OFFLINE"
        print(f"{s.station_id}  {state}  {s.school} / {s.name}" + (f" ({s.room})" if s.room else "") + f"; {seen}")
    print(f"{len(stations)} stations")
    for line in older:
        print(line)
    return 0


def _revoke(args: argparse.Namespace) -> int:
    with _open(args) as service:
        service.auth.revoke(args.station_id.strip())
    print(f"Station {args.station_id.strip()} can no longer send; enrol it again to reconnect it.")
    return 0


def _user_add(args: argparse.Namespace) -> int:
    line = sys.stdin.readline()
    if not line:
        raise InputError("give the dispatcher's password on standard input")
    with _open(args) as service:
        service.auth.add_dispatcher(args.name, line.rstrip("\r\n"))
    print(f"Dispatcher {args.name!r} added.")
    return 0


def _user_remove(args: argparse.Namespace) -> int:
    with _open(args) as service:
        ended = service.auth.remove_sign_in(args.name)
    print(f"{args.name.strip()!r} can no longer sign in; {ended} open session(s) ended.")
    return 0


def _user_password(args: argparse.Namespace) -> int:
    line = sys.stdin.readline()
    if not line:
        raise InputError("give the new password on standard input")
    with _open(args) as service:
        ended = service.auth.set_password(args.name, line.rstrip("\r\n"))
    print(f"{args.name.strip()!r} has a new password; {ended} open session(s) ended.")
    return 0


def _clearer_add(args: argparse.Namespace) -> int:
    with _open(args) as service:
        clearer, code = service.clearers.add(args.name, args.role, args.school)
    print(f"{clearer.name} ({clearer.role}, {clearer.school}) may sign the all clear (id {clearer.clearer_id}).")
    print("Their all-clear code is shown only this once; they type it at the desk when they send the all clear:")
    print(code)
    return 0


def _clearer_revoke(args: argparse.Namespace) -> int:
    with _open(args) as service:
        service.clearers.revoke(args.clearer_id.strip())
    print(f"Clearer {args.clearer_id.strip()} can no longer sign an all clear.")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from district.console.demo import start_demo_console

    args.folder.mkdir(parents=True, exist_ok=True)
    console = start_demo_console(args.folder, school=args.school, station=args.station, room=args.room)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        print(
            json.dumps(
                {
                    "url": console.url,
                    "credential": console.credential,
                    "station_id": console.station_id,
                    "dispatcher": console.dispatcher,
                    "password": console.password,
                    "all_clear_code": console.all_clear_code,
                }
            ),
            flush=True,
        )
        # The desk that started us holds our standard input: when it exits (even killed), we stop.
        reader = threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True)
        reader.start()
        done.wait()
    finally:
        console.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``frontdesk-district ACTION …``."""
    parser = argparse.ArgumentParser(prog="frontdesk-district", description="FrontDesk district server")
    parser.add_argument("--data-dir", type=Path, help="data folder (default: FRONTDESK_DATA_DIR or per-user)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="ACTION")
    register(sub)
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130
