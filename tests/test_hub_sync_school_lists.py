"""A school's own lists reach every desk of the school through a real hub process on loopback (SQLite and
PostgreSQL): an entry added, edited, ended or removed at one desk is screened so at the others, another
school's desks never see it, and two desks changing one entry at once end alike, on the safe side."""

from __future__ import annotations

import time
from datetime import date, timedelta

import keyring

from frontdesk import clock
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from tests.dispatch_keyring import KEYRING_FILE_ENV, FileKeyring
from tests.hub_sync_support import SCHOOL, Desk, bar_barredman


def _check_in(desk: Desk, first: str, last: str, dob: str):
    return desk.run("checkin", "--first-name", first, "--last-name", last, "--dob", dob)


BARRED = ("Office barred list", "barred")


def _entries(desk: Desk, name: str) -> list[tuple]:
    """(list, kind, name, dob, valid_until) of the desk's entries found by ``name``."""
    services = desk.services()
    try:
        found = services.lists.search(name, limit=10_000)
        return sorted(
            (e.source, e.kind.value, e.full_name, e.dob.text, e.valid_until and e.valid_until.isoformat())
            for e in found
        )
    finally:
        services.close()


def _entry_id(desk: Desk, name: str) -> int:
    services = desk.services()
    try:
        (entry,) = services.lists.search(name)
        return entry.id
    finally:
        services.close()


def test_an_entry_added_edited_and_removed_at_one_desk_is_screened_so_at_the_other(hub, tmp_path):
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    other = Desk(tmp_path / "other", "Front").set_up(hub, "Oak Hill Middle")

    bar_barredman(main)
    assert main.sync()["pending"] == 0
    side.sync()
    other.sync()
    # Barred at the main office: the side entrance does not admit him either (and says why, as for its own).
    at_side = _check_in(side, "Robert", "Barredman", "1980-03-14")
    assert at_side.returncode in (3, 4), at_side.stderr
    assert _entries(side, "Barredman") == [
        ("Office barred list", "barred", "Robert Barredman", "1980-03-14", None)
    ]
    assert _entries(other, "Barredman") == []  # another school's lists are its own
    # One with no date of birth known, and an alias, goes across just the same.
    main.json("barred", "add", "--source", "Office barred list", "--first-name", "Nodate",
              "--last-name", "Personne", "--alias", "Nod Person", "--kind", "barred")  # fmt: skip
    main.sync()
    side.sync()
    assert _entries(side, "Personne") == [(*BARRED, "Nodate Personne", None, None)]
    assert _check_in(other, "Robert", "Barredman", "1980-03-14").returncode == 0

    # Edited at the main office (he gave another date of birth at the last visit): the side screens the edit.
    services = main.services()
    try:
        entry = services.lists.get(_entry_id(main, "Barredman"))
        services.lists.update(
            entry.id,
            NewEntry("Robert", "Barredman", dob=parse_dob("1980-04-14"), kind=Kind.BARRED, reason=entry.reason),
        )
    finally:
        services.close()
    main.sync()
    side.sync()
    assert _entries(side, "Barredman") == [
        ("Office barred list", "barred", "Robert Barredman", "1980-04-14", None)
    ]
    assert _check_in(side, "Robert", "Barredman", "1980-04-14").returncode in (3, 4)

    # Removed at the side entrance this time: the main office lets him in again, and so does the side.
    removed = side.run("barred", "remove", str(_entry_id(side, "Barredman")))
    assert removed.returncode == 0, removed.stderr
    side.sync()
    main.sync()
    assert _entries(main, "Barredman") == []
    assert _check_in(main, "Robert", "Barredman", "1980-04-14").returncode == 0
    # Each desk's audit trail still verifies: what came from the hub is recorded and covered there.
    for desk in (main, side):
        verified = desk.run("audit", "verify")
        assert verified.returncode == 0, (desk.name, verified.stdout, verified.stderr)


def test_an_entry_ended_at_one_desk_ends_at_the_other(hub, tmp_path):
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    side.json(
        "barred", "add", "--source", "Office watch list", "--first-name", "Wanda", "--last-name", "Watchley",
        "--dob", "1975-06-01", "--kind", "barred",
    )  # fmt: skip
    side.sync()
    main.sync()
    assert _check_in(main, "Wanda", "Watchley", "1975-06-01").returncode in (3, 4)
    services = side.services()
    try:
        services.lists.expire(_entry_id(side, "Watchley"))
    finally:
        services.close()
    side.sync()
    main.sync()
    yesterday = (clock.now().astimezone().date() - timedelta(days=1)).isoformat()
    assert [e[4] for e in _entries(main, "Watchley")] == [yesterday]
    assert _check_in(main, "Wanda", "Watchley", "1975-06-01").returncode == 0


