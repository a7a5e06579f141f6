"""The administrators' list screen: search, add, edit, expire, remove and import entries, source visible.

Imports run on the thread pool (``run_task``) with a progress bar; the import's progress callback runs on
the worker thread, so it only emits a signal of a relay object living in the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk import clock
from frontdesk.access.roles import Action
from frontdesk.context import Services
from frontdesk.errors import FrontDeskError
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.importer import ImportFailed, ImportReport
from frontdesk.screening.models import Entry, Kind, NewEntry
from frontdesk.text import count
from ui.asking import open_file_name
from ui.plain import ask_first
from ui.tasks import run_task
from ui.window_size import fit_to_screen, scrolling_body

Index = QModelIndex | QPersistentModelIndex


class EntryModel(QAbstractTableModel):
    """List entries: name, date of birth, kind, source, reason, in force until."""

    HEADERS = ("Name", "Also known as", "Born", "Kind", "Source", "Reason", "Until")

    def __init__(self) -> None:
        super().__init__()
        self._entries: list[Entry] = []

    def set_entries(self, entries: list[Entry]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entry_at(self, row: int) -> Entry:
        """The entry shown in ``row``."""
        return self._entries[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's names
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        e = self._entries[index.row()]
        return (
            e.full_name,
            "; ".join(e.aliases),
            e.dob.text or "unknown",
            e.kind.label,
            e.source,
            e.reason,
            e.valid_until.isoformat() if e.valid_until else "",
        )[index.column()]


class _ProgressRelay(QObject):
    """Lives in the GUI thread; the import's callback emits into it from the worker."""

    progressed = Signal(int, float)


