"""The one badge renderer: a visit's badge drawn with Pillow at a printer's native dots.

Every output path (ESC/POS, Brother QL, the OS print queue, the on-screen preview) prints the image made
here, so a badge looks the same everywhere and tests can compare what a printer received with the layout
boxes this module reports. Conventions (printing.md): school name, a full-width inverse category band in
very large type, the name as large as fits, the photo dithered, host, date, time in, *valid until*, and a
check-out QR code carrying only the opaque badge code, printed as text too.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageOps

from frontdesk.models import Visit
from printers.fonts import font
from printers.media import Media
from printers.qr import module_size, qr_image

Box = tuple[int, int, int, int]  # left, top, right, bottom (right and bottom exclusive)

RED = (255, 0, 0)


@dataclass(frozen=True)
class BadgeData:
    """Everything printed on one badge, already in words (the renderer makes no decisions about data)."""

    school: str
    category: str
    first_name: str
    last_name: str
    host: str
    time_in: datetime
    valid_until: datetime
    badge_code: str
    photo: bytes | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The name as printed on one line."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def code_text(self) -> str:
        """The badge code as printed under the QR code (``K7QX-M2PD``)."""
        code = self.badge_code
        return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code

    @classmethod
    def from_visit(cls, visit: Visit, school: str, valid_hours: int, photo: bytes | None = None) -> BadgeData:
        """The badge of a :class:`frontdesk.models.Visit`, valid ``valid_hours`` from its time in."""
        visitor = visit.visitor
        first = " ".join(p for p in (visitor.first_name, visitor.middle_name) if p)
        last = " ".join(p for p in (visitor.last_name, visitor.suffix) if p)
        return cls(
            school=school.strip() or "Visitor badge",
            category=visit.category.label.upper(),
            first_name=first,
            last_name=last,
            host=visit.destination or visit.purpose,
            time_in=visit.time_in,
            valid_until=visit.time_in + timedelta(hours=valid_hours),
            badge_code=visit.badge_code,
            photo=photo,
        )


@dataclass(frozen=True)
class Badge:
    """A rendered badge: the image to print (head width × badge length) and where each field landed.

    ``image`` is mode ``1`` (or ``RGB`` with pure black, red and white for two-colour stock), already
    turned for landscape badges. ``boxes`` are in the coordinates of ``image``. ``ink`` is every dot as
    mode ``1`` and ``red_area`` the box whose ink is red, so drivers need not separate colours again.
    """

    image: Image.Image
    boxes: dict[str, Box]
    media: Media
    orientation: str
    qr_module: int
    ink: Image.Image
    red_area: Box | None = None
    what: str = "badge"  # what it is, in the words a problem message names it by ("late pass", "release slip")

    def as_worn(self) -> Image.Image:
        """The badge the right way up, as a person wears it (a landscape badge turned back from the paper's
        quarter turn): for a file to look at and for the screen, never for the printer.
        """
        if self.orientation == "landscape":
            return self.image.transpose(Image.Transpose.ROTATE_270)
        return self.image


def render(data: BadgeData, media: Media, orientation: str | None = None) -> Badge:
    """Draw ``data`` on ``media`` at its native dots, with no scaling anywhere."""
    orientation = orientation or media.orientation
    width, height = media.canvas(orientation)
    canvas = Image.new("L", (width, height), 255)
    painter = _Painter(canvas)
    if width >= height:
        boxes, module = _landscape(painter, data, width, height, media)
    else:
        boxes, module = _portrait(painter, data, width, height, media)
    ink = canvas.convert("1", dither=Image.Dither.NONE)
    if orientation == "landscape":
        # A quarter turn counter-clockwise: the badge's top edge runs along the left of the paper.
        ink = ink.transpose(Image.Transpose.ROTATE_90)
        boxes = {k: (y0, width - x1, y1, width - x0) for k, (x0, y0, x1, y1) in boxes.items()}
    if not media.red:
        return Badge(ink, boxes, media, orientation, module, ink)
    return Badge(_band_in_red(ink, boxes["band"]), boxes, media, orientation, module, ink, boxes["band"])


def _band_in_red(mono: Image.Image, band: Box) -> Image.Image:
    """The black-and-white badge with the band's ink turned red (two-colour stock): pure colours only."""
    out = mono.convert("RGB")
    ink = ImageChops.invert(mono.crop(band))  # set where the band has ink
    out.paste(RED, band, mask=ink)
    return out


