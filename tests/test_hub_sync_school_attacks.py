"""The school's shared records attacked from outside and by careless use (red team, session 21): through a real
hub process on loopback (SQLite and PostgreSQL) and desks' data folders whose commands run as real processes,
a desk whose clock is a day off, another school's desk credential, a desk restored from its own older backup, a
change another desk cannot read, and a release kept while a desk waits for its roster never let a child out
twice or wrongly, a bar be lost, or the school's sharing stop."""

from __future__ import annotations

import json

import pytest

from frontdesk.demo.oneroster import write_bundle
from frontdesk.sync.client import HubClient
from tests.hub_sync_support import (
    SCHOOL,
    Desk,
    Hub,
    backup_db,
    bar_barredman,
    restore_db,
    students_out,
    with_roster,
)
from tests.hub_sync_support import release as _release
from tests.hub_sync_support import student as _student

OTHER_SCHOOL = "Oak Hill Middle"


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sis") / "bundle"
    return folder, write_bundle(folder)


@pytest.mark.parametrize("skewed", ["main", "side"])
def test_a_child_released_at_a_desk_whose_clock_is_a_day_off_is_out_at_every_desk(hub, tmp_path, roster, skewed):
    """The side entrance's PC lost a day (a dead clock battery; a date typed wrong): a child released at either
    desk is signed out at both, never released a second time at the other, and off both desks' rosters."""
    main = with_roster(Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL), roster)
    side = with_roster(
        Desk(tmp_path / "side", "Side entrance", clock_offset=-26 * 3600).set_up(hub, SCHOOL), roster
    )
    for desk in (main, side, main):
        desk.sync()
    # The side entrance says its clock is wrong (sync status, the event log, the audit trail); the main office not.
    assert main.json("sync", "status")["clock_off_s"] is None
    off = side.json("sync", "status")["clock_off_s"]
    assert abs(off - 26 * 3600) < 60, off
    services = side.services()
    try:
        assert any("clock is 1 day 2 hours behind" in e.message for e in services.events.recent(50))
        assert services.store.db.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'sync.clock_off'"
        ).fetchone()[0]
    finally:
        services.close()
    number, guardian = _student(roster[1], "stu-00150")
    at, other = (main, side) if skewed == "main" else (side, main)
    code, out = _release(at, number, guardian)
    assert code == 0 and out["released"], out
    at.sync()
    other.sync()
    assert students_out(other) == [number], other.name
    twice = other.run("students", "release", number, "--to", guardian, "--reason", "Dentist")
    assert twice.returncode == 2 and "already signed out" in twice.stderr, (twice.stdout, twice.stderr)
    # Back through the other desk: back in at both.
    back = other.run("students", "return", number, "--json")
    assert back.returncode == 0, back.stderr
    other.sync()
    at.sync()
    assert students_out(at) == [] and students_out(other) == []


def test_another_schools_desk_can_neither_read_nor_undo_this_schools_decisions(hub, tmp_path, roster):
    """A desk credential of another school pulls from the start and pushes a removal of this school's bar with
    its uid and version, as this school's desks would: it reads nothing of this school, and the bar stands."""
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    bar_barredman(main)
    main.sync()
    side.sync()
    station_id, credential = hub.enroll(OTHER_SCHOOL, "Front")
    client = HubClient([hub.url], credential)
    try:
        answer = client.get_json("/api/v1/sync/pull", {"after": 0, "shared": 0, "own": 1})
        assert answer["shared"] == [] and answer["visits"] == [], answer
        # The forger knows the uid and version (read from this school's desk, as an insider would tell it).
        services = main.services()
        try:
            uid, version = services.store.db.execute("SELECT uid, version FROM sync_shared").fetchone()
        finally:
            services.close()
        share = {
            "uid": uid,
            "base": version,
            "version": "f0f0f0f0",
            "removed": True,
            "source": "Office barred list",
        }
        client.post_json(
            "/api/v1/sync/push",
            {
                "station_id": station_id,
                "changes": [
                    {
                        "seq": 1,
                        "kind": "list.remove",
                        "subject": "entry 1",
                        "made_at": "2026-12-05T04:00:00.000000+00:00",
                        "body": {"actor": "Mallory", "details": {}, "share": share},
                    }
                ],
            },
        )
    finally:
        client.close()
    for desk in (main, side):
        desk.sync()
        screened = desk.run("checkin", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "1980-03-14")
        assert screened.returncode == 4, (desk.name, screened.stdout, screened.stderr)


