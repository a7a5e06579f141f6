"""The ID parser's work is bounded by its input (issue 12): any bytes at all end in a record or a plain
UnreadableIdError, and a payload too long to be one card is refused before any parsing. Speed figures are
in the benchmark (``bench/ids.py``), not here."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanners.aamva import MAX_PAYLOAD, parse_id
from scanners.idcard import IdRecord, UnreadableIdError
from scanners.samples import DEMO_SCANS

ELEMENT_SOUP = st.lists(
    st.sampled_from(
        ["DAQ", "DCS", "DAC", "DAD", "DBB", "DBA", "DAG", "DAI", "DAJ", "DAK", "ZVZVA", "X", "1", " ", "\n"]
    ),
    max_size=2000,
).map("".join)


def _outcome(data) -> str:
    try:
        record = parse_id(data)
    except UnreadableIdError as exc:
        assert str(exc)  # a plain reason
        return "unreadable"
    assert isinstance(record, IdRecord)
    return "record"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=20_000))
def test_any_bytes_end_in_a_record_or_a_plain_refusal(data):
    _outcome(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ELEMENT_SOUP)
def test_run_on_element_soup_after_a_real_header_is_parsed_or_refused(soup):
    header = DEMO_SCANS[0].split(b"DAQ")[0].decode("latin-1")
    _outcome(header + soup)


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=MAX_PAYLOAD + 1, max_value=200_000))
def test_a_payload_longer_than_any_card_is_refused(size):
    data = (DEMO_SCANS[0] * (size // len(DEMO_SCANS[0]) + 1))[:size]
    assert _outcome(data) == "unreadable"


def test_a_real_scan_still_reads():
    assert _outcome(DEMO_SCANS[0]) == "record" and len(DEMO_SCANS[0]) < MAX_PAYLOAD
