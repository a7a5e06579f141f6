"""A staff account as the accounts window, the command line and first-run set-up show it (:class:`Account`), read
by :meth:`Accounts.list` and :meth:`Accounts.get`.

Its own module, imported by those two reads: signing in, the sign-in pad's quick picks and the desk's first screen
read no account this way, and creating a frozen dataclass costs about 5 M instructions on Python 3.11 (each
generated method is parsed and compiled from source), which the desk's start need not pay (issue 13; as
:mod:`frontdesk.badges.attempts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from frontdesk import clock
from frontdesk.access.roles import Role


@dataclass(frozen=True)
class Account:
    """A staff account as shown in lists (never its secret)."""

    id: int
    username: str
    display_name: str
    role: Role
    disabled: bool
    created_at: datetime
    last_sign_in: datetime | None
    email: str = ""
    mobile: str = ""


COLUMNS = "id, username, display_name, role, disabled, created_at, last_sign_in, email, mobile"


def from_row(row: tuple) -> Account:
    """A :data:`COLUMNS` row of ``users`` as an :class:`Account`."""
    return Account(
        id=row[0],
        username=row[1],
        display_name=row[2],
        role=Role(row[3]),
        disabled=bool(row[4]),
        created_at=clock.from_db(row[5]),  # type: ignore[arg-type]
        last_sign_in=clock.from_db(row[6]),
        email=row[7],
        mobile=row[8],
    )
