"""A date of birth an outsider controls (a forged card, a slip at the desk) must not make a listed person a
stranger at any door. Synthetic names only; the command-line door runs the real ``frontdesk``.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from frontdesk.checkin.workflow import CheckInRequest
from frontdesk.errors import InputError
from frontdesk.models import Visitor
from frontdesk.screening.models import Kind
from tests.cli_helpers import frontdesk, text
from tests.test_checkin_workflow import listed


def test_cli_a_date_of_birth_nobody_alive_has_is_bad_input_not_a_stranger(data_dir):
    listed(data_dir, Kind.BARRED)  # Robert Barredman, born 1975-04-02
    proc = frontdesk(
        "checkin", "--first-name", "Robert", "--last-name", "Barredman", "--dob", "0001-01-01", data_dir=data_dir
    )
    out, err = text(proc)
    assert proc.returncode == 2, (out, err)
    assert (
        err.strip() == "frontdesk: Date of birth 0001-01-01 is more than 120 years ago: check it and type it again"
    )
    with sqlite3.connect(data_dir / "frontdesk.db") as db:
        assert db.execute("SELECT count(*) FROM visits").fetchone()[0] == 0


def test_desk_the_same_date_is_refused_as_bad_input_and_a_very_old_visitor_is_not(services):
    with pytest.raises(InputError, match="more than 120 years ago"):
        services.checkin.start(CheckInRequest(Visitor("Ada", "Oldfield", dob=date(1800, 5, 1))))
    today = date.today()
    services.checkin.start(CheckInRequest(Visitor("Ada", "Oldfield", dob=date(today.year - 110, 1, 1))))
