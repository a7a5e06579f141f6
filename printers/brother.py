"""Brother QL label printers (QL-800 / 810W / 820NWB): raster built by brother-ql-next, sent over TCP or USB.

brother-ql-next builds the raster (``conversion.convert``) and reads status replies. Over the network we
keep our own socket: the library's network backend connects without a timeout, and a front desk must
never wait minutes on a printer that is off.
"""

from __future__ import annotations

import contextlib
import logging
import socket

from brother_ql.conversion import convert
from brother_ql.raster import BrotherQLRaster
from brother_ql.reader import interpret_response

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
SEND_BUFFER = 16384  # small, so that "sent" means the printer took it (see printers.escpos_printer)
_STATUS_REQUEST = b"\x00" * 200 + b"\x1b\x40" + b"\x1b\x69\x53"  # invalidate, initialise, ask status

# brother-ql-next logs every status byte and a warning per resize; the desk's event log says what matters.
logging.getLogger("brother_ql").setLevel(logging.CRITICAL)


class BrotherPrinter(Printer):
    """A Brother QL printer. ``connection`` is ``tcp`` (target ``(host, port)``) or ``usb`` (target a
    pyusb identifier such as ``usb://0x04f9:0x209d``). ``label`` is brother-ql-next's label id."""

    families = ("brother",)

    def __init__(self, uri: str, connection: str, target: tuple, model: str, label: str, timeout: float):
        super().__init__(uri, timeout)
        self.connection = connection
        self.target = target
        self.model = model
        self.label = label
        self._sock: socket.socket | None = None
        self._usb = None

    @property
    def where(self) -> str:
        """The IP or the USB identifier."""
        return f"IP {self.target[0]}" if self.connection == "tcp" else f"USB {self.target[0]}"

    def accepts(self, media) -> bool:
        """Brother media whose red ink this model has, if the media uses red."""
        if media.family != "brother":
            return False
        return not media.red or BrotherQLRaster(self.model).two_color_support

    def build_job(self, badge: Badge) -> bytes:
        """The raster job for the badge's label, cut at the end (red plane on two-colour stock)."""
        media = badge.media
        label = media.brother_label or self.label
        if badge.image.width != media.width:
            raise PrinterSetupError(f"Badge is {badge.image.width} dots wide; label {label} needs {media.width}")
        try:
            qlr = BrotherQLRaster(self.model)
        except Exception as exc:
            raise PrinterSetupError(f"Unknown Brother model {self.model!r} in the printer setting") from exc
        image = badge.image.convert("RGB" if media.red else "L")
        try:
            convert(qlr, [image], label, rotate=0, cut=True, red=media.red, dither=False, threshold=50)
        except Exception as exc:
            raise PrinterSetupError(f"The {self.model} cannot print label {label}: {exc}") from exc
        return bytes(qlr.data)

    def open(self) -> None:
        """Connect within the timeout. Raises PrinterUnreachable."""
        self.close()
        if self.connection == "tcp":
            try:
                self._sock = socket.create_connection(self.target, timeout=self.timeout)
            except OSError as exc:
                raise unreachable(self.where) from exc
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
            return
        try:
            from brother_ql.backends.pyusb import BrotherQLBackendPyUSB

            self._usb = BrotherQLBackendPyUSB(self.target[0])
            self._usb.write_timeout = self.timeout * 1000  # ms; the library's default is 15 s
        except Exception as exc:
            raise unreachable(self.where) from exc

    def send(self, job: bytes) -> None:
        """Send ``job`` in chunks; on failure the error says how many bytes had left."""
        if self._sock is None and self._usb is None:
            self.open()
        sent = 0
        try:
            for start in range(0, len(job), CHUNK):
                chunk = job[start : start + CHUNK]
                if self._sock is not None:
                    self._sock.sendall(chunk)
                else:
                    self._usb.write(chunk)
                sent += len(chunk)
        except TimeoutError as exc:
            raise not_responding(self.where, max(sent, 1)) from exc
        except Exception as exc:
            if "timeout" in type(exc).__name__.lower():
                raise not_responding(self.where, max(sent, 1)) from exc
            raise connection_lost(self.where, max(sent, 1)) from exc

    def status(self) -> PrinterStatus:
        """Ask for the 32-byte status reply; no reply (or an unreadable one) is UNKNOWN, never OK."""
        opened_here = self._sock is None and self._usb is None
        if opened_here:
            try:
                self.open()
            except Exception as exc:
                return PrinterStatus(State.OFFLINE, str(exc))
        try:
            reply = self._ask()
        finally:
            if opened_here:
                self.close()
        return interpret_brother_status(reply, self.where)

    def _ask(self) -> bytes:
        reply = b""
        try:
            if self._sock is not None:
                self._sock.sendall(_STATUS_REQUEST)
                while len(reply) < 32:
                    part = self._sock.recv(32 - len(reply))
                    if not part:
                        break
                    reply += part
            else:
                self._usb.write(_STATUS_REQUEST)
                reply = self._usb.read(32) or b""
        except Exception:  # silent: a timeout or a dropped connection
            pass
        return reply

    def close(self) -> None:
        """Close the socket or the USB handle."""
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        usb, self._usb = self._usb, None
        if usb is not None:
            with contextlib.suppress(Exception):
                usb.dispose()


def interpret_brother_status(reply: bytes, where: str) -> PrinterStatus:
    """The desk's reading of a Brother QL status reply."""
    try:
        info = interpret_response(reply)
    except Exception:
        return PrinterStatus(State.UNKNOWN, f"Label printer connected but not answering status ({where})")
    errors = info.get("errors") or []
    if any("media" in e.lower() or "end" in e.lower() for e in errors):
        return PrinterStatus(State.ATTENTION, f"Label printer out of labels — load a roll ({where})")
    if any("cover" in e.lower() for e in errors):
        return PrinterStatus(State.ATTENTION, f"Label printer cover open — close it ({where})")
    if errors:
        return PrinterStatus(State.ATTENTION, f"Label printer reports: {', '.join(errors)} ({where})")
    media = info.get("identified_media")
    label = f", {media.identifier} loaded" if media is not None and hasattr(media, "identifier") else ""
    return PrinterStatus(State.READY, f"Label printer ready{label} ({where})")
