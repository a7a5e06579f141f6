"""The district settings screen and large list files in a real browser (Debian's Chromium, Playwright), over a
hub process and a real desk: a district administrator lists, sets, locks and unsets; security only looks;
the changes are logged like the CLI's and reach the desk. A list file larger than the console's request
limit is imported from the web screen (that route only); other routes keep the small limit.
``FRONTDESK_UPDATE_SCREENSHOTS=1`` copies the screenshot into docs/screenshots/."""

from __future__ import annotations

import http.client
import json
from pathlib import Path

from browser_support import needs_chromium, shot
from hub_lists_support import run_cli
from hub_sync_support import Desk, Hub

MAPLE = "Maple Grove Elementary"

pytestmark = needs_chromium


def _sign_in(page, url: str, name: str, password: str) -> None:
    page.goto(url + "/district/")
    page.fill("#username", name)
    page.fill("#password", password)
    page.click("#signin-button")
    page.wait_for_selector("#who:has-text('" + name + "')")


def _post(page, path: str, body: str, kind: str = "application/json") -> int:
    return page.evaluate(
        "async ([path, body, kind]) => (await fetch(path, {method: 'POST', headers: {'Content-Type': kind}, "
        "body, credentials: 'same-origin'})).status",
        [path, body, kind],
    )


def test_district_settings_on_the_web_screen(tmp_path: Path, browser):
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    hub = Hub(db).start()
    try:

        def cli(*args: str, stdin: str | None = None):
            done = run_cli(*args, "--db", db, stdin=stdin)
            assert done.returncode == 0, done.stderr
            return done

        cli("district", "staff", "add", "Alex Admin", "--role", "administrator", stdin="correct horse battery\n")
        cli("district", "staff", "add", "Sam Security", "--role", "security", stdin="security password\n")
        cli("district", "settings", "set", "district.lists_max_age_hours", "36")
        front = Desk(tmp_path / "front", "Main office desk").set_up(hub, MAPLE)

        page = browser.new_page(viewport={"width": 1366, "height": 768})
        _sign_in(page, hub.url, "Alex Admin", "correct horse battery")
        page.click("button[data-tab=settings]")
        page.wait_for_selector("#settings td:has-text('district.lists_max_age_hours')")
        page.fill("#setting-key", "retention.visits_days")
        page.fill("#setting-value", "365")
        page.check("#setting-lock")
        page.click("#setting-form button")
        page.wait_for_selector("#setting-result:has-text('for every school (locked)')")
        page.wait_for_selector("#settings td:has-text('retention.visits_days')")
        # A school's own value where the default is not locked; refused where it is.
        page.fill("#setting-key", "district.lists_max_age_hours")
        page.fill("#setting-value", "48")
        page.fill("#setting-school", MAPLE)
        page.click("#setting-form button")
        page.wait_for_selector(f"#settings td:has-text('{MAPLE}')")
        page.fill("#setting-key", "retention.visits_days")
        page.fill("#setting-value", "30")
        page.fill("#setting-school", MAPLE)
        page.click("#setting-form button")
        page.wait_for_selector("#setting-result.problem:has-text('locked by the district')")  # shown as a problem
        row = page.locator("#settings tr", has_text="retention.visits_days")
        assert row.locator("td").nth(3).inner_text() == "locked" and "Alex Admin" in row.inner_text()
        shot(page, tmp_path, "district-settings.png")
        # Unset the school's value: the district default stands again. It asks first (session 22: one click
        # changed the desks): Cancel changes nothing, OK removes it.
        asked: list[str] = []

        def answer(dialog, accept: bool) -> None:
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        school_row = page.locator("#settings tr", has_text=MAPLE)
        page.once("dialog", lambda dialog: answer(dialog, False))
        school_row.locator("button:has-text('Unset')").click()
        page.wait_for_selector("#setting-result:has-text('Nothing changed')")
        assert page.locator("#settings tr", has_text=MAPLE).count() == 1
        page.once("dialog", lambda dialog: answer(dialog, True))
        school_row.locator("button:has-text('Unset')").click()
        page.wait_for_selector("#setting-result:not(.problem):has-text('removed for')")
        assert len(asked) == 2 and f"for {MAPLE}" in asked[0] and "district.lists_max_age_hours = 48" in asked[0]
        assert page.locator("#settings tr", has_text=MAPLE).count() == 0

        listed = json.loads(cli("district", "settings", "list", "--json").stdout)
        assert {(r["key"], r["school"], r["value"], r["locked"]) for r in listed} == {
            ("district.lists_max_age_hours", "", 36, False),
            ("retention.visits_days", "", 365, True),
        }
        from district.console.db import Database

        hub_db = Database(db)
        try:
            logged = hub_db.read().all(
                "SELECT kind, actor, detail FROM log WHERE kind LIKE 'setting_%' ORDER BY seq"
            )
        finally:
            hub_db.close()
        assert [(k, a) for k, a, _ in logged][1:] == [
            ("setting_set", "Alex Admin"),
            ("setting_set", "Alex Admin"),
            ("setting_unset", "Alex Admin"),
        ]
        # It reaches the desk: the locked value cannot be changed there.
        front.sync()
        refused = front.run("config", "set", "retention.visits_days", "30")
        assert refused.returncode == 2 and "locked" in refused.stderr, refused.stdout + refused.stderr

        # Security sees the settings but cannot change them (no form; the API says 403).
        other = browser.new_page(viewport={"width": 1366, "height": 768})
        _sign_in(other, hub.url, "Sam Security", "security password")
        other.click("button[data-tab=settings]")
        other.wait_for_selector("#settings td:has-text('retention.visits_days')")
        assert other.is_hidden("#setting-form") and other.is_visible("#settings-readonly")
        assert other.locator("#settings button:has-text('Unset')").count() == 0
        body = json.dumps({"key": "retention.visits_days", "value": "1"})
        assert _post(other, "/api/v1/district/settings", body) == 403
        assert _post(other, "/api/v1/district/settings/unset", json.dumps({"key": "retention.visits_days"})) == 403
    finally:
        hub.kill()


