"""A press that joins an open incident (``python -m bench.dispatch_incident [OLD] [PRESSES]``): press → committed
with ``OLD`` finished messages of other incidents in the outbox (a year and more of daily Tests; default 5,000),
``PRESSES`` LOCKDOWNs (default 200) each joining one open Staff assist. Such a press reads the incident's newest
stamp (``Outbox.last_pressed``, session 22: never stamped before it after the clock stepped back), a scan of the
outbox. Not in ``python -m bench``'s list: a figure for that one query, run beside the code before it.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from frontdesk import settings as s
from frontdesk.context import Services
from frontdesk.dispatch.credentials import MemoryCredentials
from frontdesk.models import Visitor


def measure(old: int = 5000, presses: int = 200) -> list[float]:
    """Milliseconds of each press → committed."""
    with tempfile.TemporaryDirectory() as tmp:
        services = Services.open(Path(tmp) / "station")
        try:
            st = services.settings
            st.set(s.SCHOOL_NAME, "Bench School")
            st.set(s.STATION_NAME, "Desk")
            st.set(s.STATION_ROOM, "Room 101")
            for i in range(25):  # each alert carries the roster, as in bench.dispatch_station
                services.checkin.admit(Visitor(f"Visitor{i}", "Benchmark"), destination="Room 12")
            services.station.credentials = MemoryCredentials()
            station = services.station
            for _ in range(old):
                station.press("lockdown", mode="Test", tell=False)
            station.press("staff_assist")  # the open incident
            times = []
            for _ in range(presses):
                start = time.perf_counter()
                station.press("lockdown")
                times.append((time.perf_counter() - start) * 1000)
            return times
        finally:
            services.close()


def main(argv: list[str]) -> None:
    old, presses = (int(a) for a in (argv + ["5000", "200"][len(argv) :])[:2])
    times = sorted(measure(old, presses))
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"old={old} n={presses} median={statistics.median(times):.2f} ms p95={p95:.2f} ms max={times[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
