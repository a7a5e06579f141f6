"""One pass of the notification sender (``python -m bench.notify_pass [PASSES]``): 20 routine (watch) messages
queued, then sent through the recording channel, ``PASSES`` times (default 30); prints the median and fastest
pass. Since session 22 a pass reads, before each routine message, whether a panic or a match is waiting (it goes
first); this measures what that read costs when none is. Not in ``python -m bench``'s list: a figure for that one
query, run beside the code before it (the real cost of a pass is the mail server's, tens of ms a message).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from frontdesk import clock
from frontdesk import settings as s
from frontdesk.context import Services
from frontdesk.notifications.channels import Channels, RecordingChannel
from frontdesk.notifications.sender import Sender


def measure(passes: int = 30) -> list[float]:
    """Milliseconds of each pass of 20 messages."""
    with tempfile.TemporaryDirectory() as tmp:
        services = Services.open(Path(tmp) / "desk")
        try:
            services.settings.set(s.SCHOOL_NAME, "Bench School")
            services.outbound.add("principal@bench.example", "watch")
            fake = RecordingChannel()
            sender = Sender(services.store, services.settings, lambda: Channels(fake, fake, fake))
            times = []
            for run in range(passes):
                with services.outbound.transaction():
                    for i in range(20):
                        services.outbound.watch_confirmed(
                            f"Wanda Watcher{run}x{i}", "District", staff="Bench", when=clock.now()
                        )
                start = time.perf_counter()
                sent = sender.send_due()
                times.append((time.perf_counter() - start) * 1000)
                assert len(sent) == 20
            return times
        finally:
            services.close()


def main(argv: list[str]) -> None:
    """Print the figures."""
    times = measure(int(argv[0]) if argv else 30)
    print(f"pass of 20 routine messages: median {statistics.median(times):.1f} ms, fastest {min(times):.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
