"""CSV import of an approved-volunteer list (the district's or the background-check provider's export).

The barred lists' rules: the whole file or nothing (every bad row listed by line, nothing written), and
``--map FIELD=COLUMN`` for a file whose headers differ. A row for someone already on file (same name, same
date of birth when both give one) updates their record; anyone else is added.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from frontdesk import clock
from frontdesk.errors import InputError
from frontdesk.screening.importer import MAX_ERRORS_LISTED, ImportFailed
from frontdesk.volunteers.models import BackgroundCheck, NewVolunteer, checked_new
from frontdesk.wire.lists import check_width, csv_problem, header_positions, not_utf8, unique_column

FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "dob",
    "activities",
    "schools",
    "training",
    "check_kind",
    "check_provider",
    "check_date",
    "check_result",
    "check_expires",
)
REQUIRED = ("first_name", "last_name")


@dataclass(frozen=True)
class VolunteerImport:
    """What an import did."""

    added: int
    updated: int
    seconds: float


def column_map(header: list[str], mapping: Mapping[str, str] | None) -> dict[str, int]:
    """Our field name -> the column index in the file (``mapping`` gives the file's header for a field)."""
    for unknown in set(mapping or {}) - set(FIELDS):
        raise InputError(f"Unknown field {unknown!r} in the column mapping (fields: {', '.join(FIELDS)})")
    position = header_positions(header)
    columns: dict[str, int] = {}
    for ours in FIELDS:
        theirs = (mapping or {}).get(ours, ours).strip().lower()
        if theirs in position:
            columns[ours] = unique_column(header, theirs, position)
        elif mapping and ours in mapping:
            raise InputError(f"The file has no column {mapping[ours]!r} (mapped to {ours})")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InputError(f"The file has no {', '.join(missing)} column (columns: {', '.join(header)})")
    return columns


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(";") if p.strip())


def row_to_volunteer(values: list[str], columns: Mapping[str, int]) -> NewVolunteer:
    """One CSV row as a new volunteer, or InputError naming what is wrong with it."""
    n = len(values)
    get = {name: values[i].strip() if i < n else "" for name, i in columns.items()}.get

    def day(name: str):
        text = get(name, "")
        return clock.parse_date(text, name) if text else None

    return checked_new(
        NewVolunteer(
            first_name=get("first_name", ""),
            middle_name=get("middle_name", ""),
            last_name=get("last_name", ""),
            dob=day("dob"),
            activities=_split(get("activities", "")),
            schools=_split(get("schools", "")),
            training=_split(get("training", "")),
            check=BackgroundCheck(
                get("check_kind", ""),
                get("check_provider", ""),
                day("check_date"),
                get("check_result", ""),
                day("check_expires"),
            ),
        )
    )


def read_csv(path: Path | str, mapping: Mapping[str, str] | None = None) -> list[NewVolunteer]:
    """Every row of ``path`` as a new volunteer; ImportFailed (listing bad rows by line) if any is wrong."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        rows = csv.reader(handle, strict=True)  # see csv_problem: a quote left open must not eat rows
        try:
            header = next(rows)
        except StopIteration:
            raise InputError(f"{path} is empty") from None
        except UnicodeDecodeError:
            line, why = not_utf8(handle.buffer)
            raise InputError(f"{path}: line {line} is {why}; nothing imported") from None
        except csv.Error as exc:
            raise InputError(f"{path}: line 1 (the header): {csv_problem(exc)}; nothing imported") from None
        columns = column_map(header, mapping)
        parsed: list[NewVolunteer] = []
        errors: list[tuple[int, str]] = []
        count = 0
        read = rows.line_num  # the last line read whole: a row cut by a csv error starts after it
        try:
            for values in rows:
                read = rows.line_num
                if not any(v.strip() for v in values):
                    continue
                try:
                    check_width(values, len(header))
                    parsed.append(row_to_volunteer(values, columns))
                except InputError as exc:
                    count += 1
                    if len(errors) < MAX_ERRORS_LISTED:
                        errors.append((rows.line_num, exc.message))
        except UnicodeDecodeError:
            count += 1
            errors.append(not_utf8(handle.buffer))
        except csv.Error as exc:
            count += 1
            errors.append((read + 1, csv_problem(exc)))
    if count:
        raise ImportFailed(str(path), errors, count)
    return parsed
