"""The emergency roster in one action: the core's one PDF, sent to the default printer, else opened.

There is one roster in the product: ``services.review.roster_pdf`` draws it (everyone on site, with the
school's state while it is not normal), checks that the person may print it and records it in the audit
trail. The roster button, the Staff menu (Ctrl+Shift+P) and "Print roster" on the lockdown banner all call
``DeskLock.print_roster``: :func:`draw_roster` on the GUI thread, :func:`send_to_default_printer` on the thread
pool (it waits on the print server), :func:`shown_if_unsent` with the answer. The PDF goes to the operating
system's print queue as it is (Qt cannot lay a PDF out itself without the QtPdf add-on); with no printer, it is
opened on screen to print or show. Review's day log is handed to the queue the same way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from frontdesk import clock
from frontdesk.context import Services
from frontdesk.errors import DeviceError
from frontdesk.settings import SCHOOL_NAME

# Sends a PDF file to a printer; returns the printer's name, or None when there is no printer.
Sender = Callable[[Path], str | None]


def send_to_default_printer(path: Path, *, what: str = "The roster") -> str | None:
    """The OS print queue's default printer (``lp`` on Linux and macOS, the shell's print verb on Windows);
    ``what`` names the document in the message when it cannot be sent (Review's day log comes this way too)."""
    from PySide6.QtPrintSupport import QPrinterInfo  # Qt's print support loads when a roster is printed

    info = QPrinterInfo.defaultPrinter()
    if info.isNull():
        return None
    name = info.printerName()
    try:
        if sys.platform == "win32":
            os.startfile(str(path), "print")  # type: ignore[attr-defined]  # the default printer
            return name
        lp = shutil.which("lp")
        if lp is None:
            return None
        subprocess.run([lp, "-d", name, str(path)], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        raise DeviceError(f"{what} could not be sent to {name} ({exc}); it is saved as {path}.") from None
    return name


def draw_roster(services: Services) -> Path:
    """The roster's PDF, drawn now in the data folder's ``rosters/`` (the core checks who may print it and
    records it in the audit trail); returns its path."""
    folder = Path(services.store.data_dir) / "rosters"
    folder.mkdir(exist_ok=True, mode=0o700)
    path = folder / f"roster-{clock.now().astimezone():%Y%m%d-%H%M%S}.pdf"
    services.review.roster_pdf(path, school=services.settings.get(SCHOOL_NAME))
    return path


def shown_if_unsent(path: Path, printer: str | None) -> str:
    """Where the roster went: the printer's name, or (no printer) the PDF, opened on screen to print or show."""
    if printer is None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return str(path)
    return printer
