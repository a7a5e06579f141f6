"""The station side of panic alerts: press, update, all clear, daily test, the school's SRP state.

Every verb builds the CAP message and commits it to the outbox before it returns and before any network
I/O; a :class:`~frontdesk.dispatch.link.DispatchLink` then delivers it. A press never asks anything first:
details follow as updates. The all clear (a CAP ``Cancel``) is only for a principal or an administrator:
the check is :attr:`StationService.all_clear_allowed`, a seam that the staff-roles feature replaces.
"""

from __future__ import annotations

import dataclasses
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from frontdesk import clock
from frontdesk.dispatch.client import Endpoint, fetch_station, is_loopback, split_urls
from frontdesk.dispatch.credentials import KeyringCredentials, MemoryCredentials
from frontdesk.dispatch.link import DispatchLink, LinkListener, LinkTimings
from frontdesk.dispatch.outbox import Outbox, OutboxEntry, SchoolState
from frontdesk.dispatch.status import DeliveryStatus, describe
from frontdesk.errors import (
    ConflictError,
    DeliveryError,
    FrontDeskError,
    InputError,
    NotFoundError,
    PermissionDenied,
)
from frontdesk.events.service import EventLog
from frontdesk.lazy import lazy_import
from frontdesk.notifications.outbound import Outbound
from frontdesk.settings import (
    DISPATCH_CA_FILE,
    DISPATCH_DAILY_TEST,
    DISPATCH_STATION_ID,
    DISPATCH_URL,
    EMERGENCY_NUMBERS,
    NOTIFY_PANIC_NOT_DELIVERED_SECONDS,
    SCHOOL_ADDRESS,
    SCHOOL_NAME,
    SCHOOL_PHONE,
    STAFF_NAME,
    STATION_BUILDING,
    STATION_FLOOR,
    STATION_NAME,
    STATION_ROOM,
    Settings,
)
from frontdesk.store import Store
from frontdesk.visits.service import VisitService
from frontdesk.wire import allclear, cap

httpx = lazy_import("httpx")  # loaded when the desk first talks to dispatch

MODES = ("Actual", "Exercise", "Test")
# Actions that are also a school-wide SRP state (the others, e.g. MEDICAL, concern one place).
SRP_STATES = ("HOLD", "SECURE", "LOCKDOWN", "EVACUATE", "SHELTER")
ALL_CLEAR_ROLES = frozenset({"principal", "admin", "administrator"})
# The most a press waits for the main file (event log, audit trail) after its own commit: a moment, no more.
# The alert is safe in the outbox by then and the sender is woken only when the press returns (the window, the
# CLI), so any wait here delays the alert itself; busy longer, the records wait (audited = 0 in the outbox) for
# the desk's state timer or the CLI's catch_up after delivery.
SIDE_RECORD_WAIT = 0.02
# Alerts pressed longer ago are not followed up (one left queued for weeks on a desk being upgraded tells no one).
FOLLOW_UP_WITHIN = timedelta(days=1)
_AUDIT_ACTIONS = {"Alert": "alert.press", "Update": "alert.update", "Cancel": "alert.all_clear"}


def default_all_clear_allowed(role: str) -> bool:
    """Until staff roles exist, the caller states its role; only a principal or an administrator may clear."""
    return role.strip().lower() in ALL_CLEAR_ROLES


def normalize_action(text: str) -> str:
    """``lockdown``, ``staff-assist``, ``Staff assist`` → the CAP module's action names."""
    name = text.strip().upper().replace("-", "_").replace(" ", "_")
    if name not in cap.ACTIONS:
        raise InputError(f"Unknown panic action {text!r}; one of: {', '.join(a.lower() for a in cap.ACTIONS)}")
    return name


