"""Small text helpers of the district screens' searches."""

from __future__ import annotations

# ``LIKE ? ESCAPE '\'``: the same on SQLite and PostgreSQL (standard strings), with :func:`contains`.
ESCAPE = " ESCAPE '\\'"


def contains(word: str) -> str:
    """A ``LIKE`` pattern matching text that contains ``word`` as typed: its ``%``, ``_`` and ``\\`` are
    escaped, so "50%" finds "50%" and not "500"."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
