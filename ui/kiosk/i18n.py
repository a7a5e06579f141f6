"""The kiosk's languages: English in the code, the others as Qt translations (``translations/kiosk_XX.ts``).

The ``.qm`` files are compiled from the ``.ts`` sources at build time (``make translations``, which ``make
setup`` and the installer run); :func:`compiled` compiles one on the spot when it is missing or older than
its source (a fresh checkout, a test run), with the ``pyside6-lrelease`` that PySide6 ships.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

FOLDER = Path(__file__).resolve().parent / "translations"
LANGUAGES = {"en": "English", "es": "Español"}


def _lrelease() -> str | None:
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    return str(beside) if beside.exists() else shutil.which("pyside6-lrelease")


def compiled(language: str) -> Path | None:
    """The compiled translation for ``language``, compiling it first if needed; None when there is none."""
    source = FOLDER / f"kiosk_{language}.ts"
    target = source.with_suffix(".qm")
    if not source.exists():
        return None
    if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
        return target
    tool = _lrelease()
    if tool is None:
        return target if target.exists() else None
    subprocess.run([tool, "-silent", str(source), "-qm", str(target)], check=True)
    return target


class Languages:
    """Switches the application's kiosk translation (English: none installed)."""

    def __init__(self) -> None:
        self.current = "en"
        self._translator: QTranslator | None = None

    def switch(self, language: str) -> None:
        """Install ``language``'s translation (widgets receive a LanguageChange event and re-read their text)."""
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        app = QCoreApplication.instance()
        if self._translator is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        self.current = language
        if language == "en":
            return
        path = compiled(language)
        translator = QTranslator()
        if path is not None and translator.load(str(path)):
            app.installTranslator(translator)
            self._translator = translator
