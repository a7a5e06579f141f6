"""Issue 16 figures: check-in committed and the on-site list at 1,000,000 visits, encrypted vs plain.

The same 1M-visit database (``bench/visits.py``'s, cached in ``bench-data/``) is copied twice: once as it
is, once encrypted with SQLCipher (a raw 256-bit key from an in-memory keyring, as the desk's key comes
from the OS keyring). Both copies get the same check-ins and on-site reads, interleaved in rounds so a
noisy neighbour on the machine hits both alike.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bench.visits import ROOT, build_database, p95, time_calls
from frontdesk.context import Services
from frontdesk.models import Visitor
from frontdesk.secrets import MemoryKeyring, SecretStore
from frontdesk.store import LOG_CHECKPOINT_SECONDS, cipher, key_name

ROUNDS = 5
CHECKINS = 100  # per round and database: 500 each in all
ONSITE = 40  # per round and database: 200 each in all


def cpu_calls(fn, repeat: int) -> tuple[list[float], list[float]]:
    """Milliseconds per call of ``fn``: wall clock, and this process's CPU time (what encryption itself costs;
    a wait for the disk or for another process on a shared machine is not CPU)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - t) * 1000)
    return wall, cpu


def fsync_ms(folder: Path, n: int = 200) -> float:
    """The median cost of one small write + fsync in ``folder``: the floor of a ``synchronous=FULL`` commit."""
    path = folder / "fsync-probe"
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, b"x")
        os.fsync(fd)
        os.close(fd)
        out.append((time.perf_counter() - t) * 1000)
    path.unlink()
    return statistics.median(out)


def statements_of(services: Services, fn) -> list[str]:
    """The statements ``fn`` runs on this thread's connection, through SQLite's trace callback (the
    programs of the triggers they fire are left out: they run inside the statement that fired them)."""
    seen: list[str] = []
    conn = services.store.db.conn
    conn.set_trace_callback(seen.append)
    try:
        fn()
    finally:
        conn.set_trace_callback(None)
    out: list[str] = []
    for sql in seen:
        if sql.startswith("--") or (out and out[-1] == sql):  # a trigger's program, or its statement again
            continue
        out.append(" ".join(sql.split()))
    return out


def pages_per_commit(services: Services, fn, n: int = 20) -> float:
    """The median number of pages one call of ``fn`` writes to the write-ahead log (what SQLCipher
    encrypts at its commit), with the automatic checkpoint held off while it is counted."""
    conn = services.store.db.conn
    wal = services.store.path.with_name(services.store.path.name + "-wal")
    autocheckpoint = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    try:
        frame = 24 + int(conn.execute("PRAGMA page_size").fetchone()[0])
        counts = []
        for _ in range(n):
            before = wal.stat().st_size if wal.exists() else 0
            fn()
            counts.append((wal.stat().st_size - max(before, 32)) / frame)
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint={autocheckpoint}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return statistics.median(counts)


