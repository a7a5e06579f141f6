"""The notification passwords (the mail server's, the text provider's token), kept in the OS keyring.

The only two functions that touch the keyring for notifications: a shared secrets module can replace them
without changing their callers. The backend is keyring's choice, made as :mod:`frontdesk.secrets.choice` makes it.
"""

from __future__ import annotations

from frontdesk.errors import DeliveryError

# ``keyring`` is imported in the two functions: finding its backends is slow, and most commands never need it.

SERVICE = "FrontDesk notifications"
NAMES = ("smtp", "twilio")


def save_secret(name: str, value: str) -> None:
    """Keep ``value`` as the ``name`` secret (``smtp`` or ``twilio``), replacing any earlier one."""
    import keyring
    import keyring.errors

    from frontdesk.secrets.choice import system_keyring

    system_keyring()  # keyring's backend, chosen as the desk's other secrets choose it
    try:
        keyring.set_password(SERVICE, name, value)
        kept = keyring.get_password(SERVICE, name) == value
    except keyring.errors.KeyringError as exc:
        raise DeliveryError(
            f"The password could not be stored in the keyring ({exc}). Ask school IT to set up the system "
            "keyring (or PYTHON_KEYRING_BACKEND).",
            code="keyring",
        ) from exc
    if not kept:
        raise DeliveryError(
            f"The keyring ({type(keyring.get_keyring()).__name__}) did not keep the password. Ask school IT to "
            "set up the system keyring (or PYTHON_KEYRING_BACKEND).",
            code="keyring",
        )


def load_secret(name: str) -> str | None:
    """The ``name`` secret, or None when it was never stored (or the keyring is unavailable)."""
    import keyring
    import keyring.errors

    from frontdesk.secrets.choice import system_keyring

    system_keyring()  # keyring's backend, chosen as the desk's other secrets choose it
    try:
        return keyring.get_password(SERVICE, name)
    except keyring.errors.KeyringError:
        return None
