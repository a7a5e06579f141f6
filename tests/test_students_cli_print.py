"""The command line prints late passes and release slips on the configured badge printer: python-escpos to a
TCP listener on 127.0.0.1, the raster decoded and its QR read back (the same slip renderer as the desk)."""

from __future__ import annotations

import json
import socket

import pytest

from frontdesk import settings as s
from frontdesk.cli import main
from frontdesk.context import Services
from printers.decode import escpos_raster
from tests.printer_listeners import Listener, wait_for
from tests.students_fixtures import guardian_name, sign_in


@pytest.fixture(scope="module")
def template(students_template):
    return students_template


@pytest.fixture
def facts(students_bundle):
    return students_bundle[1]


@pytest.fixture
def listener():
    one = Listener("capture")
    yield one
    one.close()


def _uri(port: int) -> str:
    return f"escpos+tcp://127.0.0.1:{port}?profile=TM-T20II&timeout=1"


def _qr(data: bytes) -> list[str]:
    import zxingcpp

    printed = escpos_raster(data)
    return [c.text for c in zxingcpp.read_barcodes(printed.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)]


def test_arrive_and_release_print_their_slips_on_the_configured_printer(staffed, facts, listener, capsys):
    folder = staffed.store.data_dir
    sign_in(staffed, "root")
    staffed.settings.set(s.BADGE_PRINTER, _uri(listener.port))
    staffed.accounts.sign_out()
    staffed.close()
    base = ["--data-dir", str(folder), "students"]
    assert main([*base, "arrive", "100120", "--reason", "Bus late", "--print", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["printed"] is True and record["print_message"] == "Late pass printed."
    assert wait_for(lambda: len(listener.connections) >= 1 and len(listener.data) > 1000)
    assert wait_for(lambda: _safe_qr(listener.data) == [record["code"]])

    first, last = guardian_name(facts, "stu-00121")
    argv = [*base, "release", "100121", "--to", f"{first} {last}", "--reason", "Dentist", "--print"]
    before = len(listener.connections)
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Released" in out and "Release slip printed." in out
    assert wait_for(lambda: len(listener.connections) > before)
    slip = bytes(listener.connections[-1])
    services = Services.open(folder)
    try:
        code = services.students.out()[-1].code
    finally:
        services.close()
    assert wait_for(lambda: _safe_qr(bytes(listener.connections[-1])) == [code]), len(slip)

    # Today's latest slip, again (the printer jammed): the same code.
    before = len(listener.connections)
    assert main([*base, "slip", "100121", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["printed"] is True
    assert wait_for(
        lambda: len(listener.connections) > before and _safe_qr(bytes(listener.connections[-1])) == [code]
    )


def _safe_qr(data: bytes) -> list[str]:
    try:
        return _qr(data)
    except Exception:  # not all of the job has arrived yet
        return []


def test_a_printer_fault_does_not_change_the_release_exit_code(staffed, facts, capsys):
    folder = staffed.store.data_dir
    staffed.close()
    base = ["--data-dir", str(folder), "students"]
    # No printer set up: refused before anything is recorded.
    assert main([*base, "arrive", "100122", "--reason", "Bus", "--print"]) == 2
    assert "No badge printer is set up" in capsys.readouterr().err
    services = Services.open(folder)
    assert services.students.late_today() == []
    services.close()
    # A printer that is not there: released (exit 0, the contract), the slip's failure said on one line.
    # A port held bound but never listening: a connection is refused for as long as the test runs (a port
    # merely freed could be taken by another process meanwhile, and then the slip "printed").
    dead = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    first, last = guardian_name(facts, "stu-00123")
    argv = [*base, "release", "100123", "--to", f"{first} {last}", "--reason", "Ill", "--print", "--json"]
    assert main([*argv, "--printer", _uri(port)]) == 0
    captured = capsys.readouterr()
    record = json.loads(captured.out)
    assert record["released"] is True and record["printed"] is False and record["print_outcome"] == "failed"
    assert "Release slip not printed" in captured.err
    assert main([*base, "slip", "100123", "--printer", _uri(port)]) == 2
    assert main([*base, "slip", "100124", "--printer", _uri(port)]) == 2  # nothing today: one line
    assert "has no late pass or release slip today" in capsys.readouterr().err
    dead.close()
