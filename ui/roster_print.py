"""Print the on-site roster in one action (SECURE / LOCKDOWN): to the default printer, else to a PDF."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from frontdesk import clock


def print_roster(html: str, pdf_folder: Path, printer_name: str | None = None) -> str:
    """Print ``html`` without a dialog; returns where it went (a printer's name or the PDF's path).

    With no printer installed (or ``printer_name=""``) the page is written as a PDF in ``pdf_folder``, so the
    one action still yields a roster to show or print elsewhere.
    """
    default = QPrinterInfo.defaultPrinter().printerName() if printer_name is None else printer_name
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    if default:
        printer.setPrinterName(default)
        where = default
    else:
        pdf_folder.mkdir(parents=True, exist_ok=True)
        path = pdf_folder / f"roster-{clock.now().astimezone():%Y%m%d-%H%M%S}.pdf"
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        where = str(path)
    document = QTextDocument()
    document.setHtml(html)
    document.print_(printer)
    return where
