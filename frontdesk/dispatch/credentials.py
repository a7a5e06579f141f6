"""The station's dispatch credential, kept in the OS keyring through :mod:`frontdesk.secrets` (never in the DB).

``keyring`` picks the backend from its own configuration (``PYTHON_KEYRING_BACKEND``, its config file),
so a school's IT can point it at whatever their machines use; a plain-file backend needs their explicit
consent (see :mod:`frontdesk.secrets`).
"""

from __future__ import annotations

from frontdesk.errors import DeliveryError
from frontdesk.secrets import DISPATCH_CREDENTIAL, SecretStore, SecretsUnavailable

SERVICE = DISPATCH_CREDENTIAL.service
USERNAME = DISPATCH_CREDENTIAL.account


class KeyringCredentials:
    """Where a station keeps its credential: the OS keyring (the default)."""

    def __init__(self, secrets: SecretStore | None = None):
        self.secrets = secrets or SecretStore()

    def save(self, credential: str) -> None:
        """Keep the credential (replacing any earlier one)."""
        try:
            self.secrets.set(DISPATCH_CREDENTIAL, credential)
        except SecretsUnavailable as exc:
            raise DeliveryError(exc.message, code="keyring") from exc

    def load(self) -> str | None:
        """The credential, or None when the station was never connected (or no keyring may be used)."""
        return self.secrets.get(DISPATCH_CREDENTIAL)


class MemoryCredentials(KeyringCredentials):
    """A credential kept in memory only: demo mode, so a demo never writes to the machine's keyring."""

    def __init__(self) -> None:
        # MemoryKeyring subclasses keyring's backend class: imported here, for the demo and tests only.
        from frontdesk.secrets import MemoryKeyring

        super().__init__(SecretStore(MemoryKeyring()))


def save_credential(credential: str) -> None:
    """Keep the credential in the OS keyring (replacing any earlier one)."""
    KeyringCredentials().save(credential)


def load_credential() -> str | None:
    """The credential in the OS keyring, or None."""
    return KeyringCredentials().load()
