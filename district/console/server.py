"""Running the console with uvicorn: in the foreground (``frontdesk dispatch serve``) or on a thread.

The thread form (:func:`running`) serves tests, the benchmark and demo mode: it binds first (port 0 picks a
free port) and yields the base URL once the server accepts connections.

uvicorn's own tools carry the load: its compiled HTTP parser (httptools, through :class:`GuardedHttp`,
which adds header and body read timeouts and a per-source connection cap), uvloop where installed, a deep
listen backlog, and ``--workers N`` processes (each its own event loop and thread pools, sharing the
database; one per core by default, :func:`default_workers`). The per-source connection cap and the
sign-in throttle hold across the workers: they count in shared memory (:class:`SharedLimits`). A worker
dies with the process that started it, even when that one is killed hard.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from uvicorn.supervisors import Multiprocess

from district.console.app import create_app
from district.console.guard import GuardedHttp, SharedLimits, SignInThrottle, guarded_protocol
from district.console.service import ConsoleService
from district.errors import InputError

WORKER_ENV = "FRONTDESK_CONSOLE_WORKER"  # how `serve --workers N` tells each worker process what to open
# How long a busy thread may keep the GIL while another waits for it (Python's default is 5 ms). The group
# commit's thread releases the GIL for every SQLite statement and must get it back after each: with the
# event loop busy (a burst), the default made each of an alert's dozen statements wait up to 5 ms and the
# queue of alerts outgrew the station's 2 s attempts. Only a thread that is waiting causes a switch.
SWITCH_INTERVAL_S = 0.0005


def _process_settings() -> None:
    """What a console process (the only one, or each worker) sets for itself before it serves."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


class _Server(uvicorn.Server):
    """uvicorn, but open long polls and event streams are answered first when it shuts down."""

    async def shutdown(self, sockets=None) -> None:
        app = self.config.app
        begin = getattr(getattr(app, "state", None), "begin_shutdown", None)
        if begin is not None:
            begin()
        await super().shutdown(sockets=sockets)


def _check_tls(cert: Path | None, key: Path | None) -> None:
    if (cert is None) != (key is None):
        raise InputError("HTTPS needs both --cert and --key")
    for path in (cert, key):
        if path is not None and not Path(path).is_file():
            raise InputError(f"no such file: {path}")


def _config(
    app_or_service,
    host: str,
    port: int,
    cert: Path | None,
    key: Path | None,
    *,
    limits: dict | None = None,
    workers: int = 1,
    **app_kw,
):
    _check_tls(cert, key)
    if isinstance(app_or_service, ConsoleService):
        app = create_app(app_or_service, secure_cookies=cert is not None, **app_kw)
    else:
        app = app_or_service
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        workers=workers,
        factory=isinstance(app, str),
        # Worker processes import the protocol by name (a class made here would not reach them).
        http="district.console.guard:GuardedHttp" if workers > 1 else guarded_protocol(**(limits or {})),
        loop="uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        backlog=8192,
        ssl_certfile=str(cert) if cert else None,
        ssl_keyfile=str(key) if key else None,
        log_level="warning",
        access_log=False,
        # The source address is the peer's: X-Forwarded-For from loopback must not choose whose per-address
        # limits apply (and parsing it is per-request work for nothing).
        proxy_headers=False,
        timeout_graceful_shutdown=2,
        # Stations heartbeat every 30 s: keep their connections open across beats (no new handshake per
        # beat, and no race with a connection the server closes just as the station reuses it).
        timeout_keep_alive=75,
        lifespan="on",
    )


