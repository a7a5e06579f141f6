"""What one screen reads, by key family: which reads grow with the list, and for which visitors.

``python -m bench.screening_work DIR GEN [EVERY] [WARM]`` screens the labelled visitors of a folder
``bench.screening_inspect prepare`` made (every ``EVERY``-th, after ``WARM`` warm-up screens) and counts, per
screen: the statements run, the database pages read (``rchar`` over 4,096), the CPU time of the screen, of
its index look-up (``Screener._find``) and of its look-alike count; and, from the same look-up run again
outside the timing, the key prefixes scanned and the index rows they bring, by family (``E_exact``: the
visitor's own dates; ``E_slip``: the dates one digit off or transposed; ``Y``: the birth year; ``LF``: the
``L:``/``F:`` keys of entries without a date; ``N``: the name's own keys; ``I``: the ID; ``A``: the
look-alike rows of the visitor's name), the entries read and scored, and the pieces judged and passed by
family and half of the name (``sur``: a surname piece, ``giv``: given names). It prints the percentiles,
each count's mean over all screens, over the slowest 5% (by CPU) and over the rest, and the classes of the
slowest 5%. Compare two list sizes of one generator to see which counts grow with the list.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

STATEMENT = (
    "SELECT j.key, substr(k.key, length(j.value) + 1), k.entry_id FROM json_each(?) j "
    "CROSS JOIN screening_keys k WHERE k.key >= j.value AND k.key < j.value || char(1114111)"
)
FAMILY = {None: "E_exact", "same_year": "Y", "one_digit": "E_slip", "unknown": "LF"}


def _pages_read() -> int:
    with open("/proc/self/io") as io:
        for line in io:
            if line.startswith("rchar"):
                return int(line.split()[1])
    return 0


def _counts(db, query) -> Counter:
    """The look-up of :meth:`Screener._find` again, counted: prefixes, rows, pieces judged and passed."""
    from frontdesk.screening.keys import lookup
    from frontdesk.screening.match import PieceJudge, prepare
    from frontdesk.screening.screener import LAST_CHAR
    from frontdesk.wire.keys import id_key, look_alike_prefixes

    pq = prepare(query)
    found = lookup([pq.name, pq.swapped], query.dob)
    families = [FAMILY[relation] for _, relation in found.scans] + ["N"] * len(found.prefixes)
    by_id = id_key(query.id_state, query.id_last4)
    keys = [p for p, _ in found.scans] + found.prefixes + ([by_id] if by_id else [])
    families += ["I"] if by_id else []
    out = Counter(f"prefixes_{f}" for f in families)
    judge, judged = PieceJudge(pq.name), {}
    for at, rest, _ in db.execute(STATEMENT, [json.dumps(keys)]):
        out[f"rows_{families[at]}"] += 1
        relation = found.scans[at][1] if at < len(found.scans) else None
        if relation is None or (rest, relation) in judged:
            continue
        half = "sur" if rest.startswith("/") else "giv"
        judged[rest, relation] = passed = judge.may_match(rest, relation)
        out[f"judged_{families[at]}_{half}"] += 1
        out[f"passed_{families[at]}_{half}"] += passed
    q = pq.name
    for prefix, _ in look_alike_prefixes(q.first, q.last_whole, q.last_core):
        sql = "SELECT count(*) FROM screening_keys WHERE key >= ? AND key < ?"
        out["rows_A"] += db.execute(sql, [prefix, prefix + LAST_CHAR]).fetchone()[0]
    return out


def run(folder: Path, gen: str, every: int = 1, warm: int = 50) -> None:
    """Screen, count, print."""
    from bench.screening import _query
    from frontdesk.screening.screener import Screener
    from frontdesk.store import Store

    store = Store.open(folder / gen / "data")
    screener = Screener(store)
    db = store.db
    statements = [0]
    db.conn.set_trace_callback(lambda _: statements.__setitem__(0, statements[0] + 1))
    phase: Counter = Counter()

    def timed(name: str, fn):
        def wrapper(*args, **kwargs):
            cpu = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                phase[name] += time.process_time() - cpu

        return wrapper

    screener._find = timed("find", screener._find)  # this instance only: the bench counts, it changes nothing
    screener._look_alikes = timed("look_alikes", screener._look_alikes)
    visitors = [json.loads(line) for line in (folder / gen / "visitors.jsonl").read_text().splitlines()]
    for v in visitors[:warm]:
        screener.screen(_query(v))
    records = []
    for v in visitors[::every]:
        query = _query(v)
        phase.clear()
        statements[0] = 0
        read, cpu = _pages_read(), time.process_time()
        result = screener.screen(query)
        cpu = time.process_time() - cpu
        record = {
            "cls": v["cls"],
            "cpu": cpu * 1000,
            "find": phase["find"] * 1000,
            "look_alikes": phase["look_alikes"] * 1000,
            "pages": (_pages_read() - read) / 4096,
            "statements": statements[0],
            "candidates": len(result.candidates),
        }
        ids, namesakes = screener._find(query)
        record.update(entries=len(ids), namesakes=namesakes.related.total, own_namesakes=len(namesakes.ids))
        record.update(_counts(db, query))
        records.append(record)
    records.sort(key=lambda r: r["cpu"])
    n = len(records)
    slow, rest = records[int(0.95 * n) :], records[: int(0.95 * n)]

    def pct(key: str, p: float) -> float:
        return sorted(r.get(key, 0) for r in records)[min(n - 1, int(p * n))]

    def mean(rs: list[dict], key: str) -> float:
        return sum(r.get(key, 0) for r in rs) / max(1, len(rs))

    print(f"{gen} {folder}: {n} screens (every {every}, after {warm} warm-up)")
    for key in ("cpu", "find", "look_alikes", "pages", "statements"):
        print(f"  {key:12} p50 / p95 / p99 {pct(key, 0.5):8.2f} {pct(key, 0.95):8.2f} {pct(key, 0.99):8.2f}")
    print(f"  {'per screen':22} {'mean':>8} {'slowest 5%':>11} {'the rest':>9} {'max':>7}")
    for key in sorted({k for r in records for k in r} - {"cls"}):
        print(
            f"  {key:22} {mean(records, key):8.1f} {mean(slow, key):11.1f} {mean(rest, key):9.1f} "
            f"{max(r.get(key, 0) for r in records):7.1f}"
        )
    print("  classes of the slowest 5%:", Counter(r["cls"] for r in slow).most_common(8))


if __name__ == "__main__":
    args = sys.argv[1:]
    run(Path(args[0]), args[1], int(args[2]) if len(args) > 2 else 1, int(args[3]) if len(args) > 3 else 50)
