"""The hub and its desks under faults, each desk a separate ``frontdesk`` process and the hub a real process
on loopback (SQLite and a throw-away PostgreSQL): after the hub returns, every change arrives exactly once,
the school's on-site list is the same at every desk and at the hub, and nothing acknowledged is lost."""

from __future__ import annotations

import time

from frontdesk.models import Visitor
from tests.dispatch_station_support import LossyProxy
from tests.hub_sync_support import SCHOOL, Desk, Hub, exactly_once, hub_on_site


def _admit(desk: Desk, names: list[tuple[str, str]], out: list[str] = ()) -> list[str]:
    """Check these visitors in at ``desk`` (in this process, quickly), then check out the badges in ``out``."""
    services = desk.services()
    try:
        badges = [services.checkin.admit(Visitor(first, last)).badge_code for first, last in names]
        for code in out:
            services.visits.check_out(code)
        return badges
    finally:
        services.close()


def _agree(hub: Hub, desks: list[Desk]) -> list[tuple[str, str]]:
    lists = [d.on_site() for d in desks]
    at_hub = hub_on_site(hub, SCHOOL)
    for desk, listed in zip(desks, lists, strict=True):
        assert listed == at_hub, (desk.name, listed, at_hub)
    return at_hub


def test_hub_down_for_the_day_while_three_desks_check_visitors_in_and_out(hub, tmp_path):
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    gym = Desk(tmp_path / "gym", "Gym door").set_up(hub, SCHOOL)
    desks = [main, side, gym]
    avery = main.check_in("Avery", "Testwood")
    for desk in desks:
        desk.sync()
    hub.kill()
    # The day without the hub: each desk keeps checking people in and out on its own.
    early = _admit(main, [("Casey", "Example"), ("Drew", "Sample"), ("Emery", "Demo")])
    _admit(main, [], out=[early[0]])
    _admit(side, [("Finley", "Testcase"), ("Gray", "Mockwell")], out=[avery])  # Avery leaves by the side door
    _admit(gym, [("Harper", "Fixture")])
    assert main.run("checkout", avery).returncode == 0  # … and the main office checks Avery out as well
    for desk in desks:
        assert desk.run("sync", "--wait", "0").returncode == 3  # not in step: nothing lost, kept
    hub.start()
    for _ in range(2):  # a second round brings each desk what the others pushed after its own pull
        for desk in desks:
            desk.sync()
    for desk in desks:
        exactly_once(hub, desk)
        assert desk.pending() == 0
    listed = _agree(hub, desks)
    assert ("Avery Testwood", "Main office") not in listed and ("Casey Example", "Main office") not in listed
    assert ("Harper Fixture", "Gym door") in listed and len(listed) == 5
    # Avery's two check-outs are one at the hub: the first to arrive stands.
    assert (
        hub.count("SELECT COUNT(*) FROM hub_visits WHERE name = 'Avery Testwood' AND checked_out_at IS NOT NULL")
        == 1
    )


def test_replies_lost_on_the_way_back_are_sent_again_and_stored_once(hub, tmp_path):
    proxy = LossyProxy(hub.port, drop=2, request=b"POST /api/v1/sync/push")
    try:
        main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL, url=proxy.url)
        side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
        _admit(main, [("Avery", "Testwood"), ("Blake", "Sample")])
        main.sync()
        assert proxy.dropped == 2
        side.sync()
        exactly_once(hub, main)
        assert _agree(hub, [main, side]) == [("Avery Testwood", "Main office"), ("Blake Sample", "Main office")]
    finally:
        proxy.close()


def _wait_for(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_desk_killed_mid_push_sends_the_rest_once_when_it_starts_again(hub, tmp_path):
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    _admit(main, [(f"Visitor{i:03d}", "Testwood") for i in range(450)])  # several pushes' worth
    pushing = main.popen("sync", "--wait", "60")
    _wait_for(lambda: hub.count("SELECT COUNT(*) FROM hub_changes") > 0)
    pushing.kill()  # SIGKILL, wherever it was
    pushing.wait()
    main.sync()
    side.sync()
    exactly_once(hub, main)
    assert len(_agree(hub, [main, side])) == 450


def test_the_hub_killed_mid_sync_and_restarted(hub, tmp_path):
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    _admit(main, [(f"Visitor{i:03d}", "Sample") for i in range(450)])
    pushing = main.popen("sync", "--wait", "90", "--json")
    _wait_for(lambda: hub.count("SELECT COUNT(*) FROM hub_changes") > 0)
    hub.kill()
    time.sleep(1)
    hub.start()
    out, err = pushing.communicate(timeout=120)
    assert pushing.returncode == 0, (out, err)
    side.sync()
    exactly_once(hub, main)
    assert len(_agree(hub, [main, side])) == 450


def test_desks_with_clocks_ten_minutes_apart(hub, tmp_path):
    ahead = Desk(tmp_path / "ahead", "Main office", clock_offset=600).set_up(hub, SCHOOL)
    behind = Desk(tmp_path / "behind", "Side entrance", clock_offset=-600).set_up(hub, SCHOOL)
    avery = ahead.check_in("Avery", "Testwood")
    behind.check_in("Blake", "Sample")
    ahead.sync()
    behind.sync()
    ahead.sync()
    # Checked out at the desk whose clock says it is 20 minutes before Avery came in: still one check-out.
    assert behind.run("checkout", avery).returncode == 0
    behind.sync()
    ahead.sync()
    exactly_once(hub, ahead)
    exactly_once(hub, behind)
    assert _agree(hub, [ahead, behind]) == [("Blake Sample", "Side entrance")]


def test_two_hubs_on_one_postgresql_a_desk_fails_over(postgres_server, tmp_path):
    import uuid

    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{postgres_server}?options=-csearch_path%3D{schema}"
    east, west = Hub(url).start(), Hub(url).start()
    try:
        main = Desk(tmp_path / "main", "Main office").set_up(east, SCHOOL, urls=west.url)
        side = Desk(tmp_path / "side", "Side entrance").set_up(west, SCHOOL)
        main.check_in("Avery", "Testwood")
        main.sync()
        east.kill()  # the desk's own hub goes away: it carries on with the other
        main.check_in("Blake", "Sample")
        assert main.sync()["pending"] == 0
        side.sync()
        exactly_once(west, main)
        assert _agree(west, [main, side]) == [("Avery Testwood", "Main office"), ("Blake Sample", "Main office")]
    finally:
        east.kill()
        west.kill()
