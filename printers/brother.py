"""Brother QL label printers (QL-800 / 810W / 820NWB): raster built by brother-ql-next, sent over TCP or USB.

brother-ql-next builds the raster (``conversion.convert``) and reads status replies. Over the network we
keep our own socket: the library's network backend connects without a timeout, and a front desk must
never wait minutes on a printer that is off.
"""

from __future__ import annotations

import contextlib
import logging
import socket

from brother_ql import BrotherQLUnsupportedCmd
from brother_ql.conversion import convert
from brother_ql.labels import FormFactor, LabelsManager
from brother_ql.raster import BrotherQLRaster
from brother_ql.reader import interpret_response
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
SEND_BUFFER = 16384  # small, so that "sent" means the printer took it (see printers.escpos_printer)
_ASK_STATUS = b"\x1b\x69\x53"
# On a fresh connection: clear any half-received command (invalidate), initialise, then ask. Right after a job
# only the request itself is sent, so nothing can disturb the label being printed.
_STATUS_REQUEST = b"\x00" * 200 + b"\x1b\x40" + _ASK_STATUS

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
        """The raster job for the badge's label, cut at the end (a red plane on two-colour stock).

        The commands come from brother-ql-next's ``BrotherQLRaster`` in the order its ``convert`` uses; the
        planes come straight from the badge's pure black / red / white image, because ``convert`` separates
        colours pixel by pixel in Python (about half a second a badge). A test checks the bytes equal
        ``convert``'s.
        """
        qlr, label_specs = self._raster(badge)
        black, red = _planes(badge)
        width = qlr.get_pixel_width()
        offset = width - black.width - label_specs.offset_r - qlr.model.additional_offset_r
        black, red = (_placed(plane, width, offset) if plane else None for plane in (black, red))
        with contextlib.suppress(BrotherQLUnsupportedCmd):
            qlr.add_switch_mode()
        qlr.add_invalidate()
        qlr.add_initialize()
        with contextlib.suppress(BrotherQLUnsupportedCmd):
            qlr.add_switch_mode()
        qlr.add_status_information()
        if label_specs.form_factor in (FormFactor.DIE_CUT, FormFactor.ROUND_DIE_CUT):
            qlr.mtype, qlr.mwidth, qlr.mlength = 0x0B, label_specs.tape_size[0], label_specs.tape_size[1]
        else:
            qlr.mtype, qlr.mwidth, qlr.mlength = 0x0A, label_specs.tape_size[0], 0
        qlr.pquality = 1
        qlr.add_media_and_quality(black.height)
        with contextlib.suppress(BrotherQLUnsupportedCmd):
            qlr.add_autocut(True)
            qlr.add_cut_every(1)
        with contextlib.suppress(BrotherQLUnsupportedCmd):
            qlr.dpi_600 = False
            qlr.cut_at_end = True
            qlr.two_color_printing = red is not None
            qlr.add_expanded_mode()
        qlr.add_margins(label_specs.feed_margin)
        low, high = qlr.model.min_max_length_dots
        if not low <= black.height <= high:
            raise PrinterSetupError(f"A {black.height}-dot badge is outside what the {self.model} can print")
        qlr.data += _raster_rows([p for p in (black, red) if p is not None])
        qlr.add_print()
        return bytes(qlr.data)

    def build_job_with_convert(self, badge: Badge) -> bytes:
        """The same job made by brother-ql-next's ``convert`` (the reference the fast path is tested against)."""
        qlr, label_specs = self._raster(badge)
        image = badge.image.convert("RGB" if badge.media.red else "L")
        convert(qlr, [image], label_specs.identifier, rotate=0, cut=True, red=badge.media.red, threshold=50)
        return bytes(qlr.data)

    def _raster(self, badge: Badge):
        media = badge.media
        label = media.brother_label or self.label
        try:
            qlr = BrotherQLRaster(self.model)
        except Exception as exc:
            raise PrinterSetupError(f"Unknown Brother model {self.model!r} in the printer setting") from exc
        try:
            label_specs = LabelsManager()[label]
        except KeyError:
            raise PrinterSetupError(f"Unknown Brother label {label!r}") from None
        if badge.image.width != label_specs.dots_printable[0]:
            raise PrinterSetupError(
                f"Badge is {badge.image.width} dots wide; label {label} needs {label_specs.dots_printable[0]}"
            )
        if media.red and not qlr.two_color_support:
            raise PrinterSetupError(f"The {self.model} cannot print red: choose black-only labels in Settings")
        return qlr, label_specs

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
            reply = self._ask(_STATUS_REQUEST if opened_here else _ASK_STATUS)
        finally:
            if opened_here:
                self.close()
        return interpret_brother_status(reply, self.where)

    def _ask(self, request: bytes) -> bytes:
        reply = b""
        try:
            if self._sock is not None:
                self._sock.sendall(request)
                while len(reply) < 32:
                    part = self._sock.recv(32 - len(reply))
                    if not part:
                        break
                    reply += part
            else:
                self._usb.write(request)
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


def _planes(badge: Badge) -> tuple[Image.Image, Image.Image | None]:
    """The ink planes of a badge, each mode ``1`` with a set bit where the plane prints (the QL's sense)."""
    black = ImageChops.invert(badge.ink)
    if badge.red_area is None:
        return black, None
    red = Image.new("1", black.size, 0)
    red.paste(black.crop(badge.red_area), badge.red_area[:2])
    black.paste(0, badge.red_area)
    return black, red


def _raster_rows(planes: list[Image.Image]) -> bytes:
    """The raster rows of one or two planes, as ``BrotherQLRaster.add_raster_data`` writes them (uncompressed).

    Done here with one join instead of the library's per-row writes: a third of the time of a red badge.
    """
    row_len = planes[0].width // 8
    frames = [plane.transpose(Image.Transpose.FLIP_LEFT_RIGHT).tobytes() for plane in planes]
    rows = range(0, len(frames[0]), row_len)
    if len(frames) == 1:
        head = b"\x67\x00" + bytes([row_len])
        return b"".join(head + frames[0][i : i + row_len] for i in rows)
    black_head, red_head = b"\x77\x01" + bytes([row_len]), b"\x77\x02" + bytes([row_len])
    black, red = frames
    return b"".join(black_head + black[i : i + row_len] + red_head + red[i : i + row_len] for i in rows)


def _placed(plane: Image.Image, width: int, offset: int) -> Image.Image:
    """A plane on the full head width, at the label's offset from the head's edge."""
    out = Image.new("1", (width, plane.height), 0)
    out.paste(plane, (offset, 0))
    return out
