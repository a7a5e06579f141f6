"""District staff: console sign-ins with a district role (district administrator, security).

The district views and the list endpoints need a signed-in session of a person in ``hub_staff``; a
dispatcher without a district role (the live screen's own users) is refused them (HTTP 403), and district
staff are refused the dispatchers' live screen and its Acks and states (HTTP 403, ``dispatcher_of`` in
district/console/app.py): a list administrator's account must not acknowledge a school's panic alert.
Both roles see the district; changing lists needs either role; district settings need the administrator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from district import clock
from district.console.auth import Auth, Forbidden, log
from district.console.db import Database
from district.errors import InputError

ROLES = ("administrator", "security")
ROLE_WORDS = {"administrator": "district administrator", "security": "security"}


@dataclass(frozen=True)
class StaffMember:
    """A signed-in person of the district and their role."""

    username: str
    role: str

    def require(self, *roles: str) -> None:
        """Forbidden unless the member has one of ``roles``."""
        if self.role not in roles:
            words = " or ".join(ROLE_WORDS[r] for r in roles)
            raise Forbidden(f"this needs the {words} role; {self.username} is {ROLE_WORDS[self.role]}")


class Staff:
    """Who of the console's sign-ins is district staff, and with which role."""

    def __init__(self, db: Database, auth: Auth):
        self._db = db
        self._auth = auth

    def add(self, username: str, password: str, role: str) -> StaffMember:
        """A new sign-in with a district role (the password as the console's dispatchers have one)."""
        role = _role(role)
        self._auth.add_dispatcher(username, password)
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO hub_staff (username, role, created_at) VALUES (?, ?, ?)",
                [username.strip(), role, clock.to_db(clock.now())],
            )
            log(tx, "staff_added", actor=username.strip(), role=role)
        return StaffMember(username.strip(), role)

    def of(self, token: str | Sequence[str] | None) -> StaffMember:
        """The district staff member of a session token: Unauthenticated without one, Forbidden if not staff."""
        who = self._auth.dispatcher(token)
        if who.district_role is None:
            raise Forbidden(f"{who.username} is not district staff (district administrator or security)")
        return StaffMember(who.username, who.district_role)


def _role(text: str) -> str:
    value = (text or "").strip().lower().replace("district-", "").replace("district ", "")
    value = "administrator" if value in ("admin", "district_administrator") else value
    if value not in ROLES:
        raise InputError(f"the role must be administrator or security, not {text!r}")
    return value
