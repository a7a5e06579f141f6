"""Nothing a desk sends is lost silently (real hub process, desks as processes; SQLite and PostgreSQL):
a desk restored from an older backup renumbers what it sends instead of having it taken for repeats, and a
change the hub refuses as malformed is parked (visible, audited) while the rest goes on."""

from __future__ import annotations

import json

from frontdesk.sync.client import HubClient
from frontdesk.sync.remote import state_get
from tests.hub_sync_support import SCHOOL, Desk, Hub, exactly_once, hub_on_site


def _check_ins(hub: Hub, desk: Desk, name: str) -> int:
    return hub.count(
        "SELECT COUNT(*) FROM hub_changes WHERE station_id = ? AND kind = 'visit.check_in' AND body LIKE ?",
        [desk.station_id, f'%"name":"{name}"%'],
    )


def test_a_desk_restored_from_an_older_backup_loses_nothing_at_the_hub(hub, tmp_path):
    desk = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    desk.check_in("Avery", "Testwood")
    pending_at_backup = desk.check_in("Casey", "Pending")  # still in the outbox when the backup is taken
    backup = desk.json("backup")["file"]  # type: ignore[index]
    assert desk.sync()["pending"] == 0
    desk.check_in("Blake", "Sample")  # after the backup: the restored desk will not have it
    assert desk.sync()["pending"] == 0

    restored = desk.run("restore", backup)
    assert restored.returncode == 0, restored.stderr
    badge = desk.check_in("Drew", "Newcomer")  # numbers (change and visit) the hub already has for Blake
    assert desk.sync()["pending"] == 0

    assert hub_on_site(hub, SCHOOL) == [
        ("Avery Testwood", "Main office"),
        ("Blake Sample", "Main office"),
        ("Casey Pending", "Main office"),
        ("Drew Newcomer", "Main office"),
    ]
    for name in ("Avery Testwood", "Blake Sample", "Casey Pending", "Drew Newcomer"):
        assert _check_ins(hub, desk, name) == 1, name  # the new visit arrived; nothing earlier doubled
    exactly_once(hub, desk)
    assert pending_at_backup

    # The renumbered visit is still the desk's own: its check-out closes Drew at the hub, not Blake.
    assert desk.run("checkout", badge).returncode == 0
    assert desk.sync()["pending"] == 0
    assert hub_on_site(hub, SCHOOL) == [
        ("Avery Testwood", "Main office"),
        ("Blake Sample", "Main office"),
        ("Casey Pending", "Main office"),
    ]
    # ... and a second restore and check-in still arrives.
    assert desk.run("restore", backup).returncode == 0
    desk.check_in("Emery", "Later")
    assert desk.sync()["pending"] == 0
    assert _check_ins(hub, desk, "Emery Later") == 1
    assert ("Emery Later", "Main office") in hub_on_site(hub, SCHOOL)
    services = desk.services()
    try:
        actions = [r.action for r in services.audit.records()]
        restored = state_get(services.store.db, "restored")
    finally:
        services.close()
    assert "sync.renumbered" in actions
    assert restored is False  # pulls waited for a push after the restore; that is settled now


def test_a_change_the_hub_refuses_is_parked_and_the_rest_goes_up(hub, tmp_path):
    desk = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    desk.check_in("Avery", "Testwood")
    services = desk.services()
    try:  # an audited change too large for the hub (400): it must not hold up what follows
        services.audit.record(None, "settings.change", "huge", {"text": "x" * 70_000})
    finally:
        services.close()
    desk.check_in("Blake", "Sample")
    done = desk.sync()
    assert done["pending"] == 0, done
    assert hub_on_site(hub, SCHOOL) == [("Avery Testwood", "Main office"), ("Blake Sample", "Main office")]

    status = desk.run("sync", "status")
    assert status.returncode == 0
    assert "1 change refused" in status.stdout and "parked" in status.stdout and "settings.change" in status.stdout
    status = json.loads(desk.run("sync", "status", "--json").stdout)
    assert set(status) == {"pending", "last_sync", "lists_as_of", "clock_off_s", "hub_shares", "older_desks"}
    services = desk.services()
    try:
        assert services.sync.status().words == "Hub: 1 change refused (see sync status)"
        parked = [r for r in services.audit.records() if r.action == "sync.parked"]
    finally:
        services.close()
    assert len(parked) == 1 and "larger than" in parked[0].details["reason"]
    # Later changes keep flowing.
    desk.check_in("Casey", "Later")
    assert desk.sync()["pending"] == 0
    assert ("Casey Later", "Main office") in hub_on_site(hub, SCHOOL)


def test_a_restored_desk_still_lists_and_checks_out_who_it_checked_in_after_its_backup(hub, tmp_path):
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    main.check_in("Avery", "Testwood")
    casey = main.check_in("Casey", "Early")
    backup = main.json("backup")["file"]  # type: ignore[index]
    blake = main.check_in("Blake", "Sample")  # after the backup: the restored desk no longer has the visit
    assert main.run("checkout", casey).returncode == 0  # ... nor this check-out: Casey has left
    assert main.sync()["pending"] == 0
    side.sync()

    assert main.run("restore", backup).returncode == 0
    main.check_in("Drew", "Newcomer")  # takes Blake's visit number here (renumbered for the hub)
    main.sync()
    # Blake is still in the building: on the list (and roster) of the desk where they came in, as everywhere;
    # Casey is not.
    everyone = [
        ("Avery Testwood", "Main office"),
        ("Blake Sample", "Main office"),
        ("Drew Newcomer", "Main office"),
    ]
    assert hub_on_site(hub, SCHOOL) == everyone
    assert main.on_site() == everyone
    # ... and they hand their badge in where they came in.
    out = main.run("checkout", blake)
    assert out.returncode == 0, out.stderr
    main.sync()
    side.sync()
    left = [("Avery Testwood", "Main office"), ("Drew Newcomer", "Main office")]
    assert hub_on_site(hub, SCHOOL) == left
    assert main.on_site() == left
    assert side.on_site() == left
    exactly_once(hub, main)


def test_a_pull_before_the_renumbering_push_never_closes_the_visit_that_took_a_lost_ones_number(hub, tmp_path):
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    main.check_in("Avery", "Testwood")
    backup = main.json("backup")["file"]  # type: ignore[index]
    blake = main.check_in("Blake", "Sample")  # lost to the restore below
    main.sync()
    side.sync()
    assert main.run("restore", backup).returncode == 0
    main.sync()
    main.check_in("Drew", "Newcomer")  # Blake's visit number here; not pushed yet (so not renumbered yet)
    assert side.run("checkout", blake).returncode == 0  # Blake leaves by the side entrance
    side.sync()
    services = main.services()
    try:  # the desk app's puller goes before its pusher has sent Drew
        credential = next(iter(json.loads((main.folder / "keyring.json").read_text()).values()))
        client = HubClient([hub.url], credential)
        try:
            services.sync.round(client, push=False)
        finally:
            client.close()
    finally:
        services.close()
    main.sync()
    side.sync()
    here = [("Avery Testwood", "Main office"), ("Drew Newcomer", "Main office")]
    assert hub_on_site(hub, SCHOOL) == here
    assert main.on_site() == here  # Drew is not closed as if Blake's check-out were Drew's
    assert side.on_site() == here
