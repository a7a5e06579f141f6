"""Key timings of fast typists, as ``(timestamp, key)`` recordings for the wedge classifier's tests.

Synthetic (no real person's typing is stored): each recording is made from a seeded model of a fast typist —
a mean gap per key (20-60 ms), lognormal spread, rollover (the next key down a few ms after the last),
and a pause between words — which is how fast bursts look in key-event logs.
"""

from __future__ import annotations

import random

TEXTS = (
    "Ann Testwood",
    "Marguerite van der Berg",
    "Ann Testwood 02/03/1980",
    "555 0142 ext 12",
    "Delivery for Room 14",
    "O'Neil-McDonald",
    "Anne-Marie Sample",
)


def recording(text: str, mean_ms: float, seed: int, start: float = 1.0) -> list[tuple[float, str]]:
    """``text`` typed by a typist averaging ``mean_ms`` a key (never slower than the mean for long)."""
    rng = random.Random(f"{text}/{mean_ms}/{seed}")
    t, events = start, []
    for char in text:
        events.append((round(t, 4), char))
        gap = rng.lognormvariate(0, 0.45) * mean_ms / 1000
        if rng.random() < 0.2:
            gap = rng.uniform(0.002, 0.012)  # rollover: the next key pressed before this one is up
        if char == " ":
            gap += rng.uniform(0.0, 0.04)
        t += gap
    return events


def recordings(speeds=(20, 25, 30, 40, 60), seeds=range(5)):
    """Every text at every speed, several typists each: ``(label, events)``."""
    for text in TEXTS:
        for mean_ms in speeds:
            for seed in seeds:
                yield f"{text!r} at {mean_ms} ms/key #{seed}", recording(text, mean_ms, seed)
