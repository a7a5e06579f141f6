"""Cameras behind one small interface (frames as Pillow images), and the fake that feeds demo mode and tests.

The real camera lives in ``ui/`` (QtMultimedia); the core only sees :class:`FrameSource`. Each frame can
be read for a licence barcode with :func:`scanners.image.find_barcode`, or kept as the visitor's photo with
:func:`photo_bytes` (a small JPEG: the badge needs no more).
"""

from __future__ import annotations

import io
import itertools
from abc import ABC, abstractmethod
from collections.abc import Iterable

from PIL import Image, ImageDraw

from frontdesk.errors import DeviceError


class FrameSource(ABC):
    """A camera: ``open()`` connects, ``frame()`` returns the latest picture, ``close()`` lets go."""

    name = "camera"

    @abstractmethod
    def open(self) -> None:
        """Start the camera; DeviceError when there is none."""

    @abstractmethod
    def frame(self) -> Image.Image:
        """The latest frame (RGB)."""

    @abstractmethod
    def close(self) -> None:
        """Stop the camera; safe to call twice."""


class FakeCamera(FrameSource):
    """Cycles through the given images (a licence photo, a face placeholder...), one per ``frame()``."""

    name = "demo camera"

    def __init__(self, frames: Iterable[Image.Image] = ()):
        frames = list(frames) or [placeholder_face()]
        self._frames = itertools.cycle(frames)
        self._open = False

    def open(self) -> None:
        """Nothing to start."""
        self._open = True

    def frame(self) -> Image.Image:
        """The next image in the cycle."""
        if not self._open:
            raise DeviceError("The camera is not started", code="camera_closed")
        return next(self._frames).convert("RGB")

    def close(self) -> None:
        """Nothing to stop."""
        self._open = False


def placeholder_face(size: tuple[int, int] = (480, 360)) -> Image.Image:
    """A drawn stand-in for a visitor's face (demo mode never uses a real person's picture)."""
    img = Image.new("RGB", size, (214, 226, 240))
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.ellipse((w * 0.36, h * 0.16, w * 0.64, h * 0.56), fill=(241, 200, 160))
    draw.rectangle((w * 0.28, h * 0.62, w * 0.72, h), fill=(60, 90, 140))
    return img


def photo_bytes(frame: Image.Image, max_side: int = 480) -> bytes:
    """The frame as the badge photo: scaled to ``max_side`` pixels at most, JPEG."""
    img = frame.convert("RGB")
    img.thumbnail((max_side, max_side))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()