class StationService:
    """The desk's panic verbs and what it knows about their delivery."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        visits: VisitService,
        events: EventLog,
        *,
        now: Callable[[], datetime] = clock.now,
        all_clear_allowed: Callable[[str], bool] = default_all_clear_allowed,
        credentials: KeyringCredentials | MemoryCredentials | None = None,
        audit=None,
        outbound: Outbound | None = None,
    ):
        self._store = store
        self._settings = settings
        self._visits = visits
        self._events = events
        self._now = now
        self.all_clear_allowed = all_clear_allowed
        self._audit = audit  # the audit trail (issue 7): every press, update and all clear, after its commit
        self.credentials = credentials or KeyringCredentials()
        self._outbound = outbound  # email and text subscribers of the ``panic`` event (issue 20)
        self.outbox = Outbox(store)
        self._details: dict[int, tuple[str, dict]] = {}  # what each new message's audit record says
        self._pending_events: list[tuple[str, str]] = []  # event lines the main file could not take yet
        self._pending_tells: list[Callable[[], object]] = []  # email/text queueing waiting for the main file
        # The messages this process committed: an unaudited message that is not one of them was committed by a
        # program that ended before the main file took its records (and its email and texts): see catch_up.
        self._committed_here: set[int] = set()
        self._credential: tuple[float, str | None] | None = None
        # What this program has told of each alert's delivery (tell_delivery): "not_delivered", or "settled"
        # when nothing more will be said of it. Only a cache: what was queued is in the notifications outbox.
        self._followed: dict[int, str] = {}

    # --- the verbs ----------------------------------------------------------------------------------
    def press(
        self,
        action: str = cap.DEFAULT_ACTION,
        *,
        mode: str = "Actual",
        location: str = "",
        hazard: str = "",
        note: str = "",
        staff: str | None = None,
        roster: bool = True,
        tell: bool = True,
    ) -> OutboxEntry:
        """Commit a new alert (one new identifier: the idempotency key) and return it, queued.

        A press during an open incident of the same mode joins that incident (the console collates it);
        SECURE and LOCKDOWN freeze check-in here at once. ``roster=False`` leaves the visitors on site out
        (an alert raised for one person, such as a confirmed screening match, needs no one else's name).
        ``tell=False`` leaves the ``panic`` email and text subscribers out (a confirmed match tells its own).
        """
        action = normalize_action(action)
        if mode not in MODES:
            raise InputError(f"mode must be one of {', '.join(MODES)}")
        moment = self._now()
        identifier = cap.new_identifier()
        active = self.active_incident(mode) if mode != "Test" else None
        incident = active.incident if active else identifier
        if active is not None:
            moment = self._after_incident(incident, moment)
        msg = self._message(
            identifier, moment, mode, "Alert", action, incident, (), location, hazard, note, staff, roster=roster
        )
        state = None
        if action in SRP_STATES and mode != "Test":
            state = SchoolState(action, note, msg.staff, moment, mode == "Exercise", source="local")
        entry = self._commit(msg, refers_to="", school_state=state)
        if tell and mode != "Test":
            self._tell(
                entry,
                lambda o, staff: o.panic_pressed(
                    action, mode, staff=staff, status=self._press_status(), incident=entry.incident, when=moment
                ),
            )
        self._recorded(
            entry,
            "alert.press",
            "warning",
            f"{mode} {action} pressed at {msg.station or 'this desk'}",
            location=location,
            note=note,
        )
        return entry

    def update(
        self, identifier: str, *, note: str = "", location: str = "", hazard: str = "", staff: str | None = None
    ) -> OutboxEntry:
        """Details after the press (what is happening, where to evacuate to): a CAP Update of that alert."""
        original = self._find(identifier)
        if original.msg_type == "Cancel":
            raise ConflictError("An all clear cannot be updated; send a new alert", code="cancelled")
        if not (note.strip() or location.strip() or hazard.strip()):
            raise InputError("An update needs a note, a location or a hazard")
        moment = self._after_incident(original.incident, self._now())
        msg = self._message(
            cap.new_identifier(),
            moment,
            original.cap_status,
            "Update",
            original.action,
            original.incident,
            (_reference(original),),
            location or original.location,
            hazard,
            note,
            staff,
            roster=True,
        )
        entry = self._commit(msg, refers_to=original.identifier)
        self._details[entry.id] = ("alert.update", {"location": location, "note": note})
        self.catch_up(SIDE_RECORD_WAIT)
        return entry

    def all_clear(
        self, *, role: str, note: str = "", staff: str | None = None, mode: str = "Actual", code: str = ""
    ) -> OutboxEntry:
        """The all clear of the open incident: a CAP Cancel referencing its alerts. Principal or admin only.

        ``code`` is the all-clear code the console printed for this principal or administrator
        (``frontdesk dispatch clearer add``): the Cancel is signed with it (:mod:`frontdesk.wire.allclear`)
        and the code itself is neither sent nor kept. The console refuses a Cancel without a good signature,
        so the desk's own role check is not the only one.
        """
        if code.strip():
            allclear.split_code(code)  # a mistyped code is said now, before anything is committed
        if not self.all_clear_allowed(role):
            raise PermissionDenied(
                "Only a principal or an administrator can send the all clear", code="all_clear_role"
            )
        active = self.active_incident(mode)
        if active is None:
            raise ConflictError("There is no open incident to clear", code="no_incident")
        messages = [
            m for m in self.outbox.incident_messages(active.incident) if m.state not in ("rejected", "expired")
        ]
        refs = tuple(_reference(m) for m in messages if m.msg_type in ("Alert", "Update"))
        moment = self._after_incident(active.incident, self._now())  # never before what it clears
        msg = self._message(
            cap.new_identifier(), moment, mode, "Cancel", active.action, active.incident, refs, "", "", note, staff
        )
        if code.strip():
            msg = allclear.sign(msg, code)
        state = self.outbox.school_state()
        lifted = None
        if state.source == "local":  # a district-set state is lifted by the district, not by a desk
            lifted = SchoolState("NORMAL", "All clear", msg.staff, moment, False, "local")
        entry = self._commit(msg, refers_to=active.identifier, school_state=lifted)
        if mode != "Test":
            self._tell(entry, lambda o, staff: o.all_clear(staff=staff, incident=entry.incident, when=moment))
        self._recorded(entry, "alert.all_clear", "info", f"All clear sent by {msg.staff or role}", note=note)
        return entry

    def daily_test(self) -> OutboxEntry:
        """The daily CAP ``Test`` that proves the path (all parties disregard it)."""
        return self.press(cap.DEFAULT_ACTION, mode="Test", note="Daily test of the panic alert path")

    def send_daily_test_if_due(self) -> bool:
        """Commit today's Test unless one was already sent today (local day) or the setting is off."""
        if not self._settings.get(DISPATCH_DAILY_TEST):
            return False
        start, end = clock.local_day_bounds(self._now().astimezone().date())
        if self.outbox.sent_test_between(start, end):
            return False
        self.daily_test()
        return True

    # --- what the desk shows ------------------------------------------------------------------------
    def active_incident(self, mode: str = "Actual") -> OutboxEntry | None:
        """The first alert of the newest incident of ``mode`` that has no all clear yet."""
        return self.outbox.active_incident(mode)

    def recent(self, limit: int = 20) -> list[OutboxEntry]:
        """The newest messages first."""
        return self.outbox.recent(limit)

    def incident_messages(self, incident: str) -> list[OutboxEntry]:
        """Every message of one incident, in the order they were committed."""
        return self.outbox.incident_messages(incident)

    def latest(self) -> OutboxEntry | None:
        """The newest message, if any."""
        newest = self.outbox.recent(1)
        return newest[0] if newest else None

    def state_heading(self) -> str:
        """The school's state for a printed heading ("LOCKDOWN (DRILL)"), or "" while it is normal."""
        state = self.school_state()
        if state.state == "NORMAL":
            return ""
        return state.state + (" (DRILL)" if state.exercise else "")

    def get(self, identifier: str) -> OutboxEntry:
        """One message by identifier."""
        return self._find(identifier)

    def status(
        self, entry: OutboxEntry, now: datetime | None = None, not_delivered_after: float = 5.0
    ) -> DeliveryStatus:
        """The exact delivery status of ``entry`` in words (red "NOT DELIVERED" after 5 s)."""
        linked = bool(self._settings.get(DISPATCH_URL))
        return describe(entry, now or self._now(), self.emergency_numbers, not_delivered_after, linked=linked)

    @property
    def emergency_numbers(self) -> str:
        """The school's numbers to call when an alert is not delivered."""
        return self._settings.get(EMERGENCY_NUMBERS) or "911"

    def school_state(self) -> SchoolState:
        """The school's SRP state (NORMAL, or set by a press here or by the district)."""
        return self.outbox.school_state()

    def check_admissions(self) -> None:
        """Raise ConflictError while the school is in SECURE or LOCKDOWN (check-in is frozen)."""
        state = self.school_state()
        if state.admissions_frozen:
            raise ConflictError(f"{state.banner}. Check-in is frozen.", code="admissions_frozen")

    # --- connection ---------------------------------------------------------------------------------
    def connect(self, url: str, credential: str, *, insecure: bool = False) -> dict:
        """Check ``credential`` against the console at ``url`` and keep both (credential in the keyring).

        HTTPS only, except to this machine (loopback) or with ``insecure`` (the desk then warns on every
        screen): over plain HTTP the credential and the visitor roster travel in clear, and anyone on the
        way can answer "received". This is the only way ``dispatch.url`` changes: the address verified here
        is recorded, and a desk whose setting no longer matches it stops sending until it is connected again.
        """
        # Who may, first: the credential below replaces the station's own in the keyring before the settings are
        # written, and a refusal then left the real link with a credential its console does not know.
        for setting in (DISPATCH_URL, DISPATCH_STATION_ID):
            self._settings.check_change(setting)
        urls, credential = split_urls(url), credential.strip()
        if not urls:
            raise InputError("The console address must start with http:// or https://, not ''")
        plain = False
        for one in urls:
            if not one.startswith(("http://", "https://")):
                raise InputError(f"The console address must start with http:// or https://, not {one!r}")
            if one.startswith("http://") and not is_loopback(one):
                plain = True
                if not insecure:
                    raise InputError(
                        f"Refused: {one} is plain http:// to another machine, so the credential and the visitor "
                        "roster would travel in clear and anyone on the way could answer 'received'. Use "
                        "https:// (with --ca-file for the district's own CA), or --insecure if you really must",
                        code="insecure_refused",
                    )
        if not credential:
            raise InputError("No credential on standard input (paste the last line 'dispatch enroll' printed)")
        # Several addresses (consoles sharing one database, the desk fails over between them): each must
        # know this credential as the same station.
        infos = [self._verify(one, credential) for one in urls]
        info = infos[0]
        if any(other.get("station_id") != info.get("station_id") for other in infos[1:]):
            raise DeliveryError(
                "The consoles given do not know this credential as the same station: they must share one database",
                code="credential",
            )
        url = ",".join(urls)
        self.credentials.save(credential)
        self._settings.set(DISPATCH_URL, url)
        self._settings.set(DISPATCH_STATION_ID, str(info.get("station_id", "")))
        self._remember_connection(url, plain)
        self._credential = None
        self._events.record("dispatch", "info", f"Connected to dispatch console {url} as {info.get('station')}")
        if plain:
            self._events.record("dispatch", "warning", f"The link to {url} is NOT ENCRYPTED (--insecure)")
        return info

    def _verify(self, url: str, credential: str) -> dict:
        try:
            return fetch_station(Endpoint(url, credential, self._settings.get(DISPATCH_CA_FILE)))
        except httpx.HTTPStatusError as exc:
            code = exc.response.status_code
            word = "not valid" if code == 401 else "not allowed" if code == 403 else f"refused (HTTP {code})"
            raise DeliveryError(
                f"The console at {url} says this credential is {word}", code="credential"
            ) from None
        except httpx.DecodingError as exc:
            raise DeliveryError(
                f"The address {url} {exc}: is it the dispatch console's address?",
                code="unreachable",
            ) from None
        except (httpx.HTTPError, OSError) as exc:  # OSError: an unreadable CA file
            raise DeliveryError(
                f"The console at {url} cannot be reached ({type(exc).__name__})", code="unreachable"
            ) from None

    @property
    def insecure(self) -> bool:
        """True while this desk talks to its console over plain HTTP to another machine (``--insecure``)."""
        record = self._connection()
        return bool(record and record.get("insecure"))

    def _connection(self) -> dict | None:
        row = self._store.db.execute("SELECT value FROM dispatch_station_kv WHERE key = 'connection'").fetchone()
        return json.loads(row[0]) if row else None

    def _remember_connection(self, url: str, insecure: bool) -> None:
        value = json.dumps({"url": url, "insecure": insecure, "verified_at": self._now().isoformat()})
        db = self._store.db
        with db.conn:
            db.execute(
                "INSERT INTO dispatch_station_kv (key, value) VALUES ('connection', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [value],
            )

    def _connection_problem(self, url: str) -> tuple[bool, str]:
        """``(insecure, problem)`` of sending to ``url``: it must be the address 'dispatch connect' verified."""
        record = self._connection()
        if record is None:
            # Connected before the address was recorded (an older desk): HTTPS or loopback is taken as
            # verified once; plain HTTP to another machine must be connected again, knowingly.
            if url.startswith("https://") or is_loopback(url):
                self._remember_connection(url, False)
                return False, ""
            record = {"url": "", "insecure": False}
        if record["url"] != url:
            return False, (
                f"dispatch.url ({url}) was changed outside 'frontdesk dispatch connect', which verifies the "
                "console: run 'frontdesk dispatch connect' again"
            )
        return bool(record.get("insecure")), ""

    def endpoint(self) -> Endpoint | None:
        """The console and credential to use, or None when this desk was never connected.

        An address that 'dispatch connect' did not verify gives an endpoint with a ``problem`` (the link
        sends nothing and shows why).
        """
        url = self._settings.get(DISPATCH_URL)
        if not url:
            return None
        insecure, problem = self._connection_problem(url)
        if problem:
            return Endpoint(url, "", insecure=insecure, problem=problem)
        # The keyring can be slow (a D-Bus round trip): keep the credential a few seconds.
        cached = self._credential
        if cached is None or time.monotonic() - cached[0] > 10:
            cached = self._credential = (time.monotonic(), self.credentials.load())
        if not cached[1]:
            return None
        return Endpoint(url, cached[1], self._settings.get(DISPATCH_CA_FILE), insecure=insecure)

    def link(
        self, *, timings: LinkTimings | None = None, listener: LinkListener | None = None, daily_test: bool = False
    ) -> DispatchLink:
        """A new link that delivers this station's outbox (run it on one long-lived thread).

        ``daily_test``: the link also sends the daily CAP Test once the console answers (the desk app's
        link does; ``frontdesk panic`` does not).
        """
        self.catch_up()  # presses whose audit record a crash or a busy main file left unwritten
        return DispatchLink(
            # The station's own outbox: its file opened, migrated and its key read once (a second Outbox read
            # the key from the keyring again, ~15 ms of a Linux desk's start); each thread has its connection.
            self.outbox,
            self.endpoint,
            timings=timings,
            listener=listener,
            onsite=lambda: len(self._visits.on_site()),
            events=self._events,
            daily_test=self.send_daily_test_if_due if daily_test else None,
        )

    # --- helpers ------------------------------------------------------------------------------------
    def _press_status(self) -> str:
        if self._settings.get(DISPATCH_URL):
            # Said at the press, before dispatch has it: never "sent", which a reader takes for "dispatch knows".
            return (
                f"Being sent to district dispatch; if the desk says NOT DELIVERED, call {self.emergency_numbers}. "
                "Follow the school's plan."
            )
        return f"This desk has no dispatch link: call {self.emergency_numbers} if needed."

    def _tell(self, entry: OutboxEntry, queue: Callable[[Outbound, str], object]) -> None:
        # The panic email and texts (issue 20) go into the main file with the press's side records, in the
        # same short, bounded transaction of catch_up: never in the alert's way, never lost while it is busy.
        if self._outbound is not None:
            self._pending_tells.append(lambda: queue(self._outbound, entry.staff))

    def _recorded(self, entry: OutboxEntry, action: str, level: str, message: str, **details: str) -> None:
        # After the alert's own commit (the outbox has its own file), and never in its way: its event line and
        # audit record go into the main file in one short transaction, waiting SIDE_RECORD_WAIT at most. If the
        # main file is busy longer, they wait here (audited = 0 in the outbox) for the next catch_up.
        self._details[entry.id] = (action, details)
        self._pending_events.append((level, message))
        self.catch_up(SIDE_RECORD_WAIT)

    def catch_up(self, wait: float | None = None) -> int:
        """Write the event lines and audit records the main file was too busy to take at a press.

        Called after every press, by the desk's state timer, at link start and by ``frontdesk panic`` once
        it has delivered. ``wait``: the most to wait for the main file (None: the store's usual patience).
        Returns how many audit records it wrote. A crash between the trail's commit and the outbox's mark can
        record a message twice, never not at all.
        """
        try:
            pending = self.outbox.unaudited() if self._audit is not None else []
            if not pending and not self._pending_events and not self._pending_tells:
                return 0
            # A press whose program ended (a desk killed, ``frontdesk panic`` exiting) while the main file was
            # held kept its email and texts in that program's memory only: they are queued again from the
            # outbox, which has the press (its records are unaudited), unless they were queued before.
            recovered = [
                tell
                for entry in pending
                if entry.id not in self._committed_here
                for tell in self._told_again(entry)
            ]
            with self._store.transaction(wait=wait):
                for level, message in self._pending_events:
                    self._events.record("dispatch", level, message)
                for tell in [*self._pending_tells, *recovered]:
                    try:
                        tell()
                    except Exception as exc:  # noqa: BLE001 - the alert is sent whatever happens to the email
                        self._events.record(
                            "notify", "error", f"The panic email and texts could not be queued: {exc}"
                        )
                for entry in pending:
                    action, details = self._details.get(entry.id, (_AUDIT_ACTIONS[entry.msg_type], {}))
                    self._audit.record(
                        None,
                        action,
                        entry.identifier,
                        {"action": entry.action, "mode": entry.cap_status, "incident": entry.incident, **details},
                    )
            self._pending_events.clear()
            self._pending_tells.clear()
            for entry in pending:
                self.outbox.mark_audited(entry.id)
                self._details.pop(entry.id, None)
            if pending:
                self._audit.refresh_anchor()
            return len(pending)
        except FrontDeskError:  # busy for longer than we wait: the next catch_up writes them
            return 0

    def tell_delivery(
        self,
        wait: float | None = None,
        *,
        not_delivered_after: float | None = None,
    ) -> int:
        """Tell the ``panic`` email and text subscribers what became of an alert whose press they were told of as
        "being sent": dispatch has not received it ``not_delivered_after`` seconds after the press, dispatch
        refused it, or one told as not delivered has now reached dispatch. Each once per incident, action and
        mode (the messages carry the school's emergency numbers). Nothing without a dispatch link (the press's
        message said so) or for an alert the press told no one of (a confirmed match's Staff assist).

        ``not_delivered_after`` defaults to the setting ``notify.panic_not_delivered_after_seconds`` (a minute:
        well past the desk's red NOT DELIVERED and a link's first retries, so a blip tells no one and a link that
        is down tells them while it still matters). Called by the desk's state timer, ``notify drain``, and
        ``frontdesk panic`` when it stops waiting (then with ``not_delivered_after=0``: a scripted press may have
        no one reading its output). ``wait``: the most to wait for the main file; busy longer, the next call
        tells. Returns how many messages were queued.
        """
        outbound = self._outbound
        if outbound is None:
            return 0
        now = self._now()
        # The outbox first (its own small file): on most ticks of the desk's timer there is no alert of the last
        # day, and the settings in the main file are not read.
        alerts = [
            e for e in self.outbox.alerts_since(now - FOLLOW_UP_WITHIN) if self._followed.get(e.id) != "settled"
        ]
        if not alerts or not self._settings.get(DISPATCH_URL):
            return 0
        if not_delivered_after is None:
            not_delivered_after = float(self._settings.get(NOTIFY_PANIC_NOT_DELIVERED_SECONDS))
        due: list[tuple[OutboxEntry, str]] = []
        for entry in alerts:
            told = self._followed.get(entry.id)
            if entry.state == "queued":
                waited = (now - entry.pressed_at).total_seconds()
                # A press "in the future" (the clock stepped back since): how long it waited cannot be known,
                # so it is told, as the desk shows it red (status.describe).
                if told is None and (waited >= not_delivered_after or waited < 0):
                    due.append((entry, "not_delivered"))
            elif entry.state == "rejected":
                due.append((entry, "rejected"))
            elif entry.state in ("received", "acknowledged") and told in (None, "not_delivered"):
                due.append((entry, "late"))
            else:
                self._followed[entry.id] = "settled"  # a drill given up, or received before anyone was told
        if not due:
            return 0
        queued = 0
        try:
            with self._store.transaction(wait=wait):
                for entry, what in due:
                    try:
                        queued += self._follow_up(outbound, entry, what, now)
                    except Exception as exc:  # noqa: BLE001 - never in the desk's way; said in its event log
                        self._followed[entry.id] = "settled"
                        self._events.record(
                            "notify",
                            "error",
                            f"What became of the {entry.action.title()} alert could not be "
                            f"queued for its email and texts: {exc}",
                        )
        except FrontDeskError:  # the main file busy for longer than we wait: the next call tells
            return 0
        return queued

    def _follow_up(self, outbound: Outbound, entry: OutboxEntry, what: str, now: datetime) -> int:
        """Queue one follow-up of ``entry`` unless it was queued before (by this program or another on the folder)
        and remember what was settled."""
        told = partial(outbound.panic_followed_up, entry.incident, entry.action, entry.cap_status)
        if not outbound.panic_queued(entry.incident, entry.action, entry.cap_status):
            self._followed[entry.id] = "settled"  # the press told no one: nothing to follow up
            return 0
        if what == "late" and not told("not_delivered"):
            self._followed[entry.id] = "settled"  # reached dispatch before anyone was told otherwise
            return 0
        self._followed[entry.id] = "not_delivered" if what == "not_delivered" else "settled"
        if told(what):
            return 0
        return outbound.panic_follow_up(
            what,
            incident=entry.incident,
            action=entry.action,
            mode=entry.cap_status,
            when=entry.pressed_at,
            numbers=self.emergency_numbers,
            waited=_waited(now - entry.pressed_at),
            received=entry.confirmed_at or entry.acked_at,
        )

    def _told_again(self, entry: OutboxEntry) -> list[Callable[[], object]]:
        """The ``panic`` email and texts of an alert or all clear committed by a program that ended before it
        could queue them (none for an update or a test, or when they were queued before). A confirmed match's
        Staff assist (queued without them: the match tells its own) is told too: told twice, never not at all."""
        outbound = self._outbound
        if outbound is None or entry.cap_status == "Test" or entry.msg_type not in ("Alert", "Cancel"):
            return []
        if entry.msg_type == "Alert":
            if outbound.panic_queued(entry.incident, entry.action, entry.cap_status):
                return []
            status = self._press_status()
            return [
                lambda: outbound.panic_pressed(
                    entry.action,
                    entry.cap_status,
                    staff=entry.staff,
                    status=status,
                    incident=entry.incident,
                    when=entry.pressed_at,
                )
            ]
        if outbound.panic_queued(entry.incident, "clear"):
            return []
        return [lambda: outbound.all_clear(staff=entry.staff, incident=entry.incident, when=entry.pressed_at)]

    def _find(self, identifier: str) -> OutboxEntry:
        entry = self.outbox.find(identifier)
        if entry is None:
            raise NotFoundError(f"No panic message {identifier!r} at this desk")
        return entry

    def _after_incident(self, incident: str, moment: datetime) -> datetime:
        """``moment``, or a second after the incident's newest message if the clock says earlier.

        The console names an incident by its newest press by CAP ``sent`` (an earlier press still being retried
        may arrive after a later one). A clock stepped back between two presses (an NTP correction) stamped the
        later LOCKDOWN before the earlier Staff assist, and the dispatcher's board went on showing Staff assist.
        A second later, because CAP's ``sent`` has no fraction of a second."""
        last = self.outbox.last_pressed(incident)
        return last + timedelta(seconds=1) if last is not None and moment < last else moment

    def _message(
        self,
        identifier,
        moment,
        mode,
        msg_type,
        action,
        incident,
        references,
        location,
        hazard,
        note,
        staff,
        roster=False,
    ) -> cap.CapMessage:
        st = self._settings
        people = self._visits.on_site() if roster else []
        return cap.CapMessage(
            identifier=identifier,
            sender=cap.station_sender(st.get(DISPATCH_STATION_ID) or "unconnected"),
            sent=moment.astimezone(),
            status=mode,
            msg_type=msg_type,
            action=action,
            school=st.get(SCHOOL_NAME),
            address=st.get(SCHOOL_ADDRESS),
            building=st.get(STATION_BUILDING),
            floor=st.get(STATION_FLOOR),
            room=st.get(STATION_ROOM),
            station=st.get(STATION_NAME),
            staff=(staff if staff is not None else st.get(STAFF_NAME)).strip(),
            note=note.strip(),
            location=location.strip(),
            hazard=hazard.strip(),
            roster=tuple(
                cap.RosterEntry(v.visitor.full_name, v.category.label, v.destination, v.time_in) for v in people
            ),
            references=tuple(references),
            incidents=incident,
            phone=st.get(SCHOOL_PHONE),
        )

    def _commit(self, msg: cap.CapMessage, refers_to: str, school_state: SchoolState | None = None) -> OutboxEntry:
        entry = self.outbox.add(
            school_state=school_state,
            identifier=msg.identifier,
            msg_type=msg.msg_type,
            cap_status=msg.status,
            action=msg.action,
            incident=msg.incidents or msg.identifier,
            refers_to=refers_to,
            cap=_fitted(msg),
            pressed_at=msg.sent,
            staff=msg.staff,
            location=msg.location or msg.hazard,
            note=msg.note,
        )
        self._committed_here.add(entry.id)
        return entry


def _waited(delta: timedelta) -> str:
    """How long an alert has waited, in words: "a few seconds", "40 seconds", "1 minute", "3 hours"."""
    seconds = int(delta.total_seconds())
    if seconds < 10:  # a scripted press that stopped waiting at once (or a clock stepped back since the press)
        return "a few seconds"
    size, unit = (3600, "hour") if seconds >= 3600 else (60, "minute") if seconds >= 60 else (1, "second")
    count = seconds // size
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _fitted(msg: cap.CapMessage) -> bytes:
    """The message's CAP bytes, within what the console takes (``cap.MAX_BYTES``).

    The on-site roster is every visit not checked out (and the school's other desks'): a big evening, or months
    of visitors nobody checked out, can pass the limit, and the console refuses the body (413) before it reads
    it, which the sender retried for ever: that alert and every message behind it never reached dispatch. The
    alert must go: the roster keeps its newest arrivals that fit and the note says how many it leaves out.
    """
    data = cap.build(msg)
    everyone = len(msg.roster)
    keep = everyone
    while len(data) > cap.MAX_BYTES and keep > 0:
        # Shrink in proportion (with a margin for the note), then by one, until it fits.
        keep = min(keep - 1, int(keep * cap.MAX_BYTES / len(data) * 0.98))
        cut = f"(On-site roster too long for one message: the {keep} most recent of {everyone} on site.)"
        data = cap.build(
            dataclasses.replace(msg, roster=msg.roster[everyone - keep :], note=f"{msg.note} {cut}".strip())
        )
    return data


def _reference(entry: OutboxEntry) -> str:
    """The CAP reference (``sender,identifier,sent``) of a stored message, read from its own bytes."""
    root = ET.fromstring(entry.cap)
    ns = f"{{{cap.CAP_NS}}}"
    return ",".join(root.findtext(ns + tag, "").strip() for tag in ("sender", "identifier", "sent"))
