"""The core's services, built once over one data folder (the UI's composition root and the CLI use this)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from frontdesk.dispatch.station import StationService
from frontdesk.services.badges import BadgeService
from frontdesk.services.directory import Directory
from frontdesk.services.events import EventLog
from frontdesk.services.visits import VisitService
from frontdesk.settings import STAFF_NAME, STATION_NAME, Settings
from frontdesk.store import Store


def default_data_dir() -> Path:
    """``FRONTDESK_DATA_DIR`` if set, else the platform's per-user data folder."""
    env = os.environ.get("FRONTDESK_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir("FrontDesk", appauthor=False))


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

    @classmethod
    def open(cls, data_dir: Path) -> Services:
        """Open (and migrate) the store in ``data_dir`` and build the services over it."""
        store = Store.open(data_dir)
        settings = Settings(store)
        visits = VisitService(store, station=settings.get(STATION_NAME), staff=settings.get(STAFF_NAME))
        events = EventLog(store)
        station = StationService(store, settings, visits, events)
        visits.admission_checks.append(station.check_admissions)  # SECURE / LOCKDOWN freeze check-in
        return cls(
            store=store,
            settings=settings,
            visits=visits,
            events=events,
            directory=Directory(store),
            station=station,
            badges=BadgeService(store, settings, visits, events),
        )

    def close(self) -> None:
        """Close this thread's database connection."""
        self.store.close()
