"""Check-in, check-out, the on-site list, the day's log and returning visitors, on a real SQLite file."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from frontdesk.context import Services
from frontdesk.errors import ConflictError, InputError, NotFoundError
from frontdesk.models import Category, Visitor
from frontdesk.text import format_badge_code
from tests.volunteer_helpers import approved_volunteer

ANN = Visitor(first_name="Ann", last_name="Testwood", dob=date(1980, 2, 3))
BEN = Visitor(first_name="Ben", last_name="Sampleton")


def test_check_in_stores_the_visit_with_an_opaque_code(services):
    services.visits.station = "Main office"
    approved_volunteer(services, "Ann", "Testwood", ANN.dob)  # checking in as a volunteer needs a record
    visit = services.checkin.admit(ANN, category="volunteer", purpose="Library", destination="Room 12")
    assert visit.id and visit.on_site
    assert visit.visitor.full_name == "Ann Testwood" and visit.visitor.dob == date(1980, 2, 3)
    assert visit.category is Category.VOLUNTEER and visit.station == "Main office"
    assert len(visit.badge_code) == 8 and visit.badge_code.isalnum()
    assert "ANN" not in visit.badge_code and "1980" not in visit.badge_code
    assert services.visits.get(visit.badge_code) == visit


def test_badge_codes_are_random_not_sequential(services):
    codes = [services.checkin.admit(Visitor(first_name="P", last_name=f"X{i}")).badge_code for i in range(40)]
    assert len(set(codes)) == 40
    assert codes != sorted(codes)


def test_on_site_and_check_out_by_typed_code(services):
    a = services.checkin.admit(ANN)
    b = services.checkin.admit(BEN)
    assert [v.id for v in services.visits.on_site()] == [a.id, b.id]
    typed = format_badge_code(a.badge_code).lower().replace("-", " ")  # as a person might type it
    out = services.visits.check_out(typed)
    assert out.time_out is not None and not out.on_site
    assert [v.id for v in services.visits.on_site()] == [b.id]
    with pytest.raises(ConflictError):
        services.visits.check_out(a.badge_code)


def _check_out_together(services, data_dir, code: str) -> pytest.ExceptionInfo:
    """Another program on the same data folder checks ``code`` out, and holds its transaction open until this
    desk (having read the visit still open) asks for the write lock; then this desk checks it out too."""
    other = Services.open(data_dir)  # the other program
    first_open, second_waiting, done = threading.Event(), threading.Event(), []

    def other_program() -> None:
        try:
            with other.store.transaction():
                done.append(other.visits.check_out(code, note="left by the side door"))
                first_open.set()
                second_waiting.wait(timeout=60)
        finally:
            first_open.set()
            other.store.close()

    services.store.db.conn.set_trace_callback(lambda sql: "BEGIN IMMEDIATE" in sql and second_waiting.set())
    thread = threading.Thread(target=other_program)
    thread.start()
    try:
        first_open.wait(timeout=60)
        with pytest.raises(ConflictError) as err:
            services.visits.check_out(code, note="seen leaving")
    finally:
        services.store.db.conn.set_trace_callback(None)
        second_waiting.set()
        thread.join()
        other.close()
    assert done, "the other program's check-out did not go through"
    return err


def test_two_desk_programs_checking_out_the_same_visitor_at_once_is_one_check_out(services, data_dir):
    """The window and a command on one data folder: the second finds the visit already closed inside its
    own transaction, says so, and records nothing (no second audit record of a check-out that never was)."""
    visit = services.checkin.admit(ANN)
    err = _check_out_together(services, data_dir, visit.badge_code)
    assert err.value.code == "already_checked_out"
    assert services.visits.get(visit.id).note == "left by the side door"
    checkouts = services.store.db.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'visit.check_out' AND subject = ?", [f"visit {visit.id}"]
    ).fetchone()[0]
    assert checkouts == 1


def test_another_desks_visitor_checked_out_by_two_programs_at_once_is_one_check_out(services, data_dir):
    """The same for a visitor who came in at another desk of the school (known here through the hub's pull):
    one check-out record goes up to the hub, not two."""
    services.sync._apply(  # noqa: SLF001 - what a pull from the hub writes
        {
            "rev": 1,
            "desks": [{"station_id": "desk-b", "station": "Library desk"}],
            "visits": [
                {
                    "station_id": "desk-b",
                    "visit_id": 7,
                    "name": "Dee Elsewhere",
                    "name_key": "elsewhere dee",
                    "badge_code": "K7QXM2PD",
                    "checked_in_at": "2026-12-04T08:00:00.000000+00:00",
                    "rev": 1,
                }
            ],
        }
    )
    err = _check_out_together(services, data_dir, "K7QX-M2PD")
    assert err.value.code == "already_checked_out"
    checkouts = services.store.db.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'visit.check_out' AND subject = 'hub visit desk-b/7'"
    ).fetchone()[0]
    assert checkouts == 1


def test_a_short_number_typed_as_a_badge_code_checks_no_one_out(services):
    """The window's check-out box takes badge codes only: a visit id typed there ("12") is not a badge code,
    and the visit with that id stays on site (it was checked out, whoever it was)."""
    visits = [services.checkin.admit(Visitor(first_name=f"Ann{n}", last_name="Testwood")) for n in range(3)]
    for typed in (str(visits[1].id), f" {visits[2].id} ", "1234567"):
        with pytest.raises(InputError, match="not a badge code"):
            services.visits.check_out(typed, code_only=True)
    assert [v.id for v in services.visits.on_site()] == [v.id for v in visits]
    # A code typed as people do (lower case, a look-alike letter for a digit) still checks the visitor out.
    typed = format_badge_code(visits[0].badge_code).lower().replace("0", "o")
    assert services.visits.check_out(typed, code_only=True).id == visits[0].id
    assert services.visits.check_out(visits[1].id).id == visits[1].id  # by id where scripts ask for it


def test_a_badge_code_drawn_twice_is_drawn_again(services, monkeypatch):
    """A collision of two random badge codes (1 in 10^12 a check-in) draws a new code rather than failing the
    check-in. The operating system's random bytes are scripted here (the one seam: our own code draws from them
    as always): the first draw gives the bytes of the code already on site, the second another code's."""
    import secrets

    from frontdesk.text import _BADGE_ALPHABET

    def raw(code: str) -> bytes:  # the five bytes frontdesk.text.new_badge_code turns into ``code``
        bits = 0
        for ch in code:
            bits = bits * 32 + _BADGE_ALPHABET.index(ch)
        return bits.to_bytes(5, "big")

    first = services.checkin.admit(Visitor(first_name="Ann", last_name="Testwood"))
    draws = iter([raw(first.badge_code), raw("K7QXM2PD")])
    monkeypatch.setattr(secrets, "token_bytes", lambda n: next(draws))
    second = services.checkin.admit(Visitor(first_name="Ben", last_name="Sampleton"))
    assert second.badge_code == "K7QXM2PD"
    assert {v.badge_code for v in services.visits.on_site()} == {first.badge_code, "K7QXM2PD"}


