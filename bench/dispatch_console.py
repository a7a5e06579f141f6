"""The district console on loopback at district scale, beside older consoles measured in the same run.

Each console is its own process on SQLite (WAL, synchronous=FULL), measured one after the other: this
tree's as ``serve`` starts it (one worker process per core) and with ``--workers 1``; the console as issue
14 was first merged (``MERGED``); and the baseline before issue 14 (``BASELINE``), both taken from git into
a temporary folder (skipped when git cannot give them). For each:

1. **Press → received while 300 slow clients hold connections** (half-sent headers and bodies, from three
   addresses of their own): 200 presses over a kept-alive connection and 50 on a new connection each.
2. **State scale**: ``STATIONS`` stations (4,500; ``FRONTDESK_BENCH_STATIONS`` to change), each with a long
   poll always open and a heartbeat every 30 s at its own phase. After a warm-up, **reconnect**: every
   station's connections drop at once and every station opens new ones and beats at once (as desks do
   when the network or the console comes back); then **burst**: every station presses at once and behaves
   as the desk does (2 s attempts, the same bytes again after capped full-jitter backoff 0.25 s → 4 s, a
   503's ``Retry-After`` honoured × 1-1.5). Bounded: stations not answered in time are counted as such.
   Each station's requests share its connections as the desk's HTTP client does (:class:`Pool`): an idle
   one is kept ``KEEPALIVE_S`` and reused, a timed-out attempt closes its own.
3. **SIGTERM** with every long poll open: how long until the process (and its workers) are gone.

The stations are driven by ``DRIVERS`` separate processes (``python -m bench.dispatch_console --driver``),
each one asyncio loop (uvloop) with a small raw HTTP/1.1 client over 127.0.1.x source addresses, started
together at shared wall-clock instants, with Python's garbage collector off once their stations are made.
Their own event-loop lag and CPU are reported beside the figures, with the load average: on a shared
2-core machine the figures say as much about the machine as about the console, so compare the columns of
one run (ratios), not runs. Why a heartbeat failed is counted (the handshake timed out, the answer did,
the connection broke), with the kernel's own counters of connections its listen queue dropped.
``FRONTDESK_BENCH_ROUNDS=2`` measures every column twice, in the order A B B A.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import sampler as sampler_mod
from frontdesk.dispatch.link import LinkTimings, confirm_delay, down_beat_delay, inbox_retry_delay
from frontdesk.wire import cap

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "c3fd0d6"  # main before issue 14 (the console of issue 6, moved to district/)
# The console as issue 14 was first merged (before the state-scale work of this bench's own page): one
# process, as `serve` started it then.
MERGED = "e2333f9"
STATIONS = int(os.environ.get("FRONTDESK_BENCH_STATIONS", "4500"))
SLOW_CLIENTS = 300
WARM_S = float(os.environ.get("FRONTDESK_BENCH_WARM", "30"))
BURST_LIMIT_S = float(os.environ.get("FRONTDESK_BENCH_BURST_LIMIT", "60"))
RECONNECT_S = 20.0  # the reconnect burst's share of time, before the alert burst starts
RECONNECT_DECIDED_S = 6.0  # the machine is summarised over the reconnect's first seconds (beats and confirmations)
# "at-once": after the drop every station beats at the same instant (no desk does: a desk's heartbeat keeps
# its own timer; the harshest case). "desk": each beats first where a desk whose link was down would.
RECONNECT = os.environ.get("FRONTDESK_BENCH_RECONNECT", "at-once")
DRIVERS = int(os.environ.get("FRONTDESK_BENCH_DRIVERS", "3"))  # station driver processes
# FRONTDESK_BENCH_HOG=N:S takes the machine away on purpose: N busy processes, in a session (so a scheduler
# autogroup) of their own at full priority and no longer the bench's children, from just before the reconnect
# for S seconds, as another program or the host taking the cores would. Off by default.
HOG = os.environ.get("FRONTDESK_BENCH_HOG", "")
# Desk behaviours weighed, not the desk's (the stations model them; the page says so when on):
# FRONTDESK_BENCH_CONFIRM=same: a beat that is not answered in 2 s while the link is up is not given up and
# confirmed by a new one; the station waits on the same request as long as that confirmation would take
# (2 s + confirm_delay + 2 s): a hung console shows down as late as now, with no second connection, and the
# console's answer to the first is not thrown away. A broken connection is still confirmed by a new beat.
# FRONTDESK_BENCH_CONFIRM=abandon: the desk of session 14 (the first beat given up at 2 s, the confirming one
# the only one listened to), to weigh session 15's desk, which listens to both.
# FRONTDESK_BENCH_POLL=after-beat: after a failed long poll the inbox waits for its station's next answered
# heartbeat (at most heartbeat_down, 5 s) before its usual jittered retry, so a reconnect's beats do not
# queue behind 4,500 polls on new connections.
CONFIRM = os.environ.get("FRONTDESK_BENCH_CONFIRM", "")
POLL = os.environ.get("FRONTDESK_BENCH_POLL", "")
HOG_CODE = "import sys, time\nend = time.time() + float(sys.argv[1])\nwhile time.time() < end:\n    pass\n"
HEARTBEAT_S = 30.0
DESK = LinkTimings()  # the desk's own timings: a failed beat or long poll comes back as the desk's would
ATTEMPT_S = 2.0
# How long a station keeps an idle connection for its next request (frontdesk.dispatch.client.KEEPALIVE_S;
# FRONTDESK_BENCH_KEEPALIVE=5 drives stations as they were before it, with httpx's default).
KEEPALIVE_S = float(os.environ.get("FRONTDESK_BENCH_KEEPALIVE", "60"))
# This tree's console as measured: as `serve` starts it (one worker process per core) and one process.
CONSOLES = [("this tree (default workers)", []), ("this tree, --workers 1", ["--workers", "1"])]
PER_ADDRESS = 25  # stations per 127.0.1.x source address (2 connections each, 4 while reconnecting: under 256)

READING = """
Reading the figures: the machine is two cores shared with other sessions (load average in the table);
when the drivers' own p99 lag is seconds, their 2 s attempt timeouts are not honest and the rows measure
the machine as much as the console. Compare the columns of one run. What the work on this page changed
(session 4): station credentials are checked against an in-memory directory (no database read, no thread
per heartbeat or poll), heartbeats of known stations are answered beside the web framework, written with
one statement per flush, and `serve` starts one worker per core. Session 5, the alert path: CAP is
validated by libxml2's compiled XSD validator (~0.05 ms an alert, was ~1.3-5 ms with xmlschema), read on
the event loop, and stored through the group commit without a thread waiting per alert; repeats of the
same bytes (a station that gave up on an attempt) are answered from the receipts in memory or join the
queued store, and queued work whose station hung up is skipped; a waiting thread gets the GIL after
0.5 ms (the group commit's thread no longer waits 5 ms per SQLite statement behind a busy loop).
Session 7, the station's side: the desk keeps an idle connection 60 s (it was httpx's default, 5 s, so
every heartbeat and every press opened a new connection; a request over a new connection costs the
console 0.55-0.61 ms of CPU against 0.22-0.27 ms over a kept-alive one, heartbeat or 503 alike, measured
at load 8-25), and the driver's stations share connections the same way (a press takes the connection
the last heartbeat left); a desk probes with a heartbeat every 0.5 s only while the console cannot be
reached (it did so after every timeout and 503: 4,500 stations waiting would send 9,000 heartbeats a
second, more than the console's two cores answer; the driver never modelled those probes).
Session 8: the older consoles run from their own trees (before, `python -m district` from this tree's
root imported this tree's code, so every earlier "before" and baseline column measured the current
console); admission measures alerts answered per busy second, not per clock second (turns booked at its
first guess, 50 a second per process, held a 4,500 burst at ~100 a second for 45 s), and books turns 1.5
times closer; the worker processes commit in turns on a lock file instead of in SQLite's busy handler.
Session 9: Python's full garbage collections wait for a calm console (district/console/collector.py).
CPython ran one whenever long-lived objects grew by a quarter, which a reconnect of thousands of stations
does: ~305,000 objects per worker at 4,500 stations, 240-275 ms of CPU a pass with the event loop held,
one or two passes per worker inside the reconnect (heartbeats answered in 1.6-2 s against the desk's 2 s).
Session 10: each alert's CAP is parsed once, by libxml2 (it was parsed three times: an expat depth check,
ElementTree for the fields, lxml for the schema), and an admitted alert of a known station is answered
beside Starlette as heartbeats are (the framework's layers were about a fifth of the event loop's time an alert).
Session 11, the bench itself: the station drivers run with the garbage collector off after set-up (every
failed attempt leaves a cycle; with the collector on, a driver ran 18-26 full collections in the reconnect
and the burst, each holding its loop, and every station's 2 s timer, for up to 1.8 s: failures the console
did not cause); each column starts with the disk synced; failed heartbeats are split by cause, with the
kernel's listen-queue counters (a connection the listen queue had no room for waits 1 s for the SYN to be
sent again, 3 s the second time: somaxconn caps the console's queue, 4,096 on this machine). The stations
come back as the desk now does: a failed long poll within 1 s (was 0.25 s), a failed beat in 2.5-5 s (was 5 s).
Session 12: on Linux each worker listens on a socket of its own (SO_REUSEPORT; one shared queue let the
worker that woke first take a reconnect's connections), the listen queue split over them; an attempt
whose station already hung up is dropped before admission books it a turn; turns are booked at least at
250 a second a worker (the rate learnt from single alerts was lower than a burst's) and hints rounded, not
rounded up; a waiting thread gets the GIL after 0.1 ms (the group commit holds the workers' write lock).
The row per worker gives the connections each held at the press and its CPU in the burst.
Session 13: a worker holding the write lock only writes: each alert's rows and JSON are built before it
takes the lock, and the new alerts of different stations in one commit are written with one statement per
table (seven statements an alert before, each giving up the GIL and waiting for it with the lock held).
Session 14: an alert's fields are read from the validated tree in one pass (a parameter's two children at
once, the alert's own fields by one look-up each): reading and checking the bench's alert 1,002 k -> 736 k
instructions, the whole console 3.03 M -> 2.74 M an alert (callgrind); the same checks and answers.
Session 14, the desk's side of the reconnect: a heartbeat that timed out while the link was up is confirmed
by one more after 0.5-1 s before the desk shows "link DOWN" (DispatchLink._beat; a refusal still shows it at
once, and a press's own status never depends on it); after the quiet runs, a beat whose connection broke is
confirmed too (one column of three runs had one such beat, shown red). The stations here do the
same, and the page counts both: heartbeats that failed first, and the "link DOWN"s the desks showed. The
target (0 false alarms) is read on the second. A known station's long poll is answered beside the web
framework, as its heartbeat is (after a reconnect every poll comes back on a new connection beside the beat).
Session 15, the machine beside the figures: one sampler process (bench/sampler.py) records each second the
host's steal, iowait and idle time, the CPU of the console, of the station drivers and of every other
process (by its autogroup's nice: with sched_autogroup_enabled a niced process in a nice-0 session still
takes a full share), the load, the kernel's listen overflows and the CPU time of a fixed loop (a core slowed
by what the host runs beside it); three rows summarise the reconnect's first 6 s and the burst. Read a
column that misses a target against them first: with half to two-thirds of the machine taken in the
reconnect's first seconds (FRONTDESK_BENCH_HOG=N:S does it on purpose) both this tree's console and the one
before collapse alike, thousands of desks showing "link DOWN"; with 12-22% of the time stolen by the host
the burst takes 17-18 s on both. FRONTDESK_BENCH_SAMPLES=DIR keeps the samples and when each station's
requests started and ended.
""".strip()

ENROLL = """
import json, sys
from district.console.service import ConsoleService
service = ConsoleService.open(sys.argv[1])
n = int(sys.argv[2])
out = []
for i in range(n + 1):
    school, desk = ("Bench School", "Latency desk") if i == n else (f"School {i % 150}", f"Desk {i}")
    e = service.auth.enroll(school, desk, "Office")
    out.append([e.station.station_id, e.credential, school])
service.close()
print(json.dumps(out))
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _alert(station_id: str, school: str, i: int) -> bytes:
    roster = tuple(
        cap.RosterEntry(f"Visitor {n} Testwood", "visitor", "Room 12", datetime.now(UTC).replace(microsecond=0))
        for n in range(8)
    )
    msg = cap.CapMessage(
        identifier=cap.new_identifier(),
        sender=cap.station_sender(station_id),
        sent=datetime.now(UTC),
        school=school,
        room="Office",
        station="Main office desk",
        staff="Pat Demo",
        incidents=f"bench-{i}",
        roster=roster,
    )
    return cap.build(msg)


# --- a small HTTP/1.1 client over asyncio streams ---------------------------------------------------------
class Conn:
    """One kept-alive connection from one source address; reconnects when the server closed it."""

    def __init__(self, port: int, source: str):
        self.port = port
        self.source = source
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connecting = False  # inside connect(): a timeout here is the handshake's, not the console's answer

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, token: str, body: bytes = b"", kind: str = "") -> tuple:
        """``(status, headers, body)``; raises OSError / IncompleteReadError on a broken connection."""
        if self.writer is None or self.writer.is_closing():
            self.connecting = True
            start = time.perf_counter()
            self.reader, self.writer = await asyncio.open_connection(
                "127.0.0.1", self.port, local_addr=(self.source, 0)
            )
            self.connecting = False
            CONNECTS.append(time.perf_counter() - start)
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        if body:
            head += f"Content-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        assert self.reader is not None
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        data = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers, data


CONNECTS: list[float] = []  # how long each new connection's handshake took (a driver's, seconds)


class Pool:
    """One station's connections as its HTTP client (httpx) keeps them: a request takes an idle one (kept
    at most ``KEEPALIVE_S``) or opens a new one; after an answer the connection goes back, after a timeout
    or an error it is closed (HTTP/1.1 cannot take a request back). So a press goes over the connection
    the last heartbeat left open, and each retry after a timed-out attempt opens a new one."""

    def __init__(self, port: int, source: str):
        self.port = port
        self.source = source
        self.idle: list[tuple[float, Conn]] = []
        self.open: set[Conn] = set()
        self.failed_connecting = False  # the last failed request never got its connection

    async def request(self, timeout: float, *args, **kw) -> tuple:
        conn = None
        while self.idle:
            used, one = self.idle.pop()
            fresh = time.monotonic() - used <= KEEPALIVE_S
            if fresh and one.reader is not None and not one.reader.at_eof() and not one.writer.is_closing():
                conn = one
                break
            self.open.discard(one)
            await one.close()
        conn = conn or Conn(self.port, self.source)
        self.open.add(conn)
        try:
            answer = await asyncio.wait_for(conn.request(*args, **kw), timeout)
        except BaseException:
            self.failed_connecting = conn.connecting
            self.open.discard(conn)
            await conn.close()
            raise
        if conn.writer is not None:
            self.idle.append((time.monotonic(), conn))
        else:  # the console said Connection: close
            self.open.discard(conn)
        return answer

    def drop(self) -> None:
        """Every connection breaks at once (the network went away)."""
        for conn in self.open:
            if conn.writer is not None:
                conn.writer.transport.abort()
        self.idle.clear()
        self.open.clear()


class Lag:
    """The driver's own event-loop lag, sampled every 50 ms."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    async def run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.05)
            self.samples.append((time.perf_counter() - start - 0.05) * 1000)


# --- the scenarios ---------------------------------------------------------------------------------------
async def _slow_clients(port: int) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    pairs = []
    for i in range(SLOW_CLIENTS):
        with contextlib.suppress(OSError):
            r, w = await asyncio.open_connection("127.0.0.1", port, local_addr=(f"127.0.0.{2 + i % 3}", 0))
            if i % 2:
                w.write(b"POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\n")
            else:
                w.write(b"POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nContent-Length: 9000\r\n\r\n<alert")
            pairs.append((r, w))
    return pairs


async def _still_open(reader: asyncio.StreamReader) -> bool:
    try:
        while True:  # an answer (e.g. 401) may come first; then b"" when the console has closed it
            if not await asyncio.wait_for(reader.read(65536), 0.05):
                return False
    except TimeoutError:
        return True
    except OSError:
        return False


async def _latency(port: int, solo: list) -> dict:
    station_id, token, school = solo
    lag = Lag()
    lag_task = asyncio.create_task(lag.run())
    slow = await _slow_clients(port)
    opened = time.perf_counter()
    await asyncio.sleep(1.0)
    warm, cold, failed = [], [], 0
    conn = Conn(port, "127.0.0.1")
    for i in range(220):
        body = _alert(station_id, school, i)
        start = time.perf_counter()
        try:
            status, _, _ = await asyncio.wait_for(
                conn.request("POST", "/api/v1/alerts", token, body, "application/cap+xml"), 5
            )
        except (OSError, asyncio.IncompleteReadError, TimeoutError):
            await conn.close()
            status = 0
        if i >= 20:  # the first 20 warm up
            (warm.append((time.perf_counter() - start) * 1000) if status == 201 else None)
            failed += status != 201
    await conn.close()
    for i in range(50):
        body = _alert(station_id, school, 1000 + i)
        one = Conn(port, "127.0.0.1")
        start = time.perf_counter()
        try:
            status, _, _ = await asyncio.wait_for(
                one.request("POST", "/api/v1/alerts", token, body, "application/cap+xml"), 5
            )
        except (OSError, asyncio.IncompleteReadError, TimeoutError):
            status = 0
        await one.close()
        (cold.append((time.perf_counter() - start) * 1000) if status == 201 else None)
        failed += status != 201
    await asyncio.sleep(max(0.0, 17.0 - (time.perf_counter() - opened)))  # past the 10 s / 15 s timeouts
    still_open = sum([await _still_open(r) for r, _ in slow])
    for _, w in slow:
        w.close()
    lag_task.cancel()
    return {"warm": warm, "cold": cold, "failed": failed, "lag": lag.samples, "slow_open_after": still_open}


def _source(i: int) -> str:
    return f"127.0.1.{1 + i // PER_ADDRESS}"


async def _district_part(spec: dict) -> dict:
    """One driver process's share of the stations: long polls, heartbeats, the reconnect burst at
    ``spec["t_reconnect"]`` and the alert burst at ``spec["t_burst"]`` (wall-clock times shared by every
    driver process). Times reported are seconds after those instants."""
    port, first, stations = spec["port"], spec["first"], spec["stations"]
    lag = Lag()
    lag_task = asyncio.create_task(lag.run())
    r: dict = {
        "beats_ok": 0,
        "beats_failed": 0,
        "down_shown": 0,
        "polls": 0,
        "poll_errors": 0,
        "received": [],
        "reconnected": [],
        "reconnect_failed": 0,
        "timeouts": 0,
        "busy": 0,
        "errors": 0,
        "renewals": [],
    }
    stop = asyncio.Event()
    reconnect = asyncio.Event()
    pools = {first + i: Pool(port, _source(first + i)) for i in range(len(stations))}

    def at(wall: float) -> float:
        return time.perf_counter() + (wall - time.time())

    def body() -> bytes:
        return json.dumps({"sent": datetime.now(UTC).isoformat(), "onsite": 3}).encode()

    traced_from = spec["t_reconnect"] - 2

    def trace(kind: str) -> None:
        """When each request of the reconnect and the burst started and how it ended (wall clock, for the
        samples file: a collapse's shape, e.g. a second wave of confirming beats)."""
        now = time.time()
        if now >= traced_from:
            r.setdefault(f"trace_{kind}", []).append(round(now, 3))

    async def beat(pool: Pool, token: str, kind: str = "beat", timeout: float = ATTEMPT_S) -> str:
        why = ""
        trace(kind)
        start = time.perf_counter()
        try:
            kind_json = "application/json"
            status, _, _ = await pool.request(timeout, "POST", "/api/v1/heartbeat", token, body(), kind_json)
            why = "" if status == 200 else "status"
        except TimeoutError:
            why = "connect" if pool.failed_connecting else "answer"
        except ConnectionRefusedError:
            why = "refused"  # nothing listens (not seen while the console runs): the desk shows down at once
        except (OSError, asyncio.IncompleteReadError):
            why = "error"
        r["beats_failed" if why else "beats_ok"] += 1
        late = not why and time.perf_counter() - start > ATTEMPT_S
        trace(f"{kind}_{why or ('late' if late else 'ok')}")
        if why:  # why: the handshake timed out, the answer did, refused, the connection broke, or not a 200
            r[f"beats_failed_{why}"] = r.get(f"beats_failed_{why}", 0) + 1
        return why

    down: set[Pool] = set()  # stations whose desk shows "link DOWN" now
    answered = {pool: asyncio.Event() for pool in pools.values()}  # a beat answered since the drop

    async def desk_beat(pool: Pool, token: str) -> tuple[bool, bool]:
        """A heartbeat as the desk's link makes it (DispatchLink._beat): (the first attempt was answered, the
        beat was answered, maybe by the confirming attempt). One that timed out while the link was up is
        confirmed by one more after confirm_delay, and so is one whose connection broke; a red "link DOWN" is
        shown (and counted) only if that fails too, or at once for a refusal."""
        if CONFIRM == "" and pool not in down:
            why, first = await desk_beat_both(pool, token)
            confirm = False
        elif CONFIRM == "same" and pool not in down:
            start = time.perf_counter()
            patience = ATTEMPT_S + confirm_delay(DESK, random) + ATTEMPT_S
            why = first = await beat(pool, token, timeout=patience)
            if not why and time.perf_counter() - start > ATTEMPT_S:
                first = "late"  # answered, but after the desk's 2 s: it failed first and was confirmed
            confirm = why == "error"  # a broken connection: confirmed by a new beat, as the desk does
        else:
            why = first = await beat(pool, token)
            confirm = why in ("connect", "answer", "error")
        if confirm and pool not in down:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), confirm_delay(DESK, random))
            why = await beat(pool, token, "confirm") if not stop.is_set() else ""
        if why and pool not in down:
            down.add(pool)
            r["down_shown"] += 1
        elif not why:
            down.discard(pool)
            answered[pool].set()
        return not first, not why

    async def desk_beat_both(pool: Pool, token: str) -> tuple[str, str]:
        """The desk's beat while its link is up (session 15, DispatchLink._beat): a first beat not answered in
        2 s (or whose connection broke) is still listened to, for up to both attempts and the pause, while
        the confirming one goes after confirm_delay; whichever is answered first counts, and "link DOWN" is
        shown only when neither is. (Why the beat failed, "" if answered; how the first attempt did.)"""
        confirmable = ("connect", "answer", "error")
        first_task = asyncio.create_task(beat(pool, token, timeout=2 * ATTEMPT_S + DESK.heartbeat_confirm))
        tasks = [first_task]
        try:
            await asyncio.wait({first_task}, timeout=ATTEMPT_S)
            if first_task.done() and first_task.result() not in confirmable:
                why = first = first_task.result()  # answered (or refused) in time
            else:
                first = first_task.result() if first_task.done() else "late"
                stopping = asyncio.create_task(stop.wait())
                tasks.append(stopping)
                await asyncio.wait({first_task, stopping}, timeout=confirm_delay(DESK, random))
                if first_task.done() and first_task.result() not in confirmable:
                    why = first_task.result()
                elif stop.is_set():
                    why = ""
                else:
                    second = asyncio.create_task(beat(pool, token, "confirm"))
                    tasks.append(second)
                    pending, why = {first_task, second}, None
                    while pending and why is None:
                        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                        if any(t.result() == "" for t in done):
                            why = ""
                    if why is None:
                        why = second.result()
        finally:
            for task in tasks:
                task.cancel()
        return why, first

    async def heartbeat(i: int, token: str) -> None:
        pool = pools[i]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reconnect.wait(), random.uniform(0, HEARTBEAT_S))
        while not stop.is_set() and not reconnect.is_set():
            await desk_beat(pool, token)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reconnect.wait(), HEARTBEAT_S)
        if stop.is_set():
            return
        # Reconnect burst: every station's connections were dropped; each opens a new one and beats at once,
        # then again every 30 s; after a failed beat, 2.5-5 s. FRONTDESK_BENCH_RECONNECT=desk: the network
        # comes back after an outage as the desk meets it: a desk whose link is down beats every 2.5-5 s at
        # its own phase (link.down_beat_delay), so its first beat is somewhere in the next 5 s, not at once.
        t0 = at(spec["t_reconnect"])
        if spec.get("reconnect") == "desk":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), random.uniform(0, DESK.heartbeat_down))
        first = True
        while not stop.is_set():
            first_answered, answered = await desk_beat(pool, token)
            if first and not first_answered:
                r["reconnect_failed"] += 1  # the first beat after the drop failed (confirmed or not)
            first = False
            if answered:
                r["reconnected"].append(time.perf_counter() - t0)
                break
            with contextlib.suppress(TimeoutError):  # again as the desk does while its link is down
                await asyncio.wait_for(stop.wait(), down_beat_delay(DESK, random))
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), HEARTBEAT_S)
            if not stop.is_set():
                await desk_beat(pool, token)

    async def poll(i: int, token: str) -> None:
        await asyncio.sleep(random.uniform(0, 10))  # desks start at different times
        failures = 0
        while not stop.is_set():
            trace("poll")
            try:
                await pools[i].request(25 + ATTEMPT_S + 3, "GET", "/api/v1/inbox?after=0&wait=25", token)
                r["polls"] += 1
                r["renewals"].append(time.time())
                failures = 0
            except (OSError, asyncio.IncompleteReadError, TimeoutError, AttributeError):
                if not stop.is_set():
                    r["poll_errors"] += 1
                    trace("poll_failed")
                if POLL == "after-beat" and failures == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(answered[pools[i]].wait(), DESK.heartbeat_down)
                await asyncio.sleep(inbox_retry_delay(failures, DESK, random))  # as the desk's inbox does
                failures += 1

    bodies = [_alert(s[0], s[2], first + i) for i, s in enumerate(stations)]  # built before: not the load

    async def press(i: int, token: str, t0: float) -> None:
        pool = pools[first + i]  # the station's own connections: the press takes the one the last beat left
        failures = 0
        while not stop.is_set():
            hint = None
            trace("press")
            try:
                status, headers, _ = await pool.request(
                    ATTEMPT_S, "POST", "/api/v1/alerts", token, bodies[i], "application/cap+xml"
                )
                trace(f"press_{status}")
                if status in (200, 201):
                    r["received"].append(time.perf_counter() - t0)
                    break
                if status == 503 and "retry-after" in headers:
                    r["busy"] += 1
                    hint = float(headers["retry-after"])
                else:
                    r["errors"] += 1
            except TimeoutError:
                r["timeouts"] += 1
                trace("press_timeout")
                if pool.failed_connecting:  # the handshake's (a SYN dropped), not the console's answer
                    r["timeouts_connect"] = r.get("timeouts_connect", 0) + 1
            except (OSError, asyncio.IncompleteReadError):
                r["errors"] += 1
            delay = random.uniform(0, min(4.0, 0.25 * 2**failures))
            if hint is not None:
                delay = max(delay, hint * random.uniform(1.0, 1.5))
            failures += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)

    background = [asyncio.create_task(poll(first + i, s[1])) for i, s in enumerate(stations)]
    background += [asyncio.create_task(heartbeat(first + i, s[1])) for i, s in enumerate(stations)]
    # Everything long-lived is made: no collection walks it again, and none runs while stations are timed.
    # With the collector on, a driver ran 18-26 full collections in the reconnect and the burst (every
    # failed attempt leaves a cycle: exception, traceback, frames), each holding its loop for up to 1.8 s
    # (load 10-15), and every station's 2 s timer with it: failures the console did not cause. A driver
    # lives a few minutes; what cycles it leaves (tens of MB) go with the process.
    gc.collect()
    gc.freeze()
    gc.disable()
    await asyncio.sleep(max(0.0, spec["t_reconnect"] - time.time()))
    beats_before, down_before = r["beats_failed"], r["down_shown"]
    causes = ("connect", "answer", "error", "status")
    why_before = {why: r.get(f"beats_failed_{why}", 0) for why in causes}
    cpu, lags, connects = _own_cpu_s(), len(lag.samples), len(CONNECTS)
    for pool in pools.values():
        pool.drop()  # every connection drops at once (the network came back)
        answered[pool].clear()
    reconnect.set()
    await asyncio.sleep(max(0.0, spec["t_burst"] - time.time()))
    r["beats_failed_reconnect"] = r["beats_failed"] - beats_before
    r["down_shown_reconnect"] = r["down_shown"] - down_before
    for why in causes:  # why the reconnect's beats failed (from the drop to the burst)
        r[f"reconnect_failed_{why}"] = r.get(f"beats_failed_{why}", 0) - why_before[why]
    r["cpu_reconnect_s"] = _own_cpu_s() - cpu
    r["lag_reconnect"] = lag.samples[lags:]
    r["connects_reconnect"] = CONNECTS[connects:]
    beats_before, down_before = r["beats_failed"], r["down_shown"]
    cpu, lags = _own_cpu_s(), len(lag.samples)
    t0 = time.perf_counter()
    presses = [asyncio.create_task(press(i, s[1], t0)) for i, s in enumerate(stations)]
    await asyncio.wait(presses, timeout=max(0.1, spec["t_burst"] + BURST_LIMIT_S - time.time()))
    r["beats_failed_in_burst"] = r["beats_failed"] - beats_before
    r["down_shown_in_burst"] = r["down_shown"] - down_before
    r["cpu_burst_s"] = _own_cpu_s() - cpu
    r["lag_burst"] = lag.samples[lags:]
    r["lag"] = list(lag.samples)
    r["gc_ms"] = list(GC_PAUSES)
    # Reported; the long polls stay open until the parent has sent SIGTERM to the console (stdin closes).
    sys.stdout.write(json.dumps(r) + "\n")
    sys.stdout.flush()
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    stop.set()
    for task in [*presses, *background]:
        task.cancel()
    await asyncio.gather(*presses, *background, return_exceptions=True)
    lag_task.cancel()
    return r


