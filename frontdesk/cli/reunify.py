"""``frontdesk reunify start | ask | send | release | board | card | end | export | record | merge``.

The Standard Reunification Method's steps from the command line, over the same services as the desk's board.
``reunify ask STUDENT --to "FIRST LAST" [--dob YYYY-MM-DD]`` runs the checks of ``students release`` and
exits the same way: 0 queued (the card code is printed), **3** the adult is not authorised (a principal may
approve once with ``--approve`` as themselves), **4** refused by a custody order, the may-not-pick-up list, a
barred match or a possible match a person must compare at the desk. CARD is the code on a request card.
``send`` and ``release`` check the adult again by the same rules: if that refuses now (a bar or a court order
added since, a new possible match, pick-up stopped, an authorisation revoked or run out) the request is
*stopped*, nothing is released, and they exit the same way, 3 or 4 (``--json``: ``"stopped": true`` and why);
the guardian, or another adult on the list, asks again.

Afterwards: ``export FILE`` writes the CSV for the record; on the reunification site's laptop (working from
its own copy of the data folder) ``record FILE`` writes what was recorded there, and at the school's desk
``merge FILE`` brings it into the desk's record (requests, releases as movements; merging twice changes
nothing). Bad input (an unknown student or card, a step out of order, no reunification running) exits 2 with
one line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from frontdesk import clock
from frontdesk.cli.common import open_services, print_json
from frontdesk.cli.students import EXIT_NOT_AUTHORISED, EXIT_REFUSED, not_released, slip_printer, student_record
from frontdesk.settings import SCHOOL_NAME
from frontdesk.students.release import NotAuthorised, Refused, ReleaseRequest, split_name
from frontdesk.students.reunify import STATUS_WORDS, Board, HandOverStopped, Reunification, ReunifyRequest


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``reunify``."""
    group = subparsers.add_parser("reunify", help="student reunification after an evacuation or lockdown")
    sub = group.add_subparsers(dest="reunify_command", metavar="COMMAND", required=True)

    p = sub.add_parser("start", help="open a reunification (--drill for a practice)")
    p.add_argument("--drill", action="store_true")
    p.add_argument("--site", default="", help="where it runs (the reunification site)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_start)

    p = sub.add_parser("ask", help="a guardian asks for a student (exit 3: not authorised, 4: refused)")
    p.add_argument("student", metavar="STUDENT")
    p.add_argument("--to", required=True, metavar='"FIRST LAST"', help="the adult asking")
    p.add_argument("--dob", help="the adult's date of birth, YYYY-MM-DD")
    p.add_argument("--reason", default="reunification")
    p.add_argument("--approve", action="store_true", help="a principal approves this adult once (--user)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_ask)

    p = sub.add_parser("send", help="a runner goes for the student on this card")
    p.add_argument("card", metavar="CARD")
    p.add_argument("--runner", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_send)

    p = sub.add_parser("release", help="the student on this card is handed to the adult")
    p.add_argument("card", metavar="CARD")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_release)

    p = sub.add_parser("withdraw", help="take back a request not yet handed over (another adult may ask)")
    p.add_argument("card", metavar="CARD")
    p.add_argument("--reason", required=True, help="why, for the record")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_withdraw)

    p = sub.add_parser("board", help="requested / on the way / released / not yet requested, per class")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_board)

    p = sub.add_parser("card", help="print a request card (again) on the badge printer")
    p.add_argument("card", metavar="CARD")
    p.add_argument("--printer", metavar="URI", help="printer address (default: the badges.printer setting)")
    p.set_defaults(run=_card)

    p = sub.add_parser("end", help="close the reunification")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_end)

    p = sub.add_parser("export", help="every request as CSV, for the record (principals)")
    p.add_argument("file", type=Path, metavar="FILE")
    _run_option(p)
    p.set_defaults(run=_export)

    p = sub.add_parser("record", help="on the site's laptop: write what was recorded here, for the desk")
    p.add_argument("file", type=Path, metavar="FILE")
    _run_option(p)
    p.set_defaults(run=_record)

    p = sub.add_parser("merge", help="at the desk: bring a laptop's record into this desk's record")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_merge)


