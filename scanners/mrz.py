"""Machine-readable zones (ICAO Doc 9303): passports, passport cards, residence cards, national ID cards.

Three layouts, told apart by their line lengths:

- **TD3** (passport books): 2 lines of 44 characters;
- **TD2** (some ID cards and visas): 2 lines of 36;
- **TD1** (ID-1 cards: US passport card, US permanent-resident card, most national ID cards): 3 lines of 30.

Every check digit is verified (weights 7, 3, 1; ``0-9`` their value, ``A-Z`` 10–35, ``<`` 0); a wrong one
raises :class:`UnreadableIdError` naming the field, so a misread is rescanned, never stored. OCR confuses
``O``/``0``, ``I``/``1``, ``B``/``8``, ``S``/``5``, ``Z``/``2``, ``G``/``6``, and the zone's layout says
which fields hold what (Doc 9303-3/4/5), so every repair is listed:

- where only digits can stand (dates, check digits) such letters are read as the digit; where only letters
  can (issuer, nationality, names, the document code's first letter) such digits as the letter;
- in a field of letters and digits under its own check digit (document number, TD3 personal number; TD1/TD2
  optional data under the composite's) whose check fails, a look-alike that stands out (a letter between
  digits, a digit between letters) is swapped when exactly one choice of swaps makes the check digit agree.
  A look-alike between a letter and a digit, or a G/6 (equal weights: no check digit tells them apart), that
  could be the misread leaves the field to fail, as does a second reading that fits. A date of birth is only
  ever read, never chosen: its digits have no look-alike digit.

The result is the same :class:`IdRecord` an AAMVA barcode gives: ``document`` is ``PASSPORT`` (a ``P``
document, or the ``IP`` passport card), ``RESIDENT`` (a residence card: US ``C1``/``C2``/``IR``/``AR``, or
any ``R``-coded card) or ``ID``; ``country`` is the three-letter issuer (``D`` for Germany, as ICAO writes
it); ``jurisdiction`` is null (no MRZ names a state); ``source`` is ``mrz``.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import repeat

from scanners.idcard import IdRecord, UnreadableIdError

LAYOUTS = {44: "TD3", 36: "TD2", 30: "TD1"}
LINES = {"TD3": 2, "TD2": 2, "TD1": 3}
_VALUES = {**{str(d): d for d in range(10)}, **{chr(65 + i): 10 + i for i in range(26)}, "<": 0}
_AS_DIGIT = str.maketrans("OQDILZSGB", "001112568")
_ALLOWED = re.compile(r"^[A-Z0-9<]+$")
RESIDENT_CODES = frozenset({"C1", "C2", "IR", "AR", "CR", "RP"})


def check_digit(text: str) -> int:
    """The ICAO 9303 check digit of ``text`` (weights 7, 3, 1 repeating)."""
    # Each third of the characters shares a weight: summed by map in C, not by a Python loop per character.
    value = _VALUES.get
    sevens = sum(map(value, text[0::3], repeat(0)))
    threes = sum(map(value, text[1::3], repeat(0)))
    return (7 * sevens + 3 * threes + sum(map(value, text[2::3], repeat(0)))) % 10


def find_lines(text: str) -> list[str] | None:
    """The MRZ lines in ``text`` (a reader's two or three lines, or all of them run together), or None.

    Spaces are dropped and letters upper-cased; a reader in keyboard mode may send ``«`` or spaces for ``<``.
    """
    lines = _text_lines(text)
    for size, layout in LAYOUTS.items():
        count = LINES[layout]
        run = [line for line in lines if len(line) == size and _ALLOWED.match(line)]
        if len(run) >= count:
            return run[-count:]  # an OCR'd page may hold other text above the zone
    joined = "".join(lines)
    for size, layout in LAYOUTS.items():
        if len(joined) == size * LINES[layout] and _ALLOWED.match(joined):
            return [joined[i : i + size] for i in range(0, len(joined), size)]
    return None


def _text_lines(text: str) -> list[str]:
    cleaned = text.replace("«", "<").upper()
    lines = [re.sub(r"[ \t]", "", line) for line in cleaned.replace("\r", "\n").split("\n")]
    return [line for line in lines if line]


def zones_in(text: str) -> int:
    """How many whole zones ``text`` holds, counting its lines of each layout's length (two passports read in
    one burst, or a passport and an ID card: 2)."""
    lines = _text_lines(text)
    return sum(
        sum(1 for line in lines if len(line) == size and _ALLOWED.match(line)) // LINES[layout]
        for size, layout in LAYOUTS.items()
    )


TWO_ZONES = (
    "Two passports or ID cards were read as one (their zones came in one scan or one photo): scan one document "
    "at a time"
)


def looks_like_mrz(text: str) -> bool:
    """True when ``text`` holds a machine-readable zone."""
    # Cheap first: every zone has filler '<' and an AAMVA payload starts with '@' (this runs on every scan).
    if "<" not in text or text.lstrip().startswith("@"):
        return False
    return find_lines(text) is not None


def parse_mrz(text: str, *, today: date | None = None) -> IdRecord:
    """Read a machine-readable zone into an :class:`IdRecord`, verifying every check digit."""
    lines = find_lines(text)
    if lines is None:
        raise UnreadableIdError(
            "This is not a passport or ID card zone the desk can read (2 lines of 44 or 36 characters, or 3 of "
            "30): scan it again or enter the visitor by hand"
        )
    if zones_in(text) > 1:
        # The zone read last was taken and the other dropped unseen: a listed person's passport read with
        # someone else's was screened as the other person.
        raise UnreadableIdError(TWO_ZONES)
    today = today or date.today()
    repairs: list[str] = []
    layout = LAYOUTS[len(lines[0])]
    lines = _digits_where_digits_belong(lines, layout, repairs)
    lines = _letters_where_letters_belong(lines, layout, repairs)
    lines = _repaired_by_check_digits(lines, layout, repairs)
    if layout == "TD1":
        fields = _td1(lines)
    else:
        fields = _td2_td3(lines, layout)
    _verify(fields, repairs)
    code = fields["code"].rstrip("<")
    last, first, middle = _names(fields["names"], repairs)
    number = fields["number"].replace("<", "")
    return IdRecord(
        first_name=first,
        middle_name=middle,
        last_name=last,
        dob=_date(fields["dob"], "dob", today, repairs),
        expires=_date(fields["expires"], "expires", today, repairs),
        sex={"M": "M", "F": "F", "X": "X"}.get(fields["sex"]) if fields["sex"] != "<" else None,
        id_number=number or None,
        document=_document(code),
        jurisdiction=None,
        country=fields["issuer"].replace("<", "") or None,
        repairs=tuple(repairs),
        source="mrz",
    )


def _document(code: str) -> str:
    if code.startswith("P") or code == "IP":
        return "PASSPORT"
    if code in RESIDENT_CODES or code.startswith("R"):
        return "RESIDENT"
    return "ID"


def _td2_td3(lines: list[str], layout: str) -> dict[str, str]:
    one, two = lines
    optional_end = 42 if layout == "TD3" else 35
    fields = {
        "code": one[0:2],
        "issuer": one[2:5],
        "names": one[5:],
        "number": two[0:9],
        "number_check": two[9],
        "nationality": two[10:13],
        "dob": two[13:19],
        "dob_check": two[19],
        "sex": two[20],
        "expires": two[21:27],
        "expires_check": two[27],
        "optional": two[28:optional_end],
        "composite_check": two[-1],
        "composite": two[0:10] + two[13:20] + two[21:optional_end] + (two[42] if layout == "TD3" else ""),
    }
    if layout == "TD3":
        fields["optional_check"] = two[42]
    return fields


def _td1(lines: list[str]) -> dict[str, str]:
    one, two, three = lines
    number, number_check = one[5:14], one[14]
    if number_check == "<" and one[15] != "<":
        # A number longer than 9: it runs on into the optional data, its check digit last (Doc 9303-5, 4.2.4).
        rest = one[15:30].split("<", 1)[0]
        number, number_check = number + rest[:-1], rest[-1]
    return {
        "code": one[0:2],
        "issuer": one[2:5],
        "number": number,
        "number_check": number_check,
        "dob": two[0:6],
        "dob_check": two[6],
        "sex": two[7],
        "expires": two[8:14],
        "expires_check": two[14],
        "nationality": two[15:18],
        "names": three,
        "composite_check": two[29],
        "composite": one[5:30] + two[0:7] + two[8:15] + two[18:29],
    }


_CHECKED = (
    ("number", "number_check", "document number"),
    ("dob", "dob_check", "date of birth"),
    ("expires", "expires_check", "expiry date"),
    ("optional", "optional_check", "personal number"),
    ("composite", "composite_check", "whole zone (composite)"),
)


# Where a layout can only hold digits: (line, positions) of its dates and check digits.
_DIGITS = {  # (row, start, end)
    "TD3": ((1, 9, 10), (1, 13, 20), (1, 21, 28), (1, 42, 44)),
    "TD2": ((1, 9, 10), (1, 13, 20), (1, 21, 28), (1, 35, 36)),
    "TD1": ((0, 14, 15), (1, 0, 7), (1, 8, 15), (1, 29, 30)),
}


def _digits_where_digits_belong(lines: list[str], layout: str, repairs: list[str]) -> list[str]:
    """Letters OCR mistakes for digits (O for 0, I for 1 ...) read as digits where only digits can stand."""
    # A filler stays: an empty field's check digit may be '<'.
    return _translate_fields(lines, _DIGITS[layout], _AS_DIGIT, "letters as digits", "digits", repairs)


def _translate_fields(lines, spans, table, what: str, kind: str, repairs: list[str]) -> list[str]:
    """``lines`` with the ``(row, start, end)`` spans translated by ``table``; each changed line is named in
    ``repairs`` ("read WHAT where only KIND can stand")."""
    out = list(lines)
    for row, start, end in spans:
        line = out[row]
        out[row] = line[:start] + line[start:end].translate(table) + line[end:]
    for row, (before, after) in enumerate(zip(lines, out, strict=True)):
        if after != before:
            repairs.append(f"read {what} where only {kind} can stand (line {row + 1}: {after})")
    return out


# Where a layout can only hold letters (and the filler): the document code's first letter (its second may be
# a digit: a US residence card is C1), issuer, nationality, names.
_LETTERS = {  # (row, start, end)
    "TD3": ((0, 0, 1), (0, 2, 44), (1, 10, 13)),
    "TD2": ((0, 0, 1), (0, 2, 36), (1, 10, 13)),
    "TD1": ((0, 0, 1), (0, 2, 5), (1, 15, 18), (2, 0, 30)),
}
_AS_LETTER = str.maketrans("012568", "OIZSGB")


def _letters_where_letters_belong(lines: list[str], layout: str, repairs: list[str]) -> list[str]:
    """Digits OCR mistakes for letters (0 for O, 1 for I ...) read as letters where no digit can stand."""
    return _translate_fields(lines, _LETTERS[layout], _AS_LETTER, "digits as letters", "letters", repairs)


# The characters OCR confuses in a field that may hold letters and digits (a document number): each one's
# look-alike. Only the check digit can tell them apart there.
_TWINS = {"0": "O", "O": "0", "1": "I", "I": "1", "8": "B", "B": "8", "5": "S", "S": "5", "2": "Z", "Z": "2"}
_TWINS |= {"6": "G", "G": "6"}
# Fields of letters and digits under a check digit of their own: (what, row, start, end, check position).
_MIXED = {
    "TD3": (("document number", 1, 0, 9, 9), ("personal number", 1, 28, 42, 42)),
    "TD2": (("document number", 1, 0, 9, 9),),
    "TD1": (("document number", 0, 5, 14, 14),),
}
# Where the composite check digit alone covers a field (optional data): (row, start, end) in the order the
# composite is written, and the positions (row, column) the composite holds, in order.
_COMPOSITE = {
    "TD3": ((1, 0, 10), (1, 13, 20), (1, 21, 43)),
    "TD2": ((1, 0, 10), (1, 13, 20), (1, 21, 35)),
    "TD1": ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
}
_COMPOSITE_ONLY = {"TD3": (), "TD2": ((1, 28, 35),), "TD1": ((0, 15, 30), (1, 18, 29))}
_COMPOSITE_AT = {"TD3": (1, 43), "TD2": (1, 35), "TD1": (1, 29)}


def _unique_reading(text: str, want: int, free: set[int] | None = None) -> str | None:
    """The one way of swapping look-alikes (O/0, I/1, B/8, S/5, Z/2, G/6) in ``text`` that gives check digit
    ``want``, or None when there is none or more than one. ``free``: the positions that may change (all).

    The check digit is a weighted sum modulo 10, so each swap moves it by a fixed amount: the swaps that reach
    ``want`` are counted by dynamic programming over the ten remainders (at most two counted), not tried.
    """
    weights = (7, 3, 1)
    moves = []
    for i, c in enumerate(text):
        twin = _TWINS.get(c)
        if twin is None or (free is not None and i not in free):
            continue
        step = (_VALUES[twin] - _VALUES[c]) * weights[i % 3] % 10
        if not step:
            # G and 6 weigh the same (16, 6): no check digit tells them apart. Unless it sits among its own
            # kind, either may be the misread, and nothing can be settled: the field is left to fail.
            near = _near(text, i)
            if not near or any(d != c.isdigit() for d in near):
                return None
            continue
        where = _standing(text, i)
        if where == "settled":
            continue
        if where == "between":
            return None  # a look-alike between a letter and a digit could be either: the field is left to fail
        moves.append((i, twin, step))
    need = (want - check_digit(text)) % 10
    # ways[k][r]: how many choices among the first k swaps move the digit by r (0, 1 or "2 or more").
    ways = [[1] + [0] * 9]
    for _, _, step in moves:
        last = ways[-1]
        ways.append([min(2, last[r] + last[(r - step) % 10]) for r in range(10)])
    if ways[-1][need] != 1:
        return None
    chars, r = list(text), need
    for k in range(len(moves), 0, -1):  # walk back the one way: swap k is taken when "not taken" cannot reach
        i, twin, step = moves[k - 1]
        if ways[k - 1][r] == 0:
            chars[i] = twin
            r = (r - step) % 10
    return "".join(chars)


def _near(text: str, i: int) -> list[bool]:
    """Whether the nearest character on each side of ``text[i]`` that is no look-alike (nor filler) is a digit."""
    near = []
    for step in (-1, 1):
        k = i + step
        while 0 <= k < len(text) and (text[k] in _TWINS or text[k] == "<"):
            k += step
        if 0 <= k < len(text):
            near.append(text[k].isdigit())
    return near


def _standing(text: str, i: int) -> str:
    """How ``text[i]`` sits among the nearest characters that are no look-alikes, one on each side: ``out``
    (a letter between digits or a digit between letters), ``between`` (a letter on one side, a digit on the
    other) or ``settled`` (among its own kind, at an edge, or with nothing to go by).

    A look-alike among its own kind is left alone: trying every look-alike would find, for a misread of
    another kind (a 3 read as 8), some swap that happens to fit the check digit, one time in ten per swap.
    At an edge a letter before digits is as often a real prefix (S1234567) as a misread: left alone too.
    """
    near = _near(text, i)
    if len(set(near)) > 1:
        return "between"
    if len(near) < 2 or text[i].isdigit() == near[0]:
        return "settled"
    return "out"


def _repaired_by_check_digits(lines: list[str], layout: str, repairs: list[str]) -> list[str]:
    """A field of letters and digits whose check digit fails is read again with look-alikes swapped, and the
    reading kept only when exactly one way makes its check digit agree; otherwise it is left to fail."""
    out = list(lines)
    for words, row, start, end, at in _MIXED[layout]:
        line, digit = out[row], out[row][at]
        if not digit.isdigit():
            continue  # a TD1 number longer than 9 ('<' here) or a misread check digit: left to _verify
        text = line[start:end]
        if check_digit(text) == int(digit):
            continue
        fixed = _unique_reading(text, int(digit))
        if fixed is not None:
            out[row] = line[:start] + fixed + line[end:]
            repairs.append(
                f"{words} {text.rstrip('<')} read as {fixed.rstrip('<')}: the only swap of look-alike letters "
                "and digits its check digit accepts (compare it with the document)"
            )
    digit = out[_COMPOSITE_AT[layout][0]][_COMPOSITE_AT[layout][1]]
    if not _COMPOSITE_ONLY[layout] or not digit.isdigit():
        return out
    where = [(row, col) for row, start, end in _COMPOSITE[layout] for col in range(start, end)]
    text = "".join(out[row][col] for row, col in where)
    if check_digit(text) == int(digit):
        return out
    only = {(row, col) for row, start, end in _COMPOSITE_ONLY[layout] for col in range(start, end)}
    fixed = _unique_reading(text, int(digit), {k for k, spot in enumerate(where) if spot in only})
    if fixed is not None:
        rows = [list(line) for line in out]
        for (row, col), c in zip(where, fixed, strict=True):
            rows[row][col] = c
        out = ["".join(chars) for chars in rows]
        repairs.append(
            "optional data read again with look-alike letters and digits swapped: the only reading the "
            "composite check digit accepts"
        )
    return out


def _verify(fields: dict[str, str], repairs: list[str]) -> None:
    for key, check, words in _CHECKED:
        if check not in fields:
            continue
        digit = fields[check]
        if key == "optional" and digit == "<" and set(fields[key]) <= {"<"}:
            continue  # an empty personal number may carry '<' for its check digit
        digit = digit.translate(_AS_DIGIT)
        if not digit.isdigit() or int(digit) != check_digit(fields[key]):
            raise UnreadableIdError(
                f"The {words} check digit does not match ({fields[check]}, expected {check_digit(fields[key])}): "
                "scan the zone again or enter the visitor by hand"
            )


_LONE_LETTER = re.compile(r"(?<=<)[A-Z](?=<|$)")


def _names(field: str, repairs: list[str]) -> tuple[str | None, str | None, str | None]:
    if any(c.isdigit() for c in field):
        # A zone writes names in letters only; the digits OCR mistakes for letters were read as letters already.
        # What is left is no name: a data line taken for the names line (two zones in one picture), or a misread
        # no check digit covers (the names have none).
        raise UnreadableIdError(
            "The name in the zone holds digits, which no name in a zone has: scan the zone again or enter the "
            "visitor by hand"
        )
    field = _fillers_after_the_names(field, repairs)
    if not field.endswith("<"):
        repairs.append("the name fills the whole zone: it may be cut short")
    primary, _, secondary = field.rstrip("<").partition("<<")
    last = _words(primary)
    given = _words(secondary).split() if secondary else []
    if not last and not given:
        raise UnreadableIdError("The zone was read but holds no name: enter the visitor by hand")
    first = given[0] if given else None
    middle = " ".join(given[1:]) or None
    return last or None, first, middle


def _fillers_after_the_names(field: str, repairs: list[str]) -> str:
    """A lone letter among the fillers after the given names read as the filler OCR took it for (``K``, ``Q``).

    ICAO writes ``<<`` once, between surname and given names; a second ``<<`` can only start the fillers.
    Only a single letter between fillers there is taken back: a longer run may be a name OCR split.
    """
    end = field.find("<<", field.find("<<") + 2) if "<<" in field else -1
    if end < 0:
        return field
    tail = _LONE_LETTER.sub("<", field[end:])
    if tail == field[end:]:
        return field
    repairs.append(f"a letter among the fillers after the names read as a filler ({field[end:].rstrip('<')})")
    return field[:end] + tail


def _words(text: str) -> str:
    return " ".join(part for part in text.split("<") if part)


def _date(text: str, kind: str, today: date, repairs: list[str]) -> date | None:
    if not text.isdigit():
        repairs.append(f"the {kind} field is not a date ({text})")
        return None
    yy, mm, dd = int(text[0:2]), int(text[2:4]), int(text[4:6])
    if kind == "dob":
        year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    else:
        year = 2000 + yy if yy < 70 else 1900 + yy
    try:
        return date(year, mm, dd)
    except ValueError:
        repairs.append(f"the {kind} field is not a real date ({text})")
        return None


def _mrz_text(name: str) -> str:
    """A name as a zone writes it: upper case, accents dropped, spaces and hyphens as ``<`` (Doc 9303-3)."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", name.upper())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^A-Z]+", "<", plain.replace("'", ""))


