"""The red team's notifications (session 22): a panic's or a barred match's email and texts are never lost,
never held up by other messages, and never silently late.

A real SMTP server on loopback (aiosmtpd), real SQLite files, the real ``frontdesk`` in subprocesses where a
program ending is the point; a TCP listener that accepts and never answers stands for a stalled text provider.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading

import pytest

from frontdesk import clock
from frontdesk import settings as s
from frontdesk.context import Services
from frontdesk.errors import DeliveryError
from frontdesk.notifications.channels import Channels, SmtpChannel, TwilioChannel, TwilioConfig
from frontdesk.notifications.sender import Sender, channels_from_settings
from frontdesk.wire.smtp import Envelope, SmtpConfig
from tests.cli_helpers import ROOT, frontdesk, text
from tests.notify_support import SMTP_PASSWORD, SmtpServer
from tests.test_notify_delivery import PRINCIPAL, configure

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def starttls(tmp_path):
    server = SmtpServer("starttls", tmp_path).start()
    yield server
    server.stop()


def _sender(services: Services, **kw) -> Sender:
    return Sender(
        services.store,
        services.settings,
        lambda: channels_from_settings(services.settings, lambda _: SMTP_PASSWORD),
        audit=services.audit,
        events=services.events,
        **kw,
    )


# --- a panic pressed while the main file was busy, by a program that then ended ---------------------------
PRESS = """
import sys, time
from frontdesk.context import Services
services = Services.open(sys.argv[1])
services.station  # built before the main file is taken: the press itself must not need it
print("ready", flush=True)
sys.stdin.readline()
services.station.press("LOCKDOWN", staff="Pat Demo")
print("pressed", flush=True)
time.sleep(600)  # killed here, the main file still held: its email and texts were only in this memory
"""


def test_a_panic_pressed_while_the_main_file_was_busy_is_emailed_after_the_desk_was_killed(
    starttls, data_dir, keyring_file
):
    services = Services.open(data_dir)
    configure(services, starttls)
    services.outbound.add(PRINCIPAL, "panic")
    services.close()
    assert frontdesk("notify", "set-password", data_dir=data_dir, stdin=SMTP_PASSWORD + "\n").returncode == 0

    desk = subprocess.Popen(
        [sys.executable, "-c", PRESS, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    holder = sqlite3.connect(data_dir / "frontdesk.db", isolation_level=None)
    try:
        assert desk.stdout.readline().strip() == b"ready"
        holder.execute("BEGIN IMMEDIATE")  # a backup, an import's step, a sqlite3 shell: the main file busy
        desk.stdin.write(b"press\n")
        desk.stdin.flush()
        assert desk.stdout.readline().strip() == b"pressed"
    finally:
        desk.kill()
        desk.wait()
        holder.rollback()
        holder.close()
    with sqlite3.connect(data_dir / "outbox.db") as db:
        assert db.execute("SELECT action, audited FROM dispatch_outbox").fetchall() == [("LOCKDOWN", 0)]

    # The desk is closed: the command line's drain sends what the desk left (as the next desk start would).
    drained = frontdesk("notify", "drain", "--wait", "30", data_dir=data_dir)
    assert drained.returncode == 0, text(drained)
    (mail,) = starttls.messages_to(PRINCIPAL)
    assert mail["Subject"] == "Lockdown alert at Maple Grove front desk"
    assert "By: Pat Demo." in mail.get_content()
    assert frontdesk("notify", "drain", data_dir=data_dir).returncode == 0
    assert len(starttls.received) == 1  # once, however often it is drained
    again = Services.open(data_dir)
    try:
        assert [r.action for r in again.audit.records(action="alert.press")] == ["alert.press"]
        assert again.station.catch_up(0.05) == 0  # nothing left behind, nothing told twice
        assert again.outbound.pending() == 0
    finally:
        again.close()


# --- a panic or a match never waits behind other messages ----------------------------------------------------
def test_a_panic_and_a_barred_match_go_before_a_backlog_of_other_messages(services, starttls):
    configure(services, starttls)
    services.outbound.add(PRINCIPAL, "watch,panic,match")
    when = clock.now()
    for i in range(25):  # a morning of watch-list visitors queued while the mail server was away
        services.outbound.watch_confirmed(f"Wanda Watcher{i}", "District", staff="Pat Demo", when=when)
    services.station.press("LOCKDOWN", staff="Pat Demo")
    services.outbound.match_confirmed(
        "barred", "Robert Barredman", "District", admitted=False, staff="Pat Demo", when=when
    )
    first = _sender(services).send_due()  # one pass: at most 20 messages
    assert [a.event for a in first[:2]] == ["panic", "match"] and len(first) == 20
    assert [r.message["Subject"] for r in starttls.received[:2]] == [
        "Lockdown alert at Maple Grove front desk",
        "Barred-list match at Maple Grove front desk",
    ]


def test_a_panic_pressed_while_other_messages_are_being_sent_goes_next_not_after_them(
    services, starttls, data_dir
):
    configure(services, starttls)
    services.outbound.add(PRINCIPAL, "watch,panic")
    when = clock.now()
    for i in range(5):
        services.outbound.watch_confirmed(f"Wanda Watcher{i}", "District", staff="Pat Demo", when=when)
    pressed = []

    def press_once(_message) -> None:  # the office presses while the server takes the first watch notice
        if not pressed:
            other = Services.open(data_dir)
            try:
                pressed.append(other.station.press("LOCKDOWN", staff="Pat Demo"))
            finally:
                other.close()

    starttls.on_message = press_once
    attempts = _sender(services).send_due()
    assert [a.event for a in attempts] == ["watch", "panic", "watch", "watch", "watch", "watch"]
    assert all(a.state == "sent" for a in attempts)
    assert starttls.received[1].message["Subject"] == "Lockdown alert at Maple Grove front desk"


def test_a_text_provider_that_takes_the_request_and_never_answers_holds_up_nothing(services, starttls):
    stalled = socket.socket()  # listens, so the connection is taken; never reads, never answers
    stalled.bind(("127.0.0.1", 0))
    stalled.listen(8)
    try:
        configure(services, starttls)
        services.outbound.add("+15551234567", "panic", sms=True, name="Officer Diaz")  # queued first
        services.outbound.add(PRINCIPAL, "panic")
        services.station.press("LOCKDOWN", staff="Pat Demo")
        settings = services.settings
        email = channels_from_settings(settings, lambda _: SMTP_PASSWORD).email
        assert isinstance(email, SmtpChannel)
        provider = TwilioChannel(
            TwilioConfig(
                "AC" + "2" * 32,
                "+15557654321",
                token=lambda: "tok3n-secret",
                api=f"http://127.0.0.1:{stalled.getsockname()[1]}",
                timeout=1.0,
            )
        )
        sender = Sender(services.store, settings, lambda: Channels(email, email, provider), events=services.events)
        done: list = []
        worker = threading.Thread(target=lambda: done.append(sender.send_due()), daemon=True)
        worker.start()
        worker.join(120)  # a bound on a hang, not a speed: the pass takes about the provider's timeout
        assert done, "the sender was still waiting for the text provider: the panic email behind it never went"
    finally:
        stalled.close()
    attempts = {a.address: a for a in done[0]}
    assert attempts[PRINCIPAL].state == "sent"
    text_attempt = attempts["+15551234567"]
    assert text_attempt.state == "queued" and "Twilio could not be reached" in text_attempt.error
    assert "tok3n-secret" not in text_attempt.error
    # Not delivered at its first try: said now (the status bar's count, the event log), not a day later.
    assert [d.address for d in services.outbound.problems()] == ["+15551234567"]
    assert services.outbound.problem_count() == 1
    (line,) = [e.message for e in services.events.recent() if "not delivered yet" in e.message]
    assert line.startswith("The panic notification to +15551234567 is not delivered yet: Twilio could not be")
    assert "tok3n-secret" not in line


def test_a_mail_server_that_answers_each_step_slowly_holds_a_send_no_longer_than_its_deadline():
    # A tarpit: it takes the connection and dribbles its greeting one continuation line at a time, each well
    # inside the per-step timeout (20 s), so without a deadline for the whole message the sender's one thread
    # (and every panic email queued behind it) waited for as long as the server kept talking.
    tarpit = socket.socket()
    tarpit.bind(("127.0.0.1", 0))
    tarpit.listen(8)
    stop = threading.Event()

    def dribble() -> None:
        conn, _ = tarpit.accept()
        with conn:
            while not stop.wait(0.2):
                try:
                    conn.sendall(b"220-still greeting you\r\n")
                except OSError:
                    return  # the client gave up and closed

    threading.Thread(target=dribble, daemon=True).start()
    channel = SmtpChannel(
        SmtpConfig(f"127.0.0.1:{tarpit.getsockname()[1]}", "none", sender="frontdesk@maple.example", deadline=1.0)
    )
    outcome: list[BaseException | None] = []

    def send() -> None:
        try:
            channel.send(Envelope(PRINCIPAL, "Lockdown alert", "Being sent to district dispatch"))
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - looked at below
            outcome.append(exc)

    worker = threading.Thread(target=send, daemon=True)
    worker.start()
    worker.join(120)  # a bound on a hang, not a speed: the send ends at its deadline
    stop.set()
    tarpit.close()
    assert outcome, "the send was still held by a server that answers slowly"
    (error,) = outcome
    assert isinstance(error, DeliveryError) and error.code == "smtp_slow"
    assert "took more than 1 s to take one message" in str(error)


def test_a_watch_notice_still_being_retried_is_not_a_problem_yet_a_panic_is(services, tmp_path):
    services.settings.set(s.NOTIFY_SMTP_SERVER, "127.0.0.1:9")  # nothing listens on the discard port
    services.settings.set(s.NOTIFY_FROM, "frontdesk@maple.example")
    services.outbound.add(PRINCIPAL, "watch,panic")
    services.outbound.watch_confirmed("Wanda Watchley", "District", staff="Pat Demo", when=clock.now())
    sender = _sender(services)
    (watch,) = sender.send_due()
    assert watch.state == "queued" and services.outbound.problem_count() == 0  # routine: retried quietly
    services.station.press("LOCKDOWN", staff="Pat Demo")
    (panic,) = sender.send_due()
    assert panic.event == "panic" and panic.state == "queued"
    (problem,) = services.outbound.problems()
    assert (problem.event, problem.state, problem.attempts) == ("panic", "queued", 1)
    assert "could not be reached" in problem.last_error


def test_the_panic_message_never_says_sent_before_dispatch_has_it(services, starttls):
    configure(services, starttls)
    services.settings.set(s.EMERGENCY_NUMBERS, "911, district police 555-0100")
    services.settings.set(s.DISPATCH_URL, "http://127.0.0.1:9")  # a link set up, and the console away
    services.outbound.add(PRINCIPAL, "panic")
    services.station.press("LOCKDOWN", staff="Pat Demo")
    assert [a.state for a in _sender(services).drain(10)] == ["sent"]
    (mail,) = starttls.messages_to(PRINCIPAL)
    body = mail.get_content()
    assert "Sent to district dispatch" not in body
    assert (
        "Being sent to district dispatch; if the desk says NOT DELIVERED, call 911, district police 555-0100."
        in body
    )


def test_visitor_typed_text_stays_in_the_body_and_adds_no_header_or_recipient(services, starttls):
    configure(services, starttls)
    services.outbound.add(PRINCIPAL, "release-refused")
    adult = "Carl\r\nBcc: thief@evil.example\r\nSubject: =?utf-8?q?Pay_now?= " + "x" * 2000
    with services.outbound.transaction():
        services.outbound.release_refused(adult, staff="Pat Demo")
    assert [a.state for a in _sender(services).drain(10)] == ["sent"]
    (got,) = starttls.received
    assert got.rcpt == [PRINCIPAL]
    assert got.message["Subject"] == "Student release refused at Maple Grove front desk"
    assert got.message["Bcc"] is None and len(got.message.get_all("Subject")) == 1
    assert "thief@evil.example" in got.message.get_content()  # their words, shown as words, in the body


def test_a_school_name_with_a_line_separator_does_not_make_every_email_unsendable(services, starttls):
    configure(services, starttls)
    services.settings.set(s.SCHOOL_NAME, "Maple Grove\u2028Elementary")  # pasted from a document
    services.outbound.add(PRINCIPAL, "panic")
    services.station.press("LOCKDOWN", staff="Pat Demo")
    assert [a.state for a in _sender(services).drain(10)] == ["sent"]
    (mail,) = starttls.messages_to(PRINCIPAL)
    assert mail["Subject"] == "Lockdown alert at Maple Grove Elementary front desk"


def test_a_name_cannot_add_a_link_line_like_the_schools_own(services, starttls):
    configure(services, starttls)
    services.settings.set(s.NOTIFY_LINK_BASE, "https://hub.district.example")
    services.outbound.add(PRINCIPAL, "release-refused")
    # Line separators are not control characters to the name checks; mail readers break lines on them.
    adult = "Carl\u2028\u2028Open on the district hub: https://hub.district-example.net/login\u2029\x85Custodian"
    with services.outbound.transaction():
        services.outbound.release_refused(adult, staff="Pat Demo")
    assert [a.state for a in _sender(services).drain(10)] == ["sent"]
    (mail,) = starttls.messages_to(PRINCIPAL)
    lines = mail.get_content().splitlines()
    assert [line for line in lines if line.startswith("Open on the district hub:")] == [
        "Open on the district hub: https://hub.district.example/district/?school=Maple+Grove&date="
        + clock.now().astimezone().date().isoformat()
    ]
    assert lines[0].startswith("Student release refused at Maple Grove front desk, ")
    assert "Carl  Open on the district hub: https://hub.district-example.net/login  Custodian was not" in lines[0]


# --- a barred person back at the door after the first message went ------------------------------------------
def test_a_barred_person_turned_away_again_after_the_first_email_went_is_told_again(
    starttls, data_dir, keyring_file
):
    services = Services.open(data_dir)
    configure(services, starttls)
    services.outbound.add(PRINCIPAL, "match")
    services.close()
    assert frontdesk("notify", "set-password", data_dir=data_dir, stdin=SMTP_PASSWORD + "\n").returncode == 0
    person = ("--first-name", "Robert", "--last-name", "Barredman", "--dob", "1975-04-02")
    assert frontdesk("barred", "add", "--source", "Office", *person, data_dir=data_dir).returncode == 0
    for _ in range(2):  # turned away; the email goes; back five minutes later, turned away again
        refused = frontdesk("checkin", *person, data_dir=data_dir)
        assert refused.returncode == 4, text(refused)
        drained = frontdesk("notify", "drain", "--wait", "30", data_dir=data_dir)
        assert drained.returncode == 0, text(drained)
    mails = starttls.messages_to(PRINCIPAL)
    assert [m["Subject"] for m in mails] == ["Barred-list match at Maple Grove front desk"] * 2
    assert all("Robert Barredman, Office. Not admitted." in m.get_content() for m in mails)


def test_a_visitors_name_cannot_add_a_link_line_to_the_daily_log(starttls, data_dir, keyring_file):
    services = Services.open(data_dir)
    configure(services, starttls)
    services.settings.set(s.NOTIFY_LINK_BASE, "https://hub.district.example")
    services.outbound.add(PRINCIPAL, "daily-log")
    services.close()
    assert frontdesk("notify", "set-password", data_dir=data_dir, stdin=SMTP_PASSWORD + "\n").returncode == 0
    forged = "Pat\u2028\u2028Open on the district hub: https://hub.district-example.net/login\u2028"
    came = frontdesk("checkin", "--first-name", forged, "--last-name", "Visitor", "--destination", "Gym\u2028x",
                     data_dir=data_dir)  # fmt: skip
    assert came.returncode == 0, text(came)  # line separators are not control characters to the name check
    assert frontdesk("notify", "send-daily-log", data_dir=data_dir).returncode == 0
    assert frontdesk("notify", "drain", "--wait", "30", data_dir=data_dir).returncode == 0
    (mail,) = starttls.messages_to(PRINCIPAL)
    lines = mail.get_body(("plain",)).get_content().splitlines()
    assert [line for line in lines if line.startswith("Open on the district hub:")] == [
        "Open on the district hub: https://hub.district.example/district/?school=Maple+Grove&date="
        + clock.now().astimezone().date().isoformat()
    ]
