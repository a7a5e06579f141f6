"""The audit trail: records from the services, the chain, and each kind of tampering caught by verify."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from frontdesk.access.roles import Role
from frontdesk.audit import GENESIS, record_hash
from frontdesk.cli import main
from frontdesk.context import Services
from frontdesk.errors import StoreError
from frontdesk.models import Visitor
from frontdesk.settings import SCHOOL_NAME


def _fill(services: Services, n: int = 6) -> None:
    for i in range(n):
        services.audit.record("tester", "test.step", f"thing {i}", {"i": i, "name": "Zoë Testwood"})


def _attack(services: Services, *sql: str) -> None:
    """Change the file as someone with SQLite at hand would: triggers dropped first."""
    conn = sqlite3.connect(services.store.path)
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_records_chain_each_to_the_one_before(services):
    _fill(services, 3)
    records = services.audit.records(newest_first=False)
    assert [r.seq for r in records] == [1, 2, 3]
    assert records[0].prev_hash == GENESIS
    assert records[1].prev_hash == records[0].hash and records[2].prev_hash == records[1].hash
    r = records[1]
    details = json.dumps(r.details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    row = services.store.db.execute("SELECT time FROM audit_log WHERE seq = 2").fetchone()
    assert r.hash == record_hash(2, row[0], "tester", "test.step", "thing 1", details, r.prev_hash)
    result = services.audit.verify()
    assert result.intact and result.checked == 3 and result.head_seq == 3


def test_services_record_check_in_check_out_settings(services):
    visit = services.checkin.admit(Visitor("Ann", "Testwood"), purpose="Meeting")
    services.visits.check_out(visit.badge_code)
    services.settings.set(SCHOOL_NAME, "Maple Grove")
    services.directory.add("Ms. Alvarez", "staff", "Room 12")
    actions = [(r.action, r.subject) for r in services.audit.records(newest_first=False)]
    assert actions == [
        ("visit.check_in", f"visit {visit.id}"),
        ("screening.decision", "screening_decision 1"),  # screened clear, in the same transaction
        ("visit.check_out", f"visit {visit.id}"),
        ("settings.change", "school.name"),
        ("directory.add", "Ms. Alvarez"),
    ]
    change = services.audit.records(action="settings.")[0]
    assert change.details == {"old": "", "new": "Maple Grove"} and change.actor == "setup"


def test_a_refused_check_in_leaves_no_record(services):
    services.checkin.admit(Visitor("Ann", "Testwood"))
    with pytest.raises(Exception, match="already on site"):
        services.checkin.admit(Visitor("Ann", "Testwood"))
    assert len(services.audit.records(action="visit.check_in")) == 1


def test_sqlite_refuses_updates_and_deletes(services):
    _fill(services, 2)
    db = services.store.db
    with pytest.raises(StoreError, match="append-only"):  # a typed error (issue 12)
        db.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
    with pytest.raises(StoreError, match="append-only"):  # a typed error (issue 12)
        db.execute("DELETE FROM audit_log WHERE seq = 2")


def test_edited_field_is_caught_at_that_record(services):
    _fill(services)
    _attack(services, "UPDATE audit_log SET actor = 'someone.else' WHERE seq = 4")
    result = services.audit.verify()
    assert not result.intact and result.problem == "changed" and result.seq == 4


def test_edited_details_with_recomputed_hash_is_caught_by_the_next_record(services):
    _fill(services)
    row = services.store.db.execute("SELECT time, prev_hash FROM audit_log WHERE seq = 3").fetchone()
    forged = record_hash(3, row[0], "tester", "test.step", "thing 2", '{"i":99}', row[1])
    _attack(services, f"UPDATE audit_log SET details = '{{\"i\":99}}', hash = '{forged}' WHERE seq = 3")
    result = services.audit.verify()
    assert (result.intact, result.problem, result.seq) == (False, "changed", 3)


def test_deleted_row_is_caught(services):
    _fill(services)
    _attack(services, "DELETE FROM audit_log WHERE seq = 3")
    result = services.audit.verify()
    assert (result.intact, result.problem, result.seq) == (False, "deleted", 3)


def test_deleted_row_with_renumbering_is_caught(services):
    _fill(services)
    _attack(services, "DELETE FROM audit_log WHERE seq = 3", "UPDATE audit_log SET seq = seq - 1 WHERE seq > 3")
    result = services.audit.verify()
    assert not result.intact and result.seq == 3


def test_swapped_rows_are_caught_as_reordered(services):
    _fill(services)
    _attack(
        services,
        "UPDATE audit_log SET seq = -1 WHERE seq = 4",
        "UPDATE audit_log SET seq = 4 WHERE seq = 5",
        "UPDATE audit_log SET seq = 5 WHERE seq = -1",
    )
    result = services.audit.verify()
    assert (result.intact, result.problem, result.seq) == (False, "reordered", 4)


def test_truncated_tail_is_caught_by_the_anchor(services):
    _fill(services)
    _attack(services, "DELETE FROM audit_log WHERE seq >= 5")
    result = services.audit.verify()
    assert (result.intact, result.problem, result.seq) == (False, "truncated", 5)


def test_everything_deleted_is_caught(services):
    _fill(services)
    _attack(services, "DELETE FROM audit_log")
    assert services.audit.verify().problem == "truncated"


def _signed_in_desk(data_dir, monkeypatch) -> None:
    """A desk with accounts and some records, closed (the CLI then signs in: a record of its own)."""
    services = Services.open(data_dir)
    services.accounts.add("root", Role.ADMIN, "district-secret", "Dana Admin")
    services.accounts.sign_in("root", "district-secret")
    _fill(services)
    services.close()
    monkeypatch.setenv("FRONTDESK_PASSWORD", "district-secret")


def _cli_verify(data_dir, capsys) -> tuple[int, str]:
    code = main(["--data-dir", str(data_dir), "--user", "root", "audit", "verify"])
    return code, capsys.readouterr().out


def test_a_tail_cut_while_the_desk_was_closed_is_still_reported_after_the_verifys_own_sign_in(
    data_dir, capsys, monkeypatch
):
    """The sign-in that `audit verify --user` records must not move the anchor down to the cut chain's head."""
    _signed_in_desk(data_dir, monkeypatch)
    conn = sqlite3.connect(data_dir / "frontdesk.db")
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    head = conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    conn.execute("DELETE FROM audit_log WHERE seq > ?", [head - 3])
    conn.commit()
    conn.close()
    for _ in range(2):  # and again: the first verify's sign-in did not erase it either
        code, out = _cli_verify(data_dir, capsys)
        assert code == 1 and "missing from the end (the anchor file names record" in out, out


