"""The desk's check of its screening index against the list entries: after start, then every hour to every day
(:func:`next_check_ms`), in the background.

A row of the blocking index deleted by hand (the sqlite3 shell) hides a listed person from every screen while
the audit chain stays whole (session 18's red team: a barred person admitted). ``audit verify --index`` finds
it, but nobody runs that every day; so the desk checks on its own (:mod:`frontdesk.screening.index_check`) a
little after its window opens and again after a thousand times the last check's length, within an hour and a
day (hourly for a school's own lists; about daily for a million-entry registry), on the thread pool
(:func:`ui.tasks.run_task`), paced (a pause after each batch of entries: the GUI thread and check-ins get the CPU
and the lock meanwhile) and stopped when the desk closes. It reads without any write lock.

First, at the same times, the settings: a row of the ``settings`` table that the audit trail does not account for
(typed in by hand: a screening threshold raised within its range), which ``Settings.get`` never uses, is put
back to its last audited value, or taken out (the district's value or the default in force then):
``Settings.restore_audited``.

What it finds wrong it repairs at once (the safe side: the person is screened again), in one short transaction
with its audit record (``screening.index_repaired``, ``settings.restored``), and says so the way the desk says
that its data was tampered with: an error in the event log and a red banner that stays until the desk is closed.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QThreadPool, QTimer

from frontdesk.context import Services
from ui.desk.main_window import banner
from ui.tasks import freeze_heap, run_task

DAY_MS = 24 * 60 * 60 * 1000
HOUR_MS = 60 * 60 * 1000
SHARE = 1000  # the next check after this many times the last one's length: about a thousandth of the desk's time


def next_check_ms(seconds: float) -> int:
    """When to check again after a check that took ``seconds``: a thousand times as long, within an hour and a
    day. A school's own lists (thousands of entries, well under a second) are checked every hour, so a row
    deleted by hand is found within the hour; a million-entry registry (~70 s paced) about daily."""
    return int(min(DAY_MS, max(HOUR_MS, seconds * SHARE * 1000)))


PAUSE = 0.05  # seconds after each batch of entries (frontdesk.screening.index_check.BATCH): about half the CPU
RED = "#9a1c1c"


class IndexWatch(QObject):
    """The background index check of one desk window (``window``: its banners; none at the kiosk)."""

    def __init__(self, window, services: Services, parent: QObject | None = None, *, pause: float = PAUSE):
        super().__init__(parent if parent is not None else window)
        self._window = window
        self._services = services
        self._pause = pause
        self._stop = threading.Event()
        self.running = False
        self.last = None  # the last check's frontdesk.screening.index_check.IndexCheck
        self.restored: dict = {}  # the settings it put back ({key: (found, now)})
        self.banner = None
        self._said_intact: float | None = None  # when an intact check was last said in the event log (monotonic)
        self.timer = QTimer(self)
        self.timer.setInterval(DAY_MS)
        self.timer.timeout.connect(self.start)

    def start(self) -> None:
        """Check (and repair) the index now on the thread pool, unless a check is running; then again after
        :func:`next_check_ms` of its length (daily until the first check ends)."""
        if not self.timer.isActive():
            self.timer.start()
        if self.running:
            return
        self.running = True
        self._stop.clear()
        services, stop, pause = self._services, self._stop.is_set, self._pause

        def check():
            from frontdesk.screening.index_check import check_index, repair

            # The settings first (one read of the trail's settings records): a value typed into the table by hand
            # is put back to the audited one before the long part.
            restored = services.settings.restore_audited()
            pool = QThreadPool.globalInstance()
            pool.releaseThread()  # tens of seconds at a million entries: the desk's short jobs get a thread
            try:
                store = services.store
                return restored, repair(store, check_index(store, stop=stop, pause=pause), services.audit)
            finally:
                pool.reserveThread()

        run_task(check, self.on_done)

    def stop(self) -> None:
        """Stop the check at its next batch (the desk is closing) and its timer."""
        self._stop.set()
        self.timer.stop()

    def on_done(self, result, error: BaseException | None) -> None:
        """Log what the check found; what it put back goes to the event log as an error and to a banner."""
        from frontdesk.screening.index_check import Stopped

        self.running = False
        if isinstance(error, Stopped):
            return
        events = self._services.events
        if error is not None:
            events.record("screening", "error", f"Checking the screening index against the lists failed: {error}")
            return
        freeze_heap()  # the name caches the check filled (see ui.screening.index_upgrade.on_done)
        restored, found = result
        self.restored, self.last = restored, found
        if restored:
            default = "its default or the district value"
            said = "; ".join(
                f"{key}: {found_text} found, {default if now is None else now} in force now"
                for key, (found_text, now) in sorted(restored.items())
            )
            events.record(
                "settings",
                "error",
                f"Settings had been typed into the database outside FrontDesk; put back to their audited values "
                f"({said}).",
            )
            self._say(
                f"{len(restored)} setting{'' if len(restored) == 1 else 's'} had been changed outside FrontDesk "
                "and were put back. Someone changed this desk's database: tell the principal and your school IT."
            )
        if found.skipped:
            events.record("screening", "info", f"screening index not checked: {found.skipped}")
            return
        self.timer.setInterval(next_check_ms(found.seconds))
        if found.intact:
            if self._said_intact is None or time.monotonic() - self._said_intact >= DAY_MS / 1000:
                self._said_intact = time.monotonic()  # in the event log once a day, not at every hourly check
                events.record(
                    "screening",
                    "info",
                    f"screening index checked: {found.entries:,} list entries as their names give "
                    f"({found.seconds:.0f} s)",
                )
            return
        people = f"{found.repaired} list entr{'y' if found.repaired == 1 else 'ies'}"
        events.record(
            "screening",
            "error",
            f"The screening index had been changed outside FrontDesk ({people}; a person on a list may not have "
            "been found). Repaired: screened again from now. " + "; ".join(found.lines()[:5]),
        )
        self._say(
            f"The screening lists' index was changed outside FrontDesk ({people}). It has been repaired and "
            "those people are screened again. Someone changed this desk's database: tell the principal and your "
            "school IT."
        )

    def _say(self, text: str) -> None:
        """A red banner that stays until the desk is closed (a later finding is added to it)."""
        if self._window is None:
            return
        if self.banner is None:
            self.banner = banner(text, RED)
            self.banner.setObjectName("tamperedBanner")
            self._window.add_banner(self.banner)
        elif text not in self.banner.text():
            self.banner.setText(self.banner.text() + "\n" + text)
            self.banner.setAccessibleName(self.banner.text())
