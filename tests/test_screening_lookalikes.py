"""A listed person's name written with look-alike letters of another alphabet (a forged ID's barcode, a name
pasted into a guest's pre-registration) shows as the listed name at the desk: every door must screen it as
it reads (frontdesk/screening/lookalikes.py).

Synthetic names only. The command-line door runs the real ``frontdesk`` in a subprocess.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from frontdesk import clock
from frontdesk.checkin.workflow import CheckInRequest, NeedsDecision
from frontdesk.errors import InputError
from frontdesk.kiosk.service import SeeFrontOffice
from frontdesk.models import Visitor
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.lookalikes import LOOK_ALIKE_LETTERS, as_read
from frontdesk.screening.models import Decision, Kind, NewEntry, Query
from frontdesk.students.release import Refused, ReleaseRequest
from frontdesk.text import name_case
from scanners.aamva import parse_id
from scanners.idcard import id_warnings
from tests.cli_helpers import frontdesk, text
from tests.test_checkin_workflow import listed

# "Robert Barredman" with Cyrillic о, е, В, а and ԁ: reads as the listed name on any screen.
CYRILLIC_BARREDMAN = "\u0412\u0430rr\u0435\u0501m\u0430n"
CYRILLIC_ROBERT = "R\u043eb\u0435rt"
# As an ID barcode gives it (capitals): Greek Α, Ε, Μ, Ν among the Latin letters.
GREEK_BARREDMAN = "B\u0391RR\u0395D\u039c\u0391\u039d"


def test_the_name_as_it_reads_maps_look_alikes_and_drops_invisible_characters():
    assert as_read(CYRILLIC_ROBERT + " " + CYRILLIC_BARREDMAN) == "Robert Barredman"
    assert as_read(GREEK_BARREDMAN) == "BARREDMAN"
    assert as_read("\u0408\u043e\u0435 \u0421\u0430\u0455\u0435\u0443") == "Joe Casey"  # one script: Cyrillic
    assert as_read("Rob\u00adert\u200b Bar\u200fredman") == "Robert Barredman"
    # The digits that pass for letters: 0 for O, 1 for l (or I, in capitals).
    assert as_read("Wi11iam Ho11oway") == "William Holloway" and as_read("H0LL0WAY W1NN") == "HOLLOWAY WINN"
    assert as_read("Robert Barredman") == "Robert Barredman"
    # Cyrillic capitals on a barcode, as the desk writes them (small capitals: в, м, т ...).
    assert as_read(name_case("\u0412\u0410RR\u0415D\u041c\u0410N")) == "Barredman"
    assert as_read("Jos\u00e9 M\u00fcller") == "Jos\u00e9 M\u00fcller"  # accents are the matcher's to fold
    assert as_read("\u0418\u0432\u0430\u043d") == "\u0418bah"  # letters that read as no Latin one stay


def test_cli_a_barred_person_with_look_alike_letters_is_refused_not_checked_in(data_dir):
    listed(data_dir, Kind.BARRED)
    proc = frontdesk(
        "checkin",
        "--first-name",
        CYRILLIC_ROBERT,
        "--last-name",
        CYRILLIC_BARREDMAN,
        "--dob",
        "1975-04-02",
        data_dir=data_dir,
    )
    out, err = text(proc)
    assert proc.returncode == 4, (out, err)
    with sqlite3.connect(data_dir / "frontdesk.db") as db:
        assert db.execute("SELECT count(*) FROM visits").fetchone()[0] == 0


def test_desk_a_scanned_name_in_greek_capitals_stops_for_a_person_and_says_why(services):
    entry = services.lists.add("District", NewEntry("Robert", "Barredman", dob=parse_dob("1975-04-02")))
    visitor = Visitor("ROBERT", GREEK_BARREDMAN, dob=date(1975, 4, 2))
    outcome = services.checkin.start(CheckInRequest(visitor))
    assert isinstance(outcome, NeedsDecision)
    (candidate,) = outcome.candidates
    assert candidate.entry.id == entry.id and candidate.decision is Decision.MATCH
    assert candidate.evidence[0].relation == LOOK_ALIKE_LETTERS
    assert "screened as it reads, ROBERT BARREDMAN" in candidate.evidence[0].words
    # The decision records the name the visitor showed, not the one it was read as.
    assert outcome.admission.result.query.last_name == GREEK_BARREDMAN


def test_a_name_written_in_one_other_script_is_screened_as_it_reads(services):
    entry = services.lists.add("District", NewEntry("Joe", "Casey", dob=parse_dob("1970-01-09")))
    # Every letter Cyrillic (no mixing of alphabets to catch): reads as Joe Casey.
    joe = services.screener.screen(
        Query("\u0408\u043e\u0435", "\u0421\u0430\u0455\u0435\u0443", dob=parse_dob("1970-01-09"))
    )
    assert [c.entry.id for c in joe.flagged] == [entry.id] and joe.decision is Decision.MATCH
    # The slow reference scan agrees.
    assert [c.entry.id for c in services.screener.scan_all(joe.query).flagged] == [entry.id]


def test_kiosk_a_pre_registered_guest_with_a_look_alike_name_is_sent_to_the_desk(services):
    services.lists.add("District", NewEntry("Robert", "Barredman", dob=parse_dob("1975-04-02")))
    now = clock.now()
    guest = services.kiosk.preregister(
        CYRILLIC_ROBERT,
        CYRILLIC_BARREDMAN,
        "Ms. Alvarez (Room 12)",
        now - timedelta(minutes=5),
        now + timedelta(hours=1),
    )
    arrival = services.kiosk.scan(guest.code)
    assert isinstance(services.kiosk.check_in(arrival), SeeFrontOffice)
    (waiting,) = services.kiosk.pending()
    assert waiting.reason == "possible_match"
    assert services.store.db.execute("SELECT count(*) FROM visits").fetchone()[0] == 0


@pytest.fixture(scope="module")
def template(students_template):
    return students_template


def test_release_an_adult_with_a_look_alike_name_on_the_barred_list_is_refused(staffed):
    # The students template lists Robert Barredman, born 1980-03-14, as barred (tests/students_fixtures.py).
    request = ReleaseRequest(
        staffed.students.get("stu-00050"), CYRILLIC_ROBERT, CYRILLIC_BARREDMAN, "x", dob=date(1980, 3, 14)
    )
    outcome = staffed.dismissal.release(request)
    assert isinstance(outcome, Refused) and outcome.code == "barred"
    assert staffed.students.out() == []


# --- the scan: a forged barcode gets a clear message --------------------------------------------------------
LICENCE = (
    "@\n\x1e\rANSI 636000100002DL00410262ZV03030008DLDAQT64235789\nDCS{last}\nDDEN\nDAC{first}\nDDFN\nDADNONE\n"
    "DDGN\nDCAD\nDCBNONE\nDCDNONE\nDBD06012021\nDBB04021975\nDBA07092029\nDBC1\nDAU068 IN\nDAYBRO\n"
    "DAG100 EXAMPLE LANE\nDAISPRINGFIELD\nDAJVA\nDAK232690000  \nDCF2424244747474786102204\nDCGUSA\nDDAF\n"
    "DDB01012020\nDDK1\rZVZVA01\r"
)


def test_a_barcode_whose_name_holds_other_alphabets_or_hidden_characters_is_called_possibly_forged():
    today = date(2026, 12, 4)
    forged = parse_id(LICENCE.format(first="ROBERT", last=GREEK_BARREDMAN).encode(), today=today)
    assert forged.last_name == GREEK_BARREDMAN  # read as it is: the screener reads it as it looks
    (warning,) = id_warnings(forged, today)
    assert "Greek letters" in warning and "may be forged" in warning
    hidden = parse_id(LICENCE.format(first="ROB\u200bERT", last="BARRED\u00adMAN").encode(), today=today)
    assert id_warnings(hidden, today) == [
        "The name holds hidden characters that no real licence or passport carries: the barcode may be forged. "
        "Compare the name with the printed card."
    ]
    # Latin letters with accents are real names on real cards (Quebec): no warning.
    for first, last in (("RENÉ", "BÉRUBÉ"), ("ROBERT", "BARREDMAN")):
        assert id_warnings(parse_id(LICENCE.format(first=first, last=last).encode(), today=today), today) == []


# --- a name that is no name ------------------------------------------------------------------------------------
@pytest.mark.parametrize("blank", [".", "-", "\u200b", "\u3164", "\u2800 \u200d"])
def test_a_first_name_with_no_letters_is_bad_input_not_a_wildcard(services, blank):
    services.lists.add("District", NewEntry("Robert", "Barredman", dob=parse_dob("1975-04-02")))
    with pytest.raises(InputError, match="The first name has no letters in it"):
        services.checkin.start(CheckInRequest(Visitor(blank, "Barredman", dob=date(1975, 4, 2))))
    with pytest.raises(InputError, match="The last name has no letters in it"):
        services.checkin.start(CheckInRequest(Visitor("Robert", blank, dob=date(1975, 4, 2))))


def test_cli_a_first_name_of_a_dot_exits_2_and_admits_nobody(data_dir):
    listed(data_dir, Kind.BARRED)
    proc = frontdesk(
        "checkin", "--first-name", ".", "--last-name", "Barredman", "--dob", "1975-04-02", data_dir=data_dir
    )
    out, err = text(proc)
    assert proc.returncode == 2, (out, err)
    assert "The first name has no letters in it" in err
    with sqlite3.connect(data_dir / "frontdesk.db") as db:
        assert db.execute("SELECT count(*) FROM visits").fetchone()[0] == 0


# --- a name shown in another order than it is written -------------------------------------------------------
@pytest.mark.parametrize(
    "first, last",
    [
        ("Robert", "\u202enamderraB"),  # right-to-left override: shown as Barredman
        ("\u202etreboR", "Barredman"),
        ("Robert", "\u2067namderraB\u2069"),  # an isolate
        ("Robert", "Barred\u202aman\u202c"),  # an embedding
    ],
)
def test_a_name_with_direction_controls_is_bad_input(services, first, last):
    services.lists.add("District", NewEntry("Robert", "Barredman", dob=parse_dob("1975-04-02")))
    with pytest.raises(InputError, match="change the direction it is shown in"):
        services.checkin.start(CheckInRequest(Visitor(first, last, dob=date(1975, 4, 2))))


def test_a_list_entry_with_direction_controls_is_refused_too(services):
    with pytest.raises(InputError, match="change the direction it is shown in"):
        services.lists.add("District", NewEntry("Robert", "\u202enamderraB", dob=parse_dob("1975-04-02")))


def test_desk_digits_that_pass_for_letters_stop_for_a_person(services):
    entry = services.lists.add("District", NewEntry("William", "Holloway", dob=parse_dob("1966-06-06")))
    for first, last in (("Wi11iam", "Ho11oway"), ("W1LL1AM", "H0LL0WAY")):
        outcome = services.checkin.start(CheckInRequest(Visitor(first, last, dob=date(1966, 6, 6))))
        assert isinstance(outcome, NeedsDecision), (first, last)
        assert [c.entry.id for c in outcome.candidates] == [entry.id]
