"""The desk's HTTP client for the district hub (httpx, blocking: sync runs on its own threads, never Qt's).

The hub is the dispatch console, so the address and credential are the ones ``frontdesk dispatch connect``
verified and keeps (``dispatch.url`` and the keyring); ``sync.hubs`` may list more hub addresses sharing
the same database, tried in turn when one does not answer (failover). The one that answered last is tried
first next time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from frontdesk.errors import DeliveryError
from frontdesk.lazy import lazy_import

httpx = lazy_import("httpx")


class HubUnreachable(DeliveryError):
    """No hub address answered (the desk carries on alone and keeps trying)."""

    code = "hub_unreachable"


class HubRefused(DeliveryError):
    """A hub answered no for good: the credential is not valid or not allowed, or the request is wrong.

    ``status`` is the HTTP status (0 when no hub was asked) and ``details`` the hub's JSON answer.
    """

    code = "hub_refused"

    def __init__(self, message: str, *, status: int = 0, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.details = details or {}


class HubClient:
    """One credential, one or more hub addresses. ``close()`` when done."""

    def __init__(self, urls: Sequence[str], credential: str, *, ca_file: str = "", timeout: float = 10.0):
        self.urls = [u.strip().rstrip("/") for u in urls if u.strip()]
        if not self.urls:
            raise HubRefused("No hub address: connect this desk first ('frontdesk dispatch connect URL')")
        self._current = 0
        import ssl

        verify: Any = ssl.create_default_context(cafile=ca_file) if ca_file else True
        self._http = httpx.Client(
            headers={"Authorization": f"Bearer {credential}"}, verify=verify, timeout=timeout
        )

    @property
    def url(self) -> str:
        """The hub address that answered last (or will be tried first)."""
        return self.urls[self._current]

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _request(self, method: str, path: str, *, timeout: float | None = None, **kw: Any) -> Any:
        errors = []
        for step in range(len(self.urls)):
            index = (self._current + step) % len(self.urls)
            url = self.urls[index] + path
            try:
                response = self._http.request(method, url, timeout=timeout or self._http.timeout, **kw)
            except httpx.HTTPError as exc:
                errors.append(f"{self.urls[index]}: {type(exc).__name__}")
                continue
            if response.status_code >= 500:  # this hub cannot now: the next one, or later
                errors.append(f"{self.urls[index]}: HTTP {response.status_code}")
                continue
            self._current = index
            if response.status_code >= 400:
                raise HubRefused(
                    f"The hub at {self.urls[index]} refused: {_reason(response)}",
                    status=response.status_code,
                    details=_details(response),
                )
            return response
        raise HubUnreachable("The hub cannot be reached (" + "; ".join(errors) + ")")

    def get_json(self, path: str, params: dict[str, Any] | None = None, *, timeout: float | None = None) -> dict:
        """``GET path`` → the JSON object it answers."""
        return _json(self._request("GET", path, params=params or {}, timeout=timeout))

    def post_json(self, path: str, body: dict[str, Any], *, timeout: float | None = None) -> dict:
        """``POST path`` with a JSON body → the JSON object it answers."""
        return _json(self._request("POST", path, json=body, timeout=timeout))

    def stream(self, path: str, params: dict[str, Any] | None = None) -> Iterator[bytes]:
        """``GET path`` as chunks of bytes (a large snapshot), failing over like the others."""
        errors = []
        for step in range(len(self.urls)):
            index = (self._current + step) % len(self.urls)
            started = False
            try:
                with self._http.stream("GET", self.urls[index] + path, params=params or {}) as response:
                    if response.status_code >= 500:  # this hub cannot now: the next one, or later
                        errors.append(f"{self.urls[index]}: HTTP {response.status_code}")
                        continue
                    self._current = index
                    if response.status_code >= 400:
                        response.read()
                        raise HubRefused(f"The hub at {self.urls[index]} refused: {_reason(response)}")
                    started = True
                    yield from response.iter_bytes()
                    return
            except httpx.HTTPError as exc:
                if started:  # part of it was handed on already: no silent restart elsewhere
                    raise HubUnreachable(f"The hub at {self.urls[index]} stopped answering mid-way") from None
                errors.append(f"{self.urls[index]}: {type(exc).__name__}")
        raise HubUnreachable("The hub cannot be reached (" + "; ".join(errors) + ")")


def _json(response: Any) -> dict:
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        raise HubUnreachable(
            f"The hub answered something that is not JSON (HTTP {response.status_code})"
        ) from None
    if not isinstance(body, dict):
        raise HubUnreachable("The hub answered something that is not a JSON object")
    return body


def _details(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _reason(response: Any) -> str:
    try:
        body = response.json()
        detail = body.get("error") if isinstance(body, dict) else None
    except ValueError:
        detail = None
    words = {401: "credential not valid", 403: "not allowed", 400: "bad request"}.get(
        response.status_code, f"HTTP {response.status_code}"
    )
    return f"{words}: {detail}" if detail else words
