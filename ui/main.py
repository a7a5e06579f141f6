"""The ``frontdesk`` console entry point: subcommands go to the core CLI, no subcommand opens the window.

This module imports no Qt at module level, so ``frontdesk checkin …`` starts fast and works on a machine
without a display.
"""

from __future__ import annotations

import argparse
import sys

from frontdesk.cli import main as cli_main


def _open_app(args: argparse.Namespace) -> int:
    from ui.preflight import problem

    stop = problem()  # on Linux: the libraries Qt's window needs, named with the command that installs them
    if stop:
        print(stop, file=sys.stderr)
        return 2
    from ui.app import run

    return run(data_dir=args.data_dir, demo=args.demo, kiosk=getattr(args, "kiosk", False))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI, with the desktop window as the no-subcommand action."""
    return cli_main(sys.argv[1:] if argv is None else argv, open_app=_open_app)


if __name__ == "__main__":
    sys.exit(main())
