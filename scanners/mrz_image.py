"""Read a machine-readable zone from a photo of a passport page or ID card: Tesseract OCR, then :mod:`mrz`.

Tesseract (Debian's ``tesseract-ocr`` with its English data) runs through ``pytesseract``, limited to the
zone's alphabet (``A-Z``, ``0-9``, ``<``) and to one block of text. The bottom of the picture is read
first (where the zone sits on every document), then the whole picture; a picture in which no zone with
the right line lengths is found raises :class:`UnreadableIdError`. Check digits are verified by the
parser, so an OCR misread is caught and named, never stored.

:func:`render_page` draws a synthetic passport data page (an invented person, for tests and demo mode).
"""

from __future__ import annotations

import os
import re
import sys
from datetime import date
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from scanners.idcard import UnreadableIdError
from scanners.mrz import LAYOUTS, LINES, TWO_ZONES, find_lines, zones_in

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
_CONFIG = f"--psm 6 -c tessedit_char_whitelist={ALPHABET} -c load_system_dawg=0 -c load_freq_dawg=0"
MONO_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"  # Debian's fonts-dejavu-core
SANS_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def bundled_tesseract() -> Path | None:
    """The Tesseract program that travels inside a frozen bundle (``tesseract/`` beside the libraries), if any.

    The PyInstaller spec (``installer/frontdesk.spec``) copies Debian's ``tesseract`` (its libraries beside
    the bundle's own) or, on Windows, the UB-Mannheim build's folder, with ``tessdata/eng.traineddata``.
    """
    base = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or not base:
        return None
    program = Path(base) / "tesseract" / ("tesseract.exe" if os.name == "nt" else "tesseract")
    return program if program.is_file() else None


def _use_bundled() -> None:
    program = bundled_tesseract()
    if program is None:
        return
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = str(program)
    os.environ["TESSDATA_PREFIX"] = str(program.parent / "tessdata")
    if os.name != "nt":
        # The program's libraries are the bundle's (PyInstaller put them beside its own): say where, whatever
        # the bootloader left in the environment.
        libs = str(program.parent.parent)
        paths = [p for p in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p]
        if libs not in paths:
            os.environ["LD_LIBRARY_PATH"] = os.pathsep.join([libs, *paths])


@cache
def tesseract_ready() -> bool:
    """True when the Tesseract program can be run (a Debian package, or the copy inside a frozen bundle)."""
    try:
        import pytesseract

        _use_bundled()
        pytesseract.get_tesseract_version()
    except Exception:  # noqa: BLE001 - any failure means the same: no OCR on this machine
        return False
    return True


def _ocr(image: Image.Image) -> str:
    import pytesseract

    # Tesseract's OpenMP threads fight for a busy CPU and make one small page 2-3 times slower; one thread
    # reads a zone in about half a second (measured on a shared 2-core machine). Set only when unset.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    return pytesseract.image_to_string(image, lang="eng", config=_CONFIG)


def _prepared(grey: Image.Image, width: int = 1200) -> Image.Image:
    # Tesseract reads best with capital letters 25-40 px high: a zone spans about 90% of the page's width.
    if grey.width > width:
        grey = grey.resize((width, round(grey.height * width / grey.width)), Image.Resampling.LANCZOS)
    return ImageOps.autocontrast(grey)


