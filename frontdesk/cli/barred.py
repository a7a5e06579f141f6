"""``frontdesk barred import | list | add | remove | reindex``: the lists screening uses."""

from __future__ import annotations

import argparse
import sys

from frontdesk import clock
from frontdesk.cli.common import open_services, print_json
from frontdesk.errors import InputError
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.importer import ImportFailed
from frontdesk.screening.lists import entry_fields, parse_kind
from frontdesk.screening.models import Entry, Kind, NewEntry
from frontdesk.wire.entry_options import add_entry_options

KINDS = ", ".join(k.value for k in Kind)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the list commands."""
    barred = subparsers.add_parser("barred", help="barred, custody, watch and registry lists")
    sub = barred.add_subparsers(dest="barred_command", required=True, metavar="ACTION")

    p = sub.add_parser("import", help="import a CSV file into a list (all rows or none)")
    p.add_argument("file")
    p.add_argument("--source", required=True, help="the list's name, e.g. 'State registry 2026-11'")
    p.add_argument("--kind", help=f"kind of rows without a kind column: {KINDS}")
    p.add_argument("--replace", action="store_true", help="replace the list's entries (atomically)")
    p.add_argument(
        "--allow-empty", action="store_true", help="with --replace: accept a file with no rows (empties the list)"
    )
    p.add_argument(
        "--allow-shrink",
        action="store_true",
        help="with --replace: accept a file that removes more than half of a list of 10 or more entries",
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="read FIELD (first_name, dob, ...) from the file's COLUMN; repeatable",
    )
    p.set_defaults(run=_import)

    p = sub.add_parser("list", help="list the lists, or the entries of one (--source) or a search")
    p.add_argument("--source")
    p.add_argument("--search", default="", help="words of a name or alias")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_list)

    p = sub.add_parser("add", help="add one person to a list")
    add_entry_options(p)
    p.set_defaults(run=_add)

    p = sub.add_parser("remove", help="remove one entry (by id) or a whole list (--source)")
    p.add_argument("entry_id", nargs="?", type=int)
    p.add_argument("--source", help="remove this whole list")
    p.set_defaults(run=_remove)

    p = sub.add_parser("reindex", help="re-file every entry in the screening index (after editing nicknames.csv)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_reindex)


def entry_record(entry: Entry) -> dict:
    """An entry as the flat JSON the CLI prints."""
    return {"id": entry.id, "source": entry.source, **entry_fields(entry)}


def _entry_line(entry: Entry) -> str:
    aka = f"  aka {'; '.join(entry.aliases)}" if entry.aliases else ""
    until = f"  until {entry.valid_until}" if entry.valid_until else ""
    dob = entry.dob.text or "-"
    return f"{entry.id:>8}  {entry.kind.value:8}  {entry.full_name}  {dob}  [{entry.source}]{aka}{until}"


def _import(args: argparse.Namespace) -> int:
    mapping = {}
    for item in args.map:
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise InputError(f"--map needs FIELD=COLUMN, not {item!r}")
        mapping[field.strip()] = column.strip()
    services = open_services(args)
    interactive = sys.stderr.isatty()

    def progress(rows: int, fraction: float) -> None:
        if interactive:
            print(f"\r{rows:,} rows, {fraction:.0%}", end="", file=sys.stderr, flush=True)

    try:
        report = services.lists.import_csv(  # checks the role and audits the import
            args.file,
            args.source,
            kind=parse_kind(args.kind, "--kind"),
            replace=args.replace,
            allow_empty=args.allow_empty,
            allow_shrink=args.allow_shrink,
            mapping=mapping or None,
            progress=progress,
        )
    except ImportFailed as exc:
        if interactive:
            print(file=sys.stderr)
        for line, message in exc.errors[1:]:
            print(f"frontdesk: line {line}: {message}", file=sys.stderr)
        raise
    if interactive:
        print(file=sys.stderr)
    replaced = f", replacing {report.replaced:,}" if args.replace else ""
    print(f"Imported {report.added:,} entries into {report.source!r}{replaced} in {report.seconds:.1f} s")
    if report.kept:
        print(
            f"Kept {report.kept:,} entries added to the list while the import ran (check whether they still apply)"
        )
    if report.dob_warning:
        print(report.dob_warning)
    return 0


def _list(args: argparse.Namespace) -> int:
    lists = open_services(args).lists
    if not args.source and not args.search:
        found = lists.lists()
        if args.json:
            print_json(
                [
                    {
                        "source": x.source,
                        "kind": x.kind.value,
                        "entries": x.entry_count,
                        "imported_at": x.imported_at,
                    }
                    for x in found
                ]
            )
        else:
            for x in found:
                print(f"{x.source}  ({x.kind.value}, {x.entry_count:,} entries)")
        return 0
    entries = lists.search(args.search, source=args.source, limit=args.limit)
    if args.json:
        print_json([entry_record(e) for e in entries])
    else:
        for e in entries:
            print(_entry_line(e))
    return 0


def _add(args: argparse.Namespace) -> int:
    new = NewEntry(
        first_name=args.first_name.strip(),
        middle_name=args.middle_name.strip(),
        last_name=args.last_name.strip(),
        aliases=tuple(a.strip() for a in args.alias if a.strip()),
        dob=parse_dob(args.dob, "--dob"),
        kind=parse_kind(args.kind, "--kind"),
        reason=args.reason,
        valid_until=clock.parse_date(args.until, "--until") if args.until else None,
        notes=args.notes,
        students=tuple(s.strip() for s in args.student if s.strip()),
        sex=args.sex,
        id_state=args.id_state,
        id_last4=args.id_last4,
    )
    entry = open_services(args).lists.add(args.source, new)
    if args.json:
        print_json(entry_record(entry))
    else:
        print(_entry_line(entry))
    return 0


def _remove(args: argparse.Namespace) -> int:
    lists = open_services(args).lists
    if args.source and args.entry_id is None:
        count = lists.remove_source(args.source)
        print(f"Removed the list {args.source!r} ({count:,} entries)")
    elif args.entry_id is not None and not args.source:
        entry = lists.remove(args.entry_id)
        print(f"Removed {entry.id}: {entry.full_name} [{entry.source}]")
    else:
        raise InputError("Give either an entry id or --source NAME (not both)")
    return 0


def _reindex(args: argparse.Namespace) -> int:
    # A wait (an older desk's re-index on a shared folder: up to minutes) is said on stderr; stdout is the result.
    report = open_services(args).lists.rebuild_index(notice=_say)  # checks the role and audits the rebuild
    if args.json:
        print_json(report)
    else:
        print(f"Re-indexed {report.entries:,} entries ({report.keys:,} index keys) in {report.seconds:.1f} s")
    return 0


def _say(sentence: str) -> None:
    """A line on stderr while the command waits (flushed: a script's log shows it as it happens)."""
    print(f"frontdesk: {sentence}", file=sys.stderr, flush=True)
