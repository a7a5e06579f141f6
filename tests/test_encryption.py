"""Secrets in the keyring and the database encrypted at rest (SQLCipher), with an in-memory keyring.

No test here keeps a secret in a plain file unless it says so (the file keyring of the crash test, chosen
explicitly as an administrator would).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap

import keyring.backends.null
import pytest

from frontdesk.context import Services
from frontdesk.dispatch.credentials import KeyringCredentials
from frontdesk.errors import DeliveryError, StoreError
from frontdesk.models import Visitor
from frontdesk.secrets import (
    ALLOW_FILE_ENV,
    DISPATCH_CREDENTIAL,
    SMTP_PASSWORD,
    MemoryKeyring,
    SecretStore,
    SecretsUnavailable,
)
from frontdesk.store import cipher, key_name
from tests.cli_helpers import ROOT, frontdesk, text
from tests.dispatch_keyring import FileKeyring

NAME = "Cryptwoodsynthetic"


@pytest.fixture
def secrets() -> SecretStore:
    """A keyring in this process's memory only."""
    return SecretStore(MemoryKeyring())


def raw_files(services: Services) -> bytes:
    services.store.checkpoint()
    return b"".join(p.read_bytes() for p in services.store.files())


def admit(services: Services, last: str = NAME):
    return services.checkin.admit(Visitor(first_name="Zebulon", last_name=last), again=True)


# -- secrets ---------------------------------------------------------------------------------------------


def test_secrets_round_trip_in_the_memory_keyring(secrets):
    secrets.set(SMTP_PASSWORD, "mail-secret-1")
    assert secrets.get(SMTP_PASSWORD) == "mail-secret-1"
    secrets.delete(SMTP_PASSWORD)
    assert secrets.get(SMTP_PASSWORD) is None
    assert secrets.info().usable and secrets.info().protected


def test_no_keyring_is_said_plainly_and_nothing_is_kept():
    store = SecretStore(keyring.backends.null.Keyring())
    info = store.info()
    assert not info.usable and "no system keyring" in info.message
    with pytest.raises(SecretsUnavailable) as err:
        store.set(SMTP_PASSWORD, "x")
    assert err.value.code == "keyring"
    assert store.get(SMTP_PASSWORD) is None


def test_a_plain_file_keyring_is_refused_unless_the_administrator_chooses_it(tmp_path, monkeypatch):
    monkeypatch.setenv("FRONTDESK_TEST_KEYRING_FILE", str(tmp_path / "keyring.json"))
    monkeypatch.delenv(ALLOW_FILE_ENV, raising=False)
    store = SecretStore(FileKeyring())
    assert not store.info().usable and ALLOW_FILE_ENV in store.info().message
    with pytest.raises(SecretsUnavailable):
        store.set(DISPATCH_CREDENTIAL, "cred")
    assert not (tmp_path / "keyring.json").exists()
    # The dispatch credential goes through the same module, and says so in the dispatch's terms.
    with pytest.raises(DeliveryError):
        KeyringCredentials(store).save("cred")

    monkeypatch.setenv(ALLOW_FILE_ENV, "1")
    info = store.info()
    assert info.usable and not info.protected and info.message.startswith("WARNING")
    store.set(DISPATCH_CREDENTIAL, "cred")
    assert KeyringCredentials(store).load() == "cred"


# -- the database at rest ----------------------------------------------------------------------------------


def test_a_new_database_is_encrypted_and_no_name_is_readable(data_dir, secrets):
    services = Services.open(data_dir, secrets=secrets, encrypt=True)
    try:
        assert services.store.key and services.store.key == secrets.get(key_name(services.store.path))
        code = admit(services).badge_code
        raw = raw_files(services)
        assert NAME.encode() not in raw and b"Zebulon" not in raw
        assert not raw.startswith(cipher.PLAIN_HEADER)
    finally:
        services.close()
    # The key is only in the keyring: never in the settings, the database or a file next to it.
    key = secrets.get(key_name(data_dir / "frontdesk.db"))
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
    again = Services.open(data_dir, secrets=secrets)
    try:
        assert again.visits.get(code).visitor.last_name == NAME
        assert again.audit.verify().intact
    finally:
        again.close()


