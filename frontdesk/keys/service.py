"""The database keys: rotation (SQLCipher ``PRAGMA rekey``) and escrow (export and import, passphrase-sealed).

Each encrypted file of the desk (the database and the panic outbox) has its own key in the OS keyring
(:func:`frontdesk.store.key_name`). Rotation gives each a new key:

1. the file is opened with its key and switched out of WAL (SQLite refuses that while any other connection
   is open, so a running desk or a second command stops the rotation before anything changed), and held
   with an exclusive lock;
2. a copy of the file is re-keyed (``PRAGMA rekey``) and checked with the new key (integrity,
   the same rows in every table);
3. the old key is kept in the keyring as the *previous* key, the new one becomes current, and the checked
   copy replaces the file in one rename; only then is the previous key forgotten.

A power cut at any point leaves a file that one of the two keys opens, and ``Store.open`` settles it (the
previous key is put back if the rename had not happened). Each rotation is recorded in the audit trail, and a
backup is taken with the new key at once: backups taken before it stay under the old key (export the keys to
escrow before rotating to keep them readable).

Escrow (:mod:`frontdesk.secrets.escrow`) writes every key of this data folder into one file sealed with a
passphrase the administrator types; import puts them back into this user's keyring after checking that each
opens its file.
"""

from __future__ import annotations

import os
import secrets as _random
import shutil
import socket
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from frontdesk.dispatch.migrations import OUTBOX_DB
from frontdesk.errors import InputError, StoreError
from frontdesk.secrets import SecretStore
from frontdesk.secrets.escrow import open_escrow, seal_escrow
from frontdesk.store import DB_NAME, cipher, hold_alone, key_name, previous_key_name
from frontdesk.store.files import private_file

__all__ = ["KEYED_FILES", "Rotated", "export_keys", "import_keys", "rotate_keys"]

# The desk's encrypted files, each with its own key (the main database first: its audit trail records all).
KEYED_FILES = (DB_NAME, OUTBOX_DB)


@dataclass(frozen=True)
class Rotated:
    """One file re-keyed: its name, and how many tables and rows were checked under the new key."""

    file: str
    tables: int
    rows: int


def _counts(conn) -> dict[str, int]:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _rotate_one(path: Path, secrets: SecretStore) -> Rotated:
    old = secrets.get(key_name(path))
    if old is None:
        raise StoreError(
            f"{path} has no key in this user's keyring: it is not encrypted (run 'frontdesk encrypt' first).",
            code="store_key",
        )
    try:
        held = hold_alone(path, old)
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"The key in this keyring does not open {path} ({exc}). Nothing was changed.", code="store_key"
        ) from None
    work = path.with_name(path.name + ".rekeying")
    new = _random.token_hex(32)
    try:
        counts = _counts(held)
        work.unlink(missing_ok=True)
        # Consistent: no WAL, and no one else may write while the lock is held. (SQLite's backup API would
        # wait forever here on the lock this connection holds. On Windows a file over 1 GiB has its lock
        # bytes there, which a copy cannot read while locked: the rotation then fails, changing nothing.)
        shutil.copyfile(path, work)
        os.chmod(work, 0o600)
        rekey = cipher.connect(work, old, isolation_level=None)
        try:
            rekey.execute(f"PRAGMA rekey = {cipher.key_pragma(new)}")
        finally:
            rekey.close()
        check = cipher.connect(work, new)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchall() == [("ok",)] and _counts(check) == counts
        finally:
            check.close()
        if not ok:
            raise StoreError(
                f"The re-keyed copy of {path} did not check out; the file and its key were left as they were.",
                code="store_encrypt",
            )
        cipher.fsync(work)
        # The old key stays until the new file is in place; Store.open settles a rotation cut short.
        secrets.set(previous_key_name(path), old)
        secrets.set(key_name(path), new)
        if os.name == "nt":
            held.close()  # Windows renames nothing over an open file (no FrontDesk program has it open: see above)
        os.replace(work, path)
        cipher.fsync(path)
    except BaseException:
        work.unlink(missing_ok=True)
        if secrets.get(key_name(path)) == new and not _opens(path, new):
            secrets.set(key_name(path), old)  # the file was not replaced: the old key is the one
        raise
    finally:
        held.close()
    back = cipher.connect(path, new, isolation_level=None)
    try:
        back.execute("PRAGMA journal_mode=WAL")
    finally:
        back.close()
    secrets.delete(previous_key_name(path))
    return Rotated(path.name, len(counts), sum(counts.values()))