def test_a_child_returned_while_another_desk_waited_for_its_roster_is_in_the_building_there(hub, tmp_path, roster):
    """The side entrance is linked before its SIS roster is imported: a release made at the main office meanwhile
    is kept there until the roster comes. The child comes back at the main office after the roster is imported
    and before the side entrance's next pull: at the side entrance the child is in the building (on no "out"
    list), as at the main office; the kept release is not written after the return that followed it."""
    main = with_roster(Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL), roster)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    number, guardian = _student(roster[1], "stu-00151")
    code, out = _release(main, number, guardian)
    assert code == 0 and out["released"], out
    main.sync()
    side.sync()  # no roster here yet: the release is kept, and the event log says so
    services = side.services()
    try:
        assert any("not on this desk's roster yet was kept" in e.message for e in services.events.recent(50))
    finally:
        services.close()
    with_roster(side, roster)
    back = main.run("students", "return", number, "--json")
    assert back.returncode == 0, back.stderr
    main.sync()
    side.sync()
    assert students_out(main) == [] and students_out(side) == []
    # ... so the next release at the side entrance is the one that signs the child out, as at the main office.
    code, out = _release(side, number, guardian)
    assert code == 0 and out["released"], out


def test_a_desk_restored_from_its_own_older_backup_keeps_the_bar_and_the_release_it_made_after_it(
    hub, tmp_path, roster
):
    """The main office is restored from last night's backup: the bar it added and the child it released after
    the backup come back to it from the hub (its own shared changes, once), so neither is lost there."""
    main = with_roster(Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL), roster)
    side = with_roster(Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL), roster)
    for desk in (main, side, main):
        desk.sync()
    backup = main.json("backup")["file"]  # type: ignore[index]
    bar_barredman(main)
    number, guardian = _student(roster[1], "stu-00152")
    assert _release(main, number, guardian)[0] == 0
    main.sync()
    side.sync()
    assert main.run("restore", backup).returncode == 0
    main.sync()
    screened = main.run("checkin", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "1980-03-14")
    assert screened.returncode == 4, (screened.stdout, screened.stderr)
    assert students_out(main) == [number]
    twice = main.run("students", "release", number, "--to", guardian, "--reason", "Dentist")
    assert twice.returncode == 2 and "already signed out" in twice.stderr, (twice.stdout, twice.stderr)
    for desk in (main, side):
        verified = desk.run("audit", "verify")
        assert verified.returncode == 0, (desk.name, verified.stdout, verified.stderr)


def _push(hub: Hub, station_id: str, credential: str, changes: list[dict]) -> None:
    client = HubClient([hub.url], credential)
    try:
        client.post_json("/api/v1/sync/push", {"station_id": station_id, "changes": changes})
    finally:
        client.close()


def test_a_change_another_desk_cannot_read_is_skipped_and_said_and_the_next_one_is_made(hub, tmp_path, roster):
    """A desk of the school (another version, a bug, or a forger with its credential) sends an authorisation
    whose date of birth is not a date, then a bar: the other desks skip the first (audited, and said in their
    event log) and still file the bar; their sync goes on (never stuck on one change)."""
    main = with_roster(Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL), roster)
    main.sync()
    station_id, credential = hub.enroll(SCHOOL, "Gym door")
    number = roster[1].student["stu-00153"][2]
    made = "2026-12-05T04:00:00.000000+00:00"
    bad = {
        "uid": "auth:0123456789abcdef0123456789abcdef", "base": "", "version": "0a0a0a0a", "student": "stu-00153",
        "first_name": "Tia", "last_name": "Temporary", "dob": "14/03/1980", "from": "2026-12-01",
        "until": "2027-01-31", "approved_by": "", "note": "",
    }  # fmt: skip
    bar = {
        "uid": "entry:fedcba9876543210fedcba9876543210", "base": "", "version": "0b0b0b0b", "removed": False,
        "source": "Office barred list", "list_kind": "barred",
        "entry": {
            "kind": "barred", "first_name": "Robert", "middle_name": "", "last_name": "Barredman", "aliases": [],
            "dob": "1980-03-14", "reason": "Threatened staff", "valid_from": None, "valid_until": None,
            "notes": "", "students": [], "sex": "", "id_state": "", "id_last4": "",
        },
    }  # fmt: skip
    _push(
        hub,
        station_id,
        credential,
        [
            {"seq": 1, "kind": "students.authorise", "subject": "student stu-00153", "made_at": made,
             "body": {"actor": "Gym staff", "details": {}, "share": bad}},
            {"seq": 2, "kind": "list.add", "subject": "entry 1", "made_at": made,
             "body": {"actor": "Gym staff", "details": {}, "share": bar}},
        ],
    )  # fmt: skip
    assert main.sync()["pending"] == 0
    screened = main.run("checkin", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "1980-03-14")
    assert screened.returncode == 4, (screened.stdout, screened.stderr)
    code, out = _release(main, number, "Tia Temporary")
    assert code == 3 and out["code"] == "not_authorised", out
    services = main.services()
    try:
        skipped = services.store.db.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'sync.shared_skipped'"
        ).fetchone()[0]
        assert skipped == 1
        assert any("Gym door" in e.message for e in services.events.recent(50))
    finally:
        services.close()


