"""``frontdesk id parse [FILE | -]`` and ``frontdesk id decode IMAGE``: read an ID the way the desk does.

Both print one JSON object with exactly the keys of :data:`scanners.idcard.JSON_KEYS` (null when absent),
whether the ID is an AAMVA barcode, a magnetic stripe or a passport's / ID card's machine-readable zone
(``parse``: the zone's two or three lines as text; ``decode``: a photo of the page, read by Tesseract).
For a zone, ``document`` is ``PASSPORT``, ``ID`` or ``RESIDENT``, ``country`` the three-letter issuer,
``jurisdiction`` null, and the AAMVA-only keys (``aamva_version``, ``real_id``, address) null.
``decode`` on a FrontDesk badge QR instead prints ``{"badge_code": "K7QXM2PD"}``. Unreadable input exits
2 with a one-line reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from frontdesk.errors import InputError
from scanners.aamva import parse_id


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``id`` command group."""
    group = subparsers.add_parser("id", help="read a driver's licence or ID card barcode, or a passport's zone")
    sub = group.add_subparsers(dest="id_command", required=True, metavar="ACTION")
    p = sub.add_parser("parse", help="parse the raw bytes a scanner sent (a file, or - for standard input)")
    p.add_argument("file", nargs="?", default="-", help="file with the raw payload, or - (default)")
    p.set_defaults(run=_parse)
    p = sub.add_parser("decode", help="find the licence barcode (or a badge QR) in an image and parse it")
    p.add_argument("image", type=Path)
    p.set_defaults(run=_decode)


def _print(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _parse(args: argparse.Namespace) -> int:
    if args.file == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(args.file).read_bytes()
        except OSError as exc:
            raise InputError(f"Cannot read {args.file}: {exc.strerror or exc}") from None
    _print(parse_id(data).to_json())
    return 0


def _decode(args: argparse.Namespace) -> int:
    # zxing-cpp and Pillow load only for this command, so `frontdesk checkin` stays quick to start.
    from scanners.image import find_id, load_image

    found = find_id(load_image(args.image))  # a licence barcode, a badge QR, or a passport's / card's zone
    if found.kind == "mrz":
        from scanners.mrz import parse_mrz

        _print(parse_mrz(found.data.decode("ascii")).to_json())
        return 0
    if found.kind == "qr":
        code = found.badge_code
        if code is None:
            raise InputError("The picture holds a QR code that is not a FrontDesk badge or an ID")
        _print({"badge_code": code})
        return 0
    _print(parse_id(found.data).to_json())
    return 0
