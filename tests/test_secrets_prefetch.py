"""A Linux desk's start-up keys read by a second process while the desk imports Qt
(``frontdesk.secrets.prefetch``), with a real GNOME Keyring on a D-Bus session of the test's own; and every way
that child can fail leaves the desk reading its keys itself, as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from keyring.backends import SecretService

from frontdesk.context import Services
from frontdesk.secrets import SecretName, SecretStore, prefetch
from frontdesk.secrets.kept import reader
from frontdesk.store import key_name

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the key reader runs on Linux only")

ONE = SecretName("FrontDesk test", "one", "test secret")
TWO = SecretName("FrontDesk test", "two", "test secret")
NONE = SecretName("FrontDesk test", "none", "test secret")


def _fails(fd, names):
    return 3


def _says_something_else(fd, names):
    os.write(fd, b"not an answer\n")
    return 0


def _wrong_answer(fd, names):
    os.write(fd, json.dumps({"info": {}, "values": ["x"]}).encode() + b"\n")
    return 0


def _stops_half_way(fd, names):
    os.write(fd, b'{"info"')
    return 0


def _raises(fd, names):
    raise RuntimeError("the keyring's library broke")


def _slow(fd, names):
    time.sleep(60)
    return 0


@pytest.fixture
def keyring_session(session_bus, monkeypatch):
    """The test's own GNOME Keyring, named in this process's environment (which the child inherits), with two
    secrets in it; keyring's Secret Service backend on it."""
    for name, value in session_bus.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    backend = SecretService.Keyring()
    store = SecretStore(backend)
    store.set(ONE, "first value")
    store.set(TWO, "second value")
    # keyring's choice in this process, and so in the child forked from it: the test's keyring (other tests of
    # this session define backends of their own, which keyring's rules would otherwise weigh).
    import keyring

    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
    yield backend
    reader(backend).close()
    prefetch.forget()


def _system_store(backend, monkeypatch) -> SecretStore:
    """A SecretStore with keyring's own choice (as the desk has), that choice being the test's keyring."""
    import keyring

    assert keyring.core._keyring_backend is backend
    return SecretStore()


def test_the_desk_takes_each_key_from_the_reader_once(keyring_session, monkeypatch):
    started = prefetch.start([ONE, TWO, NONE])
    assert started is not None
    assert prefetch.info().backend == "keyring.backends.SecretService.Keyring"
    assert prefetch.info().usable and prefetch.info().protected

    # Changed after the child read it: the child's value is handed over once, then the keyring is asked again.
    SecretService.Keyring().set_password(TWO.service, TWO.account, "changed since")
    store = _system_store(keyring_session, monkeypatch)
    assert prefetch.take(ONE) == "first value"
    assert prefetch.take(ONE) is prefetch.MISSING
    assert store.get(TWO) == "second value"  # the child's
    assert store.get(TWO) == "changed since"  # the keyring's, now
    assert store.get(NONE) is None
    assert store.get(ONE) == "first value"  # read by the desk itself


@pytest.mark.parametrize(
    "read",
    [_fails, _says_something_else, _wrong_answer, _stops_half_way, _raises],
    ids=["fails", "not-an-answer", "wrong-answer", "half-way", "raises"],
)
def test_a_reader_that_gives_no_answer_leaves_the_desk_reading_itself(keyring_session, monkeypatch, read):
    prefetch.start([ONE, TWO], read)
    assert prefetch.info() is None
    assert prefetch.take(ONE) is prefetch.MISSING
    store = _system_store(keyring_session, monkeypatch)
    assert store.info().backend == "keyring.backends.SecretService.Keyring"
    assert [store.get(ONE), store.get(TWO)] == ["first value", "second value"]


def test_a_reader_that_cannot_be_forked_leaves_the_desk_reading_itself(keyring_session, monkeypatch):
    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")  # fork's EAGAIN: the user's process limit

    monkeypatch.setattr(os, "fork", no_fork)
    assert prefetch.start([ONE]) is None
    assert _system_store(keyring_session, monkeypatch).get(ONE) == "first value"


def test_a_reader_slower_than_the_wait_is_stopped(keyring_session, monkeypatch):
    monkeypatch.setattr(prefetch, "WAIT_S", 0.5)
    started = prefetch.start([ONE], _slow)
    assert started is not None
    store = _system_store(keyring_session, monkeypatch)
    assert store.get(ONE) == "first value"
    with pytest.raises(ChildProcessError):  # reaped: stopped, not left running
        os.waitpid(started._pid, 0)


DESK_START = """
import json, sys
from pathlib import Path
from ui.main import read_keys_aside
data = Path(sys.argv[1])
aside = read_keys_aside(data)
from frontdesk.context import Services
services = Services.open(data, encrypt=True)
print(json.dumps({"aside": aside, "key": services.store.key, "keyring_imported": "keyring" in sys.modules,
                  "warning": services.store.encryption_warning}))
services.close()
"""


@pytest.mark.parametrize("aside", [True, False], ids=["aside", "turned-off"])
def test_an_encrypted_desk_opens_with_the_readers_keys(keyring_session, tmp_path, monkeypatch, aside):
    """The desk's launch (ui.main.read_keys_aside, then Services.open as ui.app.run does): its database's and its
    outbox's keys come from the child, and keyring is never imported by the desk itself; with the child turned
    off (FRONTDESK_READ_KEYS_ASIDE=0) the desk reads them itself, as before."""
    if not aside:
        monkeypatch.setenv(prefetch.OFF_ENV, "0")
    data = tmp_path / "data"
    services = Services.open(data, secrets=SecretStore(keyring_session), encrypt=True)
    key = services.store.key
    services.close()
    assert key is not None

    done = subprocess.run(
        [sys.executable, "-c", DESK_START, str(data)], capture_output=True, text=True, timeout=60, check=True
    )
    started = json.loads(done.stdout)
    assert started == {"aside": aside, "key": key, "keyring_imported": not aside, "warning": ""}
    assert SecretStore(keyring_session).get(key_name(data / "frontdesk.db")) == key


def test_without_a_keyring_the_desk_says_so_without_importing_keyring(tmp_path):
    """No D-Bus session, no backend named: keyring's choice ends at its 'fail' backend (in the child), and the
    desk, with nothing to keep a key in, opens a plain database and says why, as it did reading itself."""
    from secret_service import isolated

    done = subprocess.run(
        [sys.executable, "-c", DESK_START, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=isolated(tmp_path),
    )
    started = json.loads(done.stdout)
    assert started["aside"] is True and started["key"] is None and started["keyring_imported"] is False
    assert started["warning"].startswith("The database is NOT encrypted. There is no system keyring")


def test_a_secret_the_desk_changes_is_never_answered_from_the_reader(keyring_session, monkeypatch):
    prefetch.start([ONE, TWO])
    store = _system_store(keyring_session, monkeypatch)
    store.set(ONE, "set by the desk")  # before the child's answer was asked for
    store.delete(TWO)
    assert [store.get(ONE), store.get(TWO)] == ["set by the desk", None]


def test_the_readers_values_are_start_ups_only(keyring_session, monkeypatch):
    """A value not taken within KEEP_S of the launch is read from the keyring (changed by another program)."""
    monkeypatch.setattr(prefetch, "KEEP_S", 0.0)
    prefetch.start([ONE])
    SecretService.Keyring().set_password(ONE.service, ONE.account, "changed by another program")
    assert _system_store(keyring_session, monkeypatch).get(ONE) == "changed by another program"
