"""A list entry on the wire, and the list CSV reader the desk and the district hub both use.

The desk imports a CSV into its own lists (``frontdesk barred import``); the hub imports the district's
lists (``frontdesk district barred import``) and sends their entries to every desk. Both read the file with
the same columns and the same checks, here, so a file the hub accepts is one every desk can apply.

On the wire an entry is a JSON object (:meth:`ListEntry.to_json`); a snapshot is newline-delimited JSON
(one header line, then one entry per line), so a million-entry list is streamed, never held whole.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import BinaryIO

from frontdesk.errors import InputError
from frontdesk.limits import NOTE_MAX, SHORT_MAX, check_field, check_name, check_names
from frontdesk.wire.keys import last4
from frontdesk.wire.names import fold

KINDS = ("barred", "custody", "watch", "registry")
DEFAULT_COLUMNS = ("first_name", "middle_name", "last_name", "dob", "aliases", "kind", "reason")
# Optional extra columns understood when present (same names in a mapping).
OPTIONAL_COLUMNS = ("valid_from", "valid_until", "notes", "students", "sex", "id_state", "id_last4")
REQUIRED_COLUMNS = ("last_name",)


def normal_dob(text: str | date | None, what: str = "date of birth") -> str | None:
    """A date of birth as stored: ``1980-03-14``, ``1980`` or None (unknown); also reads MM/DD/YYYY."""
    if isinstance(text, date):
        return text.isoformat()
    if text is None or not str(text).strip():
        return None
    value = str(text).strip()
    try:
        if len(value) == 4 and value.isdigit():
            return value
        if "/" in value:
            month, day, year = (int(p) for p in value.split("/"))
            return date(year, month, day).isoformat()
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"{what} must look like 1980-03-14 or 1980, not {value!r}") from None


def normal_date(text: str | None, what: str) -> str | None:
    """A YYYY-MM-DD date (None when empty), or an InputError naming the field."""
    if text is None or not str(text).strip():
        return None
    try:
        return date.fromisoformat(str(text).strip()).isoformat()
    except ValueError:
        raise InputError(f"{what} must be a date like 2026-03-14, not {text!r}") from None


def normal_kind(text: str | None, what: str = "kind") -> str | None:
    """A kind's name (lower case), None when empty, or an InputError listing the choices."""
    if text is None or not str(text).strip():
        return None
    value = str(text).strip().lower()
    if value not in KINDS:
        raise InputError(f"{what} must be one of: {', '.join(KINDS)} (not {text!r})")
    return value


def check_fields(
    first_name: str,
    middle_name: str,
    last_name: str,
    aliases: tuple[str, ...],
    students: tuple[str, ...],
    reason: str,
    notes: str,
    valid_from: date | str | None,
    valid_until: date | str | None,
) -> None:
    """InputError unless an entry with these fields can be stored (the desk's and the hub's one rule)."""
    if not last_name.strip():
        raise InputError("A list entry needs a last name")
    check_name(first_name, "The first name")
    check_name(middle_name, "The middle name")
    check_name(last_name, "The last name")
    check_names(aliases, "An alias")
    check_names(students, "A student's name")
    check_field(reason, "The reason", SHORT_MAX)
    check_field(notes, "The notes", NOTE_MAX, lines=True)
    if not first_name.strip() and not aliases:
        raise InputError("A list entry needs a first name (or an alias)")
    if valid_from and valid_until and str(valid_until) < str(valid_from):
        raise InputError("The entry's end date is before its start date")


@dataclass(frozen=True)
class ListEntry:
    """One person on a list as the wire carries it: plain text fields, already checked."""

    first_name: str
    last_name: str
    middle_name: str = ""
    aliases: tuple[str, ...] = ()
    dob: str | None = None  # 1980-03-14, 1980 or None
    kind: str | None = None  # None: the list's own kind
    reason: str = ""
    valid_from: str | None = None
    valid_until: str | None = None
    notes: str = ""
    students: tuple[str, ...] = ()
    sex: str = ""
    id_state: str = ""
    id_last4: str = ""

    def to_json(self) -> dict:
        """The entry as a JSON object (tuples as lists)."""
        record = asdict(self)
        record["aliases"] = list(self.aliases)
        record["students"] = list(self.students)
        return record

    @classmethod
    def from_json(cls, record: Mapping) -> ListEntry:
        """An entry from :meth:`to_json`'s object, checked again (an InputError if it is not one)."""
        if not isinstance(record, Mapping):
            raise InputError("a list entry must be a JSON object")

        def text(name: str) -> str:
            value = record.get(name) or ""
            if not isinstance(value, str):
                raise InputError(f"a list entry's {name} must be text")
            return value

        def names(name: str) -> tuple[str, ...]:
            value = record.get(name) or []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(f"a list entry's {name} must be a list of names")
            return tuple(value)

        return make_entry(
            first_name=text("first_name"),
            middle_name=text("middle_name"),
            last_name=text("last_name"),
            aliases=names("aliases"),
            dob=text("dob"),
            kind=text("kind"),
            reason=text("reason"),
            valid_from=text("valid_from"),
            valid_until=text("valid_until"),
            notes=text("notes"),
            students=names("students"),
            sex=text("sex"),
            id_state=text("id_state"),
            id_last4=text("id_last4"),
        )


