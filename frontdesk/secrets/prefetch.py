"""The desk's start-up secrets read by a second process while the first imports Qt (Linux).

A Linux desk's window asks the keyring for its database's key and its panic outbox's (and the previous key of
each, which a key rotation cut short leaves) before its first screen. Finding keyring's backend (with the
Secret Service: secretstorage, jeepney and cryptography imported, two D-Bus connections for its priority) and
the first read (a D-Bus connection, a Diffie-Hellman session, OpenSSL loaded) cost ~50 ms of one core, in a
row, before the window can be built (docs/benchmarks/startup.md). The desk's other core is idle meanwhile.

:func:`start` forks the desk's process at the launch, before the desk imports PySide6 (nothing of the desk runs
in the child but this module's :func:`_read`: no interpreter to start, no import made twice); the child makes
keyring's choice by the desk's own rules (:class:`frontdesk.secrets.SecretStore`, with its refusal of
unprotected backends), reads the named secrets, writes them as one JSON line to a pipe only the desk holds, and
leaves (``os._exit``). The desk's first :meth:`SecretStore.get` of each of those names (and its
:meth:`SecretStore.info`) takes the child's answer (:func:`take`, :func:`info`), waiting for it if it is not
there yet; each value is handed over once, and only in the first :data:`KEEP_S`; every later read, and any
secret the desk sets or deletes, goes to the keyring as before. Anything else (the child cannot be forked,
fails, says something that is not its answer, or is slower than :data:`WAIT_S`) and the desk reads in its own
process as it always did: the child only ever saves time.

Why a fork and not a new program: a new interpreter costs ~17 ms before its first import, and the frozen
bundle's program more (its bootloader and PyInstaller's runtime hooks: ~90 ms in all, so the desk waited for it,
measured). The fork is made before the desk has any thread, any open database or any Qt object.

Why Linux only, and only with two cores or more: a fork is cheap there (~1 ms of the desk's own time), the
Secret Service is what costs, and the child runs beside the desk, not in turns with it. Windows has no fork; on
macOS a forked process must not use the system's frameworks (the Keychain's) before it execs.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from frontdesk.secrets import KeyringInfo, SecretName

__all__ = ["KEEP_S", "MISSING", "OFF_ENV", "WAIT_S", "Prefetch", "drop", "forget", "info", "start", "take"]

# How long the desk waits for the child's answer before stopping it and reading in its own process (the child's
# whole run is ~35-50 ms on an idle machine). Long, because a locked keyring asks the user to unlock it, and the
# child's prompt is answered as the desk's own would be; the desk's own read would wait for the same daemon.
WAIT_S = 120.0
# A value the desk has not taken this long after the child was started is dropped (read from the keyring instead):
# the child's values are start-up's, and a secret changed later by another program must not be answered stale.
KEEP_S = 30.0

# School IT's way to turn the child off (``FRONTDESK_READ_KEYS_ASIDE=0``: to compare, or should a machine's policy
# refuse the desk a second process). The desk then reads its keys itself.
OFF_ENV = "FRONTDESK_READ_KEYS_ASIDE"

MISSING = object()  # take()'s answer for a name the child has no value for


class Prefetch:
    """The child's answer, once it has come: what :func:`take` and :func:`info` hand over."""

    def __init__(self, pid: int, fd: int, names: Sequence[SecretName]):
        self._pid, self._fd = pid, fd
        self._names = [(n.service, n.account) for n in names]
        self._lock = threading.Lock()
        self._answer: dict[str, Any] | None = None  # {"info": KeyringInfo, "values": {(service, account): value}}
        self._done = False
        self._started = time.monotonic()
        self._names_dropped: set[tuple[str, str]] = set()  # changed by the desk before the answer came

    def _collect(self) -> dict[str, Any] | None:
        """Read the child's line and reap it (once; under the lock). None: no usable answer."""
        import select

        data, deadline = b"", time.monotonic() + WAIT_S
        try:
            while True:
                ready, _, _ = select.select([self._fd], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    break  # too slow: the desk reads itself
                chunk = os.read(self._fd, 65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            data = b""
        finally:
            os.close(self._fd)
        status = _reap(self._pid)
        if status != 0 or not data.endswith(b"\n"):
            return None
        try:
            got = json.loads(data)
            values = got["values"]
            if len(values) != len(self._names) or not all(v is None or isinstance(v, str) for v in values):
                return None
            found = KeyringInfo(**got["info"])
        except (ValueError, KeyError, TypeError):
            return None
        pairs = zip(self._names, values, strict=True)
        kept = {name: value for name, value in pairs if name not in self._names_dropped}
        return {"info": found, "values": kept}

    def answer(self) -> dict[str, Any] | None:
        """The child's answer, waited for the first time it is asked."""
        with self._lock:
            if not self._done:
                self._done = True
                self._answer = self._collect()
            if self._answer is not None and time.monotonic() - self._started > KEEP_S:
                self._answer["values"].clear()
            return self._answer

    def drop(self, name: SecretName) -> None:
        """Forget the child's value for ``name`` (the desk changed or deleted that secret)."""
        with self._lock:
            if self._answer is not None:
                self._answer["values"].pop((name.service, name.account), None)
            else:
                self._names_dropped.add((name.service, name.account))


def _reap(pid: int) -> int | None:
    """The child's exit status; a child still running (past :data:`WAIT_S`) is stopped first."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == 0:
            import signal

            os.kill(pid, signal.SIGKILL)
            done, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)
    except OSError:
        return None


_CURRENT: Prefetch | None = None


Reader = Callable[[int, Sequence[SecretName]], int]  # what the child runs: (pipe's descriptor, names) -> status


def start(names: Sequence[SecretName], read: Reader | None = None) -> Prefetch | None:
    """Fork the child reading ``names``; None where it is not used (off Linux, one core) or cannot be forked (then
    the desk reads itself). ``read`` is what the child runs (default :func:`_read`; the tests give broken ones):
    it writes to the pipe's descriptor and returns the child's exit status."""
    global _CURRENT
    if not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2:
        return None  # one core: the child would only take turns with the desk
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: read, write, leave without running anything of the desk's (no atexit, no flush)
        code = 1
        try:
            _CURRENT = None
            os.close(read_end)
            code = (read or _read)(write_end, names)
        except BaseException:  # noqa: BLE001 - said by the status; the desk then reads itself
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    _CURRENT = Prefetch(pid, read_end, names)
    return _CURRENT


def take(name: SecretName) -> Any:
    """The child's value for ``name`` (a string, or None: none is stored or no keyring may be used), handed over
    once; ``MISSING`` when the child was not asked for it, gave no answer, or it was handed over already."""
    current = _CURRENT
    if current is None:
        return MISSING
    answer = current.answer()
    if answer is None:
        return MISSING
    return answer["values"].pop((name.service, name.account), MISSING)


def info() -> KeyringInfo | None:
    """The child's account of the keyring (backend, usable, protected, message), or None without an answer."""
    current = _CURRENT
    answer = current.answer() if current is not None else None
    return answer["info"] if answer is not None else None


def drop(name: SecretName) -> None:
    """The desk changed or deleted ``name`` in the keyring: the child's value is never handed over."""
    current = _CURRENT
    if current is not None:
        current.drop(name)


def forget() -> None:
    """Drop the child's answer (what is left of it) and reap the child: tests, and a desk's second start."""
    global _CURRENT
    current, _CURRENT = _CURRENT, None
    if current is not None:
        current.answer()


def _read(fd: int, names: Sequence[SecretName]) -> int:
    """The child: read ``names`` by the desk's rules and write them to ``fd`` as one JSON line; its exit status."""
    from dataclasses import asdict

    from frontdesk.secrets import SecretStore
    from frontdesk.secrets.choice import import_keyring

    import_keyring()  # what keyring's import names and a read never uses, left unloaded (as the desk does)
    store = SecretStore()
    found = store.info()
    values = [store.get(name) for name in names]  # None each where the keyring may not be used (as the desk)
    line = (json.dumps({"info": asdict(found), "values": values}) + "\n").encode()
    while line:
        line = line[os.write(fd, line) :]
    return 0
