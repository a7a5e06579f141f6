"""The Students menu in the desk window, and the windows it opens (built by the composition root)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QKeySequence

from frontdesk.access.roles import Action
from frontdesk.context import Services
from frontdesk.errors import FrontDeskError
from frontdesk.text import count
from ui.asking import open_file_name, save_file_name, show_clear
from ui.tasks import run_task

# QFileDialog (by ui.asking) and QProgressDialog are imported where a file is chosen or a roster read: naming a Qt
# class makes PySide6 build its type and enums, and the menu is built before the desk's first paint (~5 M
# instructions).

if TYPE_CHECKING:  # each window is imported when first opened (not before the desk's first paint)
    from ui.students.pickup_window import PickupWindow
    from ui.students.reunify_board import ReunifyBoard
    from ui.students.students_window import StudentsWindow


class StudentsDesk(QObject):
    """The Students menu; opens the students window (F6), the reunification board (F7), the pick-up lists
    (F8), the reunification's exports and the roster import.

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
        self.pickup_window: PickupWindow | None = None
        self.locked = False  # while the desk is locked, no student is signed in or out from here
        self.menu = window.add_menu("S&tudents")
        self.menu.addAction("Late arrival or early &dismissal…", QKeySequence("F6"), self.open_students)
        self.menu.addAction("&Reunification board…", QKeySequence("F7"), self.open_board)
        self.menu.addAction("&Pick-up lists…", QKeySequence("F8"), self.open_pickups)
        self.menu.addSeparator()
        self.menu.addAction("E&xport the reunification (CSV)…", self.choose_export)
        self.menu.addAction("Reunification record for the school's &desk…", self.choose_record)
        self.menu.addAction("&Merge a reunification laptop's record…", self.choose_merge)
        self.menu.addSeparator()
        self.menu.addAction("&Import roster (OneRoster)…", self.choose_bundle)

    @Slot()
    def on_locked(self) -> None:
        """The desk locked: hide the students windows (they open again after someone signs in)."""
        self.locked = True
        for w in (self.students_window, self.board, self.pickup_window):
            if w is not None:
                w.hide()

    @Slot(object)
    def on_unlocked(self, _actor) -> None:
        """Someone signed in: the Students menu works again."""
        self.locked = False

    def _refused_while_locked(self) -> bool:
        if self.locked:
            self.window.message.show_message("Sign in first: the desk is locked.", "warning")
        return self.locked

    @Slot()
    def open_students(self) -> StudentsWindow | None:
        """Show (or raise) the students window, the cursor in its find box (not while the desk is locked)."""
        if self.locked:
            self.window.message.show_message("Sign in first: the desk is locked.", "warning")
            return None
        if self.students_window is None:
            from ui.students.students_window import StudentsWindow

            self.students_window = StudentsWindow(self.services)
            self.students_window.slip_ready.connect(self.on_slip_ready)
            self.students_window.release_refused.connect(self.release_refused)
            self.window.destroyed.connect(self.students_window.close)
        show_clear(self.students_window)
        self.students_window.finder.focus()
        return self.students_window

    @Slot()
    def open_board(self) -> ReunifyBoard | None:
        """Show (or raise) the reunification board (not while the desk is locked)."""
        if self.locked:
            self.window.message.show_message("Sign in first: the desk is locked.", "warning")
            return None
        if self.board is None:
            from ui.students.reunify_board import ReunifyBoard

            self.board = ReunifyBoard(self.services)
            self.board.slip_ready.connect(self.on_slip_ready)
            self.board.changed.connect(self.on_board_changed)
            self.window.destroyed.connect(self.board.close)
        show_clear(self.board)
        return self.board

    @Slot()
    def on_pickups_changed(self) -> None:
        """Pick-up lists changed who may pick up: the students window (made before or after) shows it, so it
        never says that an adult stopped a minute ago "may pick up today"."""
        if self.students_window is not None:
            self.students_window.on_pickups_changed()

    @Slot()
    def on_board_changed(self) -> None:
        """The board released or took back a student: the students window's lists say so (whichever was made
        first; before, only a board made after the students window told it)."""
        if self.students_window is not None:
            self.students_window.refresh_lists()

    @Slot()
    def open_pickups(self) -> PickupWindow | None:
        """Show (or raise) the pick-up lists, the cursor in its find box (not while the desk is locked)."""
        if self.locked:
            self.window.message.show_message("Sign in first: the desk is locked.", "warning")
            return None
        if self.pickup_window is None:
            from ui.students.pickup_window import PickupWindow

            self.pickup_window = PickupWindow(self.services)
            self.pickup_window.changed.connect(self.on_pickups_changed)
            self.window.destroyed.connect(self.pickup_window.close)
        show_clear(self.pickup_window)
        self.pickup_window.finder.focus()
        return self.pickup_window

    # --- the reunification's record, afterwards -----------------------------------------------------------
    @Slot()
    def choose_export(self) -> None:
        """Ask where to write the reunification's CSV, then write it."""
        if self._refused_while_locked():
            return
        path = self._may_export() and self._save_path(
            "Export the reunification", "reunification.csv", "CSV (*.csv)"
        )
        if path:
            self.export_reunification(path)

    @Slot()
    def choose_record(self) -> None:
        """Ask where to write the reunification laptop's record, then write it."""
        if self._refused_while_locked():
            return
        path = self._may_export() and self._save_path(
            "Reunification record for the school's desk", "reunification-record.json", "JSON (*.json)"
        )
        if path:
            self.write_reunification_record(path)

    @Slot()
    def choose_merge(self) -> None:
        """Ask for a reunification laptop's record, then merge it."""
        if self._refused_while_locked():
            return
        name = open_file_name(self.window, "A reunification laptop's record", "Reunification record (*.json)")
        if name:
            self.merge_reunification_record(Path(name))

    def export_reunification(self, path: Path) -> bool:
        """Every request of the running (else the last) reunification as CSV (principals and administrators)."""
        return self._may_export() and self._file_step(
            lambda: _write(path, self.services.reunification.export_csv),
            lambda n: f"{count(n, 'reunification request')} written to {path}.",
        )

    def write_reunification_record(self, path: Path) -> bool:
        """On the reunification site's laptop: what was recorded here, as a file for the school's desk."""
        return self._may_export() and self._file_step(
            lambda: _write(path, self.services.reunification.export_record),
            lambda n: f"{count(n, 'request')} written to {path}: take it to the school's desk and merge it there.",
        )

    def merge_reunification_record(self, path: Path) -> bool:
        """At the school's desk: bring a reunification laptop's record into this desk's record."""

        def said(report) -> str:
            unknown = report.unknown_students
            return (
                f"Reunification record merged: {report.requests} requests ({report.released} released), "
                f"{report.known} already here"
                + (f", {len(unknown)} students this desk does not know." if unknown else ".")
            )

        merged = []

        def merge():
            report = self.services.reunification.merge_record(path)
            merged.append(report)
            return report

        done = self._file_step(merge, said)
        if done and merged[0].not_today:
            # Released there at a time that is not today here (a laptop whose clock was wrong, or a record merged a
            # day late): not signed out today, so on today's roster as in the building. The office checks them.
            self.window.message.show_message(
                f"{said(merged[0])} {self._names(merged[0].not_today)}: released at the reunification site with "
                "another day's time, so NOT signed out today here (the laptop's clock?). Check where they are.",
                "warning",
            )
        if done and self.students_window is not None:
            self.students_window.refresh_lists()  # merged releases are off the roster
        return done

    def _names(self, refs) -> str:
        """Students' names for the office (their sourcedIds where the desk does not know them)."""
        names = []
        for ref in refs:
            try:
                names.append(self.services.students.get(ref).full_name)
            except FrontDeskError:
                names.append(ref)
        return ", ".join(names)

    def _may_export(self) -> bool:
        if self.services.session.may(Action.EXPORT):
            return True
        self.window.message.show_message("This needs a principal or administrator.", "error")
        return False

    def _save_path(self, title: str, suggested: str, kinds: str) -> Path | None:
        name = save_file_name(self.window, title, suggested, kinds)
        return Path(name) if name else None

    def _file_step(self, work: Callable[[], object], said: Callable[[object], str]) -> bool:
        """Run one export or merge; its outcome goes on the window's message line."""
        try:
            result = work()
        except (FrontDeskError, OSError) as exc:
            self.window.message.show_message(exc.message if isinstance(exc, FrontDeskError) else str(exc), "error")
            return False
        self.window.message.show_message(said(result), "success")
        return True

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
        if self._refused_while_locked():
            return
        if not self.services.session.may(Action.IMPORT_SIS):
            self.window.message.show_message("Importing the roster needs a principal or administrator.", "error")
            return
        path = open_file_name(self.window, "OneRoster bundle", "OneRoster bundle (*.zip)")
        if path:
            self.import_bundle(Path(path))

    def import_bundle(self, path: Path, on_done: Callable[[object, BaseException | None], None] | None = None):
        """Import on a worker thread with a progress dialog; the result goes on the window's message line."""
        from PySide6.QtWidgets import QProgressDialog

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


def _write(path: Path, write: Callable) -> object:
    with open(path, "w", newline="", encoding="utf-8") as out:
        return write(out)
