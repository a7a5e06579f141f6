"""A small synchronous hub client (httpx): what the lists puller needs until the desk's sync client joins.

``frontdesk.sync``'s ``HubClient`` (issue 15, hub-sync) offers the same three methods with failover between
hubs; the puller takes either (:class:`frontdesk.district_lists.service.HubClient`). This one is for the
benchmark, the tests and a desk without the sync.
"""

from __future__ import annotations

from collections.abc import Iterator

from frontdesk.dispatch.client import is_loopback, tls_verify
from frontdesk.errors import InputError
from frontdesk.lazy import lazy_import

httpx = lazy_import("httpx")


class HubError(Exception):
    """The hub answered with an error (``status``) or could not be reached (``status`` 0)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class SimpleHubClient:
    """``get_json``, ``post_json`` and ``stream`` against one hub with a station credential."""

    def __init__(self, url: str, credential: str, *, ca_file: str = "", timeout: float = 30.0):
        if url.startswith("http://") and not is_loopback(url):
            raise InputError("the hub's address must be https:// (plain http only on this machine)")
        self._base = url.rstrip("/")
        self._client = httpx.Client(
            headers={"Authorization": f"Bearer {credential}"},
            verify=tls_verify(ca_file),
            timeout=timeout,
        )

    def _check(self, response) -> None:
        if response.status_code >= 400:
            try:
                message = response.json().get("error", "")
            except ValueError:
                message = response.text[:200]
            raise HubError(response.status_code, f"the hub answered {response.status_code}: {message}")

    def get_json(self, path: str, params: dict | None = None) -> dict:
        """GET a JSON object."""
        try:
            response = self._client.get(self._base + path, params=params)
        except httpx.HTTPError as exc:
            raise HubError(0, f"the hub cannot be reached ({exc})") from None
        self._check(response)
        return response.json()

    def post_json(self, path: str, body: dict) -> dict:
        """POST a JSON object, get one back."""
        try:
            response = self._client.post(self._base + path, json=body)
        except httpx.HTTPError as exc:
            raise HubError(0, f"the hub cannot be reached ({exc})") from None
        self._check(response)
        return response.json()

    def stream(self, path: str, params: dict | None = None) -> Iterator[bytes]:
        """GET a long answer as byte chunks (a snapshot of a million entries never sits in memory)."""
        try:
            with self._client.stream("GET", self._base + path, params=params) as response:
                if response.status_code >= 400:
                    response.read()
                    self._check(response)
                yield from response.iter_bytes(1 << 16)
        except httpx.HTTPError as exc:
            raise HubError(0, f"the hub cannot be reached ({exc})") from None

    def close(self) -> None:
        """Close the connections."""
        self._client.close()
