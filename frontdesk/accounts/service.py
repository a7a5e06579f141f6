"""Staff accounts: add, list, disable, reset a PIN or password, and sign in (argon2 hashes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.access.roles import Action, Role
from frontdesk.access.session import Actor, Session
from frontdesk.accounts.standing import DELETED, ROW, accounts_exist, all_deleted, deleted_by_hand, row_problem
from frontdesk.audit import AuditTrail
from frontdesk.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from frontdesk.store import Store
from frontdesk.text import fold
from frontdesk.wire.mail import check_email, check_phone

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from frontdesk.accounts.account import Account  # with the first list or lookup of an account

PIN_LENGTHS = range(4, 9)
MIN_PASSWORD = 8
# A 4-digit PIN has 10,000 values: after a few wrong tries in a row the account waits, which makes
# guessing at an unattended desk take weeks instead of minutes. The wait doubles with each further five wrong tries
# in a row (1, 2, 4, 8 minutes, then 15 at most): a constant minute let a script try 7,200 PINs a day, every
# 4-digit PIN within 35 hours; doubled to 15 minutes, about 500 a day (three weeks). A right secret, or an
# administrator's reset, starts again at one minute.
MAX_FAILED = 5
BLOCK_SECONDS = 60
MAX_BLOCK_SECONDS = 15 * 60


def block_seconds(failed: int) -> int:
    """How long an account waits after its ``failed``-th wrong try in a row (a multiple of :data:`MAX_FAILED`)."""
    rounds = max(failed // MAX_FAILED, 1)
    return min(BLOCK_SECONDS << min(rounds - 1, 10), MAX_BLOCK_SECONDS)


# A desk PIN is typed dozens of times a day, so its hash must be quick on an old office PC; the
# passwords of principals and the district get argon2's stronger default cost. argon2 (and cffi) load with the
# first sign-in, not with the desk's sign-in pad.
@cache
def _hashers() -> tuple[PasswordHasher, PasswordHasher]:
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1), PasswordHasher()


@dataclass(frozen=True)
class Contact:
    """Where an active account is told of events (notification rules that name a role or an account)."""

    username: str
    display_name: str
    role: Role
    email: str
    mobile: str


def check_secret(role: Role, secret: str) -> None:
    """Raise InputError unless ``secret`` is a valid PIN (desk) or password (principal, administrator)."""
    if role.uses_pin:
        if not (secret.isdigit() and len(secret) in PIN_LENGTHS):
            raise InputError("A front-desk PIN is 4 to 8 digits")
    elif len(secret) < MIN_PASSWORD:
        raise InputError(f"A {role.label}'s password needs at least {MIN_PASSWORD} characters")


def _hasher(role: Role) -> PasswordHasher:
    pin, password = _hashers()
    return pin if role.uses_pin else password


def clean_contact(email: str, mobile: str) -> tuple[str, str]:
    """An account's email and mobile number, checked (empty stays empty: not reachable that way)."""
    email, mobile = email.strip(), mobile.strip()
    return (check_email(email) if email else "", check_phone(mobile) if mobile else "")


def _gone(name: str) -> str:
    return (
        f"The account {name!r} was deleted outside FrontDesk (the audit trail holds it): ask a district "
        "administrator ('frontdesk audit verify' names what changed)"
    )


_NAME_RECORDED = 64  # an unknown name longer than this is recorded as "?" (accounts' names are not limited)


def _could_be_user_name(key: str) -> bool:
    """True when ``key`` (folded) is made of what a user name may hold (:meth:`Accounts._clean_username`)."""
    return bool(key) and all(c.isalnum() or c in "._-" for c in key)


