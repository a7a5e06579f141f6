"""The live screen in a real browser (Debian's Chromium, driven by Playwright): sign in, an alert appears
without a reload, escalates after 30 s unacknowledged, the Ack reaches the station's inbox; a drill looks
different. ``FRONTDESK_UPDATE_SCREENSHOTS=1`` copies its screenshots into docs/screenshots/."""

from __future__ import annotations

import dataclasses
import os
import shutil
from datetime import UTC, datetime, timedelta

import httpx
from browser_support import SHOTS, needs_chromium
from dispatch_fixtures import CAP_HEADERS, make_alert

from district.console.server import running
from district.console.service import ConsoleService
from frontdesk.wire import cap

pytestmark = needs_chromium

DAY = timedelta(days=1)


def test_dispatcher_sees_the_alert_live_and_acknowledges_it(tmp_path, browser):
    service = ConsoleService.open(f"sqlite:///{tmp_path / 'c.db'}", name="east")
    enrolment = service.auth.enroll("Maple Grove Elementary", "Main office desk", "Room 101, front office")
    other = service.auth.enroll("Oak Hill Middle", "Front desk", "Office")
    service.auth.add_dispatcher("Dana Dispatch", "correct horse")
    station = enrolment.station
    headers = {"Authorization": f"Bearer {enrolment.credential}"}
    with running(service, watch_interval=0.2) as url:
        httpx.post(f"{url}/api/v1/heartbeat", json={"sent": "x", "onsite": 2}, headers=headers)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)
        page.fill("#username", "Dana Dispatch")
        page.fill("#password", "correct horse")
        page.click("#signin-button")
        page.wait_for_selector("#app:not([hidden])")
        page.wait_for_selector("[data-station]")
        assert page.locator("#alarm").is_hidden()

        roster = (
            cap.RosterEntry(
                "Avery Testwood", "visitor", "Ms. Alvarez (Room 12)", datetime.now(UTC).replace(microsecond=0)
            ),
            cap.RosterEntry("Jordan Sampleton", "contractor", "Gym", datetime.now(UTC).replace(microsecond=0)),
            # Checked in two days ago and never checked out: the desk still counts them on site.
            cap.RosterEntry(
                "Casey Mockridge", "vendor", "Kitchen", datetime.now(UTC).replace(microsecond=0) - 2 * DAY
            ),
        )
        alert = make_alert(station, building="A", floor="1", staff="Pat Demo", roster=roster, phone="555-0100")
        answer = httpx.post(f"{url}/api/v1/alerts", content=cap.build(alert), headers={**headers, **CAP_HEADERS})
        assert answer.status_code == 201
        # No reload: the alarm appears through the event stream.
        page.wait_for_selector("#alarm:not([hidden])", timeout=10000)
        assert page.inner_text("#alarm-action") == "LOCKDOWN"
        assert page.inner_text("#alarm-directive") == "Locks, lights, out of sight."
        text = page.inner_text("#alarm")
        for expected in (
            "Maple Grove Elementary",
            "Room 101, front office",
            "Pat Demo",
            "Avery Testwood",
            "REAL ALERT",
        ):
            assert expected in text
        assert page.inner_text("#alarm-roster-title") == (
            "On site (3 visitors; 1 checked in before today and may have left)"
        )
        stale = page.locator("#alarm-roster td.stale")
        assert stale.count() == 1 and stale.inner_text() != page.locator("#alarm-roster td").nth(3).inner_text()
        page.screenshot(path=str(tmp_path / "alarm-roster.png"))
        assert page.locator("#alarm-escalated").is_hidden()
        service.escalate_after = 2  # 30 s in service; 2 s here, so the test need not wait half a minute
        # A second press of the same incident is collated into the same alarm.
        second = make_alert(station, incidents=alert.identifier, note="Man with a weapon near the gym")
        httpx.post(f"{url}/api/v1/alerts", content=cap.build(second), headers={**headers, **CAP_HEADERS})
        page.wait_for_selector("#alarm-presses li:nth-child(2)")
        page.wait_for_selector("#alarm-escalated:not([hidden])", timeout=15000)
        assert "ESCALATED" in page.inner_text("#alarm-escalated")
        page.screenshot(path=str(tmp_path / "alarm.png"))

        box = page.locator("#ack-button").bounding_box()
        assert box and box["y"] + box["height"] <= 800  # the Ack button is on screen without scrolling
        page.click("#ack-button")
        page.wait_for_selector("#alarm", state="hidden")
        inbox = httpx.get(f"{url}/api/v1/inbox", params={"after": 0}, headers=headers).json()["messages"]
        assert [(m["kind"], m["dispatcher"]) for m in inbox] == [("ack", "Dana Dispatch")] * 2
        assert {m["identifier"] for m in inbox} == {alert.identifier, second.identifier}
        page.wait_for_selector("text=acknowledged by Dana Dispatch")

        # A drill from another school looks different (striped, marked DRILL).
        drill = make_alert(other.station, action="EVACUATE", location="the football field", status="Exercise")
        other_headers = {"Authorization": f"Bearer {other.credential}", **CAP_HEADERS}
        assert (
            httpx.post(f"{url}/api/v1/alerts", content=cap.build(drill), headers=other_headers).status_code == 201
        )
        page.wait_for_selector("#alarm.drill:not([hidden])")
        assert "DRILL" in page.inner_text("#alarm-kind")
        assert page.inner_text("#alarm-directive") == "Evacuate to the football field."
        page.screenshot(path=str(tmp_path / "drill.png"))
        page.click("#hide-button")
        page.wait_for_selector("#banner:not([hidden])")
        # The daily test never takes the screen: it waits in the list, marked TEST.
        test = make_alert(other.station, status="Test", note="Daily test of the panic alert path")
        assert (
            httpx.post(f"{url}/api/v1/alerts", content=cap.build(test), headers=other_headers).status_code == 201
        )
        page.wait_for_selector(".incident .tag.test")
        assert page.locator("#alarm").is_hidden()

        # District state push to a chosen school, from the screen.
        page.check("#state-schools input[value='Maple Grove Elementary']")
        page.select_option("#state-choice", "SECURE")
        page.fill("#state-note", "Police activity on Elm Street")
        page.click("#state-form button[type=submit]")
        page.wait_for_selector("text=Sent to 1 station.")
        state = httpx.get(f"{url}/api/v1/inbox", params={"after": inbox[-1]["seq"]}, headers=headers).json()
        assert [(m["kind"], m["state"], m["set_by"]) for m in state["messages"]] == [
            ("state", "SECURE", "Dana Dispatch")
        ]
        page.wait_for_selector("#history li[data-kind='state_pushed']")
        page.screenshot(path=str(tmp_path / "board.png"))
        page.close()
    service.close()
    if os.environ.get("FRONTDESK_UPDATE_SCREENSHOTS"):  # refresh docs/screenshots/ on purpose only
        SHOTS.mkdir(parents=True, exist_ok=True)
        for name in ("alarm", "drill", "board"):
            shutil.copy(tmp_path / f"{name}.png", SHOTS / f"dispatch-console-{name}.png")


