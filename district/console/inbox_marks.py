"""What a console knows of its stations' inboxes without reading the database: each station's newest seq.

A long poll with nothing newer than its ``after`` then waits on the event loop, with no thread and no read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

# ``read(after)``: ``(newest seq, {station_id: its newest seq})`` of the inbox messages after ``after``
# (:meth:`~district.console.views.BoardViews.inbox_marks_after`, on a worker thread).
Read = Callable[[int], Awaitable[tuple[int, dict[str, int]]]]


class InboxMarks:
    """Each station's newest inbox seq, complete for every message up to :attr:`cursor` while :attr:`loaded`.

    Only :meth:`catch_up` changes it (one at a time): it reads what was stored after the cursor. The watcher
    asks :meth:`behind` with the database's newest seq and catches up when the cursor is short of it. The
    cursor is the one note of how far this console has read: a separate note of "what the watcher saw last",
    taken by another read at another moment, lost a message committed between the two reads (at start-up:
    a district lockdown that never reached the desk until something else was pushed).

    Sequence numbers are committed in order (writers of ``inbox`` take its lock,
    :meth:`~district.console.db.Tx.lock`), so a read that sees seq N has seen every message before it.
    """

    def __init__(self, read: Read):
        self._read = read
        self._seqs: dict[str, int] = {}
        self._lock: asyncio.Lock | None = None  # made on the loop that serves
        self.cursor = 0
        self.loaded = False  # False: not read yet, or the last read failed; polls read the database

    def nothing_after(self, station_id: str, after: int) -> bool:
        """True if ``station_id`` certainly has no message after ``after`` (False: read the database)."""
        return self.loaded and self._seqs.get(station_id, 0) <= after

    def behind(self, newest: int) -> bool:
        """True if the database's newest seq ``newest`` is past what was read (or nothing was read yet)."""
        return not self.loaded or newest > self.cursor

    async def catch_up(self) -> set[str] | None:
        """Read the messages stored after the cursor; the stations that have new ones.

        None if the read failed: then nothing is known until a later catch-up succeeds (polls read the
        database meanwhile, and the caller wakes them all, since it cannot tell whose inbox changed).
        """
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            try:
                cursor, seqs = await self._read(self.cursor)
            except Exception:
                self.loaded = False
                return None
            for station_id, seq in seqs.items():
                self._seqs[station_id] = max(seq, self._seqs.get(station_id, 0))
            self.cursor = max(self.cursor, cursor)
            self.loaded = True
            return set(seqs)
