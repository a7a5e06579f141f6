"""USB-CDC (virtual COM port) scanners through pyserial, and the long-lived loop that keeps one connected.

The bytes arrive exact, but a payload contains CR and LF, so a scan is everything received until
``silence`` seconds (about 100 ms) pass with no new byte: never ``readline()``. Ports are opened with
``serial_for_url``, so tests use ``loop://``. :func:`run_scanner` reopens the port after an unplug.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import serial

from frontdesk.errors import DeviceError
from scanners.source import ScanSource

Opener = Callable[..., serial.SerialBase]

# Longer than any one ID (a licence's PDF417 holds under 2 KB, a stripe burst 250 B, a passport's zone 90), or
# two run together: more than this without a pause is a scanner that does not stop sending.
MAX_SCAN = 16384


class ScannerFlooding(DeviceError):
    """The scanner sends without a pause; what it sends is dropped until it is quiet."""

    code = "scanner_flooding"


class SerialScanner(ScanSource):
    """A scanner on a serial port (``COM3``, ``/dev/ttyACM0``, or any pyserial URL such as ``loop://``)."""

    def __init__(self, url: str, baudrate: int = 9600, *, silence: float = 0.1, opener: Opener | None = None):
        self.url = url
        self.baudrate = baudrate
        self.silence = silence
        self._opener = opener or serial.serial_for_url
        self.port: serial.SerialBase | None = None
        self.name = f"scanner on {url}"
        self._noise_at: float | None = None  # while flooding: when the last byte came

    def open(self) -> None:
        """Open the port; DeviceError in the office's words if it is not there."""
        try:
            self.port = self._opener(self.url, baudrate=self.baudrate, timeout=0.02)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceError(
                f"The ID scanner on {self.url} is not connected ({exc})", code="scanner_missing"
            ) from exc

    def read_scan(self, timeout: float) -> bytes | None:
        """Wait up to ``timeout`` for a scan to begin, then read until ``silence`` seconds of quiet."""
        port = self.port
        if port is None:
            raise DeviceError("The ID scanner is not open", code="scanner_missing")
        try:
            if self._noise_at is not None:
                return self._drain(port, timeout)
            end = time.monotonic() + timeout
            data = bytearray()
            while not data:
                data += port.read(max(1, port.in_waiting))
                if not data and time.monotonic() >= end:
                    return None
            quiet_since = time.monotonic()
            while time.monotonic() - quiet_since < self.silence:
                chunk = port.read(max(1, port.in_waiting))
                if chunk:
                    data += chunk
                    quiet_since = time.monotonic()
                    if len(data) > MAX_SCAN:  # it never pauses: no scan to read (session 23: read for ever)
                        self._noise_at = quiet_since
                        raise self._flooding()
            return bytes(data)
        except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
            # Unplugging a USB scanner surfaces as one of these, depending on the platform.
            raise DeviceError(
                f"The ID scanner on {self.url} was disconnected ({exc})", code="scanner_lost"
            ) from exc

    def _drain(self, port: serial.SerialBase, timeout: float) -> None:
        """Drop what a flooding scanner sends; None once it has been quiet for ``silence``, else (after
        ``timeout``) ScannerFlooding again."""
        assert self._noise_at is not None
        end = time.monotonic() + timeout
        while True:
            chunk = port.read(max(1, port.in_waiting))
            now = time.monotonic()
            if chunk:
                self._noise_at = now
            elif now - self._noise_at >= self.silence:
                self._noise_at = None
                return None
            if now >= end:
                raise self._flooding()

    def _flooding(self) -> ScannerFlooding:
        return ScannerFlooding(
            f"The ID scanner on {self.url} is sending without a pause (a card left on it, or a setting): take any "
            "card off it; it is read again once it is quiet"
        )

    def close(self) -> None:
        """Close the port (safe to call twice)."""
        self._noise_at = None
        port, self.port = self.port, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                pass


def run_scanner(
    source: ScanSource,
    on_scan: Callable[[bytes], None],
    on_state: Callable[[str, str], None],
    stop: threading.Event,
    *,
    retry: float = 2.0,
    poll: float = 0.2,
) -> None:
    """Keep ``source`` open and hand each scan to ``on_scan`` until ``stop`` is set.

    ``on_state(state, text)`` reports health ("ok", "error") whenever it changes. After a failure the port
    is reopened every ``retry`` seconds, so plugging the scanner back in needs no restart. Runs on the
    device's own long-lived thread (one per scanner).
    """
    state = None

    def report(new: str, text: str) -> None:
        nonlocal state
        if (new, text) != state:
            state = (new, text)
            on_state(new, text)

    while not stop.is_set():
        try:
            source.open()
        except DeviceError as exc:
            report("error", exc.message)
            stop.wait(retry)
            continue
        report("ok", f"{source.name} ready")
        try:
            while not stop.is_set():
                try:
                    scan = source.read_scan(poll)
                except ScannerFlooding as exc:  # said once; the port stays open and is drained until quiet
                    report("error", exc.message)
                    continue
                report("ok", f"{source.name} ready")
                if scan:
                    on_scan(scan)
        except DeviceError as exc:
            report("error", exc.message)
            stop.wait(retry)
        finally:
            source.close()
