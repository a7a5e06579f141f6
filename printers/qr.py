"""The check-out QR code as a 1-bit image with a whole number of dots per module."""

from __future__ import annotations

import zxingcpp
from PIL import Image

QUIET_MODULES = 4  # the quiet zone the QR standard asks for, on every side


def qr_matrix(text: str) -> Image.Image:
    """The QR symbol for ``text`` at one pixel per module, without quiet zone (mode ``L``: 0 dark)."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return Image.fromarray(barcode.to_image(scale=1, add_quiet_zones=False))


def qr_image(text: str, module: int) -> Image.Image:
    """The QR symbol scaled by an integer ``module`` (dots per module), quiet zone included (mode ``1``)."""
    matrix = qr_matrix(text)
    side = (matrix.width + 2 * QUIET_MODULES) * module
    out = Image.new("1", (side, side), 1)
    out.paste(
        matrix.resize((matrix.width * module, matrix.height * module), Image.NEAREST).convert(
            "1", dither=Image.Dither.NONE
        ),
        (QUIET_MODULES * module, QUIET_MODULES * module),
    )
    return out


def module_size(text: str, room: int, wanted: int) -> int:
    """The largest whole module size up to ``wanted`` whose symbol (with quiet zone) fits in ``room`` dots."""
    modules = qr_matrix(text).width + 2 * QUIET_MODULES
    return max(1, min(wanted, room // modules))
