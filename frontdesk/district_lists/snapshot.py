"""A district snapshot's lines as this desk's rows: checked by SQLite, built without a parse per line in Python.

A snapshot is a million lines of ``{"id": N, "entry": {...}}`` (and the entry's blocking keys after a tab).
The desk keeps them as they came in a TEMP table of its connection (``temp.snapshot_lines``: no log, no
fsync, nothing another connection sees), then reads them back a step at a time, checked (each field of the
type the desk stores, a last name, a known kind, lists of names) and taken apart by SQLite in one parse of
each line (:data:`SELECT_STEP`), and builds each stored row with the same rules as
:func:`frontdesk.screening.lists.entry_row` (:func:`stored_row`). Python's JSON decoder, a ``NewEntry`` per
line and its checks were about two thirds of the desk's Python time per entry.

Any line the checks refuse fails the whole snapshot: the old copy stays in force.
"""

from __future__ import annotations

import functools
import json

from frontdesk import clock
from frontdesk.errors import InputError
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.lists import normal_sex
from frontdesk.screening.models import Kind
from frontdesk.wire.keys import entry_keys, id_key, last4
from frontdesk.wire.names import fold

TEXT = ("first_name", "middle_name", "last_name", "reason", "notes", "sex", "id_state", "id_last4", "dob")
NAMES = ("aliases", "students")
DAYS = ("valid_from", "valid_until")
KINDS = ("barred", "custody", "watch", "registry")

CREATE = "CREATE TEMP TABLE snapshot_lines (line TEXT NOT NULL, keys TEXT)"  # rowid: the line's place
INSERT = "INSERT INTO temp.snapshot_lines (line, keys) VALUES (?, ?)"


def _field(name: str) -> str:
    return f"json_extract(line, '$.entry.{name}')"


def _type(name: str) -> str:
    return f"json_type(line, '$.entry.{name}')"


# A line is refused unless: valid JSON with an integer id and an entry object; every text field text or
# absent/null; a last name; a kind this desk knows (or none: the list's); aliases and students absent/null or
# arrays of text; the validity days text or absent/null (read as dates in stored_row).
# A line that is not JSON at all is refused before any other call reads it (they would fail the statement).
_BAD = (
    "CASE WHEN json_valid(line) THEN "
    + " OR ".join(
        [
            "json_type(line, '$.id') IS NOT 'integer'",
            "json_type(line, '$.entry') IS NOT 'object'",
            *(f"coalesce({_type(n)}, 'null') NOT IN ('text', 'null')" for n in (*TEXT, *DAYS, "kind")),
            f"coalesce({_field('last_name')}, '') = ''",
            f"coalesce({_field('kind')}, '') NOT IN ('', {', '.join(repr(k) for k in KINDS)})",
            *(f"coalesce({_type(n)}, 'null') NOT IN ('array', 'null')" for n in NAMES),
            *(  # json_each of the small array only (SQLite keeps the line's parse for the calls on ``line``)
                f"(json_array_length(line, '$.entry.{n}') > 0 AND EXISTS "
                f"(SELECT 1 FROM json_each({_field(n)}) WHERE type IS NOT 'text'))"
                for n in NAMES
            ),
        ]
    )
    + " ELSE 1 END"
)


# One step of lines, checked and taken apart by SQLite in one pass: (rowid, refused, hub id, kind, the text
# fields, aliases and students as JSON text, the validity days, the keys the hub sent). The checks and the
# fields come from one parse of each line (SQLite caches it for the calls of one row).
def _valid(expr: str) -> str:
    return f"CASE WHEN json_valid(line) THEN {expr} END"


SELECT_STEP = (
    f"SELECT rowid, {_BAD}, "
    + _valid("json_extract(line, '$.id')")
    + ", "
    + ", ".join(_valid(f"coalesce({_field(n)}, '')") for n in ("kind", *TEXT))
    + ", "
    + ", ".join(_valid(f"coalesce(json_extract(line, '$.entry.{n}'), '[]')") for n in NAMES)
    + ", "
    + ", ".join(_valid(_field(n)) for n in DAYS)
    + ", keys FROM temp.snapshot_lines WHERE rowid > ? ORDER BY rowid LIMIT ?"
)


@functools.lru_cache(maxsize=100_000)
def _dob(text: str) -> str | None:
    """A date of birth as stored, read once per distinct text (a million entries share some 25,000 dates)."""
    return parse_dob(text).text


@functools.lru_cache(maxsize=4_096)
def _day(text: str) -> str:
    return clock.parse_date(text).isoformat()


def _names(text: str) -> tuple[list[str], str]:
    """A JSON array of names as SQLite gave it: the names, and the text stored (json.dumps, as entry_row)."""
    if text == "[]":
        return [], "[]"
    names = json.loads(text)
    return names, json.dumps(names, ensure_ascii=False) if names else "[]"


def stored_row(list_id: int, kind: Kind, values: tuple) -> tuple[int, tuple, list[str] | None, str | None]:
    """One line's (hub id, stored row as :func:`~frontdesk.screening.lists.entry_row` builds it, keys, hub keys).

    ``values`` is one row of :data:`SELECT_STEP` without its rowid and refusal. The keys are computed here only
    when the hub sent none (its key rules are not this desk's); else they are the hub's JSON text, filed later
    by SQLite.
    """
    (hub_id, own_kind, first, middle, last, reason, notes, sex, id_state, id_last, dob, aliases, students,
     valid_from, valid_until, hub_keys) = values  # fmt: skip
    alias_list, alias_text = _names(aliases)
    _, student_text = _names(students)
    dob_text = _dob(dob)
    state, last_four = id_state.strip().upper(), last4(id_last)
    row = (
        list_id,
        own_kind or kind.value,
        first.strip(),
        middle.strip(),
        last.strip(),
        alias_text,
        dob_text,
        reason.strip(),
        _day(valid_from) if valid_from else None,
        _day(valid_until) if valid_until else None,
        notes.strip(),
        student_text,
        None,  # photo: a snapshot carries none
        fold(" ".join([first, middle, last, *alias_list])),
        normal_sex(sex),
        state,
        last_four,
    )
    keys = None
    if hub_keys is None:
        keys = entry_keys(first, last, alias_list, dob_text, middle)
        by_id = id_key(state, last_four)
        keys = [*keys, by_id] if by_id else list(keys)
    return int(hub_id), row, keys, hub_keys


def refuse(count: int) -> InputError:
    """The error for a snapshot with lines this desk cannot take."""
    return InputError(f"{count} of its lines are not entries this desk can file")
