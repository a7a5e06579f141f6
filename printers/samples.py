"""Sample badges for every media preset: ``python -m printers.samples docs/badges`` writes the PNGs.

The data is synthetic (an invented person and a drawn "photo"), so the pictures can live in the docs.
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw

from printers.badge import BadgeData, render
from printers.media import PRESETS


def sample_photo() -> bytes:
    """A drawn head-and-shoulders shape in grey tones, as JPEG bytes (no real person)."""
    img = Image.new("L", (240, 300), 225)
    d = ImageDraw.Draw(img)
    for i in range(300):
        d.line((0, i, 240, i), fill=235 - i // 6)
    d.ellipse((40, 220, 200, 400), fill=90)
    d.ellipse((70, 60, 170, 190), fill=170)
    d.ellipse((95, 105, 110, 118), fill=40)
    d.ellipse((130, 105, 145, 118), fill=40)
    d.arc((100, 135, 140, 165), 20, 160, fill=60, width=4)
    d.chord((62, 40, 178, 120), 180, 360, fill=60)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def sample_data(photo: bool = True) -> BadgeData:
    """A synthetic visitor's badge."""
    time_in = datetime(2026, 11, 22, 14, 41, tzinfo=UTC)
    return BadgeData(
        school="Maple Grove Elementary",
        category="VISITOR",
        first_name="Avery",
        last_name="Testwood-Sampleton",
        host="Ms. Alvarez (Room 12)",
        time_in=time_in,
        valid_until=time_in + timedelta(hours=8),
        badge_code="K7QXM2PD",
        photo=sample_photo() if photo else None,
    )


def main(folder: str) -> int:
    """Write one PNG per preset and orientation into ``folder``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for key, media in PRESETS.items():
        for orientation in ("portrait", "landscape"):
            badge = render(sample_data(photo=True), media, orientation)
            badge.image.save(out / f"{key}-{orientation}.png", optimize=True)
    render(sample_data(photo=False), PRESETS["80mm"]).image.save(out / "80mm-portrait-no-photo.png")
    lines = [
        "# Sample badges",
        "",
        "Written by `python -m printers.samples docs/badges`: each image is exactly what the printer gets, at",
        "its own dots (landscape badges are turned a quarter turn to run along the paper). Synthetic data.",
        "",
        "| media | dots | portrait | landscape |",
        "|---|---|---|---|",
    ]
    for key, media in PRESETS.items():
        lines.append(
            f"| {media.label} | {media.width} × {media.length} at {media.dpi} dpi | "
            f"![]({key}-portrait.png) | ![]({key}-landscape.png) |"
        )
    (out / "README.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/badges"))
