"""Session 22's red team of volunteers: a suspension holds, whatever form of the name the next list or the next
ID gives. Real services on a real SQLite folder; the list imported from a real CSV file."""

from __future__ import annotations

from datetime import date, timedelta

from frontdesk.checkin.workflow import CheckInRequest, NeedsDecision
from frontdesk.models import Category, Visitor
from frontdesk.volunteers.models import BackgroundCheck, NewVolunteer
from frontdesk.volunteers.service import VOLUNTEER_NOT_CLEARED

TODAY = date.today()
CURRENT = BackgroundCheck(
    "fingerprint", "State police", TODAY - timedelta(days=30), "clear", TODAY + timedelta(days=300)
)


def test_a_suspended_volunteer_listed_again_with_a_middle_name_is_still_suspended(services, tmp_path):
    """Found in session 22: a principal suspends Vera Helpwell (a complaint under review). The district's next
    list carries her as "Vera M Helpwell", same date of birth, check clear: the import made a second record,
    approved, and Vera checked in as a volunteer at the desk (typing the middle name from her licence) and at
    the kiosk (scanning it) as if never suspended. A suspended record of the same first and last name and date
    of birth now stops the check-in as a volunteer, whatever the middle name."""
    vera = services.volunteers.add(
        NewVolunteer("Vera", "Helpwell", dob=date(1980, 5, 6), activities=("Library",), check=CURRENT)
    )
    services.volunteers.suspend(vera.id, "Complaint under review")
    listed = tmp_path / "district.csv"
    listed.write_text(
        "first_name,middle_name,last_name,dob,activities,check_result,check_expires\n"
        f"Vera,M,Helpwell,1980-05-06,Library,clear,{(TODAY + timedelta(days=365)).isoformat()}\n",
        encoding="utf-8",
    )
    services.volunteers.import_csv(listed)
    statuses = sorted(v.status.value for v in services.volunteers.list())
    assert statuses in (["approved", "suspended"], ["suspended"])
    for middle in ("M", None):
        request = CheckInRequest(Visitor("Vera", "Helpwell", middle, dob=date(1980, 5, 6)), Category.VOLUNTEER)
        outcome = services.checkin.start(request)
        assert isinstance(outcome, NeedsDecision), (middle, outcome)
        (warning,) = outcome.warnings
        assert warning.code == VOLUNTEER_NOT_CLEARED and "suspended" in warning.message
    # The kiosk: her licence scanned (middle name on it) sends her to the front office.
    arrival = services.kiosk.identify(Visitor("Vera", "Helpwell", "M", dob=date(1980, 5, 6)))
    assert arrival.kind == "volunteer"
    answer = services.kiosk.check_in(arrival)
    assert type(answer).__name__ == "SeeFrontOffice"
    assert services.visits.on_site() == []
    # Someone else of the same name with another date of birth is not her: the usual "no record" warning.
    other = CheckInRequest(Visitor("Vera", "Helpwell", "M", dob=date(1991, 1, 1)), Category.VOLUNTEER)
    (warning,) = services.checkin.start(other).warnings
    assert "suspended" not in warning.message and "no volunteer record" in warning.message