def sign_in_from(db, username: str, secret: str, *, trail) -> Actor:
    """The account ``username`` as the database ``db`` holds it (a backup's), if ``secret`` is its PIN or password
    and the row is what the audit trail of ``trail`` (this desk's database) last said of the account, and of
    ``db`` too; else PermissionDenied. Nothing is written.

    For a restore when this desk's accounts were deleted outside FrontDesk (nobody can sign in to it): the
    district administrator or principal signs in with the account as this desk's trail knows it, read from the
    backup. A backup made up with an account of one's own (a copy of the file with another password set) is
    refused: this desk's trail never described that row. Not throttled: whoever can read the backup with the
    desk's key can read its hashes anyway.
    """
    from argon2.exceptions import InvalidHashError, VerificationError

    row = db.execute(f"SELECT {ROW} FROM users WHERE username = ?", [fold(username).replace(" ", ".")]).fetchone()
    refused = PermissionDenied(
        "Wrong name, PIN or password, or the account is disabled (as the backup holds it and this desk's audit "
        "trail last described it)",
        code="sign_in",
    )
    if row is None or row[5] or row_problem(db, row) != "" or row_problem(trail, row) != "":
        raise refused
    role = Role(row[3])
    try:
        _hasher(role).verify(row[4], secret)
    except (VerificationError, InvalidHashError):
        raise refused from None
    return Actor(row[1], role, row[2])