def _run_option(p: argparse.ArgumentParser) -> None:
    # dest is not "run": that is the command's function (set_defaults)
    help_ = "which reunification (default the running one, else the last)"
    p.add_argument("--run", dest="run_id", type=int, metavar="ID", help=help_)


def run_record(run: Reunification) -> dict[str, Any]:
    """A reunification as the CLI prints it."""
    return {
        "id": run.id,
        "drill": run.drill,
        "site": run.site,
        "started_at": run.started_at.astimezone().isoformat(timespec="seconds"),
        "started_by": run.started_by,
        "ended_at": run.ended_at.astimezone().isoformat(timespec="seconds") if run.ended_at else None,
    }


def request_record(r: ReunifyRequest) -> dict[str, Any]:
    """A request as the CLI prints it."""
    return {
        "card": r.card,
        "student": student_record(r.student),
        "adult": r.adult,
        "authorised_as": r.authorised_as,
        "status": r.status,
        "requested_at": r.requested_at.astimezone().isoformat(timespec="seconds"),
        "runner": r.runner,
        "released_at": r.released_at.astimezone().isoformat(timespec="seconds") if r.released_at else None,
        "stopped_reason": r.stopped_reason,
    }


def _drill(run: Reunification) -> str:
    return "DRILL " if run.drill else ""


def _start(args: argparse.Namespace) -> int:
    run = open_services(args).reunification.start(drill=args.drill, site=args.site)
    if args.json:
        print_json(run_record(run))
    else:
        print(f"{_drill(run)}Reunification {run.id} started" + (f" at {run.site}" if run.site else "") + ".")
    return 0


def _ask(args: argparse.Namespace) -> int:
    first, last = split_name(args.to)
    dob = clock.parse_date(args.dob, "--dob") if args.dob else None
    services = open_services(args)
    student = services.students.get(args.student)
    request = ReleaseRequest(student, first, last, args.reason, dob=dob, approve=args.approve)
    outcome = services.reunification.ask(request)
    if isinstance(outcome, ReunifyRequest):
        if args.json:
            print_json({"queued": True, **request_record(outcome)})
        else:
            print(f"Requested {student.full_name} for {outcome.adult}: card {outcome.card}.")
        return 0
    assert isinstance(outcome, NotAuthorised | Refused)
    return not_released(outcome, student, as_json=args.json, flag="queued")


def _stopped(stopped: HandOverStopped, *, as_json: bool, flag: str) -> int:
    """The adult, checked again, is refused now: the request is stopped (exit 3 or 4, as ``ask``)."""
    outcome = stopped.outcome
    refused = isinstance(outcome, Refused)
    if as_json:
        told = list(outcome.decision.told) if refused and outcome.decision is not None else []
        print_json(
            {
                flag: False,
                "stopped": True,
                **request_record(stopped.request),
                "code": outcome.code if refused else "not_authorised",
                "confirmed": outcome.confirmed if refused else True,
                "message": stopped.message,
                "notified": told,
            }
        )
    else:
        print(f"frontdesk: {stopped.message}", file=sys.stderr)
    return EXIT_REFUSED if refused else EXIT_NOT_AUTHORISED


def _send(args: argparse.Namespace) -> int:
    reunification = open_services(args).reunification
    try:
        r = reunification.send(reunification.request_by_card(args.card).id, args.runner)
    except HandOverStopped as stopped:
        return _stopped(stopped, as_json=args.json, flag="sent")
    if args.json:
        print_json(request_record(r))
    else:
        print(f"{r.runner} is on the way for {r.student.full_name} ({r.student.homeroom or 'no class'}).")
    return 0


def _release(args: argparse.Namespace) -> int:
    reunification = open_services(args).reunification
    try:
        r = reunification.release(reunification.request_by_card(args.card).id)
    except HandOverStopped as stopped:
        return _stopped(stopped, as_json=args.json, flag="released")
    if args.json:
        print_json(request_record(r))
    else:
        print(f"Released {r.student.full_name} to {r.adult} at {r.released_at.astimezone():%H:%M}.")
    return 0


