"""District settings: a default for every school, a school's own value where the district allows, locks.

A district default (school ``''``) applies at every desk under the desk's own settings; a school's value
overrides it for that school's desks; a *locked* default (retention, screening thresholds) cannot be
overridden by a school here nor changed at a desk. Desks read their school's view of it with
``GET /api/v1/district-settings`` and apply it as a layer under their own settings (the desk checks each key
and type against the settings it declares; the hub stores what the district set).

Every change takes the next list version (:func:`district.hub.lists.next_version`), so the settings are part
of the history a desk follows: a hub restored from an older copy, whose settings may be older too, is behind
the desk, and the desk keeps its settings with its lists until the district recovers the hub.

A desk's link settings (``dispatch.*``, ``sync.*``) are never the district's: refused here, never served
(:mod:`frontdesk.wire.district_settings`).
"""

from __future__ import annotations

import json
import re

from district import clock
from district.console.auth import log
from district.console.db import Database
from district.errors import ConflictError, InputError, NotFoundError
from district.hub.lists import next_version
from frontdesk.wire.district_settings import is_link_setting

_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def parse_value(text: str):
    """A value as typed on the command line: JSON (``0.9``, ``true``, ``365``, ``"x"``) or else plain text."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if isinstance(value, dict | list):
        raise InputError("a setting's value is a number, true/false or text, not a list or an object")
    return value


class DistrictSettings:
    """District defaults, school values and locks."""

    def __init__(self, db: Database):
        self._db = db

    def set(self, key: str, value, *, actor: str, school: str = "", locked: bool = False) -> None:
        """Set a district default (``school`` empty; ``locked`` to stop schools and desks changing it)."""
        key, school = key.strip(), school.strip()
        if not _KEY.match(key) or len(key) > 100:
            raise InputError(f"{key!r} is not a setting's name (like retention.visits_days)")
        if is_link_setting(key):
            raise InputError(
                f"{key} is a desk's own setting (its link to the hub and the dispatch console, or whether it is a "
                "kiosk): it is set at each desk ('frontdesk dispatch connect', 'frontdesk --kiosk'), never by the "
                "district"
            )
        if school and locked:
            raise InputError("only a district default can be locked (leave out --school)")
        with self._db.transaction() as tx:
            if school:
                row = tx.one("SELECT locked FROM hub_settings WHERE key = ? AND school = ''", [key])
                if row is not None and row[0]:
                    raise ConflictError(f"{key} is locked by the district: a school cannot set its own value")
            tx.execute(
                "INSERT INTO hub_settings (key, school, value, locked, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (key, school) DO UPDATE SET value = excluded.value, locked = excluded.locked, "
                "set_by = excluded.set_by, set_at = excluded.set_at",
                [key, school, json.dumps(value), int(locked), actor, clock.to_db(clock.now())],
            )
            next_version(tx)
            log(tx, "setting_set", actor=actor, key=key, school=school, value=value, locked=locked)

    def unset(self, key: str, *, actor: str, school: str = "") -> None:
        """Remove a district default or a school's value."""
        with self._db.transaction() as tx:
            cur = tx.execute("DELETE FROM hub_settings WHERE key = ? AND school = ?", [key, school.strip()])
            if cur.rowcount != 1:
                raise NotFoundError(f"No district setting {key!r}" + (f" for {school}" if school else ""))
            next_version(tx)
            log(tx, "setting_unset", actor=actor, key=key, school=school.strip())

    def all(self) -> list[dict]:
        """Every default and school value."""
        rows = self._db.read().all(
            "SELECT key, school, value, locked, set_by, set_at FROM hub_settings ORDER BY key, school"
        )
        return [
            {
                "key": r[0],
                "school": r[1],
                "value": json.loads(r[2]),
                "locked": bool(r[3]),
                "set_by": r[4],
                "set_at": r[5],
            }
            for r in rows
        ]

    def for_school(self, school: str) -> dict:
        """What the desks of ``school`` apply: ``{key: {"value", "locked"}}`` (a lock beats a school value).

        Never a desk's link setting (``dispatch.*``, ``sync.*``; stored before the hub refused them)."""
        rows = self._db.read().all(
            "SELECT key, school, value, locked FROM hub_settings WHERE school = '' OR school = ? ORDER BY school",
            [school],
        )
        merged: dict[str, dict] = {}
        for key, row_school, value, locked in rows:  # '' sorts first: a school's value then overrides
            if is_link_setting(key):
                continue
            current = merged.get(key)
            if current is not None and current["locked"]:
                continue
            merged[key] = {"value": json.loads(value), "locked": bool(locked) and not row_school}
        return merged
