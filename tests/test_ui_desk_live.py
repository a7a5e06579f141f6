"""A short live day: the desk as the app starts it, with its real links, panic drills pressed among the visitors.

The driver is the live-day benchmark's (bench/desk_live.py): ``ui.app.run`` over a data folder set up with the
desk's command line, the district server (``frontdesk dispatch serve``) and an SMTP server on 127.0.0.1, the
desk day's visitors, drills held on the panic panel, a dispatcher acknowledging every other one through the
console's web API. Counted, never timed.
"""

from __future__ import annotations

import pytest

from bench.desk_live import run_live_day


@pytest.fixture(scope="module")
def live_day(qapp):
    return run_live_day(visitors=60, sample_every=20, seed=7, baseline=2)


def test_every_press_reaches_the_console_once_and_is_shown_delivered_only_once_it_has(live_day):
    presses = live_day.presses
    assert len(presses) >= 4  # the morning's drill, the random ones, the baseline's
    # Stored exactly once, each press.
    assert {p.identifier: live_day.console.get(p.identifier, (0,))[0] for p in presses} == {
        p.identifier: 1 for p in presses
    }
    # The desk said "received" only when the console had stored it, and every press got there.
    assert [p.console_had_it for p in presses] == [True] * len(presses)
    # Every acknowledged press is shown acknowledged; the others are not.
    assert [p.shown_acked is not None for p in presses] == [p.acked_asked for p in presses]


def test_what_the_live_desk_holds_does_not_grow_after_its_first_block(live_day):
    first, *rest = live_day.samples[1:]

    def held(s):
        return (s.widgets, s.top_level, s.timers, s.threads, s.fds, s.sqlite_fds)

    assert [held(s) for s in [*rest, live_day.end]] == [held(first)] * (len(rest) + 1)


def test_no_outbox_is_left_holding_anything_at_the_end_of_the_day(live_day):
    end = live_day.end
    assert (end.panic_queued, end.notify_queued, end.sync_rows) == (0, 0, 0)
