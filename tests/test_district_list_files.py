"""A large district list as one SQLite file (issue 15), encrypted with SQLCipher at the hub (issue 16): built once
per generation at the hub, downloaded, checked and copied in by the desk (``district.hub.list_files``,
``frontdesk.district_lists.files``).

The hub is a real ``frontdesk dispatch serve`` process on loopback over SQLite and PostgreSQL, told to send
every list as a file (``FRONTDESK_HUB_LIST_FILE_FROM=1``); the desk is the real core over its own SQLite
file (and a SQLCipher one). The forged files are real files edited with SQL on the way to the desk, by a
forger who holds the index's key (decrypted, edited, encrypted again), or cut, replaced or sent plain.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from dispatch_fixtures import new_console_db
from hub_lists_support import (
    ROOT,
    assert_stored_as_sent,
    hub_process,
    hubs_per_backend,
    run_cli,
)

from district.console.db import Database
from frontdesk.context import Services
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Decision, Query
from frontdesk.sync.client import HubClient, HubRefused

SOURCE = ("--source", "District barred list")
KEYED_CSV = (
    "first_name,middle_name,last_name,dob,aliases,reason,id_state,id_last4,sex\n"
    "Robert,James,Smith,1980-03-14,Bobby Jones; Smythe,Trespass order,CO,4821,male\n"
    "Mary-Ann,,van der Berg,1975,,Watch,,,F\n"
    "José,Luis,O'Brien,,Joe O'Brien,Custody,TX,A77Z,\n"
    "Łukasz,,Nguyễn,03/04/1990,,Order,,,\n"
    ",,McDonald,,Ronald McDonald,Name unknown,,,\n"
)
# Every name (and reason) of KEYED_CSV: none may be found in the bytes that reach the desk's disk.
LISTED = ("Robert", "James", "Smith", "Bobby", "Smythe", "Trespass", "Mary-Ann", "van der Berg", "José", "Luis",
          "O'Brien", "Łukasz", "Nguyễn", "McDonald", "Ronald", "Custody", "A77Z", "4821")  # fmt: skip
CSV = (
    "first_name,last_name,dob,kind,reason\n"
    "Robert,Smith,1980-03-14,barred,Trespass order\n"
    "Jane,Doe,1975-06-01,watch,\n"
)
DESKS = ("plain", "encrypted")  # the desk's own database: plain SQLite, or SQLCipher with its key in a keyring


# A test whose logic is the desk's (the hub only serves what it serves in the tests on both backends) runs on one
# backend; the comment at each says why.
ONE_BACKEND = pytest.mark.parametrize("console_db_url", ["sqlite"], indirect=True)


@pytest.fixture
def hub(console_db_url: str, tmp_path: Path):
    env = {"FRONTDESK_HUB_LIST_FILE_FROM": "1", "FRONTDESK_HUB_LIST_FILES": str(tmp_path / "hub-files")}
    with hub_process(console_db_url, tmp_path / "hub.log", env=env) as running:
        yield running


def _desk(tmp_path: Path, kind: str = "plain") -> Services:
    if kind == "plain":
        return Services.open(tmp_path / "desk")
    pytest.importorskip("sqlcipher3")
    from frontdesk.secrets import MemoryKeyring, SecretStore

    desk = Services.open(tmp_path / "desk", secrets=SecretStore(MemoryKeyring()), encrypt=True)
    assert desk.store.key
    return desk


def _screen(services: Services, first: str, last: str, dob: str):
    return services.screener.screen(Query(first, last, dob=parse_dob(dob)))


def _import(hub, tmp_path: Path, text: str, *extra: str, name: str = "list.csv") -> None:
    (tmp_path / name).write_text(text)
    done = hub.cli("district", "barred", "import", str(tmp_path / name), *SOURCE, *extra)
    assert done.returncode == 0, done.stderr


def _built(client: HubClient, timeout: float = 300.0) -> None:
    """Wait until the index gives every list's file as built. The hub builds it in a process of its own at nice
    +10 and its index waits only 5 s before saying ``building`` (the desk then takes it next round): on a
    loaded machine the build can take longer, and these tests are about the file, not that wait."""
    deadline = time.monotonic() + timeout
    while True:
        listed = client.get_json("/api/v1/lists")["lists"]
        if listed and all((x.get("encrypted_file") or {}).get("sha256") for x in listed):
            return
        assert time.monotonic() < deadline, listed
        time.sleep(0.5)


class _Watching:
    """The desk's hub client, noting the paths it asked for and the list files' bytes it was sent (the desk's
    own code runs unchanged)."""

    def __init__(self, client: HubClient):
        self._client, self.asked, self.files = client, [], []

    def get_json(self, path: str, params: dict | None = None) -> dict:
        self.asked.append(path)
        return self._client.get_json(path, params)

    def stream(self, path: str, params: dict | None = None):
        self.asked.append(path)
        sent = bytearray()
        for chunk in self._client.stream(path, params):
            if path == "/api/v1/lists/file":
                sent += chunk
            yield chunk
        if path == "/api/v1/lists/file":
            self.files.append(bytes(sent))


def _decrypted(body: bytes, key: str, folder: Path) -> Path:
    """The plain SQLite file of an encrypted list file (as a forger holding the key, or a test, would read it)."""
    from frontdesk.store import cipher

    encrypted, plain = folder / "sealed.sqlite", folder / "opened.sqlite"
    for path in (encrypted, plain):
        path.unlink(missing_ok=True)
    encrypted.write_bytes(body)
    cipher.decrypt_copy(encrypted, plain, key)
    encrypted.unlink()
    return plain


def test_a_large_list_comes_as_one_file_and_is_stored_as_a_snapshot_would_be(hub, tmp_path: Path):
    from frontdesk.screening.lists import keys_of
    from frontdesk.wire.keys import key_rules

    _import(hub, tmp_path, KEYED_CSV)
    client = HubClient([hub.url], hub.enroll())
    _built(client)
    desk = _desk(tmp_path)
    try:
        listed = client.get_json("/api/v1/lists")["lists"][0]
        file = listed["encrypted_file"]
        assert file["key_rules"] == key_rules() and file["entries"] == 5 and len(file["sha256"]) == 64
        assert file["cipher"] == "sqlcipher4" and len(bytes.fromhex(file["key"])) == 32
        # No plain "file": a desk from before the encryption reads only that, and so takes the snapshot.
        assert "file" not in listed
        watching = _Watching(client)
        assert desk.district_lists.pull(watching) == 5
        assert "/api/v1/lists/file" in watching.asked and "/api/v1/lists/snapshot" not in watching.asked

        # Each stored row is entry_row's of the entry the snapshot would have carried, field for field.
        sent = assert_stored_as_sent(desk, client)
        assert len(sent) == 5

        # The index rows are the desk's own rules' rows; screening finds the entries.
        db = desk.store.db
        ids = [r[0] for r in db.execute("SELECT entry_id FROM district_list_entries")]
        filed = set(db.execute("SELECT key, entry_id FROM screening_keys").fetchall())
        own = {(k, e.id) for e in desk.lists.get_many(ids) for k in keys_of(e)}
        assert filed == own and len(filed) > 5 * 3
        assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.MATCH

        # The download went to the desk's own owner-only folder and is gone; the audit covers every entry.
        folder = tmp_path / "desk" / "district-lists"
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and list(folder.iterdir()) == []
        assert desk.audit.verify().intact
        record = desk.audit.records(action="list.import")[0]
        assert record.details["file"]["sha256"] == file["sha256"] and record.details["file"]["encrypted"]
        assert record.details["entries"]["count"] == 5

        # Changes after the file follow as after a snapshot; a later id is never one of the file's.
        add = hub.cli(
            "district",
            "barred",
            "add",
            "--first-name",
            "Zed",
            "--last-name",
            "Later",
            "--dob",
            "1990-01-01",
            *SOURCE,
        )
        assert add.returncode == 0, add.stderr
        robert = next(h for h, e in sent.items() if e["last_name"] == "Smith")
        assert hub.cli("district", "barred", "expire", str(robert)).returncode == 0
        assert desk.district_lists.pull(client) == 2
        assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.CLEAR
        assert _screen(desk, "Zed", "Later", "1990-01-01").decision != Decision.CLEAR
        assert len(set(db.execute("SELECT entry_id FROM district_list_entries"))) == 6
        assert desk.audit.verify().intact
        assert desk.district_lists.pull(client) == 0  # in step: nothing again
    finally:
        client.close()
        desk.close()


@contextmanager
def _keyed_hub(request, backend: str, folder: Path):
    """A hub on ``backend`` holding ``KEYED_CSV`` with its file built, and the hub's log."""
    env = {"FRONTDESK_HUB_LIST_FILE_FROM": "1", "FRONTDESK_HUB_LIST_FILES": str(folder / "hub-files")}
    with hub_process(new_console_db(request, backend, folder), folder / "hub.log", env=env) as hub:
        _import(hub, folder, KEYED_CSV)
        client = HubClient([hub.url], hub.enroll())
        try:
            _built(client)
        finally:
            client.close()
        yield hub, folder / "hub.log"


