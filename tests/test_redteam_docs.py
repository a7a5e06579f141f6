"""Red team, session 25: the documents a visitor carries, read by the desk's real scan path and screened through
the real check-in workflow over a real SQLite file, against real list entries. Synthetic people only.
"""

from __future__ import annotations

from datetime import date

import pytest

from frontdesk.checkin.workflow import CheckInRequest, NeedsDecision, query_of
from frontdesk.models import Visitor
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Kind, NewEntry
from frontdesk.screening.screener import ZONE_SPELLING
from scanners.aamva import parse_id
from scanners.mrz import mrz_lines

TODAY = date(2026, 12, 5)


def bar(services, first: str, last: str, dob: str = "") -> None:
    services.lists.add("District", NewEntry(first, last, dob=parse_dob(dob), kind=Kind.BARRED))


def passport(last: str, given: str, dob: date, sex: str = "M", layout: str = "TD3", **more) -> Visitor:
    """The visitor the desk builds from a passport's (or ID card's) zone, read as a scanner sends it."""
    lines = mrz_lines(
        layout=layout,
        code="P" if layout == "TD3" else "ID",
        issuer="D",
        last=last,
        given=given,
        number="C01X00T47",
        nationality="D",
        dob=dob,
        sex=sex,
        expires=date(2031, 1, 1),
        **more,
    )
    return parse_id("\n".join(lines), today=TODAY).to_visitor()


def check_in(services, visitor: Visitor):
    return services.checkin.start(CheckInRequest(visitor))


# --- ICAO 9303 transliteration: Å AA, Ä AE, Ö/Ø OE, Ü UE ----------------------------------------------------
# (the list's first, last, DOB; the zone's given, surname; the visitor's DOB)
ZONE_CASES = [
    pytest.param(("Åsa", "Ångström", "1982-02-02"), ("AASA", "AANGSTROEM"), date(1982, 2, 2), id="angstrom-exact"),
    pytest.param(("Jürgen", "Müller", "1975"), ("JUERGEN", "MUELLER"), date(1975, 4, 2), id="mueller-year-only"),
    pytest.param(("Jürgen", "Müller", ""), ("JUERGEN", "MUELLER"), date(1975, 4, 2), id="mueller-no-dob"),
    pytest.param(("Jürgen", "Müller", "1975-04-03"), ("JUERGEN", "MUELLER"), date(1975, 4, 2), id="mueller-digit"),
    pytest.param(("Søren", "Købke", "1979-03-03"), ("SOEREN", "KOEBKE"), date(1979, 3, 3), id="koebke-exact-dob"),
]


@pytest.mark.parametrize(("listed", "zone", "dob"), ZONE_CASES)
def test_a_listed_name_with_umlauts_is_flagged_on_the_persons_own_passport(services, listed, zone, dob):
    """The zone writes Ångström as AANGSTROEM, Müller as MUELLER: the listed person on their own passport
    was screened clear (each case fails on the old code: Cleared)."""
    bar(services, *listed)
    outcome = check_in(services, passport(zone[1], zone[0], dob))
    assert isinstance(outcome, NeedsDecision)
    top = outcome.candidates[0]
    assert top.entry.last_name == listed[1]
    lines = [e for e in top.evidence if e.relation == ZONE_SPELLING]
    assert lines and "check the spelling on the ID" in lines[0].words
    # The index and the reference full scan agree.
    query = query_of(services.visits.checked(passport(zone[1], zone[0], dob)))
    assert services.screener.screen(query).decision == services.screener.scan_all(query).decision


@pytest.mark.parametrize(
    ("listed", "typed", "dob"),
    [
        pytest.param(("Aasa", "Aangstroem", "1982-02-02"), ("Åsa", "Ångström"), date(1982, 2, 2), id="angstrom"),
        pytest.param(("Juergen", "Mueller", "1975"), ("Jürgen", "Müller"), date(1975, 4, 2), id="mueller-year"),
        pytest.param(("Juergen", "Mueller", ""), ("Jürgen", "Müller"), date(1975, 4, 2), id="mueller-no-dob"),
    ],
)
def test_a_list_written_from_passports_finds_a_visitor_typed_with_umlauts(services, listed, typed, dob):
    """The reverse: a list entry written as the zone spells it (JUERGEN MUELLER) and a visitor typed as the
    name is written (Jürgen Müller). Each fails on the old code (Cleared)."""
    bar(services, *listed)
    outcome = check_in(services, Visitor(typed[0], typed[1], dob=dob))
    assert isinstance(outcome, NeedsDecision)
    assert outcome.candidates[0].entry.last_name == listed[1]


