"""The banner of notifications for whoever is signed in at this window, each with an Acknowledge button.

It shows :meth:`frontdesk.notifications.service.Notifications.inbox` of the person signed in now: their
own unread notifications (a principal sees a confirmed barred match the moment they sign in), and the
unaddressed ones every desk shows (before any principal account exists). It looks every two seconds, so a
match confirmed at another desk on the same data appears without a restart; :func:`follow_sign_in` makes
it change at once when the person at the desk changes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from frontdesk.context import Services
from frontdesk.errors import FrontDeskError
from frontdesk.notifications.service import Notification
from ui.plain import plain_tip

_STYLE = {
    "urgent": "QFrame#note { background:#fdecea; border:2px solid #c62828; border-radius:6px; }",
    "warning": "QFrame#note { background:#fff4e5; border:1px solid #e0b26b; border-radius:6px; }",
    "info": "QFrame#note { background:#eef4fb; border:1px solid #90b4dd; border-radius:6px; }",
}


class NotificationBar(QFrame):
    """Unread notifications of the signed-in person (plus unaddressed ones), newest first."""

    changed = Signal(int)  # how many are shown
    acknowledged = Signal(object)  # Notification, as acknowledged

    def __init__(self, services: Services, parent: QWidget | None = None, poll_ms: int = 2000):
        super().__init__(parent)
        self.services = services
        self.setAccessibleName("Notifications")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.shown: list[Notification] = []
        self._reader: str | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.setVisible(False)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Show the signed-in person's unread notifications (only when something changed)."""
        actor = self.services.session.actor
        reader = actor.username if actor.signed_in else None
        unread = self.services.notifications.inbox()
        if reader == self._reader and [n.id for n in unread] == [n.id for n in self.shown]:
            return
        self._reader = reader
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for note in unread:
            self._layout.addWidget(self._row(note, actor.display_name))
        self.shown = unread
        self.setVisible(bool(unread))
        self.changed.emit(len(unread))

    def _row(self, note: Notification, reader_name: str) -> QFrame:
        row = QFrame()
        row.setObjectName("note")
        row.setStyleSheet(_STYLE.get(note.level, _STYLE["info"]))
        line = QHBoxLayout(row)
        addressee = reader_name if note.recipients else f"the {note.audience}"
        when = note.time.astimezone().strftime("%H:%M")
        text = QLabel(f"For {addressee}: {note.title} ({when}) — {note.body}")
        text.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        text.setWordWrap(True)
        text.setAccessibleName(f"Notification: {note.title}")
        line.addWidget(text, 1)
        ack = QPushButton("Acknowledge")
        ack.setAccessibleName(f"Acknowledge notification {note.id}")
        ack.setProperty("notification_id", note.id)
        ack.clicked.connect(self.on_acknowledge_clicked)
        line.addWidget(ack)
        return row

    @Slot()
    def on_acknowledge_clicked(self) -> None:
        """Acknowledge the clicked notification as the signed-in person (audited by the service)."""
        button = self.sender()
        try:
            note = self.services.notifications.acknowledge(int(button.property("notification_id")))
        except FrontDeskError as exc:  # e.g. the person changed between showing and clicking
            button.setToolTip(plain_tip(exc.message))
            self.refresh()
            return
        self.refresh()
        self.acknowledged.emit(note)

    @Slot()
    def on_person_changed(self, *_args) -> None:
        """Someone signed in, switched or locked the desk: show what is theirs now."""
        self.refresh()


def follow_sign_in(bar: NotificationBar, desk_lock) -> None:
    """Refresh ``bar`` the moment the person at the desk changes (``ui.staff.desk_lock.DeskLock`` signals)."""
    desk_lock.unlocked.connect(bar.on_person_changed)
    desk_lock.locked.connect(bar.on_person_changed)
