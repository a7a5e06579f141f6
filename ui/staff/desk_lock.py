"""Who is at the desk: lock after inactivity, quick switching, and the staff menu of the front-desk window.

While locked, the form and the big entry are replaced by the sign-in panel; the "On site now" list and the
panic area (with the emergency roster button) stay usable. The review window opens from here for those
whose role allows it. :func:`wire_staff` does all of it to a built :class:`ui.desk.main_window.MainWindow`.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from frontdesk.access.roles import Action
from frontdesk.context import Services
from frontdesk.errors import FrontDeskError
from frontdesk.settings import LOCK_AFTER_MINUTES
from ui.asking import keep_live, show_clear, waiting
from ui.input_watch import InputWatch
from ui.staff.sign_in import SignInPanel
from ui.status_text import StatusText
from ui.tasks import run_task

if TYPE_CHECKING:
    from ui.roster_print import Sender

RECHECK_MS = 30_000  # how often the window reads the signed-in account again (ms)

_INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class InactivityWatch(QObject):
    """Emits ``idle`` once no key, mouse or touch input has reached the application (its focused window and
    widget: :class:`ui.input_watch.InputWatch`) for ``timeout_ms``."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.idle)
        InputWatch.of().install(self)
        self._timer.start()

    def set_timeout(self, timeout_ms: int) -> None:
        """Change the delay (0 turns locking off) and start counting again."""
        self._timer.setInterval(max(timeout_ms, 0))
        self.poke()

    def poke(self) -> None:
        """Someone did something: start counting again."""
        if self._timer.interval() > 0:
            self._timer.start()
        else:
            self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _INPUT_EVENTS:
            self.poke()
        return False


