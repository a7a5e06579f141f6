"""ID reading speed: parsing a payload, decoding a level PDF417 in a 2 MP photo, and a tilted one.

Targets (issue 3): parse median <= 0.2 ms; level decode <= 50 ms; tilted (up to 20 degrees) <= 1 s.
"""

from __future__ import annotations

import statistics
import time

from PIL import Image

from scanners.aamva import parse_id
from scanners.image import barcode_image, find_barcode
from scanners.samples import DEMO_SCANS


def _median_ms(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def _photo(data: bytes, angle: float) -> Image.Image:
    code = barcode_image(data, scale=3)
    if angle:
        code = code.rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BILINEAR)
    canvas = Image.new("L", (1632, 1224), 255)  # 2.0 MP, a typical webcam still
    canvas.paste(code, ((canvas.width - code.width) // 2, (canvas.height - code.height) // 2))
    return canvas


def run() -> str:
    """Measure and return the Markdown section."""
    clean = DEMO_SCANS[0]
    damaged = DEMO_SCANS[1]
    run_on = clean.replace(b"\n", b"").replace(b"\r", b"")
    rows = []
    for label, data in (("clean US v10", clean), ("wedge-damaged CA", damaged), ("no separators", run_on)):
        median, worst = _median_ms(lambda data=data: parse_id(data), 2000)
        rows.append((f"parse, {label} ({len(data)} bytes)", median, worst, 0.2))
    level = _photo(clean, 0)
    median, worst = _median_ms(lambda: find_barcode(level), 15)
    rows.append(("decode level PDF417, 1632x1224 (2.0 MP)", median, worst, 50.0))
    for angle in (7, 13, 19):
        tilted = _photo(clean, angle)
        assert find_barcode(tilted).data == clean
        median, worst = _median_ms(lambda tilted=tilted: find_barcode(tilted), 5)
        rows.append((f"decode PDF417 tilted {angle} degrees, 2.0 MP", median, worst, 1000.0))
    lines = ["| measure | median ms | worst ms | target ms | meets |", "|---|---:|---:|---:|---|"]
    for label, median, worst, target in rows:
        lines.append(
            f"| {label} | {median:.3f} | {worst:.3f} | {target:g} | {'yes' if median <= target else 'NO'} |"
        )
    return "\n".join(lines) + "\n\nParse runs 2000 times each; decodes 15 (level) and 5 (tilted) times.\n"