def test_a_list_file_larger_than_the_request_limit_imports_from_the_web_screen(tmp_path: Path, browser):
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    hub = Hub(db).start()
    try:
        done = run_cli(
            "district", "staff", "add", "Alex Admin", "--role", "administrator", "--db", db,
            stdin="correct horse battery\n",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        rows = 30_000
        lines = ["first_name,last_name,dob,reason"] + [
            f"Person{i:05d},Exampleton{i:05d},19{50 + i % 50:02d}-0{1 + i % 9}-1{i % 10},Synthetic row {i}"
            for i in range(rows)
        ]
        big = tmp_path / "registry.csv"
        big.write_text("\n".join(lines) + "\n")
        assert big.stat().st_size > 2 * 512 * 1024  # well past the console's request limit

        page = browser.new_page(viewport={"width": 1366, "height": 768})
        _sign_in(page, hub.url, "Alex Admin", "correct horse battery")
        page.click("button[data-tab=lists]")
        page.fill("#import-source", "District registry list")
        page.select_option("#import-kind", "registry")
        page.set_input_files("#import-file", str(big))
        page.click("#import-form button")
        page.wait_for_selector(
            f"#import-result:has-text('Imported {rows:,} entries into District registry list')", timeout=180_000
        )

        # Every other route keeps the console's small limit (a 1 MB body to the add route: 413).
        huge = json.dumps({"source": "x", "first_name": "A" * (1024 * 1024), "last_name": "B"})
        assert _post(page, "/api/v1/district/lists/entries", huge) == 413
        # A file past the import's own cap is refused in plain words, before it is read.
        cookie = next(c for c in page.context.cookies() if c["name"] == "fd_session")
        conn = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=30)
        try:
            conn.putrequest("POST", "/api/v1/district/lists/import?source=Too+big")
            conn.putheader("Cookie", f"fd_session={cookie['value']}")
            conn.putheader("Content-Type", "text/csv")
            conn.putheader("Content-Length", str(600 * 1024 * 1024))
            conn.endheaders()
            answer = conn.getresponse()
            text = answer.read().decode()
        finally:
            conn.close()
        assert answer.status == 400 and "too large for the web screen" in text and "district barred import" in text
    finally:
        hub.kill()
