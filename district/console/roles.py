"""Who may clear an incident: principals and administrators enrolled at the console, each with a key.

A station's credential proves which desk sent a message, not who stood at it. An all clear (a CAP
Cancel) ends a police response, so the console also asks for the signature of a person allowed to give
it (:mod:`frontdesk.wire.allclear`): a clearer of that school, not revoked, with the role principal or
administrator. The console keeps each clearer's signing key (it needs it to check signatures), never
the code that was printed.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from district import clock
from district.console.auth import Forbidden, Station, log
from district.console.db import Database, Tx
from district.errors import InputError
from frontdesk.wire import allclear, cap

ROLES = ("principal", "administrator")
_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class Clearer:
    """A person who may sign an all clear for one school."""

    clearer_id: str
    name: str
    role: str
    school: str


class Clearers:
    """Enrolment of clearers and the check of a Cancel's signature."""

    def __init__(self, db: Database):
        self._db = db

    def add(
        self, name: str, role: str, school: str, *, clearer_id: str = "", secret: str = ""
    ) -> tuple[Clearer, str]:
        """Enrol a clearer; returns them and their all-clear code (printed once, never stored).

        ``clearer_id`` and ``secret`` are for the demo's fixed code only; otherwise both are random.
        """
        name, role, school = name.strip(), role.strip().lower(), school.strip()
        role = "administrator" if role == "admin" else role
        if role not in ROLES:
            raise InputError(f"the role must be one of {', '.join(ROLES)}, not {role!r}")
        if not name or not school:
            raise InputError("a clearer needs a name and a school (--school)")
        clearer_id = clearer_id or "".join(secrets.choice(_ALPHABET) for _ in range(8))
        secret = secret or "".join(secrets.choice(_ALPHABET) for _ in range(20))  # 103 bits
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO clearers (clearer_id, name, role, school, key, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [clearer_id, name, role, school, allclear.key_of(secret), clock.to_db(clock.now())],
            )
            log(tx, "clearer_added", actor=name, role=role, school=school, clearer=clearer_id)
        return Clearer(clearer_id, name, role, school), f"{allclear.CODE_PREFIX}_{clearer_id}_{secret}"

    def revoke(self, clearer_id: str) -> None:
        """Stop accepting a clearer's signature (someone who left, a code that leaked)."""
        with self._db.transaction() as tx:
            cur = tx.execute(
                "UPDATE clearers SET revoked_at = ? WHERE clearer_id = ? AND revoked_at IS NULL",
                [clock.to_db(clock.now()), clearer_id],
            )
            if cur.rowcount != 1:
                raise InputError(f"No clearer {clearer_id!r}")
            log(tx, "clearer_revoked", clearer=clearer_id)

    def check(self, tx: Tx, station: Station, msg: cap.CapMessage) -> Clearer:
        """The clearer who signed this Cancel, or Forbidden (an HTTP 403: final for those bytes)."""
        clearer_id, mac = allclear.claimed(msg)
        if not clearer_id or not mac:
            raise Forbidden(
                "an all clear needs the signature of the school's principal or an administrator "
                "(their all-clear code); the station's credential alone is not enough",
                code="all_clear_unsigned",
            )
        row = tx.one("SELECT name, role, school, key, revoked_at FROM clearers WHERE clearer_id = ?", [clearer_id])
        ok = (
            row is not None
            and row[4] is None
            and row[1] in ROLES
            and row[2] == station.school
            and allclear.verify(msg, clearer_id, row[3], mac)
        )
        if not ok or row is None:
            raise Forbidden(
                "the all-clear signature is not one of a principal or administrator of this school",
                code="all_clear_signature",
            )
        return Clearer(clearer_id, row[0], row[1], row[2])
