"""Splitting an AAMVA subfile into its elements, with separators or, when they are lost, on element IDs.

With separators (LF, CR, CRLF, RS, pipes: all alike), each line is one element. Without them (spaces, or
nothing at all), the data is cut where a known element ID starts, choosing by dynamic programming the cuts
whose values fit their elements (an 8-digit date after DBB, a state after DAJ...), so that a name holding
an element ID (ADAIR holds DAI, JORDAN holds DAN) is not cut in two.
"""

from __future__ import annotations

import re

from scanners import iin as iins

# Every data element ID of the DL/ID subfiles, versions 1 to 10 and the 2025 edition.
_CODE_LIST = (
    "DAA DAB DAC DAD DAE DAF DAG DAH DAI DAJ DAK DAL DAM DAN DAO DAP DAQ DAR DAS DAT DAU DAV DAW DAX DAY DAZ "
    "DBA DBB DBC DBD DBE DBF DBG DBH DBI DBJ DBK DBL DBM DBN DBO DBP DBQ DBR DBS DCA DCB DCD DCE DCF DCG DCH "
    "DCI DCJ DCK DCL DCM DCN DCO DCP DCQ DCR DCS DCT DCU DDA DDB DDC DDD DDE DDF DDG DDH DDI DDJ DDK DDL DDM "
    "DDN DDO DDP PAA PAB PAC PAD PAE PAF"
)
CODES = frozenset(_CODE_LIST.split())
_DATE = re.compile(r"\d{8}")
_VALIDATORS = {
    **dict.fromkeys(("DBA", "DBB", "DBD", "DDB", "DDC", "DDH", "DDI", "DDJ", "PAB", "PAD"), _DATE.match),
    "DBC": re.compile(r"[129MFXU0]$|MALE$|FEMALE$").match,
    **dict.fromkeys(("DDE", "DDF", "DDG"), re.compile(r"[TNU]$").match),
    **dict.fromkeys(("DDD", "DDK", "DDL", "DDM", "DDN", "DDO", "DDP"), re.compile(r"[01]$").match),
    "DDA": re.compile(r"[FNO]$").match,
    **dict.fromkeys(("DCU", "DAE"), re.compile(r"[A-Z0-9.]{0,5}$").match),
    "DAY": re.compile(r"(BLK|BLU|BRO|GRY|GRN|HAZ|MAR|PNK|DIC|UNK)$").match,
    "DAZ": re.compile(r"(BAL|BLK|BLN|BRO|GRY|RED|SDY|WHI|UNK)$").match,
    "DAU": re.compile(r"\d[\d '\-\"]{0,5}\s*(IN|CM|in|cm)?$").match,
    "DAW": re.compile(r"\d{2,3}$").match,
    "DAX": re.compile(r"\d{2,3}$").match,
    "DCE": re.compile(r"\d$").match,
    "DCG": re.compile(r"(USA|CAN|US|CA|MEX)$").match,
    "DAJ": lambda v: v in iins.STATES or v in iins.PROVINCES,
    "DAK": re.compile(r"(\d{5}[\d \-]{0,6}|[A-Z]\d[A-Z] ?\d[A-Z]\d ?)$").match,
}
# Without separators, a known ID inside a value is worth a cut only if it is common on real cards (JORDAN
# holds DAN, a version-1 residence city that is rarely used); rarer IDs are cut only when their value fits.
_COMMON = (
    "DAQ DCS DAC DAD DCT DCU DAA DAB DAG DAH DAI DAJ DAK DBA DBB DBC DBD DAU DAW DAX DAY DAZ DCA DCB DCD DCF "
    "DCG DCK DDA DDB DDC DDD DDE DDF DDG DDH DDI DDJ DDK DDL DBJ DCE"
)
# The elements every card has are the most credible cuts of all.
_CORE = "DAQ DCS DAC DCT DAA DBB DBA DBD DAG DAI DAJ DAK DCG DBC"
_CUT_BONUS = {**dict.fromkeys(_COMMON.split(), 1.0), **dict.fromkeys(_CORE.split(), 1.5)}
# Elements whose values have a fixed width (dates 8, sex 1, state 2, country 3...): bounds the search.
_FIXED_WIDTH = {
    **dict.fromkeys(("DBA", "DBB", "DBD", "DDB", "DDC", "DDH", "DDI", "DDJ"), 8),
    **dict.fromkeys(("DBC", "DDE", "DDF", "DDG", "DDA", "DDD", "DDK", "DDL", "DCE"), 1),
    "DAJ": 2,
    "DCG": 3,
    "DAY": 3,
}
# Values so short that fitting one proves little (a name may end in "JR" or "N").
_WEAK_LIST = "DCU DAE DDE DDF DDG DDD DDK DDL DDM DDN DDO DDP DDA DCE DAW DAX"
_WEAK = frozenset(_WEAK_LIST.split())
# Elements that are never empty on a real card.
_WANT_VALUE = frozenset({"DAQ", "DCS", "DAC", "DAG", "DAI", "DBB", "DAA", "DCT", "DAB"})
# What scoring one element needs, looked up once per candidate: its validator, what a fitting value gains
# (little for the weak ones), whether it must have a value, and its fixed width.
_RULES = {
    code: (
        _VALIDATORS.get(code),
        (0.5 if code in _WEAK else 2.0) if code in _VALIDATORS else 0.0,
        code in _WANT_VALUE,
        _FIXED_WIDTH.get(code),
    )
    for code in CODES
}
_NO_RULE = (None, 0.0, False, None)
# Element separators: CRLF counts as one; LF, CR, RS, GS, FS and pipes are all alike. Counted and replaced
# with str methods, which are many times cheaper than a regular expression over the whole payload.
_SEPARATOR_CHARS = "\n\r\x1e\x1d\x1c|"
_J_BEFORE_CODE = re.compile(r"[Jj](?=([DP][A-D][A-Z]))")
_JUR_START = re.compile(r"(Z[A-Z])\1[A-Z]")
_ANY_CODE = re.compile(r"[DP][A-D][A-Z]")
# Where an element ID of CODES starts (IDs may overlap: "DDAF" holds DDA and DAF). It consumes one letter
# and looks ahead for the rest, so the search skips quickly to the next D or P.
CODE_START = re.compile(r"D(?=A[A-Z]|B[A-S]|C[ABD-U]|D[A-P])|P(?=A[A-F])")


