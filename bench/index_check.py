"""What checking the screening index against every list entry costs (``audit verify --index``, the desk's
background check): ``python -m bench.index_check DATA_DIR [DATA_DIR ...]`` on data folders already holding
lists (a copy: nothing is changed). Not in ``python -m bench``'s list: it needs a list of the size to measure
(the screening bench's, ``frontdesk barred import``) and takes minutes at 1,000,000 entries.

For each folder: the check as ``audit verify --index`` runs it (no pause), twice, and as the desk runs it (a
pause of ``ui.screening.index_watch.PAUSE`` after each batch), once; wall and CPU seconds of the checking thread,
entries and index rows. Then one row deleted by hand and the check again (it must name that entry).

``python -m bench.index_check --during DATA_DIR``: a panic press and a check-in timed while the desk's paced check
runs on a thread of the same process, beside the same with nothing running (:func:`during`).
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

from bench.__main__ import _load, machine

DESK_PAUSE = 0.05  # ui.screening.index_watch.PAUSE (not imported: that module needs Qt)


def _once(services, pause: float):
    from frontdesk.screening.index_check import check_index

    cpu = time.thread_time()
    found = check_index(services.store, pause=pause)
    return found, time.thread_time() - cpu


def run(folders: list[Path]) -> str:
    """One Markdown table, a row per folder and mode."""
    from frontdesk.context import Services

    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        f"Machine: {machine()}; load (1 min) at the start {_load()}; {when}",
        "",
        "| entries | index rows | mode | wall | CPU (thread) | found |",
        "|---:|---:|---|---:|---:|---|",
    ]
    for folder in folders:
        services = Services.open(folder)
        try:
            for mode, pause in (("verify --index", 0.0), ("verify --index", 0.0), ("desk (paced)", DESK_PAUSE)):
                found, cpu = _once(services, pause)
                lines.append(
                    f"| {found.entries:,} | {found.rows:,} | {mode} | {found.seconds:.1f} s | {cpu:.1f} s | "
                    f"{'intact' if found.intact else len(found.wrong)} |"
                )
            with sqlite3.connect(folder / "frontdesk.db") as conn:
                entry = conn.execute("SELECT max(entry_id) FROM screening_keys").fetchone()[0]
                conn.execute("DELETE FROM screening_keys WHERE entry_id = ?", [entry])
            found, cpu = _once(services, 0.0)
            assert [w.entry_id for w in found.wrong] == [entry], found.wrong
            lines.append(
                f"| {found.entries:,} | {found.rows:,} | one entry's rows deleted | {found.seconds:.1f} s | "
                f"{cpu:.1f} s | entry {entry} named |"
            )
        finally:
            services.close()
    lines.append(f"\nLoad (1 min) at the end {_load()}.")
    return "\n".join(lines)


def during(folder: Path, runs: int = 40) -> str:
    """Nothing blocks a panic press or a check-in (issue 12's targets, as ``bench.bulk_work`` measures them: the
    whole press ≤ 50 ms, a check-in ≤ 100 ms) while the desk's paced check runs on a thread of the SAME process
    (it shares the interpreter with the window's thread, unlike an import in another process): ``runs`` of each
    with nothing else running, then as many while the check runs, in ``folder`` (a copy: presses and visits are
    written)."""
    import statistics
    import threading

    from bench.bulk_work import _measure, _pct
    from frontdesk import settings as s
    from frontdesk.context import Services
    from frontdesk.dispatch.credentials import MemoryCredentials
    from frontdesk.screening.index_check import check_index

    services = Services.open(folder)
    try:
        services.settings.set(s.SCHOOL_NAME, "Bench School")
        services.settings.set(s.STATION_NAME, "Desk")
        services.station.credentials = MemoryCredentials()
        _measure(services, -1)  # the first check-in builds the admission workflow (the desk does it at start)
        idle = [_measure(services, i) for i in range(runs)]
        done = threading.Event()
        result = {}

        def check() -> None:
            result["found"] = check_index(services.store, pause=DESK_PAUSE)
            done.set()

        thread = threading.Thread(target=check, daemon=True)
        thread.start()
        time.sleep(1.0)  # well into the check
        busy = []
        i = runs
        while not done.is_set() and len(busy) < runs:
            busy.append(_measure(services, i))
            i += 1
            time.sleep(0.2)
        thread.join()
    finally:
        services.close()

    def row(label: str, values: list[float], target: float) -> str:
        verdict = (
            "meets" if max(values) <= target else ("meets at p95" if _pct(values, 95) <= target else "MISSES")
        )
        return (
            f"| {label} ({len(values)}) | {statistics.median(values):.1f} | {_pct(values, 95):.1f} | "
            f"{max(values):.1f} | ≤ {target:g} | {verdict} |"
        )

    found = result["found"]
    return "\n".join(
        [
            f"Machine: {machine()}; load (1 min) {_load()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
            f"{found.entries:,} entries, the check {found.seconds:.1f} s wall (paced).",
            "",
            "| ms | median | p95 | max | target | |",
            "|---|---:|---:|---:|---:|---|",
            row("press, nothing else running", [p for p, _ in idle], 50),
            row("press, while the desk's index check runs", [p for p, _ in busy], 50),
            row("check-in, nothing else running", [c for _, c in idle], 100),
            row("check-in, while the desk's index check runs", [c for _, c in busy], 100),
        ]
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--during"]:
        print(during(Path(sys.argv[2])))
    else:
        print(run([Path(p) for p in sys.argv[1:]]))
