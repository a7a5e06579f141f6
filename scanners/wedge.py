"""Keyboard-wedge scanners: tell a scan from a person typing, from key timing alone (pure, no Qt).

A scanner in keyboard mode "types" the payload: keys a few milliseconds apart, for 0.5-10 s on a long
licence. A person's keys come 60-300 ms apart, and a fast typist's bursts 20-60 ms. Timing alone cannot
tell a 20-ms typist from a slow scanner, so what was typed decides too: a burst of letters and spaces is a
person's, and a finished burst that is no ID payload or badge code is given back as typing, every key in
order. :class:`WedgeBuffer` holds keys only while they might be a
scan: a key not followed within ``fast`` seconds by another is a person's and is handed back at once (so
typing is never swallowed and lags at most ``fast``); ``min_scan`` fast keys in a row make a scan, which
ends after ``end_gap`` seconds of silence, never on Enter (payloads contain CR and LF). Control keys that
a scanner sends as Ctrl+letter are mapped back to the bytes they stand for by :func:`map_key`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from scanners.cac import looks_like_cac

# Ctrl combinations a wedge sends for the control bytes of a licence payload.
_CONTROL = {
    "Ctrl+J": "\n",
    "Ctrl+M": "\r",
    "Ctrl+^": "\x1e",
    "Ctrl+6": "\x1e",
    "Ctrl+Shift+6": "\x1e",
    "Ctrl+~": "\x1e",
    "Ctrl+]": "\x1d",
    "Ctrl+\\": "\x1c",
    "Ctrl+@": "",
    "Ctrl+2": "",
    "Return": "\r",
    "Enter": "\r",
    "Tab": "\t",
}


_SENTINELS = frozenset("@%;")
_TERMINATORS = frozenset({"Return", "Enter", "Tab"})


_BADGE = re.compile(r"[0-9A-TV-Z]{4}-?[0-9A-TV-Z]{4}", re.IGNORECASE)  # a badge code (Crockford base32)


_BADGE_START = re.compile(r".?[0-9A-TV-Z]{4}-", re.IGNORECASE)


def could_be_scan(start: str) -> bool:
    """Whether a burst beginning ``start`` may be a scan: a licence or stripe sentinel, a control byte, an
    MRZ filler, a digit or a badge code's dash. A name typed fast has none of these.
    """
    return bool(start) and (
        any(c in _SENTINELS for c in start[:2])  # (the first key may be a person's, just before the scan)
        or any(c.isdigit() or c == "<" or c in "\n\r\x1e\x1d\x1c" for c in start)
        or _BADGE_START.match(start) is not None
    )


def looks_scanned(text: str) -> bool:
    """Whether a finished burst is what scanners send (an ID payload or a badge code), not a person's typing.

    A burst that is neither (say, a phone number typed at 20 ms a key) is given back as typing.
    """
    body = text.strip()
    return bool(body) and (
        body[0] in _SENTINELS
        or any(c == "<" or c in "\n\r\x1e\x1d\x1c" for c in text)
        or _BADGE.fullmatch(body) is not None
        or looks_like_cac(body)  # a military ID card's barcode: fixed width, no sentinel, maybe no Enter
    )


def map_key(key: str) -> str | None:
    """The character a wedge key stands for: itself if printable, the control byte for Ctrl+J / M / ^ / ],
    CR for Enter; None for keys a scanner never sends (arrows, Backspace...), which a person's typing keeps.
    """
    if len(key) == 1:
        return key if key.isprintable() or key in "\n\r\t\x1e\x1d\x1c" else None
    return _CONTROL.get(key)


@dataclass(frozen=True)
class Replay:
    """Keys that were a person's: deliver them (their tokens) to the focused widget, in order."""

    tokens: tuple[Any, ...]


@dataclass(frozen=True)
class Reading:
    """A scan is arriving (``count`` keys so far): show "Reading ID…"."""

    count: int


@dataclass(frozen=True)
class Scanned:
    """A complete scan: the text it typed, control keys mapped back."""

    text: str


Action = Replay | Reading | Scanned


