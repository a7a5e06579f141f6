"""Decisions at the desk: what each kind means once confirmed, who is told, what is logged."""

from __future__ import annotations

import pytest

from frontdesk.checkin.workflow import CheckInRequest, Cleared, NeedsDecision
from frontdesk.errors import InputError
from frontdesk.models import Visitor
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.decisions import Consequence, Outcome
from frontdesk.screening.models import Kind, NewEntry, Query
from frontdesk.settings import SCREEN_REGISTRY_AS_BARRED


def flagged(services, kind: Kind, students=()):
    services.lists.add(
        "District", NewEntry("Robert", "Smith", dob=parse_dob("1980-03-14"), kind=kind, students=tuple(students))
    )
    query = Query("Bob", "Smith", dob=parse_dob("1980-03-14"))
    result = services.screener.screen(query)
    return query, result.candidates[0]


def test_confirmed_barred_denies_and_notifies_the_principal_at_once(services):
    query, candidate = flagged(services, Kind.BARRED)
    decision = services.decisions.confirm(query, candidate, "Pat Demo", "photo matches")
    assert (decision.outcome, decision.consequence) == (Outcome.CONFIRMED, Consequence.DENY)
    (note,) = services.notifications.unread("principal")
    assert note.level == "urgent" and "Bob Smith" in note.body and "not admitted" in note.body
    services.notifications.acknowledge(note.id)
    assert services.notifications.unread("principal") == []


def test_confirmed_custody_names_the_students_not_to_release(services):
    query, candidate = flagged(services, Kind.CUSTODY, ["Sam Smith", "Ada Smith"])
    decision = services.decisions.confirm(query, candidate, "Pat Demo")
    assert decision.consequence is Consequence.NO_RELEASE and decision.students == ("Sam Smith", "Ada Smith")
    assert "Do not release: Sam Smith, Ada Smith" in services.notifications.unread("principal")[0].body


def test_watch_admits_and_tells_an_administrator(services):
    query, candidate = flagged(services, Kind.WATCH)
    assert services.decisions.confirm(query, candidate, "Pat Demo").consequence is Consequence.ADMIT_AND_NOTIFY
    assert services.notifications.unread("principal") == []
    assert len(services.notifications.unread("administrator")) == 1


def test_registry_follows_the_setting(services):
    query, candidate = flagged(services, Kind.REGISTRY)
    assert services.decisions.confirm(query, candidate, "Pat").consequence is Consequence.DENY
    services.settings.set(SCREEN_REGISTRY_AS_BARRED, False)
    assert services.decisions.confirm(query, candidate, "Pat").consequence is Consequence.ADMIT_AND_NOTIFY


def test_not_this_person_needs_a_reason_and_is_linked_to_the_visit(services):
    query, candidate = flagged(services, Kind.BARRED)
    with pytest.raises(InputError):
        services.decisions.dismiss(query, candidate, "Pat Demo", "  ")
    services.visits.staff = "Pat Demo"
    flagged_visit = services.checkin.start(
        CheckInRequest(Visitor("Bob", "Smith", dob=parse_dob("1980-03-14").day))
    )
    assert isinstance(flagged_visit, NeedsDecision)
    with pytest.raises(InputError):
        services.checkin.decide(flagged_visit.admission, candidate.entry.id, same_person=False, reason="  ")
    cleared = services.checkin.decide(
        flagged_visit.admission, candidate.entry.id, same_person=False, reason="different photo, ID checked"
    )
    assert isinstance(cleared, Cleared) and services.notifications.unread("principal") == []
    visit = services.checkin.commit(cleared).visit
    (logged,) = services.decisions.recent(visit_id=visit.id)
    assert logged.consequence is Consequence.ADMIT
    assert (logged.staff, logged.reason, logged.entry_id) == ("Pat Demo", "different photo, ID checked", 1)
    assert "nickname" in logged.evidence


def test_dispatch_is_told_once_a_link_exists_unless_the_district_turns_it_off(services):
    from frontdesk.settings import DISPATCH_URL, SCREEN_NOTIFY_DISPATCH

    query, candidate = flagged(services, Kind.BARRED)
    assert not services.decisions.confirm(query, candidate, "Pat Demo").dispatched  # no link: nothing queued
    assert services.station.recent() == []
    services.settings.set(DISPATCH_URL, "http://127.0.0.1:9")  # connected (delivery is not tested here)
    assert services.decisions.confirm(query, candidate, "Pat Demo").dispatched
    (alert,) = services.station.recent()
    assert alert.action == "STAFF_ASSIST" and "barred-list match" in alert.note and "Robert Smith" in alert.note
    assert alert.cap_status == "Actual" and alert.staff == "Pat Demo"
    services.settings.set(SCREEN_NOTIFY_DISPATCH, False)
    assert not services.decisions.confirm(query, candidate, "Pat Demo").dispatched
    assert len(services.station.recent()) == 1
