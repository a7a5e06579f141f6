"""The typed error hierarchy of the core.

Every error carries a short stable ``code`` (for logs, the CLI and tests) and a plain-words message that a
front-office user can act on. The UI translates codes into its own words where it needs to; the CLI prints
the message on one line and exits 2.
"""


class FrontDeskError(Exception):
    """Base of every error the core raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self) -> str:
        return self.message


class InputError(FrontDeskError):
    """The input is wrong: a missing name, a malformed date, an unknown choice."""

    code = "bad_input"


class NotFoundError(FrontDeskError):
    """The thing asked for does not exist (an unknown badge code, visit id, entry)."""

    code = "not_found"


class ConflictError(FrontDeskError):
    """The action clashes with the current state (already on site, already checked out)."""

    code = "conflict"


class PermissionDenied(FrontDeskError):
    """The signed-in person's role does not allow this action."""

    code = "forbidden"


class StoreError(FrontDeskError):
    """The database cannot be opened or used; the message says what to do."""

    code = "store"


class DeviceError(FrontDeskError):
    """A device (scanner, printer, camera) failed; the message is in the office's words."""

    code = "device"


class DeliveryError(FrontDeskError):
    """A message to another system (dispatch) could not be delivered."""

    code = "delivery"


class StoreBusy(StoreError):
    """Another program holds the database for longer than we can wait (busy or locked)."""

    code = "store_busy"


class StoreFull(StoreError):
    """The disk (or the folder's quota) is full: nothing more can be written."""

    code = "store_full"


class StoreReadOnly(StoreError):
    """The database file or its folder cannot be written (permissions, a read-only disk)."""

    code = "store_read_only"


class StoreCorrupt(StoreError):
    """The database file is damaged or is not a FrontDesk database."""

    code = "store_corrupt"
