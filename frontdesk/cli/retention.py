"""``frontdesk retention apply [--dry-run]``: remove what the district's retention settings say is too old.

``--dry-run`` shows what would go and changes nothing. The desk applies the same once a day by itself.
"""

from __future__ import annotations

import argparse

from frontdesk.cli.common import open_services, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the retention command."""
    retention = subparsers.add_parser("retention", help="apply the retention settings")
    sub = retention.add_subparsers(dest="retention_command", required=True, metavar="ACTION")
    p = sub.add_parser("apply", help="remove old visits, ID details and audit records (see the settings)")
    p.add_argument("--dry-run", action="store_true", help="show what would go; change nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_apply)


def _apply(args: argparse.Namespace) -> int:
    services = open_services(args)
    try:
        report = services.retention.apply(dry_run=args.dry_run)
    finally:
        services.close()
    if args.json:
        print_json(report)
        return 0
    verb = "would remove" if report.dry_run else "removed"
    if report.visits_before is None and report.id_details_before is None and report.audit_before is None:
        print("no retention settings: everything is kept (see 'frontdesk config show', retention.*)")
        return 0
    print(
        f"{verb}: {report.visits} visits, {report.people} people, {report.badge_prints} badge print records, "
        f"{report.screening_decisions} screening decisions, {report.panic_messages} panic messages; "
        f"ID details and photos of {report.id_details} people; {report.audit_records} audit records"
    )
    return 0