def test_a_missing_key_is_a_clear_error_that_touches_nothing(data_dir, secrets):
    services = Services.open(data_dir, secrets=secrets, encrypt=True)
    admit(services)
    services.close()
    before = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    with pytest.raises(StoreError) as err:
        Services.open(data_dir, secrets=SecretStore(MemoryKeyring()))
    assert err.value.code == "store_locked" and "has not been changed" in err.value.message
    assert {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()} == before


def test_a_wrong_key_is_a_clear_error_that_touches_nothing(data_dir, secrets):
    services = Services.open(data_dir, secrets=secrets, encrypt=True)
    admit(services)
    services.close()
    before = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    other = SecretStore(MemoryKeyring())
    other.new_key(key_name(data_dir / "frontdesk.db"))
    with pytest.raises(StoreError) as err:
        Services.open(data_dir, secrets=other, encrypt=True)
    assert err.value.code == "store_key" and "has not been changed" in err.value.message
    assert {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()} == before


def test_a_plain_database_is_encrypted_in_place_with_a_backup(data_dir, secrets):
    plain = Services.open(data_dir)  # the tests' keyring is the null one: a plain file
    assert plain.store.key is None
    code = admit(plain).badge_code
    plain.close()

    services = Services.open(data_dir, secrets=secrets, encrypt=True)
    try:
        assert cipher.file_state(services.store.path) == "encrypted"
        assert services.visits.get(code).visitor.last_name == NAME
        assert services.audit.verify().intact
        assert NAME.encode() not in raw_files(services)
    finally:
        services.close()
    (backup,) = (data_dir / "backups").glob("frontdesk-*before-encryption.db")
    (outbox_backup,) = (data_dir / "backups").glob("outbox-*before-encryption.db")  # the panic outbox's file
    assert cipher.file_state(data_dir / "outbox.db") == "encrypted"
    assert NAME.encode() in backup.read_bytes()  # the plain original, for IT to check and delete
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    assert not (data_dir / "frontdesk.db.encrypting").exists()


def leaves_with_room(path, index: str) -> tuple[int, int]:
    """The leaf pages of the index ``index`` of the plain file ``path``, and how many have room for two more
    keys (SQLite's dbstat)."""
    conn = sqlite3.connect(path)
    try:
        query = "SELECT count(*), sum(unused > 40) FROM dbstat WHERE name = ? AND pagetype = 'leaf'"
        return tuple(conn.execute(query, [index]).fetchone())
    except sqlite3.OperationalError as exc:  # a SQLite built without dbstat
        pytest.skip(f"no dbstat in this SQLite ({exc})")
    finally:
        conn.close()


