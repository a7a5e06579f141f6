"""The camera panel with the fake camera: a photo for the badge, and a licence read from a (tilted) frame."""

from __future__ import annotations

from scanners.camera import FakeCamera, photo_bytes, placeholder_face
from scanners.image import barcode_image
from tests.id_corpus import US, card_payload
from ui.app import build_desk
from ui.scanning.camera_panel import CameraPanel


def test_photo_bytes_are_a_small_jpeg():
    data = photo_bytes(placeholder_face((1920, 1080)))
    assert data[:2] == b"\xff\xd8" and len(data) < 60_000


def test_camera_reads_the_licence_and_takes_the_photo(qtbot, services):
    window = build_desk(services)
    qtbot.addWidget(window.window)
    licence = barcode_image(card_payload(US), scale=2).rotate(9, expand=True, fillcolor=255).convert("RGB")
    panel = CameraPanel(FakeCamera([licence]))
    window.id_scan.attach_camera(panel)
    panel.start()
    try:
        with qtbot.waitSignal(panel.barcode_read, timeout=5000):
            panel.read_button.click()
        assert window.form.last_name.text() == "Testwood"  # as people write it
        with qtbot.waitSignal(panel.photo_taken):
            panel.photo_button.click()
        window.form.destination.setText("Gym")
        request = window.form.request()
        assert request.visitor.photo[:2] == b"\xff\xd8" and request.visitor.id_last4 == "5789"
    finally:
        panel.stop()


def test_a_frame_without_a_barcode_says_so(qtbot, services):
    window = build_desk(services)
    qtbot.addWidget(window.window)
    panel = CameraPanel(FakeCamera([placeholder_face()]))
    window.id_scan.attach_camera(panel)
    panel.start()
    try:
        with qtbot.waitSignal(panel.read_failed, timeout=30_000):  # a barcode, then a zone (OCR) looked for
            panel.read_button.click()
        assert "No licence barcode, badge code or passport zone" in window.message.text()
    finally:
        panel.stop()


def test_camera_reads_a_passport_zone_through_the_same_mrz_reader(qtbot, services):
    from datetime import date

    from scanners.mrz_image import specimen_page

    window = build_desk(services)
    qtbot.addWidget(window.window)
    lines, page = specimen_page(dob=date(1990, 2, 28), last="OKAFOR", given="NGOZI ADA", number="P0482913")
    photo = page.convert("RGB")
    panel = CameraPanel(FakeCamera([photo]))
    window.id_scan.attach_camera(panel)
    panel.start()
    try:
        with qtbot.waitSignal(panel.mrz_read, timeout=30_000) as read:
            panel.read_button.click()
        zone = read.args[0].split("\n")  # the zone's text, as an MRZ reader would type it (OCR may read
        assert [len(z) for z in zone] == [44, 44] and zone[0] == lines[0]  # 0 as Q: the parser repairs it)
        assert (window.form.first_name.text(), window.form.last_name.text()) == ("Ngozi", "Okafor")
        record = window.id_scan.last_record
        assert (record.document, record.country, record.id_number) == ("PASSPORT", "USA", "P0482913")
        assert record.dob == date(1990, 2, 28)
        assert "Read Ngozi" in window.message.text()
    finally:
        panel.stop()


def test_a_zone_with_a_wrong_check_digit_from_the_camera_names_the_field(qtbot, services):
    from scanners.mrz_image import render_page, specimen_page

    window = build_desk(services)
    qtbot.addWidget(window.window)
    lines, _ = specimen_page()
    one, two = lines
    bad = render_page([one, two[:13] + "740813" + two[19:]])  # the date changed, its check digit not
    panel = CameraPanel(FakeCamera([bad.convert("RGB")]))
    window.id_scan.attach_camera(panel)
    panel.start()
    try:
        with qtbot.waitSignal(panel.mrz_read, timeout=30_000):
            panel.read_button.click()
        assert "date of birth check digit" in window.message.text()
        assert window.form.last_name.text() == ""  # nothing from a zone that does not check out
    finally:
        panel.stop()
