"""A large district list as one SQLite file (issue 15): built once per generation at the hub, downloaded,
checked and copied in by the desk (``district.hub.list_files``, ``frontdesk.district_lists.files``).

The hub is a real ``frontdesk dispatch serve`` process on loopback over SQLite and PostgreSQL, told to send
every list as a file (``FRONTDESK_HUB_LIST_FILE_FROM=1``); the desk is the real core over its own SQLite
file (and a SQLCipher one). The forged files are real SQLite files edited with SQL on the way to the desk.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
from pathlib import Path

import pytest
from hub_lists_support import hub_process

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
CSV = (
    "first_name,last_name,dob,kind,reason\n"
    "Robert,Smith,1980-03-14,barred,Trespass order\n"
    "Jane,Doe,1975-06-01,watch,\n"
)


@pytest.fixture
def hub(console_db_url: str, tmp_path: Path):
    env = {"FRONTDESK_HUB_LIST_FILE_FROM": "1", "FRONTDESK_HUB_LIST_FILES": str(tmp_path / "hub-files")}
    with hub_process(console_db_url, tmp_path / "hub.log", env=env) as running:
        yield running


def _screen(services: Services, first: str, last: str, dob: str):
    return services.screener.screen(Query(first, last, dob=parse_dob(dob)))


def _import(hub, tmp_path: Path, text: str, *extra: str, name: str = "list.csv") -> None:
    (tmp_path / name).write_text(text)
    done = hub.cli("district", "barred", "import", str(tmp_path / name), *SOURCE, *extra)
    assert done.returncode == 0, done.stderr


class _Watching:
    """The desk's hub client, noting the paths it asked for (the desk's own code runs unchanged)."""

    def __init__(self, client: HubClient):
        self._client, self.asked = client, []

    def get_json(self, path: str, params: dict | None = None) -> dict:
        self.asked.append(path)
        return self._client.get_json(path, params)

    def stream(self, path: str, params: dict | None = None):
        self.asked.append(path)
        yield from self._client.stream(path, params)


def test_a_large_list_comes_as_one_file_and_is_stored_as_a_snapshot_would_be(hub, tmp_path: Path):
    from frontdesk.district_lists.service import new_entry
    from frontdesk.screening.lists import entry_row, keys_of
    from frontdesk.screening.models import Kind
    from frontdesk.wire.keys import key_rules

    _import(hub, tmp_path, KEYED_CSV)
    client = HubClient([hub.url], hub.enroll())
    desk = Services.open(tmp_path / "desk")
    try:
        index = client.get_json("/api/v1/lists")
        file = index["lists"][0]["file"]
        assert file["key_rules"] == key_rules() and file["entries"] == 5 and len(file["sha256"]) == 64
        watching = _Watching(client)
        assert desk.district_lists.pull(watching) == 5
        assert "/api/v1/lists/file" in watching.asked and "/api/v1/lists/snapshot" not in watching.asked

        # Each stored row is entry_row's of the entry the snapshot would have carried, field for field.
        db = desk.store.db
        columns = (
            "e.list_id, e.kind, e.first_name, e.middle_name, e.last_name, e.aliases, e.dob, e.reason, "
            "e.valid_from, e.valid_until, e.notes, e.students, e.photo, e.search, e.sex, e.id_state, e.id_last4"
        )
        stored = db.execute(
            f"SELECT m.hub_id, {columns} FROM district_list_entries m "
            "JOIN screening_entries e ON e.id = m.entry_id"
        ).fetchall()
        lines = b"".join(client.stream("/api/v1/lists/snapshot", {"source": "District barred list"})).splitlines()
        sent = {json.loads(line)["id"]: json.loads(line)["entry"] for line in lines[1:-1]}
        assert len(stored) == len(sent) == 5
        for hub_id, *row in stored:
            new = new_entry(sent[hub_id])
            assert tuple(row) == entry_row(row[0], new.kind or Kind.BARRED, new)

        # The index rows are the desk's own rules' rows; screening finds the entries.
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
        assert record.details["file"]["sha256"] == file["sha256"]
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


def test_an_encrypted_desk_attaches_the_plain_file(hub, tmp_path: Path):
    pytest.importorskip("sqlcipher3")
    from frontdesk.secrets import MemoryKeyring, SecretStore

    _import(hub, tmp_path, CSV)
    client = HubClient([hub.url], hub.enroll())
    desk = Services.open(tmp_path / "desk", secrets=SecretStore(MemoryKeyring()), encrypt=True)
    try:
        assert desk.store.key
        watching = _Watching(client)
        assert desk.district_lists.pull(watching) == 2
        assert "/api/v1/lists/file" in watching.asked
        assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.MATCH
        assert desk.audit.verify().intact
    finally:
        client.close()
        desk.close()


def test_a_desk_with_other_key_rules_takes_the_snapshot(hub, tmp_path: Path, monkeypatch):
    from frontdesk.wire import keys as key_code
    from frontdesk.wire.keys import key_rules

    _import(hub, tmp_path, CSV)
    client = HubClient([hub.url], hub.enroll())
    rules = key_rules()
    monkeypatch.setattr(key_code, "key_rules", lambda: rules - 1)  # this process only: the hub runs apart
    desk = Services.open(tmp_path / "desk")
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
    try:
        file = client.get_json("/api/v1/lists")["lists"][0]["file"]
        params = {"source": "District barred list", "generation": file["generation"], "sha256": file["sha256"]}
        assert httpx.get(hub.url + "/api/v1/lists/file", params=params).status_code == 401
        wrong = {"Authorization": "Bearer not-a-credential"}
        assert httpx.get(hub.url + "/api/v1/lists/file", params=params, headers=wrong).status_code == 401
        body = b"".join(client.stream("/api/v1/lists/file", params))
        assert len(body) == file["size"] and hashlib.sha256(body).hexdigest() == file["sha256"]
        for other in ({"generation": file["generation"] + 1}, {"sha256": "0" * 64}, {"source": "Nope"}):
            with pytest.raises(HubRefused):
                b"".join(client.stream("/api/v1/lists/file", {**params, **other}))
    finally:
        client.close()


# --- forged and broken files: refused, and the old copy stays in force --------------------------------------
class _Forging:
    """The desk's hub client with the list file edited on the way (``edit(path)`` changes a real copy), and the
    index's SHA-256 and size made the forged file's (``manifest``) or left as the hub said."""

    def __init__(self, client: HubClient, edit, folder: Path, manifest: bool = True):
        self._client, self._edit, self._folder, self._manifest = client, edit, folder, manifest
        self._body: bytes | None = None

    def _forged(self, params: dict) -> bytes:
        if self._body is None:
            body = b"".join(self._client.stream("/api/v1/lists/file", params))
            path = self._folder / "forged.sqlite"
            path.write_bytes(body)
            self._body = self._edit(path) or path.read_bytes()
        return self._body

    def get_json(self, path: str, params: dict | None = None) -> dict:
        answer = self._client.get_json(path, params)
        if path == "/api/v1/lists" and self._manifest:
            for x in answer["lists"]:
                file = x.get("file") or {}
                if file.get("sha256"):
                    body = self._forged(
                        {"source": x["source"], "generation": x["generation"], "sha256": file["sha256"]}
                    )
                    file.update(sha256=hashlib.sha256(body).hexdigest(), size=len(body))
        return answer

    def stream(self, path: str, params: dict | None = None):
        if path != "/api/v1/lists/file":
            yield from self._client.stream(path, params)
            return
        yield self._forged(params)  # made (from the hub's real file) when the index was read, or now


def _sql(*statements: str):
    def edit(path: Path) -> None:
        with sqlite3.connect(path) as conn:
            for statement in statements:
                conn.execute(statement)
        conn.close()

    return edit


def _cut(path: Path) -> bytes:
    return path.read_bytes()[:-4096]


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
    "not-a-database": (lambda path: b"not a database at all" * 300, True),
    "cut-short": (_cut, False),  # the index's size and hash: the bytes do not add up
    "forged-same-size": (_sql("UPDATE entries SET reason = 'Forged' WHERE seq = 1"), False),  # wrong SHA-256
}


@pytest.mark.parametrize("name", list(FORGERIES))
def test_a_forged_or_broken_file_is_refused_and_the_old_copy_stays_in_force(hub, tmp_path: Path, name: str):
    from frontdesk.district_lists.service import HubListError

    edit, manifest = FORGERIES[name]
    _import(hub, tmp_path, CSV, name="old.csv")
    client = HubClient([hub.url], hub.enroll())
    desk = Services.open(tmp_path / "desk")
    try:
        assert desk.district_lists.pull(client) == 2
        new = "first_name,last_name,dob\nDana,Cole,1981-01-01\nEli,Park,1990-05-05\n"
        _import(hub, tmp_path, new, "--replace", name="new.csv")
        with pytest.raises(HubListError):
            desk.district_lists.pull(_Forging(client, edit, tmp_path, manifest))
        # Screening still uses the whole old copy; nothing half-built is left in force; the file is gone.
        assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.MATCH
        assert _screen(desk, "Dana", "Cole", "1981-01-01").decision == Decision.CLEAR
        db = desk.store.db
        assert db.execute("SELECT count(*) FROM screening_lists WHERE state = 'staging'").fetchone()[0] == 0
        live = (
            "SELECT count(*) FROM screening_entries e "
            "JOIN screening_lists l ON l.id = e.list_id AND l.state = 'live'"
        )
        assert db.execute(live).fetchone()[0] == 2
        assert list((tmp_path / "desk" / "district-lists").iterdir()) == []
        assert [r[0] for r in db.execute("PRAGMA database_list")] == ["main", "temp"] or all(
            r[1] != "hubfile" for r in db.execute("PRAGMA database_list")
        )
        assert desk.audit.verify().intact
        # The hub's own file, untouched, is taken.
        assert desk.district_lists.pull(client) == 2
        assert _screen(desk, "Dana", "Cole", "1981-01-01").decision == Decision.MATCH
        assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.CLEAR
    finally:
        client.close()
        desk.close()
