"""Running the console with uvicorn: in the foreground (``frontdesk dispatch serve``) or on a thread.

The thread form (:func:`running`) serves tests, the benchmark and demo mode: it binds first (port 0 picks a
free port) and yields the base URL once the server accepts connections.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from district.console.app import create_app
from district.console.service import ConsoleService
from district.errors import InputError


class _Server(uvicorn.Server):
    """uvicorn, but open long polls and event streams are answered first when it shuts down."""

    async def shutdown(self, sockets=None) -> None:
        app = self.config.app
        begin = getattr(getattr(app, "state", None), "begin_shutdown", None)
        if begin is not None:
            begin()
        await super().shutdown(sockets=sockets)


def _config(service: ConsoleService, host: str, port: int, cert: Path | None, key: Path | None, **app_kw):
    if (cert is None) != (key is None):
        raise InputError("HTTPS needs both --cert and --key")
    for path in (cert, key):
        if path is not None and not Path(path).is_file():
            raise InputError(f"no such file: {path}")
    app = create_app(service, secure_cookies=cert is not None, **app_kw)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        ssl_certfile=str(cert) if cert else None,
        ssl_keyfile=str(key) if key else None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=3,
        # Stations heartbeat every 30 s: keep their connections open across beats (no new handshake per
        # beat, and no race with a connection the server closes just as the station reuses it).
        timeout_keep_alive=75,
        lifespan="on",
    )


def serve(
    service: ConsoleService, host: str, port: int, cert: Path | None = None, key: Path | None = None
) -> None:
    """Serve in the foreground until interrupted."""
    _Server(_config(service, host, port, cert, key)).run()


@contextmanager
def running(
    service: ConsoleService,
    host: str = "127.0.0.1",
    port: int = 0,
    cert: Path | None = None,
    key: Path | None = None,
    **app_kw,
) -> Iterator[str]:
    """Serve on a background thread; yields the base URL (``http://127.0.0.1:PORT``), stops on exit."""
    server = _Server(_config(service, host, port, cert, key, **app_kw))
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
