"""A check-in held on a card for a person: an entry added to the lists meanwhile is in force when it commits.
Synthetic names only; the entry is added by the real ``frontdesk`` command line, as another desk's IT would.
"""

from __future__ import annotations

from datetime import date

import pytest

from frontdesk.checkin.workflow import CheckInRequest, Cleared, NeedsDecision
from frontdesk.errors import ConflictError
from frontdesk.models import Visitor
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from tests.cli_helpers import frontdesk, text


def test_an_entry_added_while_a_card_is_held_stops_the_commit(services, data_dir):
    # A watch entry without a date: the visitor's card is held for a person.
    held = services.lists.add("Watch", NewEntry("Dana", "Heldworth", kind=Kind.WATCH))
    request = CheckInRequest(Visitor("Dana", "Heldworth", dob=date(1983, 3, 3)))
    card = services.checkin.start(request)
    assert isinstance(card, NeedsDecision) and [c.entry.id for c in card.candidates] == [held.id]
    # Meanwhile the principal bars her, with her date of birth, from another terminal.
    proc = frontdesk(
        "barred", "add", "--source", "District", "--first-name", "Dana", "--last-name", "Heldworth",
        "--dob", "1983-03-03", data_dir=data_dir,
    )  # fmt: skip
    assert proc.returncode == 0, text(proc)
    cleared = services.checkin.decide(card.admission, held.id, same_person=False, reason="different photo")
    assert isinstance(cleared, Cleared)
    with pytest.raises(ConflictError, match="lists changed") as raised:
        services.checkin.commit(cleared)
    assert raised.value.code == "lists_changed"
    assert services.store.db.execute("SELECT count(*) FROM visits").fetchone()[0] == 0
    # Checking in again shows the new entry.
    again = services.checkin.start(request)
    assert isinstance(again, NeedsDecision) and {c.entry.full_name for c in again.candidates} == {"Dana Heldworth"}
    assert len(again.candidates) == 2


def test_a_held_card_with_nothing_new_commits(services):
    held = services.lists.add("Watch", NewEntry("Dana", "Heldworth", dob=parse_dob("1983-03-03"), kind=Kind.WATCH))
    card = services.checkin.start(CheckInRequest(Visitor("Dana", "Heldworth", dob=date(1983, 3, 3))))
    cleared = services.checkin.decide(card.admission, held.id, same_person=False, reason="different photo")
    assert services.checkin.commit(cleared).visit.id
