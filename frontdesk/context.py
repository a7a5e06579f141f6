"""The core's services over one data folder (the UI's composition root and the CLI use this).

Each service is built on first use (:class:`service`), and its module is imported there: ``frontdesk onsite``
builds the visits service and nothing else, and the desk's first paint waits for no feature it does not
show (screening's rapidfuzz, the PDF writer, the badge renderer's PIL). To add a feature's service, write a
method on :class:`Services` with ``@service``, importing the feature's module inside it and naming the
other services it needs as ``self.<name>`` (they are built in turn, once). Migrations are joined eagerly
(``MIGRATIONS``): the store applies them when it opens, so keep ``migrations.py`` modules light.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from frontdesk.accounts import migrations as accounts_migrations
from frontdesk.audit import migrations as audit_migrations
from frontdesk.badges import migrations as badges_migrations
from frontdesk.dispatch import migrations as dispatch_migrations
from frontdesk.dispatch.migrations import OUTBOX_DB
from frontdesk.district_lists import migrations as district_lists_migrations
from frontdesk.kiosk import migrations as kiosk_migrations
from frontdesk.notifications import migrations as notifications_migrations
from frontdesk.review import migrations as review_migrations
from frontdesk.screening import migrations as screening_migrations
from frontdesk.secrets import SecretStore
from frontdesk.store import Migration, Store, cipher
from frontdesk.store.migrations import BASE
from frontdesk.students import migrations as students_migrations
from frontdesk.sync import migrations as sync_migrations
from frontdesk.visits import migrations as visits_migrations
from frontdesk.volunteers import migrations as volunteers_migrations

if TYPE_CHECKING:
    from frontdesk.access.session import Session
    from frontdesk.accounts.service import Accounts
    from frontdesk.audit import AuditTrail
    from frontdesk.backups.service import Backups
    from frontdesk.badges.service import BadgeService
    from frontdesk.checkin.workflow import CheckIn
    from frontdesk.directory.service import Directory
    from frontdesk.dispatch.station import StationService
    from frontdesk.district_lists.service import DistrictLists
    from frontdesk.events.service import EventLog
    from frontdesk.ids.service import IdReader
    from frontdesk.kiosk.service import Kiosk
    from frontdesk.notifications.daily import DailyLog
    from frontdesk.notifications.outbound import Outbound
    from frontdesk.notifications.sender import Sender
    from frontdesk.notifications.service import Notifications
    from frontdesk.retention.service import Retention
    from frontdesk.review.service import ReviewService
    from frontdesk.screening.decisions import DecisionService
    from frontdesk.screening.lists import ListService
    from frontdesk.screening.screener import Screener
    from frontdesk.settings import Settings
    from frontdesk.students.pickup_lists import PickupListService
    from frontdesk.students.release import DismissalService
    from frontdesk.students.reunify import ReunificationService
    from frontdesk.students.service import StudentService
    from frontdesk.sync.outbox import Outbox as SyncOutbox
    from frontdesk.sync.remote import RemoteVisitStore
    from frontdesk.sync.service import SyncService
    from frontdesk.visits.service import VisitService
    from frontdesk.volunteers.service import VolunteerService

# Every feature's migrations, joined once, in the order they were released (a new database applies them so).
MIGRATIONS: list[Migration] = [
    *visits_migrations.MIGRATIONS,
    *BASE,
    *dispatch_migrations.MIGRATIONS,
    *badges_migrations.MIGRATIONS,
    *screening_migrations.MIGRATIONS,
    *audit_migrations.MIGRATIONS,
    *accounts_migrations.MIGRATIONS,
    *review_migrations.MIGRATIONS,
    *notifications_migrations.MIGRATIONS,
    *volunteers_migrations.MIGRATIONS,
    *kiosk_migrations.MIGRATIONS,
    *students_migrations.MIGRATIONS,
    *sync_migrations.MIGRATIONS,
    *district_lists_migrations.MIGRATIONS,
]


def default_data_dir() -> Path:
    """``FRONTDESK_DATA_DIR`` if set, else the platform's per-user data folder."""
    env = os.environ.get("FRONTDESK_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("FrontDesk", appauthor=False))


def _all_clear_check(session: Session):
    """The dispatch all clear's seam: the signed-in role decides once accounts exist (the stated role before)."""
    from frontdesk.access.roles import Action
    from frontdesk.dispatch.station import default_all_clear_allowed

    def allowed(role: str) -> bool:
        if not session.accounts_exist():
            return default_all_clear_allowed(role)
        if not session.may(Action.ALL_CLEAR):
            return False
        session.require(Action.ALL_CLEAR)  # the account as it stands now: disabled since it signed in says so
        return True

    return allowed


T = TypeVar("T")


class service(Generic[T]):  # noqa: N801 - used as a decorator, like property
    """A service of :class:`Services`, built by the decorated method on first use, then kept.

    Building holds the services' one (re-entrant) lock, so two threads asking at once get the same object, and
    a builder may ask for the services it needs. Assigning the attribute replaces the service (tests, demo).
    """

    def __init__(self, build: Callable[[Any], T]):
        self.build = build
        self.name = build.__name__
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, services: Any, owner: type | None = None) -> T:
        if services is None:
            return self  # type: ignore[return-value]
        built = services.__dict__
        if self.name not in built:
            with services._building:
                if self.name not in built:
                    built[self.name] = self.build(services)
        return built[self.name]


