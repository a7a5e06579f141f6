"""The audit covers the records it describes: content hashes of visits, list entries, decisions and accounts.

Every audit record of a change to one of these rows carries ``row`` (``"visits:12"``) and ``content``, the
SHA-256 of the row's columns right after the change ("" when the change deleted it), written in the change's
own transaction. A list import carries, for the entries it filed, their id range and the sum of their hashes
(``entries: {first, last, count, digest}``); a later change to one of those entries also says what it was
before (``was``). :func:`check` compares the rows in the file with what the trail says they should be, and
names every row deleted, changed or added outside the application.

Every row of the ``settings`` table is accounted for too (:class:`AuditedSettings`): by its newest
``settings.change``, the ``settings.baseline`` the upgrade wrote, a ``settings.restored``, or what the newest
``audit.checkpoint`` says the records retention removed held; :func:`settings_problems` names the rest. The
screening index is not covered here: its check (every entry's keys worked out again) costs tens of seconds at a
million entries and is its own mode (:mod:`frontdesk.screening.index_check`, ``audit verify --index``).

What it cannot catch (the README says so too): someone who can write the file can change a row *and*
append a matching, well-chained record (the chain is a hash chain, not a signature: keep the head elsewhere,
``audit verify --expect``); rows written before this coverage existed (older than the first covered row of
their table) are not checked; a visit's person (name, photo) is covered only through the visit's own columns.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

# The columns each covered table is hashed over. Volatile bookkeeping (sign-in counters, a decision's link
# to the visit made after it, an entry's list id across an import swap) is left out on purpose.
COVERED: dict[str, str] = {
    "visits": "id, person_id, category, purpose, destination, time_in, time_out, station, staff, badge_code, note",
    "screening_entries": (
        "id, kind, first_name, middle_name, last_name, aliases, dob, reason, valid_from, valid_until, notes, "
        "students, length(photo)"
    ),
    "screening_decisions": (
        "id, time, staff, station, visitor_first, visitor_middle, visitor_last, visitor_dob, entry_id, source, "
        "kind, score, evidence, screen_decision, outcome, reason"
    ),
    "users": "id, username, display_name, role, secret_hash, disabled",
}
WORDS = {
    "visits": "visit",
    "screening_entries": "list entry",
    "screening_decisions": "screening decision",
    "users": "account",
}
_MOD = 1 << 256


# json.dumps(values, ensure_ascii=False, default=str) without building an encoder per call: a bulk import
# hashes a million rows (measured 8.3 -> 6.6 us a row). The same text, byte for byte (test_audit_coverage).
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


def row_hash(values: Iterable[Any]) -> str:
    """The SHA-256 (hex) of one row's covered values, as stored."""
    return (_sha256 or _load_sha256())(_ENCODER.encode(list(values)).encode()).hexdigest()


# hashlib's sha256 (the audit trail's record hashes, and the rows'), imported by the first hash: the desk's first
# screen hashes nothing, and loading hashlib (OpenSSL) is ~9 M instructions of its start (issue 13). Not an import
# statement in the hashing functions: in the desk each one also runs PySide6's import hook (tens of microseconds),
# and a chain check hashes every record.
_sha256: Callable[[bytes], Any] | None = None


