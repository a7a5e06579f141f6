"""Field limits at the boundary, in the core (issue 12), and a PDF layout that cannot go quadratic."""

from __future__ import annotations

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from frontdesk.context import Services
from frontdesk.errors import InputError
from frontdesk.limits import NAME_MAX, NOTE_MAX
from frontdesk.models import Visitor
from frontdesk.review.pdf import _fit
from frontdesk.screening.importer import ImportFailed
from frontdesk.screening.models import NewEntry
from tests.cli_helpers import frontdesk, text


def test_a_check_in_refuses_names_and_notes_past_their_limits(services):
    long_name = "A" * (NAME_MAX + 1)
    with pytest.raises(InputError, match="The first name is too long: 101 characters"):
        services.checkin.admit(Visitor(long_name, "Testwood"))
    with pytest.raises(InputError, match="The last name contains control characters"):
        services.checkin.admit(Visitor("Avery", "Test\x1bwood"))
    with pytest.raises(InputError, match="The note is too long"):
        services.checkin.admit(Visitor("Avery", "Testwood"), note="n" * (NOTE_MAX + 1))
    with pytest.raises(InputError, match="The purpose is too long"):
        services.checkin.admit(Visitor("Avery", "Testwood"), purpose="p" * 5000)
    assert services.visits.on_site() == []
    visit = services.checkin.admit(Visitor("A" * NAME_MAX, "Testwood"), note="line one\nline two")
    assert visit.visitor.first_name == "A" * NAME_MAX


def test_the_cli_says_so_in_one_line(data_dir):
    Services.open(data_dir).close()
    proc = frontdesk("checkin", "--first-name", "B" * 50_000, "--last-name", "Testwood", data_dir=data_dir)
    out, err = text(proc)
    assert proc.returncode == 2 and err.count("\n") == 1 and "too long: 50,000 characters" in err


def test_list_entries_have_the_same_limits(services, tmp_path):
    with pytest.raises(InputError, match="An alias is too long"):
        services.lists.add("District", NewEntry("Robert", "Smith", aliases=("x" * 500,)))
    path = tmp_path / "long.csv"
    path.write_text(f"first_name,last_name\nRobert,Smith\n{'C' * 50_000},Smith\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="line 3: The first name is too long"):
        services.lists.import_csv(path, "District")
    assert services.lists.lists() == []


def test_fitting_a_huge_text_in_a_pdf_column_is_exact():
    huge = "W" * 50_000
    fitted = _fit(huge, 150.0, "Helvetica", 9)
    assert fitted.endswith("…") and huge.startswith(fitted[:-1])
    assert stringWidth(fitted, "Helvetica", 9) <= 150.0
    assert stringWidth(fitted[:-1] + "W…", "Helvetica", 9) > 150.0  # the longest that fits
    assert _fit("Avery Testwood", 150.0, "Helvetica", 9) == "Avery Testwood"
    narrow = "i" * 50_000
    assert stringWidth(_fit(narrow, 150.0, "Helvetica", 9), "Helvetica", 9) <= 150.0
