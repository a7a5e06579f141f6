"""ESC/POS receipt printers (network, USB, serial) through python-escpos.

The whole job is built in python-escpos's ``Dummy`` printer (its ``output`` is the exact bytes), then the
device is opened, the job sent once in chunks (so we know how much left before a failure), and closed.
Timeouts are always set: python-escpos waits 60 s on the network and forever on USB by default.
"""

from __future__ import annotations

import contextlib
import io
import socket

import serial
from escpos import printer as escpos_printer
from escpos.exceptions import DeviceNotFoundError
from PIL import Image, ImageChops

from printers.badge import Badge
from printers.base import (
    Printer,
    PrinterSetupError,
    PrinterStatus,
    State,
    connection_lost,
    not_responding,
    unreachable,
)

CHUNK = 4096
FRAGMENT = 960  # rows per GS v 0 image, python-escpos's default (some printers buffer no more)
# A small send buffer, so that "sent" means the printer took the bytes: with the kernel's default (up to
# megabytes) a whole badge would sit in the buffer of a printer that has stopped reading, and look sent.
SEND_BUFFER = 16384
# Real-time status requests (DLE EOT n): answered at once, even while the printer's buffer is full.
_ASK_OFFLINE_CAUSE = b"\x10\x04\x02"
_ASK_PAPER = b"\x10\x04\x04"


class _UrlSerial(escpos_printer.Serial):
    """python-escpos's Serial, opened through ``serial_for_url`` so tests can use ``loop://``."""

    def open(self, raise_not_found: bool = True) -> None:
        """Open the port by URL (``/dev/ttyUSB0``, ``COM3``, ``loop://``) with read and write timeouts."""
        try:
            self.device = serial.serial_for_url(
                self.devfile, baudrate=self.baudrate, timeout=self.timeout, write_timeout=self.timeout
            )
        except serial.SerialException as exc:
            self.device = None
            raise DeviceNotFoundError(f"Could not open serial port {self.devfile}: {exc}") from exc

    def _read(self) -> bytes:
        """A real-time status answer: one byte, and whatever else has already arrived. python-escpos reads 16,
        so it waited out the whole timeout for 15 bytes no printer sends, twice a badge (6 s by default)."""
        assert self.device
        first = self.device.read(1)
        return first + self.device.read(self.device.in_waiting) if first else first

    def close(self) -> None:
        """Close the port, never raising. python-escpos's own close first waits for the line to drain
        (``tcdrain``: no timeout, on a printer that has stopped taking data), and on a port unplugged mid-job
        raised from it, leaving the port open for its ``__del__`` to raise again: "Exception ignored …", a
        traceback on the command line's standard error. Closing the port itself lets the kernel drain what
        the printer still takes, for a bounded time."""
        port, self._device = self._device, False  # python-escpos's close (and its __del__) then do nothing
        if port:
            with contextlib.suppress(Exception):
                port.close()


