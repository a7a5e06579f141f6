"""``frontdesk checkin | checkout | onsite | log``."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.cli.common import open_services, print_json, visit_line, visit_record
from frontdesk.errors import ConflictError, InputError
from frontdesk.models import Category, Visitor
from frontdesk.text import SafeDictWriter, format_badge_code

if TYPE_CHECKING:
    from frontdesk.checkin.workflow import Refused

# The admission workflow (and screening under it) is imported by the check-in command only: ``onsite`` and
# ``log`` are what IT scripts call in loops, and they should not pay for loading it.


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the visit commands."""
    p = subparsers.add_parser("checkin", help="check a visitor in and print the visit with its badge code")
    p.add_argument("--first-name", required=True)
    p.add_argument("--last-name", required=True)
    p.add_argument("--middle-name")
    p.add_argument("--dob", help="date of birth, YYYY-MM-DD")
    p.add_argument("--category", default="visitor", help=", ".join(c.value for c in Category))
    p.add_argument("--purpose", default="")
    p.add_argument("--destination", default="")
    p.add_argument("--note", default="")
    p.add_argument("--again", action="store_true", help="check in even if already on site")
    p.add_argument(
        "--not-this-person",
        metavar="ENTRY_ID",
        type=int,
        action="append",
        default=[],
        help="a flagged list entry is not this visitor (each needs its own --reason, in the same order)",
    )
    p.add_argument("--reason", action="append", default=[], help="why, for each --not-this-person")
    p.add_argument(
        "--same-person",
        metavar="ENTRY_ID",
        type=int,
        help="the visitor IS this flagged entry: barred or registry refused (exit 4), watch admitted and an "
        "administrator told, custody admitted with the students named in the note",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_checkin)

    p = subparsers.add_parser("checkout", help="check a visitor out by badge code")
    p.add_argument("badge_code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_checkout)

    p = subparsers.add_parser("onsite", help="list who is on site now")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_onsite)

    p = subparsers.add_parser("log", help="the visits of one day")
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    p.set_defaults(run=_log)


def _checkin(args: argparse.Namespace) -> int:
    """Screen first (exit 3: a possible match to decide; exit 4: refused), then admit (exit 0)."""
    from frontdesk.checkin.workflow import ALREADY_ON_SITE, CheckInRequest, NeedsDecision, Refused
    from frontdesk.cli.screen import result_record

    first, last = args.first_name.strip(), args.last_name.strip()
    if not first or not last:
        raise InputError("A visitor needs a first and a last name (--first-name, --last-name)")
    if len(args.reason) != len(args.not_this_person):
        raise InputError("Give one --reason for each --not-this-person, in the same order")
    visitor = Visitor(
        first_name=first,
        last_name=last,
        middle_name=(args.middle_name or "").strip() or None,
        dob=clock.parse_date(args.dob, "--dob") if args.dob else None,
    )
    services = open_services(args)
    request = CheckInRequest(visitor, args.category.strip().lower(), args.purpose, args.destination, args.note)  # type: ignore[arg-type]
    if args.again:
        request = request.acknowledging(ALREADY_ON_SITE)
    checkin = services.checkin
    outcome = checkin.start(request, unattended=True)
    for entry_id, reason in zip(args.not_this_person, args.reason, strict=True):
        outcome = _decide(checkin, outcome, entry_id, same_person=False, reason=reason)
    if args.same_person is not None:
        outcome = _decide(checkin, outcome, args.same_person, same_person=True)
    if isinstance(outcome, Refused):
        if outcome.code != "denied":
            raise ConflictError(outcome.message, code=outcome.code)  # a freeze: exit 2, one line
        print(f"frontdesk: {outcome.message}", file=sys.stderr)
        if args.json:
            print_json({"decision": "match", "refused": outcome.message, "candidates": _candidates(outcome)})
        return EXIT_REFUSED
    if isinstance(outcome, NeedsDecision):
        if not outcome.candidates:  # only warnings, e.g. already on site: as before, exit 2 with one line
            raise ConflictError(" ".join(w.message for w in outcome.warnings), code=outcome.warnings[0].code)
        result = outcome.admission.result
        record = result_record(result)
        record["candidates"] = [
            c for c in record["candidates"] if c["entry_id"] in {x.entry.id for x in outcome.candidates}
        ]
        if args.json:
            print_json(record)
        else:
            print(
                f"{record['decision']}: {visitor.full_name} may be on a list. Not checked in. Compare each record "
                "below with the visitor's ID, then run again with --not-this-person ENTRY_ID --reason TEXT, or "
                "--same-person ENTRY_ID."
            )
            for c in outcome.candidates:
                entry = c.entry
                print(f"  #{entry.id} {entry.full_name} ({entry.kind.label}, {entry.source}): {c.evidence_text}")
        return EXIT_POSSIBLE_MATCH
    committed = checkin.commit(outcome)
    visit = committed.visit
    if args.json:
        print_json(visit_record(visit))
    else:
        print(f"Checked in: {visit_line(visit)}")
        print(f"Badge code: {format_badge_code(visit.badge_code)}")
        if committed.students_not_to_release:
            print(f"Custody order: do NOT release {', '.join(committed.students_not_to_release)} to them.")
        if committed.told:
            print(f"Told: {', '.join(committed.told)}.")
    return 0


EXIT_POSSIBLE_MATCH = 3
EXIT_REFUSED = 4


def _decide(checkin, outcome, entry_id: int, *, same_person: bool, reason: str = ""):
    from frontdesk.checkin.workflow import NeedsDecision, Refused

    if isinstance(outcome, Refused):
        return outcome
    if not isinstance(outcome, NeedsDecision) or not outcome.candidates:
        raise InputError(f"Entry {entry_id} was not flagged for this visitor: nothing to decide")
    return checkin.decide(outcome.admission, entry_id, same_person=same_person, reason=reason)


def _candidates(outcome: Refused) -> list[dict]:
    d = outcome.decision
    if d is None:
        return []
    return [
        {
            "entry_id": d.entry_id,
            "source": d.source,
            "kind": d.kind.value if d.kind else None,
            "score": d.score,
            "evidence": d.evidence,
        }
    ]


def _checkout(args: argparse.Namespace) -> int:
    services = open_services(args)
    visit = services.visits.check_out(args.badge_code)
    if args.json:
        print_json(visit_record(visit))
    else:
        print(f"Checked out: {visit_line(visit)}")
    return 0


def _onsite(args: argparse.Namespace) -> int:
    visits = open_services(args).visits.on_site()
    if args.json:
        print_json([visit_record(v) for v in visits])
    else:
        for v in visits:
            print(visit_line(v))
        print(f"{len(visits)} on site")
    return 0


def _log(args: argparse.Namespace) -> int:
    day = clock.parse_date(args.date, "--date")
    visits = open_services(args).visits.day_log(day)
    records = [visit_record(v) for v in visits]
    if args.json:
        print_json(records)
    elif args.csv:
        writer = SafeDictWriter(sys.stdout, fieldnames=_CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    else:
        for v in visits:
            print(visit_line(v, day))
        print(f"{len(visits)} visits on {day}")
    return 0


_CSV_FIELDS = [
    "id",
    "badge_code",
    "first_name",
    "middle_name",
    "last_name",
    "dob",
    "category",
    "purpose",
    "destination",
    "time_in",
    "time_out",
    "station",
    "staff",
    "note",
]
