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


def run() -> str:
    """Import at the hub, pull to an empty desk, change 100 entries, pull again; a Markdown section."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from hub_lists_support import hub_process, run_cli

    from district.console.db import Database
    from district.console.service import ConsoleService
    from district.hub.lists import HubLists, new_entry
    from frontdesk.context import Services
    from frontdesk.district_lists.service import KEY_STEP, SNAPSHOT_PAUSE, SNAPSHOT_STEP
    from frontdesk.sync.client import HubClient
    from frontdesk.wire.keys import key_rules

    count = int(os.environ.get("FRONTDESK_BENCH_LIST_ENTRIES", "1000000"))
    folder = Path(tempfile.mkdtemp(prefix="frontdesk-bench-lists-"))
    try:
        db_url = f"sqlite:///{folder / 'hub.db'}"
        hub_import, reused = _hub_database(count, folder / "hub.db", run_cli)
        service = ConsoleService.open(db_url)
        credential = service.auth.enroll("Maple Grove Elementary", "Main office desk").credential
        service.close()
        with hub_process(db_url, folder / "hub.log") as hub:
            client = HubClient([hub.url], credential, timeout=120)
            # Baseline: the snapshot's bytes alone.
            started = time.perf_counter()
            params = {"source": "District barred list", "keys": key_rules()}
            size = sum(len(c) for c in client.stream("/api/v1/lists/snapshot", params))
            stream_only = time.perf_counter() - started
            desk = Services.open(folder / "desk")
            load_before = _load()
            started = time.perf_counter()
            applied = desk.district_lists.pull(client)
            full = time.perf_counter() - started
            load_full = _load()
            assert applied == count, (applied, count)
            started = time.perf_counter()
            desk.district_lists.pull(client)
            idle = time.perf_counter() - started
            hub_db = Database(db_url)
            lists = HubLists(hub_db)
            ids = [e["id"] for e in lists.entries("District barred list", "", 50)]
            for i in range(50):
                entry = new_entry(first_name="Added", last_name=f"Changeling{i}", dob="1985-05-05")
                lists.add("District barred list", entry, actor="bench")
            for entry_id in ids:
                lists.expire(entry_id, actor="bench")
            hub_db.close()
            started = time.perf_counter()
            changed = desk.district_lists.pull(client)
            change = time.perf_counter() - started
            held = desk.district_lists.state().entries
            desk.close()
            client.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    def verdict(seconds: float, target: float) -> str:
        return "meets the target" if seconds <= target else "**misses the target**"

    rate = count / full
    full_verdict = verdict(full, 60)
    if count < 1_000_000:  # the target is for a million entries: say what this rate would give, never "meets"
        projected = 1_000_000 / rate
        full_verdict = (
            f"not measured at 1,000,000: at this rate ~{projected:.0f} s (linear, so optimistic: the index "
            f"grows), which {'would meet' if projected <= 60 else '**would miss**'} the target"
        )
    imported = "reused from bench-data/" if reused else f"{hub_import:.1f} s"
    return f"""
A {count:,}-entry district list imported at the hub with `frontdesk district barred import` ({imported},
SQLite; the hub computes each entry's blocking keys there, once), then pulled by a desk that had none: a
streamed snapshot ({size / 1e6:.0f} MB of newline-delimited JSON, each entry's keys after a tab) staged in steps
of {SNAPSHOT_STEP:,} entries {SNAPSHOT_PAUSE * 1000:.0f} ms apart, its index rows then filed in key order
{KEY_STEP:,} per step, and swapped in by one short transaction. Then 100 changes at the hub (50 entries
added, 50 expired) and one more pull. The hub is a
`frontdesk dispatch serve` process on loopback; the desk pulls through the sync's `HubClient`.
Load average before the pull {load_before}; after it {load_full}.

| measure | time | target | |
|---|---|---|---|
| **{count:,} entries to an empty desk** | **{full:.1f} s** ({rate:,.0f}/s) | ≤ 60 s (1,000,000) | {full_verdict} |
| **a 100-entry change** | **{change:.2f} s** ({changed} changes applied) | ≤ 2 s | {verdict(change, 2)} |
| baseline: the snapshot's bytes streamed, not applied | {stream_only:.1f} s | | |
| baseline: a pull with nothing to do | {idle:.3f} s | | |
| (the hub's own import of the file) | {imported} | | |

Entries held at the desk afterwards: {held:,}.
"""
