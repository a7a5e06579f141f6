"""``frontdesk screen``: screen one visitor (or a batch, one JSON object per line) against every list."""

from __future__ import annotations

import argparse
import json
import sys

from frontdesk.cli.common import open_services
from frontdesk.errors import InputError
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Decision, Query, ScreenResult
from frontdesk.screening.screener import Screener


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the screen command."""
    p = subparsers.add_parser("screen", help="screen a visitor against the barred, custody and registry lists")
    p.add_argument("--first-name")
    p.add_argument("--last-name")
    p.add_argument("--middle-name", default="")
    p.add_argument("--dob", help="date of birth, YYYY-MM-DD")
    p.add_argument("--sex", default="", help="M, F or X as the ID gives it")
    p.add_argument("--id-state", default="", help="the ID's issuer (state or province, or a passport's country)")
    p.add_argument("--id-last4", default="", help="the last 4 characters of the ID's number")
    p.add_argument("--json", action="store_true")
    p.add_argument("--batch", metavar="QUERIES.jsonl", help="one JSON object per line; one result per line out")
    p.set_defaults(run=_screen)


def result_record(result: ScreenResult) -> dict:
    """A result as the JSON the CLI prints: ``decision`` and ``candidates``."""
    return {
        "decision": result.decision.value,
        "candidates": [
            {
                "entry_id": c.entry.id,
                "source": c.entry.source,
                "kind": c.entry.kind.value,
                "score": c.score,
                "decision": c.decision.value,
                "name": c.entry.full_name,
                "matched_name": c.matched_name,
                "dob": c.entry.dob.text,
                "evidence": c.evidence_text,
                "fields": [{"field": e.field, "relation": e.relation, "words": e.words} for e in c.evidence],
                "sex": c.entry.sex or None,
                "id_state": c.entry.id_state or None,
                "has_photo": c.entry.has_photo,
            }
            for c in result.candidates
        ],
    }


def _query(
    first: object, last: object, middle: object, dob: object, where: str, extra: dict | None = None
) -> Query:
    if not isinstance(first, str) or not first.strip() or not isinstance(last, str) or not last.strip():
        raise InputError(f"{where}needs a first_name and a last_name")
    if middle is not None and not isinstance(middle, str):
        raise InputError(f"{where}middle_name must be text")
    if dob is not None and not isinstance(dob, str):
        raise InputError(f"{where}dob must be text like 1980-03-14")
    given = {}
    for key in ("sex", "id_state", "id_last4"):
        value = (extra or {}).get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(f"{where}{key} must be text")
        given[key] = (value or "").strip().upper()
    if given["sex"] not in ("", "M", "F", "X"):
        raise InputError(f"{where}sex must be M, F or X")
    return Query(first.strip(), last.strip(), (middle or "").strip(), parse_dob(dob, f"{where}dob"), **given)


def _screen(args: argparse.Namespace) -> int:
    if args.batch:
        if args.first_name or args.last_name or args.dob:
            raise InputError("--batch reads every visitor from the file; leave out --first-name etc.")
        return _batch(args)
    if not args.first_name or not args.last_name or not args.dob:
        raise InputError("screen needs --first-name, --last-name and --dob (or --batch FILE)")
    extra = {"sex": args.sex, "id_state": args.id_state, "id_last4": args.id_last4}
    query = _query(args.first_name, args.last_name, args.middle_name, args.dob, "", extra)
    services = open_services(args)
    result = services.screener.screen(query)
    district = services.district_lists.state()  # how old the district's lists this was screened against are
    if args.json:
        record = result_record(result)
        if district.as_of is not None:
            record["district_lists"] = {
                "as_of": district.as_of.isoformat(timespec="seconds"),
                "stale": district.stale,
            }
            if district.refused:  # the hub offered older lists than this desk's: kept (the words to show)
                record["district_lists"]["refused"] = district.refused
        json.dump(record, sys.stdout, ensure_ascii=False)
        print()
        return 0
    print(f"{result.decision.value}: {query.first_name} {query.last_name} {query.dob.text or ''}".rstrip())
    for c in result.candidates:
        print(
            f"  {c.score:.3f} {'note' if c.decision is Decision.CLEAR else c.decision.value:14} "
            f"#{c.entry.id} {c.entry.full_name} "
            f"({c.entry.kind.value}, {c.entry.source})"
        )
        print(f"        {c.evidence_text}")
    if district.words:
        print(("WARNING: " if district.warning else "") + district.words)
    return 0


def _screener(args: argparse.Namespace) -> Screener:
    return open_services(args).screener


def _batch(args: argparse.Namespace) -> int:
    try:
        handle = open(args.batch, encoding="utf-8")  # noqa: SIM115 - closed below, after the stream
    except OSError as exc:
        raise InputError(f"Cannot read {args.batch}: {exc.strerror or exc}") from None
    queries = []
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                raise InputError(f"{args.batch} line {number}: not a JSON object") from None
            if not isinstance(obj, dict):
                raise InputError(f"{args.batch} line {number}: not a JSON object")
            where = f"{args.batch} line {number}: "
            queries.append(
                _query(
                    obj.get("first_name"), obj.get("last_name"), obj.get("middle_name"), obj.get("dob"), where, obj
                )
            )
    screener = _screener(args)
    for query in queries:  # every line is checked before any result is written
        sys.stdout.write(json.dumps(result_record(screener.screen(query)), ensure_ascii=False) + "\n")
    return 0
