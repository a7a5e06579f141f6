"""The desk's upkeep timer runs the due backup (and retention) off the GUI thread and logs it."""

from __future__ import annotations

import shiboken6

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


def test_the_desk_checkpoints_its_log_on_a_timer_not_in_a_commit(qtbot, services):
    from frontdesk.models import Visitor
    from frontdesk.store import DEFERRED_CHECKPOINT_PAGES

    started = Upkeep(services)
    started.start()
    try:
        assert started.log_timer.isActive()
        # Deferred on the desk's connection: a check-in's commit no longer checkpoints at 1,000 pages.
        assert services.store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == DEFERRED_CHECKPOINT_PAGES
    finally:
        started.stop()
        shiboken6.delete(started)  # and the start-up jobs it scheduled (integrity check, first backup) with it
    upkeep = Upkeep(services)
    for i in range(3):
        services.checkin.admit(Visitor(first_name="Log", last_name=f"Tick{i}"))
    wal = services.store.path.with_name(services.store.path.name + "-wal")
    size = wal.stat().st_size
    upkeep.on_log_timeout()  # what the timer does every few seconds
    qtbot.waitUntil(lambda: not upkeep._checkpointing, timeout=20000)
    # Everything was moved into the database file: the next commit writes the log again from its top.
    services.checkin.admit(Visitor(first_name="Log", last_name="Again"))
    assert wal.stat().st_size == size
    assert not [e for e in services.events.recent(source="upkeep") if e.level == "error"]


def test_the_integrity_check_waits_for_the_event_loop_then_runs(qtbot, services):
    upkeep = Upkeep(services)
    upkeep.start(check_after_ms=0)
    try:
        assert not upkeep._checked  # counted from the first idle, not from start(): nothing ran yet

        def logged() -> list[str]:
            return [e.message for e in services.events.recent(source="upkeep")]

        # The check sets _checked on the pool thread; its line is logged on the GUI thread a moment later (waiting
        # for _checked alone and then reading the log failed now and then under load: "AssertionError: []").
        qtbot.waitUntil(lambda: any("integrity checked" in m for m in logged()), timeout=20000)
        assert upkeep._checked
    finally:
        qtbot.waitUntil(lambda: not upkeep._busy, timeout=20000)
        upkeep.stop()
        shiboken6.delete(upkeep)


def test_the_desk_checkpoints_the_panic_outboxs_log_on_the_timer_not_in_a_press(qtbot, services):
    """Session 25's live day: the upkeep checkpointed only the database's log, so SQLite checkpointed the panic
    outbox's inside the commit that took its log past 1,000 pages: now and then a press's. Once the station is up,
    the timer checkpoints the outbox's log too, and a press's commit no longer does. Fails on the old code (the
    log was not moved: the next press wrote on past it, and the press's connection kept SQLite's 1,000)."""
    from frontdesk.store import DEFERRED_CHECKPOINT_PAGES

    station = services.station
    for _ in range(3):
        station.press("LOCKDOWN", mode="Exercise")
    outbox = station.outbox
    wal = outbox.path.with_name(outbox.path.name + "-wal")
    size = wal.stat().st_size
    upkeep = Upkeep(services)
    upkeep.on_log_timeout()  # what the timer does every few seconds
    qtbot.waitUntil(lambda: not upkeep._checkpointing, timeout=20000)
    assert outbox._store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == DEFERRED_CHECKPOINT_PAGES
    station.press("LOCKDOWN", mode="Exercise")  # written from the log's top again: the log did not grow
    assert wal.stat().st_size == size
    assert not [e for e in services.events.recent(source="upkeep") if e.level == "error"]