GC_PAUSES: list[float] = []  # a driver's full (generation 2) collections, ms each


def _own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _time_full_collections() -> None:
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            GC_PAUSES.append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(callback)


def _driver_main() -> None:
    """``python -m bench.dispatch_console --driver``: one driver process (spec as JSON on the first line)."""
    global KEEPALIVE_S
    _time_full_collections()
    spec = json.loads(sys.stdin.readline())
    KEEPALIVE_S = spec.get("keepalive", KEEPALIVE_S)
    loop_factory = None
    with contextlib.suppress(ImportError):
        import uvloop

        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(_district_part(spec))


def _district(port: int, stations: list, console_pid: int, code_root: Path, keepalive: float) -> dict:
    """The state-scale scenarios over ``DRIVERS`` driver processes; SIGTERM once they have reported."""
    now = time.time()
    t_reconnect = now + 5 + WARM_S
    t_burst = t_reconnect + RECONNECT_S
    share = -(-len(stations) // DRIVERS)
    procs = []
    for d in range(DRIVERS):
        part = stations[d * share : (d + 1) * share]
        spec = {
            "port": port,
            "first": d * share,
            "stations": part,
            "t_reconnect": t_reconnect,
            "t_burst": t_burst,
            "keepalive": keepalive,
            "reconnect": RECONNECT,
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.dispatch_console", "--driver"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(spec) + "\n")
        proc.stdin.flush()
        procs.append(proc)
    if HOG:
        count, seconds = HOG.split(":")
        time.sleep(max(0.0, t_reconnect - 0.5 - time.time()))
        for _ in range(int(count)):  # setsid -f: a new session, and the busy process is not our child
            subprocess.run(["setsid", "-f", sys.executable, "-c", HOG_CODE, seconds], check=True)
    time.sleep(max(0.0, t_reconnect - 0.2 - time.time()))
    cpu_reconnect, tcp_reconnect = _cpu_s(console_pid), _tcp_counters()
    time.sleep(max(0.0, t_burst - time.time()))
    cpu_before, tcp_burst = _cpu_s(console_pid), _tcp_counters()
    per_worker = {one: (_sockets_of(one), _cpu_s(one, alone=True)) for one in _console_pids(console_pid)[1:]}
    parts = []
    for proc in procs:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        parts.append(json.loads(line) if line else None)
    burst_cpu = _cpu_s(console_pid) - cpu_before  # until every driver's burst is answered or timed out
    tcp_end = _tcp_counters()
    r: dict = {
        "t_reconnect": t_reconnect,
        "t_burst": t_burst,
        "t_burst_end": time.time(),
        "load": os.getloadavg(),
        "rss_mb": _rss_peak_mb(console_pid),
        "drivers": len(procs),
        "burst_cpu_s": burst_cpu,
        "reconnect_cpu_s": cpu_before - cpu_reconnect,
        "tcp_reconnect": _tcp_delta(tcp_reconnect, tcp_burst),
        "tcp_burst": _tcp_delta(tcp_burst, tcp_end),
        # Each worker's connections at the press (the stations' kept-alive ones: where their alerts go) and
        # its CPU in the burst: a worker holding most of them answers most of the burst alone.
        "workers_burst": [(n, _cpu_s(one, alone=True) - cpu) for one, (n, cpu) in per_worker.items()],
    }
    # SIGTERM with every long poll open: until the process is gone.
    t_term = time.perf_counter()
    os.kill(console_pid, signal.SIGTERM)
    r["term_start"] = t_term
    r["broken_drivers"] = sum(p is None for p in parts)
    merged: dict = {}
    for part in [p for p in parts if p]:
        for key, value in part.items():
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            else:
                merged[key] = merged.get(key, 0) + value
    r.update(merged)
    r["lag_by_driver"] = [_pct(p["lag"], 99) for p in parts if p]
    r["procs"] = procs
    return r


# The kernel's TCP counters that tell a console's listen queue overflowing (a SYN or handshake dropped: the
# station's connect waits for the SYN to be sent again, 1 s, then 3 s) from a console slow to answer.
TCP_COUNTERS = ("ListenOverflows", "ListenDrops", "TCPReqQFullDrop", "TCPReqQFullDoCookies", "TCPSynRetrans")


def _tcp_counters() -> dict[str, int]:
    """The machine's TcpExt counters (/proc/net/netstat; every process on loopback counts in them)."""
    found: dict[str, int] = {}
    with contextlib.suppress(OSError):
        lines = Path("/proc/net/netstat").read_text().splitlines()
        for names, values in zip(lines[::2], lines[1::2], strict=False):
            if names.startswith("TcpExt:"):
                found.update(zip(names.split()[1:], map(int, values.split()[1:]), strict=False))
    return {name: found.get(name, 0) for name in TCP_COUNTERS}


def _tcp_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in before}


def _socket_states() -> dict[str, int]:
    """TCP sockets on the machine by state (/proc/net/tcp): what a column leaves to the next one."""
    names = {"01": "established", "06": "time_wait", "08": "close_wait", "0A": "listen"}
    counts: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            state = names.get(line.split()[3], "other")
            counts[state] = counts.get(state, 0) + 1
    return counts


def _stop_drivers(procs: list) -> None:
    for proc in procs:
        with contextlib.suppress(OSError):
            proc.stdin.close()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _console_pids(pid: int) -> list[int]:
    """The console process and its worker processes, if any (Linux /proc)."""
    pids = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(c) for c in (task / "children").read_text().split()]
    return pids


