"""The students' printed things, drawn like badges at a printer's native dots: the late pass, the release slip
and the reunification request card (one renderer each, over one slip layout).

Each returns a :class:`printers.badge.Badge`, so every printer builds its job from it exactly as it does for
a badge. A slip is always drawn upright across the head (``portrait``): a receipt roll or a label read in the
hand. The QR code carries only the movement's opaque code (printed as text too), never a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PIL import Image

from printers.badge import Badge, Painter
from printers.fonts import font
from printers.media import Media


@dataclass(frozen=True)
class LatePassData:
    """A late pass: who, when, why, where to go, and how many times this term."""

    school: str
    student: str
    grade: str
    time: datetime
    reason: str
    excused: bool
    destination: str
    count_text: str  # "4th late arrival this term"
    over_threshold: bool
    code: str
    staff: str = ""


@dataclass(frozen=True)
class ReleaseSlipData:
    """A release slip: who left, with whom, when, why, on whose authority, and who released them."""

    school: str
    student: str
    grade: str
    time: datetime
    adult: str
    authorised_as: str
    reason: str
    staff: str
    code: str
    approved_by: str = ""


@dataclass(frozen=True)
class RequestCardData:
    """A reunification request card: the runner takes it to fetch the student."""

    school: str
    student: str
    homeroom: str
    adult: str
    time: datetime
    card: str
    drill: bool


def _code_text(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


def render_late_pass(data: LatePassData, media: Media) -> Badge:
    """The late pass."""
    when = data.time.astimezone()
    lines = [
        ("bold", f"Late: {when:%H:%M}  {when:%a %d %b %Y}"),
        ("regular", f"Reason: {data.reason}" + (" (excused)" if data.excused else " (unexcused)")),
        ("bold", f"Go to: {data.destination}"),
        (
            "bold" if data.over_threshold else "regular",
            data.count_text + ("  — see office" if data.over_threshold else ""),
        ),
    ]
    if data.staff:
        lines.append(("regular", f"Signed in by {data.staff}"))
    return _slip(data.school, "LATE PASS", data.student, data.grade, lines, data.code, media, "late pass")


def render_release_slip(data: ReleaseSlipData, media: Media) -> Badge:
    """The release slip."""
    when = data.time.astimezone()
    lines = [
        ("bold", f"Released {when:%H:%M}  {when:%a %d %b %Y}"),
        ("bold", f"To: {data.adult}"),
        ("regular", f"As: {data.authorised_as}"),
        ("regular", f"Reason: {data.reason}"),
        ("regular", f"Released by {data.staff}"),
    ]
    return _slip(data.school, "RELEASE SLIP", data.student, data.grade, lines, data.code, media, "release slip")


def render_request_card(data: RequestCardData, media: Media) -> Badge:
    """The reunification request card."""
    lines = [
        ("bold", f"Class: {data.homeroom or '—'}"),
        ("bold", f"Asked for by: {data.adult}"),
        ("regular", f"Requested {data.time.astimezone():%H:%M}"),
        ("regular", "Runner: bring the student to the release point"),
    ]
    title = "DRILL — REUNIFICATION" if data.drill else "REUNIFICATION"
    return _slip(data.school, title, data.student, "", lines, data.card, media, "request card")


def _slip(
    school: str,
    title: str,
    name: str,
    grade: str,
    lines: list[tuple[str, str]],
    code: str,
    media: Media,
    what: str,
) -> Badge:
    """School, an inverse title band, the name as large as fits, the detail lines, the QR and its code."""
    width, height = media.canvas("portrait")
    canvas = Image.new("L", (width, height), 255)
    p = Painter(canvas)
    m = max(8, width // 36)
    boxes: dict[str, tuple[int, int, int, int]] = {}
    y = m
    boxes["school"] = p.text(
        school or "FrontDesk", "bold", (m, y, width - m, y + height * 5 // 100), align="center"
    )
    y += height * 5 // 100 + m // 2
    band_h = height * 11 // 100
    boxes["band"] = p.band(title, (0, y, width, y + band_h))
    y += band_h + m
    name_h = height * 12 // 100
    boxes["name"] = p.text(name, "bold", (m, y, width - m, y + name_h))
    y += name_h + m // 2
    if grade:
        boxes["grade"] = p.text(f"Grade {grade}", "regular", (m, y, width - m, y + height * 4 // 100))
        y += height * 4 // 100 + m * 3 // 2
    qr_room = min(width * 42 // 100, height * 28 // 100)
    detail_bottom = height - m - qr_room - m
    step = max(12, (detail_bottom - y) // max(1, len(lines)))
    # One size for every line (the smallest any of them needs), so the slip reads as one block.
    size = max(10, min(p.fit(text, weight, width - 2 * m, step * 62 // 100)[0].size for weight, text in lines))
    for i, (weight, text) in enumerate(lines):
        f = font(weight, size)
        x0, y0, x1, y1 = f.getbbox(text)
        p.draw.text((m - x0, y - y0), text, font=f, fill=0)
        boxes[f"line{i}"] = (m, y, m + x1 - x0, y + y1 - y0)
        y += step
    top = height - m - qr_room
    boxes["qr"], module = p.qr(code, (m, top, m + qr_room, top + qr_room), media)
    left, unit = boxes["qr"][2] + m // 2, (boxes["qr"][3] - top) // 8
    p.text("Slip code", "regular", (left, top + 2 * unit, width - m, top + 3 * unit))
    boxes["code"] = p.text(_code_text(code), "bold", (left, top + 4 * unit, width - m, top + 6 * unit))
    ink = canvas.convert("1", dither=Image.Dither.NONE)
    return Badge(ink, boxes, media, "portrait", module, ink, what=what)
