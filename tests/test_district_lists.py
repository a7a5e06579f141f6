"""District lists (issue 15, down): managed once at the hub, pulled by every desk, screened against there.

The hub is a real ``frontdesk dispatch serve`` process on loopback over SQLite and PostgreSQL; the district's
commands run as ``frontdesk district …`` processes; the desk is the real core over its own SQLite file.
"""

from __future__ import annotations

import json
import shutil
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from dispatch_fixtures import new_console_db
from hub_lists_support import assert_old_list_in_force, assert_stored_as_sent, hub_process, hubs_per_backend

from frontdesk import clock
from frontdesk.context import Services
from frontdesk.errors import ConflictError
from frontdesk.screening.dates import parse_dob
from frontdesk.screening.models import Decision, NewEntry, Query
from frontdesk.settings import RETAIN_VISITS_DAYS, SCREEN_MATCH
from frontdesk.sync.client import HubClient, HubUnreachable

CSV = (
    "first_name,last_name,dob,kind,reason\n"
    "Robert,Smith,1980-03-14,barred,Trespass order\n"
    "Jane,Doe,1975-06-01,watch,\n"
)


# A test whose logic is the desk's (the hub only serves what it serves in the tests on both backends) runs on one
# backend; the comment at each says why.
ONE_BACKEND = pytest.mark.parametrize("console_db_url", ["sqlite"], indirect=True)


@pytest.fixture
def hub(console_db_url: str, tmp_path: Path):
    with hub_process(console_db_url, tmp_path / "hub.log") as running:
        yield running


def _desk(tmp_path: Path, name: str = "desk") -> Services:
    return Services.open(tmp_path / name)


def _screen(services: Services, first: str, last: str, dob: str):
    return services.screener.screen(Query(first, last, dob=parse_dob(dob)))


