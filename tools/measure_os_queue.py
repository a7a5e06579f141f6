"""How long a badge through the OS print queue takes to get its answer, against a private cupsd on 127.0.0.1:

    QT_QPA_PLATFORM=offscreen PYTHONPATH=. .venv/bin/python tools/measure_os_queue.py with 30
    QT_QPA_PLATFORM=offscreen PYTHONPATH=. .venv/bin/python tools/measure_os_queue.py without 30

``with``: the desk follows each job in CUPS until it completed ("Badge printed"); ``without``: pycups made
unimportable, so the answer comes once the queue took the job ("sent"). The queue is raw, its printer a socket
listener on loopback that reads everything (tests/cups_server.py, tests/printer_listeners.py). Prints the
wall-clock and CPU times of ``BadgeService.print_badge`` (render, paint the PDF, hand it to CUPS, watch).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time


def main() -> int:
    """Run N badges and print the figures (one line)."""
    from tests.cups_server import CupsServer
    from tests.printer_listeners import Listener

    mode, runs = sys.argv[1], int(sys.argv[2])
    server = CupsServer()
    printer = Listener("capture")
    try:
        server.add_queue("Front_Desk_DYMO", "Front Desk DYMO", printer.port)
        os.environ["CUPS_SERVER"] = server.address
        if mode == "without":
            sys.modules["cups"] = None  # as on an install without pycups
        from PySide6.QtWidgets import QApplication

        app = QApplication([])  # noqa: F841 (QPrinter paints with the application's fonts)
        import ui.app  # noqa: F401 (registers system://)
        from frontdesk.badges.service import BadgeService
        from frontdesk.context import Services
        from frontdesk.models import Visitor
        from printers.uri import printer_for

        services = Services.open(tempfile.mkdtemp(prefix="frontdesk-measure-") + "/data")
        badges = BadgeService(services.store, services.settings, services.visits, services.events)
        walls, cpus, outcomes = [], [], set()
        for i in range(runs):
            visit = services.checkin.admit(Visitor(first_name="Rowan", last_name=f"Sampleton{i}"))
            wall, cpu = time.perf_counter(), time.process_time()
            result = badges.print_badge(visit.id, printer_for("system://Front Desk DYMO"), media_key="dymo-30857")
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            outcomes.add(result.outcome.value)
        services.close()
    finally:
        printer.close()
        server.stop()
    walls.sort()
    cpus.sort()

    def q(values, f):
        return values[min(len(values) - 1, int(f * len(values)))]

    print(
        f"{mode}: {runs} badges, outcomes {sorted(outcomes)}; wall p50 {q(walls, 0.5):.0f} ms, p95 "
        f"{q(walls, 0.95):.0f} ms, max {walls[-1]:.0f} ms; CPU p50 {q(cpus, 0.5):.0f} ms; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
