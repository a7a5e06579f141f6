"""A tolerant parser of the PDF417 barcode on North American driver's licences and ID cards (AAMVA).

Versions 1 to 10 and the pre-standard ``AAMVA`` / ``AMVA`` files, US and Canadian cards, ``DL``, ``ID`` and
jurisdiction (``Z?``) subfiles. Real scans arrive damaged (see ``docs`` and the reference notes): the parser
finds the header wherever it is, treats LF, CR, CRLF, RS and pipes alike, splits on known element IDs when
separators are spaces or missing, never trusts the subfile offsets, and lists every repair it made. A
magnetic-stripe read is handed to :mod:`scanners.magstripe`. Input that is not an ID raises
:class:`~scanners.idcard.UnreadableIdError` with a plain reason; nothing else escapes.
"""

from __future__ import annotations

import re
from datetime import date

from scanners import cac, magstripe, mrz
from scanners import iin as iins
from scanners.elements import CODE_START, CODES, split_elements
from scanners.idcard import (
    IdRecord,
    UnreadableIdError,
    clean,
    clean_name,
    read_date,
    read_postal,
    read_sex,
    split_full_name,
    split_given,
    split_suffix,
)

_HEADER = re.compile(r"(ANSI|AAMVA|AMVA)[ \n\r\x1e|]{0,2}(\d{6})(\d{2})(\d{0,4})")
_DESIGNATOR = re.compile(r"[\s|]*(DL|ID|Z[A-Z])(\d{4})(\d{4})")
_MARKER = re.compile(r"(DL|ID)[ \r\n\x1e|]*([DP][A-D][A-Z])")
_NOISE = re.compile("[\u0080-\u009f\ufeff\x00]")
# A PDF417 symbol holds at most 1,850 text characters (a magnetic stripe far fewer): anything longer is not
# one scan of one card. Refusing it first keeps the parser's work bounded whatever arrives (a stuck scanner,
# a pasted file); below this, every step is linear in the input (the element splitter looks at most five
# candidate cuts ahead of each one).
MAX_PAYLOAD = 4096


# Other federal and foreign cards carry PDF417s in formats that are not public or not AAMVA (a military ID
# card's front barcode is public and read by scanners.cac; one that does not decode ends here too).
NOT_AAMVA = (
    "This barcode is not a US or Canadian licence or ID (no AAMVA header or licence data), nor a military ID "
    "card's front barcode the desk can read; other federal cards cannot be read: scan it again, or type the "
    "visitor in"
)


def parse_id(data: bytes | str, *, today: date | None = None) -> IdRecord:
    """Parse whatever a scanner sent (PDF417 payload, magnetic stripe, an MRZ or a military ID card's PDF417)
    into an :class:`IdRecord`.

    Raises :class:`UnreadableIdError` when it is not an ID the desk can read.
    """
    repairs: list[str] = []
    if isinstance(data, bytes | bytearray | str) and len(data) > 4 * MAX_PAYLOAD:
        raise UnreadableIdError(_TOO_LONG.format(len(data)))  # before decoding megabytes
    text = _decode(data, repairs)
    if len(text) > MAX_PAYLOAD:
        raise UnreadableIdError(_TOO_LONG.format(len(text)))
    today = today or date.today()
    if not text.strip():
        raise UnreadableIdError("Nothing was read from the card: scan it again or enter the visitor by hand")
    if _kinds_of_document(text) > 1:
        # A stripe swiped with a passport's zone on the reader, a licence's barcode and a military card's: the
        # first reader below that knew its part read it and the other person was dropped unseen.
        raise UnreadableIdError(TWO_SCANS)
    if magstripe.looks_like_stripe(text):
        return magstripe.parse_stripe(text, repairs, today)
    if mrz.looks_like_mrz(text):
        return mrz.parse_mrz(text, today=today)
    if text[:1] in ("1", "N"):
        military = cac.parse_cac(text, today, repairs)  # a military ID card's own fixed-width format
        if military is not None:
            return military
    return _parse_pdf417(text, repairs, today)


TWO_SCANS = "Two cards were read as one (or a scan was cut short and the next ran into it): scan the card again"
_TOO_LONG = (
    "This is too long to be an ID card ({:,} characters, at most 4,096): scan the card again or enter the "
    "visitor by hand"
)


def _kinds_of_document(text: str) -> int:
    """How many kinds of document ``text`` holds a part of: a licence's PDF417 header, a magnetic stripe's name
    or number track, a passport's or ID card's zone (``<<`` and whole lines of its length), a military card's
    barcode line. Each reader finds its own two-in-one (``TWO_SCANS``, ``TWO_SWIPES``, ``mrz.TWO_ZONES``)."""
    lines = text.replace("\r", "\n").split("\n")
    return sum(
        (
            _HEADER.search(text) is not None,
            magstripe.has_track(text),
            "<<" in text and mrz.zones_in(text) > 0,
            any(cac.looks_like_cac(line) for line in lines),
        )
    )


