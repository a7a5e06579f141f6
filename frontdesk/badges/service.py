"""Badges: build, render and print a visit's badge, with the fault rules a front desk needs.

Printing always takes a visit that is already committed, so a printer problem can never cost a visit.
Every attempt is recorded in ``badge_prints`` (the screens show "badge printed"); the event log, the desk's list
of device problems and their fixes, gets each problem and the first good print after one (the printer working
again), not every good badge: a busy day's thousand "Badge printed" lines pushed the morning's jam out of it.
The rules (printing.md): retry on its own only when nothing reached the printer; after a partial send, ask
the desk (through a :class:`ReprintHandler`) before printing again; a job that waited too long in the
queue is dropped, not printed late; a printer that does not answer is never reported as OK.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from frontdesk import clock
from frontdesk.errors import InputError
from frontdesk.events.service import EventLog
from frontdesk.models import Visit
from frontdesk.settings import (
    BADGE_MEDIA,
    BADGE_ORIENTATION,
    BADGE_PRINTER,
    BADGE_VALID_HOURS,
    SCHOOL_NAME,
    Settings,
)
from frontdesk.store import Store
from frontdesk.visits.service import VisitService
from printers.base import Printer, PrinterError, PrinterSetupError, State
from printers.uri import printer_for

if TYPE_CHECKING:  # the renderer (Pillow and its fonts) loads with the first badge drawn, not at start-up
    from frontdesk.badges.attempts import PrintAttempt  # with attempts(), which the first screen never calls
    from frontdesk.badges.result import PrintResult  # made when a print ends: the first screen prints nothing
    from printers.badge import Badge, BadgeData
    from printers.media import Media  # the media table: with the first media or orientation asked (a badge drawn)

JOB_EXPIRES_AFTER = timedelta(minutes=3)  # a badge printed minutes after the visitor left the desk helps no one
AUTO_RETRIES = 2
RETRY_DELAY = 0.5  # seconds between automatic retries (a printer waking from sleep)


class Outcome(StrEnum):
    """How a print ended."""

    PRINTED = "printed"  # sent, and the printer said it is fine
    SENT = "sent"  # sent, but the printer did not answer: someone should look at the badge
    FAILED = "failed"  # nothing reached the printer
    PARTIAL = "partial"  # part of the job went out, then the printer failed; not printed again
    ATTENTION = "attention"  # sent, and the printer then said it needs paper, labels or a closed cover
    EXPIRED = "expired"  # waited in the queue too long; not printed


class ReprintHandler(Protocol):
    """Asks the desk whether to print again after a partial or doubtful print (STYLE rule 9)."""

    def confirm_reprint(self, visit: Visit, message: str) -> bool:
        """True to print the badge again now."""
        ...


class NeverReprint:
    """The handler for unattended use (the CLI): never prints twice without a person deciding."""

    def confirm_reprint(self, visit: Visit, message: str) -> bool:
        """Always no."""
        return False


class ScriptedHandler:
    """A handler that answers from a script and records the questions (tests; demo)."""

    def __init__(self, answers: list[bool] | tuple[bool, ...] = ()):
        self.answers = list(answers)
        self.questions: list[str] = []

    def confirm_reprint(self, visit: Visit, message: str) -> bool:
        """The next scripted answer (no, once the script runs out)."""
        self.questions.append(message)
        return self.answers.pop(0) if self.answers else False


class BadgeService:
    """Builds, renders and prints badges, and answers "was this badge printed?"."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        visits: VisitService,
        events: EventLog,
        *,
        now: Callable[[], datetime] = clock.now,
        sleep: Callable[[float], None] = time.sleep,
        audit=None,
    ):
        self._audit = audit  # the audit trail (issue 7): every print attempt's outcome
        self._store = store
        self._settings = settings
        self._visits = visits
        self._events = events
        self._now = now
        self._sleep = sleep

    # --- the badge -------------------------------------------------------------------------------------
    def badge_data(self, visit_ref: str | int | Visit) -> BadgeData:
        """The words and picture for a visit's badge (VISIT is an id, a badge code, or the Visit)."""
        visit = visit_ref if isinstance(visit_ref, Visit) else self._visits.get(visit_ref)
        photo = self._visits.photo(visit.visitor.id) if visit.visitor.id is not None else None
        from printers.badge import BadgeData

        return BadgeData.from_visit(
            visit, self._settings.get(SCHOOL_NAME), self._settings.get(BADGE_VALID_HOURS), photo
        )

    def media(self, key: str | None = None) -> Media:
        """The media preset named, or the one in the settings."""
        from printers.media import media

        return media(key or self._settings.get(BADGE_MEDIA))

    def orientation(self, value: str | None = None) -> str | None:
        """The orientation given, or the setting's (None: the media's usual)."""
        from printers.media import ORIENTATIONS

        value = (value if value is not None else self._settings.get(BADGE_ORIENTATION)).strip().lower()
        if value and value not in ORIENTATIONS:
            raise InputError(f"Orientation must be portrait or landscape, not {value!r}")
        return value or None

    def render(self, visit_ref: str | int | Visit, media_key: str | None = None, orientation: str | None = None):
        """The badge image for a visit on the chosen (or configured) media."""
        from printers.badge import render

        return render(self.badge_data(visit_ref), self.media(media_key), self.orientation(orientation))

    def printer(self, uri: str | None = None) -> Printer:
        """The printer a URI (or the setting) names; not connected."""
        return printer_for(uri or self._settings.get(BADGE_PRINTER))

    # --- printing --------------------------------------------------------------------------------------
    @staticmethod
    def not_printed_here(visit: Visit) -> str:
        """Why this desk does not print ``visit``'s badge ("" when it does): another desk's visitor (known
        through the hub, a negative id) gets a new badge at the desk that checked them in."""
        if visit.id >= 0:
            return ""
        return (
            f"{visit.visitor.full_name} was checked in at {visit.station or 'another desk'}: reprint the badge "
            "there (this desk prints badges only for visitors checked in here)."
        )

    def print_badge(
        self,
        visit_ref: str | int | Visit,
        printer: Printer,
        handler: ReprintHandler | None = None,
        *,
        media_key: str | None = None,
        orientation: str | None = None,
        queued_at: datetime | None = None,
        retries: int = AUTO_RETRIES,
    ) -> PrintResult:
        """Print a committed visit's badge on ``printer``, applying the fault rules; never raises for a
        printer fault (the result says what happened, in the office's words)."""
        handler = handler or NeverReprint()
        visit = visit_ref if isinstance(visit_ref, Visit) else self._visits.get(visit_ref)
        name = visit.visitor.full_name
        refused = self.not_printed_here(visit)
        if refused:  # nothing recorded: the print log holds this desk's own visits
            self._events.record("printer", "warning", refused)
            return self._result(visit, Outcome.FAILED, refused, None, b"", 0)
        try:
            chosen = self.media(media_key)
            turn = self.orientation(orientation)
        except InputError as exc:  # a mistyped media or orientation setting
            key = media_key or self._settings.get(BADGE_MEDIA)
            message = f"Badge for {name} not printed: {exc.message}"
            return self._finish(visit, printer, key, Outcome.FAILED, message, None, b"", 0, 0, "error")
        if visit.time_out is not None:  # a badge for someone who has left would let anyone walk in on it
            return self._finish(visit, printer, chosen, Outcome.FAILED, _left(visit), None, b"", 0, 0, "warning")
        if queued_at is not None and self._now() - queued_at > JOB_EXPIRES_AFTER:
            waited = int((self._now() - queued_at).total_seconds() // 60)
            message = (
                f"Badge for {name} not printed: it waited {waited} min for the printer. Use Reprint if needed."
            )
            return self._finish(visit, printer, chosen, Outcome.EXPIRED, message, None, b"", 0, 0, "warning")
        if not printer.accepts(chosen):
            message = f"The badge printer cannot print on {chosen.label}: choose matching media in Settings."
            return self._finish(visit, printer, chosen, Outcome.FAILED, message, None, b"", 0, 0, "error")
        try:
            from printers.badge import render

            badge = render(self.badge_data(visit), chosen, turn)
            job = printer.build_job(badge)
        except PrinterSetupError as exc:
            return self._finish(visit, printer, chosen, Outcome.FAILED, exc.message, None, b"", 0, 0, "error")
        except Exception as exc:  # a badge that cannot be drawn must still never cost the visit
            message = f"Badge for {name} could not be drawn ({exc}). The visit is saved; use Reprint."
            return self._finish(visit, printer, chosen, Outcome.FAILED, message, None, b"", 0, 0, "error")

        attempt = 0
        automatic_left = retries
        while True:
            attempt += 1
            try:
                printer.open()
                printer.send(job)
                status = printer.status()
            except PrinterError as exc:
                printer.close()
                if exc.sent == 0:
                    if automatic_left > 0:
                        automatic_left -= 1
                        self._record(visit, printer, chosen, attempt, "retry", 0, len(job), exc.message)
                        self._events.record("printer", "warning", f"{exc.message} Trying again.")
                        self._sleep(RETRY_DELAY)
                        continue
                    message = (
                        f"Badge for {name} not printed. {exc.message} "
                        "The visit is saved: Reprint the badge once the printer is on."
                    )
                    return self._finish(
                        visit, printer, chosen, Outcome.FAILED, message, badge, job, attempt, 0, "error"
                    )
                message = f"{exc.message} Part of {name}'s badge may have printed."
                self._record(visit, printer, chosen, attempt, Outcome.PARTIAL, exc.sent, len(job), message)
                self._events.record("printer", "error", message)
                if handler.confirm_reprint(visit, f"{message} Fix the printer, then print the badge again?"):
                    if (gone := self._left_meanwhile(visit)) is not None:
                        return self._finish(
                            gone, printer, chosen, Outcome.FAILED, _left(gone), badge, job, attempt, 0, "warning"
                        )
                    automatic_left = retries
                    continue
                return self._result(visit, Outcome.PARTIAL, message, badge, job, attempt)
            printer.close()
            if status.ok:
                message = f"Badge printed for {name}."
                if printer.on_screen:
                    message = f"Badge for {name} shown on screen (no printer set up)."
                return self._finish(
                    visit, printer, chosen, Outcome.PRINTED, message, badge, job, attempt, len(job), "info"
                )
            if status.state is State.ATTENTION:
                message = f"{status.message}. {name}'s badge may not have printed."
                self._record(visit, printer, chosen, attempt, Outcome.ATTENTION, len(job), len(job), message)
                self._events.record("printer", "error", message)
                if handler.confirm_reprint(visit, f"{message} Print it again once the printer is ready?"):
                    if (gone := self._left_meanwhile(visit)) is not None:
                        return self._finish(
                            gone, printer, chosen, Outcome.FAILED, _left(gone), badge, job, attempt, 0, "warning"
                        )
                    continue
                return self._result(visit, Outcome.ATTENTION, message, badge, job, attempt)
            message = (
                f"Badge for {name} sent, but the printer did not confirm — check it came out "
                f"(Reprint if not). {status.message}"
            )
            return self._finish(
                visit, printer, chosen, Outcome.SENT, message, badge, job, attempt, len(job), "warning"
            )

    def print_slip(self, slip: Badge, printer: Printer, what: str) -> tuple[Outcome, str]:
        """Print an already-rendered slip (a late pass, a release slip: :mod:`printers.slips`) on ``printer``.

        The same fault rules as a badge, simply: one automatic retry when nothing reached the printer, never
        a second copy of a slip that may have come out. Never raises for a printer fault; the outcome and the
        desk's words are returned and the event log keeps them.
        """
        try:
            job = printer.build_job(slip)
        except PrinterError as exc:
            self._events.record("printer", "error", f"{what} not printed: {exc.message}")
            return Outcome.FAILED, f"{what} not printed: {exc.message}"
        for attempt in (1, 2):
            try:
                printer.open()
                printer.send(job)
                status = printer.status()
            except PrinterError as exc:
                printer.close()
                if exc.sent == 0 and attempt == 1:
                    self._sleep(RETRY_DELAY)
                    continue
                outcome = Outcome.FAILED if exc.sent == 0 else Outcome.PARTIAL
                message = f"{what} not printed. {exc.message}"
                self._events.record("printer", "error", message)
                return outcome, message
            printer.close()
            if status.ok:
                message = (
                    f"{what} shown on screen (no printer set up)." if printer.on_screen else f"{what} printed."
                )
                return Outcome.PRINTED, message
            message = f"{what} sent; the printer says: {status.message}. Check it came out."
            self._events.record("printer", "warning", message)
            return (Outcome.ATTENTION if status.state is State.ATTENTION else Outcome.SENT), message
        raise AssertionError("unreachable")  # pragma: no cover

    def test_print(self, printer: Printer, media_key: str | None = None, orientation: str | None = None):
        """Print a sample badge (no visit) and return ``(status, badge)``; raises PrinterError on failure."""
        from printers.badge import render
        from printers.samples import sample_data

        chosen = self.media(media_key)
        data = sample_data(photo=False)
        data = replace(data, category="TEST PRINT", school=self._settings.get(SCHOOL_NAME) or data.school)
        badge = render(data, chosen, self.orientation(orientation))
        job = printer.build_job(badge)
        try:
            printer.open()
            printer.send(job)
            status = printer.status()
        finally:
            printer.close()
        self._events.record("printer", "info" if status.ok else "warning", f"Test print: {status.message}")
        return status, badge

    def _left_meanwhile(self, visit: Visit) -> Visit | None:
        """The visit as it is now if its visitor has checked out since it was read, else None. A "print again?"
        can wait minutes for its answer; the visitor may have left meanwhile (session 23: the badge was then
        printed whole for nobody on site)."""
        now = self._visits.get(visit.id)
        return now if now.time_out is not None else None

    # --- what happened ---------------------------------------------------------------------------------
    def attempts(self, visit_id: int) -> list[PrintAttempt]:
        """Every print attempt of a visit's badge, oldest first."""
        from frontdesk.badges.attempts import PrintAttempt

        rows = self._store.db.execute(
            "SELECT id, visit_id, time, printer, media, attempt, outcome, sent_bytes, job_bytes, message "
            "FROM badge_prints WHERE visit_id = ? ORDER BY id",
            [visit_id],
        ).fetchall()
        return [PrintAttempt(r[0], r[1], clock.from_db(r[2]), *r[3:]) for r in rows]  # type: ignore[arg-type]

    def printed(self, visit_id: int) -> bool:
        """True if a badge for the visit was confirmed printed (or shown, on the preview printer)."""
        row = self._store.db.execute(
            "SELECT 1 FROM badge_prints WHERE visit_id = ? AND outcome = 'printed' LIMIT 1", [visit_id]
        ).fetchone()
        return row is not None

    def close_thread(self) -> None:
        """Close the calling thread's database connection (a print worker calls this as it ends)."""
        self._store.close()

    # --- recording -------------------------------------------------------------------------------------
    def _record(self, visit, printer, chosen, attempt, outcome, sent, job_bytes, message) -> None:
        db = self._store.db
        with db.conn:
            db.execute(
                "INSERT INTO badge_prints (visit_id, time, printer, media, attempt, outcome, sent_bytes, "
                "job_bytes, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    visit.id,
                    clock.to_db(self._now()),
                    printer.uri,
                    getattr(chosen, "key", chosen),
                    attempt,
                    str(outcome),
                    sent,
                    job_bytes,
                    message,
                ],
            )
        if self._audit is not None and str(outcome) != "retry":
            try:
                self._audit.record(
                    None,
                    "badge.print",
                    f"visit {visit.id}",
                    {"outcome": str(outcome), "printer": printer.uri, "attempt": attempt},
                )
            except Exception as exc:  # a badge is printed whatever happens to its audit record
                self._events.record("store", "error", f"Audit record of a badge print failed: {exc}")

    def _finish(self, visit, printer, chosen, outcome, message, badge, job, attempt, sent, level) -> PrintResult:
        self._record(visit, printer, chosen, attempt, outcome, sent, len(job), message)
        if level != "info":
            self._events.record("printer", level, message)
        elif not printer.on_screen and self._after_a_problem():  # (a preview is no printer working again)
            self._events.record("printer", "info", f"Printer working again: {message[0].lower()}{message[1:]}")
        return self._result(visit, outcome, message, badge, job, attempt)

    def _after_a_problem(self) -> bool:
        """True when the printer's newest event is a problem (so a good print now is its fix, worth a line).

        A good badge is not a device event: written for each visitor, they filled the event log (500 rows shown,
        a row kept for ever) and pushed the morning's paper jam out of sight by the afternoon (bench/desk_day.py).
        """
        newest = self._events.recent(1, source="printer")
        return bool(newest) and newest[0].level != "info"

    @staticmethod
    def _result(visit, outcome, message, badge, job, attempt) -> PrintResult:
        from frontdesk.badges.result import PrintResult

        return PrintResult(visit, Outcome(outcome), message, badge, job, attempt)


def _left(visit: Visit) -> str:
    """Why no badge is printed for a visitor who has checked out, in the office's words."""
    assert visit.time_out is not None
    return f"{visit.visitor.full_name} was checked out at {visit.time_out.astimezone():%H:%M}: no badge printed."
