"""The station's dispatch credential, kept in the operating system's keyring (never in the database).

``keyring`` picks the backend from its own configuration (``PYTHON_KEYRING_BACKEND``, its config file),
so a school's IT can point it at whatever their machines use.
"""

from __future__ import annotations

import keyring
import keyring.errors

from frontdesk.errors import DeliveryError

SERVICE = "FrontDesk dispatch"
USERNAME = "station"


def save_credential(credential: str) -> None:
    """Keep the credential in the keyring (replacing any earlier one)."""
    try:
        keyring.set_password(SERVICE, USERNAME, credential)
    except keyring.errors.KeyringError as exc:
        raise DeliveryError(
            f"The dispatch credential could not be stored in the keyring ({exc}). Ask school IT to set up the "
            "system keyring (or PYTHON_KEYRING_BACKEND).",
            code="keyring",
        ) from exc
    if keyring.get_password(SERVICE, USERNAME) != credential:
        raise DeliveryError(
            f"The keyring ({type(keyring.get_keyring()).__name__}) did not keep the dispatch credential. "
            "Ask school IT to set up the system keyring (or PYTHON_KEYRING_BACKEND).",
            code="keyring",
        )


def load_credential() -> str | None:
    """The stored credential, or None when the station was never connected (or the keyring is unavailable)."""
    try:
        return keyring.get_password(SERVICE, USERNAME)
    except keyring.errors.KeyringError:
        return None


class KeyringCredentials:
    """Where a station keeps its credential: the OS keyring (the default)."""

    def save(self, credential: str) -> None:
        """Keep the credential."""
        save_credential(credential)

    def load(self) -> str | None:
        """The credential, or None."""
        return load_credential()


class MemoryCredentials:
    """A credential kept in memory only: demo mode, so a demo never writes to the machine's keyring."""

    def __init__(self) -> None:
        self._credential: str | None = None

    def save(self, credential: str) -> None:
        """Keep the credential (until the process ends)."""
        self._credential = credential

    def load(self) -> str | None:
        """The credential, or None."""
        return self._credential
