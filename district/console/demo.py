"""Demo mode: a district console on this machine, so the panic button works end to end with no district.

``start_demo_console`` opens a console database in the demo data folder, enrols one station and a
dispatcher, and serves it on 127.0.0.1 (a free port) on a background thread until ``stop()``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from district.console.server import running
from district.console.service import ConsoleService

DEMO_DISPATCHER = "Demo Dispatcher"
DEMO_PASSWORD = "demo-dispatch"  # demo only: printed in the demo banner, never used outside demo mode
# Demo only: the demo principal's all-clear code (a real one is random and printed once by 'clearer add').
DEMO_ALL_CLEAR_CODE = "fdac_demo0001_demoallclear"


@dataclass
class DemoConsole:
    """A running demo console: its URL, the enrolled station's credential, and how to stop it."""

    url: str
    credential: str
    station_id: str
    dispatcher: str = DEMO_DISPATCHER
    password: str = DEMO_PASSWORD
    all_clear_code: str = DEMO_ALL_CLEAR_CODE
    _stack: Any = field(default=None, repr=False)

    def stop(self) -> None:
        """Stop serving and close the database."""
        if self._stack is not None:
            self._stack.close()
            self._stack = None


def start_demo_console(
    data_dir: Path,
    school: str = "Maple Grove Elementary (DEMO)",
    station: str = "Main office desk",
    room: str = "",
) -> DemoConsole:
    """Serve a demo console from ``data_dir/dispatch-console.db`` with one station and one dispatcher."""
    service = ConsoleService.open(f"sqlite:///{Path(data_dir).resolve() / 'dispatch-console.db'}", name="demo")
    enrolment = service.auth.enroll(
        school,
        station,
        room,
        house_number="100",
        street="Example Lane",
        city="Springfield",  # as the demo desk's own settings say (frontdesk/demo.py): no mismatch flagged
        phone="555-0100",
    )
    with contextlib.suppress(Exception):  # already there when the demo folder is reused
        service.auth.add_dispatcher(DEMO_DISPATCHER, DEMO_PASSWORD)
    with contextlib.suppress(Exception):
        clearer_id, secret = DEMO_ALL_CLEAR_CODE.split("_")[1:]
        service.clearers.add("Demo Principal", "principal", school, clearer_id=clearer_id, secret=secret)
    stack = contextlib.ExitStack()
    stack.callback(service.close)
    url = stack.enter_context(running(service))
    return DemoConsole(url, enrolment.credential, enrolment.station.station_id, _stack=stack)
