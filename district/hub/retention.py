"""Retention at the hub (issue 16): the district's retention settings applied to what desks sent up.

The district settings (``hub_settings``: a district default, a school's own value unless the default is
locked) carry the same keys the desks apply (``frontdesk/retention``):

- ``retention.visits_days``: a finished visit (``hub_visits``) that began longer ago than this goes, once
  its last change (its check-out) also reached the hub longer ago than this, by the hub's own clock, with the
  visit changes (check-in, check-out: they carry the visitor's name) the hub received that long ago. The
  check-in time is the desk's clock: a desk whose clock is days behind made every visit of it "old" at once,
  and its check-out went before the school's other desks had pulled it (the visitor stayed on site there for
  ever). Judged by when the hub got the check-out, every desk that syncs within ``visits_days`` sees it;
- ``retention.audit_years``: every other change a desk sent (its audit records, ``hub_changes``) goes once
  received longer ago than this;
- ``retention.id_details_days``: nothing to do at the hub (desks send no ID details nor photos up).

0 (or unset) keeps for ever. Each school is done under its own settings. The trail of list changes
(``hub_list_log``: it names barred people) is the district's, not a school's: its lines go once older than
the DISTRICT default of ``retention.audit_years`` (a school's own value does not count). The trail refuses
every update and every delete (database triggers) except the deletion of lines older than the cut-off a
retention step writes to ``hub_list_log_cutoff`` and clears again in its own transaction.

A run that removes anything is written to the hub's append-only ``log`` (``retention_applied``, with the
counts and cut-offs per school, and one for the list trail) once its removal is done. The running hub
applies it once a day (:func:`background`); ``frontdesk district retention apply [--dry-run] [--db URL]``
does it now.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import anyio
import anyio.to_thread

from district import clock
from district.console.auth import log
from district.console.db import Database
from district.hub.settings import DistrictSettings
from frontdesk.wire.sync import VISIT_KINDS

VISITS_DAYS = "retention.visits_days"
AUDIT_YEARS = "retention.audit_years"
EVERY_S = 24 * 3600.0
FIRST_AFTER_S = 60.0  # the first run, once the hub is up and serving
MARKS_DAYS = 90  # sync's marks of pushes kept (district.hub.sync: a desk's cursor is checked by them)


@dataclass(frozen=True)
class SchoolRetention:
    """What one school's run removed (or, dry, would remove)."""

    school: str
    visits: int
    visit_changes: int
    other_changes: int
    visits_before: str | None
    audit_before: str | None

    @property
    def anything(self) -> bool:
        return bool(self.visits or self.visit_changes or self.other_changes)


@dataclass(frozen=True)
class HubRetentionReport:
    dry_run: bool
    schools: list[SchoolRetention] = field(default_factory=list)
    list_trail: int = 0  # lines of the trail of list changes removed (dry: that would be)
    list_trail_before: str | None = None

    def total(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.schools)

    def as_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "visits": self.total("visits"),
            "visit_changes": self.total("visit_changes"),
            "other_changes": self.total("other_changes"),
            "list_trail": self.list_trail,
            "list_trail_before": self.list_trail_before,
            "schools": [s.__dict__ for s in self.schools if s.anything],
        }