class Services:
    """Every core service over one store, each built on first use. Features add theirs as ``@service`` methods."""

    def __init__(self, store: Store):
        self.store = store
        self._building = threading.RLock()

    @classmethod
    def open(
        cls, data_dir: Path, *, secrets: SecretStore | None = None, encrypt: bool = False, check: bool = False
    ) -> Services:
        """Open (and migrate) the store in ``data_dir``; the services are built over it as they are used.

        The database key comes from ``secrets`` (the OS keyring by default); ``encrypt`` makes one for a
        database that has none (the desk does at start-up); ``check`` runs the integrity check first.
        """
        store = Store.open(data_dir, MIGRATIONS, secrets=secrets or SecretStore(), encrypt=encrypt, check=check)
        if store.key is not None and cipher.file_state(store.data_dir / OUTBOX_DB) == "plain":
            # The panic outbox's own file (people's names travel in a roster) is encrypted with the database
            # now, not when the station is first used.
            from frontdesk.dispatch.outbox import Outbox

            Outbox(store)
        return cls(store)

    def built(self) -> list[str]:
        """The names of the services built so far (for tests and start-up measurements)."""
        return sorted(
            name
            for name, value in vars(type(self)).items()
            if isinstance(value, service) and name in self.__dict__
        )

    # The core: who is signed in, the audit trail, settings, visits, the event log.
    @service
    def session(self) -> Session:
        from frontdesk.access.session import Session
        from frontdesk.accounts import standing

        store = self.store
        # Set-up mode (everything allowed) ends for good with the first account: rows deleted by hand do not
        # reopen it (the trail remembers them). A signed-in account is checked again before a principal's action.
        return Session(
            has_accounts=lambda: standing.accounts_exist(store.db),
            recheck=lambda actor: standing.current_actor(store.db, actor),
            note=lambda: standing.DELETED if standing.all_deleted(store.db) else "",
        )

    @service
    def audit(self) -> AuditTrail:
        from frontdesk.audit import AuditTrail

        trail = AuditTrail(self.store, session=self.session)
        # Every audited change also goes up to the district hub (issue 15): the sync outbox listens to the
        # trail from the moment it exists, whichever service is built first, so nothing is left out.
        trail.add_listener(self.sync_outbox.capture)
        return trail

    @service
    def sync_outbox(self) -> SyncOutbox:
        """The hub's outbox (issue 15): one entry per audit record, written in the record's transaction."""
        from frontdesk.sync.outbox import Outbox
        from frontdesk.sync.shared import Shared, lazy
        from frontdesk.wire.sync import LIST_KINDS, MOVEMENT_KINDS, STUDENT_KINDS

        # The school's own lists, pick-up decisions and students' movements go to its other desks too (each
        # module imported on its first shared change, not at start-up).
        shared = Shared()
        lists = "frontdesk.sync.shared_lists"
        shared.add(
            LIST_KINDS,
            lazy(lists, "outgoing"),
            lazy(lists, "incoming"),
            lazy(lists, "existing"),
            lazy(lists, "again"),
        )
        students = "frontdesk.students.shared"
        shared.add(
            STUDENT_KINDS + MOVEMENT_KINDS,
            lazy(students, "outgoing"),
            lazy(students, "incoming"),
            lazy(students, "existing"),
            lazy(students, "again"),
        )
        return Outbox(shared)

    @service
    def remote_visits(self) -> RemoteVisitStore:
        """The school's other desks' visits as the hub last sent them (issue 15)."""
        from frontdesk.settings import DISPATCH_URL, STATION_NAME
        from frontdesk.sync.remote import RemoteVisitStore

        settings = self.settings
        return RemoteVisitStore(
            self.store,
            self.audit,
            linked=lambda: bool(settings.get(DISPATCH_URL)),
            station=settings.get(STATION_NAME),
        )

    @service
    def settings(self) -> Settings:
        from frontdesk.settings import Settings

        return Settings(self.store, session=self.session, audit=self.audit)

    @service
    def visits(self) -> VisitService:
        from frontdesk.settings import STAFF_NAME, STATION_NAME
        from frontdesk.visits.service import VisitService

        settings = self.settings
        visits = VisitService(
            self.store,
            station=settings.get(STATION_NAME),
            staff=settings.get(STAFF_NAME),
            session=self.session,
            audit=self.audit,
        )
        # One on-site list per school (issue 15): the other desks' visitors count, wherever it is asked.
        visits.attach_remote(self.remote_visits)
        return visits

    @service
    def events(self) -> EventLog:
        from frontdesk.events.service import EventLog

        return EventLog(self.store)

    @service
    def directory(self) -> Directory:
        from frontdesk.directory.service import Directory

        return Directory(self.store, session=self.session, audit=self.audit)

    @service
    def accounts(self) -> Accounts:
        from frontdesk.accounts.service import Accounts

        return Accounts(self.store, self.session, self.audit)

    @service
    def ids(self) -> IdReader:
        """Reading a visitor's ID (each one shown is audited)."""
        from frontdesk.ids.service import IdReader

        return IdReader(self.audit)

    # Panic alerts to dispatch (the outbox is its own file, opened with the station).
    @service
    def station(self) -> StationService:
        from frontdesk.dispatch.station import StationService

        return StationService(
            self.store,
            self.settings,
            self.visits,
            self.events,
            all_clear_allowed=_all_clear_check(self.session),
            audit=self.audit,
            outbound=self.outbound,
        )

    @service
    def badges(self) -> BadgeService:
        from frontdesk.badges.service import BadgeService

        return BadgeService(self.store, self.settings, self.visits, self.events, audit=self.audit)

    # Screening (issue 4)
    @service
    def notifications(self) -> Notifications:
        from frontdesk.notifications.service import Notifications

        return Notifications(self.store, session=self.session, audit=self.audit)

    @service
    def lists(self) -> ListService:
        from frontdesk.screening.lists import ListService

        lists = ListService(self.store, session=self.session, audit=self.audit)
        lists.ensure_index_current()  # rebuilt now only if this code cannot screen on it (else: upgrade_index)
        return lists

    @service
    def screener(self) -> Screener:
        from frontdesk.screening.match import Thresholds
        from frontdesk.screening.screener import Screener
        from frontdesk.settings import (
            SCREEN_MATCH,
            SCREEN_MAX_CHANCE,
            SCREEN_NAME_ONLY_LISTED_MAX_PEOPLE,
            SCREEN_NAME_ONLY_MAX_PEOPLE,
            SCREEN_NAMESAKES_MAX,
            SCREEN_POSSIBLE,
        )

        settings = self.settings
        self.lists  # noqa: B018 - the list index is brought up to date before anyone is screened

        def thresholds() -> Thresholds:
            return Thresholds(settings.get(SCREEN_POSSIBLE), settings.get(SCREEN_MATCH))

        return Screener(
            self.store,
            thresholds,
            namesakes_max=lambda: settings.get(SCREEN_NAMESAKES_MAX),
            name_only_max_people=lambda: settings.get(SCREEN_NAME_ONLY_MAX_PEOPLE),
            name_only_listed_max_people=lambda: settings.get(SCREEN_NAME_ONLY_LISTED_MAX_PEOPLE),
            max_chance=lambda: settings.get(SCREEN_MAX_CHANCE),
        )

    @service
    def decisions(self) -> DecisionService:
        from frontdesk.screening.decisions import DecisionService
        from frontdesk.settings import STATION_NAME

        def dispatch(note, staff):
            # Always real (never a drill or test); Staff assist is never forwarded to 911 by the console.
            return self.station.press(
                "STAFF_ASSIST", mode="Actual", note=note, staff=staff, roster=False, tell=False
            )

        return DecisionService(
            self.store,
            self.settings,
            self.notifications,
            station=self.settings.get(STATION_NAME),
            dispatch=dispatch,
            audit=self.audit,
            outbound=self.outbound,
        )

    @service
    def checkin(self) -> CheckIn:
        """Admission: every door's check-in goes through it."""
        from frontdesk.checkin.workflow import CheckIn

        return CheckIn(
            visits=self.visits,
            screener=self.screener,
            decisions=self.decisions,
            station=self.station,
            settings=self.settings,
            session=self.session,
            audit=self.audit,
            store=self.store,
            checks=(self.volunteers.admission_check,),  # features' own admission rules
        )

    @service
    def review(self) -> ReviewService:
        from frontdesk.review.service import ReviewService

        return ReviewService(
            self.store,
            self.session,
            self.audit,
            self.visits,
            school_state=lambda: self.station.state_heading(),
            roster_students=lambda: self.students.roster_lines(),
        )

    # Email and text notifications (issue 20): recipients and the outbox, its sender, the daily log
    @service
    def outbound(self) -> Outbound:
        from frontdesk.notifications.outbound import Outbound

        # Rules naming a role or an account reach that account's email and mobile (issue 20).
        return Outbound(
            self.store, self.settings, session=self.session, audit=self.audit, contacts=self.accounts.contacts
        )

    @service
    def sender(self) -> Sender:
        from frontdesk.notifications.sender import Sender, channels_from_settings

        settings = self.settings
        return Sender(
            self.store, settings, lambda: channels_from_settings(settings), audit=self.audit, events=self.events
        )

    @service
    def daily_log(self) -> DailyLog:
        from frontdesk.notifications.daily import DailyLog
        from frontdesk.settings import SCHOOL_NAME

        settings = self.settings
        return DailyLog(
            self.outbound,
            settings,
            lambda day: self.review.day_rows(day),
            lambda day, rows: self.review.day_pdf(day, rows, school=settings.get(SCHOOL_NAME)),
            expiring_checks=lambda: [v.check.expires for v in self.volunteers.expiring() if v.check.expires],
        )

    @service
    def volunteers(self) -> VolunteerService:
        """Volunteer records, their check-in rule and hours (issue 18)."""
        from frontdesk.volunteers.service import VolunteerService

        return VolunteerService(self.store, self.settings, self.visits, session=self.session, audit=self.audit)

    @service
    def kiosk(self) -> Kiosk:
        """Self-service check-in, expected guests, people sent to the front office (issue 18)."""
        from frontdesk.kiosk.service import Kiosk
        from frontdesk.settings import STATION_NAME

        return Kiosk(
            self.store,
            lambda: self.checkin,  # screening and the workflow are built at the first check-in, not at start-up
            self.visits,
            lambda: self.volunteers,
            self.accounts,
            session=self.session,
            audit=self.audit,
            station=self.settings.get(STATION_NAME),
        )

    # Students (issue 17): the roster, late arrivals, releases to the right adult, reunification
    @service
    def students(self) -> StudentService:
        from frontdesk.students.service import StudentService

        return StudentService(self.store, self.settings, session=self.session, audit=self.audit, lists=self.lists)

    @service
    def dismissal(self) -> DismissalService:
        from frontdesk.students.release import DismissalService

        def frozen() -> str | None:
            state = self.station.school_state()
            return state.banner if state.admissions_frozen else None

        return DismissalService(
            students=self.students,
            screener=self.screener,
            decisions=self.decisions,
            settings=self.settings,
            session=self.session,
            audit=self.audit,
            frozen=frozen,
            outbound=self.outbound,
        )

    @service
    def reunification(self) -> ReunificationService:
        from frontdesk.students.reunify import ReunificationService

        return ReunificationService(
            self.store, self.students, self.dismissal, session=self.session, audit=self.audit
        )

    @service
    def backups(self) -> Backups:
        """Issue 16: online backups, rotation, restore."""
        from frontdesk.backups.service import Backups

        return Backups(self.store, self.settings, self.audit, self.session)

    @service
    def retention(self) -> Retention:
        """Issue 16: the district's retention settings, applied daily."""
        from frontdesk.retention.service import Retention

        return Retention(
            self.store,
            self.settings,
            self.audit,
            self.session,
            panic_messages=lambda cut, dry_run=False: self.station.outbox.remove_finished_before(cut, dry_run),
        )

    @service
    def pickup_lists(self) -> PickupListService:
        """The office's screen of who may and may not take a student (issue 17)."""
        from frontdesk.students.pickup_lists import PickupListService

        return PickupListService(self.store, self.students, self.lists, session=self.session, audit=self.audit)

    # The district hub (issue 15): changes up, the school's other desks' visits across, the district's lists
    # and settings down.
    @service
    def sync(self) -> SyncService:
        from frontdesk.sync.service import SyncService

        sync = SyncService(
            self.store,
            self.settings,
            self.visits,
            self.audit,
            self.station,
            outbox=self.sync_outbox,
            remote=self.remote_visits,
            events=self.events,
        )
        sync.add_puller(self.district_lists)  # the district's lists and settings come down with each round
        return sync

    @service
    def district_lists(self) -> DistrictLists:
        from frontdesk.district_lists.service import DistrictLists

        return DistrictLists(
            self.store, self.settings, audit=self.audit, outbound=self.outbound, events=self.events
        )

    def close(self) -> None:
        """Anchor the newest audit record, then close this thread's database connections."""
        self.audit.refresh_anchor()
        if "station" in self.__dict__:
            self.station.outbox.close()  # the panic outbox's own file (a key rotation needs every file closed)
        self.store.close()