MARKUP = '<img src=x onerror="window.__pwned=1"><b class="injected">bold</b><script>window.__pwned=2</script>'


def test_markup_in_every_field_a_desk_or_visitor_controls_is_shown_as_text(tmp_path, browser):
    """A desk (or a visitor's name on its roster) puts markup in every field of an alert: staff, note,
    location, hazard, phone, a claimed school, building, floor, room and station, roster names, categories and
    destinations; and in a heartbeat. The live screen shows it all as text: no element made from it, no script
    run, on the alarm, the incident list, the stations and the history."""
    service = ConsoleService.open(f"sqlite:///{tmp_path / 'c.db'}", name="east")
    enrolment = service.auth.enroll("Maple Grove Elementary", "Main office desk", "Room 101")
    service.auth.add_dispatcher("Dana Dispatch", "correct horse")
    headers = {"Authorization": f"Bearer {enrolment.credential}"}
    now = datetime.now(UTC).replace(microsecond=0)
    with running(service, watch_interval=0.2) as url:
        httpx.post(f"{url}/api/v1/heartbeat", json={"sent": MARKUP, "onsite": 1}, headers=headers)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)
        page.fill("#username", "Dana Dispatch")
        page.fill("#password", "correct horse")
        page.click("#signin-button")
        page.wait_for_selector("[data-station]")
        alert = make_alert(
            enrolment.station,
            school="Maple Grove Elementary " + MARKUP,  # a claimed place: shown beside, flagged
            building=MARKUP,
            floor=MARKUP,
            room=MARKUP,
            staff=MARKUP,
            note=MARKUP,
            location=MARKUP,
            hazard=MARKUP,
            phone=MARKUP,
            roster=(cap.RosterEntry(MARKUP, MARKUP, MARKUP, now),),
        )
        alert = dataclasses.replace(alert, station=MARKUP)  # the desk's own name for itself
        answer = httpx.post(f"{url}/api/v1/alerts", content=cap.build(alert), headers={**headers, **CAP_HEADERS})
        assert answer.status_code == 201, answer.text
        page.wait_for_selector("#alarm:not([hidden])", timeout=10000)
        page.wait_for_selector("#alarm-roster td")
        page.wait_for_selector(".incident .msg")
        page.click("#hide-button")
        page.wait_for_selector("#banner:not([hidden])")
        page.wait_for_selector("#history li[data-kind='location_mismatch']")
        shown = page.inner_text("body")
        assert MARKUP in shown  # as text, every character
        assert page.evaluate("window.__pwned") is None
        assert page.locator(".injected").count() == 0
        assert page.locator("img").count() == 0
        assert page.locator("script").count() == 1  # console.js alone
        page.close()
    service.close()