class DeskLock(QObject):
    """Locks and unlocks a front-desk window; opens the review window and prints the roster."""

    locked = Signal()
    unlocked = Signal(object)  # Actor
    account_dropped = Signal(str)  # why the signed-in account may no longer act (from any thread)

    def __init__(self, window, services: Services, *, roster_sender: Sender | None = None, hint: str = ""):
        super().__init__(window)
        self.window = window
        self.services = services
        # None: the PC's default printer. The roster's module (QUrl, QDesktopServices, and Qt's print support
        # when it prints) loads with the first roster, as the dialogs do, not on the way to the first paint.
        self.roster_sender = roster_sender
        self._roster_on_its_way = None  # the roster's PDF while the print queue has not answered
        self.is_locked = False
        self.review_window = None
        self.accounts_window = None
        # Locking covers the form's column with this panel (the window's own place for it); On site now,
        # check-out and the panic control stay where they are.
        # (What still works while locked is said on the message line, so the pad fits a laptop screen.)
        self.panel = QWidget()
        layout = QVBoxLayout(self.panel)
        layout.setContentsMargins(0, 0, 0, 0)
        self.sign_in = SignInPanel(services.accounts, "Sign in", hint)
        self.sign_in.signed_in.connect(self.on_signed_in)
        layout.addWidget(self.sign_in)
        window.add_form_cover(self.panel)
        self.who = StatusText()  # plain text: data from people, never markup
        self.who.setAccessibleName("Signed in")
        window.add_status_item(self.who)
        self.roster_button = QPushButton("Emergency roster")
        self.roster_button.setAccessibleName("Print the emergency roster")
        self.roster_button.setMinimumHeight(52)
        self.roster_button.clicked.connect(self.print_roster)
        window.panic_area.addWidget(self.roster_button)
        # Beside the panic button: no question holds it, and no dialog or side window opens over it (ui.asking).
        keep_live(self.roster_button, in_sight=True)
        menu = window.add_menu("&Staff")
        menu.addAction("&Lock / switch person", QKeySequence("Ctrl+Shift+L"), self.lock)
        menu.addAction("&Review visits and audit trail", QKeySequence("Ctrl+R"), self.open_review)
        menu.addAction("Print emergency &roster", QKeySequence("Ctrl+Shift+P"), self.print_roster)
        menu.addAction("Staff &accounts", self.open_accounts)
        minutes = services.settings.get(LOCK_AFTER_MINUTES)
        self.watch = InactivityWatch(int(minutes * 60_000), self)
        self.watch.idle.connect(self.on_idle)
        # An account disabled by another program (or changed outside FrontDesk) while signed in here is signed
        # out by the core at its next principal's action; the window locks then, instead of still naming it.
        self.account_dropped.connect(self.on_account_dropped)
        services.session.when_dropped(self._tell_dropped)
        # The desk's own verbs (check-in, a student signed out to a listed adult) do not read the account again:
        # every half minute the window does, so a desk account disabled meanwhile does not keep the desk open.
        self.recheck_timer = QTimer(self)
        self.recheck_timer.setInterval(RECHECK_MS)
        self.recheck_timer.timeout.connect(self.on_recheck)
        self.recheck_timer.start()
        self.show_who()

    # --- locking -----------------------------------------------------------------------------------------
    @Slot()
    def on_idle(self) -> None:
        # Also when nobody signed in (accounts were just created from set-up mode): idle means locked.
        if not self.is_locked and self.services.accounts.any_exist():
            self.lock()

    def _tell_dropped(self, _actor, why: str) -> None:
        try:
            self.account_dropped.emit(why)  # queued to the GUI thread when found on a worker's
        except RuntimeError:  # the window is gone (its services outlive it in tests and the demo)
            pass

    @Slot()
    def on_recheck(self) -> None:
        """Read the signed-in account again (a dropped one locks the desk through :meth:`on_account_dropped`)."""
        if not self.is_locked:
            try:
                self.services.session.recheck_now()
            except FrontDeskError:  # the database busy or gone for a moment: the next beat reads it again
                pass

    @Slot(str)
    def on_account_dropped(self, why: str) -> None:
        """Lock, and say why the person was signed out."""
        if not self.is_locked:
            self.lock()
        self.window.message.show_message(f"Locked: {why}", "error")

    @Slot()
    def lock(self) -> None:
        """Sign the person out and put the sign-in panel where the form was."""
        if not self.services.accounts.any_exist():
            self.window.message.show_message(
                "There are no staff accounts yet, so the desk cannot lock. Create them in Staff ▸ Staff accounts.",
                "warning",
            )
            return
        self.services.accounts.sign_out()
        # A question or dialog left open by the person who walked away (Expected guests, the badge printer's
        # settings, a list manager's "End this bar?", a file to import) is theirs: it closes, answered as Esc
        # answers it, so nothing is done from it at a desk nobody is signed in to.
        for dialog in reversed(waiting()):  # the newest first: a question over a file dialog, then it
            dialog.close()
        self.window.show_form_cover(self.panel)
        self.window.scan_entry.setEnabled(False)
        self.window.returning.hide()
        self.is_locked = True
        self.sign_in.reload()
        self.sign_in.focus()
        self.show_who()
        self.window.message.show_message(
            "Locked. Sign in with your PIN or password to check visitors in. On site now, check-out and the "
            "panic button keep working.",
            "info",
        )
        self.locked.emit()

    @Slot(object)
    def on_signed_in(self, actor) -> None:
        """Put the form back, signed in as ``actor`` (this is also how the person at the desk switches)."""
        self.window.show_form_cover(None)
        self.window.scan_entry.setEnabled(True)
        self.is_locked = False
        self.watch.poke()
        self.show_who()
        self.window.message.show_message(f"Signed in: {actor.display_name}. Ready for the next visitor.", "info")
        self.window.focus_scan_entry()
        self.unlocked.emit(actor)

    def show_who(self) -> None:
        """The status bar says who is signed in (or that the desk is locked)."""
        actor = self.services.session.actor
        # (Set-up mode is no one's role: its name says what it is.)
        text = f"{actor.display_name} ({actor.role.label})" if actor.signed_in else actor.display_name
        self.who.setText(f"Signed in: {text}" if not self.is_locked else "Locked")

    # --- principal's window and the roster ---------------------------------------------------------------
    @Slot()
    def open_review(self) -> None:
        """Open the review window when the signed-in role may review; say who may otherwise."""
        if not self.services.session.may(Action.REVIEW):
            self.window.message.show_message(
                "Reviewing visits is for principals and the district: sign in as one first (Staff ▸ Lock / "
                "switch person).",
                "warning",
            )
            return
        try:
            self.services.session.require(Action.REVIEW)  # the account as it stands now (disabled since?)
        except FrontDeskError as exc:
            self.window.message.show_message(exc.message, "error")
            return
        from ui.review.review_window import ReviewWindow

        if self.review_window is None:
            self.review_window = ReviewWindow(self.services, self.window)
            self.unlocked.connect(self.on_person_changed)
            self.locked.connect(self.on_person_changed)
        show_clear(self.review_window)

    @Slot()
    def open_accounts(self) -> None:
        """Open the staff accounts window (set-up mode, principals to look, administrators to change)."""
        if not self.services.session.may(Action.LIST_USERS):
            self.window.message.show_message(
                "Staff accounts are for the district administrator: sign in as one first.", "warning"
            )
            return
        try:
            self.services.session.require(Action.LIST_USERS)  # the account as it stands now
        except FrontDeskError as exc:
            self.window.message.show_message(exc.message, "error")
            return
        from ui.staff.accounts_window import AccountsWindow

        if self.accounts_window is None:
            self.accounts_window = AccountsWindow(
                self.services.accounts, self.window, outbound=self.services.outbound
            )
            self.unlocked.connect(self.on_person_changed)
            self.locked.connect(self.on_person_changed)
        self.accounts_window.refresh()
        show_clear(self.accounts_window)

    @Slot()
    def on_person_changed(self, *_args) -> None:
        # These windows belong to whoever opened them: they close when the person at the desk changes.
        if self.review_window is not None and not self.services.session.may(Action.REVIEW):
            self.review_window.close()
        if self.accounts_window is not None and not self.services.session.may(Action.LIST_USERS):
            self.accounts_window.close()

    @Slot()
    def print_roster(self) -> None:
        """Everyone on site now, printed in one action (or saved as a PDF and opened when no printer).

        The PDF is drawn here; the print queue gets it on the thread pool. Asking the OS for its default
        printer and handing it the file (``lp``) wait on the print server, up to 30 s when it has stopped
        answering: on the GUI thread that froze the window, and its panic button, exactly when the roster is
        wanted (it is on the lockdown banner). Found in session 23."""
        from ui.roster_print import draw_roster, send_to_default_printer

        if self._roster_on_its_way is not None:
            self.window.message.show_message(
                "The emergency roster is still being sent to the printer; "
                f"it is saved as {self._roster_on_its_way}.",
                "warning",
            )
            return
        try:
            path = draw_roster(self.services)
        except FrontDeskError as exc:
            self.window.message.show_message(exc.message, "error")
            return
        send = self.roster_sender or send_to_default_printer
        self._roster_on_its_way = path
        self.window.message.show_message("Sending the emergency roster to the printer …", "info")
        run_task(lambda: send(path), functools.partial(self.on_roster_sent, path))

    def on_roster_sent(self, path, printer: str | None, error: BaseException | None) -> None:
        """The print queue's answer (on the GUI thread): where the roster went, or why not."""
        from ui.roster_print import shown_if_unsent

        self._roster_on_its_way = None
        if error is not None:
            said = error.message if isinstance(error, FrontDeskError) else f"The roster was not sent ({error})"
            if str(path) not in said:
                said += f"; it is saved as {path}."
            self.window.message.show_message(said, "error")
            return
        self.window.message.show_message(f"Emergency roster sent to {shown_if_unsent(path, printer)}.", "success")


def wire_staff(window, services: Services, *, start_locked: bool = False, **kwargs) -> DeskLock:
    """Add sign-in, locking, the Staff menu, the roster button and the review window to a desk window.

    Once accounts exist the desk starts locked unless someone has just signed in (the administrator
    created on first run): a shared PC must not open as whoever used it last. ``start_locked`` forces it.
    """
    lock = DeskLock(window, services, **kwargs)
    if services.accounts.any_exist() and (start_locked or not services.session.actor.signed_in):
        lock.lock()
    return lock