@pytest.fixture(scope="module")
def keyed_hubs(request, tmp_path_factory):
    """For the tests that only read the list (the bytes on the desk's disk, where its key is kept):
    ``get(backend)`` gives one :func:`_keyed_hub` per backend, module and test process, started when first asked
    for (the tests run in random order). Each test enrols its own desk; nothing else is written to the hub."""
    with hubs_per_backend(request, tmp_path_factory, _keyed_hub) as get:
        yield get


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("desk_kind", DESKS)
def test_the_file_on_the_desks_disk_holds_no_listed_name(keyed_hubs, tmp_path: Path, desk_kind: str, backend: str):
    hub, _ = keyed_hubs(backend)
    client = HubClient([hub.url], hub.enroll())
    desk = _desk(tmp_path, desk_kind)
    try:
        file = client.get_json("/api/v1/lists")["lists"][0]["encrypted_file"]
        watching = _Watching(client)
        assert desk.district_lists.pull(watching) == 5
        (body,) = watching.files  # the bytes the desk wrote to its disk (it checked their SHA-256)
        assert hashlib.sha256(body).hexdigest() == file["sha256"] and len(body) == file["size"]
        assert not body.startswith(b"SQLite format 3\x00")
        lowered = body.lower()
        for name in LISTED:
            assert name.lower().encode() not in lowered, name
        # ... yet it is the list: it opens with the index's key, and only with it.
        opened = _decrypted(body, file["key"], tmp_path)
        with sqlite3.connect(opened) as conn:
            names = {r[0] for r in conn.execute("SELECT last_name FROM entries")}
        conn.close()
        assert "Nguyễn" in names and len(names) == 5
        with pytest.raises(sqlite3.DatabaseError):
            _decrypted(body, "ab" * 32, tmp_path)
        assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.MATCH
        assert list((tmp_path / "desk" / "district-lists").iterdir()) == []
        assert desk.audit.verify().intact
    finally:
        client.close()
        desk.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("desk_kind", DESKS)
