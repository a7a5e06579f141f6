"""Desks of this release beside a district hub of an earlier one (districts upgrade desks and hub apart).

The hub runs from an earlier release's tree as a real process on loopback (``tests/upgrade_support``); the desks
are this tree's ``frontdesk`` as processes. A hub from before the school's desks shared their own records
(releases up to 3acce18) stores every change a desk pushes but gives none of them to the school's other desks:
a bar added at the main office did not reach the side entrance, and neither desk said so. The desk now says it
(``sync`` on standard error, ``sync status --json`` ``hub_shares``, the event log, the audit trail), and once the
hub is upgraded the changes it stored meanwhile arrive.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.dispatch_fixtures import serve_console
from tests.dispatch_keyring import KEYRING_FILE_ENV
from tests.hub_sync_support import free_port
from tests.upgrade_support import ROOT, release_tree, run_steps, step

SCHOOL = "Maple Grove Elementary"
NOT_SHARING_HUB = "3acce18"  # the newest release whose hub did not share a school's own records


def _serve(tree: Path, db_url: str, port: int) -> subprocess.Popen:
    return serve_console(db_url, port, tree=tree)


def _stop(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait(10)
    proc.stderr.close()


def _enroll(tree: Path, db_url: str, station: str) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "frontdesk",
            "dispatch",
            "enroll",
            "--school",
            SCHOOL,
            "--station",
            station,
            "--room",
            "101",
            "--db",
            db_url,
        ],
        env={**os.environ, "PYTHONPATH": str(tree)},
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


class _Desk:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True)
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHON_KEYRING_BACKEND": "tests.dispatch_keyring.FileKeyring",
            KEYRING_FILE_ENV: str(folder / "keyring.json"),
            "FRONTDESK_ALLOW_FILE_KEYRING": "1",
            "FRONTDESK_DATA_DIR": str(folder / "data"),
        }

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "frontdesk", *args],
            input=stdin,
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def ok(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        done = self.run(*args, stdin=stdin)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done


def test_desks_beside_a_hub_that_does_not_share_say_so_and_get_the_bar_once_it_is_upgraded(
    tmp_path, tmp_path_factory
):
    tree = release_tree(tmp_path_factory, NOT_SHARING_HUB)
    db_url = f"sqlite:///{tmp_path / 'hub.db'}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    desks = {}
    hub = _serve(tree, db_url, port)
    try:
        for name in ("Main office desk", "Side entrance desk"):
            credential = _enroll(tree, db_url, name)
            desk = desks[name] = _Desk(tmp_path / name.split()[0].lower())
            for key, value in (("school.name", SCHOOL), ("station.name", name), ("station.staff", "Pat Example")):
                desk.ok("config", "set", key, value)
            desk.ok("dispatch", "connect", url, stdin=credential + "\n")
        main, side = desks.values()
        main.ok(
            "barred",
            "add",
            "--source",
            "Office list",
            "--first-name",
            "Robert",
            "--last-name",
            "Barredman",
            "--dob",
            "1980-03-14",
            "--kind",
            "barred",
            "--reason",
            "synthetic",
        )
        main.ok("sync", "--wait", "0")
        synced = side.ok("sync", "--wait", "0", "--json")
        # The bar did not come (the hub does not give it), and the side entrance says so instead of nothing.
        screened = json.loads(
            side.ok(
                "screen", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "1980-03-14", "--json"
            ).stdout
        )
        assert screened["decision"] == "clear"
        assert "does not share" in synced.stderr, synced.stderr
        status = json.loads(side.ok("sync", "status", "--json").stdout)
        assert status["hub_shares"] is False
        events = side.ok("sync", "status").stdout
        assert "does not share" in events, events
    finally:
        _stop(hub)

    # The district upgrades the hub (this tree's, on the same database): what it stored meanwhile arrives.
    hub = _serve(ROOT, db_url, port)
    try:
        side = desks["Side entrance desk"]
        side.ok("sync", "--wait", "0")
        screened = json.loads(
            side.ok(
                "screen", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "1980-03-14", "--json"
            ).stdout
        )
        assert screened["decision"] == "match"
        assert json.loads(side.ok("sync", "status", "--json").stdout)["hub_shares"] is True
    finally:
        _stop(hub)


def test_changes_an_old_desk_had_not_sent_reach_the_hub_once_both_are_upgraded(tmp_path, tmp_path_factory):
    """The oldest release's desk and hub; the hub goes down while visitors come and go; then both are upgraded
    (this tree's hub on the same database, this tree's frontdesk on the same folder): every visit is at the
    hub once, open or closed as at the desk."""
    tree = release_tree(tmp_path_factory, "4c37a11")
    db_url = f"sqlite:///{tmp_path / 'hub.db'}"
    port = free_port()
    desk = _Desk(tmp_path / "desk")
    hub = _serve(tree, db_url, port)
    try:
        credential = _enroll(tree, db_url, "Main office desk")
        done = run_steps(
            tree,
            desk.folder / "data",
            [
                step("config", "set", "school.name", SCHOOL),
                step("config", "set", "station.name", "Main office desk"),
                step("dispatch", "connect", f"http://127.0.0.1:{port}", stdin=credential + "\n"),
                step("checkin", "--first-name", "Ann", "--last-name", "Testwood", "--json"),
                step("sync", "--wait", "10"),
            ],
            desk.env,
        )
        assert all(r["code"] == 0 for r in done), done
    finally:
        _stop(hub)
    first = json.loads(done[3]["out"])["badge_code"]
    waiting = run_steps(
        tree,
        desk.folder / "data",
        [
            step("checkin", "--first-name", "Ben", "--last-name", "Examplar", "--json"),
            step("checkin", "--first-name", "Cara", "--last-name", "Samplely", "--json"),
            step("checkout", first),
            step("sync", "status", "--json"),
        ],
        desk.env,
    )
    assert [r["code"] for r in waiting] == [0, 0, 0, 0], waiting
    assert json.loads(waiting[-1]["out"])["pending"] >= 3

    hub = _serve(ROOT, db_url, port)
    try:
        synced = desk.ok("sync", "--wait", "20", "--json")
        assert json.loads(synced.stdout)["pending"] == 0, synced.stdout
        from district.console.db import Database

        reader = Database(db_url)
        try:
            rows = reader.read().all("SELECT name, checked_out_at IS NOT NULL FROM hub_visits ORDER BY name")
        finally:
            reader.close()
        assert [tuple(r) for r in rows] == [("Ann Testwood", 1), ("Ben Examplar", 0), ("Cara Samplely", 0)]
    finally:
        _stop(hub)


def test_a_desk_of_the_oldest_release_and_one_of_this_release_share_visits_through_this_hub(
    tmp_path, tmp_path_factory
):
    """The side entrance not yet upgraded (4c37a11), the main office and the hub upgraded: each desk's
    visitors are on the other's on-site list, and a visitor who came in at the old desk leaves at the new one."""
    tree = release_tree(tmp_path_factory, "4c37a11")
    db_url = f"sqlite:///{tmp_path / 'hub.db'}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    hub = _serve(ROOT, db_url, port)
    try:
        new = _Desk(tmp_path / "main")
        for key, value in (("school.name", SCHOOL), ("station.name", "Main office desk")):
            new.ok("config", "set", key, value)
        new.ok("dispatch", "connect", url, stdin=_enroll(ROOT, db_url, "Main office desk") + "\n")
        old = _Desk(tmp_path / "side")
        credential = _enroll(ROOT, db_url, "Side entrance desk")
        setup = [
            step("config", "set", "school.name", SCHOOL),
            step("config", "set", "station.name", "Side entrance desk"),
            step("dispatch", "connect", url, stdin=credential + "\n"),
            step("checkin", "--first-name", "Ollie", "--last-name", "Oldside", "--json"),
            step("sync", "--wait", "10"),
        ]
        done = run_steps(tree, old.folder / "data", setup, old.env)
        assert all(r["code"] == 0 for r in done), done
        code = json.loads(done[3]["out"])["badge_code"]
        new.ok("checkin", "--first-name", "Nina", "--last-name", "Newmain")
        new.ok("sync", "--wait", "10")
        names = {(r["first_name"], r["station"]) for r in json.loads(new.ok("onsite", "--json").stdout)}
        assert names == {("Ollie", "Side entrance desk"), ("Nina", "Main office desk")}
        new.ok("checkout", code)
        new.ok("sync", "--wait", "10")
        seen = run_steps(
            tree, old.folder / "data", [step("sync", "--wait", "10"), step("onsite", "--json")], old.env
        )
        assert [r["code"] for r in seen] == [0, 0], seen
        assert {(r["first_name"], r["station"]) for r in json.loads(seen[1]["out"])} == {
            ("Nina", "Main office desk")
        }
    finally:
        _stop(hub)


