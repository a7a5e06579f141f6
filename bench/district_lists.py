"""District lists to desks (issue 15): a 1,000,000-entry list to a desk that has none (target <= 60 s) and a
100-entry change (target <= 2 s).

The hub is a real ``frontdesk dispatch serve`` process on loopback over SQLite; the list is imported there
with ``frontdesk district barred import`` (timed, for the record). The desk is the real core over its own
SQLite file, pulling through the sync's ``HubClient`` exactly as ``frontdesk sync`` does. Baselines in the
same run: the snapshot's bytes streamed and thrown away (what the hub and the network cost on their own),
and a pull with nothing to do. ``FRONTDESK_BENCH_LIST_ENTRIES`` sets the size (default 1,000,000).
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

FIRST = ["Robert", "Maria", "James", "Linda", "Michael", "Patricia", "David", "Jennifer", "Carlos", "Aisha",
         "Wei", "Fatima", "John", "Mary", "Luis", "Sofia", "Daniel", "Grace", "Omar", "Elena"]  # fmt: skip
LAST = ["Testwood", "Samplefield", "Demoson", "Exampleton", "Mockridge", "Placeholt", "Dummerby", "Fakely",
        "Trialson", "Proofman", "Sketchley", "Draftson"]  # fmt: skip


def _csv(path: Path, count: int, seed: int = 15) -> None:
    rng = random.Random(seed)
    with path.open("w") as out:
        out.write("first_name,last_name,dob,reason\n")
        for i in range(count):
            first, last = rng.choice(FIRST), f"{rng.choice(LAST)}{i % 9973}"
            dob = f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            out.write(f"{first},{last},{dob},Synthetic entry {i}\n")


CACHE = Path(__file__).resolve().parent.parent / "bench-data"


def _hub_database(count: int, target: Path, run_cli) -> tuple[float, bool]:
    """The hub's database with the list imported, at ``target``: (import seconds, reused from the cache).

    The hub's own import of a million entries takes ~13 minutes on this shared machine, and it is not what
    this bench measures: the imported file is kept in ``bench-data/`` (git-ignored), named by the entry count,
    the key rules it was computed under and the hub's migrations, and copied for each run. The first run
    imports it with ``frontdesk district barred import`` and records the time; later runs say they reused it.
    """
    from district.console.schema import MIGRATIONS
    from frontdesk.wire.keys import key_rules

    # A new key rule or a new hub migration (a new way of storing entries) makes a new file.
    cached = CACHE / f"district-lists-hub-{count}-{key_rules()}-{len(MIGRATIONS)}.db"
    if cached.exists():
        shutil.copyfile(cached, target)
        return 0.0, True
    folder = target.parent
    _csv(folder / "list.csv", count)
    started = time.perf_counter()
    source = ("--source", "District barred list")
    url = f"sqlite:///{target}"
    done = run_cli("district", "barred", "import", str(folder / "list.csv"), *source, "--db", url, timeout=3600)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    CACHE.mkdir(exist_ok=True)
    if Path(f"{target}-wal").exists():  # the import's last writes still in the log: fold them into the file
        import sqlite3

        with sqlite3.connect(target) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    work = cached.with_suffix(".part")
    shutil.copyfile(target, work)
    work.rename(cached)
    return took, False


def _load() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


class _Probe:
    """A small write transaction on the desk every 50 ms from another thread (what a check-in waits for)."""

    def __init__(self, store):
        import threading

        self._store, self.waits, self._stop = store, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _Probe:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        i = 0
        while not self._stop.wait(0.05):
            i += 1
            started = time.perf_counter()
            with self._store.transaction() as db:
                db.execute(
                    "INSERT INTO district_meta (key, value) VALUES ('bench_probe', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [str(i)],
                )
            self.waits.append(time.perf_counter() - started)

    def words(self) -> str:
        if not self.waits:
            return "no probe"
        waits = sorted(self.waits)
        p95 = waits[min(len(waits) - 1, int(len(waits) * 0.95))]
        median, most = waits[len(waits) // 2], waits[-1]
        return (
            f"{len(waits)} probe writes: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {most * 1000:.0f} ms"
        )


def _pull_empty(Services, folder: Path, name: str, client, secrets=None) -> tuple[float, int, str, str, str]:
    """Pull to an empty desk (an encrypted one with ``secrets``): (seconds, entries, load before, load after,
    the probe's words)."""
    desk = Services.open(folder / name, secrets=secrets, encrypt=secrets is not None)
    try:
        load_before = _load()
        with _Probe(desk.store) as probe:
            started, cpu = time.perf_counter(), time.process_time()
            applied = desk.district_lists.pull(client)
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
        # CPU: this process's (the desk's pull, plus the probe thread's few writes): what the load cannot stretch.
        return took, applied, load_before, _load(), f"{cpu:.1f} s of CPU; {probe.words()}"
    finally:
        desk.close()


def run() -> str:
    """Import at the hub (or reuse it), build the list's file, pull to empty desks (file; snapshot), change 100
    entries, pull again; a Markdown section."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from hub_lists_support import hub_process, run_cli

    from district.console.server import default_workers

    # The hub as a district runs it (one worker per core); the tests' helper defaults to one worker.
    WORKERS = ("--workers", str(default_workers()))  # noqa: N806

    from district.console.db import Database
    from district.console.service import ConsoleService
    from district.hub.list_files import ListFiles
    from district.hub.lists import HubLists, new_entry
    from frontdesk.context import Services
    from frontdesk.district_lists.files import ENTRY_STEP
    from frontdesk.district_lists.service import KEY_STEP, SNAPSHOT_PAUSE, SNAPSHOT_STEP
    from frontdesk.secrets import MemoryKeyring, SecretStore
    from frontdesk.sync.client import HubClient
    from frontdesk.wire.keys import key_rules

    count = int(os.environ.get("FRONTDESK_BENCH_LIST_ENTRIES", "1000000"))
    # The row-by-row snapshot path too (same run): by default only below 200,000 entries (~7 min at 1,000,000).
    rows_too = os.environ.get("FRONTDESK_BENCH_LIST_ROWS", "1" if count <= 200_000 else "0") == "1"
    source = "District barred list"
    folder = Path(tempfile.mkdtemp(prefix="frontdesk-bench-lists-"))
    try:
        db_url = f"sqlite:///{folder / 'hub.db'}"
        hub_import, reused = _hub_database(count, folder / "hub.db", run_cli)
        service = ConsoleService.open(db_url)
        credential = service.auth.enroll("Maple Grove Elementary", "Main office desk").credential
        service.close()
        # The hub's side: the generation's file, built once (timed apart; a hub builds it when the index first
        # shows the generation, in a thread of its own).
        hub_db = Database(db_url)
        generation = HubLists(hub_db).index()["lists"][0]["generation"]
        files_dir = folder / "hub-files"
        load_build = _load()
        started, cpu = time.perf_counter(), time.process_time()
        built = ListFiles(hub_db, files_dir, min_entries=1).build(source, generation)
        build, build_cpu = time.perf_counter() - started, time.process_time() - cpu
        load_build = f"{build_cpu:.1f} s of CPU; load {load_build} / {_load()}"
        hub_db.close()
        env = {"FRONTDESK_HUB_LIST_FILES": str(files_dir), "FRONTDESK_HUB_LIST_FILE_FROM": "1"}
        with hub_process(db_url, folder / "hub.log", *WORKERS, env=env, wait=600) as hub:
            client = HubClient([hub.url], credential, timeout=120)
            # Baselines: the file's bytes alone, the snapshot's bytes alone.
            file = client.get_json("/api/v1/lists")["lists"][0]["encrypted_file"]
            params = {"source": source, "generation": generation, "sha256": file["sha256"]}
            started = time.perf_counter()
            file_bytes = sum(len(c) for c in client.stream("/api/v1/lists/file", params))
            file_only = time.perf_counter() - started
            started = time.perf_counter()
            params = {"source": source, "keys": key_rules()}
            size = sum(len(c) for c in client.stream("/api/v1/lists/snapshot", params))
            stream_only = time.perf_counter() - started
            load_streams = _load()
            full, applied, load_before, load_full, probe = _pull_empty(Services, folder, "desk", client)
            assert applied == count, (applied, count)
            # The same to a desk whose database is SQLCipher (as a desk with a keyring runs): it ATTACHes the
            # file with the index's key; the plain desk above first writes a plain copy of it.
            keyring = SecretStore(MemoryKeyring())
            sealed = _pull_empty(Services, folder, "desk-encrypted", client, keyring)
            assert sealed[1] == count, (sealed[1], count)
            desk = Services.open(folder / "desk")
            started = time.perf_counter()
            desk.district_lists.pull(client)
            idle = time.perf_counter() - started
            hub_db = Database(db_url)
            lists = HubLists(hub_db)
            ids = [e["id"] for e in lists.entries(source, "", 50)]
            for i in range(50):
                entry = new_entry(first_name="Added", last_name=f"Changeling{i}", dob="1985-05-05")
                lists.add(source, entry, actor="bench")
            for entry_id in ids:
                lists.expire(entry_id, actor="bench")
            hub_db.close()
            load_change = _load()
            started = time.perf_counter()
            changed = desk.district_lists.pull(client)
            change = time.perf_counter() - started
            held = desk.district_lists.state().entries
            desk.close()
            client.close()
        rows = None
        if rows_too:  # today's line-per-entry snapshot, same run: a hub that sends no files
            env = {"FRONTDESK_HUB_LIST_FILE_FROM": str(10**12)}
            with hub_process(db_url, folder / "hub-rows.log", *WORKERS, env=env, wait=600) as hub:
                client = HubClient([hub.url], credential, timeout=120)
                rows = _pull_empty(Services, folder, "desk-rows", client)
                client.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    def verdict(seconds: float, target: float) -> str:
        return "meets the target" if seconds <= target else "**misses the target**"

    def at_million(seconds: float) -> str:
        if count >= 1_000_000:
            return verdict(seconds, 60)
        projected = seconds * 1_000_000 / count  # the target is for a million entries: never "meets" here
        return (
            f"not measured at 1,000,000: at this rate ~{projected:.0f} s (linear), which "
            f"{'would meet' if projected <= 60 else '**would miss**'} the target"
        )

    imported = "reused from bench-data/" if reused else f"{hub_import:.1f} s"
    if rows:
        rows_line = (
            f"| same run, today's line-per-entry snapshot to an empty desk | {rows[0]:.1f} s "
            f"({count / rows[0]:,.0f}/s) | | {at_million(rows[0])}; load {rows[2]} / {rows[3]}; {rows[4]} |"
        )
    else:
        rows_line = (
            "| same run, today's line-per-entry snapshot | not run at this size "
            "(FRONTDESK_BENCH_LIST_ROWS=1 runs it) | | |"
        )
    file_line = (
        f"| **{count:,} entries to an empty desk (list file)** | **{full:.1f} s** ({count / full:,.0f}/s) "
        f"| ≤ 60 s (1,000,000) | {at_million(full)}; load {load_before} / {load_full}; {probe} |"
    )
    sealed_line = (
        f"| **the same to an empty encrypted desk** (SQLCipher) | **{sealed[0]:.1f} s** "
        f"({count / sealed[0]:,.0f}/s) "
        f"| ≤ 60 s (1,000,000) | {at_million(sealed[0])}; load {sealed[2]} / {sealed[3]}; {sealed[4]} |"
    )
    change_line = (
        f"| **a 100-entry change** | **{change:.2f} s** ({changed} changes applied) | ≤ 2 s "
        f"| {verdict(change, 2)}; load {load_change} |"
    )
    streams = (
        f"| baseline: the file's bytes streamed, not applied | {file_only:.1f} s ({file_bytes / 1e6:.0f} MB) "
        f"| | load {load_streams} |\n"
        f"| baseline: the snapshot's bytes streamed, not applied | {stream_only:.1f} s ({size / 1e6:.0f} MB) "
        f"| | load {load_streams} |"
    )
    return f"""
A {count:,}-entry district list imported at the hub with `frontdesk district barred import` ({imported},
SQLite), its generation's **list file** built at the hub (a SQLite file of the entries in the desk's row
format and their index rows in key order, encrypted with SQLCipher under a random key the index gives:
{built["size"] / 1e6:.0f} MB), then pulled by a desk that had none: the file downloaded into the desk's own
folder, its size and SHA-256 checked against the index, ATTACHed with the index's key (a plain desk first
writes a plain copy; an encrypted desk ATTACHes it as it is), validated in SQL and copied in with
`INSERT … SELECT`, {ENTRY_STEP:,} entries then {KEY_STEP:,} index rows per short transaction,
{SNAPSHOT_PAUSE * 1000:.0f} ms apart, and swapped in by one short transaction; the same to a desk whose own
database is SQLCipher. Then 100 changes at the hub (50 entries added, 50 expired) and one more pull. The hub
is a `frontdesk dispatch serve` process on loopback; the desk pulls through the sync's `HubClient`. While
each pull runs, another thread of the desk writes one small transaction every 50 ms (what a check-in would
wait for). Load averages (1, 5, 15 min) are given beside each figure: the machine is shared.

| measure | time | target | load, notes |
|---|---|---|---|
{file_line}
{sealed_line}
{rows_line}
{change_line}
{streams}
| baseline: a pull with nothing to do | {idle:.3f} s | | |
| (the hub: building the generation's file, once per generation) | {build:.1f} s | | {load_build} |
| (the hub's own import of the CSV) | {imported} | | |

Entries held at the desk afterwards: {held:,}. Snapshot step sizes for the row path: {SNAPSHOT_STEP:,} entries,
then {KEY_STEP:,} index rows.
"""
