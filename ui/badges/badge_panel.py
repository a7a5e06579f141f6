"""The badge panel under the visitor form: the last badge on screen, what happened to it, and Reprint.

It also carries the printer's questions ("Part of the badge may have printed … print it again?") as two
buttons instead of a modal dialog, so the desk is never blocked by a printer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from frontdesk.badges.service import Outcome
from printers.fakes import png_bytes
from ui.badges.printing import Question

if TYPE_CHECKING:
    from PIL import Image
    from PySide6.QtGui import QPixmap

    from frontdesk.badges.result import PrintResult

PREVIEW_WIDTH, PREVIEW_HEIGHT = 160, 150

_KIND = {
    Outcome.PRINTED: "#0d5223",
    Outcome.SENT: "#6b3d00",
    Outcome.ATTENTION: "#6b3d00",
    Outcome.EXPIRED: "#6b3d00",
    Outcome.FAILED: "#8a0014",
    Outcome.PARTIAL: "#8a0014",
}


def pixmap_of(badge, width: int, height: int) -> QPixmap:
    """A badge as worn (landscape badges turned back upright), fitted in ``width`` × ``height`` for the screen."""
    # Named here, with the first badge shown: naming a Qt class builds its type and enums (QImage's 40 formats),
    # and the desk's first screen has no badge yet (issue 13).
    from PySide6.QtGui import QImage, QPixmap

    image: Image.Image = badge.as_worn()
    qimage = QImage.fromData(png_bytes(image), "PNG")
    return QPixmap.fromImage(qimage).scaled(
        width, height, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


class BadgePanel(QGroupBox):
    """Shows the last badge and its print outcome; Reprint, printer settings, and the printer's questions."""

    reprint_requested = Signal(object)  # Visit
    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Badge", parent)
        self.visit = None
        self.question: Question | None = None
        layout = QHBoxLayout(self)
        self.picture = QLabel("No badge yet")
        self.picture.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.picture.setAccessibleName("Badge preview")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setFixedSize(PREVIEW_WIDTH, PREVIEW_HEIGHT)
        layout.addWidget(self.picture)
        side = QVBoxLayout()
        self.status = QLabel("Badges print after each check-in.")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Badge status")
        side.addWidget(self.status)
        self.ask = QWidget()
        ask_row = QHBoxLayout(self.ask)
        ask_row.setContentsMargins(0, 0, 0, 0)
        self.again_button = QPushButton("Print again")
        self.not_now_button = QPushButton("Not now")
        ask_row.addWidget(self.again_button)
        ask_row.addWidget(self.not_now_button)
        self.ask.hide()
        side.addWidget(self.ask)
        side.addStretch(1)
        buttons = QHBoxLayout()
        self.reprint_button = QPushButton("Reprint")
        self.reprint_button.setAccessibleName("Reprint badge")
        self.reprint_button.setEnabled(False)
        self.settings_button = QPushButton("Printer…")
        self.settings_button.setAccessibleName("Badge printer settings")
        buttons.addWidget(self.reprint_button)
        buttons.addWidget(self.settings_button)
        side.addLayout(buttons)
        layout.addLayout(side, 1)
        self.reprint_button.clicked.connect(self.on_reprint_clicked)
        self.settings_button.clicked.connect(self.settings_requested)
        self.again_button.clicked.connect(self.on_again_clicked)
        self.not_now_button.clicked.connect(self.on_not_now_clicked)

    def show_pending(self, visit) -> None:
        """A badge is on its way to the printer."""
        self.visit = visit
        self.reprint_button.setEnabled(True)
        self._say(f"Printing the badge for {visit.visitor.full_name}…", "#0b3d6b")

    def show_result(self, result: PrintResult) -> None:
        """Show the badge (when one was drawn) and what happened to it."""
        self.visit = result.visit
        self.reprint_button.setEnabled(True)
        if result.badge is not None:
            self.picture.setPixmap(pixmap_of(result.badge, PREVIEW_WIDTH, PREVIEW_HEIGHT))
        self._say(result.message, _KIND.get(result.outcome, "#0b3d6b"))

    def clear_visit(self, visit) -> None:
        """``visit`` has left: its badge no longer shows here (nor can it be reprinted from here)."""
        if self.question is not None and self.question.visit.id == visit.id:
            self._answer(False)  # "print again?" about someone who has left: no (the core refuses it too)
        if self.visit is None or self.visit.id != visit.id:
            return
        self.visit = None
        self.picture.clear()
        self.picture.setText("No badge yet")
        self.reprint_button.setEnabled(False)
        self._say(f"{visit.visitor.full_name} has checked out. Badges print after each check-in.", "#0b3d6b")

    @Slot(object)
    def on_question_asked(self, question: Question) -> None:
        """The printer needs a decision: show it with Print again / Not now."""
        if self.question is not None:
            self.question.reply(False)
        self.question = question
        self._say(question.message, "#8a0014")
        self.ask.show()
        self.again_button.setFocus()

    @Slot()
    def on_again_clicked(self) -> None:
        self._answer(True)

    @Slot()
    def on_not_now_clicked(self) -> None:
        self._answer(False)

    @Slot()
    def on_reprint_clicked(self) -> None:
        if self.visit is not None:
            self.reprint_requested.emit(self.visit)

    def _answer(self, yes: bool) -> None:
        question, self.question = self.question, None
        self.ask.hide()
        if question is not None:
            question.reply(yes)
            if not yes:
                self._say("Not printed again. Use Reprint when the printer is ready.", "#6b3d00")

    def _say(self, text: str, colour: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};")
