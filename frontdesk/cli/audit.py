"""``frontdesk audit verify | list | export | head``: the tamper-evident trail (principals, administrators).

``verify`` exits 0 when the chain is intact and 1 when it was tampered with (the first bad record is named
on standard output); bad input stays 2, like every command. ``verify --index`` also checks the screening index
against every list entry (:mod:`frontdesk.screening.index_check`; tens of seconds at a million entries, so not by
default): rows deleted, changed or added by hand exit 1 too, and ``--json`` adds the key ``index``.
"""

from __future__ import annotations

import argparse
import sys

from frontdesk import clock
from frontdesk.cli.common import open_services, print_json, to_jsonable
from frontdesk.errors import InputError
from frontdesk.store.files import private_file

EXIT_TAMPERED = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the audit commands."""
    audit = subparsers.add_parser("audit", help="the tamper-evident audit trail")
    sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    p = sub.add_parser("verify", help="check the chain: exit 0 intact, 1 tampered (first bad record named)")
    p.add_argument("--expect", metavar="SEQ:HASH", help="a head written down earlier ('frontdesk audit head')")
    p.add_argument(
        "--index",
        action="store_true",
        help="also check the screening index against every list entry (about 50 s at 1,000,000 entries)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_verify)
    p = sub.add_parser("head", help="the newest record's number and hash, to keep somewhere else")
    p.set_defaults(run=_head)
    for name, helptext in (("list", "browse records, newest first"), ("export", "records as CSV, oldest first")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--from", dest="start", help="YYYY-MM-DD (local day)")
        p.add_argument("--to", dest="end", help="YYYY-MM-DD (local day, included)")
        p.add_argument("--actor")
        p.add_argument("--action", help="action or its prefix, e.g. visit. or user.sign_in")
        p.add_argument("--text", help="text in the subject or details")
        if name == "list":
            p.add_argument("--limit", type=int, default=200)
            p.add_argument("--json", action="store_true")
            p.set_defaults(run=_list)
        else:
            p.add_argument("--out", help="file to write (default: standard output)")
            p.set_defaults(run=_export)


def _filters(args: argparse.Namespace) -> dict:
    start = end = None
    if args.start:
        start = clock.local_day_bounds(clock.parse_date(args.start, "--from"))[0]
    if args.end:
        end = clock.local_day_bounds(clock.parse_date(args.end, "--to"))[1]
    return {
        "start": clock.from_db(start),
        "end": clock.from_db(end),
        "actor": args.actor,
        "action": args.action,
        "text": args.text,
    }


def _verify(args: argparse.Namespace) -> int:
    expect = None
    if args.expect:
        seq, _, digest = args.expect.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise InputError("--expect must look like 1234:<64 hex digits> (from 'frontdesk audit head')")
        expect = (int(seq), digest.lower())
    services = open_services(args)
    result = services.audit.verify(expect)
    index = None
    if args.index:  # the blocking index against the entries (frontdesk.screening.index_check): its own mode
        from frontdesk.screening.index_check import check_index

        index = check_index(services.store)
    wrong_index = index is not None and not index.intact
    if args.json:
        out = to_jsonable(result)
        if index is not None:
            out["index"] = index.as_json()
            if wrong_index and result.intact:
                out.update(intact=False, problem="index", message="; ".join(index.lines()[:3]))
        print_json(out)
    elif result.intact and not wrong_index:
        print(f"intact: {result.checked} records, head {result.head_seq}:{result.head_hash}")
    elif result.intact:
        print(f"TAMPERED: the chain is whole ({result.checked} records), but the screening index is not:")
    elif result.problem == "records":  # the chain is whole, but what it describes is not
        print(f"TAMPERED: the chain is whole ({result.checked} records), but the records it describes are not:")
        for line in result.outside:
            print(f"  {line}")
    else:
        print(f"TAMPERED: {result.message} (first bad record: {result.seq}; {result.problem})")
    if index is not None and not args.json:
        if index.skipped:
            print(f"screening index not checked: {index.skipped}")
        elif index.intact:
            print(f"screening index: {index.entries} entries, {index.rows} rows, as their names give")
        else:
            print("screening index: changed outside the application (a person on a list may not be found):")
            for line in index.lines():
                print(f"  {line}")
            print("  the desk repairs it in its background check; or now: frontdesk barred reindex")
    return 0 if result.intact and not wrong_index else EXIT_TAMPERED


def _head(args: argparse.Namespace) -> int:
    seq, digest = open_services(args).audit.head()
    print(f"{seq}:{digest}")
    return 0


def _list(args: argparse.Namespace) -> int:
    records = open_services(args).audit.records(limit=args.limit, **_filters(args))
    if args.json:
        print_json(records)
    else:
        for r in records:
            details = " ".join(f"{k}={v}" for k, v in r.details.items())
            print(
                f"{r.seq:>7}  {r.time.astimezone():%Y-%m-%d %H:%M:%S}  {_shown(r.actor):12}  "
                f"{_shown(r.action):24}  {_shown(r.subject)}  {_shown(details)}"
            )
    return 0


def _export(args: argparse.Namespace) -> int:
    services = open_services(args)
    filters = _filters(args)
    if args.out:
        with open(private_file(args.out), "w", newline="", encoding="utf-8") as f:
            count = services.audit.export_csv(f, where=str(args.out), **filters)
        print(f"{count} records written to {args.out}", file=sys.stderr)
    else:
        services.audit.export_csv(sys.stdout, where="-", **filters)
    return 0


def _shown(text: str) -> str:
    """``text`` with every character a terminal would obey rather than show (escape sequences, the bell,
    direction controls) written as its Python escape: a record is shown, never run by the reader's terminal
    (a failed sign-in recorded its name as typed before session 22)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
