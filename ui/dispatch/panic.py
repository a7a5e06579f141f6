"""The panic control of the front-desk window: hold to send, the exact delivery status, details after.

- :class:`HoldButton` sends only after being held ``hold_ms`` (about 1.5 s): no dialog before sending, no
  sound on this PC (the alarm is silent at the source).
- :class:`PanicPanel` is always visible: the hold button (default LOCKDOWN), a menu of the other actions,
  a DRILL switch, the status of the current incident (queued → received → acknowledged, or the red
  NOT DELIVERED with the school's numbers), a field for details sent as updates, and the all clear.
- :class:`DispatchBanners` shows the persistent "link is DOWN" banner and the check-in freeze banner with
  its one-action roster print.

Widgets call :class:`~frontdesk.dispatch.station.StationService` and listen to the
:class:`~ui.dispatch.dispatch_worker.DispatchWorker`'s signals; they never see the database or the network.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk import clock
from frontdesk.dispatch.link import LinkHealth
from frontdesk.dispatch.outbox import OutboxEntry, SchoolState
from frontdesk.dispatch.status import INSECURE_LINK, LINK_DOWN
from frontdesk.errors import FrontDeskError
from frontdesk.wire import cap
from ui.asking import keep_live
from ui.dispatch.dispatch_worker import DispatchWorker
from ui.input_watch import InputWatch
from ui.plain import plain_tip

# Colours per delivery level: background, text.
LEVEL_COLOURS = {
    "sending": ("#fff3cd", "#5c4400"),
    "received": ("#d4edda", "#114d1f"),
    "late": ("#d4edda", "#114d1f"),
    "acknowledged": ("#1e7e34", "#ffffff"),
    "not_delivered": ("#c62828", "#ffffff"),
    "rejected": ("#c62828", "#ffffff"),
    "expired": ("#e0e0e0", "#333333"),
    "idle": ("#f5f5f5", "#333333"),
}
CLEARED_SHOWN_FOR = 600  # seconds an incident stays on screen after its all clear reached dispatch
# Under the headline, an incident's newest messages are listed, and any older one dispatch does not have (an
# older one it has is counted in a last line): the states that mean dispatch has it.
LISTED = 4
SETTLED = frozenset({"received", "acknowledged", "late"})
MENU_ORDER = ("LOCKDOWN", "SECURE", "HOLD", "EVACUATE", "SHELTER", "MEDICAL", "FIRE", "STAFF_ASSIST")


def message_label(message: OutboxEntry) -> str:
    """What one message of an incident was, in the panel's words: its own alert, an update or the all clear."""
    if message.msg_type == "Alert":
        return cap.ACTIONS[message.action].label.upper()
    return {"Update": "Update", "Cancel": "ALL CLEAR"}.get(message.msg_type, message.msg_type)


class HoldButton(QPushButton):
    """A button that emits ``held`` once it has been held down for ``hold_ms``; a shorter press does nothing."""

    held = Signal()
    progress_changed = Signal(float)

    def __init__(self, text: str, hold_ms: int = 1500, parent: QWidget | None = None):
        # parent by keyword: (text, parent) by position also matches QPushButton(QIcon, text), and PySide6 then
        # builds QIcon's type to try the text as an icon's file name (its ~150 theme-icon enum members, before the
        # first paint, for nothing: issue 13).
        super().__init__(text, parent=parent)
        self.hold_ms = hold_ms
        self._clock = QElapsedTimer()
        self._tick = QTimer(self)
        self._tick.setInterval(30)
        self._tick.timeout.connect(self.on_tick)
        self._fired = False
        self.progress = 0.0
        self.setMinimumHeight(64)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.pressed.connect(self.on_pressed)
        self.released.connect(self.on_released)
        self._paint()

    @Slot()
    def on_pressed(self) -> None:
        self._fired = False
        self._clock.start()
        self._tick.start()

    @Slot()
    def on_released(self) -> None:
        self._tick.stop()
        self._set_progress(0.0)

    @Slot()
    def on_tick(self) -> None:
        fraction = min(1.0, self._clock.elapsed() / max(1, self.hold_ms))
        self._set_progress(fraction)
        if fraction >= 1.0 and not self._fired:
            self._fired = True
            self._tick.stop()
            self.held.emit()

    def _set_progress(self, fraction: float) -> None:
        if fraction != self.progress:
            self.progress = fraction
            self._paint()
            self.progress_changed.emit(fraction)

    def _paint(self) -> None:
        stop = max(0.0, min(0.999, self.progress))
        fill = (
            f"qlineargradient(x1:0, y1:0, x2:1, y2:0, stop:0 #6d0000, stop:{stop:.3f} #6d0000, "
            f"stop:{stop + 0.001:.3f} #d32f2f, stop:1 #d32f2f)"
            if self.progress > 0
            else "#d32f2f"
        )
        self.setStyleSheet(
            f"QPushButton {{ background: {fill}; color: white; font-size: 20px; font-weight: bold; "
            "border: 3px solid #8e0000; border-radius: 10px; padding: 8px; }"
        )


