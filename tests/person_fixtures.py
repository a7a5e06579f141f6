"""The ``person`` fixture, who answers the desk's questions (``ui.asking``): the real box, a click on its button.

Until session 24 the tests replaced ``QMessageBox.exec`` (Qt's modal loop) with the answer; the desk's dialogs
now wait in :func:`ui.asking.answer_of`, and this person answers them while they wait, as someone at the desk
would: ``person.answer = "No"`` (the StandardButton clicked), ``person.text = "…"`` (typed into a line asked
for; ``None`` cancels). ``person.asked`` keeps what each question said: its text, its default button's name
and its text format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from ui.asking import waiting


@dataclass(frozen=True)
class Asked:
    text: str
    default: str  # the default button's name: "No"
    text_format: Qt.TextFormat


@dataclass
class Person:
    answer: str = "No"
    text: str | None = None
    asked: list[Asked] = field(default_factory=list)

    def on_tick(self) -> None:
        for dialog in waiting():
            if not dialog.isVisible():
                continue
            if isinstance(dialog, QMessageBox):
                default = dialog.standardButton(dialog.defaultButton())
                self.asked.append(Asked(dialog.text(), default.name, dialog.textFormat()))
                button = dialog.button(getattr(QMessageBox.StandardButton, self.answer))
                QTest.mouseClick(button, Qt.MouseButton.LeftButton)
            elif isinstance(dialog, QInputDialog):
                self.asked.append(Asked(dialog.labelText(), "", Qt.TextFormat.AutoText))
                if self.text is None:
                    dialog.reject()
                else:
                    dialog.setTextValue(self.text)
                    dialog.accept()


@pytest.fixture
def person(qapp):
    """Answers every question the desk asks during the test (see the module)."""
    someone = Person()
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(someone.on_tick)
    timer.start()
    yield someone
    timer.stop()
