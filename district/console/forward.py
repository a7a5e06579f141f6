"""Forwarding real alerts onward, with no human in between (Alyssa's Law).

Where the district centre is not itself a 911 centre, every ``Actual`` alert of a police action is POSTed
as its CAP bytes to a configured URL. The queue is the ``forwards`` table (filled in the same transaction
that stores the alert), so nothing is lost to a restart; attempts back off up to a minute apart, forever.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx

from district import clock
from district.console.auth import log
from district.console.db import Database


class Forwarding:
    """The forwarding queue of the console (a mixin of ConsoleService; needs ``db``, ``forward_url``)."""

    db: Database
    forward_url: str | None

    def due_forwards(self, limit: int = 20) -> list[tuple[int, str, str, int]]:
        """Claim real alerts waiting to be forwarded: ``(id, identifier, xml, attempts)``.

        Claiming pushes ``next_try`` 30 s ahead, so a second console sharing the database skips them while
        this one tries.
        """
        now = clock.now()
        claimed = []
        with self.db.transaction() as tx:
            rows = tx.all(
                "SELECT f.id, f.identifier, a.xml, f.attempts FROM forwards f "
                "JOIN alerts a ON a.identifier = f.identifier "
                "WHERE f.done_at IS NULL AND f.next_try <= ? ORDER BY f.id LIMIT ?",
                [clock.to_db(now), limit],
            )
            for row in rows:
                tx.execute(
                    "UPDATE forwards SET next_try = ? WHERE id = ?",
                    [clock.to_db(now + timedelta(seconds=30)), row[0]],
                )
                claimed.append((row[0], row[1], row[2], row[3]))
        return claimed

    def forwarded(self, forward_id: int, identifier: str, error: str | None, attempts: int) -> None:
        """Record the result of one forwarding attempt (retried with backoff, up to a minute apart)."""
        now = clock.now()
        with self.db.transaction() as tx:
            if error is None:
                tx.execute(
                    "UPDATE forwards SET done_at = ?, attempts = ? WHERE id = ?",
                    [clock.to_db(now), attempts + 1, forward_id],
                )
                log(tx, "alert_forwarded", identifier=identifier, url=self.forward_url, attempts=attempts + 1)
            else:
                delay = min(60.0, 0.5 * 2**attempts)
                tx.execute(
                    "UPDATE forwards SET next_try = ?, attempts = ?, last_error = ? WHERE id = ?",
                    [clock.to_db(now + timedelta(seconds=delay)), attempts + 1, error[:500], forward_id],
                )
                if attempts == 0:  # the first failure is news; every retry after it would flood the log
                    log(tx, "forward_failed", identifier=identifier, url=self.forward_url, error=error[:500])


async def forward_loop(
    service: Any,
    blocking: Callable[..., Awaitable[Any]],
    notify: Callable[[], None],
    interval: float = 1.0,
) -> None:
    """Claim due forwards, POST each, record the outcome; runs until cancelled (the app's lifespan)."""
    async with httpx.AsyncClient(timeout=5.0) as client:
        while True:
            await asyncio.sleep(interval)
            try:
                due = await blocking(service.due_forwards)
            except Exception:  # the database is away: try again next round
                continue
            for forward_id, identifier, xml, attempts in due:
                error = None
                try:
                    answer = await client.post(
                        service.forward_url,
                        content=xml.encode("utf-8"),
                        headers={"Content-Type": "application/cap+xml"},
                    )
                    if answer.status_code >= 300:
                        error = f"HTTP {answer.status_code}"
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}"
                with contextlib.suppress(Exception):
                    await blocking(service.forwarded, forward_id, identifier, error, attempts)
                    notify()
