"""A visitor's name as a reader sees it: letters of other alphabets that look like Latin ones, and invisible
characters, are what a forged ID (or a pasted name) can use to look like a listed person to the secretary
while the matcher reads another name.

"Gregory Vаntеrрооӏ" written with Cyrillic а, е, р, о and ӏ shows as Gregory Vanterpool on the desk, the badge
and the ID; folded as written it shares no sound code with the listed Vanterpool, so a barred person with
the listed date of birth screened clear; so did "Wi11iam Ho11oway" with the digit 1 for l. The screener
therefore also screens the name as it reads (:func:`as_seen`) whenever it differs from the name as written,
and keeps both answers (:func:`merged`): an entry written in Cyrillic is still found by the name as written,
one in Latin letters by the name as it reads.

The table holds the letters of the Cyrillic, Greek, Armenian and Cherokee scripts and the Latin
small capitals and IPA letters that read as a Latin letter (most of them look-alikes in Unicode's confusables
data, UTS #39), with the lower-case forms a name written in capitals takes at the desk, and that NFKD does
not already fold; full-width and mathematical letters are folded by NFKD. Only
the visitor's side changes: the index and the district hub's keys are untouched.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from frontdesk.screening.models import Candidate, Decision, FieldEvidence, Query, ScreenResult
from frontdesk.text import visible

_LOOK_ALIKES = {
    # Cyrillic
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M", "О": "O",
    "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W", "Ѵ": "V", "Ӏ": "I",
    "Ԍ": "G", "Ԁ": "D", "Ь": "b", "а": "a", "с": "c", "е": "e", "һ": "h", "і": "i", "ј": "j", "ӏ": "l",
    "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "ԝ": "w", "х": "x", "у": "y", "ү": "y", "ԁ": "d", "ѵ": "v",
    "г": "r", "п": "n", "ь": "b",
    # ... and the small capitals a barcode's capitals become when the desk writes a name in lower case
    # (frontdesk.text.name_case: ВАRRЕDМАN -> Ваrrеdмаn)
    "в": "b", "к": "k", "м": "m", "н": "h", "т": "t",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J", "α": "a", "γ": "y", "ι": "i", "κ": "k",
    "ν": "v", "ο": "o", "ρ": "p", "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j", "η": "n", "ε": "e", "μ": "u", "τ": "t",
    # Armenian
    "Օ": "O", "Ս": "U", "օ": "o", "ս": "u", "ո": "n", "հ": "h", "ց": "g", "ք": "f",
    # Cherokee capitals
    "Ꭺ": "A", "Ᏼ": "B", "Ꮯ": "C", "Ꭰ": "D", "Ꭼ": "E", "Ꮐ": "G", "Ꮋ": "H", "Ꭻ": "J", "Ꮶ": "K", "Ꮮ": "L",
    "Ꮇ": "M", "Ꮲ": "P", "Ꮢ": "R", "Ꮪ": "S", "Ꭲ": "T", "Ꮩ": "V", "Ꮃ": "W", "Ꮓ": "Z",
    # Latin small capitals and IPA letters
    "ɑ": "a", "ɡ": "g", "ɩ": "i", "ɪ": "i", "ʟ": "l", "ɴ": "n", "ʀ": "r", "ʏ": "y", "ǀ": "l", "ᴀ": "a",
    "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ᴊ": "j", "ᴋ": "k", "ᴍ": "m", "ᴏ": "o",
    "ᴘ": "p", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z",
}  # fmt: skip
_TABLE = str.maketrans(_LOOK_ALIKES)

LOOK_ALIKE_LETTERS = "look_alike_letters"


def as_read(text: str) -> str:
    """``text`` as a reader sees it: what shows as nothing removed (:func:`frontdesk.text.visible`), look-alike
    letters in Latin, and the digits 0 and 1 as the letters they pass for (O; l, or I in a name in capitals)."""
    if not text.isascii():
        text = visible(unicodedata.normalize("NFKD", text))
        text = unicodedata.normalize("NFC", text.translate(_TABLE))
    if "0" in text or "1" in text:
        text = text.translate(_CAPITAL_DIGITS if text.upper() == text else _SMALL_DIGITS)
    return text


# "H0LL0WAY", "Wi11iam": a name holds no digits, and these two pass for letters (UTS #39 gives 0 as O, 1 as l).
_CAPITAL_DIGITS = str.maketrans({"0": "O", "1": "I"})
_SMALL_DIGITS = str.maketrans({"0": "o", "1": "l"})


def _plain(name: str) -> bool:
    return name.isascii() and "0" not in name and "1" not in name


def as_seen(query: Query) -> Query | None:
    """The query with its names as they read, or None when they read as written (an ASCII name without 0 or
    1, as nearly every name is)."""
    names = (query.first_name, query.last_name, query.middle_name)
    if all(_plain(n) for n in names):
        return None
    first, last, middle = (as_read(n) for n in names)
    if (first, last, middle) == names:
        return None
    return replace(query, first_name=first, last_name=last, middle_name=middle)


def merged(
    written: ScreenResult,
    seen: ScreenResult,
    max_candidates: int,
    max_notes: int,
    why: FieldEvidence | None = None,
) -> ScreenResult:
    """Both screenings of one visitor as one result (``written``'s query): every entry either flagged,
    flagged; a candidate found only by the name as it reads says so in its first line of evidence (``why``:
    that line, when the second reading is another than the look-alikes')."""
    name = " ".join(n for n in (seen.query.first_name, seen.query.middle_name, seen.query.last_name) if n)
    why = why or FieldEvidence(
        "name",
        LOOK_ALIKE_LETTERS,
        "written with letters of another alphabet that look like Latin ones, or with invisible characters: "
        f"screened as it reads, {name}",
    )
    best: dict[int, Candidate] = {c.entry.id: c for c in written.candidates}
    for c in seen.candidates:
        was = best.get(c.entry.id)
        flagged, was_flagged = (
            c.decision is not Decision.CLEAR,
            was is not None and was.decision is not Decision.CLEAR,
        )
        if was is None or (flagged and not was_flagged) or (flagged == was_flagged and c.score > was.score):
            best[c.entry.id] = replace(c, evidence=(why, *c.evidence))
    ordered = sorted(best.values(), key=lambda c: (-c.score, c.entry.id))
    found = [c for c in ordered if c.decision is not Decision.CLEAR][:max_candidates]
    notes = [c for c in ordered if c.decision is Decision.CLEAR][: min(max_notes, max_candidates - len(found))]
    decision = found[0].decision if found else Decision.CLEAR
    return ScreenResult(written.query, decision, (*found, *notes))
