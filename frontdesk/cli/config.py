"""``frontdesk config check | show | set`` and ``frontdesk directory add | list``."""

from __future__ import annotations

import argparse

from frontdesk.cli.common import open_services, print_json
from frontdesk.errors import InputError
from frontdesk.settings import REGISTRY


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the configuration and directory commands."""
    config = subparsers.add_parser("config", help="show or change settings")
    sub = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    p = sub.add_parser("check", help="exit 0 if first-run set-up is done, 1 if not")
    p.set_defaults(run=_check)
    p = sub.add_parser("show", help="every setting and its value")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_show)
    p = sub.add_parser("set", help="change one setting")
    p.add_argument("key", help="e.g. school.name")
    p.add_argument("value")
    p.set_defaults(run=_set)

    directory = subparsers.add_parser("directory", help="the school's staff and rooms")
    sub = directory.add_subparsers(dest="directory_command", required=True, metavar="ACTION")
    p = sub.add_parser("add", help="add a staff member or a room")
    p.add_argument("name")
    p.add_argument("--kind", choices=["staff", "room"], default="staff")
    p.add_argument("--room", default="")
    p.set_defaults(run=_dir_add)
    p = sub.add_parser("list", help="list staff and rooms")
    p.set_defaults(run=_dir_list)


def _check(args: argparse.Namespace) -> int:
    configured = open_services(args).settings.is_configured()
    print("configured" if configured else "not configured")
    return 0 if configured else 1


def _show(args: argparse.Namespace) -> int:
    settings = open_services(args).settings
    values = {key: settings.get(s) for key, s in sorted(REGISTRY.items())}
    if args.json:
        print_json(values)
    else:
        for key, value in values.items():
            print(f"{key} = {value!r}   # {REGISTRY[key].label}")
    return 0


def _set(args: argparse.Namespace) -> int:
    setting = REGISTRY.get(args.key)
    if setting is None:
        raise InputError(f"No setting called {args.key!r}; 'frontdesk config show' lists them")
    value: object = args.value
    if setting.type is bool:
        value = args.value.lower() in ("1", "true", "yes", "on")
    elif setting.type in (int, float):
        try:
            value = setting.type(args.value)
        except ValueError:
            raise InputError(f"{setting.label} must be a number, not {args.value!r}") from None
    open_services(args).settings.set(setting, value)
    return 0


def _dir_add(args: argparse.Namespace) -> int:
    entry = open_services(args).directory.add(args.name, args.kind, args.room)
    print(entry.label)
    return 0


def _dir_list(args: argparse.Namespace) -> int:
    for entry in open_services(args).directory.all():
        print(f"{entry.kind:5}  {entry.label}")
    return 0
