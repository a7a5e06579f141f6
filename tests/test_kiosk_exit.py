"""Session 22's red team of leaving kiosk mode: the Staff button is the only way out of the kiosk, and it stands
in the lobby where anyone can try PINs for as long as they like. The real kiosk window (offscreen), real accounts
(argon2 PINs) on a real SQLite folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from test_kiosk import kiosk, printer  # noqa: F401 - the kiosk's fixtures

from frontdesk.kiosk.service import EXIT_PAUSE, EXIT_TRIES, Kiosk


def _accounts(services) -> None:
    services.accounts.add("admin", "admin", "admin-pass-1")
    services.accounts.sign_in("admin", "admin-pass-1")
    services.accounts.add("desk1", "desk", "2468")
    services.accounts.add("desk2", "desk", "1357")
    services.accounts.sign_out()


def _try(qtbot, k, name: str, pin: str) -> None:
    k.staff_user.setText(name)
    k.staff_pin.setText(pin)
    qtbot.keyClick(k.staff_pin, Qt.Key.Key_Return)


def test_guessing_staff_pins_at_the_kiosk_pauses_leaving_kiosk_mode_and_the_desk_is_told(qtbot, kiosk, services):  # noqa: F811
    """Found in session 22: each account waits a minute after five wrong tries, so a stranger at the kiosk could
    try five PINs a minute per staff name, for hours, unseen (spreading the tries over several names, none of
    them even waited); a right guess closes the kiosk and leaves the PC's desktop, with the FrontDesk command
    line, to them. Now the kiosk itself pauses leaving kiosk mode after five wrong tries in a row, whatever the
    names (then longer each time), even for the right PIN, and says so in the desk's event log."""
    _accounts(services)
    qtbot.mouseClick(kiosk.staff_button, Qt.MouseButton.LeftButton)
    for i, (name, pin) in enumerate([("desk1", "1111"), ("desk2", "2222"), ("pat", "1234"), ("admin", "0000")]):
        _try(qtbot, kiosk, name, pin)
        assert kiosk.staff_note.text() == "Wrong name or PIN.", i
    _try(qtbot, kiosk, "desk2", "9999")  # the fifth wrong try in a row, over four names
    assert "Too many wrong tries" in kiosk.staff_note.text()
    exits: list[bool] = []
    kiosk.exit_requested.connect(lambda: exits.append(True))
    _try(qtbot, kiosk, "desk1", "2468")  # the right PIN: not now
    assert exits == [] and kiosk.isVisible()
    assert "Too many wrong tries" in kiosk.staff_note.text()
    (told,) = [e for e in services.events.recent(20) if e.source == "kiosk"]
    assert told.level == "error" and "5 wrong staff sign-ins" in told.message and "paused until" in told.message
    actions = [r[0] for r in services.store.db.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert "kiosk.exit_paused" in actions and "kiosk.exit" not in actions


def test_the_pause_ends_then_grows_and_a_right_pin_starts_the_count_again(services):
    _accounts(services)
    moments = [datetime(2026, 11, 2, 8, 0, tzinfo=UTC)]
    station = Kiosk(
        services.store,
        lambda: services.checkin,
        services.visits,
        lambda: services.volunteers,
        services.accounts,
        session=services.session,
        audit=services.audit,
        station="Lobby",
        now=lambda: moments[0],
    )
    for round_, pause in enumerate((EXIT_PAUSE, 2 * EXIT_PAUSE)):
        for i in range(EXIT_TRIES):
            assert not station.staff_unlock(f"nobody{round_}{i}", "0000")
        assert station.exit_pause() == moments[0] + pause
        assert not station.staff_unlock("desk1", "2468")  # paused: even the right PIN
        moments[0] += pause + timedelta(seconds=1)
    assert station.exit_pause() is None and station.staff_unlock("desk1", "2468")
    for i in range(EXIT_TRIES - 1):  # counted from nothing again
        assert not station.staff_unlock(f"again{i}", "0000")
    assert station.exit_pause() is None and station.staff_unlock("desk2", "1357")


def test_the_kiosk_s_idle_time_must_be_one_a_kiosk_can_live_with(data_dir, qtbot, printer):  # noqa: F811
    """Found in session 22: `config set kiosk.idle_seconds` took any number. 0 sent the kiosk back to its welcome
    screen at every touch (no one could check in); 86,400 left the last person's name, date of birth or visit on
    the screen all day. It is now 10 to 300 seconds: anything else is refused with one line (exit 2)."""
    from frontdesk.context import Services
    from tests.cli_helpers import frontdesk, text
    from ui.app_kiosk import build_kiosk

    for value in ("0", "-5", "86400"):
        done = frontdesk("config", "set", "kiosk.idle_seconds", value, data_dir=data_dir)
        assert done.returncode == 2 and "Traceback" not in text(done)[1], (value, text(done))
        assert len(text(done)[1].strip().splitlines()) == 1
    assert frontdesk("config", "set", "kiosk.idle_seconds", "45", data_dir=data_dir).returncode == 0
    services = Services.open(data_dir)
    station = build_kiosk(services, printer=printer)
    try:
        assert station.window.idle.interval() == 45_000
    finally:
        station.window._may_close = True  # noqa: SLF001
        station.stop()
        station.window.close()
        services.close()


def test_the_district_cannot_turn_a_front_desk_into_a_kiosk(tmp_path):
    """Found in session 22: `kiosk.enabled` could be a district setting (locked, even). A district template made
    from a kiosk PC's settings, or a bad hub, would open every front desk of the district as a kiosk: no desk
    window, no panic button, and leaving kiosk mode only quits it. Whether this PC is a kiosk is now the PC's
    own, as its dispatch link is: a district value is ignored, said once in the event log."""
    from test_district_lists_forged import canned_hub

    from frontdesk.context import Services
    from frontdesk.settings import KIOSK_MODE, SCREEN_MATCH
    from frontdesk.sync.client import HubClient

    desk = Services.open(tmp_path / "desk")
    settings = {
        "kiosk.enabled": {"value": True, "locked": True},
        "screening.match_threshold": {"value": 0.95, "locked": True},
    }
    answers = {
        "/api/v1/lists": {"version": 0, "lists": []},
        "/api/v1/district-settings": {"school": "Maple Grove Elementary", "settings": settings},
    }
    try:
        with canned_hub(answers) as url:
            client = HubClient([url], "any")
            try:
                desk.district_lists.pull(client)
            finally:
                client.close()
        assert desk.settings.get(SCREEN_MATCH) == 0.95  # the district's own settings are taken
        assert desk.settings.get(KIOSK_MODE) is False
        [event] = desk.events.recent(source="district lists")
        assert "kiosk.enabled" in event.message and "ignored" in event.message
    finally:
        desk.close()
