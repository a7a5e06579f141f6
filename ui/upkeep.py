"""The desk's upkeep while it runs: the integrity check, the scheduled backup and the daily retention run.

All off the GUI thread. Seconds after start it runs SQLite's quick integrity check once (seconds on a big
database, so never before the window opens); a damaged database is logged as an error and no backup is
taken over the good ones. Every hour (and a minute after start) it asks the core whether a backup or a
retention run is due (``services.backups.run_if_due``, ``services.retention.run_if_due``); the core
decides and records. A failure goes to the event log the office can see, never a dialog in the middle of
a check-in.

It also moves the write-ahead log into the database file every few seconds (a PASSIVE checkpoint on the
store's own connection for it), which SQLite would otherwise do inside every ~45th check-in's commit; the
store defers its automatic checkpoint to a bound the desk only reaches if this timer stops
(``Store.defer_checkpoints``).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer

from frontdesk.context import Services
from frontdesk.store import LOG_CHECKPOINT_SECONDS
from ui.tasks import after_start, run_task

HOUR_MS = 60 * 60 * 1000
FIRST_MS = 60 * 1000
# The integrity check waits this long after start: it reads the whole file (2 cores: it would slow the first
# paint), and a desk closed at once leaves no check running as the app goes away.
CHECK_AFTER_MS = 3 * 1000


class Upkeep(QObject):
    """A timer that runs the due backup and retention jobs on the thread pool, one at a time."""

    def __init__(self, services: Services, parent: QObject | None = None):
        super().__init__(parent)
        self.services = services
        self._busy = False
        self._checked = False
        self.timer = QTimer(self)
        self.timer.setInterval(HOUR_MS)
        self.timer.timeout.connect(self.on_timeout)
        self._checkpointing = False
        self._outbox_deferred = False
        self._log_failed = False
        self.log_timer = QTimer(self)
        self.log_timer.setInterval(int(LOG_CHECKPOINT_SECONDS * 1000))
        self.log_timer.timeout.connect(self.on_log_timeout)

    def start(self, check_after_ms: int = CHECK_AFTER_MS) -> None:
        """Check the database soon (in the background), run the jobs soon after start-up, then every hour.

        The check's delay counts from the first idle moment (the event loop running: the window shown and
        painted), not from now: on a slow or busy PC building and painting the desk can itself take longer, and
        the check (a read of the whole file) must not land on the first paint (issue 13)."""
        self._busy = True  # no job starts before the check
        check = lambda: run_task(self._check, self.on_jobs_done)  # noqa: E731
        after_start(self, check_after_ms, check)
        QTimer.singleShot(FIRST_MS, self, self.on_timeout)
        self.timer.start()
        self.services.store.defer_checkpoints()  # from now on this timer checkpoints, not a check-in's commit
        self.log_timer.start()

    def _check(self) -> list[str]:
        t = time.perf_counter()
        self.services.store.check_integrity()
        self._checked = True
        return [f"database integrity checked ({time.perf_counter() - t:.1f} s)"]

    def stop(self) -> None:
        """Stop the timers (a job already running finishes)."""
        self.timer.stop()
        self.log_timer.stop()

    def on_log_timeout(self) -> None:
        """Checkpoint the write-ahead logs on the thread pool, unless the previous round is still running: the
        database's and, once the panic link has opened it, the panic outbox's (without this, SQLite checkpointed
        the outbox inside the commit that took its log past 1,000 pages: now and then a panic press's, about one
        press in 60 measured in the live day, session 25)."""
        if self._checkpointing:
            return
        self._checkpointing = True
        outbox = None
        if "station" in self.services.built():
            outbox = self.services.station.outbox
            if not self._outbox_deferred:
                outbox.defer_checkpoints()  # on this (the GUI) thread's connection: the press's
                self._outbox_deferred = True
        run_task(lambda: self._checkpoint_logs(outbox), self.on_log_done)

    def _checkpoint_logs(self, outbox) -> tuple[int, int]:
        if outbox is not None:
            outbox.checkpoint_log()
        return self.services.store.checkpoint_log()

    def on_log_done(self, result: tuple[int, int] | None, error: BaseException | None) -> None:
        """A failed checkpoint goes to the event log once (the next tick tries again; nothing is lost meanwhile:
        the log keeps every commit, and past its bound SQLite checkpoints at a commit as before)."""
        self._checkpointing = False
        if error is None:
            self._log_failed = False
        elif not self._log_failed:
            self._log_failed = True
            self.services.events.record(
                "upkeep", "error", f"Moving the database log into its file failed: {error}"
            )

    def on_timeout(self) -> None:
        """Start the due jobs unless the previous ones are still running."""
        if self._busy:
            return
        self._busy = True
        run_task(self._jobs, self.on_jobs_done)

    def _jobs(self) -> list[str]:
        done = []
        if not self._checked:  # a damaged database is never backed up over the good copies
            done += self._check()
        backup = self.services.backups.run_if_due()
        if backup is not None:
            done.append(f"backup written: {backup}")
        report = self.services.retention.run_if_due()
        if report is not None and report.anything:
            done.append(f"retention applied: {report.visits} visits, {report.audit_records} audit records removed")
        return done

    def on_jobs_done(self, result: list[str] | None, error: BaseException | None) -> None:
        """Log what was done (or what failed) in the event log."""
        self._busy = False
        if error is not None:
            self.services.events.record("upkeep", "error", f"Backup or retention failed: {error}")
            return
        for line in result or []:
            self.services.events.record("upkeep", "info", line)
