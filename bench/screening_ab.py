"""Two versions of the screener on one prepared list, interleaved: the same results, and what each screen costs.

``python -m bench.screening_ab DIR GEN OLD_TREE [EVERY] [WARM]`` screens the labelled visitors of a folder
``bench.screening_inspect prepare`` made (``DIR/GEN/data``, ``DIR/GEN/visitors.jsonl``; every ``EVERY``-th
visitor, after ``WARM`` warm-up screens) in two processes: this tree's code and the code of ``OLD_TREE``
(another checkout, e.g. ``git worktree add /tmp/old main``), each on its own connection to the same
database file (a screen writes nothing). Each visitor is screened by one, then by the other (which goes
first alternates), so both share the machine's load. A version must be given the index it was written
for: use this only where both read the same key rules (``frontdesk.wire.keys.KEY_VERSION``).

It prints, per version, the CPU time of a screen (this process's own: a loaded machine's queue does not
count) p50 / p95 / p99 and the mean, the wall time the same way, and the database pages each screen read
(``rchar`` of ``/proc/self/io`` over 4,096: pages SQLite's own cache did not hold). And it compares every
visitor's result: the decision, and for every candidate (flagged or note) the entry, score, decision,
matched name and each evidence line, words included. Any difference is printed and the exit code is 1: a
speed-up must not change what the desk is told.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def digest(result) -> list:
    """Everything a screen result tells the desk, as plain data (two equal digests: the same screen)."""
    return [
        result.decision.value,
        [
            [
                c.entry.id,
                round(c.score, 9),
                c.decision.value,
                c.matched_name,
                [[e.field, e.relation, e.words] for e in c.evidence],
            ]
            for c in result.candidates
        ],
    ]


def _pages_read() -> int:
    with open("/proc/self/io") as io:
        for line in io:
            if line.startswith("rchar"):
                return int(line.split()[1])
    return 0


def worker(data_dir: str, visitors_path: str) -> None:
    """Screen the visitors named on stdin (their line numbers), one JSON answer a line on stdout."""
    from bench.screening import _query
    from frontdesk.screening.screener import Screener
    from frontdesk.store import Store

    screener = Screener(Store.open(Path(data_dir)))
    visitors = Path(visitors_path).read_text().splitlines()
    for line in sys.stdin:
        query = _query(json.loads(visitors[int(line)]))
        read, cpu, wall = _pages_read(), time.process_time(), time.perf_counter()
        result = screener.screen(query)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        pages = (_pages_read() - read) / 4096
        answer = {"cpu": cpu * 1000, "wall": wall * 1000, "pages": pages, "digest": digest(result)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def _start(tree: Path, data_dir: Path, visitors: Path) -> subprocess.Popen:
    # The worker is this file's, loaded by path (the old tree may not have it); everything it imports,
    # the screener above all, comes from ``tree``.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    code = (
        "import importlib.util, sys; spec = importlib.util.spec_from_file_location('ab', sys.argv[1]); "
        "ab = importlib.util.module_from_spec(spec); spec.loader.exec_module(ab); "
        "ab.worker(sys.argv[2], sys.argv[3])"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, __file__, str(data_dir), str(visitors)],
        cwd=tree,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def _ask(worker_process: subprocess.Popen, line_no: int) -> dict:
    worker_process.stdin.write(f"{line_no}\n")
    worker_process.stdin.flush()
    return json.loads(worker_process.stdout.readline())


def _percentiles(values: list[float]) -> str:
    values = sorted(values)
    pick = [values[min(len(values) - 1, int(p * len(values)))] for p in (0.5, 0.95, 0.99)]
    mean = sum(values) / len(values)
    return f"{pick[0]:.2f} / {pick[1]:.2f} / {pick[2]:.2f} (mean {mean:.2f})"


def run(folder: Path, gen: str, old_tree: Path, every: int = 1, warm: int = 50) -> int:
    """Screen, compare, print; 1 when any result differs."""
    data_dir, visitors = folder / gen / "data", folder / gen / "visitors.jsonl"
    trees = {"old": old_tree, "new": ROOT}
    workers = {name: _start(tree, data_dir, visitors) for name, tree in trees.items()}
    count = len(visitors.read_text().splitlines())
    for line_no in range(min(warm, count)):
        for w in workers.values():
            _ask(w, line_no)
    got: dict[str, dict[str, list[float]]] = {n: {"cpu": [], "wall": [], "pages": []} for n in workers}
    differ = 0
    started = time.time()
    load = os.getloadavg()[0]
    for i, line_no in enumerate(range(0, count, every)):
        order = ["old", "new"] if i % 2 == 0 else ["new", "old"]
        answers = {name: _ask(workers[name], line_no) for name in order}
        for name, answer in answers.items():
            for key in ("cpu", "wall", "pages"):
                got[name][key].append(answer[key])
        if answers["old"]["digest"] != answers["new"]["digest"]:
            differ += 1
            if differ <= 10:
                print(f"DIFFERENT visitor line {line_no}:")
                print(f"  old {answers['old']['digest']}\n  new {answers['new']['digest']}")
    for w in workers.values():
        w.stdin.close()
        w.wait()
    screened = len(got["new"]["cpu"])
    print(
        f"{gen} {folder}: {screened} visitors (every {every}, after {warm} warm-up), "
        f"{time.time() - started:.0f} s, load average {load:.1f} -> {os.getloadavg()[0]:.1f}"
    )
    for name, tree in trees.items():
        print(f"  {name} ({tree})")
        print(f"    CPU ms p50 / p95 / p99  {_percentiles(got[name]['cpu'])}")
        print(f"    wall ms                 {_percentiles(got[name]['wall'])}")
        print(f"    pages read              {_percentiles(got[name]['pages'])}")
    print(f"  results: {screened - differ} of {screened} identical" + (f", {differ} DIFFERENT" if differ else ""))
    return 1 if differ else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(
        run(
            Path(args[0]),
            args[1],
            Path(args[2]).resolve(),
            int(args[3]) if len(args) > 3 else 1,
            int(args[4]) if len(args) > 4 else 50,
        )
    )
