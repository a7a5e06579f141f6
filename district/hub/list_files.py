"""A district list as one SQLite file: how a million entries reach a desk that has none (issue 15).

A desk that has no copy of a list (or an old generation of it) used to take the whole list as a snapshot,
one line per entry, each entry checked and filed by Python at the desk: ~110-130 µs of CPU per entry, about
two minutes of one core for a million entries before any load. For a large list the hub instead builds, once
per generation, a SQLite file holding the generation's entries already in the desk's row format
(:func:`frontdesk.wire.lists.desk_row`) and their blocking keys already sorted, and serves it as bytes. The
desk checks its size and SHA-256 against the index, validates it in SQL and copies it into its own tables with
``INSERT … SELECT`` in short steps (``frontdesk.district_lists.files``).

The file is encrypted with SQLCipher (:data:`CIPHER`: SQLCipher 4's page format) under a raw 256-bit key
drawn at random for each build, so it is never plain on a desk's disk while the desk imports it (issue 16's
encryption at rest). The key is kept beside the file in the hub's owner-only folder and given, with the file's
SHA-256 (of the encrypted bytes) and size, only in the index a desk reads with its station credential over
TLS: the desk ATTACHes the file with it. The key is never in a log, a command line or the file's URL.

The file (:data:`SCHEMA`):

- ``meta(key, value)``: ``format`` (1), ``source``, ``kind``, ``generation``, ``version`` (the list version
  read before the entries: the desk applies the changes after it, as after a snapshot), ``entries`` (the
  count) and ``key_rules`` (the blocking-key rules the keys were computed under).
- ``entries(seq, hub_id, kind .. id_last4)``: one row per entry, ``seq`` 1..N in the hub's entry order.
- ``keys(n, key, seq)``: one row per (key, entry), ``n`` 1..M in key order.

Only lists of at least ``FRONTDESK_HUB_LIST_FILE_FROM`` entries (default :data:`FILE_FROM`) get a file:
smaller ones go as snapshots, which are fast enough. Files live in ``FRONTDESK_HUB_LIST_FILES`` if set, else
beside a SQLite database (``console.db.lists/``), else (PostgreSQL) in a private folder of this process. They
are built in a process of their own when the index first shows a generation that has none (the index waits
for it a few seconds, then says ``building``), and kept until the list's next generation. The index names the
file ``encrypted_file``: a desk from before the encryption reads only ``file`` (which this hub no longer
gives), so it takes such a list as a snapshot instead of refusing a file it cannot open.

The folder is not trusted on its own (a file and the JSON beside it, with its key, could be put there by
anyone who can write it): the builder writes each build's SHA-256, size, version and entry count to the hub's
database (``hub_list_files``) before it puts the JSON in place, and :meth:`ListFiles.built` gives a file only
when its JSON names the list and generation asked for and the database holds a build with the same facts.
A file whose JSON does not is refused loudly (the hub's output and the console's log, once), never served,
and built again; one the database has no build of at all (left by an older hub, or the database was
restored from a copy older than the file) is built again quietly.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from district import clock
from district.console.auth import log
from district.console.db import Database
from frontdesk.wire.keys import all_entry_keys, key_rules
from frontdesk.wire.lists import DESK_COLUMNS, desk_row

FORMAT = 1
CIPHER = "sqlcipher4"  # how the file is encrypted (SQLCipher 4's defaults, a raw key): the index says it
FILE_FROM = 20_000  # entries from which a list is sent as a file (smaller: a snapshot is quick enough)
FILE_FROM_ENV = "FRONTDESK_HUB_LIST_FILE_FROM"
FOLDER_ENV = "FRONTDESK_HUB_LIST_FILES"
WAIT_S = 5.0  # how long the index waits for a file being built before it says "building"
PAGE = 5000  # entries read from the hub's database per query
_COLUMNS = ", ".join(DESK_COLUMNS)
_FACTS = ("sha256", "size", "generation", "version", "entries", "key_rules", "cipher", "key")  # in the index
SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE entries (seq INTEGER PRIMARY KEY, hub_id INTEGER NOT NULL, kind TEXT NOT NULL, "
    "first_name TEXT NOT NULL, middle_name TEXT NOT NULL, last_name TEXT NOT NULL, aliases TEXT NOT NULL, "
    "dob TEXT, reason TEXT NOT NULL, valid_from TEXT, valid_until TEXT, notes TEXT NOT NULL, "
    "students TEXT NOT NULL, search TEXT NOT NULL, sex TEXT NOT NULL, id_state TEXT NOT NULL, "
    "id_last4 TEXT NOT NULL)",
    "CREATE TABLE keys (n INTEGER PRIMARY KEY, key TEXT NOT NULL, seq INTEGER NOT NULL)",
)


def file_from() -> int:
    """Entries from which a list goes as a file (``FRONTDESK_HUB_LIST_FILE_FROM``)."""
    try:
        return max(1, int(os.environ.get(FILE_FROM_ENV, FILE_FROM)))
    except ValueError:
        return FILE_FROM


def default_folder(db: Database) -> Path:
    """Where the list files of the hub over ``db`` are kept (see the module's docs)."""
    if os.environ.get(FOLDER_ENV):
        return Path(os.environ[FOLDER_ENV])
    if db.path is not None:
        return db.path.parent / f"{db.path.name}.lists"
    return Path(tempfile.mkdtemp(prefix="frontdesk-hub-lists-"))  # 0700; built again after a restart


def _stem(source: str) -> str:
    return "list-" + hashlib.sha256(source.encode()).hexdigest()[:16]


class ListFiles:
    """The built list files of one hub: ``describe`` (for the index), ``path`` (to serve), ``build``."""

    def __init__(self, db: Database, folder: Path | None = None, *, min_entries: int | None = None):
        self._db = db
        self._folder = folder
        self.min_entries = file_from() if min_entries is None else min_entries
        self._lock = threading.Lock()
        self._building: dict[tuple[str, int], threading.Event] = {}
        self.failed: dict[tuple[str, int], str] = {}  # (source, generation) -> why its build failed
        self._refused: set[tuple[str, int, str]] = set()  # files refused and said (source, generation, sha256)

    @property
    def folder(self) -> Path:
        if self._folder is None:
            self._folder = default_folder(self._db)
        return self._folder

    # --- what the index and the file endpoint read ----------------------------------------------------
    def built(self, source: str, generation: int, *, say: bool = True) -> dict | None:
        """The built file of this generation: ``{sha256, size, generation, version, entries, key_rules, cipher,
        key}`` (a plain file an older hub left here is not one: it is built again, encrypted).

        Only a file whose JSON names this list and generation and whose facts are those of a build the hub's
        database holds (see the module's docs); another is refused (``say``: said loudly, once) and None."""
        rules = key_rules()
        side = self.folder / f"{_stem(source)}-g{generation}-k{rules}.json"
        try:
            info = json.loads(side.read_text())
        except (OSError, ValueError):
            return None
        if info.get("cipher") != CIPHER or not info.get("key") or not isinstance(info.get("file"), str):
            return None
        if not (self.folder / info["file"]).is_file():
            return None
        named = (info.get("source"), info.get("generation"), info.get("key_rules"), info.get("file"))
        if named != (source, generation, rules, f"{_stem(source)}-g{generation}-k{rules}.sqlite"):
            return self._refuse(source, generation, info, "its JSON names another list, generation or file", say)
        builds = self._db.read().all(
            "SELECT sha256, size, version, entries FROM hub_list_files "
            "WHERE source = ? AND generation = ? AND key_rules = ?",
            [source, generation, rules],
        )
        if not builds:
            return None  # no build of it in this database (an older hub's, or a restored database): built again
        facts = (info.get("sha256"), info.get("size"), info.get("version"), info.get("entries"))
        if facts not in {(r[0], int(r[1]), int(r[2]), int(r[3])) for r in builds}:
            return self._refuse(
                source, generation, info, "the hub's database holds no build with its SHA-256", say
            )
        return {k: info[k] for k in _FACTS}

    def _refuse(self, source: str, generation: int, info: dict, why: str, say: bool) -> None:
        """A file in the folder that is not one this hub built: never served; said once (output and log)."""
        said = (source, generation, str(info.get("sha256")))
        if not say or said in self._refused:
            return None
        self._refused.add(said)
        text = (
            f"district list file of {source!r} (generation {generation}) in {self.folder} refused: {why} "
            f"(sha256 {info.get('sha256')}). It is not served and is built again; if this hub's database was not "
            "restored from an older copy, someone changed that folder."
        )
        print(text, flush=True)
        with self._db.transaction() as tx:
            log(tx, "list_file_refused", source=source, generation=generation, sha256=info.get("sha256"), why=why)
        return None

    def path(self, source: str, generation: int) -> Path | None:
        """The file itself, if built."""
        info = self.built(source, generation)
        return self.folder / f"{_stem(source)}-g{generation}-k{key_rules()}.sqlite" if info else None

    def describe(self, source: str, generation: int, entries: int, wait: float = WAIT_S) -> dict | None:
        """The index's ``encrypted_file`` for a list: the built file's facts (with its key), ``{"building":
        true}``, or None (the list is small, or its build failed: desks take snapshots)."""
        if entries < self.min_entries:
            return None
        info = self.built(source, generation)
        if info is not None:
            return info
        if (source, generation) in self.failed:
            return None
        done = self.start(source, generation)
        if done.wait(wait):
            info = self.built(source, generation)
            return info if info is not None or (source, generation) in self.failed else {"building": True}
        return {"building": True}

    def start(self, source: str, generation: int) -> threading.Event:
        """Start building this generation's file (once): a thread of this process waits for a process of its
        own that builds it (:meth:`build_in_process`); the event is set when done."""
        key = (source, generation)
        with self._lock:
            event = self._building.get(key)
            if event is not None:
                return event
            event = self._building[key] = threading.Event()

        def work() -> None:
            try:
                self.build_in_process(source, generation)
            except Exception as exc:  # noqa: BLE001 - the index then sends snapshots; said in the hub's log
                self.failed[key] = f"{type(exc).__name__}: {exc}"
                print(f"district list file for {source!r} (generation {generation}) not built: {exc}", flush=True)
            finally:
                event.set()
                with self._lock:
                    self._building.pop(key, None)

        threading.Thread(target=work, name="list-file", daemon=True).start()
        return event

    # --- building -------------------------------------------------------------------------------------
    def build_in_process(self, source: str, generation: int) -> None:
        """:meth:`build` in a process of its own at a lower OS priority (``python -m district.hub.list_files``).

        A million entries take about a minute of Python: in a thread of this worker it would hold the GIL
        beside the panic alerts this worker serves. The child writes the same files (the folder is passed to
        it, so a PostgreSQL hub's private folder is shared) and this process reads them as built.
        """
        command = [sys.executable, "-m", "district.hub.list_files", self._db.url, str(self.folder), source]
        done = subprocess.run([*command, str(generation)], capture_output=True, text=True)
        if done.returncode != 0:
            said = (done.stderr or "").strip().splitlines()
            raise RuntimeError(said[-1] if said else f"the builder exited with {done.returncode}")

    def build(self, source: str, generation: int) -> dict | None:
        """Build (or find) the file of ``source``'s ``generation``; None if that generation is not in force."""
        found = self.built(source, generation, say=False)  # the serving process says a refusal
        if found is not None:
            return found
        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        rules = key_rules()
        stem = f"{_stem(source)}-g{generation}-k{rules}"
        work = folder / f".{stem}.{secrets.token_hex(4)}.part"
        started = time.monotonic()
        try:
            info = self._write(work, source, generation, rules)
            if info is None:
                return None
            info["file"] = f"{stem}.sqlite"
            info["seconds"] = round(time.monotonic() - started, 3)
            self._register(info)  # before the JSON is in place: a file is served only once its build is held
            os.replace(work, folder / info["file"])
            side = folder / f".{stem}.json.part"  # holds the key: owner-only, like the folder
            fd = os.open(side, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(json.dumps(info))
            os.replace(side, folder / f"{stem}.json")
        finally:
            work.unlink(missing_ok=True)
        for old in folder.glob(f"{_stem(source)}-g*"):  # earlier generations' files (and other key rules)
            if not old.name.startswith(stem):
                old.unlink(missing_ok=True)
        return self.built(source, generation)

    def _register(self, info: dict) -> None:
        """Write a build's facts to the hub's database (builds of the list's other generations go)."""
        with self._db.transaction() as tx:
            tx.execute(
                "DELETE FROM hub_list_files WHERE source = ? AND generation <> ?",
                [info["source"], info["generation"]],
            )
            tx.execute(
                "INSERT INTO hub_list_files "
                "(source, generation, key_rules, sha256, size, version, entries, built_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, generation, key_rules, sha256) DO NOTHING",
                [
                    info["source"],
                    info["generation"],
                    info["key_rules"],
                    info["sha256"],
                    info["size"],
                    info["version"],
                    info["entries"],
                    clock.to_db(clock.now()),
                ],
            )

    def _write(self, path: Path, source: str, generation: int, rules: int) -> dict | None:
        read = self._db.read()
        version = int(read.one("SELECT version FROM hub_list_version WHERE id = 1")[0])
        row = read.one("SELECT kind, generation FROM hub_lists WHERE source = ?", [source])
        if row is None or int(row[1]) != generation:
            return None
        kind = row[0]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        key = secrets.token_hex(32)  # this build's own: a new generation (or a rebuild) has another
        out = _cipher().connect(str(path), isolation_level=None)
        try:
            out.execute(f"PRAGMA key = \"x'{key}'\"")  # raw key: no derivation (it is random already)
            out.execute("PRAGMA journal_mode = OFF")
            out.execute("PRAGMA synchronous = OFF")
            out.execute("PRAGMA cache_size = -65536")
            out.execute("CREATE TEMP TABLE unsorted (key TEXT NOT NULL, seq INTEGER NOT NULL)")
            for statement in SCHEMA:
                out.execute(statement)
            out.execute("BEGIN")
            marks = ", ".join("?" * (len(DESK_COLUMNS) + 2))
            insert = f"INSERT INTO entries (seq, hub_id, {_COLUMNS}) VALUES ({marks})"
            after, seq = 0, 0
            while True:
                rows = self._db.read().all(
                    "SELECT entry_id, data, keys, key_rules FROM hub_list_entries "
                    "WHERE source = ? AND generation = ? AND entry_id > ? ORDER BY entry_id LIMIT ?",
                    [source, generation, after, PAGE],
                )
                if not rows:
                    break
                entries, keys = [], []
                for entry_id, data, stored_keys, stored_rules in rows:
                    seq += 1
                    record = json.loads(data)
                    entries.append((seq, entry_id, *desk_row(record, kind)))
                    if stored_rules == rules and stored_keys:
                        keys.extend((k, seq) for k in json.loads(stored_keys))
                    else:  # stored under older rules: computed here, as the desk would
                        keys.extend((k, seq) for k in _entry_keys(record))
                out.executemany(insert, entries)
                out.executemany("INSERT INTO temp.unsorted (key, seq) VALUES (?, ?)", keys)
                after = rows[-1][0]
            out.execute(
                "INSERT INTO keys (key, seq) SELECT DISTINCT key, seq FROM temp.unsorted ORDER BY key, seq"
            )
            out.execute("DROP TABLE temp.unsorted")
            meta = {
                "format": FORMAT,
                "source": source,
                "kind": kind,
                "generation": generation,
                "version": version,
                "entries": seq,
                "key_rules": rules,
            }
            out.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
            out.execute("COMMIT")
        finally:
            out.close()
        now = self._db.read().one("SELECT kind, generation FROM hub_lists WHERE source = ?", [source])
        if now is None or (now[0], int(now[1])) != (kind, generation):
            return None  # replaced while it was read
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        return {
            "source": source,
            "sha256": digest.hexdigest(),
            "size": path.stat().st_size,
            "generation": generation,
            "version": version,
            "entries": seq,
            "key_rules": rules,
            "cipher": CIPHER,
            "key": key,
        }


def _cipher():
    """The SQLCipher driver (``sqlcipher3``, a dependency of the hub as of the desk)."""
    import sqlcipher3.dbapi2 as driver

    return driver


def _entry_keys(record: dict) -> list[str]:
    get = record.get
    return sorted(
        all_entry_keys(
            get("first_name") or "",
            get("middle_name") or "",
            get("last_name") or "",
            tuple(get("aliases") or ()),
            get("dob"),
            get("id_state") or "",
            get("id_last4") or "",
        )
    )


def main(argv: list[str]) -> int:
    """``python -m district.hub.list_files URL FOLDER SOURCE GENERATION``: build one file (see
    :meth:`ListFiles.build_in_process`), at a lower OS priority than the hub's workers."""
    url, folder, source, generation = argv
    if hasattr(os, "nice"):
        os.nice(10)
    db = Database(url)
    try:
        ListFiles(db, Path(folder), min_entries=1).build(source, int(generation))
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
