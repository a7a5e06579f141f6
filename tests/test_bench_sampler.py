"""The console bench's machine sampler (bench/sampler.py): what it records of real processes, and its summary."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import sampler

ROOT = Path(__file__).resolve().parent.parent
BUSY = "import time\nend = time.time() + 120\nwhile time.time() < end:\n    pass\n"

pytestmark = pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads Linux /proc")


def _wait_for(condition, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("condition not met")


def test_the_sampler_counts_the_consoles_cpu_and_the_machines_each_second(tmp_path):
    console = subprocess.Popen([sys.executable, "-c", BUSY])  # stands for the console: busy on one core
    out = tmp_path / "machine.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.sampler", str(os.getpid()), str(console.pid), str(out)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
    )
    try:
        # However loaded the machine, a busy process is given some CPU: wait for a second that shows it.
        samples = _wait_for(lambda: [s for s in sampler.read(str(out)) if s["console"] > 0])
    finally:
        assert proc.stdin is not None
        proc.stdin.close()  # the sampler stops when its stdin closes
        proc.wait(timeout=30)
        console.kill()
        console.wait()
    one = samples[0]
    assert len(one["cpu"]) == 8  # user nice system idle iowait irq softirq steal
    assert one["probe_us"] > 0 and one["overflows"] >= 0 and one["load"] >= 0
    assert {"drivers", "bench", "others_full", "others_yielding"} <= one.keys()


def _sample(t: float, cpu: list[int], **used: int) -> dict:
    base = {"console": 0, "drivers": 0, "bench": 0, "others_full": 0, "others_yielding": 0}
    return {"t": t, "cpu": cpu, "running": 3, "blocked": 0, "load": 1.5, "probe_us": 1000.0, **base, **used}


def test_a_summary_counts_the_seconds_inside_its_window_and_shares_of_the_whole_machine():
    hz = os.sysconf("SC_CLK_TCK")
    samples = [
        _sample(100.0, [0, 0, 0, 0, 0, 0, 0, 0]),
        # 100 → 101: half the machine stolen by the host, the console and another program on the rest
        _sample(101.0, [hz // 2, 0, 0, 0, 0, 0, 0, hz], console=hz // 4, others_full=hz // 4),
        # 101 → 102: outside the window
        _sample(102.0, [hz, 0, 0, hz, 0, 0, 0, hz], console=hz // 2),
    ]
    summary = sampler.summarize(samples, 100.0, 101.2)
    assert summary["seconds"] == 1
    assert summary["steal"] == (pytest.approx(200 / 3), pytest.approx(200 / 3))
    assert summary["idle"][0] == 0
    assert summary["cpu"]["console"] == pytest.approx(0.25)
    assert summary["cpu"]["others_full"] == pytest.approx(0.25)
    assert summary["cpu"]["unattributed"] == pytest.approx(0.0)