def _sockets_of(pid: int) -> int:
    """How many sockets process ``pid`` holds open (Linux /proc): a worker's connections, and its listener."""
    count = 0
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                count += os.readlink(fd).startswith("socket:")
    return count


def _cpu_s(pid: int, alone: bool = False) -> float:
    """CPU seconds (user + system) the console and its workers (``alone``: process ``pid`` only) have used
    so far: a measure of its work that a loaded machine inflates less than wall time."""
    total = 0
    for one in [pid] if alone else _console_pids(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _rss_peak_mb(pid: int) -> float:
    """Peak RSS of the console process and its worker processes, if any (Linux /proc)."""
    total = 0.0
    for one in _console_pids(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
    return total or float("nan")


def _measure(label: str, code_root: Path, folder: Path, extra: list[str], keepalive: float = KEEPALIVE_S) -> dict:
    """Enrol, start the console from ``code_root``, run the scenarios, stop it; the figures."""
    db = f"sqlite:///{folder / 'console.db'}"
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    # Run from code_root: `python -m` and `-c` put the current folder first on sys.path, ahead of
    # PYTHONPATH, so from this tree's root an older console would import this tree's code (until session 8
    # every "before" and baseline column measured this tree's console).
    enrolled = subprocess.run(
        [sys.executable, "-c", ENROLL, db, str(STATIONS)],
        env=env,
        cwd=code_root,
        capture_output=True,
        text=True,
        check=True,
    )
    everyone = json.loads(enrolled.stdout)
    stations, solo = everyone[:-1], everyone[-1]
    # Each column starts with the disk's dirty pages written (the previous column's database and the
    # enrolment, which would otherwise be flushed in the middle of this one's fsyncs) and says what the
    # previous one left behind in the kernel.
    os.sync()
    sockets = _socket_states()
    port = _port()
    samples_path, sampler = folder / "machine.jsonl", None
    proc = subprocess.Popen(
        [sys.executable, "-m", "district", "serve", "--port", str(port), "--db", db, *extra],
        env=env,
        cwd=code_root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"the {label} console did not start")
            time.sleep(0.2)
        time.sleep(1.0)  # the schema loads before the port answers on this tree; not on the baseline
        # What the machine does each second from here to the end (bench/sampler.py): a column that collapses
        # says whether the host took the cores away or something else ran on them.
        sampler = subprocess.Popen(
            [sys.executable, "-m", "bench.sampler", str(os.getpid()), str(proc.pid), str(samples_path)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
        )
        loop_factory = None
        with contextlib.suppress(ImportError):
            import uvloop

            loop_factory = uvloop.new_event_loop
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            latency = runner.run(_latency(port, solo))
        district = _district(port, stations, proc.pid, code_root, keepalive)
        try:
            proc.wait(timeout=30)
            term_s = time.perf_counter() - district["term_start"]
        except subprocess.TimeoutExpired:
            term_s = None
        _stop_drivers(district.pop("procs"))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if sampler is not None:
            _stop_drivers([sampler])
    samples = sampler_mod.read(str(samples_path))
    keep = os.environ.get("FRONTDESK_BENCH_SAMPLES")  # a folder to keep each column's samples in
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%H%M%S")
        kept = Path(keep) / f"{stamp}-{folder.name}-{label.split()[0].replace(',', '')}.jsonl"
        shutil.copy(samples_path, kept)
        phases = {key: district[key] for key in ("t_reconnect", "t_burst", "t_burst_end")}
        traces = {key[6:]: value for key, value in district.items() if key.startswith("trace_")}
        with kept.open("a") as f:
            f.write(json.dumps({"label": label, "phases": phases, "traces": traces}) + "\n")
    import sqlite3

    conn = sqlite3.connect(folder / "console.db")
    stored = conn.execute("SELECT COUNT(*), COUNT(DISTINCT identifier) FROM alerts").fetchone()
    offline = conn.execute("SELECT COUNT(*) FROM log WHERE kind = 'station_offline'").fetchone()[0]
    conn.close()
    return {
        "label": label,
        "latency": latency,
        "district": district,
        "stored": stored,
        "offline": offline,
        "term_s": term_s,
        "rss_mb": district["rss_mb"],
        "sockets": sockets,
        "machine": {
            # The reconnect's first seconds decide it: every beat, its confirmation and the polls' return.
            "reconnect": sampler_mod.summarize(
                samples, district["t_reconnect"], district["t_reconnect"] + RECONNECT_DECIDED_S
            ),
            "burst": sampler_mod.summarize(samples, district["t_burst"], district["t_burst_end"]),
        },
    }


def _tree_copy(into: Path) -> Path:
    """This tree's district/ and frontdesk/ (as they are, uncommitted changes too) copied into ``into``."""
    for package in ("district", "frontdesk"):
        shutil.copytree(ROOT / package, into / package, ignore=shutil.ignore_patterns("__pycache__"))
    return into


def _baseline_tree(into: Path, commit: str = BASELINE) -> Path | None:
    """The district/ and frontdesk/ of ``commit`` from git, or None."""
    if shutil.which("git") is None:
        return None
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "district", "frontdesk"], capture_output=True, check=False
    )
    if archive.returncode != 0:
        return None
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def _column(m: dict) -> dict[str, str]:
    lat, d = m["latency"], m["district"]
    received = d.get("received", [])
    reconnected = d.get("reconnected", [])
    n = STATIONS
    per_s: dict[int, int] = {}
    for t in d.get("renewals", []):
        per_s[int(t)] = per_s.get(int(t), 0) + 1
    burst = (
        f"{max(received):.1f} s"
        if len(received) == n
        else f"NOT ALL: {len(received)} of {n} in {BURST_LIMIT_S:.0f} s"
    )
    again = (
        f"{max(reconnected):.1f} s"
        if len(reconnected) == n
        else f"NOT ALL: {len(reconnected)} of {n} in {RECONNECT_S:.0f} s"
    )
    warm = lat["warm"]
    lags = d.get("lag", [])
    tcp_r, tcp_b = d["tcp_reconnect"], d["tcp_burst"]
    connects = d.get("connects_reconnect", [])
    gcs = d.get("gc_ms", [])

    def lag(samples: list[float]) -> str:
        return f"{_pct(samples, 99):.0f} / {max(samples, default=0):.0f} ms"

    machine = m.get("machine", {})

    def taken(w: dict) -> str:
        if not w.get("seconds"):
            return "—"
        return (
            f"steal {w['steal'][0]:.0f} / {w['steal'][1]:.0f} %, iowait {w['iowait'][0]:.0f} / "
            f"{w['iowait'][1]:.0f} %, idle {w['idle'][0]:.0f} %"
        )

    def shares(w: dict) -> str:
        if not w.get("seconds"):
            return "—"
        c = w["cpu"]
        keys = ("console", "drivers", "bench", "others_full", "others_yielding", "unattributed")
        return " / ".join(f"{c[k]:.1f}" for k in keys)

    def others(w: dict) -> str:
        if not w.get("seconds"):
            return "—"
        top = w["heaviest_other"]
        heavy = f"{top[1]:.1f} s `{top[0][:40]}` (nice {top[2]}, group {top[3]})" if top else "none"
        return (
            f"{heavy}; load ≤ {w['load_max']:.1f}, running ≤ {w['running_max']}; "
            f"probe {w['probe_us']:.0f} / {w['probe_us_max']:.0f} µs"
        )

    rec, bur = machine.get("reconnect", {}), machine.get("burst", {})

    return {
        "press_warm": f"{statistics.median(warm):.1f} / {_pct(warm, 95):.1f} / {max(warm):.0f} ms"
        if warm
        else "none answered",
        "press_cold": f"{statistics.median(lat['cold']):.1f} / {_pct(lat['cold'], 95):.1f} ms"
        if lat["cold"]
        else "none answered",
        "press_failed": str(lat["failed"]),
        "slow_open": f"{lat['slow_open_after']} of {SLOW_CLIENTS}",
        "reconnect": again,
        "reconnect_pct": f"{_pct(reconnected, 50):.2f} / {_pct(reconnected, 95):.2f} s" if reconnected else "—",
        "reconnect_failed": str(d.get("reconnect_failed", 0)),
        "reconnect_why": " / ".join(
            str(d.get(f"reconnect_failed_{why}", 0)) for why in ("connect", "answer", "error", "status")
        ),
        "handshakes": f"{len(connects)}: {1000 * _pct(connects, 50):.0f} / {1000 * _pct(connects, 99):.0f} / "
        f"{1000 * max(connects, default=0):.0f} ms; {sum(c > 0.9 for c in connects)} over 0.9 s"
        if connects
        else "—",
        "tcp": f"{tcp_r['ListenOverflows']} / {tcp_r['ListenDrops']} / {tcp_r['TCPSynRetrans']}; "
        f"{tcp_b['ListenOverflows']} / {tcp_b['ListenDrops']} / {tcp_b['TCPSynRetrans']}",
        "phase_cpu": f"{d['reconnect_cpu_s']:.1f} s / {d.get('cpu_reconnect_s', 0):.1f} s; "
        f"{d['burst_cpu_s']:.1f} s / {d.get('cpu_burst_s', 0):.1f} s",
        "driver_lag": f"{lag(d.get('lag_reconnect', []))}; {lag(d.get('lag_burst', []))}; "
        f"{len(gcs)} full collections, longest {max(gcs, default=0):.0f} ms",
        "taken": f"{taken(rec)}; {taken(bur)}",
        "shares": f"{shares(rec)}; {shares(bur)}",
        "others": f"{others(rec)}; {others(bur)}",
        "sockets": ", ".join(f"{n} {state}" for state, n in sorted(m["sockets"].items())),
        "burst": burst,
        "burst_pct": f"{_pct(received, 50):.1f} / {_pct(received, 95):.1f} s" if received else "—",
        "attempts": f"{d.get('timeouts', 0)} ({d.get('timeouts_connect', 0)} in the handshake) / "
        f"{d.get('busy', 0)} / {d.get('errors', 0)}",
        "workers_burst": "; ".join(f"{n} / {cpu:.1f} s" for n, cpu in d.get("workers_burst", [])) or "—",
        "burst_cpu": f"{d['burst_cpu_s']:.1f} s; {1000 * d['burst_cpu_s'] / max(1, len(received)):.1f} ms"
        if "burst_cpu_s" in d
        else "—",
        "stored": f"{m['stored'][0]} rows, {m['stored'][1]} distinct",
        "beats": f"{d.get('beats_ok', 0)} / {d.get('beats_failed', 0)} "
        f"({d.get('beats_failed_reconnect', 0)} in the reconnect, "
        f"{d.get('beats_failed_in_burst', 0)} in the burst)",
        "down_shown": f"{d.get('down_shown', 0)} ({d.get('down_shown_reconnect', 0)} in the reconnect, "
        f"{d.get('down_shown_in_burst', 0)} in the burst)",
        "down_reconnect": str(d.get("down_shown_reconnect", 0)),
        "offline": str(m["offline"]),
        "polls": f"{d.get('polls', 0)} / {d.get('poll_errors', 0)}; "
        f"busiest second {max(per_s.values(), default=0)}",
        "term": f"{m['term_s']:.1f} s" if m["term_s"] is not None else "NOT within 30 s",
        "rss": f"{m['rss_mb']:.0f} MB",
        "load": " / ".join(f"{x:.1f}" for x in d["load"]),
        "lag": f"{_pct(lat['lag'], 99):.0f} ms; {d['drivers']} processes: "
        f"{_pct(lags, 50):.0f} / {_pct(lags, 99):.0f} / {max(lags, default=0):.0f} ms "
        f"(p99 per process {', '.join(f'{x:.0f}' for x in d['lag_by_driver'])})",
    }


def run() -> str:
    """Measure this tree's console and the baseline's; return the Markdown section."""
    folder = Path(tempfile.mkdtemp(prefix="frontdesk-bench-dispatch-"))
    try:
        # (label, code root, serve's extra arguments, station keep-alive)
        columns: list[tuple[str, Path, list[str], float]] = []
        # This tree's console runs from a copy of its district/ and frontdesk/ in the run's folder, as the
        # other commits' do (git archive): every column starts from the same kind of tree. (In the A B B A run
        # of 07:40, load 2-6, both columns run from this worktree were the slow ones: 28.1 and 27.8 s, 2,539
        # and 4,409 timeouts, against 24.0 and 10.8 s, 434 and 236 from the archive of the same code.)
        this = _tree_copy(folder / "src-this")
        # FRONTDESK_BENCH_ONE_WORKER=0 leaves out the --workers 1 column (a shorter run).
        skip = {"--workers"} if os.environ.get("FRONTDESK_BENCH_ONE_WORKER") == "0" else set()
        columns += [(label, this, extra, KEEPALIVE_S) for label, extra in CONSOLES if not skip & set(extra)]
        if os.environ.get("FRONTDESK_BENCH_OLD_STATIONS") == "1":  # stations as before 1077453, this console
            label = "this tree, stations keeping idle connections 5 s (httpx's default, before 1077453)"
            columns.append((label, this, [], 5.0))
        before = os.environ.get("FRONTDESK_BENCH_BEFORE")  # a commit to measure beside (default workers)
        if before:
            base = _baseline_tree(folder / f"src-{before}", before)
            if base is not None:
                columns.append((f"{before} (before), default workers", base, [], KEEPALIVE_S))
        if os.environ.get("FRONTDESK_BENCH_BASELINE") != "0":
            for commit, label in [
                (MERGED, f"issue 14 as merged ({MERGED}), one process"),
                (BASELINE, f"baseline {BASELINE}"),
            ]:
                base = _baseline_tree(folder / f"src-{commit}", commit)
                if base is not None:
                    columns.append((label, base, [], KEEPALIVE_S))
        # FRONTDESK_BENCH_ROUNDS=2 measures every column twice, the second time in the reverse order (A B B A):
        # a column's place in the run (what the one before left in the kernel and on the disk, the machine
        # warming up) weighs on both sides alike.
        if os.environ.get("FRONTDESK_BENCH_ROUNDS") == "2":
            columns += [(f"{label}, again", root, extra, keep) for label, root, extra, keep in columns[::-1]]
        results = []
        for label, root, extra, keep in columns:
            where = folder / f"console-{len(results)}"
            where.mkdir()
            results.append(_measure(label, root, where, extra, keepalive=keep))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    cols = [_column(m) for m in results]
    rows = [
        ("press → received, kept-alive connection, 200 presses during 300 slow clients: median / p95 / max",
         "press_warm", "p95 ≤ 100 ms"),
        ("press → received, new connection each (50): median / p95", "press_cold", "p95 ≤ 100 ms"),
        ("those presses not answered 201 within 5 s", "press_failed", "0"),
        ("slow clients still connected 17 s after they connected", "slow_open", "0"),
        (f"reconnect: all {STATIONS} stations drop their connections and beat again "
         + ("at once" if RECONNECT != "desk" else "as a desk whose link was down does (within 5 s)")
         + ", all answered", "reconnect", "≤ 10 s"),
        ("reconnect: answered p50 / p95", "reconnect_pct", "—"),
        ("reconnect: heartbeats that failed first (2 s; one that timed out or whose connection broke is "
         "confirmed by one more after 0.5-1 s, the first still listened to, before the desk shows 'link "
         "DOWN')", "reconnect_failed",
         "— (read the next row)"),
        ("**reconnect: 'link DOWN' shown at the desks** (neither the first beat nor its confirming one was "
         "answered, or a refusal)", "down_reconnect", "0"),
        ("reconnect, heartbeats failed because: handshake timed out / answer timed out / connection broke / "
         "not 200", "reconnect_why", "—"),
        ("reconnect: new connections, handshake p50 / p99 / max; over 0.9 s (a SYN sent again)",
         "handshakes", "—"),
        ("kernel (whole machine): listen overflows / listen drops / SYNs sent again, in the reconnect; "
         "in the burst", "tcp", "0"),
        ("CPU, console / station drivers: in the reconnect (20 s); in the burst", "phase_cpu", "—"),
        (f"burst: {STATIONS} stations press at once, all answered", "burst", "≤ 10 s"),
        ("burst: answered p50 / p95", "burst_pct", "—"),
        ("burst attempts: 2 s timeouts / 503 busy (retried after Retry-After) / other errors", "attempts", "—"),
        ("burst, each worker process: sockets it held at the press / its CPU in the burst", "workers_burst", "—"),
        ("burst: console CPU (all its processes) from the press until answered or given up; per alert answered",
         "burst_cpu", "—"),
        ("alerts stored (220 + 50 latency + burst)", "stored", f"{270 + STATIONS}, each once"),
        ("heartbeats answered / failed, whole run (each confirming beat counted too)", "beats", "—"),
        ("'link DOWN' shown at the desks, whole run (a false alarm: the console was up)", "down_shown", "0"),
        ("'station offline' events logged", "offline", "0"),
        ("long polls renewed / failed; most renewals in one second", "polls", "spread"),
        ("SIGTERM with every long poll open → process gone", "term", "≤ 5 s"),
        ("console peak memory (RSS)", "rss", "—"),
        ("load average (1 / 5 / 15 min) when the burst ended: the machine is shared", "load", "—"),
        ("**load driver's own event-loop lag**: latency p99; station drivers median / p99 / max", "lag", "small"),
        ("station drivers' lag p99 / max: in the reconnect; in the burst; their full garbage collections",
         "driver_lag", "small"),
        ("machine (bench/sampler.py, each second), in the reconnect's first 6 s; in the burst: steal (CPU "
         "time the host took) % mean / worst second; iowait % mean / worst second; idle %", "taken", "—"),
        ("CPU seconds, in the reconnect's first 6 s; in the burst: console / station drivers / bench / other "
         "processes in an autogroup at full priority / in a niced autogroup (they take only what is left) / not "
         "attributed (processes that ended within the second, the kernel)", "shares", "—"),
        ("other work, in the reconnect's first 6 s; in the burst: the heaviest other process (CPU, nice, "
         "autogroup nice); load and running tasks at most; a fixed piece of work's CPU, median / worst second "
         "(a slower core)", "others", "—"),
        ("TCP sockets on the machine when the column started (left by earlier columns and other work)",
         "sockets", "—"),
    ]  # fmt: skip
    head = "| measure | " + " | ".join(m["label"] for m in results) + " | target |"
    lines = [
        "Every console: `frontdesk-district serve` as its own process, SQLite (WAL, synchronous=FULL), plain "
        f"HTTP on 127.0.0.1. {STATIONS} stations, each a long poll (wait 25 s) and a heartbeat every 30 s at "
        f"its own phase, {PER_ADDRESS} per 127.0.1.x address; after {WARM_S:.0f} s every station presses at "
        "once and behaves like the desk (2 s attempts, capped full-jitter backoff, Retry-After honoured; "
        f"its requests share connections as the desk's client does: an idle one kept {KEEPALIVE_S:.0f} s and "
        "reused, a timed-out attempt's closed); "
        "before that, every station's connections drop and every station reconnects and beats at once "
        "(a beat that timed out is confirmed by one more after 0.5-1 s, the first still listened to, before "
        "the desk shows 'link DOWN', as the desk does). "
        "Each alert is CAP 1.2 with an 8-person roster, schema-validated and committed before the answer. "
        f"The stations are driven by {DRIVERS} processes (one uvloop loop each, raw HTTP/1.1 client) on "
        "the same 2 cores."
        + (
            f" **The machine taken away on purpose** (FRONTDESK_BENCH_HOG={HOG}): {HOG.split(':')[0]} busy "
            f"processes at full priority in a session of their own for {HOG.split(':')[1]} s from 0.5 s before "
            "the reconnect."
            if HOG
            else ""
        )
        + (
            f" **Stations unlike the desk** (weighed): FRONTDESK_BENCH_CONFIRM={CONFIRM or '-'}, "
            f"FRONTDESK_BENCH_POLL={POLL or '-'} (bench/dispatch_console.py says what each does)."
            if CONFIRM or POLL
            else ""
        ),
        "",
        head,
        "|---|" + "---|" * len(results) + "---|",
    ]
    for text, key, target in rows:
        lines.append(f"| {text} | " + " | ".join(c[key] for c in cols) + f" | {target} |")
    lines += ["", READING]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:] == ["--driver"]:
        _driver_main()
    else:
        print(run())