def _opens(path: Path, key: str) -> bool:
    try:
        cipher.connect(path, key).close()
    except sqlite3.DatabaseError:
        return False
    return True


def rotate_keys(data_dir: Path, secrets: SecretStore) -> list[Rotated]:
    """Give each encrypted file in ``data_dir`` a new key (see the module's notes). No other FrontDesk
    program may have the files open. The caller records the rotation in the audit trail."""
    data_dir = Path(data_dir)
    main = data_dir / DB_NAME
    if cipher.file_state(main) != "encrypted":
        raise StoreError(
            f"{main} is not an encrypted FrontDesk database: there is no key to rotate (see 'frontdesk encrypt').",
            code="store_key",
        )
    done = []
    for name in KEYED_FILES:
        path = data_dir / name
        if cipher.file_state(path) == "encrypted":
            done.append(_rotate_one(path, secrets))
    return done


def _keys_of(data_dir: Path, secrets: SecretStore) -> dict[str, str]:
    keys = {}
    for name in KEYED_FILES:
        key = secrets.get(key_name(data_dir / name))
        if key is not None:
            keys[name] = key
    return keys


def export_keys(data_dir: Path, secrets: SecretStore, to: Path, passphrase: str) -> list[str]:
    """Write this data folder's keys to the escrow file ``to`` (new, owner-only), sealed with ``passphrase``.

    Returns the names of the files whose keys were written."""
    data_dir, to = Path(data_dir), Path(to)
    keys = _keys_of(data_dir, secrets)
    if DB_NAME not in keys:
        raise StoreError(
            f"There is no database key for {data_dir / DB_NAME} in this user's keyring: nothing to export "
            "(the database is not encrypted, or this is not the user who set FrontDesk up).",
            code="store_key",
        )
    if to.exists():
        raise InputError(f"{to} already exists: give a new file name (an escrow file is never overwritten).")
    data = seal_escrow(keys, passphrase, station=socket.gethostname())
    try:
        private_file(to)
        with open(to, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise StoreError(f"The escrow file {to} cannot be written ({exc.strerror or exc}).", code="file") from None
    return sorted(keys)


def import_keys(data_dir: Path, secrets: SecretStore, file: Path, passphrase: str) -> list[str]:
    """Put the keys of the escrow ``file`` into this user's keyring for ``data_dir``'s files.

    Each key is checked first against its file when the file exists (it must open it); a key for a file
    not there yet (a new PC, before ``frontdesk restore``) is refused if the keyring already holds a
    different one. Nothing is stored unless every key passed. Returns the names of the files keyed."""
    data_dir, file = Path(data_dir), Path(file)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"The escrow file {file} cannot be read ({exc.strerror or exc}).") from None
    escrow = open_escrow(data, passphrase)
    unknown = sorted(set(escrow.keys) - set(KEYED_FILES))
    if unknown or not escrow.keys:
        raise InputError(f"This escrow file names files FrontDesk does not keep ({', '.join(unknown)}).")
    for name, key in escrow.keys.items():
        path = data_dir / name
        state = cipher.file_state(path)
        if state == "encrypted" and not _opens(path, key):
            raise StoreError(
                f"The key for {name} in {file} does not open {path}: it belongs to another desk or an older "
                "key. Nothing was imported.",
                code="store_key",
            )
        if state == "plain":
            raise StoreError(
                f"{path} is not encrypted, so the escrowed key cannot be its key. Nothing was imported.",
                code="store_key",
            )
        current = secrets.get(key_name(path))
        if state == "new" and current is not None and current != key:
            raise StoreError(
                f"This keyring already holds a different key for {path}. Nothing was imported.", code="store_key"
            )
    for name, key in escrow.keys.items():
        secrets.set(key_name(data_dir / name), key)
    return sorted(escrow.keys)
