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

from frontdesk.errors import FrontDeskError, InputError
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
        self.table.setTabKeyNavigation(False)  # Tab goes on to the next control; the arrows move in the table
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
    """Every declared setting with an editor chosen by its type; saved with one button.

    Save writes only the settings a person changed here, after checking every field: a value the district set
    and this desk left alone stays the district's (its next change still reaches the desk), and a setting the
    district locked is shown, greyed, as the district's. A wrong field saves nothing and says which and why.
    """

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
        self._scroll = scroll
        self.editors: dict[str, QWidget] = {}
        self._labels: dict[str, QLabel] = {}
        self._shown: dict[str, object] = {}  # the value each editor was filled with: Save writes what differs
        for key in sorted(REGISTRY):
            setting = REGISTRY[key]
            editor = self._editor(setting)
            editor.setAccessibleName(setting.label)
            label = QLabel(setting.label)
            label.setBuddy(editor)
            form.addRow(label, editor)
            self.editors[key] = editor
            self._labels[key] = label
        layout.addWidget(scroll, 1)
        self.problem = QLabel("")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        save = QPushButton("Save settings")
        save.setAccessibleName("Save settings")
        save.clicked.connect(self.on_save_clicked)
        layout.addWidget(save, 0, Qt.AlignmentFlag.AlignRight)
        self.load()
        fit_to_screen(self, 760, 700)

    @staticmethod
    def _editor(setting: Setting) -> QWidget:
        if setting.type is bool:
            return QCheckBox()
        if setting.type is int:
            spin = QSpinBox()
            spin.setRange(-1_000_000, 1_000_000)
            return spin
        edit = QLineEdit()
        edit.setPlaceholderText(setting.help)
        return edit

    @Slot()
    def load(self) -> None:
        """Fill every editor with the value in force now (the desk's, else the district's, else the default);
        a setting the district locked is greyed and says so."""
        for key, editor in self.editors.items():
            setting = REGISTRY[key]
            value = self._settings.get(setting)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(value))
            else:
                editor.setText(str(value))  # type: ignore[attr-defined]
            self._shown[key] = value
            locked = self._settings.locked(setting)
            editor.setEnabled(not locked)
            self._labels[key].setText(setting.label + (" (set by the district)" if locked else ""))
            editor.setToolTip(
                "Set by the district and locked: it cannot be changed at this desk. Ask the district "
                "administrator."
                if locked
                else setting.help
            )
        self.problem.clear()

    @staticmethod
    def _value(setting: Setting, editor: QWidget) -> object:
        """The editor's value as the setting's type, or InputError in the office's words."""
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        text = editor.text().strip()  # type: ignore[attr-defined]
        if setting.type is str:
            return text
        try:
            return setting.type(text)
        except ValueError:
            kind = "a whole number" if setting.type is int else "a number"
            raise InputError(f"{setting.label} must be {kind}, like {setting.default}, not “{text}”") from None

    @Slot()
    def on_save_clicked(self) -> None:
        """Check every field, then save the ones changed here; say plainly what was saved and what was not."""
        changes: list[tuple[Setting, object]] = []
        try:
            for key, editor in self.editors.items():
                setting = REGISTRY[key]
                if not editor.isEnabled():
                    continue  # the district's, locked
                value = self._settings.check(setting, self._value(setting, editor))
                if value != self._shown[key]:
                    changes.append((setting, value))
        except FrontDeskError as exc:
            self.problem.setText(f"Not saved: {exc}. Correct it and save again; nothing was changed.")
            self._scroll.ensureWidgetVisible(editor)  # the field it names, in view with the cursor in it
            editor.setFocus()
            return
        done: list[str] = []
        for setting, value in changes:
            try:
                self._settings.set(setting, value)
            except FrontDeskError as exc:  # no permission, or the district locked it since the window opened
                saved = f"Saved: {', '.join(done)}. " if done else "Nothing was changed. "
                self.problem.setText(f"{saved}Not saved: {exc}")
                return
            self._shown[setting.key] = value
            done.append(setting.label)
        self.problem.setText("Saved.")
        self.saved.emit()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not event.spontaneous():  # opened again (not a window restored from the taskbar): what is in force now
            self.load()
        super().showEvent(event)
