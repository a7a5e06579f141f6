"""The district server's typed errors: a short stable ``code`` and a message a dispatcher or IT can act on."""


class DistrictError(Exception):
    """Base of every error the district server raises on purpose."""

    code = "error"
    http_status = 400  # what the web answers carry (a permanent error: the sender stops retrying)

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self) -> str:
        return self.message


class InputError(DistrictError):
    """The request or the command's input is wrong."""

    code = "bad_input"


class NotFoundError(DistrictError):
    """The thing asked for does not exist (an unknown alert, station or dispatcher)."""

    code = "not_found"
    http_status = 404


class ConflictError(DistrictError):
    """The action clashes with the current state (already acknowledged, a name taken)."""

    code = "conflict"
    http_status = 409


class StoreError(DistrictError):
    """The database cannot be opened or used; the message says what to do."""

    code = "store"
    http_status = 503