def test_the_files_key_is_kept_nowhere_at_the_desk(
    keyed_hubs, tmp_path: Path, desk_kind: str, backend: str, caplog
):
    caplog.set_level(logging.DEBUG)
    hub, hub_log = keyed_hubs(backend)
    client = HubClient([hub.url], hub.enroll())
    desk = _desk(tmp_path, desk_kind)
    try:
        key = client.get_json("/api/v1/lists")["lists"][0]["encrypted_file"]["key"]
        assert desk.district_lists.pull(client) == 5
        assert desk.district_lists.pull(client) == 0
        forms = (key.lower(), key.upper())
        # In no row of the desk's database: its settings, event log, audit trail, sync outbox, district tables.
        db = desk.store.db
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        values = [v for t in tables for row in db.execute(f'SELECT * FROM "{t}"') for v in row]
        assert "Nguyễn" in values  # every row is read
        texts = "\n".join(v for v in values if isinstance(v, str))
        assert not any(form in texts for form in forms)
        assert not any(bytes.fromhex(key) in v for v in values if isinstance(v, bytes))
        # In no file of its data folder (a plain desk's database and its log are bytes anyone could read).
        for path in (tmp_path / "desk").rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not any(form.encode() in data for form in forms) and bytes.fromhex(key) not in data, path
        # In no log line of the desk, nor of the hub.
        assert not any(form in caplog.text for form in forms)
        assert not any(form in hub_log.read_text() for form in forms)  # all it logged so far, for any test
    finally:
        client.close()
        desk.close()


