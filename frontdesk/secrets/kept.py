"""Reading secrets from the Secret Service over one D-Bus connection and one encrypted session, kept.

keyring's Secret Service backend (``keyring.backends.SecretService.Keyring``) opens a new D-Bus connection for
every read (``get_preferred_collection``: ``secretstorage.dbus_init()``, closed after the read), and
secretstorage opens a new encrypted session for every item it reads (``Item.get_secret``: ``open_session``,
a Diffie-Hellman exchange whose two 1024-bit modular powers run in Python, ~5 ms). A desk start reads four
keys (its database's and its panic outbox's, and the previous key of each, which a key rotation cut short
leaves): measured on a Linux desk with GNOME Keyring, ~12 ms for each key found after the first.

:class:`KeptReader` makes the same reads, with keyring's own backend and secretstorage's own calls, but keeps
the collection keyring opened (its connection) and the first session secretstorage opened for the life of
the process: after the first read, a read is a search and a GetSecret on that connection. What is checked on
each read is what keyring checks: the collection is asked whether it is locked (and unlocked, with keyring's
prompt, if it is), the item is unlocked as keyring unlocks it. Only reads go through it; a secret is written
and deleted by keyring's backend as before (one connection each: rare, and ``SecretStore.set`` reads back
through keyring's own path what it wrote).

A kept connection that broke (the keyring daemon restarted, the bus went away: a D-Bus error or a socket error,
not keyring's own answer such as a locked keyring) is dropped and the read made once more on a new one. One
thread reads through the kept connection at a time (jeepney's blocking connection is not shared between
threads); a read that finds it busy (another thread's read, or a prompt waiting for the user) is made by
keyring's backend on a connection of its own, so a read on the panic link's thread never waits for one on the
window's.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import keyring.backend

SECRET_SERVICE = "keyring.backends.SecretService.Keyring"


class KeptReader:
    """Reads through ``backend`` (keyring's Secret Service backend) over a kept connection and session."""

    def __init__(self, backend: keyring.backend.KeyringBackend):
        self._backend: Any = backend
        self._lock = threading.Lock()
        self._collection: Any = None  # secretstorage.Collection, its connection open, its session once read

    def get_password(self, service: str, username: str) -> str | None:
        """The secret keyring's backend would return for (service, username), or None."""
        from keyring.errors import KeyringError

        if not self._lock.acquire(blocking=False):
            return self._backend.get_password(service, username)
        try:
            kept = self._collection is not None
            try:
                return self._read(service, username)
            except KeyringError:  # keyring's answer (a locked keyring the user did not unlock): not asked twice
                raise
            except Exception:
                self._drop()
                if not kept:
                    raise
            return self._read(service, username)  # the kept connection broke: once more, on a new one
        finally:
            self._lock.release()

    def _read(self, service: str, username: str) -> str | None:
        from keyring.errors import KeyringLocked

        collection = self._collection
        if collection is None:
            # keyring's own: a new connection, the preferred (or default) collection, unlocked or refused.
            collection = self._collection = self._backend.get_preferred_collection()
        elif collection.is_locked():  # locked since the last read (the user locked the keyring)
            collection.unlock()
            if collection.is_locked():
                raise KeyringLocked("Failed to unlock the collection!")
        for item in collection.search_items(self._backend._query(service, username)):
            self._backend.unlock(item)
            secret = item.get_secret()
            collection.session = item.session  # later items are made with it (Collection.search_items)
            return secret.decode("utf-8")
        return None

    def _drop(self) -> None:
        collection, self._collection = self._collection, None
        if collection is not None:
            try:
                collection.connection.close()
            except Exception:  # already broken: nothing to close
                pass

    def close(self) -> None:
        """Close the kept connection (the next read opens a new one)."""
        with self._lock:
            self._drop()


_READERS: weakref.WeakKeyDictionary[Any, KeptReader] = weakref.WeakKeyDictionary()
_READERS_LOCK = threading.Lock()


def reader(backend: keyring.backend.KeyringBackend) -> Any:
    """What reads secrets from ``backend``: a :class:`KeptReader` (one per backend object) for keyring's Secret
    Service backend itself (not a subclass, whose reads may differ), else the backend."""
    cls = type(backend)
    if f"{cls.__module__}.{cls.__qualname__}" != SECRET_SERVICE:
        return backend
    with _READERS_LOCK:
        kept = _READERS.get(backend)
        if kept is None:
            kept = _READERS[backend] = KeptReader(backend)
        return kept


def import_for_reads(backend: keyring.backend.KeyringBackend) -> None:
    """Import now what the first read through ``backend`` imports: for the Secret Service, cryptography's OpenSSL
    backend (loaded by secretstorage's first decryption, ``default_backend()``: 14 modules). For the desk's start
    (``ui.main.import_core_first``), which reads its database key after importing PySide6, whose import hook reads
    the source of each module first imported after it."""
    if reader(backend) is backend:
        return
    from cryptography.hazmat.backends import default_backend

    default_backend()