def _decode(data: bytes | str, repairs: list[str]) -> str:
    if isinstance(data, bytes | bytearray):
        raw = bytes(data)
        if raw.startswith(b"\xef\xbb\xbf"):
            repairs.append("removed a leading byte-order mark")
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    elif isinstance(data, str):
        text = data
    else:
        raise UnreadableIdError(f"Cannot read an ID from {type(data).__name__}")
    if text.startswith("\ufeff"):
        repairs.append("removed a leading byte-order mark")
    noise = _NOISE.findall(text)
    if noise:
        stray = [c for c in noise if c != "\ufeff"]
        if stray:
            repairs.append(f"removed {len(stray)} stray control character(s) (U+0000, U+0080-U+009F)")
        text = _NOISE.sub("", text)
    if "<LF>" in text or "<CR>" in text or "<RS>" in text:
        # A decoder's "human-readable" text (zxing's .text) instead of the raw bytes.
        repairs.append("control characters given as <LF>/<RS>/<CR> placeholders: restored")
        for name, char in (("<LF>", "\n"), ("<CR>", "\r"), ("<RS>", "\x1e"), ("<GS>", "\x1d")):
            text = text.replace(name, char)
    elif "\n" not in text and "\r" not in text and text.count("\\n") + text.count("\\r") >= 3:
        # Pasted from a log or JSON: the separators arrived as the two characters backslash-n.
        repairs.append("separators given as \\n / \\r escapes: restored")
        for name, char in (("\\n", "\n"), ("\\r", "\r"), ("\\x1e", "\x1e"), ("\\u001e", "\x1e")):
            text = text.replace(name, char)
    return text


# --- the PDF417 payload ------------------------------------------------------------------------------------
class _Header:
    """What the header says: file type, IIN, versions, subfile designators, and where the data begins."""

    def __init__(self) -> None:
        self.file_type = ""
        self.iin: str | None = None
        self.version: int | None = None
        self.designators: list[tuple[str, int, int]] = []
        self.end = 0
        self.at = -1


def _read_header(text: str, repairs: list[str], match: re.Match[str] | None) -> _Header | None:
    if match is None:
        return None
    head = _Header()
    head.file_type, head.iin, version, rest = match[1], match[2], int(match[3]), match[4]
    head.version = version
    if not 0 <= version <= 12 or (head.file_type == "ANSI" and version == 0) or len(rest) < 2:
        # Digits lost or added in the header: its issuer number and version cannot be trusted either.
        repairs.append(
            f"header numbers garbled ({match[0][len(match[1]) :].strip()!r}): issuer taken from the data"
        )
        head.iin, head.version = None, None
    if head.file_type != "ANSI":
        repairs.append(f"pre-standard file type {head.file_type!r}")
    elif text[match.end(1) : match.end(1) + 1] != " ":
        repairs.append("file type 'ANSI' without its trailing space")
    # Version 1 has no jurisdiction version, so the subfile count follows the version directly.
    count_text = rest[2:4] if len(rest) == 4 else rest[:2]
    pos = match.start(4) + (4 if len(rest) == 4 else min(len(rest), 2))
    count = int(count_text) if count_text.isdigit() else 0
    for _ in range(max(count, 1) if count <= 10 else 1):
        designator = _DESIGNATOR.match(text, pos)
        if designator is None:
            break
        head.designators.append((designator[1], int(designator[2]), int(designator[3])))
        pos = designator.end()
    head.end = pos
    head.at = text.rfind("@", 0, match.start())
    prefix = text[head.at + 1 : match.start()] if head.at >= 0 else text[: match.start()]
    if head.at < 0:
        repairs.append("compliance indicator '@' missing")
    if prefix != "\n\x1e\r":
        shown = prefix.encode("unicode_escape").decode("ascii")
        if any(c in prefix for c in "6^MJmj"):
            repairs.append(f"control keys arrived without Ctrl in the header ('{shown}'): ignored")
        elif prefix.strip(" \n\r\x1e") or len(prefix) > 6:
            repairs.append(f"unexpected characters before the file type ('{shown}'): skipped")
        elif not prefix:
            repairs.append("header separators (LF RS CR) missing: ignored")
        else:
            repairs.append(f"header separators mangled ('{shown}'): ignored")
    if head.at > 0 and text[: head.at].strip():
        repairs.append(f"skipped {head.at} character(s) before the header")
    elif head.at > 0:
        repairs.append("removed leading white space")
    return head


