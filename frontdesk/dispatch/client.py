"""The station's HTTP client for the dispatch console (httpx, async): one method per endpoint.

Every answer is sorted into one of three outcomes the sender acts on: the console committed the message
(:class:`Received`), refused it for good (:class:`Rejected`: bad CAP, bad credential, identifier reused with
other content), or the attempt failed and must be retried (:class:`Transient`: refused connection,
timeout, a 5xx, a reply lost on the way back).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from frontdesk.lazy import lazy_import

httpx = lazy_import("httpx")  # loaded when the desk first talks to dispatch

if TYPE_CHECKING:  # ssl (its enums take as long to build as the rest of this module) loads with the first client
    import ssl

CAP_MEDIA_TYPE = "application/cap+xml"
# The console's answers that mean "never send this again as it is".
PERMANENT = {400: "bad request", 401: "credential not valid", 403: "not allowed", 409: "identifier reused"}


@dataclass(frozen=True)
class Endpoint:
    """Where the console is, how this station proves who it is, and (HTTPS) which CA to trust."""

    url: str
    credential: str
    ca_file: str = ""  # a district's own CA (PEM); empty: the system's trusted CAs
    insecure: bool = False  # plain http:// to a console that is not on this machine ('connect --insecure')
    problem: str = ""  # why this desk must not send (e.g. dispatch.url changed outside 'dispatch connect')

    @property
    def urls(self) -> tuple[str, ...]:
        """Every console address, in order: ``url`` may list several, comma-separated (consoles that share
        one database; the client fails over between them)."""
        return split_urls(self.url)


def split_urls(text: str) -> tuple[str, ...]:
    """The addresses of a comma- (or space-) separated list, without trailing slashes, empty ones dropped."""
    return tuple(u.strip().rstrip("/") for u in text.replace(",", " ").split() if u.strip().rstrip("/"))


def is_loopback(url: str) -> bool:
    """True if ``url`` names this machine (127.0.0.0/8, ::1 or localhost): plain HTTP never leaves it."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tls_verify(ca_file: str) -> ssl.SSLContext | bool:
    """What httpx should verify the console's certificate against."""
    import ssl

    return ssl.create_default_context(cafile=ca_file) if ca_file else True


@dataclass(frozen=True)
class Received:
    """The console committed the message (``duplicate``: it already had it from an earlier attempt)."""

    received_at: str
    duplicate: bool


@dataclass(frozen=True)
class Rejected:
    """The console refused the message for good."""

    status: int
    reason: str


@dataclass(frozen=True)
class Transient:
    """The attempt failed in a way that a later attempt may not.

    ``retry_after``: the console said how long to wait (503 with ``Retry-After``, when it is busy).
    ``unreachable``: no connection could be made (refused, no route): the console is not there, as opposed
    to a console that is there but did not answer in time. ``busy``: the console answered that it is
    overloaded (503 or 429 with ``Retry-After``): it is there, and the link is up.
    """

    reason: str
    retry_after: float | None = None
    unreachable: bool = False
    busy: bool = False


MAX_RETRY_AFTER = 30.0  # a console's hint is honoured up to this; a real alert never waits longer
# How long an idle connection to the console is kept for the next request: longer than the 30 s heartbeat
# (so each beat, and the first attempt of a press, goes over the connection the last beat left open: no
# new TCP and TLS set-up for the console to pay, when a burst of presses arrives together), shorter than
# the 75 s after which the console closes an idle connection (no race with its close). httpx's default
# is 5 s: every beat and every press paid a new connection.
KEEPALIVE_S = 60.0


def _retry_after(response: httpx.Response) -> float | None:
    try:
        value = float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return min(MAX_RETRY_AFTER, value) if value >= 0 else None


def busy_hint(response: httpx.Response) -> float | None:
    """The seconds a console that is there but overloaded asked to be left alone for (503 or 429 with a
    ``Retry-After``), or None: any other answer is not "busy"."""
    return _retry_after(response) if response.status_code in (429, 503) else None


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
        detail = body.get("error") or body.get("detail") if isinstance(body, dict) else None
    except ValueError:
        detail = None
    label = PERMANENT.get(response.status_code, f"HTTP {response.status_code}")
    return f"{label}: {detail}" if detail else label


async def _within(timeout: float, request: Any) -> httpx.Response:
    """Await ``request`` (an httpx call) for at most ``timeout`` seconds in all, else raise httpx.ReadTimeout.

    httpx's own timeout bounds each read and write, not the request: an answer that trickles in (a byte now
    and then, never the end) held an attempt, and with it the sender and every alert behind it, for as long
    as it trickled. The closed connection is not reused (httpx drops a connection a cancelled request used).
    """
    import asyncio

    try:
        async with asyncio.timeout(timeout):
            return await request
    except TimeoutError:
        raise httpx.ReadTimeout(f"no complete answer within {timeout:g} s") from None


