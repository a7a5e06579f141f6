"""keyring's own choice of backend, made without loading the backends that cannot work on this platform.

keyring picks its backend in this order (``keyring.core._detect_backend``): the ``PYTHON_KEYRING_BACKEND``
environment variable; then ``keyringrc.cfg`` in keyring's config folder; then, of every backend class it
knows (those of the ``keyring.backends`` entry points of every installed package, and any other subclass
already defined), the viable one of highest priority, or its "chainer" of all of them when more than one
is recommended (priority > 0), or its ``fail`` backend when none is.

Its entry points load every backend it ships, on every platform. On Linux that is the macOS backend, whose
module calls ``ctypes.util.find_library`` three times (``ldconfig -p`` each time, and gcc and ld where they
are installed: ~15 processes, 77-163 ms of wall clock on a start), and the Windows one. Neither can ever be
viable there: keyring's macOS backend refuses any system but Darwin, its Windows backend needs pywin32,
which exists only on Windows. Nor can the Secret Service's where the environment names no D-Bus session
(:func:`_never_here`). :func:`system_keyring` makes keyring's choice in keyring's order with keyring's own
functions, loading every entry point but those that cannot be viable here, and keyring's chainer
only when it would win: then it lets keyring choose (``keyring.get_keyring()``), so the answer is keyring's
whenever it is not plainly the same. It is handed to keyring (``keyring.set_keyring``), so every later
``keyring.get_password`` uses the same backend. :mod:`frontdesk.secrets` then applies its refusal rules to
it, unchanged. ``tests/test_secrets_choice.py`` compares the choice with keyring's own.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keyring.backend

log = logging.getLogger(__name__)

# keyring's own entry points (keyring's dist-info) that cannot be viable on this platform, by entry point value.
_NEVER_HERE = {
    "keyring.backends.macOS": sys.platform != "darwin",  # its priority raises "macOS required" off Darwin
    "keyring.backends.Windows": sys.platform != "win32",  # needs pywin32 (or pywin32-ctypes' win32cred)
}
_CHAINER = "keyring.backends.chainer"
_SECRET_SERVICE = "keyring.backends.SecretService"
_SESSION_BUS = "DBUS_SESSION_BUS_ADDRESS"


def _never_here(value: str) -> bool:
    """Whether keyring's entry point ``value`` cannot give a viable backend in this process.

    Besides the other platforms' backends: the Secret Service's, when the environment names no D-Bus session.
    Its priority opens a session bus connection with ``secretstorage.dbus_init()``, and jeepney finds that bus
    only through ``DBUS_SESSION_BUS_ADDRESS`` (``jeepney.bus.find_session_bus``: ``os.environ[...]``, a
    KeyError without it, which secretstorage turns into "not available"): no D-Bus session, never viable.
    Loading it anyway imports secretstorage, jeepney and cryptography (~15 ms of a start on a machine without
    a session bus: Windows, macOS, a kiosk's bare X session, a service). A jeepney that learns to find the bus
    elsewhere would make this wrong: ``tests/test_secrets_choice.py`` gives keyring a session bus that only
    such a fallback could find (``$XDG_RUNTIME_DIR/bus``) and checks the choice is still keyring's.
    """
    if value == _SECRET_SERVICE:
        return _SESSION_BUS not in os.environ
    return bool(_NEVER_HERE.get(value))


# keyring's own import names modules that choosing a backend named by PYTHON_KEYRING_BACKEND, and reading or
# writing a password, never use: its base class's module imports jaraco.context, which imports urllib.request
# (with http.client, email and ssl), subprocess and tempfile for its download and temporary-folder helpers, and
# jaraco.functools, which imports more_itertools for two helpers; keyring.core reads its config file with
# configparser, only when there is one, and its backends' entry points with importlib_metadata, only when no
# backend is named (each is then loaded by that use).
KEYRING_UNUSED = (
    "urllib.request",
    "subprocess",
    "tempfile",
    "more_itertools",
    "configparser",
    "importlib_metadata",
)


def import_keyring() -> None:
    """Import keyring with :data:`KEYRING_UNUSED` put off until something uses them (:func:`frontdesk.lazy.
    lazy_import`: an import statement alone loads nothing). For the desk's start (``ui.main.import_core_first``),
    which asks for the database key before its first screen. keyring itself is imported as it is, so every class
    it defines is the one its backends subclass; a later keyring that uses one of them at import simply loads it
    then (``tests/test_startup_probe.py`` would show that the saving is gone)."""
    from frontdesk.lazy import lazy_import

    for name in KEYRING_UNUSED:
        try:
            lazy_import(name)
        except ImportError:  # importlib_metadata: keyring uses the standard library's from Python 3.12
            pass
    import keyring.core  # noqa: F401


def _load_plugins() -> None:
    """keyring's ``backend._load_plugins``, without the entry points that cannot be viable here."""
    try:
        from keyring.compat.py312 import metadata  # what keyring reads its entry points with (25.x)
    except ImportError:
        from importlib import metadata

    for ep in metadata.entry_points(group="keyring.backends"):
        if _never_here(ep.value) or ep.value == _CHAINER:
            continue
        try:
            log.debug("Loading %s", ep.name)
            init_func = ep.load()
            if callable(init_func):
                init_func()
        except Exception:
            log.exception(f"Error initializing plugin {ep}.")


def _load_config() -> keyring.backend.KeyringBackend | None:
    """keyring's ``core.load_config()``, which answers None when its config file does not exist: asked only when
    it does, since it builds a ``configparser.RawConfigParser`` first, and configparser's import (put off by
    :func:`import_keyring`) is ~10 M instructions on a start that has no such file (most desks)."""
    import keyring.core

    config_path = getattr(keyring.core, "_config_path", None)  # keyring's own path; if renamed, simply asked
    if config_path is not None and not config_path().exists():
        return None
    return keyring.core.load_config()


def _viable() -> list[keyring.backend.KeyringBackend]:
    """keyring's ``backend.get_all_keyring()``: an instance of every viable backend class (the chainer aside)."""
    import contextlib

    from keyring.backend import KeyringBackend

    _load_plugins()
    rings = []
    for cls in KeyringBackend.get_viable_backends():
        if cls.__module__ == _CHAINER:
            continue
        with contextlib.suppress(TypeError):
            rings.append(cls())
    return rings


def detect() -> keyring.backend.KeyringBackend | None:
    """The backend keyring would choose (see the module's notes), not yet handed to keyring; None when more
    than one backend is recommended here, and keyring must choose (its chainer, or a backend above it)."""
    import keyring.core
    from keyring.backend import by_priority
    from keyring.backends import fail

    chosen = keyring.core.load_env() or _load_config()
    if chosen is not None:
        return chosen
    # Each priority is asked once: the Secret Service's opens a D-Bus connection to find its daemon.
    ranked = [(ring, by_priority(ring)) for ring in _viable()]
    if sum(1 for _, priority in ranked if priority > 0) > 1:
        return None  # keyring's chainer (priority 10) finds its backends through all of keyring's entry points
    # The chainer's priority is then below fail's (0), and fail is always among the viable.
    return max(ranked, default=(fail.Keyring(), 0), key=lambda pair: pair[1])[0]


def system_keyring() -> keyring.backend.KeyringBackend:
    """keyring's backend: the one already set (``keyring.set_keyring``, or one keyring chose itself), else
    :func:`detect`'s choice, handed to keyring; else keyring's own choice."""
    import keyring.core

    # keyring's global, read directly: if a later keyring renames it, keyring simply chooses itself again.
    if getattr(keyring.core, "_keyring_backend", False) is None:
        chosen = detect()
        if chosen is not None:
            keyring.core.set_keyring(chosen)
    return keyring.core.get_keyring()
