"""The core's services, built once over one data folder (the UI's composition root and the CLI use this)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from frontdesk.access.roles import Action
from frontdesk.access.session import Session
from frontdesk.accounts import migrations as accounts_migrations
from frontdesk.accounts.service import Accounts
from frontdesk.audit import AuditTrail
from frontdesk.audit import migrations as audit_migrations
from frontdesk.backups.service import Backups
from frontdesk.badges import migrations as badges_migrations
from frontdesk.badges.service import BadgeService
from frontdesk.checkin.workflow import CheckIn
from frontdesk.directory.service import Directory
from frontdesk.dispatch import migrations as dispatch_migrations
from frontdesk.dispatch.station import StationService, default_all_clear_allowed
from frontdesk.events.service import EventLog
from frontdesk.ids.service import IdReader
from frontdesk.kiosk import migrations as kiosk_migrations
from frontdesk.kiosk.service import Kiosk
from frontdesk.notifications import migrations as notifications_migrations
from frontdesk.notifications.daily import DailyLog
from frontdesk.notifications.outbound import Outbound
from frontdesk.notifications.sender import Sender, channels_from_settings
from frontdesk.notifications.service import Notifications
from frontdesk.retention.service import Retention
from frontdesk.review import migrations as review_migrations
from frontdesk.review.service import ReviewService
from frontdesk.screening import migrations as screening_migrations
from frontdesk.screening.decisions import DecisionService
from frontdesk.screening.lists import ListService
from frontdesk.screening.match import Thresholds
from frontdesk.screening.screener import Screener
from frontdesk.secrets import SecretStore
from frontdesk.settings import (
    SCHOOL_NAME,
    SCREEN_MATCH,
    SCREEN_MAX_CHANCE,
    SCREEN_NAME_ONLY_MAX_PEOPLE,
    SCREEN_NAMESAKES_MAX,
    SCREEN_POSSIBLE,
    STAFF_NAME,
    STATION_NAME,
    Settings,
)
from frontdesk.store import Migration, Store
from frontdesk.store.migrations import BASE
from frontdesk.students import migrations as students_migrations
from frontdesk.students.release import DismissalService
from frontdesk.students.reunify import ReunificationService
from frontdesk.students.service import StudentService
from frontdesk.visits import migrations as visits_migrations
from frontdesk.visits.service import VisitService
from frontdesk.volunteers import migrations as volunteers_migrations
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
]


def default_data_dir() -> Path:
    """``FRONTDESK_DATA_DIR`` if set, else the platform's per-user data folder."""
    env = os.environ.get("FRONTDESK_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir("FrontDesk", appauthor=False))


def _all_clear_check(session: Session):
    """The dispatch all clear's seam: the signed-in role decides once accounts exist (the stated role before)."""

    def allowed(role: str) -> bool:
        if not session.accounts_exist():
            return default_all_clear_allowed(role)
        return session.may(Action.ALL_CLEAR)

    return allowed


@dataclass
class Services:
    """Every core service over one store. Features add theirs as fields built in :meth:`open`."""

    store: Store
    settings: Settings
    visits: VisitService
    events: EventLog
    directory: Directory
    station: StationService
    badges: BadgeService
    # Screening (issue 4)
    screener: Screener
    lists: ListService
    decisions: DecisionService
    notifications: Notifications
    session: Session
    audit: AuditTrail
    accounts: Accounts
    review: ReviewService
    checkin: CheckIn  # admission: every door's check-in goes through it
    ids: IdReader  # reading a visitor's ID (each one shown is audited)
    # Email and text notifications (issue 20): recipients and the outbox, its sender, the daily log
    outbound: Outbound
    sender: Sender
    daily_log: DailyLog
    volunteers: VolunteerService  # volunteer records, their check-in rule and hours (issue 18)
    kiosk: Kiosk  # self-service check-in, expected guests, people sent to the front office (issue 18)
    # Students (issue 17): the roster, late arrivals, releases to the right adult, reunification
    students: StudentService
    dismissal: DismissalService
    reunification: ReunificationService
    backups: Backups  # issue 16: online backups, rotation, restore
    retention: Retention  # issue 16: the district's retention settings, applied daily

    @classmethod
    def open(
        cls, data_dir: Path, *, secrets: SecretStore | None = None, encrypt: bool = False, check: bool = False
    ) -> Services:
        """Open (and migrate) the store in ``data_dir`` and build the services over it.

        The database key comes from ``secrets`` (the OS keyring by default); ``encrypt`` makes one for a
        database that has none (the desk does at start-up); ``check`` runs the integrity check first.
        """
        store = Store.open(data_dir, MIGRATIONS, secrets=secrets or SecretStore(), encrypt=encrypt, check=check)
        session = Session(
            has_accounts=lambda: store.db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
        )
        audit = AuditTrail(store, session=session)
        settings = Settings(store, session=session, audit=audit)
        visits = VisitService(
            store, station=settings.get(STATION_NAME), staff=settings.get(STAFF_NAME), session=session, audit=audit
        )
        events = EventLog(store)
        outbound = Outbound(store, settings, session=session, audit=audit)
        station = StationService(
            store,
            settings,
            visits,
            events,
            all_clear_allowed=_all_clear_check(session),
            audit=audit,
            outbound=outbound,
        )
        notifications = Notifications(store, session=session, audit=audit)
        lists = ListService(store, session=session, audit=audit)
        lists.ensure_index_current()  # rebuilt if the key rules changed since it was built

        def thresholds() -> Thresholds:
            return Thresholds(settings.get(SCREEN_POSSIBLE), settings.get(SCREEN_MATCH))

        screener = Screener(
            store,
            thresholds,
            namesakes_max=lambda: settings.get(SCREEN_NAMESAKES_MAX),
            name_only_max_people=lambda: settings.get(SCREEN_NAME_ONLY_MAX_PEOPLE),
            max_chance=lambda: settings.get(SCREEN_MAX_CHANCE),
        )
        decisions = DecisionService(
            store,
            settings,
            notifications,
            station=settings.get(STATION_NAME),
            # Always real (never a drill or test); Staff assist is never forwarded to 911 by the console.
            dispatch=lambda note, staff: station.press(
                "STAFF_ASSIST", mode="Actual", note=note, staff=staff, roster=False, tell=False
            ),
            audit=audit,
            outbound=outbound,
        )
        students = StudentService(store, settings, session=session, audit=audit, lists=lists)
        review = ReviewService(
            store,
            session,
            audit,
            visits,
            school_state=station.state_heading,
            roster_students=students.roster_lines,
        )
        volunteers = VolunteerService(store, settings, visits, session=session, audit=audit)
        accounts = Accounts(store, session, audit)
        checkin = CheckIn(
            visits=visits,
            screener=screener,
            decisions=decisions,
            station=station,
            settings=settings,
            session=session,
            audit=audit,
            checks=(volunteers.admission_check,),  # features' own admission rules
        )

        def frozen() -> str | None:
            state = station.school_state()
            return state.banner if state.admissions_frozen else None

        dismissal = DismissalService(
            students=students,
            screener=screener,
            decisions=decisions,
            settings=settings,
            session=session,
            audit=audit,
            frozen=frozen,
            outbound=outbound,
        )
        daily_log = DailyLog(
            outbound,
            settings,
            review.day_rows,
            lambda day, rows: review.day_pdf(day, rows, school=settings.get(SCHOOL_NAME)),
            expiring_checks=lambda: [v.check.expires for v in volunteers.expiring() if v.check.expires],
        )
        return cls(
            store=store,
            settings=settings,
            visits=visits,
            events=events,
            directory=Directory(store, session=session, audit=audit),
            station=station,
            badges=BadgeService(store, settings, visits, events, audit=audit),
            screener=screener,
            lists=lists,
            decisions=decisions,
            notifications=notifications,
            session=session,
            audit=audit,
            accounts=accounts,
            review=review,
            ids=IdReader(audit),
            checkin=checkin,
            volunteers=volunteers,
            kiosk=Kiosk(
                store,
                checkin,
                visits,
                volunteers,
                accounts,
                session=session,
                audit=audit,
                station=settings.get(STATION_NAME),
            ),
            outbound=outbound,
            sender=Sender(store, settings, lambda: channels_from_settings(settings), audit=audit, events=events),
            daily_log=daily_log,
            students=students,
            dismissal=dismissal,
            reunification=ReunificationService(store, students, dismissal, session=session, audit=audit),
            backups=Backups(store, settings, audit, session),
            retention=Retention(
                store, settings, audit, session, panic_messages=station.outbox.remove_finished_before
            ),
        )

    def close(self) -> None:
        """Anchor the newest audit record, then close this thread's database connection."""
        self.audit.refresh_anchor()
        self.store.close()
