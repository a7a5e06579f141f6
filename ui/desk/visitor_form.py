"""The visitor form: who is checking in, and where they are going."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QFormLayout, QLineEdit, QWidget

from frontdesk.models import Category, Visitor

if TYPE_CHECKING:  # the workflow is imported with the first check-in, not before the first paint
    from frontdesk.checkin.workflow import CheckInRequest

ID_TYPES = [("", "—"), ("DL", "Driver's licence"), ("ID", "ID card"), ("passport", "Passport"), ("other", "Other")]
PURPOSES = ["Meeting", "Volunteer", "Pick up student", "Drop off", "Delivery", "Repair / maintenance", "Event"]


def parse_dob(text: str, what: str = "date of birth", example: str = "02/03/1980") -> date | None:
    """A date of birth as typed at a desk: 1980-02-03, 02/03/1980, 2/3/1980 or 02031980 (US order); ``what`` and
    ``example`` name another date typed the same way (a pick-up authorisation's first day)."""
    text = text.strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        y, mo, d = m.groups()
    else:
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text) or re.fullmatch(
            r"(\d{2})(\d{2})(\d{4})", text
        )
        if not m:
            raise ValueError(f"Type the {what} like {example} (month/day/year)")
        mo, d, y = m.groups()
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        raise ValueError(f"{text} is not a real date") from None


def typed_dob(text: str, what: str = "date of birth", example: str = "02/03/1980") -> date | None:
    """:func:`parse_dob`, its complaint as an InputError (for the windows that show the core's errors: a
    student's release, the reunification board, the pick-up lists)."""
    from frontdesk.errors import InputError

    try:
        return parse_dob(text, what, example)
    except ValueError as exc:
        raise InputError(str(exc)) from None


class VisitorForm(QWidget):
    """Name, date of birth, ID, category, purpose, destination / host and a note."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._visitor_id: int | None = None
        self._filled_names: tuple[str, str] = ("", "")
        self._id_fields: dict[str, object] = {}
        layout = QFormLayout(self)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.first_name = self._line("First name", layout)
        self.middle_name = self._line("Middle name", layout)
        self.last_name = self._line("Last name", layout)
        self.dob = self._line("Date of birth", layout, "MM/DD/YYYY")
        self.id_type = QComboBox()
        for value, label in ID_TYPES:
            self.id_type.addItem(label, value)
        self.id_type.setAccessibleName("ID type")
        layout.addRow("ID type", self.id_type)
        self.id_issuer = self._line("ID issued by", layout, "State or province, e.g. VA")
        self.category = QComboBox()
        for cat in Category:
            self.category.addItem(cat.label, cat.value)
        self.category.setAccessibleName("Category")
        layout.addRow("Category", self.category)
        self.purpose = QComboBox()
        self.purpose.setEditable(True)
        self.purpose.addItems(["", *PURPOSES])
        self.purpose.setAccessibleName("Purpose of visit")
        layout.addRow("Purpose", self.purpose)
        self.destination = self._line("Going to (room or staff)", layout, "Start typing a name or room")
        self.note = self._line("Note", layout)

    def _line(self, label: str, layout: QFormLayout, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(label)
        edit.setPlaceholderText(placeholder)
        edit.textEdited.connect(self.changed)
        layout.addRow(label, edit)
        return edit

    def set_directory(self, labels: list[str]) -> None:
        """Offer the school's staff and rooms while typing the destination."""
        completer = QCompleter(labels, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.destination.setCompleter(completer)

    def fill(self, visitor: Visitor) -> None:
        """Put a visitor (returning, or just scanned) into the form; ID details are kept with it."""
        self._visitor_id = visitor.id
        self._filled_names = (visitor.first_name, visitor.last_name)
        self.first_name.setText(visitor.first_name)
        self.middle_name.setText(visitor.middle_name or "")
        self.last_name.setText(visitor.last_name)
        self.dob.setText(visitor.dob.strftime("%m/%d/%Y") if visitor.dob else "")
        index = self.id_type.findData(visitor.id_type or "")
        self.id_type.setCurrentIndex(max(index, 0))
        self.id_issuer.setText(visitor.id_issuer or "")
        self._id_fields = {
            "suffix": visitor.suffix,
            "id_expires": visitor.id_expires,
            "id_last4": visitor.id_last4,
            "photo": visitor.photo,
            "sex": visitor.sex,  # screening weighs it (issue 19); not shown, not stored
        }
        self.changed.emit()

    def set_photo(self, photo: bytes | None) -> None:
        """Keep the visitor's photo (taken at the desk) with the ID details, for the badge."""
        self._id_fields["photo"] = photo

    def set_visit_details(self, category: Category, purpose: str, destination: str) -> None:
        """Pre-fill category, purpose and destination (a returning visitor's last visit)."""
        self.category.setCurrentIndex(max(self.category.findData(category.value), 0))
        self.purpose.setEditText(purpose)
        self.destination.setText(destination)

    def clear(self) -> None:
        """Empty the form for the next visitor."""
        self._visitor_id = None
        self._id_fields = {}
        for edit in (
            self.first_name,
            self.middle_name,
            self.last_name,
            self.dob,
            self.id_issuer,
            self.destination,
            self.note,
        ):
            edit.clear()
        self.id_type.setCurrentIndex(0)
        self.category.setCurrentIndex(0)
        self.purpose.setCurrentIndex(0)
        self.purpose.setEditText("")
        self.changed.emit()

    def request(self) -> CheckInRequest:
        """What is in the form, checked; ValueError with a plain message if something is missing."""
        from frontdesk.checkin.workflow import CheckInRequest

        first, last = self.first_name.text().strip(), self.last_name.text().strip()
        if not first or not last:
            raise ValueError("Type the visitor's first and last name (or scan their ID)")
        dob = parse_dob(self.dob.text())
        # A returning visitor stays the same person only while their name is left as it was filled in.
        typed_same_person = self._visitor_id is not None and self._filled_names == (first, last)
        visitor = Visitor(
            id=self._visitor_id if typed_same_person else None,
            first_name=first,
            middle_name=self.middle_name.text().strip() or None,
            last_name=last,
            dob=dob,
            id_type=self.id_type.currentData() or None,
            id_issuer=self.id_issuer.text().strip().upper() or None,
            **self._id_fields,  # type: ignore[arg-type]
        )
        return CheckInRequest(
            visitor=visitor,
            category=Category(self.category.currentData()),
            purpose=self.purpose.currentText().strip(),
            destination=self.destination.text().strip(),
            note=self.note.text().strip(),
        )
