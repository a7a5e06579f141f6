"""Fonts for badges: a bold sans and a regular sans found on the machine, cached per size.

Badges need large, plain, heavy type. DejaVu and Liberation ship with Linux desktops, Arial with Windows
and macOS; Pillow's own scalable font is the last resort so rendering never fails for want of a font.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

_CANDIDATES = {
    "bold": [
        "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "C:/Windows/Fonts/arialbd.ttf",
        "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
        "/Library/Fonts/Arial Bold.ttf",
    ],
    "regular": [
        "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "C:/Windows/Fonts/arial.ttf",
        "/System/Library/Fonts/Supplemental/Arial.ttf",
        "/Library/Fonts/Arial.ttf",
    ],
}


@lru_cache(maxsize=8)
def _path(weight: str) -> str | None:
    for candidate in _CANDIDATES[weight]:
        if Path(candidate).is_file():
            return candidate
    return None


@lru_cache(maxsize=512)
def font(weight: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The ``"bold"`` or ``"regular"`` face at ``size`` pixels."""
    path = _path(weight)
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)
