"""``frontdesk panic ACTION | status | update | all-clear | drain``: panic alerts from the command line.

``frontdesk panic lockdown`` commits the alert first, then sends it and prints its delivery status each
time it changes. Exit codes (documented in the README):

- 0: received by dispatch (the console committed it), or, for ``drain``, nothing left to send;
- 2: bad input (unknown action, missing role for the all clear ...), one line, never a traceback;
- 3: NOT DELIVERED yet when ``--wait`` ran out: the alert stays in the outbox and the desk app (or the next
  ``frontdesk panic drain``) keeps retrying it, forever for a real alert. Call 911.
- 4: rejected by dispatch for good (bad credential, bad message): it will not be retried. Call 911.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import threading
import time

from frontdesk import clock
from frontdesk.cli.common import open_services, print_json, to_jsonable
from frontdesk.context import Services
from frontdesk.dispatch.link import DispatchLink
from frontdesk.dispatch.outbox import OutboxEntry
from frontdesk.errors import InputError
from frontdesk.settings import DISPATCH_STATION_ID, DISPATCH_URL
from frontdesk.wire import cap

EXIT_RECEIVED, EXIT_NOT_DELIVERED, EXIT_REJECTED = 0, 3, 4
VERBS = ("status", "update", "all-clear", "drain")
ACTION_WORDS = tuple(name.lower().replace("_", "-") for name in cap.ACTIONS)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``frontdesk panic``."""
    p = subparsers.add_parser(
        "panic",
        help="send a panic alert to district dispatch (or: status, update, all-clear, drain)",
        description="Send a panic alert and print its delivery status as it changes. Exit 0 received by "
        "dispatch, 3 not delivered yet (still queued, retried by the desk app or 'panic drain': call 911), "
        "4 rejected by dispatch (call 911), 2 bad input.",
    )
    p.add_argument("action", metavar="ACTION", choices=ACTION_WORDS + VERBS, help=" | ".join(ACTION_WORDS + VERBS))
    p.add_argument("identifier", nargs="?", help="for 'update': the alert it adds to (default: the open incident)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--exercise", action="store_true", help="a drill (CAP Exercise, shown as DRILL)")
    mode.add_argument("--test", action="store_true", help="a test of the path (CAP Test, disregarded)")
    p.add_argument("--location", default="", help="where to evacuate to (EVACUATE), or where it happens")
    p.add_argument("--hazard", default="", help="the hazard to shelter from (SHELTER)")
    p.add_argument("--note", default="", help="what is happening")
    p.add_argument("--staff", help="who is pressing (default: the desk's staff member)")
    p.add_argument("--role", default="", help="all-clear only: your role (principal or admin)")
    p.add_argument("--wait", type=float, default=30.0, help="seconds to wait for dispatch (default 30)")
    p.add_argument("--json", action="store_true", help="status: as JSON")
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    services = open_services(args)
    station = services.station
    mode = "Exercise" if args.exercise else "Test" if args.test else "Actual"
    if args.action == "status":
        return _status(services, args.json)
    if args.action == "drain":
        return _deliver(services, [e.id for e in _queued(services)], args.wait)
    if args.action == "all-clear":
        entry = station.all_clear(
            role=args.role, note=args.note, staff=args.staff, mode=mode, code=_all_clear_code()
        )
    elif args.action == "update":
        target = args.identifier or _open_incident(services, mode)
        entry = station.update(
            target, note=args.note, location=args.location, hazard=args.hazard, staff=args.staff
        )
    else:
        entry = station.press(
            args.action, mode=mode, location=args.location, hazard=args.hazard, note=args.note, staff=args.staff
        )
    print(f"{entry.msg_type} {entry.action} ({entry.cap_status}) committed: {entry.identifier}", flush=True)
    return _deliver(services, [entry.id], args.wait)


def _all_clear_code() -> str:
    """The principal's all-clear code: typed unseen at a terminal, else the first line of standard input.

    Never an option: it would land in the shell history and in ``ps``.
    """
    code = getpass.getpass("All-clear code: ") if sys.stdin.isatty() else sys.stdin.readline()
    if not code.strip():
        raise InputError(
            "the all clear needs the principal's or administrator's all-clear code (on standard input); "
            "dispatch refuses an all clear without it"
        )
    return code.strip()


