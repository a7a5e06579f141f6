"""A desk enrolled again under a new identity (a replaced PC restored from its backup and connected with a new
credential, or a credential revoked and issued again) leaves none of its visitors on site by mistake (real hub
process on loopback, desks as ``frontdesk`` processes; SQLite and PostgreSQL).

Before, its visits stayed under the old station at the hub: a check-out made after the new ``dispatch connect``
went up under the new station and closed nothing, so the visitor stayed on site at the hub and at every other
desk for ever, and the desk's own visits came back down to it as another desk's. Now the desk notices that its
station changed, closes its visits under the old one at the hub and sends those still here under the new one;
its visits under the old station are its own at every pull.
"""

from __future__ import annotations

import subprocess
import sys

from tests.hub_sync_support import SCHOOL, Desk, Hub, hub_on_site


def _connect_again(hub: Hub, desk: Desk) -> str:
    """District IT enrols the desk again and it is connected with the new credential (as school IT would)."""
    station_id, credential = hub.enroll(SCHOOL, desk.name)
    done = subprocess.run(
        [sys.executable, "-m", "frontdesk", "dispatch", "connect", hub.url],
        env=desk.env,
        input=credential + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    desk.station_id = station_id
    return station_id


def test_a_desk_connected_again_under_a_new_identity_leaves_no_visitor_on_site_by_mistake(hub, tmp_path):
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side door").set_up(hub, SCHOOL)
    avery = main.check_in("Avery", "Testwood")
    blair = main.check_in("Blair", "Stays")
    main.sync()
    side.sync()
    old = main.station_id
    assert _connect_again(hub, main) != old

    assert main.run("checkout", avery).returncode == 0  # after the new connect: goes up under the new station
    main.sync()
    side.sync()
    still = [("Blair Stays", "Main office")]
    assert hub_on_site(hub, SCHOOL) == still
    assert side.on_site() == still
    assert main.on_site() == still  # never twice (its own, and a copy come down as another desk's)

    assert main.run("checkout", blair).returncode == 0
    main.sync()
    side.sync()
    assert hub_on_site(hub, SCHOOL) == []
    assert side.on_site() == []
    assert main.on_site() == []
    # Visitors checked in under the new station come and go as any.
    cody = main.check_in("Cody", "Newer")
    main.sync()
    side.sync()
    assert side.on_site() == [("Cody Newer", "Main office")]
    assert main.run("checkout", cody).returncode == 0
    main.sync()
    side.sync()
    assert side.on_site() == [] and hub_on_site(hub, SCHOOL) == []


def test_a_visitor_checked_out_at_another_desk_under_the_old_station_is_not_back_on_site(hub, tmp_path):
    """The side door checks Blair out (the copy under the main office's old station) after the main office was
    enrolled again but before it next synced: the main office's move sends Blair under its new station, and
    must close that copy too once it learns of the side door's check-out."""
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side door").set_up(hub, SCHOOL)
    blair = main.check_in("Blair", "Leaves")
    main.sync()
    side.sync()
    _connect_again(hub, main)
    assert side.run("checkout", blair).returncode == 0  # at the side door, before the main office syncs again
    side.sync()
    main.sync()
    main.sync()  # its pull learnt of the side door's check-out: the copy under the new station goes too
    side.sync()
    assert hub_on_site(hub, SCHOOL) == []
    assert side.on_site() == []
    assert main.on_site() == []
