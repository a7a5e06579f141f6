"""Field limits at the boundary: what a name, a note, a purpose may hold, checked in the core.

Every door (the window, the CLI, a scan, a list import) goes through these, so a 50,000-character name or a
name with control characters in it never reaches the database, a badge or a printed roster. The message
says which field and what the limit is, in the front office's words.
"""

from __future__ import annotations

from collections.abc import Iterable

from frontdesk.errors import InputError

NAME_MAX = 100  # a first, middle or last name, a suffix, an alias
SHORT_MAX = 200  # a purpose, a destination, a reason, a list's name
NOTE_MAX = 1_000  # a note
_CONTROL = {chr(c) for c in range(32)} | {chr(127)}


def check_field(value: str | None, what: str, limit: int, *, lines: bool = False) -> None:
    """InputError if ``value`` is longer than ``limit`` or holds control characters (newlines if ``lines``)."""
    if not value:
        return
    if len(value) > limit:
        raise InputError(f"{what} is too long: {len(value):,} characters (at most {limit:,})", code="too_long")
    allowed = {"\n", "\t", "\r"} if lines else set()
    if any(c in _CONTROL and c not in allowed for c in value):
        raise InputError(f"{what} contains control characters; type it again", code="bad_characters")


def check_name(value: str | None, what: str) -> None:
    """A name: at most ``NAME_MAX`` characters, on one line."""
    check_field(value, what, NAME_MAX)


def check_names(values: Iterable[str], what: str) -> None:
    """Several names (aliases, students)."""
    for value in values:
        check_name(value, what)