def make_entry(
    *,
    first_name: str,
    last_name: str,
    middle_name: str = "",
    aliases: tuple[str, ...] = (),
    dob: str | None = None,
    kind: str | None = None,
    reason: str = "",
    valid_from: str | None = None,
    valid_until: str | None = None,
    notes: str = "",
    students: tuple[str, ...] = (),
    sex: str = "",
    id_state: str = "",
    id_last4: str = "",
    default_kind: str | None = None,
) -> ListEntry:
    """A checked :class:`ListEntry` from typed or read text, or an InputError naming what is wrong."""
    aliases = tuple(a.strip() for a in aliases if a.strip())
    students = tuple(s.strip() for s in students if s.strip())
    start = normal_date(valid_from, "valid_from")
    end = normal_date(valid_until, "valid_until")
    check_fields(first_name, middle_name, last_name, aliases, students, reason, notes, start, end)
    return ListEntry(
        first_name=first_name.strip(),
        middle_name=middle_name.strip(),
        last_name=last_name.strip(),
        aliases=aliases,
        dob=normal_dob(dob, "dob"),
        kind=normal_kind(kind) or default_kind,
        reason=reason.strip(),
        valid_from=start,
        valid_until=end,
        notes=notes.strip(),
        students=students,
        sex=normal_sex(sex),
        id_state=id_state.strip().upper(),
        id_last4=last4(id_last4),  # a file or a person may give the whole number: only its last 4 are kept
    )


def column_map(header: list[str], mapping: Mapping[str, str] | None) -> dict[str, int]:
    """Our field name -> the column index in the file (``mapping``: our field -> the file's header)."""
    position = header_positions(header)
    columns: dict[str, int] = {}
    for ours in (*DEFAULT_COLUMNS, *OPTIONAL_COLUMNS):
        theirs = (mapping or {}).get(ours, ours).strip().lower()
        if theirs in position:
            columns[ours] = unique_column(header, theirs, position)
        elif mapping and ours in mapping:
            raise InputError(f"The file has no column {mapping[ours]!r} (mapped to {ours})")
    for unknown in set(mapping or {}) - set(DEFAULT_COLUMNS) - set(OPTIONAL_COLUMNS):
        raise InputError(f"Unknown field {unknown!r} in the column mapping")
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InputError(f"The file has no {', '.join(missing)} column (columns: {', '.join(header)})")
    return columns


def header_positions(header: list[str]) -> dict[str, int]:
    """Each column's name (trimmed, lower case) -> its index; a name given twice keeps its last index."""
    return {name.strip().lower(): i for i, name in enumerate(header)}


def unique_column(header: list[str], name: str, position: Mapping[str, int]) -> int:
    """The index of the column ``name`` that is read, or an InputError if the header has it twice.

    Which of two same-named columns is meant cannot be known, and reading either one silently (a second, empty
    "DOB" column, a second "Last name" of someone else) files an entry that does not screen the person listed.
    """
    same = [i for i, h in enumerate(header) if h.strip().lower() == name]
    if len(same) > 1:
        raise InputError(
            f"The file has two {name!r} columns (columns {same[0] + 1} and {same[1] + 1}); nothing imported. "
            "Rename or remove one and import again."
        )
    return position[name]


