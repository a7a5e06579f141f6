"""The desk's outbox without a running hub: once linked, every audited change is numbered for the hub in its
own transaction; before, none is."""

from __future__ import annotations

import json
from datetime import date

import pytest

from frontdesk import settings as s
from frontdesk.models import Visitor


def _outbox(services) -> list[tuple[int, str, dict]]:
    rows = services.store.db.execute("SELECT seq, kind, body FROM sync_outbox ORDER BY seq").fetchall()
    return [(seq, kind, json.loads(body)) for seq, kind, body in rows]


def test_each_change_goes_into_the_outbox_with_its_record_or_not_at_all(services):
    assert services.sync.status().words == "Hub: not connected"
    early = services.checkin.admit(Visitor("Blake", "Sample"))
    services.visits.check_out(early.badge_code)
    assert _outbox(services) == []  # no hub: nothing is kept for one
    services.settings.set(s.DISPATCH_URL, "http://127.0.0.1:9")
    assert [kind for _, kind, _ in _outbox(services)] == ["settings.change"]
    visit = services.checkin.admit(Visitor("Avery", "Testwood"), destination="Room 12")
    services.visits.check_out(visit.badge_code)
    kinds = [kind for _, kind, _ in _outbox(services)]
    assert kinds.index("visit.check_in") < kinds.index("visit.check_out") == len(kinds) - 1
    assert "screening.decision" in kinds  # the screening of this check-in goes up too
    check_in = next(body for _, kind, body in _outbox(services) if kind == "visit.check_in")
    assert check_in["visit"]["name"] == "Avery Testwood" and check_in["visit"]["host"] == "Room 12"
    assert check_in["visit"]["badge_code"] == visit.badge_code
    # Numbered 1, 2, 3 … with no gap; a change rolled back leaves no entry behind.
    seqs = [seq for seq, _, _ in _outbox(services)]
    assert seqs == list(range(1, len(seqs) + 1))
    before = len(seqs)
    with pytest.raises(RuntimeError), services.audit.transaction():
        services.checkin.admit(Visitor("Blake", "Sample"))
        raise RuntimeError("the power went")
    assert len(_outbox(services)) == before
    # Other audited changes go up as they were recorded.
    services.settings.set(s.STATION_NAME, "Main office")
    assert _outbox(services)[-1][1].startswith("settings.")


def test_the_status_bar_words(services):
    services.settings.set(s.DISPATCH_URL, "http://127.0.0.1:9")
    services.checkin.admit(Visitor("Avery", "Testwood"))
    status = services.sync.status()
    assert status.linked and status.pending >= 1
    assert status.words == f"Hub: {status.pending} change{'s' if status.pending > 1 else ''} waiting"


def test_open_visits_go_up_when_sync_arrives(data_dir):
    """A linked desk upgraded with visitors on site: its first outbox holds their check-ins."""
    from frontdesk.context import MIGRATIONS, Services
    from frontdesk.sync.migrations import MIGRATIONS as SYNC

    services = Services.open(data_dir)
    services.settings.set(s.DISPATCH_URL, "http://127.0.0.1:9")
    services.checkin.admit(Visitor("Avery", "Testwood"))
    services.store.db.execute("DROP TABLE sync_outbox")
    for table in ("sync_remote_visits", "sync_state"):
        services.store.db.execute(f"DROP TABLE {table}")
    services.store.db.execute("DELETE FROM _migrations WHERE name = ?", [SYNC[0][0]])
    services.close()
    assert "sync_0001_tables" in [name for name, _ in MIGRATIONS]  # (no longer the last one)
    again = Services.open(data_dir)
    assert [kind for _, kind, _ in _outbox(again)] == ["visit.check_in"]
    again.close()


def test_the_check_in_goes_up_as_written_without_reading_it_again(services):
    """The outbox takes the visit the check-in already holds (the audit record's ``about``); what it sends is
    exactly what reading the visit back would give."""
    from frontdesk.models import Category
    from frontdesk.sync.outbox import open_visit_changes

    services.settings.set(s.DISPATCH_URL, "http://127.0.0.1:9")
    visitor = Visitor("Avery", "Testwood", middle_name="Q", dob=date(1980, 2, 3))
    visit = services.checkin.admit(visitor, category=Category.CONTRACTOR, purpose="Boiler", destination="Room 12")
    sent = next(body for _, kind, body in _outbox(services) if kind == "visit.check_in")
    read = [json.loads(b) for k, _, _, b in open_visit_changes(services.store.db) if k == "visit.check_in"]
    assert read == [sent] and sent["visit"]["name_key"] and sent["visit"]["dob"] == "1980-02-03"
    services.visits.check_out(visit.badge_code)
    out = _outbox(services)[-1]
    assert out[1] == "visit.check_out"
    time_out = services.store.db.execute("SELECT time_out FROM visits WHERE id = ?", [visit.id]).fetchone()[0]
    assert out[2] == {"station_id": "", "visit_id": visit.id, "checked_out_at": time_out}