class Accounts:
    """Staff accounts, guarded by the permission table, every change and sign-in audited."""

    def __init__(
        self, store: Store, session: Session, audit: AuditTrail, *, now: Callable[[], datetime] = clock.now
    ):
        self._store = store
        self.session = session
        self._audit = audit
        self._now = now

    def any_exist(self) -> bool:
        """True once at least one account exists (ends set-up mode), or the audit trail says one did: accounts
        deleted outside FrontDesk do not put the desk back into set-up mode (:mod:`~frontdesk.accounts.standing`).
        """
        return accounts_exist(self._store.db)

    # --- managing -----------------------------------------------------------------------------------
    def add(
        self,
        username: str,
        role: Role | str,
        secret: str,
        display_name: str = "",
        *,
        email: str = "",
        mobile: str = "",
    ) -> Account:
        """Create an account. The very first one must be a district administrator.

        ``email`` and ``mobile`` (``+15551234567``) are where notification rules naming this account or
        its role reach it; both may stay empty."""
        self.session.require(Action.MANAGE_USERS)
        username = self._clean_username(username)
        try:
            role = Role(role)
        except ValueError:
            raise InputError(f"Role must be one of: {', '.join(r.value for r in Role)} (not {role!r})") from None
        if not self.any_exist() and role is not Role.ADMIN:
            raise InputError("The first account must be a district administrator (--role admin)")
        check_secret(role, secret)
        email, mobile = clean_contact(email, mobile)
        digest = _hasher(role).hash(secret)
        actor = self.session.actor_name  # before the insert, which ends set-up mode
        with self._audit.transaction() as db:
            if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
                raise ConflictError(f"There is already an account called {username!r}")
            cur = db.execute(
                "INSERT INTO users (username, display_name, role, secret_hash, created_at, email, mobile) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    username,
                    display_name.strip() or username,
                    role.value,
                    digest,
                    clock.to_db(clock.now()),
                    email,
                    mobile,
                ],
            )
            self._audit.record(
                actor,
                "user.add",
                username,
                {"role": role.value, "email": email, "mobile": mobile},
                covers=("users", cur.lastrowid),
            )
        return self.get(username)

    def disable(self, username: str) -> Account:
        """Disable an account (it can no longer sign in; its history stays)."""
        self.session.require(Action.MANAGE_USERS)
        account = self.get(username)
        if account.role is Role.ADMIN and self._active_admins() <= 1 and not account.disabled:
            raise ConflictError("This is the last active district administrator; add another one first")
        with self._audit.transaction() as db:
            db.execute("UPDATE users SET disabled = 1 WHERE id = ?", [account.id])
            self._audit.record(None, "user.disable", account.username, covers=("users", account.id))
        if self.session.actor.username == account.username:
            self.session.become(None)
        return self.get(username)

    def reset_secret(self, username: str, secret: str) -> Account:
        """Set a new PIN (desk) or password (others), re-enable the account and clear failed attempts."""
        self.session.require(Action.MANAGE_USERS)
        account = self.get(username)
        check_secret(account.role, secret)
        digest = _hasher(account.role).hash(secret)
        with self._audit.transaction() as db:
            db.execute(
                "UPDATE users SET secret_hash = ?, disabled = 0, failed_attempts = 0, blocked_until = NULL "
                "WHERE id = ?",
                [digest, account.id],
            )
            self._audit.record(None, "user.reset_secret", account.username, covers=("users", account.id))
        return self.get(username)

    def set_contact(self, username: str, *, email: str | None = None, mobile: str | None = None) -> Account:
        """Change an account's email and/or mobile number (``None`` keeps it; ``""`` clears it). Audited
        with the old and new values; the next notification for its role or for it goes to the new ones."""
        self.session.require(Action.MANAGE_USERS)
        account = self.get(username)
        new_email, new_mobile = clean_contact(
            account.email if email is None else email, account.mobile if mobile is None else mobile
        )
        if (new_email, new_mobile) == (account.email, account.mobile):
            return account
        with self._audit.transaction() as db:
            db.execute("UPDATE users SET email = ?, mobile = ? WHERE id = ?", [new_email, new_mobile, account.id])
            self._audit.record(
                None,
                "user.contact",
                account.username,
                {
                    "email": {"old": account.email, "new": new_email},
                    "mobile": {"old": account.mobile, "new": new_mobile},
                },
                covers=("users", account.id),
            )
        return self.get(username)

    def contacts(self, *, role: Role | str | None = None, username: str | None = None) -> list[Contact]:
        """Active accounts' emails and mobiles, of one role or one account (or all): what notification rules
        naming a role or an account resolve to. A system read (no sign-in needed): the sender runs unattended."""
        sql = "SELECT username, display_name, role, email, mobile FROM users WHERE disabled = 0"
        params: list[object] = []
        if role is not None:
            sql += " AND role = ?"
            params.append(Role(role).value)
        if username is not None:
            sql += " AND username = ?"
            params.append(fold(username).replace(" ", "."))
        rows = self._store.db.execute(sql + " ORDER BY username", params).fetchall()
        return [Contact(r[0], r[1], Role(r[2]), r[3], r[4]) for r in rows]

    def list(self) -> list[Account]:
        """Every account, by role then name."""
        from frontdesk.accounts.account import COLUMNS, from_row

        self.session.require(Action.LIST_USERS)
        rows = self._store.db.execute(f"SELECT {COLUMNS} FROM users ORDER BY role, username").fetchall()
        return [from_row(r) for r in rows]

    def desk_accounts(self) -> list[tuple[str, str]]:
        """``(username, display name)`` of active desk accounts: the sign-in screen's quick picks."""
        return [
            (r[0], r[1])
            for r in self._store.db.execute(
                "SELECT username, display_name FROM users WHERE disabled = 0 AND role = 'desk' "
                "ORDER BY display_name"
            )
        ]

    def get(self, username: str) -> Account:
        """The account with this user name, or NotFoundError."""
        from frontdesk.accounts.account import COLUMNS, from_row

        row = self._store.db.execute(
            f"SELECT {COLUMNS} FROM users WHERE username = ?", [fold(username).replace(" ", ".")]
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No staff account called {username!r}")
        return from_row(row)

    # --- signing in ---------------------------------------------------------------------------------
    def sign_in(self, username: str, secret: str) -> Actor:
        """Check the PIN or password and make this person the session's actor. Audited, success or not.

        Each try is counted before its secret is checked, in one immediate transaction: tries sent at once from
        many programs are counted one after another, and those past the allowance wait (a failure count read
        before argon2 and written after let a burst of processes guess unthrottled). An account whose row is
        not what the audit trail says (changed or put in with the sqlite3 shell) is refused, and said so.
        """
        key = fold(username).replace(" ", ".")
        if not _could_be_user_name(key):
            # No account has such a name: recorded as "?", never as typed (control characters a terminal obeys
            # when `audit list` prints them; 100,000 characters a try, unthrottled, as no account is there).
            self._audit.record("?", "user.sign_in_failed", "?", {"reason": "not a user name"})
            raise PermissionDenied("Wrong name, PIN or password, or the account is disabled", code="sign_in")
        now = self._now()
        # The refusal's message and code, then its record's action and details.
        refusal: tuple[str, str, str, dict[str, object]] | None = None
        # The store's transaction, not the trail's: it writes no record, and the trail's would anchor the head
        # before this program's first record (an anchor found missing would go unreported by its verify).
        with self._store.transaction() as db:
            row = db.execute(
                f"SELECT {ROW}, failed_attempts, blocked_until FROM users WHERE username = ?", [key]
            ).fetchone()
            if row is None or row[5]:
                deleted = row is None and all_deleted(db)
                gone = row is None and not deleted and deleted_by_hand(db, key)
                refusal = (
                    DELETED
                    if deleted
                    else _gone(key)
                    if gone
                    else "Wrong name, PIN or password, or the account is disabled",
                    "accounts_deleted" if deleted or gone else "sign_in",
                    "user.sign_in_failed",
                    {"reason": "deleted outside FrontDesk" if deleted or gone else "unknown or disabled"},
                )
            elif (problem := row_problem(db, row[:6])) != "":
                refusal = (problem, "sign_in_refused", "user.sign_in_refused", {"reason": problem})
            elif (blocked_until := clock.from_db(row[7])) is not None and now < blocked_until:
                wait = int((blocked_until - now).total_seconds()) + 1
                refusal = (
                    f"Too many wrong tries: wait {wait} seconds and try again",
                    "sign_in_blocked",
                    "user.sign_in_failed",
                    {"reason": "too many tries"},
                )
            else:
                failed = row[6] + 1  # this try, counted now; a right secret sets it back to 0 below
                pause = timedelta(seconds=block_seconds(failed))
                block = clock.to_db(now + pause) if failed % MAX_FAILED == 0 else None
                db.execute(
                    "UPDATE users SET failed_attempts = ?, blocked_until = ? WHERE id = ?",
                    [failed, block, row[0]],
                )
        if refusal is not None:
            name = row[1] if row is not None else key if len(key) <= _NAME_RECORDED else "?"
            self._audit.record(name or "?", refusal[2], name, refusal[3])
            raise PermissionDenied(refusal[0], code=refusal[1])
        role = Role(row[3])
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            _hasher(role).verify(row[4], secret)
        except (VerificationError, InvalidHashError):
            self._audit.record(
                row[1], "user.sign_in_failed", row[1], {"reason": "wrong secret", "attempts": failed}
            )
            raise PermissionDenied(
                "Wrong name, PIN or password, or the account is disabled", code="sign_in"
            ) from None
        actor = Actor(row[1], role, row[2])
        with self._audit.transaction() as db:
            db.execute(
                "UPDATE users SET failed_attempts = 0, blocked_until = NULL, last_sign_in = ? WHERE id = ?",
                [clock.to_db(now), row[0]],
            )
            self._audit.record(actor.username, "user.sign_in", actor.username, {"role": role.value})
        self.session.become(actor)
        return actor

    def sign_out(self) -> None:
        """Nobody is signed in any more (the window locks or shows the sign-in screen)."""
        actor = self.session.actor
        if actor.signed_in:
            self._audit.record(actor.username, "user.sign_out", actor.username)
        self.session.become(None)

    def _active_admins(self) -> int:
        return self._store.db.execute(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0"
        ).fetchone()[0]

    @staticmethod
    def _clean_username(username: str) -> str:
        key = fold(username).replace(" ", ".")
        if not key or not all(c.isalnum() or c in "._-" for c in key):
            raise InputError("A user name is letters, digits, dots, dashes or underscores (e.g. 'j.rivera')")
        return key
