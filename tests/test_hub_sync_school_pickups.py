"""Who may take a student, the same at every desk of the school: through a real hub process on loopback (SQLite
and PostgreSQL), a may-not-pick-up bar, a guardian's pick-up stopped, an authorisation given or revoked at one
desk stop (or allow) the release at the other, and a bar made while another desk authorises the same adult
wins at both (the release commands run as desk processes: exit 3 not authorised, 4 refused)."""

from __future__ import annotations

import json

import pytest

from frontdesk.context import Services
from frontdesk.demo.oneroster import write_bundle
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import NewEntry
from frontdesk.students.release import ReleaseRequest
from tests.hub_sync_support import SCHOOL, Desk, Hub
from tests.hub_sync_support import release as _release
from tests.hub_sync_support import student as _student


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sis") / "bundle"
    return folder, write_bundle(folder)


def _desks(hub: Hub, tmp_path, roster) -> tuple[Desk, Desk]:
    """Two desks of the school, each with the SIS roster imported (as each imports it itself)."""
    desks = []
    for folder, name in (("main", "Main office"), ("side", "Side entrance")):
        desk = Desk(tmp_path / folder, name).set_up(hub, SCHOOL)
        services = desk.services()
        try:
            services.students.import_bundle(roster[0])
        finally:
            services.close()
        desks.append(desk)
    for desk in (*desks, desks[0]):
        desk.sync()
    return desks[0], desks[1]


def _check_in(desk: Desk, first: str, last: str, dob: str):
    return desk.run("checkin", "--first-name", first, "--last-name", last, "--dob", dob)


def _in_desk(desk: Desk, fn):
    services = desk.services()
    try:
        return fn(services)
    finally:
        services.close()


def test_a_bar_or_a_stop_made_at_one_desk_stops_the_release_at_the_other(hub, tmp_path, roster):
    main, side = _desks(hub, tmp_path, roster)
    facts = roster[1]
    barred_number, barred_adult = _student(facts, "stu-00110")
    stopped_number, stopped_adult = _student(facts, "stu-00111")

    def decide(services):
        st = services.students
        student = st.get(barred_number)
        first, last = barred_adult.split(" ", 1)
        st.bar_pickup(student, first, last, dob=None, reason="Court order pending")
        student = st.get(stopped_number)
        guardian = next(g for g in st.guardians(student) if g.full_name == stopped_adult)
        st.set_pickup_allowed(student, guardian, False, "Parent asked: grandparent collects this term")

    _in_desk(main, decide)
    main.sync()
    side.sync()
    code, out = _release(side, barred_number, barred_adult)
    assert code == 4 and out["code"] == "may_not_pick_up", out
    code, out = _release(side, stopped_number, stopped_adult)
    assert code == 3 and out["code"] == "not_authorised", out
    for desk in (main, side):
        verified = desk.run("audit", "verify")
        assert verified.returncode == 0, (desk.name, verified.stdout, verified.stderr)


def test_an_authorisation_given_at_one_desk_and_revoked_at_the_other(hub, tmp_path, roster):
    main, side = _desks(hub, tmp_path, roster)
    facts = roster[1]
    number, _ = _student(facts, "stu-00120")
    other_number, _ = _student(facts, "stu-00121")

    def authorise(services):
        st = services.students
        st.authorise(st.get(number), "Tia", "Temporary", note="Aunt, this week")
        st.authorise(st.get(other_number), "Una", "Aunty", note="Aunt, this week")

    _in_desk(side, authorise)
    side.sync()
    main.sync()
    code, out = _release(main, number, "Tia Temporary")  # given at the side entrance, in force here
    assert code == 0 and out["authorised_as"].startswith("temporary"), out

    def revoke(services):
        student = services.students.get(other_number)
        (una,) = [a for a in services.students.authorisations(student) if a.full_name == "Una Aunty"]
        services.pickup_lists.revoke(student, una.id, "Family called: not this week")

    _in_desk(main, revoke)
    main.sync()
    side.sync()
    code, out = _release(side, other_number, "Una Aunty")  # revoked at the main office: not here either
    assert code == 3 and out["code"] == "not_authorised", out