def test_a_hub_rolled_back_to_an_earlier_release_and_forward_again_loses_no_bar_or_visit(
    tmp_path, tmp_path_factory
):
    """The district upgrades its hub, rolls it back to ff2602c (the first release that shared; before the push
    marks) for a while, then upgrades again: the earlier release does not refuse the newer database (it cannot:
    it predates the check), but what the desks made meanwhile reaches the other desk once, and nothing is lost."""
    tree = release_tree(tmp_path_factory, "ff2602c")
    db_url = f"sqlite:///{tmp_path / 'hub.db'}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def screen(desk: _Desk, first: str, last: str, dob: str) -> str:
        done = desk.ok("screen", "--first-name", first, "--last-name", last, "--dob", dob, "--json")
        return json.loads(done.stdout)["decision"]

    hub = _serve(ROOT, db_url, port)
    try:
        desks = []
        for name in ("Main office desk", "Side entrance desk"):
            desk = _Desk(tmp_path / name.split()[0].lower())
            for key, value in (("school.name", SCHOOL), ("station.name", name)):
                desk.ok("config", "set", key, value)
            desk.ok("dispatch", "connect", url, stdin=_enroll(ROOT, db_url, name) + "\n")
            desks.append(desk)
        main, side = desks
        main.ok(
            "barred",
            "add",
            "--source",
            "Office list",
            "--first-name",
            "Robert",
            "--last-name",
            "Barredman",
            "--dob",
            "1980-03-14",
            "--kind",
            "barred",
        )
        main.ok("sync", "--wait", "5")
        side.ok("sync", "--wait", "5")
        assert screen(side, "Robert", "Barredman", "1980-03-14") == "match"
    finally:
        _stop(hub)
    hub = _serve(tree, db_url, port)  # rolled back
    try:
        main.ok(
            "barred",
            "add",
            "--source",
            "Office list",
            "--first-name",
            "Oscar",
            "--last-name",
            "Oldhub",
            "--dob",
            "1970-01-01",
            "--kind",
            "barred",
        )
        main.ok("checkin", "--first-name", "Vera", "--last-name", "Visitor")
        main.ok("sync", "--wait", "5")
        side.run("sync", "--wait", "5")
    finally:
        _stop(hub)
    hub = _serve(ROOT, db_url, port)  # forward again
    try:
        main.ok(
            "barred",
            "add",
            "--source",
            "Office list",
            "--first-name",
            "Nora",
            "--last-name",
            "Newhub",
            "--dob",
            "1975-05-05",
            "--kind",
            "barred",
        )
        for desk in (main, side, main, side):
            desk.ok("sync", "--wait", "5")
        for first, last, dob in (
            ("Robert", "Barredman", "1980-03-14"),
            ("Oscar", "Oldhub", "1970-01-01"),
            ("Nora", "Newhub", "1975-05-05"),
        ):
            assert screen(side, first, last, dob) == "match", first
        onsite = json.loads(side.ok("onsite", "--json").stdout)
        assert [(r["first_name"], r["station"]) for r in onsite] == [("Vera", "Main office desk")]
        listed = json.loads(side.ok("barred", "list", "--source", "Office list", "--json").stdout)
        assert sorted(e["last_name"] for e in listed) == ["Barredman", "Newhub", "Oldhub"]
        assert json.loads(main.ok("sync", "status", "--json").stdout)["pending"] == 0
    finally:
        _stop(hub)