def test_a_page_elsewhere_cannot_acknowledge_for_a_signed_in_dispatcher(tmp_path, browser):
    """CSRF on Acknowledge: with a dispatcher signed in, the same browser opens a page served from another
    port of the same address (the same site, so the session cookie does go with its requests) that posts
    the acknowledgements as a plain form and as a no-cors fetch. Neither acknowledges anything: the console
    refuses a state-changing request the browser says came from another origin (403, before reading it;
    district/console/origin.py), and would read only JSON bodies anyway (a form cannot send one; a
    cross-origin fetch that could needs CORS, which the console never grants). The alert stays
    unacknowledged, and the station's inbox stays empty."""
    import http.server
    import threading

    service = ConsoleService.open(f"sqlite:///{tmp_path / 'c.db'}", name="east")
    enrolment = service.auth.enroll("Maple Grove Elementary", "Main office desk", "Room 101")
    service.auth.add_dispatcher("Dana Dispatch", "correct horse")
    headers = {"Authorization": f"Bearer {enrolment.credential}"}
    with running(service, watch_interval=0.2) as url:
        alert = make_alert(enrolment.station)
        assert (
            httpx.post(
                f"{url}/api/v1/alerts", content=cap.build(alert), headers={**headers, **CAP_HEADERS}
            ).status_code
            == 201
        )
        context = browser.new_context()
        page = context.new_page()
        page.goto(url)
        page.fill("#username", "Dana Dispatch")
        page.fill("#password", "correct horse")
        page.click("#signin-button")
        page.wait_for_selector("#alarm:not([hidden])", timeout=10000)
        incident = page.get_attribute("#alarm", "data-incident")
        targets = [f"{url}/api/v1/incidents/{incident}/ack", f"{url}/api/v1/alerts/{alert.identifier}/ack"]
        evil = (
            "<!doctype html><body><iframe name=sink></iframe>"
            + "".join(
                f'<form method=POST target=sink enctype="text/plain" action="{t}">'
                "<input name='{\"a\":\"' value='\"}'></form>"
                for t in targets
            )
            + "<script>"
            + "".join(
                f"fetch({t!r}, {{method: 'POST', mode: 'no-cors', credentials: 'include', "
                "headers: {'Content-Type': 'text/plain'}, body: '{}'}).catch(() => null);"
                for t in targets
            )
            + "for (const f of document.forms) f.submit();"
            + "document.title = 'sent';</script></body>"
        ).encode()

        class Evil(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the standard library's name
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(evil)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Evil)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        answered: list[tuple[str, int]] = []
        try:
            other = context.new_page()
            other.on("response", lambda r: answered.append((r.url, r.status)) if "/ack" in r.url else None)
            other.goto(f"http://127.0.0.1:{server.server_address[1]}/")
            other.wait_for_function("document.title === 'sent'")
            for _ in range(100):  # until the posts are answered (at most 10 s; Chromium shows 3 of the 4)
                if len(answered) >= 3:
                    break
                other.wait_for_timeout(100)
        finally:
            server.shutdown()
        # Each reached the console (the session cookie with it: the same site) and was refused: not from the
        # console's own page (before session 24: 400, not JSON).
        assert len(answered) >= 3 and {status for _, status in answered} == {403}, answered
        board = service.board()
        messages = [m for i in board["incidents"] for m in i["messages"]]
        assert [m["acked_by"] for m in messages] == [None]
        inbox = httpx.get(f"{url}/api/v1/inbox", params={"after": 0}, headers=headers).json()["messages"]
        assert inbox == []
        context.close()
    service.close()


