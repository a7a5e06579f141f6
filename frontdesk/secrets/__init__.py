"""The desk's secrets (dispatch credential, SMTP password, database key), kept in the OS keyring only.

keyring's rules pick the backend: Windows Credential Manager, the macOS Keychain, the Secret Service on Linux,
or whatever school IT names in ``PYTHON_KEYRING_BACKEND`` / keyring's config file (:mod:`.choice` applies
them without loading the other platforms' backends). This module is the one
place that talks to it, and it refuses a backend that keeps secrets in a plain file (or keeps nothing) unless
the administrator chose that on purpose by setting ``FRONTDESK_ALLOW_FILE_KEYRING=1``; a warning says so then.
Nothing here ever writes a secret to the settings, the logs or the database.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from frontdesk.errors import FrontDeskError

if TYPE_CHECKING:
    import keyring.backend

# ``keyring`` is imported where it is first used: finding its backends costs several times a bare Python
# start, and a command over a plain database (``frontdesk onsite``) never needs it.

__all__ = [
    "ALLOW_FILE_ENV",
    "DATABASE_KEY",
    "DISPATCH_CREDENTIAL",
    "SMTP_PASSWORD",
    "KeyringInfo",
    "MemoryKeyring",
    "SecretName",
    "SecretStore",
    "SecretsUnavailable",
    "keyring_info",
]

log = logging.getLogger(__name__)

ALLOW_FILE_ENV = "FRONTDESK_ALLOW_FILE_KEYRING"


@dataclass(frozen=True)
class SecretName:
    """Where one secret sits in the keyring: a service and an account (keyring's two keys)."""

    service: str
    account: str
    label: str

    def for_account(self, account: str) -> SecretName:
        """The same kind of secret under another account (the database key is per data folder)."""
        return SecretName(self.service, account, self.label)


# The dispatch credential keeps the names it had before this module (a station already connected keeps it).
DISPATCH_CREDENTIAL = SecretName("FrontDesk dispatch", "station", "dispatch credential")
SMTP_PASSWORD = SecretName("FrontDesk mail", "smtp", "mail (SMTP) password")
# One key per database file: the account is the file's absolute path.
DATABASE_KEY = SecretName("FrontDesk database", "", "database key")

# Backends that keep secrets protected by the operating system (or only in memory). Anything else (a plain
# or "encrypted" file from keyrings.alt, a custom backend) needs the administrator's explicit consent.
_PROTECTED = {
    "keyring.backends.Windows.WinVaultKeyring",
    "keyring.backends.macOS.Keyring",
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.libsecret.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.kwallet.DBusKeyringKWallet4",
    "frontdesk.secrets.MemoryKeyring",
}
_NONE = {"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"}


class SecretsUnavailable(FrontDeskError):
    """No usable keyring: a secret cannot be kept (or read) safely on this machine."""

    code = "keyring"


@dataclass(frozen=True)
class KeyringInfo:
    """Which keyring backend is in use and whether the desk may keep secrets in it."""

    backend: str
    usable: bool
    protected: bool  # kept by the OS (or in memory), not a file the administrator opted into
    message: str


def _name(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _backends(backend: keyring.backend.KeyringBackend) -> list[keyring.backend.KeyringBackend]:
    return list(getattr(backend, "backends", None) or [backend])  # the chainer wraps several


def keyring_info(backend: keyring.backend.KeyringBackend | None = None) -> KeyringInfo:
    """What the current (or given) keyring backend is, in words an administrator can act on."""
    if backend is None:
        from frontdesk.secrets.choice import system_keyring

        backend = system_keyring()
    names = [_name(b) for b in _backends(backend)]
    shown = ", ".join(names) or _name(backend)
    if not names or all(n in _NONE for n in names):
        return KeyringInfo(
            shown,
            False,
            False,
            "There is no system keyring on this machine, so FrontDesk cannot keep secrets (dispatch credential, "
            "mail password, database key) safely. Set up Windows Credential Manager, the macOS Keychain or a "
            "Secret Service (GNOME Keyring, KWallet), or choose a backend with PYTHON_KEYRING_BACKEND.",
        )
    if all(n in _PROTECTED or n in _NONE for n in names):
        return KeyringInfo(shown, True, True, f"Secrets are kept in the system keyring ({shown}).")
    if os.environ.get(ALLOW_FILE_ENV) == "1":
        return KeyringInfo(
            shown,
            True,
            False,
            f"WARNING: secrets are kept by {shown}, a keyring the administrator chose ({ALLOW_FILE_ENV}=1) that "
            "is not protected by the operating system: anyone who can read its file can read them.",
        )
    return KeyringInfo(
        shown,
        False,
        False,
        f"The keyring backend {shown} may keep secrets in a plain file, so FrontDesk will not use it. Use the "
        f"system keyring, or set {ALLOW_FILE_ENV}=1 to accept that file on purpose.",
    )


_NOT_PREFETCHED = object()


def _prefetched(name: SecretName) -> str | None | object:
    """What :mod:`.prefetch`'s child read for ``name`` at the launch (handed over once), else _NOT_PREFETCHED."""
    prefetch = sys.modules.get("frontdesk.secrets.prefetch")  # imported only where the launch started it
    if prefetch is None:
        return _NOT_PREFETCHED
    value = prefetch.take(name)
    return _NOT_PREFETCHED if value is prefetch.MISSING else value


def _drop_prefetched(name: SecretName) -> None:
    prefetch = sys.modules.get("frontdesk.secrets.prefetch")
    if prefetch is not None:
        prefetch.drop(name)


def _prefetched_info() -> KeyringInfo | None:
    prefetch = sys.modules.get("frontdesk.secrets.prefetch")
    return prefetch.info() if prefetch is not None else None


class SecretStore:
    """Named secrets in the keyring. The one way the desk reads and writes a secret.

    ``backend`` is for tests and the demo (a :class:`MemoryKeyring`); by default keyring's own choice.
    """

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None):
        self._backend = backend

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        """The keyring backend in use."""
        if self._backend is not None:
            return self._backend
        from frontdesk.secrets.choice import system_keyring

        return system_keyring()

    def info(self) -> KeyringInfo:
        """Which backend, and whether secrets may be kept in it."""
        if self._backend is None:
            found = _prefetched_info()
            if found is not None:
                return found
        return keyring_info(self.backend)

    def _usable(self) -> KeyringInfo:
        info = keyring_info(self.backend)  # the backend that will write, never the launch's reader's account
        if not info.usable:
            raise SecretsUnavailable(info.message)
        if not info.protected:
            log.warning("%s", info.message)
        return info

    def get(self, name: SecretName) -> str | None:
        """The secret, or None when none is stored (or no keyring may be used)."""
        if self._backend is None:
            value = _prefetched(name)  # read at the desk's launch by a second process (.prefetch), once
            if value is not _NOT_PREFETCHED:
                return value
        import keyring.errors

        from frontdesk.secrets.kept import reader

        if not self.info().usable:
            return None
        try:
            # The Secret Service's reads over one kept connection and session (.kept); other backends as they are.
            return reader(self.backend).get_password(name.service, name.account)
        except keyring.errors.KeyringError as exc:
            log.warning("keyring read failed for %s: %s", name.label, type(exc).__name__)
            return None

    def set(self, name: SecretName, value: str) -> None:
        """Keep ``value`` (replacing any earlier one); raises :class:`SecretsUnavailable` if it cannot."""
        import keyring.errors

        _drop_prefetched(name)
        info = self._usable()
        try:
            self.backend.set_password(name.service, name.account, value)
        except keyring.errors.KeyringError as exc:
            raise SecretsUnavailable(
                f"The {name.label} could not be stored in the keyring ({type(exc).__name__}). Ask school IT to "
                "set up the system keyring (or PYTHON_KEYRING_BACKEND)."
            ) from exc
        if self.backend.get_password(name.service, name.account) != value:
            raise SecretsUnavailable(
                f"The keyring ({info.backend}) did not keep the {name.label}. Ask school IT to set up the system "
                "keyring (or PYTHON_KEYRING_BACKEND)."
            )

    def delete(self, name: SecretName) -> None:
        """Forget the secret (nothing happens if none is stored)."""
        import keyring.errors

        _drop_prefetched(name)
        if not keyring_info(self.backend).usable:
            return
        try:
            self.backend.delete_password(name.service, name.account)
        except keyring.errors.PasswordDeleteError:
            pass

    def new_key(self, name: SecretName) -> str:
        """Draw a random 256-bit key (64 hex digits), keep it, and return it."""
        import secrets  # with hmac and OpenSSL's hashlib: loaded when a key is made, not by every start

        key = secrets.token_hex(32)
        self.set(name, key)
        return key


def _memory_keyring() -> type:
    import keyring.backend
    import keyring.errors

    class MemoryKeyring(keyring.backend.KeyringBackend):
        """A keyring kept in this process's memory: tests and demo mode (never the machine's keyring, no file)."""

        # Below keyring's "fail" backend (0), so keyring never picks it by itself: it is used only where it is
        # given (tests, the demo). With priority 1 it won on any machine without a system keyring, and the desk
        # encrypted its database with a key that lived only as long as the process.
        priority = -10  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self._values: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            """The stored value or None."""
            return self._values.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            """Keep the value in memory."""
            self._values[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            """Forget the value."""
            if self._values.pop((service, username), None) is None:
                raise keyring.errors.PasswordDeleteError(username)

    MemoryKeyring.__qualname__ = "MemoryKeyring"  # its name in _PROTECTED
    return MemoryKeyring


def __getattr__(name: str) -> Any:
    # ``MemoryKeyring`` subclasses keyring's backend class: made (and keyring imported) when first asked for.
    if name == "MemoryKeyring":
        cls = globals()["MemoryKeyring"] = _memory_keyring()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