def test_an_older_copy_put_in_place_of_the_database_stays_reported_after_the_desk_runs_on(
    data_dir, tmp_path, capsys, monkeypatch
):
    """The file swapped for an older copy (not `frontdesk restore`), then a day's work at the desk on it."""
    _signed_in_desk(data_dir, monkeypatch)
    old = tmp_path / "older-copy.db"
    shutil.copy(data_dir / "frontdesk.db", old)
    services = Services.open(data_dir)
    services.checkin.admit(Visitor("Ann", "Testwood"), purpose="Meeting")  # what the older copy lacks
    services.close()
    shutil.copy(old, data_dir / "frontdesk.db")
    services = Services.open(data_dir)
    for name in ("Bo", "Cy", "Di"):  # the desk works on: its records reach and pass the anchored number
        services.checkin.admit(Visitor(name, "Testwood"), purpose="Meeting")
    services.close()
    code, out = _cli_verify(data_dir, capsys)
    assert code == 1 and "differs from the anchor file" in out, out


def test_two_desks_appending_to_one_file_never_raise_a_false_alarm(data_dir):
    first, second = Services.open(data_dir), Services.open(data_dir)
    for i in range(4):
        first.audit.record("tester", "test.step", f"first {i}")
        second.audit.record("tester", "test.step", f"second {i}")
        second.audit.record("tester", "test.step", f"second again {i}")
    second.close()
    first.close()  # the older object anchors last: it must not write an older head over the newer
    services = Services.open(data_dir)
    try:
        assert services.audit.read_anchor() == services.audit.head()
        assert services.audit.verify().intact
    finally:
        services.close()


def test_a_record_rolled_back_is_never_anchored(services):
    """refresh_anchor inside a transaction that then rolls back must not anchor its record (the anchor would
    name a record the chain never held: a false alarm, and one that is now kept as evidence)."""
    _fill(services, 2)
    with pytest.raises(RuntimeError), services.store.transaction():
        services.audit.record("tester", "test.step", "rolled back")
        services.audit.refresh_anchor()
        raise RuntimeError("the change failed")
    assert services.audit.verify().intact
    _fill(services, 1)
    assert services.audit.verify().intact


