"""Two and three desks of one school through a real hub process on loopback (SQLite and PostgreSQL): one
on-site list, check-out at any desk, "already on site" across desks, ``frontdesk sync`` and its exit codes."""

from __future__ import annotations

import json

from frontdesk.kiosk.service import CheckedOut
from tests.hub_sync_support import SCHOOL, Desk
from tests.pdf_text import pdf_text


def test_a_visitor_at_one_desk_is_on_the_other_desks_list_and_leaves_at_either(hub, tmp_path):
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    other = Desk(tmp_path / "other", "Front").set_up(hub, "Oak Hill Middle")

    badge = main.check_in("Avery", "Testwood", "--dob", "1980-02-03")
    side.check_in("Blake", "Sample")
    assert main.sync()["pending"] == 0
    pulled = side.sync()
    assert pulled["pending"] == 0 and pulled["pulled"] >= 1 and pulled["last_sync"]
    main.sync()
    other.sync()
    both = [("Avery Testwood", "Main office"), ("Blake Sample", "Side entrance")]
    assert main.on_site() == both
    assert side.on_site() == both
    assert other.on_site() == []  # another school's desk sees none of it

    # The same person at the other desk: "already on site" there too (one line, exit 2).
    again = side.run("checkin", "--first-name", "Avery", "--last-name", "Testwood", "--dob", "1980-02-03")
    assert again.returncode == 2 and "already on site" in again.stderr and "Main office" in again.stderr

    # Checked out at the side entrance; the main office learns it; a second check-out there is refused.
    out = side.run("checkout", badge, "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["time_out"]
    side.sync()
    main.sync()
    assert main.on_site() == [("Blake Sample", "Side entrance")]
    assert side.on_site() == [("Blake Sample", "Side entrance")]
    twice = main.run("checkout", badge)
    assert twice.returncode == 2 and "already checked out" in twice.stderr
    assert hub.count("SELECT COUNT(*) FROM hub_visits WHERE checked_out_at IS NOT NULL") == 1

    status = json.loads(main.run("sync", "status", "--json").stdout)
    assert (
        set(status) == {"pending", "last_sync", "lists_as_of", "clock_off_s", "hub_shares", "older_desks"}
        and status["pending"] == 0
    )
    assert status["clock_off_s"] is None  # this desk's clock agrees with the hub's
    assert status["hub_shares"] is True  # this hub gives the school's shared records


def test_a_visitor_who_came_in_at_another_desk_checks_out_at_this_desks_kiosk(hub, tmp_path):
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    badge = main.check_in("Avery", "Testwood")
    main.sync()
    side.sync()
    services = side.services()
    try:  # Avery leaves by the side entrance and scans the badge at its kiosk
        done = services.kiosk.scan(badge)
    finally:
        services.close()
    assert isinstance(done, CheckedOut) and done.visit.visitor.full_name == "Avery Testwood"
    side.sync()
    main.sync()
    assert main.on_site() == side.on_site() == []
    assert hub.count("SELECT COUNT(*) FROM hub_visits WHERE checked_out_at IS NULL") == 0


def test_sync_exit_codes(hub, tmp_path):
    desk = Desk(tmp_path / "desk", "Main office").set_up(hub, SCHOOL)
    desk.check_in("Avery", "Testwood")
    hub.kill()
    late = desk.run("sync", "--wait", "1", "--json")
    assert late.returncode == 3, late.stderr
    assert json.loads(late.stdout)["pending"] >= 1  # nothing lost
    hub.start()
    assert desk.sync()["pending"] == 0
    (desk.folder / "keyring.json").write_text(json.dumps({"FrontDesk dispatch\nstation": "fdst_not_valid"}))
    bad = desk.run("sync", "--wait", "5")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr


def test_the_roster_has_every_desks_visitors_and_says_what_it_may_miss_offline(hub, tmp_path):
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    main.check_in("Avery", "Testwood")
    main.sync()
    side.check_in("Blake", "Sample")
    side.sync()
    roster = tmp_path / "roster.pdf"
    assert side.run("roster", "--out", str(roster)).returncode == 0
    text = pdf_text(roster)
    assert "Avery Testwood" in text and "Main office" in text and "Blake Sample" in text
    assert "may be missing" not in text
    hub.kill()
    assert side.run("sync", "--wait", "0").returncode == 3
    assert side.run("roster", "--out", str(roster)).returncode == 0
    text = pdf_text(roster)
    assert "Avery Testwood" in text and "may be missing" in text and "Main office" in text