class ListManager(QWidget):
    """Search, add, edit, expire, remove and import list entries."""

    import_finished = Signal(object, object)  # ImportReport | None, error | None

    def __init__(self, services: Services, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.services = services
        self.setWindowTitle("FrontDesk — barred, custody, watch and registry lists")
        fit_to_screen(self, 1100, 700)
        self._editing: Entry | None = None
        layout = QVBoxLayout(scrolling_body(self))  # scrolls in the room an alert leaves at 1366x768

        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names and aliases")
        self.search.setAccessibleName("Search lists")
        self.source_filter = QComboBox()
        self.source_filter.setAccessibleName("Show list")
        top.addWidget(self.search, 2)
        top.addWidget(self.source_filter, 1)
        layout.addLayout(top)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        layout.addWidget(self.summary)

        self.model = EntryModel()
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab goes on to the next control; the arrows move in the table
        self.table.setModel(self.model)
        self.table.setAccessibleName("List entries")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)

        actions = QHBoxLayout()
        self.edit_button = QPushButton("Edit selected")
        self.expire_button = QPushButton("Expire selected (from today)")
        self.remove_button = QPushButton("Remove selected")
        for b in (self.edit_button, self.expire_button, self.remove_button):
            b.setAccessibleName(b.text())
            actions.addWidget(b)
        layout.addLayout(actions)

        self.editor = QGroupBox("Add a person")
        # Two columns of fields, the person's (names, date, ID) and the entry's (kind, reason, …): one column
        # of thirteen rows left the table of entries three rows at a 1366x768 laptop.
        form = QGridLayout(self.editor)
        self.f_source = QComboBox()
        self.f_source.setEditable(True)
        self.f_first, self.f_middle, self.f_last = QLineEdit(), QLineEdit(), QLineEdit()
        self.f_dob, self.f_aliases, self.f_reason = QLineEdit(), QLineEdit(), QLineEdit()
        self.f_until, self.f_students, self.f_notes = QLineEdit(), QLineEdit(), QLineEdit()
        self.f_dob.setPlaceholderText("YYYY-MM-DD, YYYY, or empty")
        self.f_dob.setToolTip("YYYY-MM-DD, or just YYYY, or leave empty")
        self.f_aliases.setPlaceholderText("other names, separated by ;")
        self.f_students.setPlaceholderText("names, separated by ;")
        self.f_students.setToolTip("A custody order: the students not to release to this person, separated by ;")
        self.f_until.setPlaceholderText("YYYY-MM-DD, or empty")
        self.f_until.setToolTip("The last day the entry is in force; empty: no end")
        self.f_kind = QComboBox()
        for k in Kind:
            self.f_kind.addItem(k.label, k.value)
        # What the person's ID gives (a CSV's sex, id_state, id_last4): screening weighs it, and an edit made
        # here keeps it (before these fields, saving an edit wrote them empty).
        self.f_sex = QComboBox()
        for label, code in (("Not known", ""), ("Female", "F"), ("Male", "M"), ("X", "X")):
            self.f_sex.addItem(label, code)
        self.f_id_state, self.f_id_last4 = QLineEdit(), QLineEdit()
        self.f_id_state.setPlaceholderText("VA, or USA")
        self.f_id_last4.setPlaceholderText("last 4")
        self.f_id_state.setToolTip("A state or province (VA), or a passport's country (USA); empty if not known")
        self.f_id_last4.setToolTip("The last 4 of the ID's number (only those are kept)")
        self.f_id_last4.setFixedWidth(self.f_id_last4.fontMetrics().horizontalAdvance("last 4____"))
        id_row = QHBoxLayout()  # issuer and last 4 side by side, so the editor still fits a 1366x768 laptop
        id_row.addWidget(self.f_id_state, 1)
        id_row.addWidget(self.f_id_last4, 0)
        person = (
            ("List (source)", self.f_source),
            ("First name", self.f_first),
            ("Middle name", self.f_middle),
            ("Last name", self.f_last),
            ("Date of birth", self.f_dob),
            ("Sex", self.f_sex),
        )
        entry = (
            ("Also known as", self.f_aliases),
            ("ID: issuer, last 4", id_row),
            ("Kind", self.f_kind),
            ("Reason", self.f_reason),
            ("In force until", self.f_until),
            ("Students", self.f_students),
        )
        # Added column by column: Tab goes down the person's fields, then the entry's, then Notes.
        for column, rows in ((0, person), (2, entry)):
            for row, (label, field) in enumerate(rows):
                form.addWidget(QLabel(label), row, column)
                if isinstance(field, QHBoxLayout):
                    form.addLayout(field, row, column + 1)
                else:
                    field.setAccessibleName(label)
                    form.addWidget(field, row, column + 1)
        form.addWidget(QLabel("Notes"), len(person), 0)
        form.addWidget(self.f_notes, len(person), 1, 1, 3)
        self.f_notes.setAccessibleName("Notes")
        for column in (1, 3):
            form.setColumnStretch(column, 1)
        self.f_sex.setAccessibleName("Sex")
        self.f_id_state.setAccessibleName("ID issued by")
        self.f_id_last4.setAccessibleName("ID last 4")
        save_row = QHBoxLayout()
        self.save_button = QPushButton("Add to list")
        self.save_button.setAccessibleName("Save entry")
        self.cancel_button = QPushButton("New entry")
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.cancel_button)
        form.addLayout(save_row, len(person) + 1, 0, 1, 4)

        self.importer = QGroupBox("Import a CSV file")
        imp = QFormLayout(self.importer)
        self.i_path = QLineEdit()
        self.i_path.setAccessibleName("File to import")
        browse = QPushButton("Choose file…")
        path_row = QHBoxLayout()
        path_row.addWidget(self.i_path, 1)
        path_row.addWidget(browse)
        imp.addRow("File", path_row)
        self.i_source = QLineEdit()
        self.i_source.setAccessibleName("Import into list")
        imp.addRow("Into list (source)", self.i_source)
        self.i_kind = QComboBox()
        for k in Kind:
            self.i_kind.addItem(k.label, k.value)
        imp.addRow("Kind (rows without one)", self.i_kind)
        self.i_replace = QCheckBox("Replace the list's entries")
        imp.addRow(self.i_replace)
        self.import_button = QPushButton("Import")
        self.import_button.setAccessibleName("Start import")
        imp.addRow(self.import_button)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.setRange(0, 100)
        self.progress.hide()
        imp.addRow(self.progress)
        lower = QHBoxLayout()
        lower.addWidget(self.editor, 2)
        lower.addWidget(self.importer, 1)
        layout.addLayout(lower)
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.status.setWordWrap(True)
        self.status.setAccessibleName("List status")
        layout.addWidget(self.status)

        self._relay = _ProgressRelay(self)
        self._relay.progressed.connect(self.on_import_progressed)
        self.search.textChanged.connect(self.refresh)
        self.source_filter.currentIndexChanged.connect(self.refresh)
        self.edit_button.clicked.connect(self.on_edit_clicked)
        self.expire_button.clicked.connect(self.on_expire_clicked)
        self.remove_button.clicked.connect(self.on_remove_clicked)
        self.save_button.clicked.connect(self.on_save_clicked)
        self.cancel_button.clicked.connect(self.start_new)
        browse.clicked.connect(self.on_browse_clicked)
        self.import_button.clicked.connect(self.on_import_clicked)
        self.refresh()

    # --- list and search -----------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        """Reload the lists and the entries matching the search."""
        lists = self.services.lists.lists()
        current = self.source_filter.currentData()
        self.source_filter.blockSignals(True)
        self.source_filter.clear()
        self.source_filter.addItem("All lists", None)
        for x in lists:
            self.source_filter.addItem(f"{x.source} ({x.entry_count:,})", x.source)
        self.source_filter.setCurrentIndex(max(self.source_filter.findData(current), 0))
        self.source_filter.blockSignals(False)
        typed = self.f_source.currentText()
        self.f_source.clear()
        self.f_source.addItems([x.source for x in lists])
        self.f_source.setEditText(typed or (lists[0].source if lists else "School list"))
        entries = self.services.lists.search(
            self.search.text(), source=self.source_filter.currentData(), limit=500
        )
        self.model.set_entries(entries)
        total = sum(x.entry_count for x in lists)
        self.summary.setText(
            f"{count(len(lists), 'list')}, {total:,} {'entry' if total == 1 else 'entries'}; "
            f"showing {len(entries)} (newest first)."
        )

    def selected(self) -> Entry | None:
        """The entry selected in the table, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.entry_at(rows[0].row()) if rows else None

    def _need_selection(self) -> Entry | None:
        entry = self.selected()
        if entry is None:
            self.status.setText("Select an entry in the table first.")
        return entry

    # --- add / edit / expire / remove ---------------------------------------------------------------
    @Slot()
    def start_new(self) -> None:
        """Empty the editor for a new entry."""
        self._editing = None
        self.editor.setTitle("Add a person")
        self.save_button.setText("Add to list")
        self.f_source.setEnabled(True)
        for w in (
            self.f_first,
            self.f_middle,
            self.f_last,
            self.f_dob,
            self.f_aliases,
            self.f_reason,
            self.f_until,
            self.f_id_state,
            self.f_id_last4,
        ):
            w.clear()
        self.f_sex.setCurrentIndex(0)
        self.f_students.clear()
        self.f_notes.clear()

    @Slot()
    def on_edit_clicked(self) -> None:
        """Load the selected entry into the editor."""
        entry = self._need_selection()
        if entry is None:
            return
        self._editing = entry
        self.editor.setTitle(f"Edit entry {entry.id}")
        self.save_button.setText("Save changes")
        self.f_source.setEditText(entry.source)
        self.f_source.setEnabled(False)
        self.f_first.setText(entry.first_name)
        self.f_middle.setText(entry.middle_name)
        self.f_last.setText(entry.last_name)
        self.f_dob.setText(entry.dob.text or "")
        self.f_sex.setCurrentIndex(max(0, self.f_sex.findData(entry.sex)))
        self.f_id_state.setText(entry.id_state)
        self.f_id_last4.setText(entry.id_last4)
        self.f_aliases.setText("; ".join(entry.aliases))
        self.f_kind.setCurrentIndex(self.f_kind.findData(entry.kind.value))
        self.f_reason.setText(entry.reason)
        self.f_until.setText(entry.valid_until.isoformat() if entry.valid_until else "")
        self.f_students.setText("; ".join(entry.students))
        self.f_notes.setText(entry.notes)
        for field in (self.f_aliases, self.f_reason, self.f_students, self.f_notes):
            field.setCursorPosition(0)  # a text longer than its field shows its start, not its end

    def _new_entry(self) -> NewEntry:
        def split(text: str) -> tuple[str, ...]:
            return tuple(p.strip() for p in text.split(";") if p.strip())

        until = self.f_until.text().strip()
        return NewEntry(
            first_name=self.f_first.text().strip(),
            middle_name=self.f_middle.text().strip(),
            last_name=self.f_last.text().strip(),
            aliases=split(self.f_aliases.text()),
            dob=parse_dob(self.f_dob.text()),
            kind=Kind(self.f_kind.currentData()),
            reason=self.f_reason.text().strip(),
            valid_from=self._editing.valid_from if self._editing else None,
            valid_until=clock.parse_date(until, "In force until") if until else None,
            notes=self.f_notes.text().strip(),
            students=split(self.f_students.text()),
            sex=self.f_sex.currentData(),
            id_state=self.f_id_state.text().strip(),
            id_last4=self.f_id_last4.text().strip(),
        )

    @Slot()
    def on_save_clicked(self) -> None:
        """Add the new entry, or save the one being edited."""
        try:
            new = self._new_entry()
            if self._editing is None:
                entry = self.services.lists.add(self.f_source.currentText().strip(), new)
                self.status.setText(f"Added {entry.full_name} to {entry.source}.")
            else:
                entry = self.services.lists.update(self._editing.id, new)
                self.status.setText(f"Saved {entry.full_name} ({entry.source}).")
        except FrontDeskError as exc:
            self.status.setText(exc.message)
            return
        self.start_new()
        self.refresh()

    @Slot()
    def on_expire_clicked(self) -> None:
        """End the selected entry from today."""
        entry = self._need_selection()
        if entry is None:
            return
        if not self._sure(
            "End this entry from today?",
            f"End the entry for {self._who(entry)} on {entry.source} from today?\n\nFrom today they are no "
            "longer flagged at check-in, at the kiosk or when a student is released to them.",
        ):
            self.status.setText(f"Nothing changed: {entry.full_name} stays on {entry.source}.")
            return
        try:
            self.services.lists.expire(entry.id)
        except FrontDeskError as exc:  # e.g. the signed-in role may not change lists
            self.status.setText(exc.message)
            return
        self.status.setText(f"{entry.full_name} ({entry.source}) no longer matches from today.")
        self.refresh()

    @Slot()
    def on_remove_clicked(self) -> None:
        """Delete the selected entry."""
        entry = self._need_selection()
        if entry is None:
            return
        if not self._sure(
            "Remove this entry?",
            f"Remove {self._who(entry)} from {entry.source}?\n\nThey are no longer flagged at check-in, at the "
            "kiosk or when a student is released to them, and the entry is gone (to undo, add it again). To end "
            "a bar that has run its course, Expire keeps the entry.",
        ):
            self.status.setText(f"Nothing changed: {entry.full_name} stays on {entry.source}.")
            return
        try:
            self.services.lists.remove(entry.id)
        except FrontDeskError as exc:
            self.status.setText(exc.message)
            return
        self.status.setText(f"Removed {entry.full_name} from {entry.source}.")
        self.refresh()

    # --- import -------------------------------------------------------------------------------------
    @Slot()
    def on_browse_clicked(self) -> None:
        """Pick the file to import."""
        path = open_file_name(self, "Choose a list to import", "CSV files (*.csv);;All (*)")
        if path:
            self.i_path.setText(path)
            if not self.i_source.text().strip():
                self.i_source.setText(Path(path).stem)

    @Slot()
    def on_import_clicked(self) -> None:
        """Start importing the chosen file on the thread pool."""
        self._start_import()

    def _start_import(self, allow_shrink: bool = False) -> None:
        """``allow_shrink``: the person said yes to a replace that removes more than half of the list."""
        path, source = self.i_path.text().strip(), self.i_source.text().strip()
        if not path or not source:
            self.status.setText("Choose a file and name the list it goes into.")
            return
        if not self.services.session.may(Action.CHANGE_LISTS):  # issue 7: principals and the district
            try:
                self.services.session.require(Action.CHANGE_LISTS)
            except FrontDeskError as exc:
                self.status.setText(exc.message)
            return
        kind, replace, store, lists, relay = (
            self.i_kind.currentData(),
            self.i_replace.isChecked(),
            self.services.store,
            self.services.lists,
            self._relay,
        )
        self.import_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(f"Importing {Path(path).name} into {source}…")

        def work() -> ImportReport:
            try:
                return lists.import_csv(
                    path,
                    source,
                    kind=kind,
                    replace=replace,
                    allow_shrink=allow_shrink,
                    progress=relay.progressed.emit,
                )
            finally:
                store.close()  # the pool thread's own connection

        # Python's cycle collector never runs on the import's thread: the desk collects on the GUI thread only
        # (ui.tasks.GuiCollector), while the import runs too.
        run_task(work, self.on_import_done)

    @staticmethod
    def _who(entry: Entry) -> str:
        """The entry's person as the question names them: name, date of birth, kind."""
        born = f", born {entry.dob.text}" if entry.dob.known else ""
        return f"{entry.full_name} ({entry.kind.label.lower()}{born})"

    def _sure(self, title: str, text: str) -> bool:
        """Ask before a change that stops a person being flagged (No by default: Enter keeps the entry)."""
        return ask_first(self, title, text)

    def _replace_anyway(self) -> bool:
        """Ask whether a file that removes more than half of the list replaces it all the same (No by default)."""
        name, source = Path(self.i_path.text().strip()).name, self.i_source.text().strip()
        return ask_first(
            self,
            "Replace with a much shorter list?",
            f"{name} would remove more than half of the entries of {source} at once. If the file was cut short "
            "(a download or an export that stopped part way), everyone after the cut would screen clear.\n\n"
            "Replace the list with this file anyway?",
        )

    @Slot(int, float)
    def on_import_progressed(self, rows: int, fraction: float) -> None:
        """Move the progress bar."""
        self.progress.setValue(int(fraction * 100))
        self.progress.setFormat(f"{rows:,} rows  %p%")

    def on_import_done(self, report: ImportReport | None, error: BaseException | None) -> None:
        """Say how the import went (every error line when it failed: nothing was imported)."""
        self.import_button.setEnabled(True)
        self.progress.hide()
        if isinstance(error, ImportFailed):
            lines = "\n".join(f"line {line}: {message}" for line, message in error.errors[:10])
            problems = "1 problem" if error.total == 1 else f"{error.total:,} problems"
            self.status.setText(f"Nothing was imported: {problems} in the file.\n{lines}")
        elif isinstance(error, FrontDeskError) and error.code == "shrink_replace":
            self.refresh()
            self.import_finished.emit(report, error)
            if self._replace_anyway():
                self._start_import(allow_shrink=True)
            else:
                name, source = Path(self.i_path.text().strip()).name, self.i_source.text().strip()
                self.status.setText(
                    f"Nothing was imported: {name} would remove more than half of the entries of {source}, and "
                    "you chose not to replace it. The list is unchanged."
                )
            return
        elif isinstance(error, FrontDeskError):
            self.status.setText(f"Nothing was imported: {error.message}")
        elif error is not None:
            self.status.setText(f"Nothing was imported: {error}")
        else:
            assert report is not None
            replaced = f", replacing {report.replaced:,}" if report.replaced else ""
            done = f"Imported {report.added:,} entries into {report.source}{replaced}."
            if report.kept:
                done += f" Kept {report.kept:,} added to the list while it ran: check whether they still apply."
            self.status.setText(f"{done}\n{report.dob_warning}" if report.dob_warning else done)
        self.refresh()
        self.import_finished.emit(report, error)
