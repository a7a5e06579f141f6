"""The desk reads its secrets from the Secret Service over one kept connection and session
(``frontdesk.secrets.kept``), in a real GNOME Keyring on a D-Bus session of the test's own; and a desk's
start reads each database file's key once."""

from __future__ import annotations

import threading

import pytest
import secretstorage
import secretstorage.item
from keyring.backends import SecretService

from frontdesk.context import Services
from frontdesk.secrets import DATABASE_KEY, SecretName, SecretStore
from frontdesk.secrets.kept import KeptReader, reader

ONE = SecretName("FrontDesk test", "one", "test secret")
TWO = SecretName("FrontDesk test", "two", "test secret")
NONE = SecretName("FrontDesk test", "none", "test secret")


@pytest.fixture
def secret_service(session_bus, monkeypatch):
    """keyring's Secret Service backend on the test's own GNOME Keyring, and spies on the two costly steps of a
    read (secretstorage's, passed through): how many D-Bus connections and encrypted sessions were opened."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session_bus["DBUS_SESSION_BUS_ADDRESS"])
    opened = {"connections": 0, "sessions": 0}
    dbus_init, open_session = secretstorage.dbus_init, secretstorage.item.open_session

    def counting_dbus_init(*args, **kwargs):
        opened["connections"] += 1
        return dbus_init(*args, **kwargs)

    def counting_open_session(*args, **kwargs):
        opened["sessions"] += 1
        return open_session(*args, **kwargs)

    monkeypatch.setattr(secretstorage, "dbus_init", counting_dbus_init)
    monkeypatch.setattr(secretstorage.item, "open_session", counting_open_session)
    backend = SecretService.Keyring()
    yield backend, opened
    reader(backend).close()


def test_reads_share_one_connection_and_one_session(secret_service):
    backend, opened = secret_service
    store = SecretStore(backend)
    store.set(ONE, "first value")
    store.set(TWO, "second value")
    opened.update(connections=0, sessions=0)

    assert [store.get(ONE), store.get(TWO), store.get(NONE), store.get(ONE)] == [
        "first value",
        "second value",
        None,
        "first value",
    ]
    # keyring's backend alone: a connection for each of the four reads and a session for each of the three found.
    assert opened == {"connections": 1, "sessions": 1}
    assert isinstance(reader(backend), KeptReader)


def test_a_value_changed_elsewhere_is_read_as_it_is_now(secret_service):
    backend, _ = secret_service
    store = SecretStore(backend)
    store.set(ONE, "before")
    assert store.get(ONE) == "before"
    SecretService.Keyring().set_password(ONE.service, ONE.account, "after")  # another program, its own connection
    assert store.get(ONE) == "after"
    SecretService.Keyring().delete_password(ONE.service, ONE.account)
    assert store.get(ONE) is None


def test_a_broken_kept_connection_is_replaced(secret_service):
    backend, opened = secret_service
    store = SecretStore(backend)
    store.set(ONE, "kept")
    assert store.get(ONE) == "kept"
    reader(backend)._collection.connection.close()  # the bus went away under the kept connection
    opened.update(connections=0, sessions=0)
    assert store.get(ONE) == "kept"
    assert opened == {"connections": 1, "sessions": 1}
    assert store.get(ONE) == "kept"
    assert opened == {"connections": 1, "sessions": 1}


def test_a_read_while_another_thread_reads_does_not_wait_for_it(secret_service):
    backend, opened = secret_service
    store = SecretStore(backend)
    store.set(ONE, "either way")
    kept = reader(backend)
    kept._lock.acquire()  # another thread's read (or a prompt) holds the kept connection
    try:
        got: list[str | None] = []
        thread = threading.Thread(target=lambda: got.append(store.get(ONE)))
        thread.start()
        thread.join(timeout=30)
        assert got == ["either way"]  # made on a connection of its own, as keyring makes every read
    finally:
        kept._lock.release()


def test_an_encrypted_desk_opens_with_its_keys_from_gnome_keyring(secret_service, tmp_path):
    backend, opened = secret_service
    data = tmp_path / "data"
    services = Services.open(data, secrets=SecretStore(backend), encrypt=True)
    key = services.store.key
    assert key is not None
    assert services.station.outbox  # the panic outbox's own file, with its own key
    services.close()
    reader(backend).close()
    opened.update(connections=0, sessions=0)

    again = Services.open(data, secrets=SecretStore(backend), encrypt=True)
    try:
        assert again.store.key == key
        again.station.link()  # the panic link's outbox: the station's own, its key not read again
    finally:
        again.close()
    # Four reads (each file's key and the previous key a rotation would leave) on one connection and session.
    assert opened == {"connections": 1, "sessions": 1}


class _CountingKeyring:
    """Counts the reads of each account, over the desk's memory keyring (the demo's and the tests')."""

    def __init__(self):
        from frontdesk.secrets import MemoryKeyring

        class Counting(MemoryKeyring):
            reads: dict[str, int] = {}

            def get_password(self, service, username):
                self.reads[username] = self.reads.get(username, 0) + 1
                return super().get_password(service, username)

        Counting.__qualname__ = "MemoryKeyring"  # the desk's name for a protected (in-memory) keyring
        Counting.__module__ = "frontdesk.secrets"
        self.backend = Counting()


def test_a_desk_start_reads_each_files_key_once(tmp_path):
    counting = _CountingKeyring()
    secrets = SecretStore(counting.backend)
    data = tmp_path / "data"
    first = Services.open(data, secrets=secrets, encrypt=True)
    assert first.station.outbox  # the panic outbox's own file, with its own key
    first.close()
    counting.backend.reads.clear()

    services = Services.open(data, secrets=secrets, encrypt=True)
    try:
        services.station.link()
    finally:
        services.close()
    keys = {account: n for account, n in counting.backend.reads.items() if not account.endswith("#previous")}
    assert sorted(keys) == sorted(str((data / name).resolve()) for name in ("frontdesk.db", "outbox.db"))
    assert set(keys.values()) == {1}, keys  # the link's outbox read the outbox's key a second time
    assert DATABASE_KEY.service


def test_a_read_after_the_keyring_daemon_restarted(secret_service, session_bus):
    """GNOME Keyring restarted under a running desk (a session restart, an update): the kept connection's
    session is gone with the old daemon; the next read is made on a new connection and finds the secret."""
    import subprocess

    backend, opened = secret_service
    store = SecretStore(backend)
    store.set(ONE, "survives a restart")
    assert store.get(ONE) == "survives a restart"
    subprocess.run(
        ["gnome-keyring-daemon", "--replace", "--unlock", "--components=secrets"],
        input=b"test-keyring-password",
        env=session_bus,
        capture_output=True,
        check=True,
        timeout=30,
    )
    opened.update(connections=0, sessions=0)
    assert store.get(ONE) == "survives a restart"
    assert opened["sessions"] == 1  # the old daemon's session is gone: a new one
