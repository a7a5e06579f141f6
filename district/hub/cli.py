"""``frontdesk district …``: the district's lists, settings, staff, and its view of visits, at the hub.

Registered under ``frontdesk district`` through the ``frontdesk.dispatch_commands`` entry point
(``district-hub``); the desk never imports this. Every command takes ``--db`` (the console's database:
``sqlite:///path`` or ``postgresql://…``; default ``FRONTDESK_DISPATCH_DB`` or the data folder), like
``frontdesk dispatch serve``. Exit codes: 0 success, 2 bad input or a failure (one line on standard error).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date

from district.cli import _command, _db_option, db_url
from district.errors import InputError
from frontdesk.wire.entry_options import add_entry_options

KINDS = "barred, custody, watch, registry"


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``barred``, ``settings``, ``staff``, ``onsite`` and ``log`` to the ``district`` group."""
    barred = sub.add_parser("barred", help="the district's barred, custody, watch and registry lists")
    bsub = barred.add_subparsers(dest="district_barred_command", required=True, metavar="ACTION")

    p = bsub.add_parser("import", help="import a CSV file into a district list (all rows or none)")
    p.add_argument("file")
    p.add_argument("--source", required=True, help="the list's name, e.g. 'District barred list'")
    p.add_argument("--kind", help=f"kind of rows without a kind column: {KINDS}")
    p.add_argument("--replace", action="store_true", help="replace the list's entries (atomically, at every desk)")
    p.add_argument(
        "--allow-empty", action="store_true", help="with --replace: accept a file with no rows (empties the list)"
    )
    p.add_argument(
        "--allow-shrink",
        action="store_true",
        help="with --replace: accept a file that removes more than half of a list of 10 or more entries",
    )
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN", help="read FIELD from COLUMN")
    _db_option(p)
    p.set_defaults(run=_command(_import))

    p = bsub.add_parser("add", help="add one person to a district list")
    add_entry_options(p)
    _db_option(p)
    p.set_defaults(run=_command(_add))

    p = bsub.add_parser("expire", help="end a district list entry (from today, or after --on) at every desk")
    p.add_argument("entry_id", type=int)
    p.add_argument("--on", help="last day in force, YYYY-MM-DD (default: yesterday)")
    _db_option(p)
    p.set_defaults(run=_command(_expire))

    p = bsub.add_parser("list", help="the district lists, or the entries of one (--source) or a search")
    p.add_argument("--source")
    p.add_argument("--search", default="")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", action="store_true")
    _db_option(p)
    p.set_defaults(run=_command(_list))

    p = bsub.add_parser(
        "recover",
        help="after this hub's database was restored from an older copy: every desk takes the lists afresh",
        description=(
            "Run once after restoring the hub's database from a backup, when what was changed since the backup "
            "has been entered again. Desks keep their newer lists (and settings) while the hub is behind them; "
            "this moves the hub's list numbers above every number it gave out before, and every desk then takes "
            "each district list and the district settings as this hub has them now, with no work at the desks."
        ),
    )
    p.add_argument("--above", type=int, default=0, help="a list version a desk holds (as its status says)")
    p.add_argument("--json", action="store_true")
    _db_option(p)
    p.set_defaults(run=_command(_recover))

    settings = sub.add_parser("settings", help="district defaults for every school, school values, locks")
    ssub = settings.add_subparsers(dest="district_settings_command", required=True, metavar="ACTION")
    p = ssub.add_parser("set", help="set a district default (or one school's value with --school)")
    p.add_argument("key", help="a desk setting's name, e.g. retention.visits_days")
    p.add_argument("value", help="JSON: 365, 0.9, true, or text")
    p.add_argument("--school", default="", help="this school only (where the district default is not locked)")
    p.add_argument("--lock", action="store_true", help="schools and desks cannot change it")
    _db_option(p)
    p.set_defaults(run=_command(_settings_set))
    p = ssub.add_parser("unset", help="remove a district default or a school's value")
    p.add_argument("key")
    p.add_argument("--school", default="")
    _db_option(p)
    p.set_defaults(run=_command(_settings_unset))
    p = ssub.add_parser("list", help="every district default and school value")
    p.add_argument("--json", action="store_true")
    _db_option(p)
    p.set_defaults(run=_command(_settings_list))

    staff = sub.add_parser("staff", help="district staff who sign in to the district views")
    tsub = staff.add_subparsers(dest="district_staff_command", required=True, metavar="ACTION")
    p = tsub.add_parser("add", help="add a district administrator or security member (password on standard input)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=["administrator", "security"])
    _db_option(p)
    p.set_defaults(run=_command(_staff_add))
    p = tsub.add_parser("remove", help="remove a district staff member's sign-in and end their sessions now")
    p.add_argument("name")
    _db_option(p)
    p.set_defaults(run=_command(_staff_remove))

    retention = sub.add_parser("retention", help="the district's retention settings applied at the hub")
    rsub = retention.add_subparsers(dest="retention_command", required=True)
    p = rsub.add_parser(
        "apply", help="remove the visits, changes and list trail lines the retention settings no longer keep"
    )
    p.add_argument("--dry-run", action="store_true", help="show what would go, remove nothing")
    p.add_argument("--json", action="store_true")
    _db_option(p)
    p.set_defaults(run=_command(_retention_apply))

    try:
        from district.hub.visits_cli import register_visits
    except ImportError:  # the visits the hub receives arrive with hub-sync
        return
    register_visits(sub)


def _actor() -> str:
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


def _open(args: argparse.Namespace):
    from district.console.service import ConsoleService

    return ConsoleService.open(db_url(args))


def _lists(service):
    from district.hub.lists import HubLists

    return HubLists(service.db)


def _import(args: argparse.Namespace) -> int:
    mapping = {}
    for item in args.map:
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise InputError(f"--map needs FIELD=COLUMN, not {item!r}")
        mapping[field.strip()] = column.strip()
    interactive = sys.stderr.isatty()

    def progress(rows: int, fraction: float) -> None:
        if interactive:
            print(f"\r{rows:,} rows, {fraction:.0%}", end="", file=sys.stderr, flush=True)

    from district.hub.lists import HubImportFailed

    service = _open(args)
    try:
        report = _lists(service).import_csv(
            args.file,
            args.source,
            actor=_actor(),
            kind=args.kind,
            replace=args.replace,
            allow_empty=args.allow_empty,
            allow_shrink=args.allow_shrink,
            mapping=mapping or None,
            progress=progress,
        )
    except HubImportFailed as exc:
        for line, message in exc.errors[1:]:
            print(f"frontdesk: line {line}: {message}", file=sys.stderr)
        raise
    finally:
        if interactive:
            print(file=sys.stderr)
        service.close()
    replaced = f", replacing {report.replaced:,}" if args.replace else ""
    print(
        f"Imported {report.added:,} entries into the district list {report.source!r}{replaced} "
        f"(version {report.version}) in {report.seconds:.1f} s; desks take it on their next sync"
    )
    if report.kept:
        print(
            f"Kept {report.kept:,} entries added to the list while the import ran (check whether they still apply)"
        )
    return 0


def _entry_line(record: dict) -> str:
    name = " ".join(p for p in (record["first_name"], record["middle_name"], record["last_name"]) if p)
    until = f"  until {record['valid_until']}" if record.get("valid_until") else ""
    aka = f"  aka {'; '.join(record['aliases'])}" if record.get("aliases") else ""
    kind, dob = record["kind"] or "", record["dob"] or "-"
    return f"{record['id']:>8}  {kind:8}  {name}  {dob}  [{record['source']}]{aka}{until}"


def _add(args: argparse.Namespace) -> int:
    from district.hub.lists import new_entry

    entry = new_entry(
        first_name=args.first_name,
        middle_name=args.middle_name,
        last_name=args.last_name,
        aliases=tuple(args.alias),
        dob=args.dob,
        kind=args.kind,
        reason=args.reason,
        valid_until=args.until,
        notes=args.notes,
        students=tuple(args.student),
        sex=args.sex,
        id_state=args.id_state,
        id_last4=args.id_last4,
    )
    with _open(args) as service:
        record = _lists(service).add(args.source, entry, actor=_actor(), list_kind=args.kind)
    print(json.dumps(record, ensure_ascii=False) if args.json else _entry_line(record))
    return 0


def _expire(args: argparse.Namespace) -> int:
    on = None
    if args.on:
        try:
            on = date.fromisoformat(args.on)
        except ValueError:
            raise InputError(f"--on must be a date like 2026-03-14, not {args.on!r}") from None
    with _open(args) as service:
        record = _lists(service).expire(args.entry_id, actor=_actor(), on=on)
    print(f"Entry {record['id']} of {record['source']!r} is in force until {record['valid_until']} at every desk")
    return 0


def _recover(args: argparse.Namespace) -> int:
    with _open(args) as service:
        done = _lists(service).recover(actor=_actor(), above=args.above)
    if args.json:
        print(json.dumps(done))
    else:
        print(
            f"District lists renumbered from version {done['was']} to {done['version']}: every desk takes the "
            f"{done['lists']} district list(s) and the district settings afresh at its next pull"
        )
    return 0


def _list(args: argparse.Namespace) -> int:
    with _open(args) as service:
        lists = _lists(service)
        if not args.source and not args.search:
            index = lists.index()
            ahead = lists.desks_ahead()
            if args.json:
                print(json.dumps({**index, "desks_ahead": ahead}, ensure_ascii=False))
            else:
                for x in index["lists"]:
                    print(
                        f"{x['source']}  ({x['kind']}, {x['entries']:,} entries, changed {x['updated_at'][:16]})"
                    )
                if ahead:
                    print(
                        f"WARNING: a desk holds list version {ahead}, which this hub does not have (it is at "
                        f"{index['version']}): this hub's database was restored from an older copy, and the desks "
                        "keep their newer lists. Enter again what was changed since that copy, then run "
                        "'frontdesk district barred recover'."
                    )
            return 0
        entries = lists.entries(args.source, args.search, args.limit)
    if args.json:
        print(json.dumps(entries, ensure_ascii=False))
    else:
        for record in entries:
            print(_entry_line(record))
    return 0


def _settings(service):
    from district.hub.settings import DistrictSettings

    return DistrictSettings(service.db)


def _settings_set(args: argparse.Namespace) -> int:
    from district.hub.settings import parse_value

    with _open(args) as service:
        _settings(service).set(
            args.key, parse_value(args.value), actor=_actor(), school=args.school, locked=args.lock
        )
    where = f"for {args.school}" if args.school else "for every school" + (" (locked)" if args.lock else "")
    print(f"{args.key} = {args.value} {where}; desks take it on their next sync")
    return 0


def _settings_unset(args: argparse.Namespace) -> int:
    with _open(args) as service:
        _settings(service).unset(args.key, actor=_actor(), school=args.school)
    print(f"{args.key} removed" + (f" for {args.school}" if args.school else " (district default)"))
    return 0


def _settings_list(args: argparse.Namespace) -> int:
    with _open(args) as service:
        rows = _settings(service).all()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for r in rows:
        where = r["school"] or "every school"
        print(f"{r['key']} = {json.dumps(r['value'])}  ({where}{', locked' if r['locked'] else ''})")
    return 0


def _staff_add(args: argparse.Namespace) -> int:
    from district.hub.staff import Staff

    line = sys.stdin.readline()
    if not line:
        raise InputError("give the password on standard input")
    with _open(args) as service:
        member = Staff(service.db, service.auth).add(args.name, line.rstrip("\r\n"), args.role)
    print(f"{member.username!r} added as district {member.role}; they sign in at the hub's /district/ screen")
    return 0


def _staff_remove(args: argparse.Namespace) -> int:
    with _open(args) as service:
        ended = service.auth.remove_sign_in(args.name, staff_only=True)
    print(f"{args.name.strip()!r} can no longer sign in; {ended} open session(s) ended.")
    return 0


def _retention_apply(args: argparse.Namespace) -> int:
    from district.hub.retention import HubRetention

    with _open(args) as service:
        report = HubRetention(service.db).apply(dry_run=args.dry_run, actor=_actor())
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
        return 0
    verb = "would remove" if args.dry_run else "removed"
    for s in report.schools:
        if s.anything:
            print(
                f"{s.school}: {verb} {s.visits} visits, {s.visit_changes} visit changes, "
                f"{s.other_changes} other changes (visits before {s.visits_before or '-'}, "
                f"audit before {s.audit_before or '-'})"
            )
    print(
        f"Retention at the hub: {verb} {report.total('visits')} visits, {report.total('visit_changes')} visit "
        f"changes, {report.total('other_changes')} other changes, {report.list_trail} lines of the trail of "
        f"list changes (before {report.list_trail_before or '-'})"
    )
    return 0
