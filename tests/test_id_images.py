"""Licence payloads round-tripped through real PDF417 images (zxing-cpp writes, then reads them)."""

from __future__ import annotations

from datetime import date

import pytest
from PIL import Image

from scanners.aamva import parse_id
from scanners.idcard import UnreadableIdError
from scanners.image import barcode_image, find_barcode
from tests.id_corpus import CORPUS, card_payload, damaged, expected

SAMPLE = ["us_v10", "us_v03", "ca_v08", "v1_aamva_md", "us_id_card"]


def photo(data: bytes, angle: float = 0, size=(1600, 1200)) -> Image.Image:
    """The barcode pasted on a larger white 'photo', optionally tilted."""
    code = barcode_image(data, scale=3)
    if angle:
        code = code.rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BILINEAR)
    canvas = Image.new("L", size, 255)
    canvas.paste(code, ((size[0] - code.width) // 2, (size[1] - code.height) // 2))
    return canvas


@pytest.mark.parametrize("name", SAMPLE)
def test_payload_round_trips_byte_exact_through_an_image(name):
    data = card_payload(CORPUS[name])
    found = find_barcode(photo(data))
    assert found.kind == "pdf417" and found.data == data and found.angle == 0
    got = parse_id(found.data, today=date(2026, 11, 22)).to_json()
    want = expected(CORPUS[name])
    assert {k: got[k] for k in want} == want


def test_a_damaged_payload_still_parses_after_the_image_round_trip():
    data, want = damaged(CORPUS["us_v08"], "separators_spaces")
    got = parse_id(find_barcode(photo(data)).data).to_json()
    assert {k: got[k] for k in want} == want


@pytest.mark.parametrize("angle", [7, -13, 19])
def test_a_tilted_card_is_deskewed(angle):
    data = card_payload(CORPUS["us_v10"])
    found = find_barcode(photo(data, angle))
    assert found.data == data and found.angle != 0


def test_no_barcode_is_the_typed_error():
    with pytest.raises(UnreadableIdError):
        find_barcode(Image.new("L", (640, 480), 255))
