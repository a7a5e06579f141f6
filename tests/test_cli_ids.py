"""The `frontdesk id parse` / `frontdesk id decode` contract, run as a real subprocess."""

from __future__ import annotations

import json

import pytest

from scanners.idcard import JSON_KEYS
from scanners.image import barcode_image
from tests.cli_helpers import frontdesk, text
from tests.id_corpus import CANADA, US, V1, card_payload, damaged, expected


def _json(proc) -> dict:
    out, err = text(proc)
    assert proc.returncode == 0, err
    assert out.count("\n") == 1, "exactly one JSON object on one line"
    return json.loads(out)


def test_parse_from_stdin_prints_exactly_the_contract_keys():
    got = _json(frontdesk("id", "parse", "-", stdin=card_payload(US)))
    assert list(got) == list(JSON_KEYS)
    want = expected(US)
    assert {k: got[k] for k in want} == want
    assert got["repairs"] == ["postal code '232690000' trimmed to 23269"]


def test_parse_reads_stdin_when_no_file_is_given():
    got = _json(frontdesk("id", "parse", stdin=card_payload(CANADA)))
    assert got["country"] == "CAN" and got["dob"] == "1984-07-09" and got["postal_code"] == "K1A 0B1"


def test_parse_a_file_with_damage_reports_the_repairs(tmp_path):
    data, want = damaged(V1, "ctrl_less_keys")
    path = tmp_path / "scan.bin"
    path.write_bytes(data)
    got = _json(frontdesk("id", "parse", str(path)))
    assert {k: got[k] for k in want} == want
    assert got["aamva_version"] == 1 and got["real_id"] is None and got["issued"] == "2021-06-01"
    assert any("without Ctrl" in r for r in got["repairs"])


def test_nulls_for_absent_fields():
    got = _json(frontdesk("id", "parse", "-", stdin=b"@\n\x1e\rANSI 636000090001DL00310030DLDCSTESTWOOD\r"))
    assert got["last_name"] == "TESTWOOD"
    assert all(
        got[k] is None
        for k in JSON_KEYS
        if k not in ("last_name", "document", "jurisdiction", "country", "aamva_version", "repairs")
    )


@pytest.mark.parametrize("data", [b"", b"hello", b"\x00\x01\x02" * 20])
def test_unreadable_input_exits_2_with_one_line(data):
    proc = frontdesk("id", "parse", "-", stdin=data)
    out, err = text(proc)
    assert proc.returncode == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("frontdesk: ") and "Traceback" not in err


def test_missing_file_exits_2(tmp_path):
    proc = frontdesk("id", "parse", str(tmp_path / "nope.bin"))
    assert proc.returncode == 2 and text(proc)[1].count("\n") == 1


def test_decode_a_tilted_photo_of_a_licence(tmp_path):
    path = tmp_path / "card.png"
    barcode_image(card_payload(US)).rotate(11, expand=True, fillcolor=255).save(path)
    got = _json(frontdesk("id", "decode", str(path)))
    assert list(got) == list(JSON_KEYS) and got["last_name"] == "TESTWOOD" and got["dob"] == "1984-07-09"


def test_decode_a_badge_qr_prints_the_badge_code(tmp_path):
    path = tmp_path / "badge.png"
    barcode_image(b"K7QX-M2PD", kind="qr", scale=6).save(path)
    assert _json(frontdesk("id", "decode", str(path))) == {"badge_code": "K7QXM2PD"}


def test_decode_an_image_without_a_barcode_exits_2(tmp_path):
    from PIL import Image

    path = tmp_path / "blank.png"
    Image.new("L", (400, 300), 255).save(path)
    proc = frontdesk("id", "decode", str(path))
    assert proc.returncode == 2 and "No licence barcode" in text(proc)[1]
    path.write_text("not an image")
    assert frontdesk("id", "decode", str(path)).returncode == 2


def test_decode_an_image_bomb_exits_2_with_one_line_not_a_traceback(tmp_path):
    """A 30,000 x 30,000 PNG of one colour is 110 kB on disk and 900 million pixels once opened: Pillow
    refuses it with its own error, which went past the desk's handler as a traceback (exit 1)."""
    from PIL import Image

    path = tmp_path / "bomb.png"
    Image.new("1", (30_000, 30_000), 0).save(path, optimize=True)
    proc = frontdesk("id", "decode", str(path))
    out, err = text(proc)
    assert proc.returncode == 2 and "Traceback" not in err
    assert err.count("\n") == 1 and "far more pixels than any photo" in err and "photograph the card again" in err


def test_python_dash_m_frontdesk_id_parse_reads_stdin():
    import os
    import subprocess
    import sys

    from tests.cli_helpers import ROOT

    proc = subprocess.run(
        [sys.executable, "-m", "frontdesk", "id", "parse", "-"],
        input=card_payload(US),
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 0 and json.loads(proc.stdout)["last_name"] == "TESTWOOD"
    bad = subprocess.run(
        [sys.executable, "-m", "frontdesk", "id", "parse", "-"],
        input=b"not an id",
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stdout == b"" and bad.stderr.decode().count("\n") == 1


def test_names_read_from_an_id_come_in_the_case_people_write_them():
    from frontdesk.text import name_case

    cases = {
        "MCDONALD": "McDonald",
        "O'NEIL": "O'Neil",
        "VAN DER BERG": "van der Berg",
        "SMITH-JONES": "Smith-Jones",
        "D'ANGELO": "D'Angelo",
        "ANN MARIE": "Ann Marie",
        "III": "III",
        "JR": "Jr",
        "DE LA CRUZ": "de la Cruz",
        "Van der Berg": "Van der Berg",  # written by a person: left alone
        "": "",
    }
    for read, written in cases.items():
        assert name_case(read) == written, read
    assert name_case(None) is None
