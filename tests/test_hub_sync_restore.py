"""A district hub restored from an older copy of its database loses no visit, and every desk of the school
sees every visitor again (real hub process on loopback, desks as ``frontdesk`` processes; SQLite and PostgreSQL).

The hub is stopped, its database copied (a copy of the file, or ``pg_dump``), run on, stopped and put back
from the copy (the file copied back, or ``pg_restore``), as district IT would after a disk failure. Before,
the restored hub had lost what it had acknowledged (a visitor still in the building gone from the school's
list, a visitor who left shown on site for ever at another desk), and the other desks' pull cursors ran
ahead of its numbers, so they skipped new visits (a visitor checked in after the restore missing at the side
door). Now a desk that finds the hub holding fewer of its changes than it acknowledged sends again what the
hub lacks (:meth:`frontdesk.sync.service.SyncService.push`), and a desk whose cursor names a push the hub no
longer holds goes back to the newest one it does (``after_mark``).
"""

from __future__ import annotations

from pathlib import Path

from frontdesk import clock
from frontdesk.wire.sync import VISIT_KINDS
from tests.hub_sync_support import SCHOOL, Desk, Hub, backup_db, bar_barredman, hub_on_site, restore_db


def _restart_from(hub: Hub, copy: Path) -> None:
    hub.kill()
    restore_db(hub.db_url, copy)
    hub.start()


def _backed_up(hub: Hub, tmp_path: Path) -> tuple[Desk, Desk]:
    """The main office and the side door of the school, Avery checked in at the main office and on both desks'
    lists; then the night's backup of the hub (stopped, copied, started again)."""
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side door").set_up(hub, SCHOOL)
    main.check_in("Avery", "Testwood")
    main.sync()
    side.sync()
    hub.kill()
    backup_db(hub.db_url, tmp_path / "hub-backup")
    hub.start()
    return main, side


def _others(desk: Desk) -> set[tuple[str, str, str]]:
    """``(action, subject, time)`` of the desk's audit records that go up as they are, from its link to the hub on
    (not its visits, which go up as the visit is, nor sync's own bookkeeping; a desk keeps no outbox before)."""
    services = desk.services()
    try:
        records = services.audit.records(limit=None, newest_first=False)
        linked = next(r.seq for r in records if r.action == "settings.change" and r.subject == "dispatch.url")
        return {
            (r.action, r.subject, clock.to_db(r.time))
            for r in records
            if r.seq > linked and r.action not in VISIT_KINDS and not r.action.startswith("sync.")
        }
    finally:
        services.close()


def _at_hub(hub: Hub, desk: Desk) -> set[tuple[str, str, str]]:
    from district.console.db import Database

    db = Database(hub.db_url)
    try:
        return {
            (r[0], r[1], r[2])
            for r in db.read().all(
                "SELECT kind, subject, made_at FROM hub_changes WHERE station_id = ?", [desk.station_id]
            )
        }
    finally:
        db.close()


def _actions(desk: Desk) -> list[str]:
    services = desk.services()
    try:
        return [r.action for r in services.audit.records()]
    finally:
        services.close()


def test_a_hub_restored_from_an_older_copy_loses_no_visit_and_every_desk_lists_everyone(hub, tmp_path):
    main, side = _backed_up(hub, tmp_path)

    blake = main.check_in("Blake", "Sample")
    main.check_in("Casey", "Example")
    main.sync()
    side.sync()
    assert side.on_site() == [
        ("Avery Testwood", "Main office"),
        ("Blake Sample", "Main office"),
        ("Casey Example", "Main office"),
    ]
    _restart_from(hub, tmp_path / "hub-backup")  # the hub's disk failed; last night's copy put back

    main.check_in("Drew", "After")
    assert main.run("checkout", blake).returncode == 0
    main.sync()
    side.sync()
    everyone = [
        ("Avery Testwood", "Main office"),
        ("Casey Example", "Main office"),  # still in the building: sent again to the hub
        ("Drew After", "Main office"),  # checked in after the restore: listed at the side door too
    ]  # Blake left: closed at the hub and at the side door, never shown on site again
    assert hub_on_site(hub, SCHOOL) == everyone
    assert main.on_site() == everyone
    assert side.on_site() == everyone
    assert "sync.hub_behind" in _actions(main)
    assert "sync.cursor_rewound" in _actions(side)
    assert hub.count("SELECT COUNT(*) FROM log WHERE kind = 'sync_hub_behind'") == 1  # district IT is told
    # Blake's visit is in the hub's log again, closed (the district's review keeps it).
    assert (
        hub.count("SELECT COUNT(*) FROM hub_visits WHERE name = 'Blake Sample' AND checked_out_at IS NOT NULL")
        == 1
    )
    # And the district's copy of the main office's trail has every other record it made, those the hub lost too.
    assert _others(main) <= _at_hub(hub, main) and len(_others(main)) > 3


def test_a_desk_that_pulls_first_after_the_restore_still_gets_every_later_visit(hub, tmp_path):
    """The side door asks before anything new reaches the restored hub, then the main office pushes many
    visits, past the side door's old cursor: the side door must not skip them."""
    main, side = _backed_up(hub, tmp_path)
    for n in range(3):
        main.check_in("Lost", f"Visitor{n}")
        main.sync()  # one push each: three numbers the restored hub gives again
    side.sync()
    _restart_from(hub, tmp_path / "hub-backup")

    side.sync()  # its cursor is past everything the restored hub holds
    for n in range(5):  # new visits, one push each, numbered past the side door's old cursor
        main.check_in("New", f"Visitor{n}")
        main.sync()
    side.sync()
    listed = {name for name, _ in side.on_site()}
    assert {f"New Visitor{n}" for n in range(5)} <= listed
    assert {f"Lost Visitor{n}" for n in range(3)} <= listed  # sent again by the main office
    assert "sync.cursor_rewound" in _actions(side)
    assert hub.count("SELECT COUNT(*) FROM log WHERE kind = 'sync_cursor_unknown'") >= 1  # district IT is told


def test_a_bar_the_restored_hub_lost_still_reaches_a_desk_that_had_not_pulled_it(hub, tmp_path):
    """Barred at the main office after the hub's backup; the side door was offline then; the hub is restored
    from the backup (the bar is gone there): the side door still refuses him once it is back."""
    main, side = _backed_up(hub, tmp_path)

    bar_barredman(main)
    assert main.sync()["pending"] == 0  # at the hub; the side door is offline and does not pull it
    _restart_from(hub, tmp_path / "hub-backup")

    main.check_in("Drew", "After")  # the main office's next push finds the hub behind
    assert main.sync()["pending"] == 0
    side.sync()
    at_side = side.run("checkin", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "1980-03-14")
    assert at_side.returncode in (3, 4), at_side.stdout + at_side.stderr  # refused (or held for a decision)
    assert ("Drew After", "Main office") in side.on_site()
