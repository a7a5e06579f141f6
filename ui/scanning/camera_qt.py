"""The machine's camera through QtMultimedia, behind the core's :class:`scanners.camera.FrameSource`.

Construction touches no device; ``open()`` picks the default video input and starts it. Frames arrive on
the GUI thread through a QVideoSink; ``frame()`` converts the newest one to a Pillow image on demand, so
the preview's twice-a-second refresh is the only conversion cost.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PIL import Image
from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QMediaDevices, QVideoFrame, QVideoSink

from frontdesk.errors import DeviceError
from scanners.camera import FrameSource


def qimage_to_pil(image: QImage) -> Image.Image:
    """A QImage as an RGB Pillow image (row stride respected)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    data = bytes(rgb.constBits())
    return Image.frombuffer("RGB", (rgb.width(), rgb.height()), data, "raw", "RGB", rgb.bytesPerLine(), 1)


def cameras_present() -> bool:
    """True when the operating system lists at least one video input."""
    return bool(QMediaDevices.videoInputs())


# A camera sends many frames a second; one that has sent none for this long has stopped (unplugged, frozen).
STALE_AFTER = 2.0


class _FrameHolder(QObject):
    """Lives in the GUI thread and keeps the newest frame the sink delivered."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._clock = clock
        self.latest: QImage | None = None
        self.at = 0.0  # when the newest frame came (the clock's seconds)

    @Slot(QVideoFrame)
    def on_video_frame_changed(self, frame: QVideoFrame) -> None:
        image = frame.toImage()
        if not image.isNull():
            self.latest = image
            self.at = self._clock()


class QtCamera(FrameSource):
    """The default (or a chosen) camera of this PC."""

    name = "camera"

    def __init__(self, description: str | None = None, *, clock: Callable[[], float] = time.monotonic):
        self._description = description
        self._clock = clock
        self._camera: QCamera | None = None
        self._session: QMediaCaptureSession | None = None
        self._sink: QVideoSink | None = None
        self._holder = _FrameHolder(clock)

    def open(self) -> None:
        """Start the camera; DeviceError in plain words when there is none or it will not start."""
        inputs = QMediaDevices.videoInputs()
        if not inputs:
            raise DeviceError(
                "No camera found. Plug one in, or check the visitor in without a photo.", code="camera_missing"
            )
        device = next(
            (d for d in inputs if d.description() == self._description), QMediaDevices.defaultVideoInput()
        )
        self._camera = QCamera(device)
        self._session = QMediaCaptureSession()
        self._sink = QVideoSink()
        self._session.setCamera(self._camera)
        self._session.setVideoSink(self._sink)
        self._sink.videoFrameChanged.connect(self._holder.on_video_frame_changed)
        self._camera.start()
        if self._camera.error() != QCamera.Error.NoError:
            message = self._camera.errorString()
            self.close()
            raise DeviceError(
                f"The camera would not start ({message}). Is another program using it?", code="camera_failed"
            )

    def frame(self) -> Image.Image:
        """The newest frame; DeviceError until the camera has sent one, and once it has sent none for
        :data:`STALE_AFTER` seconds. A camera unplugged or frozen by its driver sends nothing more, and its last
        frame is the previous visitor: read again it put their licence's name on the next person (screened
        under it), taken as a photo their face on the next badge (session 23)."""
        if self._holder.latest is None:
            raise DeviceError("The camera has not sent a picture yet", code="camera_no_frame")
        if self._clock() - self._holder.at > STALE_AFTER:
            raise DeviceError(
                "The camera has stopped sending pictures: check its cable (or close the other program using "
                "it), or type the visitor's details from the card.",
                code="camera_stalled",
            )
        return qimage_to_pil(self._holder.latest)

    def close(self) -> None:
        """Stop the camera; safe to call twice."""
        if self._camera is not None:
            self._camera.stop()
        self._camera = self._session = self._sink = None
        self._holder.latest = None
