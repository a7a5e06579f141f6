"""The desk's HTTP client for the district hub (httpx, blocking: sync runs on its own threads, never Qt's).

The hub is the dispatch console, so the address and credential are the ones ``frontdesk dispatch connect``
verified and keeps (``dispatch.url`` and the keyring); ``sync.hubs`` may list more hub addresses sharing
the same database, tried in turn when one does not answer (failover). The one that answered last is tried
first next time.

A hub that is busy (its admission control) answers 503 with ``Retry-After``: the desk waits that long, plus
a random part of it (so a district's desks do not all come back in the same second), and asks the same hub
again, up to ``retry_budget`` seconds in all for one request; only then does it try the next hub.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from frontdesk.errors import DeliveryError
from frontdesk.lazy import lazy_import

httpx = lazy_import("httpx")

RETRY_BUDGET_S = 15.0  # the longest one request waits on a busy hub's Retry-After before trying the next
JITTER = 0.5  # up to this share of the Retry-After is added at random


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

    def __init__(
        self,
        urls: Sequence[str],
        credential: str,
        *,
        ca_file: str = "",
        timeout: float = 10.0,
        retry_budget: float = RETRY_BUDGET_S,
    ):
        self.urls = [u.strip().rstrip("/") for u in urls if u.strip()]
        self.retry_budget = retry_budget
        self._closed = threading.Event()  # wakes a Retry-After wait when the client is closed
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
        """Close the connection pool (and end a Retry-After wait at once)."""
        self._closed.set()
        self._http.close()

    def _busy_wait(self, response: Any, waited: float) -> float | None:
        """How long to wait before asking this hub again after ``response`` (a 503 with Retry-After), or
        None when it is not that or the wait would pass the budget. Sleeps that long (interruptible)."""
        if response.status_code != 503 or self._closed.is_set():
            return None
        after = retry_after(response.headers.get("Retry-After"))
        if after is None:
            return None
        wait = max(after, 0.05) * (1.0 + random.uniform(0.0, JITTER))
        if waited + wait > self.retry_budget:
            return None
        self._closed.wait(wait)
        return wait

    def _request(self, method: str, path: str, *, timeout: float | None = None, **kw: Any) -> Any:
        errors = []
        waited = 0.0
        for step in range(len(self.urls)):
            index = (self._current + step) % len(self.urls)
            url = self.urls[index] + path
            while True:
                try:
                    response = self._http.request(method, url, timeout=timeout or self._http.timeout, **kw)
                except httpx.HTTPError as exc:
                    response = None
                    errors.append(f"{self.urls[index]}: {type(exc).__name__}")
                    break
                wait = self._busy_wait(response, waited)
                if wait is None:
                    break
                waited += wait  # busy: the same hub again, after what it asked
            if response is None:
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


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (a number of seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
        return max(0.0, (moment - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError, OverflowError):
        return None


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