def test_a_bar_and_an_authorisation_made_at_once_the_bar_wins_at_both_desks(hub, tmp_path, roster):
    main, side = _desks(hub, tmp_path, roster)
    facts = roster[1]
    number, guardian = _student(facts, "stu-00130")
    other_number, other_guardian = _student(facts, "stu-00131")

    # Neither desk has seen the other's change: the main office bars Vic Visitor and stops the guardian's
    # pick-up; the side entrance authorises Vic Visitor and allows the guardian (again).
    def bar(services):
        st = services.students
        st.bar_pickup(st.get(number), "Vic", "Visitor", dob=None, reason="Court order")
        student = st.get(other_number)
        g = next(g for g in st.guardians(student) if g.full_name == other_guardian)
        st.set_pickup_allowed(student, g, False, "Court order")

    def allow(services):
        st = services.students
        st.authorise(st.get(number), "Vic", "Visitor", note="Uncle")
        student = st.get(other_number)
        g = next(g for g in st.guardians(student) if g.full_name == other_guardian)
        st.set_pickup_allowed(student, g, True, "Confirmed by phone")

    _in_desk(main, bar)
    _in_desk(side, allow)
    for desk in (main, side, main):
        desk.sync()
    for desk in (main, side):
        code, out = _release(desk, number, "Vic Visitor")
        assert code == 4 and out["code"] == "may_not_pick_up", (desk.name, out)
        code, out = _release(desk, other_number, other_guardian)
        assert code == 3 and out["code"] == "not_authorised", (desk.name, out)


def test_a_student_released_at_one_desk_is_out_at_the_other_and_back_when_returned_there(hub, tmp_path, roster):
    main, side = _desks(hub, tmp_path, roster)
    facts = roster[1]
    number, guardian = _student(facts, "stu-00140")
    late_number, _ = _student(facts, "stu-00141")
    code, out = _release(main, number, guardian)
    assert code == 0 and out["released"], out
    late = side.run("students", "arrive", late_number, "--reason", "Bus late", "--json")
    assert late.returncode == 0, late.stderr
    for desk in (main, side, main):
        desk.sync()
    # Out at the side entrance too: not released a second time there, and off its building roster.
    twice = side.run("students", "release", number, "--to", guardian, "--reason", "Dentist")
    assert twice.returncode == 2 and "already signed out" in twice.stderr, (twice.stdout, twice.stderr)
    for desk in (main, side):
        assert [m["student"]["number"] for m in desk.json("students", "out")] == [number], desk.name
    # Back through the side entrance: back in at the main office, and released there again only once more.
    back = side.run("students", "return", number, "--json")
    assert back.returncode == 0, back.stderr
    side.sync()
    main.sync()
    assert main.json("students", "out") == []
    code, out = _release(main, number, guardian)
    assert code == 0, out
    # The late arrival made at the side entrance counts at the main office too (its roster's late list).
    services = main.services()
    try:
        assert [m.student.number for m in services.students.late_today()] == [late_number]
    finally:
        services.close()


