"""Notifications reach the principal's accounts: one delivery per active account, read state per account,
acknowledgements audited, and the unaddressed fallback before any principal account exists."""

from __future__ import annotations

import pytest

from frontdesk import settings as s
from frontdesk.access.roles import Role
from frontdesk.access.session import SYSTEM_ACTOR
from frontdesk.context import Services
from frontdesk.errors import PermissionDenied
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry, Query

PASSWORDS = {"root": "district-secret", "p.nakamura": "principal-pw", "p.okafor": "vice-principal-pw"}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A data folder with an administrator, two principals, a disabled principal and a desk (hashed once)."""
    folder = tmp_path_factory.mktemp("notify") / "data"
    services = Services.open(folder)
    services.settings.set(s.SCHOOL_NAME, "Maple Grove Elementary")
    services.accounts.add("root", Role.ADMIN, PASSWORDS["root"], "Dana Admin")
    services.accounts.sign_in("root", PASSWORDS["root"])
    services.accounts.add("p.nakamura", Role.PRINCIPAL, PASSWORDS["p.nakamura"], "Dr. Nakamura")
    services.accounts.add("p.okafor", Role.PRINCIPAL, PASSWORDS["p.okafor"], "Ms. Okafor")
    services.accounts.add("p.former", Role.PRINCIPAL, "former-principal", "Mr. Former")
    services.accounts.disable("p.former")
    services.accounts.add("desk.lee", Role.DESK, "2468", "Lee Desk")
    services.lists.add("District list", NewEntry("Robert", "Smith", dob=parse_dob("1980-03-14"), kind=Kind.BARRED))
    services.lists.add("Watch list", NewEntry("Wanda", "Watcher", dob=parse_dob("1971-07-07"), kind=Kind.WATCH))
    services.accounts.sign_out()
    services.close()
    return folder


def confirm(services, first="Bob", last="Smith", dob="1980-03-14"):
    query = Query(first, last, dob=parse_dob(dob))
    (candidate,) = services.screener.screen(query).candidates
    return services.decisions.confirm(query, candidate, "Lee Desk", "ID checked")


def test_a_confirmed_barred_match_goes_to_each_active_principal_account(staffed):
    decision = confirm(staffed)
    assert decision.told == ("Dr. Nakamura", "Ms. Okafor")
    (note,) = staffed.notifications.recent()
    assert note.recipients == ("p.nakamura", "p.okafor") and note.level == "urgent"
    assert [n.id for n in staffed.notifications.inbox("p.nakamura")] == [note.id]
    assert [n.id for n in staffed.notifications.inbox("p.okafor")] == [note.id]
    # The disabled principal, the administrator and the desk get nothing; nor does a locked desk.
    for other in ("p.former", "root", "desk.lee"):
        assert staffed.notifications.inbox(other) == []
    assert staffed.notifications.inbox() == []
    assert [r.username for r in staffed.notifications.receipts(note.id)] == ["p.nakamura", "p.okafor"]


def test_read_state_is_per_account_and_each_acknowledgement_is_audited(staffed):
    confirm(staffed)
    staffed.accounts.sign_in("p.nakamura", PASSWORDS["p.nakamura"])
    (note,) = staffed.notifications.inbox()  # the signed-in person's
    done = staffed.notifications.acknowledge(note.id)
    assert done.read_at is not None
    assert staffed.notifications.inbox() == []
    assert [n.id for n in staffed.notifications.inbox("p.okafor")] == [note.id]  # not hers to lose
    assert [n.id for n in staffed.notifications.unread("principal")] == [note.id]  # pending: Ms. Okafor
    staffed.notifications.acknowledge(note.id)  # again: nothing changes, nothing more recorded

    staffed.accounts.sign_in("p.okafor", PASSWORDS["p.okafor"])
    staffed.notifications.acknowledge(note.id)
    assert staffed.notifications.unread("principal") == []
    assert all(r.read_at is not None for r in staffed.notifications.receipts(note.id))

    records = staffed.audit.records(action="notification.")
    assert [(r.actor, r.action) for r in reversed(records)] == [
        ("desk", "notification.send"),
        ("p.nakamura", "notification.acknowledge"),
        ("p.okafor", "notification.acknowledge"),
    ]
    assert records[0].subject == f"notification {note.id}"
    assert records[0].details == {"title": "Confirmed Barred match", "ref": note.ref}
    assert records[-1].details["to"] == ["p.nakamura", "p.okafor"]
    assert staffed.audit.verify().intact


def test_only_a_recipient_can_acknowledge_an_addressed_notification(staffed):
    confirm(staffed)
    (note,) = staffed.notifications.recent()
    staffed.accounts.sign_in("desk.lee", "2468")
    with pytest.raises(PermissionDenied):
        staffed.notifications.acknowledge(note.id)
    staffed.accounts.sign_out()
    with pytest.raises(PermissionDenied):  # nobody signed in
        staffed.notifications.acknowledge(note.id)
    assert len(staffed.notifications.inbox("p.nakamura")) == 1


def test_a_disabled_account_gets_nothing_and_does_not_hold_up_the_rest(staffed):
    confirm(staffed)
    with staffed.session.acting_as(SYSTEM_ACTOR):
        staffed.accounts.disable("p.okafor")
    confirm(staffed)  # a second visitor: only Dr. Nakamura is active now
    first, second = sorted(staffed.notifications.recent(), key=lambda n: n.id)
    assert second.recipients == ("p.nakamura",)
    staffed.notifications.acknowledge(first.id, "p.nakamura")
    staffed.notifications.acknowledge(second.id, "p.nakamura")
    assert staffed.notifications.unread("principal") == []  # Ms. Okafor is disabled: nothing is pending


def test_a_confirmed_watch_match_goes_to_each_administrator_account(staffed):
    decision = confirm(staffed, "Wanda", "Watcher", "1971-07-07")
    assert decision.told == ("Dana Admin",)
    (note,) = staffed.notifications.inbox("root")
    assert note.audience == "administrator" and note.level == "warning"
    assert staffed.notifications.inbox("p.nakamura") == []


def test_without_accounts_the_notice_is_unaddressed_and_every_desk_shows_it(services):
    # Set-up mode (no account at all): as before accounts existed, the role's notice is on every desk.
    services.lists.add("District list", NewEntry("Robert", "Smith", dob=parse_dob("1980-03-14"), kind=Kind.BARRED))
    decision = confirm(services)
    assert decision.told == ()
    (note,) = services.notifications.inbox()
    assert note.recipients == () and [n.id for n in services.notifications.unread("principal")] == [note.id]
    services.notifications.acknowledge(note.id)  # anyone, for everyone
    assert services.notifications.inbox() == [] and services.notifications.unread("principal") == []
    assert [r.action for r in services.audit.records(action="notification.")] == [
        "notification.acknowledge",
        "notification.send",
    ]