def _load_sha256() -> Callable[[bytes], Any]:
    global _sha256
    from hashlib import sha256

    _sha256 = sha256
    return sha256


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data``, in hex."""
    return (_sha256 or _load_sha256())(data).hexdigest()


def content_hash(db, table: str, row_id: int) -> str:
    """The hash of one covered row as it is now ("" if there is no such row)."""
    row = db.execute(f"SELECT {COVERED[table]} FROM {table} WHERE id = ?", [row_id]).fetchone()
    return row_hash(row) if row is not None else ""


def digest_of(db, table: str, ids: list[int]) -> int:
    """The sum (mod 2**256) of the hashes of these rows: order-free, so it can be added up step by step."""
    total = 0
    for at in range(0, len(ids), 500):
        part = ids[at : at + 500]
        marks = ",".join("?" * len(part))
        for row in db.execute(f"SELECT {COVERED[table]} FROM {table} WHERE id IN ({marks})", part):
            total = (total + int(row_hash(row), 16)) % _MOD
    return total


def digest_of_values(rows: Iterable[Iterable[Any]]) -> int:
    """:func:`digest_of` from the covered values as written (no read back): for a bulk copy's own rows.

    Each row must be the table's ``COVERED`` columns in order, with the values SQLite will return for them.
    """
    total = 0
    for row in rows:
        total += int(row_hash(row), 16)
    return total % _MOD


def check(db, records: Iterable[tuple[str, str, dict]]) -> list[str]:
    """Every covered row deleted, changed or added outside the application, in words (empty: all agree).

    ``records`` are ``(action, subject, details)`` of the whole trail, oldest first.
    """
    latest: dict[tuple[str, int], str] = {}  # (table, id) -> content after the newest change
    entry_list: dict[int, str] = {}  # list entry id -> its list's source
    first_was: dict[int, str] = {}  # list entry id -> its hash before its first single change
    imports: dict[str, dict] = {}  # source -> the newest import's entries {first, last, count, digest}
    settings = AuditedSettings()  # setting key -> the value the trail says it holds
    for action, subject, details in records:
        if action in _SETTINGS_SET and settings.take(action, subject, details):
            continue
        if action in ("list.import", "list.remove_source"):  # the list's earlier entries are gone ...
            kept = details.get("kept") if action == "list.import" else None  # ... but those a replace kept
            kept = {int(e) for e in kept if isinstance(e, int)} if isinstance(kept, list) else set()
            for entry_id in [e for e, source in entry_list.items() if source == subject and e not in kept]:
                entry_list.pop(entry_id)
                latest.pop(("screening_entries", entry_id), None)
                first_was.pop(entry_id, None)
            imports.pop(subject, None)
            if action == "list.import" and isinstance(details.get("entries"), dict):
                imports[subject] = details["entries"]
        if action == "audit.checkpoint" and isinstance(details.get("accounts"), dict):
            for kept in details["accounts"].values():  # what the accounts' records retention removed said
                table, _, ident = str(kept.get("row", "")).partition(":")
                if table == "users" and ident.isdigit():  # older than every record still in the trail
                    latest.setdefault(("users", int(ident)), str(kept.get("content", "")))
        if action == "retention.applied" and isinstance(details.get("removed"), dict):
            for table, ids in details["removed"].items():  # removed by the district's retention settings
                if table in COVERED:
                    for row_id in ids:
                        latest[(table, int(row_id))] = ""
            continue
        row = details.get("row")
        if not isinstance(row, str) or ":" not in row:
            continue
        table, _, ident = row.partition(":")
        if table not in COVERED or not ident.isdigit():
            continue
        key = (table, int(ident))
        latest[key] = details.get("content", "")
        if table == "screening_entries":
            entry_list[int(ident)] = str(details.get("list", ""))
            if "was" in details and int(ident) not in first_was:
                first_was[int(ident)] = details["was"]
    problems: list[str] = [f"the setting {key} {what}" for key, what in settings_problems(db, settings.values())]
    for table, columns in COVERED.items():
        known = {i: c for (t, i), c in latest.items() if t == table}
        ranges = (
            [(int(v["first"]), int(v["last"])) for v in imports.values()] if table == "screening_entries" else []
        )
        if not known and not ranges:
            continue  # nothing of this table was ever covered (an old trail): nothing to compare
        since = min([*known, *(a for a, _ in ranges)])
        where = ""
        if table == "screening_entries":  # entries of lists being imported or deleted right now are not in force
            where = "WHERE list_id IN (SELECT id FROM screening_lists WHERE state = 'live')"
        present: dict[int, str] = {}
        for row in db.execute(f"SELECT {columns} FROM {table} {where}"):
            present[row[0]] = row_hash(row)
        word = WORDS[table]
        for row_id, content in sorted(known.items()):
            now = present.get(row_id)
            if content and now is None:
                problems.append(f"{word} {row_id} was deleted outside the application")
            elif content and now != content:
                problems.append(f"{word} {row_id} was changed outside the application")
            elif not content and now is not None:
                problems.append(f"{word} {row_id} was put back outside the application after it was deleted")
        in_range = set()
        if table == "screening_entries":
            for source, entries in imports.items():
                first, last = int(entries["first"]), int(entries["last"])
                expected = int(entries["digest"], 16)
                for entry_id, was in first_was.items():
                    if first <= entry_id <= last:
                        expected = (expected - int(was, 16)) % _MOD
                actual = 0
                for row_id, digest in present.items():
                    if first <= row_id <= last:
                        in_range.add(row_id)
                        if row_id not in known:
                            actual = (actual + int(digest, 16)) % _MOD
                if actual != expected:
                    problems.append(
                        f"entries of the list {source!r} were deleted, changed or added outside the application"
                    )
        for row_id in sorted(set(present) - set(known) - in_range):
            # Below ``since``: a row older than the coverage, unless its id is one SQLite never gives (they
            # start at 1): a row put in by hand with id 0 or below to slip under the check.
            if row_id >= since or row_id < 1:
                problems.append(f"{word} {row_id} was added outside the application")
    return problems


SETTINGS_ACTIONS = ("settings.change", "settings.baseline", "settings.restored", "audit.checkpoint")
_SETTINGS_SET = frozenset(SETTINGS_ACTIONS)  # one set look-up a record in check() (a million records at 1M)


class AuditedSettings:
    """What the trail says each setting of the ``settings`` table holds, from its records oldest first.

    A ``settings.change`` sets its key (``new``); a ``settings.baseline`` (written once, by the migration that
    began this coverage, with every row the table held then) and a ``settings.restored`` (the desk's check put
    a row back) set theirs. Retention removes old records behind a checkpoint: the ``audit.checkpoint`` record
    carries what the removed records said (``settings``), and the newest checkpoint's is the base that every
    record still in the chain (all newer) is applied on.
    """

    def __init__(self) -> None:
        self._base: tuple[int, dict[str, Any]] = (-1, {})
        self._steps: list[dict[str, Any]] = []

    def take(self, action: str, subject: str, details: dict) -> bool:
        """Count one record; True when it was a settings record (nothing else to read in it)."""
        if action == "settings.change" and "new" in details:
            self._steps.append({subject: details["new"]})
        elif action in ("settings.baseline", "settings.restored") and isinstance(details.get("settings"), dict):
            self._steps.append(details["settings"])
        elif action == "audit.checkpoint" and isinstance(details.get("settings"), dict):
            seq = int(details.get("seq", 0))
            if seq > self._base[0]:
                self._base = (seq, details["settings"])
            return False
        else:
            return False
        return True

    def values(self) -> dict[str, Any]:
        """Each key the trail accounts for and its value (None in ``settings.restored``: no row)."""
        out = dict(self._base[1])
        for step in self._steps:
            out.update(step)
        return out


def audited_settings(records: Iterable[tuple[str, str, dict]]) -> dict[str, Any]:
    """:class:`AuditedSettings` of these records (oldest first)."""
    found = AuditedSettings()
    for action, subject, details in records:
        found.take(action, subject, details)
    return found.values()


def settings_problems(db, audited: dict[str, Any]) -> list[tuple[str, str]]:
    """``(key, what)`` for each row of the ``settings`` table that the trail does not account for, and each setting
    the trail gives a value that the table no longer holds.

    A row no audited change, baseline or restore set ("was put into the table outside the application": a
    screening threshold inserted with the sqlite3 shell, within its range), a row whose value is not the audited
    one, a row the trail says is there and is not ("was changed outside the application").
    """
    problems = []
    rows = dict(db.execute("SELECT key, value FROM settings").fetchall())
    for key in sorted(set(rows) | {k for k, v in audited.items() if v is not None}):
        if key not in audited:
            problems.append((key, "was put into the table outside the application (no audited change set it)"))
            continue
        value = audited[key]
        try:
            stored = json.loads(rows[key]) if key in rows else None
        except (TypeError, ValueError):
            stored = None
        if key not in rows or stored != value or type(stored) is not type(value):
            problems.append((key, "was changed outside the application"))
    return problems
