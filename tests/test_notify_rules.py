"""Who is told: rules naming a role or an account (staff accounts' email and mobile), the district's rules with
school overrides and locks (a district-settings document standing in for the hub's answer), links to the hub
in emails (never in texts), and the frozen desk saying plainly it has no Twilio client.

The principal test runs the real command line (in-process ``main``) and a real SMTP server on loopback
(aiosmtpd with STARTTLS and AUTH).
"""

from __future__ import annotations

import json
import sys
from datetime import date

import pytest

from frontdesk import clock
from frontdesk import settings as s
from frontdesk.access.roles import Role
from frontdesk.cli import main
from frontdesk.context import Services
from frontdesk.errors import DeliveryError, InputError, NotFoundError, PermissionDenied
from frontdesk.notifications import channels
from frontdesk.notifications.channels import Envelope, TwilioChannel, TwilioConfig
from frontdesk.notifications.secrets import save_secret
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from tests.notify_support import SMTP_PASSWORD, SMTP_USER, SmtpServer

ADMIN_PW, PRINCIPAL_PW = "district-secret", "principal-pw"
PRINCIPAL = "nakamura@maple.example"
DESK_EMAIL = "desk@maple.example"
DISTRICT = "security@district.example"


@pytest.fixture
def starttls(tmp_path):
    server = SmtpServer("starttls", tmp_path).start()
    yield server
    server.stop()


def _configure(services: Services, server: SmtpServer) -> None:
    st = services.settings
    st.set(s.SCHOOL_NAME, "Maple Grove")
    st.set(s.STATION_NAME, "front desk")
    st.set(s.NOTIFY_SMTP_SERVER, server.address)
    st.set(s.NOTIFY_SMTP_SECURITY, server.mode)
    st.set(s.NOTIFY_SMTP_USER, SMTP_USER)
    st.set(s.NOTIFY_SMTP_CA_FILE, str(server.ca_file))
    st.set(s.NOTIFY_FROM, "frontdesk@maple.example")


def _staff(services: Services) -> None:
    """An administrator (signed in), a principal with no email yet, a desk account with one."""
    services.accounts.add("root", Role.ADMIN, ADMIN_PW, "Dana Admin")
    services.accounts.sign_in("root", ADMIN_PW)
    services.accounts.add("p.nakamura", Role.PRINCIPAL, PRINCIPAL_PW, "Dr. Nakamura")
    services.accounts.add("desk.lee", Role.DESK, "4321", "Lee Desk", email=DESK_EMAIL)


def _audited(services: Services, action: str) -> list[dict]:
    rows = services.store.db.execute("SELECT details FROM audit_log WHERE action = ? ORDER BY seq", [action])
    return [json.loads(r[0]) for r in rows]


# --- staff accounts as recipients --------------------------------------------------------------------------
def test_adding_a_principals_email_makes_them_receive_the_next_event(
    starttls, data_dir, keyring_file, monkeypatch
):
    services = Services.open(data_dir)
    _configure(services, starttls)
    services.lists.add("District", NewEntry("Robert", "Barredman", dob=parse_dob("1975-04-02"), kind=Kind.BARRED))
    _staff(services)
    services.outbound.add("role:principal", "match")  # every principal of this school
    save_secret("smtp", SMTP_PASSWORD)
    services.close()
    d = ["--data-dir", str(data_dir)]
    barred = ["checkin", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "1975-04-02"]

    # The principal has no email yet: the match reaches nobody (the rule resolves to no address).
    assert main([*d, *barred]) == 4
    assert main([*d, "notify", "drain", "--wait", "10"]) == 0
    assert starttls.received == []

    monkeypatch.setenv("FRONTDESK_PASSWORD", ADMIN_PW)
    assert main([*d, "--user", "root", "users", "contact", "p.nakamura", "--email", PRINCIPAL]) == 0
    monkeypatch.delenv("FRONTDESK_PASSWORD")
    assert main([*d, *barred]) == 4  # the next event
    assert main([*d, "notify", "drain", "--wait", "10"]) == 0

    (got,) = starttls.received  # the principal only: the desk account's email is not a principal's
    assert got.rcpt == [PRINCIPAL] and got.tls and got.authenticated
    assert got.message["Subject"] == "Barred-list match at Maple Grove front desk"
    assert "Robert Barredman, District. Not admitted." in got.message.get_content()
    services = Services.open(data_dir)
    try:
        (change,) = _audited(services, "user.contact")
        assert change["email"] == {"old": "", "new": PRINCIPAL}
        (sent,) = _audited(services, "notify.sent")
        assert sent["to"] == PRINCIPAL
    finally:
        services.close()