def test_what_each_desk_held_before_it_shared_reaches_the_other_once(hub, tmp_path, roster):
    """Two desks used alone before (their lists, a pick-up stop, an authorisation), then linked to the hub:
    each one's goes to the other at the first sync, and an entry both held alike is not doubled."""
    facts = roster[1]
    number, guardian = _student(facts, "stu-00150")
    auth_number, _ = _student(facts, "stu-00151")
    desks = []
    for folder, name in (("main", "Main office"), ("side", "Side entrance")):
        services = Services.open(tmp_path / folder / "data")
        try:
            services.students.import_bundle(roster[0])
            lists = services.lists
            lists.add("Office barred list", NewEntry("Robert", "Barredman", dob=parse_dob("1980-03-14")))
            if name == "Main office":
                lists.add("Office barred list", NewEntry("Mona", "Mainonly", dob=parse_dob("1971-07-07")))
                # The same person twice on one list, and a second list (a second group, a transaction each).
                lists.add("Office barred list", NewEntry("Robert", "Barredman", dob=parse_dob("1980-03-14")))
                lists.add("Office watch list", NewEntry("Walt", "Watcher", dob=parse_dob("1966-06-06")))
                st = services.students
                student = st.get(number)
                g = next(g for g in st.guardians(student) if g.full_name == guardian)
                st.set_pickup_allowed(student, g, False, "Court order")
                st.authorise(st.get(auth_number), "Tia", "Temporary", note="Aunt")
        finally:
            services.close()
        desks.append(Desk(tmp_path / folder, name).set_up(hub, SCHOOL))
    main, side = desks
    for desk in (main, side, main, side):
        desk.sync()
    for desk in (main, side):
        rows = _in_desk(desk, lambda s: sorted((e.source, e.full_name) for e in s.lists.search("")))
        assert rows == [
            ("Office barred list", "Mona Mainonly"),
            ("Office barred list", "Robert Barredman"),
            ("Office barred list", "Robert Barredman"),  # twice at the main office: twice here, not three times
            ("Office watch list", "Walt Watcher"),
        ], (desk.name, rows)
    code, out = _release(side, number, guardian)
    assert code == 3 and out["code"] == "not_authorised", out
    code, out = _release(side, auth_number, "Tia Temporary")
    assert code == 0, out
    assert _check_in(side, "Mona", "Mainonly", "1971-07-07").returncode in (3, 4)


def test_a_desk_linked_before_its_roster_is_imported_takes_the_decisions_once_it_is(hub, tmp_path, roster):
    """A new desk connected to the hub first and given the SIS roster later: what the other desk decided about
    students meanwhile is kept, and in force once the roster is there (never dropped as "no such student")."""
    facts = roster[1]
    main = Desk(tmp_path / "main", "Main office").set_up(hub, SCHOOL)
    _in_desk(main, lambda s: s.students.import_bundle(roster[0]))
    side = Desk(tmp_path / "side", "Side entrance").set_up(hub, SCHOOL)
    number, guardian = _student(facts, "stu-00160")
    released, released_guardian = _student(facts, "stu-00161")

    def decide(services):
        st = services.students
        student = st.get(number)
        g = next(g for g in st.guardians(student) if g.full_name == guardian)
        st.set_pickup_allowed(student, g, False, "Court order")

    _in_desk(main, decide)
    assert _release(main, released, released_guardian)[0] == 0
    main.sync()
    side.sync()  # no roster here yet: kept
    _in_desk(side, lambda s: s.students.import_bundle(roster[0]))
    side.sync()
    code, out = _release(side, number, guardian)
    assert code == 3 and out["code"] == "not_authorised", out
    assert [m["student"]["number"] for m in side.json("students", "out")] == [released]


def test_a_child_handed_over_at_the_reunification_site_is_signed_out_at_every_desk(hub, tmp_path, roster):
    main, side = _desks(hub, tmp_path, roster)
    facts = roster[1]
    number, guardian = _student(facts, "stu-00170")

    def reunify(services):
        r = services.reunification
        r.start(drill=True, site="Church hall")
        first, last = guardian.split(" ", 1)
        req = r.ask(ReleaseRequest(services.students.get(number), first, last, "Reunification"))
        r.send(req.id, "Coach Runner")
        r.release(req.id)

    _in_desk(main, reunify)
    main.sync()
    side.sync()
    assert [m["student"]["number"] for m in side.json("students", "out")] == [number]
    twice = side.run("students", "release", number, "--to", guardian, "--reason", "Dentist")
    assert twice.returncode == 2 and "already signed out" in twice.stderr, (twice.stdout, twice.stderr)


