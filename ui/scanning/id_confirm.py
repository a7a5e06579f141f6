"""The confirmation panel: what was read from the ID, at a glance, with warnings and any repairs."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout

if TYPE_CHECKING:  # the ID parsers' module loads with the first scan (issue 13)
    from scanners.idcard import IdRecord


_DOCUMENTS = {"DL": "Driver's licence", "ID": "ID card"}


class IdConfirmPanel(QFrame):
    """Shows the record read from a card under the form; "Looks right" or "Type it instead"."""

    confirmed = Signal()
    rejected = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("idConfirm")
        self.setAccessibleName("What was read from the ID")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(10, 6, 10, 6)
        layout = QVBoxLayout()
        layout.setSpacing(2)
        outer.addLayout(layout, 1)
        self.name = QLabel()
        self.name.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.name.setAccessibleName("Name on the ID")
        self.name.setWordWrap(True)
        layout.addWidget(self.name)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("ID details")
        layout.addWidget(self.summary)
        self.warnings = QLabel()
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.warnings.setWordWrap(True)
        self.warnings.setAccessibleName("ID warnings")
        layout.addWidget(self.warnings)
        self.repairs = QLabel()
        self.repairs.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.repairs.setAccessibleName("Repairs made to the scan")
        layout.addWidget(self.repairs)
        buttons = QVBoxLayout()
        self.ok_button = QPushButton("Looks right")
        self.ok_button.setAccessibleName("ID details look right")
        self.manual_button = QPushButton("Type instead")
        self.manual_button.setAccessibleName("Wrong: type the visitor's details instead")
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.manual_button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        self.ok_button.clicked.connect(self.on_ok_clicked)
        self.manual_button.clicked.connect(self.on_manual_clicked)
        self.record: IdRecord | None = None
        self.hide()  # styled when first shown (_style): hidden until the first scan

    def _style(self) -> None:
        """The panel's look, set when it is first shown: Qt builds a style-sheet style for a widget given a sheet,
        and for each of its children, which a desk that never scans an ID need not pay at start (issue 13)."""
        self.setStyleSheet("#idConfirm { background: #f4f7fb; border: 1px solid #9db4cf; border-radius: 8px; }")
        self.name.setStyleSheet("font-size:14pt; font-weight:bold;")
        self.warnings.setStyleSheet("background:#fdecea; color:#8a0014; padding:4px; border-radius:4px;")
        self.repairs.setStyleSheet("color:#555555;")

    def show_record(self, record: IdRecord, today: date) -> list[str]:
        """Fill the panel from ``record`` and show it; returns the warnings it shows."""
        self.record = record
        name = " ".join(p for p in (record.first_name, record.middle_name, record.last_name, record.suffix) if p)
        age = record.age_on(today)
        born = f"{record.dob:%m/%d/%Y} (age {age})" if record.dob else "not readable"
        document = _DOCUMENTS.get(record.document or "", "ID")
        issuer = ", ".join(p for p in (record.jurisdiction, record.country) if p) or "unknown issuer"
        expires = f"{record.expires:%m/%d/%Y}" if record.expires else "—"
        ending = f" · no. …{record.id_last4}" if record.id_last4 else ""
        # Plain text: every word here came from a barcode, which anyone can print.
        self.name.setText(name)
        self.summary.setText(
            f"Born {born}{' · sex ' + record.sex if record.sex else ''}\n"
            f"{document}, {issuer} · expires {expires}{ending}"
        )
        from scanners.idcard import id_warnings

        warnings = id_warnings(record, today)
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings.setVisible(bool(warnings))
        repairs = [r for r in record.repairs if not r.startswith("postal code")]
        # One line, the full list on hover: the secretary needs to know the scan was mended, not how.
        text = f"Scan repaired ({len(repairs)}): " + "; ".join(repairs)
        metrics = self.repairs.fontMetrics()
        self.repairs.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(self.summary.width(), 320)))
        self.repairs.setToolTip("\n".join(repairs))
        self.repairs.setVisible(bool(repairs))
        if not self.styleSheet():
            self._style()
        self.show()
        return warnings

    def on_ok_clicked(self) -> None:
        self.hide()
        self.confirmed.emit()

    def on_manual_clicked(self) -> None:
        self.hide()
        self.rejected.emit()