def test_account_email_and_mobile_are_checked_audited_and_only_active_accounts_are_told(services):
    _staff(services)
    with pytest.raises(InputError):
        services.accounts.set_contact("p.nakamura", email="not-an-address")
    with pytest.raises(InputError):
        services.accounts.set_contact("p.nakamura", mobile="555-1234")
    account = services.accounts.set_contact("p.nakamura", email=PRINCIPAL, mobile="+1 (555) 123-0001")
    assert (account.email, account.mobile) == (PRINCIPAL, "+15551230001")
    services.outbound.add("account:p.nakamura", "panic", sms=True)  # email and a text to the mobile
    services.outbound.add("role:desk", "panic")
    told = {(r.address, r.sms, r.name) for r in services.outbound.subscribers("panic")}
    assert told == {
        (PRINCIPAL, False, "Dr. Nakamura"),
        ("+15551230001", True, "Dr. Nakamura"),
        (DESK_EMAIL, False, "Lee Desk"),
    }
    with pytest.raises(NotFoundError):
        services.outbound.add("account:nobody.here", "panic")
    with pytest.raises(InputError):
        services.outbound.add("role:janitor", "panic")
    services.accounts.disable("desk.lee")
    assert DESK_EMAIL not in {r.address for r in services.outbound.subscribers("panic")}
    # Clearing keeps what was not named; a principal may not change an account.
    assert services.accounts.set_contact("p.nakamura", mobile="").email == PRINCIPAL
    services.accounts.sign_out()
    services.accounts.sign_in("p.nakamura", PRINCIPAL_PW)
    with pytest.raises(PermissionDenied):
        services.accounts.set_contact("p.nakamura", email="other@maple.example")


def test_users_cli_email_and_mobile(data_dir, monkeypatch, capsys):
    d = ["--data-dir", str(data_dir)]
    monkeypatch.setenv("FRONTDESK_NEW_SECRET", ADMIN_PW)
    assert main([*d, "users", "add", "root", "--role", "admin", "--email", "root@district.example"]) == 0
    monkeypatch.setenv("FRONTDESK_PASSWORD", ADMIN_PW)
    monkeypatch.setenv("FRONTDESK_NEW_SECRET", PRINCIPAL_PW)
    assert main([*d, "--user", "root", "users", "add", "p.nakamura", "--role", "principal", "--mobile", "x"]) == 2
    assert "is not a phone number" in capsys.readouterr().err
    assert main([*d, "--user", "root", "users", "add", "p.nakamura", "--role", "principal"]) == 0
    assert main([*d, "--user", "root", "users", "contact", "p.nakamura", "--mobile", "+15551230001"]) == 0
    assert main([*d, "--user", "root", "users", "contact", "p.nakamura"]) == 2
    capsys.readouterr()
    assert main([*d, "--user", "root", "users", "list", "--json"]) == 0
    listed = {a["username"]: (a["email"], a["mobile"]) for a in json.loads(capsys.readouterr().out)}
    assert listed == {"root": ("root@district.example", ""), "p.nakamura": ("", "+15551230001")}


# --- district defaults, school overrides, locks ---------------------------------------------------------------
def _district_file(tmp_path, rules, locked=False):
    path = tmp_path / "district-settings.json"
    path.write_text(json.dumps({"version": 7, "settings": {"notify.rules": {"value": rules, "locked": locked}}}))
    return str(path)