def check_width(values: list[str], width: int) -> None:
    """An InputError unless a row has the header's number of cells (empty cells past it are trailing commas).

    A row with more filled cells had a comma where none belonged (``Robert,Van,Barredman``: an unquoted name),
    so every cell after it is in the wrong column; a row with fewer ends early, as the last row of a file cut
    short does. Read anyway, either files an entry under the wrong name or without its date of birth.
    """
    n = len(values)
    if n < width or (n > width and any(v.strip() for v in values[width:])):
        why = "a comma inside a name needs quotes" if n > width else "is the file cut short?"
        raise InputError(f"{n} cells where the header has {width} ({why})", code="bad_row")


_LINE_ENDS = re.compile(r"\r\n|\r|\n")  # the line ends the csv reader counts (a file opened with newline="")


def not_utf8(raw: BinaryIO) -> tuple[int, str]:
    """``(line, sentence)`` for a file whose bytes are not UTF-8: the line of the first bad byte (the text
    reader decodes ahead in chunks, so the row it had reached is not it) and what to do about it.

    Reads the file again from the start, a chunk at a time: only ever on the way to refusing it.
    """
    raw.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    lines, last = 1, ""
    while True:
        chunk = raw.read(1 << 20)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            good = exc.object[: exc.start].decode("utf-8-sig", "replace")
            lines += len(_LINE_ENDS.findall(last + good)) - len(_LINE_ENDS.findall(last))
            bad = exc.object[exc.start]
            break
        lines += len(_LINE_ENDS.findall(last + text)) - len(_LINE_ENDS.findall(last))
        last = text[-1:]
        if not chunk:
            return lines, 'not saved as UTF-8 text: save it as "CSV UTF-8" and import again'
    raw.seek(0)
    utf16 = raw.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    hint = "; it looks like UTF-16, Excel's Unicode Text" if utf16 else ""
    return lines, f'not saved as UTF-8 text (byte 0x{bad:02x}{hint}): save it as "CSV UTF-8" and import again'


def csv_problem(exc: csv.Error) -> str:
    """What a strict csv reader's error means, in the office's words.

    The readers are strict: a quote left open would otherwise take every later row into its cell, as text,
    and those rows (people on a list) would be missing without a word.
    """
    text = str(exc)
    if "unexpected end of data" in text:
        return 'a " opened in this row is never closed: close it, or remove it'
    if "expected after" in text:
        return 'text after a closing " in a cell: quote the whole cell and write a " inside it as ""'
    if "field larger than field limit" in text:
        return f"a cell of more than {csv.field_size_limit():,} characters, more than any list holds"
    return f"unreadable ({text})"


# A replace that would remove more than half of a list this long or longer at once is refused unless asked for
# (``--allow-shrink``): a file cut short (a download or an export that stopped part way, even exactly between
# two rows, which every check of the rows accepts) would drop everyone after the cut, and they would screen
# clear at every door. A short list often changes by half (3 entries to 1): it is not guarded.
SHRINK_GUARD_FROM = 10


def shrinks_sharply(live: int, new: int) -> bool:
    """True when replacing a list of ``live`` entries with ``new`` entries removes more than half of it."""
    return live >= SHRINK_GUARD_FROM and new * 2 < live


def shrink_refusal(path: object, list_words: str, live: int, new: int) -> str:
    """The plain message of a refused sharp shrink (``list_words``: "the list 'X'" or "the district list 'X'")."""
    return (
        f"{path} has {new:,} entries and {list_words} has {live:,}: replacing it would remove "
        f"{live - new:,} of them at once. If the file was cut short (a download or an export that stopped part "
        "way), everyone after the cut would screen clear. Nothing was changed. Check the file; to replace the "
        "list with it on purpose, import again with --allow-shrink."
    )


def split_names(text: str) -> tuple[str, ...]:
    """``Bob; Rob`` -> ("Bob", "Rob"): how a CSV cell holds several aliases or students."""
    return tuple(part.strip() for part in text.split(";") if part.strip())


def row_fields(values: list[str], columns: Mapping[str, int]) -> dict[str, str]:
    """One CSV row's cells by our field names (missing cells are empty)."""
    n = len(values)
    return {name: values[i].strip() if i < n else "" for name, i in columns.items()}


def row_entry(values: list[str], columns: Mapping[str, int], default_kind: str | None = None) -> ListEntry:
    """One CSV row as a checked entry, or an InputError naming what is wrong with it."""
    get = row_fields(values, columns).get
    aliases, students = get("aliases", ""), get("students", "")
    return make_entry(
        first_name=get("first_name", ""),
        middle_name=get("middle_name", ""),
        last_name=get("last_name", ""),
        aliases=split_names(aliases) if aliases else (),
        dob=get("dob", ""),
        kind=get("kind", ""),
        reason=get("reason", ""),
        valid_from=get("valid_from", ""),
        valid_until=get("valid_until", ""),
        notes=get("notes", ""),
        students=split_names(students) if students else (),
        sex=get("sex", ""),
        id_state=get("id_state", ""),
        id_last4=get("id_last4", ""),
        default_kind=default_kind,
    )


