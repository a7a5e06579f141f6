"""``frontdesk key rotate | export --to FILE | import FILE``: the database keys, new ones and their escrow.

``rotate`` gives the database and the panic outbox new keys (SQLCipher ``PRAGMA rekey``; the old key is kept
in the keyring until the re-keyed file is in place), records it in the audit trail and takes a backup with the
new key. The desk must be closed. ``export`` writes this data folder's keys to a new file sealed with a
passphrase the administrator types (twice, at a terminal; one line of standard input in a script);
``import`` puts them back into this Windows/macOS/Linux user's keyring after checking that each opens its
file (a new PC, a lost profile). Rotating and exporting need a principal (``--user``); importing needs the
passphrase, as the database cannot be read before it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from frontdesk.access.roles import Action
from frontdesk.cli.common import open_services, read_secret
from frontdesk.context import Services, default_data_dir
from frontdesk.errors import InputError
from frontdesk.keys.service import export_keys, import_keys, rotate_keys
from frontdesk.secrets import SecretStore
from frontdesk.secrets.escrow import check_passphrase


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the key commands."""
    key = subparsers.add_parser("key", help="rotate the database keys; export or import them (escrow)")
    sub = key.add_subparsers(dest="key_command", required=True, metavar="ACTION")
    p = sub.add_parser("rotate", help="give the database and the outbox new keys (close the desk first)")
    p.set_defaults(run=_rotate)
    p = sub.add_parser("export", help="write the keys to a file sealed with a passphrase you type")
    p.add_argument("--to", type=Path, required=True, metavar="FILE", help="the new escrow file")
    p.set_defaults(run=_export)
    p = sub.add_parser("import", help="put the keys of an escrow file into this user's keyring")
    p.add_argument("file", type=Path)
    p.set_defaults(run=_import)


def _data_dir(args: argparse.Namespace) -> Path:
    if getattr(args, "demo", False):
        raise InputError("The demo's data is synthetic and never encrypted: it has no keys.")
    return Path(args.data_dir or default_data_dir())


def _require_principal(args: argparse.Namespace) -> str:
    """The name of the principal or administrator signed in (``--user``), to record what they did."""
    services = open_services(args)
    try:
        services.session.require(Action.CHANGE_SETTINGS)
        return services.session.actor_name
    finally:
        services.close()


def _rotate(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    actor = _require_principal(args)
    rotated = rotate_keys(data_dir, SecretStore())
    services = Services.open(data_dir)
    try:
        with services.audit.transaction():
            for item in rotated:
                services.audit.record(actor, "key.rotated", item.file, {"tables": item.tables, "rows": item.rows})
        backup = services.backups.make("after-key-rotation")
    finally:
        services.close()
    for item in rotated:
        print(f"new key: {item.file} ({item.tables} tables, {item.rows} rows checked)")
    print(f"backup with the new key: {backup}")
    print("Export the new keys to escrow now ('frontdesk key export --to FILE'): older escrow files and backups "
          "hold the old key.")  # fmt: skip
    return 0


def _new_passphrase() -> str:
    passphrase = read_secret("Escrow passphrase (12 characters or more): ")
    check_passphrase(passphrase)
    if sys.stdin.isatty() and read_secret("The same passphrase again: ") != passphrase:
        raise InputError("The two passphrases differ; nothing was written.")
    return passphrase


def _export(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    actor = _require_principal(args)
    if args.to.exists():
        raise InputError(f"{args.to} already exists: give a new file name (an escrow file is never overwritten).")
    names = export_keys(data_dir, SecretStore(), args.to, _new_passphrase())
    services = Services.open(data_dir)
    try:
        services.audit.record(actor, "key.exported", args.to.name, {"files": names})
    finally:
        services.close()
    print(f"keys of {', '.join(names)} written to {args.to}: keep it and its passphrase apart, like a spare key")
    return 0


def _import(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    passphrase = read_secret("Escrow passphrase: ")
    names = import_keys(data_dir, SecretStore(), args.file, passphrase)
    services = Services.open(data_dir)
    try:
        services.audit.record(None, "key.imported", args.file.name, {"files": names})
    finally:
        services.close()
    print(f"keys of {', '.join(names)} are in this user's keyring: FrontDesk opens {data_dir} again")
    return 0
