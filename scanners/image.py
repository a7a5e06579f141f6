"""Find a licence's PDF417 (or a FrontDesk badge QR) in a photo or camera frame, with zxing-cpp.

zxing-cpp reads a PDF417 only within about 2 degrees of level (90 and 180 degrees also work), so a tilted
card is de-skewed: the angle that makes the bars vertical is estimated on a small copy and tried first,
then the image is rotated in 4-degree steps up to 20 degrees each way. The raw
``.bytes`` are returned, never ``.text`` (which turns control bytes into ``<LF>`` placeholders).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from frontdesk.errors import InputError
from frontdesk.text import normalize_badge_code
from scanners.idcard import UnreadableIdError

# Angles tried after the level read fails: each covers +-2 degrees, so 4-degree steps leave no gap.
DESKEW_ANGLES = (4, -4, 8, -8, 12, -12, 16, -16, 20, -20)
_FORMATS = (zxingcpp.BarcodeFormat.PDF417, zxingcpp.BarcodeFormat.QRCode)


@dataclass(frozen=True)
class Found:
    """What an image holds: its kind ("pdf417", "qr", or "mrz" for a passport's / ID card's zone read by
    OCR, whose ``data`` is the zone's lines as ASCII text), its raw bytes, the rotation that read it."""

    kind: str
    data: bytes
    angle: float = 0

    @property
    def badge_code(self) -> str | None:
        """For a QR, the FrontDesk badge code it carries (8 Crockford letters), else None."""
        if self.kind != "qr":
            return None
        text = self.data.decode("utf-8", "replace").strip()
        tail = text.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        code = normalize_badge_code(tail)
        return code if len(code) == 8 else None


def load_image(path: str | Path) -> Image.Image:
    """Open an image file as 8-bit grey, or an InputError in plain words."""
    try:
        with Image.open(path) as img:
            return ImageOps.exif_transpose(img).convert("L")  # phone photos carry their rotation in EXIF
    except FileNotFoundError:
        raise InputError(f"No image at {path}") from None
    except Image.DecompressionBombError:  # Pillow's refusal of a huge image (not an OSError), before decoding
        raise InputError(
            f"{path} is an image of far more pixels than any photo of an ID: photograph the card again"
        ) from None
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(f"{path} is not an image this program can open ({exc})") from None


def find_barcode(image: Image.Image, *, deskew: bool = True) -> Found:
    """The first PDF417 (preferred) or QR code in ``image``; de-skews when the level read finds nothing.

    Raises :class:`UnreadableIdError` when no barcode is found at any tried angle.
    """
    grey = image if image.mode == "L" else image.convert("L")
    found = _read(grey, 0)
    if found is None and deskew:
        # First the angle that makes the bars most vertical (one rotation), then the blind 4-degree steps.
        estimate = estimate_skew(grey)
        angles = ([estimate] if abs(estimate) >= 1.5 else []) + [a for a in DESKEW_ANGLES if abs(a - estimate) > 2]
        for angle in angles:
            rotated = grey.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
            found = _read(rotated, angle)
            if found is not None:
                break
    if found is None:
        raise UnreadableIdError(
            "No licence barcode or badge code was found in the picture: hold the card flat and try again"
        )
    return found


def find_id(image: Image.Image) -> Found:
    """A licence barcode or badge QR (:func:`find_barcode`), else a machine-readable zone (Tesseract).

    The one reader of an ID's picture: ``frontdesk id decode`` and the desk's camera panel both use it.
    A zone comes back as ``Found("mrz", lines)``: its text goes to the same parser an MRZ reader's text
    does, which verifies every check digit. Raises :class:`UnreadableIdError` when neither is found.
    """
    try:
        return find_barcode(image)
    except UnreadableIdError as no_barcode:
        from scanners.mrz import TWO_ZONES
        from scanners.mrz_image import find_mrz_text

        try:
            text = find_mrz_text(image)
        except UnreadableIdError as no_zone:
            if "Tesseract" in no_zone.message:  # say that OCR is missing rather than that nothing was there
                raise
            if no_zone.message == TWO_ZONES:  # say that two documents were there, not that none was
                raise
            raise UnreadableIdError(
                "No licence barcode, badge code or passport zone was found in the picture: hold the card or "
                "page flat and try again"
            ) from no_barcode
        return Found("mrz", text.encode("ascii"))


def estimate_skew(grey: Image.Image, limit: int = 20) -> float:
    """The rotation (degrees) that makes a PDF417's bars vertical, to the nearest half degree.

    On a small copy, tries angles in 2-degree steps then half-degree steps around the best, scoring each by
    how sharply the column averages change: aligned bars give the most contrast from column to column.
    """
    small = grey.copy()
    small.thumbnail((320, 320))

    def contrast(angle: float) -> int:
        cols = small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255).resize(
            (small.width, 1), Image.Resampling.BOX
        )
        values = cols.tobytes()
        return sum(abs(a - b) for a, b in zip(values, values[1:], strict=False))

    coarse = max(range(-limit, limit + 1, 2), key=contrast)
    return max((coarse + step / 2 for step in range(-3, 4)), key=contrast)


def _read(image: Image.Image, angle: int) -> Found | None:
    results = zxingcpp.read_barcodes(image, formats=_FORMATS)
    pdf = [r for r in results if r.format == zxingcpp.BarcodeFormat.PDF417 and r.bytes]
    if pdf:
        return Found("pdf417", bytes(pdf[0].bytes), angle)
    qr = [r for r in results if r.bytes]
    if qr:
        return Found("qr", bytes(qr[0].bytes), angle)
    return None


def barcode_image(data: bytes, *, scale: int = 3, kind: str = "pdf417") -> Image.Image:
    """A clean image of ``data`` as a PDF417 (or QR): for tests, demo cards and the fake camera."""
    fmt = zxingcpp.BarcodeFormat.PDF417 if kind == "pdf417" else zxingcpp.BarcodeFormat.QRCode
    written = zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(data, fmt), scale=scale)
    view = memoryview(written)
    return Image.frombytes("L", (view.shape[1], view.shape[0]), bytes(view))
