"""The QtMultimedia camera: what can be checked without a camera (CI has none)."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage

from frontdesk.errors import DeviceError
from ui.scanning.camera_qt import QtCamera, cameras_present, qimage_to_pil


def test_qimage_to_pil_keeps_pixels_and_respects_row_stride(qapp):
    image = QImage(13, 7, QImage.Format.Format_RGB32)  # odd width: RGB888 rows are padded to 4 bytes
    image.fill(QColor(10, 20, 30))
    image.setPixelColor(12, 6, QColor(200, 100, 50))
    pil = qimage_to_pil(image)
    assert isinstance(pil, Image.Image) and pil.size == (13, 7) and pil.mode == "RGB"
    assert pil.getpixel((0, 0)) == (10, 20, 30)
    assert pil.getpixel((12, 6)) == (200, 100, 50)


def test_construction_opens_nothing_and_no_frame_is_a_plain_error(qapp):
    camera = QtCamera()
    with pytest.raises(DeviceError) as err:
        camera.frame()
    assert err.value.code == "camera_no_frame"
    camera.close()
    camera.close()  # safe twice


def test_no_camera_says_what_to_do(qapp):
    if cameras_present():
        pytest.skip("this machine has a camera")
    with pytest.raises(DeviceError) as err:
        QtCamera().open()
    assert err.value.code == "camera_missing" and "without a photo" in err.value.message