@dataclass
class WedgeBuffer:
    """The burst classifier. Feed it ``(timestamp, key, token)``; call :meth:`tick` from a timer.

    ``token`` is anything the caller needs to re-deliver a key (the Qt filter passes a copy of the event).
    Timestamps are seconds from any monotonic clock.
    """

    fast: float = 0.035  # keys closer than this may be a scanner
    end_gap: float = 0.08  # a scan ends after this much silence (60-100 ms)
    min_scan: int = 8  # this many fast keys in a row make a scan
    passed: bool = False
    _keys: list[tuple[float, str, Any]] = field(default_factory=list)
    _scanning: bool = False

    @property
    def scanning(self) -> bool:
        """True while a scan is arriving."""
        return self._scanning

    @property
    def holding(self) -> bool:
        """True while keys are held back (a possible or certain scan)."""
        return bool(self._keys)

    def deadline(self) -> float | None:
        """When :meth:`tick` must next be called, or None when nothing is held."""
        if not self._keys:
            return None
        return self._keys[-1][0] + self._hold()

    def _hold(self) -> float:
        # A burst that starts like a licence ("@", or "%" / ";" of a stripe) may pause a little longer.
        if self._scanning or self._keys[0][1] in _SENTINELS:
            return self.end_gap
        return self.fast

    def feed(self, t: float, key: str, token: Any = None) -> list[Action]:
        """One key press. Keys with no wedge meaning flush what is held and pass straight through, and so do
        Enter and Tab when nothing is held (a scan never starts with them; a completer popup needs them).
        :attr:`passed` tells whether this key went straight through (its Replay is the last action).
        """
        actions = self.tick(t)
        self.passed = False
        if map_key(key) is None or (key in _TERMINATORS and not self._keys):
            if self._scanning and self._keys[0][1] in _SENTINELS:
                return actions  # a scanner never sends it; do not break a licence's scan
            self._scanning = False  # (a person's Backspace or arrow in a fast burst: the burst was typing)
            actions += self._flush()
            actions.append(Replay((token,)))
            self.passed = True
            return actions
        if self._keys and not self._scanning and t - self._keys[-1][0] >= self._hold():
            actions += self._flush()
        self._keys.append((t, key, token))
        if not self._scanning and len(self._keys) >= self.min_scan:
            actions += self._decide()
        elif self._scanning and len(self._keys) % 50 == 0:
            actions.append(Reading(len(self._keys)))
        return actions

    def tick(self, now: float) -> list[Action]:
        """Release what the silence has decided: a person's keys, or a finished scan."""
        deadline = self.deadline()
        if deadline is None or now < deadline:
            return []
        if self._scanning:
            text = "".join(map_key(k) or "" for _, k, _ in self._keys)
            self._scanning = False
            if not looks_scanned(text):
                return self._flush()  # fast typing after all: every key goes back, in order
            self._keys = []
            return [Scanned(text)]
        return self._flush()

    def _flush(self) -> list[Action]:
        tokens = tuple(token for _, _, token in self._keys)
        self._keys = []
        return [Replay(tokens)] if tokens else []

    def _decide(self) -> list[Action]:
        keys = [k for _, k, _ in self._keys]
        if len(set(keys)) == 1:
            # One key held down (auto-repeat) is a person, however fast it repeats.
            return self._flush()
        if not could_be_scan("".join(map_key(k) or "" for k in keys)):
            # Letters and spaces only: a fast typist's burst (a scan starts with a sentinel, or has digits).
            return self._flush()
        actions: list[Action] = []
        gaps = [b[0] - a[0] for a, b in zip(self._keys, self._keys[1:], strict=False)]
        rest = sorted(gaps[1:])
        median = rest[len(rest) // 2]
        if gaps[0] > max(3 * median, 0.015):
            # The first key came noticeably slower than the rest: a person's key just before the scan.
            first = self._keys.pop(0)
            actions.append(Replay((first[2],)))
        self._scanning = True
        actions.append(Reading(len(self._keys)))
        return actions


def replay(events: Iterable[tuple[float, str]], buffer: WedgeBuffer | None = None) -> list[Action]:
    """Run recorded ``(timestamp, key)`` events through a buffer as a timer would, keys as their own tokens.

    For tests and for the recording fake scanner: returns every action, including the final flush.
    """
    buffer = buffer or WedgeBuffer()
    actions: list[Action] = []
    last = 0.0
    for t, key in events:
        actions += buffer.feed(t, key, key)
        last = t
    actions += buffer.tick(last + 10.0)
    return actions


def typed(actions: Iterable[Action]) -> str:
    """What a person typed, from replay actions whose tokens are the keys themselves (for tests)."""
    return "".join(str(tok) for a in actions if isinstance(a, Replay) for tok in a.tokens)


def scans(actions: Iterable[Action]) -> list[str]:
    """The scans among ``actions``."""
    return [a.text for a in actions if isinstance(a, Scanned)]


def keys_for(
    payload: str, start: float = 0.0, per_key: float = 0.004, ctrl: bool = True
) -> list[tuple[float, str]]:
    """The ``(timestamp, key)`` events a wedge scanner produces for ``payload`` (control bytes as Ctrl keys)."""
    names = {"\n": "Ctrl+J", "\r": "Ctrl+M", "\x1e": "Ctrl+^", "\x1d": "Ctrl+]"} if ctrl else {}
    return [(start + i * per_key, names.get(c, c)) for i, c in enumerate(payload)]
