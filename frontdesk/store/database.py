"""One connection as the store hands it out: ``execute`` and ``conn``, which is all the desk's code uses.

It used to be ``sqlite_utils.Database``; importing sqlite-utils (with its plugin manager, click and the rest)
cost several times a bare ``python -c pass``, on the way to every command and the desk's first paint, for
two members. ``execute`` behaves as sqlite-utils' does on our connections (``isolation_level=None``: a
statement outside ``BEGIN`` commits by itself), and the connection gets the same
``PRAGMA recursive_triggers=on`` sqlite-utils set. Anything else (``db["table"].insert(...)``,
``db.table_names()``) still works: it is handed to a ``sqlite_utils.Database`` over the same connection,
made (and sqlite-utils imported) on first use.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any


class Database:
    """A SQLite connection (the standard library's or SQLCipher's) with ``execute``; see the module."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._utils: Any = None
        # What a service learnt inside the write transaction open now (``Store.transaction`` sets it at BEGIN
        # and drops it at COMMIT or ROLLBACK): valid only while this connection holds the write lock, so no
        # other connection can change what it remembers. None outside such a transaction (and inside a bare
        # ``BEGIN`` someone issued by hand): nothing is remembered then.
        self.tx_memo: dict[str, Any] | None = None
        # True inside ``Store.reading()``: a read transaction, which ``Store.transaction`` refuses to write in.
        self.reading = False
        conn.execute("PRAGMA recursive_triggers=on")  # as sqlite-utils set it: the triggers rely on it

    def execute(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None) -> sqlite3.Cursor:
        """Run one statement and return its cursor."""
        if parameters is None:
            return self.conn.execute(sql)
        return self.conn.execute(sql, parameters)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def _sqlite_utils(self) -> Any:
        if self._utils is None:
            import sqlite_utils

            self._utils = sqlite_utils.Database(self.conn, recursive_triggers=True)
        return self._utils

    def __getitem__(self, table: str) -> Any:
        return self._sqlite_utils()[table]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._sqlite_utils(), name)