class _OlderHub:
    """The desk's hub client as a hub from before the encryption answers: the index gives a plain ``file``
    (its SHA-256 and size) and no ``encrypted_file``, and the file endpoint sends the plain file."""

    def __init__(self, client: HubClient, folder: Path):
        self._client, self._folder = client, folder
        self.asked: list[str] = []
        self._plain: bytes | None = None

    def get_json(self, path: str, params: dict | None = None) -> dict:
        self.asked.append(path)
        answer = self._client.get_json(path, params)
        if path == "/api/v1/lists":
            for x in answer["lists"]:
                sealed = x.pop("encrypted_file", None)
                if sealed:
                    params = {"source": x["source"], "generation": x["generation"], "sha256": sealed["sha256"]}
                    body = b"".join(self._client.stream("/api/v1/lists/file", params))
                    self._plain = _decrypted(body, sealed["key"], self._folder).read_bytes()
                    facts = {k: sealed[k] for k in ("generation", "version", "entries", "key_rules")}
                    digest = hashlib.sha256(self._plain).hexdigest()
                    x["file"] = {**facts, "sha256": digest, "size": len(self._plain)}
        return answer

    def stream(self, path: str, params: dict | None = None):
        self.asked.append(path)
        if path == "/api/v1/lists/file":
            yield self._plain
            return
        yield from self._client.stream(path, params)


@ONE_BACKEND  # the older hub is played at the desk, from the file of this one
@pytest.mark.parametrize("desk_kind", DESKS)
def test_an_older_hubs_plain_file_is_taken_only_by_a_plain_desk(hub, tmp_path: Path, desk_kind: str):
    _import(hub, tmp_path, CSV)
    client = HubClient([hub.url], hub.enroll())
    _built(client)
    desk = _desk(tmp_path, desk_kind)
    try:
        older = _OlderHub(client, tmp_path)
        assert desk.district_lists.pull(older) == 2
        if desk_kind == "plain":  # nothing in it its own database would not hold plain
            assert "/api/v1/lists/file" in older.asked
            assert not desk.audit.records(action="list.import")[0].details["file"]["encrypted"]
        else:  # never plain on an encrypted desk's disk: line by line instead
            assert "/api/v1/lists/snapshot" in older.asked and "/api/v1/lists/file" not in older.asked
        assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.MATCH
        assert desk.audit.verify().intact
    finally:
        client.close()
        desk.close()


@ONE_BACKEND  # the desk chooses the route; the hub serves both on both backends above
def test_a_desk_with_other_key_rules_takes_the_snapshot(hub, tmp_path: Path, monkeypatch):
    from frontdesk.wire import keys as key_code
    from frontdesk.wire.keys import key_rules

    _import(hub, tmp_path, CSV)
    client = HubClient([hub.url], hub.enroll())
    _built(client)
    rules = key_rules()
    monkeypatch.setattr(key_code, "key_rules", lambda: rules - 1)  # this process only: the hub runs apart
    desk = _desk(tmp_path)
    try:
        watching = _Watching(client)
        assert desk.district_lists.pull(watching) == 2
        assert "/api/v1/lists/snapshot" in watching.asked and "/api/v1/lists/file" not in watching.asked
    finally:
        client.close()
        desk.close()


