"""What became of a badge sent to the operating system's print queue: CUPS's own job state, read through pycups.

A queue takes a job whether or not the printer behind it is there: a DYMO unplugged behind an idle queue took
the badge, and the desk said "Badge printed" (session 23). So after a badge is handed to the queue, the print
worker watches the job for a few seconds and reports one of four things (:class:`Verdict`):

- ``PRINTED``: CUPS says the job is complete (the whole badge went to the printer);
- ``WAITING``: still waiting in the queue behind other jobs when the watch ends (not known to be printed);
- ``PROBLEM``: the queue stopped, the job was held, stopped, cancelled or aborted, or the printer has not taken
  it by the end of the watch (CUPS's socket backend retries an unreachable printer for a week by default);
- ``UNSEEN``: job states cannot be read here (no pycups: Windows, macOS, a Linux install without it, or the
  print server did not answer). The desk then says the badge was sent to the queue, never that it printed.

Which job is ours: Qt's CUPS engine does not hand back the job id, and CUPS hides a job's name from a
connection it has not authenticated, so the badge's job is the first job of ours on that queue with an id above
the newest one the server knew just before the send (:meth:`CupsQueue.newest_job`, :meth:`CupsQueue.job_after`).

pycups (OpenPrinting's binding of libcups, the library Qt's print support itself uses) is imported on first use
and only on Linux; every call reaches the print server named by ``CUPS_SERVER`` (or the local one), like Qt.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

WATCH_SECONDS = 10.0  # a DYMO prints a badge in 1-2 s; a job not done in 10 s is not going to be done soon
POLL_SECONDS = 0.25  # at most; the first looks come sooner (50, 100, 200 ms): most badges are done by then
FIRST_POLL = 0.05

# IPP job-state and printer-state values (RFC 8011 5.3.7, 5.4.11)
JOB_PENDING, JOB_HELD, JOB_PROCESSING, JOB_STOPPED, JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED = range(3, 10)
PRINTER_STOPPED = 5
_JOB_ATTRS = ["job-id", "job-state", "job-state-reasons", "job-printer-state-message"]
_PRINTER_ATTRS = ["printer-state", "printer-state-message", "printer-state-reasons", "printer-is-accepting-jobs"]


class Verdict(StrEnum):
    """What the queue said of a badge's job by the end of the watch."""

    PRINTED = "printed"
    WAITING = "waiting"
    PROBLEM = "problem"
    UNSEEN = "unseen"


class Unreadable(Exception):
    """The print server's jobs could not be read."""


@dataclass(frozen=True)
class JobReport:
    """A job's verdict; ``said`` is the print system's own message ("" when it gave none), ``stopped`` is
    True when the queue itself is stopped (it stays stopped until someone resumes it), ``job_state`` the job's
    IPP state when last read (0 if never read)."""

    verdict: Verdict
    said: str = ""
    stopped: bool = False
    job_state: int = 0


@dataclass(frozen=True)
class QueueState:
    """A queue as CUPS reports it (``None`` from :meth:`CupsQueue.state` when it cannot be read)."""

    stopped: bool
    accepting: bool
    said: str


def _cups():
    """The pycups module, or None where job states cannot be read."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import cups
    except ImportError:
        return None
    return cups


def readable() -> bool:
    """True when this computer can read its print jobs' states (Linux with pycups)."""
    return _cups() is not None


class CupsQueue:
    """One CUPS queue, by its CUPS name (``Front_Desk_DYMO``: CUPS names have no spaces). Each call opens a
    connection of its own, so the object may be used from any one thread at a time."""

    def __init__(self, name: str):
        self.name = name

    def _connect(self):
        cups = _cups()
        if cups is None:
            raise LookupError("pycups is not available")
        return cups.Connection()

    def newest_job(self) -> int | None:
        """The highest job id the print server knows now (0 if none); None if it cannot be read."""
        try:
            jobs = self._connect().getJobs(which_jobs="all", my_jobs=False, requested_attributes=["job-id"])
        except Exception:  # no pycups, no server, a refusal: the caller says "sent", never "printed"
            return None
        return max(jobs, default=0)

    def job_after(self, before: int) -> int | None:
        """Our first job on this queue with an id above ``before`` (the badge just sent), or None if there is
        none. Raises :class:`Unreadable` when the jobs cannot be read (then nobody knows: never "not taken")."""
        try:
            jobs = self._connect().getJobs(
                which_jobs="all",
                my_jobs=True,
                first_job_id=before + 1,
                requested_attributes=["job-id", "job-printer-uri"],
            )
        except Exception as exc:
            raise Unreadable(str(exc)) from exc
        suffix = f"/printers/{quote(self.name)}"
        ours = [
            job
            for job, attrs in jobs.items()
            if job > before and attrs.get("job-printer-uri", "").endswith(suffix)
        ]
        return min(ours, default=None)

    def state(self) -> QueueState | None:
        """The queue's state, or None when it cannot be read."""
        try:
            attrs = self._connect().getPrinterAttributes(self.name, requested_attributes=_PRINTER_ATTRS)
        except Exception:
            return None
        return _queue_state(attrs)

    def watch(
        self,
        job: int,
        *,
        within: float = WATCH_SECONDS,
        every: float = POLL_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> JobReport:
        """Follow ``job`` until it completes, fails, or ``within`` seconds pass (see the module's verdicts)."""
        deadline = monotonic() + within
        pause = min(FIRST_POLL, every)
        try:
            connection = self._connect()
            while True:
                attrs = connection.getJobAttributes(job, requested_attributes=_JOB_ATTRS)
                queue = _queue_state(
                    connection.getPrinterAttributes(self.name, requested_attributes=_PRINTER_ATTRS)
                )
                said = queue.said or str(attrs.get("job-printer-state-message") or "")
                state = attrs.get("job-state")
                if state == JOB_COMPLETED:
                    return JobReport(Verdict.PRINTED)
                if state in (JOB_CANCELED, JOB_ABORTED, JOB_HELD, JOB_STOPPED) or queue.stopped:
                    return JobReport(Verdict.PROBLEM, said, queue.stopped, state)
                if monotonic() >= deadline:
                    if state == JOB_PENDING:  # behind other jobs in a working queue
                        return JobReport(Verdict.WAITING, said, job_state=state)
                    # At the printer and not taken: unplugged, off, jammed (CUPS retries for days).
                    return JobReport(Verdict.PROBLEM, said, job_state=state)
                sleep(pause)
                pause = min(every, pause * 2)
        except Exception as exc:  # the print server went away mid-watch: we do not know
            return JobReport(Verdict.UNSEEN, str(exc))

    def cancel(self, job: int) -> bool:
        """Take our job off the queue (so a badge cannot come out later for someone who has gone); True if done."""
        try:
            self._connect().cancelJob(job)
        except Exception:
            return False
        return True


def _queue_state(attrs: dict) -> QueueState:
    said = str(attrs.get("printer-state-message") or "")
    if said.strip().lower() == "paused":  # what CUPS says of a queue stopped by hand: the state says it already
        said = ""
    return QueueState(
        stopped=attrs.get("printer-state") == PRINTER_STOPPED,
        accepting=bool(attrs.get("printer-is-accepting-jobs", True)),
        said=said,
    )