def _district(tree: Path, db_url: str, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "frontdesk", "district", *args, "--db", db_url],
        env={**os.environ, "PYTHONPATH": str(tree)},
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)


def test_a_district_bar_a_desk_held_before_its_upgrade_still_screens_with_the_hub_down(tmp_path, tmp_path_factory):
    """A desk of 3acce18 (key rules 9) holds the district's list from a hub of 3acce18; the desk is upgraded
    while the hub is down (its copy is all it has), then the hub is upgraded and adds a bar: the district's
    people are found at every step, and one the district ended is not brought back."""
    tree = release_tree(tmp_path_factory, NOT_SHARING_HUB)
    db_url = f"sqlite:///{tmp_path / 'hub.db'}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    desk = _Desk(tmp_path / "desk")
    district = [
        ("Иван", "Петров", "1969-04-05"),
        ("José", "García-Márquez", "1971-02-03"),
        ("Dana", "Ended", "1977-01-01"),
    ]
    hub = _serve(tree, db_url, port)
    try:
        for first, last, dob in district:
            _district(
                tree,
                db_url,
                "barred",
                "add",
                "--source",
                "District list",
                "--first-name",
                first,
                "--last-name",
                last,
                "--dob",
                dob,
                "--kind",
                "barred",
            )
        credential = _enroll(tree, db_url, "Main office desk")
        done = run_steps(
            tree,
            desk.folder / "data",
            [
                step("config", "set", "school.name", SCHOOL),
                step("config", "set", "station.name", "Main office desk"),
                step("dispatch", "connect", url, stdin=credential + "\n"),
                step("sync", "--wait", "10"),
                step("screen", "--first-name", "Ivan", "--last-name", "Petrov", "--dob", "1969-04-05", "--json"),
            ],
            desk.env,
        )
        assert all(r["code"] == 0 for r in done), done
    finally:
        _stop(hub)

    def decision(first: str, last: str, dob: str) -> str:
        done = desk.ok("screen", "--first-name", first, "--last-name", last, "--dob", dob, "--json")
        return json.loads(done.stdout)["decision"]

    for first, last, dob in district:  # the hub down: the desk's copy alone
        assert decision(first, last, dob) == "match", first
    assert decision("Ivan", "Petrov", "1969-04-05") == "match"
    assert decision("Jose", "Garcia Marquez", "1971-02-03") == "match"

    hub = _serve(ROOT, db_url, port)
    try:
        _district(
            ROOT,
            db_url,
            "barred",
            "add",
            "--source",
            "District list",
            "--first-name",
            "Nora",
            "--last-name",
            "Newhub",
            "--dob",
            "1975-05-05",
            "--kind",
            "barred",
        )
        listed = subprocess.run(
            [
                sys.executable,
                "-m",
                "frontdesk",
                "district",
                "barred",
                "list",
                "--source",
                "District list",
                "--json",
                "--db",
                db_url,
            ],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        ended = next(e for e in json.loads(listed.stdout) if e["last_name"] == "Ended")
        _district(ROOT, db_url, "barred", "expire", str(ended["id"]))
        desk.ok("sync", "--wait", "10")
        for first, last, dob in [*district[:2], ("Nora", "Newhub", "1975-05-05")]:
            assert decision(first, last, dob) == "match", first
        assert decision("Dana", "Ended", "1977-01-01") == "clear"
    finally:
        _stop(hub)


def test_the_desk_window_says_in_amber_that_its_hub_does_not_share(qtbot, tmp_path, tmp_path_factory, monkeypatch):
    """The hub item's words said it since this session's upgrade red team; the item is also amber (as for a wrong
    clock, session 21) and its tooltip says it first, with what to do: a bar made at this desk does not reach the
    school's other desks. A real hub of the newest release that did not share (a process of that release's tree)
    and a desk of this tree; the window built in this process over the desk's folder."""
    import keyring
    from PySide6.QtGui import QTextDocument

    from frontdesk.context import Services
    from tests.dispatch_keyring import FileKeyring
    from ui.app import build_desk

    tree = release_tree(tmp_path_factory, NOT_SHARING_HUB)
    db_url = f"sqlite:///{tmp_path / 'hub.db'}"
    port = free_port()
    hub = _serve(tree, db_url, port)
    try:
        desk = _Desk(tmp_path / "side")
        for key, value in (("school.name", SCHOOL), ("station.name", "Side entrance desk")):
            desk.ok("config", "set", key, value)
        desk.ok("dispatch", "connect", f"http://127.0.0.1:{port}", stdin=_enroll(tree, db_url, "Side") + "\n")
        desk.ok("sync", "--wait", "0")
    finally:
        _stop(hub)
    monkeypatch.setenv(KEYRING_FILE_ENV, str(desk.folder / "keyring.json"))
    monkeypatch.setenv("FRONTDESK_ALLOW_FILE_KEYRING", "1")
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    services = Services.open(desk.folder / "data")
    try:
        window = build_desk(services)
        qtbot.addWidget(window.window)
        window.hub.refresh()  # what its timer does: the desk's own record of the hub's last answer
        assert window.hub.label.text() == "Hub: in step; its version does not share the school's desks' records"
        assert "#8a5a00" in window.hub.label.styleSheet()
        shown = QTextDocument()
        shown.setHtml(window.hub.label.toolTip())
        assert shown.toPlainText().startswith(
            "The district hub's version does not share this school's desks' records"
        )
        assert "Tell district IT to update the hub" in shown.toPlainText()
    finally:
        services.close()
        keyring.set_keyring(previous)