def split_elements(
    body: str,
    jurisdiction_types: set[str],
    repairs: list[str],
    *,
    cr_as_m: bool = False,
    lf_as_j: bool = False,
) -> dict[str, str]:
    """The elements of the first DL/ID subfile, split on separators or, failing that, on known element IDs."""
    if lf_as_j:
        # LF typed as a plain J: a J just before a known element ID is the separator.
        body = _J_BEFORE_CODE.sub(lambda m: "\n" if m[1] in CODES else m[0], body)
    if cr_as_m:
        body = re.sub(r"[Mm](?=(Z[A-Z])\1[A-Z])", "\r", body)
    crlf = body.count("\r\n")
    separators = sum(map(body.count, _SEPARATOR_CHARS)) - crlf
    run_on = separators < 3
    normalized = body.replace("\r\n", "\n") if crlf else body
    for char in _SEPARATOR_CHARS[1:]:
        if char in normalized:
            normalized = normalized.replace(char, "\n")
    # Jurisdiction subfiles start with their type twice ("ZVZVA01"). Types named in the header are trusted
    # anywhere; without a header, such a pattern counts only in run-on data (a name may hold "ZAZAM").
    kinds = set(jurisdiction_types)
    if run_on and not kinds and "Z" in body:
        kinds = set(re.findall(r"(Z[A-Z])(?=\1[A-Z])", body))
    for kind in kinds:
        if kind + kind in normalized:
            normalized = re.sub(f"{kind}(?={kind}[A-Z])", f"\n{kind}\n", normalized)
    chunks = [c for c in normalized.split("\n") if c.strip()]
    # With separators, an ID that starts its own line elsewhere is never also inside another value.
    starts = frozenset() if run_on else frozenset(c[:3] for c in chunks)
    if run_on:
        repairs.append(
            "no element separators: split on element IDs"
            if " " not in body.strip()[:200]
            else "element separators missing or turned into spaces: split on element IDs"
        )
    elif "\r" in body and "\n" in body and "\r\n" not in body and body.find("\r") < body.find("\n"):
        repairs.append("LF and CR swapped or mixed: treated alike")
    elif "\r\n" in body:
        repairs.append("CR arrived as CRLF: treated alike")
    found: dict[str, str] = {}
    last_main: str | None = None
    for chunk in chunks:
        if chunk in kinds or (not run_on and chunk[0] == "Z" and _JUR_START.match(chunk)):
            break  # the DL/ID subfile ends where a jurisdiction subfile starts
        head = chunk[:3]
        if head in CODES and (len(chunk) < 6 or _ANY_CODE.search(chunk, 3) is None):
            # The usual case, as _segment's first test: one element per chunk (no call, no list).
            if head not in found:
                found[head] = chunk[3:]
                last_main = head
            continue
        for code, value in _segment(chunk, found, run_on, starts):
            if code not in found:
                found[code] = value
                last_main = code
    if cr_as_m and last_main and found[last_main].rstrip().endswith(("M", "m")):
        found[last_main] = found[last_main].rstrip()[:-1]
    return found


