"""Non-modal side windows opened from the desk: the event log and the settings."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QFrame,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.errors import FrontDeskError
from frontdesk.events.service import EventLog
from frontdesk.settings import REGISTRY, Setting, Settings
from ui.window_size import fit_to_screen

LEVEL_WORDS = {"info": "OK", "warning": "Warning", "error": "Problem"}


class EventLogWindow(QWidget):
    """Device and delivery problems, newest first, in the office's words."""

    def __init__(self, events: EventLog, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("FrontDesk — event log")
        fit_to_screen(self, 900, 500)
        self._events = events
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Problems with the scanner, printer and dispatch link, and when they were fixed."))
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Time", "Device", "", "What happened"])
        self.table.setAccessibleName("Event log")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        refresh = QPushButton("Refresh")
        refresh.setAccessibleName("Refresh event log")
        refresh.clicked.connect(self.refresh)
        layout.addWidget(refresh, 0, Qt.AlignmentFlag.AlignRight)

    @Slot()
    def refresh(self) -> None:
        """Reload the newest events."""
        events = self._events.recent(500)
        self.table.setRowCount(len(events))
        for row, event in enumerate(events):
            cells = [
                f"{event.time.astimezone():%Y-%m-%d %H:%M:%S}",
                event.source.capitalize(),
                LEVEL_WORDS.get(event.level, event.level),
                event.message,
            ]
            for col, value in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(value))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.refresh()
        super().showEvent(event)


class SettingsWindow(QWidget):
    """Every declared setting with an editor chosen by its type; saved with one button."""

    saved = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("FrontDesk — settings")
        self._settings = settings
        layout = QVBoxLayout(self)
        # Many settings: they scroll, so the window fits a laptop screen (the Save button stays in view).
        fields = QWidget()
        form = QFormLayout(fields)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(fields)
        self.editors: dict[str, QWidget] = {}
        for key in sorted(REGISTRY):
            setting = REGISTRY[key]
            editor = self._editor(setting)
            editor.setAccessibleName(setting.label)
            editor.setToolTip(setting.help)
            form.addRow(setting.label, editor)
            self.editors[key] = editor
        layout.addWidget(scroll, 1)
        self.problem = QLabel("")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        save = QPushButton("Save settings")
        save.setAccessibleName("Save settings")
        save.clicked.connect(self.on_save_clicked)
        layout.addWidget(save, 0, Qt.AlignmentFlag.AlignRight)
        fit_to_screen(self, 760, 700)

    def _editor(self, setting: Setting) -> QWidget:
        value = self._settings.get(setting)
        if setting.type is bool:
            box = QCheckBox()
            box.setChecked(bool(value))
            return box
        if setting.type is int:
            spin = QSpinBox()
            spin.setRange(-1_000_000, 1_000_000)
            spin.setValue(int(value))
            return spin
        edit = QLineEdit(str(value))
        edit.setPlaceholderText(setting.help)
        return edit

    @Slot()
    def on_save_clicked(self) -> None:
        """Save every value; say plainly if one is wrong."""
        try:
            for key, editor in self.editors.items():
                setting = REGISTRY[key]
                if isinstance(editor, QCheckBox):
                    value: object = editor.isChecked()
                elif isinstance(editor, QSpinBox):
                    value = editor.value()
                else:
                    text = editor.text().strip()  # type: ignore[attr-defined]
                    value = setting.type(text) if setting.type is not str else text
                self._settings.set(setting, value)
        except (FrontDeskError, ValueError) as exc:
            self.problem.setText(f"Not saved: {exc}")
            return
        self.problem.setText("Saved.")
        self.saved.emit()
