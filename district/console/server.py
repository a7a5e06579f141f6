"""Running the console with uvicorn: in the foreground (``frontdesk dispatch serve``) or on a thread.

The thread form (:func:`running`) serves tests, the benchmark and demo mode: it binds first (port 0 picks a
free port) and yields the base URL once the server accepts connections.

uvicorn's own tools carry the load: its compiled HTTP parser (httptools, through :class:`GuardedHttp`,
which adds header and body read timeouts and a per-source connection cap), uvloop where installed, the
kernel's listen queue (:func:`_backlog`), and ``--workers N`` processes (each its own event loop and
thread pools, sharing the database; one per core by default, :func:`default_workers`). On Linux each
worker listens on a socket of its own on the same port (``SO_REUSEPORT``, :class:`WorkerListener`): the
kernel spreads new connections over the workers evenly, where with one shared socket the worker that
woke first took the whole queue.
The per-source connection cap and the sign-in throttle hold across the workers: they count in shared
memory (:class:`SharedLimits`). A worker dies with the process that started it, even when that one is
killed hard.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import importlib.util
import json
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from uvicorn.supervisors import Multiprocess

from district import leftovers
from district.console.app import create_app
from district.console.guard import GuardedHttp, SharedLimits, SignInThrottle, guarded_protocol
from district.console.service import ConsoleService
from district.errors import InputError

BACKLOG = 8192  # the console's listen queue in all (somaxconn caps it: 4,096 on many machines); see _backlog
SHARED_PREFIX = "frontdesk-console-shared-"  # the workers' shared limits: frontdesk-console-shared-<pid>.<ns>-…
WORKER_ENV = "FRONTDESK_CONSOLE_WORKER"  # how `serve --workers N` tells each worker process what to open
# How long a busy thread may keep the GIL while another waits for it (Python's default is 5 ms). The group
# commit's thread releases the GIL for every SQLite statement and must get it back after each: with the
# event loop busy (a burst), the default made each of an alert's dozen statements wait up to 5 ms and the
# queue of alerts outgrew the station's 2 s attempts. Only a thread that is waiting causes a switch.
# 0.1 ms, not 0.5: the group commit holds the workers' shared write lock while it waits for the GIL, so the
# other worker's commit waits too (a trace of a burst: half of each committing thread's wall time was
# waiting for that lock, 0.55 ms of CPU per alert against ~1.75 ms held). A B B A at load 2-7 (10:05-10:12):
# burst 10.9 / 11.4 s at 0.1 ms against 12.5 / 12.1 s at 0.5 ms, CPU per alert 2.6 / 3.1 against 3.0 / 3.1 ms.
SWITCH_INTERVAL_S = 0.0001


def _worker_listener(family: int, address: tuple) -> socket.socket:
    """In a worker process: a socket of its own bound to the console's address (uvicorn makes it listen)."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


class WorkerListener(socket.socket):
    """The console's address for ``serve --workers N`` on Linux: a socket bound with ``SO_REUSEPORT`` that
    holds the port and never listens; handed to a worker process (pickled by multiprocessing), it becomes a
    new socket of that worker's own, bound to the same address (:func:`_worker_listener`).

    So each worker has its own listen queue and the kernel sends each new connection to one of them by a
    hash of its addresses. With one socket shared, each worker's event loop (libuv) accepts until the queue
    is empty whenever it wakes: after a reconnect one worker held 3,143 of the stations' connections and
    the other 1,502 (bench, 09:28), and answered their burst of alerts alone (a kept-alive connection
    stays with its worker, retries after a 503 too) while the other idled.

    ``SO_REUSEPORT`` would also let a second console of this user bind the same port and silently take
    part of the stations' connections (and their alerts, into its own database). So the port is claimed
    with a lock file for the console's life (:meth:`claim`): a second console on it fails to start, as
    one with a shared socket does.
    """

    @classmethod
    def claim(cls, config: uvicorn.Config) -> tuple[WorkerListener, int]:
        """Bound to ``config``'s host and port (0: a free one, which every worker then binds), and the fd of
        the port's lock (close it when the console stops). OSError if the port is in use."""
        family = socket.AF_INET6 if config.host and ":" in config.host else socket.AF_INET
        sock = cls(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((config.host, config.port))  # fails if another program (or an older console) has it
            port = sock.getsockname()[1]
            # Per port (not address: 0.0.0.0 and 127.0.0.1 overlap) and per user (another user's socket
            # never shares a port with ours: the kernel refuses the bind above).
            lock = Path(tempfile.gettempdir()) / f"frontdesk-console-{os.getuid()}-port-{port}.lock"
            lock_fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except BaseException:
            sock.close()
            raise
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock_fd)
            sock.close()
            raise OSError(errno.EADDRINUSE, f"another console is serving on port {port}") from None
        return sock, lock_fd

    def __reduce__(self):
        return _worker_listener, (self.family, self.getsockname())