def _segment(chunk: str, seen: dict[str, str], run_on: bool, starts: frozenset[str]) -> list[tuple[str, str]]:
    """Split one separator-delimited chunk into (code, value) pairs, choosing the most credible cuts.

    Each element ID appears once per subfile, so when the best split uses an ID twice (one of them is
    inside a name, say ADAIR holding DAI), each occurrence is tried alone and the better split is kept.
    """
    if chunk[:3] in CODES and (len(chunk) < 6 or _ANY_CODE.search(chunk, 3) is None):
        return [(chunk[:3], chunk[3:])]  # the usual case: one element per chunk
    positions = [m.start() for m in CODE_START.finditer(chunk)]
    if starts:
        positions = [p for p in positions if p == 0 or chunk[p : p + 3] not in starts]
    if not positions:
        return []
    if len(positions) == 1:
        p = positions[0]
        return [(chunk[p : p + 3], chunk[p + 3 :])]
    score, cuts = _best_split(chunk, positions, seen, run_on)
    for _ in range(4):
        codes = [chunk[p : p + 3] for p in cuts]
        if len(set(codes)) == len(codes):
            break
        twice = next((c for c in codes if codes.count(c) > 1), None)
        if twice is None:
            break
        if twice == chunk[cuts[0] : cuts[0] + 3]:
            # The chunk's own first ID is certain; any later copy is inside a value.
            positions = [p for p in positions if p == cuts[0] or chunk[p : p + 3] != twice]
            score, cuts = _best_split(chunk, positions, seen, run_on)
            continue
        options = []
        for keep in [p for p in cuts if chunk[p : p + 3] == twice]:
            trimmed = [p for p in positions if chunk[p : p + 3] != twice or p == keep or p == positions[0]]
            options.append((*_best_split(chunk, trimmed, seen, run_on), keep))
        # On a tie the later occurrence wins: names and streets come before most elements on real cards.
        score, cuts, _ = max(options, key=lambda option: (option[0], option[2]))
        positions = [p for p in positions if chunk[p : p + 3] != twice or p in cuts]
    ends = [*cuts[1:], len(chunk)]
    return [(chunk[p : p + 3], chunk[p + 3 : end]) for p, end in zip(cuts, ends, strict=True)]


def _best_split(chunk: str, positions: list[int], seen: dict[str, str], run_on: bool) -> tuple[float, list[int]]:
    """The highest-scoring choice of cut positions (the first is always cut), by dynamic programming.

    Each position looks at most six cuts ahead (the next five candidates and the end), so the work is
    linear in the number of candidates. This loop is the parser's hot spot on run-on data, so the nearest
    cut (usually the right one) is scored first and a farther one is scored only if its upper bound can
    still beat the best so far; ties go to the farthest cut, as they always have.
    """
    n = len(positions)
    size = len(chunk)
    codes = [chunk[p : p + 3] for p in positions]
    if run_on:
        cut_gain = [_CUT_BONUS.get(c, -0.5) for c in codes]
    else:
        cut_gain = [-1.0] * n  # with separators, a cut inside a line needs strong evidence
    ends = [*positions, size]
    best = [0.0] * (n + 1)
    reach = [0.0] * (n + 1)  # best[j] plus the gain of cutting at j: what choosing j brings before its value
    nxt = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        p = positions[i]
        start = p + 3
        code = codes[i]
        check, ok_gain, wants, width = _RULES.get(code, _NO_RULE)
        base = -10.0 if code in seen else 0.0
        # No value spans more than 5 candidate IDs or 160 characters: bounds the work on run-on data.
        far = min(n - 1, i + 5)
        options = list(range(i + 1, far + 1))
        if size - p <= 160 or i + 5 >= n:
            options.append(n)
        if width is not None:
            # A fixed-width value cannot reach a far cut; keep the near ones and the nearest as the fallback.
            limit = start + width + 6
            options = [j for j in options if ends[j] <= limit] or options[:1]
        top, choice = None, n
        for j in options:
            end = ends[j]
            if end < start:
                continue
            score = base + reach[j]
            if top is not None and score + ok_gain < top:
                continue  # even a fitting value would not beat the best so far
            if check is not None:
                text = chunk[start:end].strip()
                score += ok_gain if check(text) else -5.0
                short = len(text) < 2
            else:
                # Not white space at both ends of two or more characters: the value is long enough.
                short = end - start < 2 or chunk[start].isspace() or chunk[end - 1].isspace()
                if short:
                    text = chunk[start:end].strip()
                    short = len(text) < 2
            if short:
                if wants:
                    score -= 3.0 if not text else 1.0
                if run_on and i > 0 and not text:
                    score -= 1.0  # an empty element in run-on data is more likely an ID inside a name
            if top is None or score >= top:  # near to far: on a tie the farther cut wins
                top, choice = score, j
        if top is None:  # every nearby cut overlaps: the value runs to the end
            top, choice = _element_score(code, chunk[start:], seen) + best[n], n
        best[i], nxt[i] = top, choice
        reach[i] = top + cut_gain[i]
    cuts, i = [], 0
    while i < n:
        cuts.append(positions[i])
        i = nxt[i]
    return best[0], cuts


def _element_score(code: str, value: str, seen: dict[str, str]) -> float:
    score = -10.0 if code in seen else 0.0
    text = value.strip()
    check = _VALIDATORS.get(code)
    if check is not None:
        score += 2.0 if check(text) else -5.0
    if len(text) < 2 and code in _WANT_VALUE:
        score -= 3.0 if not text else 1.0
    return score
