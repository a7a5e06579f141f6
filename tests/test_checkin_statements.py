"""The work one check-in does in SQL: no statement read twice, and what is skipped is still right.

The statements are counted with SQLite's own trace callback on the desk's connection (as
``bench/encryption.py`` does): the settings of a check-in are read one statement each (both layers), the
audit head once per transaction, and the visit is neither re-read for its audit hash nor for the caller.
What these shortcuts replace is checked against the database itself: the visit returned is the one stored,
the audit chain and its coverage verify, the anchor names the newest record.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from bench.encryption import statements_of
from frontdesk.audit import coverage
from frontdesk.checkin.workflow import CheckInRequest, NeedsDecision, Refused
from frontdesk.context import Services
from frontdesk.errors import ConflictError
from frontdesk.models import Visitor
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from frontdesk.settings import SCREEN_MATCH, STAFF_NAME, STATION_NAME


@pytest.fixture
def services(tmp_path: Path):
    services = Services.open(tmp_path / "data")
    try:
        services.checkin.admit(Visitor(first_name="Warm", last_name="Up"))  # every service built, caches warm
        yield services
    finally:
        services.close()


def test_a_check_in_reads_nothing_twice(services):
    statements = statements_of(
        services, lambda: services.checkin.admit(Visitor(first_name="Ada", last_name="Count"))
    )
    head = [s for s in statements if s.startswith("SELECT seq, hash FROM audit_log")]
    assert len(head) == 1, statements  # two records, one transaction: the head is read once, not 3 times
    assert not [s for s in statements if "FROM visits WHERE id" in s]  # neither the audit hash nor the caller
    assert not [s for s in statements if s.startswith("SELECT value, locked FROM district_settings")]
    layered = [s for s in statements if "district_settings" in s]
    assert layered and all("FROM settings WHERE key" in s for s in layered)  # one statement for both layers
    assert statements.count("BEGIN IMMEDIATE") == 1 and statements[-1] == "COMMIT"
    # The screening decision is neither read back for its audit hash nor for the caller; "linked to a hub?"
    # is asked once per transaction, not once per audit record.
    assert not [s for s in statements if "FROM screening_decisions WHERE id" in s], statements
    assert len([s for s in statements if "dispatch.url" in s]) == 1, statements
    # start()'s reads share one read transaction (its read lock taken once, not once per statement), and the
    # commit's own reads (who is at the desk) are inside its write transaction.
    begin, immediate = statements.index("BEGIN"), statements.index("BEGIN IMMEDIATE")
    assert begin < statements.index("COMMIT") < immediate, statements
    inside = statements[begin + 1 : statements.index("COMMIT")]
    # lists, settings, on site; screening's lookup is one statement since session 9 (its keys in one json_each)
    assert len(inside) >= 6 and any("json_each" in s for s in inside), statements
    between = statements[statements.index("COMMIT") + 1 : immediate]
    assert [s for s in between if not s.startswith("PRAGMA")] == [], statements
    # 42 for this visitor before the first trim of 2026-12-02, 35 after it, 32 after the second, 30 after the
    # third (28 statements and the BEGIN ... COMMIT of start's read transaction).
    assert len(statements) <= 32, "\n".join(statements)


def test_nothing_is_written_inside_a_read_transaction(services):
    """``Store.reading`` holds a deferred read transaction: a write asked for inside it is refused (it could fail
    with SQLITE_BUSY at once instead of waiting its turn), and the reads outside it are not held up."""
    store = services.store
    with store.reading() as db:
        assert db.conn.in_transaction and db.execute("SELECT count(*) FROM visits").fetchone()[0] == 1
        with pytest.raises(RuntimeError, match="inside Store.reading"), store.transaction():
            pass
    assert not store.db.conn.in_transaction and not store.db.reading
    # An unattended door's refusal is the one write a start makes: after its reads, in its own transaction,
    # recorded (and so the start itself cannot be run inside a read transaction someone else holds open).
    services.lists.add("District", NewEntry("Rex", "Refusedman", dob=parse_dob("1970-01-02"), kind=Kind.BARRED))
    barred = Visitor("Rex", "Refusedman", dob=date(1970, 1, 2))
    said = services.checkin.start(CheckInRequest(barred), unattended=True)
    assert isinstance(said, Refused) and said.decision is not None
    stored = store.db.execute(
        "SELECT outcome FROM screening_decisions WHERE id = ?", [said.decision.id]
    ).fetchone()
    assert stored is not None and not store.db.conn.in_transaction


def test_the_visit_returned_is_the_visit_stored(services):
    first = services.checkin.admit(Visitor(first_name="José", last_name="Ortiz", dob=date(1980, 5, 1)))
    assert first == services.visits.get(first.id)
    # The same person again, typed another way, now with an ID card's details: the stored names are kept,
    # the card's details are taken, as the database has them.
    services.visits.check_out(first.id)
    card = Visitor(
        first_name="JOSE",
        last_name="ortiz",
        dob=date(1980, 5, 1),
        id_type="DL",
        id_issuer="CA",
        id_expires=date(2031, 1, 2),
        id_last4="1234",
    )
    again = services.checkin.admit(card, purpose=" Meeting ", destination=" Room 4 ", note=" with Pat ")
    stored = services.visits.get(again.id)
    assert again == stored
    assert again.visitor.id == first.visitor.id and again.visitor.first_name == "José"
    assert again.visitor.id_last4 == "1234" and again.purpose == "Meeting" and again.note == "with Pat"
    # By the person's id (a returning visitor picked from a list): the row as stored, older card details kept.
    services.visits.check_out(again.id)
    picked = services.checkin.admit(Visitor(first_name="José", last_name="Ortiz", id=first.visitor.id))
    assert picked == services.visits.get(picked.id) and picked.visitor.id_issuer == "CA"


def test_the_audit_chain_its_coverage_and_anchor_hold(services):
    for i in range(5):
        services.checkin.admit(Visitor(first_name="Chain", last_name=f"Link{i}"))
    result = services.audit.verify()
    assert result.intact, result.message
    assert services.audit.read_anchor() == (result.head_seq, result.head_hash)
    # A change and its record in a transaction that fails: nothing appended, nothing remembered after it.
    with pytest.raises(ConflictError), services.audit.transaction():
        services.audit.record(None, "test.rolled_back", "nothing")
        raise ConflictError("changed my mind")
    assert services.store.db.tx_memo is None
    services.checkin.admit(Visitor(first_name="After", last_name="Rollback"))
    result = services.audit.verify()
    assert result.intact, result.message
    assert services.audit.read_anchor() == (result.head_seq, result.head_hash)
    assert not services.audit.records(action="test.")


def test_a_record_in_a_transaction_begun_by_hand_reads_the_head(services):
    # Outside the store's own transaction nothing is remembered: another program may have appended between.
    db = services.store.db
    with db.conn:
        db.execute("BEGIN IMMEDIATE")
        assert db.tx_memo is None
        services.audit.record(None, "test.by_hand", "one")
        services.audit.record(None, "test.by_hand", "two")
    assert services.audit.verify().intact


def test_settings_layers_read_in_one_statement_keep_their_order(services):
    db = services.store.db
    settings = services.settings
    settings.set(STATION_NAME, "Front office")
    assert settings.get(STATION_NAME) == "Front office" and not settings.locked(STATION_NAME)
    assert settings.get(SCREEN_MATCH) == SCREEN_MATCH.default
    db.execute(
        "INSERT INTO district_settings (key, value, locked) VALUES (?, ?, 0), (?, ?, 1), (?, ?, 1)",
        [
            STATION_NAME.key,
            '"District default"',
            STAFF_NAME.key,
            '"District staff"',
            "screening.match_threshold",
            '"x"',
        ],
    )
    assert settings.get(STATION_NAME) == "Front office"  # the desk's own value over an unlocked district one
    assert settings.get(STAFF_NAME) == "District staff" and settings.locked(STAFF_NAME)  # locked wins
    # A district value of the wrong type is ignored, lock and all.
    assert settings.get(SCREEN_MATCH) == SCREEN_MATCH.default
    assert not settings.locked(SCREEN_MATCH)
    db.execute("DELETE FROM settings WHERE key = ?", [STATION_NAME.key])
    assert settings.get(STATION_NAME) == "District default"  # no desk value: the district's default


def test_the_decisions_returned_are_the_decisions_stored(services):
    """A check-in's screening decisions are built from the values written, not read back: the same as stored,
    and their audit records carry the hash of the rows as they are in the file."""
    clear = services.checkin.at().commit(
        services.checkin.start(CheckInRequest(Visitor(first_name="Clear", last_name="Visitor")))
    )
    services.lists.add(
        "District",
        NewEntry(
            "Robert", "Smith", dob=parse_dob("1980-03-14"), kind=Kind.CUSTODY, students=("Sam Smith", "Ada Smith")
        ),
    )
    request = CheckInRequest(Visitor(first_name="Bob", last_name="Smith", dob=date(1980, 3, 14)))
    outcome = services.checkin.start(request)
    assert isinstance(outcome, NeedsDecision) and outcome.candidates
    decided = services.checkin.decide(outcome.admission, outcome.candidates[0].entry.id, same_person=True)
    custody = services.checkin.commit(decided)
    for committed in (clear, custody):
        (decision,) = committed.decisions
        (stored,) = services.decisions.recent(visit_id=committed.visit.id)
        assert dataclasses.replace(decision, told=(), students=()) == stored
    assert custody.decisions[0].students == ("Sam Smith", "Ada Smith")
    assert isinstance(custody.decisions[0].score, float)
    db = services.store.db
    records = [r for r in services.audit.records(action="screening.decision")]
    assert records
    for record in records:
        table, row_id = record.details["row"].split(":")
        assert record.details["content"] == coverage.content_hash(db, table, int(row_id))