class ConsoleClient:
    """Talks to the console with one credential. ``close()`` when done.

    When the endpoint lists several consoles (sharing one database), requests go to one of them until it
    fails (no connection, a timeout, a 5xx); the next request then goes to the next one. The console
    stores a message once whichever of them receives it (same identifier, same bytes: a duplicate), and
    inbox sequence numbers are the shared database's, so a long poll resumes on the other console.
    """

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        self._urls = endpoint.urls or (endpoint.url.rstrip("/"),)
        self._current = 0
        self._pools: dict[str, httpx.AsyncClient] = {}

    @property
    def url(self) -> str:
        """The console requests go to now."""
        return self._urls[self._current]

    def _http(self) -> tuple[str, httpx.AsyncClient]:
        url = self.url
        if url not in self._pools:
            self._pools[url] = httpx.AsyncClient(
                base_url=url,
                headers={"Authorization": f"Bearer {self.endpoint.credential}"},
                verify=tls_verify(self.endpoint.ca_file),
                limits=httpx.Limits(keepalive_expiry=KEEPALIVE_S),
            )
        return url, self._pools[url]

    def suspect(self) -> None:
        """The console in use is not answering (a request to it is still waiting): the next request goes to
        the next console, as after a failed one."""
        self._failed(self.url)

    def _failed(self, url: str) -> None:
        """A request to ``url`` failed: the next one goes to the next console (if there is another)."""
        if len(self._urls) > 1 and self.url == url:
            self._current = (self._current + 1) % len(self._urls)

    async def close(self) -> None:
        """Close the connection pools."""
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()

    async def post_alert(self, cap: bytes, timeout: float) -> Received | Rejected | Transient:
        """Send one CAP message; the outcome says whether to stop, mark received, or retry.

        ``timeout`` bounds the whole attempt (see :func:`_within`).
        """
        url, http = self._http()
        try:
            response = await _within(
                timeout,
                http.post(
                    "/api/v1/alerts", content=cap, headers={"Content-Type": CAP_MEDIA_TYPE}, timeout=timeout
                ),
            )
        except httpx.HTTPError as exc:
            self._failed(url)
            return Transient(
                f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
                unreachable=isinstance(exc, httpx.ConnectError),
            )
        if response.status_code in (200, 201):
            try:
                body = response.json()
                return Received(str(body["received_at"]), bool(body.get("duplicate", False)))
            except (ValueError, KeyError, TypeError):
                self._failed(url)
                return Transient(f"unreadable answer to HTTP {response.status_code}")
        if response.status_code in PERMANENT:
            return Rejected(response.status_code, _reason(response))
        self._failed(url)
        return Transient(_reason(response), _retry_after(response), busy=busy_hint(response) is not None)

    async def _call(self, method: str, path: str, timeout: float, **kw: Any) -> httpx.Response:
        url, http = self._http()
        try:
            response = await _within(timeout, http.request(method, path, timeout=timeout, **kw))
            if response.status_code >= 500:
                self._failed(url)
            response.raise_for_status()
        except httpx.TransportError:
            self._failed(url)
            raise
        return response

    def _console_json(self, response: httpx.Response, key: str) -> dict[str, Any]:
        """The console's JSON object in a 2xx ``response``, holding ``key``; otherwise httpx.DecodingError
        (an httpx.HTTPError, so callers treat it as any failed request) and the next request goes to the
        next console: what answered is not the console (a proxy's maintenance page, a captive portal, a
        wrong address that answers everything 200)."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and key in body:
            return body
        self._failed(self.url)
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        raise httpx.DecodingError(
            f"answered HTTP {response.status_code} ({kind}) by something that is not the console",
            request=response.request,
        )

    async def heartbeat(self, sent: str, onsite: int, timeout: float) -> dict[str, Any]:
        """Tell the console this station is alive; raises httpx.HTTPError (or HTTPStatusError) on failure,
        httpx.DecodingError when the answer is not the console's."""
        response = await self._call("POST", "/api/v1/heartbeat", timeout, json={"sent": sent, "onsite": onsite})
        return self._console_json(response, "server_time")

    async def inbox(self, after: int, wait: float, timeout: float) -> list[dict[str, Any]]:
        """Messages for this station after ``after`` (long poll up to ``wait`` seconds)."""
        response = await self._call("GET", "/api/v1/inbox", timeout, params={"after": after, "wait": int(wait)})
        messages = self._console_json(response, "messages")["messages"]
        if not isinstance(messages, list):
            raise httpx.DecodingError("the inbox's messages are not a list", request=response.request)
        return messages


def fetch_station(endpoint: Endpoint, timeout: float = 5.0) -> dict[str, Any]:
    """``GET /api/v1/station``: who the console says this credential is (used by ``dispatch connect``, for
    each address of the endpoint).

    Raises httpx.HTTPStatusError on 401/403, httpx.DecodingError when what answered is not a console (a web
    site, a captive portal: a 200 without the console's JSON) and httpx.HTTPError when it cannot be reached.
    """
    response = httpx.get(
        endpoint.url.rstrip("/") + "/api/v1/station",
        headers={"Authorization": f"Bearer {endpoint.credential}"},
        timeout=timeout,
        verify=tls_verify(endpoint.ca_file),
    )
    response.raise_for_status()
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not body.get("station_id"):
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        raise httpx.DecodingError(
            f"answered HTTP {response.status_code} ({kind}), not as a dispatch console", request=response.request
        )
    return body
