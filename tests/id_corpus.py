"""A synthetic corpus of licence payloads: every AAMVA version, US and Canadian cards, and every damage
pattern seen in real scans (see the reference notes on IDs). All people here are invented.

``card_payload(card)`` writes a compliant payload as a jurisdiction would; ``DAMAGES`` maps a damage name
to a function that mangles a payload the way scanners and keyboard wedges do; ``expected(card)`` is what
``frontdesk id parse`` must print for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

LF, RS, CR = b"\n", b"\x1e", b"\r"


@dataclass(frozen=True)
class Card:
    """One invented card: who, what and how it is encoded (version, issuer)."""

    first: str = "AVERY"
    middle: str | None = "QUINN"
    last: str = "TESTWOOD"
    suffix: str | None = None
    dob: date = date(1984, 7, 9)
    expires: date = date(2029, 7, 9)
    issued: date = date(2021, 6, 1)
    sex: str = "F"
    id_number: str = "T64235789"
    document: str = "DL"
    iin: str = "636000"
    jurisdiction: str = "VA"
    country: str = "USA"
    street: str = "100 EXAMPLE LANE"
    city: str = "SPRINGFIELD"
    zip_raw: str = "232690000"
    postal: str = "23269"
    version: int = 10
    real_id: bool = True
    file_type: str = "ANSI "


US = Card()
CANADA = Card(
    first="JORDAN",
    middle="RILEY",
    last="SAMPLETON",
    sex="M",
    id_number="S1234-56789-01234",
    iin="636012",
    jurisdiction="ON",
    country="CAN",
    street="25 FICTION CRES",
    city="OTTAWA",
    zip_raw="K1A0B1    ",
    postal="K1A 0B1",
    version=8,
)
V1 = Card(
    first="MORGAN",
    middle="LEE",
    last="FAKERSON",
    suffix="JR",
    iin="636003",
    jurisdiction="MD",
    version=1,
    file_type="AAMVA",
    zip_raw="21230 ",
    postal="21230",
    sex="M",
)

# Every version, both countries, the name styles of each era.
CORPUS: dict[str, Card] = {
    **{f"us_v{v:02d}": replace(US, version=v) for v in range(1, 11)},
    **{f"ca_v{v:02d}": replace(CANADA, version=v) for v in (1, 2, 3, 4, 6, 8, 9, 10)},
    "v1_aamva_md": V1,
    "v1_ansi_no_middle": replace(V1, middle=None, suffix=None, file_type="ANSI "),
    "us_id_card": replace(US, document="ID", real_id=False, sex="X"),
    "us_v03_dct": replace(US, version=3, middle="ANN MARIE"),
    "ca_quebec": replace(CANADA, iin="604428", jurisdiction="QC", city="MONTREAL", version=10),
    "us_zip_plus4": replace(US, zip_raw="441231234  ", postal="44123"),
}


def _date(day: date, card: Card) -> str:
    if card.version == 1 or card.country == "CAN":
        return day.strftime("%Y%m%d")
    return day.strftime("%m%d%Y")


def elements(card: Card) -> list[tuple[str, str]]:
    """The DL/ID elements as a jurisdiction of that era would write them."""
    v = card.version
    els: list[tuple[str, str]] = [("DAQ", card.id_number)]
    if v == 1:
        full = ",".join([card.last, card.first, card.middle or ""] + ([card.suffix] if card.suffix else []))
        els.append(("DAA", full))
    elif v in (2, 3):
        given = card.first + ("," + card.middle if card.middle else "")
        els += [("DCS", card.last), ("DCT", given)]
        if card.suffix:
            els.append(("DCU", card.suffix))
    else:
        els += [("DCS", card.last), ("DDE", "N"), ("DAC", card.first), ("DDF", "N")]
        els += [("DAD", card.middle or "NONE"), ("DDG", "N")]
        if card.suffix:
            els.append(("DCU", card.suffix))
    sex = {"M": "M", "F": "F", "X": "X"}[card.sex] if v == 1 else {"M": "1", "F": "2", "X": "9"}[card.sex]
    els += [
        ("DCA", "D" if card.document == "DL" else ""),
        ("DCB", "NONE"),
        ("DCD", "NONE"),
        ("DBD", _date(card.issued, card)),
        ("DBB", _date(card.dob, card)),
        ("DBA", _date(card.expires, card)),
        ("DBC", sex),
        ("DAU", "068 IN"),
        ("DAY", "BRO"),
        ("DAG", card.street),
        ("DAI", card.city),
        ("DAJ", card.jurisdiction),
        ("DAK", card.zip_raw),
        ("DCF", "2424244747474786102204"),
    ]
    if v >= 2:
        els.append(("DCG", card.country))
    if v >= 5:
        els += [("DDA", "F" if card.real_id else "N"), ("DDB", _date(date(2020, 1, 1), card)), ("DDK", "1")]
    return els


def card_payload(card: Card) -> bytes:
    """A compliant payload: header, designators with true offsets, the DL/ID subfile and a Z subfile."""
    main = card.document.encode() + LF.join(f"{c}{v}".encode() for c, v in elements(card)) + CR
    ztype = "Z" + card.jurisdiction[0]
    jur = f"{ztype}{ztype}A01".encode() + CR
    version = f"{card.version:02d}"
    head = b"@" + LF + RS + CR + card.file_type.encode() + card.iin.encode() + version.encode()
    if card.version >= 2:
        head += b"00"
    head += b"02"
    first = len(head) + 20
    head += f"{card.document}{first:04d}{len(main):04d}".encode()
    head += f"{ztype}{first + len(main):04d}{len(jur):04d}".encode()
    return head + main + jur


def expected(card: Card, **changes: object) -> dict[str, object]:
    """What the parser must read from ``card`` (before any field-changing damage)."""
    out: dict[str, object] = {
        "first_name": card.first,
        "middle_name": card.middle,
        "last_name": card.last,
        "suffix": card.suffix,
        "dob": card.dob.isoformat(),
        "expires": card.expires.isoformat(),
        "issued": card.issued.isoformat(),
        "sex": card.sex,
        "id_number": card.id_number,
        "document": card.document,
        "jurisdiction": card.jurisdiction,
        "country": card.country,
        "street": card.street,
        "city": card.city,
        "postal_code": card.postal,
        "aamva_version": card.version,
        "real_id": card.real_id if card.version >= 5 else None,
    }
    out.update(changes)
    return out


# --- damage patterns --------------------------------------------------------------------------------------
def _body_split(data: bytes) -> tuple[bytes, bytes]:
    """(header with designators, the rest): damage to separators must not touch the header's own bytes."""
    at = data.index(b"ANSI ") if b"ANSI " in data else data.index(b"AAMVA")
    m = re.compile(rb"(DL|ID)D[A-Z]{2}").search(data, at)
    assert m is not None
    return data[: m.start()], data[m.start() :]


