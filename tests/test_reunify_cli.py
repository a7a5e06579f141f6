"""Reunification from the command line, and the reunification laptop's record merged back into the desk.

The laptop is a real second data folder: a copy of the desk's, made with ``frontdesk backup`` and put back
there with ``frontdesk --data-dir LAPTOP restore FILE``; it runs a drill; its record file is merged at the desk.
"""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from frontdesk.cli import main
from frontdesk.context import Services
from frontdesk.errors import InputError
from tests.students_fixtures import PRINCIPAL_PW, guardian_name


@pytest.fixture(scope="module")
def template(students_template):
    return students_template


@pytest.fixture
def facts(students_bundle):
    return students_bundle[1]


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_a_drill_from_the_command_line(staffed, facts, tmp_path, monkeypatch, capsys):
    folder = staffed.store.data_dir
    staffed.close()
    base = ["--data-dir", str(folder), "reunify"]
    assert main([*base, "board"]) == 2  # nothing running: one line
    assert "No reunification is running" in capsys.readouterr().err
    assert main([*base, "start", "--drill", "--site", "Synthetic Church Hall", "--json"]) == 0
    assert _json(capsys)["drill"] is True
    first, last = guardian_name(facts, "stu-00080")
    assert main([*base, "ask", "100080", "--to", f"{first} {last}", "--json"]) == 0
    card = _json(capsys)["card"]
    assert main([*base, "ask", "100081", "--to", "No Body", "--json"]) == 3
    assert _json(capsys)["code"] == "not_authorised"
    assert main([*base, "ask", "stu-00020", "--to", "Victor Custodia", "--dob", "1979-05-05", "--json"]) == 4
    assert _json(capsys)["code"] == "custody"
    assert main([*base, "release", card]) == 2  # no runner sent yet: a step out of order
    assert "not on the way" in capsys.readouterr().err
    assert main([*base, "send", card, "--runner", "Coach Runner"]) == 0
    assert "Coach Runner is on the way" in capsys.readouterr().out
    assert main([*base, "release", card, "--json"]) == 0
    assert _json(capsys)["status"] == "released"
    assert main([*base, "board", "--json"]) == 0
    board = _json(capsys)
    assert sum(c["released"] for c in board["classes"]) == 1 and board["requests"][0]["card"] == card
    assert main([*base, "board"]) == 0
    assert "DRILL Reunification" in capsys.readouterr().out
    assert main([*base, "card", card]) == 2  # no badge printer set up
    first82, last82 = guardian_name(facts, "stu-00082")
    assert main([*base, "ask", "stu-00082", "--to", f"{first82} {last82}", "--json"]) == 0
    left_over = _json(capsys)["card"]
    assert main([*base, "end"]) == 0
    # A card left over from that drill does not move a student in the next run: the guardian asks again.
    assert main([*base, "start", "--site", "Synthetic Gym"]) == 0
    capsys.readouterr()
    assert main([*base, "send", left_over, "--runner", "Coach Runner"]) == 2
    assert "from another reunification" in capsys.readouterr().err
    assert main([*base, "end"]) == 0
    monkeypatch.setenv("FRONTDESK_PASSWORD", PRINCIPAL_PW)
    out = tmp_path / "reunification.csv"
    as_principal = ["--data-dir", str(folder), "--user", "p.nakamura"]
    assert main([*as_principal, "reunify", "export", str(out), "--run", "1"]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["status"], r["runner"], r["drill"]) for r in rows] == [
        ("released", "Coach Runner", "yes"),
        ("requested", "", "yes"),
    ]