def test_only_an_enrolled_desk_gets_the_file_and_only_the_one_in_the_index(hub, tmp_path: Path):
    import httpx

    _import(hub, tmp_path, CSV)
    client = HubClient([hub.url], hub.enroll())
    _built(client)
    try:
        file = client.get_json("/api/v1/lists")["lists"][0]["encrypted_file"]
        params = {"source": "District barred list", "generation": file["generation"], "sha256": file["sha256"]}
        assert httpx.get(hub.url + "/api/v1/lists/file", params=params).status_code == 401
        assert httpx.get(hub.url + "/api/v1/lists").status_code == 401  # nor its key
        wrong = {"Authorization": "Bearer not-a-credential"}
        assert httpx.get(hub.url + "/api/v1/lists/file", params=params, headers=wrong).status_code == 401
        assert httpx.get(hub.url + "/api/v1/lists", headers=wrong).status_code == 401
        body = b"".join(client.stream("/api/v1/lists/file", params))
        assert len(body) == file["size"] and hashlib.sha256(body).hexdigest() == file["sha256"]
        for other in ({"generation": file["generation"] + 1}, {"sha256": "0" * 64}, {"source": "Nope"}):
            with pytest.raises(HubRefused):
                b"".join(client.stream("/api/v1/lists/file", {**params, **other}))
    finally:
        client.close()


# --- forged and broken files: refused, and the old copy stays in force --------------------------------------
class _Forging:
    """The desk's hub client with the list file edited on the way (``edit(path, key)`` changes a real copy of
    the encrypted file, or returns other bytes), the index's SHA-256 and size made the forged file's
    (``manifest``) or left as the hub said, and the index's key replaced by ``key`` if given."""

    def __init__(self, client: HubClient, edit, folder: Path, manifest: bool = True, key: str | None = None):
        self._client, self._edit, self._folder, self._manifest, self._key = client, edit, folder, manifest, key
        self._body: bytes | None = None

    def _forged(self, params: dict, key: str) -> bytes:
        if self._body is None:
            body = b"".join(self._client.stream("/api/v1/lists/file", params))
            path = self._folder / "forged.sqlite"
            path.write_bytes(body)
            self._body = self._edit(path, key) or path.read_bytes()
        return self._body

    def get_json(self, path: str, params: dict | None = None) -> dict:
        answer = self._client.get_json(path, params)
        if path == "/api/v1/lists":
            for x in answer["lists"]:
                file = x.get("encrypted_file") or {}
                if file.get("sha256"):
                    asked = {"source": x["source"], "generation": x["generation"], "sha256": file["sha256"]}
                    self._asked, self._real_key = asked, file["key"]
                    body = self._forged(asked, file["key"])
                    if self._manifest:
                        file.update(sha256=hashlib.sha256(body).hexdigest(), size=len(body))
                    if self._key is not None:
                        file["key"] = self._key
        return answer

    def stream(self, path: str, params: dict | None = None):
        if path != "/api/v1/lists/file":
            yield from self._client.stream(path, params)
            return
        yield self._forged(self._asked, self._real_key)  # made (from the hub's real file) when the index was read


def _sql(*statements: str):
    """Edit the file's rows as a forger who holds its key would: decrypt it, change it, encrypt it again."""

    def edit(path: Path, key: str) -> None:
        from frontdesk.store import cipher

        plain = _decrypted(path.read_bytes(), key, path.parent)
        with sqlite3.connect(plain) as conn:
            for statement in statements:
                conn.execute(statement)
        conn.close()
        path.unlink()
        cipher.encrypt_copy(plain, path, key)

    return edit


def _cut(path: Path, key: str) -> bytes:
    return path.read_bytes()[:-4096]


def _plain(path: Path, key: str) -> bytes:
    return _decrypted(path.read_bytes(), key, path.parent).read_bytes()


