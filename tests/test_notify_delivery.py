"""Email and text notifications end to end: a real SMTP server on loopback (STARTTLS, TLS, AUTH), the desk
killed between the event and the send, the daily log with its PDF, Twilio's exact HTTP requests.

The command-line tests run the real ``frontdesk`` in subprocesses on a real data folder; the SMTP server
(aiosmtpd) runs in the test process. The keyring is a file shared with the subprocesses.
"""

from __future__ import annotations

import base64
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from frontdesk import clock
from frontdesk import settings as s
from frontdesk.context import Services
from frontdesk.errors import DeliveryError, InputError
from frontdesk.models import Visitor
from frontdesk.notifications.channels import (
    Envelope,
    Refused,
    SmtpChannel,
    SmtpConfig,
    TwilioChannel,
    TwilioConfig,
)
from frontdesk.notifications.secrets import load_secret
from frontdesk.notifications.sender import Sender, channels_from_settings
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from tests.cli_helpers import ROOT, frontdesk, text
from tests.notify_support import SMTP_PASSWORD, SMTP_USER, FakeTwilio, SmtpServer
from tests.volunteer_helpers import approved_volunteer

PRINCIPAL = "principal@maple.example"
SRO = "sro@maple.example"
DISTRICT = "security@district.example"


@pytest.fixture(params=["starttls", "tls"])
def smtp(request, tmp_path):
    server = SmtpServer(request.param, tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def starttls(tmp_path):
    server = SmtpServer("starttls", tmp_path).start()
    yield server
    server.stop()


def configure(services: Services, server: SmtpServer) -> None:
    st = services.settings
    st.set(s.SCHOOL_NAME, "Maple Grove")
    st.set(s.STATION_NAME, "front desk")
    st.set(s.STAFF_NAME, "Pat Demo")
    st.set(s.NOTIFY_SMTP_SERVER, server.address)
    st.set(s.NOTIFY_SMTP_SECURITY, server.mode)
    st.set(s.NOTIFY_SMTP_USER, SMTP_USER)
    st.set(s.NOTIFY_SMTP_CA_FILE, str(server.ca_file))
    st.set(s.NOTIFY_FROM, "frontdesk@maple.example")


def smtp_config(server: SmtpServer, password: str = SMTP_PASSWORD, **kw) -> SmtpConfig:
    values = {"ca_file": str(server.ca_file), **kw}
    return SmtpConfig(
        server=server.address,
        security=server.mode,
        user=SMTP_USER,
        sender="frontdesk@maple.example",
        password=lambda: password,
        **values,
    )


# --- the SMTP channel against the real server ----------------------------------------------------------------
def test_smtp_channel_signs_in_over_tls_and_delivers(smtp):
    SmtpChannel(smtp_config(smtp)).send(Envelope(PRINCIPAL, "Hello", "Plain words.", message_id="<x-1@t.invalid>"))
    (got,) = smtp.received
    assert got.rcpt == [PRINCIPAL] and got.tls and got.authenticated
    assert got.message["Subject"] == "Hello" and got.message["Message-ID"] == "<x-1@t.invalid>"
    assert got.message.get_content().strip() == "Plain words."


def test_smtp_wrong_password_is_a_delivery_error_and_a_refused_address_is_refused(starttls):
    with pytest.raises(DeliveryError) as wrong:
        SmtpChannel(smtp_config(starttls, password="nope")).send(Envelope(PRINCIPAL, "x", "y"))
    assert wrong.value.code == "smtp_auth" and not isinstance(wrong.value, Refused)
    starttls.refuse.add("gone@maple.example")
    with pytest.raises(Refused, match="550"):
        SmtpChannel(smtp_config(starttls)).send(Envelope("gone@maple.example", "x", "y"))
    assert starttls.received == []


def test_an_untrusted_certificate_is_not_accepted(starttls):
    with pytest.raises(DeliveryError, match="could not be reached"):
        SmtpChannel(smtp_config(starttls, ca_file="")).send(Envelope(PRINCIPAL, "x", "y"))
    assert starttls.received == []


def test_no_encryption_only_to_a_loopback_server(tmp_path):
    with pytest.raises(InputError, match="only to a mail server on this machine"):
        SmtpConfig("smtp.district.example:25", "none", sender="a@b.example").check()
    server = SmtpServer("none", tmp_path).start()
    try:
        SmtpChannel(SmtpConfig(server.address, "none", sender="a@maple.example")).send(
            Envelope("5551234567@vtext.example", "Ignored subject", "Short text.", sms=True)
        )
        (got,) = server.received
        assert not got.tls and got.message["Subject"] is None  # a gateway text has no subject
        assert got.message.get_content().strip() == "Short text."
    finally:
        server.stop()


# --- events reach their subscribers once, after the desk was killed ------------------------------------------
DESK = """
import sys, time
from datetime import timedelta
from frontdesk import clock
from frontdesk.context import Services
from frontdesk.checkin.workflow import CheckInRequest, NeedsDecision
from frontdesk.models import Visitor
services = Services.open(sys.argv[1])
visitor = Visitor(first_name="Wanda", last_name="Watchley", dob=__import__("datetime").date(1970, 1, 1))
outcome = services.checkin.start(CheckInRequest(visitor))
assert isinstance(outcome, NeedsDecision), outcome
outcome = services.checkin.decide(outcome.admission, outcome.candidates[0].entry.id, same_person=True)
services.checkin.commit(outcome)
services.station.press("LOCKDOWN", staff="Pat Demo")
with services.outbound.transaction():  # as the students feature will, inside its refusal's transaction
    services.outbound.release_refused("Carl Custodian", staff="Pat Demo")
services.outbound.checks_expiring(2, __import__("datetime").date(2026, 12, 14))  # the volunteers' hook
services.outbound.desk_offline("Oak Hill front desk", clock.now() - timedelta(hours=2))  # the hub's hook
services.daily_log.queue(clock.now().astimezone().date())
print("committed", flush=True)
time.sleep(600)  # the desk is killed here: nothing was sent
"""


def _outbox(data_dir: Path) -> list[tuple]:
    with sqlite3.connect(data_dir / "frontdesk.db") as db:
        return db.execute("SELECT event, address, state FROM notify_outbox ORDER BY id").fetchall()


def test_each_event_reaches_its_subscribers_once_after_the_desk_was_killed(starttls, data_dir, keyring_file):
    services = Services.open(data_dir)
    configure(services, starttls)
    services.lists.add("District", NewEntry("Robert", "Barredman", dob=parse_dob("1975-04-02"), kind=Kind.BARRED))
    services.lists.add("District", NewEntry("Wanda", "Watchley", dob=parse_dob("1970-01-01"), kind=Kind.WATCH))
    services.close()
    assert (
        frontdesk(
            "notify",
            "add",
            PRINCIPAL,
            "--events",
            "match,watch,daily-log",
            "--name",
            "Dr. Nakamura",
            data_dir=data_dir,
        ).returncode
        == 0
    )
    assert (
        frontdesk(
            "notify", "add", SRO, "--events", "match", "--name", "Officer Diaz", data_dir=data_dir
        ).returncode
        == 0
    )
    others = "panic,release-refused,checks-expiring,desk-offline"
    assert frontdesk("notify", "add", DISTRICT, "--events", others, data_dir=data_dir).returncode == 0
    assert frontdesk("notify", "set-password", data_dir=data_dir, stdin=SMTP_PASSWORD + "\n").returncode == 0

    # A check-in the command line refused (exit 4): a match event.
    refused = frontdesk(
        "checkin", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "1975-04-02", data_dir=data_dir
    )
    assert refused.returncode == 4, text(refused)
    # At a desk: a watch match confirmed, a panic pressed, the other events' hooks called, the day's log
    # queued; then the desk is killed before it sends anything.
    desk = subprocess.Popen(
        [sys.executable, "-c", DESK, str(data_dir)],
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert desk.stdout.readline().strip() == b"committed"
    finally:
        desk.send_signal(signal.SIGKILL)
        desk.wait()
    assert starttls.received == []
    assert sorted(_outbox(data_dir)) == [
        ("checks-expiring", DISTRICT, "queued"),
        ("daily-log", PRINCIPAL, "queued"),
        ("desk-offline", DISTRICT, "queued"),
        ("match", PRINCIPAL, "queued"),
        ("match", SRO, "queued"),
        ("panic", DISTRICT, "queued"),
        ("release-refused", DISTRICT, "queued"),
        ("watch", PRINCIPAL, "queued"),
    ]

    drained = frontdesk("notify", "drain", "--wait", "30", data_dir=data_dir)
    assert drained.returncode == 0, text(drained)
    assert frontdesk("notify", "drain", data_dir=data_dir).returncode == 0  # nothing twice

    with sqlite3.connect(data_dir / "frontdesk.db") as db:
        (when,) = db.execute("SELECT time FROM screening_decisions WHERE kind = 'barred'").fetchone()
    hhmm = f"{clock.from_db(when).astimezone():%H:%M}"
    match_text = (
        f"Confirmed barred-list match at Maple Grove front desk, {hhmm}: Robert Barredman, District. "
        "Not admitted. Desk: FrontDesk (unattended)."
    )
    for address in (PRINCIPAL, SRO):
        (match,) = [m for m in starttls.messages_to(address) if "match" in m["Subject"]]
        assert match["Subject"] == "Barred-list match at Maple Grove front desk"
        assert match.get_content().strip() == match_text
    (watch,) = [m for m in starttls.messages_to(PRINCIPAL) if "Watch" in m["Subject"]]
    assert watch.get_content().startswith("Watch-list visitor on site at Maple Grove front desk, ")
    assert "Wanda Watchley, District. Admitted" in watch.get_content()
    subjects = sorted(m["Subject"] for m in starttls.messages_to(DISTRICT))
    assert subjects == [
        "2 volunteer checks expire soon",
        "Lockdown alert at Maple Grove front desk",
        "Oak Hill front desk is offline",
        "Student release refused at Maple Grove front desk",
    ]
    (panic,) = [m for m in starttls.messages_to(DISTRICT) if "Lockdown" in m["Subject"]]
    assert "By: Pat Demo. This desk has no dispatch link: call 911 if needed." in panic.get_content()
    (log,) = [m for m in starttls.messages_to(PRINCIPAL) if m["Subject"].startswith("Visitor log")]
    (pdf,) = list(log.iter_attachments())
    assert (
        pdf.get_content().startswith(b"%PDF") and "1 visit: Visitor 1." in log.get_body(("plain",)).get_content()
    )
    assert len(starttls.received) == 8  # each event once to each subscriber
    for got in starttls.received:
        assert got.tls and got.authenticated
        body = got.message.get_body(("plain",)).get_content()
        assert "1975" not in body and "1970" not in body  # no date of birth
    assert [state for *_, state in _outbox(data_dir)] == ["sent"] * 8
    with sqlite3.connect(data_dir / "frontdesk.db") as db:
        actions = [r[0] for r in db.execute("SELECT action FROM audit_log WHERE action LIKE 'notify.%'")]
    assert actions.count("notify.sent") == 8 and "notify.queue" in actions


def test_custody_texts_never_name_the_children(services):
    services.settings.set(s.SCHOOL_NAME, "Maple Grove")
    services.outbound.add("+15551230000", "match", sms=True)
    entry = services.lists.add(
        "Court orders",
        NewEntry("Carl", "Custodian", dob=parse_dob("1980-01-01"), kind=Kind.CUSTODY, students=("Timmy Kid",)),
    )
    from frontdesk.checkin.workflow import CheckInRequest

    start = services.checkin.start(CheckInRequest(Visitor("Carl", "Custodian", dob=date(1980, 1, 1))))
    cleared = services.checkin.decide(start.admission, entry.id, same_person=True)
    services.checkin.commit(cleared)
    (d,) = services.outbound.deliveries()
    assert d.event == "match" and "Timmy" not in d.body and "1980" not in d.body
    assert "do not release the students named in the order" in d.body
    assert len(d.body) <= 320  # two text segments at most


# --- grouping, retries, giving up --------------------------------------------------------------------------
def test_identical_events_are_grouped_not_a_storm(services, starttls):
    configure(services, starttls)
    services.outbound.add(DISTRICT, "desk-offline,checks-expiring")
    since = clock.now() - timedelta(hours=2)
    for _ in range(50):  # a desk reconnecting over and over: one silence, one message
        services.outbound.desk_offline("Oak Hill front desk", since)
    assert services.outbound.desk_offline("Oak Hill front desk", clock.now()) == 0  # under an hour: nothing
    for _ in range(3):
        services.outbound.checks_expiring(4, date(2026, 12, 14))
    sender = Sender(
        services.store,
        services.settings,
        lambda: channels_from_settings(services.settings, lambda _: SMTP_PASSWORD),
    )
    assert [a.state for a in sender.drain(10)] == ["sent", "sent"]
    mails = {m["Subject"]: m.get_content().strip() for m in starttls.messages_to(DISTRICT)}
    assert len(starttls.received) == 2
    offline = mails["Oak Hill front desk is offline"]
    assert "Oak Hill front desk has not reached the district since" in offline
    assert offline.endswith("(Happened 49 more times.)")
    assert mails["4 volunteer checks expire soon"] == (
        "4 volunteer background checks expire at Maple Grove front desk, the first on 12/14/2026. "
        "See the volunteers screen at the desk. (Happened 2 more times.)"
    )


def test_a_server_that_is_down_is_retried_with_backoff_then_failed_visibly(services, tmp_path):
    services.settings.set(s.NOTIFY_SMTP_SERVER, "127.0.0.1:9")  # nothing listens on the discard port
    services.settings.set(s.NOTIFY_SMTP_SECURITY, "starttls")
    services.settings.set(s.NOTIFY_FROM, "frontdesk@maple.example")
    services.outbound.add(PRINCIPAL, "panic")
    services.station.press("LOCKDOWN", staff="Pat Demo")
    now = [clock.now()]
    sender = Sender(
        services.store,
        services.settings,
        lambda: channels_from_settings(services.settings),
        audit=services.audit,
        events=services.events,
        now=lambda: now[0],
    )
    (first,) = sender.send_due()
    assert first.state == "queued" and "could not be reached" in first.error
    assert sender.send_due() == []  # backing off: not due yet
    now[0] += timedelta(seconds=61)
    (second,) = sender.send_due()
    (d,) = services.outbound.deliveries()
    assert second.state == "queued" and d.attempts == 2
    # Still being retried, and a panic's: shown as not delivered from its first failed try, not a day later.
    assert services.outbound.problem_count() == 1 and services.outbound.problems() == [d]
    assert any("is not delivered yet" in e.message for e in services.events.recent())
    assert d.next_attempt - now[0] == timedelta(seconds=120)
    now[0] += timedelta(hours=25)
    (last,) = sender.send_due()
    assert last.state == "failed"
    (d,) = services.outbound.deliveries()
    assert d.state == "failed" and services.outbound.problems() == [d]
    assert services.outbound.problem_count() == 1  # the status bar's count, read without the messages
    assert any("panic notification to" in e.message and "dropped" in e.message for e in services.events.recent())
    assert "notify.failed" in [r.action for r in services.audit.records()]


# --- the daily log -------------------------------------------------------------------------------------------
def test_the_daily_log_arrives_with_its_pdf_and_a_summary(services, starttls):
    configure(services, starttls)
    services.outbound.add(PRINCIPAL, "daily-log", name="Dr. Nakamura")
    services.outbound.add("5551230000@vtext.example", "daily-log", sms=True)
    today = clock.now().astimezone().date()
    assert services.daily_log.queue(today) == 0  # no visits: nothing
    approved_volunteer(services, "Ann", "Example")  # a volunteer check-in needs a record (issue 18)
    for first in ("Ann", "Ben", "Cal"):
        services.checkin.admit(
            Visitor(first, "Example"), category="volunteer" if first == "Ann" else "visitor", destination="Room 12"
        )
    services.visits.check_out(services.visits.on_site()[0].badge_code)
    assert services.daily_log.queue(today) == 2
    sender = Sender(
        services.store,
        services.settings,
        lambda: channels_from_settings(services.settings, lambda _: SMTP_PASSWORD),
    )
    sender.drain(10)
    (mail,) = starttls.messages_to(PRINCIPAL)
    assert mail["Subject"] == f"Visitor log, Maple Grove front desk, {today:%m/%d/%Y}: 3 visits"
    body = mail.get_body(("plain",)).get_content()
    assert "3 visits: Visitor 2, Volunteer 1." in body and "Still on site at" in body
    assert "Flagged at screening: 0." in body
    (pdf,) = list(mail.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"visitor-log-{today.isoformat()}.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    (sms,) = starttls.messages_to("5551230000@vtext.example")
    assert sms["Subject"] is None and not list(sms.iter_attachments())
    assert sms.get_content().strip().startswith(f"Visitor log Maple Grove front desk {today:%m/%d}: 3 visits")
    assert "Ann" not in sms.get_content()


def test_the_daily_log_is_queued_once_at_the_schools_time(services):
    services.outbound.add(PRINCIPAL, "daily-log")
    services.checkin.admit(Visitor("Ann", "Example"))
    services.settings.set(s.NOTIFY_DAILY_LOG_TIME, "00:00")
    assert services.daily_log.queue_if_due() == 1
    assert services.daily_log.queue_if_due() == 0
    again = Services.open(services.store.data_dir)  # a restarted desk does not send it twice
    try:
        assert again.daily_log.queue_if_due() == 0
    finally:
        again.close()


# --- texts through Twilio's API (its official client, against the recording fake) ------------------------------
def test_twilio_path_sends_the_exact_requests():
    fake = FakeTwilio().start()
    try:
        fake.invalid.add("+15550000000")
        account = "AC" + "0" * 31 + "1"
        channel = TwilioChannel(TwilioConfig(account, "+15557654321", token=lambda: "tok3n", api=fake.url))
        channel.send(
            Envelope("+15551234567", "ignored", "Lockdown alert pressed at Maple Grove front desk.", sms=True)
        )
        with pytest.raises(Refused, match="21211"):
            channel.send(Envelope("+15550000000", "", "x", sms=True))
    finally:
        fake.stop()
    first, second = fake.requests
    assert first.method == "POST" and first.path == f"/2010-04-01/Accounts/{account}/Messages.json"
    assert first.headers["Authorization"] == "Basic " + base64.b64encode(f"{account}:tok3n".encode()).decode()
    assert first.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(first.body.decode()) == [
        ("To", "+15551234567"),
        ("From", "+15557654321"),
        ("Body", "Lockdown alert pressed at Maple Grove front desk."),
    ]
    assert dict(parse_qsl(second.body.decode()))["To"] == "+15550000000"


def test_a_panic_press_texts_through_the_provider_with_its_status(services):
    fake = FakeTwilio().start()
    try:
        st = services.settings
        st.set(s.SCHOOL_NAME, "Maple Grove")
        st.set(s.STATION_NAME, "front desk")
        st.set(s.NOTIFY_SMS_PROVIDER, "twilio")
        st.set(s.NOTIFY_TWILIO_ACCOUNT, "AC" + "2" * 32)
        st.set(s.NOTIFY_TWILIO_FROM, "+15557654321")
        st.set(s.NOTIFY_TWILIO_API, fake.url)
        services.outbound.add("+1 (555) 123-4567", "panic", sms=True, name="Officer Diaz")
        services.station.press("LOCKDOWN", staff="Pat Demo")
        services.station.press("LOCKDOWN", staff="Pat Demo")  # a second press of the same incident: grouped
        sender = Sender(services.store, st, lambda: channels_from_settings(st, lambda _: "tok3n"))
        (attempt,) = sender.drain(5)
        assert attempt.state == "sent"
    finally:
        fake.stop()
    (request,) = fake.requests
    body = dict(parse_qsl(request.body.decode()))["Body"]
    assert body.startswith("Lockdown alert pressed at Maple Grove front desk, ")
    assert "By: Pat Demo. This desk has no dispatch link: call 911 if needed." in body
    assert "(Happened 1 more time.)" in body


# --- the command line contract --------------------------------------------------------------------------------
def test_cli_add_list_remove_and_bad_input(data_dir):
    assert (
        frontdesk(
            "notify", "add", SRO, "--events", "match,panic", "--name", "Officer Diaz", data_dir=data_dir
        ).returncode
        == 0
    )
    assert (
        frontdesk("notify", "add", "+15551234567", "--events", "panic", "--sms", data_dir=data_dir).returncode == 0
    )
    import json

    listed = json.loads(frontdesk("notify", "list", "--json", data_dir=data_dir).stdout)
    assert listed == [
        {
            "address": "+15551234567",
            "name": "",
            "sms": True,
            "events": ["panic"],
            "origin": "school",
            "locked": False,
            "overrides": False,
        },
        {
            "address": SRO,
            "name": "Officer Diaz",
            "sms": False,
            "events": ["match", "panic"],
            "origin": "school",
            "locked": False,
            "overrides": False,
        },
    ]
    bad = frontdesk("notify", "add", SRO, "--events", "fire", data_dir=data_dir)
    out, err = text(bad)
    assert bad.returncode == 2 and err.count("\n") == 1 and "Unknown event 'fire'" in err
    assert frontdesk("notify", "add", "5551234567", "--events", "panic", data_dir=data_dir).returncode == 2
    assert frontdesk("notify", "remove", SRO, data_dir=data_dir).returncode == 0
    assert frontdesk("notify", "remove", SRO, data_dir=data_dir).returncode == 2
    assert [r["address"] for r in json.loads(frontdesk("notify", "list", "--json", data_dir=data_dir).stdout)] == [
        "+15551234567"
    ]


def test_cli_test_exits_0_when_every_server_accepted_and_1_with_each_failure_on_a_line(
    starttls, data_dir, keyring_file
):
    services = Services.open(data_dir)
    configure(services, starttls)
    services.close()
    frontdesk("notify", "set-password", data_dir=data_dir, stdin=SMTP_PASSWORD + "\n")
    assert load_secret("smtp") == SMTP_PASSWORD
    frontdesk("notify", "add", PRINCIPAL, "--events", "match", data_dir=data_dir)
    ok = frontdesk("notify", "test", data_dir=data_dir)
    assert ok.returncode == 0, text(ok)
    (got,) = starttls.received
    assert got.message["Subject"] == "FrontDesk test from Maple Grove front desk"
    starttls.refuse.add("gone@maple.example")
    frontdesk("notify", "add", "gone@maple.example", "--events", "match", data_dir=data_dir)
    frontdesk("notify", "add", "+15551234567", "--events", "panic", "--sms", data_dir=data_dir)
    failed = frontdesk("notify", "test", "--json", data_dir=data_dir)
    out, err = text(failed)
    assert failed.returncode == 1
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("+15551234567: ") and "no text provider" in lines[0]
    assert lines[1].startswith("gone@maple.example: ") and "550" in lines[1]
    import json

    assert {r["address"]: r["state"] for r in json.loads(out)} == {
        "+15551234567": "failed",
        "gone@maple.example": "refused",
        PRINCIPAL: "sent",
    }


def test_cli_drain_exits_3_when_the_outbox_is_not_empty_in_time(data_dir):
    services = Services.open(data_dir)
    services.settings.set(s.NOTIFY_SMTP_SERVER, "127.0.0.1:9")
    services.settings.set(s.NOTIFY_FROM, "frontdesk@maple.example")
    services.outbound.add(PRINCIPAL, "desk-offline")
    services.outbound.desk_offline("Oak Hill", clock.now() - timedelta(hours=3))
    services.close()
    proc = frontdesk("notify", "drain", "--wait", "0.5", data_dir=data_dir)
    out, err = text(proc)
    assert proc.returncode == 3 and "still queued 1" in out and "could not be reached" in err
    assert frontdesk("notify", "outbox", data_dir=data_dir).stdout.decode().count("queued") == 1


def test_cli_send_daily_log_queues_a_past_day_only_when_it_had_visits(data_dir):
    services = Services.open(data_dir)
    services.outbound.add(PRINCIPAL, "daily-log")
    visit = services.checkin.admit(Visitor("Ann", "Example"))
    services.close()
    day = visit.time_in.astimezone().date()
    done = frontdesk("notify", "send-daily-log", "--date", day.isoformat(), data_dir=data_dir)
    assert done.returncode == 0 and "for 1 recipient" in done.stdout.decode()
    empty = frontdesk(
        "notify", "send-daily-log", "--date", (day - timedelta(days=3)).isoformat(), data_dir=data_dir
    )
    assert empty.returncode == 0 and "Nothing queued" in empty.stdout.decode()
    assert frontdesk("notify", "send-daily-log", "--date", "yesterday", data_dir=data_dir).returncode == 2


# --- recipients: district defaults, school overrides --------------------------------------------------------
def test_district_recipients_are_kept_when_the_district_locks_them(services):
    from frontdesk.errors import PermissionDenied

    services.outbound.set_district_rules([{"to": DISTRICT, "events": "match,panic", "name": "District security"}])
    services.outbound.add(SRO, "match")
    services.outbound.set_district_rules(
        [{"to": DISTRICT, "events": "match,panic", "name": "District security"}], locked=True
    )
    with pytest.raises(PermissionDenied):
        services.outbound.remove(DISTRICT)
    with pytest.raises(PermissionDenied):
        services.outbound.add(DISTRICT, "daily-log")
    services.outbound.set_district_rules([{"to": DISTRICT, "events": "match,panic", "name": "District security"}])
    services.outbound.add(DISTRICT, "match")  # allowed now: the school narrows it
    assert {r.address: (r.events, r.origin, r.overrides) for r in services.outbound.recipients()} == {
        DISTRICT: (("match",), "school", True),
        SRO: (("match",), "school", False),
    }


def test_release_refused_hook_for_the_students_feature(services):
    services.settings.set(s.SCHOOL_NAME, "Maple Grove")
    services.outbound.add(PRINCIPAL, "release-refused")
    with services.outbound.transaction():  # as the students feature would: inside its own transaction
        assert (
            services.outbound.release_refused(
                "Carl Custodian", staff="Pat Demo", when=datetime(2026, 12, 1, 14, 5).astimezone()
            )
            == 1
        )
    (d,) = services.outbound.deliveries()
    assert d.body == (
        "Student release refused at Maple Grove, 14:05: Carl Custodian was not allowed to take a student. "
        "Desk: Pat Demo. See the desk before calling the family."
    )


def test_expiring_volunteer_checks_reach_their_subscribers_once_a_week(services):
    """The volunteers' reminder goes into the outbox (issue 20's hook, wired to issue 18's records)."""
    from frontdesk.settings import NOTIFY_DAILY_LOG_TIME
    from frontdesk.volunteers.models import BackgroundCheck, NewVolunteer

    services.outbound.add("office@school.example", "release-refused,checks-expiring", name="Office")
    soon = date.today() + timedelta(days=10)
    services.volunteers.add(
        NewVolunteer(
            "Vera", "Volunteer", check=BackgroundCheck("fingerprint", "State", date.today(), "clear", soon)
        )
    )
    services.settings.set(NOTIFY_DAILY_LOG_TIME, "00:00")
    services.daily_log.queue_if_due()
    (queued,) = [d for d in services.outbound.deliveries() if d.event == "checks-expiring"]
    assert "volunteer background check" in queued.body and "1 " in queued.body
    services.daily_log.queue_if_due()  # once a week: not again
    assert len([d for d in services.outbound.deliveries() if d.event == "checks-expiring"]) == 1
