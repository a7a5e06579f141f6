"""Signing in: a PIN pad for the desk, a password for principals and the district; and the first administrator.

Both panels call :class:`frontdesk.accounts.service.Accounts` only, and say what went wrong in one line.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.access.roles import Role
from frontdesk.accounts.service import Accounts
from frontdesk.errors import FrontDeskError
from ui.desk.first_run import centred_column


class SignInPanel(QWidget):
    """Quick picks for desk staff, a name, a PIN or password, and a PIN pad; emits ``signed_in(Actor)``."""

    signed_in = Signal(object)  # Actor

    def __init__(self, accounts: Accounts, title: str = "Sign in", hint: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._accounts = accounts
        layout = QVBoxLayout(self)
        heading = QLabel(f"<h2>{title}</h2>" + (f"<p>{hint}</p>" if hint else ""))
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.picks = QHBoxLayout()
        layout.addLayout(self.picks)
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setAccessibleName("User name")
        self.username.setPlaceholderText("user name")
        self.secret = QLineEdit()
        self.secret.setAccessibleName("PIN or password")
        self.secret.setPlaceholderText("PIN or password")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        big = QFont(self.secret.font())
        big.setPointSizeF(big.pointSizeF() * 1.4)
        self.secret.setFont(big)
        form.addRow("Name", self.username)
        form.addRow("PIN / password", self.secret)
        layout.addLayout(form)
        pad = QGridLayout()
        self.pad_buttons: dict[str, QPushButton] = {}
        for i, key in enumerate(["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]):
            button = QPushButton(key)
            button.setMinimumSize(64, 44)
            button.setFont(big)
            button.setAccessibleName({"⌫": "Delete digit", "OK": "Sign in"}.get(key, f"Digit {key}"))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the pad never steals the keyboard
            button.clicked.connect(self.on_pad_clicked)
            pad.addWidget(button, i // 3, i % 3)
            self.pad_buttons[key] = button
        layout.addLayout(pad)
        self.problem = QLabel("")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.problem.setAccessibleName("Sign-in problem")
        self.problem.setStyleSheet("color:#8a0014;")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.username.returnPressed.connect(self.secret.setFocus)
        self.secret.returnPressed.connect(self.submit)
        self.reload()

    def reload(self) -> None:
        """Rebuild the quick-pick buttons of the active desk accounts."""
        while self.picks.count():
            item = self.picks.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        for username, display in self._accounts.desk_accounts()[:8]:
            button = QPushButton(display)
            button.setAccessibleName(f"Sign in as {display}")
            button.setProperty("username", username)
            button.clicked.connect(self.on_pick_clicked)
            self.picks.addWidget(button)
        self.picks.addStretch(1)

    @Slot()
    def on_pick_clicked(self) -> None:
        self.choose(self.sender().property("username"))

    def choose(self, username: str) -> None:
        """Pick a person: their name goes in, the cursor goes to the PIN."""
        self.username.setText(username)
        self.secret.clear()
        self.secret.setFocus()

    @Slot()
    def on_pad_clicked(self) -> None:
        key = self.sender().text()
        if key == "OK":
            self.submit()
        elif key == "⌫":
            self.secret.backspace()
        else:
            self.secret.insert(key)

    @Slot()
    def submit(self) -> None:
        """Check the name and secret; on success emit ``signed_in`` and clear the fields."""
        try:
            actor = self._accounts.sign_in(self.username.text(), self.secret.text())
        except FrontDeskError as exc:
            self.problem.setText(exc.message)
            self.secret.clear()
            self.secret.setFocus()
            return
        self.problem.clear()
        self.secret.clear()
        self.username.clear()
        self.signed_in.emit(actor)

    def focus(self) -> None:
        """Put the cursor where the next person starts."""
        (self.secret if self.username.text() else self.username).setFocus()


class CreateAdminPanel(QWidget):
    """The first run's last step: the district administrator's account; emits ``created(Actor)`` signed in."""

    created = Signal(object)  # Actor

    def __init__(self, accounts: Accounts, parent: QWidget | None = None):
        super().__init__(parent)
        self._accounts = accounts
        layout = centred_column(self)
        intro = QLabel(
            "<h1>The administrator</h1><p>One district administrator account manages the staff accounts "
            "(front-desk PINs, principals' passwords). Keep its password somewhere safe.</p>"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.username = QLineEdit("admin")
        self.display_name = QLineEdit()
        self.password = QLineEdit()
        self.repeat = QLineEdit()
        for edit, label in (
            (self.username, "User name"),
            (self.display_name, "Full name"),
            (self.password, "Password"),
            (self.repeat, "Password again"),
        ):
            edit.setAccessibleName(label)
            form.addRow(label, edit)
        for edit in (self.password, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.returnPressed.connect(self.submit)
        layout.addLayout(form)
        self.problem = QLabel("")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
        self.problem.setStyleSheet("color:#8a0014;")
        layout.addWidget(self.problem)
        self.create_button = QPushButton("Create the administrator and start")
        self.create_button.setAccessibleName("Create administrator")
        self.create_button.clicked.connect(self.submit)
        layout.addWidget(self.create_button)
        layout.addStretch(1)

    @Slot()
    def submit(self) -> None:
        """Create the account and sign it in."""
        if self.password.text() != self.repeat.text():
            self.problem.setText("The two passwords differ; type them again.")
            return
        try:
            account = self._accounts.add(
                self.username.text(), Role.ADMIN, self.password.text(), self.display_name.text()
            )
            actor = self._accounts.sign_in(account.username, self.password.text())
        except FrontDeskError as exc:
            self.problem.setText(exc.message)
            return
        self.created.emit(actor)
