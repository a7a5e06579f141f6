"""Demo mode's district console: the real console served on 127.0.0.1 inside the desk's own process.

So the panic button works end to end on one machine (``make run``): the desk is enrolled and connected
to it, the credential is kept in memory (a demo never writes to the machine's keyring), and a dispatcher
``demo`` / ``demo-dispatch`` can sign in to the live screen in a browser to acknowledge alerts.
"""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path

from frontdesk.context import Services
from frontdesk.dispatch.credentials import MemoryCredentials
from frontdesk.settings import SCHOOL_NAME, STATION_NAME, STATION_ROOM

DEMO_DISPATCHER = ("demo", "demo-dispatch")
PREFERRED_PORT = 8765


def _port() -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", PREFERRED_PORT))
            return PREFERRED_PORT
        except OSError:
            return 0  # taken (a real console, or another demo): any free port


def _load_schema() -> None:
    # The console validates every alert against the XSD, which takes about a second to load the first
    # time; load it now so the demo's first press is not slower than the rest.
    from frontdesk import clock
    from frontdesk.dispatch import cap

    cap.validate(
        cap.build(cap.CapMessage(identifier="fd-warm", sender=cap.station_sender("warm"), sent=clock.now()))
    )


class DemoConsole:
    """Starts the console on a thread and connects ``services``' station to it; :meth:`stop` at exit."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.url = ""
        self._stack = contextlib.ExitStack()

    def start(self, services: Services) -> str:
        """Serve, enrol this desk, connect it; returns the console's address."""
        from frontdesk.dispatch.console.server import running
        from frontdesk.dispatch.console.service import ConsoleService

        self.folder.mkdir(parents=True, exist_ok=True)
        service = ConsoleService.open(f"sqlite:///{self.folder / 'dispatch-console.db'}", name="demo")
        self._stack.callback(service.close)
        settings = services.settings
        enrolment = service.auth.enroll(
            settings.get(SCHOOL_NAME) or "Demo school",
            settings.get(STATION_NAME) or "Front desk",
            settings.get(STATION_ROOM),
        )
        service.auth.add_dispatcher(*DEMO_DISPATCHER)
        _load_schema()
        self.url = self._stack.enter_context(running(service, port=_port()))
        services.station.credentials = MemoryCredentials()
        services.station.connect(self.url, enrolment.credential)
        return self.url

    def stop(self) -> None:
        """Stop serving and close the console's database."""
        self._stack.close()
