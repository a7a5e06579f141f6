"""First run: a short set-up (school name, address, station name and room); everything else can wait."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from frontdesk import settings as s
from frontdesk.errors import FrontDeskError
from frontdesk.settings import Settings


def centred_column(panel: QWidget) -> QVBoxLayout:
    """The layout of a readable column (at most 720 px) centred at the top of ``panel``, as set-up pages use."""
    outer = QVBoxLayout(panel)
    column = QWidget()
    column.setMaximumWidth(720)
    outer.addWidget(column, 0, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
    layout = QVBoxLayout(column)
    layout.setContentsMargins(40, 60, 40, 40)
    return layout


class FirstRunPanel(QWidget):
    """Asks the four things the desk needs before it can start; emits ``completed`` when saved."""

    completed = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self._settings = settings
        layout = centred_column(self)
        title = QLabel(
            "<h1>Welcome to FrontDesk</h1><p>Four questions, then the desk is ready. "
            "Everything else can be set later.</p>"
        )
        layout.addWidget(title)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for setting in (s.SCHOOL_NAME, s.SCHOOL_ADDRESS, s.STATION_NAME, s.STATION_ROOM):
            edit = QLineEdit(settings.get(setting))
            edit.setAccessibleName(setting.label)
            edit.setPlaceholderText(setting.help)
            form.addRow(setting.label, edit)
            self.fields[setting.key] = edit
        layout.addLayout(form)
        self.problem = QLabel("")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.problem.setStyleSheet("color:#8a0014;")
        layout.addWidget(self.problem)
        self.save_button = QPushButton("Start using FrontDesk")
        self.save_button.setAccessibleName("Save set-up and start")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.on_save_clicked)
        for edit in self.fields.values():
            edit.returnPressed.connect(self.on_save_clicked)
        layout.addWidget(self.save_button)
        layout.addStretch(1)

    @Slot()
    def on_save_clicked(self) -> None:
        """Save what was typed; school and station names are required."""
        values = {key: edit.text().strip() for key, edit in self.fields.items()}
        if not values[s.SCHOOL_NAME.key] or not values[s.STATION_NAME.key]:
            self.problem.setText("Type at least the school name and a name for this desk (e.g. Main office desk).")
            return
        try:
            for key, value in values.items():
                self._settings.set(s.REGISTRY[key], value)
        except FrontDeskError as exc:  # e.g. accounts exist and nobody with the right role is signed in
            self.problem.setText(exc.message)
            return
        self.completed.emit()
