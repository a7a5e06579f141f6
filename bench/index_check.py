"""What checking the screening index against every list entry costs (``audit verify --index``, the desk's
background check): ``python -m bench.index_check DATA_DIR [DATA_DIR ...]`` on data folders already holding
lists (a copy: nothing is changed). Not in ``python -m bench``'s list: it needs a list of the size to measure
(the screening bench's, ``frontdesk barred import``) and takes minutes at 1,000,000 entries.

For each folder: the check as ``audit verify --index`` runs it (no pause), twice, and as the desk runs it (a
pause of ``ui.screening.index_watch.PAUSE`` after each batch), once; wall and CPU seconds of the checking thread,
entries and index rows. Then one row deleted by hand and the check again (it must name that entry).
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


if __name__ == "__main__":
    print(run([Path(p) for p in sys.argv[1:]]))
