"""A desk process that prints one badge through the OS print queue and says what became of it (JSON on stdout).

Run by tests/test_os_queue_cups.py with ``CUPS_SERVER`` pointing at a private cupsd, as a desk would be: its own
process, Qt's print support and pycups both reaching that server. Usage::

    python tests/os_queue_desk.py DATA_DIR PRINTER_URI [status | late-pass | without-pycups]

With ``status`` it prints the printer's health check instead (what the status bar shows between badges); with
``late-pass`` it sends a student's late pass through the queue and prints what the queue said of it. With
``without-pycups`` the pycups module cannot be imported, as on a Linux install without it (job states cannot be
read there, as on Windows and macOS).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

if sys.argv[3:] == ["without-pycups"]:
    sys.modules["cups"] = None  # `import cups` raises ImportError, as where it is not installed

from PySide6.QtWidgets import QApplication

import ui.app  # noqa: F401  (the composition root registers the system:// scheme, as in the desk)
from frontdesk.badges.service import BadgeService, ScriptedHandler
from frontdesk.context import Services
from frontdesk.models import Visitor
from printers.uri import printer_for
from ui.badges.printing import _short, health_view


def main() -> None:
    data_dir, uri = Path(sys.argv[1]), sys.argv[2]
    app = QApplication([])  # noqa: F841 (QPrinter paints with the application's fonts)
    printer = printer_for(uri)
    if sys.argv[3:] == ["status"]:
        status = printer.status()
        print(json.dumps({"state": status.state.value, "message": status.message}))
        return
    if sys.argv[3:] == ["late-pass"]:  # a student's late pass through the same queue, and what the queue said
        from datetime import UTC, datetime

        from printers.media import media
        from printers.slips import LatePassData, render_late_pass

        when = datetime(2026, 12, 2, 9, 5, tzinfo=UTC)
        data = LatePassData(
            "Maple Grove", "Sam Lateson", "4", when, "bus", True, "Room 12", "1st late arrival", False, "LP7Q-K2MD"
        )
        job = printer.build_job(render_late_pass(data, media("dymo-30857")))
        printer.open()
        printer.send(job)
        status = printer.status()
        printer.close()
        print(json.dumps({"state": status.state.value, "message": status.message}))
        return
    services = Services.open(data_dir)
    try:
        badges = BadgeService(
            services.store, services.settings, services.visits, services.events, sleep=lambda s: None
        )
        visit = services.checkin.admit(Visitor(first_name="Rowan", last_name="Sampleton"), destination="Office")
        handler = ScriptedHandler()  # "print again?" is answered no: one job per run
        result = badges.print_badge(visit.id, printer, handler, media_key="dymo-30857")
        print(
            json.dumps(
                {
                    "outcome": result.outcome.value,
                    "badge_code": visit.badge_code,
                    "message": result.message,
                    "questions": handler.questions,
                    "printed": badges.printed(visit.id),
                    "attempts": [a.outcome for a in badges.attempts(visit.id)],
                    "status_bar": health_view(_status_for(result, printer), printer),
                    "short": _short(result, printer),
                }
            )
        )
    finally:
        services.close()


def _status_for(result, printer):
    from printers.base import PrinterStatus
    from ui.badges.printing import _OUTCOME_STATE

    return PrinterStatus(_OUTCOME_STATE[result.outcome], _short(result, printer))


if __name__ == "__main__":
    main()