def _keep(path: Path, key: str) -> None:
    return None


FORGERIES = {
    "no-last-name": (_sql("UPDATE entries SET last_name = '' WHERE seq = 1"), True),
    "name-not-text": (_sql("UPDATE entries SET first_name = X'526F62' WHERE seq = 1"), True),
    "alias-not-text": (_sql("""UPDATE entries SET aliases = '["Al", 7]' WHERE seq = 2"""), True),
    "aliases-not-json": (_sql("UPDATE entries SET aliases = '[\"Al' WHERE seq = 2"), True),
    "unknown-kind": (_sql("UPDATE entries SET kind = 'friend' WHERE seq = 2"), True),
    "bad-dob": (_sql("UPDATE entries SET dob = '1980-13-45' WHERE seq = 1"), True),
    "no-such-day": (_sql("UPDATE entries SET valid_until = '2030-02-30' WHERE seq = 1"), True),
    "no-such-birthday": (_sql("UPDATE entries SET dob = '1980-02-30' WHERE seq = 1"), True),
    "field-missing": (_sql("ALTER TABLE entries DROP COLUMN notes"), True),
    "extra-view": (_sql("CREATE VIEW sneaky AS SELECT 1"), True),
    "id-not-a-number": (_sql("UPDATE entries SET hub_id = 'abc' WHERE seq = 1"), True),
    "key-to-nowhere": (_sql("UPDATE keys SET seq = 99 WHERE n = 1"), True),
    "key-not-text": (_sql("UPDATE keys SET key = X'05' WHERE n = 1"), True),
    "entry-missing": (_sql("DELETE FROM entries WHERE seq = 2"), True),
    "other-key-rules": (_sql("UPDATE meta SET value = value + 1 WHERE key = 'key_rules'"), True),
    "other-generation": (_sql("UPDATE meta SET value = value + 1 WHERE key = 'generation'"), True),
    "other-list": (_sql("UPDATE meta SET value = 'Another list' WHERE key = 'source'"), True),
    "not-a-database": (lambda path, key: b"not a database at all" * 300, True),
    "cut-short": (_cut, False),  # the index's size and hash: the bytes do not add up
    "forged-same-size": (_sql("UPDATE entries SET reason = 'Forged' WHERE seq = 1"), False),  # wrong SHA-256
    # The encryption: the file sent plain where the index says it is encrypted; a key that does not open it;
    # a key that is not one.
    "sent-plain": (_plain, True),
    "wrong-key": (_keep, True, "ab" * 32),
    "key-not-hex": (_keep, True, "zz" * 32),
}


OLD_CSV, NEW_CSV = CSV, "first_name,last_name,dob\nDana,Cole,1981-01-01\nEli,Park,1990-05-05\n"


def _old_copy_then_replaced(hub, client: HubClient, desk: Services, folder: Path) -> None:
    """The desk pulls the first list (``OLD_CSV``); the hub replaces it with ``NEW_CSV`` and builds its file."""
    _import(hub, folder, OLD_CSV, name="old.csv")
    _built(client)
    assert desk.district_lists.pull(client) == 2
    _import(hub, folder, NEW_CSV, "--replace", name="new.csv")
    _built(client)


