"""The desk's upkeep timer runs the due backup (and retention) off the GUI thread and logs it."""

from __future__ import annotations

from ui.upkeep import Upkeep


def test_a_due_backup_is_taken_and_logged(qtbot, services):
    upkeep = Upkeep(services)
    upkeep.on_timeout()
    qtbot.waitUntil(lambda: not upkeep._busy, timeout=20000)
    assert len(services.backups.list()) == 1
    logged = [e.message for e in services.events.recent(source="upkeep")]
    assert any("backup written" in m for m in logged) and any("integrity checked" in m for m in logged)
    upkeep.on_timeout()  # not due again within the hour: nothing more
    qtbot.waitUntil(lambda: not upkeep._busy, timeout=20000)
    assert len(services.backups.list()) == 1
