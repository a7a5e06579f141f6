"""``frontdesk badge render | print`` and ``frontdesk printer test | status``.

Exit codes: 0 done (printed, or the printer is ready); 1 sent but the printer did not confirm, or it needs
attention; 2 the printer cannot be reached or the badge did not print (one line, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from frontdesk.badges.service import Outcome
from frontdesk.cli.common import open_services, print_json
from frontdesk.errors import DeviceError, InputError
from printers.base import State
from printers.media import ORIENTATIONS, PRESETS
from printers.uri import printer_for


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the badge and printer commands."""
    badge = subparsers.add_parser("badge", help="render or print a visit's badge")
    sub = badge.add_subparsers(dest="badge_command", required=True, metavar="ACTION")
    p = sub.add_parser("render", help="draw a visit's badge to a PNG file")
    p.add_argument("visit", metavar="VISIT", help="visit id or badge code")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.png")
    _media_options(p)
    p.set_defaults(run=_render)
    p = sub.add_parser("print", help="print a visit's badge (exit 0 printed, 1 not confirmed, 2 not printed)")
    p.add_argument("visit", metavar="VISIT", help="visit id or badge code")
    p.add_argument("--printer", metavar="URI", help="printer address (default: the badges.printer setting)")
    _media_options(p)
    p.set_defaults(run=_print)

    printer = subparsers.add_parser("printer", help="check or test a badge printer")
    sub = printer.add_subparsers(dest="printer_command", required=True, metavar="ACTION")
    p = sub.add_parser("test", help="print a sample badge (exit 0 printed, 1 not confirmed, 2 not reachable)")
    p.add_argument("uri", metavar="URI", help="e.g. escpos+tcp://10.0.0.20:9100?profile=TM-T20II")
    _media_options(p)
    p.set_defaults(run=_test)
    p = sub.add_parser("status", help="ask a printer how it is (exit 0 ready, 1 needs attention, 2 not reachable)")
    p.add_argument("uri", metavar="URI")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_status)


def _media_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--media", choices=list(PRESETS), help="badge stock (default: the badges.media setting)")
    p.add_argument("--orientation", choices=list(ORIENTATIONS), help="default: the media's usual")


def _render(args: argparse.Namespace) -> int:
    if args.out.suffix.lower() != ".png":
        raise InputError(f"--out must name a .png file, not {str(args.out)!r}")
    badges = open_services(args).badges
    badge = badges.render(args.visit, args.media, args.orientation)
    image = badge.as_worn()  # the right way up (a landscape badge is printed turned a quarter)
    try:
        image.save(args.out, "PNG")
    except OSError as exc:
        raise InputError(f"Cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"{args.out}  ({image.width} × {image.height} dots, {badge.media.label}, {badge.orientation})")
    return 0


def _print(args: argparse.Namespace) -> int:
    badges = open_services(args).badges
    printer = badges.printer(args.printer)
    if printer.on_screen:
        raise InputError(
            "No badge printer is set up (badges.printer is preview://): give --printer URI, set one with "
            "'frontdesk config set badges.printer URI', or use 'frontdesk badge render VISIT --out FILE.png'"
        )
    result = badges.print_badge(args.visit, printer, media_key=args.media, orientation=args.orientation)
    if result.outcome is Outcome.PRINTED:
        print(result.message)
        return 0
    print(f"frontdesk: {result.message}", file=sys.stderr)
    return 1 if result.outcome in (Outcome.SENT, Outcome.ATTENTION) else 2


def _test(args: argparse.Namespace) -> int:
    badges = open_services(args).badges
    printer = badges.printer(args.uri)
    status, _badge = badges.test_print(printer, args.media, args.orientation)
    if status.ok:
        print(f"Test badge sent. {status.message}")
        return 0
    print(f"frontdesk: test badge sent, but: {status.message}", file=sys.stderr)
    return 1


def _status(args: argparse.Namespace) -> int:
    status = printer_for(args.uri).status()  # no data folder needed to ask a printer
    if args.json:
        print_json({"uri": args.uri, "state": status.state.value, "ok": status.ok, "message": status.message})
    elif status.state is not State.OFFLINE:
        print(status.message)
    if status.state is State.OFFLINE:
        if not args.json:
            raise DeviceError(status.message, code="printer_unreachable")
        return 2
    return 0 if status.ok else 1
