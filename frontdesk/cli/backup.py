"""``frontdesk backup | restore FILE | encrypt``: copies of the database, and putting one back.

``backup`` takes an online copy now (the desk may keep working) into the configured folder and prints its
path; ``backup --list`` shows the copies kept. ``restore FILE`` checks FILE (SQLite's full integrity check,
this desk's key) and refuses a damaged one; the database it replaces is kept as a backup first. ``encrypt``
encrypts a plain database in place with a new key in the OS keyring (the desk does this at start-up too).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from frontdesk.cli.common import open_services, print_json, user_secret
from frontdesk.context import Services, default_data_dir
from frontdesk.errors import StoreError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the backup, restore and encrypt commands."""
    p = subparsers.add_parser("backup", help="back the database up now (or --list the backups kept)")
    p.add_argument("--list", action="store_true", help="list the backups kept, oldest first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_backup)
    p = subparsers.add_parser("restore", help="put a backup back (checked first; the current data is kept)")
    p.add_argument("file", type=Path)
    p.set_defaults(run=_restore)
    p = subparsers.add_parser("encrypt", help="encrypt the database (key in the OS keyring)")
    p.set_defaults(run=_encrypt)


def _backup(args: argparse.Namespace) -> int:
    services = open_services(args)
    try:
        if args.list:
            paths = services.backups.list()
            if args.json:
                print_json([{"file": str(p), "bytes": p.stat().st_size} for p in paths])
            else:
                for p in paths:
                    print(p)
            return 0
        path = services.backups.make("manual")
        print_json({"file": str(path), "bytes": path.stat().st_size}) if args.json else print(path)
        return 0
    finally:
        services.close()


def _restore(args: argparse.Namespace) -> int:
    from frontdesk.accounts.standing import all_deleted

    services = open_services(argparse.Namespace(**{**vars(args), "user": None}))
    try:
        # Nobody can sign in to a desk whose accounts were deleted outside FrontDesk: the person signs in as the
        # backup knows them, checked there. Otherwise as usual.
        from_backup = bool(args.user) and all_deleted(services.store.db)
        if from_backup:
            before = services.backups.restore(args.file, sign_in=(args.user, user_secret(args)))
    finally:
        services.close()
    if not from_backup:
        services = open_services(args)
        try:
            before = services.backups.restore(args.file)
        finally:
            services.close()
    print(f"restored {args.file}; the data it replaced is kept in {before}")
    return 0


def _encrypt(args: argparse.Namespace) -> int:
    if getattr(args, "demo", False):
        raise StoreError("The demo's data is synthetic and never encrypted.", code="bad_input")
    services = Services.open(args.data_dir or default_data_dir(), encrypt=True)
    try:
        if not services.store.key:
            raise StoreError(services.store.encryption_warning, code="store_encrypt")
        print(f"encrypted: {services.store.path} (its key is in this user's keyring)")
    finally:
        services.close()
    return 0
