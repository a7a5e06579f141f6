"""The camera panel: a live preview, "Take photo" for the badge, and "Read ID" from the picture.

"Read ID" finds a licence's PDF417 in the frame, else a passport's or ID card's machine-readable zone
(Tesseract OCR): both through :func:`scanners.image.find_id`, the reader ``frontdesk id decode`` uses. A
zone's lines are emitted as text, the same text an MRZ reader in keyboard mode types, so they go through
the same parser and its check digits.

It works with any :class:`scanners.camera.FrameSource`: the QtMultimedia camera (``ui.scanning.camera_qt``) at a
desk, the FakeCamera in demo mode and tests. Decoding (up to a second for a tilted card) runs off the GUI
thread through ``run_task``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from frontdesk.errors import DeviceError
from scanners.camera import FrameSource, photo_bytes
from scanners.image import find_id
from ui.tasks import run_task


def _pixmap(frame) -> QPixmap:
    rgb = frame.convert("RGB")
    data = rgb.tobytes()
    image = QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy())


class CameraPanel(QWidget):
    """Preview plus two buttons. Emits :attr:`photo_taken` (JPEG bytes), :attr:`barcode_read` (a PDF417's raw
    bytes) or :attr:`mrz_read` (a machine-readable zone's lines, as text)."""

    photo_taken = Signal(bytes)
    barcode_read = Signal(bytes)
    mrz_read = Signal(str)
    read_failed = Signal(str)

    def __init__(self, camera: FrameSource, parent: QWidget | None = None):
        super().__init__(parent)
        self.camera = camera
        self.preview = QLabel("Camera starting…")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.preview.setAccessibleName("Camera preview")
        self.preview.setFixedSize(96, 72)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo_button = QPushButton("Take photo")
        self.photo_button.setAccessibleName("Take the visitor's photo")
        self.read_button = QPushButton("Read ID")
        self.read_button.setAccessibleName("Read the ID's barcode or the passport's zone with the camera")
        self.read_button.setToolTip(
            "Hold the back of a licence (its barcode), or a passport page or ID card with the lines of "
            "letters and '<' at the bottom, flat in front of the camera"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview)
        layout.addWidget(self.photo_button)
        layout.addWidget(self.read_button)
        self.photo_button.clicked.connect(self.on_photo_clicked)
        self.read_button.clicked.connect(self.on_read_clicked)
        self._frame = None
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self.on_timer)

    def start(self) -> None:
        """Open the camera and refresh the preview twice a second."""
        self.camera.open()
        self.on_timer()
        self._timer.start()

    def stop(self) -> None:
        """Stop the preview and the camera."""
        self._timer.stop()
        self.camera.close()

    def on_timer(self) -> None:
        try:
            self._frame = self.camera.frame()
        except DeviceError as exc:  # a real camera needs a moment before its first picture
            self._frame = None  # never a photo from a picture the camera no longer shows (one that stopped)
            short = {"camera_no_frame": "Camera starting…", "camera_stalled": "Camera stopped"}
            self.preview.setText(short.get(exc.code, exc.message))
            self.preview.setToolTip(exc.message)
            return
        self.preview.setPixmap(
            _pixmap(self._frame).scaled(self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio)
        )
        self.preview.setToolTip("")

    def on_photo_clicked(self) -> None:
        try:
            frame = self._frame or self.camera.frame()
        except DeviceError as exc:
            self.read_failed.emit(exc.message)
            return
        self.photo_taken.emit(photo_bytes(frame))

    def on_read_clicked(self) -> None:
        try:
            frame = self.camera.frame()
        except DeviceError as exc:
            self.read_failed.emit(exc.message)
            return
        self.read_button.setEnabled(False)
        run_task(lambda: find_id(frame), self._on_decoded)

    def _on_decoded(self, found, error) -> None:
        self.read_button.setEnabled(True)
        if error is not None:
            self.read_failed.emit(getattr(error, "message", str(error)))
        elif found.kind == "pdf417":
            self.barcode_read.emit(found.data)
        elif found.kind == "mrz":
            self.mrz_read.emit(found.data.decode("ascii"))
        else:
            self.read_failed.emit("That is a badge code, not an ID: scan the back of the licence")