def _refused_and_taken_line_by_line(client: HubClient, desk: Services, desk_folder: Path, forging) -> None:
    """``desk`` holds the old list and the hub the new one: the forged file is refused, and the desk takes the
    new list line by line from the hub's database instead (never held on the old copy by a bad file: one swapped
    on the hub's disk after it was built would otherwise keep every desk on its old copy)."""
    key = client.get_json("/api/v1/lists")["lists"][0]["encrypted_file"]["key"]
    assert desk.district_lists.pull(forging(client)) == 2
    # The new list, whole, as the hub's database holds it; nothing half-built left; the file is gone.
    assert _screen(desk, "Dana", "Cole", "1981-01-01").decision == Decision.MATCH
    assert _screen(desk, "Eli", "Park", "1990-05-05").decision == Decision.MATCH
    assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.CLEAR
    db = desk.store.db
    assert db.execute("SELECT count(*) FROM screening_lists WHERE state = 'staging'").fetchone()[0] == 0
    assert list((desk_folder / "district-lists").iterdir()) == []
    assert all(r[1] != "hubfile" for r in db.execute("PRAGMA database_list"))
    # Said in the audit trail (and the event log), naming no key.
    (said,) = desk.audit.records(action="district_lists.file_refused")
    assert "this desk can" in said.details["why"]  # "cannot read", "is not one this desk can take"
    assert key not in said.details["why"] and "ab" * 32 not in said.details["why"]
    assert desk.audit.verify().intact


@contextmanager
def _replaced_hub(request, backend: str, folder: Path):
    """A hub on ``backend`` holding the new list, its desk credential, and a plain desk's data folder holding the
    old list (made by the real pull, then closed)."""
    env = {"FRONTDESK_HUB_LIST_FILE_FROM": "1", "FRONTDESK_HUB_LIST_FILES": str(folder / "hub-files")}
    with hub_process(new_console_db(request, backend, folder), folder / "hub.log", env=env) as hub:
        credential = hub.enroll()
        client = HubClient([hub.url], credential)
        desk = _desk(folder)
        try:
            _old_copy_then_replaced(hub, client, desk, folder)
        finally:
            desk.close()
            client.close()
        yield hub, credential, folder / "desk"


@pytest.fixture(scope="module")
def replaced_hubs(request, tmp_path_factory):
    """For the forged-file tests: ``get(backend)`` gives one :func:`_replaced_hub` per backend, module and test
    process (started when first asked for: the tests run in random order). No forged-file test writes to the hub
    (the forgeries are made on the way to the desk), so they share it, and each test's desk is its own copy of the
    folder: a hub and three command-line processes per test were most of these tests' time."""
    with hubs_per_backend(request, tmp_path_factory, _replaced_hub) as get:
        yield get


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("name", list(FORGERIES))
def test_a_forged_or_broken_file_is_refused_and_the_list_taken_line_by_line_instead(
    replaced_hubs, tmp_path: Path, name: str, backend: str
):
    hub, credential, old_desk = replaced_hubs(backend)
    edit, manifest, *key = FORGERIES[name]
    forging = lambda client: _Forging(client, edit, tmp_path, manifest, *key)  # noqa: E731
    shutil.copytree(old_desk, tmp_path / "desk")  # this test's own desk, holding the old list
    client = HubClient([hub.url], credential)
    desk = _desk(tmp_path)
    try:
        _refused_and_taken_line_by_line(client, desk, tmp_path / "desk", forging)
    finally:
        client.close()
        desk.close()


# The encrypted desk's key is kept under its file's path, so it cannot be copied as the plain one is: each test
# makes its hub and desk. One backend: what differs is the desk's refusal (its ATTACH), not the hub's SQL, and the
# plain desk's tests above take the same forged files from a hub on each backend.
@ONE_BACKEND
@pytest.mark.parametrize("name", ["no-last-name", "sent-plain", "wrong-key", "cut-short"])
def test_an_encrypted_desk_refuses_them_too(hub, tmp_path: Path, name: str):
    """The encrypted desk ATTACHes the file with the index's key (the plain desk decrypts a copy first)."""
    edit, manifest, *key = FORGERIES[name]
    forging = lambda client: _Forging(client, edit, tmp_path, manifest, *key)  # noqa: E731
    client = HubClient([hub.url], hub.enroll())
    desk = _desk(tmp_path, "encrypted")
    try:
        _old_copy_then_replaced(hub, client, desk, tmp_path)
        _refused_and_taken_line_by_line(client, desk, tmp_path / "desk", forging)
    finally:
        client.close()
        desk.close()