def _body(fn: Callable[[bytes], bytes], header_too: bool = False) -> Callable[[bytes], bytes]:
    def damage(data: bytes) -> bytes:
        head, body = _body_split(data)
        return (fn(head) if header_too else head) + fn(body)

    return damage


def _replace_value(code: str, fn: Callable[[str], str]) -> Callable[[bytes], bytes]:
    def damage(data: bytes) -> bytes:
        text = data.decode("latin-1")
        pattern = f"(?<=[\n\r]){code}([^\n\r]*)"
        return re.sub(pattern, lambda m: code + fn(m[1]), text, count=1).encode("latin-1")

    return damage


def _swap_date_order(value: str) -> str:
    digits = value[:8]
    if digits[:2] in ("19", "20"):  # CCYYMMDD -> MMDDCCYY
        return digits[4:8] + digits[:4]
    return digits[4:8] + digits[:4]  # MMDDCCYY -> CCYYMMDD


def _c1_noise(data: bytes) -> bytes:
    # Some scanners add C1 bytes (here as UTF-8 would carry them) at record boundaries.
    return data.replace(b"\n", b"\n\xc2\x85", 5).replace(b"\r", b"\xc2\x9b\r", 2)


def _c1_noise_raw(data: bytes) -> bytes:
    return data.replace(b"\n", b"\x9e\n", 4)


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "none": lambda d: d,
    "cr_to_lf": _body(lambda d: d.replace(CR, LF)),
    "cr_to_crlf": _body(lambda d: d.replace(CR, CR + LF)),
    "lf_to_crlf": _body(lambda d: d.replace(LF, CR + LF)),
    "rs_dropped": lambda d: d.replace(RS, b"", 1),
    "lf_cr_swapped": lambda d: d.translate(bytes.maketrans(b"\n\r", b"\r\n")),
    "all_separators_lf": lambda d: d.replace(RS, LF).replace(CR, LF),
    "separators_spaces": _body(lambda d: d.replace(LF, b" ").replace(CR, b" ")),
    "separators_pipes": _body(lambda d: d.replace(LF, b"|").replace(CR, b"|")),
    "no_separators": _body(lambda d: d.replace(LF, b"").replace(CR, b"")),
    "no_separators_anywhere": lambda d: d.replace(LF, b"").replace(CR, b"").replace(RS, b""),
    "ctrl_less_keys": lambda d: d.replace(RS, b"6").replace(CR, b"M"),
    "ctrl_less_all_keys": lambda d: d.replace(LF, b"J").replace(RS, b"6").replace(CR, b"M"),
    "leading_space": lambda d: b" " + d,
    "bom": lambda d: b"\xef\xbb\xbf" + d,
    "c1_noise": _c1_noise,
    "c1_noise_raw": _c1_noise_raw,
    "file_type_aamva": lambda d: d.replace(b"ANSI ", b"AAMVA", 1),
    "file_type_amva": lambda d: d.replace(b"ANSI ", b"AMVA", 1).replace(b"AAMVA", b"AMVA", 1),
    "zero_offsets": lambda d: re.sub(rb"(DL|ID|Z[A-Z])\d{4}(\d{4})", rb"\g<1>0000\2", d, count=2),
    "wrong_offsets": lambda d: re.sub(rb"(DL|ID)\d{4}(\d{4})", rb"\g<1>0999\2", d, count=1),
    "padded_names": lambda d: re.sub(rb"(DCS|DAC|DAD|DCT|DAA)([^\n\r]*)", lambda m: m[1] + m[2].ljust(30), d),
    "zip_padding": _replace_value("DAK", lambda v: v.strip().ljust(9, "0") + "  "),
    "date_time_suffix": _replace_value("DBB", lambda v: v[:8] + "1200"),
    "wrong_date_order": _replace_value("DBB", _swap_date_order),
    "no_country": lambda d: re.sub(rb"DCG[A-Z]{3}\n?", b"", d),
    "gs_separators": _body(lambda d: d.replace(LF, b"\x1d")),
}