def test_the_history_says_what_happened_in_a_dispatchers_words(tmp_path, browser):
    """Found on the walk: the board's History read "state_pushed Dana Dispatch school=Maple Grove Elementary
    state=SECURE note= exercise=false", "alert_received msg_type=Alert status=Actual action=LOCKDOWN incident=1"
    (the log's own codes). Each line now says it in words; the codes stay in the line's tooltip."""
    service = ConsoleService.open(f"sqlite:///{tmp_path / 'c.db'}", name="east")
    enrolment = service.auth.enroll("Maple Grove Elementary", "Main office desk", "Room 101")
    service.auth.add_dispatcher("Dana Dispatch", "correct horse")
    headers = {"Authorization": f"Bearer {enrolment.credential}", **CAP_HEADERS}
    with running(service, watch_interval=0.2) as url:
        alert = make_alert(enrolment.station, building="B")  # a location the console did not enrol
        assert httpx.post(f"{url}/api/v1/alerts", content=cap.build(alert), headers=headers).status_code == 201
        service.ack("Dana Dispatch", identifier=alert.identifier)
        service.push_state(
            "Dana Dispatch", ["Maple Grove Elementary"], "SECURE", note="Police nearby", exercise=True
        )
        page = browser.new_page(viewport={"width": 1366, "height": 657})
        page.goto(url)
        page.fill("#username", "Dana Dispatch")
        page.fill("#password", "correct horse")
        page.click("#signin-button")
        page.wait_for_selector("#history li[data-kind='state_pushed']")
        lines = page.locator("#history li").all_inner_texts()
        text = "\n".join(lines)
        for code in ("state_pushed", "alert_received", "msg_type", "exercise=", "incident_opened", "signed_in"):
            assert code not in text, text
        for words in (
            "Dana Dispatch set Maple Grove Elementary to SECURE (drill): Police nearby",
            "LOCKDOWN alert received from Maple Grove Elementary — Main office desk",
            "Dana Dispatch acknowledged an alert from Maple Grove Elementary — Main office desk",
            "Maple Grove Elementary — Main office desk claimed another location (building B",
            "Incident 1 opened by Maple Grove Elementary — Main office desk",
            "Dispatcher added: Dana Dispatch",
            "Desk enrolled: Maple Grove Elementary — Main office desk, Room 101",
        ):
            assert words in text, text
        assert "state_pushed" in page.get_attribute("#history li[data-kind='state_pushed']", "title")
        page.close()
    service.close()
