"""The district views in a real browser (Debian's Chromium, driven by Playwright), over a hub process fed by
two real desks: sign-in (a dispatcher who is not district staff is refused), schools and desks with their
sync state, on site per school, a visit search, list management (add, expire, import with progress) and the
trail of list changes. ``FRONTDESK_UPDATE_SCREENSHOTS=1`` copies its screenshots into docs/screenshots/."""

from __future__ import annotations

import json
from pathlib import Path

from browser_support import needs_chromium, shot
from hub_lists_support import run_cli
from hub_sync_support import Desk, Hub
from playwright.sync_api import expect

MAPLE = "Maple Grove Elementary"

pytestmark = needs_chromium


def test_district_staff_manage_lists_and_see_the_district(tmp_path: Path, browser):
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    hub = Hub(db).start()
    try:

        def cli(*args: str, stdin: str | None = None):
            done = run_cli(*args, "--db", db, stdin=stdin)
            assert done.returncode == 0, done.stderr
            return done

        cli("district", "staff", "add", "Alex Admin", "--role", "administrator", stdin="correct horse battery\n")
        cli("dispatch", "user", "add", "Dana Dispatch", stdin="dispatcher password\n")
        (tmp_path / "barred.csv").write_text(
            "first_name,last_name,dob,reason\nRobert,Smith,1980-03-14,Trespass\nJordan,Exampleton,1975-02-02,Order\n"
        )
        cli("district", "barred", "import", str(tmp_path / "barred.csv"), "--source", "District barred list")
        front = Desk(tmp_path / "front", "Main office desk").set_up(hub, MAPLE)
        side = Desk(tmp_path / "side", "Side entrance desk").set_up(hub, MAPLE)
        front.check_in("Avery", "Testwood", "--purpose", "Meeting")
        side.check_in("Blair", "Samplefield", "--purpose", "Volunteer")
        front.sync()
        side.sync()

        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(hub.url + "/district/")
        page.fill("#username", "Dana Dispatch")
        page.fill("#password", "dispatcher password")
        page.click("#signin-button")
        page.wait_for_selector("#signin-error:has-text('not district staff')")
        assert page.is_hidden("#app")

        page.fill("#username", "Alex Admin")
        page.fill("#password", "correct horse battery")
        page.click("#signin-button")
        page.wait_for_selector("#who:has-text('district administrator')")
        page.wait_for_selector("#schools td:has-text('Side entrance desk')")
        page.wait_for_selector("#onsite td:has-text('Blair Samplefield')")
        assert "On site now at Maple Grove Elementary (2)" in page.inner_text("#onsite-title")
        assert page.locator("#schools td.online").count() == 2  # both desks synced just now
        shot(page, tmp_path, "district-schools.png")

        # The tab's first load (every visit) is held back until the search has answered, then let through:
        # the older, slower answer must not be drawn over the search's (CI once saw both rows here).
        held = []

        def hold_the_unsearched(route):
            if "q=testwood" in route.request.url:
                route.continue_()
            else:
                held.append(route)

        page.route("**/api/v1/district/visits?*", hold_the_unsearched)
        page.click("button[data-tab=visits]")
        page.fill("#visit-q", "testwood")
        page.click("#visit-search button")
        expect(page.locator("#visits tr")).to_have_count(1)
        expect(page.locator("#visits td", has_text="Avery Testwood")).to_have_count(1)
        assert len(held) == 1
        with page.expect_response(lambda r: "/api/v1/district/visits?" in r.url and "q=testwood" not in r.url):
            held[0].continue_()
        page.wait_for_timeout(300)  # time for the page to draw the late answer, were it to draw it
        assert page.locator("#visits tr").count() == 1
        assert page.locator("#visits td", has_text="Blair Samplefield").count() == 0
        page.unroute("**/api/v1/district/visits?*")

        page.click("button[data-tab=lists]")
        page.wait_for_selector("#lists td:has-text('District barred list')")
        page.fill("#add-first", "Carl")
        page.fill("#add-last", "Marsh")
        page.fill("#add-dob", "1970-02-02")
        page.select_option("#add-sex", "M")
        page.fill("#add-id-state", "va")
        page.fill("#add-id-last4", "A12-345-6789")
        page.click("#add-form button")
        page.wait_for_selector("#add-result:has-text('Added')")
        page.wait_for_selector("#entries td:has-text('Carl Marsh')")
        row = page.locator("#entries tr", has_text="Robert Smith")
        # Expire asks first (one click ended a bar at every desk): Cancel keeps the entry, OK ends it.
        asked: list[str] = []

        def answer(dialog, accept: bool) -> None:
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        page.once("dialog", lambda dialog: answer(dialog, False))
        row.locator("button:has-text('Expire')").click()
        page.wait_for_selector("#entries-result:has-text('Nothing changed')")
        assert "Robert Smith" in asked[0] and "District barred list" in asked[0] and "Every desk" in asked[0]
        assert page.locator("#entries td.expired").count() == 0
        page.once("dialog", lambda dialog: answer(dialog, True))
        row.locator("button:has-text('Expire')").click()
        page.wait_for_selector("#entries td.expired:has-text('Robert Smith')")
        page.wait_for_selector("#entries-result:has-text('Robert Smith is no longer flagged')")
        (tmp_path / "more.csv").write_text("first_name,last_name,dob\nDana,Cole,1981-01-01\nEli,Fenwick,1990\n")
        page.fill("#import-source", "District watch list")
        page.select_option("#import-kind", "watch")
        page.set_input_files("#import-file", str(tmp_path / "more.csv"))
        page.click("#import-form button")
        page.wait_for_selector("#import-result:has-text('Imported 2 entries into District watch list')")
        page.wait_for_selector("#lists td:has-text('District watch list')")
        assert (
            page.locator("#lists tr", has_text="District watch list").locator("td").nth(1).inner_text() == "watch"
        )
        # A file cut short does not replace a list: the screen says so and what to tick if it is on purpose.
        rows = "".join(f"Ann{i},Cutshort,1980-03-{i + 1:02d}\n" for i in range(12))
        (tmp_path / "twelve.csv").write_text("first_name,last_name,dob\n" + rows)
        (tmp_path / "cut.csv").write_text("first_name,last_name,dob\n" + "".join(rows.splitlines(True)[:3]))
        page.fill("#import-source", "District registry extract")
        page.set_input_files("#import-file", str(tmp_path / "twelve.csv"))
        page.click("#import-form button")
        page.wait_for_selector("#import-result:has-text('Imported 12 entries into District registry extract')")
        page.check("#import-replace")
        page.set_input_files("#import-file", str(tmp_path / "cut.csv"))
        page.click("#import-form button")
        page.wait_for_selector("#import-result:has-text('would remove more than half of the entries')")
        assert "Much shorter on purpose" in page.inner_text("#import-result")
        page.check("#import-allow-shrink")
        page.set_input_files("#import-file", str(tmp_path / "cut.csv"))
        page.click("#import-form button")
        page.wait_for_selector("#import-result:has-text('Imported 3 entries into District registry extract')")
        page.uncheck("#import-replace")
        page.uncheck("#import-allow-shrink")
        shot(page, tmp_path, "district-lists.png")

        page.click("button[data-tab=trail]")
        page.wait_for_selector("#trail td:has-text('import')")
        text = page.inner_text("#trail")
        assert "Alex Admin" in text and "expire" in text and "add" in text
        assert "command line" in text and "more.csv" in text  # the CLI's import is in the same trail
        shot(page, tmp_path, "district-trail.png")

        # What the browser did reaches a desk: the added entry screens there, the expired one no longer.
        front.sync()
        screened = front.run("screen", "--first-name", "Carl", "--last-name", "Marsh", "--dob", "1970-02-02")
        assert screened.stdout.startswith("match"), screened.stdout + screened.stderr
        [carl] = json.loads(front.run("barred", "list", "--search", "carl marsh", "--json").stdout)
        assert (carl["sex"], carl["id_state"], carl["id_last4"]) == ("M", "VA", "6789"), carl  # only the last 4
        screened = front.run("screen", "--first-name", "Robert", "--last-name", "Smith", "--dob", "1980-03-14")
        assert screened.stdout.startswith("clear"), screened.stdout + screened.stderr
    finally:
        hub.kill()
