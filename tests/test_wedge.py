"""The wedge burst classifier on recorded timing: fast scans, slow typing, a scan in the middle of typing."""

from __future__ import annotations

import random

from scanners.aamva import parse_id
from scanners.wedge import Reading, Replay, Scanned, WedgeBuffer, keys_for, map_key, replay, scans, typed
from tests.id_corpus import US, card_payload


def person(text: str, start: float = 0.0, seed: int = 1) -> list[tuple[float, str]]:
    """A person typing: 70-260 ms between keys, with the odd fast pair (40 ms)."""
    rng = random.Random(seed)
    t, out = start, []
    for c in text:
        out.append((t, c))
        t += rng.choice([0.04, 0.09, 0.12, 0.15, 0.2, 0.26])
    return out


PAYLOAD = card_payload(US).decode("latin-1")


def test_control_keys_map_back_to_bytes():
    assert [map_key(k) for k in ("Ctrl+J", "Ctrl+M", "Ctrl+^", "Ctrl+]", "Return", "a")] == [
        "\n",
        "\r",
        "\x1e",
        "\x1d",
        "\r",
        "a",
    ]
    assert map_key("Backspace") is None and map_key("Left") is None


def test_a_fast_scan_is_one_scan_with_the_exact_payload():
    actions = replay(keys_for(PAYLOAD, per_key=0.003))
    assert scans(actions) == [PAYLOAD] and typed(actions) == ""
    assert any(isinstance(a, Reading) for a in actions)
    assert parse_id(scans(actions)[0]).last_name == "TESTWOOD"


def test_a_slow_scanner_with_pauses_at_line_ends_is_still_one_scan():
    events, t = [], 0.0
    for c in PAYLOAD:
        events.append((t, {"\n": "Ctrl+J", "\r": "Ctrl+M", "\x1e": "Ctrl+^"}.get(c, c)))
        t += 0.06 if c == "\n" else 0.018  # 18 ms per key, 60 ms at each line end: ~7 s for the card
    actions = replay(events)
    assert scans(actions) == [PAYLOAD]


def test_slow_typing_is_replayed_whole_and_in_order():
    actions = replay(person("Ann Testwood 02/03/1980"))
    assert scans(actions) == [] and typed(actions) == "Ann Testwood 02/03/1980"


def test_typing_is_released_quickly_not_held_until_the_end():
    buffer = WedgeBuffer()
    assert buffer.feed(0.0, "A", "A") == []
    assert buffer.tick(0.02) == []
    assert buffer.tick(0.036) == [Replay(("A",))]


def test_a_scan_in_the_middle_of_typing_is_separated():
    before = person("Ann Tes", 0.0)
    scan = keys_for(PAYLOAD, start=before[-1][0] + 0.3, per_key=0.004)
    after = person("twood", scan[-1][0] + 0.4, seed=2)
    actions = replay(before + scan + after)
    assert scans(actions) == [PAYLOAD]
    assert typed(actions) == "Ann Testwood"


def test_a_key_typed_just_before_the_scan_is_not_glued_to_it():
    scan = keys_for(PAYLOAD, start=1.025, per_key=0.003)
    actions = replay([(1.0, "x"), *scan])
    assert scans(actions) == [PAYLOAD] and typed(actions) == "x"


def test_holding_a_key_down_is_typing_not_a_scan():
    actions = replay([(i * 0.03, "a") for i in range(30)])
    assert scans(actions) == [] and typed(actions) == "a" * 30


def test_navigation_keys_pass_through_in_order():
    actions = replay([(0.0, "a"), (0.2, "Backspace"), (0.4, "b")])
    assert [a for a in actions if isinstance(a, Replay)] == [
        Replay(("a",)),
        Replay(("Backspace",)),
        Replay(("b",)),
    ]


def test_enter_inside_a_scan_does_not_end_it():
    events = keys_for("@ANSI 6360001001", per_key=0.004)
    events.append((events[-1][0] + 0.004, "Return"))
    events += keys_for("DAQ123", start=events[-1][0] + 0.004)
    assert scans(replay(events)) == ["@ANSI 6360001001\rDAQ123"]


def test_two_scans_back_to_back_are_two_scans():
    first = keys_for(PAYLOAD, per_key=0.003)
    second = keys_for(PAYLOAD, start=first[-1][0] + 0.5, per_key=0.003)
    assert scans(replay(first + second)) == [PAYLOAD, PAYLOAD]


def test_scanned_action_is_plain_data():
    assert Scanned("x") == Scanned("x")


def test_enter_and_tab_alone_pass_straight_through():
    buffer = WedgeBuffer()
    assert buffer.feed(0.0, "Return", "enter") == [Replay(("enter",))] and buffer.passed
    assert buffer.feed(0.5, "Tab", "tab") == [Replay(("tab",))] and buffer.passed
    assert buffer.feed(1.0, "a", "a") == [] and not buffer.passed
    assert buffer.feed(1.01, "Return", "enter") == [] and not buffer.passed  # held with the key before it
    assert buffer.tick(1.1) == [Replay(("a", "enter"))]


def test_fast_typing_down_to_20_ms_a_key_is_never_eaten():
    """Replayed recordings of fast typists: every key comes back, in order, and nothing is taken for a scan."""
    from tests.typing_recordings import recordings

    for label, events in recordings():
        actions = replay(events)
        assert scans(actions) == [], label
        assert typed(actions) == "".join(k for _, k in events), label


def test_a_fast_typists_backspace_is_kept_in_order():
    from tests.typing_recordings import recording

    events = recording("555 0142", 20, 1)
    events.append((events[-1][0] + 0.015, "Key16777219"))  # Backspace, 15 ms later
    events += recording("3", 20, 1, start=events[-1][0] + 0.02)
    assert typed(replay(events)) == "555 0142Key167772193"


def test_scans_are_still_caught_at_scanner_speeds_after_fast_typing():
    from tests.typing_recordings import recording

    for per_key in (0.002, 0.004, 0.008, 0.016):
        before = recording("Ann Testwood", 20, 3)
        scan = keys_for(PAYLOAD, start=before[-1][0] + 0.5, per_key=per_key)
        actions = replay(before + scan)
        assert scans(actions) == [PAYLOAD], per_key
        assert typed(actions) == "Ann Testwood", per_key
        badge = keys_for("K7QX-M2PD\r", start=5.0, per_key=per_key)
        assert scans(replay(badge)) == ["K7QX-M2PD\r"]