def test_a_check_that_expires_centuries_from_now_or_was_done_in_the_future_is_bad_input(services, tmp_path):
    """Found in session 22: a background check's expiry typed as 2205-06-30 for 2025-06-30 (or a provider's
    "never" filler, 9999-12-31) was taken as it came: the volunteer stayed approved for ever, and a check that
    lapsed long ago never lapsed at the kiosk or the desk. An expiry more than 10 years ahead, or a check dated in
    the future, is now bad input (the CLI's one line, the import's bad row by number, nothing imported)."""
    import pytest

    from frontdesk.errors import InputError
    from frontdesk.screening.importer import ImportFailed

    far = TODAY.replace(year=TODAY.year + 180)
    with pytest.raises(InputError, match="10 years"):
        services.volunteers.add(
            NewVolunteer("Vera", "Helpwell", check=BackgroundCheck("fingerprint", "", TODAY, "clear", far))
        )
    with pytest.raises(InputError, match="future"):
        services.volunteers.add(
            NewVolunteer(
                "Vera",
                "Helpwell",
                check=BackgroundCheck(
                    "fingerprint", "", TODAY + timedelta(days=40), "clear", TODAY + timedelta(days=400)
                ),
            )
        )
    listed = tmp_path / "district.csv"
    listed.write_text(
        "first_name,last_name,dob,check_result,check_expires\n"
        f"Vera,Helpwell,1980-05-06,clear,{(TODAY + timedelta(days=365)).isoformat()}\n"
        "Paul,Pending,1975-01-02,clear,9999-12-31\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as failed:
        services.volunteers.import_csv(listed)
    assert "line 3" in str(failed.value) and "10 years" in str(failed.value)
    assert services.volunteers.list() == []  # nothing imported
    # Ten years ahead is still a date a check can carry.
    ok = services.volunteers.add(
        NewVolunteer(
            "Vera",
            "Helpwell",
            check=BackgroundCheck("fingerprint", "", TODAY, "clear", TODAY + timedelta(days=3600)),
        )
    )
    assert ok.cleared


def test_suspending_a_volunteer_who_is_on_site_says_so_and_tells_the_desk(data_dir):
    """Found in session 22: a principal suspends a volunteer (a complaint under review) while the volunteer is in
    the building with a VOLUNTEER badge; `volunteers suspend` said only "Suspended", and nothing told the front
    desk. It now says they are on site (since when, which badge) and puts a warning in the desk's event log."""
    import json

    from frontdesk.context import Services
    from tests.cli_helpers import frontdesk, text

    added = frontdesk(
        "volunteers", "add", "--first-name", "Vera", "--last-name", "Helpwell", "--dob", "1980-05-06",
        "--check-expires", (TODAY + timedelta(days=100)).isoformat(), "--activity", "Library", "--json",
        data_dir=data_dir,
    )  # fmt: skip
    record = json.loads(text(added)[0])
    checkin = frontdesk(
        "checkin", "--first-name", "Vera", "--last-name", "Helpwell", "--dob", "1980-05-06",
        "--category", "volunteer", "--purpose", "Library", "--json", data_dir=data_dir,
    )  # fmt: skip
    assert checkin.returncode == 0, text(checkin)
    badge = json.loads(text(checkin)[0])["badge_code"]
    done = frontdesk("volunteers", "suspend", str(record["id"]), "--reason", "Complaint", data_dir=data_dir)
    out = text(done)[0]
    assert done.returncode == 0 and out.startswith(f"Suspended {record['id']}: Vera Helpwell (Complaint)")
    assert "on site now" in out and badge in out.replace("-", "")
    services = Services.open(data_dir)
    try:
        (told,) = [e for e in services.events.recent(20) if "suspended" in e.message]
        assert told.level == "warning" and "Vera Helpwell" in told.message and "on site" in told.message
    finally:
        services.close()


def test_a_mistyped_volunteer_rule_fails_safe(services):
    """Found in session 22: `volunteers.uncleared` takes any text, and only the exact word "refuse" refused; a
    district that typed "Refuse " or "refsue" had lapsed volunteers admitted as visitors at the desk, the looser
    rule, without a word. Anything but "visitor" now refuses (the stricter rule on a slip)."""
    from frontdesk.checkin.workflow import Refused
    from frontdesk.settings import VOLUNTEER_UNCLEARED

    lapsed = BackgroundCheck("fingerprint", "", TODAY - timedelta(days=800), "clear", TODAY - timedelta(days=3))
    services.volunteers.add(NewVolunteer("Vera", "Helpwell", dob=date(1980, 5, 6), check=lapsed))
    request = CheckInRequest(Visitor("Vera", "Helpwell", dob=date(1980, 5, 6)), Category.VOLUNTEER)
    for typed in ("refsue", "Refuse ", "no"):
        services.settings.set(VOLUNTEER_UNCLEARED, typed)
        assert isinstance(services.checkin.start(request), Refused), typed
    services.settings.set(VOLUNTEER_UNCLEARED, "visitor")
    assert isinstance(services.checkin.start(request), NeedsDecision)