def _key_of(sequence: QKeySequence) -> tuple[Qt.Key, Qt.KeyboardModifier]:
    """The hot-key's key and modifiers (its first combination), as a key event gives them."""
    combination = sequence[0]
    return combination.key(), combination.keyboardModifiers()


class HeldHotkey(QObject):
    """An application-wide key that works like holding the panic button: down starts, up cancels (through the
    desk's one input filter, :class:`ui.input_watch.InputWatch`)."""

    def __init__(self, sequence: QKeySequence, button: HoldButton):
        super().__init__(button)
        self._key, self._modifiers = _key_of(sequence)
        self._button = button
        self._down = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or not isinstance(event, QKeyEvent):
            return False
        if event.key() != self._key:
            return False
        if event.isAutoRepeat():
            return self._down  # a held key repeats: keep holding
        if kind == QEvent.Type.KeyPress:
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if modifiers != self._modifiers or self._down:
                return self._down
            self._down = True
            self._button.on_pressed()
            return True
        if self._down:  # released (modifiers may already be up): a short press sends nothing
            self._down = False
            self._button.on_released()
            return True
        return False


def _blocked_by_a_dialog(window: QWidget) -> bool:
    """True while a dialog modal to Qt keeps ``window`` from input: Qt then delivers none of its shortcuts, the
    panic hot-key among them, and its buttons take no click. (The desk's own dialogs are not modal to Qt since
    session 24, :mod:`ui.asking`; a dialog Qt opens by itself, such as a file dialog's own error box, still is.)"""
    from PySide6.QtWidgets import QApplication

    modal = QApplication.activeModalWidget()
    if modal is None or modal is window:
        return False
    if modal.windowModality() == Qt.WindowModality.ApplicationModal:
        return True
    parent = modal.parentWidget()
    return parent is not None and parent.window() is window.window()


class ModalHotkey(QObject):
    """The one-press hot-key while a dialog blocks the desk window (found in session 23).

    The hot-key is a ``QShortcut`` on the desk window, and Qt delivers no shortcut to a window a modal dialog
    blocks: with a question box up ("Remove the bar?", "End reunification?") or a file dialog from Review, the
    hot-key -- a foot switch, pressed when the secretary cannot be seen reaching for the screen -- did nothing,
    and said nothing. This filter (through the desk's one input filter, first, which follows the focus into the
    dialog) hears the same key there and sends as the shortcut would; without a dialog it leaves the key alone
    and the shortcut sends, so a press never sends twice. Since session 24 the desk's own dialogs are not modal to
    Qt (:mod:`ui.asking`) and the shortcut itself is heard while they wait; this stays for a dialog Qt makes
    modal by itself (a file dialog's own error box).
    """

    def __init__(self, sequence: QKeySequence, window: QWidget, fire: Callable[[], None]):
        super().__init__(window)
        self._key, self._modifiers = _key_of(sequence)
        self._window = window
        self._fire = fire

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent) or event.isAutoRepeat():
            return False
        if event.key() != self._key:
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier != self._modifiers:
            return False
        if not _blocked_by_a_dialog(self._window):
            return False  # the shortcut hears it
        self._fire()
        return True


