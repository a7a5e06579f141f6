"""Every ID input of the synthetic corpus gives exactly the recorded JSON (or refusal) it gave before.

The parser is tuned for speed (issue 19: 0.2 ms a payload); this holds each tuning to "same output". The
inputs: the corpus x every damage pattern, each card's magnetic stripe, the demo scans, the ICAO specimens
and their variants, and seeded random damage (bytes cut, doubled, swapped; element soups) after a real
header. The record is ``tests/id_golden.json.gz``: input name -> the ``id parse`` JSON (``repairs``
included) or ``unreadable: <message>``.

A change meant to alter a result rewrites the record with ``python -m tests.test_id_golden --write`` and
says in its commit which inputs changed and why (the script prints them).
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from datetime import date
from pathlib import Path

from scanners.aamva import parse_id
from scanners.idcard import UnreadableIdError
from scanners.mrz import mrz_lines
from scanners.samples import DEMO_SCANS
from tests.id_corpus import CORPUS, DAMAGES, card_payload, stripe

TODAY = date(2026, 11, 22)
RECORD = Path(__file__).with_name("id_golden.json.gz")

ICAO_TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
ICAO_TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
ICAO_TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
_ELEMENTS = ["DAQ", "DCS", "DAC", "DAD", "DBB", "DBA", "DAG", "DAI", "DAJ", "DAK", "DCG", "ZVZVA", "X", "1", " "]


def _mutations(rng: random.Random, data: bytes) -> list[bytes]:
    out = []
    for _ in range(6):
        i = rng.randrange(len(data))
        j = min(len(data), i + rng.randrange(1, 12))
        out += [data[:i] + data[j:], data[:j] + data[i:], data[:i] + data[i:j][::-1] + data[j:]]
        k = rng.randrange(len(data))
        out.append(data[:k] + bytes([rng.randrange(32, 127)]) + data[k + 1 :])
    return out


def inputs() -> dict[str, bytes]:
    """Every input the record holds, by a stable name."""
    found: dict[str, bytes] = {}
    for name, card in sorted(CORPUS.items()):
        payload = card_payload(card)
        for damage in sorted(DAMAGES):
            found[f"{name}/{damage}"] = DAMAGES[damage](payload)
        found[f"{name}/stripe"] = stripe(card)
    for i, scan in enumerate(DEMO_SCANS):
        found[f"demo/{i}"] = scan
    zones = {"icao_td3": ICAO_TD3, "icao_td2": ICAO_TD2, "icao_td1": ICAO_TD1}
    for layout in ("TD1", "TD2", "TD3"):
        for code, issuer in (("P", "MEX"), ("C1", "USA"), ("IP", "USA"), ("ID", "D")):
            lines = mrz_lines(
                layout=layout,
                code=code,
                issuer=issuer,
                last="García López",
                given="José Luis",
                number="G12345678",
                nationality=issuer,
                dob=date(1985, 3, 14),
                sex="M",
                expires=date(2030, 1, 2),
            )
            zones[f"{layout}_{code}_{issuer}"] = "\n".join(lines)
    for name, zone in sorted(zones.items()):
        found[f"mrz/{name}"] = zone.encode()
        found[f"mrz/{name}/run_together"] = zone.replace("\n", "").encode()
        found[f"mrz/{name}/crlf_lower"] = (zone.lower().replace("\n", "\r\n") + "\r\n").encode()
        for i in range(0, len(zone), 7):  # one character changed at a time: a bad check digit or a misread
            if zone[i] != "\n":
                swapped = "0" if zone[i] != "0" else "O"
                found[f"mrz/{name}/at{i}"] = (zone[:i] + swapped + zone[i + 1 :]).encode()
    rng = random.Random(19)
    for name, card in sorted(CORPUS.items()):
        payload = card_payload(card)
        run_on = DAMAGES["no_separators"](payload)
        for i, data in enumerate(_mutations(rng, payload) + _mutations(rng, run_on)):
            found[f"{name}/random{i}"] = data
    header = DEMO_SCANS[0].split(b"DAQ")[0]
    for i in range(300):
        soup = "".join(rng.choice(_ELEMENTS) + rng.choice(["", "", "AB", "12345678", "VA"]) for _ in range(40))
        found[f"soup/{i}"] = header + soup.encode()
    return found


def outcome(data: bytes) -> object:
    """What ``id parse`` gives for ``data``: its JSON, or the refusal's message."""
    try:
        return parse_id(data, today=TODAY).to_json()
    except UnreadableIdError as exc:
        return f"unreadable: {exc}"


def test_every_input_gives_its_recorded_result():
    recorded = json.loads(gzip.decompress(RECORD.read_bytes()))
    now = inputs()
    assert sorted(now) == sorted(recorded), "the inputs changed: rewrite the record on purpose"
    differ = [name for name, data in now.items() if outcome(data) != recorded[name]]
    assert not differ, f"{len(differ)} results changed, first: {differ[0]}: {outcome(now[differ[0]])}"


if __name__ == "__main__":  # python -m tests.test_id_golden --write
    results = {name: outcome(data) for name, data in inputs().items()}
    if RECORD.exists():
        old = json.loads(gzip.decompress(RECORD.read_bytes()))
        for name in sorted(set(old) | set(results)):
            if old.get(name) != results.get(name):
                print(f"{name}:\n  was {old.get(name)}\n  now {results.get(name)}")
    if "--write" in sys.argv:
        text = json.dumps(results, sort_keys=True, indent=0, ensure_ascii=False)
        RECORD.write_bytes(gzip.compress(text.encode(), mtime=0))
        print(f"wrote {len(results)} results to {RECORD}")
