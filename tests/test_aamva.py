"""The tolerant ID parser on the synthetic corpus: every version, both countries, every damage pattern."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanners.aamva import parse_id
from scanners.idcard import JSON_KEYS, UnreadableIdError
from tests.id_corpus import CANADA, CORPUS, DAMAGES, US, V1, Card, card_payload, damaged, expected, stripe

TODAY = date(2026, 11, 22)


def read(data: bytes) -> dict[str, object]:
    got = parse_id(data, today=TODAY).to_json()
    assert list(got) == list(JSON_KEYS)
    return {k: v for k, v in got.items() if k != "repairs"}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_every_card_survives_each_damage(damage):
    for name, card in CORPUS.items():
        data, want = damaged(card, damage)
        assert read(data) == want, f"{name} with {damage}: {data!r}"


def test_a_compliant_card_needs_no_repair_beyond_zip_padding():
    record = parse_id(card_payload(US), today=TODAY)
    assert record.repairs == ("postal code '232690000' trimmed to 23269",)
    assert record.id_last4 == "5789" and record.real_id is True and record.aamva_version == 10


def test_each_repair_is_reported():
    data, _ = damaged(US, "ctrl_less_keys")
    repairs = " / ".join(parse_id(data, today=TODAY).repairs)
    assert "without Ctrl" in repairs
    data, _ = damaged(US, "no_separators")
    assert "split on element IDs" in " / ".join(parse_id(data, today=TODAY).repairs)
    data, _ = damaged(US, "wrong_date_order")
    assert "date of birth 19840709 read as CCYYMMDD" in " / ".join(parse_id(data, today=TODAY).repairs)
    data, _ = damaged(V1, "none")
    assert any("country USA taken from the issuer number" in r for r in parse_id(data, today=TODAY).repairs)


def test_canadian_dates_are_ccyymmdd_and_us_dates_mmddccyy():
    assert b"DBB19840709" in card_payload(CANADA) and b"DBB07091984" in card_payload(US)
    assert read(card_payload(CANADA))["dob"] == "1984-07-09" == read(card_payload(US))["dob"]


def test_a_date_of_birth_that_is_no_date_in_either_order_is_left_empty_never_guessed():
    data = card_payload(US).replace(b"DBB07091984", b"DBB13451984")
    record = parse_id(data, today=TODAY)
    assert record.dob is None
    assert any("date of birth" in r and "left empty" in r for r in record.repairs)
    assert record.last_name == "TESTWOOD"


def test_a_future_date_of_birth_is_not_accepted():
    data = card_payload(US).replace(b"DBB07091984", b"DBB07092031")
    assert parse_id(data, today=TODAY).dob is None


@pytest.mark.parametrize(
    ("value", "sex"), [("1", "M"), ("2", "F"), ("9", "X"), ("M", "M"), ("F", "F"), ("X", "X"), ("7", None)]
)
def test_sex_codes(value, sex):
    data = card_payload(US).replace(b"DBC2", b"DBC" + value.encode())
    assert read(data)["sex"] == sex


def test_v1_full_name_with_spaces_instead_of_commas():
    data = card_payload(V1).replace(b"DAAFAKERSON,MORGAN,LEE,JR", b"DAAFAKERSON MORGAN LEE JR")
    got = read(data)
    assert (got["last_name"], got["first_name"], got["middle_name"], got["suffix"]) == (
        "FAKERSON",
        "MORGAN",
        "LEE",
        "JR",
    )


def test_v3_given_names_with_a_space():
    data = card_payload(Card(version=3, middle="LEE")).replace(b"DCTAVERY,LEE", b"DCTAVERY LEE")
    got = read(data)
    assert (got["first_name"], got["middle_name"]) == ("AVERY", "LEE")


def test_run_on_payload_with_a_jurisdiction_subfile_and_padded_zip():
    # The shape one state's readers produce: no separators, ZIP padded with zeros and spaces, ZK subfile.
    data = (
        b"@ANSI 636022060002DL00410286ZK03270007DLDAQK00-00-0000DCSMOCKRIDGEDDENDACRIVERDDFNDADQUINNDDGN"
        b"DCACDCBNONEDCDNONEDBD10152016DBB04081991DBA04082030DBC2DAU069 INDAYBRODAG1 SAMPLE STREET"
        b"DAIOLATHEDAJKSDAK660620000  DCF00000000000AA00000A0000DBDCGUSADAW140DAHUNAVLDCK00000K000000000000"
        b"DDB06012012DDK1ZKZKA"
    )
    got = read(data)
    assert got["last_name"] == "MOCKRIDGE" and got["first_name"] == "RIVER" and got["middle_name"] == "QUINN"
    assert got["dob"] == "1991-04-08" and got["postal_code"] == "66062" and got["street"] == "1 SAMPLE STREET"
    assert got["jurisdiction"] == "KS" and got["id_number"] == "K00-00-0000"


def test_space_separated_payload_with_unknown_issuer_takes_the_address_state():
    data = (
        b"@ANSI 111111030001DL01111111DCA DCB DCD DBA11112030DCSDEMOPOULOS DCTCASEY A DBD03012019DBB10071990"
        b"DBC1DAYBRODAU 69 in DAG111 EXAMPLE ST DAIPLACEHOLDER DAJNHDAK03333 DAQ44NST44444 DCGUSADCHNONE"
    )
    got = read(data)
    assert (got["last_name"], got["first_name"], got["middle_name"]) == ("DEMOPOULOS", "CASEY", "A")
    assert got["jurisdiction"] == "NH" and got["city"] == "PLACEHOLDER" and got["dob"] == "1990-10-07"


def test_names_holding_element_ids_are_not_cut_in_run_on_data():
    for first, last in [("JORDAN", "ADAIR"), ("DAISY", "DACOSTA"), ("MADDISON", "DAHL"), ("DANA", "ODDEN")]:
        card = Card(first=first, last=last, middle=None)
        data, want = damaged(card, "no_separators")
        assert read(data) == want, (first, last)


def test_magnetic_stripe():
    got = read(stripe(US))
    assert (got["last_name"], got["first_name"], got["middle_name"]) == ("TESTWOOD", "AVERY", "QUINN")
    assert got["dob"] == "1984-07-09" and got["jurisdiction"] == "VA" and got["country"] == "USA"
    assert got["sex"] == "F" and got["postal_code"] == "23269" and got["id_number"] == "T64235789"
    assert got["expires"] == "2029-07-09" and got["aamva_version"] is None


def test_canadian_stripe_gets_its_country_from_the_iin():
    got = read(stripe(CANADA))
    assert got["country"] == "CAN" and got["jurisdiction"] == "ON"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \r\n",
        b"hello world",
        b"https://example.org/badge/K7QXM2PD",
        b"@\n\x1e\rANSI 636000100001DL00310010DL\r",
        b"@\n\x1e\rANSI 636000100001DL00310010DLDAQ123\nDAG1 MAIN ST\r",
        b"%VAEXAMPLE^?",
        b"\x00\xff\xfe" * 50,
    ],
)
def test_not_an_id_raises_the_typed_error_with_a_plain_reason(data):
    with pytest.raises(UnreadableIdError) as info:
        parse_id(data)
    assert info.value.code == "unreadable_id" and "\n" not in str(info.value) and len(str(info.value)) > 20


# --- property tests ------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=600), st.binary(max_size=400).map(lambda b: b"@\n\x1e\rANSI 6360001001" + b)))
def test_any_bytes_give_a_record_or_the_typed_error(data):
    try:
        parse_id(data)
    except UnreadableIdError:
        pass


_CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\n\r\x1e |,$@DAQDCSDBB"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_CODE_ALPHABET, max_size=300))
def test_element_like_noise_gives_a_record_or_the_typed_error(text):
    try:
        parse_id("@\n\x1e\rANSI 636000100002DL00410278ZV03190008DL" + text)
    except UnreadableIdError:
        pass


_SYLLABLES = ["AN", "BER", "CA", "DEN", "EL", "FA", "GOR", "HAL", "IS", "JO", "KEL", "LIN", "MAR", "NO", "OS"]
_name = st.lists(st.sampled_from(_SYLLABLES), min_size=1, max_size=4).map("".join)
_cards = st.builds(
    Card,
    first=_name,
    middle=st.one_of(st.none(), _name),
    last=_name,
    dob=st.dates(date(1920, 1, 1), date(2010, 12, 31)),
    expires=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
    issued=st.dates(date(2010, 1, 1), date(2026, 1, 1)),
    sex=st.sampled_from("MFX"),
    version=st.integers(1, 10),
)


@settings(max_examples=200, deadline=None)
@given(card=_cards, canadian=st.booleans(), damage=st.sampled_from(sorted(DAMAGES)))
def test_a_valid_payload_survives_each_damage_pattern(card, canadian, damage):
    if canadian:
        card = Card(**{**card.__dict__, **{k: getattr(CANADA, k) for k in ("iin", "jurisdiction", "country")}})
        card = Card(**{**card.__dict__, "zip_raw": CANADA.zip_raw, "postal": CANADA.postal})
    if card.version == 1 and card.sex == "X":
        card = Card(**{**card.__dict__, "sex": "M"})
    data, want = damaged(card, damage)
    assert read(data) == want


def test_expected_matches_the_corpus_definition():
    assert expected(US)["postal_code"] == "23269" and expected(CANADA)["postal_code"] == "K1A 0B1"


def test_decoder_placeholders_and_pasted_escapes_are_restored():
    text = card_payload(US).decode("latin-1")
    placeholders = text.replace("\n", "<LF>").replace("\r", "<CR>").replace("\x1e", "<RS>")
    escaped = text.replace("\n", "\\n").replace("\r", "\\r").replace("\x1e", "\\u001e")
    for variant in (placeholders, escaped):
        assert read(variant.encode()) == expected(US)


def test_an_aim_symbology_prefix_before_the_header_is_skipped():
    got = parse_id(b"]L2" + card_payload(US), today=TODAY)
    assert got.last_name == "TESTWOOD" and any("skipped 3 character(s)" in r for r in got.repairs)


def test_height_in_the_v1_style_on_a_later_card_does_not_disturb_run_on_splitting():
    data, want = damaged(US, "no_separators")
    assert read(data.replace(b"DAU068 IN", b"DAU5-08")) == want


def test_whole_name_in_dcs_or_first_and_middle_in_dac():
    v3 = card_payload(Card(version=3, middle="LEE"))
    data = v3.replace(b"DCSTESTWOOD\nDCTAVERY,LEE\n", b"DCSTESTWOOD,AVERY,LEE\n")
    got = read(data)
    assert (got["last_name"], got["first_name"], got["middle_name"]) == ("TESTWOOD", "AVERY", "LEE")
    v10 = card_payload(US).replace(b"DACAVERY\n", b"DACAVERY,JO\n").replace(b"DADQUINN\n", b"")
    got = read(v10)
    assert (got["first_name"], got["middle_name"]) == ("AVERY", "JO")


def test_stripe_with_a_suffix_in_third_place_and_no_track_3():
    got = read(b"%VAEXAMPLE CITY^FAKERSON$MORGAN$JR^1 SAMPLE RD^?\n;636000123456789=290719840709=?\n")
    assert (got["last_name"], got["first_name"], got["middle_name"], got["suffix"]) == (
        "FAKERSON",
        "MORGAN",
        None,
        "JR",
    )
    assert got["dob"] == "1984-07-09" and got["id_number"] == "123456789" and got["sex"] is None


def test_a_header_that_lost_a_digit_is_not_trusted_for_the_issuer():
    record = parse_id(card_payload(US).replace(b"ANSI 636000", b"ANSI 63600"), today=TODAY)
    assert record.jurisdiction == "VA" and record.aamva_version is None and record.dob == date(1984, 7, 9)
    assert any("header numbers garbled" in r for r in record.repairs)


def test_jurisdiction_is_the_cards_state_when_the_issuer_number_disagrees():
    record = parse_id(card_payload(US).replace(b"DAJVA", b"DAJMD"), today=TODAY)
    assert record.jurisdiction == "MD" and record.country == "USA"
    assert any("issuer number 636000 is VA" in r for r in record.repairs)
    assert parse_id(card_payload(US).replace(b"DAJVA", b"DAJXX"), today=TODAY).jurisdiction == "VA"


def test_under_18_warning_from_ddh_when_the_date_of_birth_is_unreadable():
    from scanners.idcard import id_warnings

    data = card_payload(US).replace(b"DBB07091984", b"DBB13452011\nDDH07092029")
    record = parse_id(data, today=TODAY)
    assert record.dob is None and record.under_18_until == date(2029, 7, 9)
    warnings = id_warnings(record, TODAY)
    assert any("under 18 until 07/09/2029" in w for w in warnings)
    assert any("date of birth could not be read" in w for w in warnings)


def test_caps_lock_on_a_keyboard_scanner_is_undone():
    data = card_payload(US).decode("latin-1").swapcase().encode("latin-1")
    assert read(data) == expected(US)


@pytest.mark.parametrize(
    ("issuer", "written", "expected_name"),
    [
        # Pennsylvania's version-1 cards: the whole name "FIRST MIDDLE LAST" at spaces (issue 19).
        (("636025", "PA"), b"DAAMORGAN LEE FAKERSON JR", ("FAKERSON", "MORGAN", "LEE", "JR")),
        (("636025", "PA"), b"DAAMORGAN FAKERSON", ("FAKERSON", "MORGAN", None, None)),
        # Commas mean "LAST,FIRST,MIDDLE" everywhere, Pennsylvania too.
        (("636025", "PA"), b"DAAFAKERSON,MORGAN,LEE,JR", ("FAKERSON", "MORGAN", "LEE", "JR")),
        # Every other issuer writing spaces: "LAST FIRST MIDDLE".
        (("636003", "MD"), b"DAAFAKERSON MORGAN LEE JR", ("FAKERSON", "MORGAN", "LEE", "JR")),
        # Other separators public parsers meet ($ and @, as c0shea/IdParser reads them), and a space between
        # first and middle after the comma.
        (("636003", "MD"), b"DAAFAKERSON$MORGAN$LEE$JR", ("FAKERSON", "MORGAN", "LEE", "JR")),
        (("636003", "MD"), b"DAAFAKERSON@MORGAN@LEE", ("FAKERSON", "MORGAN", "LEE", None)),
        (("636003", "MD"), b"DAAFAKERSON,MORGAN LEE", ("FAKERSON", "MORGAN", "LEE", None)),
        (("636006", "CT"), b"DAAFAKERSON,MORGAN,LEE,2ND", ("FAKERSON", "MORGAN", "LEE", "2ND")),
    ],
)
def test_v1_full_name_conventions_by_issuer(issuer, written, expected_name):
    from dataclasses import replace

    card = replace(V1, iin=issuer[0], jurisdiction=issuer[1])
    data = card_payload(card).replace(b"DAAFAKERSON,MORGAN,LEE,JR", written)
    got = read(data)
    assert (got["last_name"], got["first_name"], got["middle_name"], got["suffix"]) == expected_name


def test_a_federal_card_that_is_not_aamva_says_to_type_the_visitor_in():
    with pytest.raises(UnreadableIdError, match="type the visitor in"):
        parse_id(b"N0000000000DOEJOHN  19800101 not an AAMVA payload")


@pytest.mark.parametrize(
    ("dac", "dad", "expected_name"),
    [
        # Wyoming and others: the middle initial in the first-name element, no DAD (IdParser's convention).
        (b"DACAVERY Q", None, ("AVERY", "Q", None)),
        (b"DACAVERY Q JR", None, ("AVERY", "Q", "JR")),
        # A two-word first name is not taken apart; a DAD of its own wins.
        (b"DACMARY ANN", None, ("MARY ANN", None, None)),
        (b"DACAVERY Q", b"DADLEE", ("AVERY Q", "LEE", None)),
    ],
)
def test_a_middle_initial_written_in_the_first_name(dac, dad, expected_name):
    data = card_payload(US).replace(b"DACAVERY", dac)
    data = data.replace(b"DADQUINN", dad) if dad else data.replace(b"DADQUINN\n", b"")
    got = read(data)
    assert (got["first_name"], got["middle_name"], got["suffix"]) == expected_name


OTHER = Card(first="ROBERT", last="BARREDMAN", dob=date(1980, 3, 14), id_number="B1234567")


@pytest.mark.parametrize(
    "data",
    [
        card_payload(US) + card_payload(OTHER),  # two cards within the scanner's silence: the second was lost
        card_payload(US) + b"\r\n" + card_payload(OTHER),
        # A scan cut before the date of birth, the next card run into it: a name of one, a date of another.
        card_payload(US)[: card_payload(US).index(b"DBB")] + card_payload(OTHER),
    ],
    ids=["two whole", "two with a line end", "half then whole"],
)
def test_two_scans_run_together_are_refused_never_read_as_one_card(data):
    with pytest.raises(UnreadableIdError, match="scan the card again"):
        parse_id(data, today=TODAY)


def test_two_stripes_run_together_are_refused_never_read_as_one_card():
    data = stripe(US) + stripe(OTHER)  # two swipes within the reader's silence: the second was dropped
    with pytest.raises(UnreadableIdError, match="swipe the card again"):
        parse_id(data, today=TODAY)