def test_a_copy_for_encryption_keeps_everything_and_leaves_room_in_its_indexes(services, tmp_path):
    # A desk with history: 3,000 visits of 400 people, random badge codes (seeded: the same pages every run),
    # indexed for search by the triggers.
    rng = random.Random(16)
    db = services.store.db
    with db.conn:
        db.execute("BEGIN")
        db.conn.executemany(
            "INSERT INTO people (first_name, last_name, name_key, first_key, created_at) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    f"First{i}",
                    f"Copywood{i}",
                    f"copywood{i} first{i}",
                    f"first{i} copywood{i}",
                    "2026-01-01T08:00:00",
                )
                for i in range(400)
            ],
        )
        db.conn.executemany(
            "INSERT INTO visits (person_id, category, purpose, time_in, badge_code) "
            "VALUES (?, 'visitor', ?, ?, ?)",
            [
                (1 + i % 400, f"Meeting {i}", f"2026-01-02T08:{i % 60:02d}:00", f"{rng.getrandbits(40):010X}")
                for i in range(3000)
            ],
        )
    admit(services)  # and a check-in: its audit records, screening decision, sequences
    db.execute("ANALYZE")
    services.store.checkpoint()
    source = services.store.path
    cipher._load()

    def copied(name: str, export: bool = False):
        target = tmp_path / name
        conn = cipher._driver.connect(str(source), isolation_level=None)
        conn.execute("ATTACH DATABASE ? AS copy KEY ''", [str(target)])  # plain, so dbstat can read it
        if export:
            conn.execute("SELECT sqlcipher_export('copy')")
        else:
            cipher.copy_into(conn, "copy")
        conn.execute("DETACH DATABASE copy")
        conn.close()
        return target

    copy, exported = copied("copy.db"), copied("exported.db", export=True)
    original = sqlite3.connect(source)
    made = sqlite3.connect(copy)
    try:
        schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        assert made.execute(schema).fetchall() == original.execute(schema).fetchall()
        for (table,) in original.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND rootpage > 0"):
            rows = f'SELECT * FROM "{table}" ORDER BY 1'
            assert made.execute(rows).fetchall() == original.execute(rows).fetchall(), table
        assert made.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        search = "SELECT rowid FROM visit_search WHERE visit_search MATCH 'copywood12*' ORDER BY rowid"
        assert made.execute(search).fetchall() == original.execute(search).fetchall() != []
    finally:
        original.close()
        made.close()
    # sqlcipher_export fills every page of an index to the brim but its last, so each random badge code of the
    # next check-ins splits one; the copy's badge-code index was built a key at a time, as the check-ins built
    # the original's, and most of its pages have room.
    badges = "sqlite_autoindex_visits_1"
    packed, (pages, roomy) = leaves_with_room(exported, badges), leaves_with_room(copy, badges)
    assert packed[1] <= 1 and roomy > pages // 2
    assert (pages, roomy) == leaves_with_room(source, badges)


