"""Badges through the operating system's print queue, against a real CUPS (a private cupsd on 127.0.0.1).

The desk runs as its own process with ``CUPS_SERVER`` set (``tests/os_queue_desk.py``): Qt's CUPS engine sends
the badge as a PDF to a raw queue whose device is a socket printer on loopback, which records the bytes. The
printer "unplugged" is a closed port: CUPS takes the job all the same and keeps trying to reach the printer.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from itertools import count
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from tests.cups_server import CupsServer, CupsUnavailable
from tests.printer_listeners import Listener, closed_port, wait_for
from tests.test_dispatch_station_qt import console, hold, station  # noqa: F401 (a station with dispatch set up)

ROOT = Path(__file__).resolve().parent.parent
_names = count(1)


@pytest.fixture(scope="session")
def cups_server():
    try:
        server = CupsServer()
    except CupsUnavailable as exc:
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture
def queue(cups_server):
    """A fresh queue per test: ``make(printer_port)`` returns its CUPS name (its description has spaces)."""
    made: list[str] = []

    def make(printer_port: int, options: str = "") -> str:
        name = f"Front_Desk_DYMO_{next(_names)}"
        cups_server.add_queue(name, name.replace("_", " "), printer_port, options)
        made.append(name)
        return name

    yield make
    for name in made:
        cups_server.remove_queue(name)


def desk(cups_server, data_dir: Path, uri: str, *extra: str) -> dict:
    """Run the desk process once; its JSON answer."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "os_queue_desk.py"), str(data_dir), uri, *extra],
        env={**cups_server.env(), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def not_completed(cups_server, name: str) -> list[int]:
    return [
        job for job, a in cups_server.jobs("not-completed").items() if a["job-printer-uri"].endswith("/" + name)
    ]


def test_a_badge_reaches_the_printer_as_one_pdf_page_the_size_of_the_label(cups_server, queue, tmp_path):
    printer = Listener("capture")
    try:
        name = queue(printer.port)
        # Named as people see it in the printer settings: the description (CUPS names cannot hold spaces).
        answer = desk(cups_server, tmp_path / "data", f"system://{name.replace('_', ' ')}")
        assert wait_for(lambda: printer.done.is_set(), timeout=30)
    finally:
        printer.close()

    assert answer["outcome"] == "printed", answer
    assert answer["message"] == "Badge printed for Rowan Sampleton."
    assert answer["printed"] and answer["attempts"] == ["printed"]
    assert answer["status_bar"] == ["ok", "ready"]
    pdf = printer.data
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1  # one page: one badge
    box = [float(v) for v in re.search(rb"/MediaBox\s*\[([^\]]+)\]", pdf).group(1).split()]
    # The DYMO 30857 badge (660 x 1164 dots at 300 dpi = 55.9 x 98.6 mm), in points: not a letter page.
    assert box[:2] == [0, 0] and abs(box[2] - 158.4) < 1 and abs(box[3] - 279.4) < 1
    # The page is this visit's badge: its QR code, read back from the page as printed, is the visit's code.
    # (pdftoppm: poppler-utils, which Debian's cups package, the one with the socket backend, depends on.)
    (tmp_path / "job.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", "job.pdf", "page"], cwd=tmp_path, check=True)
    decoded = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png").convert("L"))
    assert [r.text for r in decoded] == [answer["badge_code"]]
    assert not_completed(cups_server, name) == []  # CUPS finished the job


def test_a_badge_to_an_unplugged_printer_is_not_called_printed(cups_server, queue, tmp_path):
    name = queue(closed_port())  # the printer is not there: CUPS takes the job and keeps trying
    answer = desk(cups_server, tmp_path / "data", f"system://{name}?watch=3")

    assert answer["outcome"] == "attention", answer  # before: "printed", green, from the queue taking the job
    assert not answer["printed"]
    assert answer["message"] == (
        f"The print queue “{name}” cannot reach the printer — is it plugged in and switched on? The badge was "
        "taken off the queue, so that it cannot come out later. Rowan Sampleton's badge may not have printed."
    )
    assert answer["questions"] and answer["questions"][0].endswith("Print it again once the printer is ready?")
    assert answer["attempts"] == ["attention"]
    assert answer["status_bar"][0] == "warning"
    # The badge was taken off the queue: it cannot come out later, for a visitor who has gone.
    assert not_completed(cups_server, name) == []


