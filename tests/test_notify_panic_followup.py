"""What became of a panic alert, told to the ``panic`` email and text subscribers after the press.

The press's own message says "being sent to district dispatch": these tests hold the follow-ups to what
dispatch really has. A real console (in this process, on 127.0.0.1), the real ``frontdesk`` CLI (``panic``,
``notify drain``) as separate processes where a clock must be moved, a real SMTP server (aiosmtpd, STARTTLS)
and real SQLite files.
"""

from __future__ import annotations

import pytest

from frontdesk import settings as s
from frontdesk.context import Services
from tests.cli_helpers import frontdesk, text
from tests.dispatch_station_support import console_at, set_up_station
from tests.notify_support import SMTP_PASSWORD, SmtpServer
from tests.test_dispatch_station_cli import connected
from tests.test_notify_delivery import PRINCIPAL, configure

NUMBERS = "911, district police 555-0199"  # set_up_station's emergency numbers


@pytest.fixture
def console(tmp_path):
    with console_at(tmp_path / "console") as c:
        yield c


@pytest.fixture
def starttls(tmp_path):
    server = SmtpServer("starttls", tmp_path).start()
    yield server
    server.stop()


def _subscribed(data_dir, server: SmtpServer, *, dispatch_url: str = "") -> None:
    services = Services.open(data_dir)
    configure(services, server)
    set_up_station(services)  # the school and desk the console enrolled (configure names its own)
    if dispatch_url:
        services.settings.set(s.DISPATCH_URL, dispatch_url)
    services.outbound.add(PRINCIPAL, "panic")
    services.close()
    assert frontdesk("notify", "set-password", data_dir=data_dir, stdin=SMTP_PASSWORD + "\n").returncode == 0


def _drain(data_dir) -> None:
    drained = frontdesk("notify", "drain", "--wait", "30", data_dir=data_dir)
    assert drained.returncode == 0, text(drained)


def _mails(server: SmtpServer) -> list[tuple[str, str]]:
    return [
        (str(m["Subject"]).strip(), m.get_content()) for m in server.messages_to(PRINCIPAL)
    ]  # a long one is folded


def test_a_scripted_press_dispatch_never_got_is_told_at_once_and_so_is_its_late_arrival(
    data_dir, keyring_file, console, starttls, monkeypatch
):
    connected(data_dir, console, monkeypatch)
    _subscribed(data_dir, starttls)
    # The console away: still queued when it stops waiting.
    assert frontdesk("panic", "lockdown", "--wait", "0.5", data_dir=data_dir).returncode == 3
    _drain(data_dir)
    (press, not_delivered) = _mails(starttls)
    assert press[0] == "Lockdown alert at Maple Grove Elementary Main office desk"
    assert "Being sent to district dispatch" in press[1]
    assert (
        not_delivered[0] == "NOT DELIVERED to dispatch: Lockdown alert at Maple Grove Elementary Main office desk"
    )
    assert "has NOT reached district dispatch after a few seconds. The desk keeps trying." in not_delivered[1]
    assert f"Call {NUMBERS} now if no one has." in not_delivered[1]

    with console.up():
        drained = frontdesk("panic", "drain", "--wait", "10", data_dir=data_dir)  # now dispatch has it
        assert drained.returncode == 0, text(drained)
    _drain(data_dir)
    late = _mails(starttls)[2]
    assert late[0] == "Dispatch now has the Lockdown alert at Maple Grove Elementary Main office desk"
    assert "reached district dispatch at " in late[1] and ", late." in late[1]
    _drain(data_dir)
    assert len(_mails(starttls)) == 3  # each told once


def test_an_alert_dispatch_has_not_received_a_minute_after_the_press_is_told_once(
    data_dir, keyring_file, starttls, monkeypatch
):
    _subscribed(data_dir, starttls, dispatch_url="http://127.0.0.1:9")  # a link set up, the console away
    services = Services.open(data_dir)
    services.station.press("LOCKDOWN", staff="Pat Demo")
    services.station.press("FIRE", mode="Exercise", staff="Pat Demo")
    services.station.press("STAFF_ASSIST", staff="Pat Demo", tell=False)  # a confirmed match's: told by the match
    assert services.station.tell_delivery() == 0  # a moment after the press: nothing more to tell yet
    services.close()
    _drain(data_dir)
    assert [m[0] for m in _mails(starttls)] == [
        "Lockdown alert at Maple Grove Elementary Main office desk",
        "Fire alert at Maple Grove Elementary Main office desk (EXERCISE, not real)",
    ]

    monkeypatch.setenv("FRONTDESK_CLOCK_OFFSET_SECONDS", "61")  # the next programs' clocks: a minute on
    _drain(data_dir)
    _drain(data_dir)
    told = _mails(starttls)[2:]
    assert [m[0] for m in told] == [
        "NOT DELIVERED to dispatch: Lockdown alert at Maple Grove Elementary Main office desk",
        "NOT DELIVERED to dispatch: Fire alert at Maple Grove Elementary Main office desk (EXERCISE, not real)",
    ]
    assert "after 1 minute. The desk keeps trying. Call 911, district police 555-0199 now" in told[0][1]
    assert "A drill: no call needed; tell district IT" in told[1][1] and "Call 911" not in told[1][1]


def test_an_alert_dispatch_refused_is_told_with_the_schools_numbers(
    data_dir, keyring_file, console, starttls, monkeypatch
):
    connected(data_dir, console, monkeypatch)
    _subscribed(data_dir, starttls)
    console.service.auth.revoke(console.credential.split("_")[1])  # the desk's credential withdrawn
    with console.up():
        assert frontdesk("panic", "fire", "--wait", "10", data_dir=data_dir).returncode == 4
    _drain(data_dir)
    _drain(data_dir)
    (press, refused) = _mails(starttls)
    assert refused[0] == "REFUSED by dispatch: Fire alert at Maple Grove Elementary Main office desk"
    assert "was refused by district dispatch: dispatch does not have it." in refused[1]
    assert f"Call {NUMBERS} now if no one has." in refused[1]
