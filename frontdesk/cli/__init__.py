"""The ``frontdesk`` command line: the same capabilities as the window, for school IT to script.

Exit codes: 0 success; 2 bad input or a failure explained in one line (never a traceback): a database
that is busy, full, read-only or damaged, a file that cannot be written; 1 where a command documents it (for
example ``config check``: not configured). Output cut short by its reader (``| head``) ends quietly (141).
Each command group lives in its own module with a ``register(subparsers)`` function; ``COMMAND_MODULES``
lists them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from frontdesk.errors import FrontDeskError
from frontdesk.store import typed_error

COMMAND_MODULES = [
    "frontdesk.cli.visits",
    "frontdesk.cli.config",
    "frontdesk.cli.users",
    "frontdesk.cli.audit",
    "frontdesk.cli.review",
    "frontdesk.cli.ids",
    "frontdesk.cli.dispatch",
    "frontdesk.cli.district",
    "frontdesk.cli.panic",
    "frontdesk.cli.badges",
    "frontdesk.cli.barred",
    "frontdesk.cli.screen",
    "frontdesk.cli.notify",
    "frontdesk.cli.volunteers",
    "frontdesk.cli.guests",
    "frontdesk.cli.students",
    "frontdesk.cli.reunify",
    "frontdesk.cli.backup",
    "frontdesk.cli.retention",
    "frontdesk.cli.keys",
    "frontdesk.cli.sync",
]

# Which module registers each command, so that ``frontdesk onsite`` imports that one module and not every
# feature's (IT scripts call simple commands in loops). Only a shortcut: a command missing here still works
# (the whole parser is built), and a test checks this map against what the modules register.
COMMANDS = {
    **dict.fromkeys(["checkin", "checkout", "onsite", "log"], "frontdesk.cli.visits"),
    **dict.fromkeys(["config", "directory"], "frontdesk.cli.config"),
    "users": "frontdesk.cli.users",
    "audit": "frontdesk.cli.audit",
    **dict.fromkeys(["report", "roster", "search", "close-day"], "frontdesk.cli.review"),
    "id": "frontdesk.cli.ids",
    "dispatch": "frontdesk.cli.dispatch",
    "panic": "frontdesk.cli.panic",
    **dict.fromkeys(["badge", "printer"], "frontdesk.cli.badges"),
    "barred": "frontdesk.cli.barred",
    "screen": "frontdesk.cli.screen",
    "notify": "frontdesk.cli.notify",
    "volunteers": "frontdesk.cli.volunteers",
    "guests": "frontdesk.cli.guests",
    **dict.fromkeys(["sis", "students"], "frontdesk.cli.students"),
    **dict.fromkeys(["backup", "restore", "encrypt"], "frontdesk.cli.backup"),
    "retention": "frontdesk.cli.retention",
    "reunify": "frontdesk.cli.reunify",
    "key": "frontdesk.cli.keys",
    "sync": "frontdesk.cli.sync",
    "district": "frontdesk.cli.district",
}
# The options before the command that take a value (their value is not the command).
_VALUE_OPTIONS = ("--data-dir", "--user")


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error exits 2 with one line instead of the usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        command = self.prog.partition(" ")[2]  # "frontdesk badge" -> "badge"; the top parser: none
        self.exit(2, f"frontdesk: {message} (see 'frontdesk {command + ' ' if command else ''}--help')\n")


def command_of(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (the first word that is not an option or an option's value), or None.

    None too when help is asked for before any command (``frontdesk --help`` lists every command).
    """
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help"):
            return None
        if word == "--":
            return next(words, None)
        if word.startswith("-"):
            if "=" not in word and len(word) > 2 and any(o.startswith(word) for o in _VALUE_OPTIONS):
                next(words, None)  # --data-dir DIR (or an abbreviation argparse accepts): skip DIR
            continue
        return word
    return None


def build_parser(command: str | None = None, *, commands: bool = True) -> ArgumentParser:
    """The parser with every command group registered; with ``command`` (known in ``COMMANDS``), only its own;
    with ``commands=False``, none (a launch of the window: ``frontdesk``, ``frontdesk --demo``)."""
    parser = ArgumentParser(prog="frontdesk", description="FrontDesk school visitor system")
    parser.add_argument("--data-dir", type=Path, help="data folder (default: FRONTDESK_DATA_DIR or per-user)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run on a throw-away data folder with synthetic data and fake devices",
    )
    parser.add_argument(
        "--kiosk",
        action="store_true",
        help="open the full-screen self-service kiosk instead of the desk window (a staff PIN leaves it)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="act as this staff account (PIN or password from FRONTDESK_PIN / FRONTDESK_PASSWORD, or asked)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    modules = [COMMANDS[command]] if command in COMMANDS else COMMAND_MODULES if commands else []
    for name in modules:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None, open_app: Callable[[argparse.Namespace], int] | None = None) -> int:
    """Run one command; with none, call ``open_app`` (the UI passes its launcher in)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = command_of(argv)
    # No command and no help asked: the window's launch. Registering every command group imported each one's
    # module (the PDF reports' reportlab, the students' and volunteers' printing, ...): ~150 ms of every start of
    # the desk, before its first screen, which the start-up bench did not see until session 17 (its probe skipped
    # this parse). Help before a command still lists every command.
    options = argv[: argv.index("--")] if "--" in argv else argv
    asks_help = any(w == "-h" or (len(w) > 2 and "--help".startswith(w)) for w in options)  # argparse: --he
    launch = command is None and not asks_help
    parser = build_parser(command, commands=not launch)
    args = parser.parse_args(argv)
    if args.command is None:
        if open_app is None:
            parser.print_help()
            return 0
        return open_app(args)
    try:
        code = int(args.run(args) or 0)
        sys.stdout.flush()  # here, where a closed pipe is caught, not at exit where it would print a traceback
        return code
    except FrontDeskError as exc:
        return _fail(exc.message)
    except sqlite3.Error as exc:  # one the typed connection could not see (a commit, a cursor): same words
        return _fail(typed_error(exc).message)
    except BrokenPipeError:
        # The reader stopped (``| head -c 100``): stop quietly; standard output goes nowhere from now on, so
        # the interpreter's own flush at exit cannot complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # as if killed by SIGPIPE, like other command-line tools
    except OSError as exc:  # a file that cannot be written or read (--out in a folder that does not exist)
        where = f" {exc.filename}" if exc.filename else ""
        return _fail(f"cannot use{where}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        return 130


def _fail(message: str) -> int:
    """Print one line on standard error; the exit code of a failure explained."""
    print(f"frontdesk: {' '.join(message.split())}", file=sys.stderr)
    return 2
