"""Tools > Email and text notifications: the administrator's recipients and the outbox's delivery states.

The top half lists who is told of what (adding, changing and removing go through
:class:`frontdesk.notifications.outbound.Outbound`, which checks the role and audits); the bottom half shows
the newest messages and what became of each (queued, sent, refused by the server, failed), with the
server's own words for the ones that did not go. "Send a test" queues a test to every recipient; the
desk's sender (:mod:`ui.notifications.notify_sender`) delivers it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.context import Services
from frontdesk.errors import FrontDeskError
from frontdesk.notifications.deliveries import Delivery
from frontdesk.notifications.outbound import EVENTS, Recipient
from frontdesk.settings import NOTIFY_SMS_PROVIDER
from ui.plain import ask_first
from ui.table_models import ItemTableModel
from ui.window_size import scrolling_body

EVENT_LABELS = {
    "match": "Barred / registry / custody match",
    "watch": "Watch-list visitor",
    "release-refused": "Student release refused",
    "panic": "Panic alert at this school",
    "desk-offline": "Desk offline over an hour",
    "checks-expiring": "Volunteer checks expiring",
    "daily-log": "Daily visitor log",
    "test": "Test",
}
# The recipients table's short words (the check boxes use the long ones).
EVENT_SHORT = {
    "match": "Match",
    "watch": "Watch",
    "release-refused": "Release refused",
    "panic": "Panic",
    "desk-offline": "Desk offline",
    "checks-expiring": "Checks expiring",
    "daily-log": "Daily log",
}
STATE_LABELS = {
    "queued": "Waiting to send",
    "sent": "Sent",
    "refused": "Refused by the server",
    "failed": "Failed",
}
_STATE_COLOURS = {"refused": "#fdecea", "failed": "#fdecea", "queued": "#fff4e5"}


ROLE_WORDS = {"principal": "Every principal", "admin": "Every district administrator", "desk": "Every front desk"}


def target_words(target: str) -> str:
    """``role:principal`` -> "Every principal (their accounts' email)"; an address stays itself."""
    kind, _, value = target.partition(":")
    if kind == "role" and value in ROLE_WORDS:
        return f"{ROLE_WORDS[value]} (from their accounts)"
    if kind == "account":
        return f"Account {value}"
    return target


def set_by(r: Recipient) -> str:
    """Whose rule it is, in words: the district's (locked or not), the school's, or the school's instead."""
    if r.origin == "district":
        return "District (locked)" if r.locked else "District"
    return "School, instead of the district's" if r.overrides else "School"


class RecipientsModel(ItemTableModel[Recipient]):
    """Who is told: address, name, email or text, the events, the district's or the school's."""

    HEADERS = ("Address", "Name", "By", "Set by", "Told of")

    def cells(self, r: Recipient) -> tuple[str, ...]:
        return (
            target_words(r.address),
            r.name,
            ("Email and text" if r.address.startswith(("role:", "account:")) else "Text") if r.sms else "Email",
            set_by(r),
            ", ".join(EVENT_SHORT.get(e, e) for e in r.events) or "Off at this school",
        )

    def tooltip(self, r: Recipient) -> str:
        return "\n".join(EVENT_LABELS.get(e, e) for e in r.events)


class DeliveriesModel(ItemTableModel[Delivery]):
    """The newest messages and their delivery state."""

    HEADERS = ("Time", "Event", "To", "State", "Tries", "Server said")

    def cells(self, d: Delivery) -> tuple[str, ...]:
        state = STATE_LABELS.get(d.state, d.state)
        if d.state == "sent" and d.sent_at is not None:
            state += f" {d.sent_at.astimezone():%H:%M}"
        if d.repeats:
            state += f" (+{d.repeats} grouped)"
        return (
            f"{d.created.astimezone():%m/%d %H:%M}",
            EVENT_LABELS.get(d.event, d.event),
            d.address,
            state,
            str(d.attempts),
            d.last_error,
        )

    def tooltip(self, d: Delivery) -> str:
        return f"{d.subject}\n\n{d.body}"

    def background(self, d: Delivery) -> QBrush | None:
        colour = _STATE_COLOURS.get(d.state)
        return QBrush(QColor(colour)) if colour else None