def test_a_desk_replaying_the_schools_earlier_changes_undoes_no_stop_no_revocation_and_no_release(
    hub, tmp_path, roster
):
    """A desk credential of the school (a forger, or a desk restored wrongly) pushes again, under new numbers,
    every shared change the main office made before its later ones: the authorisation later revoked, the guardian
    allowed and later stopped, the bar later removed, the release of a child who came back later. The other desk
    keeps the revocation and the stop (the state that forbids wins), the child in (a movement is written once),
    and the removed bar comes back (the safe side: an entry in force beats one removed)."""
    from district.console.db import Database

    main = with_roster(Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL), roster)
    side = with_roster(Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL), roster)
    for desk in (main, side, main):
        desk.sync()
    number, guardian = _student(roster[1], "stu-00154")
    stopped_number, stopped = _student(roster[1], "stu-00155")
    out_number, out_guardian = _student(roster[1], "stu-00156")
    services = main.services()
    try:
        st = services.students
        st.authorise(st.get(number), "Tia", "Temporary", note="Aunt, this week")
        student = st.get(stopped_number)
        g = next(g for g in st.guardians(student) if g.full_name == stopped)
        st.set_pickup_allowed(student, g, True, "As the SIS says")
    finally:
        services.close()
    added = bar_barredman(main, "--json")
    assert _release(main, out_number, out_guardian)[0] == 0
    main.sync()
    reader = Database(hub.db_url)
    try:
        rows = reader.read().all(
            "SELECT kind, subject, body, made_at FROM hub_changes WHERE station_id = ? ORDER BY hub_seq",
            [main.station_id],
        )
        earlier = [r for r in rows if "share" in json.loads(r[2])]
    finally:
        reader.close()
    assert earlier
    # The later changes: revoked, stopped, removed; and the child released and back, then released again.
    services = main.services()
    try:
        st = services.students
        student = st.get(number)
        (tia,) = [a for a in st.authorisations(student) if a.full_name == "Tia Temporary"]
        services.pickup_lists.revoke(student, tia.id, "Family called")
        student = st.get(stopped_number)
        g = next(g for g in st.guardians(student) if g.full_name == stopped)
        st.set_pickup_allowed(student, g, False, "Court order")
    finally:
        services.close()
    assert main.run("barred", "remove", str(json.loads(added.stdout)["id"])).returncode == 0
    assert main.run("students", "return", out_number).returncode == 0
    main.sync()
    side.sync()
    station_id, credential = hub.enroll(SCHOOL, "Gym door")
    _push(
        hub,
        station_id,
        credential,
        [
            {"seq": n, "kind": k, "subject": s, "made_at": m, "body": json.loads(b)}
            for n, (k, s, b, m) in enumerate(earlier, 1)
        ],
    )
    side.sync()
    code, out = _release(side, number, "Tia Temporary")
    assert code == 3 and out["code"] == "not_authorised", out
    code, out = _release(side, stopped_number, stopped)
    assert code == 3 and out["code"] == "not_authorised", out
    assert students_out(side) == []  # back in: the release replayed is not written a second time
    screened = side.run("checkin", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "1980-03-14")
    assert screened.returncode == 4, (screened.stdout, screened.stderr)  # removed, then replayed: barred again
    verified = side.run("audit", "verify")
    assert verified.returncode == 0, (verified.stdout, verified.stderr)


