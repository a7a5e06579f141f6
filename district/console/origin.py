"""Refuse a browser's state-changing request that a page of another origin made (cross-site request forgery).

The session cookie is ``SameSite=Strict``, which keeps it off requests that pages of other *sites* make. A page
on another port of the same host, or on another subdomain of the district's domain, is the same site: its
forms and no-cors fetches carry the cookie. Until session 24 the only defence was the body (JSON, which a form
cannot send); two hub routes took other bodies, and a page on another port of the hub's address expired every
barred person and put an innocent one in their place under a signed-in administrator's name.

The rule is Go's ``net/http.CrossOriginProtection`` (Go 1.25): a POST, PUT, PATCH or DELETE is refused when
the browser says it came from elsewhere: ``Sec-Fetch-Site`` other than ``same-origin`` or ``none`` (every
current browser sends it), or, without that header, an ``Origin`` whose host and port are not the request's
``Host`` (older browsers). A request with neither header is no browser's cross-origin request (a desk, the
command line, curl) and goes through: stations authenticate with their credential, not a cookie. So a reverse
proxy in front of the console must pass ``Host`` (and ``Origin``) through unchanged.
"""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import urlsplit

from district import clock
from district.console.auth import log
from district.console.db import Database

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": "80", "https": "443"}
REFUSED = (
    "refused: this request came from a page of another site or origin ({origin}), not from this server's own "
    "pages. Open the console at its own address and use it there. (Behind a reverse proxy, the proxy must pass "
    "the Host header through unchanged.)"
)


def _host_port(netloc: str, scheme: str) -> str | None:
    """``host:port`` in lower case with the scheme's default port filled in; None if it is not one."""
    try:
        parts = urlsplit("//" + netloc.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return f"{parts.hostname}:{port or DEFAULT_PORTS[scheme]}"


def refusal(method: str, headers: dict[str, str]) -> str | None:
    """Why a request must be refused as cross-origin, or None to let it through.

    ``headers`` maps lower-case names to the first value of each.
    """
    if method.upper() in SAFE_METHODS:
        return None
    site = headers.get("sec-fetch-site", "").strip().lower()
    origin = headers.get("origin", "").strip()
    if site:
        return None if site in ("same-origin", "none") else REFUSED.format(origin=origin or site)
    if not origin:
        return None
    parts = urlsplit(origin)
    if origin == "null" or parts.scheme not in DEFAULT_PORTS or not parts.netloc:
        return REFUSED.format(origin=origin)
    claimed = _host_port(parts.netloc, parts.scheme)
    if claimed is None or claimed != _host_port(headers.get("host", ""), parts.scheme):
        return REFUSED.format(origin=origin)
    return None


class Refusals:
    """The requests refused as cross-origin, counted here and written to the log as one ``cross_origin_refused``
    row per origin per flush (with the count, the paths and source addresses, up to 20 each, and the first and
    last time): a page that tries is a page of the district's domain that something has taken over, and the
    district must be able to see it; a flood must not grow the append-only log by a row per request."""

    MAX_ORIGINS = 1000
    MAX_EACH = 20

    def __init__(self) -> None:
        self._pending: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def add(self, origin: str, path: str, source: str) -> None:
        """One more request from a page at ``origin`` refused."""
        now = clock.to_db(clock.now())
        with self._lock:
            if origin not in self._pending and len(self._pending) >= self.MAX_ORIGINS:
                origin = "(other origins)"
            entry = self._pending.setdefault(
                origin, {"count": 0, "paths": {}, "sources": {}, "first": now, "last": now}
            )
            entry["count"] += 1
            entry["last"] = now
            for key, value in (("paths", path[:200]), ("sources", source)):
                if len(entry[key]) < self.MAX_EACH or value in entry[key]:
                    entry[key][value] = entry[key].get(value, 0) + 1

    def flush(self, db: Database) -> int:
        """Write what was counted since the last flush; returns the rows (kept for the next flush on failure)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return 0
        try:
            with db.transaction() as tx:
                for origin, entry in pending.items():
                    log(tx, "cross_origin_refused", origin=origin, **entry)
        except Exception:
            with self._lock:
                for origin, entry in pending.items():
                    self._pending.setdefault(origin, entry)
            raise
        return len(pending)


class CrossOriginGuard:
    """ASGI middleware: a state-changing request from another origin is answered 403 before it is read (and
    counted in ``refusals``, when given)."""

    def __init__(self, app: Any, refusals: Refusals | None = None) -> None:
        self.app = app
        self.refusals = refusals

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            headers: dict[str, str] = {}
            for name, value in scope["headers"]:
                if name in (b"sec-fetch-site", b"origin", b"host"):
                    headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
            why = refusal(scope["method"], headers)
            if why is not None:
                if self.refusals is not None:
                    client = scope.get("client")
                    origin = headers.get("origin") or f"(Sec-Fetch-Site: {headers.get('sec-fetch-site', '')})"
                    self.refusals.add(origin, scope.get("path", ""), client[0] if client else "")
                body = json.dumps({"error": why}, ensure_ascii=False).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 403,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
