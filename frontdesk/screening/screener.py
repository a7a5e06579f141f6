"""Screening one visitor: look the blocking keys up, score the few entries found, decide.

Two rules use how often the visitor's name occurs on the lists (its *namesakes*, counted from the same
index scan): a date of birth one digit off (or transposed, or a list giving only the year) is flagged only
when such a near miss is unlikely to happen by chance among that many namesakes; and a list entry without
any date is flagged on the name alone only when the name is rare there. A name a registry holds two
hundred times says little about this visitor; a near-miss date on a rare name says a lot.

:meth:`Screener.scan_all` scores every entry instead of using the index for candidates: the slow
reference the tests and the benchmark compare the fast path against (the same rules apply to both).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from frontdesk import clock
from frontdesk.screening import dates
from frontdesk.screening.keys import lookup
from frontdesk.screening.lists import ENTRY_COLUMNS, ENTRY_FROM, entry_from_row
from frontdesk.screening.match import Thresholds, prepare, score_entry
from frontdesk.screening.models import Candidate, Decision, Entry, Query, ScreenResult
from frontdesk.store import Store

MAX_CANDIDATES = 20  # shown per visitor; more than this means the visitor gave too little to go on
# Dates of birth on a list spread over about this many years: the chance that a stranger's birthday is
# a near miss of one namesake's is (near-miss dates) / (days in the span), or 1 / span for a year alone.
BIRTH_SPAN_YEARS = 65


def _today() -> date:
    return clock.now().astimezone().date()


@dataclass(frozen=True)
class Namesakes:
    """List entries filed under the visitor's own name sound, by what their date of birth is."""

    full_date: int = 0
    year_only: int = 0
    no_date: int = 0

    @property
    def total(self) -> int:
        """All of them."""
        return self.full_date + self.year_only + self.no_date

    def chance_of_near_miss(self, dob_relation: str, visitor_day: date | None) -> float:
        """Expected namesakes whose date is this kind of near miss of the visitor's by chance alone."""
        if dob_relation == "same_year":
            return self.year_only / BIRTH_SPAN_YEARS
        near = len(dates.neighbours(visitor_day)) - 2 if visitor_day else 40
        return self.full_date * near / (BIRTH_SPAN_YEARS * 365.25)


class Screener:
    """Screens visitors against every list in the store."""

    def __init__(
        self,
        store: Store,
        thresholds: Callable[[], Thresholds] = Thresholds,
        today: Callable[[], date] = _today,
        namesakes_max: Callable[[], int] = lambda: 2,
        max_chance: Callable[[], float] = lambda: 0.3,
    ):
        self._store = store
        self._thresholds = thresholds
        self._today = today
        self._namesakes_max = namesakes_max
        self._max_chance = max_chance

    def _find(self, query: Query, *, candidates: bool = True) -> tuple[set[int], Namesakes]:
        """Candidate entry ids from the index, and the visitor's namesake counts."""
        pq = prepare(query)
        found = lookup([pq.name, pq.swapped], query.dob)
        db = self._store.db
        ids: set[int] = set()
        if candidates and found.exact_keys:
            marks = ",".join("?" * len(found.exact_keys))
            rows = db.execute(f"SELECT entry_id FROM screening_keys WHERE key IN ({marks})", found.exact_keys)
            ids.update(r[0] for r in rows)
        counted: dict[str, set[int]] = {"full": set(), "year": set(), "none": set()}
        for prefix in found.prefixes if candidates else found.own_prefixes:
            own = prefix in found.own_prefixes
            # Every key that starts with the prefix: ';' is the character after ':'.
            rows = db.execute(
                "SELECT key, entry_id FROM screening_keys WHERE key >= ? AND key < ?", [prefix, prefix[:-1] + ";"]
            )
            for key, entry_id in rows:
                suffix = key[len(prefix) :]
                if own:
                    counted["full" if len(suffix) == 8 else "year" if len(suffix) == 4 else "none"].add(entry_id)
                if candidates and found.keeps(suffix, query.dob):
                    ids.add(entry_id)
        return ids, Namesakes(len(counted["full"]), len(counted["year"]), len(counted["none"]))

    def candidate_ids(self, query: Query) -> list[int]:
        """The ids of the entries the blocking index finds for the visitor (before scoring)."""
        return sorted(self._find(query)[0])

    def namesakes(self, query: Query) -> Namesakes:
        """How many list entries file a name that sounds like the visitor's, by kind of date of birth."""
        return self._find(query, candidates=False)[1]

    def screen(self, query: Query) -> ScreenResult:
        """The decision for one visitor, with every flagged entry and its evidence, best first."""
        ids, namesakes = self._find(query)
        entries: list[Entry] = []
        if ids:
            marks = ",".join("?" * len(ids))
            rows = self._store.db.execute(
                f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE e.id IN ({marks})", list(ids)
            )
            entries = [entry_from_row(r) for r in rows.fetchall()]
        return self.decide(query, entries, namesakes)

    def scan_all(self, query: Query) -> ScreenResult:
        """The same decision from scoring every entry (slow; the reference for tests and the benchmark)."""
        return self.decide(query, self._all_entries(), self.namesakes(query))

    def _all_entries(self) -> Iterator[Entry]:
        cursor = self._store.db.execute(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM}")
        for row in cursor:
            yield entry_from_row(row)

    def decide(self, query: Query, entries: Iterable[Entry], namesakes: Namesakes) -> ScreenResult:
        """Score ``entries`` (from the index, or all of them) and decide, by the same rules either way."""
        thresholds = self._thresholds()
        pq = prepare(query)
        today = self._today()
        found: list[Candidate] = []
        for entry in entries:
            if not entry.active_on(today):
                continue
            candidate = score_entry(pq, entry, thresholds)
            if candidate is None or candidate.decision is Decision.CLEAR:
                continue
            relation = candidate.evidence[-1].relation  # the DOB evidence comes last
            if relation in ("one_digit", "transposed", "same_year"):
                if namesakes.chance_of_near_miss(relation, query.dob.day) > self._max_chance():
                    continue
            elif relation == "unknown" and query.dob.known and namesakes.total > self._namesakes_max():
                continue  # name alone, the list has no date, and the name is common there
            found.append(candidate)
        found.sort(key=lambda c: (-c.score, c.entry.id))
        found = found[:MAX_CANDIDATES]
        decision = found[0].decision if found else Decision.CLEAR
        return ScreenResult(query, decision, tuple(found))