def mrz_lines(
    *,
    layout: str,
    code: str,
    issuer: str,
    last: str,
    given: str,
    number: str,
    nationality: str,
    dob: date,
    sex: str,
    expires: date,
    optional: str = "",
) -> list[str]:
    """Write a zone with correct check digits: for tests, demo documents and the synthetic passport page."""

    def pad(text: str, size: int) -> str:
        return (text + "<" * size)[:size]

    def ymd(day: date) -> str:
        return day.strftime("%y%m%d")

    names = _mrz_text(last) + "<<" + _mrz_text(given)
    code, issuer, nationality = pad(code, 2), pad(issuer, 3), pad(nationality, 3)
    if layout == "TD1":
        num = pad(number, 9)
        one = pad(code + issuer + num + str(check_digit(num)) + optional, 30)
        two = ymd(dob) + str(check_digit(ymd(dob))) + sex + ymd(expires) + str(check_digit(ymd(expires)))
        two = pad(two + nationality, 29)
        two += str(check_digit(one[5:30] + two[0:7] + two[8:15] + two[18:29]))
        return [one, two, pad(names, 30)]
    size = 44 if layout == "TD3" else 36
    one = pad(code + issuer + names, size)
    num = pad(number, 9)
    two = num + str(check_digit(num)) + nationality + ymd(dob) + str(check_digit(ymd(dob))) + sex
    two += ymd(expires) + str(check_digit(ymd(expires)))
    if layout == "TD3":
        opt = pad(optional, 14)
        two += opt + str(check_digit(opt))
        composite = two[0:10] + two[13:20] + two[21:43]
    else:
        two += pad(optional, 7)
        composite = two[0:10] + two[13:20] + two[21:35]
    return [one, two + str(check_digit(composite))]
