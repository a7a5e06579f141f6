"""The Students menu in the desk window, and the windows it opens (built by the composition root)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from frontdesk.access.roles import Action
from frontdesk.context import Services
from frontdesk.errors import FrontDeskError
from ui.students.reunify_board import ReunifyBoard
from ui.students.students_window import StudentsWindow
from ui.tasks import run_task


class StudentsDesk(QObject):
    """The Students menu; opens the students window (F6), the reunification board (F7) and the roster import.

    ``print_slip(slip, what)`` prints a rendered slip on the badge printer; the composition root passes the
    badge printing feature's, so this feature never reaches into another.
    """

    release_refused = Signal()  # a refused release notified someone (the notification bar refreshes)

    def __init__(self, window, services: Services, print_slip: Callable[[object, str], None]):
        super().__init__(window)
        self.window = window
        self.services = services
        self.print_slip = print_slip
        self.students_window: StudentsWindow | None = None
        self.board: ReunifyBoard | None = None
        self.locked = False  # while the desk is locked, no student is signed in or out from here
        self.menu = window.add_menu("S&tudents")
        self.menu.addAction("Late arrival or early &dismissal…", QKeySequence("F6"), self.open_students)
        self.menu.addAction("&Reunification board…", QKeySequence("F7"), self.open_board)
        self.menu.addSeparator()
        self.menu.addAction("&Import roster (OneRoster)…", self.choose_bundle)

    @Slot()
    def on_locked(self) -> None:
        """The desk locked: hide the students windows (they open again after someone signs in)."""
        self.locked = True
        for w in (self.students_window, self.board):
            if w is not None:
                w.hide()

    @Slot(object)
    def on_unlocked(self, _actor) -> None:
        """Someone signed in: the Students menu works again."""
        self.locked = False

    @Slot()
    def open_students(self) -> StudentsWindow | None:
        """Show (or raise) the students window, the cursor in its find box (not while the desk is locked)."""
        if self.locked:
            self.window.message.show_message("Sign in first: the desk is locked.", "warning")
            return None
        if self.students_window is None:
            self.students_window = StudentsWindow(self.services)
            self.students_window.slip_ready.connect(self.on_slip_ready)
            self.students_window.release_refused.connect(self.release_refused)
            self.window.destroyed.connect(self.students_window.close)
        self.students_window.show()
        self.students_window.raise_()
        self.students_window.activateWindow()
        self.students_window.focus_find()
        return self.students_window

    @Slot()
    def open_board(self) -> ReunifyBoard | None:
        """Show (or raise) the reunification board (not while the desk is locked)."""
        if self.locked:
            self.window.message.show_message("Sign in first: the desk is locked.", "warning")
            return None
        if self.board is None:
            self.board = ReunifyBoard(self.services)
            self.board.slip_ready.connect(self.on_slip_ready)
            self.window.destroyed.connect(self.board.close)
            if self.students_window is not None:
                self.board.changed.connect(self.students_window.refresh_lists)
        self.board.show()
        self.board.raise_()
        return self.board

    def claim_id(self, visitor) -> bool:
        """An ID was scanned: while the students window is in front, it is the adult at early dismissal."""
        w = self.students_window
        if w is None or not w.isVisible() or not w.isActiveWindow():
            return False
        w.use_adult_id(visitor)
        return True

    @Slot(object, str)
    def on_slip_ready(self, slip, what: str) -> None:
        """A window rendered a slip: print it on the badge printer."""
        self.print_slip(slip, what)

    @Slot(str, str, str)
    def on_slip_printed(self, what: str, outcome: str, message: str) -> None:
        """The badge printer's answer, shown beside the slip."""
        if self.students_window is not None:
            self.students_window.on_slip_printed(what, outcome, message)

    @Slot()
    def choose_bundle(self) -> None:
        """Pick a bundle (zip) and import it (principals and administrators)."""
        if not self.services.session.may(Action.IMPORT_SIS):
            self.window.message.show_message("Importing the roster needs a principal or administrator.", "error")
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "OneRoster bundle", "", "OneRoster bundle (*.zip)")
        if path:
            self.import_bundle(Path(path))

    def import_bundle(self, path: Path, on_done: Callable[[object, BaseException | None], None] | None = None):
        """Import on a worker thread with a progress dialog; the result goes on the window's message line."""
        progress = QProgressDialog("Reading the bundle …", None, 0, 0, self.window)
        progress.setWindowTitle("Importing the roster")
        progress.setMinimumDuration(300)

        def work():
            try:  # on the pool's thread, over that thread's own connection (closed when done)
                return self.services.students.import_bundle(path)
            finally:
                self.services.store.close()

        def done(result, error) -> None:
            progress.close()
            if error is not None:
                text = error.message if isinstance(error, FrontDeskError) else str(error)
                self.window.message.show_message(text, "error")
            else:
                self.window.message.show_message(
                    f"Roster imported: {result.students} students, {result.guardians} guardians, "
                    f"{result.staff} staff.",
                    "success",
                )
            if on_done is not None:
                on_done(result, error)

        run_task(work, done)
