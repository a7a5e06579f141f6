"""The badge renderer: every media preset, both orientations, read back by a QR decoder."""

from __future__ import annotations

from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image

from frontdesk.models import Category, Visitor
from frontdesk.settings import BADGE_VALID_HOURS, SCHOOL_NAME
from printers.badge import BadgeData, render
from printers.media import PRESETS
from printers.samples import sample_data, sample_photo


def dark_share(image: Image.Image, box) -> float:
    """The share of dark dots inside ``box`` of a badge image."""
    region = image.convert("L").crop(box)
    return sum(1 for v in region.get_flattened_data() if v < 128) / (region.width * region.height)


def read_qr(image: Image.Image) -> list[str]:
    """Every QR code zxing-cpp finds in ``image``."""
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)]


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
@pytest.mark.parametrize("key", list(PRESETS))
def test_every_preset_renders_at_native_dots_with_a_readable_qr(key, orientation):
    media = PRESETS[key]
    badge = render(sample_data(), media, orientation)
    # Printed at the head's dots, no scaling: width across the head, badge length along the paper.
    assert badge.image.size == (media.width, media.length)
    assert badge.image.mode == ("RGB" if media.red else "1")
    assert read_qr(badge.image) == ["K7QXM2PD"]
    # Integer QR modules: the symbol (with its quiet zone of 4) is a whole multiple of the module.
    x0, y0, x1, y1 = badge.boxes["qr"]
    assert badge.qr_module >= 4 and (x1 - x0) % badge.qr_module == 0 and (x1 - x0) == (y1 - y0)
    for field in ("school", "band", "name", "host", "details", "code", "photo"):
        bx0, by0, bx1, by1 = badge.boxes[field]
        assert 0 <= bx0 < bx1 <= badge.image.width and 0 <= by0 < by1 <= badge.image.height, field
        assert dark_share(badge.image, badge.boxes[field]) > 0.03, field
    # The band is inverse: mostly ink (or red), with the category knocked out in white.
    assert 0.5 < dark_share(badge.image, badge.boxes["band"]) < 0.97


def test_the_qr_module_is_eight_dots_at_203_dpi():
    assert render(sample_data(), PRESETS["80mm"], "portrait").qr_module == 8


def test_a_very_long_name_still_fits_and_the_code_still_reads():
    data = sample_data(photo=False)
    data = BadgeData(
        **{
            **data.__dict__,
            "first_name": "Maximiliana-Konstantina",
            "last_name": "Wolfeschlegelsteinhausenbergerdorff-Testwood",
        }
    )
    badge = render(data, PRESETS["58mm"])
    x0, y0, x1, y1 = badge.boxes["name"]
    assert x1 <= badge.image.width and dark_share(badge.image, badge.boxes["name"]) > 0.05
    assert read_qr(badge.image) == ["K7QXM2PD"]


def test_badge_data_comes_from_a_stored_visit(services):
    services.settings.set(SCHOOL_NAME, "Maple Grove Elementary")
    services.settings.set(BADGE_VALID_HOURS, 6)
    visit = services.checkin.admit(
        Visitor(first_name="Riley", last_name="Mockridge", photo=sample_photo()),
        category=Category.CONTRACTOR,
        destination="Gym",
    )
    data = services.badges.badge_data(visit.badge_code)
    assert (data.school, data.category, data.name, data.host) == (
        "Maple Grove Elementary",
        "CONTRACTOR",
        "Riley Mockridge",
        "Gym",
    )
    assert data.valid_until - data.time_in == timedelta(hours=6)
    assert data.badge_code == visit.badge_code and data.photo == sample_photo()
    badge = services.badges.render(visit.id, "brother-62x100")
    assert read_qr(badge.image) == [visit.badge_code]
    assert "photo" in badge.boxes
