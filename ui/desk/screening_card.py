"""The match card: the visitor and a list entry side by side, the evidence, and the secretary's decision.

Shown inside the desk window (never a modal dialog). The wording is calm on purpose: the visitor may be
reading the screen across the counter, so the card says "please compare this record", not "BARRED"; the
kind of list is given in small type for the secretary.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.screening.models import Candidate, Query
from frontdesk.screening.population import commonness

PHOTO_SIZE = 100
_CARD_STYLE = (
    "QFrame#matchCard { background:#f4f6f9; border:1px solid #b8c4d6; border-radius:8px; }"
    " QLabel[role='head'] { font-weight:bold; color:#24364f; }"
    " QLabel[role='small'] { color:#4a5568; }"
)


def photo_label(data: bytes | None, what: str) -> QLabel:
    """A fixed-size photo, or a grey box saying there is none."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
    label.setFixedSize(PHOTO_SIZE, int(PHOTO_SIZE * 1.25))
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setAccessibleName(f"{what} photo")
    pixmap = QPixmap()
    if data and pixmap.loadFromData(data):
        label.setPixmap(
            pixmap.scaled(
                label.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )
    else:
        label.setText("No photo")
        label.setStyleSheet("background:#dde3ea; color:#4a5568; border-radius:4px;")
    return label


_SEX = {"M": "Male", "F": "Female", "X": "X"}


def _id_lines(sex: str, state: str, last4: str) -> list[str]:
    lines = [f"Sex: {_SEX.get(sex, sex)}"] if sex else []
    if state or last4:
        lines.append(f"ID: {state or 'issuer not known'}, ending {last4 or '(not known)'}")
    return lines


def _value(text: str, role: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        label.setProperty("role", role)
    return label


class MatchCard(QFrame):
    """One flagged entry next to the visitor, with "Not this person" and "Same person"."""

    dismissed = Signal(object, str)  # Candidate, reason
    confirmed = Signal(object, str)  # Candidate, reason

    def __init__(
        self,
        query: Query,
        candidate: Candidate,
        *,
        visitor_photo: bytes | None = None,
        entry_photo: bytes | None = None,
        position: tuple[int, int] = (1, 1),
        lists_age: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.query = query
        self.candidate = candidate
        self.setObjectName("matchCard")
        self.setStyleSheet(_CARD_STYLE)
        self.setAccessibleName("Record to compare")
        entry = candidate.entry
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 12, 14, 12)
        count = f"  ({position[0]} of {position[1]})" if position[1] > 1 else ""
        title = _value(f"Please compare this record before continuing{count}", "head")
        outer.addWidget(title)
        outer.addWidget(
            _value(
                "A name on one of the school's lists is similar to this visitor's. Most often it is someone "
                "else. Compare the details and photos, then choose.",
                "small",
            )
        )

        # Side by side: the visitor on the left, the list record on the right, each photo beside its details.
        sides = QGridLayout()
        sides.setHorizontalSpacing(12)
        sides.addWidget(_value("Visitor", "head"), 0, 0, 1, 2)
        sides.addWidget(_value("List record", "head"), 0, 2, 1, 2)
        sides.addWidget(photo_label(visitor_photo, "Visitor"), 1, 0, Qt.AlignmentFlag.AlignTop)
        visitor_name = " ".join(p for p in (query.first_name, query.middle_name, query.last_name) if p)
        visitor_lines = [visitor_name, f"Born {query.dob.text or 'not given'}"]
        visitor_lines += _id_lines(query.sex, query.id_state, query.id_last4)
        self.visitor_details = _value("\n".join(visitor_lines))
        sides.addWidget(self.visitor_details, 1, 1, Qt.AlignmentFlag.AlignTop)
        sides.addWidget(photo_label(entry_photo, "List record"), 1, 2, Qt.AlignmentFlag.AlignTop)
        lines = [entry.full_name, f"Born {entry.dob.text or 'not known'}"]
        lines += _id_lines(entry.sex, entry.id_state, entry.id_last4)
        if entry.aliases:
            lines.append("Also known as " + "; ".join(entry.aliases))
        lines.append(f"{entry.kind.label} · {entry.source}")
        if entry.reason:
            lines.append(entry.reason)
        if entry.students:
            lines.append("Students named: " + ", ".join(entry.students))
        self.entry_details = _value("\n".join(lines))
        sides.addWidget(self.entry_details, 1, 3, Qt.AlignmentFlag.AlignTop)
        sides.setColumnStretch(1, 1)
        sides.setColumnStretch(3, 2)
        outer.addLayout(sides)

        outer.addWidget(_value(f"Why this record was found (score {candidate.score:.2f}):", "head"))
        self.evidence = _value("\n".join(f"• {e.field}: {e.words}" for e in candidate.evidence))
        self.evidence.setAccessibleName("Evidence")
        outer.addWidget(self.evidence)
        # The district copy screened against is old (the desk has not reached the district hub for a while).
        self.lists_age = _value(lists_age, "head")
        self.lists_age.setObjectName("listsAge")
        self.lists_age.setAccessibleName("How old the district lists are")
        self.lists_age.setVisible(bool(lists_age))
        outer.addWidget(self.lists_age)
        # How likely a stranger carries this name: the US Census and SSA tables, in words.
        people = commonness(query.first_name, query.last_name, query.sex)
        self.how_common = _value(f"How common the visitor's name is: {people.words}.", "small")
        self.how_common.setAccessibleName("How common the name is")
        outer.addWidget(self.how_common)
        if not query.dob.known:
            listed = f" (the list gives {entry.dob.text})" if entry.dob.known else ""
            words = f"No date of birth was given: ask the visitor for at least the year of birth{listed}."
            ask = _value(words, "head")
            ask.setAccessibleName("Ask for the year of birth")
            outer.addWidget(ask)

        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Reason (needed for 'Not this person'), e.g. different photo, ID checked")
        self.reason.setAccessibleName("Reason for the decision")
        outer.addWidget(self.reason)
        buttons = QHBoxLayout()
        self.not_this_person = QPushButton("Not this person")
        self.not_this_person.setAccessibleName("Not this person")
        self.same_person = QPushButton("Same person")
        self.same_person.setAccessibleName("Same person")
        for button in (self.not_this_person, self.same_person):
            button.setMinimumHeight(40)
            buttons.addWidget(button)
        outer.addLayout(buttons)
        self.hint = _value("", "small")
        outer.addWidget(self.hint)
        self.not_this_person.clicked.connect(self.on_not_this_person_clicked)
        self.same_person.clicked.connect(self.on_same_person_clicked)

    @Slot()
    def on_not_this_person_clicked(self) -> None:
        """Dismiss, once a reason is given."""
        reason = self.reason.text().strip()
        if not reason:
            self.hint.setText("Type a short reason first (for example: different photo, ID checked).")
            self.reason.setFocus()
        # Without a reason too: the core refuses it and the desk's message line says why.
        self.dismissed.emit(self.candidate, reason)

    @Slot()
    def on_same_person_clicked(self) -> None:
        """Confirm that the visitor is the person on the list."""
        self.confirmed.emit(self.candidate, self.reason.text().strip())
