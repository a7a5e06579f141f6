"""The alarm sound of the live screen: a two-tone beep, generated as a WAV (no binary file to ship)."""

from __future__ import annotations

import io
import math
import struct
import wave


def alarm_wav(rate: int = 16000, seconds: float = 1.2) -> bytes:
    """A 16-bit mono WAV alternating 880 Hz and 660 Hz every 0.15 s, with short fades against clicks."""
    frames = bytearray()
    total = int(rate * seconds)
    chunk = int(rate * 0.15)
    for i in range(total):
        freq = 880.0 if (i // chunk) % 2 == 0 else 660.0
        pos = i % chunk
        fade = min(1.0, pos / 80, (chunk - pos) / 80)
        frames += struct.pack("<h", int(0.5 * 32767 * fade * math.sin(2 * math.pi * freq * i / rate)))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return out.getvalue()
