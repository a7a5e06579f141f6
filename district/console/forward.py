"""Forwarding real alerts onward, with no human in between (Alyssa's Law).

Where the district centre is not itself a 911 centre, every ``Actual`` alert of a police action is POSTed
as CAP to a configured URL. The queue is the ``forwards`` table (filled in the same transaction that stores
the alert), so nothing is lost to a restart; attempts back off up to a minute apart, forever.

What is forwarded is not the station's bytes: it is the station's message re-issued by the console
(:func:`forwarded_cap`), with the location the console enrolled for that station in place of whatever the
message claimed, the civic address as ``CIVIC_*`` parameters, and, for a receiver that takes it, a PIDF-LO
civic address as a CAP ``resource``. A claim that disagreed is named (``LOCATION_CLAIM_DIFFERS``), never
used. ``docs/dispatch-protocol.md`` lists every field.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx

from district import clock
from district.console import capschema
from district.console.auth import STATION_COLUMNS, Station, log, station_from_row
from district.console.db import Database
from district.console.location import pidf_lo
from district.console.storing import as_enrolled
from frontdesk.wire import cap

P_ORIGINAL_SENDER = "ORIGINAL_SENDER"
P_CLAIM_DIFFERS = "LOCATION_CLAIM_DIFFERS"
P_CLEARED_BY = "ALL_CLEAR_BY_NAME"
PIDF_MEDIA_TYPE = "application/pidf+xml"


def forwarded_cap(
    xml: str,
    station: Station,
    console: str,
    mismatch: dict[str, str] | None = None,
    *,
    pidf: bool = True,
    cleared_by: str = "",
) -> bytes:
    """The CAP the console forwards for a stored station message (see the module's docstring).

    Same identifier, ``sender`` the console's, references re-pointed to the console's forwards of the same
    messages; the location fields are the enrolment's; the station's own extra parameters are dropped
    (they are not the console's to vouch for).
    """
    msg = cap.parse(xml.encode("utf-8"), schema_check=capschema.check)
    where = station.where
    sender = cap.console_sender(console)
    refs = []
    for reference in msg.references:
        _, identifier, sent = cap.split_reference(reference)
        refs.append(f"{sender},{identifier},{sent}")
    extra: list[tuple[str, str]] = [(P_ORIGINAL_SENDER, msg.sender), *where.parameters()]
    if mismatch:
        said = "; ".join(f"{field}: {value}" for field, value in sorted(mismatch.items()))
        extra.append((P_CLAIM_DIFFERS, f"the station's message claimed {said} (not used)"))
    if cleared_by:
        extra.append((P_CLEARED_BY, cleared_by))
    out = dataclasses.replace(as_enrolled(station, msg), sender=sender, references=tuple(refs), extra=tuple(extra))
    root = ET.fromstring(cap.build(out))
    ns = f"{{{cap.CAP_NS}}}"
    info = root.find(ns + "info")
    assert info is not None
    area = info.find(ns + "area")
    assert area is not None
    desc = area.find(ns + "areaDesc")
    if desc is not None and where.address:
        desc.text = f"{desc.text}; {where.address}"
    if pidf:
        document = pidf_lo(where, f"pres:{station.station_id}@{console}", cap.format_sent(msg.sent))
        resource = ET.Element(ns + "resource")
        for tag, text in (
            ("resourceDesc", "Civic address of the school (PIDF-LO, RFC 4119 / RFC 5139)"),
            ("mimeType", PIDF_MEDIA_TYPE),
            ("size", str(len(document))),
            ("derefUri", base64.b64encode(document).decode("ascii")),
            ("digest", hashlib.sha1(document).hexdigest()),  # CAP 1.2 names SHA-1 for <digest>
        ):
            ET.SubElement(resource, ns + tag).text = text
        info.insert(list(info).index(area), resource)
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
    cap.validate(body, schema_check=capschema.check)
    return body


class Forwarding:
    """The forwarding queue of the console (a mixin of ConsoleService; needs ``db``, ``forward_url``)."""

    db: Database
    forward_url: str | None
    forward_pidf: bool
    name: str

    def due_forwards(self, limit: int = 20) -> list[tuple[int, str, bytes, int]]:
        """Claim real alerts waiting to be forwarded: ``(id, identifier, forwarded CAP, attempts)``.

        Claiming pushes ``next_try`` 30 s ahead, so a second console sharing the database skips them while
        this one tries.
        """
        now = clock.now()
        claimed = []
        columns = ", ".join(f"s.{c.strip()}" for c in STATION_COLUMNS.split(","))
        with self.db.transaction() as tx:
            rows = tx.all(
                f"SELECT f.id, f.identifier, a.xml, f.attempts, a.location_mismatch, {columns} FROM forwards f "
                "JOIN alerts a ON a.identifier = f.identifier JOIN stations s ON s.station_id = a.station_id "
                "WHERE f.done_at IS NULL AND f.next_try <= ? ORDER BY f.id LIMIT ?",
                [clock.to_db(now), limit],
            )
            for row in rows:
                tx.execute(
                    "UPDATE forwards SET next_try = ? WHERE id = ?",
                    [clock.to_db(now + timedelta(seconds=30)), row[0]],
                )
                station = station_from_row(row[5:])
                mismatch = json.loads(row[4]) if row[4] else {}
                signed = tx.one(
                    "SELECT actor FROM log WHERE kind = 'all_clear_signed' AND identifier = ?", [row[1]]
                )
                body = forwarded_cap(
                    row[2],
                    station,
                    self.name,
                    mismatch,
                    pidf=self.forward_pidf,
                    cleared_by=signed[0] if signed else "",
                )
                claimed.append((row[0], row[1], body, row[3]))
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
                        content=xml,
                        headers={"Content-Type": "application/cap+xml"},
                    )
                    if answer.status_code >= 300:
                        error = f"HTTP {answer.status_code}"
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}"
                with contextlib.suppress(Exception):
                    await blocking(service.forwarded, forward_id, identifier, error, attempts)
                    notify()
