"""ESC/POS badge printers on a serial line (USB-serial adapters, old receipt printers): a real pseudo-terminal
stands in for the port, so the real driver (pyserial through python-escpos) opens, writes and reads a real
tty. Found untried in session 18's red team; tried in session 23: unplugged mid-job, stopped mid-job,
answering status."""

from __future__ import annotations

import gc
import sys
import threading

import pytest

from frontdesk.badges.service import BadgeService, Outcome, ScriptedHandler
from frontdesk.models import Visitor
from printers.uri import printer_for
from tests.printer_listeners import wait_for
from tests.serial_printer import PtyPrinter

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


@pytest.fixture
def badges(services):
    # The real service; only the pause between automatic retries is skipped.
    return BadgeService(services.store, services.settings, services.visits, services.events, sleep=lambda s: None)


@pytest.fixture
def visit(services):
    return services.checkin.admit(Visitor(first_name="Rowan", last_name="Serialton"), destination="Room 4")


@pytest.fixture
def pty_printer():
    made: list[PtyPrinter] = []

    def make(mode: str = "ready", **kw) -> PtyPrinter:
        made.append(PtyPrinter(mode, **kw))
        return made[-1]

    yield make
    for each in made:
        each.close()


@pytest.fixture
def unraisable(monkeypatch):
    """Exceptions Python could only print ("Exception ignored in ..."): on the command line they are a
    traceback on standard error, which the CLI promises never to show."""
    seen: list = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: seen.append(info.exc_value))
    return seen


def visit_is_kept(services, visit) -> bool:
    return services.visits.get(visit.badge_code).on_site


def test_a_serial_printer_prints_and_confirms(services, badges, visit, pty_printer):
    printer = pty_printer()
    result = badges.print_badge(visit, printer_for(printer.uri()))
    assert result.outcome is Outcome.PRINTED, result.message
    assert bytes(printer.received).startswith(result.job)  # the exact job, then the two status requests
    assert printer.asked == 2


def test_a_serial_printer_unplugged_mid_job_is_partial_and_the_desk_is_asked(
    services, badges, visit, pty_printer, unraisable
):
    printer = pty_printer("vanish", after=8192)
    handler = ScriptedHandler([False])
    result = badges.print_badge(visit, printer_for(printer.uri()), handler)
    assert result.outcome is Outcome.PARTIAL
    assert "dropped the connection while printing" in result.message and printer.path in result.message
    assert len(handler.questions) == 1 and "print the badge again?" in handler.questions[0]
    assert 0 < len(printer.received) < len(result.job)
    assert visit_is_kept(services, visit) and not services.badges.printed(visit.id)
    gc.collect()  # the driver's device object goes, and with it any error it kept for its __del__
    assert unraisable == []


def test_a_serial_printer_that_stops_taking_data_is_not_responding_and_not_retried_unasked(
    services, badges, visit, pty_printer
):
    printer = pty_printer("stop", after=8192)
    handler = ScriptedHandler([False])
    result = badges.print_badge(visit, printer_for(printer.uri()), handler)
    assert result.outcome is Outcome.PARTIAL
    assert "Printer not responding — out of labels or cover open?" in result.message
    assert len(handler.questions) == 1 and result.attempts == 1
    assert visit_is_kept(services, visit) and not services.badges.printed(visit.id)


def test_a_serial_printer_that_is_not_there_is_not_reachable(services, badges, visit, tmp_path):
    missing = f"escpos+serial://{tmp_path / 'ttyUSB0'}?timeout=1"
    result = badges.print_badge(visit, printer_for(missing))
    assert result.outcome is Outcome.FAILED and "Badge printer not reachable — is it on?" in result.message
    assert result.attempts == 3 and visit_is_kept(services, visit)  # two automatic retries: nothing was sent


def test_a_serial_printer_s_one_byte_status_answer_is_taken_at_once(services, badges, visit, pty_printer):
    """A printer answers a real-time status request with one byte. The driver read 16 and so waited out the
    whole timeout for the other 15, twice a badge: with the default 3 s, every serial badge was confirmed 6 s
    late and the printer's queue (the next visitor's badge, the idle health check) waited behind it."""
    printer = pty_printer()
    done: list = []
    thread = threading.Thread(
        target=lambda: done.append(badges.print_badge(visit, printer_for(printer.uri(timeout=60)))), daemon=True
    )
    thread.start()
    # Wait for the answer, far less long than the 2 x 60 s the driver would wait for 15 bytes that never come.
    assert wait_for(lambda: bool(done), timeout=20), "the status answer waited for the timeout"
    assert done[0].outcome is Outcome.PRINTED
