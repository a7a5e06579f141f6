"""The all-clear signature: how a CAP Cancel proves a principal or an administrator sent it.

The console enrols each person allowed to clear (``frontdesk dispatch clearer add``) and prints their
all-clear code once, ``fdac_<clearer_id>_<secret>``. They type it at the desk when they send the all
clear; the desk never keeps it. The Cancel then carries two CAP parameters: ``ALL_CLEAR_BY`` (the
clearer id) and ``ALL_CLEAR_SIGNATURE``, an HMAC-SHA256 with the clearer's key over the message's
identifier, sender, sent time, incident and references (:func:`signed_text`), so a signature is good
for that one message only. The station's credential alone cannot produce it: someone at the desk PC who
reads the credential from the keyring still cannot clear an incident. Pure: both ends use it.
"""

from __future__ import annotations

from dataclasses import replace

from frontdesk.wire import cap

CODE_PREFIX = "fdac"
P_CLEARED_BY = "ALL_CLEAR_BY"
P_SIGNATURE = "ALL_CLEAR_SIGNATURE"


def split_code(code: str) -> tuple[str, str]:
    """``(clearer_id, secret)`` of an all-clear code, or CapError."""
    parts = code.strip().replace(" ", "").split("_")
    if len(parts) != 3 or parts[0] != CODE_PREFIX or not parts[1] or not parts[2]:
        raise cap.CapError("an all-clear code looks like fdac_<id>_<secret> (as the console printed it)")
    return parts[1], parts[2].lower()


def key_of(secret: str) -> str:
    """The signing key of a code's secret (what the console keeps; the code itself is never stored)."""
    import hashlib  # hashlib and hmac load with the first all clear, not with the desk (issue 13)

    return hashlib.sha256(f"frontdesk all clear\n{secret}".encode()).hexdigest()


def signed_text(msg: cap.CapMessage, clearer_id: str) -> bytes:
    """What the signature covers: one Cancel, by one clearer."""
    fields = [
        msg.msg_type,
        msg.identifier,
        msg.sender,
        cap.format_sent(msg.sent),
        msg.incidents or "",
        " ".join(msg.references),
        clearer_id,
    ]
    return "\n".join(fields).encode("utf-8")


def signature(msg: cap.CapMessage, clearer_id: str, key: str) -> str:
    """The hex HMAC-SHA256 of :func:`signed_text` with ``key``."""
    import hashlib
    import hmac

    return hmac.new(key.encode(), signed_text(msg, clearer_id), hashlib.sha256).hexdigest()


def sign(msg: cap.CapMessage, code: str) -> cap.CapMessage:
    """``msg`` (a Cancel) with the ``ALL_CLEAR_BY`` and ``ALL_CLEAR_SIGNATURE`` parameters of ``code``."""
    clearer_id, secret = split_code(code)
    mac = signature(msg, clearer_id, key_of(secret))
    kept = tuple((n, v) for n, v in msg.extra if n not in (P_CLEARED_BY, P_SIGNATURE))
    return replace(msg, extra=(*kept, (P_CLEARED_BY, clearer_id), (P_SIGNATURE, mac)))


def claimed(msg: cap.CapMessage) -> tuple[str, str]:
    """``(clearer_id, signature)`` a message carries (empty strings when it carries none)."""
    params = dict(msg.extra)
    return params.get(P_CLEARED_BY, ""), params.get(P_SIGNATURE, "")


def verify(msg: cap.CapMessage, clearer_id: str, key: str, mac: str) -> bool:
    """True if ``mac`` is the signature of ``msg`` by ``clearer_id`` with ``key`` (constant time)."""
    import hmac

    return hmac.compare_digest(signature(msg, clearer_id, key), mac.strip().lower())