def _names_csv(path, names: list[tuple[str, str]]):
    rows = "".join(f"{first},{last},1970-01-0{1 + n % 9}\n" for n, (first, last) in enumerate(names))
    path.write_text("first_name,last_name,dob\n" + rows)
    return path


def _barredmen(desk: Desk) -> int:
    services = desk.services()
    try:
        return len(services.lists.search("Robert Barredman"))
    finally:
        services.close()


def test_a_bar_shared_while_another_desk_replaces_the_list_stays_in_force_at_both(hub, tmp_path):
    """The main office bars Robert Barredman; the side entrance is replacing the same list from a file at that
    moment, and its sync files the bar while the new list is being built. The replace keeps the bar (nobody who
    chose the file saw it), at both desks, once; the list's other entries are replaced as asked."""
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    old = _names_csv(tmp_path / "old.csv", [("Ann", f"Oldlist{n}") for n in range(300)])
    assert side.run("barred", "import", str(old), "--source", "Office barred list").returncode == 0
    side.sync()
    main.sync()
    bar_barredman(main)
    main.sync()
    pulled = []

    def progress(rows: int, share: float) -> None:
        if not pulled:  # the side entrance's own background sync, between two steps of the build
            pulled.append(side.sync())

    new = _names_csv(tmp_path / "new.csv", [("Ann", f"Newlist{n}") for n in range(300)])
    services = side.services()
    try:
        report = services.lists.import_csv(new, "Office barred list", replace=True, progress=progress)
    finally:
        services.close()
    assert pulled and pulled[0]["pulled"] == 1, pulled
    assert (report.added, report.replaced, report.kept) == (300, 300, 1)
    side.sync()
    main.sync()
    for desk in (main, side):
        screened = desk.run("checkin", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "1980-03-14")
        assert screened.returncode == 4, (desk.name, screened.stdout, screened.stderr)
        assert _barredmen(desk) == 1, desk.name  # kept, not doubled
        services = desk.services()
        try:
            assert len(services.lists.search("Ann Newlist1", limit=10)) >= 1, desk.name
            assert services.lists.search("Ann Oldlist1", limit=10) == [], desk.name
        finally:
            services.close()
        verified = desk.run("audit", "verify")
        assert verified.returncode == 0, (desk.name, verified.stdout, verified.stderr)


def test_two_releases_kept_under_one_hub_number_after_a_restore_are_both_made(hub, tmp_path, roster):
    """The side entrance waits for its roster, so a release made at the main office is kept there, under the
    hub's number for it. The hub is then put back from a copy older than that release, and gives the same number
    again to the next change: a release made at the third desk. The side entrance (its cursor rewound by the
    hub's marks) keeps that one too. Once its roster comes, both children are out there, as at the other desks:
    kept by the hub's number alone, the second was dropped, and that child stayed in the building there (on its
    emergency roster, free to be released again)."""
    main = with_roster(Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL), roster)
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    third = with_roster(Desk(tmp_path / "third", "Gym door").set_up(hub, SCHOOL), roster)
    for desk in (main, side, third, side):
        desk.sync()
    hub.kill()
    backup_db(hub.db_url, tmp_path / "hub-backup")
    hub.start()

    first, first_adult = _student(roster[1], "stu-00151")
    assert _release(main, first, first_adult)[0] == 0
    main.sync()
    side.sync()  # kept: no roster here yet
    hub.kill()
    restore_db(hub.db_url, tmp_path / "hub-backup")  # the release is gone from the hub; its number is free again
    hub.start()

    second, second_adult = _student(roster[1], "stu-00152")
    assert _release(third, second, second_adult)[0] == 0
    third.sync()  # the first change the restored hub takes: the number the first release had
    side.sync()
    with_roster(side, roster)
    side.sync()
    assert sorted(students_out(side)) == sorted([first, second])
    again = side.run("students", "release", second, "--to", second_adult, "--reason", "Dentist")
    assert again.returncode == 2 and "already signed out" in again.stderr, (again.stdout, again.stderr)
