"""Machine-readable zones (ICAO 9303 TD1, TD2, TD3): from text, from a rendered page, through the CLI.

Every person here is invented; the ``UTO`` zones are ICAO Doc 9303's own specimens (Utopia).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanners.aamva import parse_id
from scanners.idcard import JSON_KEYS, UnreadableIdError
from scanners.mrz import check_digit, find_lines, mrz_lines, parse_mrz
from tests.cli_helpers import frontdesk, text

TODAY = date(2026, 6, 1)
ICAO_TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
ICAO_TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
ICAO_TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"


def test_check_digits_follow_doc_9303():
    assert check_digit("L898902C3") == 6
    assert check_digit("740812") == 2
    assert check_digit("120415") == 9
    assert check_digit("ZE184226B<<<<<") == 1
    assert check_digit("<<<<") == 0


@pytest.mark.parametrize("text", [ICAO_TD3, ICAO_TD2, ICAO_TD1])
def test_the_icao_specimens_read_in_every_layout(text):
    record = parse_id(text.encode(), today=TODAY)
    assert (record.last_name, record.first_name, record.middle_name) == ("ERIKSSON", "ANNA", "MARIA")
    assert record.dob == date(1974, 8, 12) and record.expires == date(2012, 4, 15)
    assert record.sex == "F" and record.country == "UTO" and record.jurisdiction is None
    assert record.source == "mrz" and record.repairs == ()
    assert list(record.to_json()) == list(JSON_KEYS)


def test_document_kinds():
    assert parse_mrz(ICAO_TD3, today=TODAY).document == "PASSPORT"
    assert parse_mrz(ICAO_TD1, today=TODAY).document == "ID"
    green_card = _zone("TD1", code="C1", issuer="USA")
    assert parse_mrz("\n".join(green_card), today=TODAY).document == "RESIDENT"
    passport_card = _zone("TD1", code="IP", issuer="USA")
    assert parse_mrz("\n".join(passport_card), today=TODAY).document == "PASSPORT"


def _zone(layout: str, **kw) -> list[str]:
    fields = dict(
        layout=layout,
        code="P",
        issuer="MEX",
        last="García López",
        given="José Luis",
        number="G12345678",
        nationality="MEX",
        dob=date(1985, 3, 14),
        sex="M",
        expires=date(2030, 1, 2),
    )
    fields.update(kw)
    return mrz_lines(**fields)


def test_a_bad_check_digit_names_the_field():
    one, two = ICAO_TD3.split("\n")
    with pytest.raises(UnreadableIdError, match="date of birth check digit"):
        parse_mrz(one + "\n" + two[:13] + "740813" + two[19:], today=TODAY)
    with pytest.raises(UnreadableIdError, match="document number check digit"):
        parse_mrz(one + "\n" + "L898902C4" + two[9:], today=TODAY)
    with pytest.raises(UnreadableIdError, match="expiry date check digit"):
        parse_mrz(one + "\n" + two[:21] + "120416" + two[27:], today=TODAY)
    with pytest.raises(UnreadableIdError, match="composite"):
        parse_mrz(one + "\n" + two[:28] + "ZE184226B<<<<<1" + "1", today=TODAY)


def test_letters_ocr_confuses_with_digits_are_read_as_digits_in_dates():
    one, two = ICAO_TD3.split("\n")
    misread = two[:13] + "74O8I2" + two[19:]  # O for 0, I for 1
    record = parse_mrz(one + "\n" + misread, today=TODAY)
    assert record.dob == date(1974, 8, 12)
    assert any("letters as digits" in r for r in record.repairs)


def test_a_reader_in_keyboard_mode_may_run_the_lines_together_or_add_spaces():
    assert find_lines(ICAO_TD3.replace("\n", "")) == ICAO_TD3.split("\n")
    assert parse_mrz(ICAO_TD3.replace("\n", "\r\n") + "\r\n", today=TODAY).last_name == "ERIKSSON"
    assert parse_mrz(" " + ICAO_TD1.lower().replace("\n", "\r"), today=TODAY).id_number == "D23145890"


def test_a_long_td1_document_number_runs_into_the_optional_data():
    # Doc 9303-5 4.2.4: 12 characters, '<' where the check digit would be, the rest and its check digit after.
    number = "D23145890734"
    one = ("I<UTO" + number[:9] + "<" + number[9:] + str(check_digit(number)) + "<" * 30)[:30]
    two = "7408122F1204159UTO<<<<<<<<<<<"
    two += str(check_digit(one[5:30] + two[0:7] + two[8:15] + two[18:29]))
    record = parse_mrz("\n".join([one, two, "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]), today=TODAY)
    assert record.id_number == number


@settings(max_examples=60, deadline=None)
@given(
    layout=st.sampled_from(["TD1", "TD2", "TD3"]),
    last=st.sampled_from(["Okafor", "de la Cruz", "Wróblewski", "Nguyen-Tran", "O'Neil"]),
    given_names=st.sampled_from(["Ada", "Mary Ann", "Zbigniew", "Ngozi Adaeze"]),
    number=st.from_regex(r"[A-Z0-9]{6,9}", fullmatch=True),
    dob=st.dates(date(1930, 1, 1), date(2020, 12, 31)),
    sex=st.sampled_from("MFX"),
)
def test_zones_round_trip(layout, last, given_names, number, dob, sex):
    lines = _zone(layout, last=last, given=given_names, number=number, dob=dob, sex=sex)
    record = parse_mrz("\n".join(lines), today=TODAY)
    assert record.dob == dob and record.sex == sex and record.id_number == number
    assert record.first_name == given_names.split()[0].upper()
    assert record.last_name.replace(" ", "") == "".join(c for c in last.upper() if c.isalpha()).replace("Ó", "O")


def test_the_visitor_from_a_passport_carries_its_country_as_issuer():
    visitor = parse_mrz(ICAO_TD3, today=TODAY).to_visitor()
    assert (visitor.id_type, visitor.id_issuer, visitor.id_last4, visitor.sex) == ("passport", "UTO", "02C3", "F")


def test_cli_parse_prints_the_same_json_for_a_zone(tmp_path):
    path = tmp_path / "zone.txt"
    path.write_text(ICAO_TD1 + "\n")
    out = frontdesk("id", "parse", str(path), data_dir=tmp_path / "data")
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert list(record) == list(JSON_KEYS)
    assert record["document"] == "ID" and record["country"] == "UTO" and record["jurisdiction"] is None


def test_cli_parse_says_which_check_digit_is_wrong(tmp_path):
    one, two = ICAO_TD3.split("\n")
    path = tmp_path / "zone.txt"
    path.write_text(one + "\n" + "L898902C4" + two[9:] + "\n")
    out = frontdesk("id", "parse", str(path), data_dir=tmp_path / "data")
    assert out.returncode == 2
    assert "document number check digit" in text(out)[1] and "Traceback" not in text(out)[1]


# --- from a photo: a synthetic passport page rendered here, read by Debian's Tesseract -----------------


def test_decode_reads_the_zone_of_a_rendered_passport_page(tmp_path):
    from scanners.mrz_image import PAGE_SIZE, specimen_page

    lines, page = specimen_page(dob=date(1990, 2, 28), last="OKAFOR", given="NGOZI ADA", number="P0482913")
    assert page.size == PAGE_SIZE and page.width * page.height >= 1_900_000
    path = tmp_path / "page.png"
    page.save(path)
    out = frontdesk("id", "decode", str(path), data_dir=tmp_path / "data")
    assert out.returncode == 0, text(out)[1]
    record = json.loads(out.stdout)
    assert (record["last_name"], record["first_name"], record["middle_name"]) == ("OKAFOR", "NGOZI", "ADA")
    assert record["dob"] == "1990-02-28" and record["document"] == "PASSPORT" and record["id_number"] == "P0482913"


def test_decode_names_the_field_whose_check_digit_is_wrong_on_a_page(tmp_path):
    from scanners.mrz_image import render_page

    one, two = ICAO_TD3.split("\n")
    page = render_page([one, two[:13] + "740813" + two[19:]])  # the date changed, its check digit not
    path = tmp_path / "page.png"
    page.save(path)
    out = frontdesk("id", "decode", str(path), data_dir=tmp_path / "data")
    assert out.returncode == 2
    assert "date of birth check digit" in text(out)[1]


def test_a_page_read_from_a_photo_feeds_the_same_check_in_form():
    from scanners.mrz_image import find_mrz_text, specimen_page

    lines, page = specimen_page()
    visitor = parse_mrz(find_mrz_text(page), today=TODAY).to_visitor()
    assert (visitor.first_name, visitor.last_name, visitor.dob) == ("Avery", "Testwood", date(1984, 7, 9))
    assert (visitor.id_type, visitor.id_issuer) == ("passport", "USA")


def test_an_mrz_reader_in_keyboard_mode_is_caught_as_a_scan_and_read():
    from scanners.wedge import keys_for, replay, scans, typed

    typed_zone = ICAO_TD3.replace("\n", "\r") + "\r"  # a reader ends each line with Enter
    actions = replay(keys_for(typed_zone, per_key=0.004))
    assert typed(actions) == "" and len(scans(actions)) == 1
    assert parse_id(scans(actions)[0], today=TODAY).last_name == "ERIKSSON"


# --- misreads settled by the zone's layout and its check digits -------------------------------------------


@pytest.mark.parametrize("layout", ["TD1", "TD2", "TD3"])
def test_a_letter_misread_between_digits_of_the_document_number_is_settled_by_its_check_digit(layout):
    lines = _zone(layout, number="123450789")
    row, start = (0, 5) if layout == "TD1" else (1, 0)
    misread = list(lines)
    misread[row] = lines[row][:start] + "12345O789" + lines[row][start + 9 :]  # O for 0
    record = parse_mrz("\n".join(misread), today=TODAY)
    assert record.id_number == "123450789" and record.dob == date(1985, 3, 14)
    assert any("document number 12345O789 read as 123450789" in r for r in record.repairs)


@pytest.mark.parametrize(
    ("misread", "why"),
    [
        ("L8989O2C3", "the O sits between a digit and a letter: it could be either"),
        ("L89B902C3", "the B sits between digits, but the 8 after the L could be a B as well"),
        ("L89890ZC3", "the Z sits between a digit and a letter"),
    ],
)
def test_a_misread_the_check_digit_cannot_settle_still_names_the_field(misread, why):
    one, two = ICAO_TD3.split("\n")
    with pytest.raises(UnreadableIdError, match="document number check digit"):
        parse_mrz(one + "\n" + misread + two[9:], today=TODAY)


def test_g_and_6_weigh_the_same_so_a_g_among_digits_is_never_chosen():
    lines = _zone("TD3", number="123456789")
    with pytest.raises(UnreadableIdError, match="document number check digit"):
        # The O is a clear misread, but the G could be a 6 or not: no check digit can tell.
        parse_mrz(lines[0] + "\n" + "12345GO89" + lines[1][9:], today=TODAY)


def test_digits_where_only_letters_stand_are_read_as_letters():
    one, two = ICAO_TD3.split("\n")
    record = parse_mrz(one.replace("ERIKSSON", "ER1KSS0N").replace("UTO", "UT0") + "\n" + two, today=TODAY)
    assert (record.last_name, record.country) == ("ERIKSSON", "UTO")
    assert any("read digits as letters" in r for r in record.repairs)
    green_card = _zone("TD1", code="C1", issuer="USA")  # the code's second character may be a digit
    assert parse_mrz("\n".join(green_card), today=TODAY).document == "RESIDENT"


def test_td1_optional_data_is_settled_by_the_composite_check_digit():
    lines = _zone("TD1", optional="773407943")
    misread = [lines[0].replace("773407943", "7734O7943"), *lines[1:]]
    record = parse_mrz("\n".join(misread), today=TODAY)
    assert record.id_number == "G12345678"
    assert any("optional data read again" in r for r in record.repairs)


_LOOK_ALIKES = {"0": "O", "O": "0", "1": "I", "I": "1", "8": "B", "B": "8", "5": "S", "S": "5", "2": "Z", "Z": "2"}


@settings(max_examples=200, deadline=None)
@given(
    layout=st.sampled_from(["TD1", "TD2", "TD3"]),
    number=st.one_of(
        st.from_regex(r"[0-9]{9}", fullmatch=True),
        st.from_regex(r"[A-Z][0-9]{8}", fullmatch=True),
        st.from_regex(r"[A-Z]{2}[0-9]{7}", fullmatch=True),
    ),
    where=st.integers(0, 8),
)
def test_one_look_alike_misread_gives_the_true_number_or_a_refusal_never_another(layout, number, where):
    if number[where] not in _LOOK_ALIKES:
        return
    misread = number[:where] + _LOOK_ALIKES[number[where]] + number[where + 1 :]
    lines = _zone(layout, number=number)
    row, start = (0, 5) if layout == "TD1" else (1, 0)
    lines[row] = lines[row][:start] + misread + lines[row][start + 9 :]
    try:
        record = parse_mrz("\n".join(lines), today=TODAY)
    except UnreadableIdError as exc:
        assert "document number check digit" in str(exc)
        return
    assert record.id_number == number


def test_decode_settles_a_misread_document_number_on_a_rendered_page(tmp_path):
    from scanners.mrz_image import render_page

    lines = _zone("TD3", number="773487943")
    # The page itself carries the misread: a B among digits, which Tesseract reads as drawn.
    page = render_page([lines[0], "7734B7943" + lines[1][9:]])
    path = tmp_path / "page.png"
    page.save(path)
    out = frontdesk("id", "decode", str(path), data_dir=tmp_path / "data")
    assert out.returncode == 0, text(out)[1]
    record = json.loads(out.stdout)
    assert record["id_number"] == "773487943" and record["dob"] == "1985-03-14"
    assert any("document number 7734B7943 read as 773487943" in r for r in record["repairs"])


def test_decode_names_the_field_when_a_misread_on_a_page_cannot_be_settled(tmp_path):
    from scanners.mrz_image import render_page

    lines = _zone("TD3", number="L898982C3")  # a look-alike beside a letter: either reading is possible
    page = render_page([lines[0], "L89898ZC3" + lines[1][9:]])
    path = tmp_path / "page.png"
    page.save(path)
    out = frontdesk("id", "decode", str(path), data_dir=tmp_path / "data")
    assert out.returncode == 2
    assert "document number check digit" in text(out)[1]


def test_a_lone_letter_among_the_fillers_after_the_names_is_a_misread_filler():
    one, two = ICAO_TD3.split("\n")
    misread = one.replace("MARIA<<<<<", "MARIA<<<K<")
    record = parse_mrz(misread + "\n" + two, today=TODAY)
    assert (record.first_name, record.middle_name) == ("ANNA", "MARIA")
    assert any("among the fillers" in r for r in record.repairs)
    # A one-letter given name is a name: only a second << starts the fillers.
    initial = one.replace("ANNA<MARIA<", "ANNA<K<<<<<")
    assert parse_mrz(initial + "\n" + two, today=TODAY).middle_name == "K"
    # A longer run after the fillers is kept: it may be a name OCR split.
    split = one.replace("ANNA<MARIA<<<<<<", "ANNA<<MARIA<<<<<")
    assert parse_mrz(split + "\n" + two, today=TODAY).middle_name == "MARIA"