def test_a_district_default_applies_unless_the_school_overrides_it_and_a_lock_forbids_that(services, tmp_path):
    _staff(services)
    services.accounts.set_contact("p.nakamura", email=PRINCIPAL)
    rules = [
        {"to": "role:principal", "events": ["match", "daily-log"], "name": "Principals"},
        {"to": DISTRICT, "events": "panic,desk-offline", "name": "District security", "locked": True},
    ]
    assert services.outbound.load_district_file(_district_file(tmp_path, rules)) == 2
    by = {r.address: r for r in services.outbound.recipients()}
    assert (by["role:principal"].origin, by["role:principal"].locked) == ("district", False)
    assert (by[DISTRICT].origin, by[DISTRICT].locked) == ("district", True)
    assert [r.address for r in services.outbound.subscribers("match")] == [PRINCIPAL]  # the default applies

    # The school overrides the principals' rule: daily log only.
    services.outbound.add("role:principal", "daily-log")
    assert services.outbound.subscribers("match") == []
    assert [r.address for r in services.outbound.subscribers("daily-log")] == [PRINCIPAL]
    assert services.outbound.recipient("role:principal").overrides
    # Removing the override brings the district's default back.
    services.outbound.remove("role:principal")
    assert [r.address for r in services.outbound.subscribers("match")] == [PRINCIPAL]
    # Removing the district's own (unlocked) rule switches it off at this school only.
    services.outbound.remove("role:principal")
    assert services.outbound.recipient("role:principal").events == ()
    assert services.outbound.subscribers("match") == []

    # A locked rule cannot be overridden or removed here.
    with pytest.raises(PermissionDenied):
        services.outbound.add(DISTRICT, "panic")
    with pytest.raises(PermissionDenied):
        services.outbound.remove(DISTRICT)
    # The district locks every rule: the school's earlier switch-off no longer counts.
    assert services.outbound.load_district_file(_district_file(tmp_path, rules, locked=True)) == 2
    assert [r.address for r in services.outbound.subscribers("match")] == [PRINCIPAL]
    assert services.outbound.recipient("role:principal").locked
    # The school may still add its own people beside the district's.
    services.outbound.add("sro@maple.example", "match")
    assert {r.address for r in services.outbound.subscribers("match")} == {PRINCIPAL, "sro@maple.example"}

    # A bad document changes nothing; a document without notify.rules leaves the district's rules alone.
    bad = _district_file(tmp_path, [{"to": "role:principal", "events": "lunch"}])
    with pytest.raises(InputError, match="rule 1"):
        services.outbound.load_district_file(bad)
    assert len([r for r in services.outbound.recipients() if r.origin == "district"]) == 2
    assert services.outbound.apply_district_settings({"settings": {"school.name": {"value": "x"}}}) is None
    assert _audited(services, "notify.district_rules")[-1]["rules"][0]["locked"] is True


def test_notify_cli_names_roles_and_loads_the_district_file(data_dir, tmp_path, capsys):
    d = ["--data-dir", str(data_dir)]
    assert main([*d, "notify", "add", "role:principal", "--events", "match"]) == 0
    path = _district_file(tmp_path, [{"to": DISTRICT, "events": "panic", "locked": True}])
    assert main([*d, "notify", "district-load", path]) == 0
    assert main([*d, "notify", "remove", DISTRICT]) == 2
    assert "the district locked it" in capsys.readouterr().err
    assert main([*d, "notify", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["address"], r["origin"], r["locked"]) for r in listed] == [
        ("role:principal", "school", False),
        (DISTRICT, "district", True),
    ]
    assert main([*d, "notify", "list"]) == 0
    assert "(district, locked)" in capsys.readouterr().out


