"""What the district's retention settings remove, shown first (``--dry-run``) and applied once a day.

- ``retention.visits_days``: finished visits older than this go, with their badge print records, screening
  decisions and panic messages, and the people who have no visit left.
- ``retention.id_details_days``: a person not seen for this long keeps their name, but loses the ID details
  (type, issuer, expiry, last four digits) and the photo.
- ``retention.audit_years``: older audit records go behind a checkpoint (see
  :meth:`frontdesk.audit.AuditTrail.remove_before`), so ``frontdesk audit verify`` still checks the chain.

0 keeps for ever. Each run that removes anything is recorded in the audit trail (``retention.applied``) in
the same transaction as the removal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from frontdesk import clock
from frontdesk.access.roles import Action
from frontdesk.access.session import Session
from frontdesk.audit import AuditTrail
from frontdesk.settings import RETAIN_AUDIT_YEARS, RETAIN_ID_DAYS, RETAIN_VISITS_DAYS, Settings
from frontdesk.store import Store

# A row is old when it was stamped before the cut-off *and* no row written before it (a smaller id) was stamped
# after: a clock that was wrong for a while (a PC with a dead clock battery boots at 2000-01-01 until NTP sets
# it right) stamps years-old times on rows of today, and these must not go with the really old ones. Parameters:
# the cut-off, then the first young row's id (``_first_young``).
_OLD_VISITS = "SELECT id FROM visits WHERE time_out IS NOT NULL AND time_in < ? AND id < ?"
_NO_YOUNG = 2**63 - 1  # no young row: nothing bounds the old ones
# Old visits removed per transaction (see ``Retention._old_visits_in_steps``), and the pause after each step.
STEP_VISITS = 1000
STEP_PAUSE = 0.005
_ID_COLUMNS = ("id_type", "id_issuer", "id_expires", "id_last4", "photo")
_HAS_ID = " OR ".join(f"{c} IS NOT NULL" for c in _ID_COLUMNS)


def _db(moment: datetime | None) -> str | None:
    return clock.to_db(moment) if moment is not None else None


@dataclass(frozen=True)
class RetentionReport:
    """What a run removed (or, dry, would remove)."""

    dry_run: bool
    visits: int
    people: int
    badge_prints: int
    screening_decisions: int
    panic_messages: int
    id_details: int
    audit_records: int
    visits_before: str | None
    id_details_before: str | None
    audit_before: str | None

    @property
    def anything(self) -> bool:
        """True when something is (or would be) removed."""
        return any(
            (
                self.visits,
                self.people,
                self.badge_prints,
                self.screening_decisions,
                self.panic_messages,
                self.id_details,
                self.audit_records,
            )
        )


class Retention:
    """Apply the retention settings to one store."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        audit: AuditTrail,
        session: Session | None = None,
        *,
        panic_messages: Callable[[str, bool], int] | None = None,
    ):
        self._store = store
        self._settings = settings
        self._audit = audit
        self._session = session
        # The panic outbox keeps its own file (issue 12): its finished messages older than a cut-off go through
        # this, (cut-off, dry run) -> how many.
        self._panic_messages = panic_messages

    def cutoffs(self, now: datetime | None = None) -> tuple[datetime | None, datetime | None, datetime | None]:
        """The moments before which visits, ID details and audit records go (None: kept for ever)."""
        now = now or clock.now()
        days = self._settings.get(RETAIN_VISITS_DAYS)
        id_days = self._settings.get(RETAIN_ID_DAYS)
        years = self._settings.get(RETAIN_AUDIT_YEARS)
        return (
            now - timedelta(days=days) if days > 0 else None,
            now - timedelta(days=id_days) if id_days > 0 else None,
            now - timedelta(days=round(365.25 * years)) if years > 0 else None,
        )

    def apply(self, *, dry_run: bool = False, now: datetime | None = None) -> RetentionReport:
        """Remove what the settings say (or only count it, with ``dry_run``); one transaction, audited.

        A person doing this needs :attr:`Action.CHANGE_SETTINGS` (a dry run needs nothing).
        """
        if self._session is not None and not dry_run:
            self._session.require(Action.CHANGE_SETTINGS)
        return self._apply(dry_run, now, actor=None)  # recorded under the person who ran it

    def _apply(self, dry_run: bool, now: datetime | None, actor: str | None = "system") -> RetentionReport:
        visits_before, id_before, audit_before = self.cutoffs(now)
        steps = []
        if visits_before is not None and not dry_run:
            steps = self._old_visits_in_steps(visits_before, actor)
        with self._audit.transaction() as db:
            counts = dict(
                visits=0, people=0, badge_prints=0, screening_decisions=0, panic_messages=0, id_details=0
            )
            removed: dict[str, list[int]] = {}
            if visits_before is not None:
                cut = clock.to_db(visits_before)
                old_visits = [cut, self._first_young(db, "visits", "time_in", cut)]
                old = f"visit_id IN ({_OLD_VISITS})"
                counts["badge_prints"] = self._remove(db, "badge_prints", old, old_visits, dry_run)
                decisions = f"{old} OR (visit_id IS NULL AND time < ? AND id < ?)"
                refusals = [cut, self._first_young(db, "screening_decisions", "time", cut)]
                # The audit's coverage is told which of the rows it covers go, so it does not report them
                # as deleted outside the application.
                removed["screening_decisions"] = self._ids(
                    db, "screening_decisions", decisions, [*old_visits, *refusals]
                )
                removed["visits"] = self._ids(db, "visits", f"id IN ({_OLD_VISITS})", old_visits)
                counts["screening_decisions"] = self._remove(
                    db, "screening_decisions", decisions, [*old_visits, *refusals], dry_run
                )
                if self._panic_messages is not None:
                    counts["panic_messages"] = self._panic_messages(cut, dry_run)
                counts["visits"] = self._remove(db, "visits", f"id IN ({_OLD_VISITS})", old_visits, dry_run)
                gone = "id NOT IN (SELECT person_id FROM visits WHERE id NOT IN (" + _OLD_VISITS + ")) "
                counts["people"] = self._remove(
                    db, "people", gone + "AND created_at < ?", [*old_visits, cut], dry_run
                )
            if id_before is not None:
                cut = clock.to_db(id_before)
                recent = "SELECT person_id FROM visits WHERE time_in >= ?"
                where = f"({_HAS_ID}) AND created_at < ? AND id NOT IN ({recent})"
                counted = db.execute(f"SELECT count(*) FROM people WHERE {where}", [cut, cut]).fetchone()
                counts["id_details"] = counted[0]
                if not dry_run and counts["id_details"]:
                    sets = ", ".join(f"{c} = NULL" for c in _ID_COLUMNS)
                    db.execute(f"UPDATE people SET {sets} WHERE {where}", [cut, cut])
            audit_records = 0
            if audit_before is not None:
                if dry_run:
                    audit_records = self._count_audit(db, audit_before)
                else:
                    audit_records = self._audit.remove_before(audit_before)
            report = RetentionReport(
                dry_run=dry_run,
                audit_records=audit_records,
                visits_before=_db(visits_before),
                id_details_before=_db(id_before),
                audit_before=_db(audit_before),
                **counts,
            )
            if not dry_run:
                self._audit.record(actor, "retention.applied", "", {**asdict(report), "removed": removed})
        for step in steps:  # what the steps before removed, in the run's report
            report = replace(report, **{k: getattr(report, k) + v for k, v in step.items()})
        return report

    def _old_visits_in_steps(self, before: datetime, actor: str | None) -> list[dict[str, int]]:
        """Remove old visits :data:`STEP_VISITS` at a time (their badge prints, screening decisions, and the
        people left with no visit), each step a transaction with its own ``retention.applied`` record, until at
        most one step's worth is left for the run's last transaction. A first run over years of visits (a
        district turning retention on) was one transaction of seconds; a check-in on the desk's window waited for
        all of it, the window and its panic button frozen meanwhile. Between steps a waiting writer takes the
        lock (:meth:`Store.between_steps`). Returns each step's counts."""
        cut = clock.to_db(before)
        young = self._first_young(self._store.db, "visits", "time_in", cut)
        steps: list[dict[str, int]] = []
        while True:
            with self._audit.transaction() as db:
                ids = self._ids(
                    db, "visits", f"id IN ({_OLD_VISITS} ORDER BY id LIMIT ?)", [cut, young, STEP_VISITS + 1]
                )
                if len(ids) <= STEP_VISITS:
                    return steps  # the rest (at most one step) goes with the run's last transaction
                ids = ids[:STEP_VISITS]
                marks = ",".join("?" * len(ids))
                sql = f"SELECT DISTINCT person_id FROM visits WHERE id IN ({marks})"
                people = [r[0] for r in db.execute(sql, ids)]
                decided = f"visit_id IN ({marks})"
                removed = {"screening_decisions": self._ids(db, "screening_decisions", decided, ids)}
                removed["visits"] = ids
                counts = dict(
                    badge_prints=self._remove(db, "badge_prints", decided, ids, False),
                    screening_decisions=self._remove(db, "screening_decisions", decided, ids, False),
                    visits=self._remove(db, "visits", f"id IN ({marks})", ids, False),
                )
                left = "NOT EXISTS (SELECT 1 FROM visits WHERE visits.person_id = people.id)"
                marks = ",".join("?" * len(people))
                counts["people"] = self._remove(
                    db, "people", f"id IN ({marks}) AND created_at < ? AND {left}", [*people, cut], False
                )
                step = RetentionReport(
                    dry_run=False,
                    panic_messages=0,
                    id_details=0,
                    audit_records=0,
                    visits_before=cut,
                    id_details_before=None,
                    audit_before=None,
                    **counts,
                )
                self._audit.record(actor, "retention.applied", "", {**asdict(step), "removed": removed})
            steps.append(counts)
            self._store.between_steps(STEP_PAUSE)

    def due(self, now: datetime | None = None) -> bool:
        """True when no retention run was recorded in the last 24 hours (and a setting asks for one)."""
        if not any(c is not None for c in self.cutoffs(now)):
            return False
        now = now or clock.now()
        row = self._store.db.execute(
            "SELECT time FROM audit_log WHERE action = 'retention.applied' ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return True
        since = now - clock.from_db(row[0])  # type: ignore[operator]
        # A run stamped in the future (the clock ran ahead then) says nothing: it stopped the daily run until the
        # clock caught up with it, the district's policy unapplied all that time.
        return since >= timedelta(hours=24) or since < -timedelta(minutes=1)

    def run_if_due(self) -> RetentionReport | None:
        """The daily run: applied only when due. The district's policy acts, not the person signed in."""
        return self._apply(False, None) if self.due() else None

    @staticmethod
    def _first_young(db, table: str, column: str, cut: str) -> int:
        """The id of ``table``'s first row (in the order written) stamped at or after ``cut``; rows from it on
        are kept whatever their stamps say (see ``_OLD_VISITS``)."""
        exists = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", [table]).fetchone()
        # In id order from the first row (``+column`` keeps the planner off the time index, whatever its
        # statistics: a range over it would be every young row, inside retention's write transaction).
        sql = f"SELECT id FROM {table} WHERE +{column} >= ? ORDER BY id LIMIT 1"
        row = db.execute(sql, [cut]).fetchone() if exists else None
        return row[0] if row else _NO_YOUNG

    @staticmethod
    def _ids(db, table: str, where: str, params: list) -> list[int]:
        return [r[0] for r in db.execute(f"SELECT id FROM {table} WHERE {where}", params).fetchall()]

    @staticmethod
    def _remove(db, table: str, where: str, params: list, dry_run: bool) -> int:
        exists = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", [table]).fetchone()
        if not exists:
            return 0
        if dry_run:
            return db.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]
        return db.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount

    @staticmethod
    def _count_audit(db, cutoff: datetime) -> int:
        row = db.execute(AuditTrail.OLD_HEAD, [clock.to_db(cutoff)]).fetchone()
        if row is None:
            return 0
        return db.execute("SELECT count(*) FROM audit_log WHERE seq <= ?", [row[0]]).fetchone()[0]
