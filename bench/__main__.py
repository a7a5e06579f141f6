"""Run the benchmarks: ``python -m bench`` (all) or ``python -m bench visits screening`` (some)."""

from __future__ import annotations

import importlib
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

# Each name is a module in bench/ with a run() -> str returning a Markdown section.
MODULES = [
    "visits",
    "ids",
    "dispatch_console",
    "dispatch_station",
    "badges",
    "screening",
    "review",
    "screening_holdout",
    "screening_gen2_bench",
    "screening_gen4",
    "bulk_work",
    "kiosk",
    "students",
    "startup",
    "frozen_startup",
    "encryption",
    "hub_sync",
    "district_lists",
    "desk_day",
    "desk_live",
]

DOCS = Path(__file__).resolve().parent.parent / "docs"


def machine() -> str:
    """One line describing the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores{mem}; {system}; Python {platform.python_version()}"


def _load() -> str:
    """The one-minute load average now (other people's work on a shared machine shows here)."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def main(names: list[str]) -> int:
    """Run the named benchmarks (all when none), write their sections and the joined page."""
    if names == ["--join"]:
        join()
        return 0
    out_dir = DOCS / "benchmarks"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in names or MODULES:
        if name not in MODULES:
            print(f"unknown benchmark {name!r}; known: {', '.join(MODULES)}", file=sys.stderr)
            return 2
        print(f"== {name}", flush=True)
        load_before = _load()
        body = importlib.import_module(f"bench.{name}").run()
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        load = f" Load average (1 min, the machine is shared): {load_before} before, {_load()} after."
        text = f"## {name}\n\nMeasured {stamp} on {machine()}.{load}\n\n{body.strip()}\n"
        (out_dir / f"{name}.md").write_text(text)
        print(text, flush=True)
    join()
    return 0


def join() -> None:
    """Rebuild docs/benchmarks.md from the per-feature sections (``python -m bench --join`` after a merge)."""
    out_dir = DOCS / "benchmarks"
    sections = [(out_dir / f"{n}.md").read_text() for n in MODULES if (out_dir / f"{n}.md").exists()]
    (DOCS / "benchmarks.md").write_text(
        "# Benchmarks\n\nWritten by `make bench` (one section per feature; `python -m bench NAME` reruns one).\n"
        "Targets come from the issues; each section says whether it meets them.\n\n" + "\n".join(sections)
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
