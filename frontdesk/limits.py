"""Field limits at the boundary: what a name, a note, a purpose may hold, checked in the core.

Every door (the window, the CLI, a scan, a list import) goes through these, so a 50,000-character name or a
name with control characters in it never reaches the database, a badge or a printed roster. The message
says which field and what the limit is, in the front office's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from frontdesk.errors import InputError

NAME_MAX = 100  # a first, middle or last name, a suffix, an alias
SHORT_MAX = 200  # a purpose, a destination, a reason, a list's name
NOTE_MAX = 1_000  # a note
# Control characters, as a pattern: searched in C (a list import checks millions of fields).
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # without \t, \n and \r


def check_field(value: str | None, what: str, limit: int, *, lines: bool = False) -> None:
    """InputError if ``value`` is longer than ``limit`` or holds control characters (newlines if ``lines``)."""
    if not value:
        return
    if len(value) > limit:
        raise InputError(f"{what} is too long: {len(value):,} characters (at most {limit:,})", code="too_long")
    if (_CONTROL_BUT_LINES if lines else _CONTROL).search(value):
        raise InputError(f"{what} contains control characters; type it again", code="bad_characters")


# The explicit direction controls (embeddings, overrides, isolates). An override shows "\u202enamderraB" as
# "Barredman" while the matcher reads it backwards; no name needs one (a right-to-left name is shown right to
# left without them).
_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")


def check_name(value: str | None, what: str) -> None:
    """A name: at most ``NAME_MAX`` characters, on one line, without direction controls."""
    check_field(value, what, NAME_MAX)
    if value and _DIRECTION.search(value):
        raise InputError(
            f"{what} contains characters that change the direction it is shown in; type it again",
            code="bad_characters",
        )


def check_names(values: Iterable[str], what: str) -> None:
    """Several names (aliases, students)."""
    for value in values:
        check_name(value, what)