def test_a_reunification_laptops_record_merged_at_one_desk_signs_the_children_out_at_every_desk(
    hub, tmp_path, roster
):
    main, side = _desks(hub, tmp_path, roster)
    facts = roster[1]
    number, guardian = _student(facts, "stu-00180")
    # The laptop's own copy (a backup of the main office's desk, restored there), a drill run on it.
    done = main.run("backup", "--json")
    assert done.returncode == 0, done.stderr
    laptop = Desk(tmp_path / "laptop", "Laptop")
    copy = json.loads(done.stdout)["file"]
    assert laptop.run("restore", copy).returncode == 0
    site = ("reunify",)
    assert laptop.run(*site, "start", "--drill", "--site", "Stadium").returncode == 0
    asked = laptop.run(*site, "ask", number, "--to", guardian, "--json")
    assert asked.returncode == 0, asked.stderr
    card = json.loads(asked.stdout)["card"]
    assert laptop.run(*site, "send", card, "--runner", "Coach Runner").returncode == 0
    assert laptop.run(*site, "release", card).returncode == 0
    assert laptop.run(*site, "end").returncode == 0
    record = tmp_path / "stadium.json"
    assert laptop.run(*site, "record", str(record)).returncode == 0
    merged = main.run("reunify", "merge", str(record), "--json")
    assert merged.returncode == 0, merged.stderr
    main.sync()
    side.sync()
    assert [m["student"]["number"] for m in side.json("students", "out")] == [number]
    twice = side.run("students", "release", number, "--to", guardian, "--reason", "Dentist")
    assert twice.returncode == 2 and "already signed out" in twice.stderr, (twice.stdout, twice.stderr)


def test_a_bar_a_stop_and_a_revocation_the_restored_hub_lost_still_reach_a_desk_that_had_not_pulled_them(
    hub, tmp_path, roster
):
    """Decided at the main office after the hub's backup, while the side entrance was offline; the hub is then
    restored from the backup (the decisions are gone there): the side entrance still refuses the releases once
    it is back, because the main office sends again what forbids when it finds the hub behind."""
    from tests.hub_sync_support import backup_db, restore_db

    main, side = _desks(hub, tmp_path, roster)
    facts = roster[1]
    barred_number, barred_adult = _student(facts, "stu-00130")
    stopped_number, stopped_adult = _student(facts, "stu-00131")
    other_number, _ = _student(facts, "stu-00132")
    _in_desk(main, lambda services: services.students.authorise(
        services.students.get(other_number), "Una", "Aunty", note="Aunt, this week"))  # fmt: skip
    main.sync()
    side.sync()
    hub.kill()
    backup_db(hub.db_url, tmp_path / "hub-backup")
    hub.start()

    def decide(services):
        st = services.students
        first, last = barred_adult.split(" ", 1)
        st.bar_pickup(st.get(barred_number), first, last, dob=None, reason="Court order pending")
        student = st.get(stopped_number)
        guardian = next(g for g in st.guardians(student) if g.full_name == stopped_adult)
        st.set_pickup_allowed(student, guardian, False, "Parent asked: grandparent collects this term")
        student = st.get(other_number)
        (una,) = [a for a in st.authorisations(student) if a.full_name == "Una Aunty"]
        services.pickup_lists.revoke(student, una.id, "Family called: not this week")

    _in_desk(main, decide)
    main.sync()  # at the hub; the side entrance is offline and does not pull them
    hub.kill()
    restore_db(hub.db_url, tmp_path / "hub-backup")
    hub.start()

    main.check_in("Drew", "After")  # the main office's next push finds the hub behind
    assert main.sync()["pending"] == 0
    side.sync()
    code, out = _release(side, barred_number, barred_adult)
    assert code == 4 and out["code"] == "may_not_pick_up", out
    code, out = _release(side, stopped_number, stopped_adult)
    assert code == 3 and out["code"] == "not_authorised", out
    code, out = _release(side, other_number, "Una Aunty")
    assert code == 3 and out["code"] == "not_authorised", out
