"""Screening one visitor: look the blocking keys up, score the few entries found, decide.

:meth:`Screener.scan_all` scores every entry instead (no index): the slow reference the tests and the
benchmark compare the fast path against.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date

from frontdesk import clock
from frontdesk.screening.keys import query_keys
from frontdesk.screening.lists import ENTRY_COLUMNS, ENTRY_FROM, entry_from_row
from frontdesk.screening.match import Thresholds, prepare, score_entry
from frontdesk.screening.models import Candidate, Decision, Entry, Query, ScreenResult
from frontdesk.screening.names import phonetic
from frontdesk.store import Store

MAX_CANDIDATES = 20  # shown per visitor; more than this means the visitor gave too little to go on


def _today() -> date:
    return clock.now().astimezone().date()


class Screener:
    """Screens visitors against every list in the store."""

    def __init__(
        self,
        store: Store,
        thresholds: Callable[[], Thresholds] = Thresholds,
        today: Callable[[], date] = _today,
        namesakes_max: Callable[[], int] = lambda: 2,
    ):
        self._store = store
        self._thresholds = thresholds
        self._today = today
        self._namesakes_max = namesakes_max

    def candidate_ids(self, query: Query) -> list[int]:
        """The ids of the entries the blocking index files under any of the visitor's keys."""
        pq = prepare(query)
        keys = query_keys([pq.name, pq.swapped], query.dob)
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self._store.db.execute(
            f"SELECT DISTINCT entry_id FROM screening_keys WHERE key IN ({marks})", keys
        ).fetchall()
        return [r[0] for r in rows]

    def screen(self, query: Query) -> ScreenResult:
        """The decision for one visitor, with every flagged entry and its evidence, best first."""
        ids = self.candidate_ids(query)
        entries: list[Entry] = []
        if ids:
            marks = ",".join("?" * len(ids))
            rows = self._store.db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE e.id IN ({marks})", ids)
            entries = [entry_from_row(r) for r in rows.fetchall()]
        return self.decide(query, entries)

    def scan_all(self, query: Query) -> ScreenResult:
        """The same decision from scoring every entry (slow; the reference for tests and the benchmark)."""
        return self.decide(query, self._all_entries())

    def namesakes(self, query: Query) -> int:
        """How many list entries file a name that sounds like the visitor's (first and last name)."""
        pq = prepare(query)
        pairs = [f"{phonetic(f)}:{phonetic(pq.name.first)}" for f in pq.name.last_forms[:1]]
        keys = [f"{prefix}:{pair}" for pair in pairs for prefix in ("P", "U")]
        if not keys:
            return 0
        marks = ",".join("?" * len(keys))
        row = self._store.db.execute(
            f"SELECT count(DISTINCT entry_id) FROM screening_keys WHERE key IN ({marks})", keys
        ).fetchone()
        return row[0]

    def _all_entries(self) -> Iterator[Entry]:
        cursor = self._store.db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM}")
        for row in cursor:
            yield entry_from_row(row)

    def decide(self, query: Query, entries: Iterable[Entry]) -> ScreenResult:
        """Score ``entries`` (from the index, or all of them) and decide, by the same rules either way."""
        thresholds = self._thresholds()
        pq = prepare(query)
        today = self._today()
        found: list[Candidate] = []
        namesakes: int | None = None
        for entry in entries:
            if not entry.active_on(today):
                continue
            candidate = score_entry(pq, entry, thresholds)
            if candidate is None or candidate.decision is Decision.CLEAR:
                continue
            if query.dob.known and not entry.dob.known:
                # Name alone, and the list has no date: worth a look only if the name is rare in the lists.
                if namesakes is None:
                    namesakes = self.namesakes(query)
                if namesakes > self._namesakes_max():
                    continue
            found.append(candidate)
        found.sort(key=lambda c: (-c.score, c.entry.id))
        found = found[:MAX_CANDIDATES]
        decision = found[0].decision if found else Decision.CLEAR
        return ScreenResult(query, decision, tuple(found))