def test_names_holding_the_pairs_are_not_read_back_against_entries_without_such_letters(services):
    """Michael, Joel, Samuel hold AE, OE, UE: read back (Michal, Jol, Saml) they find only entries written
    with Å, Ä, Ö, Ø or Ü, never a plain one, so no stranger is flagged by the reading alone."""
    bar(services, "Michal", "Saml", "1975")  # two letters off each: never a candidate of Michael Samuel
    outcome = check_in(services, Visitor("Michael", "Samuel", dob=date(1975, 4, 2)))
    assert not isinstance(outcome, NeedsDecision)


# --- two documents in one scan ------------------------------------------------------------------------------
def _zone(last: str, given: str, layout: str, dob: date) -> list[str]:
    code = "P" if layout == "TD3" else "ID"
    return mrz_lines(
        layout=layout, code=code, issuer="USA", last=last, given=given, number="X12345678",
        nationality="USA", dob=dob, sex="M", expires=date(2031, 1, 1),
    )  # fmt: skip


@pytest.mark.parametrize("layouts", [("TD3", "TD3"), ("TD1", "TD1"), ("TD1", "TD3"), ("TD3", "TD2")], ids="+".join)
@pytest.mark.parametrize("barred_first", [True, False], ids=["barred-first", "barred-last"])
def test_two_passports_read_in_one_scan_are_refused_never_read_as_the_last(services, layouts, barred_first):
    """A listed person's passport read in one burst with someone else's (two documents on the reader's glass,
    or in one photo): the desk took the zone read last and dropped the other unseen, so the listed person
    could be screened as the stranger. Now refused in plain words; nothing is filed. Every case fails on the
    old code (read as one person)."""
    from scanners.idcard import UnreadableIdError

    bar(services, "Robert", "Barredman", "1975-04-02")
    barred = _zone("BARREDMAN", "ROBERT", layouts[0], date(1975, 4, 2))
    other = _zone("CLEANWOOD", "ANN", layouts[1], date(1990, 1, 1))
    text = "\n".join(barred + other if barred_first else other + barred)
    with pytest.raises(UnreadableIdError, match="Two passports or ID cards were read as one"):
        parse_id(text, today=TODAY)


# --- a zone typed into the name boxes ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("first", "last", "dob"),
    [
        pytest.param(
            "Robert", "P<USABARREDMAN<<ROBERT<<<<<<<<<<<<<<<<<<<<<<", date(1975, 4, 2), id="line-in-last"
        ),
        pytest.param("Robert", "P<USABARREDMAN<<ROBERT<<<<<<<<<<<<<<<<<<<<<<", None, id="line-in-last-no-dob"),
        pytest.param("ROBERT<<<<<<", "P<USABARREDMAN", date(1975, 4, 2), id="split-over-both"),
        pytest.param("Robert", "P«USABARREDMAN««ROBERT", date(1975, 4, 2), id="keyboard-guillemets"),
    ],
)
def test_a_zone_typed_into_the_name_boxes_is_refused_in_plain_words(services, first, last, dob):
    """A passport's zone typed or pasted into the name boxes (a reader the desk did not catch as a scan, a hurried
    hand): screened as written, the listed person was cleared and a visit filed under the zone's text. Now
    refused, saying what to do, and nothing is filed. Every case fails on the old code (Cleared)."""
    from frontdesk.errors import InputError

    bar(services, "Robert", "Barredman", "1975-04-02")
    with pytest.raises(InputError, match="machine-readable zone writes names: scan the document"):
        check_in(services, Visitor(first, last, dob=dob))
    assert services.visits.on_site() == []


# --- two kinds of document in one burst -------------------------------------------------------------------
def _stripe(last: str, first: str, dob: str) -> str:
    return f"%VAFAIRFAX^{last}${first}$^1 ELM ST^?;6360001234567=3004{dob}=?"


def _military(first: str, last: str, dob: date) -> str:
    from tests.test_cac_id import cac

    return cac(first=first, last=last, dob=dob)


def _licence(last: str, first: str, dob: str) -> str:
    return (
        "@\n\x1e\rANSI 636000100002DL00410262ZV03030008DLDAQT64235789\n"
        f"DCS{last}\nDAC{first}\nDBB{dob}\nDBA07092029\nDBC1\nDAJVA\nDCGUSA\r"
    )