def _parse_pdf417(text: str, repairs: list[str], today: date) -> IdRecord:
    match = _HEADER.search(text)
    if match is None and _HEADER.search(text.swapcase()) is not None:
        # A keyboard-mode scanner typing with Caps Lock on: every letter arrives in the other case.
        repairs.append("letters arrived in the wrong case (Caps Lock on): case restored")
        text = text.swapcase()
        match = _HEADER.search(text)
    head = _read_header(text, repairs, match)
    if head is None:
        return _parse_headerless(text, repairs, today)
    if _HEADER.search(text, head.end) is not None:
        # A second card's header: two scans arrived as one (or a cut scan and the next one). Elements are
        # read first-found, so the record would mix the two people (one's name, the other's date of birth).
        raise UnreadableIdError(TWO_SCANS)
    prefix = text[head.at + 1 : head.end] if head.at >= 0 else text[: head.end]
    cr_as_m = "M" in prefix[:4] or "m" in prefix[:4]
    lf_as_j = "J" in prefix[:4] or "j" in prefix[:4]
    start, document = _find_subfile(text, head, repairs)
    if start < 0:
        raise UnreadableIdError(
            "The barcode has a licence header but no readable licence data: enter the visitor by hand"
        )
    jurisdiction_types = {d[0] for d in head.designators if d[0].startswith("Z")}
    elements = split_elements(text[start:], jurisdiction_types, repairs, cr_as_m=cr_as_m, lf_as_j=lf_as_j)
    return _record(elements, head.iin, head.version, document, repairs, today)


def _find_subfile(text: str, head: _Header, repairs: list[str]) -> tuple[int, str | None]:
    """Where the DL or ID subfile's elements begin (offsets are not trusted), and its type."""
    kinds = [d[0] for d in head.designators if d[0] in ("DL", "ID")]
    # The first known element after the designators starts the data; "DL" / "ID" just before it names it.
    # (Searching for "DL" first would be fooled by a value such as MADRID followed by an element.)
    first = CODE_START.search(text, head.end)
    if first is None:
        return -1, None
    start = first.start()
    # "IDDAQ" also holds "DDA": a marker overlapping the first element found wins.
    marker = _MARKER.search(text, head.end, start + 6)
    if marker is not None and marker.start() <= start and marker[2] in CODES:
        _check_offset(head, marker[1], marker.start(), repairs)
        return marker.start(2), marker[1]
    repairs.append("subfile type missing before the first element")
    return start, (kinds[0] if kinds else None)


def _check_offset(head: _Header, kind: str, found: int, repairs: list[str]) -> None:
    for name, offset, _length in head.designators:
        if name == kind:
            actual = found - max(head.at, 0)
            # Lost or doubled header separators shift the data a little; more than that is a wrong offset.
            if offset == 0 or abs(offset - actual) > 4:
                repairs.append(f"{kind} subfile offset {offset} is wrong (data found at {actual}): ignored")
            return
    if head.designators:
        repairs.append(f"no designator for the {kind} subfile: data found anyway")


def _parse_headerless(text: str, repairs: list[str], today: date) -> IdRecord:
    """No AAMVA header at all: accept the data only if it clearly holds licence elements."""
    first = CODE_START.search(text)
    if first is None:
        raise UnreadableIdError(NOT_AAMVA)
    elements = split_elements(text[first.start() :], set(), repairs)
    names = [c for c in ("DCS", "DAC", "DCT", "DAA", "DAB") if elements.get(c, "").strip()]
    if not names or not elements.get("DBB", "").strip() or len(elements) < 4:
        raise UnreadableIdError(NOT_AAMVA)
    repairs.append("AAMVA header missing: read the licence elements without it")
    return _record(elements, None, None, None, repairs, today)


# --- from elements to the record -------------------------------------------------------------------------
def _record(
    el: dict[str, str],
    iin: str | None,
    version: int | None,
    document: str | None,
    repairs: list[str],
    today: date,
) -> IdRecord:
    issuer = iins.issuer(iin)
    last, first, middle, suffix = _names(el, version, repairs, issuer[0] if issuer else None)
    if not last and not first:
        raise UnreadableIdError("The card's barcode was read but holds no name: enter the visitor by hand")
    jurisdiction = _jurisdiction(clean(el.get("DAJ")), iin, issuer, repairs)
    country = _country(clean(el.get("DCG")), issuer, jurisdiction, repairs)
    us_order = country != "CAN" and (version or 0) >= 2
    if version is None and country != "CAN":
        us_order = True
    dob = read_date(el.get("DBB"), "dob", us_order, repairs, today)
    expires = read_date(el.get("DBA"), "expires", us_order, repairs, today)
    issued = read_date(el.get("DBD"), "issued", us_order, repairs, today)
    compliance = clean(el.get("DDA"))
    return IdRecord(
        first_name=first,
        middle_name=middle,
        last_name=last,
        suffix=suffix,
        dob=dob,
        expires=expires,
        issued=issued,
        sex=read_sex(el.get("DBC")),
        id_number=clean(el.get("DAQ")) or clean(el.get("DBJ")),
        document=document,
        jurisdiction=jurisdiction,
        country=country,
        street=clean(el.get("DAG")),
        city=clean(el.get("DAI")),
        postal_code=read_postal(el.get("DAK"), repairs),
        aamva_version=version,
        real_id=None if compliance is None else compliance.upper() == "F",
        under_18_until=read_date(el.get("DDH"), "expires", us_order, [], today),
        repairs=tuple(repairs),
    )


