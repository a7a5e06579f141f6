"""Settings, declared once with types, defaults and labels, and read through one service.

Code refers to a setting by its declaration (``settings.get(SCHOOL_NAME)``), never by a loose string.
Values live in the ``settings`` table as JSON. Features add their declarations to this module, each in
its own section.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from frontdesk.access.roles import Action
from frontdesk.errors import ConflictError, InputError
from frontdesk.store import Store
from frontdesk.wire.district_settings import is_link_setting

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.audit import AuditTrail

T = TypeVar("T")


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One setting: its key, type, default and the label a settings screen shows."""

    key: str
    type: type
    default: T
    label: str
    help: str = ""
    # The range a number must stay in (inclusive): a value outside it is refused when set, and one found in the
    # store (typed in by hand, or the district's) is not used: the default (or the desk's own) is.
    low: float | None = None
    high: float | None = None

    def in_range(self, value: Any) -> bool:
        """True when ``value`` is within the declared range (or none is declared); a bounded setting's value
        that is no number is not."""
        if self.low is None and self.high is None:
            return True
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


REGISTRY: dict[str, Setting[Any]] = {}


def declare(
    key: str,
    type_: type,
    default: Any,
    label: str,
    help: str = "",
    *,
    low: float | None = None,
    high: float | None = None,
) -> Setting[Any]:
    """Declare a setting (once, at import time); ``low`` and ``high`` bound a number."""
    if key in REGISTRY:
        raise RuntimeError(f"setting {key} declared twice")
    setting = Setting(key, type_, default, label, help, low, high)
    REGISTRY[key] = setting
    return setting


# --- The school and this station (asked on first run) ---------------------------------------------
SCHOOL_NAME = declare("school.name", str, "", "School name")
SCHOOL_ADDRESS = declare("school.address", str, "", "School address")
SCHOOL_PHONE = declare("school.phone", str, "", "School office phone")
STATION_NAME = declare("station.name", str, "", "Station name", "For example: Main office desk")
STATION_ROOM = declare("station.room", str, "", "Station room", "For example: Room 101, front office")
STAFF_NAME = declare("station.staff", str, "", "Staff member at the desk")
EMERGENCY_NUMBERS = declare(
    "school.emergency_numbers", str, "911", "Emergency numbers", "Shown whenever an alert is not delivered"
)

# --- Visits -----------------------------------------------------------------------------------------
BADGE_VALID_HOURS = declare("visits.badge_valid_hours", int, 8, "Badge valid for (hours)")

# --- ID scanners (issue 3) --------------------------------------------------------------------------
SCANNER_SERIAL_PORT = declare(
    "scanner.serial_port",
    str,
    "",
    "Serial ID scanner port",
    "For example COM3 or /dev/ttyACM0 (a USB scanner in serial mode); empty: keyboard-mode scanner only",
)
SCANNER_SERIAL_BAUD = declare("scanner.serial_baud", int, 9600, "Serial ID scanner speed (baud)")
SCANNER_WEDGE_END_MS = declare(
    "scanner.wedge_end_ms", int, 80, "Keyboard scanner: a scan ends after (ms of silence)", "60 to 100"
)

# --- Badges and the badge printer (printers/, frontdesk/badges/service.py) -------------------------
BADGE_PRINTER = declare(
    "badges.printer",
    str,
    "preview://",
    "Badge printer",
    "For example escpos+tcp://10.0.0.20:9100?profile=TM-T20II, brother+tcp://10.0.0.21?model=QL-820NWB, "
    "system://Front Desk DYMO, or preview:// (show the badge on screen only)",
)
BADGE_MEDIA = declare("badges.media", str, "80mm", "Badge paper or labels", "One of the media presets")
BADGE_ORIENTATION = declare(
    "badges.orientation", str, "", "Badge orientation", "portrait or landscape; empty for the media's usual"
)


# --- Staff accounts (sign-in and locking) ----------------------------------------------------------------
LOCK_AFTER_MINUTES = declare(
    "accounts.lock_after_minutes", int, 5, "Lock the desk after (minutes idle)", "0 never locks"
)

