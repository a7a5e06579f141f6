"""Key rotation (SQLCipher rekey) and escrow (export/import sealed with a passphrase), with an in-memory keyring.

The command line runs in this process (``frontdesk.cli.main``) so that it sees the same in-memory keyring as
the test: no secret is ever written to a file here except the sealed escrow file itself.
"""

from __future__ import annotations

import io
import json
import sqlite3

import keyring
import pytest

from frontdesk import cli
from frontdesk.context import Services
from frontdesk.errors import InputError
from frontdesk.keys.service import rotate_keys
from frontdesk.models import Visitor
from frontdesk.secrets import MemoryKeyring, SecretStore
from frontdesk.secrets.escrow import open_escrow, seal_escrow
from frontdesk.store import cipher, key_name, previous_key_name

NAME = "Rekeywoodsynthetic"
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def memory_keyring():
    """keyring's default backend replaced by one in this process's memory for the test."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield SecretStore(backend)
    keyring.set_keyring(previous)


@pytest.fixture
def desk(data_dir, memory_keyring):
    """An encrypted desk (database and outbox) with one visit, closed again; returns its badge code."""
    services = Services.open(data_dir, secrets=memory_keyring, encrypt=True)
    try:
        return services.checkin.admit(Visitor(first_name="Quill", last_name=NAME), again=True).badge_code
    finally:
        services.close()


def run(capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def keys(secrets: SecretStore, data_dir) -> dict[str, str | None]:
    return {name: secrets.get(key_name(data_dir / name)) for name in ("frontdesk.db", "outbox.db")}


def opens(path, key) -> bool:
    try:
        cipher.connect(path, key).close()
    except sqlite3.DatabaseError:
        return False
    return True


def test_rotate_gives_both_files_new_keys_and_keeps_every_record(
    data_dir, desk, memory_keyring, capsys, monkeypatch
):
    before = keys(memory_keyring, data_dir)
    assert all(before.values())
    code, out, err = run(capsys, monkeypatch, "--data-dir", str(data_dir), "key", "rotate")
    assert code == 0, err
    assert "new key: frontdesk.db" in out and "new key: outbox.db" in out
    after = keys(memory_keyring, data_dir)
    for name in before:
        assert after[name] != before[name]
        assert opens(data_dir / name, after[name]) and not opens(data_dir / name, before[name])
        assert memory_keyring.get(previous_key_name(data_dir / name)) is None  # the old key is gone once done
    assert not list(data_dir.glob("*.rekeying"))
    services = Services.open(data_dir, secrets=memory_keyring)
    try:
        assert services.visits.get(desk).visitor.last_name == NAME
        assert services.audit.verify().intact
        rotated = [r for r in services.audit.records() if r.action == "key.rotated"]
        assert sorted(r.subject for r in rotated) == ["frontdesk.db", "outbox.db"]
        # The journal is WAL again, and a backup exists under the new key.
        assert services.store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        (backup,) = (data_dir / "backups").glob("frontdesk-*-after-key-rotation.db")
        assert opens(backup, after["frontdesk.db"])
    finally:
        services.close()
    # The keys are in the keyring only: not in any file of the folder.
    for path in data_dir.rglob("*"):
        if path.is_file():
            for key in (*before.values(), *after.values()):
                assert key.encode() not in path.read_bytes(), path


def test_rotate_is_refused_while_the_desk_has_the_database_open(
    data_dir, desk, memory_keyring, capsys, monkeypatch
):
    running = Services.open(data_dir, secrets=memory_keyring)
    try:
        assert running.visits.get(desk).visitor.last_name == NAME
        before_keys = keys(memory_keyring, data_dir)
        before = (data_dir / "frontdesk.db").read_bytes()
        code, _, err = run(capsys, monkeypatch, "--data-dir", str(data_dir), "key", "rotate")
        assert code == 2 and err.count("\n") == 1 and "close it" in err and "Traceback" not in err
        assert keys(memory_keyring, data_dir) == before_keys
        assert (data_dir / "frontdesk.db").read_bytes() == before
        assert running.visits.get(desk).visitor.last_name == NAME  # the running desk still reads its data
    finally:
        running.close()


def test_a_rotation_cut_short_before_the_new_file_is_settled_at_the_next_start(data_dir, desk, memory_keyring):
    # The state a power cut leaves between "new key in the keyring" and "re-keyed file in place".
    path = data_dir / "frontdesk.db"
    old = memory_keyring.get(key_name(path))
    memory_keyring.set(previous_key_name(path), old)
    memory_keyring.new_key(key_name(path))
    services = Services.open(data_dir, secrets=memory_keyring)
    try:
        assert services.visits.get(desk).visitor.last_name == NAME
    finally:
        services.close()
    assert memory_keyring.get(key_name(path)) == old
    assert memory_keyring.get(previous_key_name(path)) is None
    # And after the rename but before the old key was forgotten: the new key stays, the old one goes.
    rotate_keys(data_dir, memory_keyring)
    new = memory_keyring.get(key_name(path))
    memory_keyring.set(previous_key_name(path), old)
    Services.open(data_dir, secrets=memory_keyring).close()
    assert memory_keyring.get(key_name(path)) == new
    assert memory_keyring.get(previous_key_name(path)) is None


def test_rotate_on_a_plain_database_says_there_is_no_key(data_dir, capsys, monkeypatch):
    Services.open(data_dir).close()  # the tests' default keyring is the null one: plain
    code, _, err = run(capsys, monkeypatch, "--data-dir", str(data_dir), "key", "rotate")
    assert code == 2 and "not an encrypted" in err and err.count("\n") == 1


def test_export_then_import_on_a_new_keyring_opens_the_data_again(
    data_dir, desk, memory_keyring, tmp_path, capsys, monkeypatch
):
    escrow = tmp_path / "escrow" / "desk-12.frontdesk-keys"
    escrow.parent.mkdir()
    original = keys(memory_keyring, data_dir)
    code, out, err = run(
        capsys,
        monkeypatch,
        "--data-dir",
        str(data_dir),
        "key",
        "export",
        "--to",
        str(escrow),
        stdin=PASSPHRASE + "\n",
    )
    assert code == 0, err
    assert oct(escrow.stat().st_mode & 0o777) == "0o600"
    raw = escrow.read_bytes()
    assert all(key.encode() not in raw for key in original.values())
    assert json.loads(raw)["kdf"] == "scrypt"

    # The keyring is lost (a new Windows profile): the data cannot be opened.
    lost = MemoryKeyring()
    keyring.set_keyring(lost)
    code, _, err = run(capsys, monkeypatch, "--data-dir", str(data_dir), "onsite")
    assert code == 2 and "key is not" in err

    code, _, err = run(capsys, monkeypatch, "--data-dir", str(data_dir), "key", "import", str(escrow),
                       stdin="wrong passphrase entirely\n")  # fmt: skip
    assert code == 2 and "passphrase does not open" in err and err.count("\n") == 1
    assert keys(SecretStore(lost), data_dir) == {"frontdesk.db": None, "outbox.db": None}

    code, out, err = run(capsys, monkeypatch, "--data-dir", str(data_dir), "key", "import", str(escrow),
                         stdin=PASSPHRASE + "\n")  # fmt: skip
    assert code == 0, err
    assert keys(SecretStore(lost), data_dir) == original
    services = Services.open(data_dir, secrets=SecretStore(lost))
    try:
        assert services.visits.get(desk).visitor.last_name == NAME
        actions = [r.action for r in services.audit.records()]
        assert "key.exported" in actions and "key.imported" in actions
    finally:
        services.close()


def test_an_escrow_of_another_desk_is_refused_and_nothing_is_imported(
    data_dir, desk, memory_keyring, tmp_path, capsys, monkeypatch
):
    other = tmp_path / "other.frontdesk-keys"
    other.write_bytes(seal_escrow({"frontdesk.db": "ab" * 32, "outbox.db": "cd" * 32}, PASSPHRASE))
    before = keys(memory_keyring, data_dir)
    code, _, err = run(capsys, monkeypatch, "--data-dir", str(data_dir), "key", "import", str(other),
                       stdin=PASSPHRASE + "\n")  # fmt: skip
    assert code == 2 and "does not open" in err and "Nothing was imported" in err
    assert keys(memory_keyring, data_dir) == before


def test_export_refuses_a_short_passphrase_and_an_existing_file(data_dir, desk, tmp_path, capsys, monkeypatch):
    target = tmp_path / "keys.escrow"
    code, _, err = run(capsys, monkeypatch, "--data-dir", str(data_dir), "key", "export", "--to", str(target),
                       stdin="short\n")  # fmt: skip
    assert code == 2 and "at least 12" in err and not target.exists()
    target.write_text("something else")
    code, _, err = run(capsys, monkeypatch, "--data-dir", str(data_dir), "key", "export", "--to", str(target),
                       stdin=PASSPHRASE + "\n")  # fmt: skip
    assert code == 2 and "already exists" in err and target.read_text() == "something else"


def test_a_changed_escrow_file_does_not_open():
    sealed = json.loads(seal_escrow({"frontdesk.db": "ab" * 32}, PASSPHRASE))
    assert open_escrow(json.dumps(sealed).encode(), PASSPHRASE).keys == {"frontdesk.db": "ab" * 32}
    sealed["station"] = "elsewhere"  # any header change breaks the seal (it is the associated data)
    with pytest.raises(InputError):
        open_escrow(json.dumps(sealed).encode(), PASSPHRASE)
    with pytest.raises(InputError):
        open_escrow(b"not json at all", PASSPHRASE)


@pytest.mark.parametrize(
    "resave",
    [
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),  # Notepad's "UTF-8 with BOM"
        lambda text: text.encode("utf-16"),  # Notepad's "Unicode" (UTF-16 with its BOM)
        lambda text: text.replace("\n", "\r\n").encode("utf-8"),  # Windows line ends
    ],
    ids=["utf-8 bom", "utf-16", "crlf"],
)
def test_an_escrow_file_opened_and_saved_again_in_a_text_editor_still_opens(resave):
    """IT opens the escrow file to see what it is and saves it: the same text in another encoding. It said
    "not a FrontDesk key escrow file", and the keys to the encrypted backups were out of reach."""
    text = seal_escrow({"frontdesk.db": "ab" * 32}, PASSPHRASE).decode("utf-8")
    assert open_escrow(resave(text), PASSPHRASE).keys == {"frontdesk.db": "ab" * 32}


def test_rotate_and_export_are_recorded_under_the_principal_who_signed_in(
    data_dir, desk, memory_keyring, tmp_path, capsys, monkeypatch
):
    """Both commands check ``--user`` and then write their record from services opened afresh: until session 22
    the record named the front desk ("desk"), not the principal who rotated or exported the keys."""
    from frontdesk.access.roles import Role

    services = Services.open(data_dir, secrets=memory_keyring)
    try:
        services.accounts.add("root", Role.ADMIN, "district-secret")
        services.accounts.sign_in("root", "district-secret")
        services.accounts.add("p.rivera", Role.PRINCIPAL, "principal-pw")
    finally:
        services.close()
    monkeypatch.setenv("FRONTDESK_PASSWORD", "principal-pw")
    d = ["--data-dir", str(data_dir), "--user", "p.rivera"]
    assert run(capsys, monkeypatch, *d, "key", "rotate")[0] == 0
    code, _, err = run(capsys, monkeypatch, *d, "key", "export", "--to", str(tmp_path / "k.escrow"),
                       stdin=PASSPHRASE + "\n")  # fmt: skip
    assert code == 0, err
    services = Services.open(data_dir, secrets=memory_keyring)
    try:
        found = services.store.db.execute(
            "SELECT actor, action FROM audit_log WHERE action IN ('key.rotated', 'key.exported') ORDER BY seq"
        ).fetchall()
    finally:
        services.close()
    assert found == [("p.rivera", "key.rotated"), ("p.rivera", "key.rotated"), ("p.rivera", "key.exported")]