def read_entries(
    handle, mapping: Mapping[str, str] | None = None, default_kind: str | None = None
) -> Iterator[tuple[int, ListEntry | InputError]]:
    """(line, entry or the error of that line) for each non-blank row of an open CSV file (header first).

    An unreadable file (not CSV, not UTF-8) is an InputError raised from the iterator.
    """
    rows = csv.reader(handle, strict=True)
    try:
        header = next(rows)
    except StopIteration:
        raise InputError("the file is empty") from None
    except UnicodeDecodeError:
        line, why = not_utf8(handle.buffer)
        raise InputError(f"line {line} is {why}; nothing imported") from None
    except csv.Error as exc:
        raise InputError(f"line 1 (the header): {csv_problem(exc)}") from None
    columns = column_map(header, mapping)
    read = rows.line_num  # the last line read whole: a row cut by an error starts after it
    try:
        for values in rows:
            read = rows.line_num
            if not any(v.strip() for v in values):
                continue
            try:
                check_width(values, len(header))
                yield rows.line_num, row_entry(values, columns, default_kind)
            except InputError as exc:
                yield rows.line_num, exc
    except UnicodeDecodeError:
        line, why = not_utf8(handle.buffer)
        yield line, InputError(why)
    except csv.Error as exc:
        yield read + 1, InputError(csv_problem(exc))


def normal_sex(text: str | None) -> str:
    """ "M", "F", "X" or "" from what a list or an ID writes (M/F/X, male/female, 1/2 as AAMVA codes them)."""
    value = (text or "").strip().upper()
    codes = {"MALE": "M", "FEMALE": "F", "1": "M", "2": "F", "9": "X", "U": ""}
    return codes.get(value, value[:1] if value[:1] in ("M", "F", "X") else "")


def typed_sex(text: str | None) -> str:
    """A sex a person typed (a command line's ``--sex``, the hub's form and API): :func:`normal_sex`'s answer, or
    an InputError for text it cannot read. A person can correct a slip; a list file's unreadable column is
    "not known" instead (``normal_sex`` alone): a registry's value, not a typing slip."""
    sex, typed = normal_sex(text), (text or "").strip()
    if not sex and typed:
        raise InputError(f"Sex must be M, F or X (or left empty when not known), not {typed[:20]!r}")
    return sex


_JSON = json.JSONEncoder(ensure_ascii=False).encode  # the desk's own text of a list of names

# The columns of a desk's ``screening_entries`` row that a district list file carries for each entry, in
# this order (the desk adds its own id and list id; a district entry has no photo). See desk_row.
DESK_COLUMNS = (
    "kind", "first_name", "middle_name", "last_name", "aliases", "dob", "reason", "valid_from", "valid_until",
    "notes", "students", "search", "sex", "id_state", "id_last4",
)  # fmt: skip


def desk_row(record: Mapping, list_kind: str) -> tuple:
    """The values a desk stores for one entry of a district list (:data:`DESK_COLUMNS`), from the entry's
    wire object as the hub keeps it (checked when the hub took it in).

    The same row the desk's own ``entry_row`` gives for the entry a snapshot line carries (a test pins the
    two together): the district hub builds a list file of these rows once per generation
    (``district.hub.list_files``), and a desk copies them into its tables with SQL, without Python per entry.
    """
    get = record.get
    first, middle, last = get("first_name") or "", get("middle_name") or "", get("last_name") or ""
    aliases, students = list(get("aliases") or ()), list(get("students") or ())
    return (
        get("kind") or list_kind,
        first.strip(),
        middle.strip(),
        last.strip(),
        _JSON(aliases) if aliases else "[]",
        normal_dob(get("dob") or None),
        (get("reason") or "").strip(),
        get("valid_from") or None,
        get("valid_until") or None,
        (get("notes") or "").strip(),
        _JSON(students) if students else "[]",
        fold(" ".join([first, middle, last, *aliases])),
        normal_sex(get("sex")),
        (get("id_state") or "").strip().upper(),
        last4(get("id_last4")),
    )
