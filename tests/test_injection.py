"""CSV and rich-text injections are inert (issue 12): every CSV the product writes, read back with a real
CSV reader, holds no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from frontdesk.cli import main
from frontdesk.context import Services
from frontdesk.models import Visitor
from frontdesk.text import spreadsheet_safe

FORMULAS = [
    '=HYPERLINK("http://198.51.100.7/x","Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\tleading tab",
    "\rleading cr",
]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def test_spreadsheet_safe_prefixes_only_what_a_spreadsheet_would_run():
    assert [spreadsheet_safe(v) for v in FORMULAS] == ["'" + v for v in FORMULAS]
    assert spreadsheet_safe("Avery Testwood") == "Avery Testwood"
    assert spreadsheet_safe(-5) == -5 and spreadsheet_safe(None) is None


@pytest.fixture
def loaded(data_dir):
    services = Services.open(data_dir)
    for i, text in enumerate(FORMULAS):
        one_line = not text.startswith(("\t", "\r"))  # a purpose is one line; a note may hold tabs and returns
        services.checkin.admit(
            Visitor("Avery", f"Testwood{'abcdef'[i]}"),
            purpose=text if one_line else "Meeting",
            destination=text if one_line else "Office",
            note=text,
        )
    visit = services.visits.on_site()[0]
    services.visits.check_out(visit.id, note="=1+1")
    services.directory.add(FORMULAS[0], "staff")  # an audit record whose subject is a formula
    services.close()
    return data_dir


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_inert(text: str) -> None:
    cells = _cells(text)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells), text[:400]
    bad = [cell for cell in cells if cell.startswith(DANGEROUS)]
    assert bad == []


def test_every_csv_the_product_writes_is_inert(loaded, tmp_path, capsys):
    today = date.today().isoformat()
    base = ["--data-dir", str(loaded)]
    assert main([*base, "log", "--date", today, "--csv"]) == 0
    _assert_inert(capsys.readouterr().out)
    out = tmp_path / "report.csv"
    assert main([*base, "report", "--from", today, "--to", today, "--format", "csv", "--out", str(out)]) == 0
    _assert_inert(out.read_text(encoding="utf-8-sig"))
    audit = tmp_path / "audit.csv"
    assert main([*base, "audit", "export", "--out", str(audit)]) == 0
    _assert_inert(audit.read_text(encoding="utf-8"))


def test_the_volunteer_hours_csv_is_inert(data_dir, capsys):
    """A volunteer named like a formula (as a forged import could carry) stays text in the hours CSV."""
    from frontdesk.volunteers.models import BackgroundCheck, NewVolunteer

    services = Services.open(data_dir)
    today = date.today()
    check = BackgroundCheck("fingerprint", "State", today, "clear", date(today.year + 1, 1, 1))
    services.volunteers.add(NewVolunteer(FORMULAS[0], "Helper", activities=("=cmd",), check=check))
    services.checkin.admit(Visitor(FORMULAS[0], "Helper"), category="volunteer", purpose="=cmd")
    services.close()
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "volunteers", "hours", "--csv"]) == 0
    _assert_inert(capsys.readouterr().out)


def test_a_directory_entry_holds_no_control_characters(data_dir, capsys):
    """Session 22's roles red team: `directory add` stored an escape sequence (ESC[8m, "conceal"), which `directory
    list` then printed raw, hiding the lines after it on the terminal; the kiosk shows the entry too. Refused as
    every other field typed at the desk is: exit 2, one line, nothing stored."""
    from frontdesk.cli import main

    code = main(["--data-dir", str(data_dir), "directory", "add", "Ms. \x1b[8mAlvarez", "--room", "Room 12"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "control characters" in err
    assert main(["--data-dir", str(data_dir), "directory", "add", "Ms. Alvarez", "--room", "Room\x0712"]) == 2
    assert main(["--data-dir", str(data_dir), "directory", "list"]) == 0
    assert "Alvarez" not in capsys.readouterr().out