@pytest.mark.parametrize("cut", [0, 2])
def test_an_anchor_deleted_is_reported_by_verify_after_its_own_sign_in(data_dir, capsys, monkeypatch, cut):
    """The sign-in `audit verify --user` records writes a new anchor: verify still says the old one was gone
    (alone, or with the tail cut that deleting it hides)."""
    _signed_in_desk(data_dir, monkeypatch)
    conn = sqlite3.connect(data_dir / "frontdesk.db")
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE seq > (SELECT max(seq) FROM audit_log) - ?", [cut])
    conn.commit()
    conn.close()
    (data_dir / "audit-anchor.json").unlink()
    code, out = _cli_verify(data_dir, capsys)
    assert code == 1, out
    assert "audit-anchor.json was missing or unreadable before this program's first record" in out


def test_missing_anchor_is_reported(services):
    _fill(services)
    services.audit.anchor_path.unlink()
    assert services.audit.verify().problem == "anchor"


def test_rebuilt_chain_is_only_caught_against_a_head_kept_elsewhere(services):
    """Rewriting every hash from a record on, and the anchor, is invisible without an outside copy."""
    _fill(services)
    kept = services.audit.head()
    rows = services.store.db.execute(
        "SELECT seq, time, actor, action, subject, details FROM audit_log ORDER BY seq"
    ).fetchall()
    statements, prev = [], GENESIS
    for seq, time, actor, action, subject, details in rows:
        if seq == 2:
            actor = "forger"
        digest = record_hash(seq, time, actor, action, subject, details, prev)
        statements.append(
            f"UPDATE audit_log SET actor = '{actor}', prev_hash = '{prev}', hash = '{digest}' WHERE seq = {seq}"
        )
        prev = digest
    _attack(services, *statements)
    services.audit.anchor_path.write_text(json.dumps({"seq": len(rows), "hash": prev}))
    assert services.audit.verify().intact  # what a hash chain cannot know by itself
    result = services.audit.verify(expect=kept)
    assert not result.intact and result.seq == len(rows)


def test_cli_verify_exit_codes(data_dir, capsys):
    services = Services.open(data_dir)
    _fill(services)
    assert main(["--data-dir", str(data_dir), "audit", "verify"]) == 0
    assert "intact: 6 records" in capsys.readouterr().out
    _attack(services, "UPDATE audit_log SET subject = 'nothing' WHERE seq = 2")
    assert main(["--data-dir", str(data_dir), "audit", "verify"]) == 1
    assert "first bad record: 2" in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir), "audit", "verify", "--expect", "nonsense"]) == 2


def test_cli_list_and_export(data_dir, capsys, tmp_path):
    services = Services.open(data_dir)
    _fill(services, 3)
    assert main(["--data-dir", str(data_dir), "audit", "list", "--json", "--action", "test."]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["seq"] for r in listed] == [3, 2, 1]
    out = tmp_path / "audit.csv"
    assert main(["--data-dir", str(data_dir), "audit", "export", "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("seq,time,actor,action") and len(lines) == 4
    # The export itself is recorded.
    assert services.audit.records(limit=1)[0].action == "audit.export"


@pytest.mark.parametrize(
    "text", ["plain", 'quote " and \\ backslash', "Zoë Ñúñez 李", "tab\tnew\nline\x01", "", "emoji 🎒"]
)
def test_record_hash_is_sha256_of_the_json_array(text):
    import hashlib

    fields = [12, "2026-11-02T08:00:00.000000Z", text, "visit.check_in", text, json.dumps({"k": text}), "ab" * 32]
    expected = hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()
    assert record_hash(*fields) == expected


def test_badge_prints_are_recorded(services):
    """A badge printed to a real TCP listener (an ESC/POS printer's port) leaves one badge.print record."""
    from printers.uri import printer_for
    from tests.printer_listeners import Listener

    visit = services.checkin.admit(Visitor("Ann", "Testwood"))
    printer_at = Listener("capture")
    try:
        printer = printer_for(f"escpos+tcp://127.0.0.1:{printer_at.port}?profile=TM-T20II&timeout=1")
        result = services.badges.print_badge(visit.badge_code, printer)
    finally:
        printer_at.close()
    record = services.audit.records(action="badge.", limit=1)[0]
    assert (record.subject, record.details["outcome"]) == (f"visit {visit.id}", str(result.outcome))
    assert record.details["printer"] == printer.uri