def _withdraw(args: argparse.Namespace) -> int:
    reunification = open_services(args).reunification
    r = reunification.withdraw(reunification.request_by_card(args.card).id, args.reason)
    if args.json:
        print_json(request_record(r))
    else:
        print(f"Request for {r.student.full_name} taken back: another adult on the list may ask.")
    return 0


def _board(args: argparse.Namespace) -> int:
    board: Board = open_services(args).reunification.board()
    if args.json:
        print_json(
            {
                "reunification": run_record(board.reunification),
                "classes": [
                    {
                        "class": r.homeroom,
                        "students": r.students,
                        "not_requested": r.not_requested,
                        "requested": r.requested,
                        "on_the_way": r.on_the_way,
                        "released": r.released,
                    }
                    for r in board.rows
                ],
                "requests": [request_record(r) for r in board.requests],
            }
        )
        return 0
    run = board.reunification
    print(f"{_drill(run)}Reunification {run.id}" + (f" at {run.site}" if run.site else ""))
    print(f"{'Class':<24} {'students':>8} {'not asked':>9} {'asked':>6} {'on the way':>10} {'released':>8}")
    for r in board.rows:
        print(
            f"{r.homeroom[:24]:<24} {r.students:>8} {r.not_requested:>9} {r.requested:>6} {r.on_the_way:>10} "
            f"{r.released:>8}"
        )
    for r in board.requests:
        print(f"{r.card}  {STATUS_WORDS[r.status]:<10}  {r.student.full_name} -> {r.adult}")
    return 0


def _card(args: argparse.Namespace) -> int:
    from frontdesk.badges.service import Outcome
    from frontdesk.students.printing import request_card

    services = open_services(args)
    printer = slip_printer(services, args.printer)
    req = services.reunification.request_by_card(args.card)
    run = services.reunification.run_of(req.id)
    card = request_card(req, run, services.settings.get(SCHOOL_NAME), services.badges.media())
    outcome, message = services.badges.print_slip(card, printer, "Request card")
    if outcome is Outcome.PRINTED:
        print(message)
        return 0
    print(f"frontdesk: {message}", file=sys.stderr)
    return 1 if outcome in (Outcome.SENT, Outcome.ATTENTION) else 2


def _end(args: argparse.Namespace) -> int:
    run = open_services(args).reunification.end()
    if args.json:
        print_json(run_record(run))
    else:
        print(f"{_drill(run)}Reunification {run.id} ended.")
    return 0


def _export(args: argparse.Namespace) -> int:
    reunification = open_services(args).reunification
    with open(args.file, "w", newline="", encoding="utf-8") as out:
        count = reunification.export_csv(out, args.run_id)
    print(f"{count} requests written to {args.file}")
    return 0


def _record(args: argparse.Namespace) -> int:
    reunification = open_services(args).reunification
    with open(args.file, "w", encoding="utf-8") as out:
        count = reunification.export_record(out, args.run_id)
    print(
        f"{count} requests written to {args.file}: take it to the school's desk ('frontdesk reunify merge FILE')."
    )
    return 0


def _merge(args: argparse.Namespace) -> int:
    report = open_services(args).reunification.merge_record(args.file)
    if args.json:
        print_json(
            {
                "reunification": report.reunification,
                "requests": report.requests,
                "released": report.released,
                "already_here": report.known,
                "unknown_students": list(report.unknown_students),
                "already_signed_out": list(report.already_out),
                "released_not_today": list(report.not_today),
            }
        )
    else:
        print(
            f"Merged into reunification {report.reunification}: {report.requests} requests "
            f"({report.released} released), {report.known} already here"
            + (
                f"; {len(report.unknown_students)} students this desk does not know"
                if report.unknown_students
                else ""
            )
        )
    if report.not_today and not args.json:
        print(
            f"{len(report.not_today)} of the releases carry another day's time, so they are not signed out today "
            "here: if the laptop's clock was wrong, those children are not shown as released on today's roster. "
            f"Check them: {', '.join(report.not_today)}"
        )
    return 0