class PanicPanel(QFrame):
    """The always-visible panic control and the status of the current incident."""

    sent = Signal(object)  # OutboxEntry, after it is committed (not yet delivered)
    admissions_frozen_changed = Signal(bool)

    def __init__(
        self,
        station,
        worker: DispatchWorker,
        *,
        hold_ms: int = 1500,
        role: Callable[[], str] = lambda: "",
        choice_ms: int = 120_000,
        code_ms: int = 60_000,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        # Another alert or Drill chosen and not sent within ``choice_ms`` goes back to a real LOCKDOWN: a choice
        # left over (a MEDICAL handled by phone) must not be what a real emergency's press, or the hot-key, sends.
        self._choice_timer = QTimer(self)
        self._choice_timer.setSingleShot(True)
        self._choice_timer.setInterval(choice_ms)
        self._choice_timer.timeout.connect(self.on_choice_expired)
        # An all-clear code typed and not sent within ``code_ms`` of its last key is wiped: left in the field
        # (masked, but whole) anyone at the desk could send an all clear with it later, for the next incident too.
        self._code_timer = QTimer(self)
        self._code_timer.setSingleShot(True)
        self._code_timer.setInterval(code_ms)
        self._code_timer.timeout.connect(self.on_code_expired)
        self._station = station
        self._worker = worker
        self._role = role
        self._action = cap.DEFAULT_ACTION
        self._incident: str | None = None
        self._shortcut: QShortcut | None = None
        self._modal_hotkey: ModalHotkey | None = None  # the same one-press hot-key while a dialog blocks the desk
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("panicPanel")

        self.hold_button = HoldButton("", hold_ms, self)
        self.hold_button.setObjectName("panicHoldButton")
        self.hold_button.setAccessibleName("Panic alert: hold to send")
        self.hold_button.held.connect(self.on_hold_completed)
        self.menu_button = QToolButton(self)
        self.menu_button.setText("Other alert ▾")
        self.menu_button.setAccessibleName("Choose another kind of alert")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_button.setMinimumHeight(44)  # with Drill under it, as tall as the hold button
        # The text's "▾" says it is a menu; the style's own small arrow in the corner drew a second one.
        self.menu_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        menu = QMenu(self.menu_button)
        for name in MENU_ORDER:
            act = menu.addAction(cap.ACTIONS[name].label)
            act.setData(name)
        menu.triggered.connect(self.on_menu_triggered)
        self.menu_button.setMenu(menu)
        self.drill_box = QCheckBox("Drill", self)
        self.drill_box.setToolTip("Send as a drill (CAP Exercise): marked DRILL here and at dispatch")
        self.drill_box.setAccessibleName("Send as a drill")
        self.drill_box.toggled.connect(self.on_drill_toggled)

        # The status of the current incident is its own box, so a window can show it apart from the button
        # (the front-desk window puts it with the banners, full width, where it cannot be missed).
        self.status_box = QFrame(self)
        self.status_box.setObjectName("panicStatusBox")
        self.status_label = QLabel(self.status_box)
        self.status_label.setObjectName("panicStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setMinimumHeight(48)
        self.history_label = QLabel(self.status_box)
        self.history_label.setWordWrap(True)
        self.history_label.setTextFormat(Qt.TextFormat.PlainText)
        self.details_edit = QLineEdit(self.status_box)
        self.details_edit.setPlaceholderText(
            "Details for dispatch (what is happening, where to go) — sent as an update"
        )
        self.details_edit.setAccessibleName("Details for dispatch")
        self.details_edit.returnPressed.connect(self.on_send_details)
        self.details_button = QPushButton("Send details", parent=self.status_box)
        self.details_button.setAccessibleName("Send details to dispatch")
        self.details_button.clicked.connect(self.on_send_details)
        self.all_clear_code = QLineEdit(self.status_box)
        self.all_clear_code.setEchoMode(QLineEdit.EchoMode.Password)
        self.all_clear_code.setPlaceholderText("Principal's or administrator's all-clear code (fdac_…)")
        self.all_clear_code.setAccessibleName("All-clear code")
        self.all_clear_code.textChanged.connect(self.on_code_changed)
        self.all_clear_button = QPushButton("All clear (principal / admin)", parent=self.status_box)
        self.all_clear_button.setAccessibleName("Send the all clear")
        self.all_clear_button.clicked.connect(self.on_all_clear)
        self.message_label = QLabel(self.status_box)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.message_label.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.hold_button, 1)
        side = QVBoxLayout()
        side.addWidget(self.menu_button)
        side.addWidget(self.drill_box)
        top.addLayout(side)
        details = QHBoxLayout()
        details.addWidget(self.details_edit, 1)
        details.addWidget(self.details_button)
        # No question (a box, a file dialog) holds the panic control, its status and its details (ui.asking).
        keep_live(
            self, in_sight=True
        )  # the button row and an alert's status: no dialog or side window opens over them
        keep_live(self.hold_button, self.menu_button, self.drill_box, first=True)  # ... and never over the button
        keep_live(self.status_box, in_sight=True)  # the alert's state, a banner over the desk: in sight too
        box = QVBoxLayout(self.status_box)
        box.setContentsMargins(0, 4, 0, 4)
        box.addWidget(self.status_label)
        box.addWidget(self.history_label)
        box.addLayout(details)
        clear_row = QHBoxLayout()
        clear_row.addWidget(self.all_clear_code, 1)
        clear_row.addWidget(self.all_clear_button)
        box.addLayout(clear_row)
        box.addWidget(self.message_label)
        self.status_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.status_box)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        worker.entry_changed.connect(self.on_entry_changed)
        worker.school_state_changed.connect(self.on_school_state_changed)
        # The red NOT DELIVERED is a matter of time passing, so the view is redrawn on a clock too.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(250)
        self._refresh_timer.timeout.connect(self.refresh)
        self._refresh_timer.start()
        latest = station.latest()
        if latest is not None and latest.cap_status != "Test" and (latest.pending or latest.state == "received"):
            self._incident = latest.incident
        self._update_button_text()
        self.refresh()

    # --- what the user does -------------------------------------------------------------------------
    def install_hotkey(self, window: QWidget, sequence: str, *, hold: bool = False) -> QObject | None:
        """The configurable hot-key (USB panic buttons are keyboards).

        By default the key sends at once: most USB panic buttons type one key press, which cannot be held,
        and the button is its own guard (a cover, a deliberate press). With ``hold`` (for buttons and foot
        switches that keep the key down while pressed) the key must be held like the on-screen button.
        """
        if not sequence.strip():
            return None
        if hold:
            self._shortcut = HeldHotkey(QKeySequence(sequence), self.hold_button)
            # Through the desk's one input filter (the focused window and widget), and keys sent to ``window``.
            # First: before the keyboard-wedge filter, which holds back keys no scanner sends during a scan.
            InputWatch.of().install(self._shortcut, also=window, first=True)
            return self._shortcut
        self._shortcut = QShortcut(QKeySequence(sequence), window)
        self._shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        self._shortcut.activated.connect(self.on_hold_completed)
        keep_live(self._shortcut)  # a question holds the window's other shortcuts, never this one (ui.asking)
        # And while a dialog blocks the window (Qt then delivers it no shortcut): the same press, heard first.
        self._modal_hotkey = ModalHotkey(QKeySequence(sequence), window, self._shortcut.activated.emit)
        InputWatch.of().install(self._modal_hotkey, also=window, first=True)
        return self._shortcut

    @Slot()
    def on_hold_completed(self) -> None:
        mode = "Exercise" if self.drill_box.isChecked() else "Actual"
        try:
            entry = self._station.press(self._action, mode=mode)
        except FrontDeskError as exc:
            self._say(exc.message)
            return
        self._worker.wake()
        self._incident = entry.incident
        self.message_label.setText("")
        self._action = cap.DEFAULT_ACTION  # the next press is a lockdown again unless chosen otherwise
        self._choice_timer.stop()
        if mode == "Exercise":
            # ... and real again: a Drill box left ticked after the morning's drill sent the afternoon's real
            # lockdown (button or hot-key) as a drill, shown at dispatch after every real alert. (The drill's
            # details and all clear follow its own mode, not the box.)
            self.drill_box.setChecked(False)
            self.message_label.setText("Drill sent. The next press is a REAL alert unless Drill is ticked again.")
        self._update_button_text()
        self.sent.emit(entry)
        self.refresh()
        self._announce_school_state()

    def _announce_school_state(self) -> None:
        # A press here changes the school's state too: tell every listener (banners, check-in) the same way
        # the district's pushes are told.
        self._worker.school_state_changed.emit(self._station.school_state())

    @Slot(object)
    def on_menu_triggered(self, action) -> None:
        self.choose_action(str(action.data()))

    def choose_action(self, name: str) -> None:
        """Pick what the hold button sends next (for ``choice_ms``: then a real LOCKDOWN again)."""
        self._action = name
        self._update_button_text()
        self._watch_choice()
        if cap.ACTIONS[name].needs:
            self._say(f"Hold to send {cap.ACTIONS[name].label}; add the {cap.ACTIONS[name].needs} after.")

    @Slot(bool)
    def on_drill_toggled(self, checked: bool) -> None:
        self._update_button_text()
        self._watch_choice()

    def _watch_choice(self) -> None:
        if self._action != cap.DEFAULT_ACTION or self.drill_box.isChecked():
            self._choice_timer.start()  # (again: the time counts from the last choice)
        else:
            self._choice_timer.stop()

    @Slot()
    def on_choice_expired(self) -> None:
        """The choice was not sent in time: back to a real LOCKDOWN, said on the panel."""
        chosen = ("DRILL " if self.drill_box.isChecked() else "") + cap.ACTIONS[self._action].label.upper()
        self._action = cap.DEFAULT_ACTION
        self.drill_box.setChecked(False)
        self._update_button_text()
        self._say(f"{chosen} was chosen and not sent: the button is back to a real LOCKDOWN.")

    @Slot()
    def on_send_details(self) -> None:
        text = self.details_edit.text().strip()
        head = self._head_alert()
        if not text or head is None:
            return
        needs = cap.ACTIONS[head.action].needs
        try:
            entry = self._station.update(
                head.identifier,
                note=text if not needs else "",
                location=text if needs == "location" else "",
                hazard=text if needs == "hazard" else "",
            )
        except FrontDeskError as exc:
            self._say(exc.message)
            return
        self._worker.wake()
        self.details_edit.clear()
        self.sent.emit(entry)
        self.refresh()

    @Slot()
    def on_all_clear(self) -> None:
        head = self._head_alert()
        mode = head.cap_status if head is not None else "Actual"
        code = self.all_clear_code.text().strip()
        if not code:
            self._say(
                "Type the principal's or administrator's all-clear code first: dispatch refuses one without it."
            )
            return
        try:
            entry = self._station.all_clear(role=self._role(), mode=mode, code=code)
        except FrontDeskError as exc:
            self._say(exc.message)
            return
        finally:
            self.all_clear_code.clear()  # the code is never kept, not even in the field
        self._worker.wake()
        self.sent.emit(entry)
        self.refresh()
        self._announce_school_state()

    @Slot(str)
    def on_code_changed(self, text: str) -> None:
        if text:
            self._code_timer.start()  # (again: the time counts from the last key)
        else:
            self._code_timer.stop()

    @Slot()
    def on_code_expired(self) -> None:
        """The code was not sent in time: wiped, and said."""
        self.all_clear_code.clear()
        self._say(
            "The all-clear code was wiped: it was not sent within a minute. Type it again to send the all clear."
        )

    def _say(self, text: str) -> None:
        self.message_label.setText(text)
        self.refresh()

    # --- what the link reports ----------------------------------------------------------------------
    @Slot(object)
    def on_entry_changed(self, entry: OutboxEntry) -> None:
        if entry.cap_status == "Test" and entry.incident != self._incident:
            return  # the daily Test runs by itself; it does not take over the status view
        if self._incident is None or entry.incident == self._incident:
            self._incident = entry.incident
            self.refresh()

    @Slot(object)
    def on_school_state_changed(self, state: SchoolState) -> None:
        self.admissions_frozen_changed.emit(state.admissions_frozen)

    # --- drawing ------------------------------------------------------------------------------------
    def _head_alert(self) -> OutboxEntry | None:
        if self._incident is None:
            return None
        messages = [m for m in self._station.incident_messages(self._incident) if m.msg_type == "Alert"]
        return messages[-1] if messages else None

    def _update_button_text(self) -> None:
        drill = "DRILL " if self.drill_box.isChecked() else ""
        seconds = self.hold_button.hold_ms / 1000
        label = cap.ACTIONS[self._action].label.upper()
        self.hold_button.setText(f"HOLD {seconds:g} s: {drill}{label}")

    @Slot()
    def refresh(self) -> None:
        """Redraw the status of the current incident (called on changes and four times a second)."""
        if self._incident is None:
            self._show_level("idle", "Panic alert: hold the red button. Dispatch is told at once, silently.")
            self.history_label.setText("")
            self.all_clear_button.setEnabled(False)
            return
        messages = self._station.incident_messages(self._incident)
        now = clock.now()
        cleared = [m.confirmed_at or m.acked_at for m in messages if m.msg_type == "Cancel" and not m.pending]
        if cleared and cleared[-1] and (now - cleared[-1]).total_seconds() > CLEARED_SHOWN_FOR:
            self._incident = None  # the all clear reached dispatch a while ago: back to the quiet state
            self.refresh()
            return
        after = self._worker.timings.not_delivered_after
        # Each message is shown as itself (its own action, status and time), the newest on top.
        statuses = [(m, self._station.status(m, now, after)) for m in reversed(messages)]
        # The headline: a message dispatch did not get (call 911), else the newest alert or all clear as
        # itself: a LOCKDOWN after a Staff assist headlines as LOCKDOWN, received or acknowledged.
        failed = [ms for ms in statuses if ms[1].level in ("not_delivered", "rejected")]
        heads = [ms for ms in statuses if ms[0].msg_type != "Update"] or statuses
        message, status = (failed or heads)[0]
        self._show_level(status.level, f"{message_label(message)}: {status.text}")
        # The newest few listed, and every older one dispatch does not have: a long incident's list grew under the
        # button without end, and the windows placed clear of it had no room left at 1366x768 (session 25).
        listed = [ms for i, ms in enumerate(statuses) if i < LISTED or ms[1].level not in SETTLED]
        lines = [
            f"{m.pressed_at.astimezone():%H:%M:%S}  {message_label(m)}"
            f"{' — ' + m.location if m.location else ''}{' — ' + m.note if m.note else ''}: {s.text}"
            for m, s in listed
        ]
        if hidden := len(statuses) - len(listed):
            lines.append(f"… and {hidden} earlier message{'s' if hidden > 1 else ''}, each received by dispatch")
        self.history_label.setText("\n".join(lines))
        self.all_clear_button.setEnabled(not any(m.msg_type == "Cancel" for m in messages))

    def _show_level(self, level: str, text: str) -> None:
        # Nothing to report (no incident, no message): the box folds away, the button stays.
        shown = level != "idle" or bool(self.message_label.text())
        background, colour = LEVEL_COLOURS[level]
        size = 20 if level in ("not_delivered", "rejected") else 15
        self.status_label.setText(text)
        self.status_label.setProperty("level", level)
        sheet = (
            f"QLabel {{ background: {background}; color: {colour}; font-size: {size}px; font-weight: bold; "
            "padding: 8px; border-radius: 6px; }"
        )
        # Styled when it is to be seen (a sheet costs Qt a style of its own: issue 13), and only when the level
        # changes: Qt re-polishes a label whose sheet is set again, even to the same text, and refresh is 4 Hz
        # for as long as an incident is shown.
        if shown and self.status_label.styleSheet() != sheet:
            self.status_label.setStyleSheet(sheet)
        self.status_box.setVisible(shown)

    @property
    def status_level(self) -> str:
        """The level the status shows now (for tests and screenshots)."""
        return str(self.status_label.property("level"))