def _per_worker_listeners() -> bool:
    """Whether each worker can listen on a socket of its own: Linux's ``SO_REUSEPORT`` spreads connections
    over the sockets of one port (elsewhere it means something else, or does not exist)."""
    return sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


def _backlog(workers: int) -> int:
    """The listen queue of each listening socket: :data:`BACKLOG` connections in all (as far as the kernel's
    somaxconn allows), split over the workers' own sockets where each has one.

    Split, not one each: the queue is where new connections wait for a worker, and a connection that waits
    longer than the station's 2 s is answered for nobody. With a socket per worker and each queue as deep
    as the one shared before (4,096 here), a reconnect's 9,000 new connections all fitted the queues, the
    last waited past 2 s, and 343-398 heartbeats failed in 3 of 6 columns (bench, 09:39-10:05) against 0
    in main's 6, whose one queue dropped the excess SYNs: sent again 1 s later, when there was room.
    """
    if workers <= 1 or not _per_worker_listeners():
        return BACKLOG
    try:
        cap = int(Path("/proc/sys/net/core/somaxconn").read_text())
    except (OSError, ValueError):
        cap = BACKLOG
    return max(128, min(BACKLOG, cap) // workers)


# Below this many open files a console warns at start: each desk keeps up to two connections (alerts and
# heartbeats; its long poll), so this is about 4,000 desks, and an attacker needs only this many over the
# per-source cap's addresses to take every one.
FEW_OPEN_FILES = 8192


def raise_open_files_limit() -> int | None:
    """Raise this process's soft limit of open files (each connection is one) to its hard limit; the soft
    limit now (None where there is no limit: Windows, or none set).

    A program started by systemd or from a Debian login gets a soft limit of 1,024 under a hard one of half a
    million or more; Python leaves it there. At 1,024 a console ran out of files at about 500 desks, or when
    four addresses held their 256 connections each: every station's new connection was then refused (a
    test). Worker processes inherit the raised limit.
    """
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return None
    wanted = 1 << 20 if hard == resource.RLIM_INFINITY else hard  # macOS: "unlimited", capped by the kernel
    if soft < wanted:
        with contextlib.suppress(ValueError, OSError):  # refused (macOS's own per-process cap): keep the soft one
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _check_open_files() -> None:
    """Raise the open-file limit, and say so on standard error when even the hard limit is low."""
    limit = raise_open_files_limit()
    if limit is not None and limit < FEW_OPEN_FILES:
        print(
            f"warning: this console can hold only {limit} connections at once (the system's open-file limit); "
            "each desk keeps up to two: raise the hard limit (LimitNOFILE= in its systemd unit, nofile in "
            "/etc/security/limits.conf)",
            file=sys.stderr,
            flush=True,
        )


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
        backlog=_backlog(workers),
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
    _check_open_files()
    if workers > 1:
        _check_tls(cert, key)
        # The workers' shared limits live in a folder named with this process (not like the port locks,
        # "frontdesk-console-<uid>-port-…", which stay): a console killed hard never removes it, so the next
        # one sweeps those of consoles no longer running (district.leftovers).
        with contextlib.suppress(OSError):
            leftovers.sweep(SHARED_PREFIX)
        with tempfile.TemporaryDirectory(prefix=leftovers.owned_prefix(SHARED_PREFIX)) as shared:
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
            if not _per_worker_listeners():
                Multiprocess(config, sockets=[config.bind_socket()]).run()
                return
            try:
                listener, lock_fd = WorkerListener.claim(config)
            except OSError as exc:
                raise InputError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
            try:
                Multiprocess(config, sockets=[listener]).run()
            finally:
                listener.close()
                os.close(lock_fd)
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
