"""Badges printed through the real drivers to printers on 127.0.0.1, decoded back and read.

ESC/POS goes through python-escpos's real ``Network`` class; the captured ``GS v 0`` raster is turned back
into an image, its QR code read with zxing-cpp, and the name found where the renderer put it. Brother QL
raster is decoded the same way.
"""

from __future__ import annotations

import threading

import pytest
import zxingcpp

from frontdesk.badges.service import Outcome
from frontdesk.models import Category, Visitor
from frontdesk.settings import SCHOOL_NAME
from printers.decode import brother_raster, escpos_raster
from printers.media import PRESETS
from printers.samples import sample_photo
from printers.uri import printer_for
from tests.printer_listeners import Listener, wait_for
from tests.volunteer_helpers import approved_volunteer

BROTHER_READY = bytes(
    [0x80, 0x20, 0x42, 0x34, 0x41, 0x30, 0, 0, 0, 0, 62, 0x0B, 0, 0, 0, 0, 0, 100, 0, 0] + [0] * 12
)


@pytest.fixture
def visit(services):
    services.settings.set(SCHOOL_NAME, "Maple Grove Elementary")
    approved_volunteer(services, "Quinn", "Fakerson")  # checking in as a volunteer needs a record
    return services.checkin.admit(
        Visitor(first_name="Quinn", last_name="Fakerson", photo=sample_photo()),
        category=Category.VOLUNTEER,
        destination="Library",
    )


@pytest.fixture
def listener(request):
    made: list[Listener] = []

    def make(mode: str = "capture", **kw) -> Listener:
        made.append(Listener(mode, **kw))
        return made[-1]

    yield make
    for each in made:
        each.close()


def read_qr(image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)]


def dark_share(image, box) -> float:
    region = image.convert("L").crop(box)
    return sum(1 for v in region.get_flattened_data() if v < 128) / (region.width * region.height)


@pytest.mark.parametrize("media_key", ["80mm", "58mm"])
def test_escpos_badge_round_trip_through_python_escpos_network(services, visit, listener, media_key):
    printer_at = listener()
    printer = printer_for(f"escpos+tcp://127.0.0.1:{printer_at.port}?profile=TM-T20II&timeout=1")
    result = services.badges.print_badge(visit.badge_code, printer, media_key=media_key)

    assert result.outcome is Outcome.PRINTED, result.message
    assert wait_for(lambda: len(printer_at.data) >= len(result.job))
    received = printer_at.data
    assert received.startswith(result.job)  # then the two status requests
    printed = escpos_raster(received)
    assert printed.size == (PRESETS[media_key].width, PRESETS[media_key].length)
    assert read_qr(printed) == [visit.badge_code]
    # The name is where the renderer put it, and the band above it is inverse.
    assert dark_share(printed, result.badge.boxes["name"]) > 0.1
    assert dark_share(printed, result.badge.boxes["band"]) > 0.5
    name_top = result.badge.boxes["name"][1]
    assert dark_share(printed, (0, name_top - 4, printed.width, name_top)) < 0.05  # white gap above the name
    assert services.badges.printed(visit.id)
    assert [a.outcome for a in services.badges.attempts(visit.id)] == ["printed"]


def test_escpos_landscape_badge_reads_after_a_quarter_turn(services, visit, listener):
    printer_at = listener()
    printer = printer_for(f"escpos+tcp://127.0.0.1:{printer_at.port}?profile=TM-T20II&timeout=1")
    result = services.badges.print_badge(visit.id, printer, media_key="80mm", orientation="landscape")
    assert result.ok
    assert wait_for(lambda: len(printer_at.data) >= len(result.job))
    printed = escpos_raster(printer_at.data)
    assert read_qr(printed) == [visit.badge_code]
    assert dark_share(printed, result.badge.boxes["name"]) > 0.1


def test_a_wider_badge_than_the_profile_is_refused_before_anything_is_sent(services, visit, listener):
    printer_at = listener()
    printer = printer_for(f"escpos+tcp://127.0.0.1:{printer_at.port}?profile=TM-T88V&timeout=1")
    result = services.badges.print_badge(visit.id, printer, media_key="80mm")
    assert result.outcome is Outcome.FAILED
    assert "576 dots wide" in result.message and "TM-T88V" in result.message
    assert printer_at.connections == []
    assert services.badges.print_badge(visit.id, printer, media_key="80mm-180dpi").ok


@pytest.mark.parametrize("media_key", ["brother-62x100", "brother-62", "brother-62-red"])
def test_brother_ql_badge_round_trip(services, visit, listener, media_key):
    printer_at = listener("brother", brother_reply=BROTHER_READY)
    printer = printer_for(f"brother+tcp://127.0.0.1:{printer_at.port}?model=QL-820NWB&timeout=1")
    result = services.badges.print_badge(visit.id, printer, media_key=media_key)

    assert result.outcome is Outcome.PRINTED, result.message
    assert wait_for(lambda: printer_at.done.is_set())
    job_received = printer_at.data[: len(result.job)]
    assert job_received == result.job
    black, red = brother_raster(job_received)
    media = PRESETS[media_key]
    # The QL head is 720 dots; the 62 mm label's 696 printable dots sit 12 dots in from the right.
    offset = 720 - media.width - 12
    printed = black.crop((offset, 0, offset + media.width, media.length))
    assert read_qr(printed) == [visit.badge_code]
    assert dark_share(printed, result.badge.boxes["name"]) > 0.1
    if media.red:
        band = red.crop((offset, 0, offset + media.width, media.length))
        assert dark_share(band, result.badge.boxes["band"]) > 0.5  # the band is printed in red
        assert dark_share(printed, result.badge.boxes["band"]) < 0.05
    else:
        assert red is None


def test_escpos_over_a_serial_port_sends_the_exact_job(services, visit):
    printer = printer_for("escpos+serial://loop://?baudrate=115200&timeout=1")
    badge = services.badges.render(visit.id, "58mm")
    job = printer.build_job(badge)
    printer.open()
    port = printer._device.device  # pyserial's loop:// echoes what is written; read it like a printer would
    echoed = bytearray()

    def drain() -> None:
        while len(echoed) < len(job):
            chunk = port.read(4096)
            if not chunk:
                return
            echoed.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        printer.send(job)
        reader.join(5)
    finally:
        printer.close()
    assert bytes(echoed) == job
    assert read_qr(escpos_raster(echoed)) == [visit.badge_code]


@pytest.mark.parametrize(
    "media_key,uri",
    [
        ("80mm", "escpos+tcp://127.0.0.1:9?profile=TM-T20II"),
        ("80mm-180dpi", "escpos+tcp://127.0.0.1:9?profile=TM-T88V"),
        ("58mm", "escpos+tcp://127.0.0.1:9?profile=NT-5890K"),
        ("brother-62x100", "brother+tcp://127.0.0.1?model=QL-820NWB"),
        ("brother-62", "brother+tcp://127.0.0.1?model=QL-800"),
        ("brother-62-red", "brother+tcp://127.0.0.1?model=QL-820NWB"),
    ],
)
def test_fast_job_builders_make_the_same_bytes_as_the_libraries(services, visit, media_key, uri):
    printer = printer_for(uri)
    badge = services.badges.render(visit.id, media_key)
    reference = (
        printer.build_job_with_escpos_image(badge)
        if uri.startswith("escpos")
        else printer.build_job_with_convert(badge)
    )
    assert printer.build_job(badge) == reference