class DispatchBanners(QWidget):
    """The persistent link-down banner and the SECURE / LOCKDOWN check-in freeze banner."""

    print_roster_requested = Signal()

    def __init__(self, station, worker: DispatchWorker, parent: QWidget | None = None):
        super().__init__(parent)
        self._station = station
        self.link_banner = QLabel(self)
        self.link_banner.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.link_banner.setObjectName("linkDownBanner")  # styled when shown (on_health_changed, below)
        self.link_banner.setVisible(False)
        self.freeze_banner = QFrame(self)
        self.freeze_banner.setObjectName("lockdownBanner")  # styled when first shown (on_school_state_changed)
        self.freeze_label = QLabel(self.freeze_banner)
        self.freeze_label.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.print_button = QPushButton("Print roster", parent=self.freeze_banner)
        self.print_button.setMinimumHeight(40)
        self.print_button.setAccessibleName("Print the on-site roster")
        self.print_button.clicked.connect(self.print_roster_requested)
        row = QHBoxLayout(self.freeze_banner)
        row.addWidget(self.freeze_label, 1)
        row.addWidget(self.print_button)
        self.freeze_banner.setVisible(False)
        for widget in (self, self.link_banner, self.freeze_banner):
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.link_banner)
        layout.addWidget(self.freeze_banner)
        # The link's state and the roster stay at hand while a question waits, and no dialog or side window opens
        # over the banners (ui.asking).
        keep_live(self, in_sight=True)
        worker.health_changed.connect(self.on_health_changed)
        worker.school_state_changed.connect(self.on_school_state_changed)
        self.on_health_changed(worker.link.health)
        self.on_school_state_changed(station.school_state())

    @Slot(object)
    def on_health_changed(self, health: LinkHealth) -> None:
        numbers = self._station.emergency_numbers
        text = LINK_DOWN.format(numbers=numbers)
        if health.state == "not_connected":
            text = f"Panic link to dispatch is NOT SET UP — use the phone: {numbers}"
        warn_only = health.ok and health.insecure
        if warn_only:  # the link works, but in clear: a warning on every screen, not the red alarm
            text = INSECURE_LINK
        self.link_banner.setProperty("level", "warning" if warn_only else "error")
        shown = not health.ok or health.insecure
        if shown:  # styled when it is to be seen (a working link's banner is hidden: no sheet to build; issue 13)
            self.link_banner.setStyleSheet(
                "QLabel { background: %s; color: %s; font-size: 16px; font-weight: bold; padding: 6px; }"
                % (("#ffb300", "black") if warn_only else ("#b71c1c", "white"))
            )
        self.link_banner.setText(text)
        self.link_banner.setToolTip(plain_tip(health.reason))  # may quote the console's answer
        self.link_banner.setVisible(shown)

    @Slot(object)
    def on_school_state_changed(self, state: SchoolState) -> None:
        if state.admissions_frozen:
            by = " (set by the district)" if state.source == "district" else ""
            self.freeze_label.setText(f"{state.banner}{by}")
            if not self.freeze_banner.styleSheet():
                # Set here, not when built: Qt builds a style-sheet style for the banner and each child given a
                # sheet, which a desk that is not frozen need not pay at start (issue 13).
                self.freeze_banner.setStyleSheet("QFrame#lockdownBanner { background: #4a148c; }")
                self.freeze_label.setStyleSheet(
                    "QLabel { color: white; font-size: 22px; font-weight: bold; padding: 8px; }"
                )
        self.freeze_banner.setVisible(state.admissions_frozen)