def test_unknown_badge_code_is_not_found(services):
    with pytest.raises(NotFoundError, match="No visit found"):
        services.visits.check_out("ZZZZ-ZZZZ")


def test_a_person_already_on_site_is_flagged_before_a_second_check_in(services):
    services.checkin.admit(ANN)
    assert services.visits.open_visit_for(ANN) is not None
    with pytest.raises(ConflictError) as err:
        services.checkin.admit(ANN)
    assert err.value.code == "already_on_site"
    second = services.checkin.admit(ANN, again=True)
    assert len(services.visits.on_site()) == 2 and second.visitor.id == services.visits.on_site()[0].visitor.id


def test_same_name_different_birthday_is_a_different_person(services):
    services.checkin.admit(ANN)
    twin = Visitor(first_name="Ann", last_name="Testwood", dob=date(1991, 7, 8))
    visit = services.checkin.admit(twin)
    assert visit.visitor.id != services.visits.on_site()[0].visitor.id


@pytest.mark.parametrize(
    "visitor, message",
    [
        (Visitor(first_name="", last_name="Testwood"), "first and a last name"),
        (Visitor(first_name="Ann", last_name="  "), "first and a last name"),
        (Visitor(first_name="Ann", last_name="T", dob=date.today() + timedelta(days=2)), "in the future"),
    ],
)
def test_bad_visitors_are_refused_with_a_reason(services, visitor, message):
    with pytest.raises(InputError, match=message):
        services.checkin.admit(visitor)
    assert services.visits.on_site() == []


def test_unknown_category_is_refused(services):
    with pytest.raises(InputError, match="Category must be one of"):
        services.checkin.admit(ANN, category="astronaut")


def test_day_log_takes_the_local_day(services):
    moments = iter(
        [
            datetime(2026, 3, 13, 23, 0).astimezone(),
            datetime(2026, 3, 14, 8, 0).astimezone(),
            datetime(2026, 3, 14, 23, 59).astimezone(),
            datetime(2026, 3, 15, 0, 1).astimezone(),
        ]
    )
    desk = services.checkin.at(now=lambda: next(moments).astimezone(UTC))
    for i in range(4):
        desk.admit(Visitor(first_name="Day", last_name=f"Tester{i}"))
    visits = services.visits
    assert [v.visitor.last_name for v in visits.day_log(date(2026, 3, 14))] == ["Tester1", "Tester2"]
    assert visits.day_log(date(2026, 3, 16)) == []


def test_returning_visitors_are_found_by_either_name_in_a_keystroke(services):
    services.checkin.admit(ANN)
    services.checkin.admit(BEN)
    services.checkin.admit(Visitor(first_name="Zoë", last_name="Ånström"))
    assert [v.full_name for v in services.visits.find_returning("test")] == ["Ann Testwood"]
    assert [v.full_name for v in services.visits.find_returning("Ann T")] == ["Ann Testwood"]
    assert [v.full_name for v in services.visits.find_returning("zoe")] == ["Zoë Ånström"]
    assert [v.full_name for v in services.visits.find_returning("anst")] == ["Zoë Ånström"]
    assert services.visits.find_returning("a") == []
    assert services.visits.find_returning("*") == []


def test_id_details_are_kept_but_never_more_than_the_desk_needs(services):
    scanned = Visitor(
        first_name="Ann",
        last_name="Testwood",
        dob=date(1980, 2, 3),
        id_type="DL",
        id_issuer="VA",
        id_expires=date(2030, 1, 1),
        id_last4="1234",
    )
    visit = services.checkin.admit(scanned)
    assert (visit.visitor.id_type, visit.visitor.id_issuer, visit.visitor.id_last4) == ("DL", "VA", "1234")
    columns = {r[1] for r in services.store.db.execute("PRAGMA table_info(people)")}
    assert not {"id_number", "raw", "payload", "address"} & columns


def test_last_visit_of_a_returning_visitor(services):
    first = services.checkin.admit(ANN, purpose="Library", destination="Room 12")
    services.visits.check_out(first.badge_code)
    assert services.visits.last_visit_of(first.visitor.id).destination == "Room 12"