BARRED_ZONE = "\n".join(_zone("BARREDMAN", "ROBERT", "TD3", date(1975, 4, 2)))
CLEAN_STRIPE = _stripe("CLEANWOOD", "ANN", "19900101")
BARRED_CAC = _military("ROBERT", "BARREDMAN", date(1975, 4, 2))
CLEAN_CAC = _military("ANN", "CLEANWOOD", date(1990, 1, 1))
CLEAN_LICENCE = _licence("CLEANWOOD", "ANN", "01011990")
MIXED = {  # (first document, what ran between, second document)
    "clean-stripe+barred-zone": (CLEAN_STRIPE, "\n", BARRED_ZONE),
    "barred-zone+clean-stripe": (BARRED_ZONE, "\n", CLEAN_STRIPE),
    "clean-stripe+barred-cac": (CLEAN_STRIPE, "\n", BARRED_CAC),
    "barred-cac+clean-stripe": (BARRED_CAC, "\r", CLEAN_STRIPE),
    "clean-licence+barred-zone": (CLEAN_LICENCE, "\n", BARRED_ZONE),
    "clean-cac+barred-zone": (CLEAN_CAC, "\n", BARRED_ZONE),
}


@pytest.mark.parametrize("parts", MIXED.values(), ids=MIXED.keys())
def test_two_kinds_of_document_in_one_burst_are_refused(parts):
    """A stripe swiped while a passport lay on the zone reader, a military card's barcode run into a stripe
    (one keyboard-wedge burst, or one serial read): the first reader that knew its part read it and the other
    document was dropped unseen, so a listed person's document run together with a stranger's was screened as
    the stranger. Now refused as two cards read as one. Every case fails on the old code (read as one), and
    each part alone still reads as its own person."""
    from scanners.idcard import UnreadableIdError

    first, between, second = parts
    assert {parse_id(first, today=TODAY).last_name, parse_id(second, today=TODAY).last_name} == {
        "BARREDMAN",
        "CLEANWOOD",
    }
    with pytest.raises(UnreadableIdError, match="Two cards were read as one"):
        parse_id(first + between + second, today=TODAY)


# --- two documents in one photo (Tesseract from Debian, on synthetic rendered pages) -----------------------
def test_two_zones_in_one_photo_are_refused_never_read_as_one_or_as_a_mix():
    """Two passports' zones in one picture (documents laid together under the desk camera): Tesseract read the
    four lines, miscounting one run of fillers, and the desk took the two lines of 44 it found last: the two
    data lines, one read as a names line, so the check digits passed and the visitor was named
    SG7BSUSA7SO4OZ4M3IOIOIZ; the listed person's zone was dropped. Now refused in plain words. Fails on the
    old code (read as that made-up name)."""
    from scanners.idcard import UnreadableIdError
    from scanners.image import find_id
    from scanners.mrz_image import render_page

    barred = _zone("BARREDMAN", "ROBERT", "TD3", date(1975, 4, 2))
    other = _zone("CLEANWOOD", "ANN", "TD3", date(1990, 1, 1))
    with pytest.raises(UnreadableIdError, match="Two passports or ID cards were read as one"):
        find_id(render_page(barred + other))
    # One zone on the same page still reads (the refusal is for the pair).
    found = find_id(render_page(barred))
    assert parse_id(found.data, today=TODAY).last_name == "BARREDMAN"


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(lambda z: [z[0].replace("BARREDMAN", "BARRED7AN"), z[1]], id="digit-in-the-name"),
        pytest.param(lambda z: [z[1], z[1]], id="data-line-as-names-line"),
        pytest.param(lambda z: [z[0][:5] + "4" * 10 + z[0][15:], z[1]], id="names-all-digits"),
    ],
)
def test_a_zone_whose_name_holds_digits_is_refused_not_read_as_a_name(lines):
    """No check digit covers a zone's names, and the digits OCR mistakes for letters (0 1 2 5 6 8) are read as
    letters; any other digit left there means the line is no names line (a data line taken for it, as in two
    documents in one picture) or a misread: refused, never a visitor named BARRED7AN or SG7BSUSA7SO4OZ4M3IOIOIZ.
    Each case fails on the old code (read as a name with digits)."""
    from scanners.idcard import UnreadableIdError

    zone = _zone("BARREDMAN", "ROBERT", "TD3", date(1975, 4, 2))
    with pytest.raises(UnreadableIdError, match="The name in the zone holds digits"):
        parse_id("\n".join(lines(zone)), today=TODAY)