def default_workers() -> int:
    """``serve``'s default number of worker processes: one per CPU this process may run on, at most 8.

    The console's work is Python (HTTP handling, CAP validation), which runs one thread at a time per
    process: one process per core uses every core, more only adds switching. Each worker keeps its own
    copy of the station directory and its own database connections, hence the cap.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(8, cpus))


def _die_with_parent() -> None:
    """Linux: this worker is killed when the process that started it dies (even by SIGKILL), so a console
    killed hard never leaves workers holding its port and its database."""
    parent = os.getppid()
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent or parent == 1:  # the parent died before the line above
        os._exit(1)


def serve(
    service: ConsoleService,
    host: str,
    port: int,
    cert: Path | None = None,
    key: Path | None = None,
    *,
    workers: int = 1,
    limits: dict | None = None,
    sync_workers: int = 0,
) -> None:
    """Serve in the foreground until interrupted (SIGINT or SIGTERM: answers what is open, then stops).

    ``workers`` > 1 runs that many uvicorn worker processes on the same port, each opening the database
    itself (:func:`worker_app`). ``sync_workers``: each worker hands the hub's sync to that many processes of
    its own at a lower OS priority (:mod:`district.hub.sync_workers`; 0: threads of the worker).
    """
    if workers > 1:
        _check_tls(cert, key)
        with tempfile.TemporaryDirectory(prefix="frontdesk-console-") as shared:
            key_bytes = SharedLimits.prepare(Path(shared), workers)
            os.environ[WORKER_ENV] = json.dumps(
                {
                    "url": service.db.url,
                    "name": service.name,
                    "forward_url": service.forward_url,
                    "forward_pidf": service.forward_pidf,
                    "secure_cookies": cert is not None,
                    "limits": limits or {},
                    "shared": shared,
                    "key": key_bytes.hex(),
                    "workers": workers,
                    "sync_workers": sync_workers,
                }
            )
            service.close()
            config = _config("district.console.server:worker_app", host, port, cert, key, workers=workers)
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    _process_settings()
    _Server(_config(service, host, port, cert, key, limits=limits, sync_workers=sync_workers, calm_gc=True)).run()


def worker_app():
    """The app of one worker process of ``serve --workers N`` (uvicorn calls this factory in each)."""
    _die_with_parent()
    _process_settings()
    spec = json.loads(os.environ[WORKER_ENV])
    # The per-source limits of this console hold across all its workers (shared memory, SharedLimits).
    shared = SharedLimits(Path(spec["shared"]), spec["workers"], bytes.fromhex(spec["key"]))
    limits = spec["limits"]
    GuardedHttp.shared = shared
    GuardedHttp.per_source = limits.get("per_source", GuardedHttp.per_source)
    GuardedHttp.header_timeout = limits.get("header_timeout", GuardedHttp.header_timeout)
    GuardedHttp.body_timeout = limits.get("body_timeout", GuardedHttp.body_timeout)
    service = ConsoleService.open(
        spec["url"],
        name=spec["name"],
        forward_url=spec["forward_url"],
        forward_pidf=spec["forward_pidf"],
        # The workers write one SQLite file: they take turns on a lock of their own (each commit answers a
        # batch of alerts) instead of in SQLite's busy handler, which sleeps 1, 2, 5 … 100 ms between tries
        # and leaves the database idle while the other worker's batch is long committed.
        write_lock_file=Path(spec["shared"]) / "writer.lock",
    )
    return create_app(
        service,
        secure_cookies=spec["secure_cookies"],
        sign_in_throttle=SignInThrottle(shared=shared),
        sync_workers=spec["sync_workers"],
        shared=Path(spec["shared"]),
        workers=spec["workers"],
        calm_gc=True,  # a process of its own: full collections wait for calm (district.console.collector)
    )


@contextmanager
def running(
    service: ConsoleService,
    host: str = "127.0.0.1",
    port: int = 0,
    cert: Path | None = None,
    key: Path | None = None,
    limits: dict | None = None,
    **app_kw,
) -> Iterator[str]:
    """Serve on a background thread; yields the base URL (``http://127.0.0.1:PORT``), stops on exit."""
    server = _Server(_config(service, host, port, cert, key, limits=limits, **app_kw))
    thread = threading.Thread(target=server.run, name="dispatch-console", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the dispatch console did not start")
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    scheme = "https" if cert else "http"
    try:
        yield f"{scheme}://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
