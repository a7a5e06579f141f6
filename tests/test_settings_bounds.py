"""Numbers a setting must stay within: refused when set through the app, not used when found out of range in the
store (typed into the table by hand, or sent by the district), so a threshold nobody can reach never turns
screening off. Found by session 18's red team: a possible-match threshold of 1.5 was accepted, even through the
app, and a barred person was then cleared."""

from __future__ import annotations

import json

import pytest

from frontdesk.checkin.workflow import CheckInRequest, NeedsDecision
from frontdesk.errors import InputError
from frontdesk.models import Visitor
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from frontdesk.settings import PANIC_HOLD_MS, SCREEN_MATCH, SCREEN_POSSIBLE


@pytest.mark.parametrize(
    ("setting", "value"),
    [(SCREEN_POSSIBLE, 1.5), (SCREEN_MATCH, -0.1), (SCREEN_POSSIBLE, 2), (PANIC_HOLD_MS, 600_000)],
)
def test_a_number_out_of_its_range_is_refused_when_set(services, setting, value):
    with pytest.raises(InputError, match="must be"):
        services.settings.set(setting, value)
    assert services.settings.get(setting) == setting.default


def test_numbers_within_range_are_kept(services):
    services.settings.set(SCREEN_POSSIBLE, 0.85)
    services.settings.set(PANIC_HOLD_MS, 300)
    assert (services.settings.get(SCREEN_POSSIBLE), services.settings.get(PANIC_HOLD_MS)) == (0.85, 300)


def test_a_threshold_typed_into_the_table_by_hand_does_not_turn_screening_off(services):
    services.lists.add("District", NewEntry("Robert", "Barredman", dob=parse_dob("1980-03-14"), kind=Kind.BARRED))
    with services.store.transaction() as db:  # as the sqlite3 shell would
        for setting in (SCREEN_POSSIBLE, SCREEN_MATCH):
            db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [setting.key, json.dumps(1.5)],
            )
        db.execute(
            "INSERT INTO district_settings (key, value, locked) VALUES (?, ?, 1)", [PANIC_HOLD_MS.key, "600000"]
        )
    assert services.settings.get(SCREEN_POSSIBLE) == SCREEN_POSSIBLE.default
    assert services.settings.get(PANIC_HOLD_MS) == PANIC_HOLD_MS.default  # the district's, out of range: not used
    outcome = services.checkin.start(
        CheckInRequest(Visitor("Robert", "Barredman", dob=parse_dob("1980-03-14").day))
    )
    assert isinstance(outcome, NeedsDecision)