def test_a_file_put_in_the_hubs_folder_is_refused_unless_its_database_built_it(hub, tmp_path: Path):
    """Whoever can write the hub's files folder puts their own list file there (built by the hub's own builder
    over a database of their own, JSON and key beside it, for the same list and generation): the hub serves it
    only if its database holds that build. It refuses it loudly, builds the file again, and a desk takes the
    district's list."""
    _import(hub, tmp_path, CSV)
    client = HubClient([hub.url], hub.enroll())
    first = _desk(tmp_path)
    try:
        _built(client)
        genuine = client.get_json("/api/v1/lists")["lists"][0]["encrypted_file"]
        assert first.district_lists.pull(client) == 2

        # The forger's own database: the same list and generation number, holding nobody anyone is barred by.
        forger = tmp_path / "forger"
        forger.mkdir()
        (forger / "list.csv").write_text("first_name,last_name,dob\nNobody,Atall,1999-09-09\n")
        forged_db = f"sqlite:///{forger / 'console.db'}"
        done = run_cli("district", "barred", "import", str(forger / "list.csv"), *SOURCE, "--db", forged_db)
        assert done.returncode == 0, done.stderr
        built = subprocess.run(
            [sys.executable, "-m", "district.hub.list_files", forged_db, str(forger / "files"), SOURCE[1],
             str(genuine["generation"])],
            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        assert built.returncode == 0, built.stderr
        folder = tmp_path / "hub-files"
        for path in (forger / "files").iterdir():
            shutil.copyfile(path, folder / path.name)  # over the hub's own file and JSON of that generation

        _built(client)
        served = client.get_json("/api/v1/lists")["lists"][0]["encrypted_file"]
        forged = json.loads(next((forger / "files").glob("*.json")).read_text())
        assert served["sha256"] != forged["sha256"]  # never served
        second = _desk(tmp_path / "second")
        try:
            assert second.district_lists.pull(client) == 2
            assert _screen(second, "Robert", "Smith", "1980-03-14").decision == Decision.MATCH
            assert _screen(second, "Nobody", "Atall", "1999-09-09").decision == Decision.CLEAR
        finally:
            second.close()
        said = (tmp_path / "hub.log").read_text()
        assert "refused" in said and forged["sha256"] in said  # loudly: the hub's output ...
        db = Database(hub.db)
        try:
            [(detail,)] = db.read().all("SELECT detail FROM log WHERE kind = 'list_file_refused'")
        finally:
            db.close()
        assert json.loads(detail)["sha256"] == forged["sha256"]  # ... and the console's log, once
    finally:
        client.close()
        first.close()


def test_a_file_changed_on_the_hubs_disk_after_it_was_built_never_holds_a_desk_on_its_old_copy(
    hub, tmp_path: Path
):
    """The bytes of the hub's built file are changed on its disk (its JSON beside it left as it was): the hub,
    which checks a file's JSON against its database but does not hash the file each time it serves it, serves it.
    The desk refuses it (the index's SHA-256) and takes the new list line by line from the hub's database, so a
    person barred in the new list is refused there at once; it says so in its audit trail."""
    client = HubClient([hub.url], hub.enroll())
    desk = _desk(tmp_path)
    try:
        _old_copy_then_replaced(hub, client, desk, tmp_path)
        served = client.get_json("/api/v1/lists")["lists"][0]["encrypted_file"]
        files = (tmp_path / "hub-files").iterdir()
        (path,) = [p for p in files if p.suffix != ".json" and p.stat().st_size == served["size"]]
        damaged = bytearray(path.read_bytes())
        damaged[len(damaged) // 2] ^= 0xFF
        path.write_bytes(bytes(damaged))  # same size, same JSON: the hub serves it as before

        assert desk.district_lists.pull(client) == 2
        assert _screen(desk, "Dana", "Cole", "1981-01-01").decision == Decision.MATCH
        assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.CLEAR
        (said,) = desk.audit.records(action="district_lists.file_refused")
        assert "is not one this desk can take" in said.details["why"]
    finally:
        client.close()
        desk.close()