def test_the_laptops_record_is_merged_into_the_desk(staffed, facts, tmp_path, monkeypatch, capsys):
    desk = staffed.store.data_dir
    staffed.close()
    # The laptop's own copy: a backup of the desk's database, restored into the laptop's data folder.
    assert main(["--data-dir", str(desk), "backup", "--json"]) == 0
    copy = json.loads(capsys.readouterr().out)["file"]
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    shutil.copy(copy, laptop / "copy.db")
    assert main(["--data-dir", str(laptop / "data"), "restore", str(laptop / "copy.db")]) == 0
    capsys.readouterr()

    site = ["--data-dir", str(laptop / "data"), "reunify"]
    assert main([*site, "start", "--drill", "--site", "Synthetic Stadium"]) == 0
    assert "DRILL Reunification" in capsys.readouterr().out
    cards = []
    for sid in ("stu-00090", "stu-00091"):
        first, last = guardian_name(facts, sid)
        assert main([*site, "ask", sid, "--to", f"{first} {last}", "--json"]) == 0
        cards.append(_json(capsys)["card"])
    for card in cards:
        assert main([*site, "send", card, "--runner", "Coach Runner"]) == 0
        assert main([*site, "release", card]) == 0
    assert main([*site, "end"]) == 0
    monkeypatch.setenv("FRONTDESK_PASSWORD", PRINCIPAL_PW)
    record = tmp_path / "stadium.json"
    as_principal = ["--data-dir", str(laptop / "data"), "--user", "p.nakamura"]
    assert main([*as_principal, "reunify", "record", str(record)]) == 0
    monkeypatch.delenv("FRONTDESK_PASSWORD")
    text = record.read_text(encoding="utf-8")
    first90, last90 = (facts.student["stu-00090"][0], facts.student["stu-00090"][1])
    assert first90 not in text and last90 not in text  # students by id and number only
    capsys.readouterr()

    # Meanwhile the desk released the other student early itself: the merge keeps the laptop's request but
    # writes no second release for them.
    first91, last91 = guardian_name(facts, "stu-00091")
    assert (
        main(
            [
                "--data-dir",
                str(desk),
                "students",
                "release",
                "stu-00091",
                "--to",
                f"{first91} {last91}",
                "--reason",
                "Picked up at the desk",
            ]
        )
        == 0
    )
    capsys.readouterr()
    # A record changed after it was written (here: another adult named) is refused whole, as is one merged by
    # desk staff: its releases become sign-outs on the roster, so a principal merges it.
    forged = tmp_path / "forged.json"
    data = json.loads(text)
    data["requests"][0]["adult"] = "Mallory Forger"
    forged.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("FRONTDESK_PASSWORD", PRINCIPAL_PW)
    at_desk = ["--data-dir", str(desk), "--user", "p.nakamura", "reunify"]
    assert main([*at_desk, "merge", str(forged), "--json"]) == 2
    assert "changed after it was written" in capsys.readouterr().err
    assert main(["--data-dir", str(desk), "reunify", "merge", str(record), "--json"]) == 2
    capsys.readouterr()
    assert main([*at_desk, "merge", str(record), "--json"]) == 0
    merged = _json(capsys)
    assert (merged["requests"], merged["released"], merged["already_here"]) == (2, 2, 0)
    assert merged["already_signed_out"] == ["stu-00091"]
    assert main([*at_desk, "merge", str(record), "--json"]) == 0  # twice: nothing more
    again = _json(capsys)
    assert (again["requests"], again["released"], again["already_here"]) == (0, 0, 2)
    services = Services.open(desk)
    try:
        out = services.students.out()
        # Off the desk's roster, each once (stu-00091 by the desk's own release).
        assert sorted(m.student.sourced_id for m in out) == ["stu-00090", "stu-00091"]
        laptop_release = next(m for m in out if m.student.sourced_id == "stu-00090")
        assert "recorded on" in laptop_release.reason and laptop_release.staff
        assert len(services.students.movements_today(["release"])) == 2
        board = services.reunification.board(merged["reunification"])
        assert board.reunification.drill and "Synthetic Stadium" in board.reunification.site
        assert sorted(r.status for r in board.requests) == ["released", "released"]
        assert services.reunification.current() is None  # the desk's own board is not taken over
        rec = services.store.db.execute(
            "SELECT action, details FROM audit_log WHERE action = 'reunify.merge' ORDER BY seq"
        ).fetchall()
        assert len(rec) == 2 and json.loads(rec[0][1])["already_signed_out"] == ["stu-00091"]
    finally:
        services.close()
    # A file that is not a record: one line, exit 2.
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    assert main([*at_desk, "merge", str(bad)]) == 2
    assert "is not a reunification record" in capsys.readouterr().err


@pytest.mark.parametrize(
    "shape",
    [
        {"reunification": "oops"},
        {"reunification": {"started_at": "x", "started_by": "y"}, "requests": ["a request"]},
        {"reunification": {"started_at": "x", "started_by": "y"}, "requests": {"a": "dict"}},
    ],
    ids=["run not an object", "request not an object", "requests not a list"],
)
def test_a_record_of_the_wrong_shape_is_one_line_not_a_traceback(tmp_path, shape):
    """A file with the record's mark but another shape (hand-edited, or cut and mended) raised AttributeError
    from the checks themselves: a traceback and exit 1 at the desk's merge."""
    from frontdesk.students.reunify_record import FORMAT, VERSION, read_record

    path = tmp_path / "record.json"
    path.write_text(json.dumps({"format": FORMAT, "version": VERSION, **shape}))
    with pytest.raises(InputError, match="is not a reunification record"):
        read_record(path)
