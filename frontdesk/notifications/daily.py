"""The principal's daily log: the day's visitors by email (the review's day PDF attached, and a summary).

Queued at the time the school sets (``notify.daily_log_time``; the desk window's sender checks) or when
asked (``frontdesk notify send-daily-log [--date D]``, for a school's own scheduler), only when the day had
visits. The summary counts visits by category, lists the flagged ones and who is still on site; a text
subscriber gets the counts only (no names in a text). The rows and the PDF come from the review feature,
passed in by the composition root (this layer does not import it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from frontdesk import clock
from frontdesk.notifications import words
from frontdesk.notifications.outbound import DAILY_LOG, Outbound
from frontdesk.settings import NOTIFY_DAILY_LOG_TIME, Settings

# day -> the review's rows for that day (objects with .visit and .flagged), oldest first
DayRows = Callable[[date], list[Any]]
# (day, rows) -> the review's day PDF, as bytes
DayPdf = Callable[[date, list[Any]], bytes]


def summary(where: str, day: date, rows: list[Any], now: datetime) -> str:
    """The email's text: counts by category, flagged visits, who is still on site."""
    counts = Counter(r.visit.category.label for r in rows)
    by_category = ", ".join(f"{label} {n}" for label, n in counts.most_common())
    flagged = [r for r in rows if r.flagged]
    on_site = [r for r in rows if r.visit.time_out is None]
    lines = [
        f"Visitor log for {words.one_line(where)}, {day:%A %m/%d/%Y}.",
        "",
        f"{len(rows)} visit{'s' if len(rows) != 1 else ''}: {by_category}.",
        f"Flagged at screening: {len(flagged)}.",
    ]
    # Names and destinations as visitors typed them: each on its one line (words.one_line), so none can add a
    # line of its own to the principal's email (such as a link like the school's).
    one = words.one_line
    lines += [f"  {r.visit.time_in.astimezone():%H:%M}  {one(r.visit.visitor.full_name)}" for r in flagged]
    lines.append(f"Still on site at {now.astimezone():%H:%M}: {len(on_site)}.")
    lines += [
        f"  {one(r.visit.visitor.full_name)} (in since {r.visit.time_in.astimezone():%H:%M})"
        + (f", {one(r.visit.destination)}" if r.visit.destination else "")
        for r in on_site
    ]
    lines += ["", "The day's log is attached (PDF). The review screen at the desk has the details."]
    return "\n".join(lines)


def text_summary(where: str, day: date, rows: list[Any]) -> str:
    """A text subscriber's version: counts only."""
    flagged = sum(1 for r in rows if r.flagged)
    on_site = sum(1 for r in rows if r.visit.time_out is None)
    return (
        f"Visitor log {words.one_line(where)} {day:%m/%d}: {len(rows)} visits, {flagged} flagged, {on_site} still "
        "on site. The PDF is in your email."
    )


class DailyLog:
    """Queues the day's log for the ``daily-log`` subscribers."""

    def __init__(
        self,
        outbound: Outbound,
        settings: Settings,
        rows: DayRows,
        pdf: DayPdf,
        *,
        now: Callable[[], datetime] = clock.now,
        expiring_checks: Callable[[], list[date]] | None = None,
    ):
        self._outbound = outbound
        self._settings = settings
        self._rows = rows
        self._pdf = pdf
        self._now = now
        self._checked: date | None = None  # the day already looked at by queue_if_due (in this process)
        # The volunteers feature's reminder (issue 18): the expiry dates of checks lapsing within 30 days.
        self._expiring_checks = expiring_checks

    def queue(self, day: date, *, key: str = "") -> int:
        """Queue ``day``'s log now; 0 when the day had no visits (or nobody subscribes)."""
        if not self._outbound.subscribers(DAILY_LOG):
            return 0
        rows = self._rows(day)
        if not rows:
            return 0
        now = self._now()
        where = self._outbound.where()
        subject = f"Visitor log, {where}, {day:%m/%d/%Y}: {len(rows)} visit{'s' if len(rows) != 1 else ''}"
        pdf = self._pdf(day, rows)
        key = key or f"{day.isoformat()}@{clock.to_db(now)}"
        subscribers = self._outbound.subscribers(DAILY_LOG)
        emails = [r for r in subscribers if not r.sms]
        texts = [r for r in subscribers if r.sms]
        queued = 0
        with self._outbound.transaction():
            if emails:
                queued += self._outbound.enqueue(
                    DAILY_LOG,
                    subject,
                    summary(where, day, rows, now),
                    key=key,
                    attachment_name=f"visitor-log-{day.isoformat()}.pdf",
                    attachment=pdf,
                    to=emails,
                    link=self._outbound.link(words.LOG, day),
                )
            if texts:
                queued += self._outbound.enqueue(
                    DAILY_LOG, subject, text_summary(where, day, rows), key=key, to=texts
                )
        return queued

    def queue_if_due(self) -> int:
        """At or after the school's time, queue today's log once (even across restarts of the desk)."""
        when = self._settings.get(NOTIFY_DAILY_LOG_TIME).strip()
        now = self._now().astimezone()
        today = now.date()
        if not when or self._checked == today:
            return 0
        try:
            hour, minute = (int(p) for p in when.split(":"))
        except ValueError:
            return 0
        if (now.hour, now.minute) < (hour, minute):
            return 0
        self._checked = today
        if self._expiring_checks is not None:  # once a week, at the school's time: checks about to lapse
            dates = sorted(self._expiring_checks())
            year, week, _ = today.isocalendar()
            self._outbound.checks_expiring(len(dates), dates[0] if dates else None, period=f"{year}-W{week:02d}")
        key = f"{today.isoformat()}@scheduled"
        if self._outbound.queued_before(DAILY_LOG, key):
            return 0
        return self.queue(today, key=key)