def test_a_badge_to_a_stopped_queue_says_so_and_what_to_do(cups_server, queue, tmp_path):
    printer = Listener("capture")
    try:
        name = queue(printer.port)
        cups_server.run("cupsdisable", name)  # stopped, as CUPS stops a queue whose printer failed
        health = desk(cups_server, tmp_path / "data", f"system://{name}", "status")
        answer = desk(cups_server, tmp_path / "data", f"system://{name}?watch=3")
    finally:
        printer.close()

    assert health["state"] == "attention" and "has stopped" in health["message"]
    assert answer["outcome"] == "attention", answer
    assert f"The print queue “{name}” has stopped" in answer["message"]
    assert "resume the queue in the computer's printer settings" in answer["message"]
    assert not answer["printed"]
    assert not_completed(cups_server, name) == []
    assert printer.data == b""  # nothing reached the printer


def test_a_queue_cups_stops_when_its_printer_fails_says_so(cups_server, queue, tmp_path):
    """The red team's case as CUPS plays it when the backend gives up (here after 1 s; by default a week): CUPS
    stops the queue ("The printer is not responding") with the badge still in it, the desk sees the stop, takes
    the badge off and says what to do; the health check says it too."""
    name = queue(closed_port(), "contimeout=1")
    answer = desk(cups_server, tmp_path / "data", f"system://{name}?watch=60")
    health = desk(cups_server, tmp_path / "data", f"system://{name}", "status")

    assert answer["outcome"] == "attention", answer
    assert answer["message"].startswith(
        f"The print queue “{name}” has stopped (it says: “The printer is not responding”): check the printer is "
        "plugged in and on, then resume the queue in the computer's printer settings (or ask IT). The badge was "
        "taken off the queue"
    )
    assert not_completed(cups_server, name) == []
    assert health["state"] == "attention" and "has stopped" in health["message"]


def test_a_badge_the_queue_aborts_is_not_printed_and_says_why(cups_server, queue, tmp_path):
    """A queue set to abort a job whose printer failed (instead of stopping): the job ends "aborted" with CUPS's
    message, which the desk repeats."""
    name = queue(closed_port(), "contimeout=1")
    cups_server.run("lpadmin", "-p", name, "-o", "printer-error-policy=abort-job")
    answer = desk(cups_server, tmp_path / "data", f"system://{name}?watch=60")

    assert answer["outcome"] == "attention", answer
    assert answer["message"] == (
        f"The print queue “{name}” did not print the badge (it says: “The printer is not responding”). Rowan "
        "Sampleton's badge may not have printed."  # nothing about taking it off: CUPS ended the job itself
    )
    assert not answer["printed"]
    assert not_completed(cups_server, name) == []


def test_a_badge_the_queue_holds_is_taken_off_and_said(cups_server, queue, tmp_path):
    """A queue that holds every job until someone releases it (job-hold-until-default=indefinite)."""
    printer = Listener("capture")
    try:
        name = queue(printer.port)
        cups_server.run("lpadmin", "-p", name, "-o", "job-hold-until-default=indefinite")
        answer = desk(cups_server, tmp_path / "data", f"system://{name}?watch=30")
    finally:
        printer.close()

    assert answer["outcome"] == "attention", answer
    assert answer["message"].startswith(f"The print queue “{name}” is holding the badge")
    assert "The badge was taken off the queue, so that it cannot come out later." in answer["message"]
    assert not_completed(cups_server, name) == []
    assert printer.data == b""


def test_a_late_pass_the_queue_holds_is_called_a_late_pass(cups_server, queue, tmp_path):
    """The same queue prints the students' slips: its words name what was sent (session 24: 'the badge')."""
    printer = Listener("capture")
    try:
        name = queue(printer.port)
        cups_server.run("lpadmin", "-p", name, "-o", "job-hold-until-default=indefinite")
        answer = desk(cups_server, tmp_path / "data", f"system://{name}?watch=30", "late-pass")
    finally:
        printer.close()

    assert answer["state"] == "attention", answer
    assert answer["message"].startswith(f"The print queue “{name}” is holding the late pass"), answer
    assert "The late pass was taken off the queue, so that it cannot come out later" in answer["message"]
    assert "badge" not in answer["message"]
    assert not_completed(cups_server, name) == []