def _whole(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


STEP = 2000  # rows a retention step deletes in one short transaction (the alert path waits at most one)
# Between steps the lock is let go for a moment: an alert writer waiting in SQLite's busy handler (which
# sleeps in growing steps) otherwise loses the lock to the next step again and again.
PAUSE_S = 0.05


class HubRetention:
    """Apply the district's retention settings to the hub's visits and changes."""

    def __init__(self, db: Database):
        self._db = db
        self._settings = DistrictSettings(db)

    def apply(
        self, *, dry_run: bool = False, now: datetime | None = None, actor: str = "hub"
    ) -> HubRetentionReport:
        """Remove (or count, ``dry_run``) what every school's settings no longer keep."""
        now = now or clock.now()
        schools = [
            r[0]
            for r in self._db.read().all(
                "SELECT school FROM hub_visits UNION SELECT school FROM hub_changes ORDER BY 1"
            )
        ]
        schools_done: list[SchoolRetention] = []
        for school in schools:
            rules = self._settings.for_school(school)
            days = _whole(rules.get(VISITS_DAYS, {}).get("value"))
            years = _whole(rules.get(AUDIT_YEARS, {}).get("value"))
            if not days and not years:
                continue
            visits_before = clock.to_db(now - timedelta(days=days)) if days else None
            audit_before = clock.to_db(now - timedelta(days=365 * years)) if years else None
            schools_done.append(self._school(school, visits_before, audit_before, dry_run, actor))
        trail, trail_before = self._list_trail(now, dry_run, actor)
        if not dry_run:
            self._push_marks(now)
        return HubRetentionReport(dry_run, schools_done, trail, trail_before)

    def _push_marks(self, now: datetime) -> int:
        """The marks of pushes (``hub_push_marks``: sync's bookkeeping, no one's data) older than
        :data:`MARKS_DAYS`, whatever the settings; each school's newest stays, so a quiet school's desks'
        cursors are still checked (a cursor in a push older than every mark kept is taken as the hub's)."""
        return self._delete_in_steps(
            "hub_push_marks",
            "(school, first_seq)",
            "at < ? AND first_seq < (SELECT MAX(m.first_seq) FROM hub_push_marks m "
            "WHERE m.school = hub_push_marks.school)",
            [clock.to_db(now - timedelta(days=MARKS_DAYS))],
        )

    def _list_trail(self, now: datetime, dry_run: bool, actor: str) -> tuple[int, str | None]:
        """The trail of list changes under the district default of ``retention.audit_years``."""
        years = _whole(self._settings.for_school("").get(AUDIT_YEARS, {}).get("value"))
        if not years:
            return 0, None
        before = clock.to_db(now - timedelta(days=365 * years))
        if dry_run:
            row = self._db.read().one("SELECT COUNT(*) FROM hub_list_log WHERE at < ?", [before])
            return (int(row[0]) if row else 0), before
        removed = self._delete_in_steps("hub_list_log", "seq", "at < ?", [before], cutoff=before)
        if removed:
            with self._db.transaction() as tx:
                log(tx, "retention_applied", actor=actor, list_trail=removed, list_trail_before=before)
        return removed, before

    def _school(
        self, school: str, visits_before: str | None, audit_before: str | None, dry_run: bool, actor: str
    ) -> SchoolRetention:
        kinds = ", ".join("?" for _ in VISIT_KINDS)
        # (table, its key, the rows to go): visits, the visits' changes, the other changes.
        parts: list[tuple[str, str, str, list[Any]]] = []
        if visits_before:
            parts.append(
                (
                    "hub_visits",
                    "(station_id, visit_id)",
                    "school = ? AND checked_out_at IS NOT NULL AND checked_in_at < ? AND NOT EXISTS "
                    "(SELECT 1 FROM hub_changes c WHERE c.hub_seq = hub_visits.rev AND c.received_at >= ?)",
                    [school, visits_before, visits_before],
                )
            )
            parts.append(
                (
                    "hub_changes",
                    "hub_seq",
                    f"school = ? AND kind IN ({kinds}) AND received_at < ?",
                    [school, *VISIT_KINDS, visits_before],
                )
            )
        else:
            parts += [("", "", "", []), ("", "", "", [])]
        if audit_before:
            parts.append(
                (
                    "hub_changes",
                    "hub_seq",
                    f"school = ? AND kind NOT IN ({kinds}) AND received_at < ?",
                    [school, *VISIT_KINDS, audit_before],
                )
            )
        else:
            parts.append(("", "", "", []))
        counts = []
        for table, key, where, params in parts:
            if not table:
                counts.append(0)
            elif dry_run:
                row = self._db.read().one(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)
                counts.append(int(row[0]) if row else 0)
            else:
                counts.append(self._delete_in_steps(table, key, where, params))
        done = SchoolRetention(school, counts[0], counts[1], counts[2], visits_before, audit_before)
        if done.anything and not dry_run:
            with self._db.transaction() as tx:
                log(
                    tx,
                    "retention_applied",
                    actor=actor,
                    school=school,
                    visits=done.visits,
                    visit_changes=done.visit_changes,
                    other_changes=done.other_changes,
                    visits_before=visits_before,
                    audit_before=audit_before,
                )
        return done

    def _delete_in_steps(
        self, table: str, key: str, where: str, params: list[Any], cutoff: str | None = None
    ) -> int:
        """Delete in short transactions of STEP rows, so an alert never waits behind a year's backlog.
        ``cutoff``: the trail's cut-off, set for the step's transaction only (cleared before it commits)."""
        removed = 0
        while True:
            with self._db.transaction() as tx:
                if cutoff is not None:
                    tx.execute("UPDATE hub_list_log_cutoff SET at = ? WHERE id = 1", [cutoff])
                gone = (
                    tx.execute(
                        f"DELETE FROM {table} WHERE {key} IN "
                        f"(SELECT {key.strip('()')} FROM {table} WHERE {where} LIMIT ?)",
                        [*params, STEP],
                    ).rowcount
                    or 0
                )
                if cutoff is not None:
                    tx.execute("UPDATE hub_list_log_cutoff SET at = NULL WHERE id = 1")
            removed += gone
            if gone < STEP:
                return removed
            time.sleep(PAUSE_S)


async def run(db: Database, every: float = EVERY_S, first_after: float = FIRST_AFTER_S) -> None:
    """Apply retention once a day (the first soon after start), on a thread of its own (never the alert pools)."""
    limiter = anyio.CapacityLimiter(1)
    wait = first_after
    while True:
        await asyncio.sleep(wait)
        wait = every
        try:
            await anyio.to_thread.run_sync(lambda: HubRetention(db).apply(), limiter=limiter)
        except Exception as exc:  # a database hiccup must not stop tomorrow's run
            print(f"frontdesk hub: retention failed: {exc}", file=sys.stderr)


def background(service: Any, environ: dict[str, str] | None = None) -> list[asyncio.Task]:
    """The console's startup hook: the daily retention task. ``FRONTDESK_HUB_RETENTION_FIRST_S`` and
    ``FRONTDESK_HUB_RETENTION_EVERY_S`` set how soon the first run comes and how often (tests; defaults: a
    minute after start, then daily)."""
    import os

    env = os.environ if environ is None else environ

    def seconds(name: str, default: float) -> float:
        try:
            value = float(env.get(name, "") or default)
        except ValueError:
            return default
        return value if value > 0 else default

    first = seconds("FRONTDESK_HUB_RETENTION_FIRST_S", FIRST_AFTER_S)
    every = seconds("FRONTDESK_HUB_RETENTION_EVERY_S", EVERY_S)
    return [asyncio.create_task(run(service.db, every=every, first_after=first))]
