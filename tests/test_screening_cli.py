"""The screening command line, run as a real subprocess on a real data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEADER = "first_name,middle_name,last_name,dob,aliases,kind,reason\n"


def fd(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "frontdesk", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    csv = tmp_path / "list.csv"
    csv.write_text(
        HEADER + "Robert,James,Smith,1980-03-14,Bobby Jones,barred,Trespass\n"
        "Maria,,Garcia-Lopez,1975,,custody,Order 12\n",
        encoding="utf-8",
    )
    done = fd(data, "barred", "import", str(csv), "--source", "District")
    assert done.returncode == 0, done.stderr
    assert "Imported 2 entries into 'District'" in done.stdout
    assert "no date of birth" not in done.stdout  # every entry has at least a year
    return data


def test_screen_json_has_decision_candidates_and_evidence(loaded):
    done = fd(loaded, "screen", "--first-name", "Bob", "--last-name", "Smyth", "--dob", "1980-03-14", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["decision"] in ("possible_match", "match")
    (c,) = result["candidates"]
    assert set(c) >= {"entry_id", "source", "kind", "score", "evidence"}
    assert (c["source"], c["kind"]) == ("District", "barred")
    assert "Bob is a nickname of Robert" in c["evidence"]
    clear = fd(loaded, "screen", "--first-name", "Ann", "--last-name", "Other", "--dob", "1990-01-01", "--json")
    assert json.loads(clear.stdout) == {"decision": "clear", "candidates": []}


def test_screen_batch_one_result_per_line(loaded, tmp_path):
    queries = tmp_path / "q.jsonl"
    lines = [
        {"first_name": "Maria", "middle_name": "", "last_name": "Garcia Lopez", "dob": "1975-06-01"},
        {"first_name": "Zed", "middle_name": None, "last_name": "Nobody", "dob": "1990-01-01"},
        {"first_name": "Smith", "middle_name": "", "last_name": "Robert", "dob": "1980-03-14"},
    ]
    queries.write_text("".join(json.dumps(q) + "\n" for q in lines))
    done = fd(loaded, "screen", "--batch", str(queries))
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["decision"] for o in out] == ["possible_match", "clear", "match"]
    assert out[0]["candidates"][0]["kind"] == "custody"


@pytest.mark.parametrize(
    "args",
    [
        ["screen", "--first-name", "A", "--last-name", "B", "--dob", "1980-13-01"],
        ["screen", "--first-name", "A", "--last-name", "B"],
        ["screen", "--batch", "/nonexistent.jsonl"],
        ["barred", "import", "/nonexistent.csv", "--source", "X"],
        ["barred", "add", "--source", "X", "--first-name", "A", "--last-name", "B", "--kind", "evil"],
        ["barred", "remove", "999"],
    ],
)
def test_bad_input_exits_2_with_one_line(loaded, args):
    done = fd(loaded, *args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_bad_batch_line_exits_2_before_any_output(loaded, tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"first_name": "A", "last_name": "B", "dob": "1980-01-01"}\nnot json\n')
    done = fd(loaded, "screen", "--batch", str(queries))
    assert (done.returncode, done.stdout) == (2, "")
    assert "line 2" in done.stderr


def test_import_with_errors_lists_lines_and_imports_nothing(loaded, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Ann,,Lee,1970-01-02,,,\nBob,,,1970-01-02,,,\nCal,,Fox,soon,,,\n")
    done = fd(loaded, "barred", "import", str(bad), "--source", "District", "--replace")
    assert done.returncode == 2
    assert "line 3" in done.stderr and "line 4" in done.stderr and "Traceback" not in done.stderr
    listed = json.loads(fd(loaded, "barred", "list", "--source", "District", "--json").stdout)
    assert sorted(e["last_name"] for e in listed) == ["Garcia-Lopez", "Smith"]


def test_list_add_remove_and_replace(loaded, tmp_path):
    added = fd(loaded, "barred", "add", "--source", "School", "--first-name", "Ann", "--last-name", "Lee",
               "--dob", "1970-01-02", "--kind", "custody", "--student", "Sam Lee", "--json")  # fmt: skip
    assert added.returncode == 0, added.stderr
    entry = json.loads(added.stdout)
    assert entry["students"] == ["Sam Lee"] and entry["kind"] == "custody"
    lists = json.loads(fd(loaded, "barred", "list", "--json").stdout)
    assert {(x["source"], x["entries"]) for x in lists} == {("District", 2), ("School", 1)}
    assert fd(loaded, "barred", "remove", str(entry["id"])).returncode == 0
    csv = tmp_path / "new.csv"
    csv.write_text(HEADER + "Cal,,Fox,1972-01-02,,,\n")
    done = fd(loaded, "barred", "import", str(csv), "--source", "District", "--replace", "--kind", "watch")
    assert done.returncode == 0 and "replacing 2" in done.stdout
    hit = json.loads(fd(loaded, "screen", "--first-name", "Cal", "--last-name", "Fox", "--dob", "1972-01-02",
                        "--json").stdout)  # fmt: skip
    assert hit["candidates"][0]["kind"] == "watch"


def test_add_takes_what_the_id_gives_and_keeps_only_the_last_4(loaded):
    """`barred add` takes the ID's sex, issuer and last 4 (a CSV could carry them, the command line could not);
    given a whole ID number it keeps the last 4 only; a sex it cannot read is refused, not dropped."""
    added = fd(loaded, "barred", "add", "--source", "School", "--first-name", "Ann", "--last-name", "Lee",
               "--sex", "female", "--id-state", "va", "--id-last4", "D123-456-7890", "--json")  # fmt: skip
    assert added.returncode == 0, added.stderr
    entry = json.loads(added.stdout)
    assert (entry["sex"], entry["id_state"], entry["id_last4"]) == ("F", "VA", "7890")
    assert "D123" not in (loaded / "frontdesk.db").read_bytes().decode("latin-1")
    hit = json.loads(fd(loaded, "screen", "--first-name", "Ann", "--last-name", "Lee", "--dob", "1971-05-06",
                        "--id-state", "VA", "--id-last4", "7890", "--json").stdout)  # fmt: skip
    assert hit["candidates"][0]["entry_id"] == entry["id"], hit
    assert "same last 4 (7890)" in json.dumps(hit), hit
    refused = fd(loaded, "barred", "add", "--source", "School", "--first-name", "A", "--last-name", "B",
                 "--sex", "Q")  # fmt: skip
    assert refused.returncode == 2 and "give M, F or X, not 'Q'" in refused.stderr, refused.stderr


def test_import_says_how_many_entries_lack_a_date_of_birth(tmp_path):
    csv = tmp_path / "nodob.csv"
    rows = "Ann,,Lee,,,barred,x\nBob,,Ray,,,barred,y\nCal,,Fox,1970,,barred,z\n"
    csv.write_text(HEADER + rows, encoding="utf-8")
    done = fd(tmp_path / "data", "barred", "import", str(csv), "--source", "School")
    assert done.returncode == 0, done.stderr
    assert "2 entries have no date of birth: such an entry is flagged on the name alone" in done.stdout


def test_a_note_keeps_the_json_shape_and_is_printed_as_a_note(tmp_path):
    """An entry without a date of birth shown as a note: `screen --json` keeps its shape, the top-level
    decision is `clear`, the note is a candidate whose own decision is `clear`; the text output says `note`."""
    data, csv = tmp_path / "data", tmp_path / "list.csv"
    csv.write_text(
        "first_name,last_name,dob,kind,sex,id_state,id_last4\nJames,Smith,,barred,M,CA,1234\n", encoding="utf-8"
    )
    assert fd(data, "barred", "import", str(csv), "--source", "District").returncode == 0
    args = ["screen", "--first-name", "James", "--last-name", "Smith", "--dob", "1979-04-02", "--sex", "M"]
    moved = fd(data, *args, "--id-state", "NV", "--id-last4", "9999", "--json")
    record = json.loads(moved.stdout)
    assert set(record) == {"decision", "candidates"} and record["decision"] == "clear"
    (note,) = record["candidates"]
    assert set(note) == {
        "entry_id", "source", "kind", "score", "decision", "name", "matched_name", "dob", "evidence", "fields",
        "sex", "id_state", "has_photo",
    }  # fmt: skip
    assert note["decision"] == "clear" and note["kind"] == "barred"
    assert note["fields"][-1]["field"] == "desk" and note["fields"][-1]["relation"] == "note"
    text = fd(data, *args, "--id-state", "NV", "--id-last4", "9999").stdout
    assert text.startswith("clear: James Smith 1979-04-02") and " note " in text
    stopped = json.loads(fd(data, *args, "--json").stdout)
    assert stopped["decision"] == "possible_match" and stopped["candidates"][0]["decision"] == "possible_match"