def test_a_badge_behind_other_jobs_is_sent_not_printed(cups_server, queue, tmp_path):
    printer = Listener("silent")  # takes the first job's connection and never finishes it
    try:
        name = queue(printer.port)
        blocker = tmp_path / "other.txt"
        blocker.write_text("another program's job\n")
        cups_server.run("lp", "-d", name, str(blocker))
        assert wait_for(lambda: printer.connections, timeout=30)  # the other job is at the printer
        answer = desk(cups_server, tmp_path / "data", f"system://{name}?watch=2")
        left = not_completed(cups_server, name)
    finally:
        printer.close()

    assert answer["outcome"] == "sent", answer
    assert not answer["printed"]
    assert answer["message"] == (
        "Badge for Rowan Sampleton sent, but the printer did not confirm — check it came out (Reprint if not). "
        f"It is still waiting in the print queue “{name}” behind other jobs."
    )
    assert answer["short"] == "sent to the print queue — check the last badge"
    assert len(left) == 2  # the badge stays queued behind the other job: it prints when that one is done


def test_a_queue_that_refuses_jobs_is_not_printed(cups_server, queue, tmp_path):
    printer = Listener("capture")
    try:
        name = queue(printer.port)
        cups_server.run("cupsreject", name)
        health = desk(cups_server, tmp_path / "data", f"system://{name}", "status")
        answer = desk(cups_server, tmp_path / "data", f"system://{name}")
    finally:
        printer.close()

    assert health == {"state": "attention", "message": f"The print queue “{name}” is not accepting jobs"}
    assert answer["outcome"] == "failed", answer
    assert f"The print queue “{name}” is not accepting jobs" in answer["message"]
    assert answer["attempts"] == ["retry", "retry", "failed"]  # nothing reached the queue: retried on its own
    assert printer.data == b""


def test_where_job_states_cannot_be_read_a_badge_is_sent_never_printed(cups_server, queue, tmp_path):
    name = queue(closed_port())  # unplugged; without pycups the desk cannot see it
    answer = desk(cups_server, tmp_path / "data", f"system://{name}", "without-pycups")
    cups_server.run("cancel", "-a", name)  # (the badge stays queued: nothing here can take it off)

    assert answer["outcome"] == "sent", answer  # before: "printed"
    assert answer["message"] == (
        "Badge for Rowan Sampleton sent, but the printer did not confirm — check it came out (Reprint if not). "
        f"It went to the print queue “{name}”; this computer cannot see whether it came out."
    )
    assert answer["short"] == "sent to the print queue — check the last badge"
    assert not answer["printed"]


def test_a_queue_that_does_not_exist_is_not_reachable(cups_server, tmp_path):
    answer = desk(cups_server, tmp_path / "data", "system://No Such Queue")
    assert answer["outcome"] == "failed" and "not reachable" in answer["message"]


def test_a_panic_press_never_waits_for_a_badge_being_watched_in_the_queue(
    qtbot, cups_server, queue, monkeypatch, request
):
    """The job watch runs on the print worker's thread: while it follows a badge to an unplugged printer, a panic
    press is committed at once, and the badge's question comes after."""
    from frontdesk import settings as st
    from ui.app import build_desk

    services = request.getfixturevalue("station")  # the desk's services, connected to a dispatch console
    name = queue(closed_port())
    monkeypatch.setenv("CUPS_SERVER", cups_server.address)  # read by libcups in the print worker's new thread
    services.settings.set(st.BADGE_MEDIA, "dymo-30857")
    services.settings.set(st.BADGE_PRINTER, f"system://{name}?watch=15")
    services.settings.set(st.PANIC_HOLD_MS, 100)
    desk = build_desk(services)
    qtbot.addWidget(desk.window)
    desk.window.show()
    panel = desk.badge_printing.panel
    try:
        desk.window.form.first_name.setText("Jordan")
        desk.window.form.last_name.setText("Queuewell")
        desk.window.request_check_in()
        assert wait_for(lambda: not_completed(cups_server, name), timeout=30)  # the badge is in the queue
        entry = hold(qtbot, desk.dispatch.panel)
        assert [e.id for e in services.station.recent()] == [entry.id]
        assert "Printing the badge for Jordan Queuewell" in panel.status.text()  # still being watched
    finally:
        qtbot.waitUntil(panel.ask.isVisible, timeout=60_000)  # the watch ends: the desk is asked
        assert "cannot reach the printer" in panel.status.text()
        with qtbot.waitSignal(desk.badge_printing.worker.job_done, timeout=20_000):
            panel.not_now_button.click()
        desk.badge_printing.shutdown()
    assert not_completed(cups_server, name) == []
