"""Demo mode's station side: start the district's demo console as its own process and connect to it.

So the panic button works end to end on one machine (``make run``): the console (``python -m district
demo``) serves on 127.0.0.1 in a process of its own, enrols this desk and a dispatcher, and prints where it
is; the desk connects with the credential kept in memory (a demo never writes to the machine's keyring). A
dispatcher can sign in to the live screen to acknowledge. The desk never imports the district package: where
it is not installed (the desk's own bundle), the demo runs without a console and says so.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from frontdesk.access.session import SYSTEM_ACTOR
from frontdesk.context import Services
from frontdesk.dispatch.credentials import MemoryCredentials
from frontdesk.errors import DeliveryError
from frontdesk.settings import SCHOOL_NAME, STATION_NAME, STATION_ROOM


@dataclass
class DemoConsole:
    """A running demo console process: its URL, the demo dispatcher's sign-in, and how to stop it."""

    url: str
    dispatcher: str
    password: str
    process: subprocess.Popen
    all_clear_code: str = ""

    def stop(self) -> None:
        """Stop the console process (closing its standard input asks it to; a kill if it does not)."""
        if self.process.poll() is None:
            try:
                self.process.stdin.close()  # type: ignore[union-attr]
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


def district_installed() -> bool:
    """True where the district server is installed beside the desk (a source checkout, not the desk's bundle)."""
    return importlib.util.find_spec("district") is not None


def connect_demo_console(services: Services, folder: Path) -> DemoConsole | None:
    """Start the demo console in ``folder`` and connect this desk to it; None where there is no console."""
    if not district_installed():
        return None
    settings = services.settings
    folder.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "district",
            "demo",
            "--folder",
            str(folder),
            "--school",
            settings.get(SCHOOL_NAME) or "Demo school",
            "--station",
            settings.get(STATION_NAME) or "Front desk",
            "--room",
            settings.get(STATION_ROOM),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    try:
        info = json.loads(line)
    except ValueError:
        process.kill()
        process.wait()
        raise DeliveryError("The demo dispatch console did not start.", code="demo_console") from None
    console = DemoConsole(
        info["url"], info["dispatcher"], info["password"], process, str(info.get("all_clear_code", ""))
    )
    services.station.credentials = MemoryCredentials()
    # The demo connects itself before anyone signs in: an administrator's act, done by the app.
    with services.session.acting_as(SYSTEM_ACTOR):
        services.station.connect(console.url, info["credential"])
    return console