# --- layouts -------------------------------------------------------------------------------------------
def _header(
    p: _Painter, d: BadgeData, w: int, h: int, m: int, shares: tuple[int, int, int, int]
) -> tuple[dict[str, Box], int]:
    """School, band, name and host, stacked full width; ``shares`` are their heights in % of ``h``."""
    school_h, band_h, name_h, host_h = (h * s // 100 for s in shares)
    boxes: dict[str, Box] = {}
    y = m
    boxes["school"] = p.text(d.school, "bold", (m, y, w - m, y + school_h), align="center")
    y += school_h + m // 2
    boxes["band"] = p.band(d.category, (0, y, w, y + band_h))
    y += band_h + m
    boxes["name"] = p.name(d.first_name, d.last_name, (m, y, w - m, y + name_h))
    y += name_h + m // 2
    boxes["host"] = p.text(
        f"Visiting: {d.host}" if d.host else "Visiting: front office", "regular", (m, y, w - m, y + host_h)
    )
    return boxes, y + host_h + m


def _portrait(p: _Painter, d: BadgeData, w: int, h: int, media: Media) -> tuple[dict[str, Box], int]:
    m = max(8, w // 36)
    boxes, y = _header(p, d, w, h, m, (5, 14, 21, 5))
    details_h = h * 17 // 100
    x = m
    if d.photo:
        photo_w = min(w * 30 // 100, details_h * 5 // 6)
        boxes["photo"] = p.photo(d.photo, (m, y, m + photo_w, y + details_h))
        x = m + photo_w + m
    boxes["details"] = p.details(d, (x, y, w - m, y + details_h))
    y += details_h + m
    qr_room = min(h - m - y, w * 55 // 100)
    boxes["qr"], module = p.qr(d.badge_code, (m, y, m + qr_room, y + qr_room), media)
    boxes["code"] = p.code(d.code_text, (boxes["qr"][2] + m // 2, y, w - m, boxes["qr"][3]))
    return boxes, module


def _landscape(p: _Painter, d: BadgeData, w: int, h: int, media: Media) -> tuple[dict[str, Box], int]:
    m = max(8, h // 36)
    boxes, y = _header(p, d, w, h, m, (7, 17, 21, 6))
    bottom = h - m
    qr_room = min(bottom - y, w * 30 // 100)
    code_h = max(24, qr_room // 7)
    qr_room -= code_h
    qr_left = w - m - qr_room
    boxes["qr"], module = p.qr(d.badge_code, (qr_left, y, w - m, y + qr_room), media)
    boxes["code"] = p.code(d.code_text, (qr_left, boxes["qr"][3], boxes["qr"][2], bottom), under=True)
    x = m
    if d.photo:
        photo_w = min((bottom - y) * 5 // 6, w * 20 // 100)
        boxes["photo"] = p.photo(d.photo, (m, y, m + photo_w, bottom))
        x = m + photo_w + m
    boxes["details"] = p.details(d, (x, y + m // 2, boxes["qr"][0] - m // 2, bottom))
    return boxes, module


# --- drawing -------------------------------------------------------------------------------------------
class _Painter:
    """Text fitted to boxes, the inverse band, the photo and the QR, on one canvas."""

    def __init__(self, canvas: Image.Image):
        self.canvas = canvas
        self.draw = ImageDraw.Draw(canvas)
        self.ink, self.paper = 0, 255

    def fit(self, text: str, weight: str, max_w: int, max_h: int) -> tuple[object, Box]:
        """The largest font whose ink for ``text`` fits ``max_w`` × ``max_h``, and that ink's bbox."""
        best = font(weight, _fitting_size(text, weight, max_w, max_h))
        return best, best.getbbox(text)

    def text(self, text: str, weight: str, box: Box, *, align: str = "left", fill=None, valign="top") -> Box:
        """Draw ``text`` as large as fits ``box``; returns where the ink went."""
        x0, y0, x1, y1 = box
        text = _shorten(text, weight, x1 - x0, y1 - y0)
        f, (bx0, by0, bx1, by1) = self.fit(text, weight, x1 - x0, y1 - y0)
        tw, th = bx1 - bx0, by1 - by0
        x = x0 + (x1 - x0 - tw) // 2 if align == "center" else x0
        y = y0 + (y1 - y0 - th) // 2 if valign == "middle" else y0
        self.draw.text((x - bx0, y - by0), text, font=f, fill=self.ink if fill is None else fill)
        return (x, y, x + tw, y + th)

    def band(self, text: str, box: Box) -> Box:
        """The full-width inverse category band: white capitals on solid ink (red on two-colour stock)."""
        x0, y0, x1, y1 = box
        self.draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=self.ink)  # turned red later on two-colour stock
        pad_y = (y1 - y0) // 7
        pad_x = (x1 - x0) // 20
        self.text(
            text,
            "bold",
            (x0 + pad_x, y0 + pad_y, x1 - pad_x, y1 - pad_y),
            align="center",
            fill=self.paper,
            valign="middle",
        )
        return box

    def name(self, first: str, last: str, box: Box) -> Box:
        """The name on one line or on two (first above last, each as large as fits), whichever is bigger."""
        x0, y0, x1, y1 = box
        w, h = x1 - x0, y1 - y0
        one_font, _ = self.fit(f"{first} {last}", "bold", w, h * 62 // 100)
        two_first, _ = self.fit(first, "bold", w, h * 46 // 100)
        two_last, _ = self.fit(last, "bold", w, h * 46 // 100)
        if first and min(two_first.size, two_last.size) > one_font.size * 1.15:
            top = self._line(first, two_first.size, x0, y0)
            bottom = self._line(last, two_last.size, x0, y0 + h * 54 // 100)
            return (x0, top[1], max(top[2], bottom[2]), bottom[3])
        return self.text(f"{first} {last}".strip(), "bold", (x0, y0, x1, y0 + h * 62 // 100))

    def _line(self, text: str, size: int, x: int, y: int) -> Box:
        f = font("bold", size)
        bx0, by0, bx1, by1 = f.getbbox(text)
        # Lines of one name share a baseline grid: offset by the font's cap height, not each line's ink.
        cap = f.getbbox("H")
        self.draw.text((x - bx0, y - cap[1]), text, font=f, fill=self.ink)
        return (x, y + by0 - cap[1], x + bx1 - bx0, y + by1 - cap[1])

    def details(self, d: BadgeData, box: Box) -> Box:
        """Date, time in and valid until: three lines in one size, the last one bold."""
        x0, y0, x1, y1 = box
        when_in = d.time_in.astimezone()
        until = d.valid_until.astimezone()
        until_text = f"{until:%H:%M}" if until.date() == when_in.date() else f"{until:%a %d %b %H:%M}"
        lines = [
            ("regular", f"{when_in:%a %d %b %Y}"),
            ("regular", f"Time in: {when_in:%H:%M}"),
            ("bold", f"VALID UNTIL {until_text}"),
        ]
        step = (y1 - y0) // len(lines)
        size = min(self.fit(text, weight, x1 - x0, step * 72 // 100)[0].size for weight, text in lines)
        size = max(size, 10)
        bottom = y0
        for i, (weight, text) in enumerate(lines):
            # Every line fits: ``size`` is the smallest of their fitted sizes.
            f = font(weight, size)
            cap = f.getbbox("H")
            self.draw.text((x0 - f.getbbox(text)[0], y0 + i * step - cap[1]), text, font=f, fill=self.ink)
            bottom = y0 + i * step + (cap[3] - cap[1])
        return (x0, y0, x1, bottom)

    def photo(self, data: bytes, box: Box) -> Box:
        """The visitor's photo cropped to the box and dithered; a frame if the photo cannot be read."""
        x0, y0, x1, y1 = box
        try:
            picture = Image.open(io.BytesIO(data))
            picture = ImageOps.autocontrast(ImageOps.fit(picture.convert("L"), (x1 - x0, y1 - y0)), cutoff=1)
            dithered = picture.convert("1", dither=Image.Dither.FLOYDSTEINBERG)
            self.canvas.paste(dithered.convert(self.canvas.mode), (x0, y0))
        except (OSError, ValueError, Image.DecompressionBombError):
            self.draw.rectangle((x0, y0, x1 - 1, y1 - 1), outline=self.ink, width=3)
        return box

    def qr(self, code: str, box: Box, media: Media) -> tuple[Box, int]:
        """The check-out QR code, 8 dots per module at 203 dpi (scaled by dpi), never a fraction."""
        x0, y0, x1, y1 = box
        wanted = max(2, round(8 * media.dpi / 203))
        module = module_size(code, min(x1 - x0, y1 - y0), wanted)
        symbol = qr_image(code, module)
        self.canvas.paste(symbol.convert(self.canvas.mode), (x0, y0))
        return (x0, y0, x0 + symbol.width, y0 + symbol.height), module

    def code(self, text: str, box: Box, *, under: bool = False) -> Box:
        """The badge code as text (for typing at check-out when the QR will not scan)."""
        x0, y0, x1, y1 = box
        if under:
            return self.text(text, "bold", (x0, y0, x1, y1), align="center")
        unit = (y1 - y0) // 8
        self.text("Check-out code", "regular", (x0, y0 + 2 * unit, x1, y0 + 3 * unit))
        return self.text(text, "bold", (x0, y0 + 4 * unit, x1, y0 + 6 * unit))


# The students' slips (printers/slips.py) draw with the same painter, so a pass looks like a badge.
Painter = _Painter


@lru_cache(maxsize=4096)
def _fitting_size(text: str, weight: str, max_w: int, max_h: int) -> int:
    """Binary search for the largest size that fits (cached: school, band and labels repeat every badge)."""
    lo, hi, best = 6, max(7, max_h * 3 // 2), 6
    while lo <= hi:
        mid = (lo + hi) // 2
        x0, y0, x1, y1 = font(weight, mid).getbbox(text)
        if x1 - x0 <= max_w and y1 - y0 <= max_h:
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    return best


def _shorten(text: str, weight: str, max_w: int, max_h: int, size: int | None = None) -> str:
    """``text`` cut with an ellipsis if even small type would not fit the width (a very long host)."""
    f = font(weight, size or max(10, max_h * 45 // 100))
    if f.getlength(text) <= max_w:
        return text
    while len(text) > 1 and f.getlength(text + "…") > max_w:
        text = text[:-1]
    return text.rstrip() + "…"