# --- Dispatch station (panic alerts) -----------------------------------------------------------------
DISPATCH_URL = declare(
    "dispatch.url", str, "", "Dispatch console address", "Set by 'frontdesk dispatch connect URL'"
)
DISPATCH_STATION_ID = declare(
    "dispatch.station_id", str, "", "Dispatch station id", "The console's id for this desk (set on connect)"
)
DISPATCH_CA_FILE = declare(
    "dispatch.ca_file", str, "", "Console CA certificate", "PEM file that signed the console's HTTPS certificate"
)
SYNC_HUBS = declare(
    "sync.hubs",
    str,
    "",
    "Other hub addresses",
    "More district hub addresses (space-separated) sharing the hub's database: tried when dispatch.url is down",
)
STATION_BUILDING = declare("station.building", str, "", "Building", "Sent with every panic alert")
STATION_FLOOR = declare("station.floor", str, "", "Floor", "Sent with every panic alert")
PANIC_HOTKEY = declare(
    "dispatch.panic_hotkey", str, "Ctrl+Alt+F12", "Panic hot-key", "USB panic buttons type a key: set theirs"
)
PANIC_HOTKEY_HOLD = declare(
    "dispatch.panic_hotkey_hold",
    bool,
    False,
    "Panic hot-key must be held",
    "For USB buttons and foot switches that keep the key down while pressed",
)
PANIC_HOLD_MS = declare(
    "dispatch.panic_hold_ms", int, 1500, "Panic press-and-hold (ms)", "100 to 5000", low=100, high=5000
)
DISPATCH_DAILY_TEST = declare(
    "dispatch.daily_test",
    bool,
    True,
    "Daily test alert",
    "The desk app sends a CAP Test once a day to prove the path",
)

# --- Screening (issue 4) ----------------------------------------------------------------------------
SCREEN_POSSIBLE = declare(
    "screening.possible_threshold",
    float,
    0.80,
    "Possible match from score",
    "A visitor scoring this or more against a list entry is shown to staff as a possible match (0-1)",
    low=0.0,
    high=1.0,
)
SCREEN_MATCH = declare(
    "screening.match_threshold",
    float,
    0.93,
    "Match from score",
    "Scores this or more are called a match (0-1)",
    low=0.0,
    high=1.0,
)
SCREEN_NAMESAKES_MAX = declare(
    "screening.name_only_max_namesakes",
    int,
    5,
    "Name-only matches: most namesakes",
    "An entry without a date of birth is flagged on name alone only if at most this many list entries "
    "carry the name (middle names not contradicting): a name a registry holds many times says nothing "
    "about this visitor",
    low=0,
)
SCREEN_NAME_ONLY_MAX_PEOPLE = declare(
    "screening.name_only_max_people",
    int,
    300,
    "Name-only matches: most people carrying the name",
    "An entry without a date of birth that matches the visitor's name only with a variant (a typo, a "
    "nickname) is flagged only when about this many people in the US or fewer carry such a name, by the "
    "Census and SSA tables or, on lists of 50,000 entries or more, by how many entries carry it (a middle "
    "name both give and agree on counts: fewer people carry all three; an ID other than the one the list "
    "records counts as five times as many). The listed name itself is flagged while few entries carry it, "
    "unless the visitor's ID is not the one the list records and the name, counted that way, passes this line: "
    "then it is shown as a note that does not stop the desk. An ID number the list records always finds the "
    "entry",
    low=0,
)
SCREEN_NAME_ONLY_LISTED_MAX_PEOPLE = declare(
    "screening.name_only_listed_max_people",
    int,
    0,
    "Name-only matches: the listed name itself, most people carrying it",
    "0 (the default): a visitor who carries the listed name itself (own name or alias) of an entry without a "
    "date of birth, with nothing on the ID against it, stops the desk while few entries carry the name, "
    "however common it is. A number: such a visitor stops the desk only when about this many people in the "
    "US or fewer carry the name (counted as for name_only_max_people); a commoner name is shown as a note "
    "that does not stop the desk. Fewer stops for common names, and fewer listed people without a date of "
    "birth stopped: see the trade-off table in docs/benchmarks/screening.md",
    low=0,
)
SCREEN_MAX_CHANCE = declare(
    "screening.max_chance_near_miss",
    float,
    0.05,
    "Near-miss dates: most expected by chance",
    "A date of birth one digit off (or a year-only list date) is flagged only when fewer than this many of "
    "the entries carrying the visitor's name (and middle name, when both give one and it agrees) would be "
    "expected to be such a near miss by chance. Higher flags more common names; see docs/benchmarks.md",
    low=0.0,
)
SCREEN_REGISTRY_AS_BARRED = declare(
    "screening.registry_as_barred",
    bool,
    True,
    "Treat registry matches as barred",
    "When off, a confirmed registry match admits the visitor and notifies an administrator, like watch",
)
SCREEN_NOTIFY_DISPATCH = declare(
    "screening.notify_dispatch",
    bool,
    True,
    "Tell dispatch of confirmed matches",
    "When this desk has a dispatch link, also send the district console a Staff assist alert (real, never "
    "forwarded to 911) when a barred or custody match is confirmed; turn off if the district prefers not",
)
SCREEN_NOTIFY_AUDIENCE = declare(
    "screening.notify_audience",
    str,
    "principal",
    "Who is told of confirmed matches",
    "The role whose active accounts are told on screen at once of barred and custody matches (principal or "
    "administrator); with no such account yet, every desk shows the notice",
)