def in_older_format(path, key: str) -> None:
    """Rewrite an encrypted file as every desk wrote it before 2026-12-03: SQLCipher 4's defaults (HMAC-SHA512)."""
    conn = cipher.connect(path, key, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    older = path.with_name(path.name + ".older")
    conn.execute("ATTACH DATABASE ? AS older KEY " + cipher.key_pragma(key), [str(older)])  # SQLCipher's defaults
    conn.execute("SELECT sqlcipher_export('older')")
    conn.execute(f"PRAGMA older.user_version = {version}")
    conn.execute("DETACH DATABASE older")
    conn.close()
    for companion in ("-wal", "-shm"):
        path.with_name(path.name + companion).unlink(missing_ok=True)
    os.replace(older, path)


def opens_as(path, key: str, fmt: str) -> bool:
    try:
        cipher.connect(path, key, fmt=fmt).close()
    except sqlite3.DatabaseError:
        return False
    return True


def older_desk(data_dir, secrets, names=("Older0", "Older1", "Older2")) -> list[str]:
    """An encrypted desk with a few visits (and its panic outbox), both files in the older format."""
    services = Services.open(data_dir, secrets=secrets, encrypt=True)
    codes = [admit(services, name).badge_code for name in names]
    services.close()
    for name in ("frontdesk.db", "outbox.db"):
        path = data_dir / name
        in_older_format(path, secrets.get(key_name(path)))
        assert opens_as(path, secrets.get(key_name(path)), cipher.LEGACY)
        assert not opens_as(path, secrets.get(key_name(path)), cipher.CURRENT)
    return codes


def test_a_desk_in_the_older_encrypted_format_is_rewritten_and_loses_nothing(data_dir, secrets):
    codes = older_desk(data_dir, secrets)
    path, key = data_dir / "frontdesk.db", secrets.get(key_name(data_dir / "frontdesk.db"))
    older = cipher.connect(path, key)
    tables = ("visits", "people", "audit_log")
    rows = {t: older.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    older.close()

    services = Services.open(data_dir, secrets=secrets)
    try:
        assert services.store.cipher_format == cipher.CURRENT
        db = services.store.db
        assert {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in rows} == rows
        assert [services.visits.get(c).visitor.last_name for c in codes] == ["Older0", "Older1", "Older2"]
        assert services.audit.verify().intact
        admit(services, "Newer")  # opens (and rewrites) the panic outbox's file too
        assert NAME.encode() not in raw_files(services) and b"Older1" not in raw_files(services)
    finally:
        services.close()
    for name in ("frontdesk.db", "outbox.db"):
        file_key = secrets.get(key_name(data_dir / name))
        assert opens_as(data_dir / name, file_key, cipher.CURRENT), name
        assert not opens_as(data_dir / name, file_key, cipher.LEGACY), name
        assert not (data_dir / f"{name}.reformatting").exists()
    # The file as it was is kept, still in the older format, owner-only; and it restores.
    (kept,) = (data_dir / "backups").glob("frontdesk-*-before-cipher-hmac_sha256.db")
    assert oct(kept.stat().st_mode & 0o777) == "0o600" and opens_as(kept, key, cipher.LEGACY)
    services = Services.open(data_dir, secrets=secrets)
    try:
        services.backups.restore(kept)
        assert services.store.db.execute("SELECT count(*) FROM visits").fetchone()[0] == len(codes)
        assert services.audit.verify().intact
    finally:
        services.close()


def test_a_page_altered_on_disk_is_refused_not_read(data_dir, secrets):
    services = Services.open(data_dir, secrets=secrets, encrypt=True)
    admit(services)
    services.store.checkpoint()
    pages = services.store.db.execute("PRAGMA page_count").fetchone()[0]
    services.close()
    path = data_dir / "frontdesk.db"
    key = secrets.get(key_name(path))
    assert opens_as(path, key, cipher.CURRENT)
    data = bytearray(path.read_bytes())
    for page in range(1, pages):  # one byte of every page's encrypted content but the first (the key check's)
        data[page * 4096 + 100] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(sqlite3.DatabaseError):  # the HMAC of an altered page does not match: nothing is read
        conn = cipher.connect(path, key)
        try:
            conn.execute("SELECT * FROM visits").fetchall()
        finally:
            conn.close()


def test_a_wrong_key_on_an_older_format_desk_touches_nothing(data_dir, secrets):
    older_desk(data_dir, secrets, names=("Older0",))
    before = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    other = SecretStore(MemoryKeyring())
    other.new_key(key_name(data_dir / "frontdesk.db"))
    with pytest.raises(StoreError) as err:
        Services.open(data_dir, secrets=other)
    assert err.value.code == "store_key" and "has not been changed" in err.value.message
    assert {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()} == before
    assert not (data_dir / "backups").exists()


def test_an_older_format_desk_open_elsewhere_keeps_working_and_is_rewritten_later(data_dir, secrets):
    codes = older_desk(data_dir, secrets, names=("Older0",))
    path = data_dir / "frontdesk.db"
    elsewhere = cipher.connect(path, secrets.get(key_name(path)))  # another FrontDesk program has it open
    elsewhere.execute("PRAGMA journal_mode=WAL")
    elsewhere.execute("SELECT count(*) FROM visits").fetchone()
    try:
        services = Services.open(data_dir, secrets=secrets)
        try:
            assert services.store.cipher_format == cipher.LEGACY
            codes.append(admit(services, "While").badge_code)
        finally:
            services.close()
    finally:
        elsewhere.close()
    services = Services.open(data_dir, secrets=secrets)
    try:
        assert services.store.cipher_format == cipher.CURRENT
        assert [services.visits.get(c).visitor.last_name for c in codes] == ["Older0", "While"]
    finally:
        services.close()


def test_an_older_format_desk_whose_rewrite_fails_keeps_working_unchanged(data_dir, secrets, caplog):
    codes = older_desk(data_dir, secrets, names=("Older0",))
    (data_dir / "backups").write_text("not a folder")  # the copy cannot be kept (as with a full disk)
    services = Services.open(data_dir, secrets=secrets)
    try:
        assert services.store.cipher_format == cipher.LEGACY
        assert "stays in the older encrypted format" in caplog.text
        assert services.visits.get(codes[0]).visitor.last_name == "Older0"
        services.store.checkpoint()
    finally:
        services.close()
    assert opens_as(data_dir / "frontdesk.db", secrets.get(key_name(data_dir / "frontdesk.db")), cipher.LEGACY)
    assert not (data_dir / "frontdesk.db.reformatting").exists()


def test_without_a_keyring_the_database_stays_plain_and_the_desk_is_told(data_dir):
    services = Services.open(data_dir, secrets=SecretStore(keyring.backends.null.Keyring()), encrypt=True)
    try:
        assert services.store.key is None
        assert "NOT encrypted" in services.store.encryption_warning
    finally:
        services.close()


def test_the_cli_opens_an_encrypted_database_with_the_key_from_the_keyring(data_dir, keyring_file):
    services = Services.open(data_dir, secrets=SecretStore(FileKeyring()), encrypt=True)
    admit(services)
    services.close()
    proc = frontdesk("onsite", "--json", data_dir=data_dir)
    assert proc.returncode == 0, text(proc)
    assert NAME in text(proc)[0]
    keyring_file.write_text("{}")  # the key gone: a one-line error, exit 2
    proc = frontdesk("onsite", data_dir=data_dir)
    assert proc.returncode == 2 and "key is not" in text(proc)[1] and "Traceback" not in text(proc)[1]


WRITER = textwrap.dedent(
    """
    import sys
    from frontdesk.context import Services
    from frontdesk.models import Visitor

    services = Services.open(sys.argv[1], encrypt=True)
    assert services.store.key
    i = 0
    while True:
        visit = services.checkin.admit(Visitor(first_name="Crash", last_name=f"Tester{i}"), again=True)
        sys.stdout.write(visit.badge_code + "\\n")
        sys.stdout.flush()
        i += 1
    """
)


@pytest.mark.parametrize("kill_after", [1, 60])
def test_sigkill_mid_stream_leaves_an_intact_decryptable_database(data_dir, keyring_file, kill_after):
    acknowledged: list[str] = []
    for _round in range(2):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data_dir)],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
        )
        assert child.stdout is not None
        for _ in range(kill_after):
            line = child.stdout.readline().decode().strip()
            assert line, "writer stopped early"
            acknowledged.append(line)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        acknowledged += [x for x in child.stdout.read().decode().split() if x]

    key = next(iter(json.loads(keyring_file.read_text()).values()))
    assert cipher.file_state(data_dir / "frontdesk.db") == "encrypted"
    conn = cipher.connect(data_dir / "frontdesk.db", key)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = {row[0] for row in conn.execute("SELECT badge_code FROM visits")}
    assert [code for code in acknowledged if code not in stored] == []


