"""One list entry's fields as command-line options, the same at the desk and at the district hub.

``frontdesk barred add`` (a desk's own list) and ``frontdesk district barred add`` (a district list, sent to every
desk) take exactly these options, so school IT writes one script for both, and an option added here (the ID's
sex, issuer and last 4, which a list CSV could carry and the command line could not) reaches both at once.
"""

from __future__ import annotations

import argparse

from frontdesk.errors import InputError
from frontdesk.wire.lists import KINDS, typed_sex


def _sex(text: str) -> str:
    """``--sex``: M, F or X (also male/female, or AAMVA's 1/2/9); anything else is refused, not dropped."""
    try:
        return typed_sex(text)
    except InputError:
        raise argparse.ArgumentTypeError(f"give M, F or X, not {text!r}") from None


def add_entry_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``barred add``: the list, the person's names, date of birth, kind and what the ID gives."""
    parser.add_argument("--source", required=True)
    parser.add_argument("--first-name", required=True)
    parser.add_argument("--last-name", required=True)
    parser.add_argument("--middle-name", default="")
    parser.add_argument("--dob", default="", help="YYYY-MM-DD, YYYY, or leave out")
    parser.add_argument("--alias", action="append", default=[], help="another name; repeatable")
    parser.add_argument("--kind", help=", ".join(KINDS))
    parser.add_argument("--reason", default="")
    parser.add_argument("--until", help="last day in force, YYYY-MM-DD")
    parser.add_argument("--student", action="append", default=[], help="custody: a student not to release")
    parser.add_argument("--notes", default="")
    parser.add_argument("--sex", type=_sex, default="", help="M, F or X, as the person's ID gives it")
    parser.add_argument("--id-state", default="", help="who issued the person's ID: a state (VA) or a country")
    parser.add_argument("--id-last4", default="", help="the ID's number or its last 4 (only the last 4 are kept)")
    parser.add_argument("--json", action="store_true")
