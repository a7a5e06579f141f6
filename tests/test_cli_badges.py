"""The badge and printer commands' contract: names, options, exit codes, one-line errors."""

from __future__ import annotations

import json

import zxingcpp
from PIL import Image

from printers.decode import escpos_raster
from tests.cli_helpers import frontdesk, text
from tests.printer_listeners import Listener, closed_port, wait_for


def checkin(data_dir) -> dict:
    proc = frontdesk("checkin", "--first-name", "Ann", "--last-name", "Testwood", "--json", data_dir=data_dir)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_badge_render_writes_a_png_with_the_code_in_its_qr(data_dir, tmp_path):
    visit = checkin(data_dir)
    out = tmp_path / "badge.png"
    proc = frontdesk(
        "badge", "render", visit["badge_code"], "--out", str(out), "--media", "58mm", data_dir=data_dir
    )
    assert proc.returncode == 0, proc.stderr
    image = Image.open(out)
    assert image.size == (384, 640)
    assert [r.text for r in zxingcpp.read_barcodes(image.convert("L"))] == [visit["badge_code"]]


def test_badge_print_to_a_listener_then_to_a_printer_that_is_off(data_dir):
    visit = checkin(data_dir)
    printer_at = Listener()
    try:
        uri = f"escpos+tcp://127.0.0.1:{printer_at.port}?profile=TM-T20II&timeout=1"
        proc = frontdesk(
            "badge", "print", str(visit["id"]), "--printer", uri, "--media", "80mm", data_dir=data_dir
        )
        out, err = text(proc)
        assert proc.returncode == 0, err
        assert out.strip() == "Badge printed for Ann Testwood."
        assert wait_for(lambda: b"\x1dv0" in printer_at.data)
        codes = [r.text for r in zxingcpp.read_barcodes(escpos_raster(printer_at.data).convert("L"))]
        assert codes == [visit["badge_code"]]
    finally:
        printer_at.close()

    port = closed_port()
    uri = f"escpos+tcp://127.0.0.1:{port}?timeout=1"
    proc = frontdesk("badge", "print", visit["badge_code"], "--printer", uri, data_dir=data_dir)
    out, err = text(proc)
    assert proc.returncode == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"Badge printer not reachable — is it on? (IP 127.0.0.1:{port})" in err
    # The visit is still there, on site.
    onsite = json.loads(frontdesk("onsite", "--json", data_dir=data_dir).stdout)
    assert [v["id"] for v in onsite] == [visit["id"]]


def test_printer_status_and_test(data_dir):
    port = closed_port()
    proc = frontdesk("printer", "status", f"escpos+tcp://127.0.0.1:{port}?timeout=1", data_dir=data_dir)
    assert proc.returncode == 2
    assert text(proc)[1] == f"frontdesk: Badge printer not reachable — is it on? (IP 127.0.0.1:{port})\n"
    proc = frontdesk("printer", "test", f"escpos+tcp://127.0.0.1:{port}?timeout=1", data_dir=data_dir)
    assert proc.returncode == 2 and "not reachable" in text(proc)[1]

    printer_at = Listener()
    try:
        uri = f"escpos+tcp://127.0.0.1:{printer_at.port}?profile=TM-T20II&timeout=1"
        proc = frontdesk("printer", "status", uri, "--json", data_dir=data_dir)
        assert proc.returncode == 0
        assert json.loads(proc.stdout) | {"message": ""} == {
            "uri": uri,
            "state": "ready",
            "ok": True,
            "message": "",
        }
        proc = frontdesk("printer", "test", uri, "--media", "80mm", data_dir=data_dir)
        assert proc.returncode == 0, proc.stderr
        assert wait_for(lambda: b"\x1dv0" in printer_at.data)
    finally:
        printer_at.close()

    proc = frontdesk("printer", "status", "lpt://nowhere", data_dir=data_dir)
    assert proc.returncode == 2 and "Unknown printer type 'lpt'" in text(proc)[1]


def test_badge_print_without_a_printer_set_up_says_how(data_dir):
    visit = checkin(data_dir)
    proc = frontdesk("badge", "print", visit["badge_code"], data_dir=data_dir)
    assert proc.returncode == 2
    assert "No badge printer is set up" in text(proc)[1]
    proc = frontdesk("badge", "render", "999", "--out", "x.png", data_dir=data_dir)
    assert proc.returncode == 2 and "No visit found" in text(proc)[1]


def test_badge_render_landscape_writes_the_badge_the_right_way_round(data_dir, tmp_path):
    visit = checkin(data_dir)
    out = tmp_path / "landscape.png"
    proc = frontdesk(
        "badge", "render", visit["badge_code"], "--out", str(out), "--orientation", "landscape", data_dir=data_dir
    )
    assert proc.returncode == 0, proc.stderr
    image = Image.open(out)
    assert image.width > image.height  # as worn, not as fed through the printer
    (qr,) = zxingcpp.read_barcodes(image.convert("L"))
    assert qr.text == visit["badge_code"]
    corners = [qr.position.top_left, qr.position.top_right, qr.position.bottom_left, qr.position.bottom_right]
    assert min(p.x for p in corners) > image.width / 2  # the QR sits on the right, beside the name
    # Upright: the QR's own top-left corner is up and to the left (a turned badge has it elsewhere).
    assert (
        qr.position.top_left.x < qr.position.bottom_right.x and qr.position.top_left.y < qr.position.bottom_right.y
    )