class EscposPrinter(Printer):
    """An ESC/POS printer. ``connection`` is ``tcp``, ``usb`` or ``serial``; ``target`` is its address.

    ``target`` is ``(host, port)`` for tcp, ``(vendor_id, product_id)`` for usb, ``(device, baudrate)``
    for serial. ``profile`` is a python-escpos profile name; its media width is checked on every job.
    """

    families = ("escpos",)

    def __init__(self, uri: str, connection: str, target: tuple, profile: str, timeout: float):
        super().__init__(uri, timeout)
        self.connection = connection
        self.target = target
        self.profile = profile
        self._device: escpos_printer.Escpos | None = None

    @property
    def where(self) -> str:
        """IP and port, USB ids, or the serial device."""
        if self.connection == "tcp":
            return f"IP {self.target[0]}:{self.target[1]}"
        if self.connection == "usb":
            return f"USB {self.target[0]:04x}:{self.target[1]:04x}"
        return f"serial {self.target[0]}"

    def build_job(self, badge: Badge) -> bytes:
        """Initialise, the badge as ``GS v 0`` raster images of at most 960 rows, feed and cut.

        Built in python-escpos's ``Dummy`` with its own commands. The raster rows are packed straight from
        the badge's 1-bit image: python-escpos's ``image()`` runs five whole-image conversions first, which
        costs more than the badge takes to draw. A test checks the bytes equal what ``image()`` makes.
        """
        dummy = self._dummy()
        self._check_width(dummy, badge)
        dummy.hw("INIT")
        image = badge.image if badge.image.mode == "1" else badge.image.convert("1", dither=Image.Dither.NONE)
        width_bytes = (image.width + 7) // 8
        for top in range(0, image.height, FRAGMENT):
            strip = image.crop((0, top, width_bytes * 8, min(top + FRAGMENT, image.height)))
            # A set bit is a dot of ink; in Pillow's mode 1 a set bit is white, hence the inversion.
            rows = ImageChops.invert(strip).tobytes()
            header = b"\x1dv0\x00" + dummy._int_low_high(width_bytes, 2) + dummy._int_low_high(strip.height, 2)
            dummy._raw(header + rows)
        dummy.cut(feed=True)
        return dummy.output

    def build_job_with_escpos_image(self, badge: Badge) -> bytes:
        """The same job made by python-escpos's own ``image()`` (the reference the fast path is tested against)."""
        dummy = self._dummy()
        self._check_width(dummy, badge)
        dummy.hw("INIT")
        # python-escpos prints a notice on stdout when a profile has no width; keep the CLI clean.
        with contextlib.redirect_stdout(io.StringIO()):
            dummy.image(badge.image.convert("1"), impl="bitImageRaster", fragment_height=FRAGMENT)
        dummy.cut(feed=True)
        return dummy.output

    def _dummy(self) -> escpos_printer.Dummy:
        try:
            return escpos_printer.Dummy(profile=self.profile)
        except Exception as exc:  # python-escpos raises a bare KeyError for a profile it does not know
            raise PrinterSetupError(
                f"Unknown ESC/POS printer profile {self.profile!r} in the printer setting (e.g. TM-T20II)"
            ) from exc

    def _check_width(self, dummy: escpos_printer.Dummy, badge: Badge) -> None:
        try:
            max_width = int(dummy.profile.profile_data["media"]["width"]["pixels"])
        except (KeyError, ValueError, TypeError):
            return  # a profile without a width: python-escpos prints anyway, and so do we
        if badge.image.width > max_width:
            raise PrinterSetupError(
                f"This badge is {badge.image.width} dots wide but the {self.profile} prints at most {max_width}: "
                "choose the matching media in Settings › Badges and make a test print."
            )

    def _make_device(self) -> escpos_printer.Escpos:
        if self.connection == "tcp":
            host, port = self.target
            return escpos_printer.Network(host, port, timeout=self.timeout, profile=self.profile)
        if self.connection == "usb":
            vendor, product = self.target
            # pyusb takes milliseconds; 0 would mean "wait forever".
            return escpos_printer.Usb(vendor, product, timeout=int(self.timeout * 1000), profile=self.profile)
        device, baudrate = self.target
        return _UrlSerial(device, baudrate=baudrate, timeout=self.timeout, profile=self.profile)

    def open(self) -> None:
        """Connect (within the timeout). Raises PrinterUnreachable."""
        self.close()
        device = self._make_device()
        try:
            device.open()
        except Exception as exc:  # DeviceNotFoundError, OSError; pyusb's and pyserial's own types
            raise unreachable(self.where) from exc
        if isinstance(device.device, socket.socket):
            device.device.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        self._device = device

    def send(self, job: bytes) -> None:
        """Send ``job`` in chunks; on failure the error says how many bytes had left."""
        if self._device is None:
            self.open()
        assert self._device is not None
        sent = 0
        try:
            for start in range(0, len(job), CHUNK):
                chunk = job[start : start + CHUNK]
                self._device._raw(chunk)
                sent += len(chunk)
        except (TimeoutError, serial.SerialTimeoutException) as exc:
            raise not_responding(self.where, max(sent, 1)) from exc
        except (ConnectionError, OSError, serial.SerialException) as exc:
            raise connection_lost(self.where, max(sent, 1)) from exc
        except Exception as exc:  # pyusb's USBError / USBTimeoutError
            if "timeout" in type(exc).__name__.lower():
                raise not_responding(self.where, max(sent, 1)) from exc
            raise connection_lost(self.where, max(sent, 1)) from exc

    def status(self) -> PrinterStatus:
        """Ask the offline cause and the paper sensor; no readable answer is UNKNOWN, never OK."""
        opened_here = self._device is None
        if opened_here:
            try:
                self.open()
            except Exception as exc:
                return PrinterStatus(State.OFFLINE, str(exc))
        try:
            offline = self._ask(_ASK_OFFLINE_CAUSE)
            paper = self._ask(_ASK_PAPER) if offline is not None else None
        finally:
            if opened_here:
                self.close()
        return interpret_status(offline, paper, self.where)

    def _ask(self, request: bytes) -> int | None:
        assert self._device is not None
        try:
            self._device._raw(request)
            reply = self._device._read()
        except Exception:  # a silent printer: timeouts, or a transport that cannot read back
            return None
        return reply[-1] if reply else None

    def close(self) -> None:
        """Close the connection (python-escpos's own close, errors ignored: we are done with it)."""
        device, self._device = self._device, None
        if device is not None:
            with contextlib.suppress(Exception):
                device.close()
            # Closed, or past closing (a USB printer unplugged mid-job fails in pyusb's dispose): python-escpos's
            # own __del__ must not close it again and print "Exception ignored …" on the command line's stderr.
            device._device = False


def _is_status_byte(value: int) -> bool:
    # Every ESC/POS real-time status byte has bit 1 and bit 4 set, bits 0 and 7 clear.
    return value & 0b1001_0011 == 0b0001_0010


def interpret_status(offline: int | None, paper: int | None, where: str) -> PrinterStatus:
    """The desk's reading of the two real-time status bytes (None: no answer)."""
    if offline is None or paper is None or not (_is_status_byte(offline) and _is_status_byte(paper)):
        return PrinterStatus(State.UNKNOWN, f"Printer connected but not answering status — check it ({where})")
    if paper & 0x60 or offline & 0x20:
        return PrinterStatus(State.ATTENTION, f"Printer out of paper — load a new roll ({where})")
    if offline & 0x04:
        return PrinterStatus(State.ATTENTION, f"Printer cover open — close it ({where})")
    if offline & 0x40:
        return PrinterStatus(State.ATTENTION, f"Printer reports an error — switch it off and on ({where})")
    if paper & 0x0C:
        return PrinterStatus(State.READY, f"Printer ready, paper running low ({where})")
    return PrinterStatus(State.READY, f"Printer ready ({where})")