# Issuers whose version-1 cards write the whole name in DAA as "FIRST MIDDLE LAST" separated by spaces
# (every other space-separated DAA seen is "LAST FIRST MIDDLE"); commas always mean "LAST,FIRST,MIDDLE".
FIRST_NAME_FIRST = frozenset({"PA"})


def _names(
    el: dict[str, str], version: int | None, repairs: list[str], issuer: str | None = None
) -> tuple[str | None, ...]:
    last = clean_name(el.get("DCS")) or clean_name(el.get("DAB"))
    first = clean_name(el.get("DAC"))
    middle = clean_name(el.get("DAD"))
    suffix = clean(el.get("DCU")) or clean(el.get("DAE"))
    raw_first = (el.get("DAC") or "").strip().rstrip(",")
    if "," in raw_first and middle is None:
        first, middle = split_given(raw_first, repairs)  # "FIRST,MIDDLE" all in DAC
    raw_last = (el.get("DCS") or "").strip().rstrip(",")
    if first is None and "," in raw_last and not clean(el.get("DCT")) and not clean(el.get("DAA")):
        # The whole name in the family-name element ("LAST,FIRST,MIDDLE"), as some older cards do.
        last, first, middle, dcs_suffix = split_full_name(raw_last, repairs, "DCS")
        suffix = suffix or dcs_suffix
    if first is None and clean(el.get("DCT")):
        first, given_middle = split_given(el["DCT"], repairs)
        middle = middle or given_middle
    if (last is None or first is None) and clean(el.get("DAA")):
        first_first = issuer in FIRST_NAME_FIRST and (version or 0) <= 1
        a_last, a_first, a_middle, a_suffix = split_full_name(el["DAA"], repairs, "DAA", first_first=first_first)
        last, first = last or a_last, first or a_first
        middle, suffix = middle or a_middle, suffix or a_suffix
    if suffix is None and first and version is not None and version >= 4 and middle is None:
        first, suffix = split_suffix(first)
    initial = first.rsplit(" ", 1)[-1] if first and " " in first else ""
    from_dac = first is not None and "," not in raw_first and clean_name(el.get("DAC")) is not None
    if middle is None and from_dac and len(initial) == 1 and initial.isalpha():
        # Wyoming and others put the middle initial in the first-name element ("JOHN Q"), no DAD. Only a
        # single letter is taken for one: "MARY ANN" may be a two-word first name.
        first, middle = first.rsplit(" ", 1)
        repairs.append("middle initial split from the first name (DAC)")
    return last, first, middle, suffix


def _jurisdiction(
    address_state: str | None, iin: str | None, issuer: tuple[str, str] | None, repairs: list[str]
) -> str | None:
    """The card's state or province: the address's (DAJ) when it is a real one, else the issuer number's.

    On real cards they agree; where they do not, the issuer number is more often a copied sample header.
    """
    state = (address_state or "").upper()
    if iins.country_of(state):
        if issuer and issuer[0] != state:
            repairs.append(f"issuer number {iin} is {issuer[0]} but the card says {state}: {state} kept")
        return state
    if issuer:
        return issuer[0]
    if len(state) == 2 and state.isalpha():
        if iin:
            repairs.append(f"issuer number {iin} unknown: jurisdiction taken from the address ({state})")
        return state
    return None


def _country(
    dcg: str | None, issuer: tuple[str, str] | None, jurisdiction: str | None, repairs: list[str]
) -> str | None:
    if dcg:
        upper = dcg.upper()
        if upper in ("USA", "US"):
            return "USA"
        if upper in ("CAN", "CA"):
            return "CAN"
    if issuer:
        repairs.append(f"country {issuer[1]} taken from the issuer number (no country element)")
        return issuer[1]
    derived = iins.country_of(jurisdiction)
    if derived:
        repairs.append(f"country {derived} taken from the jurisdiction {jurisdiction}")
    return derived
