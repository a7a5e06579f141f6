"""Settings › Badges: choose the printer, the media and the orientation, with a live preview and a test print."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.badges.service import BadgeService
from frontdesk.errors import FrontDeskError
from frontdesk.settings import BADGE_MEDIA, BADGE_ORIENTATION, BADGE_PRINTER, SCHOOL_NAME, Settings
from printers.badge import render
from printers.media import PRESETS
from printers.samples import sample_data
from printers.uri import printer_for
from ui.badges.badge_panel import pixmap_of
from ui.tasks import run_task
from ui.window_size import DIALOG_LEAST, fit_to_screen, scroll_area

EXAMPLES = [
    "preview://",
    "escpos+tcp://10.0.0.20:9100?profile=TM-T20II",
    "escpos+usb://04b8:0202?profile=TM-T20II",
    "escpos+serial:///dev/ttyUSB0?baudrate=19200",
    "brother+tcp://10.0.0.21?model=QL-820NWB&label=62x100",
    "brother+usb://0x04f9:0x209d?model=QL-800&label=62",
    "system://Front Desk DYMO",
]
PREVIEW = "On-screen preview (no printer)"  # preview:// in the printer field: the office's words, not the address
PREVIEW_SIZE = 380
ORIENTATION_CHOICES = [("Usual for this paper", ""), ("Portrait", "portrait"), ("Landscape", "landscape")]


class PrinterSettingsPanel(QWidget):
    """The three choices, a preview that follows them, and Test print (run off the GUI thread)."""

    saved = Signal()

    def __init__(self, settings: Settings, badges: BadgeService, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.badges = badges
        form = QFormLayout()
        self.printer = QComboBox()
        self.printer.setEditable(True)
        for uri in EXAMPLES:  # the preview in words (it read "preview://"); the others are addresses to edit
            self.printer.addItem(PREVIEW if uri == "preview://" else uri, uri)
        saved = settings.get(BADGE_PRINTER)
        self.printer.setCurrentText(PREVIEW if saved.strip() == "preview://" else saved)
        self.printer.setAccessibleName("Badge printer address")
        self.printer.setMinimumWidth(420)
        form.addRow("Printer", self.printer)
        self.media = QComboBox()
        for key, preset in PRESETS.items():
            self.media.addItem(preset.label, key)
        self.media.setCurrentIndex(max(0, self.media.findData(settings.get(BADGE_MEDIA))))
        self.media.setAccessibleName("Badge paper or labels")
        form.addRow("Paper or labels", self.media)
        self.orientation = QComboBox()
        for label, value in ORIENTATION_CHOICES:
            self.orientation.addItem(label, value)
        self.orientation.setCurrentIndex(max(0, self.orientation.findData(settings.get(BADGE_ORIENTATION))))
        self.orientation.setAccessibleName("Badge orientation")
        form.addRow("Orientation", self.orientation)

        self.preview = QLabel()
        self.preview.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.preview.setAccessibleName("Badge preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.size_note = QLabel()
        self.size_note.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.size_note.setAccessibleName("Badge size")
        self.result = QLabel("Make a test print after changing the printer or the paper.")
        self.result.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Test print result")
        self.test_button = QPushButton("Test print")
        self.test_button.setAccessibleName("Test print")
        self.save_button = QPushButton("Save")
        self.save_button.setAccessibleName("Save printer settings")
        # Enter in a field saves (it ran Test print, the dialog's first button, which Qt made its default).
        self.test_button.setAutoDefault(False)
        self.save_button.setDefault(True)

        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.size_note)
        left.addWidget(self.result)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addStretch(1)
        row.addWidget(self.save_button)
        left.addLayout(row)
        left.addStretch(1)
        layout.addLayout(left, 1)
        layout.addWidget(self.preview)

        self.media.currentIndexChanged.connect(self.on_choice_changed)
        self.orientation.currentIndexChanged.connect(self.on_choice_changed)
        self.test_button.clicked.connect(self.on_test_clicked)
        self.save_button.clicked.connect(self.on_save_clicked)
        self.on_choice_changed()

    def chosen(self) -> tuple[str, str, str]:
        """(printer URI, media key, orientation or "")."""
        text = self.printer.currentText().strip()
        uri = "preview://" if text == PREVIEW else text
        return uri, self.media.currentData(), self.orientation.currentData()

    @Slot()
    def on_choice_changed(self) -> None:
        """Redraw the sample badge for the chosen media and orientation (a few ms: fine on the GUI thread)."""
        _, media_key, orientation = self.chosen()
        data = sample_data(photo=True)
        school = self.settings.get(SCHOOL_NAME) or data.school
        data = replace(data, school=school)
        media = PRESETS[media_key]
        badge = render(data, media, orientation or None)
        self.preview.setPixmap(pixmap_of(badge, PREVIEW_SIZE, PREVIEW_SIZE))
        width_mm, length_mm = media.size_mm
        self.size_note.setText(
            f"{media.width} × {media.length} dots at {media.dpi} dpi ({width_mm} × {length_mm} mm)"
        )

    @Slot()
    def on_test_clicked(self) -> None:
        uri, media_key, orientation = self.chosen()
        self.test_button.setEnabled(False)
        self.result.setText("Sending a test badge…")

        def job():
            return self.badges.test_print(printer_for(uri), media_key, orientation or None)

        run_task(job, self.on_test_done)

    def on_test_done(self, result, error) -> None:
        """Say how the test print went, in the office's words."""
        self.test_button.setEnabled(True)
        if error is not None:
            text = error.message if isinstance(error, FrontDeskError) else f"Test print failed: {error}"
            self.result.setText(text)
            self.result.setStyleSheet("color: #8a0014;")
            return
        status, _badge = result
        self.result.setText(f"Test badge sent. {status.message}" if status.ok else f"Sent, but: {status.message}")
        self.result.setStyleSheet(f"color: {'#0d5223' if status.ok else '#6b3d00'};")

    @Slot()
    def on_save_clicked(self) -> None:
        uri, media_key, orientation = self.chosen()
        try:
            printer_for(uri)  # a malformed address is refused here, not at the next check-in
        except FrontDeskError as exc:
            self.result.setText(exc.message)
            self.result.setStyleSheet("color: #8a0014;")
            return
        try:
            self.settings.set(BADGE_PRINTER, uri)
            self.settings.set(BADGE_MEDIA, media_key)
            self.settings.set(BADGE_ORIENTATION, orientation)
        except FrontDeskError as exc:  # settings are for principals and administrators once accounts exist
            self.result.setText(exc.message)
            self.result.setStyleSheet("color: #8a0014;")
            return
        self.saved.emit()


class PrinterSettingsDialog(QDialog):
    """The panel in a window of its own, opened from the badge panel's "Printer…" button."""

    def __init__(self, settings: Settings, badges: BadgeService, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Badge printer")
        layout = QVBoxLayout(self)
        self.panel = PrinterSettingsPanel(settings, badges)
        # In a scroll area: at 1366x768 during an alert the room left clear of the panic button is about 350 px
        # tall, and the panel demanded 454 (the dialog opened over the button). Close stays below it, in view.
        layout.addWidget(scroll_area(DIALOG_LEAST, self.panel))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        close.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        layout.addWidget(close)
        self.panel.save_button.setDefault(True)  # again, in the dialog now: Enter in any field is Save
        self.panel.saved.connect(self.accept)
        # It opens at the panel's whole size, as before (a scroll area alone would ask for less).
        margins, whole = layout.contentsMargins(), self.panel.sizeHint()
        fit_to_screen(
            self,
            whole.width() + margins.left() + margins.right(),
            whole.height() + layout.spacing() + close.sizeHint().height() + margins.top() + margins.bottom(),
        )
