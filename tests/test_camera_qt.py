"""The QtMultimedia camera: what can be checked without a camera (CI has none)."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage
from PySide6.QtMultimedia import QVideoFrame

from frontdesk.errors import DeviceError
from ui.scanning.camera_panel import CameraPanel
from ui.scanning.camera_qt import STALE_AFTER, QtCamera, cameras_present, qimage_to_pil


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


class _Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _frame(colour) -> QVideoFrame:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor(*colour))
    return QVideoFrame(image)


def test_a_camera_that_stopped_sending_pictures_gives_no_old_picture(qapp):
    """Found in session 23: a camera unplugged, or frozen by its driver, stops sending frames, and the desk kept
    the last one for ever: "Read ID" read the previous visitor's licence again (the next person checked in, and
    screened, under that name) and "Take photo" put the previous person's face on the next badge."""
    clock = _Clock()
    camera = QtCamera(clock=clock)
    camera._holder.on_video_frame_changed(_frame((10, 20, 30)))  # the sink's slot, as the camera feeds it
    assert camera.frame().getpixel((0, 0)) == (10, 20, 30)
    clock.now += STALE_AFTER + 0.5  # no picture since
    with pytest.raises(DeviceError) as err:
        camera.frame()
    assert err.value.code == "camera_stalled" and "stopped sending pictures" in err.value.message
    camera._holder.on_video_frame_changed(_frame((40, 50, 60)))  # plugged back in: pictures again
    assert camera.frame().getpixel((0, 0)) == (40, 50, 60)


def test_the_panel_takes_no_photo_and_reads_no_id_from_a_camera_that_stopped(qtbot):
    clock = _Clock()
    camera = QtCamera(clock=clock)
    panel = CameraPanel(camera)
    qtbot.addWidget(panel)
    camera._holder.on_video_frame_changed(_frame((10, 20, 30)))
    panel.on_timer()  # the preview shows it
    clock.now += STALE_AFTER + 0.5
    panel.on_timer()
    assert panel.preview.text() == "Camera stopped" and "check its cable" in panel.preview.toolTip()
    with qtbot.assertNotEmitted(panel.photo_taken), qtbot.waitSignal(panel.read_failed) as failed:
        panel.photo_button.click()
    assert "stopped sending pictures" in failed.args[0]
    with qtbot.assertNotEmitted(panel.barcode_read), qtbot.waitSignal(panel.read_failed) as failed:
        panel.read_button.click()
    assert "stopped sending pictures" in failed.args[0]
