"""Online backups of the database to the configured folder, kept to a number, and restores that check first.

A backup is taken through SQLite's backup API while the desk keeps working; it is encrypted with the
database's own key (a stolen backup drive leaks nothing either). ``make`` writes a complete copy or none
(see :meth:`frontdesk.store.Store.backup`), then drops the oldest beyond ``backup.keep``. ``restore`` runs
SQLite's full integrity check on the file first and refuses a damaged one; the database as it was is kept
as a backup before it is replaced.
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

from frontdesk import clock
from frontdesk.access.roles import Action
from frontdesk.access.session import Session
from frontdesk.audit import AuditTrail
from frontdesk.errors import ConflictError, InputError, StoreError
from frontdesk.settings import BACKUP_EVERY_HOURS, BACKUP_FOLDER, BACKUP_KEEP, Settings
from frontdesk.store import Store

PATTERN = "frontdesk-*.db"
# A copy being written (Store.backup's temporary name). One left by a program killed while writing it (a
# SIGKILL or power cut during a backup, or the pre-migration copy of an upgrade) was never removed: a whole copy
# of the database that neither rotation nor retention ever reached.
PARTIAL = "frontdesk-*.db.partial"
PARTIAL_STALE = timedelta(hours=6)  # untouched this long: nobody is writing it (a backup at 1M visits: minutes)
_CLOCK_SLACK = timedelta(minutes=1)  # a file time this far ahead of the clock is still "taken"


class Backups:
    """Make, list, rotate and restore backups of one store."""

    def __init__(self, store: Store, settings: Settings, audit: AuditTrail, session: Session | None = None):
        self._store = store
        self._settings = settings
        self._audit = audit
        self._session = session

    def folder(self) -> Path:
        """The configured backup folder (``backups`` in the data folder unless set)."""
        configured = self._settings.get(BACKUP_FOLDER).strip()
        return Path(configured).expanduser() if configured else self._store.data_dir / "backups"

    def list(self) -> list[Path]:
        """Every backup in the folder, oldest first (their names start with the time they were taken)."""
        folder = self.folder()
        return sorted(folder.glob(PATTERN)) if folder.is_dir() else []

    def make(self, label: str = "manual") -> Path:
        """Take a backup now, record it in the audit trail, and drop the oldest beyond the number to keep."""
        try:
            path = self._store.backup(label, self.folder())
        except (OSError, sqlite3.OperationalError) as exc:  # no room, no folder, no permission
            raise StoreError(
                f"The backup to {self.folder()} failed ({getattr(exc, 'strerror', None) or exc}); the database "
                "was not changed. "
                "Check that the backup folder exists, is writable and has room.",
                code="backup_failed",
            ) from exc
        dropped = self.rotate(made=path)
        self._audit.record(
            None, "backup.made", path.name, {"folder": str(path.parent), "dropped": [p.name for p in dropped]}
        )
        return path

    def rotate(self, made: Path | None = None) -> list[Path]:
        """Delete the oldest backups beyond ``backup.keep``; returns what was deleted. Never ``made`` (the one
        just taken): names say when by the clock, and one taken while the clock said 2000-01-01 (a dead clock
        battery) had the oldest name and was deleted as it was made."""
        keep = max(1, self._settings.get(BACKUP_KEEP))
        others = [p for p in self.list() if p != made]
        room = keep - 1 if made is not None else keep
        dropped = others[: max(0, len(others) - room)]
        for path in dropped:
            path.unlink(missing_ok=True)
        return dropped + self._drop_leftovers()

    def _drop_leftovers(self) -> list[Path]:
        """Delete the unfinished copies (``*.db.partial``) nobody has written for :data:`PARTIAL_STALE`."""
        folder = self.folder()
        if not folder.is_dir():
            return []
        now = time.time()  # the file times' own clock
        stale = [p for p in folder.glob(PARTIAL) if now - p.stat().st_mtime > PARTIAL_STALE.total_seconds()]
        for path in stale:
            path.unlink(missing_ok=True)
        return stale

    def due(self, now: datetime | None = None) -> bool:
        """True when the newest backup is older than ``backup.every_hours`` (or there is none)."""
        every = self._settings.get(BACKUP_EVERY_HOURS)
        if every <= 0:
            return False
        now = now or clock.now()
        # The newest taken by the clock now: one whose file time is in the future (written while the PC's clock
        # ran ahead) says nothing, and made every backup not due until the clock caught up with it.
        taken = [datetime.fromtimestamp(p.stat().st_mtime, tz=now.tzinfo) for p in self.list()]
        past = [t for t in taken if t <= now + _CLOCK_SLACK]
        return not past or now - max(past) >= timedelta(hours=every)

    def run_if_due(self) -> Path | None:
        """The scheduled backup: taken only when one is due."""
        return self.make("scheduled") if self.due() else None

    def restore(self, file: Path, *, sign_in: tuple[str, str] | None = None) -> Path:
        """Replace the database by the backup ``file`` after checking it; returns the copy of the one replaced.

        A file that fails SQLite's integrity check, cannot be opened with this desk's key, or is not a
        FrontDesk database is refused and nothing changes. ``sign_in`` (name, PIN or password): only when this
        database's accounts were deleted outside FrontDesk, so nobody can sign in to it; the person is then
        checked against the accounts the backup holds, and must be one who may restore there.
        """
        from frontdesk.accounts.standing import accounts_exist, all_deleted

        actor = None
        if sign_in is not None and not all_deleted(self._store.db):
            raise InputError("Sign in to this desk as usual (--user); the backup's accounts are not asked.")
        if self._session is not None and sign_in is None:
            self._session.require(Action.CHANGE_SETTINGS)
        file = Path(file)
        if not file.is_file():
            raise InputError(f"There is no backup file {file}.")
        self._store.check_integrity(file, full=True)
        source = self._store.open_file(file)
        try:
            has_migrations = source.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='_migrations'"
            ).fetchone()
            if not has_migrations:
                raise StoreError(f"{file} is not a FrontDesk database; nothing was changed.", code="store_damaged")
            newer = self._store.newer_than_this(source)
            if newer:
                # Put in place, it would be refused at the next start by this very program: the desk would stop.
                raise StoreError(
                    f"{file.name} was taken by a newer version of FrontDesk than this one (it holds changes this "
                    f"version does not know: {', '.join(newer[:3])}). Nothing was changed. Restore it with that "
                    "version, or choose a backup taken by this one.",
                    code="store_newer",
                )
            if sign_in is not None:
                actor = self._backup_actor(source, *sign_in)
            if accounts_exist(self._store.db) and not _holds_accounts(source):
                raise ConflictError(
                    f"{file.name} was taken before any staff account existed: restored, this desk would be in "
                    "set-up mode again (everything allowed, to anyone). Nothing was changed; choose a newer "
                    "backup.",
                    code="backup_before_accounts",
                )
            before = self._store.backup("before-restore", self.folder())
            source.backup(self._store.db.conn)
        finally:
            source.close()
        os.utime(before)  # the copy of the replaced database counts as the newest backup
        # The restored trail is older than the anchor: anchor it again, and say so in the trail itself.
        self._audit.reanchor()
        details = {"replaced_copy": before.name}
        if actor is not None:
            details["signed_in"] = "as the backup holds the account (this desk's accounts were deleted)"
        self._audit.record(actor.username if actor else None, "backup.restored", file.name, details)
        return before

    def _backup_actor(self, source, username: str, secret: str):
        """The person as the backup knows them, if they may restore there (PermissionDenied otherwise; the
        failure is recorded in this desk's trail)."""
        from frontdesk.access.roles import allowed
        from frontdesk.accounts.service import sign_in_from
        from frontdesk.errors import PermissionDenied

        try:
            actor = sign_in_from(source, username, secret, trail=self._store.db)
        except PermissionDenied:
            self._audit.record(
                username or "?", "user.sign_in_failed", username, {"reason": "restore, in the backup"}
            )
            raise
        if not allowed(actor.role, Action.CHANGE_SETTINGS):
            raise PermissionDenied(
                f"{actor.display_name} ({actor.role.label}) may not restore a backup: a principal or district "
                "administrator",
                code="forbidden",
            )
        return actor


def _holds_accounts(source: sqlite3.Connection) -> bool:
    """True when the backup ``source`` has a staff account, or its trail says it had (not in set-up mode)."""
    from frontdesk.accounts.standing import accounts_exist

    has_table = source.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users'").fetchone()
    try:
        return bool(has_table) and accounts_exist(source)
    except sqlite3.OperationalError:  # a backup older than the trail's index or its tables: its rows alone
        return source.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