class OutboundWindow(QWidget):
    """Recipients (add, change, remove, test) and the outbox, refreshed every few seconds while open."""

    queued = Signal()  # something was queued (the sender is woken)

    def __init__(self, services: Services, parent: QWidget | None = None, poll_ms: int = 3000):
        super().__init__(parent, Qt.WindowType.Window)
        self.services = services
        self.setWindowTitle("Email and text notifications")
        self.setAccessibleName("Email and text notifications")
        self.resize(1200, 700)
        layout = QVBoxLayout(scrolling_body(self))  # scrolls in the room an alert leaves at 1366x768

        who = QGroupBox("Who is told")
        who_layout = QVBoxLayout(who)
        self.recipients = RecipientsModel()
        self.recipients_view = _table(self.recipients)
        who_layout.addWidget(self.recipients_view)
        form = QGridLayout()
        self.address = QLineEdit(
            placeholderText="principal@school.example, +15551234567 for texts, role:principal, account:j.rivera"
        )
        self.address.setAccessibleName("Address")
        self.name = QLineEdit(placeholderText="Name (for example: Officer Diaz, SRO)")
        self.name.setAccessibleName("Name")
        self.sms = QCheckBox("Texts")
        self.event_boxes = {e: QCheckBox(EVENT_LABELS[e]) for e in EVENTS}
        form.addWidget(QLabel("Address"), 0, 0)
        form.addWidget(self.address, 0, 1, 1, 2)
        form.addWidget(self.name, 0, 3, 1, 2)
        form.addWidget(self.sms, 0, 5)
        for i, box in enumerate(self.event_boxes.values()):
            form.addWidget(box, 1 + i // 4, 1 + i % 4)
        who_layout.addLayout(form)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add or change")
        self.add_button.clicked.connect(self.add_recipient)
        self.remove_button = QPushButton("Remove selected")
        self.remove_button.clicked.connect(self.remove_selected)
        self.test_button = QPushButton("Send a test to everyone")
        self.test_button.clicked.connect(self.send_test)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        for w in (self.add_button, self.remove_button, self.test_button):
            buttons.addWidget(w)
        buttons.addWidget(self.message, 1)
        who_layout.addLayout(buttons)
        self.recipients_view.clicked.connect(self.on_recipient_clicked)
        layout.addWidget(who, 3)

        sent = QGroupBox("What was sent")
        sent_layout = QVBoxLayout(sent)
        self.summary = QLabel("")
        sent_layout.addWidget(self.summary)
        self.deliveries = DeliveriesModel()
        self.deliveries_view = _table(self.deliveries)
        sent_layout.addWidget(self.deliveries_view)
        layout.addWidget(sent, 2)

        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.refresh)
        self.refresh()

    # --- slots --------------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        """Read the recipients and the newest messages again."""
        outbound = self.services.outbound
        self.recipients.set_items(outbound.recipients())
        self.deliveries.set_items(outbound.deliveries(200))
        pending, problems = outbound.pending(), len(outbound.problems())
        parts = [f"{pending} waiting to send"]
        if problems:
            parts.append(f"{problems} not delivered in the last day (see the Server said column)")
        # Twilio chosen where its client is absent (the installed desk leaves it out): said here, plainly. The
        # channels' module loads with the sender (after the first paint) or here, not with the desk's first screen.
        from frontdesk.notifications.channels import twilio_missing

        no_twilio = twilio_missing() if self.services.settings.get(NOTIFY_SMS_PROVIDER) == "twilio" else None
        if no_twilio:
            parts.append(no_twilio)
        self.summary.setText(" · ".join(parts))
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color:#b00020; font-weight:bold;" if problems or no_twilio else "")

    @Slot()
    def add_recipient(self) -> None:
        """Add (or change) the recipient in the form."""
        events = tuple(e for e, box in self.event_boxes.items() if box.isChecked())
        try:
            r = self.services.outbound.add(
                self.address.text(), events, name=self.name.text(), sms=self.sms.isChecked()
            )
        except FrontDeskError as exc:
            self._say(exc.message, error=True)
            return
        self._say(f"{r.address} is told of: {', '.join(EVENT_LABELS[e] for e in r.events)}.")
        self.refresh()

    def _sure_to_remove(self, r: Recipient) -> bool:
        """Ask before someone stops being told (one click beside Add or change did it); No by default."""
        who = f"{r.name}, {target_words(r.address)}," if r.name else target_words(r.address)
        told = "\n".join(f"  • {EVENT_LABELS.get(e, e)}" for e in r.events) or "  (nothing at this school)"
        return ask_first(
            self,
            "Stop telling them?",
            f"Stop telling {who} of:\n{told}\n\nFrom now on they get no email or text of these.",
        )

    @Slot()
    def remove_selected(self) -> None:
        """Remove the selected recipient."""
        rows = self.recipients_view.selectionModel().selectedRows()
        if not rows:
            self._say("Select a recipient first.", error=True)
            return
        chosen = self.recipients.item_at(rows[0].row())
        if not chosen.locked and not self._sure_to_remove(chosen):  # (a locked rule: the core says why not)
            self._say(f"Nothing changed: {target_words(chosen.address)} is still told.")
            return
        try:
            r = self.services.outbound.remove(chosen.address)
        except FrontDeskError as exc:
            self._say(exc.message, error=True)
            return
        if r.origin == "district":
            self._say(f"The district's rule for {target_words(r.address)} is switched off at this school.")
        elif r.overrides:
            self._say(f"Removed; the district's rule for {target_words(r.address)} applies again.")
        else:
            self._say(f"Removed {r.address}.")
        self.refresh()

    @Slot()
    def send_test(self) -> None:
        """Queue a test to every recipient; the sender delivers it."""
        try:
            n = self.services.outbound.queue_test()
        except FrontDeskError as exc:
            self._say(exc.message, error=True)
            return
        self._say(f"A test is on its way to {n} recipient{'s' if n != 1 else ''}: watch the list below.")
        self.queued.emit()
        self.refresh()

    @Slot()
    def on_recipient_clicked(self, index) -> None:
        """Fill the form with the clicked recipient (to change their events)."""
        r = self.recipients.item_at(index.row())
        self.address.setText(r.address)
        self.name.setText(r.name)
        self.sms.setChecked(r.sms)
        for e, box in self.event_boxes.items():
            box.setChecked(e in r.events)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._timer.start()
        self.refresh()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._timer.stop()
        super().hideEvent(event)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color:#b00020;" if error else "")


def _table(model) -> QTableView:
    view = QTableView()
    view.setTabKeyNavigation(False)  # Tab goes on to the next control; the arrows move in the table
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return view