# --- links in emails, never in texts -----------------------------------------------------------------------
def test_emails_link_to_the_hub_screen_and_texts_never_do(services):
    services.settings.set(s.SCHOOL_NAME, "Maple Grove")
    services.outbound.add("principal@maple.example", "match,panic")
    services.outbound.add("+15551230000", "match", sms=True)
    when = clock.now()
    services.outbound.match_confirmed(
        "barred", "Robert Barredman", "District", admitted=False, staff="Pat Demo", when=when
    )
    services.outbound.match_confirmed(
        "barred", "Robert Barredman", "District", admitted=False, staff="Pat Demo", when=when
    )  # grouped: no link yet, no base
    (text, email) = sorted(services.outbound.deliveries(), key=lambda d: d.sms, reverse=True)
    assert "http" not in email.body and "http" not in text.body

    services.settings.set(s.NOTIFY_LINK_BASE, "https://hub.district.example/")
    services.outbound.match_confirmed("barred", "Other Person", "District", admitted=False, staff="Pat", when=when)
    services.outbound.panic_pressed("LOCKDOWN", "Actual", staff="Pat", status="Sent.", incident="i1", when=when)
    newest = {(d.event, d.sms): d for d in reversed(services.outbound.deliveries())}
    day = when.astimezone().date().isoformat()
    assert newest[("match", False)].body.endswith(
        f"\n\nOpen on the district hub: https://hub.district.example/district/?school=Maple+Grove&date={day}"
    )
    assert "Other Person" not in newest[("match", False)].body.split("Open on")[1]  # no person in the link
    assert "http" not in newest[("match", True)].body  # a text carries no link
    assert newest[("panic", False)].body.endswith("Open on the district hub: https://hub.district.example/")
    from frontdesk.notifications import words

    assert words.grouped("Text.\n\nOpen on the district hub: u", 2) == (
        "Text. (Happened 2 more times.)\n\nOpen on the district hub: u"
    )


# --- the frozen bundle has no Twilio client --------------------------------------------------------------------
def test_a_frozen_desk_says_plainly_it_has_no_twilio_client(monkeypatch):
    monkeypatch.setitem(sys.modules, "twilio.rest", None)  # the import fails, as in the bundle
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert "has no Twilio client" in channels.twilio_missing()
    with pytest.raises(DeliveryError, match="email-to-SMS address") as caught:
        TwilioChannel(TwilioConfig("AC1", "+15550000000", token=lambda: "t")).send(
            Envelope("+15551230000", "", "x", sms=True)
        )
    assert caught.value.code == "sms_client"
    monkeypatch.setattr(sys, "frozen", False)
    assert "pip install 'frontdesk[sms]'" in channels.twilio_missing()


def test_link_words():
    from frontdesk.notifications import words

    assert words.link("https://hub/", words.LOG, "Oak & Elm", date(2026, 12, 2)) == (
        "https://hub/district/?school=Oak+%26+Elm&date=2026-12-02"
    )
    assert words.link("https://hub", words.BOARD, "Oak", None) == "https://hub/"


def test_the_district_rules_as_one_line_of_text(services):
    """The hub's district settings carry plain values: the rules as TARGET=EVENTS text ('!' locks, '/sms')."""
    services.settings.set(s.SCHOOL_NAME, "Maple Grove")
    document = {
        "settings": {
            "notify.rules": {
                "value": (
                    "!security@district.example=panic,desk-offline; role:principal=match\n+15551230000/sms=panic"
                ),
                "locked": False,
            }
        }
    }
    assert services.outbound.apply_district_settings(document) == 3
    by = {r.address: r for r in services.outbound.recipients()}
    assert by[DISTRICT].locked and by[DISTRICT].events == ("panic", "desk-offline")
    assert not by["role:principal"].locked and by["+15551230000"].sms
    with pytest.raises(InputError, match="rule 2"):
        services.outbound.apply_district_settings(
            {"settings": {"notify.rules": {"value": "a@b.example=panic; oops"}}}
        )
    from district.hub.notify import addresses_from_rules

    assert addresses_from_rules(document["settings"]["notify.rules"]["value"]) == [DISTRICT]