# --- Volunteers (issue 18) ----------------------------------------------------------------------------
VOLUNTEER_UNCLEARED = declare(
    "volunteers.uncleared",
    str,
    "visitor",
    "A volunteer whose check lapsed",
    "visitor: the desk may admit them as a visitor (not as a volunteer) or refuse; refuse: never admitted "
    "until the check is renewed. Covers an expired or missing background check and a suspended record",
)
VOLUNTEER_FORGOTTEN_HOURS = declare(
    "volunteers.forgotten_checkout_hours",
    float,
    2.0,
    "Hours counted for a forgotten check-out",
    "A volunteer visit closed by close-day counts up to this many hours (never more than it lasted)",
    low=0,
    high=12,  # 500 made every forgotten check-out 500 hours of service (session 22)
)
VOLUNTEER_EXPIRY_WARNING_DAYS = declare(
    "volunteers.expiry_reminder_days", int, 30, "Remind of background checks expiring within (days)"
)

# --- Kiosk (issue 18) ---------------------------------------------------------------------------------
KIOSK_MODE = declare(
    "kiosk.enabled",
    bool,
    False,
    "This PC is a self-service kiosk",
    "Opens the full-screen kiosk instead of the desk window (as 'frontdesk --kiosk' does)",
)
# 0 sent the kiosk back at every touch; a day left the last person's details up all day (session 22).
KIOSK_IDLE_SECONDS = declare(
    "kiosk.idle_seconds", int, 30, "Kiosk: back to the welcome screen after (s idle)", low=10, high=300
)


