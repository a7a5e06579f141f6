"""The hub's desk-offline notice: the real console process emails the district when a desk falls silent
(aiosmtpd on loopback, STARTTLS and AUTH), once per silence; and the rules of one round (school hours, a
second console, a mail server away, a desk back before the email went) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from district import clock
from district.console.service import ConsoleService
from district.errors import InputError
from district.hub import notify as hub_notify
from tests.dispatch_fixtures import serve_console
from tests.notify_support import SMTP_PASSWORD, SMTP_USER, SmtpServer, free_port

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = "security@district.example"
MONDAY = datetime(2026, 11, 30, tzinfo=UTC)  # a Monday


@pytest.fixture
def starttls(tmp_path):
    server = SmtpServer("starttls", tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def plain(tmp_path):
    server = SmtpServer("none", tmp_path).start()
    yield server
    server.stop()


def _wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_console_emails_the_district_when_a_desk_falls_silent_once_per_silence(starttls, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'console.db'}"
    service = ConsoleService.open(db_url)
    enrolment = service.auth.enroll("Maple Grove Elementary", "Main office desk", "101")
    service.close()
    (tmp_path / "smtp-password").write_text(SMTP_PASSWORD + "\n")
    config = tmp_path / "hub-notify.json"
    config.write_text(
        json.dumps(
            {
                "smtp_server": starttls.address,
                "smtp_security": "starttls",
                "smtp_user": SMTP_USER,
                "smtp_password_file": str(tmp_path / "smtp-password"),
                "smtp_ca_file": str(starttls.ca_file),
                "from": "hub@district.example",
                "recipients": [DISTRICT],
                "offline_minutes": 0.02,  # 1.2 seconds (keyed on last_seen: each silence is one row)
                "school_hours": "00:00-23:59",
                "school_days": "mon-sun",
                "interval_seconds": 0.3,
                "link_base": "https://hub.district.example",
            }
        )
    )
    port = free_port()
    proc = serve_console(db_url, port, env={hub_notify.CONFIG_ENV: str(config)})
    headers = {"Authorization": f"Bearer {enrolment.credential}"}
    beat = f"http://127.0.0.1:{port}/api/v1/heartbeat"
    try:
        assert httpx.post(beat, json={"onsite": 0}, headers=headers).status_code == 200
        assert _wait_for(lambda: len(starttls.received) == 1), proc.stderr
        time.sleep(2)  # several more rounds: the same silence is not told again
        assert len(starttls.received) == 1
        # Back, then silent again: a new silence, a new email.
        assert httpx.post(beat, json={"onsite": 0}, headers=headers).status_code == 200
        assert _wait_for(lambda: len(starttls.received) == 2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    first = starttls.received[0]
    assert first.rcpt == [DISTRICT] and first.tls and first.authenticated
    assert first.message["Subject"] == "Maple Grove Elementary Main office desk (101) is offline"
    body = first.message.get_content()
    assert body.startswith("Maple Grove Elementary Main office desk (101) has not reached the district since ")
    assert body.rstrip().endswith("Open on the district hub: https://hub.district.example/")
    service = ConsoleService.open(db_url)
    try:
        with service.db.transaction() as tx:
            told = tx.all("SELECT kind, station_id FROM log WHERE kind LIKE 'notify.%'")
            rows = tx.all("SELECT state FROM hub_notify_offline")
    finally:
        service.close()
    assert told == [("notify.desk_offline", enrolment.station.station_id)] * 2
    assert rows == [("sent",), ("sent",)]


def _settings(server: SmtpServer, **kw) -> hub_notify.OfflineSettings:
    from frontdesk.wire.smtp import SmtpConfig

    values = dict(
        smtp=SmtpConfig(server=server.address, security="none", sender="hub@district.example"),
        recipients=(DISTRICT,),
        tz=UTC,
    )
    return hub_notify.OfflineSettings(**{**values, **kw})


def _silent(service: ConsoleService, station_id: str, since: datetime) -> None:
    with service.db.transaction() as tx:
        tx.execute("UPDATE stations SET last_seen = ? WHERE station_id = ?", [clock.to_db(since), station_id])


def test_one_round_counts_silence_in_school_hours_and_tells_once_across_consoles(plain, console_db_url):
    service = ConsoleService.open(console_db_url)
    station = service.auth.enroll("Oak Hill", "Front desk", "").station
    other = ConsoleService.open(console_db_url)  # a second console on the same database
    try:
        settings = _settings(plain)
        _silent(service, station.station_id, MONDAY.replace(hour=6))  # switched off overnight
        assert hub_notify.check_once(service.db, settings, MONDAY.replace(hour=7, minute=30)) == []
        saturday = MONDAY + timedelta(days=5, hours=12)
        assert hub_notify.check_once(service.db, settings, saturday) == []  # not a school day
        at = MONDAY.replace(hour=8, minute=1)  # an hour into school hours and still silent
        told = hub_notify.check_once(service.db, settings, at)
        assert [t.state for t in told] == ["sent"]
        assert hub_notify.check_once(other.db, settings, at + timedelta(minutes=1)) == []
        assert hub_notify.check_once(service.db, settings, at + timedelta(hours=2)) == []
        (got,) = plain.received
        assert got.message["Subject"] == "Oak Hill Front desk is offline"
        assert "since 06:00 (11/30)" in got.message.get_content()

        # A desk back before the email went is not told about.
        _silent(service, station.station_id, at)
        noted = at + timedelta(hours=1, minutes=1)
        hub_notify._note_silences(service.db, settings, noted)
        _silent(service, station.station_id, noted)  # its heartbeat arrives
        assert [t.state for t in hub_notify.check_once(service.db, settings, noted)] == ["back"]
        assert len(plain.received) == 1
    finally:
        other.close()
        service.close()


def test_a_mail_server_away_is_retried_then_failed_visibly(plain, tmp_path):
    service = ConsoleService.open(f"sqlite:///{tmp_path / 'console.db'}")
    station = service.auth.enroll("Oak Hill", "Front desk", "").station
    try:
        from frontdesk.wire.smtp import SmtpConfig

        closed = SmtpConfig(server=f"127.0.0.1:{free_port()}", security="none", sender="hub@district.example")
        settings = _settings(plain, smtp=closed)
        _silent(service, station.station_id, MONDAY.replace(hour=8))
        at = MONDAY.replace(hour=9, minute=30)
        (first,) = hub_notify.check_once(service.db, settings, at)
        assert first.state == "queued" and "could not be reached" in first.error
        assert hub_notify.check_once(service.db, settings, at + timedelta(seconds=30)) == []  # backing off
        assert [t.state for t in hub_notify.check_once(service.db, settings, at + timedelta(hours=25))] == [
            "failed"
        ]
        with service.db.transaction() as tx:
            kinds = [r[0] for r in tx.all("SELECT kind FROM log WHERE kind LIKE 'notify.%'")]
        assert kinds == ["notify.desk_offline_failed"]
    finally:
        service.close()


def test_settings_file_is_checked_and_a_bad_one_never_stops_the_console(tmp_path, capsys):
    path = tmp_path / "hub-notify.json"
    path.write_text(
        json.dumps({"smtp_server": "mail.district.example:25", "smtp_security": "none", "from": "a@b.example"})
    )
    with pytest.raises(InputError, match="only to a mail server on this machine"):
        hub_notify.load_settings(path)
    path.write_text(json.dumps({"smtp_server": "127.0.0.1:25", "from": "a@b.example", "school_hours": "7-5"}))
    with pytest.raises(InputError, match="HH:MM"):
        hub_notify.load_settings(path)
    assert hub_notify.background(object(), {hub_notify.CONFIG_ENV: str(path)}) == []
    assert "desk-offline and older-desk notices are OFF" in capsys.readouterr().err
    assert hub_notify.background(object(), {}) == []
    path.write_text(
        json.dumps(
            {
                "smtp_server": "127.0.0.1:25",
                "from": "hub@district.example",
                "school_days": "fri-mon",
                "timezone": "America/Chicago",
            }
        )
    )
    settings = hub_notify.load_settings(path, {hub_notify.PASSWORD_ENV: "pw"})
    assert settings.days == frozenset({4, 5, 6, 0}) and settings.smtp.password() == "pw"
    rules = [
        {"to": "ops@district.example", "events": ["desk-offline", "panic"]},
        {"to": "role:principal", "events": "desk-offline"},
        {"to": "+15551230000", "events": "desk-offline", "sms": True},
        {"to": "x@district.example", "events": "panic"},
    ]
    assert hub_notify.addresses_from_rules(rules) == ["ops@district.example"]
