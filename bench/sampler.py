"""What the machine did each second of a bench column: ``python -m bench.sampler BENCH_PID CONSOLE_PID OUT``.

A console column that collapses (a burst twice as slow, a reconnect whose heartbeats time out) may be the
console's doing or the machine's: the host taking the virtual CPUs away (steal), the disk (iowait), another
process on the two cores, or the cores themselves running slower (another guest on the host sharing their
caches). One sample a second, appended to ``OUT`` as a JSON line, says which:

- ``cpu``: the machine's counters from /proc/stat (user, nice, system, idle, iowait, irq, softirq, steal; in
  clock ticks, cumulative), ``running`` / ``blocked`` tasks, the one-minute load and the kernel's listen
  queue overflows so far;
- CPU used in the second (ticks) by the console (``CONSOLE_PID`` and its descendants), the station drivers
  (the bench's other children), the bench itself (``BENCH_PID`` and this sampler) and every other process,
  split into those in an autogroup at full priority (nice <= 0) and those in a niced one, as other helpers'
  are (with ``kernel.sched_autogroup_enabled`` a process's own nice ranks it only inside its session: the
  test suite's nice-10 workers compete at full weight); ``heaviest``: the other process that used most;
- ``probe_us``: the CPU time of a fixed piece of Python work (best of three), so a core slowed by what the
  host runs beside it shows even when no time is stolen.

It stops when its stdin closes. Cheap: one pass over /proc/*/stat a second (~2 ms of CPU with ~200 processes).
"""

from __future__ import annotations

import json
import os
import select
import sys
import time


def _stat_all() -> dict[int, tuple[int, int, int]]:
    """``pid -> (ppid, utime + stime ticks, nice)`` of every live process."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        found[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[16]))
    return found


def _machine() -> tuple[list[int], int, int]:
    """The /proc/stat ``cpu`` line's first eight counters, running and blocked tasks."""
    cpu, running, blocked = [], 0, 0
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu "):
                cpu = [int(x) for x in line.split()[1:9]]
            elif line.startswith("procs_running"):
                running = int(line.split()[1])
            elif line.startswith("procs_blocked"):
                blocked = int(line.split()[1])
    return cpu, running, blocked


def _overflows() -> int:
    """The kernel's ListenOverflows so far (connections a full listen queue dropped, every process's)."""
    with open("/proc/net/netstat") as f:
        lines = f.read().splitlines()
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            found = dict(zip(names.split()[1:], values.split()[1:], strict=False))
            return int(found.get("ListenOverflows", 0))
    return 0


def _probe_us() -> float:
    """CPU microseconds a fixed loop takes, best of three (a slower core takes longer)."""
    best = float("inf")
    for _ in range(3):
        start = time.thread_time()
        x = 0
        for i in range(20000):
            x += i
        best = min(best, time.thread_time() - start)
    return best * 1e6


class _Others:
    """What we know of a process that is not ours: its autogroup's nice and its command line (read once)."""

    def __init__(self) -> None:
        self.known: dict[int, tuple[int, str]] = {}

    def describe(self, pid: int) -> tuple[int, str]:
        if pid not in self.known:
            group, command = 0, "?"
            try:
                with open(f"/proc/{pid}/autogroup") as f:
                    group = int(f.read().split()[-1])
            except (OSError, ValueError, IndexError):
                pass
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    command = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()[:90] or "?"
            except OSError:
                pass
            self.known[pid] = (group, command)
        return self.known[pid]