def find_mrz_text(image: Image.Image) -> str:
    """The zone's lines as read from ``image`` (joined by newlines), or :class:`UnreadableIdError`."""
    if not tesseract_ready():
        raise UnreadableIdError(
            "Reading a passport from a picture needs the Tesseract program (Debian package tesseract-ocr): "
            "type the visitor in, or scan the zone with an MRZ reader"
        )
    grey = _prepared(image if image.mode == "L" else image.convert("L"))
    bottom = grey.crop((0, grey.height * 3 // 5, grey.width, grey.height))
    for part in (bottom, grey):
        text = _ocr(part)
        if zones_in(text) > 1 or _name_lines(text) > 1:
            # Two documents in one picture: the zone read last was taken, or one's data line with the other's
            # (a visitor named SG7BSUSA7SO4OZ4M3IOIOIZ), and the other person dropped unseen.
            raise UnreadableIdError(TWO_ZONES)
        lines = find_lines(text) or find_lines("\n".join(fit_lengths(text)))
        if lines is not None:
            return "\n".join(lines)
    raise UnreadableIdError(
        "No passport or ID card zone (the lines of letters and '<' at the bottom) was found in the picture: "
        "hold the page flat, fill the frame with it and try again"
    )


def _name_lines(text: str) -> int:
    """How many OCR'd rows are a zone's names line (a TD3's or TD2's first, a TD1's third): letters and ``<``
    only, with the ``<<`` between surname and given names, 25 characters or more. One zone has one; OCR may
    miscount its fillers, so the rows' lengths do not tell two zones apart, but this does."""
    rows = (line.replace(" ", "") for line in text.upper().splitlines())
    return sum(1 for r in rows if len(r) >= 25 and "<<" in r and r.strip("<").replace("<", "").isalpha())


def fit_lengths(text: str) -> list[str]:
    """OCR'd zone lines brought to their layout's length by growing or shrinking their longest run of ``<``.

    Tesseract miscounts long runs of ``<`` (the filler) by a character or two; the filler carries nothing,
    and ``<`` counts as 0 in a check digit, so a run set to the right length lets the check digits decide.
    """
    rows = [line.replace(" ", "") for line in text.upper().splitlines()]
    rows = [r for r in rows if len(r) >= 25 and set(r) <= set(ALPHABET)]
    for size, layout in LAYOUTS.items():
        near = [r for r in rows if abs(len(r) - size) <= 3]
        if len(near) < LINES[layout]:
            continue
        fitted = []
        for row in near[-LINES[layout] :]:
            gap = size - len(row)
            runs = [(m.start(), m.end()) for m in _RUNS.finditer(row)]
            if gap and runs:
                start, end = max(runs, key=lambda r: r[1] - r[0])
                row = row[:start] + "<" * max(end - start + gap, 0) + row[end:]
            fitted.append(row)
        if all(len(r) == size for r in fitted):
            return fitted
    return rows


_RUNS = re.compile(r"<{2,}")


def _font(path: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        return ImageFont.load_default(size)


PAGE_SIZE = (1732, 1155)  # about 2 megapixels, a phone photo of a page


def render_page(
    lines: list[str], *, size: tuple[int, int] = PAGE_SIZE, details: dict | None = None
) -> Image.Image:
    """A synthetic passport data page (about 2 megapixels by default) with ``lines`` as its zone.

    The printed fields above the zone (``details``: label -> value) are decoration; only the zone is read.
    """
    width, height = size
    page = Image.new("L", size, 236)
    draw = ImageDraw.Draw(page)
    label, value = _font(SANS_FONT, height // 40), _font(SANS_FONT, height // 28)
    draw.rectangle((width // 20, height // 8, width // 4, height * 3 // 5), fill=190)  # the photo's place
    draw.text((width // 20, height // 30), "PASSPORT  PASSEPORT  PASAPORTE", fill=40, font=value)
    y = height // 8
    for key, text in (details or {"Surname": "SPECIMEN", "Given names": "SAMPLE"}).items():
        draw.text((width * 3 // 10, y), key, fill=90, font=label)
        draw.text((width * 3 // 10, y + height // 32), str(text), fill=20, font=value)
        y += height // 10
    chars = max(len(line) for line in lines)
    zone = _font(MONO_FONT, 10)
    # The largest monospace size at which the zone spans 90% of the page width.
    size_px = 10
    while zone.getlength("M" * chars) < width * 0.9:
        size_px += 2
        zone = _font(MONO_FONT, size_px)
    step = round(size_px * 1.5)
    top = height - step * len(lines) - height // 25
    draw.rectangle((0, top - step // 2, width, height), fill=248)
    for i, line in enumerate(lines):
        draw.text((width // 20, top + i * step), line, fill=0, font=zone)
    return page


def specimen_page(dob: date = date(1984, 7, 9), **overrides: str) -> tuple[list[str], Image.Image]:
    """An invented person's TD3 zone and a page showing it (for demo mode and tests)."""
    from scanners.mrz import mrz_lines

    fields = {"last": "TESTWOOD", "given": "AVERY QUINN", "number": "X12345678", "issuer": "USA"}
    fields.update(overrides)
    lines = mrz_lines(
        layout="TD3",
        code="P",
        issuer=fields["issuer"],
        last=fields["last"],
        given=fields["given"],
        number=fields["number"],
        nationality=fields["issuer"],
        dob=dob,
        sex="F",
        expires=date(2031, 5, 1),
    )
    details = {"Surname": fields["last"], "Given names": fields["given"], "Date of birth": dob.isoformat()}
    return lines, render_page(lines, details=details)
