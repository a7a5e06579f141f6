"""US military ID cards: the front PDF417 in the DoD's public fixed-width format (not AAMVA), read for the
name and the dates (issue 19). Every person here is invented."""

from __future__ import annotations

import json
from datetime import date

import pytest

from scanners.aamva import parse_id
from scanners.idcard import JSON_KEYS, UnreadableIdError
from tests.cli_helpers import frontdesk, text

TODAY = date(2026, 11, 22)
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUV"


def _b32(value: int, width: int) -> str:
    out = ""
    for _ in range(width):
        value, digit = divmod(value, 32)
        out = _DIGITS[digit] + out
    return out


def _day(day: date) -> str:
    return _b32((day - date(1000, 1, 1)).days, 4)


def cac(
    *,
    version: str = "N",
    first: str = "Avery",
    last: str = "Testwood",
    middle: str = "Q",
    dob: date = date(1984, 7, 9),
    issued: date = date(2024, 5, 1),
    expires: date = date(2027, 5, 1),
    edipi: int = 1234567890,
) -> str:
    """A military ID card's front barcode text, as the DoD ID Bar Code SDK Formats (v7.5) lay it out."""
    body = "1" if version == "1" else "N"
    body += _b32(987654321, 6) + "S" + _b32(edipi, 7) + first.ljust(20) + last.ljust(26) + _day(dob)
    body += "A" + "N" + "01" + "LTJG".ljust(6) + "ME" + "03" + _day(issued) + _day(expires) + "A"
    return body + (middle if version == "N" else "")


def test_the_card_format_lays_out_88_or_89_characters():
    assert len(cac(version="1")) == 88 and len(cac()) == 89


def test_a_version_n_card_reads_its_name_middle_initial_and_dates():
    record = parse_id(cac().encode(), today=TODAY)
    assert (record.last_name, record.first_name, record.middle_name) == ("TESTWOOD", "AVERY", "Q")
    assert (record.dob, record.issued, record.expires) == (date(1984, 7, 9), date(2024, 5, 1), date(2027, 5, 1))
    assert (record.document, record.country, record.jurisdiction) == ("ID", "USA", None)
    assert record.id_number == "1234567890" and record.id_last4 == "7890" and record.source == "cac"
    assert list(record.to_json()) == list(JSON_KEYS)
    visitor = record.to_visitor()
    assert (visitor.first_name, visitor.last_name, visitor.id_type) == ("Avery", "Testwood", "ID")


def test_a_version_1_card_has_no_middle_initial_and_a_scanners_line_ending_is_dropped():
    payload = cac(version="1", first="Morgan Lee", last="O'Neil-Fakerson") + "\r\n"
    record = parse_id(payload.encode(), today=TODAY)
    assert (record.last_name, record.first_name, record.middle_name) == ("O'NEIL-FAKERSON", "MORGAN LEE", None)


@pytest.mark.parametrize(
    "payload",
    [
        cac()[:-2],  # a character short
        cac(version="1") + "XY",  # version 1 is 88 characters
        "Q" + cac()[1:],  # no such barcode version
        cac()[:61] + "WXYZ" + cac()[65:],  # the date of birth is no base-32 number
        cac(dob=date(2031, 1, 1)),  # born after today
        cac(first="   "),  # no first name
        "N0000000000DOEJOHN  19800101 not an AAMVA payload",
    ],
)
def test_a_text_that_does_not_decode_exactly_says_to_type_the_visitor_in(payload):
    with pytest.raises(UnreadableIdError, match="type the visitor in"):
        parse_id(payload.encode(), today=TODAY)


def test_cli_parse_prints_the_same_keys_for_a_military_card(tmp_path):
    path = tmp_path / "cac.txt"
    path.write_text(cac())
    out = frontdesk("id", "parse", str(path), data_dir=tmp_path / "data")
    assert out.returncode == 0, text(out)[1]
    record = json.loads(out.stdout)
    assert list(record) == list(JSON_KEYS)
    assert (record["last_name"], record["dob"], record["document"], record["country"]) == (
        "TESTWOOD",
        "1984-07-09",
        "ID",
        "USA",
    )


def test_a_military_card_round_trips_through_a_pdf417_image():
    from PIL import Image

    from scanners.image import barcode_image, find_barcode

    data = cac().encode()
    code = barcode_image(data, scale=3)
    canvas = Image.new("L", (1600, 1200), 255)
    canvas.paste(code, (200, 300))
    found = find_barcode(canvas)
    assert found.data == data
    assert parse_id(found.data, today=TODAY).last_name == "TESTWOOD"


def test_a_military_card_scanned_in_keyboard_mode_is_caught_as_a_scan_with_or_without_enter():
    from scanners.wedge import keys_for, replay, scans, typed

    for suffix in ("", "\r"):
        actions = replay(keys_for(cac() + suffix, per_key=0.004))
        assert typed(actions) == "" and len(scans(actions)) == 1
        assert parse_id(scans(actions)[0], today=TODAY).last_name == "TESTWOOD"
