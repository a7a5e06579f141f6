"""Key escrow files: the desk's database keys sealed with a passphrase the administrator types.

A district keeps one escrow file per desk (on its IT share, or printed and filed) so that a desk whose
keyring is lost (a new Windows profile, a replaced PC with its data folder restored) can open its data again.
The file is JSON: a header (format, version, key derivation and its parameters, salt) and the sealed keys.

Sealing is ``cryptography``'s: scrypt (n=2**17, r=8, p=1: about 128 MiB and a fraction of a second, once)
derives a 256-bit key from the passphrase, and AES-256-GCM seals the keys with the header as associated
data, so a changed header, a wrong passphrase or a changed byte all fail the same way: nothing is returned.
The keys never appear in clear anywhere but the keyring.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime

from frontdesk.errors import InputError

__all__ = ["FORMAT", "MIN_PASSPHRASE", "Escrow", "open_escrow", "seal_escrow"]

FORMAT = "frontdesk-key-escrow"
VERSION = 1
MIN_PASSPHRASE = 12  # characters: a sentence is easier to type than a short password, and far stronger
_SCRYPT = {"n": 2**17, "r": 8, "p": 1}


@dataclass(frozen=True)
class Escrow:
    """What an escrow file holds: each database file's key by its name in the data folder."""

    keys: dict[str, str]
    created: str
    station: str = ""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _header_bytes(header: dict) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too short to protect the keys (raises :class:`InputError`)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise InputError(
            f"The escrow passphrase must have at least {MIN_PASSPHRASE} characters (a short sentence is best)."
        )


def seal_escrow(keys: dict[str, str], passphrase: str, *, station: str = "") -> bytes:
    """The escrow file's bytes for ``keys`` (file name -> 64 hex digits), sealed with ``passphrase``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    check_passphrase(passphrase)
    salt, nonce = os.urandom(16), os.urandom(12)
    header = {"format": FORMAT, "version": VERSION, "kdf": "scrypt", **_SCRYPT, "salt": _b64(salt),
              "cipher": "AES-256-GCM", "nonce": _b64(nonce)}  # fmt: skip
    body = json.dumps(
        {"keys": keys, "created": datetime.now(UTC).isoformat(timespec="seconds"), "station": station}
    ).encode("utf-8")
    sealed = AESGCM(_derive(passphrase, salt, **_SCRYPT)).encrypt(nonce, body, _header_bytes(header))
    return (json.dumps({**header, "sealed": _b64(sealed)}, indent=1) + "\n").encode("utf-8")


def open_escrow(data: bytes, passphrase: str) -> Escrow:
    """The keys in an escrow file; :class:`InputError` for a wrong passphrase or a file that is not one."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        # Bytes: JSON's own detection, so a file a text editor saved again (a UTF-8 BOM, UTF-16) still opens.
        doc = json.loads(data)
        if doc.get("format") != FORMAT:
            raise ValueError("not an escrow file")
        if doc.get("version") != VERSION or doc.get("kdf") != "scrypt" or doc.get("cipher") != "AES-256-GCM":
            raise InputError("This escrow file was written by a newer FrontDesk: use that version to read it.")
        header = {k: v for k, v in doc.items() if k != "sealed"}
        salt = base64.b64decode(doc["salt"])
        nonce = base64.b64decode(doc["nonce"])
        sealed = base64.b64decode(doc["sealed"])
        n, r, p = int(doc["n"]), int(doc["r"]), int(doc["p"])
    except InputError:
        raise
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
        raise InputError("This file is not a FrontDesk key escrow file.") from None
    if not (2**14 <= n <= 2**20 and r <= 16 and p <= 4):  # a file must not make us allocate gigabytes
        raise InputError("This escrow file's key derivation parameters are out of range; it was not read.")
    try:
        body = AESGCM(_derive(passphrase, salt, n, r, p)).decrypt(nonce, sealed, _header_bytes(header))
    except InvalidTag:
        raise InputError(
            "The passphrase does not open this escrow file (or the file was changed). Nothing was imported."
        ) from None
    content = json.loads(body)
    keys = {str(name): str(key) for name, key in content["keys"].items()}
    return Escrow(keys=keys, created=str(content.get("created", "")), station=str(content.get("station", "")))