def _descendants(root: int, tree: dict[int, tuple[int, int, int]]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in tree.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in tree and pid not in found:
            found.add(pid)
            todo += children.get(pid, [])
    return found


def read(path: str) -> list[dict]:
    """The samples a sampler wrote (none if it wrote none)."""
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except OSError:
        return []


def summarize(samples: list[dict], start: float, end: float) -> dict:
    """What the machine did between wall-clock ``start`` and ``end``: each second (between two samples)
    whose middle falls inside counts. Shares are of the whole machine's time (both cores); CPU in seconds."""
    steal, iowait, idle = [], [], []
    sums = {"console": 0, "drivers": 0, "bench": 0, "others_full": 0, "others_yielding": 0}
    hz = os.sysconf("SC_CLK_TCK")
    busy_ticks, load, running, probes, heavy = 0, 0.0, 0, [], {}
    for before, after in zip(samples, samples[1:], strict=False):
        if not start <= (before["t"] + after["t"]) / 2 <= end:
            continue
        d = [b - a for a, b in zip(before["cpu"], after["cpu"], strict=True)]
        ticks = sum(d) or 1
        steal.append((d[7], ticks))
        iowait.append((d[4], ticks))
        idle.append((d[3], ticks))
        busy_ticks += d[0] + d[1] + d[2] + d[5] + d[6]
        for key in sums:
            sums[key] += after[key]
        load, running = max(load, after["load"]), max(running, after["running"])
        probes.append(after["probe_us"])
        if "heaviest" in after:
            ticks_used, nice, group, command = after["heaviest"]
            heavy[command] = heavy.get(command, (0, nice, group))
            heavy[command] = (heavy[command][0] + ticks_used, nice, group)

    def share(pairs: list[tuple[int, int]]) -> tuple[float, float]:
        if not pairs:
            return float("nan"), float("nan")
        return 100 * sum(p for p, _ in pairs) / sum(t for _, t in pairs), max(100 * p / t for p, t in pairs)

    cpu = {key: value / hz for key, value in sums.items()}
    # What no live process accounts for: processes that ended inside a second, interrupts, the kernel's own.
    cpu["unattributed"] = busy_ticks / hz - sum(cpu.values())
    top = max(heavy.items(), key=lambda item: item[1][0], default=None)
    return {
        "seconds": len(steal),
        "steal": share(steal),
        "iowait": share(iowait),
        "idle": share(idle),
        "cpu": cpu,
        "load_max": load,
        "running_max": running,
        "probe_us": sorted(probes)[len(probes) // 2] if probes else float("nan"),
        "probe_us_max": max(probes, default=float("nan")),
        "heaviest_other": (top[0], top[1][0] / hz, top[1][1], top[1][2]) if top else None,
    }


def main(bench_pid: int, console_pid: int, out_path: str) -> None:
    others = _Others()
    previous = _stat_all()
    me = os.getpid()
    with open(out_path, "a") as out:
        while True:
            ready, _, _ = select.select([sys.stdin], [], [], 1.0)
            if ready and not sys.stdin.read(1):
                return
            now = time.time()
            tree = _stat_all()
            cpu, running, blocked = _machine()
            with open("/proc/loadavg") as f:
                load = float(f.read().split()[0])
            console = _descendants(console_pid, tree)
            ours = _descendants(bench_pid, tree)
            used = {"console": 0, "drivers": 0, "bench": 0, "others_full": 0, "others_yielding": 0}
            heaviest = (0, 0)
            for pid, (_, ticks, _nice) in tree.items():
                delta = ticks - previous[pid][1] if pid in previous else ticks
                if delta <= 0:
                    continue
                if pid in console:
                    used["console"] += delta
                elif pid in (bench_pid, me):
                    used["bench"] += delta
                elif pid in ours:
                    used["drivers"] += delta
                else:
                    # With sched_autogroup_enabled each session's processes share one weight, set by the
                    # autogroup's nice: a process's own nice ranks it only inside its session.
                    group, _ = others.describe(pid)
                    used["others_full" if group <= 0 else "others_yielding"] += delta
                    heaviest = max(heaviest, (delta, pid))
            sample = {
                "t": now,
                "cpu": cpu,
                "running": running,
                "blocked": blocked,
                "load": load,
                "overflows": _overflows(),
                **used,
                "probe_us": round(_probe_us(), 1),
            }
            if heaviest[0]:
                group, command = others.describe(heaviest[1])
                nice = tree[heaviest[1]][2]
                sample["heaviest"] = [heaviest[0], nice, group, command]
            out.write(json.dumps(sample) + "\n")
            out.flush()
            previous = tree


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
