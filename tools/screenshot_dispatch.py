"""Screenshots of the district dispatch console for docs/ (`python tools/screenshot_dispatch.py`, ~45 s).

Runs a real console on loopback with synthetic schools, drives Debian's Chromium with Playwright as a
dispatcher would, and waits the real 30 s so the escalated alarm is the real one.
"""

from __future__ import annotations

import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import mkdtemp

import httpx
from playwright.sync_api import sync_playwright

from district.console.server import running
from district.console.service import ConsoleService
from frontdesk.wire import cap

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


def _alert(enrolment, **kw) -> bytes:
    now = datetime.now(UTC).replace(microsecond=0)
    base = dict(
        identifier=cap.new_identifier(),
        sender=cap.station_sender(enrolment.station.station_id),
        sent=now,
        school=enrolment.station.school,
        address="100 Example Lane, Springfield",
        building="A",
        floor="1",
        room=enrolment.station.room,
        station=enrolment.station.name,
        staff="Pat Demo",
        phone="555-0100",
        roster=(
            cap.RosterEntry("Avery Testwood", "visitor", "Ms. Alvarez (Room 12)", now - timedelta(minutes=42)),
            cap.RosterEntry("Jordan Sampleton", "contractor", "Gym", now - timedelta(minutes=17)),
            cap.RosterEntry("Riley Fakerson", "volunteer", "Library", now - timedelta(minutes=5)),
        ),
    )
    base.update(kw)
    return cap.build(cap.CapMessage(**base))


def main() -> int:
    """Take the console screenshots into docs/screenshots/."""
    OUT.mkdir(parents=True, exist_ok=True)
    service = ConsoleService.open(f"sqlite:///{Path(mkdtemp()) / 'console.db'}", name="east")
    maple = service.auth.enroll("Maple Grove Elementary", "Main office desk", "Room 101, front office")
    oak = service.auth.enroll("Oak Hill Middle", "Front desk", "Office")
    service.auth.enroll("Cedar Park High", "Attendance desk", "Room 4")  # never heard from: OFFLINE
    service.auth.add_dispatcher("Dana Dispatch", "correct horse")
    with running(service) as url, sync_playwright() as p:
        for e in (maple, oak):
            httpx.post(f"{url}/api/v1/heartbeat", json={"sent": "x", "onsite": 3},
                       headers={"Authorization": f"Bearer {e.credential}"})  # fmt: skip
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)
        page.screenshot(path=str(OUT / "dispatch-console-signin.png"))
        page.fill("#username", "Dana Dispatch")
        page.fill("#password", "correct horse")
        page.click("#signin-button")
        page.wait_for_selector("[data-station]")

        def post(enrolment, xml: bytes) -> None:
            headers = {"Authorization": f"Bearer {enrolment.credential}", "Content-Type": "application/cap+xml"}
            httpx.post(f"{url}/api/v1/alerts", content=xml, headers=headers).raise_for_status()

        first = _alert(maple)
        post(maple, first)
        incident = cap.parse(first).identifier
        time.sleep(2)
        post(maple, _alert(maple, incidents=incident, note="Adult with a weapon seen near the gym doors"))
        page.wait_for_selector("#alarm-presses li:nth-child(2)")
        page.wait_for_selector("#alarm-escalated:not([hidden])", timeout=45000)
        page.screenshot(path=str(OUT / "dispatch-console-alarm.png"))
        page.click("#ack-button")
        page.wait_for_selector("#alarm", state="hidden")
        post(oak, _alert(oak, action="EVACUATE", location="the football field", status="Exercise", building=""))
        page.wait_for_selector("#alarm.drill:not([hidden])")
        page.screenshot(path=str(OUT / "dispatch-console-drill.png"))
        page.click("#hide-button")
        page.wait_for_selector("#banner:not([hidden])")
        page.screenshot(path=str(OUT / "dispatch-console-board.png"))
        browser.close()
    service.close()
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
