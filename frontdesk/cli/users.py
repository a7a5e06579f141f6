"""``frontdesk users add | list | disable | reset-pin | contact``: staff accounts (district administrator only)."""

from __future__ import annotations

import argparse
import os

from frontdesk.access.roles import Role
from frontdesk.cli.common import open_services, print_json, read_secret
from frontdesk.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the account commands."""
    users = subparsers.add_parser("users", help="staff accounts and roles")
    sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    p = sub.add_parser(
        "add", help="add an account; its PIN or password comes from FRONTDESK_NEW_SECRET or is asked"
    )
    p.add_argument("name", help="user name, e.g. j.rivera")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--display-name", default="", help="the name shown and stamped on visits")
    p.add_argument("--email", default="", help="where notifications for this account or its role go")
    p.add_argument("--mobile", default="", help="mobile number for texts, +15551234567")
    p.set_defaults(run=_add)
    p = sub.add_parser("list", help="every account")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_list)
    p = sub.add_parser("disable", help="stop an account from signing in")
    p.add_argument("name")
    p.set_defaults(run=_disable)
    p = sub.add_parser("reset-pin", help="set a new PIN (desk) or password (others) and re-enable the account")
    p.add_argument("name")
    p.set_defaults(run=_reset)
    p = sub.add_parser("contact", help="set an account's email and/or mobile number (an empty value clears it)")
    p.add_argument("name")
    p.add_argument("--email", default=None)
    p.add_argument("--mobile", default=None, help="+15551234567")
    p.set_defaults(run=_contact)


def _new_secret(name: str, role: Role) -> str:
    kind = "PIN" if role.uses_pin else "password"
    return os.environ.get("FRONTDESK_NEW_SECRET") or read_secret(f"New {kind} for {name}: ")


def _add(args: argparse.Namespace) -> int:
    services = open_services(args)
    role = Role(args.role)
    account = services.accounts.add(
        args.name, role, _new_secret(args.name, role), args.display_name, email=args.email, mobile=args.mobile
    )
    print(f"Added {account.username} ({account.role.label})")
    return 0


def _list(args: argparse.Namespace) -> int:
    accounts = open_services(args).accounts.list()
    if args.json:
        print_json([{**a.__dict__, "role": a.role.value} for a in accounts])
    else:
        for a in accounts:
            state = "  (disabled)" if a.disabled else ""
            contact = "  ".join(c for c in (a.email, a.mobile) if c)
            print(
                f"{a.username:20}  {a.role.label:22}  {a.display_name}{state}{'  ' + contact if contact else ''}"
            )
    return 0


def _contact(args: argparse.Namespace) -> int:
    if args.email is None and args.mobile is None:
        raise InputError("Give --email and/or --mobile (an empty value clears it)")
    account = open_services(args).accounts.set_contact(args.name, email=args.email, mobile=args.mobile)
    print(f"{account.username}: email {account.email or '(none)'}, mobile {account.mobile or '(none)'}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    account = open_services(args).accounts.disable(args.name)
    print(f"Disabled {account.username}")
    return 0


def _reset(args: argparse.Namespace) -> int:
    services = open_services(args)
    account = services.accounts.get(args.name)
    services.accounts.reset_secret(account.username, _new_secret(account.username, account.role))
    print(f"New {'PIN' if account.role.uses_pin else 'password'} set for {account.username}")
    return 0
