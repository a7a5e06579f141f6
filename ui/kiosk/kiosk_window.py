"""The kiosk: a full-screen, touch-first window at the entrance where known people check themselves in.

It asks the core (``services.kiosk``) and shows only three kinds of answer: *you are checked in* (the badge
prints), *goodbye* (a badge scanned on the way out), or *please see the front office* — for anything that needs
a person, with never a word of why (the front desk gets the match card). Nothing else is reachable: no menus,
no settings, no review, no panic button; a staff member's PIN leaves kiosk mode. After ``idle_ms`` without a
touch or a key it goes back to the welcome screen in English, clearing whatever the last person typed.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QClipboard
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.badges.service import Outcome
from frontdesk.errors import DeviceError, FrontDeskError, NotFoundError, StoreError
from frontdesk.kiosk.service import Admitted, Arrival, CheckedOut, Kind, SeeFrontOffice
from frontdesk.settings import SCHOOL_NAME
from scanners.camera import FrameSource, photo_bytes
from ui.kiosk.i18n import Languages

if TYPE_CHECKING:
    from frontdesk.badges.result import PrintResult
    from frontdesk.context import Services

STYLE = """
KioskWindow { background: #000000; }
QLabel { color: #ffffff; }
QLabel#title { font-size: 44pt; font-weight: bold; color: #ffd400; }
QLabel#say { font-size: 26pt; }
QLabel#hint { font-size: 18pt; color: #e0e0e0; }
QLineEdit { font-size: 26pt; padding: 8px; background: #ffffff; color: #000000; border: 4px solid #ffd400; }
QPushButton { font-size: 24pt; font-weight: bold; min-height: 72px; padding: 8px 28px; background: #ffd400;
              color: #000000; border: 3px solid #ffffff; border-radius: 10px; }
QPushButton:pressed { background: #ffffff; }
QPushButton#quiet { font-size: 12pt; min-height: 36px; background: #000000; color: #777777;
                    border: 1px solid #333333; }
QPushButton#language { background: #000000; color: #ffffff; border: 3px solid #ffffff; }
QPushButton#language:checked { background: #ffffff; color: #000000; }
"""

DONE_MS = 6000  # how long "checked in" / "goodbye" / "see the front office" stay before the welcome screen


def _entry() -> QLineEdit:
    """A text entry that keeps nothing for the next person: no menu to a long press (its Undo, Paste and "Insert
    Unicode control character")."""
    edit = QLineEdit()
    edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    return edit


def _wipe(*edits: QLineEdit) -> None:
    """Empty entries for good. ``QLineEdit.clear`` is an edit that Undo takes back (the last person's name,
    date of birth or code, found by the next person with Ctrl+Z in session 22); ``setText`` also drops the
    entry's undo history."""
    for edit in edits:
        edit.setText("")


NAME_SHOWN = 20  # the most of a name the kiosk shows ("Wwwww…"): a longer one is cut, never widens a page
LONG_SHOWN = 40  # the most of an activity or a destination


def _shown(text: str, most: int = NAME_SHOWN) -> str:
    """``text`` cut to ``most`` characters with an ellipsis. Found in session 22: a name of 100 letters without a
    space made the kiosk's pages 6,633 px wide, and the welcome page and the Staff button stayed off the screen
    for everyone after."""
    return text if len(text) <= most else text[: most - 1] + "…"


def _data_button(text: str) -> QPushButton:
    """A button showing a person's data (a name, an activity): it takes the width the page gives it."""
    button = QPushButton(text)
    button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    return button


def _label(name: str) -> QLabel:
    label = QLabel()
    # Whatever it says, a label takes the width the page gives it (a word too long is cut, not the page widened).
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setTextFormat(Qt.TextFormat.PlainText)  # data from people: never markup
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class KioskWindow(QWidget):
    """The kiosk's one window. Built by the composition root (``ui.app_kiosk.build_kiosk``)."""

    visit_checked_in = Signal(object)  # Visit: committed, its badge to print
    visit_checked_out = Signal(object)  # Visit
    sent_to_front_office = Signal(int)  # the kiosk request's id
    exit_requested = Signal()  # a staff member's PIN was right

    def __init__(
        self,
        services: Services,
        *,
        idle_ms: int = 30_000,
        camera: FrameSource | None = None,
        prints_badges: bool = True,
    ):
        super().__init__()
        self.services = services
        # The kiosk's camera, when one is present: it takes the visitor's photo for the badge at check-in.
        self._camera = camera
        self.languages = Languages()
        self._texts: list[tuple[object, str]] = []  # (setter, English source) re-read on a language change
        self._arrival: Arrival | None = None
        self._dob: date | None = None  # the date of birth typed and accepted, for someone found by name
        self._printing: int | None = None  # the visit whose badge the result page waits for
        # False when no badge printer is set up (the on-screen "printer", which a kiosk has no screen for): each
        # visitor is told to get their badge at the front office (ui.app_kiosk.build_kiosk says which).
        self.prints_badges = prints_badges
        self._may_close = False
        self.setObjectName("KioskWindow")
        self.setWindowTitle("FrontDesk kiosk")
        self.setStyleSheet(STYLE)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 16, 40, 12)
        outer.addWidget(self.pages)
        self._build_welcome()
        self._build_search()
        self._build_confirm()
        self._build_dob()
        self._build_result()
        self._build_staff()
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(idle_ms)
        self.idle.timeout.connect(self.reset)
        self.back_timer = QTimer(self)
        self.back_timer.setSingleShot(True)
        self.back_timer.setInterval(DONE_MS)
        self.back_timer.timeout.connect(self.reset)
        self._clipboard_used = False
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)  # any touch or key anywhere restarts the idle clock
            QApplication.clipboard().changed.connect(self.on_clipboard_changed)
        self.reset()

    # --- text in two languages ---------------------------------------------------------------------
    def _t(self, setter, source: str) -> None:
        self._texts.append((setter, source))
        setter(self.tr(source))

    def retranslate(self) -> None:
        """Re-read every fixed text in the current language."""
        for setter, source in self._texts:
            setter(self.tr(source))  # type: ignore[operator]

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- pages -------------------------------------------------------------------------------------
    def _page(self) -> QVBoxLayout:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setSpacing(14)
        self.pages.addWidget(page)
        return layout

    def _button(self, source: str, slot, name: str = "") -> QPushButton:
        button = QPushButton()
        if name:
            button.setObjectName(name)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the code entry keeps the keyboard (and the scanner)
        self._t(button.setText, source)
        self._t(button.setAccessibleName, source)
        button.clicked.connect(slot)
        return button

    def _build_welcome(self) -> None:
        layout = self._page()
        self.welcome_page = layout.parentWidget()
        languages = QHBoxLayout()
        languages.addStretch(1)
        self.language_buttons: dict[str, QPushButton] = {}
        for code, name in (("en", "English"), ("es", "Español")):
            button = QPushButton(name)
            button.setObjectName("language")
            button.setCheckable(True)
            button.setAccessibleName(name)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, c=code: self.set_language(c))
            self.language_buttons[code] = button
            languages.addWidget(button)
        layout.addLayout(languages)
        self.school = _label("hint")
        self.school.setText(self.services.settings.get(SCHOOL_NAME))
        layout.addWidget(self.school)
        self.title = _label("title")
        self._t(self.title.setText, QT_TRANSLATE_NOOP("KioskWindow", "Welcome"))
        layout.addWidget(self.title)
        self.welcome_say = _label("say")
        self._t(
            self.welcome_say.setText,
            QT_TRANSLATE_NOOP("KioskWindow", "Scan your ID, your badge or your guest code."),
        )
        layout.addWidget(self.welcome_say)
        self.code_entry = _entry()
        self._t(
            self.code_entry.setPlaceholderText, QT_TRANSLATE_NOOP("KioskWindow", "Or type your guest code here")
        )
        self._t(self.code_entry.setAccessibleName, QT_TRANSLATE_NOOP("KioskWindow", "Guest code"))
        self.code_entry.returnPressed.connect(self.on_code_entered)
        layout.addWidget(self.code_entry)
        self.welcome_note = _label("hint")
        layout.addWidget(self.welcome_note)
        row = QHBoxLayout()
        row.addStretch(1)
        self.find_button = self._button(QT_TRANSLATE_NOOP("KioskWindow", "Find my name"), self.show_search)
        row.addWidget(self.find_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.leaving = _label("hint")
        self._t(self.leaving.setText, QT_TRANSLATE_NOOP("KioskWindow", "Leaving? Scan your badge."))
        layout.addWidget(self.leaving)
        staff_row = QHBoxLayout()
        staff_row.addStretch(1)
        self.staff_button = self._button(QT_TRANSLATE_NOOP("KioskWindow", "Staff"), self.show_staff, "quiet")
        staff_row.addWidget(self.staff_button)
        layout.addLayout(staff_row)

    def _build_search(self) -> None:
        layout = self._page()
        self.search_page = layout.parentWidget()
        self.search_title = _label("say")
        self._t(
            self.search_title.setText, QT_TRANSLATE_NOOP("KioskWindow", "Type the first letters of your last name")
        )
        layout.addWidget(self.search_title)
        self.search_entry = _entry()
        self._t(self.search_entry.setAccessibleName, QT_TRANSLATE_NOOP("KioskWindow", "Your name"))
        self.search_entry.textEdited.connect(self.on_search_edited)
        layout.addWidget(self.search_entry)
        self.results = QGridLayout()
        layout.addLayout(self.results)
        self.result_buttons: list[QPushButton] = []
        self.search_note = _label("hint")
        layout.addWidget(self.search_note)
        layout.addStretch(1)
        layout.addWidget(self._button(QT_TRANSLATE_NOOP("KioskWindow", "Back"), self.reset))

    def _build_confirm(self) -> None:
        layout = self._page()
        self.confirm_page = layout.parentWidget()
        self.hello = _label("title")
        layout.addWidget(self.hello)
        self.confirm_say = _label("say")
        layout.addWidget(self.confirm_say)
        self.choices = QVBoxLayout()
        layout.addLayout(self.choices)
        self.choice_buttons: list[QPushButton] = []
        layout.addStretch(1)
        layout.addWidget(self._button(QT_TRANSLATE_NOOP("KioskWindow", "Back"), self.reset))

    def _build_dob(self) -> None:
        """Someone found by name or an old badge confirms their date of birth (the core checks it)."""
        layout = self._page()
        self.dob_page = layout.parentWidget()
        self.dob_title = _label("title")
        self._t(self.dob_title.setText, QT_TRANSLATE_NOOP("KioskWindow", "One more step"))
        layout.addWidget(self.dob_title)
        self.dob_say = _label("say")
        self._t(
            self.dob_say.setText,
            QT_TRANSLATE_NOOP("KioskWindow", "Please type your date of birth to check in (month/day/year)."),
        )
        layout.addWidget(self.dob_say)
        self.dob_entry = _entry()
        self._t(self.dob_entry.setPlaceholderText, QT_TRANSLATE_NOOP("KioskWindow", "MM/DD/YYYY"))
        self._t(self.dob_entry.setAccessibleName, QT_TRANSLATE_NOOP("KioskWindow", "Your date of birth"))
        self.dob_entry.returnPressed.connect(self.on_dob_entered)
        layout.addWidget(self.dob_entry)
        self.dob_note = _label("hint")
        layout.addWidget(self.dob_note)
        self.dob_button = self._button(QT_TRANSLATE_NOOP("KioskWindow", "Check in"), self.on_dob_entered)
        layout.addWidget(self.dob_button)
        layout.addStretch(1)
        layout.addWidget(self._button(QT_TRANSLATE_NOOP("KioskWindow", "Back"), self.reset))

    @Slot()
    def on_dob_entered(self) -> None:
        """The date of birth typed: the core compares it with the one on record; then the person's visit is
        shown to confirm, or they are sent to the front office."""
        from ui.desk.visitor_form import parse_dob

        try:
            dob = parse_dob(self.dob_entry.text())
        except ValueError:
            dob = None
        if dob is None:
            self.dob_note.setText(self.tr("Please type it as month/day/year, for example 04/27/1985."))
            return
        if self._arrival is None:
            return
        try:
            sent = self.services.kiosk.confirm_dob(self._arrival, dob)
        except FrontDeskError:
            self._to_front_office(None)
            return
        if sent is not None:
            self._to_front_office(sent)
            return
        self._dob = dob
        self._show_choices(self._arrival)

    def _build_result(self) -> None:
        layout = self._page()
        self.result_page = layout.parentWidget()
        layout.addStretch(1)
        self.result_title = _label("title")
        layout.addWidget(self.result_title)
        self.result_say = _label("say")
        layout.addWidget(self.result_say)
        layout.addStretch(1)
        layout.addWidget(self._button(QT_TRANSLATE_NOOP("KioskWindow", "Done"), self.reset))

    def _build_staff(self) -> None:
        layout = self._page()
        self.staff_page = layout.parentWidget()
        heading = _label("say")
        self._t(heading.setText, QT_TRANSLATE_NOOP("KioskWindow", "Staff: sign in to leave kiosk mode"))
        layout.addWidget(heading)
        self.staff_user = _entry()
        self._t(self.staff_user.setPlaceholderText, QT_TRANSLATE_NOOP("KioskWindow", "Staff name"))
        self._t(self.staff_user.setAccessibleName, QT_TRANSLATE_NOOP("KioskWindow", "Staff name"))
        self.staff_pin = _entry()
        self.staff_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self._t(self.staff_pin.setPlaceholderText, QT_TRANSLATE_NOOP("KioskWindow", "PIN"))
        self._t(self.staff_pin.setAccessibleName, QT_TRANSLATE_NOOP("KioskWindow", "PIN"))
        self.staff_pin.returnPressed.connect(self.on_staff_unlock)
        layout.addWidget(self.staff_user)
        layout.addWidget(self.staff_pin)
        self.staff_note = _label("hint")
        layout.addWidget(self.staff_note)
        layout.addWidget(self._button(QT_TRANSLATE_NOOP("KioskWindow", "Leave kiosk mode"), self.on_staff_unlock))
        layout.addStretch(1)
        layout.addWidget(self._button(QT_TRANSLATE_NOOP("KioskWindow", "Back"), self.reset))

    # --- idle and reset -------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin):
            self.idle.start()
        return False

    @Slot()
    def reset(self) -> None:
        """Back to the welcome screen in English, with everything the last person typed or chose cleared."""
        self.back_timer.stop()
        self._arrival = None
        self._dob = None
        self._printing = None
        _wipe(self.code_entry, self.search_entry, self.staff_user, self.staff_pin, self.dob_entry)
        self._forget_clipboard()
        self.dob_note.clear()
        self._show_results([])
        self.search_note.clear()
        self.welcome_note.clear()
        self.staff_note.clear()
        self.set_language("en")
        self.pages.setCurrentWidget(self.welcome_page)
        self.code_entry.setFocus()
        self.idle.start()

    @Slot(QClipboard.Mode)
    def on_clipboard_changed(self, _mode: QClipboard.Mode) -> None:
        """Something was copied (or, on X11, selected) while the kiosk was up: the person in front of it did."""
        self._clipboard_used = True

    def _forget_clipboard(self) -> None:
        """What the last person copied at the kiosk (a name, a date of birth) goes, so the next person cannot
        paste it. Not every platform says who owns the clipboard, so: anything copied while the kiosk was up."""
        clipboard = QApplication.clipboard()
        if self._clipboard_used or clipboard.ownsClipboard():
            clipboard.clear(QClipboard.Mode.Clipboard)
            if clipboard.supportsSelection():
                clipboard.clear(QClipboard.Mode.Selection)
        self._clipboard_used = False

    @Slot(str)
    def set_language(self, language: str) -> None:
        """Switch the kiosk's language (the welcome screen's buttons)."""
        self.languages.switch(language)
        for code, button in self.language_buttons.items():
            button.setChecked(code == language)
        self.retranslate()

    # --- scanning and typing ------------------------------------------------------------------------
    @Slot()
    def on_code_entered(self) -> None:
        """A guest code typed (or a badge scanned into the entry)."""
        text = self.code_entry.text().strip()
        _wipe(self.code_entry)
        if text:
            self._read(text, typed=True)

    @Slot(str)
    def on_scanned(self, data: str) -> None:
        """A scan from the wedge filter or a scanner: an ID card, a badge's QR code, or a guest code."""
        self._read(data, typed=False)

    def _read(self, data: str, *, typed: bool) -> None:
        """A scan, or a code typed into the welcome page's entry (``typed``: it never checks anyone out)."""
        self.idle.start()
        if self.pages.currentWidget() is self.staff_page:
            return
        try:
            if data.lstrip().startswith("@") or "ANSI " in data or "AAMVA" in data:
                visitor = self.services.ids.read(data).to_visitor()
                answer = self.services.kiosk.identify(visitor)
            else:
                answer = self.services.kiosk.scan(data, typed=typed)
        except StoreError:  # read, but nothing could be saved or looked up (the database busy, full, damaged)
            self._to_front_office(None)
            return
        except NotFoundError as exc:
            self.pages.setCurrentWidget(self.welcome_page)
            if exc.code == "scan_to_leave":
                self.welcome_note.setText(self.tr("Leaving? Please scan your badge, or see the front office."))
            else:
                self.welcome_note.setText(self.tr("We could not read that. Please try again, or find your name."))
            return
        except FrontDeskError:
            self.pages.setCurrentWidget(self.welcome_page)
            self.welcome_note.setText(self.tr("We could not read that. Please try again, or find your name."))
            return
        if isinstance(answer, CheckedOut):
            self._say(self.tr("Goodbye!"), self.tr("You are checked out. Thank you for visiting."))
            self.visit_checked_out.emit(answer.visit)
            return
        self.arrive(answer)

    # --- the name search ----------------------------------------------------------------------------
    @Slot()
    def show_search(self) -> None:
        """The short name search."""
        _wipe(self.search_entry)
        self._show_results([])
        self.pages.setCurrentWidget(self.search_page)
        self.search_entry.setFocus()

    @Slot(str)
    def on_search_edited(self, text: str) -> None:
        """Up to six names once three letters are typed."""
        try:
            found = self.services.kiosk.search(text) if len(text.strip()) >= 3 else []
        except StoreError:  # the database damaged or unreadable: never a traceback in the lobby (session 22)
            self._to_front_office(None)
            return
        self._show_results(found)
        if len(text.strip()) >= 3 and not found:
            self.search_note.setText(self.tr("No match. Please see the front office."))
        else:
            self.search_note.clear()

    def _show_results(self, found: list[Arrival]) -> None:
        for button in self.result_buttons:
            self.results.removeWidget(button)
            button.deleteLater()
        self.result_buttons = []
        for i, arrival in enumerate(found):
            v = arrival.visitor
            button = _data_button(f"{_shown(v.first_name)} {v.last_name[:1]}.")
            # A screen reader says what is shown, no more: the full name read aloud told the lobby (session 22).
            button.setAccessibleName(button.text())
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, a=arrival: self.arrive(a))
            self.results.addWidget(button, i // 2, i % 2)
            self.result_buttons.append(button)

    # --- checking in --------------------------------------------------------------------------------
    def arrive(self, arrival: Arrival) -> None:
        """Someone identified: a first-time visitor goes to the front office; someone found by name or an old
        badge types their date of birth first; then they confirm their visit."""
        self._arrival = arrival
        self._dob = None
        if arrival.kind == Kind.NEW:
            self.check_in()
            return
        if arrival.confirm_dob:
            # Nothing of the person's visit (where they went last time, activities, host) before the date of
            # birth on record: anyone can touch a name (session 22).
            _wipe(self.dob_entry)
            self.dob_note.clear()
            self.pages.setCurrentWidget(self.dob_page)
            self.dob_entry.setFocus()
            return
        self._show_choices(arrival)

    def _show_choices(self, arrival: Arrival) -> None:
        """The confirm page: "Check in to see …?", or a volunteer's activities to choose from."""
        for button in self.choice_buttons:
            self.choices.removeWidget(button)
            button.deleteLater()
        self.choice_buttons = []
        self.hello.setText(self.tr("Hello, %1!").replace("%1", _shown(arrival.visitor.first_name)))
        activities = ()
        if arrival.kind == Kind.VOLUNTEER:
            try:
                volunteer = self.services.volunteers.find_for(arrival.visitor)
            except StoreError:
                self._to_front_office(None)
                return
            activities = volunteer.activities if volunteer is not None else ()
        if len(activities) > 1:
            self.confirm_say.setText(self.tr("What are you helping with today?"))
            for activity in activities:
                button = _data_button(_shown(activity, LONG_SHOWN))
                button.setAccessibleName(activity)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.clicked.connect(lambda _=False, a=activity: self.check_in(a))
                self.choices.addWidget(button)
                self.choice_buttons.append(button)
        else:
            where = arrival.destination or arrival.purpose
            self.confirm_say.setText(
                self.tr("Check in to see %1?").replace("%1", _shown(where, LONG_SHOWN))
                if where
                else self.tr("Check in now?")
            )
            button = QPushButton(self.tr("Check in"))
            button.setAccessibleName("Check in")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda: self.check_in())
            self.choices.addWidget(button)
            self.choice_buttons.append(button)
        self.pages.setCurrentWidget(self.confirm_page)

    def check_in(self, activity: str = "") -> None:
        """Ask the core; say only *checked in* or *please see the front office* (with the date of birth typed on
        the date-of-birth page, for someone found by name or an old badge: the core checks it again)."""
        if self._arrival is None:
            return
        self._arrival = self._with_photo(self._arrival)
        try:
            answer = self.services.kiosk.check_in(self._arrival, activity=activity, dob=self._dob)
        except FrontDeskError:
            answer = None
        first = self._arrival.visitor.first_name
        if not isinstance(answer, Admitted):
            self._to_front_office(answer)
            return
        self._arrival, self._dob = None, None
        if not self.prints_badges:  # no badge comes out of an on-screen "printer": never "take your badge"
            self._say(
                self.tr("Welcome, %1!").replace("%1", _shown(first)),
                self.tr("Your badge did not print. Please see the front office for your badge."),
            )
            self.visit_checked_in.emit(answer.visit)
            return
        self._say(
            self.tr("Welcome, %1!").replace("%1", _shown(first)),
            self.tr("You are checked in. Please take your badge and wear it where it can be seen."),
            wait_for_badge=answer.visit.id,
        )
        self.visit_checked_in.emit(answer.visit)

    @Slot(object)
    def on_badge_done(self, result: PrintResult) -> None:
        """The badge printer's answer for the visit just checked in here: a badge that did not come out sends
        the person to the front office for it (the visit stands; the printer's error is in the event log). Found
        in session 22: with the printer off, the kiosk said "take your badge" all the same. An answer for
        someone who has left the screen changes nothing (the next person must not see their name)."""
        if result.visit.id != self._printing:
            return
        self._printing = None
        if not result.ok and result.outcome is not Outcome.SENT:  # sent but unconfirmed: it usually came out
            self.result_say.setText(
                self.tr("Your badge did not print. Please see the front office for your badge.")
            )
        if self.pages.currentWidget() is self.result_page:
            self.back_timer.start()

    def _to_front_office(self, sent: SeeFrontOffice | None) -> None:
        """*Please see the front office*, never why (``sent``: the request the core wrote for the desk; None when
        it could not be written, e.g. the database busy: the person is sent all the same)."""
        self._arrival, self._dob = None, None
        self._say(self.tr("Please see the front office."), "")
        if sent is not None:
            self.sent_to_front_office.emit(sent.request_id)

    def _with_photo(self, arrival: Arrival) -> Arrival:
        """The arrival with a photo from the camera, if there is one (no photo is no reason to stop)."""
        if self._camera is None:
            return arrival
        try:
            photo = photo_bytes(self._camera.frame())
        except (DeviceError, OSError) as exc:
            self._tell_desk("camera", "warning", f"The kiosk's camera took no photo: {exc}")
            return arrival
        return dataclasses.replace(arrival, visitor=dataclasses.replace(arrival.visitor, photo=photo))

    def _say(self, title: str, text: str, *, wait_for_badge: int | None = None) -> None:
        """The result page; back to the welcome screen after ``DONE_MS`` (``wait_for_badge``: a visit's id, whose
        badge printer's answer comes first; the idle timer still ends it if no answer comes)."""
        self.result_title.setText(title)
        self.result_say.setText(text)
        self.pages.setCurrentWidget(self.result_page)
        self._printing = wait_for_badge
        if wait_for_badge is None:
            self.back_timer.start()

    # --- leaving kiosk mode -------------------------------------------------------------------------
    @Slot()
    def show_staff(self) -> None:
        """The staff sign-in that leaves kiosk mode."""
        self.pages.setCurrentWidget(self.staff_page)
        self.staff_user.setFocus()

    @Slot()
    def on_staff_unlock(self) -> None:
        """Leave kiosk mode when the staff member's PIN (or password) is right."""
        user, pin = self.staff_user.text().strip(), self.staff_pin.text()
        _wipe(self.staff_pin)
        kiosk = self.services.kiosk
        paused = kiosk.exit_pause()
        try:
            unlocked = bool(user and pin) and kiosk.staff_unlock(user, pin)
        except StoreError:  # no PIN was judged: not a wrong try
            self.staff_note.setText(self.tr("The kiosk cannot check that just now. Please try again in a minute."))
            return
        if not unlocked:
            until = kiosk.exit_pause()
            if until is None:
                self.staff_note.setText(self.tr("Wrong name or PIN."))
                return
            self.staff_note.setText(self.tr("Too many wrong tries. Please ask the front office."))
            if until != paused:  # paused just now: the desk hears of it (its event log; the audit has it anyway)
                self._tell_desk(
                    "kiosk",
                    "error",
                    f"{kiosk.wrong_exit_tries} wrong staff sign-ins in a row at the kiosk"
                    f"{' ' + kiosk.station if kiosk.station else ''}: leaving kiosk mode is paused until "
                    f"{until.astimezone():%H:%M}. Someone may be guessing PINs there.",
                )
            return
        self._may_close = True
        self.exit_requested.emit()

    def on_unexpected_error(self, summary: str) -> None:
        """An error nobody foresaw, at the lobby kiosk (``ui.app``'s hook for kiosk mode): no dialog, whose details
        a stranger would read and which nobody there could close. The person is sent to the front office, the
        kiosk goes back to its welcome screen by itself (what was saved stays saved), and the desk's event log
        says so; the details are in the kiosk's log (stderr)."""
        self.reset()
        self._say(self.tr("Please see the front office."), "")
        self._tell_desk(
            "kiosk",
            "error",
            f"The kiosk met an unexpected error ({summary}) and went back to its welcome screen; the details are "
            "in its log. Check that the visitor in front of it was seen, and tell IT support if it happens again.",
        )

    def _tell_desk(self, source: str, level: str, message: str) -> None:
        """A line in the event log the desk shows; a database too busy to take it loses only the line."""
        try:
            self.services.events.record(source, level, message)
        except StoreError:
            pass

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Only a staff member's PIN closes the kiosk (not Alt+F4)."""
        if self._may_close:
            QApplication.instance().removeEventFilter(self)
            event.accept()
        else:
            event.ignore()
