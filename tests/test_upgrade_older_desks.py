"""A desk still on an earlier release beside upgraded desks of the same school (session 24).

A desk of a release before the school's desks shared their own records (up to 3acce18) pulls the school's visits
from the hub but none of its shared records: a bar added at the main office never reaches it, and it screens the
barred person clear. It cannot be changed (it is released), and the hub cannot refuse its pull without it losing
the district's lists and the school's visits too (its round pulls those after the visits, and stops at a
refusal). So the hub keeps the level each desk takes (``takes``, from its pull) and names such a desk to the
school's other desks (``sync`` on standard error, ``sync status``, the window's hub item, the event log) and on
its own district page. The old desk runs from that release's tree (``tests/upgrade_support``) through its own
command line; the hub and the other desk are this tree's, as processes; the hub on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from frontdesk.wire import sync as wire
from tests.browser_support import needs_chromium, shot
from tests.hub_lists_support import run_cli
from tests.hub_sync_support import SCHOOL, Desk, Hub, bar_barredman
from tests.upgrade_support import release_tree, run_steps, step

OLD = "3acce18"  # the newest release whose desk does not take the school's shared records
GYM = "Gym door"
WORDS = (  # said beside the old desk moments after it synced
    "The desk 'Gym door' is on an older FrontDesk and does not get this school's shared bars and custody orders, "
    "pick-up changes or student releases (last synced within the hour): have it updated, or revoked if that PC is "
    "no longer used."
)
ROBERT = ("--first-name", "Robert", "--last-name", "Barredman", "--dob", "1980-03-14", "--json")


def _old_desk(tree: Path, hub: Hub, folder: Path, name: str = GYM) -> tuple[Desk, str, str]:
    """The Gym door desk of release ``OLD`` (or of ``tree``), set up, connected and synced by that release's own
    command line, with a visitor checked in; with its screening of the office's barred person and its ``sync
    status``."""
    gym = Desk(folder, name)
    folder.mkdir(parents=True)
    gym.station_id, credential = hub.enroll(SCHOOL, name)
    done = run_steps(
        tree,
        folder / "data",
        [
            step("config", "set", "school.name", SCHOOL),
            step("config", "set", "station.name", name),
            step("config", "set", "station.staff", "Pat Example"),
            step("dispatch", "connect", hub.url, stdin=credential + "\n"),
            step("checkin", "--first-name", "Ollie", "--last-name", "Oldside", "--json"),
            step("sync", "--wait", "10"),
            step("screen", *ROBERT),
            step("sync", "status"),
        ],
        gym.env,
    )
    assert [r["code"] for r in done] == [0] * len(done), done
    return gym, json.loads(done[6]["out"])["decision"], done[7]["out"]


def _district_page_schools(hub: Hub) -> list[dict]:
    """``/api/v1/district/schools`` as the district page reads it, signed in as district staff."""
    with httpx.Client(base_url=hub.url, headers={"Origin": hub.url}) as web:
        signed = web.post("/api/v1/session", json={"username": "Alex Admin", "password": "correct horse battery"})
        assert signed.is_success, signed.text
        return web.get("/api/v1/district/schools").json()["schools"]


def _add_admin(db: str) -> None:
    """District IT's administrator Alex Admin (password "correct horse battery") in the hub's database."""
    added = run_cli(
        "district", "staff", "add", "Alex Admin", "--role", "administrator", "--db", db,
        stdin="correct horse battery\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr


def test_an_older_desk_is_named_to_the_schools_other_desks_and_on_the_hubs_page_until_it_is_updated(
    tmp_path, tmp_path_factory, console_db_url
):
    from tests.notify_support import SmtpServer
    from tests.test_hub_notify_older import DISTRICT, _notify_config, _wait_for

    tree = release_tree(tmp_path_factory, OLD)
    mail = SmtpServer("none", tmp_path).start()
    hub = Hub(console_db_url, env=_notify_config(tmp_path, mail))
    hub.start()
    try:
        _add_admin(console_db_url)
        main = Desk(tmp_path / "main", "Main office desk").set_up(hub, SCHOOL)
        bar_barredman(main)
        main.sync(10)
        gym, screened, old_status = _old_desk(tree, hub, tmp_path / "gym")

        # The gap itself: the old desk screens the office's barred person clear, and says nothing of it.
        assert screened == "clear"
        assert old_status.splitlines()[0] == "Hub: in step", old_status

        # The main office is told, by name, with what to do.
        synced = main.run("sync", "--wait", "10")
        assert synced.returncode == 0, synced.stderr
        assert ("Ollie Oldside", GYM) in main.on_site()  # the old desk's visits still come: nothing was refused
        assert f"frontdesk: {WORDS}" in synced.stderr.splitlines(), synced.stderr
        status = main.json("sync", "status")
        (named,) = status["older_desks"]
        assert named.pop("last_synced") is not None  # added in session 25: when (this desk's clock)
        assert named == {"station": GYM, "misses": sorted(wire.SHARED_KINDS), "words": WORDS}
        assert status["hub_shares"] is True and status["pending"] == 0  # the keys it had, as they were
        text = main.run("sync", "status").stdout.splitlines()
        assert text[0] == "Hub: in step; the desk 'Gym door' is on an older FrontDesk", text
        assert f"desk: {WORDS}" in text
        events = main.services()
        try:
            logged = [e.message for e in events.events.recent(50)]
            trail = [r.action for r in events.audit.records()]
        finally:
            events.close()
        assert any(m.startswith(WORDS) for m in logged), logged
        assert "sync.older_desks" in trail

        # District IT's page says it too, with the school.
        schools = {s["school"]: s for s in _district_page_schools(hub)}
        assert schools[SCHOOL]["older"] == [WORDS]
        desks = {d["station"]: d for d in schools[SCHOOL]["desks"]}
        assert (desks[GYM]["takes"], desks[GYM]["older"]) == (0, WORDS)
        assert (desks["Main office desk"]["takes"], desks["Main office desk"]["older"]) == (wire.TAKES, "")
        listed = run_cli("dispatch", "stations", "--db", console_db_url)  # district IT's command line on the hub
        assert listed.returncode == 0, listed.stderr
        revoke = f"To revoke it: frontdesk dispatch revoke {gym.station_id}"
        assert listed.stdout.splitlines()[-1] == f"{SCHOOL}: {WORDS} {revoke}", listed.stdout
        # And by email, once (session 25): the hub's notices' recipients.
        assert _wait_for(lambda: len(mail.received) == 1)
        assert mail.received[0].rcpt == [DISTRICT]
        assert mail.received[0].message["Subject"] == f"{SCHOOL} {GYM} (101) is on an older FrontDesk"

        # The desk is updated (this tree's program on its folder): the bar reaches it, and nobody names it now.
        assert gym.run("sync", "--wait", "10").returncode == 0
        again = gym.json("screen", *ROBERT[:-1])
        assert again["decision"] == "match", again  # type: ignore[index]
        main.sync(10)
        assert main.json("sync", "status")["older_desks"] == []
        assert main.run("sync", "status").stdout.splitlines()[0] == "Hub: in step"
        schools = {s["school"]: s for s in _district_page_schools(hub)}
        assert schools[SCHOOL]["older"] == []
        assert run_cli("dispatch", "stations", "--db", console_db_url).stdout.splitlines()[-1] == "2 stations"
        assert _wait_for(lambda: len(mail.received) == 2)  # district IT is told it is updated
        assert mail.received[1].message["Subject"] == f"{SCHOOL} {GYM} (101) is updated"
    finally:
        hub.kill()
        mail.stop()
    assert len(mail.received) == 2


def test_the_hub_knows_each_desks_level_from_its_pull(tmp_path, console_db_url):
    """What each kind of desk's pull says: without ``shared`` (releases before sharing: level 0, named), with
    ``shared`` and no level (sessions 19-23: level 1, not named), with ``takes`` (this release on; a level above
    the hub's own, a newer desk's, is not named). A desk that never pulled is not named (not known)."""
    hub = Hub(console_db_url).start()
    try:
        ids = {name: hub.enroll(SCHOOL, name) for name in ("Main", "Old", "Between", "Newer", "Silent")}

        def pull(name: str, **params) -> dict:
            headers = {"Authorization": f"Bearer {ids[name][1]}"}
            answer = httpx.get(f"{hub.url}/api/v1/sync/pull", params={"after": 0, **params}, headers=headers)
            assert answer.status_code == 200, answer.text
            return answer.json()

        pull("Old")
        pull("Between", shared=0)
        pull("Newer", shared=0, takes=wire.TAKES + 1)
        (named,) = pull("Main", shared=0, takes=wire.TAKES)["older_desks"]
        assert named.pop("last_synced").endswith(
            "Z"
        )  # added in session 25: its newest push or pull, the hub's time
        assert named == {
            "station_id": ids["Old"][0],
            "station": "Old",
            "takes": 0,
            "misses": list(wire.SHARED_KINDS),
        }
        assert [d["station"] for d in pull("Between", shared=0)["older_desks"]] == ["Old"]
        assert pull("Old")["older_desks"] == []  # not itself: it would not read it anyway
        pull("Old", shared=0, takes=wire.TAKES)  # updated
        assert pull("Main", shared=0, takes=wire.TAKES)["older_desks"] == []
        # A garbled level is taken as not said.
        pull("Between", shared=0, takes="lots")
        assert pull("Main", shared=0, takes=wire.TAKES)["older_desks"] == []
    finally:
        hub.kill()


def test_the_words_for_a_desk_of_a_level_this_release_does_not_know():
    assert wire.takes_level(False, None) == 0
    assert wire.takes_level(True, None) == 1
    assert wire.takes_level(False, "1") == 1
    assert wire.takes_level(True, "-1") == 1
    assert wire.kinds_missed(wire.TAKES) == ()
    assert wire.kinds_missed(wire.TAKES + 5) == ()
    assert wire.kinds_missed(0) == wire.SHARED_KINDS
    assert wire.missed_words(["list.add"]) == "bars and custody orders"
    assert wire.missed_words(["students.release", "future.kind"]) == "student releases or other records"
    from datetime import UTC, datetime, timedelta

    from frontdesk.sync.service import SyncStatus

    two = SyncStatus(
        True, 0, datetime.now(UTC), None, None, older_desks=(("Gym door", (), None), ("Annex", (), None))
    )
    assert two.words == "Hub: in step; 2 of the school's desks are on an older FrontDesk"
    assert SyncStatus(True, 0, datetime.now(UTC), None, None, older_desks=()).words == "Hub: in step"
    assert wire.older_desk_words("Gym\n door", ["students.authorise"]) == (
        "The desk 'Gym door' is on an older FrontDesk and does not get this school's shared pick-up changes: "
        "have it updated, or revoked if that PC is no longer used."
    )
    now = datetime(2026, 12, 5, 15, tzinfo=UTC)
    assert [
        wire.last_synced_words(now - timedelta(minutes=m), now) for m in (0, 59, 60, 23 * 60 + 59, 24 * 60)
    ] == [
        "last synced within the hour",
        "last synced within the hour",
        "last synced 1 hour ago",
        "last synced 23 hours ago",
        "last synced 1 day ago",
    ]
    assert wire.last_synced_words(now - timedelta(days=3, hours=5), now) == "last synced 3 days ago"
    assert wire.last_synced_words(now + timedelta(minutes=5), now) == "last synced within the hour"  # clocks apart
    assert wire.last_synced_words(None, now) == ""


def test_the_desk_windows_hub_item_names_the_older_desk_in_amber(qtbot, tmp_path, tmp_path_factory, monkeypatch):
    """The main office's window over its folder, after a sync beside a real Gym door desk of ``OLD``: the hub item
    names it, in amber (as for a hub too old to share), and its tooltip says first what to do."""
    import keyring
    from PySide6.QtGui import QTextDocument

    from frontdesk.context import Services
    from tests.dispatch_keyring import KEYRING_FILE_ENV, FileKeyring
    from ui.app import build_desk

    tree = release_tree(tmp_path_factory, OLD)
    hub = Hub(f"sqlite:///{tmp_path / 'hub.db'}").start()
    try:
        main = Desk(tmp_path / "main", "Main office desk").set_up(hub, SCHOOL)
        _old_desk(tree, hub, tmp_path / "gym")
        main.sync(10)
    finally:
        hub.kill()
    monkeypatch.setenv(KEYRING_FILE_ENV, str(main.folder / "keyring.json"))
    monkeypatch.setenv("FRONTDESK_ALLOW_FILE_KEYRING", "1")
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    services = Services.open(main.folder / "data")
    try:
        window = build_desk(services)
        qtbot.addWidget(window.window)
        window.hub.refresh()  # what its timer does: the desk's own record of the hub's last answer
        assert window.hub.label.text() == "Hub: in step; the desk 'Gym door' is on an older FrontDesk"
        assert "#8a5a00" in window.hub.label.styleSheet()
        shown = QTextDocument()
        shown.setHtml(window.hub.label.toolTip())
        assert shown.toPlainText().startswith(f"{WORDS} Until then, a bar made here is not at that desk."), (
            shown.toPlainText()
        )
    finally:
        services.close()
        keyring.set_keyring(previous)


@needs_chromium
def test_the_hubs_district_page_names_the_older_desk_with_its_school(tmp_path, tmp_path_factory, browser):
    """District IT's Schools and desks page in Chromium, beside a real Gym door desk of ``OLD``: a line above the
    table names it with its school and what to do, and its row says OLDER."""
    from playwright.sync_api import expect

    tree = release_tree(tmp_path_factory, OLD)
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    hub = Hub(db).start()
    try:
        _add_admin(db)
        main = Desk(tmp_path / "main", "Main office desk").set_up(hub, SCHOOL)
        main.check_in("Avery", "Testwood")
        main.sync(10)
        _old_desk(tree, hub, tmp_path / "gym")
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(hub.url + "/district/")
        page.fill("#username", "Alex Admin")
        page.fill("#password", "correct horse battery")
        page.click("#signin-button")
        expect(page.locator("#schools-older li")).to_have_text([f"{SCHOOL}: {WORDS}"])
        gym = page.locator("#schools tr", has_text=GYM)
        older = "OLDER: does not get the school's shared bars; update it, or revoke it if the PC is gone"
        expect(gym.locator("td").last).to_have_text(older)
        main_row = page.locator("#schools tr", has_text="Main office desk")
        expect(main_row.locator("td").last).to_have_text("up to date")
        shot(page, tmp_path, "district-schools-older-desk.png")
    finally:
        hub.kill()


def test_a_hub_database_of_the_earlier_release_is_migrated_and_its_old_desk_named_once_it_pulls(
    tmp_path, tmp_path_factory, console_db_url
):
    """The whole district on ``OLD`` (its hub on SQLite or PostgreSQL, the Gym door desk synced through it); the
    hub is upgraded on the same database (migration hub_sync_0003_desk_takes on rows the old hub wrote): the Gym
    door is "not known" until it pulls again, then named to the upgraded main office and on the district's
    pages."""
    from tests.dispatch_fixtures import serve_console
    from tests.test_upgrade_hub_versions import _enroll, _stop

    tree = release_tree(tmp_path_factory, OLD)
    hub = Hub(console_db_url)
    old_hub = serve_console(console_db_url, hub.port, tree=tree)
    gym = Desk(tmp_path / "gym", GYM)
    gym.folder.mkdir(parents=True)
    try:
        credential = _enroll(tree, console_db_url, GYM)
        steps = [
            step("config", "set", "school.name", SCHOOL),
            step("config", "set", "station.name", GYM),
            step("dispatch", "connect", hub.url, stdin=credential + "\n"),
            step("checkin", "--first-name", "Ollie", "--last-name", "Oldside", "--json"),
            step("sync", "--wait", "10"),
        ]
        done = run_steps(tree, gym.folder / "data", steps, gym.env)
        assert [r["code"] for r in done] == [0] * len(done), done
    finally:
        _stop(old_hub)
    hub.start()  # this release, on the same database
    try:
        _add_admin(console_db_url)
        main = Desk(tmp_path / "main", "Main office desk").set_up(hub, SCHOOL)
        main.sync(10)
        assert main.json("sync", "status")["older_desks"] == []  # not known yet: nobody named
        desks = {d["station"]: d for d in _district_page_schools(hub)[0]["desks"]}
        assert (desks[GYM]["takes"], desks[GYM]["older"], desks[GYM]["last_seq"] > 0) == (None, "", True)

        again = run_steps(tree, gym.folder / "data", [step("sync", "--wait", "10")], gym.env)
        assert again[0]["code"] == 0, again
        main.sync(10)
        assert [d["words"] for d in main.json("sync", "status")["older_desks"]] == [WORDS]
        assert ("Ollie Oldside", GYM) in main.on_site()
        assert _district_page_schools(hub)[0]["older"] == [WORDS]
    finally:
        hub.kill()


def test_a_desk_of_a_release_that_shares_is_not_named(tmp_path, tmp_path_factory):
    """A desk of 08faff7 (the release before this one: it asks for the school's shared records and says no level)
    beside this release's hub and desk: it takes the office's bar, and nobody names it."""
    tree = release_tree(tmp_path_factory, "08faff7")
    hub = Hub(f"sqlite:///{tmp_path / 'hub.db'}").start()
    try:
        main = Desk(tmp_path / "main", "Main office desk").set_up(hub, SCHOOL)
        bar_barredman(main)
        main.sync(10)
        _, screened, status = _old_desk(tree, hub, tmp_path / "side", "Side entrance desk")
        assert screened == "match"
        assert status.splitlines()[0] == "Hub: in step", status
        main.sync(10)
        assert main.json("sync", "status")["older_desks"] == []
        assert main.run("sync", "status").stdout.splitlines()[0] == "Hub: in step"
    finally:
        hub.kill()
