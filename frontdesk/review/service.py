"""The principals' review: visits by day or range with filters, search, a person's history, chart data,
and the exports (CSV, PDF, the emergency roster), each guarded by the permission table and audited."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from frontdesk import clock
from frontdesk.access.roles import Action
from frontdesk.access.session import Session
from frontdesk.audit import AuditTrail
from frontdesk.errors import InputError
from frontdesk.models import Category, Visit
from frontdesk.review.annotators import badge_facts, screening_facts, screening_refusals
from frontdesk.review.models import SEARCH_TOO_SHORT, Refusal, ReviewQuery, ReviewRow, RosterStudent
from frontdesk.store import Store
from frontdesk.store.database import Database
from frontdesk.visits.service import _VISIT_COLUMNS, _VISIT_FROM, VisitService, _visit

# The seam for other features: a function that, given visit ids, returns for some of them the fields of
# ReviewRow it knows ({"screening_result": ..., "screening_decision": ..., "flagged": ..., "badge_printed":
# ...}). The screening and badge annotators (``annotators.py``) read those features' tables when present;
# other features append theirs.
Annotator = Callable[[Database, list[int]], dict[int, dict[str, Any]]]
ANNOTATORS: list[Annotator] = [screening_facts, badge_facts]  # each adds nothing while its table is absent

MAX_RANGE_DAYS = 366 * 5
SEARCH_LIMIT = 200
_TOKEN = re.compile(r"\w+", re.UNICODE)
SEARCH_MIN_LETTERS = 2  # the index keeps prefixes of two and three letters (review_0002), none of one


def fts_query(text: str) -> str | None:
    """What a person typed as an FTS5 query: every word must match as a prefix. None if nothing to search.

    A search starts at two letters: a one-letter word would match most of history (and the index keeps no
    one-letter prefixes), so it is left out while another word has two letters or more ("ann b" finds every
    Ann, until the next letter narrows it), and a search of one-letter words only raises :class:`InputError`.
    """
    words = _TOKEN.findall(text.replace("_", " "))  # "_" joins words for \w, not for FTS5's tokenizer
    if not words:
        return None
    long = [w for w in words if len(w) >= SEARCH_MIN_LETTERS]
    if not long:
        raise InputError(SEARCH_TOO_SHORT)
    return " ".join(f'"{w}"*' for w in long)


class ReviewService:
    """Read-only review of the visit history, plus exports; the principal's window calls only this."""

    def __init__(
        self,
        store: Store,
        session: Session,
        audit: AuditTrail,
        visits: VisitService,
        *,
        school_state: Callable[[], str] = lambda: "",
        roster_students: Callable[[], tuple[list[RosterStudent], list[RosterStudent]]] | None = None,
    ):
        self._roster_students = roster_students  # students signed out and late today (the students feature)
        self._store = store
        self._session = session
        self._audit = audit
        self._visits = visits
        # The school's SRP state in words ("LOCKDOWN (DRILL)"), "" when normal: the roster's heading says it.
        self._school_state = school_state

    # --- lists --------------------------------------------------------------------------------------
    def visits(self, query: ReviewQuery) -> list[ReviewRow]:
        """Every visit that began in the query's days, oldest first, filtered."""
        self._session.require(Action.REVIEW)
        return self._rows(query)

    def _rows(self, query: ReviewQuery) -> list[ReviewRow]:
        if query.end < query.start:
            raise InputError(f"The range ends ({query.end}) before it starts ({query.start})")
        if (query.end - query.start).days > MAX_RANGE_DAYS:
            raise InputError("Choose a range of at most five years")
        start, _ = clock.local_day_bounds(query.start)
        _, end = clock.local_day_bounds(query.end)
        sql = f"SELECT {_VISIT_COLUMNS} {_VISIT_FROM} WHERE v.time_in >= ? AND v.time_in < ?"
        params: list[Any] = [start, end]
        if query.category is not None:
            sql += " AND v.category = ?"
            params.append(Category(query.category).value)
        if query.on_site_only:
            sql += " AND v.time_out IS NULL"
        if query.station:
            sql += " AND v.station = ?"
            params.append(query.station)
        rows = self._annotate([_visit(r) for r in self._store.db.execute(sql + " ORDER BY v.time_in", params)])
        return [r for r in rows if r.flagged] if query.flagged_only else rows

    def refusals(self, query: ReviewQuery) -> list[Refusal]:
        """Visitors refused at the door in the query's days (and station), oldest first."""
        self._session.require(Action.REVIEW)
        start, _ = clock.local_day_bounds(query.start)
        _, end = clock.local_day_bounds(max(query.start, query.end))
        out = []
        for time, first, middle, last, dob, source, reason, staff, station in screening_refusals(
            self._store.db, start, end
        ):
            if query.station and station != query.station:
                continue
            name = " ".join(p for p in (first, middle, last) if p)
            out.append(Refusal(clock.from_db(time), name, dob or "", source, reason, staff, station))
        return out

    def search(self, text: str, limit: int = SEARCH_LIMIT) -> list[ReviewRow]:
        """Visits across all history matching every word typed (as prefixes), newest first.

        Searches names, purpose, destination, note and staff through the FTS5 index (station and category
        are the Review's filters). Two letters at least: see :func:`fts_query`.
        """
        self._session.require(Action.REVIEW)
        match = fts_query(text)
        if match is None:
            return []
        ids = [
            r[0]
            for r in self._store.db.execute(
                "SELECT rowid FROM visit_search WHERE visit_search MATCH ? ORDER BY rowid DESC LIMIT ?",
                [match, limit],
            )
        ]
        rows = self._by_ids(ids)
        # The index is read newest-recorded first (fast with LIMIT); show those by time of visit.
        return sorted(rows, key=lambda r: r.visit.time_in, reverse=True)

    def history(self, person_id: int) -> list[ReviewRow]:
        """Every visit of one person, newest first."""
        self._session.require(Action.REVIEW)
        rows = self._store.db.execute(
            f"SELECT {_VISIT_COLUMNS} {_VISIT_FROM} WHERE v.person_id = ? ORDER BY v.time_in DESC", [person_id]
        )
        return self._annotate([_visit(r) for r in rows])

    def stations(self) -> list[str]:
        """The stations that appear in the history (for the station filter)."""
        self._session.require(Action.REVIEW)
        return [
            r[0] for r in self._store.db.execute("SELECT DISTINCT station FROM visits ORDER BY station") if r[0]
        ]

    def _by_ids(self, ids: list[int]) -> list[ReviewRow]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        found = {
            v.id: v
            for v in map(
                _visit,
                self._store.db.execute(f"SELECT {_VISIT_COLUMNS} {_VISIT_FROM} WHERE v.id IN ({marks})", ids),
            )
        }
        return self._annotate([found[i] for i in ids if i in found])

    def _annotate(self, visits: list[Visit]) -> list[ReviewRow]:
        rows = [ReviewRow(v) for v in visits]
        if not ANNOTATORS or not rows:
            return rows
        ids = [v.id for v in visits]
        facts: dict[int, dict[str, Any]] = {}
        for annotate in ANNOTATORS:
            for visit_id, fields in annotate(self._store.db, ids).items():
                facts.setdefault(visit_id, {}).update(fields)
        return [replace(r, **facts[r.visit.id]) if r.visit.id in facts else r for r in rows]

    # --- chart data ---------------------------------------------------------------------------------
    def by_hour(self, day: date) -> list[int]:
        """Visitors who came in during each local hour of ``day`` (24 counts)."""
        self._session.require(Action.REVIEW)
        counts = [0] * 24
        for t in self._times(day, day):
            counts[t.hour] += 1
        return counts

    def by_day(self, year: int, month: int) -> list[tuple[date, int]]:
        """Visitors per local day of one month."""
        self._session.require(Action.REVIEW)
        first = date(year, month, 1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        counts = Counter(t.date() for t in self._times(first, last))
        return [(first + timedelta(days=i), counts[first + timedelta(days=i)]) for i in range(last.day)]

    def by_category(self, start: date, end: date) -> dict[Category, int]:
        """Visits per category over a range of local days."""
        self._session.require(Action.REVIEW)
        lo, _ = clock.local_day_bounds(start)
        _, hi = clock.local_day_bounds(end)
        rows = self._store.db.execute(
            "SELECT category, COUNT(*) FROM visits WHERE time_in >= ? AND time_in < ? GROUP BY category", [lo, hi]
        )
        counts = dict(rows.fetchall())
        return {c: counts[c.value] for c in Category if counts.get(c.value)}

    def _times(self, start: date, end: date) -> list[datetime]:
        lo, _ = clock.local_day_bounds(start)
        _, hi = clock.local_day_bounds(end)
        rows = self._store.db.execute("SELECT time_in FROM visits WHERE time_in >= ? AND time_in < ?", [lo, hi])
        return [clock.from_db(r[0]).astimezone() for r in rows]  # type: ignore[union-attr]

    # --- end of day ---------------------------------------------------------------------------------
    def forgotten(self, day: date) -> list[Visit]:
        """Who :meth:`close_forgotten` would check out for ``day``: still on site, in on or before it."""
        _, end = clock.local_day_bounds(day)
        return self._visits.forgotten(clock.from_db(end))  # type: ignore[arg-type]

    def close_forgotten(self, day: date, note: str) -> list[Visit]:
        """Check out everyone still on site who came in on or before ``day``, with a note (audited)."""
        _, end = clock.local_day_bounds(day)
        return self._visits.check_out_forgotten(clock.from_db(end), note)  # type: ignore[arg-type]

    # --- exports ------------------------------------------------------------------------------------
    def export(self, query: ReviewQuery, fmt: str, out: Path, *, school: str = "") -> int:
        """Write the query's visits as ``csv`` or ``pdf`` to ``out``; returns the number of visits. Audited."""
        self._session.require(Action.EXPORT)
        if fmt not in ("csv", "pdf"):
            raise InputError(f"Format must be csv or pdf, not {fmt!r}")
        rows = self._rows(query)
        out = Path(out)
        if fmt == "csv":
            from frontdesk.review.csv_export import write_csv

            write_csv(rows, out)
        else:
            from frontdesk.review.pdf import visits_pdf

            visits_pdf(rows, out, query=query, school=school, now=clock.now())
        self._audit.record(
            None,
            "report.export",
            str(out),
            {"format": fmt, "from": query.start.isoformat(), "to": query.end.isoformat(), "visits": len(rows)},
        )
        return len(rows)

    def printed(self, title: str, visits: int) -> None:
        """Record that the review's table (a day log, a range, a search) was printed from the window."""
        self._session.require(Action.REVIEW)
        self._audit.record(None, "report.print", title, {"visits": visits})

    def day_rows(self, day: date) -> list[ReviewRow]:
        """The day's visits for the principal's daily log email: a system job (the desk's sender at the
        school's time, or the school's scheduler), so no sign-in is asked; the email is audited when queued."""
        return self._rows(ReviewQuery(day, day))

    def day_pdf(self, day: date, rows: list[ReviewRow], *, school: str = "") -> bytes:
        """The review's day PDF of ``rows`` (as :meth:`export` writes it), as bytes for the daily log email."""
        import tempfile

        from frontdesk.review.pdf import visits_pdf

        with tempfile.TemporaryDirectory(prefix="frontdesk-daylog-") as folder:
            out = Path(folder) / f"visitor-log-{day.isoformat()}.pdf"
            visits_pdf(rows, out, query=ReviewQuery(day, day), school=school, now=clock.now())
            data = out.read_bytes()
        self._audit.record("system", "report.daily_log", day.isoformat(), {"visits": len(rows)})
        return data

    def roster_pdf(self, out: Path, *, school: str = "") -> int:
        """The emergency roster (everyone on site now; students signed out and late today) as a printable
        PDF; returns how many visitors. Audited.

        The one roster of the product: the CLI writes it, and the window prints this same file (the roster
        button, and "Print roster" on the lockdown banner).
        """
        self._session.require(Action.PRINT_ROSTER)
        from frontdesk.review.pdf import roster_pdf

        visits = self._visits.on_site()
        signed_out, late = self._roster_students() if self._roster_students is not None else ([], [])
        roster_pdf(
            visits,
            Path(out),
            school=school,
            now=clock.now(),
            signed_out=signed_out,
            late=late,
            state=self._school_state(),
            missing=self._visits.remote_gaps(),
        )
        self._audit.record(
            None,
            "roster.print",
            str(out),
            {"on_site": len(visits), "students_signed_out": len(signed_out), "students_late": len(late)},
        )
        return len(visits)
