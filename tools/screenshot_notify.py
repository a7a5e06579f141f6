"""Screenshots of email and text notifications for docs/ (run under Xvfb at 1366x768):

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python tools/screenshot_notify.py

Demo mode (synthetic people, a recording fake instead of a mail server): a barred match is refused by the
command line's path (``unattended``), the day's log is queued, the sender drains the outbox, then
``notify-recipients.png`` is the administrator's window and ``notify-daily-log-email.png`` the daily-log
email exactly as it would be sent (the MIME message the SMTP channel builds), shown as a mail reader would,
with the first page of its attached PDF.
"""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from frontdesk import clock
from frontdesk.checkin.workflow import CheckInRequest
from frontdesk.demo import demo_services
from frontdesk.demo.notify import REFUSED
from frontdesk.models import Visitor
from frontdesk.notifications.channels import Channels, RecordingChannel, build_email
from frontdesk.settings import NOTIFY_LINK_BASE
from ui.app import configure_app
from ui.notifications.outbound_window import OutboundWindow

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SENDER = "FrontDesk <frontdesk@maple-grove.example>"


def mail_reader(message, pdf_page: QPixmap) -> QWidget:
    """A plain mail reader's view of one message: headers, text, the attachment and its first page."""
    view = QWidget()
    view.setWindowTitle(message["Subject"])
    view.setStyleSheet("background:white;")
    outer = QHBoxLayout(view)
    left = QVBoxLayout()
    headers = QGridLayout()
    for row, name in enumerate(("From", "To", "Subject", "Date")):
        key = QLabel(f"{name}:")
        key.setStyleSheet("color:#555;")
        value = QLabel(str(message[name]))
        if name == "Subject":
            font = QFont(value.font())
            font.setBold(True)
            value.setFont(font)
        headers.addWidget(key, row, 0, Qt.AlignmentFlag.AlignRight)
        headers.addWidget(value, row, 1)
    left.addLayout(headers)
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    left.addWidget(line)
    for label in view.findChildren(QLabel):
        label.setWordWrap(True)
    body = QPlainTextEdit(message.get_body(("plain",)).get_content())
    body.setReadOnly(True)
    body.setFrameShape(QFrame.Shape.NoFrame)
    left.addWidget(body, 1)
    for part in message.iter_attachments():
        size = len(part.get_content()) / 1024
        chip = QLabel(f"Attachment:  {part.get_filename()}  ({part.get_content_type()}, {size:.0f} KB)")
        chip.setStyleSheet("background:#eef4fb; border:1px solid #90b4dd; border-radius:4px; padding:6px;")
        left.addWidget(chip)
    outer.addLayout(left, 3)
    page = QLabel()
    page.setPixmap(pdf_page)
    page.setStyleSheet("border:1px solid #bbb;")
    page.setAlignment(Qt.AlignmentFlag.AlignTop)
    outer.addWidget(page, 2)
    return view


def first_page(pdf: bytes, width: int) -> QPixmap:
    """The PDF's first page, rendered ``width`` pixels wide (``pdftoppm`` from poppler-utils)."""
    with tempfile.TemporaryDirectory() as folder:
        src, out = Path(folder) / "log.pdf", Path(folder) / "page"
        src.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                "-scale-to-x",
                str(width),
                "-scale-to-y",
                "-1",
                str(src),
                str(out),
            ],
            check=True,
        )
        return QPixmap(str(out.with_suffix(".png")))


def main() -> int:
    """Write notify-recipients.png and notify-daily-log-email.png."""
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    configure_app(app)
    services = demo_services()
    fake = RecordingChannel(refuse=(REFUSED,))
    services.sender.use_channels(lambda: Channels(fake, fake, fake))
    # Emails end with a link to the hub's screen for the event (notify.link_base).
    services.settings.set(NOTIFY_LINK_BASE, "https://hub.district.example")
    # A barred-list visitor refused by the command line's path: the "match" event.
    services.checkin.start(CheckInRequest(Visitor("Robert", "Smith", dob=date(1980, 3, 14))), unattended=True)
    services.station.press("LOCKDOWN", mode="Exercise", staff="Pat Demo")
    services.daily_log.queue(clock.now().astimezone().date())
    services.sender.drain()

    window = OutboundWindow(services, poll_ms=60_000)
    window.resize(1366, 740)
    window.show()
    QTest.qWait(300)
    window.grab().save(str(OUT / "notify-recipients.png"))

    (envelope,) = [e for e in fake.sent if e.attachment is not None and e.to.startswith("principal")]
    message = email.message_from_bytes(bytes(build_email(envelope, SENDER)), policy=email.policy.default)
    reader = mail_reader(message, first_page(envelope.attachment, 460))
    reader.resize(1366, 740)
    reader.show()
    QTest.qWait(300)
    reader.grab().save(str(OUT / "notify-daily-log-email.png"))
    for e in fake.sent:
        print(f"{e.to:35} {e.subject}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
