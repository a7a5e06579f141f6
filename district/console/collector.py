"""Python's full garbage collections, moved out of the console's busy moments.

CPython runs a full collection (generation 2, every object the process holds) whenever the objects that
outlived two young collections have grown by a quarter since the last one. In the console those objects
are mostly its connections (kept-alive connections, open long polls), so they grow exactly when thousands
of stations reconnect or press at once, and each full collection then holds the event loop for a pass
over every object. Measured in ``serve``'s workers with 4,500 stations: ~305,000 objects per worker,
240-275 ms of CPU a pass (1.2-2.6 s of wall time on a loaded machine), one to two passes per worker in the
first 8 s of a reconnect, and they found next to nothing to free (0 to a few hundred objects a pass: the
console's objects rarely form cycles, and the young collections, which still run as before, free most
of those that do). A loop held a quarter of a second in a reconnect that already takes 1.6-2 s is a
heartbeat past the desk's 2 s: a false "link DOWN".

So a console process (:class:`CalmCollector`, in ``serve`` and each of its workers): freezes what
start-up made (modules, the compiled schema; never scanned again), turns automatic full collections off,
and runs one itself when the console is calm (the caller says what calm is: no alert waiting, the loop
on time), at most every :attr:`~CalmCollector.min_gap` s, and at least every
:attr:`~CalmCollector.max_gap` s whatever the load, so memory held in cycles stays bounded.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable

# A generation-2 threshold no count reaches: CPython collects generation 2 only when the number of
# generation-1 collections since the last full one exceeds it.
NEVER = 2**31 - 1


class CalmCollector:
    """Full collections only when ``calm()`` (or when ``max_gap`` s passed without one)."""

    def __init__(
        self,
        calm: Callable[[], bool],
        *,
        min_gap: float = 30.0,
        max_gap: float = 600.0,
        tick: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._calm = calm
        self.min_gap = min_gap  # s between two full collections at least (each costs the loop ~0.25 s)
        self.max_gap = max_gap  # s between two full collections at most, calm or not
        self.tick = tick
        self._clock = clock
        self._saved: tuple[int, int, int] | None = None
        self._last = clock()
        self.collections = 0  # full collections run by this collector

    def start(self) -> None:
        """Freeze start-up's objects and turn automatic full collections off (young ones keep running)."""
        if self._saved is not None:
            return
        gc.collect()
        gc.freeze()
        self._saved = gc.get_threshold()
        young, middle, _ = self._saved
        gc.set_threshold(young, middle, NEVER)
        self._last = self._clock()

    def stop(self) -> None:
        """Back to CPython's own policy (what start-up froze is scanned again)."""
        if self._saved is None:
            return
        gc.set_threshold(*self._saved)
        self._saved = None
        gc.unfreeze()

    def maybe_collect(self) -> bool:
        """Run a full collection if it is time and the console is calm (or overdue); True if one ran."""
        since = self._clock() - self._last
        if since < self.min_gap or (since < self.max_gap and not self._calm()):
            return False
        gc.collect()
        self._last = self._clock()
        self.collections += 1
        return True

    async def run(self) -> None:
        """Until cancelled: look every ``tick`` s (on the event loop: a collection holds it anyway)."""
        self.start()
        try:
            while True:
                await asyncio.sleep(self.tick)
                self.maybe_collect()
        finally:
            self.stop()
