"""The one small interface every badge printer sits behind, its status, and its errors.

``open()``, ``send(job)``, ``status()``, ``close()``; construction never opens a connection (STYLE rule 6).
``build_job(badge)`` turns a rendered badge into the exact bytes this printer takes, without touching
the device, so a job can be built, kept, compared in tests and sent again unchanged.

Errors carry ``sent``: how many bytes had left for the printer when it failed. Zero means nothing reached
the printer and an automatic retry is safe; more than zero means part of a badge may have come out, and
the desk must be asked before printing again.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from frontdesk.errors import DeviceError

if TYPE_CHECKING:  # the renderer (Pillow) loads with the first badge drawn; the media table with the first media
    from printers.badge import Badge
    from printers.media import Media

DEFAULT_TIMEOUT = 3.0  # seconds: long enough for a printer on Wi-Fi, short enough that nobody waits


class State(StrEnum):
    """What the desk needs to know about a printer."""

    READY = "ready"  # the printer answered and reported no problem
    ATTENTION = "attention"  # the printer answered: out of paper or labels, cover open, error
    OFFLINE = "offline"  # no connection could be made
    UNKNOWN = "unknown"  # connected, but the printer gave no answer we can read: never shown as OK


@dataclass(frozen=True)
class PrinterStatus:
    """A printer's state and the sentence the status bar shows."""

    state: State
    message: str

    @property
    def ok(self) -> bool:
        """True only when the printer itself said it is ready."""
        return self.state is State.READY


class PrinterError(DeviceError):
    """A printer failed. ``sent`` is the number of job bytes that had left when it did."""

    code = "printer"

    def __init__(self, message: str, *, sent: int = 0, code: str | None = None):
        super().__init__(message, code=code)
        self.sent = sent


class PrinterUnreachable(PrinterError):
    """No connection: the printer is off, unplugged, or at another address."""

    code = "printer_unreachable"


class PrinterNotResponding(PrinterError):
    """Connected, but the printer stopped taking data or dropped the connection."""

    code = "printer_not_responding"


class PrinterNeedsAttention(PrinterError):
    """The printer said it cannot print: out of paper or labels, cover open."""

    code = "printer_attention"


class PrinterSetupError(PrinterError):
    """The printer setting cannot work: a malformed address, media this printer cannot take."""

    code = "printer_setup"


class Printer(ABC):
    """A badge printer. Subclasses implement the five methods; nothing connects before :meth:`open`."""

    #: the media families this printer can print (see :class:`printers.media.Media`)
    families: tuple[str, ...] = ()
    #: True for the on-screen preview, which shows the badge instead of printing it
    on_screen = False
    #: True for a print queue that holds jobs (the OS's): a badge not confirmed is waiting there, not lost
    spooled = False

    def __init__(self, uri: str, timeout: float = DEFAULT_TIMEOUT):
        self.uri = uri
        self.timeout = timeout

    @property
    def where(self) -> str:
        """The printer's address as the office would read it (an IP, a USB id, a queue name)."""
        return self.uri

    def accepts(self, media: Media) -> bool:
        """True if this printer can print on ``media``."""
        return media.family in self.families

    @abstractmethod
    def build_job(self, badge: Badge) -> bytes:
        """The exact bytes that print ``badge`` on this printer (no device access)."""

    @abstractmethod
    def open(self) -> None:
        """Connect to the device. Raises PrinterUnreachable."""

    @abstractmethod
    def send(self, job: bytes) -> None:
        """Send a whole job over the open connection. Raises PrinterError with ``sent`` set."""

    @abstractmethod
    def status(self) -> PrinterStatus:
        """Ask the printer how it is (opening and closing a connection if none is open)."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection; safe to call twice or when never opened."""


def unreachable(where: str) -> PrinterUnreachable:
    """The error for a printer that cannot be reached, in the office's words."""
    return PrinterUnreachable(f"Badge printer not reachable — is it on? ({where})")


def not_responding(where: str, sent: int) -> PrinterNotResponding:
    """The error for a printer that stopped taking data part-way, in the office's words."""
    return PrinterNotResponding(f"Printer not responding — out of labels or cover open? ({where})", sent=sent)


def connection_lost(where: str, sent: int) -> PrinterNotResponding:
    """The error for a connection dropped mid-job."""
    return PrinterNotResponding(
        f"The badge printer dropped the connection while printing — check it and print again? ({where})",
        sent=sent,
        code="printer_connection_lost",
    )