def test_two_desks_changing_one_entry_at_once_end_alike_and_the_bar_stays(hub, tmp_path):
    """The safe side wins: one desk removes an entry while the other edits it (neither has the other's
    change yet). Both end with the entry in force, as edited; two edits at once end alike at both desks."""
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    main.json(
        "barred", "add", "--source", "Office barred list", "--first-name", "Carl", "--last-name", "Conflicto",
        "--dob", "1970-01-01", "--kind", "barred",
    )  # fmt: skip
    main.sync()
    side.sync()
    # Offline from each other: the main office removes him, the side entrance extends his bar.
    assert main.run("barred", "remove", str(_entry_id(main, "Conflicto"))).returncode == 0
    services = side.services()
    try:
        entry = services.lists.get(_entry_id(side, "Conflicto"))
        until = date.today() + timedelta(days=365)
        services.lists.update(
            entry.id,
            NewEntry("Carl", "Conflicto", dob=parse_dob("1970-01-01"), kind=Kind.BARRED, valid_until=until),
        )
    finally:
        services.close()
    main.sync()
    side.sync()
    main.sync()
    expected = [("Office barred list", "barred", "Carl Conflicto", "1970-01-01", until.isoformat())]
    assert _entries(main, "Conflicto") == _entries(side, "Conflicto") == expected
    assert _check_in(main, "Carl", "Conflicto", "1970-01-01").returncode in (3, 4)

    # Two edits at once (two reasons): both desks keep the same one.
    for desk, reason in ((main, "Reason from main"), (side, "Reason from side")):
        services = desk.services()
        try:
            entry = services.lists.get(_entry_id(desk, "Conflicto"))
            services.lists.update(
                entry.id,
                NewEntry("Carl", "Conflicto", dob=parse_dob("1970-01-01"), kind=Kind.BARRED, reason=reason),
            )
        finally:
            services.close()
    main.sync()
    side.sync()
    main.sync()
    reasons = []
    for desk in (main, side):
        services = desk.services()
        try:
            reasons.append(services.lists.get(_entry_id(desk, "Conflicto")).reason)
        finally:
            services.close()
    assert reasons[0] == reasons[1] and reasons[0] in ("Reason from main", "Reason from side")


def test_a_list_imported_replaced_and_removed_at_one_desk_is_so_at_the_other(hub, tmp_path):
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    first = tmp_path / "first.csv"
    first.write_text(
        "first_name,last_name,dob,reason\nRobert,Smith,1980-03-14,Trespass\nJordan,Exampleton,1975-02-02,Order\n"
        + "".join(f"Person{i},Manyrows,1970-01-{i % 28 + 1:02d},x\n" for i in range(250)),  # three parts
        encoding="utf-8",
    )
    done = main.run("barred", "import", str(first), "--source", "Office import", "--kind", "barred")
    assert done.returncode == 0, done.stderr
    main.sync()
    side.sync()
    assert [e[2] for e in _entries(side, "Smith")] == ["Robert Smith"]
    assert len(_entries(side, "Manyrows")) == 250
    assert _check_in(side, "Jordan", "Exampleton", "1975-02-02").returncode in (3, 4)

    # Replaced at the main office by a file without Jordan and with Dana: the side entrance follows.
    second = tmp_path / "second.csv"
    second.write_text(
        "first_name,last_name,dob\nRobert,Smith,1980-03-14\nDana,Cole,1981-01-01\n", encoding="utf-8"
    )
    done = main.run("barred", "import", str(second), "--source", "Office import", "--replace", "--allow-shrink")
    assert done.returncode == 0, done.stderr
    main.sync()
    side.sync()
    assert _entries(side, "Exampleton") == [] and _entries(side, "Manyrows") == []
    assert [e[2] for e in _entries(side, "Cole")] == ["Dana Cole"]
    assert [e[2] for e in _entries(side, "Smith")] == ["Robert Smith"]
    assert _check_in(side, "Dana", "Cole", "1981-01-01").returncode in (3, 4)
    assert _check_in(side, "Jordan", "Exampleton", "1975-02-02").returncode == 0

    # The whole list removed at the side entrance: gone at the main office too.
    done = side.run("barred", "remove", "--source", "Office import")
    assert done.returncode == 0, done.stderr
    side.sync()
    main.sync()
    assert _entries(main, "Smith") == [] and _entries(main, "Cole") == []
    assert "Office import" not in main.run("barred", "list").stdout
    assert _check_in(main, "Dana", "Cole", "1981-01-01").returncode == 0
    for desk in (main, side):
        verified = desk.run("audit", "verify")
        assert verified.returncode == 0, (desk.name, verified.stdout, verified.stderr)


def test_a_desk_running_takes_another_desks_bar_by_its_own_long_poll(hub, tmp_path, monkeypatch):
    """The desk app's background sync (its long poll, woken by the other desk's push) files the entry: nobody
    runs 'frontdesk sync' at the side entrance."""
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    monkeypatch.setenv(KEYRING_FILE_ENV, str(side.folder / "keyring.json"))  # the side's credential, here
    monkeypatch.setenv("FRONTDESK_ALLOW_FILE_KEYRING", "1")
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    services = side.services()
    background = services.sync.background()
    background.start()
    try:
        main.json(
            "barred", "add", "--source", "Office barred list", "--first-name", "Robert", "--last-name",
            "Barredman", "--dob", "1980-03-14", "--kind", "barred",
        )  # fmt: skip
        main.sync()
        deadline = time.monotonic() + 120  # a bound for a stuck sync, not a speed: it waits for the entry
        while not services.lists.search("Barredman") and time.monotonic() < deadline:
            services.sync.changed.wait(1)
            services.sync.changed.clear()
        assert [e.full_name for e in services.lists.search("Barredman")] == ["Robert Barredman"]
    finally:
        background.stop()
        services.close()
        keyring.set_keyring(previous)