def _open_incident(services: Services, mode: str) -> str:
    active = services.station.active_incident(mode)
    if active is None:
        raise InputError("No open incident to update; give the alert's identifier")
    return active.identifier


def _queued(services: Services) -> list[OutboxEntry]:
    return [e for e in reversed(services.station.outbox.recent(10_000)) if e.pending]


def _deliver(services: Services, ids: list[int], wait: float) -> int:
    """Run the link until the messages ``ids`` are settled or ``wait`` runs out, printing each change."""
    station = services.station
    if not ids:
        print("Nothing waiting to be sent.")
        return EXIT_RECEIVED
    link: DispatchLink = station.link()
    worker = threading.Thread(target=link.run, kwargs={"inbox": False}, name="dispatch-link", daemon=True)
    worker.start()
    shown: dict[int, str] = {}
    deadline = time.monotonic() + wait
    try:
        while True:
            entries = [station.outbox.get(i) for i in ids]
            for entry in entries:
                text = station.status(entry, clock.now(), link.timings.not_delivered_after).text
                if shown.get(entry.id) != text:
                    shown[entry.id] = text
                    prefix = f"{entry.identifier}: " if len(ids) > 1 else ""
                    print(f"{clock.now().astimezone():%H:%M:%S}  {prefix}{text}", flush=True)
            if all(not e.pending for e in entries) or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
    finally:
        link.stop()
        worker.join(timeout=5)
        station.catch_up()  # audit records and event lines a busy main file could not take at the press
        if any(e.pending or e.state == "rejected" for e in entries):
            # Nobody may be reading this program's output (a scripted press): the panic subscribers are told
            # now that dispatch does not have it, with the school's numbers (sent by the desk app or
            # ``notify drain``).
            station.tell_delivery(not_delivered_after=0)
    if any(e.state in ("rejected", "expired") for e in entries):
        return EXIT_REJECTED
    if any(e.pending for e in entries):
        print(
            f"Still not delivered after {wait:g} s: it stays queued and is retried by the desk app. "
            f"CALL {station.emergency_numbers} NOW.",
            flush=True,
        )
        return EXIT_NOT_DELIVERED
    return EXIT_RECEIVED


def _status(services: Services, as_json: bool) -> int:
    station = services.station
    settings = services.settings
    endpoint = station.endpoint()
    state = station.school_state()
    entries = station.recent(20)
    now = clock.now()
    if as_json:
        print_json(
            {
                "console": settings.get(DISPATCH_URL) or None,
                "station_id": settings.get(DISPATCH_STATION_ID) or None,
                "credential": endpoint is not None,
                "school_state": to_jsonable(state),
                "queued": station.outbox.queued_count(),
                "messages": [
                    {
                        "identifier": e.identifier,
                        "msg_type": e.msg_type,
                        "status": e.cap_status,
                        "action": e.action,
                        "pressed_at": e.pressed_at.astimezone().isoformat(timespec="seconds"),
                        "state": e.state,
                        "delivery": station.status(e, now).text,
                        "received_at": e.received_at,
                        "acknowledged_by": e.acked_by,
                        "attempts": e.attempts,
                        "last_error": e.last_error or None,
                    }
                    for e in entries
                ],
            }
        )
        return 0
    url = settings.get(DISPATCH_URL)
    if not url:
        print("Dispatch: NOT CONNECTED (run 'frontdesk dispatch connect URL')")
    else:
        cred = "credential in keyring" if endpoint else "NO CREDENTIAL in keyring"
        print(f"Dispatch: {url} (station {settings.get(DISPATCH_STATION_ID) or '?'}; {cred})")
    print(f"School state: {state.state}{' (drill)' if state.exercise else ''} (set by {state.source})")
    print(f"Queued: {station.outbox.queued_count()}")
    for e in entries:
        print(
            f"{e.pressed_at.astimezone():%Y-%m-%d %H:%M:%S}  {e.msg_type:6} {e.action:12} {e.identifier}  "
            f"{station.status(e, now).text}"
        )
    return 0
