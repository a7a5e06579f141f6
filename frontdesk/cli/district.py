"""``frontdesk district …``: the district hub's own commands (lists, settings, staff, on site, the log).

They belong to the district server (``district/hub/cli.py``) and appear here through the
``frontdesk.dispatch_commands`` entry point named ``district-hub`` when that package is installed; the desk
never imports it. Without it, the group says where to run them.
"""

from __future__ import annotations

import argparse
from importlib.metadata import entry_points

from frontdesk.errors import InputError

PLUGIN = "district-hub"  # the entry point's name in the frontdesk.dispatch_commands group


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``district`` command group from the district package's entry point."""
    district = subparsers.add_parser("district", help="the district hub: its lists, settings and visits")
    sub = district.add_subparsers(dest="district_command", required=True, metavar="ACTION")
    for plugin in entry_points(group="frontdesk.dispatch_commands"):
        if plugin.name != PLUGIN:
            continue
        try:
            plugin.load()(sub)
            return
        except ImportError:  # named in the metadata but not shipped (the desk's frozen bundle)
            break
    for name in ("barred", "onsite", "log", "settings", "staff"):
        p = sub.add_parser(name, help="(the district server, not installed here)")
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(run=_not_installed)


def _not_installed(args: argparse.Namespace) -> int:
    raise InputError(
        f"'frontdesk district {args.district_command}' runs on the district's server, which is not installed "
        "with this desk (pip install 'frontdesk[district]')"
    )
