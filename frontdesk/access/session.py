"""Who is acting now: the signed-in person, or the implicit desk / set-up actor when nobody is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from frontdesk.access.roles import PERMISSIONS, Action, Role, allowed
from frontdesk.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    """A person (or the implicit desk) as recorded in the audit trail and checked against the table."""

    username: str
    role: Role
    display_name: str
    signed_in: bool = True


# With no accounts at all the installation is being set up: everything is allowed, so the first
# administrator can be created. Once any account exists, nobody signed in means the front desk.
SETUP_ACTOR = Actor("setup", Role.ADMIN, "Set-up (no accounts yet)", signed_in=False)
DESK_ACTOR = Actor("desk", Role.DESK, "Front desk (not signed in)", signed_in=False)
# The application itself, for what the composition root sets up on its own (the demo's dispatch link).
SYSTEM_ACTOR = Actor("system", Role.ADMIN, "FrontDesk (automatic set-up)", signed_in=False)


class Session:
    """The current actor of one window or one command, and the permission check services call."""

    def __init__(
        self,
        has_accounts: Callable[[], bool],
        *,
        recheck: Callable[[Actor], Actor | str] | None = None,
        note: Callable[[], str] | None = None,
    ):
        self._has_accounts = has_accounts
        # The signed-in person's account as it stands now, or why it may no longer act (disabled by another
        # program since, changed outside FrontDesk): asked before anything the front desk itself may not do.
        self._recheck = recheck
        # Said after a refusal when nobody is signed in (the accounts deleted outside FrontDesk: nobody can).
        self._note = note
        self._actor: Actor | None = None
        self._dropped: list[Callable[[Actor, str], None]] = []

    @property
    def actor(self) -> Actor:
        """The signed-in person, else the desk (accounts exist) or set-up (none yet)."""
        if self._actor is not None:
            return self._actor
        return DESK_ACTOR if self._has_accounts() else SETUP_ACTOR

    def accounts_exist(self) -> bool:
        """True once any staff account exists (set-up mode is over)."""
        return self._has_accounts()

    @property
    def actor_name(self) -> str:
        """The name the audit trail records for the current actor."""
        return self.actor.username

    def become(self, actor: Actor | None) -> None:
        """Make ``actor`` the current person (None: nobody signed in). Only :class:`Accounts` calls this."""
        self._actor = actor

    @contextmanager
    def acting_as(self, actor: Actor) -> Iterator[None]:
        """Act as ``actor`` for the block (recorded as such in the audit trail), then as before."""
        previous = self._actor
        self._actor = actor
        try:
            yield
        finally:
            self._actor = previous

    def recheck_now(self) -> str:
        """Read the signed-in account again: why it may no longer act ("" when it may, or nobody is signed in).

        Disabled by another program since it signed in, deleted, or changed outside FrontDesk: it is signed out
        and the :meth:`when_dropped` listeners are told. A changed role or name is taken at once. ``require``
        calls this before a principal's action; the desk's window also every half minute (its own verbs)."""
        actor = self.actor
        if not actor.signed_in or self._recheck is None:
            return ""
        current = self._recheck(actor)
        if isinstance(current, str):
            if self._actor is actor:
                self._actor = None  # signed out: the desk's own work goes on
                for listener in list(self._dropped):
                    listener(actor, current)
            return current
        if current != actor and self._actor is actor:
            self._actor = current
        return ""

    def when_dropped(self, listener: Callable[[Actor, str], None]) -> None:
        """Call ``listener(actor, why)`` when the signed-in account is found unable to act any more (disabled by
        another program, changed outside FrontDesk) and signed out: the window locks. From any thread."""
        self._dropped.append(listener)

    def may(self, action: Action) -> bool:
        """True when the current actor may do ``action`` (for the UI to grey out what it cannot)."""
        return allowed(self.actor.role, action)

    def require(self, action: Action) -> None:
        """Raise PermissionDenied unless the current actor may do ``action``; the message says who may."""
        actor = self.actor
        if actor.signed_in and not allowed(Role.DESK, action):
            # More than the front desk may do: only as the account stands now (one indexed read, not on the
            # desk's own verbs), so a disabled account or a role taken away stops at once, in every program.
            why = self.recheck_now()
            if why:
                raise PermissionDenied(f"{actor.display_name} may not {action.value}: {why}", code="forbidden")
            actor = self.actor
        if allowed(actor.role, action):
            return
        who = f"{actor.display_name} ({actor.role.label})" if actor.signed_in else "Without signing in, the desk"
        roles = " or ".join(r.label for r in Role if r in PERMISSIONS.get(action, frozenset()))
        hint = f": sign in as a {roles} (on the command line: --user NAME)" if roles else ""
        note = self._note() if self._note is not None and not actor.signed_in else ""
        note = f". {note}" if note else ""
        raise PermissionDenied(f"{who} may not {action.value}{hint}{note}", code="forbidden")