def test_a_district_list_reaches_a_desk_and_its_changes_follow(hub, tmp_path: Path):
    (tmp_path / "barred.csv").write_text(CSV)
    done = hub.cli(
        "district", "barred", "import", str(tmp_path / "barred.csv"), "--source", "District barred list"
    )
    assert done.returncode == 0, done.stderr
    assert "Imported 2 entries" in done.stdout
    client = HubClient([hub.url], hub.enroll())
    desk = _desk(tmp_path)
    try:
        assert desk.district_lists.as_of() is None
        assert desk.district_lists.pull(client) == 2
        assert desk.district_lists.as_of() is not None
        assert desk.district_lists.state().words.startswith("District list as of ")
        assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.MATCH
        [held] = [x for x in desk.lists.lists() if x.source == "District barred list"]
        assert held.entry_count == 2

        # An entry added at the hub arrives as a change; nothing else is sent again.
        added = hub.cli(
            "district", "barred", "add", "--source", "District barred list", "--first-name", "Carl",
            "--last-name", "Marsh", "--dob", "1970-02-02", "--reason", "Court order", "--json",
            "--sex", "male", "--id-state", "va", "--id-last4", "A12-345-6789",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        carl = json.loads(added.stdout)
        # The desk's options (one set for both), what the ID gives kept as the desk keeps it: the last 4 only.
        assert (carl["sex"], carl["id_state"], carl["id_last4"]) == ("M", "VA", "6789"), carl
        assert desk.district_lists.pull(client) == 1
        assert _screen(desk, "Carl", "Marsh", "1970-02-02").decision == Decision.MATCH

        # Expired at the hub: no longer screened at the desk.
        expired = hub.cli("district", "barred", "expire", str(carl["id"]))
        assert expired.returncode == 0, expired.stderr
        assert desk.district_lists.pull(client) == 1
        assert _screen(desk, "Carl", "Marsh", "1970-02-02").decision == Decision.CLEAR
        assert desk.district_lists.pull(client) == 0  # in step: nothing to do
        # What came down from the hub does not go up to it again through the desk's sync outbox.
        kinds = [k for (k,) in desk.store.db.execute("SELECT kind FROM sync_outbox").fetchall()]
        assert not [k for k in kinds if k.startswith(("list.", "district"))], kinds

        # A --replace at the hub is a new generation: the desk takes a new snapshot and swaps it in.
        (tmp_path / "new.csv").write_text("first_name,last_name,dob\nDana,Cole,1981-01-01\n")
        done = hub.cli(
            "district",
            "barred",
            "import",
            str(tmp_path / "new.csv"),
            "--source",
            "District barred list",
            "--replace",
        )
        assert done.returncode == 0, done.stderr
        assert desk.district_lists.pull(client) == 1
        assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.CLEAR
        assert _screen(desk, "Dana", "Cole", "1981-01-01").decision == Decision.MATCH
        verified = desk.audit.verify()  # the chain, and every list entry covered by its record
        assert verified.intact, (verified.message, verified.outside)
    finally:
        client.close()
        desk.close()


@ONE_BACKEND  # the desk refuses; the hub only serves a list
def test_the_district_copy_is_read_only_at_the_desk(hub, tmp_path: Path):
    hub.cli("district", "barred", "add", "--source", "District barred list", "--first-name", "Robert",
            "--last-name", "Smith", "--dob", "1980-03-14")  # fmt: skip
    client = HubClient([hub.url], hub.enroll())
    desk = _desk(tmp_path)
    try:
        desk.district_lists.pull(client)
        [entry] = desk.lists.search("smith")
        with pytest.raises(ConflictError, match="district"):
            desk.lists.add("District barred list", NewEntry("Eve", "Adams"))
        with pytest.raises(ConflictError, match="district"):
            desk.lists.expire(entry.id)
        with pytest.raises(ConflictError, match="district"):
            desk.lists.remove(entry.id)
        with pytest.raises(ConflictError, match="district"):
            desk.lists.remove_source("District barred list")
        # The school's own lists stay the school's.
        own = desk.lists.add("Our own list", NewEntry("Eve", "Adams"))
        desk.lists.expire(own.id)
    finally:
        client.close()
        desk.close()


@ONE_BACKEND  # the hub is stopped: the rest is the desk
def test_offline_the_desk_screens_its_last_copy_and_says_how_old_it_is(hub, tmp_path: Path, monkeypatch):
    hub.cli("district", "barred", "add", "--source", "District barred list", "--first-name", "Robert",
            "--last-name", "Smith", "--dob", "1980-03-14")  # fmt: skip
    client = HubClient([hub.url], hub.enroll())
    desk = _desk(tmp_path)
    try:
        desk.district_lists.pull(client)
        as_of = desk.district_lists.as_of()
        hub.process.terminate()
        hub.process.wait(timeout=15)
        with pytest.raises(HubUnreachable):
            desk.district_lists.pull(client)
        assert desk.district_lists.as_of() == as_of  # a failed pull changes nothing
        assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.MATCH
        assert not desk.district_lists.state().stale
        later = clock.now() + timedelta(hours=25)
        monkeypatch.setattr(clock, "now", lambda: later)
        state = desk.district_lists.state()
        assert state.stale and "25 h old" in state.words
    finally:
        client.close()
        desk.close()


def test_district_settings_are_a_layer_under_the_desk_and_a_lock_holds(hub, tmp_path: Path):
    assert hub.cli("district", "settings", "set", "retention.visits_days", "365", "--lock").returncode == 0
    assert hub.cli("district", "settings", "set", "screening.match_threshold", "0.95").returncode == 0
    other = hub.cli("district", "settings", "set", "screening.match_threshold", "0.9", "--school", "Oak Ridge")
    assert other.returncode == 0, other.stderr
    refused = hub.cli("district", "settings", "set", "retention.visits_days", "30", "--school", "Oak Ridge")
    assert refused.returncode == 2 and "locked" in refused.stderr
    client = HubClient([hub.url], hub.enroll())
    desk = _desk(tmp_path)
    try:
        desk.district_lists.pull(client)
        assert desk.settings.get(RETAIN_VISITS_DAYS) == 365
        assert desk.settings.get(SCREEN_MATCH) == 0.95  # a district default ...
        desk.settings.set(SCREEN_MATCH, 0.97)
        assert desk.settings.get(SCREEN_MATCH) == 0.97  # ... under the desk's own value
        with pytest.raises(ConflictError, match="locked"):
            desk.settings.set(RETAIN_VISITS_DAYS, 30)
        assert desk.settings.get(RETAIN_VISITS_DAYS) == 365
    finally:
        client.close()
        desk.close()


def test_import_refusals_are_the_desks(hub, tmp_path: Path):
    (tmp_path / "a.csv").write_text(CSV)
    (tmp_path / "empty.csv").write_text("first_name,last_name\n")
    (tmp_path / "bad.csv").write_text("first_name,last_name,dob\nAl,Bee,1980-03-14\nCy,,1990\nDi,Ez,notadate\n")
    source = ("--source", "District barred list")
    assert hub.cli("district", "barred", "import", str(tmp_path / "a.csv"), *source).returncode == 0
    again = hub.cli("district", "barred", "import", str(tmp_path / "a.csv"), *source)
    assert again.returncode == 2 and "--replace" in again.stderr
    empty = hub.cli("district", "barred", "import", str(tmp_path / "empty.csv"), *source, "--replace")
    assert empty.returncode == 2 and "--allow-empty" in empty.stderr
    bad = hub.cli("district", "barred", "import", str(tmp_path / "bad.csv"), *source, "--replace")
    assert bad.returncode == 2 and "line 3" in bad.stderr and "line 4" in bad.stderr
    assert "Traceback" not in bad.stderr
    # A row shifted by an unquoted comma, and a second date column, are refused, never filed askew.
    (tmp_path / "shifted.csv").write_text("first_name,last_name,reason\nRobert,Van,Barredman,Threats\n")
    shifted = hub.cli("district", "barred", "import", str(tmp_path / "shifted.csv"), *source, "--replace")
    assert shifted.returncode == 2 and "line 2: 4 cells where the header has 3" in shifted.stderr
    (tmp_path / "twice.csv").write_text("first_name,last_name,dob,DOB\nRobert,Smith,1980-03-14,\n")
    twice = hub.cli("district", "barred", "import", str(tmp_path / "twice.csv"), *source, "--replace")
    assert twice.returncode == 2 and "two 'dob' columns" in twice.stderr
    (tmp_path / "latin.csv").write_bytes("first_name,last_name\nJürgen,Müller\n".encode("latin-1"))
    latin = hub.cli("district", "barred", "import", str(tmp_path / "latin.csv"), *source, "--replace")
    assert (
        latin.returncode == 2 and 'line 2 is not saved as UTF-8 text (byte 0xfc): save it as "CSV' in latin.stderr
    )
    (tmp_path / "open.csv").write_text('first_name,last_name,notes\nRobert,Smith,"Seen\nJane,Doe,x\n')
    unclosed = hub.cli("district", "barred", "import", str(tmp_path / "open.csv"), *source, "--replace")
    assert unclosed.returncode == 2 and 'line 2: a " opened in this row is never closed' in unclosed.stderr
    listed = json.loads(hub.cli("district", "barred", "list", "--json").stdout)
    assert [x["entries"] for x in listed["lists"]] == [2]  # nothing changed
    # A file cut short: a replace that removes more than half of a list of 10 or more is refused.
    rows = "".join(f"Ann{i},Cutshort,1980-03-{i + 1:02d}\n" for i in range(20))
    (tmp_path / "twenty.csv").write_text("first_name,last_name,dob\n" + rows)
    (tmp_path / "cut.csv").write_text("first_name,last_name,dob\n" + rows[: rows.index("Ann5,")])
    imports = ("district", "barred", "import")
    assert hub.cli(*imports, str(tmp_path / "twenty.csv"), *source, "--replace").returncode == 0
    shrunk = hub.cli(*imports, str(tmp_path / "cut.csv"), *source, "--replace")
    assert shrunk.returncode == 2 and "remove 15 of them at once" in shrunk.stderr
    assert "--allow-shrink" in shrunk.stderr
    listed = json.loads(hub.cli("district", "barred", "list", "--json").stdout)
    assert [x["entries"] for x in listed["lists"]] == [20]  # nothing changed
    allowed = hub.cli(*imports, str(tmp_path / "cut.csv"), *source, "--replace", "--allow-shrink")
    assert allowed.returncode == 0, allowed.stderr
    emptied = hub.cli(
        "district", "barred", "import", str(tmp_path / "empty.csv"), *source, "--replace", "--allow-empty"
    )
    assert emptied.returncode == 0, emptied.stderr


def test_every_list_change_is_in_the_hubs_append_only_trail(hub, tmp_path: Path, console_db_url: str):
    (tmp_path / "a.csv").write_text(CSV)
    hub.cli("district", "barred", "import", str(tmp_path / "a.csv"), "--source", "District barred list")
    hub.cli("district", "barred", "expire", "1")
    from district.console.db import Database
    from district.hub.lists import HubLists

    db = Database(console_db_url)
    try:
        trail = HubLists(db).trail()
        assert [t["action"] for t in trail] == ["expire", "import"]
        assert trail[1]["detail"]["added"] == 2 and "command line" in trail[1]["actor"]
        with pytest.raises(Exception, match="append-only"), db.transaction() as tx:
            tx.execute("DELETE FROM hub_list_log")
    finally:
        db.close()


# --- security --------------------------------------------------------------------------------------------
def test_only_an_enrolled_desk_pulls_and_no_desk_writes(hub, tmp_path: Path):
    hub.cli("district", "barred", "add", "--source", "District barred list", "--first-name", "Robert",
            "--last-name", "Smith", "--dob", "1980-03-14")  # fmt: skip
    credential = hub.enroll()
    good = {"Authorization": f"Bearer {credential}"}
    assert httpx.get(hub.url + "/api/v1/lists", headers=good).status_code == 200
    for headers in ({}, {"Authorization": "Bearer fdst_nobody_secret"}, {"Authorization": credential[:-2] + "xx"}):
        assert httpx.get(hub.url + "/api/v1/lists", headers=headers).status_code == 401
        assert httpx.get(hub.url + "/api/v1/lists/snapshot", params={"source": "District barred list"},
                         headers=headers).status_code == 401  # fmt: skip
    # A desk cannot write the district's lists, with its own credential, on any path.
    entry = {"source": "District barred list", "first_name": "Eve", "last_name": "Adams"}
    assert httpx.post(hub.url + "/api/v1/district/lists/entries", json=entry, headers=good).status_code == 403
    assert httpx.post(hub.url + "/api/v1/district/lists/entries/1/expire", headers=good).status_code == 403
    assert (
        httpx.post(
            hub.url + "/api/v1/district/lists/import", params={"source": "X"}, content=CSV, headers=good
        ).status_code
        == 403
    )
    for method in ("POST", "PUT", "DELETE"):
        assert httpx.request(method, hub.url + "/api/v1/lists", headers=good).status_code == 405
    # A revoked desk pulls nothing.
    station_id = credential.split("_")[1]
    assert hub.cli("dispatch", "revoke", station_id).returncode == 0
    # Refused from the hub's next round of its log on (about half a second: district.console.auth.
    # StationDirectory); the wait ends as soon as it is (it used to sleep 10.5 s, for a 10 s cache since gone).
    deadline = time.monotonic() + 30
    while (status := httpx.get(hub.url + "/api/v1/lists", headers=good).status_code) != 401:
        assert status == 200 and time.monotonic() < deadline, status
        time.sleep(0.1)


def test_a_sign_in_that_is_not_district_staff_cannot_manage_lists(hub):
    assert hub.cli("dispatch", "user", "add", "dana", stdin="dispatcher password\n").returncode == 0
    hub.staff("sam", "security")
    entry = {"source": "District barred list", "first_name": "Eve", "last_name": "Adams"}
    with httpx.Client(base_url=hub.url) as dispatcher:
        assert dispatcher.post(
            "/api/v1/session", json={"username": "dana", "password": "dispatcher password"}
        ).is_success
        assert dispatcher.get("/api/v1/district/lists").status_code == 403
        assert dispatcher.post("/api/v1/district/lists/entries", json=entry).status_code == 403
    with httpx.Client(base_url=hub.url) as nobody:
        assert nobody.post("/api/v1/district/lists/entries", json=entry).status_code == 401
    with httpx.Client(base_url=hub.url) as security:
        ok = security.post("/api/v1/session", json={"username": "sam", "password": "correct horse battery"})
        assert ok.is_success
        assert security.post("/api/v1/district/lists/entries", json=entry).status_code == 201
        # A sex that is none of M, F, X is refused with what to type, not stored as "not known".
        typo = security.post("/api/v1/district/lists/entries", json={**entry, "first_name": "Eva", "sex": "Q"})
        assert typo.status_code == 400 and "M, F or X" in typo.text, typo.text
        eva = {**entry, "first_name": "Eva", "sex": "female"}
        named = security.post("/api/v1/district/lists/entries", json=eva)
        assert named.status_code == 201 and named.json()["sex"] == "F", named.text
        trail = security.get("/api/v1/district/lists/trail").json()["trail"]
        assert trail[0]["actor"] == "sam" and trail[0]["action"] == "add"


KEYED_CSV = (
    "first_name,middle_name,last_name,dob,aliases,reason,id_state,id_last4\n"
    "Robert,James,Smith,1980-03-14,Bobby Jones; Smythe,Trespass order,CO,4821\n"
    "Mary-Ann,,van der Berg,1975,,Watch,,\n"
    "José,Luis,O'Brien,,Joe O'Brien,Custody,TX,A77Z\n"
    "Łukasz,,Nguyễn,03/04/1990,,Order,,\n"
    ",,McDonald,,Ronald McDonald,Name unknown,,\n"
)


def _index_of(desk: Services, source: str) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(the index rows filed for a list's entries, the rows the desk's own key rules give for them)."""
    from frontdesk.screening.lists import keys_of

    db = desk.store.db
    ids = [r[0] for r in db.execute(
        "SELECT e.id FROM screening_entries e JOIN screening_lists l ON l.id = e.list_id WHERE l.source = ?",
        [source],
    )]  # fmt: skip
    filed = set()
    for entry_id in ids:
        filed |= {
            (k, entry_id) for (k,) in db.execute("SELECT key FROM screening_keys WHERE entry_id = ?", [entry_id])
        }
    own = {(k, e.id) for e in desk.lists.get_many(ids) for k in keys_of(e)}
    return filed, own


@contextmanager
def _keyed_hub(request, backend: str, folder: Path):
    """A hub on ``backend`` holding ``KEYED_CSV`` (imported by the command line)."""
    with hub_process(new_console_db(request, backend, folder), folder / "hub.log") as hub:
        (folder / "list.csv").write_text(KEYED_CSV)
        done = hub.cli(
            "district", "barred", "import", str(folder / "list.csv"), "--source", "District barred list"
        )
        assert done.returncode == 0, done.stderr
        yield hub


@pytest.fixture(scope="module")
def keyed_hubs(request, tmp_path_factory):
    """For the two tests that only read ``KEYED_CSV`` from the hub: ``get(backend)`` gives one :func:`_keyed_hub`
    per backend, module and test process (started when first asked for). Each test enrols its own desk; nothing
    else is written to the hub."""
    with hubs_per_backend(request, tmp_path_factory, _keyed_hub) as get:
        yield get


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_hub_sends_each_entrys_index_keys_and_the_desk_files_the_same_rows(
    keyed_hubs, tmp_path: Path, monkeypatch, backend: str
):
    from frontdesk.wire import keys as key_code
    from frontdesk.wire.keys import key_rules

    hub = keyed_hubs(backend)
    client = HubClient([hub.url], hub.enroll())
    try:
        # A desk that runs the hub's key rules gets each entry's keys after a tab; any other gets none.
        params = {"source": "District barred list", "keys": key_rules()}
        lines = b"".join(client.stream("/api/v1/lists/snapshot", params)).splitlines()
        assert json.loads(lines[0])["key_version"] == key_rules()
        assert all(b"\t" in line for line in lines[1:-1]) and len(lines) == 7
        older = b"".join(client.stream("/api/v1/lists/snapshot", {**params, "keys": key_rules() - 1})).splitlines()
        assert "key_version" not in json.loads(older[0]) and not any(b"\t" in line for line in older)

        desk = _desk(tmp_path, "desk")
        try:
            assert desk.district_lists.pull(client) == 5
            filed, own = _index_of(desk, "District barred list")
            assert filed == own and len(filed) > 5 * 3
            assert any(k.startswith("I:CO:4821") for k, _ in filed)
            assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.MATCH
        finally:
            desk.close()

        # A desk with other key rules (another version, or an edited nickname table) asks with its own, gets
        # no keys, and computes the same rows itself.
        rules = key_rules()
        monkeypatch.setattr(key_code, "key_rules", lambda: rules - 1)  # this process only: the hub runs apart
        other = _desk(tmp_path, "other")
        try:
            assert other.district_lists.pull(client) == 5
            filed_other, own_other = _index_of(other, "District barred list")
            assert filed_other == own_other
            assert {k for k, _ in filed_other} == {k for k, _ in own}
        finally:
            other.close()
    finally:
        client.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_desk_stores_each_snapshot_entry_as_its_own_rules_would(keyed_hubs, tmp_path: Path, backend: str):
    """SQLite takes a snapshot's lines apart (snapshot.py): the stored rows are entry_row's, field for field."""
    hub = keyed_hubs(backend)
    client = HubClient([hub.url], hub.enroll())
    desk = _desk(tmp_path)
    try:
        assert desk.district_lists.pull(client) == 5
        assert len(assert_stored_as_sent(desk, client)) == 5
    finally:
        client.close()
        desk.close()


class _Tampering:
    """The desk's hub client with each snapshot's lines edited on the way (what a forged answer would be)."""

    def __init__(self, client: HubClient, edit):
        self._client, self._edit = client, edit

    def get_json(self, path: str, params: dict | None = None) -> dict:
        return self._client.get_json(path, params)

    def stream(self, path: str, params: dict | None = None):
        lines = b"".join(self._client.stream(path, params)).split(b"\n")
        yield b"\n".join(self._edit(lines))


def _edit_entry(index: int, **fields):
    def edit(lines: list[bytes]) -> list[bytes]:
        line, tab, keys = lines[index].partition(b"\t")
        item = json.loads(line)
        item["entry"].update(fields)
        return [*lines[:index], json.dumps(item).encode() + tab + keys, *lines[index + 1 :]]

    return edit


@contextmanager
def _replaced_hub(request, backend: str, folder: Path):
    """A hub on ``backend`` whose list was replaced (``CSV``, then two other entries), its desk credential, and a
    desk's data folder holding the first list (made by the real pull, then closed)."""
    source = ("--source", "District barred list")
    with hub_process(new_console_db(request, backend, folder), folder / "hub.log") as hub:
        (folder / "old.csv").write_text(CSV)
        assert hub.cli("district", "barred", "import", str(folder / "old.csv"), *source).returncode == 0
        credential = hub.enroll()
        client = HubClient([hub.url], credential)
        desk = _desk(folder)
        try:
            assert desk.district_lists.pull(client) == 2
        finally:
            desk.close()
            client.close()
        (folder / "new.csv").write_text("first_name,last_name,dob\nDana,Cole,1981-01-01\nEli,Park,1990-05-05\n")
        replaced = hub.cli("district", "barred", "import", str(folder / "new.csv"), *source, "--replace")
        assert replaced.returncode == 0, replaced.stderr
        yield hub, credential, folder / "desk"


@pytest.fixture(scope="module")
def replaced_hubs(request, tmp_path_factory):
    """For the tampered-snapshot tests: ``get(backend)`` gives one :func:`_replaced_hub` per backend, module and
    test process (started when first asked for: the tests run in random order). No tampering test writes to the
    hub (the lines are edited on the way to the desk), so they share it, and each test's desk is its own copy of
    the folder: a hub and three command-line processes per test were most of these tests' time."""
    with hubs_per_backend(request, tmp_path_factory, _replaced_hub) as get:
        yield get


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize(
    "edit",
    [
        _edit_entry(1, last_name=""),
        _edit_entry(2, aliases=["Al", 7]),
        _edit_entry(1, first_name=["Robert"]),
        _edit_entry(2, kind="friend"),
        _edit_entry(1, dob="1980-13-45"),
        lambda lines: [*lines[:1], b'{"id": 5, "entry": {"last_name": "Cole"', *lines[2:]],  # not JSON
        lambda lines: [line.replace(b"\t[", b'\t{"k":[') if i == 1 else line for i, line in enumerate(lines)],
        lambda lines: [line for line in lines if not line.startswith(b'{"end"')],  # cut short
        lambda lines: [line for i, line in enumerate(lines) if i != 2],  # a line left out: the count differs
    ],
    ids=[
        "no-last-name",
        "alias-not-text",
        "name-not-text",
        "unknown-kind",
        "bad-dob",
        "not-json",
        "keys-not-a-list",
        "cut-short",
        "line-missing",
    ],  # fmt: skip
)
def test_a_snapshot_with_a_line_the_desk_cannot_take_leaves_the_old_copy_in_force(
    replaced_hubs, tmp_path: Path, edit, backend: str
):
    from frontdesk.district_lists.service import HubListError

    hub, credential, old_desk = replaced_hubs(backend)
    shutil.copytree(old_desk, tmp_path / "desk")  # this test's own desk, holding the first list
    client = HubClient([hub.url], credential)
    desk = _desk(tmp_path)
    try:
        with pytest.raises(HubListError):
            desk.district_lists.pull(_Tampering(client, edit))
        # Screening still uses the whole old copy; the refused one is retired (the next pull deletes it).
        assert_old_list_in_force(desk)
        # The hub's own answer, untouched, is taken.
        assert desk.district_lists.pull(client) == 2
        assert _screen(desk, "Dana", "Cole", "1981-01-01").decision == Decision.MATCH
        assert _screen(desk, "Robert", "Smith", "1980-03-14").decision == Decision.CLEAR
    finally:
        client.close()
        desk.close()


def test_an_entry_added_while_a_replace_is_built_stays_in_force_at_every_desk(hub, tmp_path: Path):
    """District staff replace the barred list from a file (2,500 rows, built in steps) while a colleague adds a
    bar to the same list: the add is kept in force in the new list (nobody who chose the file saw it), said, and
    screened at the desk; the old entries are replaced as asked (red team, session 21: the switch dropped it)."""
    from district.console.db import Database
    from district.hub.lists import HubLists

    rows = "".join(f"Ann,Oldlist{n},1970-01-01\n" for n in range(2500))
    (tmp_path / "old.csv").write_text("first_name,last_name,dob\n" + rows)
    done = hub.cli("district", "barred", "import", str(tmp_path / "old.csv"), "--source", "District barred list")
    assert done.returncode == 0, done.stderr
    added = []

    def progress(count: int, fraction: float) -> None:
        if not added:  # between two steps of the build: the colleague's add, as its own process
            added.append(
                hub.cli(
                    "district",
                    "barred",
                    "add",
                    "--source",
                    "District barred list",
                    "--first-name",
                    "Robert",
                    "--last-name",
                    "Barredman",
                    "--dob",
                    "1980-03-14",
                    "--reason",
                    "Threatened staff",
                )  # fmt: skip
            )

    rows = "".join(f"Ann,Newlist{n},1970-01-01\n" for n in range(2500))
    (tmp_path / "new.csv").write_text("first_name,last_name,dob\n" + rows)
    db = Database(hub.db)
    try:
        report = HubLists(db).import_csv(
            tmp_path / "new.csv", "District barred list", actor="Dana District", replace=True, progress=progress
        )
    finally:
        db.close()
    assert added and added[0].returncode == 0, added
    assert (report.added, report.replaced, report.kept) == (2500, 2500, 1)
    found = hub.cli("district", "barred", "list", "--search", "Barredman", "--json")
    assert [e["last_name"] for e in json.loads(found.stdout)] == ["Barredman"], found.stdout
    client = HubClient([hub.url], hub.enroll())
    desk = _desk(tmp_path)
    try:
        desk.district_lists.pull(client)
        assert _screen(desk, "Robert", "Barredman", "1980-03-14").decision == Decision.MATCH
        assert _screen(desk, "Ann", "Newlist7", "1970-01-01").decision == Decision.MATCH
        assert _screen(desk, "Ann", "Oldlist7", "1970-01-01").decision == Decision.CLEAR
    finally:
        client.close()
        desk.close()