# --- Email and text notifications (issue 20) -------------------------------------------------------
NOTIFY_SMTP_SERVER = declare(
    "notify.smtp_server", str, "", "Mail server (host:port)", "For example smtp.district.example:587"
)
NOTIFY_SMTP_SECURITY = declare(
    "notify.smtp_security",
    str,
    "starttls",
    "Mail server security",
    "starttls, tls, or none (none is allowed only to a server on this machine)",
)
NOTIFY_SMTP_USER = declare(
    "notify.smtp_user", str, "", "Mail server user", "Empty: no sign-in; the password is kept in the keyring"
)
NOTIFY_SMTP_CA_FILE = declare(
    "notify.smtp_ca_file", str, "", "Mail server CA certificate", "PEM file of the district's own CA"
)
NOTIFY_FROM = declare("notify.from", str, "", "Notifications come from", "For example frontdesk@school.example")
NOTIFY_SMS_PROVIDER = declare(
    "notify.sms_provider",
    str,
    "",
    "Text message provider",
    "twilio, or empty: texts to a phone number need a provider; texts to a carrier's email-to-SMS gateway "
    "address (5551234567@vtext.com) go through the mail server",
)
NOTIFY_TWILIO_ACCOUNT = declare("notify.twilio_account", str, "", "Twilio account SID (AC...)")
NOTIFY_TWILIO_FROM = declare("notify.twilio_from", str, "", "Twilio number texts come from (+1...)")
NOTIFY_TWILIO_API = declare(
    "notify.twilio_api", str, "", "Twilio API address", "Empty for Twilio's own; set only for a test double"
)
NOTIFY_DAILY_LOG_TIME = declare(
    "notify.daily_log_time", str, "16:30", "Daily log sent at (HH:MM)", "Empty: only when asked for"
)
NOTIFY_LINK_BASE = declare(
    "notify.link_base",
    str,
    "",
    "Links in notification emails go to (web address)",
    "The district hub's address, e.g. https://hub.district.example: emails (never texts) then link to the "
    "hub's screen for the event (the day's log, the live board). Empty: no links",
)
NOTIFY_GROUP_MINUTES = declare(
    "notify.group_minutes",
    int,
    15,
    "Group identical notifications within (minutes)",
    "The same event again within this time is counted on the first message, not sent again",
)
NOTIFY_GIVE_UP_HOURS = declare(
    "notify.give_up_hours", int, 24, "Give up sending after (hours)", "Then the message is shown as failed"
)
NOTIFY_PANIC_NOT_DELIVERED_SECONDS = declare(
    "notify.panic_not_delivered_after_seconds",
    int,
    60,
    "Tell panic subscribers an alert has not reached dispatch after (seconds)",
    "They were told at the press that it is being sent; this long after it, if dispatch still has not got it, "
    "they are told so, with the school's emergency numbers",
    low=5,
    high=3600,
)


# Students (issue 17)
STUDENTS_LATE_THRESHOLD = declare(
    "students.late_threshold",
    int,
    4,
    "Late arrivals per term before the pass says so",
    "The late pass and the desk flag a student's late arrival from this count on (0: never)",
)


# Backups (issue 16): online copies to a folder on a schedule, the oldest dropped beyond a number.
BACKUP_FOLDER = declare(
    "backup.folder", str, "", "Backup folder", "Empty: the 'backups' folder inside FrontDesk's data folder"
)
BACKUP_EVERY_HOURS = declare("backup.every_hours", int, 24, "Back up every (hours)", "0: no scheduled backups")
BACKUP_KEEP = declare("backup.keep", int, 14, "Backups kept", "The oldest beyond this number are deleted")
# Retention (issue 16), applied daily: 0 keeps for ever.
RETAIN_VISITS_DAYS = declare(
    "retention.visits_days", int, 0, "Keep visit records (days)", "Older visits are deleted; 0 keeps them all"
)
RETAIN_ID_DAYS = declare(
    "retention.id_details_days",
    int,
    0,
    "Keep ID details and photos (days)",
    "After this many days a visitor's ID details and photo are removed (the visit stays); 0 keeps them",
)
# --- District lists (issue 15) -------------------------------------------------------------------------
DISTRICT_LISTS_MAX_AGE_HOURS = declare(
    "district.lists_max_age_hours",
    int,
    24,
    "District list is old after (hours)",
    "A desk whose copy of the district's lists is older than this says so in its status bar and each screening",
)

RETAIN_AUDIT_YEARS = declare(
    "retention.audit_years",
    int,
    0,
    "Keep audit records (years)",
    "Older audit records are removed behind a checkpoint that keeps the chain verifiable; 0 keeps them all",
)


# The desk's own value and the district's layer under it (value, lock) in one statement; the row is there
# even when neither table has the key.
_LAYERS_SQL = (
    "SELECT (SELECT value FROM settings WHERE key = ?1), d.value, d.locked "
    "FROM (SELECT 1) LEFT JOIN district_settings d ON d.key = ?1"
)


