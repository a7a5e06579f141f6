"""Staff accounts for the district administrator: list, add, disable, set a new PIN or password, and set the
email and mobile number notifications for the account (or its role) go to.

Principals see the list; every change is refused by the service for anyone but an administrator, and the
window says so on its message line.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.access.roles import Role
from frontdesk.accounts.service import Accounts
from frontdesk.errors import FrontDeskError
from ui.plain import ask_first
from ui.window_size import fit_to_screen


class AccountsWindow(QWidget):
    """The accounts table and the three actions on it."""

    def __init__(self, accounts: Accounts, parent: QWidget | None = None, *, outbound=None):
        """``outbound`` (the school's notification rules): the questions before a change that stops someone
        being told name what they stop being told of."""
        super().__init__(parent, Qt.WindowType.Window)
        self._accounts = accounts
        self._outbound = outbound
        self.setWindowTitle("FrontDesk — staff accounts")
        fit_to_screen(self, 900, 520)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 7)
        self.table.setTabKeyNavigation(False)  # Tab goes on to the next control; the arrows move in the table
        self.table.setHorizontalHeaderLabels(
            ["User name", "Name", "Role", "State", "Last sign-in", "Email", "Mobile"]
        )
        self.table.setAccessibleName("Staff accounts")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)

        add = QHBoxLayout()
        self.username = QLineEdit()
        self.username.setPlaceholderText("user name, e.g. j.rivera")
        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText("full name")
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.label, role)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("PIN (desk) or password")
        self.email = QLineEdit()
        self.email.setPlaceholderText("email (notifications)")
        self.mobile = QLineEdit()
        self.mobile.setPlaceholderText("mobile, +15551234567")
        self.add_button = QPushButton("Add")
        for widget, name in (
            (self.username, "New user name"),
            (self.display_name, "New full name"),
            (self.role, "New role"),
            (self.secret, "New PIN or password"),
            (self.email, "Email"),
            (self.mobile, "Mobile number"),
            (self.add_button, "Add account"),
        ):
            widget.setAccessibleName(name)
            add.addWidget(widget)
        layout.addLayout(add)

        actions = QHBoxLayout()
        self.disable_button = QPushButton("Disable selected")
        self.disable_button.setAccessibleName("Disable selected account")
        self.reset_button = QPushButton("Set new PIN / password for selected")
        self.reset_button.setAccessibleName("Set new PIN or password for selected account")
        self.contact_button = QPushButton("Set email / mobile for selected")
        self.contact_button.setAccessibleName("Set email and mobile number for selected account")
        actions.addWidget(self.disable_button)
        actions.addWidget(self.reset_button)
        actions.addWidget(self.contact_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.message = QLabel("")
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.message.setAccessibleName("Message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self.add_button.clicked.connect(self.add)
        self.secret.returnPressed.connect(self.add)
        self.disable_button.clicked.connect(self.disable_selected)
        self.reset_button.clicked.connect(self.reset_selected)
        self.contact_button.clicked.connect(self.set_contact_selected)
        self.table.itemSelectionChanged.connect(self.on_selection_changed)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Reload the accounts (or say why they cannot be listed)."""
        try:
            accounts = self._accounts.list()
        except FrontDeskError as exc:
            self.table.setRowCount(0)
            self.message.setText(exc.message)
            return
        self.table.setRowCount(len(accounts))
        for row, a in enumerate(accounts):
            cells = [
                a.username,
                a.display_name,
                a.role.label,
                "disabled" if a.disabled else "active",
                f"{a.last_sign_in.astimezone():%Y-%m-%d %H:%M}" if a.last_sign_in else "never",
                a.email,
                a.mobile,
            ]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))

    def selected_username(self) -> str | None:
        """The user name in the selected row, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.table.item(rows[0].row(), 0).text() if rows else None

    @Slot()
    def add(self) -> None:
        """Add the account typed in the bottom row."""
        try:
            account = self._accounts.add(
                self.username.text(),
                self.role.currentData(),
                self.secret.text(),
                self.display_name.text(),
                email=self.email.text(),
                mobile=self.mobile.text(),
            )
        except FrontDeskError as exc:
            self.message.setText(exc.message)
            return
        for edit in (self.username, self.display_name, self.secret, self.email, self.mobile):
            edit.clear()
        self.message.setText(f"Added {account.username} ({account.role.label}).")
        self.refresh()

    @Slot()
    def disable_selected(self) -> None:
        """Disable the selected account."""
        username = self.selected_username()
        if username is None:
            self.message.setText("Choose an account first.")
            return
        if not self._sure_to_disable(username):
            self.message.setText(f"Nothing changed: {username} can still sign in and is still told.")
            return
        try:
            self._accounts.disable(username)
        except FrontDeskError as exc:
            self.message.setText(exc.message)
            return
        self.message.setText(f"Disabled {username}.")
        self.refresh()

    @Slot()
    def reset_selected(self) -> None:
        """Give the selected account the PIN or password typed in the bottom row (and re-enable it)."""
        username = self.selected_username()
        if username is None:
            self.message.setText("Choose an account first, and type the new PIN or password in the box.")
            return
        try:
            self._accounts.reset_secret(username, self.secret.text())
        except FrontDeskError as exc:
            self.message.setText(exc.message)
            return
        self.secret.clear()
        self.message.setText(f"New PIN / password set for {username}.")
        self.refresh()

    @Slot()
    def on_selection_changed(self) -> None:
        """Put the selected account's email and mobile in the boxes, ready to change."""
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.email.setText(self.table.item(rows[0].row(), 5).text())
            self.mobile.setText(self.table.item(rows[0].row(), 6).text())

    @Slot()
    def set_contact_selected(self) -> None:
        """Give the selected account the email and mobile typed in the bottom row (empty clears them)."""
        username = self.selected_username()
        if username is None:
            self.message.setText("Choose an account first, and type its email and mobile number in the boxes.")
            return
        if not self._sure_to_clear(username):
            self.message.setText(f"Nothing changed: {username} is still told.")
            return
        try:
            account = self._accounts.set_contact(username, email=self.email.text(), mobile=self.mobile.text())
        except FrontDeskError as exc:
            self.message.setText(exc.message)
            return
        self.message.setText(
            f"{account.username}: email {account.email or '(none)'}, mobile {account.mobile or '(none)'}."
        )
        self.refresh()

    # --- before someone stops being told (one click beside the others did it; No is the default) ---------------
    def _told_of(self, username: str, *, texts: bool) -> list[str]:
        """What the account's email (or, ``texts``, its mobile) is sent, in the notifications window's words:
        the rules that name its role or it."""
        if self._outbound is None:
            return []
        from ui.notifications.outbound_window import EVENT_LABELS

        try:
            account = self._accounts.get(username)
            rules = self._outbound.recipients()
        except FrontDeskError:
            return []
        targets = {f"role:{account.role.value}", f"account:{account.username}"}
        events = {e for r in rules if r.address in targets and (r.sms or not texts) for e in r.events}
        return [EVENT_LABELS.get(e, e) for e in sorted(events, key=list(EVENT_LABELS).index)]

    def _sure_to_disable(self, username: str) -> bool:
        try:
            account = self._accounts.get(username)
        except FrontDeskError:
            return True  # the service says why not
        if account.disabled:
            return True
        told = self._told_of(username, texts=False) if account.email or account.mobile else []
        stops = (
            "\n\nTheir emails and texts stop too. They are told now of:\n" + "\n".join(f"  • {e}" for e in told)
            if told
            else ""
        )
        return ask_first(
            self,
            "Disable the account?",
            f"Disable {account.username} ({account.display_name}, {account.role.label})? They can no longer sign "
            f"in.{stops}\n\nSet new PIN / password for selected enables it again.",
        )

    def _sure_to_clear(self, username: str) -> bool:
        """Ask before an email or mobile number the notifications use is cleared (the boxes emptied by hand, or
        half-retyped when someone was interrupted)."""
        try:
            account = self._accounts.get(username)
        except FrontDeskError:
            return True
        cleared = []  # (what, the question's paragraph)
        for what, old, box, texts, verb in (
            ("email", account.email, self.email, False, "is sent"),
            ("mobile", account.mobile, self.mobile, True, "is texted"),
        ):
            told = self._told_of(username, texts=texts) if old and not box.text().strip() else []
            if told:
                cleared.append((what, f"Their {what} ({old}) {verb}:\n" + "\n".join(f"  • {e}" for e in told)))
        if not cleared:
            return True
        whats = " and ".join(what for what, _ in cleared)
        paragraphs = "\n\n".join(paragraph for _, paragraph in cleared)
        return ask_first(
            self,
            "Stop telling them?",
            f"Clear {account.username}'s {whats}?\n\n{paragraphs}\n\nFrom now on none of this reaches them there.",
        )
