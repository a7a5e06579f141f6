"""The ``frontdesk`` command line: the same capabilities as the window, for school IT to script.

Exit codes: 0 success; 2 bad input or a failure explained in one line (never a traceback); 1 where a
command documents it (for example ``config check``: not configured). Each command group lives in its own
module with a ``register(subparsers)`` function; ``COMMAND_MODULES`` lists them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from frontdesk.errors import FrontDeskError

COMMAND_MODULES = [
    "frontdesk.cli.visits",
    "frontdesk.cli.config",
    "frontdesk.cli.users",
    "frontdesk.cli.audit",
    "frontdesk.cli.review",
    "frontdesk.cli.ids",
    "frontdesk.cli.dispatch",
    "frontdesk.cli.panic",
    "frontdesk.cli.badges",
    "frontdesk.cli.barred",
    "frontdesk.cli.screen",
    "frontdesk.cli.backup",
    "frontdesk.cli.retention",
]


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error exits 2 with one line instead of the usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"frontdesk: {message} (see 'frontdesk {self.prog.split(' ', 1)[-1]} --help')\n")


def build_parser() -> ArgumentParser:
    """The full parser, with every command group registered."""
    parser = ArgumentParser(prog="frontdesk", description="FrontDesk school visitor system")
    parser.add_argument("--data-dir", type=Path, help="data folder (default: FRONTDESK_DATA_DIR or per-user)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run on a throw-away data folder with synthetic data and fake devices",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="act as this staff account (PIN or password from FRONTDESK_PIN / FRONTDESK_PASSWORD, or asked)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None, open_app: Callable[[argparse.Namespace], int] | None = None) -> int:
    """Run one command; with none, call ``open_app`` (the UI passes its launcher in)."""
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command is None:
        if open_app is None:
            parser.print_help()
            return 0
        return open_app(args)
    try:
        return int(args.run(args) or 0)
    except FrontDeskError as exc:
        print(f"frontdesk: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