class DeskTimer:
    """What the desk's upkeep timer does while check-ins go on (``ui/upkeep.py``): every few seconds, a PASSIVE
    checkpoint of each database's log on a thread of its own, so no check-in's commit runs one."""

    def __init__(self, *services: Services):
        self._stores = [s.store for s in services]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="desk-timer", daemon=True)
        self.checkpoints = 0
        for store in self._stores:
            store.defer_checkpoints()

    def _run(self) -> None:
        while not self._stop.wait(LOG_CHECKPOINT_SECONDS):
            for store in self._stores:
                store.checkpoint_log()
                self.checkpoints += 1

    def __enter__(self) -> DeskTimer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run() -> str:
    """Measure and return the Markdown section."""
    cache = ROOT / "bench-data" / "visits-1m"
    cache.mkdir(parents=True, exist_ok=True)
    source = build_database(cache)
    n = source.store.db.execute("SELECT count(*) FROM visits").fetchone()[0]
    secrets = SecretStore(MemoryKeyring())
    with tempfile.TemporaryDirectory() as tmp:
        plain_dir, enc_dir = Path(tmp) / "plain", Path(tmp) / "encrypted"
        plain_dir.mkdir()
        enc_dir.mkdir()
        backup = source.store.backup("bench-encryption")
        backup.rename(plain_dir / "frontdesk.db")
        source.close()
        t = time.perf_counter()
        key = secrets.new_key(key_name(enc_dir / "frontdesk.db"))
        cipher.encrypt_copy(plain_dir / "frontdesk.db", enc_dir / "frontdesk.db", key)
        encrypt_s = time.perf_counter() - t
        size_mb = (enc_dir / "frontdesk.db").stat().st_size / 1e6

        plain = Services.open(plain_dir)
        enc = Services.open(enc_dir, secrets=secrets)
        assert plain.store.key is None and enc.store.key == key
        samples: dict[str, dict[str, list[float]]] = {
            "plain": {"checkin": [], "onsite": [], "checkin_cpu": []},
            "encrypted": {"checkin": [], "onsite": [], "checkin_cpu": []},
        }
        fsync = fsync_ms(Path(tmp))
        counter = iter(range(10**9))
        on_site_rows = len(enc.visits.on_site())
        # The on-site list first, while 40 are on site (every check-in below adds one).
        for _ in range(ROUNDS):
            for label, services in (("plain", plain), ("encrypted", enc)):
                samples[label]["onsite"] += time_calls(services.visits.on_site, ONSITE)
        with DeskTimer(plain, enc) as timer:
            for _ in range(ROUNDS):
                for label, services in (("plain", plain), ("encrypted", enc)):

                    def admit(services=services) -> None:
                        services.checkin.admit(Visitor(first_name="Bench", last_name=f"Crypt{next(counter)}"))

                    wall, cpu = cpu_calls(admit, CHECKINS)
                    samples[label]["checkin"] += wall
                    samples[label]["checkin_cpu"] += cpu
        # What one check-in does: the statements it runs and the pages its commit writes (after the timed
        # rounds, so the on-site list above still had its 40).
        work = {}
        for label, services in (("plain", plain), ("encrypted", enc)):

            def admit(services=services) -> None:
                services.checkin.admit(Visitor(first_name="Bench", last_name=f"Crypt{next(counter)}"))

            work[label] = (len(statements_of(services, admit)), pages_per_commit(services, admit))
        # The desk's start-up integrity check (PRAGMA quick_check), once each.
        checks = {}
        for label, services in (("plain", plain), ("encrypted", enc)):
            t = time.perf_counter()
            services.store.check_integrity()
            checks[label] = time.perf_counter() - t
        plain.close()
        enc.close()

    def cell(xs: list[float]) -> str:
        return f"{statistics.median(xs):.2f} ms | {p95(xs):.2f} ms"

    lines = []
    verdicts = []
    for what, key_, target in (
        ("check-in committed", "checkin", 5.0),
        (f"on-site list ({on_site_rows} on site)", "onsite", 10.0),
    ):
        p, e = samples["plain"][key_], samples["encrypted"][key_]
        ratio = p95(e) / p95(p)
        ok = ratio <= 1.5 and p95(e) <= target
        verdicts.append(ok)
        lines.append(
            f"| {what} | {cell(p)} | {cell(e)} | {ratio:.2f}× | ≤ 1.5× and ≤ {target:g} ms p95 | "
            f"{'meets' if ok else '**misses**'} |"
        )
    p, e = samples["plain"]["checkin_cpu"], samples["encrypted"]["checkin_cpu"]
    lines.append(
        f"| check-in, CPU time of this process | {cell(p)} | {cell(e)} | {p95(e) / p95(p):.2f}× "
        f"(p50 {statistics.median(e) / statistics.median(p):.2f}×) | (what encryption itself costs) | |"
    )
    lines.append(
        f"| one check-in: SQL statements run (trace callback) | {work['plain'][0]} | | {work['encrypted'][0]} | | "
        "| (40 before 2026-12-02's first trim, 31 before its second, 28 before its third: now a BEGIN … "
        "COMMIT around start's reads) | |"
    )
    lines.append(
        f"| one check-in: pages its commit writes (median of 20) | {work['plain'][1]:.0f} | | "
        f"{work['encrypted'][1]:.0f} | | | (each one encrypted, when encrypted) | |"
    )
    rows = "\n".join(lines)
    return f"""
Database: {n:,} visits ({size_mb:.0f} MB), SQLCipher {cipher.version()} (AES-256-CBC, an
{cipher.HMAC_ALGORITHM.replace("_", "-")} on every page, raw key: no key derivation per connection), encrypted copy
made in {encrypt_s:.0f} s as the desk encrypts a file in place (`cipher.encrypt_copy`: its indexes built a row at a
time, as the plain file's were, not packed full). {ROUNDS} interleaved rounds; {ROUNDS * CHECKINS}
check-ins and {ROUNDS * ONSITE} on-site reads per database. WAL, `synchronous=FULL`, a 16 MB page cache and
a 512-statement cache on both (the store sets them for either driver). The log is checkpointed off the
commit path, as the desk does it: every {LOG_CHECKPOINT_SECONDS:g} s a PASSIVE checkpoint on a thread of the
bench's own ({timer.checkpoints} during the check-ins), with SQLite's automatic one deferred to its bound.
One small write + fsync in the same folder costs {fsync:.2f} ms (median) on this machine during the run: the floor
under every committed check-in, encrypted or not.

| measure | plain p50 | plain p95 | encrypted p50 | encrypted p95 | cost (p95) | target | |
|---|---|---|---|---|---|---|---|
{rows}

Integrity check (`PRAGMA quick_check`; the desk runs it in the background after start): plain
{checks["plain"]:.2f} s, encrypted {checks["encrypted"]:.2f} s.
"""


if __name__ == "__main__":
    print(run())