def test_reports_and_rosters_are_written_owner_only(services, tmp_path):
    admit(services)
    roster = tmp_path / "roster.pdf"
    assert services.review.roster_pdf(roster, school="Maple") == 1
    assert oct(roster.stat().st_mode & 0o777) == "0o600"
    shared = tmp_path / "old-report.csv"
    shared.write_text("left readable by an earlier program")
    shared.chmod(0o644)
    from frontdesk.review.csv_export import write_csv

    write_csv([], shared)
    assert oct(shared.stat().st_mode & 0o777) == "0o600"


def test_cli_encrypt_turns_a_plain_database_encrypted(data_dir, keyring_file):
    proc = frontdesk("checkin", "--first-name", "Zebulon", "--last-name", NAME, data_dir=data_dir)
    assert proc.returncode == 0, text(proc)
    assert cipher.file_state(data_dir / "frontdesk.db") == "plain"  # the CLI alone never makes a key
    proc = frontdesk("encrypt", data_dir=data_dir)
    assert proc.returncode == 0 and "encrypted" in text(proc)[0], text(proc)
    assert cipher.file_state(data_dir / "frontdesk.db") == "encrypted"
    proc = frontdesk("onsite", "--json", data_dir=data_dir)
    assert proc.returncode == 0 and NAME in text(proc)[0]


def test_cli_encrypt_without_a_keyring_says_why(data_dir):
    proc = frontdesk("encrypt", data_dir=data_dir)
    assert proc.returncode == 2 and "NOT encrypted" in text(proc)[1] and "keyring" in text(proc)[1]
