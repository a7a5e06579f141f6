"""Printer strings: every documented form builds the right printer without connecting; mistakes explain."""

from __future__ import annotations

import pytest

from printers.base import PrinterSetupError
from printers.brother import BrotherPrinter
from printers.escpos_printer import EscposPrinter
from printers.fakes import PreviewPrinter
from printers.uri import printer_for


@pytest.mark.parametrize(
    "uri,kind,where",
    [
        ("escpos+tcp://10.0.0.20:9100?profile=TM-T20II", EscposPrinter, "IP 10.0.0.20:9100"),
        ("escpos+tcp://10.0.0.20", EscposPrinter, "IP 10.0.0.20:9100"),
        ("escpos+usb://04b8:0202?profile=TM-T20II", EscposPrinter, "USB 04b8:0202"),
        ("escpos+serial:///dev/ttyUSB0?baudrate=19200", EscposPrinter, "serial /dev/ttyUSB0"),
        ("escpos+serial://COM3", EscposPrinter, "serial COM3"),
        ("brother+tcp://10.0.0.21?model=QL-820NWB&label=62x100", BrotherPrinter, "IP 10.0.0.21"),
        ("brother+usb://0x04f9:0x209d?model=QL-800", BrotherPrinter, "USB usb://0x04f9:0x209d"),
        ("preview://", PreviewPrinter, "on-screen preview"),
    ],
)
def test_documented_printer_strings(uri, kind, where):
    printer = printer_for(uri)  # 10.0.0.x is not reachable from here: building must not connect
    assert isinstance(printer, kind) and printer.where == where and printer.uri == uri


def test_options_reach_the_driver():
    printer = printer_for("escpos+serial:///dev/ttyS1?baudrate=19200&timeout=1.5&profile=TM-T88V")
    assert (printer.target, printer.timeout, printer.profile) == (("/dev/ttyS1", 19200), 1.5, "TM-T88V")
    brother = printer_for("brother+tcp://10.0.0.21:9101?model=QL-800&label=62")
    assert (brother.target, brother.model, brother.label) == (("10.0.0.21", 9101), "QL-800", "62")


@pytest.mark.parametrize(
    "uri,words",
    [
        ("10.0.0.20", "not a printer address"),
        ("lpt://x", "Unknown printer type 'lpt'"),
        ("escpos+tcp://10.0.0.20:http", "Port must be a number"),
        ("escpos+usb://epson", "VENDOR:PRODUCT"),
        ("escpos+tcp://10.0.0.20?timeout=soon", "timeout must be a number"),
        ("system://Front Desk DYMO", "from the FrontDesk window"),
    ],
)
def test_malformed_printer_strings_explain(uri, words, monkeypatch):
    from printers import uri as uri_module

    monkeypatch.delitem(uri_module.SCHEMES, "system", raising=False)  # as in the CLI, without the window
    with pytest.raises(PrinterSetupError) as caught:
        printer_for(uri)
    assert words in caught.value.message


def test_an_unknown_escpos_profile_is_a_setup_error(services):
    from frontdesk.badges.service import Outcome
    from frontdesk.models import Visitor

    visit = services.checkin.admit(Visitor(first_name="Morgan", last_name="Mockridge"))
    result = services.badges.print_badge(visit.id, printer_for("escpos+tcp://127.0.0.1:9?profile=TM-T20"))
    assert result.outcome is Outcome.FAILED and "Unknown ESC/POS printer profile 'TM-T20'" in result.message