class Settings:
    """Reads and writes declared settings in the store.

    With a ``session`` and an ``audit`` trail (as :class:`~frontdesk.context.Services` builds it), a change
    needs :attr:`Action.CHANGE_SETTINGS` and is recorded with its old and new value.
    """

    def __init__(self, store: Store, *, session: Session | None = None, audit: AuditTrail | None = None):
        self._store = store
        self._session = session
        self._audit = audit
        # Each row's text as the trail accounts for it, once checked (per process; a row that changes is checked
        # again), and what the trail's settings records say, read up to record _upto (see _accounted).
        self._trusted: dict[str, str] = {}
        self._said = None  # frontdesk.audit.coverage.AuditedSettings, on the first check
        self._upto = 0
        self._lock = threading.Lock()

    def get(self, setting: Setting[T]) -> T:
        """The value in force: a value the district locked, else this desk's own, else the district's
        default, else the declared default.

        This desk's own value only as the audit trail accounts for it: a row typed into the table by hand (which
        no audited change set, or another value than the audited one) is not used, as a value out of its range is
        not. The last audited value is used instead, or none of the desk's own (the district's, or the default)
        when no audited change ever set it; the desk's background check then puts the row back and says so
        (:meth:`restore_audited`). A row is checked once per process and again whenever it changes.
        """
        desk, district, locked = self._row(setting)
        district_value = self._district(setting, district)
        if district_value is not None and locked:
            return district_value
        if desk is not None and self._audit is not None and self._trusted.get(setting.key) != desk:
            desk = self._accounted(setting.key, desk)
        if desk is not None:
            value = json.loads(desk)
            if setting.in_range(value):
                return value
            # Out of its range (typed into the table by hand: the app refuses it): not used.
        return setting.default if district_value is None else district_value

    def _accounted(self, key: str, text: str) -> str | None:
        """``text`` if the trail accounts for it as the row of ``key``; else the row text of the last audited
        value, or None (no audited value: the desk has none of its own). The trail's settings records are read
        (through their own index) only when what was read of them so far does not account for ``text``: the new
        ones, once."""
        from frontdesk.audit.coverage import AuditedSettings

        try:
            found = json.loads(text)
        except ValueError:
            found = None
        with self._lock:
            if self._said is None:
                self._said = AuditedSettings()
            for fresh in (False, True):
                if fresh:
                    for seq, action, subject, details in self._audit.settings_records(self._upto):
                        self._said.take(action, subject, details)
                        self._upto = seq
                audited = self._said.values()
                value = audited.get(key)
                if key in audited and value is not None and found == value and type(found) is type(value):
                    self._trusted[key] = text
                    return text
        return None if value is None else json.dumps(value)

    def _row(self, setting: Setting[Any]) -> tuple[str | None, str | None, bool]:
        """This desk's value, the district's value and its lock for ``setting``, read in ONE statement.

        The hub's district settings are kept as a layer under the desk's own (``district_settings``, written
        by :mod:`frontdesk.district_lists`). One statement, not one per layer: a check-in reads a few settings
        on its way, and each statement costs about as much as the look-up itself.
        """
        row = self._store.db.execute(_LAYERS_SQL, [setting.key]).fetchone()
        return row[0], row[1], bool(row[2])

    @staticmethod
    def _district(setting: Setting[T], text: str | None) -> T | None:
        """The district's value for ``setting`` (issue 15), or None: none, or of the wrong type (the hub
        does not know the desk's declarations). Never for a link setting (``dispatch.*``, ``sync.*``): a row
        the hub sent before it refused them is not used (:mod:`frontdesk.wire.district_settings`)."""
        if text is None or is_link_setting(setting.key):
            return None
        value = json.loads(text)
        if setting.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, setting.type) or (setting.type is int and isinstance(value, bool)):
            return None
        if not setting.in_range(value):
            return None  # out of the desk's declared range: not used, as a value of the wrong type
        return value

    def locked(self, setting: Setting[T]) -> bool:
        """True when the district has locked ``setting``: it cannot be changed at this desk."""
        _, district, locked = self._row(setting)
        return locked and self._district(setting, district) is not None

    def check_change(self, setting: Setting[T]) -> None:
        """Raise what :meth:`set` would for who is acting (PermissionDenied) or a district lock (ConflictError),
        changing nothing: for a change that keeps something else first (the dispatch credential in the keyring)."""
        if self._session is not None:
            self._session.require(Action.CHANGE_SETTINGS)
        if self.locked(setting):
            raise ConflictError(
                f"{setting.label} ({setting.key}) is set by the district and locked: it cannot be changed at "
                "this desk. Ask the district administrator.",
                code="locked_by_district",
            )

    @staticmethod
    def check(setting: Setting[T], value: T) -> T:
        """``value`` as :meth:`set` would store it (an int for a float setting made a float), or InputError
        saying what is wrong: the declared type and range. Stores nothing (a screen checks every field first)."""
        if setting.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)  # type: ignore[assignment]
        if not isinstance(value, setting.type) or (setting.type is int and isinstance(value, bool)):
            raise InputError(f"{setting.label} must be a {setting.type.__name__}, not {value!r}")
        if not setting.in_range(value):
            bounds = [f"at least {setting.low:g}"] if setting.low is not None else []
            bounds += [f"at most {setting.high:g}"] if setting.high is not None else []
            raise InputError(f"{setting.label} must be {' and '.join(bounds)}, not {value!r}")
        return value

    def set(self, setting: Setting[T], value: T) -> None:
        """Store a value after checking it has the declared type."""
        value = self.check(setting, value)
        self.check_change(setting)
        old = self.get(setting)
        stored = self._row(setting)[0]
        with self._store.transaction() as db:  # a check-in waiting behind bulk work gets in at once
            db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [setting.key, json.dumps(value)],
            )
            # Also when the value in force does not change but the row does (the default, or the district's,
            # written as the desk's own): the trail accounts for every row of the table (audit coverage).
            if self._audit is not None and (old != value or stored != json.dumps(value)):
                self._audit.record(None, "settings.change", setting.key, {"old": old, "new": value})
        if self._audit is not None:
            self._audit.refresh_anchor()

    def restore_audited(self) -> dict[str, tuple[Any, Any]]:
        """Put back every row of the ``settings`` table the audit trail does not account for (typed into the table
        by hand: :func:`frontdesk.audit.coverage.settings_problems`): the last audited value, or no row at all (the
        district's value or the default then) when no audited change ever set it. Never the value found.

        :meth:`get` never uses such a row already; this makes the table say so too (and the trail, the event log
        and the desk's banner tell someone). One transaction with its ``settings.restored`` record. Returns
        ``{key: (found, now)}`` (None: no row).
        The desk's background check runs it (``ui/screening/index_watch.py``); ``audit verify`` only reports.
        """
        from frontdesk.audit.coverage import settings_problems

        if self._audit is None:
            return {}
        done: dict[str, tuple[Any, Any]] = {}
        with self._audit.transaction() as db:
            audited = self._audit.audited_settings()
            for key, _ in settings_problems(db, audited):
                row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
                now = audited.get(key)
                if now is None:
                    db.execute("DELETE FROM settings WHERE key = ?", [key])
                else:
                    db.execute(
                        "INSERT INTO settings (key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        [key, json.dumps(now)],
                    )
                done[key] = (row[0] if row is not None else None, now)
            if done:
                self._audit.record(
                    "system",
                    "settings.restored",
                    "settings",
                    {
                        "settings": {k: now for k, (_, now) in done.items()},
                        "found": {k: f for k, (f, _) in done.items()},
                    },
                )
        return done

    def is_configured(self) -> bool:
        """True once first-run set-up has named the school and the station."""
        return bool(self.get(SCHOOL_NAME).strip() and self.get(STATION_NAME).strip())
