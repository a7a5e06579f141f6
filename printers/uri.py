"""A printer configured by one readable string, and the factory that turns it into a printer object.

::

    escpos+tcp://10.0.0.20:9100?profile=TM-T20II
    escpos+usb://04b8:0202?profile=TM-T20II
    escpos+serial:///dev/ttyUSB0?baudrate=19200        (or COM3, or loop:// in tests)
    brother+tcp://10.0.0.21?model=QL-820NWB&label=62x100
    brother+usb://0x04f9:0x209d?model=QL-800&label=62
    system://Front Desk DYMO?watch=10                  (the OS print queue; the desktop app adds it; watch:
                                                        seconds a badge's job is followed in the queue)
    preview://

Every URI takes ``timeout=SECONDS``. Building a printer never connects. Schemes that need Qt (the OS print
queue) are registered into ``SCHEMES`` by the UI, so the core stays free of Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

from printers.base import DEFAULT_TIMEOUT, Printer, PrinterSetupError


@dataclass(frozen=True)
class PrinterUri:
    """A parsed printer string: ``scheme`` (``escpos+tcp`` …), the address part, and the options."""

    text: str
    scheme: str
    address: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def timeout(self) -> float:
        """The ``timeout`` option in seconds (default 3)."""
        try:
            return float(self.options.get("timeout", DEFAULT_TIMEOUT))
        except ValueError:
            raise PrinterSetupError(f"timeout must be a number of seconds in {self.text!r}") from None

    def host_port(self, default_port: int = 9100) -> tuple[str, int]:
        """``host[:port]`` of a network address."""
        address = self.address.rstrip("/")
        host, _, port = address.partition(":")
        if not host:
            raise PrinterSetupError(f"No printer address in {self.text!r} (for example 10.0.0.20:9100)")
        try:
            return host, int(port) if port else default_port
        except ValueError:
            raise PrinterSetupError(f"Port must be a number in {self.text!r}") from None


def parse(text: str) -> PrinterUri:
    """Split a printer string; raises PrinterSetupError with an example when it is malformed."""
    text = (text or "").strip()
    scheme, sep, rest = text.partition("://")
    if not sep or not scheme:
        raise PrinterSetupError(
            f"Printer setting {text!r} is not a printer address; for example "
            "escpos+tcp://10.0.0.20:9100 or preview://"
        )
    address, _, query = rest.partition("?")
    options = dict(parse_qsl(query, keep_blank_values=True))
    return PrinterUri(text, scheme.lower(), unquote(address), options)


def _escpos(uri: PrinterUri) -> Printer:
    from printers.escpos_printer import EscposPrinter

    profile = uri.options.get("profile", "TM-T20II")
    kind = uri.scheme.split("+", 1)[1]
    if kind == "tcp":
        target: tuple = uri.host_port()
    elif kind == "usb":
        try:
            vendor, product = (int(part, 16) for part in uri.address.split(":"))
        except ValueError:
            raise PrinterSetupError(
                f"USB printer must be VENDOR:PRODUCT in hex, e.g. 04b8:0202 ({uri.text})"
            ) from None
        target = (vendor, product)
    else:
        try:
            target = (uri.address, int(uri.options.get("baudrate", "9600")))
        except ValueError:
            raise PrinterSetupError(f"baudrate must be a number in {uri.text!r}") from None
    return EscposPrinter(uri.text, kind, target, profile, uri.timeout)


def _brother(uri: PrinterUri) -> Printer:
    from printers.brother import BrotherPrinter

    kind = uri.scheme.split("+", 1)[1]
    target: tuple = uri.host_port() if kind == "tcp" else (f"usb://{uri.address}",)
    model = uri.options.get("model", "QL-820NWB")
    return BrotherPrinter(uri.text, kind, target, model, uri.options.get("label", "62x100"), uri.timeout)


def _preview(uri: PrinterUri) -> Printer:
    from printers.fakes import PreviewPrinter

    return PreviewPrinter(uri.text)


SCHEMES: dict[str, Callable[[PrinterUri], Printer]] = {
    "escpos+tcp": _escpos,
    "escpos+usb": _escpos,
    "escpos+serial": _escpos,
    "brother+tcp": _brother,
    "brother+usb": _brother,
    "preview": _preview,
}


def printer_for(text: str) -> Printer:
    """The printer a setting names (not connected)."""
    uri = parse(text)
    make = SCHEMES.get(uri.scheme)
    if make is None:
        if uri.scheme == "system":
            raise PrinterSetupError(
                "The computer's print queue (system://) is used from the FrontDesk window, not the command line"
            )
        raise PrinterSetupError(f"Unknown printer type {uri.scheme!r}; known: {', '.join(sorted(SCHEMES))}")
    return make(uri)
