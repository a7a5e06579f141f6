"""Roles, actions, and the one table that says which role may do what.

Services call ``session.require(Action.X)`` before they act, so a forbidden action is refused whether it
comes from the window, the command line or a script. Features add their actions here (one line each, in
their own section) and guard their service methods the same way.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a staff account is for. The desk signs in with a PIN, the others with a password."""

    DESK = "desk"
    PRINCIPAL = "principal"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The role as the office says it."""
        return {"desk": "front desk", "principal": "principal", "admin": "district administrator"}[self.value]

    @property
    def uses_pin(self) -> bool:
        """True when the account signs in with a PIN (fast, at the desk) rather than a password."""
        return self is Role.DESK


class Action(StrEnum):
    """Something a signed-in person may or may not be allowed to do."""

    # Front desk, all day.
    CHECK_IN = "check in a visitor"
    CHECK_OUT = "check a visitor out"
    VIEW_ON_SITE = "see who is on site"
    VIEW_DAY_LOG = "see the day's log"
    PRINT_ROSTER = "print the emergency roster"
    CLOSE_FORGOTTEN = "check out forgotten visitors"
    VIEW_ID_DETAILS = "see a visitor's ID details"
    PRINT_BADGE = "print a badge"
    RAISE_ALERT = "raise a panic alert"
    EDIT_DIRECTORY = "change the staff and room directory"
    VIEW_VOLUNTEERS = "see the volunteers and their hours"
    PREREGISTER = "pre-register an expected guest"
    VIEW_STUDENTS = "find students and see who is signed out"
    SIGN_STUDENTS = "sign students in late, out to a listed adult, and back"
    REUNIFY = "run student reunification"
    # Principals and the district.
    REVIEW = "review visits, search history and see charts"
    EXPORT = "export visit reports"
    VIEW_AUDIT = "browse, verify and export the audit trail"
    CHANGE_SETTINGS = "change settings"
    CHANGE_LISTS = "change the screening lists"
    OVERRIDE_SCREENING = "override a screening decision"
    ALL_CLEAR = "send the all clear"
    LIST_USERS = "list staff accounts"
    MANAGE_VOLUNTEERS = "add, approve, import or suspend volunteers"
    APPROVE_RELEASE = "approve releasing a student to an adult not on the list"
    AUTHORISE_PICKUP = "add a temporary pick-up authorisation"
    IMPORT_SIS = "import the school's student roster"
    # The district administrator only.
    MANAGE_USERS = "add, disable or reset staff accounts"


_EVERYONE = frozenset(Role)
_PRINCIPALS = frozenset({Role.PRINCIPAL, Role.ADMIN})

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.CHECK_IN: _EVERYONE,
    Action.CHECK_OUT: _EVERYONE,
    Action.VIEW_ON_SITE: _EVERYONE,
    Action.VIEW_DAY_LOG: _EVERYONE,
    Action.PRINT_ROSTER: _EVERYONE,
    Action.CLOSE_FORGOTTEN: _EVERYONE,
    Action.VIEW_ID_DETAILS: _EVERYONE,
    Action.PRINT_BADGE: _EVERYONE,
    Action.RAISE_ALERT: _EVERYONE,
    Action.EDIT_DIRECTORY: _EVERYONE,
    Action.VIEW_VOLUNTEERS: _EVERYONE,
    Action.PREREGISTER: _EVERYONE,
    Action.MANAGE_VOLUNTEERS: _PRINCIPALS,
    Action.VIEW_STUDENTS: _EVERYONE,
    Action.SIGN_STUDENTS: _EVERYONE,
    Action.REUNIFY: _EVERYONE,
    Action.APPROVE_RELEASE: _PRINCIPALS,
    Action.AUTHORISE_PICKUP: _PRINCIPALS,
    Action.IMPORT_SIS: _PRINCIPALS,
    Action.REVIEW: _PRINCIPALS,
    Action.EXPORT: _PRINCIPALS,
    Action.VIEW_AUDIT: _PRINCIPALS,
    Action.CHANGE_SETTINGS: _PRINCIPALS,
    Action.CHANGE_LISTS: _PRINCIPALS,
    Action.OVERRIDE_SCREENING: _PRINCIPALS,
    Action.ALL_CLEAR: _PRINCIPALS,
    Action.LIST_USERS: _PRINCIPALS,
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
}


def allowed(role: Role, action: Action) -> bool:
    """True when ``role`` may do ``action`` (an action missing from the table is allowed to nobody)."""
    return role in PERMISSIONS.get(action, frozenset())
