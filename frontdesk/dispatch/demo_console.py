"""Demo mode's station side: connect the desk to the console's demo console (``console.demo``).

So the panic button works end to end on one machine (``make run``): the console serves on 127.0.0.1 in
the desk's own process, the desk is enrolled and connected to it, and the credential is kept in memory (a
demo never writes to the machine's keyring). A dispatcher can sign in to the live screen to acknowledge.
"""

from __future__ import annotations

from pathlib import Path

from frontdesk import clock
from frontdesk.context import Services
from frontdesk.dispatch import cap
from frontdesk.dispatch.credentials import MemoryCredentials
from frontdesk.settings import SCHOOL_NAME, STATION_NAME, STATION_ROOM


def connect_demo_console(services: Services, folder: Path):
    """Start the demo console in ``folder``, connect this desk to it; returns it (``stop()`` at exit)."""
    from frontdesk.accounts.session import SYSTEM_ACTOR
    from frontdesk.dispatch.console.demo import start_demo_console

    settings = services.settings
    # The console validates every alert against the XSD, which takes about a second to load the first
    # time; load it now so the demo's first press is as fast as the rest.
    cap.validate(
        cap.build(cap.CapMessage(identifier="fd-warm", sender=cap.station_sender("warm"), sent=clock.now()))
    )
    folder.mkdir(parents=True, exist_ok=True)
    console = start_demo_console(
        folder,
        school=settings.get(SCHOOL_NAME) or "Demo school",
        station=settings.get(STATION_NAME) or "Front desk",
        room=settings.get(STATION_ROOM),
    )
    services.station.credentials = MemoryCredentials()
    # The demo connects itself before anyone signs in: an administrator's act, done by the app.
    with services.session.acting_as(SYSTEM_ACTOR):
        services.station.connect(console.url, console.credential)
    return console