# Damages that change what may be read: the fields that differ from the card.
FIELD_CHANGES: dict[str, dict[str, object]] = {}


def dbd_none(data: bytes) -> bytes:
    """The issue date written as NONE (some jurisdictions)."""
    return re.sub(rb"DBD[^\n\r]*", b"DBDNONE", data, count=1)


DAMAGES["dbd_none"] = dbd_none
FIELD_CHANGES["dbd_none"] = {"issued": None}


def damaged(card: Card, damage: str) -> tuple[bytes, dict[str, object]]:
    """A damaged payload of ``card`` and the fields the parser must still read from it."""
    return DAMAGES[damage](card_payload(card)), expected(card, **FIELD_CHANGES.get(damage, {}))


def stripe(card: Card) -> bytes:
    """The three magnetic-stripe tracks of ``card`` as one burst (an older card without a barcode)."""
    t1 = f"%{card.jurisdiction}{card.city[:13]}^{card.last}${card.first}${card.middle or ''}^{card.street}^?"
    t2 = f";{card.iin}{card.id_number[-9:]}={card.expires:%y%m}{card.dob:%Y%m%d}=?"
    sex = {"M": "1", "F": "2", "X": "9"}[card.sex]
    t3 = f"#!!{card.postal.replace(' ', ''):<11}D {'':10}{'':4}{sex}068150BROBRO?"
    return (t1 + "\n" + t2 + "\n" + t3 + "\n").encode()
