"""A serial badge printer on a real pseudo-terminal: the driver opens the pty's device file as it would open
/dev/ttyUSB0, and a thread on the other end plays the printer. It records the exact bytes it was sent, answers
ESC/POS real-time status requests (DLE EOT n) with one byte as a printer does, and can vanish (the cable
pulled: its end is closed) or stop taking data (paper jam, cover open) after ``after`` bytes."""

from __future__ import annotations

import os
import threading
import tty

from tests.printer_listeners import READY

DLE_EOT = b"\x10\x04"


class PtyPrinter:
    """``mode``: ``ready`` (takes everything, answers status), ``vanish`` or ``stop`` after ``after`` bytes."""

    def __init__(self, mode: str = "ready", *, after: int = 8192, status: int = READY):
        self.mode = mode
        self.after = after
        self.status = status
        self.received = bytearray()
        self.asked = 0  # status requests answered
        self.gone = threading.Event()  # the printer has vanished or stopped taking data
        self._master, slave = os.openpty()
        tty.setraw(slave)  # a printer's line: bytes pass as they are
        self.path = os.ttyname(slave)
        self._slave = slave  # held open, so the pty lives until the test is done with it
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def uri(self, timeout: float = 1.0) -> str:
        """The printer setting that names this printer."""
        return f"escpos+serial://{self.path}?baudrate=115200&profile=TM-T20II&timeout={timeout:g}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data = os.read(self._master, 4096)
            except OSError:
                return
            if not data:
                return
            self.received += data
            for _ in range(data.count(DLE_EOT)):
                os.write(self._master, bytes([self.status]))
                self.asked += 1
            if self.mode != "ready" and len(self.received) >= self.after:
                self.gone.set()
                if self.mode == "vanish":
                    os.close(self._master)
                    self._master = -1
                return  # "stop": nothing reads the line any more

    def close(self) -> None:
        """Let the pty go."""
        self._stop.set()
        for fd in (self._master, self._slave):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._master = self._slave = -1
